/**
 * Samplers: iterables of dataset indices (`SequentialSampler`, `RandomSampler`, `SubsetRandomSampler`,
 * `WeightedRandomSampler`) and of index batches (`BatchSampler`), as in `torch.utils.data`.
 */
import { Generator, defaultGenerator, permutation } from '../../random.js';
import { Tensor } from '../../tensor.js';
import { lenOf } from './dataset.js';
import { checkOptions } from '../../_options.js';

/**
 * Base class of samplers: an iterable of indices with an optional `length`.
 * @example
 * class Evens extends torch.utils.data.Sampler<number> {
 *   constructor(private n: number) { super(); }
 *   *[Symbol.iterator]() { for (let i = 0; i < this.n; i += 2) yield i; }
 *   get length() { return Math.ceil(this.n / 2); }
 * }
 */
export abstract class Sampler<T = number> implements Iterable<T> {
  abstract [Symbol.iterator](): Iterator<T>;
  /** Number of items an iteration yields (PyTorch's `__len__`); subclasses that know it override this. */
  get length(): number { throw new TypeError(`object of type '${this.constructor.name}' has no len()`); }
  /** Same as `length`. */
  len(): number { return this.length; }
}

/**
 * `0, 1, ..., len(dataSource) - 1`.
 * @example [...new torch.utils.data.SequentialSampler([10, 20, 30])]; // [0, 1, 2]
 */
export class SequentialSampler extends Sampler<number> {
  constructor(readonly dataSource: { readonly length: number }) { super(); }
  *[Symbol.iterator](): Iterator<number> { const n = lenOf(this.dataSource); for (let i = 0; i < n; i++) yield i; }
  override get length(): number { return lenOf(this.dataSource); }
}

/** @internal A fresh generator seeded from `g` (or the global generator), as PyTorch seeds one per epoch. */
function epochGenerator(g: Generator | null): Generator {
  if (g !== null) return g;
  const seed = defaultGenerator.nextUint32() * 2 ** 21 + (defaultGenerator.nextUint32() >>> 11);
  return new Generator(seed);
}

export interface RandomSamplerOptions { replacement?: boolean; numSamples?: number | null; generator?: Generator | null }

/**
 * Random indices: a fresh permutation per iteration (or, with `replacement`, `numSamples` independent draws). With no
 * `generator` each iteration seeds its own from the global generator, so `torch.manualSeed` makes epochs reproducible.
 * @example
 * const s = new torch.utils.data.RandomSampler([1, 2, 3, 4], { generator: new torch.Generator(0) });
 * [...s].sort(); // [0, 1, 2, 3]
 */
export class RandomSampler extends Sampler<number> {
  readonly replacement: boolean;
  readonly generator: Generator | null;
  private readonly _numSamples: number | null;
  constructor(readonly dataSource: { readonly length: number }, replacement: boolean | RandomSamplerOptions = false,
    numSamples: number | null = null, generator: Generator | null = null) {
    super();
    let o: RandomSamplerOptions = { replacement: replacement as boolean, numSamples, generator };
    if (typeof replacement === 'object' && replacement !== null) { checkOptions('RandomSampler.__init__', replacement, ['replacement', 'numSamples', 'generator']); o = replacement; }
    this.replacement = o.replacement ?? false;
    this._numSamples = o.numSamples ?? null;
    this.generator = o.generator ?? null;
    if (typeof this.replacement !== 'boolean') throw new TypeError(`replacement should be a boolean value, but got replacement=${String(this.replacement)}`);
    const ns = this.numSamples;
    if (!Number.isInteger(ns) || ns <= 0) throw new RangeError(`num_samples should be a positive integer value, but got num_samples=${ns}`);
  }
  /** `numSamples`, defaulting to the dataset's length. */
  get numSamples(): number { return this._numSamples ?? lenOf(this.dataSource); }
  *[Symbol.iterator](): Iterator<number> {
    const n = lenOf(this.dataSource);
    const g = epochGenerator(this.generator);
    const ns = this.numSamples;
    if (this.replacement) {
      for (let i = 0; i < ns; i++) yield g.randint(0, n);
      return;
    }
    for (let k = 0; k < Math.floor(ns / n); k++) yield* permutation(n, g);
    if (ns % n > 0) yield* permutation(n, g).slice(0, ns % n);
  }
  override get length(): number { return this.numSamples; }
}

/**
 * The given indices in a random order (a new one each iteration).
 * @example const s = new torch.utils.data.SubsetRandomSampler([5, 6, 7], new torch.Generator(1));
 */
export class SubsetRandomSampler extends Sampler<number> {
  readonly indices: readonly number[];
  readonly generator: Generator | null;
  constructor(indices: readonly number[] | Tensor, generator: Generator | null | { generator?: Generator | null } = null) {
    super();
    this.indices = indices instanceof Tensor ? Array.from(indices.reshape([-1]).dataSync()) : [...indices];
    if (!(generator instanceof Generator) && generator !== null) checkOptions('SubsetRandomSampler.__init__', generator, ['generator']);
    this.generator = generator instanceof Generator || generator === null ? generator : generator.generator ?? null;
  }
  *[Symbol.iterator](): Iterator<number> {
    const g = this.generator ?? defaultGenerator;
    for (const i of permutation(this.indices.length, g)) yield this.indices[i]!;
  }
  override get length(): number { return this.indices.length; }
}

/**
 * Indices `0..weights.length-1` drawn with probabilities proportional to `weights` (with replacement by default).
 * @example
 * const s = new torch.utils.data.WeightedRandomSampler([0.1, 0.9], 100); // mostly 1s
 */
export class WeightedRandomSampler extends Sampler<number> {
  readonly weights: Float64Array;
  readonly numSamples: number;
  readonly replacement: boolean;
  readonly generator: Generator | null;
  constructor(weights: readonly number[] | Tensor, numSamples: number, replacement: boolean | { replacement?: boolean; generator?: Generator | null } = true,
    generator: Generator | null = null) {
    super();
    let rep = replacement as boolean, gen = generator;
    if (typeof replacement === 'object' && replacement !== null) { checkOptions('WeightedRandomSampler.__init__', replacement, ['replacement', 'generator']); rep = replacement.replacement ?? true; gen = replacement.generator ?? null; }
    if (!Number.isInteger(numSamples) || typeof numSamples === 'boolean' || numSamples <= 0) {
      throw new RangeError(`num_samples should be a positive integer value, but got num_samples=${numSamples}`);
    }
    if (typeof rep !== 'boolean') throw new TypeError(`replacement should be a boolean value, but got replacement=${String(rep)}`);
    if (weights instanceof Tensor && weights.dim() !== 1) {
      throw new RangeError(`weights should be a 1d sequence but given weights have shape [${weights.shape.join(', ')}]`);
    }
    const w = Float64Array.from(weights instanceof Tensor ? weights.dataSync() : weights);
    if (w.some((v) => !(v >= 0) || !Number.isFinite(v))) throw new RangeError('invalid multinomial distribution (encountering probability entry < 0 or inf or nan)');
    const positive = w.reduce((a, v) => a + (v > 0 ? 1 : 0), 0);
    if (positive === 0) throw new RangeError('invalid multinomial distribution (sum of probabilities <= 0)');
    if (!rep && numSamples > positive) throw new RangeError('cannot sample n_sample > prob_dist.size(-1) samples without replacement');
    this.weights = w; this.numSamples = numSamples; this.replacement = rep; this.generator = gen;
  }
  *[Symbol.iterator](): Iterator<number> {
    const g = this.generator ?? defaultGenerator;
    const w = Float64Array.from(this.weights);
    const n = w.length;
    if (this.replacement) {
      const cdf = new Float64Array(n);
      let s = 0;
      for (let i = 0; i < n; i++) cdf[i] = s += w[i]!;
      for (let k = 0; k < this.numSamples; k++) {
        const u = g.random() * s;
        let lo = 0, hi = n - 1;
        while (lo < hi) { const mid = (lo + hi) >> 1; if (u < cdf[mid]!) hi = mid; else lo = mid + 1; }
        while (w[lo] === 0 && lo < n - 1) lo++;
        yield lo;
      }
      return;
    }
    let total = w.reduce((a, b) => a + b, 0);
    for (let k = 0; k < this.numSamples; k++) {
      let u = g.random() * total, pick = -1;
      for (let i = 0; i < n; i++) { if (w[i]! <= 0) continue; pick = i; if (u < w[i]!) break; u -= w[i]!; }
      total -= w[pick]!; w[pick] = 0;
      yield pick;
    }
  }
  override get length(): number { return this.numSamples; }
}

/**
 * Groups the indices of `sampler` into arrays of `batchSize` (the last one shorter unless `dropLast`).
 * Throws PyTorch's errors for a `batchSize` that is not a positive integer or a `dropLast` that is not a boolean.
 * @example
 * [...new torch.utils.data.BatchSampler(new torch.utils.data.SequentialSampler([0, 0, 0, 0, 0]), 2, false)];
 * // [[0, 1], [2, 3], [4]]
 */
export class BatchSampler extends Sampler<number[]> {
  readonly sampler: Iterable<number> & { readonly length?: number };
  readonly batchSize: number;
  readonly dropLast: boolean;
  constructor(sampler: Iterable<number>, batchSize: number | { batchSize: number; dropLast?: boolean }, dropLast = false) {
    super();
    let bs = batchSize as number, dl = dropLast;
    if (typeof batchSize === 'object' && batchSize !== null) { checkOptions('BatchSampler.__init__', batchSize, ['batchSize', 'dropLast']); bs = batchSize.batchSize; dl = batchSize.dropLast ?? false; }
    if (typeof bs !== 'number' || !Number.isInteger(bs) || bs <= 0) {
      throw new RangeError(`batch_size should be a positive integer value, but got batch_size=${String(bs)}`);
    }
    if (typeof dl !== 'boolean') throw new RangeError(`drop_last should be a boolean value, but got drop_last=${String(dl)}`);
    this.sampler = sampler; this.batchSize = bs; this.dropLast = dl;
  }
  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const idx of this.sampler) {
      batch.push(idx);
      if (batch.length === this.batchSize) { yield batch; batch = []; }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }
  override get length(): number {
    const n = lenOf(this.sampler);
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }
}
