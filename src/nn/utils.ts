/**
 * `torch.nn.utils`: gradient clipping (`clipGradNorm_`, `clipGradValue_`, `getTotalNorm`, `clipGradsWithNorm_`)
 * and parameter/vector conversion (`parametersToVector`, `vectorToParameters`), with PyTorch's semantics.
 *
 * Clipping runs on the gradients' device and never reads a value back to the host (only `errorIfNonfinite` reads
 * the total norm, as PyTorch does): the backend's `foreachNorm`/`foreachMul_` kernels when it has them (one pass
 * over each gradient to take its norm, one to scale it), Tensor ops otherwise; the clip coefficient stays a 0-dim
 * tensor, as in PyTorch's `clip_grads_with_norm_`.
 *
 * @example
 * import * as torch from 'torchlet';
 * const w = torch.randn([10, 10], { requiresGrad: true });
 * w.mul(100).sum().backward();
 * const total = torch.nn.utils.clipGradNorm_([w], 1.0); // norm before clipping
 * w.grad!.norm().item();                                  // ≈ 1
 */
import { Tensor, bumpVersion, fromStorage, rebindStorage } from '../tensor.js';
import { cat, fullLike, release, stack, tensor } from '../ops.js';
import { noGrad } from '../autograd/grad_mode.js';
import type { DType } from '../dtype.js';
import type { Backend, TensorRef } from '../backend/types.js';
import { pyFloat } from '../optim/_access.js';
import { checkOptions } from '../_options.js';

/** A single tensor or any iterable of tensors (arrays, generators, `module.parameters()`). */
export type TensorOrTensors = Tensor | Iterable<Tensor>;

/** Options of `clipGradNorm_`. */
export interface ClipGradNormOptions {
  normType?: number | 'inf';
  errorIfNonfinite?: boolean;
  /** Accepted for PyTorch compatibility; the backend's multi-tensor kernels are used whenever it has them. */
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

function ref(t: Tensor): TensorRef { return { s: t._s, l: t.layout }; }

/** The backend all of `ts` live on, or null when they are spread over several. */
function commonBackend(ts: readonly Tensor[]): Backend | null {
  const b = ts[0]!._backend;
  for (const t of ts) if (t._backend !== b) return null;
  return b;
}

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
/** The keys of `ClipGradNormOptions` (an unknown one is an error, with a did-you-mean hint). */
const CLIP_KEYS = ['normType', 'errorIfNonfinite', 'foreach'];

export function getTotalNorm(tensors: TensorOrTensors, normType: number | 'inf' | ClipGradNormOptions = 2,
  errorIfNonfinite: boolean | ClipGradNormOptions = false, foreach?: boolean | null): Tensor {
  if (typeof normType === 'object') { checkOptions('get_total_norm', normType, CLIP_KEYS); errorIfNonfinite = normType.errorIfNonfinite ?? false; normType = normType.normType ?? 2; }
  if (typeof errorIfNonfinite === 'object') { checkOptions('get_total_norm', errorIfNonfinite, CLIP_KEYS); errorIfNonfinite = errorIfNonfinite.errorIfNonfinite ?? false; }
  void foreach;
  const ts = toList(tensors);
  const p = parseNormType(normType);
  if (ts.length === 0) return tensor(0.0);
  const dtype = resultDtype(ts);
  const b = commonBackend(ts);
  let total: Tensor;
  if (b !== null && b.foreachNorm !== undefined) {
    total = fromStorage(b.foreachNorm(ts.map(ref), p, dtype), [], b, ts[0]!.device);
  } else {
    // PyTorch's get_total_norm: the norm of the stacked per-tensor norms (each in its tensor's dtype)
    total = noGrad(() => {
      const norms = ts.map((t) => { const n = t.norm(p); return n.dtype === dtype ? n : n.to(dtype); });
      const st = stack(norms);
      const r = st.norm(p);
      release(st);
      for (const n of norms) release(n);
      return r;
    });
  }
  if (errorIfNonfinite && !Number.isFinite(total.item())) { // the one read PyTorch makes too
    throw new Error(`The total norm of order ${pyFloat(p)} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set \`error_if_nonfinite=False\``);
  }
  return total;
}

/**
 * PyTorch's `clip_coef = max_norm / (total_norm + 1e-6)` clamped to at most 1, computed on the norm's device in its
 * dtype (the scalars are rounded to it, as PyTorch's kernels take them; `max_norm / t` is `t.reciprocal() * max_norm`).
 * NaN stays NaN, as `torch.clamp` keeps it. Nothing is read back to the host.
 */
function clipCoef(maxNorm: number, total: Tensor): Tensor {
  const eps = fullLike(total, 1e-6), mx = fullLike(total, maxNorm), one = fullLike(total, 1);
  const denom = total.add(eps), inv = denom.reciprocal(), coef = inv.mul(mx);
  // torch.minimum propagates NaN as clamp(max=1) keeps it, in one kernel instead of clamp's compare + where
  const clamped = coef.minimum(one);
  for (const t of [eps, mx, one, denom, inv, coef]) release(t);
  return clamped;
}

/** `g *= coef` for every gradient: the backend's `foreachMul_` when it has one, else one in-place `mul_` each. */
function scaleGrads(grads: readonly Tensor[], coef: Tensor): void {
  const b = commonBackend(grads);
  if (b !== null && b === coef._backend && b.foreachMul_ !== undefined) {
    b.foreachMul_(grads.map(ref), ref(coef));
    for (const g of grads) bumpVersion(g);
  } else {
    for (const g of grads) g.mul_(coef);
  }
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
  const grads = toList(parameters).map((p) => p._grad).filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return;
  noGrad(() => {
    const total = totalNorm instanceof Tensor ? totalNorm : tensor(totalNorm, { dtype: 'float64', device: grads[0]!.device });
    const coef = clipCoef(Number(maxNorm), total);
    scaleGrads(grads, coef);
    release(coef);
  });
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
  if (typeof normType === 'object') { checkOptions('clip_grad_norm_', normType, CLIP_KEYS); p = normType.normType ?? 2; err = normType.errorIfNonfinite ?? false; } else p = normType;
  if (typeof errorIfNonfinite === 'object') { checkOptions('clip_grad_norm_', errorIfNonfinite, CLIP_KEYS); err = errorIfNonfinite.errorIfNonfinite ?? err; } else err = err || errorIfNonfinite;
  void foreach;
  const params = toList(parameters);
  const grads = params.map((q) => q._grad).filter((g): g is Tensor => g !== null);
  const total = getTotalNorm(grads, p, err);
  if (grads.length > 0) {
    noGrad(() => {
      const coef = clipCoef(Number(maxNorm), total);
      scaleGrads(grads, coef);
      release(coef);
    });
  }
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
  const grads = toList(parameters).map((p) => p._grad).filter((g): g is Tensor => g !== null);
  // clamp_min then clamp_max, as PyTorch's foreach path does (NaN stays NaN); in place on each gradient's device
  noGrad(() => { for (const g of grads) g.clamp_(-v, v); });
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
 * assignment to each parameter's data does, each parameter then shares memory with its slice of `vec` (when dtype
 * and device agree; otherwise the slice is copied in with `copy_`).
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
        rebindStorage(param, piece);
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

/** `torch.nn.utils.rnn`: `PackedSequence`, `padSequence`, `packPaddedSequence`, `padPackedSequence`, `packSequence`, ... */
export * as rnn from './utils/rnn.js';
