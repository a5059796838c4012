/**
 * `torch.nn.utils`: gradient clipping (`clipGradNorm_`, `clipGradValue_`, `getTotalNorm`, `clipGradsWithNorm_`)
 * and parameter/vector conversion (`parametersToVector`, `vectorToParameters`), with PyTorch's semantics.
 *
 * Clipping runs as one pass over each gradient's elements to take its norm and, when the gradients are actually
 * scaled, one more pass to scale them in place; nothing is allocated per element.
 *
 * @example
 * import * as torch from 'torchlet';
 * const w = torch.randn([10, 10], { requiresGrad: true });
 * w.mul(100).sum().backward();
 * const total = torch.nn.utils.clipGradNorm_([w], 1.0); // norm before clipping
 * w.grad!.norm().item();                                  // ≈ 1
 */
import { Tensor, bumpVersion } from '../tensor.js';
import { cat, tensor } from '../ops.js';
import { noGrad } from '../autograd/grad_mode.js';
import type { DType, TypedArray } from '../dtype.js';
import { WriteSet, pyFloat, readView } from '../optim/_access.js';

/** A single tensor or any iterable of tensors (arrays, generators, `module.parameters()`). */
export type TensorOrTensors = Tensor | Iterable<Tensor>;

/** Options of `clipGradNorm_`. */
export interface ClipGradNormOptions {
  normType?: number | 'inf';
  errorIfNonfinite?: boolean;
  /** Accepted for PyTorch compatibility; the CPU kernels are always fused. */
  foreach?: boolean | null;
}

function toList(parameters: TensorOrTensors): Tensor[] {
  if (parameters instanceof Tensor) return [parameters];
  if (parameters === null || parameters === undefined || typeof (parameters as any)[Symbol.iterator] !== 'function') {
    throw new TypeError(`expected a Tensor or an iterable of Tensors, but got ${String(parameters)}`);
  }
  return [...parameters];
}

function parseNormType(p: number | string): number {
  if (p === 'inf' || p === 'Infinity') return Infinity;
  if (p === '-inf' || p === '-Infinity') return -Infinity;
  const v = typeof p === 'number' ? p : Number(p);
  if (Number.isNaN(v)) throw new TypeError(`norm_type must be a number or 'inf', got ${String(p)}`);
  return v;
}

/** The p-norm of a flat array of values, computed in double precision (`torch.linalg.vector_norm`). */
/**
 * p-norm accumulated in float64. `limit` is the largest finite value of the tensor's dtype: PyTorch accumulates a
 * float32 norm in float32, so a sum of powers past FLT_MAX overflows to inf there, and does so here too.
 */
function vectorNorm(a: ArrayLike<number>, p: number, limit = Number.MAX_VALUE): number {
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

function resultDtype(ts: readonly Tensor[]): DType {
  return ts.some((t) => t.dtype === 'float64') ? 'float64' : 'float32';
}

/**
 * The norm of the norms of `tensors` (as if all were flattened into one vector): `‖(‖t₁‖ₚ, …, ‖tₙ‖ₚ)‖ₚ`
 * (`torch.nn.utils.get_total_norm`). `normType` is any p (including 0) or `Infinity`/`'inf'`.
 * Returns `tensor(0.)` for no tensors; with `errorIfNonfinite`, throws PyTorch's error on NaN/±inf.
 * @example
 * const grads = params.map((p) => p.grad!).filter((g) => g !== null);
 * const total = torch.nn.utils.getTotalNorm(grads, 2);
 */
export function getTotalNorm(tensors: TensorOrTensors, normType: number | 'inf' | ClipGradNormOptions = 2,
  errorIfNonfinite: boolean | ClipGradNormOptions = false, foreach?: boolean | null): Tensor {
  if (typeof normType === 'object') { errorIfNonfinite = normType.errorIfNonfinite ?? false; normType = normType.normType ?? 2; }
  if (typeof errorIfNonfinite === 'object') errorIfNonfinite = errorIfNonfinite.errorIfNonfinite ?? false;
  void foreach;
  const ts = toList(tensors);
  const p = parseNormType(normType);
  if (ts.length === 0) return tensor(0.0);
  const norms = new Float64Array(ts.length);
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    norms[i] = roundTo(t.dtype, vectorNorm(readView(t), p, t.dtype === 'float32' ? FLT_MAX : Number.MAX_VALUE));
  }
  const dtype = resultDtype(ts);
  const total = roundTo(dtype, vectorNorm(norms, p, dtype === 'float32' ? FLT_MAX : Number.MAX_VALUE));
  if (errorIfNonfinite && !Number.isFinite(total)) {
    throw new Error(`The total norm of order ${pyFloat(p)} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set \`error_if_nonfinite=False\``);
  }
  return tensor(total, { dtype });
}

/** PyTorch's `clamp(max_norm / (total + 1e-6), max=1)`, with float32 rounding where the norm is float32. */
function clipCoef(maxNorm: number, total: number, dtype: DType): number {
  let coef: number;
  if (dtype === 'float32') {
    const denom = Math.fround(Math.fround(total) + Math.fround(1e-6));
    coef = Math.fround(Math.fround(1 / denom) * Math.fround(maxNorm)); // max_norm / t is t.reciprocal() * max_norm
  } else {
    coef = (1 / (total + 1e-6)) * maxNorm;
  }
  return coef > 1 ? 1 : coef; // NaN stays NaN, as torch.clamp keeps it
}

function scaleGrads(grads: readonly Tensor[], coef: number): void {
  if (coef === 1) return; // multiplying by exactly 1 changes nothing
  const w = new WriteSet();
  for (const g of grads) {
    const a: TypedArray = w.rw(g);
    for (let i = 0, n = a.length; i < n; i++) a[i] = a[i]! * coef;
  }
  w.flush();
}

/**
 * Scales the gradients of `parameters` in place by `min(1, maxNorm / (totalNorm + 1e-6))`, given a total norm
 * computed beforehand (`torch.nn.utils.clip_grads_with_norm_`). Parameters without a gradient are skipped.
 * @example
 * const total = torch.nn.utils.getTotalNorm(params.map((p) => p.grad!));
 * torch.nn.utils.clipGradsWithNorm_(params, 1.0, total);
 */
export function clipGradsWithNorm_(parameters: TensorOrTensors, maxNorm: number, totalNorm: Tensor | number,
  foreach?: boolean | null): void {
  void foreach;
  const grads = toList(parameters).map((p) => p.grad).filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return;
  const total = totalNorm instanceof Tensor ? totalNorm.item() : totalNorm;
  const dtype: DType = totalNorm instanceof Tensor ? totalNorm.dtype : 'float64';
  noGrad(() => scaleGrads(grads, clipCoef(Number(maxNorm), total, dtype)));
}

/**
 * Clips the gradient norm of `parameters` (`torch.nn.utils.clip_grad_norm_`). The norm is global: the p-norm of
 * the per-parameter gradient norms, as if all gradients were one vector. Every gradient is multiplied by
 * `min(1, maxNorm / (total + 1e-6))` in place; parameters whose `.grad` is null are skipped. Returns the total norm
 * before clipping, as a tensor. `normType`: any p or `Infinity`/`'inf'` (default 2). With `errorIfNonfinite`,
 * a NaN/±inf total throws PyTorch's error; otherwise the gradients are scaled by the non-finite coefficient.
 * Equivalent to `getTotalNorm` followed by `clipGradsWithNorm_`.
 *
 * @example
 * loss.backward();
 * const norm = torch.nn.utils.clipGradNorm_(model.parameters(), 1.0);           // L2
 * torch.nn.utils.clipGradNorm_(params, 0.5, Infinity);                           // max-abs
 * torch.nn.utils.clipGradNorm_(params, 1.0, { normType: 1, errorIfNonfinite: true });
 * opt.step();
 */
export function clipGradNorm_(parameters: TensorOrTensors, maxNorm: number, normType: number | 'inf' | ClipGradNormOptions = 2,
  errorIfNonfinite: boolean | ClipGradNormOptions = false, foreach?: boolean | null): Tensor {
  let p: number | 'inf' = 2, err = false;
  if (typeof normType === 'object') { p = normType.normType ?? 2; err = normType.errorIfNonfinite ?? false; } else p = normType;
  if (typeof errorIfNonfinite === 'object') err = errorIfNonfinite.errorIfNonfinite ?? err; else err = err || errorIfNonfinite;
  void foreach;
  const params = toList(parameters);
  const grads = params.map((q) => q.grad).filter((g): g is Tensor => g !== null);
  const total = getTotalNorm(grads, p, err);
  if (grads.length > 0) noGrad(() => scaleGrads(grads, clipCoef(Number(maxNorm), total.item(), total.dtype)));
  return total;
}

/**
 * Deprecated alias of `clipGradNorm_` (PyTorch's `clip_grad_norm`); warns once per call with PyTorch's text.
 * @example torch.nn.utils.clipGradNorm(params, 1.0);
 */
export function clipGradNorm(parameters: TensorOrTensors, maxNorm: number, normType: number | 'inf' | ClipGradNormOptions = 2,
  errorIfNonfinite: boolean | ClipGradNormOptions = false, foreach?: boolean | null): Tensor {
  if (typeof process !== 'undefined') process.emitWarning('`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.', 'FutureWarning');
  return clipGradNorm_(parameters, maxNorm, normType, errorIfNonfinite, foreach);
}

/**
 * Clamps every gradient of `parameters` to `[-clipValue, clipValue]` in place (`torch.nn.utils.clip_grad_value_`);
 * parameters without a gradient are skipped.
 * @example
 * torch.nn.utils.clipGradValue_(params, 0.5);
 */
export function clipGradValue_(parameters: TensorOrTensors, clipValue: number, foreach?: boolean | null): void {
  void foreach;
  const v = Number(clipValue);
  const lo = -v;
  const grads = toList(parameters).map((p) => p.grad).filter((g): g is Tensor => g !== null);
  noGrad(() => {
    const w = new WriteSet();
    for (const g of grads) {
      const a = w.rw(g);
      for (let i = 0, n = a.length; i < n; i++) {
        const x = a[i]!;
        // clamp_min then clamp_max, as PyTorch's foreach path does (NaN stays NaN)
        if (x < lo) a[i] = lo;
        if (a[i]! > v) a[i] = v;
      }
    }
    w.flush();
  });
}

function checkParamDevice(params: readonly Tensor[]): void {
  const first = params[0];
  if (first === undefined) return;
  for (const p of params) {
    if (!p.device.equals(first.device)) throw new Error('Found two parameters on different devices, this is currently not supported.');
  }
}

/**
 * Flattens `parameters` into one 1-D tensor (`torch.nn.utils.parameters_to_vector`); differentiable.
 * @example
 * const vec = torch.nn.utils.parametersToVector(params); // numel = Σ p.numel()
 */
export function parametersToVector(parameters: TensorOrTensors): Tensor {
  const ps = toList(parameters);
  checkParamDevice(ps);
  return cat(ps.map((p) => p.view(-1)));
}

/**
 * Copies slices of the 1-D `vec` into `parameters`, in order (`torch.nn.utils.vector_to_parameters`). As PyTorch's
 * `param.data = ...` does, each parameter then shares memory with its slice of `vec` (when dtypes agree).
 * @example
 * torch.nn.utils.vectorToParameters(vec.mul(0.5), params);
 */
export function vectorToParameters(vec: Tensor, parameters: TensorOrTensors): void {
  if (!(vec instanceof Tensor)) throw new TypeError(`expected torch.Tensor, but got: ${(vec as any)?.constructor?.name ?? typeof vec}`);
  const ps = toList(parameters);
  checkParamDevice(ps);
  let pointer = 0;
  noGrad(() => {
    const flat = vec.detach();
    for (const param of ps) {
      const n = param.numel();
      const piece = flat.slice(0, pointer, pointer + n).view(param.shape as number[]);
      if (piece.dtype === param.dtype && piece.device.equals(param.device)) {
        param._s = piece._s;
        param._strides = [...piece._strides];
        param._offset = piece._offset;
        bumpVersion(param);
      } else {
        param.copy_(piece);
      }
      pointer += n;
    }
  });
}
