/**
 * Reductions: sum, mean, prod, amax/amin, max/min with indices, argmax/argmin, all/any, var/std, norm,
 * logsumexp, softmax/logSoftmax and cumsum, with the argument parsing they share (`(dim?, keepdim?, opts?)`) and
 * `expandReduced`, which their backward rules use.
 */
import type { ReduceOp } from '../backend/types.js';
import type { DType } from '../dtype.js';
import { getDefaultDtype, isFloating } from '../dtype.js';
import { noGrad } from '../autograd/grad_mode.js';
import { softmaxForward } from '../nn/_kernels.js';
import { Tensor } from '../tensor.js';
import { normDim, normDims } from '../shape.js';
import { installTensorMethods } from './registry.js';
import { checkOptions } from '../_options.js';
import { checkDType, checkOptDType, typeName } from './args.js';
import { isPlainObject, newTensor, torchTypeName } from './common.js';
import { record, needsGrad } from './autograd.js';
import { unary, where } from './elementwise.js';
import { zeros, zerosLike } from './creation.js';

export function reduceAxes(x: Tensor, dim: number | readonly number[] | null | undefined): number[] {
  return normDims(dim, x.dim());
}

export function reducedShape(shape: readonly number[], axes: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (axes.includes(d)) { if (keepdim) out.push(1); } else out.push(shape[d]!);
  }
  return out;
}

/** Views a reduced tensor (keepdim or not) as the keepdim shape and expands it to `shape`. */
export function expandReduced(g: Tensor, shape: readonly number[], axes: readonly number[], keepdim: boolean): Tensor {
  const kd = shape.map((s, d) => (axes.includes(d) ? 1 : s));
  let t = g;
  if (!keepdim) t = t.reshape(kd);
  return t.expand(shape);
}

export function reduceRaw(op: ReduceOp, x: Tensor, axes: number[], keepdim: boolean, outDtype: DType): Tensor {
  const s = x._backend.reduce(op, x._s, x.layout, axes, outDtype);
  return newTensor(s, reducedShape(x._shape, axes, keepdim), x);
}

export type DimArg = number | readonly number[] | null | undefined;

export interface ReduceOpts { dim?: DimArg; keepdim?: boolean; dtype?: DType }

/** Parses (dim?, keepdim?, opts?) in PyTorch's positional order or as one trailing options object. */
export function parseReduce(a?: DimArg | ReduceOpts, b?: boolean | ReduceOpts, c?: ReduceOpts, fn = 'sum'): Required<Pick<ReduceOpts, 'keepdim'>> & ReduceOpts {
  let dim: DimArg = undefined, keepdim = false, dtype: DType | undefined;
  const apply = (o: ReduceOpts) => { checkOptions(fn, o, ['dim', 'keepdim', 'dtype']); if (o.dtype !== undefined) checkDType(fn, o.dtype); if (o.dim !== undefined) dim = o.dim; if (o.keepdim !== undefined) keepdim = o.keepdim; if (o.dtype !== undefined) dtype = o.dtype; };
  if (isPlainObject(a)) apply(a as ReduceOpts); else dim = a as DimArg;
  if (isPlainObject(b)) apply(b as ReduceOpts); else if (b !== undefined) keepdim = b as boolean;
  if (c !== undefined) apply(c);
  if (typeof keepdim !== 'boolean') throw new TypeError(`${fn}(): argument 'keepdim' must be bool, not ${typeName(keepdim)}`);
  return { dim, keepdim, dtype };
}

export type ValuesIndices = [Tensor, Tensor] & { values: Tensor; indices: Tensor };

export function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  return Object.assign([values, indices] as [Tensor, Tensor], { values, indices });
}

export function softmaxImpl(x: Tensor, dimArg: number | { dim: number; dtype?: DType }, dtype: DType | undefined, log: boolean): Tensor {
  let dim = dimArg as number;
  if (isPlainObject(dimArg)) { checkOptions(log ? 'log_softmax' : 'softmax', dimArg, ['dim', 'dtype']); dim = dimArg.dim; dtype = dimArg.dtype; }
  if (dim === undefined || dim === null) throw new TypeError(`${log ? 'log_softmax' : 'softmax'}() missing required argument 'dim'`);
  let input = x;
  if (dtype !== undefined) input = x.to(dtype);
  if (!isFloating(input.dtype)) throw new TypeError(`"${log ? 'log_softmax' : 'softmax'}_lastdim_kernel_impl" not implemented for '${torchTypeName(input.dtype)}'`);
  const d = normDim(dim, input.dim());
  // the backend's softmax kernel when it has one, else the max-shifted composite (nn/_kernels.ts)
  const out = softmaxForward(input, d, log);
  return needsGrad(input) ? record(log ? 'logSoftmax' : 'softmax', out, [input], [out], { dim: d }) : out;
}

/** Gradient of the p-norm (0 where the norm is 0, as PyTorch). */
export function normBackward(g: Tensor, x: Tensor, out: Tensor, ctx: any): Tensor {
  const p = ctx.p as number;
  const gE = expandReduced(g, ctx.shape, ctx.axes, ctx.keepdim);
  const nE = expandReduced(out, ctx.shape, ctx.axes, ctx.keepdim);
  if (p === 0) return zerosLike(x);
  if (p === 1) return gE.mul(x.sign());
  if (p === Infinity || p === -Infinity) {
    const mask = x.abs().eq(nE);
    const count = mask.sum(ctx.axes, true);
    return where(mask, gE.mul(x.sign()).div(count), 0);
  }
  if (p === 2) return where(nE.eq(0), 0, gE.mul(x).div(nE));
  // g * x * |x|^(p-2) / norm^(p-1)
  return where(nE.eq(0), 0, gE.mul(x).mul(x.abs().pow(p - 2)).div(nE.pow(p - 1)));
}

/** The reduction methods of `Tensor` (installed on `Tensor.prototype`; typed through `interface Tensor`). */
export class ReductionOps {
  /**
   * Sum over `dim` (all dims when omitted); integers and bools sum to int64.
   * @example torch.ones([2, 3]).sum(1) // tensor([3., 3.])
   */
  sum(this: Tensor, dim?: DimArg | ReduceOpts, keepdim?: boolean | ReduceOpts, opts?: ReduceOpts): Tensor {
    const p = parseReduce(dim, keepdim, opts);
    const axes = reduceAxes(this, p.dim);
    const dt = p.dtype ?? (isFloating(this.dtype) ? this.dtype : 'int64');
    const out = reduceRaw('sum', this, axes, p.keepdim, dt);
    if (!needsGrad(this)) return out;
    return record('sum', out, [this], [], { shape: this._shape, axes, keepdim: p.keepdim });
  }
  /**
   * Mean over `dim`; floating dtypes only, as PyTorch.
   * @example torch.tensor([1, 2, 3, 4]).mean() // tensor(2.5000)
   */
  mean(this: Tensor, dim?: DimArg | ReduceOpts, keepdim?: boolean | ReduceOpts, opts?: ReduceOpts): Tensor {
    const p = parseReduce(dim, keepdim, opts, 'mean');
    const dt = p.dtype ?? this.dtype;
    if (!isFloating(dt)) {
      throw new TypeError(`mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${torchTypeName(this.dtype)}`);
    }
    const axes = reduceAxes(this, p.dim);
    let n = 1;
    for (const a of axes) n *= this._shape[a]!;
    const x = this.dtype === dt ? this : this.to(dt);
    return x.sum(axes, p.keepdim).div(n);
  }
  /** Product over `dim`. */
  prod(this: Tensor, dim?: number | { dim?: number; keepdim?: boolean; dtype?: DType }, keepdim?: boolean | ReduceOpts, opts?: ReduceOpts): Tensor {
    const p = parseReduce(dim as DimArg, keepdim, opts, 'prod');
    const axes = reduceAxes(this, p.dim);
    const dt = p.dtype ?? (isFloating(this.dtype) ? this.dtype : 'int64');
    const out = reduceRaw('prod', this, axes, p.keepdim, dt);
    if (!needsGrad(this)) return out;
    return record('prod', out, [this], [this, out], { shape: this._shape, axes, keepdim: p.keepdim });
  }
  /** Maximum over dims (gradient split evenly between ties). @example torch.tensor([[1, 5], [7, 2]]).amax(0) // tensor([7., 5.]) */
  amax(this: Tensor, dim?: DimArg | ReduceOpts, keepdim?: boolean | ReduceOpts): Tensor { return this._extreme('max', dim, keepdim); }
  /** Minimum over dims. */
  amin(this: Tensor, dim?: DimArg | ReduceOpts, keepdim?: boolean | ReduceOpts): Tensor { return this._extreme('min', dim, keepdim); }
  /** @internal */
  _extreme(this: Tensor, op: 'max' | 'min', dim?: DimArg | ReduceOpts, keepdim?: boolean | ReduceOpts): Tensor {
    const p = parseReduce(dim, keepdim, undefined, op === 'max' ? 'amax' : 'amin');
    const axes = reduceAxes(this, p.dim);
    for (const a of axes) {
      if (this._shape[a] === 0) throw new RangeError(`${op}(): Expected reduction dim ${a} to have non-zero size.`);
    }
    if (this.numel() === 0 && this.dim() === 0) throw new RangeError(`${op}(): Expected reduction dim to be specified for input.numel() == 0.`);
    const out = reduceRaw(op, this, axes, p.keepdim, this.dtype);
    if (!needsGrad(this)) return out;
    return record(op === 'max' ? 'amax' : 'amin', out, [this], [this, out], { shape: this._shape, axes, keepdim: p.keepdim });
  }
  /**
   * Without `dim`: the maximum element. With `dim`: `[values, indices]` (also `.values`, `.indices`).
   * With a tensor: elementwise `maximum`.
   * @example const { values, indices } = torch.tensor([[1, 5], [7, 2]]).max(1);
   */
  max(this: Tensor, dim?: number | Tensor | { dim?: number; keepdim?: boolean }, keepdim?: boolean | { keepdim?: boolean }): any {
    return this._maxmin('max', dim, keepdim);
  }
  /** Like `max`, for the minimum. */
  min(this: Tensor, dim?: number | Tensor | { dim?: number; keepdim?: boolean }, keepdim?: boolean | { keepdim?: boolean }): any {
    return this._maxmin('min', dim, keepdim);
  }
  /** @internal */
  _maxmin(this: Tensor, op: 'max' | 'min', dim?: number | Tensor | { dim?: number; keepdim?: boolean }, keepdim?: boolean | { keepdim?: boolean }): any {
    if (dim instanceof Tensor) return op === 'max' ? this.maximum(dim) : this.minimum(dim);
    const p = parseReduce(dim as DimArg, keepdim as boolean, undefined, op);
    if (p.dim === undefined || p.dim === null) {
      if (this.numel() === 0) throw new RangeError(`${op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`);
      return this._extreme(op, null, false);
    }
    if (typeof p.dim !== 'number') throw new TypeError(`${op}(): dim must be a single integer`);
    const d = normDim(p.dim, this.dim());
    if (this.dim() > 0 && this._shape[d] === 0) throw new RangeError(`${op}(): Expected reduction dim ${d} to have non-zero size.`);
    const indices = this.argmax === undefined ? null : (op === 'max' ? this.argmax(d, true) : this.argmin(d, true));
    const values = this.dim() === 0 ? this.clone() : this.gather(d, indices!);
    if (p.keepdim || this.dim() === 0) return valuesIndices(values, this.dim() === 0 ? indices!.reshape([]) : indices!);
    return valuesIndices(values.squeeze(d), indices!.squeeze(d));
  }
  /** Index of the maximum (over the flattened tensor when `dim` is omitted). */
  argmax(this: Tensor, dim?: number | null | { dim?: number | null; keepdim?: boolean }, keepdim?: boolean): Tensor { return this._arg('argmax', dim, keepdim); }
  /** Index of the minimum. */
  argmin(this: Tensor, dim?: number | null | { dim?: number | null; keepdim?: boolean }, keepdim?: boolean): Tensor { return this._arg('argmin', dim, keepdim); }
  /** @internal */
  _arg(this: Tensor, op: 'argmax' | 'argmin', dim?: number | null | { dim?: number | null; keepdim?: boolean }, keepdim?: boolean): Tensor {
    const p = parseReduce(dim as DimArg, keepdim, undefined, op);
    if (p.dim === undefined || p.dim === null) {
      if (this.numel() === 0) throw new RangeError(`${op}(): Expected reduction dim to be specified for input.numel() == 0.`);
      const flat = this.reshape([-1]);
      const r = newTensor(this._backend.argReduce(op, flat._s, flat.layout, 0), [1], this);
      return p.keepdim ? r.reshape(this._shape.map(() => 1)) : r.reshape([]);
    }
    const d = normDim(p.dim as number, this.dim());
    if (this.dim() === 0) return zeros([], { dtype: 'int64', device: this.device });
    if (this._shape[d] === 0) throw new RangeError(`${op}(): Expected reduction dim ${d} to have non-zero size.`);
    const r = newTensor(this._backend.argReduce(op, this._s, this.layout, d), this._shape.map((s, i) => (i === d ? 1 : s)), this);
    return p.keepdim ? r : r.squeeze(d);
  }
  /** True if all elements are non-zero. */
  all(this: Tensor, dim?: DimArg | ReduceOpts, keepdim?: boolean): Tensor {
    const p = parseReduce(dim, keepdim, undefined, 'all');
    return reduceRaw('all', this, reduceAxes(this, p.dim), p.keepdim, 'bool');
  }
  /** True if any element is non-zero. */
  any(this: Tensor, dim?: DimArg | ReduceOpts, keepdim?: boolean): Tensor {
    const p = parseReduce(dim, keepdim, undefined, 'any');
    return reduceRaw('any', this, reduceAxes(this, p.dim), p.keepdim, 'bool');
  }
  /**
   * Variance with Bessel's correction by default: Σ(x − x̄)² / (N − correction), correction = 1 (`unbiased`).
   * @example torch.tensor([1, 2, 3, 4]).var() // tensor(1.6667)
   */
  var(this: Tensor, dim?: DimArg | { dim?: DimArg; unbiased?: boolean; correction?: number; keepdim?: boolean }, unbiased?: boolean | { unbiased?: boolean; correction?: number; keepdim?: boolean }, keepdim?: boolean): Tensor {
    let d: DimArg = undefined, corr = 1, kd = false;
    const apply = (o: any) => { checkOptions('var', o, ['dim', 'unbiased', 'correction', 'keepdim']); if (o.dim !== undefined) d = o.dim; if (o.unbiased !== undefined) corr = o.unbiased ? 1 : 0; if (o.correction !== undefined) corr = o.correction; if (o.keepdim !== undefined) kd = o.keepdim; };
    if (isPlainObject(dim)) apply(dim); else d = dim as DimArg;
    if (isPlainObject(unbiased)) apply(unbiased); else if (unbiased !== undefined) corr = unbiased ? 1 : 0;
    if (keepdim !== undefined) kd = keepdim;
    if (!isFloating(this.dtype)) throw new TypeError(`std and var only support floating point and complex dtypes, got ${torchTypeName(this.dtype)}`);
    const axes = reduceAxes(this, d);
    let n = 1;
    for (const a of axes) n *= this._shape[a]!;
    const mu = this.mean(axes, true);
    const dev = this.sub(mu);
    return dev.mul(dev).sum(axes, kd).div(Math.max(0, n - corr));
  }
  /** Standard deviation: sqrt of `var` (same arguments). */
  std(this: Tensor, dim?: DimArg | { dim?: DimArg; unbiased?: boolean; correction?: number; keepdim?: boolean }, unbiased?: boolean | { unbiased?: boolean; correction?: number; keepdim?: boolean }, keepdim?: boolean): Tensor {
    const v = this.var(dim, unbiased, keepdim);
    return unary('sqrt', v, 'out', undefined, null, 'sqrtMasked');
  }
  /**
   * Vector p-norm over `dim` (all elements by default): (Σ|x|^p)^(1/p); p = Infinity gives max|x|, 'fro' is 2.
   * @example torch.tensor([3, 4]).norm() // tensor(5.)
   */
  norm(this: Tensor, p: number | 'fro' | { p?: number | 'fro'; dim?: DimArg; keepdim?: boolean } = 2, dim?: DimArg, keepdim = false): Tensor {
    let pp: number | 'fro' = 2, d: DimArg = dim;
    if (isPlainObject(p)) { checkOptions('norm', p, ['p', 'dim', 'keepdim']); pp = p.p ?? 2; d = p.dim; keepdim = p.keepdim ?? false; } else pp = p;
    const pn = pp === 'fro' ? 2 : pp;
    if (!isFloating(this.dtype)) throw new TypeError(`linalg.vector_norm: Expected a floating point or complex tensor as input. Got ${torchTypeName(this.dtype)}`);
    const axes = reduceAxes(this, d);
    const out = noGrad(() => {
      const a = this.abs();
      if (pn === Infinity) return a.numel() === 0 ? zeros(reducedShape(this._shape, axes, keepdim), { dtype: this.dtype, device: this.device }) : a.amax(axes, keepdim);
      if (pn === -Infinity) return a.amin(axes, keepdim);
      if (pn === 0) return a.ne(0).sum(axes, keepdim).to(this.dtype);
      if (pn === 1) return a.sum(axes, keepdim);
      if (pn === 2) return a.mul(a).sum(axes, keepdim).sqrt();
      return a.pow(pn).sum(axes, keepdim).pow(1 / pn);
    });
    if (!needsGrad(this)) return out;
    return record('norm', out, [this], [this, out], { p: pn, shape: this._shape, axes, keepdim });
  }
  /**
   * log Σ exp(x) over `dim`, computed stably (max-shifted).
   * @example torch.tensor([0, 0]).logsumexp(0) // tensor(0.6931)
   */
  logsumexp(this: Tensor, dim: DimArg | { dim?: DimArg; keepdim?: boolean }, keepdim = false): Tensor {
    let d: DimArg = dim as DimArg;
    if (isPlainObject(dim)) { checkOptions('logsumexp', dim, ['dim', 'keepdim']); const o = dim as { dim?: DimArg; keepdim?: boolean }; d = o.dim; keepdim = o.keepdim ?? false; }
    const axes = reduceAxes(this, d);
    const x = isFloating(this.dtype) ? this : this.to(getDefaultDtype());
    if (x.numel() === 0) return x.exp().sum(axes, keepdim).log();
    const m = noGrad(() => { const mm = x.amax(axes, true); return where(mm.isinf(), 0, mm); });
    const r = x.sub(m).exp().sum(axes, true).log().add(m);
    return keepdim ? r : r.squeeze(axes);
  }
  /**
   * Softmax along `dim`: exp(x − max) / Σ exp(x − max).
   * @example torch.tensor([1, 1]).softmax(0) // tensor([0.5000, 0.5000])
   */
  softmax(this: Tensor, dim: number | { dim: number; dtype?: DType }, dtype?: DType): Tensor {
    return softmaxImpl(this, dim, dtype, false);
  }
  /** log(softmax(x)) along `dim`, computed as x − logsumexp(x) for stability. */
  logSoftmax(this: Tensor, dim: number | { dim: number; dtype?: DType }, dtype?: DType): Tensor {
    return softmaxImpl(this, dim, dtype, true);
  }
  /** Cumulative sum along `dim`. @example torch.tensor([1, 2, 3]).cumsum(0) // tensor([1., 3., 6.]) */
  cumsum(this: Tensor, dim: number | { dim: number; dtype?: DType }, dtype?: DType | { dtype?: DType }): Tensor {
    let d = dim as number;
    if (isPlainObject(dim)) { checkOptions('cumsum', dim, ['dim', 'dtype']); d = dim.dim; dtype = dim.dtype; }
    else if (isPlainObject(dtype)) { checkOptions('cumsum', dtype, ['dtype']); dtype = (dtype as { dtype?: DType }).dtype; }
    dtype = checkOptDType('cumsum', dtype);
    const nd = normDim(d, this.dim());
    const dt = dtype ?? (isFloating(this.dtype) ? this.dtype : 'int64');
    if (this.dim() === 0) return this.to(dt).clone();
    const out = newTensor(this._backend.cumsum(this._s, this.layout, nd, dt), this._shape, this);
    return needsGrad(this) ? record('cumsum', out, [this], [], { dim: nd }) : out;
  }
}
installTensorMethods(ReductionOps);
