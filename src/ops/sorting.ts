/**
 * Sorting and order statistics: sort, argsort, topk, kthvalue, median, mode, unique, and the binned lookups
 * (searchsorted, bucketize, histc).
 *
 * One optional backend kernel, `Backend.sort` (the permutation that sorts along a dim); without it the frontend
 * ranks every element by comparing it with every other one of its row (O(n²) memory per row, primitives only).
 * Values are always `x.gather(dim, indices)`, so every op here differentiates through `gather` (PyTorch's rules
 * for sort/topk/kthvalue/median/mode scatter the gradient to the selected indices too) and needs no rule of its own.
 */
import { isFloating } from '../dtype.js';
import type { DType } from '../dtype.js';
import { noGrad } from '../autograd/grad_mode.js';
import { Tensor } from '../tensor.js';
import { normDim } from '../shape.js';
import { installTensorMethods } from './registry.js';
import { isPlainObject, newTensor, torchTypeName } from './common.js';
import { where } from './elementwise.js';
import { arange, full, zeros } from './creation.js';
import { cat } from './views.js';
import { nonzeroFlat } from './indexing.js';
import { valuesIndices } from './reductions.js';
import type { ValuesIndices } from './reductions.js';
import { checkInt, checkTensor, checkNumber, typeName } from './args.js';
import { checkOptions } from '../_options.js';

/**
 * PyTorch's positional order with an optional trailing options object (camelCase keys): `args` are the values
 * after the required ones, `names`/`defaults` PyTorch's optional parameters in order. Unknown keys throw with a
 * did-you-mean (checkOptions).
 */
export function optArgs<T extends Record<string, unknown>>(fn: string, args: readonly unknown[], defaults: T): T {
  const names = Object.keys(defaults);
  const out: Record<string, unknown> = { ...defaults };
  for (let i = 0; i < args.length; i++) {
    const v = args[i];
    if (isPlainObject(v)) {
      checkOptions(fn, v, names);
      for (const [k, val] of Object.entries(v)) if (val !== undefined) out[k] = val;
      if (args.slice(i + 1).some((x) => x !== undefined)) throw new TypeError(`${fn}(): the options object must be the last argument`);
      break;
    }
    if (i >= names.length) throw new TypeError(`${fn}() takes at most ${names.length} optional arguments (${args.length} given)`);
    if (v !== undefined) out[names[i]!] = v;
  }
  return out as T;
}

function checkBool(fn: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${fn}(): argument '${name}' must be bool, not ${typeName(v)}`);
  return v;
}

/**
 * The int64 permutation that sorts `x` along `d` (stable: equal elements keep their order; NaN sorts as larger
 * than every number, as PyTorch). The backend's `sort` kernel when it has one, else ranks from pairwise comparisons.
 */
export function sortIndices(x: Tensor, d: number, descending: boolean): Tensor {
  if (x.dim() === 0) return zeros([], { dtype: 'int64', device: x.device });
  const b = x._backend;
  if (b.sort !== undefined) return newTensor(b.sort(x._s, x.layout, d, descending), x._shape, x);
  const n = x._shape[d]!;
  if (n <= 1 || x.numel() === 0) return zeros(x._shape, { dtype: 'int64', device: x.device });
  return noGrad(() => {
    const xt = x.transpose(d, -1);
    const idx = n <= PAIRWISE_MAX ? pairwiseSortIndices(xt, descending) : bitonicSortIndices(xt, descending);
    return idx.transpose(d, -1).contiguous();
  });
}

/** Up to this length the fallback ranks by comparing all pairs (few kernel calls); beyond it, a bitonic network. */
const PAIRWISE_MAX = 64;

/** The stable sorting permutation along the last dim from pairwise comparisons: O(n²) memory per row. */
function pairwiseSortIndices(xt: Tensor, descending: boolean): Tensor {
  const n = xt._shape[xt.dim() - 1]!;
  const a = xt.unsqueeze(-1); // element i along dim -2
  const c = xt.unsqueeze(-2); // element j along dim -1
  const an = a.isnan(), cn = c.isnan();
  // j sorts before i: strictly before in the order (NaN largest), or equal with j < i (stability)
  const strictly = descending ? c.gt(a).logicalOr(cn.logicalAnd(an.logicalNot())) : c.lt(a).logicalOr(an.logicalAnd(cn.logicalNot()));
  const same = c.eq(a).logicalOr(an.logicalAnd(cn));
  const ar = arange(n, { device: xt.device });
  const earlier = ar.unsqueeze(0).lt(ar.unsqueeze(1)); // [i, j]: j < i
  const rank = strictly.logicalOr(same.logicalAnd(earlier)).sum(-1); // int64 [..., n]
  const idx = ar.expand(rank._shape).contiguous();
  return zeros(rank._shape, { dtype: 'int64', device: xt.device }).scatter(-1, rank, idx);
}

/**
 * The stable sorting permutation along the last dim from a bitonic sorting network: O(n log² n) elementwise work
 * in O(log² n) steps of gathers and selects, O(n) memory. Each element carries the key (class, value, original
 * index), compared lexicographically: the class puts NaN after (ascending) or before (descending) the numbers and
 * the padding up to a power of two last; the original index makes the order stable.
 */
function bitonicSortIndices(xt: Tensor, descending: boolean): Tensor {
  const n = xt._shape[xt.dim() - 1]!;
  let P = 1;
  while (P < n) P *= 2;
  const batch = xt._shape.slice(0, -1);
  const dev = xt.device;
  const x = xt.to('float64');
  const nan = x.isnan();
  // class: ascending NaN → 1 (after numbers); descending NaN → 0 (before), numbers → 1; padding → 2
  let cls = descending ? where(nan, 0, 1) : where(nan, 1, 0);
  let val = where(nan, 0, descending ? x.neg() : x);
  let idx = arange(n, { device: dev }).expand(xt._shape).contiguous();
  if (P > n) {
    const padShape = [...batch, P - n];
    cls = cat([cls, full(padShape, 2, { dtype: cls.dtype, device: dev })], -1);
    val = cat([val, zeros(padShape, { dtype: 'float64', device: dev })], -1);
    idx = cat([idx, arange(n, P, { device: dev }).expand(padShape)], -1);
  }
  const shape = [...batch, P];
  const pos = arange(P, { device: dev });
  for (let k = 2; k <= P; k *= 2) {
    const bk = pos.floorDivide(k).remainder(2);
    for (let j = k / 2; j >= 1; j /= 2) {
      // the partner of i is i ^ j: swap the halves of each block of 2j (a flip of a [.., P/2j, 2, j] view);
      // i keeps the smaller key when its block ascends (bit k of i clear) and it is the lower one (bit j clear),
      // or neither: bit k of i equals bit j of i
      const km = bk.eq(pos.floorDivide(j).remainder(2));
      const blocks = [...batch, P / (2 * j), 2, j];
      const swap = (t: Tensor) => t.reshape(blocks).flip([-2]).reshape(shape);
      const pc = swap(cls), pv = swap(val), pi = swap(idx);
      const selfLess = cls.lt(pc).logicalOr(cls.eq(pc).logicalAnd(val.lt(pv).logicalOr(val.eq(pv).logicalAnd(idx.lt(pi)))));
      const keepSelf = selfLess.eq(km);
      cls = where(keepSelf, cls, pc); val = where(keepSelf, val, pv); idx = where(keepSelf, idx, pi);
    }
  }
  return P > n ? idx.narrow(-1, 0, n).contiguous() : idx;
}

function dimArg(fn: string, x: Tensor, dim: unknown): number {
  return normDim(checkInt(fn, 'dim', null, dim), x.dim());
}

/** Selects position `pos` (an int64 tensor of the keepdim shape) along `d`: [values, indices]. */
function pick(x: Tensor, d: number, sortedIdx: Tensor, pos: Tensor, keepdim: boolean): ValuesIndices {
  if (x.dim() === 0) return valuesIndices(x.clone(), zeros([], { dtype: 'int64', device: x.device }));
  const idx = sortedIdx.gather(d, pos);
  const values = x.gather(d, idx);
  return keepdim ? valuesIndices(values, idx) : valuesIndices(values.squeeze(d), idx.squeeze(d));
}

/** A position along `d` of the keepdim shape, every entry `p`. */
function positionOf(x: Tensor, d: number, p: number | Tensor): Tensor {
  const shape = x._shape.map((s, i) => (i === d ? 1 : s));
  return p instanceof Tensor ? p.reshape(shape) : full(shape, p, { dtype: 'int64', device: x.device });
}

/** The sorting methods of `Tensor` (installed on `Tensor.prototype`; typed through `interface Tensor`). */
export class SortingOps {
  /**
   * Sorts along `dim` (default -1): `[values, indices]` (also `.values`, `.indices`). The sort is stable; NaN
   * sorts as larger than every number. Positional (dim, descending) or `{ dim, descending, stable }`.
   * @example torch.tensor([3, 1, 2]).sort().values // tensor([1., 2., 3.])
   */
  sort(this: Tensor, dim?: number | { dim?: number; descending?: boolean; stable?: boolean }, descending?: boolean): ValuesIndices {
    const o = optArgs('sort', [dim, descending], { dim: -1, descending: false, stable: false });
    checkBool('sort', 'descending', o.descending); checkBool('sort', 'stable', o.stable);
    const d = dimArg('sort', this, o.dim);
    const idx = sortIndices(this, d, o.descending);
    return valuesIndices(this.dim() === 0 ? this.clone() : this.gather(d, idx), idx);
  }
  /**
   * The indices that sort along `dim` (`sort(...).indices`).
   * @example torch.tensor([3, 1, 2]).argsort() // tensor([1, 2, 0])
   */
  argsort(this: Tensor, dim?: number | { dim?: number; descending?: boolean; stable?: boolean }, descending?: boolean): Tensor {
    const o = optArgs('argsort', [dim, descending], { dim: -1, descending: false, stable: false });
    checkBool('argsort', 'descending', o.descending); checkBool('argsort', 'stable', o.stable);
    return sortIndices(this, dimArg('argsort', this, o.dim), o.descending);
  }
  /** `sort(0).values` (`torch.msort`). @example torch.tensor([[2, 1], [0, 3]]).msort() // tensor([[0., 1.], [2., 3.]]) */
  msort(this: Tensor): Tensor { return this.sort(0).values; }
  /**
   * The `k` largest (or smallest, `largest = false`) elements along `dim` (default -1), in sorted order:
   * `[values, indices]`. Order: (k, dim, largest, sorted) or `{ dim, largest, sorted }`.
   * @example torch.tensor([1, 5, 3, 4]).topk(2).values // tensor([5., 4.])
   */
  topk(this: Tensor, k: number, dim?: number | { dim?: number; largest?: boolean; sorted?: boolean }, largest?: boolean, sorted?: boolean): ValuesIndices {
    checkInt('topk', 'k', 1, k);
    const o = optArgs('topk', [dim, largest, sorted], { dim: -1, largest: true, sorted: true });
    checkBool('topk', 'largest', o.largest); checkBool('topk', 'sorted', o.sorted);
    const d = dimArg('topk', this, o.dim);
    const n = this.dim() === 0 ? 1 : this._shape[d]!;
    if (k < 0 || k > n) throw new RangeError('selected index k out of range');
    if (this.dim() === 0) return valuesIndices(this.clone(), zeros([], { dtype: 'int64', device: this.device }));
    const idx = sortIndices(this, d, o.largest).narrow(d, 0, k);
    return valuesIndices(this.gather(d, idx), idx);
  }
  /**
   * The `k`-th smallest element (1-based) along `dim` (default -1): `[values, indices]`.
   * Order: (k, dim, keepdim) or `{ dim, keepdim }`.
   * @example torch.tensor([4, 1, 3]).kthvalue(2).values // tensor(3.)
   */
  kthvalue(this: Tensor, k: number, dim?: number | { dim?: number; keepdim?: boolean }, keepdim?: boolean): ValuesIndices {
    checkInt('kthvalue', 'k', 1, k);
    const o = optArgs('kthvalue', [dim, keepdim], { dim: -1, keepdim: false });
    checkBool('kthvalue', 'keepdim', o.keepdim);
    const d = dimArg('kthvalue', this, o.dim);
    const n = this.dim() === 0 ? 1 : this._shape[d]!;
    if (k < 1 || k > n) throw new RangeError(`kthvalue(): selected number k out of range for dimension ${d}`);
    return pick(this, d, sortIndices(this, d, false), positionOf(this, d, k - 1), o.keepdim);
  }
  /**
   * The lower median. Without `dim`: a 0-dim tensor of all elements. With `dim`: `[values, indices]` along it.
   * NaN propagates (the result is NaN where a row has one), as in PyTorch.
   * @example torch.tensor([1, 4, 2, 3]).median() // tensor(2.)
   */
  median(this: Tensor): Tensor;
  median(this: Tensor, dim: number | { dim: number; keepdim?: boolean }, keepdim?: boolean): ValuesIndices;
  median(this: Tensor, dim?: number | { dim?: number; keepdim?: boolean }, keepdim?: boolean): Tensor | ValuesIndices {
    const o = optArgs('median', [dim, keepdim], { dim: null as number | null, keepdim: false });
    checkBool('median', 'keepdim', o.keepdim);
    if (o.dim === null) {
      // NaN, connected to the input's graph as PyTorch's (an empty gradient)
      if (this.numel() === 0) return isFloating(this.dtype) ? this.sum().mul(NaN) : full([], NaN, { dtype: this.dtype, device: this.device });
      return this.reshape([-1]).median(0).values;
    }
    const d = dimArg('median', this, o.dim);
    const n = this.dim() === 0 ? 1 : this._shape[d]!;
    if (n === 0) throw new RangeError(`median(): Expected reduction dim ${d} to have non-zero size.`);
    if (this.dim() === 0) return pick(this, 0, this, this, o.keepdim);
    const idx = sortIndices(this, d, false);
    // NaN sorts last: where a row has NaN, PyTorch returns the first NaN of the sorted row
    const pos = noGrad(() => {
      const nans = this.isnan().sum(d, true);
      return where(nans.gt(0), nans.neg().add(n), Math.floor((n - 1) / 2));
    });
    return pick(this, d, idx, pos, o.keepdim);
  }
  /**
   * The most frequent value along `dim` (default -1) and an index where it occurs: `[values, indices]`. Among
   * values equally frequent the smallest wins; the index is its last occurrence, as PyTorch's CPU kernel.
   * @example torch.tensor([1, 2, 2, 3]).mode().values // tensor(2.)
   */
  mode(this: Tensor, dim?: number | { dim?: number; keepdim?: boolean }, keepdim?: boolean): ValuesIndices {
    const o = optArgs('mode', [dim, keepdim], { dim: -1, keepdim: false });
    checkBool('mode', 'keepdim', o.keepdim);
    const d = dimArg('mode', this, o.dim);
    if (this.dim() === 0) return pick(this, 0, this, this, o.keepdim);
    const n = this._shape[d]!;
    if (n === 0) throw new RangeError(`mode(): Expected reduction dim ${d} to have non-zero size.`);
    const pos = noGrad(() => {
      // runs of equal values in the stably sorted row: the longest run (the first, i.e. smallest value, among
      // equally long ones), and its last element, which is the value's last occurrence in the input
      const xt = this.transpose(d, -1);
      const order = sortIndices(xt, xt.dim() - 1, false);
      const sv = xt.gather(-1, order);
      const lead = full([...sv._shape.slice(0, -1), 1], true, { dtype: 'bool', device: this.device });
      const starts = n > 1 ? cat([lead, sv.narrow(-1, 1, n - 1).ne(sv.narrow(-1, 0, n - 1))], -1) : lead;
      const runId = starts.to('int64').cumsum(-1).sub(1);
      const counts = zeros(sv._shape, { dtype: 'int64', device: this.device }).scatterAdd(-1, runId, full(sv._shape, 1, { dtype: 'int64', device: this.device }));
      const cnt = counts.gather(-1, runId);
      const best = cnt.amax(-1, true);
      const bestRun = where(cnt.eq(best), runId, n).amin(-1, true);
      const ar = arange(n, { device: this.device });
      const lastPos = where(runId.eq(bestRun), ar, -1).amax(-1, true);
      return order.gather(-1, lastPos).transpose(d, -1);
    });
    const idx = pos;
    const values = this.gather(d, idx);
    return o.keepdim ? valuesIndices(values, idx) : valuesIndices(values.squeeze(d), idx.squeeze(d));
  }
  /**
   * The distinct elements, sorted (`torch.unique`). With `returnInverse` also the index of each input element in
   * the result, with `returnCounts` the count of each; with `dim` the distinct slices along it. Returns the
   * tensor alone, or `[output, inverse?, counts?]` as PyTorch's tuple. Order: (sorted, returnInverse,
   * returnCounts, dim) or `{ ... }`. The output size depends on the values, so this reads them (as PyTorch does).
   * @example torch.tensor([2, 1, 2, 3]).unique() // tensor([1., 2., 3.])
   */
  unique(this: Tensor, sorted?: boolean | UniqueOptions, returnInverse?: boolean, returnCounts?: boolean, dim?: number | null): any {
    const o = optArgs('unique', [sorted, returnInverse, returnCounts, dim], { sorted: true, returnInverse: false, returnCounts: false, dim: null as number | null });
    checkBool('unique', 'sorted', o.sorted); checkBool('unique', 'return_inverse', o.returnInverse); checkBool('unique', 'return_counts', o.returnCounts);
    if (this.device.type === 'meta') throw new Error('unique: the output size depends on the values, which a meta tensor does not have');
    const res = noGrad(() => (o.dim === null ? uniqueFlat(this) : uniqueDim(this, dimArg('unique', this, o.dim))));
    if (!o.returnInverse && !o.returnCounts) return res[0];
    const out: Tensor[] = [res[0]];
    if (o.returnInverse) out.push(res[1]);
    if (o.returnCounts) out.push(res[2]);
    return out;
  }
  /**
   * Histogram of `bins` equal bins over [min, max] (the data's range when both are 0); values outside are
   * ignored. Order: (bins = 100, min = 0, max = 0) or `{ bins, min, max }`.
   * @example torch.tensor([1, 2, 1]).histc(4, 0, 3) // tensor([0., 2., 1., 0.])
   */
  histc(this: Tensor, bins?: number | { bins?: number; min?: number; max?: number }, min?: number, max?: number): Tensor {
    const o = optArgs('histc', [bins, min, max], { bins: 100, min: 0, max: 0 });
    checkInt('histc', 'bins', 1, o.bins); checkNumber('histc', 'min', 2, o.min); checkNumber('histc', 'max', 3, o.max);
    if (!isFloating(this.dtype)) throw new TypeError(`"histogram_cpu" not implemented for '${torchTypeName(this.dtype)}'`);
    if (o.bins <= 0) throw new RangeError(`torch.histogram(): bins must be > 0, but got ${o.bins} for dimension 0`);
    if (o.min > o.max) throw new RangeError('torch.histc: max must be larger than min');
    if (!Number.isFinite(o.min) || !Number.isFinite(o.max)) throw new RangeError(`torch.histc: range of [${o.min}, ${o.max}] is not finite`);
    const B = o.bins;
    return noGrad(() => {
      const x = this.reshape([-1]).to('float64');
      let lo: Tensor | number = o.min, hi: Tensor | number = o.max;
      if (o.min === o.max) {
        if (x.numel() === 0) { lo = o.min; hi = o.max; } else { lo = x.amin(); hi = x.amax(); }
        // a degenerate range widens by 1 on each side, as PyTorch
        const l = lo instanceof Tensor ? lo : full([], lo, { dtype: 'float64', device: this.device });
        const h = hi instanceof Tensor ? hi : full([], hi, { dtype: 'float64', device: this.device });
        const eq = l.eq(h);
        lo = where(eq, l.sub(1), l); hi = where(eq, h.add(1), h);
      }
      const loT = lo instanceof Tensor ? lo : full([], lo, { dtype: 'float64', device: this.device });
      const hiT = hi instanceof Tensor ? hi : full([], hi, { dtype: 'float64', device: this.device });
      const inside = x.ge(loT).logicalAnd(x.le(hiT));
      // bin = floor((x − min) / (max − min) · bins), the right edge in the last bin (PyTorch's formula)
      let bin = x.sub(loT).div(hiT.sub(loT)).mul(B).floor().clamp(0, B - 1);
      bin = where(inside, bin, 0).to('int64');
      const ones = inside.to(this.dtype);
      return zeros([B], { dtype: this.dtype, device: this.device }).scatterAdd(0, bin, ones);
    });
  }
}
installTensorMethods(SortingOps);

/** Options of `unique`. */
export interface UniqueOptions { sorted?: boolean; returnInverse?: boolean; returnCounts?: boolean; dim?: number | null }

/** [values, inverse (input's shape), counts] of the flattened input. */
function uniqueFlat(x: Tensor): [Tensor, Tensor, Tensor] {
  const flat = x.reshape([-1]);
  const n = flat.numel();
  if (n === 0) {
    return [flat.clone(), zeros(x._shape, { dtype: 'int64', device: x.device }), zeros([0], { dtype: 'int64', device: x.device })];
  }
  const idx = sortIndices(flat, 0, false);
  const s = flat.gather(0, idx);
  // a run starts where an element differs from the previous one (NaNs stay distinct, as PyTorch's sort-based unique)
  const starts = cat([full([1], true, { dtype: 'bool', device: x.device }), s.narrow(0, 1, n - 1).ne(s.narrow(0, 0, n - 1))]);
  const startPos = nonzeroFlat(starts);
  const values = s.indexSelect(0, startPos);
  const runId = starts.to('int64').cumsum(0).sub(1);
  const inverse = zeros([n], { dtype: 'int64', device: x.device }).scatter(0, idx, runId).reshape(x._shape);
  const counts = cat([startPos, full([1], n, { dtype: 'int64', device: x.device })]).diff();
  return [values, inverse, counts];
}

/** [values, inverse [size along d], counts] of the distinct slices along `d`, in lexicographic order. */
function uniqueDim(x: Tensor, d: number): [Tensor, Tensor, Tensor] {
  const n = x._shape[d]!;
  if (n === 0) return [x.clone(), zeros([0], { dtype: 'int64', device: x.device }), zeros([0], { dtype: 'int64', device: x.device })];
  const rows = x.permute([d, ...x._shape.map((_, i) => i).filter((i) => i !== d)]).reshape([n, -1]);
  const m = rows._shape[1]!;
  // lexicographic order by stable sorts on each column, last column first
  let perm = arange(n, { device: x.device });
  for (let c = m - 1; c >= 0; c--) {
    const col = rows.select(1, c).indexSelect(0, perm);
    perm = perm.indexSelect(0, sortIndices(col, 0, false));
  }
  const s = rows.indexSelect(0, perm);
  const differs = n > 1 ? (m === 0 ? zeros([n - 1], { dtype: 'bool', device: x.device }) : s.narrow(0, 1, n - 1).ne(s.narrow(0, 0, n - 1)).any(1)) : zeros([0], { dtype: 'bool', device: x.device });
  const starts = cat([full([1], true, { dtype: 'bool', device: x.device }), differs]);
  const startPos = nonzeroFlat(starts);
  const runId = starts.to('int64').cumsum(0).sub(1);
  const inverse = zeros([n], { dtype: 'int64', device: x.device }).scatter(0, perm, runId);
  const counts = cat([startPos, full([1], n, { dtype: 'int64', device: x.device })]).diff();
  const sorted = x.indexSelect(d, perm);
  return [sorted.indexSelect(d, startPos), inverse, counts];
}

/** Options of `searchsorted`. */
export interface SearchsortedOptions { outInt32?: boolean; right?: boolean; side?: 'left' | 'right' | null; sorter?: Tensor | null }

/**
 * For each of `values`, the index at which it would be inserted into `sortedSequence` (sorted along its last
 * dim) to keep it sorted: the first such index, or the last with `right` (or `side: 'right'`). A 1-D sequence
 * serves every value; otherwise the leading dims of sequence and values must match. `sorter` gives the
 * permutation that sorts an unsorted sequence. Order: (sortedSequence, values, outInt32, right, side, sorter).
 * @example torch.searchsorted(torch.tensor([1, 3, 5]), torch.tensor([3, 6])) // tensor([1, 3])
 */
export function searchsorted(sortedSequence: Tensor, values: Tensor | number, outInt32?: boolean | SearchsortedOptions, right?: boolean, side?: 'left' | 'right' | null, sorter?: Tensor | null): Tensor {
  checkTensor('searchsorted', 'sorted_sequence', 1, sortedSequence);
  const o = optArgs('searchsorted', [outInt32, right, side, sorter], { outInt32: false, right: false, side: null as 'left' | 'right' | null, sorter: null as Tensor | null });
  checkBool('searchsorted', 'out_int32', o.outInt32); checkBool('searchsorted', 'right', o.right);
  if (o.side !== null && o.side !== 'left' && o.side !== 'right') throw new RangeError(`torch.searchsorted(): side can only be 'left' or 'right' but got ${String(o.side)}`);
  if (o.side === 'left' && o.right) throw new RangeError("torch.searchsorted(): side and right can't be set to opposites, got side of left while right was True");
  const useRight = o.right || o.side === 'right';
  const scalar = !(values instanceof Tensor);
  const v = values instanceof Tensor ? values : full([], checkNumber('searchsorted', 'values', 2, values) as number, { dtype: sortedSequence.dtype, device: sortedSequence.device });
  const seq0 = sortedSequence;
  if (seq0.dim() === 0) throw new RangeError('torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 dimension');
  if (seq0.dim() > 1 && (v.dim() !== seq0.dim() || v._shape.slice(0, -1).some((s, i) => s !== seq0._shape[i]))) {
    throw new RangeError(`torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input value tensor must match, but we got boundaries tensor [${seq0._shape.join(', ')}] and input value tensor [${v._shape.join(', ')}]`);
  }
  let seq = seq0;
  if (o.sorter !== null) {
    checkTensor('searchsorted', 'sorter', 6, o.sorter);
    if (o.sorter.dtype !== 'int64') throw new TypeError(`torch.searchsorted(): sorter must be a tensor of long dtype but got dtype ${torchTypeName(o.sorter.dtype)}`);
    if (o.sorter._shape.length !== seq0._shape.length || o.sorter._shape.some((s, i) => s !== seq0._shape[i])) {
      throw new RangeError(`torch.searchsorted(): boundary and sorter must have the same size, but got boundary tensor [${seq0._shape.join(', ')}]and got sorter tensor [${o.sorter._shape.join(', ')}]`);
    }
    seq = seq0.gather(-1, o.sorter);
  }
  const outDt: DType = o.outInt32 ? 'int32' : 'int64';
  return noGrad(() => {
    // PyTorch's binary search, run for every value at once: ⌊log₂ m⌋ + 1 halvings of [start, end) with the
    // predicate !(b[mid] >= v) (left) or !(b[mid] > v) (right), so NaN values and NaN boundaries land where its
    // search puts them. O(values · log m) work and O(values) memory.
    const m = seq._shape[seq.dim() - 1]!;
    const flat = seq.dim() === 1 ? v.reshape([-1]) : v;
    let start = zeros(flat._shape, { dtype: 'int64', device: v.device });
    let end = full(flat._shape, m, { dtype: 'int64', device: v.device });
    for (let span = m; span > 0; span = Math.floor(span / 2)) {
      const active = start.lt(end);
      const mid = start.add(end.sub(start).floorDivide(2));
      const bm = seq.gather(-1, mid.clamp(0, Math.max(m - 1, 0)));
      const below = (useRight ? bm.gt(flat) : bm.ge(flat)).logicalNot();
      start = where(active.logicalAnd(below), mid.add(1), start);
      end = where(active.logicalAnd(below.logicalNot()), mid, end);
    }
    const r = start.to(outDt);
    return scalar ? r.reshape([]) : seq.dim() === 1 ? r.reshape(v._shape) : r;
  });
}

/**
 * The index of the bucket of each element of `input` given sorted 1-D `boundaries`: i with
 * boundaries[i−1] < x ≤ boundaries[i] (or boundaries[i−1] ≤ x < boundaries[i] with `right`).
 * Order: (input, boundaries, outInt32, right) or `{ outInt32, right }`.
 * @example torch.bucketize(torch.tensor([1, 5, 9]), torch.tensor([2, 4, 6, 8])) // tensor([0, 2, 4])
 */
export function bucketize(input: Tensor | number, boundaries: Tensor, outInt32?: boolean | { outInt32?: boolean; right?: boolean }, right?: boolean): Tensor {
  checkTensor('bucketize', 'boundaries', 2, boundaries);
  const o = optArgs('bucketize', [outInt32, right], { outInt32: false, right: false });
  if (boundaries.dim() !== 1) throw new RangeError(`boundaries tensor must be 1 dimension, but got dim(${boundaries.dim()})`);
  return searchsorted(boundaries, input, { outInt32: o.outInt32, right: o.right });
}
