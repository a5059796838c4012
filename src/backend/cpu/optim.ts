/**
 * The CPU backend's optimizer and clipping kernels (`fusedOptimizerStep`, `foreachNorm`, `foreachMul_`).
 *
 * Each update rule is one fused loop per parameter over typed arrays (no temporaries), the way PyTorch's fused
 * kernels run, with every intermediate in double precision and one rounding per stored value. The loops are
 * top-level monomorphic functions with every scalar an argument, so V8 optimizes each once. Contiguous tensors are
 * read and written in place; strided ones go through a contiguous copy written back afterwards. The arithmetic and
 * its order are those the frontend loops had before they moved here, so results are bit-for-bit unchanged.
 */
import type { DType, TypedArray } from '../../dtype.js';
import type {
  AdadeltaHyperparams, AdagradHyperparams, AdamHyperparams, AdamaxHyperparams, NAdamHyperparams, OptimizerHyperparams,
  OptimizerKind, OptimizerSlot, RAdamHyperparams, RMSpropHyperparams, SgdHyperparams, Storage, TensorRef,
} from '../types.js';
import type { CpuBackend, CpuStorage } from './cpu.js';

// ---------------------------------------------------------------------------------------------------------------
// Element access

function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Whether the layout's elements are one dense row-major run (size-1 dims may have any stride). */
function isDense(r: TensorRef): boolean {
  const { shape, strides } = r.l;
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!;
    if (n === 1) continue;
    if (strides[d] !== expected) return false;
    expected *= n;
  }
  return true;
}

/** Contiguous element views of kernel arguments; strided ones are copies that `flush` writes back. */
class Views {
  private copies: [TensorRef, TypedArray][] = [];
  constructor(private readonly b: CpuBackend) {}

  /** The elements of `r`, aliasing its storage when they are one dense run. */
  ro(r: TensorRef): TypedArray {
    if (isDense(r)) {
      const d = (r.s as CpuStorage).data, n = numel(r.l.shape), o = r.l.offset;
      return o === 0 && d.length === n ? d : d.subarray(o, o + n);
    }
    return this.b.readSync(r.s, r.l);
  }

  /** Writable elements of `r`. */
  rw(r: TensorRef): TypedArray {
    if (isDense(r)) return this.ro(r);
    const c = this.b.readSync(r.s, r.l);
    this.copies.push([r, c]);
    return c;
  }

  flush(): void {
    for (const [r, c] of this.copies) {
      const src = this.b.fromArray(r.s.dtype, c);
      this.b.copy(src, { shape: r.l.shape, strides: contiguous(r.l.shape), offset: 0 }, r.s, r.l);
      this.b.free(src);
    }
    this.copies.length = 0;
  }
}

function contiguous(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) { st[d] = s; s *= shape[d]!; }
  return st;
}

// ---------------------------------------------------------------------------------------------------------------
// Update rules: one loop per parameter

function sgdKernel(P: TypedArray, G: TypedArray, n: number, sign: number, wd: number, lr: number): void {
  for (let i = 0; i < n; i++) {
    const th = P[i]!;
    P[i] = th - lr * (sign * G[i]! + wd * th);
  }
}

function sgdMomentumKernel(P: TypedArray, G: TypedArray, B: TypedArray, n: number, sign: number, wd: number, lr: number,
  mom: number, keep: number, first: boolean, nesterov: boolean): void {
  for (let i = 0; i < n; i++) {
    const th = P[i]!;
    const g = sign * G[i]! + wd * th;
    B[i] = first ? g : mom * B[i]! + keep * g; // the buffer is read back in its dtype, as PyTorch does
    P[i] = th - lr * (nesterov ? g + mom * B[i]! : B[i]!);
  }
}

function adamKernel(P: TypedArray, G: TypedArray, M: TypedArray, V: TypedArray, VM: TypedArray | null, n: number, sign: number,
  l2: number, decay: number, b1: number, b2: number, stepSize: number, bc2Sqrt: number, eps: number): void {
  if (decay !== 1) for (let i = 0; i < n; i++) P[i] = P[i]! * decay;
  const c1 = 1 - b1, c2 = 1 - b2;
  if (VM === null) {
    for (let i = 0; i < n; i++) {
      const th = P[i]!;
      const g = sign * G[i]! + l2 * th;
      M[i] = b1 * M[i]! + c1 * g;
      V[i] = b2 * V[i]! + c2 * g * g;
      P[i] = th - stepSize * (M[i]! / (Math.sqrt(V[i]!) / bc2Sqrt + eps));
    }
  } else {
    for (let i = 0; i < n; i++) {
      const th = P[i]!;
      const g = sign * G[i]! + l2 * th;
      M[i] = b1 * M[i]! + c1 * g;
      V[i] = b2 * V[i]! + c2 * g * g;
      const v = V[i]!, vm = VM[i]!;
      VM[i] = vm > v || vm !== vm ? vm : v; // torch.maximum (NaN propagates)
      P[i] = th - stepSize * (M[i]! / (Math.sqrt(VM[i]!) / bc2Sqrt + eps));
    }
  }
}

function adamaxKernel(P: TypedArray, G: TypedArray, M: TypedArray, U: TypedArray, n: number, sign: number, wd: number,
  clr: number, b1: number, b2: number, eps: number): void {
  const c1 = 1 - b1;
  for (let i = 0; i < n; i++) {
    const th = P[i]!;
    const g = sign * G[i]! + wd * th;
    M[i] = b1 * M[i]! + c1 * g;
    const u = b2 * U[i]!, a = Math.abs(g) + eps;
    U[i] = u > a || u !== u ? u : a; // torch.maximum (NaN propagates)
    P[i] = th - clr * (M[i]! / U[i]!);
  }
}

function adadeltaKernel(P: TypedArray, G: TypedArray, V: TypedArray, U: TypedArray, n: number, sign: number, wd: number,
  lr: number, rho: number, eps: number): void {
  const c = 1 - rho;
  for (let i = 0; i < n; i++) {
    const th = P[i]!;
    const g = sign * G[i]! + wd * th;
    V[i] = rho * V[i]! + c * g * g;
    const delta = (Math.sqrt(U[i]! + eps) / Math.sqrt(V[i]! + eps)) * g;
    U[i] = rho * U[i]! + c * delta * delta;
    P[i] = th - lr * delta;
  }
}

function adagradKernel(P: TypedArray, G: TypedArray, S: TypedArray, n: number, sign: number, wd: number, clr: number, eps: number): void {
  for (let i = 0; i < n; i++) {
    const th = P[i]!;
    const g = sign * G[i]! + wd * th;
    S[i] = S[i]! + g * g;
    P[i] = th - clr * (g / (Math.sqrt(S[i]!) + eps));
  }
}

function nadamKernel(P: TypedArray, G: TypedArray, M: TypedArray, V: TypedArray, n: number, sign: number, l2: number, decay: number,
  b1: number, b2: number, bc2: number, eps: number, cg: number, cm: number): void {
  if (decay !== 1) for (let i = 0; i < n; i++) P[i] = P[i]! * decay;
  const c1 = 1 - b1, c2 = 1 - b2;
  for (let i = 0; i < n; i++) {
    const th = P[i]!;
    const g = sign * G[i]! + l2 * th;
    M[i] = b1 * M[i]! + c1 * g;
    V[i] = b2 * V[i]! + c2 * g * g;
    const denom = Math.sqrt(V[i]! / bc2) + eps;
    P[i] = th + cg * (g / denom); // two addcdiv_ calls in PyTorch: two roundings
    P[i] = P[i]! + cm * (M[i]! / denom);
  }
}

function radamKernel(P: TypedArray, G: TypedArray, M: TypedArray, V: TypedArray, n: number, sign: number, l2: number, decay: number,
  b1: number, b2: number, bc1: number, bc2Sqrt: number, eps: number, lr: number, rectified: boolean, rect: number): void {
  if (decay !== 1) for (let i = 0; i < n; i++) P[i] = P[i]! * decay;
  const c1 = 1 - b1, c2 = 1 - b2;
  for (let i = 0; i < n; i++) {
    const th = P[i]!;
    const g = sign * G[i]! + l2 * th;
    M[i] = b1 * M[i]! + c1 * g;
    V[i] = b2 * V[i]! + c2 * g * g;
    const mHat = M[i]! / bc1;
    P[i] = rectified ? th - mHat * lr * (bc2Sqrt / (Math.sqrt(V[i]!) + eps)) * rect : th - mHat * lr;
  }
}

function rmspropKernel(P: TypedArray, G: TypedArray, S: TypedArray, A: TypedArray | null, B: TypedArray | null, n: number,
  sign: number, wd: number, lr: number, alpha: number, eps: number, mom: number): void {
  const c = 1 - alpha;
  for (let i = 0; i < n; i++) {
    const th = P[i]!;
    const g = sign * G[i]! + wd * th;
    S[i] = alpha * S[i]! + c * g * g;
    let avg: number;
    if (A !== null) {
      A[i] = alpha * A[i]! + c * g;
      const a = A[i]!;
      avg = Math.sqrt(S[i]! - a * a) + eps;
    } else {
      avg = Math.sqrt(S[i]!) + eps;
    }
    if (B !== null) {
      B[i] = mom * B[i]! + g / avg;
      P[i] = th - lr * B[i]!;
    } else {
      P[i] = th - lr * (g / avg);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Per-kind drivers: the step-dependent scalars, computed as the frontend did

function sgdStep(v: Views, slots: readonly OptimizerSlot[], hp: SgdHyperparams): void {
  const { lr, momentum: mom, weightDecay: wd, nesterov } = hp, keep = 1 - hp.dampening, sign = hp.maximize ? -1 : 1;
  for (const s of slots) {
    const P = v.rw(s.param), G = v.ro(s.grad), buf = s.state[0] ?? null;
    if (mom === 0 || buf === null) sgdKernel(P, G, P.length, sign, wd, lr);
    else sgdMomentumKernel(P, G, v.rw(buf), P.length, sign, wd, lr, mom, keep, s.step === 1, nesterov);
  }
}

function adamStep(v: Views, slots: readonly OptimizerSlot[], hp: AdamHyperparams): void {
  const { lr, beta1: b1, beta2: b2, eps, weightDecay: wd, decoupledWeightDecay: decoupled } = hp, sign = hp.maximize ? -1 : 1;
  const decay = decoupled && wd !== 0 ? 1 - lr * wd : 1;
  for (const s of slots) {
    const step = s.step;
    const bc1 = 1 - b1 ** step, bc2 = 1 - b2 ** step;
    const stepSize = lr / bc1, bc2Sqrt = Math.sqrt(bc2);
    const P = v.rw(s.param), G = v.ro(s.grad), M = v.rw(s.state[0]!), V = v.rw(s.state[1]!);
    const VM = hp.amsgrad ? v.rw(s.state[2]!) : null;
    adamKernel(P, G, M, V, VM, P.length, sign, decoupled ? 0 : wd, decay, b1, b2, stepSize, bc2Sqrt, eps);
  }
}

function adamaxStep(v: Views, slots: readonly OptimizerSlot[], hp: AdamaxHyperparams): void {
  const { lr, beta1: b1, beta2: b2, eps, weightDecay: wd } = hp, sign = hp.maximize ? -1 : 1;
  for (const s of slots) {
    const P = v.rw(s.param);
    adamaxKernel(P, v.ro(s.grad), v.rw(s.state[0]!), v.rw(s.state[1]!), P.length, sign, wd, lr / (1 - b1 ** s.step), b1, b2, eps);
  }
}

function adadeltaStep(v: Views, slots: readonly OptimizerSlot[], hp: AdadeltaHyperparams): void {
  const { lr, rho, eps, weightDecay: wd } = hp, sign = hp.maximize ? -1 : 1;
  for (const s of slots) {
    const P = v.rw(s.param);
    adadeltaKernel(P, v.ro(s.grad), v.rw(s.state[0]!), v.rw(s.state[1]!), P.length, sign, wd, lr, rho, eps);
  }
}

function adagradStep(v: Views, slots: readonly OptimizerSlot[], hp: AdagradHyperparams): void {
  const { lr, lrDecay, eps, weightDecay: wd } = hp, sign = hp.maximize ? -1 : 1;
  for (const s of slots) {
    const clr = lr / (1 + (s.step - 1) * lrDecay);
    const P = v.rw(s.param);
    adagradKernel(P, v.ro(s.grad), v.rw(s.state[0]!), P.length, sign, wd, clr, eps);
  }
}

function nadamStep(v: Views, slots: readonly OptimizerSlot[], hp: NAdamHyperparams): void {
  const { lr, beta1: b1, beta2: b2, eps, weightDecay: wd, momentumDecay: md, decoupledWeightDecay: decoupled } = hp;
  const sign = hp.maximize ? -1 : 1;
  const decay = decoupled && wd !== 0 ? 1 - lr * wd : 1;
  for (const s of slots) {
    const step = s.step;
    const bc2 = 1 - b2 ** step;
    const mu = b1 * (1 - 0.5 * 0.96 ** (step * md));
    const muNext = b1 * (1 - 0.5 * 0.96 ** ((step + 1) * md));
    const muProduct = s.muProduct!;
    const muProductNext = muProduct * muNext;
    const cg = (-lr * (1 - mu)) / (1 - muProduct);
    const cm = (-lr * muNext) / (1 - muProductNext);
    const P = v.rw(s.param);
    nadamKernel(P, v.ro(s.grad), v.rw(s.state[0]!), v.rw(s.state[1]!), P.length, sign, decoupled ? 0 : wd, decay, b1, b2, bc2, eps, cg, cm);
  }
}

function radamStep(v: Views, slots: readonly OptimizerSlot[], hp: RAdamHyperparams): void {
  const { lr, beta1: b1, beta2: b2, eps, weightDecay: wd, decoupledWeightDecay: decoupled } = hp, sign = hp.maximize ? -1 : 1;
  const decay = decoupled && wd !== 0 ? 1 - lr * wd : 1;
  for (const s of slots) {
    const step = s.step;
    const bc1 = 1 - b1 ** step, bc2 = 1 - b2 ** step;
    const rhoInf = 2 / (1 - b2) - 1;
    const rhoT = rhoInf - (2 * step * b2 ** step) / bc2;
    const rectified = rhoT > 5;
    const rect = rectified ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
    const P = v.rw(s.param);
    radamKernel(P, v.ro(s.grad), v.rw(s.state[0]!), v.rw(s.state[1]!), P.length, sign, decoupled ? 0 : wd, decay, b1, b2, bc1,
      Math.sqrt(bc2), eps, lr, rectified, rect);
  }
}

function rmspropStep(v: Views, slots: readonly OptimizerSlot[], hp: RMSpropHyperparams): void {
  const { lr, alpha, eps, weightDecay: wd, momentum: mom } = hp, sign = hp.maximize ? -1 : 1;
  for (const s of slots) {
    const P = v.rw(s.param);
    const B = mom > 0 && s.state[1] ? v.rw(s.state[1]) : null;
    const A = hp.centered && s.state[2] ? v.rw(s.state[2]) : null;
    rmspropKernel(P, v.ro(s.grad), v.rw(s.state[0]!), A, B, P.length, sign, wd, lr, alpha, eps, mom);
  }
}

/** `Backend.fusedOptimizerStep` for the CPU backend. */
export function fusedOptimizerStep<K extends OptimizerKind>(b: CpuBackend, kind: K, slots: readonly OptimizerSlot[],
  hp: OptimizerHyperparams[K]): void {
  const v = new Views(b);
  switch (kind) {
    case 'sgd': sgdStep(v, slots, hp as SgdHyperparams); break;
    case 'adam': adamStep(v, slots, hp as AdamHyperparams); break;
    case 'adamax': adamaxStep(v, slots, hp as AdamaxHyperparams); break;
    case 'adadelta': adadeltaStep(v, slots, hp as AdadeltaHyperparams); break;
    case 'adagrad': adagradStep(v, slots, hp as AdagradHyperparams); break;
    case 'nadam': nadamStep(v, slots, hp as NAdamHyperparams); break;
    case 'radam': radamStep(v, slots, hp as RAdamHyperparams); break;
    case 'rmsprop': rmspropStep(v, slots, hp as RMSpropHyperparams); break;
    default: throw new RangeError(`fusedOptimizerStep: unknown optimizer kind '${String(kind)}'`);
  }
  v.flush();
}

// ---------------------------------------------------------------------------------------------------------------
// Clipping

/**
 * p-norm accumulated in float64. `limit` is the largest finite value of the tensor's dtype: PyTorch accumulates a
 * float32 norm in float32, so a sum of powers past FLT_MAX overflows to inf there, and does so here too.
 */
function vectorNorm(a: ArrayLike<number>, p: number, limit: number): number {
  const n = a.length;
  if (p === 2) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = 0;
    for (; i + 3 < n; i += 4) {
      const x0 = a[i]!, x1 = a[i + 1]!, x2 = a[i + 2]!, x3 = a[i + 3]!;
      s0 += x0 * x0; s1 += x1 * x1; s2 += x2 * x2; s3 += x3 * x3;
    }
    for (; i < n; i++) { const x = a[i]!; s0 += x * x; }
    const sum = (s0 + s1) + (s2 + s3);
    return sum > limit ? Infinity : Math.sqrt(sum);
  }
  if (p === 1) {
    let s0 = 0, s1 = 0, i = 0;
    for (; i + 1 < n; i += 2) { s0 += Math.abs(a[i]!); s1 += Math.abs(a[i + 1]!); }
    for (; i < n; i++) s0 += Math.abs(a[i]!);
    return s0 + s1 > limit ? Infinity : s0 + s1;
  }
  if (p === Infinity || p === -Infinity) {
    if (n === 0) {
      if (p === -Infinity) throw new RangeError('linalg.vector_norm cannot compute the -inf norm on an empty tensor because the operation does not have an identity');
      return 0;
    }
    let m = p === Infinity ? 0 : Infinity, nan = false;
    for (let i = 0; i < n; i++) {
      const x = Math.abs(a[i]!);
      if (x !== x) nan = true;
      else if (p === Infinity ? x > m : x < m) m = x;
    }
    return nan ? NaN : m;
  }
  if (p === 0) {
    let c = 0;
    for (let i = 0; i < n; i++) if (a[i] !== 0) c++;
    return c;
  }
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(a[i]!) ** p;
  return s > limit ? Infinity : s ** (1 / p);
}

const FLT_MAX = 3.4028234663852886e38;

function roundTo(dtype: DType, x: number): number { return dtype === 'float32' ? Math.fround(x) : x; }

/** `Backend.foreachNorm` for the CPU backend. */
export function foreachNorm(b: CpuBackend, tensors: readonly TensorRef[], ord: number, outDtype: DType): Storage {
  const v = new Views(b);
  const norms = new Float64Array(tensors.length);
  for (let i = 0; i < tensors.length; i++) {
    const t = tensors[i]!, dt = t.s.dtype;
    norms[i] = roundTo(dt, vectorNorm(v.ro(t), ord, dt === 'float32' ? FLT_MAX : Number.MAX_VALUE));
  }
  const total = roundTo(outDtype, vectorNorm(norms, ord, outDtype === 'float32' ? FLT_MAX : Number.MAX_VALUE));
  return b.fromArray(outDtype, [total]);
}

function scaleKernel(a: TypedArray, n: number, c: number): void {
  for (let i = 0; i < n; i++) a[i] = a[i]! * c;
}

/** `Backend.foreachMul_` for the CPU backend. */
export function foreachMul_(b: CpuBackend, tensors: readonly TensorRef[], scalar: TensorRef): void {
  const v = new Views(b);
  const c = v.ro(scalar)[0]!;
  if (c === 1) return; // multiplying by exactly 1 changes nothing
  for (const t of tensors) {
    const a = v.rw(t);
    scaleKernel(a, a.length, c);
  }
  v.flush();
}
