/**
 * Seeded random numbers. `torch.manualSeed(n)` makes every random function reproducible; the stream is
 * xoshiro128** (not PyTorch's Mersenne Twister, so values differ from PyTorch's for the same seed).
 *
 * Random fills run as a backend kernel (`Backend.random`) that is handed the generator. The CPU backend draws from
 * the sequential xoshiro128** stream, as before. A device backend draws from the counter-based stream instead:
 * `philoxSeedOffset(n)` gives it (seed, offset) and moves the offset on by n, the scheme of PyTorch's CUDA
 * generator (Philox4x32-10 keyed by the seed, counter = offset + element index), so every element is computed
 * independently on the device and a seeded program is reproducible on that device.
 *
 * @example
 * import * as torch from 'torchlet';
 * torch.manualSeed(0);
 * const a = torch.randn([3]);
 * torch.manualSeed(0);
 * torch.equal(a, torch.randn([3])); // true
 */
export class Generator {
  private s = new Uint32Array(4);
  private spare: number | null = null;
  private seedValue = 0;
  /** Offset of the counter-based (Philox) stream used by device backends. */
  private philoxOffset = 0;
  constructor(seed: number = Date.now()) { this.manualSeed(seed); }

  manualSeed(seed: number): this {
    checkSeed(seed);
    this.seedValue = seed;
    // splitmix32 to spread the seed over the state
    let x = (Math.floor(seed) ^ Math.floor(seed / 2 ** 32)) >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1;
    this.spare = null;
    this.philoxOffset = 0;
    return this;
  }

  initialSeed(): number { return this.seedValue; }

  /** Next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!; s[3]! ^= s[1]!; s[1]! ^= s[2]!; s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5, lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal (Box–Muller, caching the second value). */
  normal(): number {
    if (this.spare !== null) { const v = this.spare; this.spare = null; return v; }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Integer uniform in [low, high). */
  randint(low: number, high: number): number {
    return low + Math.floor(this.random() * (high - low));
  }

  /**
   * Reserves `count` values of the counter-based stream for a device kernel: returns the seed and the offset of
   * the first value, and advances the offset (rounded up to a multiple of 4, one Philox block).
   */
  philoxSeedOffset(count: number): { seed: number; offset: number } {
    const offset = this.philoxOffset;
    this.philoxOffset += Math.ceil(count / 4) * 4;
    return { seed: this.seedValue, offset };
  }

  /** The state: xoshiro128** words, the seed, and the Philox offset. */
  getState(): number[] { return [...this.s, this.seedValue, this.philoxOffset]; }
  setState(st: readonly number[]): void {
    for (let i = 0; i < 4; i++) this.s[i] = st[i]! >>> 0;
    this.seedValue = st[4] ?? 0;
    this.philoxOffset = st[5] ?? 0;
    this.spare = null;
  }
}

/** The distributions of `Backend.random` (see `backend/types.ts`). */
import type { RandomDistribution, RandomSource } from './backend/types.js';

/**
 * Draws `out.length` samples of `dist` from the generator's sequential stream, in order. Shared by the CPU
 * backend's `random` kernel and the frontend's host fallback, so both give a seeded program the same values.
 * `p` holds the per-element probabilities of `bernoulliTensor`.
 */
export function drawSamples(out: Float64Array, dist: RandomDistribution, g: RandomSource, p?: ArrayLike<number>): void {
  const n = out.length;
  switch (dist.kind) {
    case 'uniform': { const a = dist.from, w = dist.to - dist.from; for (let i = 0; i < n; i++) out[i] = a + w * g.random(); break; }
    case 'normal': { const m = dist.mean, sd = dist.std; for (let i = 0; i < n; i++) out[i] = m + sd * g.normal(); break; }
    case 'bernoulli': { const q = dist.p; for (let i = 0; i < n; i++) out[i] = g.random() < q ? 1 : 0; break; }
    case 'bernoulliTensor': for (let i = 0; i < n; i++) out[i] = g.random() < p![i]! ? 1 : 0; break;
    case 'randint': for (let i = 0; i < n; i++) out[i] = g.randint(dist.low, dist.high); break;
    case 'permutation': {
      for (let i = 0; i < n; i++) out[i] = i;
      for (let i = n - 1; i > 0; i--) { const j = g.randint(0, i + 1); const t = out[i]!; out[i] = out[j]!; out[j] = t; }
      break;
    }
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The default generator behind every random function. */
export const defaultGenerator = new Generator(5489);

/**
 * Seeds the default generator.
 * @example
 * torch.manualSeed(42);
 */
/**
 * PyTorch takes `int(seed)` in [-2^63, 2^64): a non-number is a TypeError (JavaScript has no `int('abc')` to
 * mimic, and coercing `'1'` would hide a bug), NaN/±Infinity and values outside that range are RangeErrors in
 * Python's words.
 */
function checkSeed(seed: unknown): void {
  if (typeof seed !== 'number') {
    const kind = seed === null || seed === undefined ? 'NoneType' : typeof seed === 'string' ? 'str' : typeof seed === 'boolean' ? 'bool' : typeof seed;
    throw new TypeError(`manual_seed expected a number as seed, but got ${kind}${typeof seed === 'string' ? ` '${seed}'` : ''}`);
  }
  if (Number.isNaN(seed)) throw new RangeError('manual_seed: cannot convert float NaN to integer');
  if (!Number.isFinite(seed)) throw new RangeError('manual_seed: cannot convert float infinity to integer');
  if (seed < -(2 ** 63) || seed >= 2 ** 64) throw new RangeError(`manual_seed: Overflow when unpacking long (seed ${seed} is outside [-2^63, 2^64))`);
}

export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}

/** The seed last given to the default generator. */
export function initialSeed(): number { return defaultGenerator.initialSeed(); }

/**
 * Fisher–Yates permutation of 0..n−1 drawn from `g` on the host: the same values as `torch.randperm(n, { generator: g })`
 * on the portable backend. Samplers and `randomSplit` use it because their indices drive JavaScript-side batching
 * (PyTorch's samplers also take `randperm(n).tolist()` on the CPU): no tensor, no device, no read back.
 */
export function permutation(n: number, g: { randint(low: number, high: number): number }): number[] {
  const v = new Array<number>(n);
  for (let i = 0; i < n; i++) v[i] = i;
  for (let i = n - 1; i > 0; i--) { const j = g.randint(0, i + 1); const t = v[i]!; v[i] = v[j]!; v[j] = t; }
  return v;
}
