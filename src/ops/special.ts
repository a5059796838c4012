/**
 * Matrix-shaped and cumulative ops and small elementwise helpers, all composites of existing primitives (their
 * gradients come from those): tril/triu, diag/diagonal/trace, outer/cross, cumprod/cummax/cummin, diff,
 * roll/rot90, clampMin/clampMax, lerp, nanToNum, multinomial; and the functions einsum, meshgrid, cdist.
 *
 * One optional backend kernel, `Backend.scan` (cumulative product, and the running max/min indices); without it
 * the frontend runs a log-depth (Hillis–Steele) scan of primitives. `cumprod` with autograd always takes that
 * composite, whose gradient (through `mul`) is exact also where the input has zeros.
 */
import { isFloating } from '../dtype.js';
import type { DType } from '../dtype.js';
import { noGrad } from '../autograd/grad_mode.js';
import { Tensor, makeView } from '../tensor.js';
import { broadcastShapes, normDim } from '../shape.js';
import { installTensorMethods } from './registry.js';
import { isPlainObject, newTensor, torchTypeName } from './common.js';
import { record, needsGrad } from './autograd.js';
import { where } from './elementwise.js';
import { arange, full, tensor, zeros } from './creation.js';
import { cat } from './views.js';
import { rand } from './random.js';
import { valuesIndices } from './reductions.js';
import type { ValuesIndices } from './reductions.js';
import { optArgs, searchsorted } from './sorting.js';
import { checkInt, checkIntList, checkNumber, checkOperand, checkTensor, checkTensorList, typeName } from './args.js';
import type { Generator } from '../random.js';

/** ATen's scalar type name as its messages print it (`float`, `double`, `long`). */
function scalarName(d: DType): string { return torchTypeName(d).toLowerCase(); }

function zeroOf(x: Tensor): Tensor { return full([], 0, { dtype: x.dtype, device: x.device }); }

/** The lower (tril) or upper (triu) triangle of the last two dims, relative to diagonal `k`. */
function triangle(x: Tensor, k: number, lower: boolean): Tensor {
  const fn = lower ? 'tril' : 'triu';
  checkInt(fn, 'diagonal', 1, k);
  normDim(-2, x.dim()); // PyTorch: "Dimension out of range (expected to be in range of [-1, 0], but got -2)"
  const r = x._shape[x.dim() - 2]!, c = x._shape[x.dim() - 1]!;
  const off = arange(c, { device: x.device }).unsqueeze(0).sub(arange(r, { device: x.device }).unsqueeze(1)); // j − i
  const keep = lower ? off.le(k) : off.ge(k);
  return where(keep, x, zeroOf(x));
}

/**
 * Inclusive scan along the last dim in ⌈log₂ n⌉ steps (Hillis–Steele): step s combines each element with the one
 * s before it. `combine(earlier, later)` must be associative. O(n log n) work, built from narrow/cat and the
 * combine's ops, so it differentiates when they do.
 */
function scanLast<T extends Tensor[]>(xs: T, combine: (earlier: T, later: T) => T): T {
  const n = xs[0]!._shape[xs[0]!.dim() - 1]!;
  let cur = xs;
  for (let s = 1; s < n; s *= 2) {
    const earlier = cur.map((t) => t.narrow(-1, 0, n - s)) as T;
    const later = cur.map((t) => t.narrow(-1, s, n - s)) as T;
    const comb = combine(earlier, later);
    cur = cur.map((t, k) => cat([t.narrow(-1, 0, s), comb[k]!], -1)) as T;
  }
  return cur;
}

/** Indices (x's shape) of the running max/min along `d`: the last position of the extreme so far; NaN wins. */
function scanIndices(x: Tensor, d: number, op: 'max' | 'min'): Tensor {
  const b = x._backend;
  if (b.scan !== undefined) return newTensor(b.scan(op, x._s, x.layout, d, 'int64'), x._shape, x);
  return noGrad(() => {
    const n = x._shape[d]!;
    const xt = x.transpose(d, -1).to('float64');
    const i0 = arange(n, { device: x.device }).expand(xt._shape);
    // (value, index) pairs; the later one wins when it is NaN, or ≥ (max) / ≤ (min) a non-NaN earlier one
    const [, idx] = scanLast([xt, i0], ([ev, ei], [lv, li]) => {
      const better = op === 'max' ? lv.ge(ev) : lv.le(ev);
      const takeLater = lv.isnan().logicalOr(ev.isnan().logicalNot().logicalAnd(better));
      return [where(takeLater, lv, ev), where(takeLater, li, ei)];
    });
    return idx.transpose(d, -1).contiguous();
  });
}

/** The methods of `Tensor` defined here (installed on `Tensor.prototype`; typed through `interface Tensor`). */
export class SpecialOps {
  /**
   * The lower triangle of the last two dims (elements with j − i ≤ `diagonal`), zeros elsewhere.
   * @example torch.ones([2, 2]).tril() // tensor([[1., 0.], [1., 1.]])
   */
  tril(this: Tensor, diagonal: number | { diagonal?: number } = 0): Tensor {
    return triangle(this, optArgs('tril', [diagonal], { diagonal: 0 }).diagonal, true);
  }
  /**
   * The upper triangle of the last two dims (j − i ≥ `diagonal`), zeros elsewhere.
   * @example torch.ones([2, 2]).triu(1) // tensor([[0., 1.], [0., 0.]])
   */
  triu(this: Tensor, diagonal: number | { diagonal?: number } = 0): Tensor {
    return triangle(this, optArgs('triu', [diagonal], { diagonal: 0 }).diagonal, false);
  }
  /**
   * A view of the diagonal at `offset` of the plane (`dim1`, `dim2`), appended as the last dim.
   * Order: (offset = 0, dim1 = 0, dim2 = 1) or `{ offset, dim1, dim2 }`.
   * @example torch.arange(9).reshape([3, 3]).diagonal() // tensor([0, 4, 8])
   */
  diagonal(this: Tensor, offset?: number | { offset?: number; dim1?: number; dim2?: number }, dim1?: number, dim2?: number): Tensor {
    const o = optArgs('diagonal', [offset, dim1, dim2], { offset: 0, dim1: 0, dim2: 1 });
    checkInt('diagonal', 'offset', 1, o.offset); checkInt('diagonal', 'dim1', 2, o.dim1); checkInt('diagonal', 'dim2', 3, o.dim2);
    const d1 = normDim(o.dim1, this.dim(), false), d2 = normDim(o.dim2, this.dim(), false);
    if (d1 === d2) throw new RangeError(`diagonal dimensions cannot be identical ${o.dim1}, ${o.dim2}`);
    const s1 = this._shape[d1]!, s2 = this._shape[d2]!, k = o.offset;
    const len = Math.max(0, k >= 0 ? Math.min(s1, s2 - k) : Math.min(s1 + k, s2));
    const shape: number[] = [], strides: number[] = [];
    this._shape.forEach((s, i) => { if (i !== d1 && i !== d2) { shape.push(s); strides.push(this._strides[i]!); } });
    shape.push(len); strides.push(this._strides[d1]! + this._strides[d2]!);
    const off = this._offset + (len === 0 ? 0 : k >= 0 ? k * this._strides[d2]! : -k * this._strides[d1]!);
    const out = makeView(this, shape, strides, off);
    if (!needsGrad(this)) return out;
    return record('viewSlice', out, [this], [], { shape: this._shape, apply: (z: Tensor) => z.diagonal(k, d1, d2) });
  }
  /**
   * 1-D input: a square matrix with it on diagonal `diagonal`. 2-D input: a copy of that diagonal.
   * @example torch.tensor([1, 2]).diag() // tensor([[1., 0.], [0., 2.]])
   */
  diag(this: Tensor, diagonal: number | { diagonal?: number } = 0): Tensor {
    const k = checkInt('diag', 'diagonal', 1, optArgs('diag', [diagonal], { diagonal: 0 }).diagonal);
    if (this.dim() === 2) return this.diagonal(k).clone();
    if (this.dim() !== 1) throw new RangeError('matrix or a vector expected');
    const n = this._shape[0]!, m = n + Math.abs(k);
    // rows [v_i, 0 × m] flattened put v_i at i·(m + 1): the diagonal of an m×m matrix, then shifted by k
    const z = zeros([n, m], { dtype: this.dtype, device: this.device });
    let d = cat([this.unsqueeze(1), z], 1).reshape([-1]).narrow(0, 0, n * m).reshape([n, m]); // [n, m]: v_i at (i, i)
    if (n < m) d = cat([d, zeros([m - n, m], { dtype: this.dtype, device: this.device })], 0); // [m, m]
    if (k > 0) d = d.roll(k, 1);
    else if (k < 0) d = d.roll(-k, 0);
    return d;
  }
  /**
   * Sum of the main diagonal of a matrix.
   * @example torch.tensor([[1, 2], [3, 4]]).trace() // tensor(5.)
   */
  trace(this: Tensor): Tensor {
    if (this.dim() !== 2) throw new RangeError(`trace: expected a matrix, but got tensor with dim ${this.dim()}`);
    return this.diagonal().sum();
  }
  /**
   * Outer product of two 1-D tensors (`torch.outer`, alias `ger`).
   * @example torch.tensor([1, 2]).outer(torch.tensor([3, 4])) // tensor([[3., 4.], [6., 8.]])
   */
  outer(this: Tensor, vec2: Tensor): Tensor {
    checkTensor('outer', 'vec2', 1, vec2);
    if (this.dim() !== 1) throw new RangeError(`outer: Expected 1-D argument self, but got ${this.dim()}-D`);
    if (vec2.dim() !== 1) throw new RangeError(`outer: Expected 1-D argument vec2, but got ${vec2.dim()}-D`);
    return this.unsqueeze(1).mul(vec2.unsqueeze(0));
  }
  /** Alias of `outer`. */
  ger(this: Tensor, vec2: Tensor): Tensor { return this.outer(vec2); }
  /**
   * Cross product of 3-vectors along `dim` (broadcasting); without `dim` the first dim of size 3, as `torch.cross`.
   * @example torch.tensor([1, 0, 0]).cross(torch.tensor([0, 1, 0])) // tensor([0., 0., 1.])
   */
  cross(this: Tensor, other: Tensor, dim?: number | null | { dim?: number | null }): Tensor {
    checkTensor('cross', 'other', 1, other);
    const o = optArgs('cross', [dim], { dim: null as number | null });
    if (this.dim() !== other.dim()) throw new RangeError(`linalg.cross: inputs must have the same number of dimensions.`);
    const shape = broadcastShapes(this._shape, other._shape);
    let d: number;
    if (o.dim === null) {
      d = shape.indexOf(3);
      if (d < 0) throw new RangeError('no dimension of size 3 in input');
    } else d = normDim(checkInt('cross', 'dim', 2, o.dim), shape.length);
    if (this._shape[d] !== 3 || other._shape[d] !== 3) {
      throw new RangeError(`linalg.cross: inputs dimension ${d} must have length 3. Got ${this._shape[d]} and ${other._shape[d]}`);
    }
    const a = this.expand(shape), b = other.expand(shape);
    const i1 = tensor([1, 2, 0], { dtype: 'int64', device: this.device }), i2 = tensor([2, 0, 1], { dtype: 'int64', device: this.device });
    return a.indexSelect(d, i1).mul(b.indexSelect(d, i2)).sub(a.indexSelect(d, i2).mul(b.indexSelect(d, i1)));
  }
  /**
   * Cumulative product along `dim`. Integers accumulate in int64.
   * @example torch.tensor([1, 2, 3]).cumprod(0) // tensor([1., 2., 6.])
   */
  cumprod(this: Tensor, dim: number | { dim: number; dtype?: DType }, dtype?: DType): Tensor {
    const o = optArgs('cumprod', [dim, dtype], { dim: undefined as unknown as number, dtype: undefined as DType | undefined });
    if (o.dim === undefined) throw new TypeError("cumprod() missing required argument 'dim' (pos 1)");
    const d = normDim(checkInt('cumprod', 'dim', 1, o.dim), this.dim());
    const dt = o.dtype ?? (isFloating(this.dtype) ? this.dtype : 'int64');
    const x = this.dtype === dt ? this : this.to(dt);
    if (x.dim() === 0) return x.clone();
    const b = x._backend;
    if (b.scan !== undefined && !needsGrad(x)) return newTensor(b.scan('prod', x._s, x.layout, d, dt), x._shape, x);
    if (x.numel() === 0) return x.clone();
    // a log-depth scan of products (differentiable through mul, exact where the input has zeros); its rounding
    // differs from a running product's in the last bits
    const [r] = scanLast([x.transpose(d, -1)], ([e], [l]) => [l.mul(e)]);
    return r!.transpose(d, -1);
  }
  /**
   * Running maximum along `dim`: `[values, indices]` (the index of the last occurrence of the maximum so far;
   * NaN propagates).
   * @example torch.tensor([1, 3, 2]).cummax(0).values // tensor([1., 3., 3.])
   */
  cummax(this: Tensor, dim: number | { dim: number }): ValuesIndices { return cumExtreme(this, dim, 'max'); }
  /** Running minimum along `dim`: `[values, indices]`. @example torch.tensor([3, 1, 2]).cummin(0).values // tensor([3., 1., 1.]) */
  cummin(this: Tensor, dim: number | { dim: number }): ValuesIndices { return cumExtreme(this, dim, 'min'); }
  /**
   * The `n`-th forward difference along `dim` (default -1), after concatenating `prepend` and `append`.
   * Order: (n = 1, dim = -1, prepend, append) or `{ n, dim, prepend, append }`.
   * @example torch.tensor([1, 4, 9]).diff() // tensor([3., 5.])
   */
  diff(this: Tensor, n?: number | { n?: number; dim?: number; prepend?: Tensor | null; append?: Tensor | null }, dim?: number, prepend?: Tensor | null, append?: Tensor | null): Tensor {
    const o = optArgs('diff', [n, dim, prepend, append], { n: 1, dim: -1, prepend: null as Tensor | null, append: null as Tensor | null });
    checkInt('diff', 'n', 1, o.n); checkInt('diff', 'dim', 2, o.dim);
    if (this.dim() === 0) throw new RangeError('diff expects input to be at least one-dimensional');
    if (o.n < 0) throw new RangeError(`order must be non-negative but got ${o.n}`);
    const d = normDim(o.dim, this.dim());
    const parts: Tensor[] = [];
    for (const [name, t] of [['prepend', o.prepend], ['append', o.append]] as const) {
      if (t === null) continue;
      checkTensor('diff', name, null, t);
      if (t.dim() !== this.dim()) throw new RangeError(`diff expects prepend or append to be the same dimension as input`);
      for (let i = 0; i < this.dim(); i++) {
        if (i !== d && t._shape[i] !== this._shape[i]) throw new RangeError(`diff expects the shape of tensor to prepend or append to match that of input except along the differencing dimension; input.size(${i}) = ${this._shape[i]}, but got tensor.size(${i}) = ${t._shape[i]}`);
      }
    }
    let x: Tensor = this;
    if (o.prepend !== null || o.append !== null) {
      if (o.prepend !== null) parts.push(o.prepend);
      parts.push(this);
      if (o.append !== null) parts.push(o.append);
      x = cat(parts, d);
    }
    for (let i = 0; i < o.n; i++) {
      const len = x._shape[d]!;
      if (len === 0) break;
      const hi = x.narrow(d, 1, len - 1), lo = x.narrow(d, 0, len - 1);
      x = x.dtype === 'bool' ? hi.logicalXor(lo) : hi.sub(lo);
    }
    return x === this ? this.clone() : x;
  }
  /**
   * Rolls elements along `dims` by `shifts` (wrapping around); without `dims`, over the flattened tensor.
   * @example torch.tensor([1, 2, 3]).roll(1) // tensor([3., 1., 2.])
   */
  roll(this: Tensor, shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor {
    const sh = checkIntList('roll', 'shifts', 1, typeof shifts === 'number' ? [shifts] : Array.isArray(shifts) ? shifts : [shifts as unknown as number]);
    if (dims === undefined || dims === null || (Array.isArray(dims) && dims.length === 0)) {
      if (sh.length !== 1) throw new RangeError(`shifts and dimensions must align. shifts: ${sh.length}, dims:0`);
      return this.reshape([-1]).roll(sh[0]!, 0).view(this._shape);
    }
    const dl = checkIntList('roll', 'dims', 2, typeof dims === 'number' ? [dims] : dims as number[]);
    if (sh.length !== dl.length) throw new RangeError(`shifts and dimensions must align. shifts: ${sh.length}, dims:${dl.length}`);
    let r: Tensor = this;
    dl.forEach((dd, i) => {
      const d = normDim(dd, this.dim());
      const n = r._shape[d]!;
      if (n === 0) return;
      const s = ((sh[i]! % n) + n) % n;
      if (s !== 0) r = cat([r.narrow(d, n - s, s), r.narrow(d, 0, n - s)], d);
    });
    return r === this ? this.clone() : r;
  }
  /**
   * Rotates by 90° `k` times in the plane `dims` (from the first towards the second axis).
   * @example torch.tensor([[1, 2], [3, 4]]).rot90() // tensor([[2., 4.], [1., 3.]])
   */
  rot90(this: Tensor, k: number | { k?: number; dims?: readonly number[] } = 1, dims: readonly number[] = [0, 1]): Tensor {
    const o = optArgs('rot90', [k, dims], { k: 1, dims: [0, 1] as readonly number[] });
    checkInt('rot90', 'k', 1, o.k); checkIntList('rot90', 'dims', 2, o.dims);
    if (o.dims.length !== 2) throw new RangeError(`expected total rotation dims == 2, but got dims = ${o.dims.length}`);
    if (this.dim() < 2) throw new RangeError(`expected total dims >= 2, but got total dims = ${this.dim()}`);
    const d0 = normDim(o.dims[0]!, this.dim()), d1 = normDim(o.dims[1]!, this.dim());
    if (d0 === d1) throw new RangeError(`expected rotation dims to be different, but got dim0 = ${d0} and dim1 = ${d1}`);
    const kk = ((o.k % 4) + 4) % 4;
    if (kk === 1) return this.flip([d1]).transpose(d0, d1);
    if (kk === 2) return this.flip([d0, d1]);
    if (kk === 3) return this.flip([d0]).transpose(d0, d1);
    return this.clone();
  }
  /** `clamp(min)` (`torch.clamp_min`). @example torch.tensor([-1, 2]).clampMin(0) // tensor([0., 2.]) */
  clampMin(this: Tensor, min: number | Tensor): Tensor { checkOperand('clamp_min', 'min', 1, min); return this.clamp(min, null); }
  /** `clamp(null, max)` (`torch.clamp_max`). @example torch.tensor([-1, 2]).clampMax(0) // tensor([-1., 0.]) */
  clampMax(this: Tensor, max: number | Tensor): Tensor { checkOperand('clamp_max', 'max', 1, max); return this.clamp(null, max); }
  /**
   * Linear interpolation `this + weight · (end − this)` with a number or tensor `weight` (broadcasting), computed
   * as PyTorch does: from `end` when weight ≥ 0.5, for accuracy near 1.
   * @example torch.tensor([0, 10]).lerp(torch.tensor([10, 20]), 0.5) // tensor([ 5., 15.])
   */
  lerp(this: Tensor, end: Tensor, weight: number | Tensor): Tensor {
    checkTensor('lerp', 'end', 1, end); checkOperand('lerp', 'weight', 2, weight);
    if (this.dtype !== end.dtype) throw new TypeError(`expected dtype ${scalarName(this.dtype)} for \`end\` but got dtype ${scalarName(end.dtype)}`);
    if (weight instanceof Tensor && weight.dtype !== this.dtype) throw new TypeError(`expected dtype ${scalarName(this.dtype)} for \`weight\` but got dtype ${scalarName(weight.dtype)}`);
    if (!isFloating(this.dtype)) throw new TypeError(`"lerp_kernel_scalar" not implemented for '${torchTypeName(this.dtype)}'`);
    const diff = end.sub(this);
    if (typeof weight === 'number') return Math.abs(weight) < 0.5 ? this.add(diff.mul(weight)) : end.sub(diff.mul(1 - weight));
    return where(weight.abs().lt(0.5), this.add(diff.mul(weight)), end.sub(diff.mul(weight.neg().add(1))));
  }
  /**
   * Replaces NaN by `nan` (0), +inf by `posinf` and −inf by `neginf` (default: the dtype's largest and lowest
   * finite values). Order: (nan, posinf, neginf) or `{ nan, posinf, neginf }`.
   * @example torch.tensor([NaN, Infinity, -Infinity, 1]).nanToNum(0, 9, -9) // tensor([ 0.,  9., -9.,  1.])
   */
  nanToNum(this: Tensor, nan?: number | null | { nan?: number | null; posinf?: number | null; neginf?: number | null }, posinf?: number | null, neginf?: number | null): Tensor {
    const o = optArgs('nan_to_num', [nan, posinf, neginf], { nan: null as number | null, posinf: null as number | null, neginf: null as number | null });
    for (const k of ['nan', 'posinf', 'neginf'] as const) if (o[k] !== null) checkNumber('nan_to_num', k, null, o[k]);
    if (!isFloating(this.dtype)) return this.clone();
    const big = this.dtype === 'float32' ? 3.4028234663852886e38 : Number.MAX_VALUE;
    const nv = o.nan ?? 0, pv = o.posinf ?? big, mv = o.neginf ?? -big;
    const inf = this.isinf();
    return where(this.isnan(), nv, where(inf.logicalAnd(this.gt(0)), pv, where(inf, mv, this)));
  }
  /**
   * `numSamples` category indices per row of the (unnormalised, non-negative) probabilities `this` (1-D or 2-D),
   * with or without replacement. Without replacement it draws as PyTorch does: the top `numSamples` of p / E,
   * E ~ Exp(1). Order: (numSamples, replacement = false, { generator }).
   * @example torch.tensor([0, 1, 0]).multinomial(2, true) // tensor([1, 1])
   */
  multinomial(this: Tensor, numSamples: number, replacement?: boolean | { replacement?: boolean; generator?: Generator }, opts?: { generator?: Generator }): Tensor {
    checkInt('multinomial', 'num_samples', 1, numSamples);
    const o = optArgs('multinomial', [replacement, opts], { replacement: false, generator: undefined as Generator | undefined });
    if (typeof o.replacement !== 'boolean') throw new TypeError(`multinomial(): argument 'replacement' must be bool, not ${typeName(o.replacement)}`);
    if (this.dim() !== 1 && this.dim() !== 2) throw new RangeError('prob_dist must be 1 or 2 dim');
    if (!isFloating(this.dtype)) throw new TypeError(`multinomial only supports floating-point dtypes for input, got: ${torchTypeName(this.dtype)}`);
    if (numSamples <= 0) throw new RangeError('cannot sample n_sample <= 0 samples');
    const n = this._shape[this.dim() - 1]!;
    if (!o.replacement && numSamples > n) throw new RangeError('cannot sample n_sample > prob_dist.size(-1) samples without replacement');
    if (n > 2 ** 24) throw new RangeError('number of categories cannot exceed 2^24');
    const rows = this.dim() === 2 ? this._shape[0]! : 1;
    const gopt = { dtype: 'float64' as DType, device: this.device, ...(o.generator !== undefined ? { generator: o.generator } : {}) };
    return noGrad(() => {
      const p = this.reshape([rows, n]).to('float64');
      let out: Tensor;
      if (o.replacement) {
        // inverse CDF: the category whose cumulative mass first exceeds u · total (zero-mass categories never win)
        const c = p.cumsum(1);
        const u = rand([rows, numSamples], gopt).mul(c.narrow(1, n - 1, 1));
        out = searchsorted(c, u, { right: true }).clamp(0, n - 1);
      } else {
        const e = rand([rows, n], gopt).log().neg(); // Exp(1)
        out = p.div(e).topk(numSamples, 1).indices;
      }
      return this.dim() === 1 ? out.reshape([numSamples]) : out;
    });
  }
}
installTensorMethods(SpecialOps);

function cumExtreme(x: Tensor, dim: number | { dim: number }, op: 'max' | 'min'): ValuesIndices {
  const fn = op === 'max' ? 'cummax' : 'cummin';
  const o = optArgs(fn, [dim], { dim: undefined as unknown as number });
  if (o.dim === undefined) throw new TypeError(`${fn}() missing required argument 'dim' (pos 1)`);
  const d = normDim(checkInt(fn, 'dim', 1, o.dim), x.dim());
  if (x.dim() === 0) return valuesIndices(x.clone(), zeros([], { dtype: 'int64', device: x.device }));
  if (x.numel() === 0) return valuesIndices(x.clone(), zeros(x._shape, { dtype: 'int64', device: x.device }));
  const idx = scanIndices(x, d, op);
  return valuesIndices(x.gather(d, idx), idx);
}

/**
 * Einstein summation (`torch.einsum`): subscripts of letters per operand separated by commas, `...` for
 * broadcast dims, an optional `->` output (otherwise the letters that appear once, alphabetically, after the
 * ellipsis dims). A letter repeated within an operand takes its diagonal; letters missing from the output are
 * summed. Pairs of operands contract with batched matrix products. Operands as arguments or one array.
 * @example torch.einsum('ij,jk->ik', torch.ones([2, 3]), torch.ones([3, 4])).shape // [2, 4]
 */
export function einsum(equation: string, ...operandsIn: (Tensor | readonly Tensor[])[]): Tensor {
  if (typeof equation !== 'string') throw new TypeError(`einsum(): argument 'equation' (position 1) must be str, not ${typeName(equation)}`);
  const operands = (operandsIn.length === 1 && Array.isArray(operandsIn[0]) ? operandsIn[0] : operandsIn) as Tensor[];
  checkTensorList('einsum', operands, 1);
  const eq = equation.replace(/\s+/g, '');
  const arrow = eq.indexOf('->');
  const lhs = arrow >= 0 ? eq.slice(0, arrow) : eq;
  const terms = lhs.split(',');
  if (operands.length === 0) throw new RangeError('einsum(): must provide at least one operand');
  if (terms.length > operands.length) throw new RangeError('einsum(): fewer operands were provided than specified in the equation');
  if (terms.length < operands.length) throw new RangeError('einsum(): more operands were provided than specified in the equation');
  const ELL = '.'; // stands for the ellipsis dims, expanded per operand below
  const parse = (s: string, where: string): string[] => {
    const out: string[] = [];
    for (let i = 0; i < s.length; i++) {
      if (s.startsWith('...', i)) {
        if (out.includes(ELL)) throw new RangeError(`einsum(): found '.' for ${where} that is not part of any ellipsis`);
        out.push(ELL); i += 2; continue;
      }
      const ch = s[i]!;
      if (!/[a-zA-Z]/.test(ch)) throw new RangeError(`einsum(): invalid subscript given at index ${i} in the equation string, subscripts must be in [a-zA-Z]`);
      out.push(ch);
    }
    return out;
  };
  const subs = terms.map((t, i) => parse(t, `operand ${i}`));
  // the ellipsis covers the dims not named by letters; its dims broadcast right-aligned across operands
  let ellDims = 0;
  subs.forEach((s, i) => {
    const named = s.filter((c) => c !== ELL).length;
    const nd = operands[i]!.dim();
    if (s.includes(ELL)) {
      if (nd < named) throw new RangeError(`einsum(): the number of subscripts in the equation (${named}) is more than the number of dimensions (${nd}) for operand ${i}`);
      ellDims = Math.max(ellDims, nd - named);
    } else if (nd !== named) {
      throw new RangeError(`einsum(): the number of subscripts in the equation (${named}) does not match the number of dimensions (${nd}) for operand ${i} and no ellipsis was given`);
    }
  });
  const ellLabels = Array.from({ length: ellDims }, (_, k) => `#${k}`);
  // each operand as [labels, tensor] with repeated labels reduced to their diagonal
  const ops: { labels: string[]; t: Tensor }[] = subs.map((s, i) => {
    const t0 = operands[i]!;
    const labels: string[] = [];
    for (const c of s) {
      if (c === ELL) { const k = t0.dim() - (s.length - 1); labels.push(...ellLabels.slice(ellDims - k)); } else labels.push(c);
    }
    let t = t0;
    let ls = labels;
    for (;;) {
      const dup = ls.findIndex((c, j) => ls.indexOf(c) !== j);
      if (dup < 0) break;
      const first = ls.indexOf(ls[dup]!);
      if (t._shape[first] !== t._shape[dup]) {
        throw new RangeError(`einsum(): subscript ${ls[dup]} is repeated for operand ${i} but the sizes don't match, ${t._shape[first]} != ${t._shape[dup]}`);
      }
      t = t.diagonal(0, first, dup);
      ls = [...ls.filter((_, j) => j !== first && j !== dup), ls[dup]!];
    }
    return { labels: ls, t };
  });
  // the output labels
  const counts = new Map<string, number>();
  for (const s of subs) for (const c of s) if (c !== ELL) counts.set(c, (counts.get(c) ?? 0) + 1);
  let out: string[];
  if (arrow >= 0) {
    const o = parse(eq.slice(arrow + 2), 'the output');
    out = [];
    for (const c of o) {
      if (c === ELL) { out.push(...ellLabels); continue; }
      if (out.includes(c)) throw new RangeError(`einsum(): output subscript ${c} appears more than once in the output`);
      if (!counts.has(c)) throw new RangeError(`einsum(): output subscript ${c} does not appear in the equation for any input operand`);
      out.push(c);
    }
  } else {
    out = [...ellLabels, ...[...counts.entries()].filter(([, n]) => n === 1).map(([c]) => c).sort()];
  }
  // sizes, checking that each label agrees (size 1 broadcasts)
  const size = new Map<string, number>();
  for (const [k, { labels, t }] of ops.entries()) {
    labels.forEach((c, j) => {
      const s = t._shape[j]!;
      const prev = size.get(c);
      if (prev === undefined || prev === 1) size.set(c, s);
      else if (s !== 1 && s !== prev) {
        throw new RangeError(`einsum(): subscript ${c} has size ${s} for operand ${k} which does not broadcast with previously seen size ${prev}`);
      }
    });
  }
  const neededLater = (k: number, c: string) => out.includes(c) || ops.slice(k).some((o2) => o2.labels.includes(c));
  // sum away labels only the current operand has and nobody needs
  const reduceOwn = (k: number, cur: { labels: string[]; t: Tensor }, partner: readonly string[] = []) => {
    const drop = cur.labels.map((c, j) => [c, j] as const).filter(([c]) => !neededLater(k, c) && !partner.includes(c));
    if (drop.length === 0) return cur;
    return { labels: cur.labels.filter((c) => !drop.some(([d]) => d === c)), t: cur.t.sum(drop.map(([, j]) => j)) };
  };
  let acc = reduceOwn(1, ops[0]!);
  for (let k = 1; k < ops.length; k++) {
    const rhs = reduceOwn(k + 1, ops[k]!, acc.labels);
    acc = contract(acc, rhs, (c) => neededLater(k + 1, c), size);
    acc = reduceOwn(k + 1, acc);
  }
  // the result: labels in `out` order (the remaining ones are all in `out`)
  let t = acc.t;
  const missing = out.filter((c) => !acc.labels.includes(c));
  let labels = acc.labels;
  for (const c of missing) { t = t.unsqueeze(-1); labels = [...labels, c]; } // only ellipsis labels of size 1
  t = t.permute(out.map((c) => labels.indexOf(c)));
  const target = out.map((c) => size.get(c) ?? 1);
  return t.shape.every((s, i) => s === target[i]) ? t : t.expand(target);
}

/** Contracts two labelled operands: shared labels not needed later are summed (a batched matmul for floats). */
function contract(a: { labels: string[]; t: Tensor }, b: { labels: string[]; t: Tensor }, needed: (c: string) => boolean, size: Map<string, number>): { labels: string[]; t: Tensor } {
  const shared = a.labels.filter((c) => b.labels.includes(c));
  const batch = shared.filter(needed), sum = shared.filter((c) => !needed(c));
  const aOnly = a.labels.filter((c) => !shared.includes(c)), bOnly = b.labels.filter((c) => !shared.includes(c));
  const sz = (c: string) => size.get(c)!;
  // expand size-1 (broadcast) dims of shared labels to the full size
  const full = (x: { labels: string[]; t: Tensor }) => {
    const shape = x.labels.map((c, j) => (shared.includes(c) ? sz(c) : x.t._shape[j]!));
    return shape.every((s, j) => s === x.t._shape[j]) ? x.t : x.t.expand(shape);
  };
  const at = full(a), bt = full(b);
  const prod = (cs: string[], x: { labels: string[]; t: Tensor }) => cs.reduce((p, c) => p * x.t._shape[x.labels.indexOf(c)]!, 1);
  const dtype = a.t.dtype === b.t.dtype ? a.t.dtype : null;
  if (dtype !== null && isFloating(dtype)) {
    const B = batch.map(sz), M = aOnly.map((c) => at._shape[a.labels.indexOf(c)]!), N = bOnly.map((c) => bt._shape[b.labels.indexOf(c)]!);
    const K = sum.reduce((p, c) => p * sz(c), 1);
    const A3 = at.permute([...batch, ...aOnly, ...sum].map((c) => a.labels.indexOf(c))).reshape([B.reduce((p, s) => p * s, 1), prod(aOnly, a), K]);
    const B3 = bt.permute([...batch, ...sum, ...bOnly].map((c) => b.labels.indexOf(c))).reshape([B.reduce((p, s) => p * s, 1), K, prod(bOnly, b)]);
    return { labels: [...batch, ...aOnly, ...bOnly], t: A3.matmul(B3).reshape([...B, ...M, ...N]) };
  }
  // integers (the matmul kernel is float-only) and mixed dtypes: broadcast product, then sum
  const all = [...batch, ...aOnly, ...bOnly, ...sum];
  const align = (x: { labels: string[] }, t: Tensor) => {
    const perm = all.filter((c) => x.labels.includes(c)).map((c) => x.labels.indexOf(c));
    let r = t.permute(perm);
    const present = all.filter((c) => x.labels.includes(c));
    r = r.reshape(all.map((c) => (present.includes(c) ? r._shape[present.indexOf(c)]! : 1)));
    return r;
  };
  let p = align(a, at).mul(align(b, bt));
  if (sum.length > 0) p = p.sum(sum.map((c) => all.indexOf(c)));
  return { labels: [...batch, ...aOnly, ...bOnly], t: p };
}

/**
 * Coordinate grids from 0-D/1-D tensors: `indexing: 'ij'` (default) gives shape [n1, n2, ...]; `'xy'` swaps
 * the first two (Cartesian). The outputs are expanded views of the inputs. Tensors as arguments or one array,
 * with `{ indexing }` last.
 * @example torch.meshgrid(torch.tensor([1, 2]), torch.tensor([3, 4, 5]), { indexing: 'ij' })[0].shape // [2, 3]
 */
export function meshgrid(...args: (Tensor | readonly Tensor[] | { indexing?: 'ij' | 'xy' })[]): Tensor[] {
  let indexing: unknown = 'ij';
  const last = args[args.length - 1];
  if (isPlainObject(last)) { optArgs('meshgrid', [last], { indexing: 'ij' }); indexing = (last as { indexing?: string }).indexing ?? 'ij'; args = args.slice(0, -1); }
  const ts = (args.length === 1 && Array.isArray(args[0]) ? args[0] : args) as Tensor[];
  checkTensorList('meshgrid', ts);
  if (indexing !== 'ij' && indexing !== 'xy') throw new RangeError(`torch.meshgrid: indexing must be one of "xy" or "ij", but received: ${String(indexing)}`);
  if (ts.length === 0) throw new RangeError('torch.meshgrid: Expected at least one tensor');
  ts.forEach((t) => {
    if (t.dim() > 1) throw new RangeError(`torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: a tensor of shape [${t.shape.join(', ')}]`); // PyTorch prints the values, which would read the device
    if (t.dtype !== ts[0]!.dtype) throw new TypeError('torch.meshgrid: Expected all tensors in the tensor list to have the same dtype');
    if (String(t.device) !== String(ts[0]!.device)) throw new RangeError('torch.meshgrid: Expected all tensors in the tensor list to have the same device');
  });
  const swap = indexing === 'xy' && ts.length >= 2;
  const order = ts.map((_, i) => i);
  if (swap) { order[0] = 1; order[1] = 0; }
  const sizes = order.map((i) => ts[i]!.numel());
  return ts.map((t, i) => {
    const pos = order.indexOf(i);
    const view = sizes.map((s, j) => (j === pos ? s : 1));
    return t.reshape(view).expand(sizes);
  });
}

/**
 * p-norm distances between the rows of `x1` [..., P, M] and `x2` [..., R, M] → [..., P, R] (batch dims
 * broadcast). Order: (x1, x2, p = 2, computeMode) or `{ p, computeMode }`; the distances are computed directly
 * (PyTorch's matrix-product shortcut for p = 2 differs from it only by rounding).
 * @example torch.cdist(torch.tensor([[0, 0]]), torch.tensor([[3, 4]])) // tensor([[5.]])
 */
export function cdist(x1: Tensor, x2: Tensor, p?: number | { p?: number; computeMode?: string | null }, computeMode?: string | null): Tensor {
  checkTensor('cdist', 'x1', 1, x1); checkTensor('cdist', 'x2', 2, x2);
  const o = optArgs('cdist', [p, computeMode], { p: 2, computeMode: null as string | null });
  checkNumber('cdist', 'p', 3, o.p);
  const modes = [null, 'use_mm_for_euclid_dist_if_necessary', 'use_mm_for_euclid_dist', 'donot_use_mm_for_euclid_dist'];
  if (!modes.includes(o.computeMode)) throw new RangeError(`${o.computeMode} is not a valid value for compute_mode`);
  if (x1.dim() < 2) throw new RangeError(`cdist only supports at least 2D tensors, X1 got: ${x1.dim()}D`);
  if (x2.dim() < 2) throw new RangeError(`cdist only supports at least 2D tensors, X2 got: ${x2.dim()}D`);
  if (!isFloating(x1.dtype)) throw new TypeError(`cdist only supports floating-point dtypes, X1 got: ${torchTypeName(x1.dtype)}`);
  if (!isFloating(x2.dtype)) throw new TypeError(`cdist only supports floating-point dtypes, X2 got: ${torchTypeName(x2.dtype)}`);
  const m1 = x1._shape[x1.dim() - 1]!, m2 = x2._shape[x2.dim() - 1]!;
  if (m1 !== m2) throw new RangeError(`X1 and X2 must have the same number of columns. X1: ${m1} X2: ${m2}`);
  if (o.p < 0) throw new RangeError('cdist only supports non-negative p values');
  const d = x1.unsqueeze(-2).sub(x2.unsqueeze(-3)); // [..., P, R, M]
  return d.norm(o.p, -1);
}

