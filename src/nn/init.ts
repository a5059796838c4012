/**
 * `torch.nn.init`: in-place initialisers with PyTorch's formulas (fans, gains, bounds). Every function runs
 * without recording autograd history and returns the tensor it filled. Random draws come from torchlet's
 * generator (`torch.manualSeed`), so the values differ from PyTorch's for the same seed while the distributions
 * are the same.
 * @example
 * import * as torch from 'torchlet';
 * const w = torch.empty([64, 32]);
 * torch.nn.init.kaimingUniform_(w, { a: Math.sqrt(5) });
 */
import type { Tensor } from '../tensor.js';
import { noGrad } from '../autograd/grad_mode.js';
import { tensor as makeTensor } from '../ops.js';
import type { Generator } from '../random.js';
import { defaultGenerator } from '../random.js';
import { isOptions } from './_args.js';
import { checkOptions } from '../_options.js';

/*
 * Device: every initialiser writes on the tensor's own device. The ones built on Tensor-level fills (`uniform_`,
 * `normal_`, `fill_`, and the xavier/kaiming families that call them) run wherever the tensor lives; the three that
 * compute their values on the host (truncNormal_, eye_, orthogonal_: inverse-CDF sampling and a QR factorisation)
 * upload them to the tensor's device in one transfer. On the meta device they are no-ops, so a model built with
 * `{ device: 'meta' }` costs no time or memory to initialise.
 */


export type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d'
  | 'convTranspose1d' | 'convTranspose2d' | 'convTranspose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'leakyRelu' | 'selu';

/**
 * The recommended gain for a nonlinearity: 1 for linear/conv/sigmoid, 5/3 for tanh, √2 for relu,
 * √(2/(1+slope²)) for leaky_relu (slope defaults to 0.01), 3/4 for selu.
 * @example torch.nn.init.calculateGain('leaky_relu', 0.2) // 1.3867504905630728
 */
export function calculateGain(nonlinearity: Nonlinearity | string, param: number | null = null): number {
  const linearFns = ['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d',
    'convTranspose1d', 'convTranspose2d', 'convTranspose3d'];
  if (linearFns.includes(nonlinearity) || nonlinearity === 'sigmoid') return 1;
  if (nonlinearity === 'tanh') return 5.0 / 3;
  if (nonlinearity === 'relu') return Math.sqrt(2.0);
  if (nonlinearity === 'leaky_relu' || nonlinearity === 'leakyRelu') {
    let slope = 0.01;
    if (param !== null && param !== undefined) {
      if (typeof param !== 'number' || Number.isNaN(param)) throw new TypeError(`negative_slope ${param} not a valid number`);
      slope = param;
    }
    return Math.sqrt(2.0 / (1 + slope ** 2));
  }
  if (nonlinearity === 'selu') return 3.0 / 4;
  throw new Error(`Unsupported nonlinearity ${nonlinearity}`);
}

/**
 * `[fanIn, fanOut]` of a weight: size(1)·receptive field and size(0)·receptive field.
 * @example torch.nn.init.calculateFanInAndFanOut(torch.empty([16, 3, 5, 5])) // [75, 400]
 */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  const d = t.dim();
  if (d < 2) throw new Error('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  const numInputFmaps = t.shape[1]!, numOutputFmaps = t.shape[0]!;
  let receptive = 1;
  for (let i = 2; i < d; i++) receptive *= t.shape[i]!;
  return [numInputFmaps * receptive, numOutputFmaps * receptive];
}

function calculateCorrectFan(t: Tensor, mode: 'fan_in' | 'fan_out' | 'fanIn' | 'fanOut'): number {
  const m = mode === 'fanIn' ? 'fan_in' : mode === 'fanOut' ? 'fan_out' : mode;
  if (m !== 'fan_in' && m !== 'fan_out') throw new Error(`Mode ${mode} not supported, please use one of fan_in, fan_out`);
  const [fi, fo] = calculateFanInAndFanOut(t);
  return m === 'fan_in' ? fi : fo;
}

/**
 * Fills with U(a, b).
 * @example torch.nn.init.uniform_(torch.empty([3, 5]), -0.1, 0.1)
 */
export function uniform_(t: Tensor, a: number | { a?: number; b?: number; generator?: Generator } = 0, b = 1, generator?: Generator): Tensor {
  if (isOptions(a)) { checkOptions('uniform_', a, ['a', 'b', 'generator']); b = a.b ?? 1; generator = a.generator; a = a.a ?? 0; }
  const lo = a as number;
  return noGrad(() => t.uniform_(lo, b, generator ?? defaultGenerator));
}

/**
 * Fills with N(mean, std²).
 * @example torch.nn.init.normal_(torch.empty([3, 5]), 0, 0.02)
 */
export function normal_(t: Tensor, mean: number | { mean?: number; std?: number; generator?: Generator } = 0, std = 1, generator?: Generator): Tensor {
  if (isOptions(mean)) { checkOptions('normal_', mean, ['generator', 'mean', 'std']); std = mean.std ?? 1; generator = mean.generator; mean = mean.mean ?? 0; }
  const m = mean as number;
  return noGrad(() => t.normal_(m, std, generator ?? defaultGenerator));
}

/**
 * Fills with N(mean, std²) truncated to [a, b] (inverse-CDF sampling, as PyTorch).
 * @example torch.nn.init.truncNormal_(torch.empty([3, 5]), 0, 1, -2, 2)
 */
export function truncNormal_(t: Tensor, mean: number | { mean?: number; std?: number; a?: number; b?: number; generator?: Generator } = 0,
  std = 1, a = -2, b = 2, generator?: Generator): Tensor {
  if (t.isMeta) return t; // no values to draw on meta
  if (isOptions(mean)) { checkOptions('trunc_normal_', mean, ['a', 'b', 'generator', 'mean', 'std']); std = mean.std ?? 1; a = mean.a ?? -2; b = mean.b ?? 2; generator = mean.generator; mean = mean.mean ?? 0; }
  const m = mean as number;
  const g = generator ?? defaultGenerator;
  const normCdf = (x: number) => (1 + erf(x / Math.SQRT2)) / 2;
  const l = normCdf((a - m) / std), u = normCdf((b - m) / std);
  const n = t.numel();
  const vals = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = 2 * (l + (u - l) * g.random()) - 1;
    let v = erfinv(p) * std * Math.SQRT2 + m;
    v = Math.min(Math.max(v, a), b);
    vals[i] = v;
  }
  return noGrad(() => t.copy_(makeTensor(vals, { dtype: 'float64', device: t.device }).reshape(t.shape)));
}

/**
 * Fills with `val`.
 * @example torch.nn.init.constant_(torch.empty([3]), 0.5)
 */
export function constant_(t: Tensor, val: number): Tensor { return noGrad(() => t.fill_(val)); }
/** Fills with 1. @example torch.nn.init.ones_(torch.empty([3])) */
export function ones_(t: Tensor): Tensor { return constant_(t, 1); }
/** Fills with 0. @example torch.nn.init.zeros_(torch.empty([3])) */
export function zeros_(t: Tensor): Tensor { return constant_(t, 0); }

/**
 * Fills a 2-D tensor with the identity matrix.
 * @example torch.nn.init.eye_(torch.empty([3, 5]))
 */
export function eye_(t: Tensor): Tensor {
  if (t.isMeta) return t; // no values to draw on meta
  if (t.dim() !== 2) throw new Error('Only tensors with 2 dimensions are supported');
  const [r, c] = t.shape as [number, number];
  const vals = new Float64Array(r * c);
  for (let i = 0; i < Math.min(r, c); i++) vals[i * c + i] = 1;
  return noGrad(() => t.copy_(makeTensor(vals, { dtype: 'float64', device: t.device }).reshape([r, c])));
}

/**
 * Xavier/Glorot uniform: U(−a, a) with a = gain·√(6/(fan_in + fan_out)).
 * @example torch.nn.init.xavierUniform_(torch.empty([3, 5]), torch.nn.init.calculateGain('relu'))
 */
export function xavierUniform_(t: Tensor, gain: number | { gain?: number; generator?: Generator } = 1, generator?: Generator): Tensor {
  if (isOptions(gain)) { checkOptions('xavier_uniform_', gain, ['gain', 'generator']); generator = gain.generator; gain = gain.gain ?? 1; }
  const [fi, fo] = calculateFanInAndFanOut(t);
  const std = (gain as number) * Math.sqrt(2.0 / (fi + fo));
  const a = Math.sqrt(3.0) * std;
  return uniform_(t, -a, a, generator);
}

/**
 * Xavier/Glorot normal: N(0, std²) with std = gain·√(2/(fan_in + fan_out)).
 * @example torch.nn.init.xavierNormal_(torch.empty([3, 5]))
 */
export function xavierNormal_(t: Tensor, gain: number | { gain?: number; generator?: Generator } = 1, generator?: Generator): Tensor {
  if (isOptions(gain)) { checkOptions('xavier_normal_', gain, ['gain', 'generator']); generator = gain.generator; gain = gain.gain ?? 1; }
  const [fi, fo] = calculateFanInAndFanOut(t);
  const std = (gain as number) * Math.sqrt(2.0 / (fi + fo));
  return normal_(t, 0, std, generator);
}

type FanMode = 'fan_in' | 'fan_out' | 'fanIn' | 'fanOut';
interface KaimingOpts { a?: number; mode?: FanMode; nonlinearity?: Nonlinearity; generator?: Generator }

/**
 * Kaiming/He uniform: U(−bound, bound), bound = gain·√(3/fan), gain = calculateGain(nonlinearity, a).
 * Defaults: a = 0, mode 'fan_in', nonlinearity 'leaky_relu'. `Linear` and `Conv` use a = √5.
 * @example torch.nn.init.kaimingUniform_(torch.empty([3, 5]), { mode: 'fan_in', nonlinearity: 'relu' })
 */
export function kaimingUniform_(t: Tensor, a: number | KaimingOpts = 0, mode: FanMode = 'fan_in', nonlinearity: Nonlinearity = 'leaky_relu', generator?: Generator): Tensor {
  if (isOptions(a)) { checkOptions('kaiming_uniform_', a, ['a', 'generator', 'mode', 'nonlinearity']); mode = a.mode ?? 'fan_in'; nonlinearity = a.nonlinearity ?? 'leaky_relu'; generator = a.generator; a = a.a ?? 0; }
  if (t.shape.includes(0)) return t; // "Initializing zero-element tensors is a no-op"
  const fan = calculateCorrectFan(t, mode);
  const gain = calculateGain(nonlinearity, a as number);
  const bound = Math.sqrt(3.0) * (gain / Math.sqrt(fan));
  return uniform_(t, -bound, bound, generator);
}

/**
 * Kaiming/He normal: N(0, std²), std = gain/√fan.
 * @example torch.nn.init.kaimingNormal_(torch.empty([3, 5]), { mode: 'fan_out', nonlinearity: 'relu' })
 */
export function kaimingNormal_(t: Tensor, a: number | KaimingOpts = 0, mode: FanMode = 'fan_in', nonlinearity: Nonlinearity = 'leaky_relu', generator?: Generator): Tensor {
  if (isOptions(a)) { checkOptions('kaiming_normal_', a, ['a', 'generator', 'mode', 'nonlinearity']); mode = a.mode ?? 'fan_in'; nonlinearity = a.nonlinearity ?? 'leaky_relu'; generator = a.generator; a = a.a ?? 0; }
  if (t.shape.includes(0)) return t;
  const fan = calculateCorrectFan(t, mode);
  const gain = calculateGain(nonlinearity, a as number);
  return normal_(t, 0, gain / Math.sqrt(fan), generator);
}

/**
 * (Semi-)orthogonal matrix from the QR decomposition of a normal matrix, with the sign fix that makes it
 * uniformly distributed; tensors with more than 2 dims are flattened after the first.
 * @example const w = torch.nn.init.orthogonal_(torch.empty([4, 6])); // w @ w.T ≈ I
 */
export function orthogonal_(t: Tensor, gain: number | { gain?: number; generator?: Generator } = 1, generator?: Generator): Tensor {
  if (t.isMeta) return t; // no values to draw on meta
  if (isOptions(gain)) { checkOptions('orthogonal_', gain, ['gain', 'generator']); generator = gain.generator; gain = gain.gain ?? 1; }
  if (t.dim() < 2) throw new Error('Only tensors with 2 or more dimensions are supported');
  if (t.numel() === 0) return t;
  const g = generator ?? defaultGenerator;
  const rows = t.shape[0]!, cols = t.numel() / rows;
  // A is m x n with m >= n (transpose when rows < cols)
  const tr = rows < cols;
  const m = tr ? cols : rows, n = tr ? rows : cols;
  const A = new Float64Array(m * n); // row-major m x n
  const flat = new Float64Array(rows * cols);
  for (let i = 0; i < flat.length; i++) flat[i] = g.normal();
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
    if (tr) A[j * n + i] = flat[i * cols + j]!; else A[i * n + j] = flat[i * cols + j]!;
  }
  // modified Gram-Schmidt: Q (m x n) with R's diagonal positive; PyTorch's sign fix q *= sign(diag(r)) gives the same Q
  const Q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < m; i++) Q[i * n + j] = A[i * n + j]!;
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < m; i++) dot += Q[i * n + k]! * Q[i * n + j]!;
      for (let i = 0; i < m; i++) Q[i * n + j] = Q[i * n + j]! - dot * Q[i * n + k]!;
    }
    let nrm = 0;
    for (let i = 0; i < m; i++) nrm += Q[i * n + j]! ** 2;
    nrm = Math.sqrt(nrm);
    for (let i = 0; i < m; i++) Q[i * n + j] = Q[i * n + j]! / nrm;
  }
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
    out[i * cols + j] = (gain as number) * (tr ? Q[j * n + i]! : Q[i * n + j]!);
  }
  return noGrad(() => t.copy_(makeTensor(out, { dtype: 'float64', device: t.device }).reshape(t.shape)));
}

function erf(x: number): number {
  // Abramowitz-Stegun 7.1.26 is too coarse for inverse sampling; use the series/continued fraction via erfc.
  const ax = Math.abs(x);
  let r: number;
  if (ax < 3) {
    let term = ax, sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 200; n++) { term *= (2 * x2) / (2 * n + 1); sum += term; if (term < sum * 1e-17) break; }
    r = 1.1283791670955126 * Math.exp(-x2) * sum;
  } else r = 1;
  return x < 0 ? -r : r;
}

function erfinv(y: number): number {
  if (y <= -1) return -Infinity;
  if (y >= 1) return Infinity;
  // Giles' approximation refined by Newton steps
  let w = -Math.log((1 - y) * (1 + y)), x: number;
  if (w < 5) {
    w -= 2.5;
    let p = 2.81022636e-08;
    for (const c of [3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941]) p = c + p * w;
    x = p * y;
  } else {
    w = Math.sqrt(w) - 3;
    let p = -0.000200214257;
    for (const c of [0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682]) p = c + p * w;
    x = p * y;
  }
  for (let i = 0; i < 2; i++) x -= (erf(x) - y) / (1.1283791670955126 * Math.exp(-x * x));
  return x;
}
