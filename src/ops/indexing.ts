/**
 * Indexing: gather, scatter (out of place, in place, with addition), indexSelect, the masked operations
 * (maskedFill, maskedSelect, maskedScatter), Python's indexing (`index`/`at` to read, `indexPut_`/`put_` to write:
 * ints, slices, None, `...`, integer tensors, boolean masks) and the index-family ops built on it (take, put_,
 * nonzero, indexAdd, indexCopy, indexFill).
 *
 * Python indexing in two steps, as PyTorch's `applySlicing` + `index`: the basic items (ints, slices, None, `...`)
 * make a view with the view methods (select/slice/unsqueeze, each recorded by its own rule), then the advanced
 * items (index tensors, masks turned into index tensors by `nonzero`) are applied to that view by one gather over
 * the view's storage at computed element offsets (recorded as `index`, PyTorch's IndexBackward0), or written by one
 * scatter at those offsets (`indexPut`, IndexPutBackward0). The offsets are built with device ops: each index
 * tensor is looked up in a table of `stride·i` by the gather kernel, which is also what checks its bounds (no host
 * read of index values; only masks are read, as PyTorch's nonzero synchronises too).
 */
import { noGrad } from '../autograd/grad_mode.js';
import { Tensor, bumpVersion } from '../tensor.js';
import { broadcastShapes, normDim } from '../shape.js';
import { installTensorMethods } from './registry.js';
import { isPlainObject, wrapScalar, newTensor } from './common.js';
import { checkSameDevice, commonDevice, onDevice } from './device.js';
import { record, needsGrad } from './autograd.js';
import { where } from './elementwise.js';
import { checkWritable, writeWithHistory } from './inplace.js';
import { tensor } from './creation.js';
import { checkFits, checkInt, checkOperand, checkTensor } from './args.js';
import { checkOptions } from '../_options.js';
import type { Layout } from '../backend/types.js';
import { fmtShape } from '../shape.js';
import { arange, zeros } from './creation.js';
import { cat, stack } from './views.js';
import { torchTypeName } from './common.js';
import { Ellipsis, EllipsisIndex, SliceIndex, parseIndexExpr } from './index_expr.js';
import type { IndexItem } from './index_expr.js';

export function checkIndex(name: string, x: Tensor, dim: number, index: Tensor): void {
  checkInt(name, 'dim', 1, dim);
  checkTensor(name, 'index', 2, index);
  if (index.dtype !== 'int64') throw new TypeError(`${name}(): Expected dtype int64 for index`);
  const xd = Math.max(x.dim(), 1), id = Math.max(index.dim(), 1);
  if (xd !== id && !(index.numel() === 0)) {
    throw new RangeError(`Index tensor must have the same number of dimensions as ${name === 'gather' ? 'input' : 'self'} tensor`);
  }
  const d = normDim(dim, x.dim());
  for (let k = 0; k < index.dim(); k++) {
    if (k === d) continue;
    if (index._shape[k]! > (x._shape[k] ?? 1)) {
      throw new RangeError(`Size does not match at dimension ${k} expected index [${index._shape.join(', ')}] to be smaller than self [${x._shape.join(', ')}] apart from dimension ${d}`);
    }
  }
}

export function scatterImpl(self: Tensor, dim: number, index: Tensor, srcArg: Tensor | number | { value?: number; src?: Tensor; reduce?: 'add' }, inPlace: boolean, kind: 'scatter' | 'scatterAdd'): Tensor {
  let src: Tensor | null = null, value = 0, reduce: 'none' | 'add' = kind === 'scatterAdd' ? 'add' : 'none';
  if (srcArg instanceof Tensor) src = srcArg;
  else if (isPlainObject(srcArg)) {
    checkOptions(kind === 'scatter' ? 'scatter' : 'scatter_add', srcArg, ['src', 'value', 'reduce']);
    src = srcArg.src ?? null; value = srcArg.value ?? 0;
    if (srcArg.reduce !== undefined && srcArg.reduce !== 'add') throw new RangeError(`reduce argument must be either add or multiply, got ${String(srcArg.reduce)}`);
    if (srcArg.reduce === 'add') reduce = 'add';
    if (src !== null) checkTensor('scatter', 'src', 3, src); else checkOperand('scatter', 'value', 3, value);
  } else value = checkOperand(kind === 'scatter' ? 'scatter' : 'scatter_add', 'src', 3, srcArg) as number;
  checkIndex(kind === 'scatter' ? 'scatter' : 'scatter_add', self, dim, index);
  checkSameDevice(self, index);
  if (src !== null) checkSameDevice(self, src);
  const d = normDim(dim, self.dim());
  if (src !== null) {
    if (src.dtype !== self.dtype) throw new TypeError(`scatter(): Expected self.dtype to be equal to src.dtype`);
    for (let k = 0; k < index.dim(); k++) {
      if (index._shape[k]! > (src._shape[k] ?? 1)) {
        throw new RangeError(`Size does not match at dimension ${k} expected index [${index._shape.join(', ')}] to be smaller than src [${src._shape.join(', ')}]`);
      }
    }
  }
  const run = (dst: Tensor) => {
    const x = dst.dim() === 0 ? dst.reshape([1]) : dst;
    const idx = index.dim() === 0 ? index.reshape([1]) : index;
    const s = src === null ? null : src.dim() === 0 ? src.reshape([1]) : src;
    x._backend.scatter(x._s, x.layout, d, idx._s, idx.layout, s ? s._s : null, s ? s.layout : null, value, reduce);
    bumpVersion(x);
  };
  if (needsGrad(self, src)) {
    if (inPlace && self._gradFn === null && self._requiresGrad) throw new Error('a leaf Variable that requires grad is being used in an in-place operation.');
    const base = inPlace ? self.clone() : self;
    const out = noGrad(() => base.detach());
    run(out);
    const r = record(reduce === 'add' ? 'scatterAdd' : 'scatter', out, [base, null, src], [index], { dim: d });
    if (!inPlace) return r;
    writeWithHistory(self, r);
    return self;
  }
  checkWritable(self);
  run(self);
  return self;
}

/**
 * Flat indices of the non-zero elements. Reads the mask on the host: the number of results decides the output's
 * shape, so nonzero/maskedSelect need the values before anything can be allocated (PyTorch synchronises here too).
 */
export function nonzeroFlat(m: Tensor): Tensor {
  const v = m.dataSync();
  const idx: number[] = [];
  for (let i = 0; i < v.length; i++) if (v[i]) idx.push(i);
  return tensor(idx, { dtype: 'int64', device: m.device });
}

// ---------------------------------------------------------------------------------------------------------------
// Python indexing

/** The advanced part of an index: index tensors (int64, any shapes that broadcast together) on dims of a view. */
export interface AdvIndex {
  /** the dims of the view the index tensors index, ascending */
  dims: number[];
  /** one int64 index tensor per dim (negative values count from the end) */
  idxs: Tensor[];
  /** the broadcast shape of the index tensors */
  shape: number[];
}

/** The message for an index `k` out of range of a dim of `size`, for the `j`-th index tensor. */
type BoundsMessage = (k: number, j: number, size: number) => string;
const advBounds: BoundsMessage = (k, j, size) => (size === 0 ? 'index is out of bounds for dimension with size 0' : `index ${k} is out of bounds for dimension ${j} with size ${size}`);

/**
 * `stride·idx` for an int64 index tensor into a dim of `size` (negative indices wrapped when `negative`), checked by
 * the gather kernel: the table of `stride·i` is gathered at the indices, so an index out of range fails in the
 * kernel (never read on the host) and its message is reworded by `msg`.
 */
function lookup(idx: Tensor, size: number, stride: number, negative: boolean, j: number, msg: BoundsMessage): Tensor {
  let table = arange(size, { dtype: 'int64', device: idx.device });
  if (stride !== 1) table = table.mul(stride);
  const flat = idx.reshape([-1]);
  try {
    // [-size, size) is looked up in the table written twice, at idx + size
    const g = negative ? cat([table, table]).gather(0, flat.add(size)) : table.gather(0, flat);
    return g.reshape(idx._shape);
  } catch (e) {
    const m = e instanceof RangeError ? /index (-?\d+) is out of bounds/.exec(e.message) : null;
    if (m !== null) throw new RangeError(msg(Number(m[1]) - (negative ? size : 0), j, size));
    throw e;
  }
}

/** The shape of `t` indexed by `adv` and where its dims go: PyTorch's rule (adjacent index dims stay in place). */
function advShape(t: Tensor, adv: AdvIndex): { shape: number[]; at: number; rest: [dim: number, pos: number][] } {
  const { dims } = adv;
  const B = adv.shape, k = dims.length;
  const adjacent = dims.every((d, i) => i === 0 || d === dims[i - 1]! + 1);
  const at = adjacent ? dims[0]! : 0;
  const rest: [number, number][] = [];
  const others = t._shape.map((_, d) => d).filter((d) => !dims.includes(d));
  for (const [i, d] of others.entries()) {
    rest.push([d, adjacent ? (d < at ? d : d - k + B.length) : B.length + i]);
  }
  const shape = adjacent
    ? [...t._shape.slice(0, at), ...B, ...t._shape.slice(dims[k - 1]! + 1)]
    : [...B, ...others.map((d) => t._shape[d]!)];
  return { shape, at, rest };
}

/** The storage offsets (int64, contiguous, the indexed shape) of the elements of `t` that `adv` selects. */
function advOffsets(t: Tensor, adv: AdvIndex, negative = true, msg: BoundsMessage = advBounds): { off: Tensor; shape: number[] } {
  return noGrad(() => {
    const { shape, at, rest } = advShape(t, adv);
    const R = shape.length;
    const ones = (n: number): number[] => new Array<number>(n).fill(1);
    let off = lookup(adv.idxs[0]!, t._shape[adv.dims[0]!]!, t._strides[adv.dims[0]!]!, negative, 0, msg);
    for (let j = 1; j < adv.dims.length; j++) {
      off = off.add(lookup(adv.idxs[j]!, t._shape[adv.dims[j]!]!, t._strides[adv.dims[j]!]!, negative, j, msg));
    }
    off = off.reshape([...ones(at), ...adv.shape, ...ones(R - at - adv.shape.length)]);
    for (const [d, pos] of rest) {
      const sh = ones(R); sh[pos] = t._shape[d]!;
      off = off.add(arange(t._shape[d]!, { dtype: 'int64', device: t.device }).mul(t._strides[d]!).reshape(sh));
    }
    if (t._offset !== 0) off = off.add(t._offset);
    return { off: off.expand(shape).contiguous(), shape };
  });
}

/** The whole storage of `t` as one 1-D layout (gather/scatter at storage offsets). */
function storageLayout(t: Tensor): Layout { return { shape: [t._s.length], strides: [1], offset: 0 }; }

/** Reads `t[adv]` (a copy), recorded as `index` (IndexBackward0). */
export function advIndex(t: Tensor, adv: AdvIndex, negative = true, msg: BoundsMessage = advBounds): Tensor {
  const { off, shape } = advOffsets(t, adv, negative, msg);
  const flat = off.reshape([-1]);
  const out = newTensor(t._backend.gather(t._s, storageLayout(t), 0, flat._s, flat.layout), shape, t);
  return needsGrad(t) ? record('index', out, [t], adv.idxs, { dims: adv.dims, idxShape: adv.shape, shape: [...t._shape] }) : out;
}

/** Writes (or adds) `values` (already of the indexed shape's broadcastable shape and t's dtype) at `off` in t's storage. */
function scatterAt(t: Tensor, off: Tensor, values: Tensor | number, accumulate: boolean): void {
  const flat = off.reshape([-1]);
  if (flat.numel() > 0) {
    if (typeof values === 'number') {
      t._backend.scatter(t._s, storageLayout(t), 0, flat._s, flat.layout, null, null, values, accumulate ? 'add' : 'none');
    } else {
      noGrad(() => {
        let v = values.expand(off._shape);
        if (v._s === t._s || !v.isContiguous()) v = v.clone(); // a source over the written memory is read first
        v = v.reshape([-1]);
        t._backend.scatter(t._s, storageLayout(t), 0, flat._s, flat.layout, v._s, v.layout, 0, accumulate ? 'add' : 'none');
      });
    }
  }
  bumpVersion(t);
}

/** `t` with `values` written (or added) at `adv`, out of place, recorded as `indexPut` (IndexPutBackward0). */
export function advPut(t: Tensor, adv: AdvIndex, values: Tensor | number, accumulate: boolean, negative = true, msg: BoundsMessage = advBounds): Tensor {
  const r = noGrad(() => t.detach().clone());
  scatterAt(r, advOffsets(r, adv, negative, msg).off, values, accumulate);
  const vt = values instanceof Tensor ? values : null;
  return needsGrad(t, vt) ? record('indexPut', r, [t, vt], adv.idxs, { dims: adv.dims, idxShape: adv.shape, accumulate }) : r;
}

/** In place `t[adv] = values` (or `+=` with accumulate); under autograd PyTorch's IndexPutBackward0 (CopySlices for a view). */
export function advPut_(t: Tensor, adv: AdvIndex, values: Tensor | number, accumulate: boolean, negative = true, msg: BoundsMessage = advBounds): Tensor {
  checkWritable(t);
  const vt = values instanceof Tensor ? values : null;
  if (needsGrad(t, vt)) {
    // bounds are checked (by computing the offsets) before anything is written
    writeWithHistory(t, advPut(t, adv, values, accumulate, negative, msg));
    return t;
  }
  scatterAt(t, advOffsets(t, adv, negative, msg).off, values, accumulate);
  return t;
}

/** The coordinates of the true elements of a bool tensor: one int64 tensor [n] per dim (reads the mask: nonzero). */
function maskCoords(m: Tensor): Tensor[] {
  if (m.device.type === 'meta') throw new Error('indexing with a boolean mask: the output size depends on the mask values, which a meta tensor does not have');
  const flat = nonzeroFlat(m.dim() === 0 ? m.reshape([1]) : m);
  if (m.dim() === 0) return [flat];
  let stride = 1;
  const out: Tensor[] = new Array<Tensor>(m.dim());
  for (let d = m.dim() - 1; d >= 0; d--) {
    let c = stride === 1 ? flat : flat.floorDivide(stride);
    if (d > 0) c = c.remainder(m._shape[d]!);
    out[d] = c;
    stride *= m._shape[d]!;
  }
  return out;
}

const badItem = (v: unknown): TypeError => new TypeError(
  `only integers, slices (\`:\`), ellipsis (\`...\`), None and long or byte Variables are valid indices (got ${v === undefined ? 'undefined' : typeof v === 'number' ? 'float' : v instanceof Object ? v.constructor.name : typeof v})`);

/** A JavaScript list index (Python's `x[[0, 2]]`): an int64 tensor, or a bool mask for a list of booleans. */
function listIndex(v: readonly unknown[], like: Tensor): Tensor {
  const leaves = (v as unknown[]).flat(Infinity);
  const bool = leaves.length > 0 && typeof leaves[0] === 'boolean';
  for (const e of leaves) {
    if (bool ? typeof e !== 'boolean' : !(typeof e === 'number' && Number.isInteger(e))) {
      // Python makes a float tensor of such a list, which is not a valid index
      if (typeof e === 'number' || typeof e === 'boolean') throw new RangeError('tensors used as indices must be long, byte or bool tensors');
      throw badItem(e);
    }
  }
  return tensor(v as never, { dtype: bool ? 'bool' : 'int64', device: like.device });
}

/**
 * Applies the basic items (ints, slices, None, `...`) of a Python index to `x` as a view and collects the advanced
 * ones (index tensors, masks as their nonzero coordinates) on the dims of that view.
 */
export function planIndex(x: Tensor, raw: readonly IndexItem[]): { view: Tensor; adv: AdvIndex | null } {
  if (!Array.isArray(raw)) throw new TypeError(`index(): argument 'indices' must be an array of index items, not ${raw === null ? 'null' : typeof raw}`);
  const items = raw.map((it): unknown => {
    if (it === '...') return Ellipsis;
    if (Array.isArray(it)) return listIndex(it, x);
    if (typeof it === 'boolean') return tensor(it, { device: x.device });
    if (typeof it === 'number' && !Number.isInteger(it)) throw badItem(it);
    if (it === undefined) throw badItem(it);
    if (it !== null && typeof it === 'object' && !(it instanceof SliceIndex) && !(it instanceof EllipsisIndex) && !(it instanceof Tensor)) throw badItem(it);
    if (typeof it === 'string') throw badItem(it);
    return it;
  });
  let consumed = 0;
  for (const it of items) {
    if (typeof it === 'number' || it instanceof SliceIndex) consumed++;
    else if (it instanceof Tensor) consumed += it.dtype === 'bool' ? it.dim() : 1;
  }
  // (several ellipses are allowed, as in PyTorch: each skips the dims the other items leave)
  if (consumed > x.dim()) throw new RangeError(`too many indices for tensor of dimension ${x.dim()}`);
  let v = x, d = 0;
  const dims: number[] = [], idxs: Tensor[] = [];
  for (const it of items) {
    if (it instanceof EllipsisIndex) { d += x.dim() - consumed; continue; }
    if (it === null) { v = v.unsqueeze(d); d++; continue; }
    if (typeof it === 'number') {
      const size = v._shape[d] ?? 0;
      if (it < -size || it >= size) throw new RangeError(`index ${it} is out of bounds for dimension ${d} with size ${size}`);
      v = v.select(d, it);
      continue;
    }
    if (it instanceof SliceIndex) {
      const step = it.step ?? 1;
      if (step === 0) throw new RangeError('slice step cannot be zero');
      if (step < 0) throw new RangeError('step must be greater than zero');
      v = v.slice(d, it.start, it.stop, step);
      d++;
      continue;
    }
    const t = onDevice(it as Tensor, x.device);
    if (t.dtype === 'bool') {
      if (t.dim() === 0) { v = v.unsqueeze(d); dims.push(d); idxs.push(maskCoords(t)[0]!); d++; continue; }
      for (let j = 0; j < t.dim(); j++) {
        if (t._shape[j] !== v._shape[d + j]) {
          throw new RangeError(`The shape of the mask ${fmtShape(t._shape)} at index ${j} does not match the shape of the indexed tensor ${fmtShape(v._shape)} at index ${d + j}`);
        }
      }
      for (const c of maskCoords(t)) { dims.push(d); idxs.push(c); d++; }
      continue;
    }
    if (t.dtype !== 'int64') throw new RangeError('tensors used as indices must be long, byte or bool tensors');
    dims.push(d); idxs.push(t); d++;
  }
  if (idxs.length === 0) return { view: v, adv: null };
  let shape: number[];
  try { shape = broadcastShapes(...idxs.map((i) => i._shape)); }
  catch { throw new RangeError(`shape mismatch: indexing tensors could not be broadcast together with shapes ${idxs.map((i) => fmtShape(i._shape)).join(', ')}`); }
  return { view: v, adv: { dims, idxs, shape } };
}

/**
 * Python's legacy rule (NumPy's too): a single list index that holds lists is read as a tuple of indices, so
 * `x[[[0, 1], [2, 2]]]` is `x[[0, 1], [2, 2]]`.
 */
function sequenceAsTuple(items: readonly IndexItem[]): readonly IndexItem[] {
  if (!Array.isArray(items) || items.length !== 1) return items;
  const only = items[0];
  return Array.isArray(only) && only.some((e) => Array.isArray(e)) ? only as IndexItem[] : items;
}

/** Drops leading size-1 dims of an assigned value (Python's setitem does, so `x[0] = v[None]` works). */
function stripLeadingOnes(v: Tensor): Tensor {
  let k = 0;
  while (k < v.dim() && v._shape[k] === 1) k++;
  return k === 0 ? v : v.reshape(v._shape.slice(k));
}

/** `x[items] = values` (or `+=` with accumulate), in place: Python's setitem / libtorch's `index_put_`. */
export function indexPutImpl(x: Tensor, rawItems: readonly IndexItem[], values: unknown, accumulate: boolean, fn = 'index_put_'): Tensor {
  const items = sequenceAsTuple(rawItems);
  // a JavaScript array value is a tensor of x's dtype (Python's `x[0] = [1, 2]`)
  if (Array.isArray(values)) values = tensor(values as never, { dtype: x.dtype, device: x.device });
  if (!(values instanceof Tensor) && typeof values !== 'number' && typeof values !== 'boolean') {
    throw new TypeError(`${fn}(): argument 'values' must be Tensor or a number, not ${values === null ? 'None' : typeof values}`);
  }
  if (typeof accumulate !== 'boolean') throw new TypeError(`${fn}(): argument 'accumulate' must be bool, not ${typeof accumulate}`);
  // x[mask] = number outside autograd (`x[x < 0] = 0` in data code) is a masked fill: no host read of the mask
  const only = items.length === 1 ? items[0] : undefined;
  if (only instanceof Tensor && only.dtype === 'bool' && only.dim() > 0 && (typeof values === 'number' || typeof values === 'boolean')
    && !accumulate && !needsGrad(x) && only.dim() <= x.dim() && only._shape.every((n, i) => n === x._shape[i]) && only.device.equals(x.device)) {
    x.maskedFill_(only.reshape([...only._shape, ...new Array<number>(x.dim() - only.dim()).fill(1)]), Number(values));
    return x;
  }
  const planned = planIndex(x, items);
  const adv = planned.adv;
  // writing all of x goes through a view of it, so x's previous history gets a zero gradient (PyTorch's
  // CopyBackwards) rather than being dropped
  const view = planned.view === x && adv === null ? x.view(x._shape) : planned.view;
  if (adv === null) {
    if (!(values instanceof Tensor)) {
      const n = Number(values);
      return (accumulate ? view.add_(n) : view.fill_(n)), x;
    }
    const v = stripLeadingOnes(values);
    v.expand(view._shape); // PyTorch's message when the value does not broadcast
    if (accumulate) view.add_(v); else view.copy_(v);
    return x;
  }
  let val: Tensor | number;
  if (values instanceof Tensor) {
    const v = stripLeadingOnes(onDevice(values, x.device));
    if (v.dtype !== x.dtype) {
      throw new TypeError(`Index put requires the source and destination dtypes match, got ${torchTypeName(x.dtype)} for the destination and ${torchTypeName(v.dtype)} for the source.`);
    }
    const shape = advShape(view, adv).shape;
    const bs = (() => { try { return broadcastShapes(shape, v._shape); } catch { return null; } })();
    if (bs === null || bs.length !== shape.length || bs.some((s, i) => s !== shape[i])) {
      throw new RangeError(`shape mismatch: value tensor of shape ${fmtShape(v._shape)} cannot be broadcast to indexing result of shape ${fmtShape(shape)}`);
    }
    val = v;
  } else {
    val = Number(values);
  }
  advPut_(view, adv, val, accumulate);
  return x;
}

/** `x[items]`: a view for basic items, a copy (IndexBackward0) with index tensors or masks. */
export function indexImpl(x: Tensor, items: readonly IndexItem[]): Tensor {
  const its = sequenceAsTuple(items);
  // x[mask] with a mask of x's shape outside autograd: maskedSelect (one read of the mask, one gather)
  const only = its.length === 1 ? its[0] : undefined;
  if (only instanceof Tensor && only.dtype === 'bool' && only.dim() > 0 && only.dim() === x.dim() && !needsGrad(x)
    && only._shape.every((n, i) => n === x._shape[i]) && only.device.equals(x.device)) {
    return x.maskedSelect(only);
  }
  const { view, adv } = planIndex(x, its);
  if (adv === null) return view === x ? x.view(x._shape) : view;
  return advIndex(view, adv);
}

/** The index along `dim` of indexAdd/indexCopy/indexFill: a 0-dim or 1-D int64 (or int32) tensor, as [n] int64. */
function dimIndex(fn: string, x: Tensor, dim: number, index: unknown): { d: number; idx: Tensor } {
  checkInt(fn, 'dim', 1, dim);
  const idx = checkTensor(fn, 'index', 2, index);
  if (idx.dim() > 1) throw new RangeError(`${fn}(): Index is supposed to be a vector`);
  if (idx.dtype !== 'int64' && idx.dtype !== 'int32') throw new TypeError(`${fn}(): Expected dtype int32/int64 for index`);
  checkSameDevice(x, idx);
  const d = x.dim() === 0 ? normDim(dim, 1) : normDim(dim, x.dim());
  return { d, idx: idx.to('int64').reshape([-1]) };
}

/** indexAdd_/indexCopy_ (out of place with a clone): `source` written or added at `index` along `dim`. */
function indexAddCopy(fn: 'index_add_' | 'index_copy_', self: Tensor, dim: number, index: Tensor, source: Tensor, alpha: number, inPlace: boolean): Tensor {
  const { d, idx } = dimIndex(fn, self, dim, index);
  const src = checkTensor(fn, 'source', 3, source);
  checkSameDevice(self, src);
  if (src.dtype !== self.dtype) {
    throw new TypeError(fn === 'index_add_' ? `${fn}(): self (${torchTypeName(self.dtype)}) and source (${torchTypeName(src.dtype)}) must have the same scalar type`
      : `${fn}(): self and source expected to have the same dtype, but got (self) ${torchTypeName(self.dtype)} and (source) ${torchTypeName(src.dtype)}`);
  }
  const x = self.dim() === 0 ? self.reshape([1]) : self;
  const s = src.dim() === 0 ? src.reshape([1]) : src;
  if (s.dim() !== x.dim() && !(self.dim() === 0 || src.dim() === 0)) {
    throw new RangeError(fn === 'index_add_' ? `${fn}(): Source/destination tensor must have same slice shapes. Destination slice shape: ${fmtShape(x._shape.filter((_, k) => k !== d))} at dimension ${d} and source slice shape: ${fmtShape(s._shape.filter((_, k) => k !== d))} at dimension 0.`
      : `${fn}(): When source and destination are not scalars, their dimensionality must match. Source dimensionality (${s.dim()}), destination dimensionality (${x.dim()})`);
  }
  const n = idx.numel();
  if (s._shape[d] !== n) {
    throw new RangeError(fn === 'index_add_' ? `${fn}(): Number of indices (${n}) should be equal to source.size(dim): (${s._shape[d]}), for dim: ${d}`
      : `${fn}(): Number of indices (${n}) should be equal to source.size(dim) (${s._shape[d]})`);
  }
  for (let k = 0; k < x.dim(); k++) {
    if (k !== d && s._shape[k] !== x._shape[k]) {
      throw new RangeError(fn === 'index_add_' ? `${fn}(): Source/destination tensor must have same slice shapes. Destination slice shape: ${fmtShape(x._shape.filter((_, j) => j !== d))} at dimension ${d} and source slice shape: ${fmtShape(s._shape.filter((_, j) => j !== d))} at dimension ${d}.`
        : `${fn}(): Source/destination tensor must have same slice shapes. Destination slice shape: ${fmtShape(x._shape.filter((_, j) => j !== d))} at dimension ${d} and source slice shape: ${fmtShape(s._shape.filter((_, j) => j !== d))} at dimension ${d}.`);
    }
  }
  const size = x._shape[d]!;
  const msg: BoundsMessage = fn === 'index_add_' ? () => 'index out of range in self'
    : (k) => `index_copy_(): index ${k} is out of bounds for dimension ${d} with size ${size}`;
  const adv: AdvIndex = { dims: [d], idxs: [idx], shape: [n] };
  const v = fn === 'index_add_' && alpha !== 1 ? s.mul(alpha) : s;
  if (inPlace) { advPut_(x, adv, v, fn === 'index_add_', false, msg); return self; }
  const r = advPut(x, adv, v, fn === 'index_add_', false, msg);
  return self.dim() === 0 ? r.reshape([]) : r;
}

function indexFillImpl(self: Tensor, dim: number, index: Tensor, value: number | boolean | Tensor, inPlace: boolean): Tensor {
  const { d, idx } = dimIndex('index_fill_', self, dim, index);
  checkOperand('index_fill_', 'value', 3, value);
  let v: number | Tensor;
  if (value instanceof Tensor) {
    if (value.dim() !== 0) throw new RangeError(`index_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value.dim()} dimension(s).`);
    v = onDevice(value, self.device).to(self.dtype);
  } else v = Number(value);
  const x = self.dim() === 0 ? self.reshape([1]) : self;
  const adv: AdvIndex = { dims: [d], idxs: [idx], shape: [idx.numel()] };
  const msg: BoundsMessage = (k, _j, size) => `index ${k} is out of bounds for dimension ${d} with size ${size}`;
  if (v instanceof Tensor) {
    // a tensor value: where(filled, value, self), so its gradient sums each filled position once however often
    // the index repeats it (PyTorch's rule uses the unique indices)
    const m = noGrad(() => advPut(zeros(x._shape, { dtype: 'bool', device: x.device }), adv, 1, false, true, msg));
    const r = where(m, v, x);
    if (!inPlace) return self.dim() === 0 ? r.reshape([]) : r;
    checkWritable(self);
    if (needsGrad(self, v)) { writeWithHistory(self, r.reshape(self._shape)); return self; }
    self._backend.copy(r._s, r.layout, self._s, self.layout);
    bumpVersion(self);
    return self;
  }
  if (inPlace) { advPut_(x, adv, v, false, true, msg); return self; }
  const r = advPut(x, adv, v, false, true, msg);
  return self.dim() === 0 ? r.reshape([]) : r;
}

/** maskedScatter: elements of `source` in order where `mask` is true, by a cumsum over the mask (no host read). */
function maskedScatterImpl(self: Tensor, mask: Tensor, source: Tensor, fn: string): Tensor {
  checkTensor(fn, 'mask', 1, mask);
  checkTensor(fn, 'source', 2, source);
  if (mask.dtype !== 'bool') throw new TypeError(`masked_scatter_ only supports boolean masks, but got mask with dtype ${torchTypeName(mask.dtype).toLowerCase()}`);
  if (source.dtype !== self.dtype) {
    throw new TypeError(`masked_scatter: expected self and source to have same dtypes but got${torchTypeName(self.dtype)} and ${torchTypeName(source.dtype)}` /* sic: PyTorch 1.13's wording */);
  }
  checkSameDevice(self, mask); checkSameDevice(self, source);
  const shape = broadcastShapes(self._shape, mask._shape);
  const m = mask.expand(shape);
  const pos = noGrad(() => m.reshape([-1]).to('int64').cumsum(0));
  const N = source.numel();
  // the check: a true element whose position (1-based) passes the source's size fails in the gather kernel
  noGrad(() => {
    try { arange(N + 1, { dtype: 'int64', device: self.device }).gather(0, where(m.reshape([-1]), pos, 0)); }
    catch (e) { if (e instanceof RangeError && /out of bounds/.test(e.message)) throw new RangeError('Number of elements of source < number of ones in mask'); throw e; }
  });
  const base = self.expand(shape);
  if (N === 0) return where(m, base, base); // no true element (checked): a copy
  const at = noGrad(() => where(m.reshape([-1]), pos.sub(1), 0));
  const picked = source.reshape([-1]).gather(0, at).reshape(shape);
  return where(m, picked, base);
}

/** `accumulate` as a boolean or `{ accumulate }`. */
function accumulateArg(fn: string, a: unknown): boolean {
  if (isPlainObject(a)) { checkOptions(fn, a, ['accumulate']); a = (a as { accumulate?: boolean }).accumulate ?? false; }
  if (typeof a !== 'boolean') throw new TypeError(`${fn}(): argument 'accumulate' must be bool, not ${a === null ? 'None' : typeof a}`);
  return a;
}

/** `alpha` as a number or `{ alpha }`. */
function alphaOpt(fn: string, a: unknown): number {
  if (isPlainObject(a)) { checkOptions(fn, a, ['alpha']); a = (a as { alpha?: number }).alpha ?? 1; }
  return Number(checkOperand(fn, 'alpha', 4, a));
}

/** PyTorch's `put_`/`put`: `source` at flat positions `index` of `self` seen as 1-D (row-major). */
function putFlat(self: Tensor, index: unknown, source: unknown, accumulate: unknown, inPlace: boolean): Tensor {
  const fn = inPlace ? 'put_' : 'put';
  const idx = checkTensor(fn, 'index', 1, index);
  const src = checkTensor(fn, 'source', 2, source);
  const acc = accumulateArg(fn, accumulate);
  if (idx.dtype !== 'int64') throw new TypeError(`${fn}(): Expected a long tensor for index, but got ${torchTypeName(idx.dtype)}`);
  if (src.dtype !== self.dtype) {
    throw new TypeError(`${fn}(): self and source expected to have the same dtype, but got self.dtype = ${torchTypeName(self.dtype)} and source.dtype = ${torchTypeName(src.dtype)}`);
  }
  checkSameDevice(self, idx); checkSameDevice(self, src);
  if (idx.numel() !== src.numel()) {
    throw new RangeError(`${fn}(): Expected source and index to have the same number of elements, but got source.numel() = ${src.numel()}, index.numel() = ${idx.numel()}`);
  }
  const n = self.numel();
  const msg: BoundsMessage = (k) => `out of range: tried to access index ${k} on a tensor of ${n} elements.`;
  const adv: AdvIndex = { dims: [0], idxs: [idx.reshape([-1])], shape: [idx.numel()] };
  const values = src.reshape([-1]);
  if (!inPlace) return advPut(self.reshape([-1]), adv, values, acc, true, msg).view(self._shape);
  if (self.isContiguous()) { advPut_(self.view([-1]), adv, values, acc, true, msg); return self; }
  // a strided self has no flat view: written through a flat copy, then copied back (recorded as a copy_)
  return self.copy_(advPut(self.reshape([-1]), adv, values, acc, true, msg).view(self._shape));
}

/** The indexing methods of `Tensor` (installed on `Tensor.prototype`; typed through `interface Tensor`). */
export class IndexingOps {
  /**
   * Copy with `value` where `mask` is true.
   * @example torch.zeros([3]).maskedFill(torch.tensor([true, false, true]), 5) // tensor([5., 0., 5.])
   */
  maskedFill(this: Tensor, mask: Tensor, value: number | Tensor): Tensor {
    checkTensor('masked_fill', 'mask', 1, mask);
    checkOperand('masked_fill', 'value', 2, value);
    if (mask.dtype !== 'bool') throw new TypeError(`masked_fill_ only supports boolean masks, but got mask with dtype ${mask.dtype}`);
    if (value instanceof Tensor && value.dim() !== 0) {
      throw new RangeError(`masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value.dim()} dimension(s).`);
    }
    const dev = commonDevice(value instanceof Tensor ? [this, mask, value] : [this, mask]); // self first, as PyTorch names them
    if (typeof value === 'number') checkFits(this.dtype, value); // `uint8.maskedFill(m, 300)` overflows as in PyTorch
    const v = value instanceof Tensor ? onDevice(value, dev).to(this.dtype) : wrapScalar(value, this, this.dtype);
    // out of place, self and mask broadcast together as in PyTorch
    return where(mask, v, this);
  }
  /**
   * out[i][j] = this[i][index[i][j]] for dim 1 (generalised to any dim).
   * @example torch.tensor([[1, 2], [3, 4]]).gather(1, torch.tensor([[1], [0]], { dtype: 'int64' })).tolist() // [[2], [3]]
   */
  gather(this: Tensor, dim: number, index: Tensor): Tensor {
    checkIndex('gather', this, dim, index);
    checkSameDevice(this, index);
    const d = this.dim() === 0 ? 0 : normDim(dim, this.dim());
    const x = this.dim() === 0 ? this.reshape([1]) : this;
    const idx = index.dim() === 0 ? index.reshape([1]) : index;
    const out = newTensor(this._backend.gather(x._s, x.layout, d, idx._s, idx.layout), index._shape, this);
    return needsGrad(this) ? record('gather', out, [this, null], [index], { dim: d, shape: this._shape }) : out;
  }
  /**
   * Out-of-place scatter: a copy with `src` (a tensor or a scalar value) written at `index` along `dim`.
   * @example torch.zeros([2, 4]).scatter(1, torch.tensor([[1], [3]], { dtype: 'int64' }), 1)
   */
  scatter(this: Tensor, dim: number, index: Tensor, src: Tensor | number | { value?: number; src?: Tensor; reduce?: 'add' }): Tensor {
    return scatterImpl(this.clone(), dim, index, src, false, 'scatter');
  }
  /**
   * In-place scatter (`scatter_`): `zeros.scatter_(1, label, 1)` one-hot encodes `label` of shape [N, 1].
   * @example torch.zeros([4, 8]).scatter_(1, labels.view(-1, 1), 1)
   */
  scatter_(this: Tensor, dim: number, index: Tensor, src: Tensor | number | { value?: number; src?: Tensor; reduce?: 'add' }): Tensor {
    return scatterImpl(this, dim, index, src, true, 'scatter');
  }
  /** Out-of-place scatter with addition at repeated indices. */
  scatterAdd(this: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
    return scatterImpl(this.clone(), dim, index, src, false, 'scatterAdd');
  }
  /** In-place scatter with addition at repeated indices. */
  scatterAdd_(this: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
    return scatterImpl(this, dim, index, src, true, 'scatterAdd');
  }
  /**
   * Entries of `index` (1-D int64/int32) along `dim`.
   * @example torch.arange(5).indexSelect(0, torch.tensor([4, 0], { dtype: 'int64' })).tolist() // [4, 0]
   */
  indexSelect(this: Tensor, dim: number, index: Tensor): Tensor {
    checkInt('index_select', 'dim', 1, dim);
    checkTensor('index_select', 'index', 2, index);
    if (index.dim() > 1) throw new RangeError('index_select(): Index is supposed to be a vector');
    if (index.dtype !== 'int64' && index.dtype !== 'int32') throw new TypeError(`index_select(): Expected dtype int32 or int64 for index`);
    const x = this.dim() === 0 ? this.reshape([1]) : this;
    const d = normDim(dim, x.dim());
    const n = index.numel();
    const size = x._shape[d]!;
    checkSameDevice(this, index);
    const idxShape = x._shape.map((_, k) => (k === d ? n : 1));
    const outShape = x._shape.map((s, k) => (k === d ? n : s));
    if (size === 0 && n > 0) throw new RangeError('index out of range in self');
    // The bounds are checked by the gather kernel (no host read of the indices); its error is given
    // index_select's wording, as PyTorch's.
    let r: Tensor;
    try { r = x.gather(d, index.to('int64').reshape(idxShape).expand(outShape)); }
    catch (e) {
      if (e instanceof RangeError && /out of bounds/.test(e.message)) throw new RangeError('index out of range in self');
      throw e;
    }
    return this.dim() === 0 ? r.reshape(index.dim() === 0 ? [] : [n]) : r;
  }
  /** Elements where `mask` is true, as a 1-D tensor. */
  maskedSelect(this: Tensor, mask: Tensor): Tensor {
    checkTensor('masked_select', 'mask', 1, mask);
    const shape = broadcastShapes(this._shape, mask._shape);
    const dev = commonDevice([this, mask]);
    if (dev.type === 'meta') throw new Error('masked_select: the output size depends on the mask values, which a meta tensor does not have');
    const m = onDevice(mask, dev).expand(shape).reshape([-1]);
    const idx = nonzeroFlat(m);
    return onDevice(this, dev).expand(shape).reshape([-1]).indexSelect(0, idx);
  }
  /**
   * Python's indexing `x[...]` in libtorch's structured form (`x.index({Slice(), Slice(0, None, 2)})`): one item per
   * position, each an integer, a {@link Slice}, `null` (None), `torch.Ellipsis` (or `'...'`), a boolean, an int64
   * index tensor or bool mask, or a JavaScript array (an index list or, of booleans, a mask). Ints, slices, None and
   * `...` give a view (shares storage and the version counter); index tensors and masks give a copy, their result
   * dims placed as PyTorch places them (together at the first indexed dim when adjacent, else first).
   * @example torch.arange(6).view(2, 3).index([torch.Slice(), torch.Slice(0, null, 2)]).tolist() // [[0, 2], [3, 5]]
   * @example torch.arange(6).view(2, 3).index([torch.tensor([1, 0], { dtype: 'int64' }), -1]).tolist() // [5, 2]
   */
  index(this: Tensor, indices: readonly IndexItem[]): Tensor { return indexImpl(this, indices); }
  /**
   * In place `x[indices] = values` (or `+=` with `accumulate`), libtorch's `index_put_` with any index items (see
   * {@link index}). `values` is a number or a tensor broadcast to the indexed shape; with index tensors it must
   * have this tensor's dtype (PyTorch's rule). Recorded for autograd as PyTorch's CopySlices / IndexPutBackward0.
   * @example const pe = torch.zeros([2, 4]); pe.indexPut_([torch.Slice(), torch.Slice(0, null, 2)], 1); // pe[:, 0::2] = 1
   */
  indexPut_(this: Tensor, indices: readonly IndexItem[], values: Tensor | number | boolean, accumulate: boolean | { accumulate?: boolean } = false): Tensor {
    return indexPutImpl(this, indices, values, accumulateArg('index_put_', accumulate));
  }
  /** Out-of-place `indexPut_` (`torch.index_put`): a copy with `values` written at `indices`. */
  indexPut(this: Tensor, indices: readonly IndexItem[], values: Tensor | number | boolean, accumulate: boolean | { accumulate?: boolean } = false): Tensor {
    return indexPutImpl(this.clone(), indices, values, accumulateArg('index_put', accumulate), 'index_put');
  }
  /**
   * Python's indexing in a compact form: the text between Python's brackets, `x.at(':, 0::2')` for `x[:, 0::2]`.
   * Items: integers, slices `a:b:c` (parts optional), `None`, `...`, list literals `[0, 2]` (index lists; of
   * `True`/`False`, masks); `?` is a placeholder filled by the next argument (a tensor, a number, an array, null, a
   * Slice; inside a slice, a number or null): `x.at('?, 1:', idx)` is `x[idx, 1:]`, `x.at('?:?', a, b)` is `x[a:b]`.
   * Called with non-string items, `x.at(0, torch.Slice(1))` is `x.index([0, torch.Slice(1)])`.
   * @example torch.arange(6).view(2, 3).at(':, 0::2').tolist() // [[0, 2], [3, 5]]
   * @example torch.arange(6).view(2, 3).at('..., -1').tolist() // [2, 5]
   */
  at(this: Tensor, expr: string | IndexItem, ...args: unknown[]): Tensor {
    if (typeof expr !== 'string') return indexImpl(this, [expr, ...args] as IndexItem[]);
    const { items, rest } = parseIndexExpr('at', expr, args);
    if (rest.length > 0) throw new TypeError(`at(): the index expression '${expr}' has no placeholder for ${rest.length} extra argument(s)`);
    return indexImpl(this, items);
  }
  /**
   * PyTorch's `put_(index, source, accumulate?)`: `source` written (or added) at the flat `index` positions of this
   * tensor seen as 1-D; or, with a string, Python's assignment `x[expr] = value` in the compact form of {@link at}:
   * `x.put_(':, 0::2', v)` is `x[:, 0::2] = v`, placeholders first and the value last, then optionally
   * `{ accumulate: true }` (`+=`). Recorded for autograd as PyTorch's CopySlices / IndexPutBackward0.
   * @example const pe = torch.zeros([2, 4]); pe.put_(':, 0::2', torch.ones([2, 2])); // pe[:, 0::2] = 1
   * @example torch.zeros([2, 2]).put_(torch.tensor([3], { dtype: 'int64' }), torch.tensor([7.])) // tensor([[0., 0.], [0., 7.]])
   */
  put_(this: Tensor, index: Tensor, source: Tensor, accumulate?: boolean): Tensor;
  put_(this: Tensor, expr: string, ...args: unknown[]): Tensor;
  put_(this: Tensor, expr: string | Tensor, ...args: unknown[]): Tensor {
    if (expr instanceof Tensor) return putFlat(this, expr, args[0], args[1] ?? false, true);
    if (typeof expr !== 'string') throw new TypeError(`put_(): argument 'index' (position 1) must be Tensor or an index expression string, not ${expr === null ? 'None' : typeof expr}`);
    const { items, rest } = parseIndexExpr('put_', expr, args);
    let acc: boolean | { accumulate?: boolean } = false;
    if (rest.length === 2 && isPlainObject(rest[1])) acc = rest.pop() as { accumulate?: boolean };
    if (rest.length !== 1) throw new TypeError(`put_(): expected the value to assign after the ${items.length > 0 ? 'placeholder values' : 'expression'} of '${expr}', got ${rest.length} argument(s)`);
    return indexPutImpl(this, items, rest[0], accumulateArg('put_', acc), 'put_');
  }
  /** Out-of-place `put_(index, source, accumulate?)` (`torch.put`). */
  put(this: Tensor, index: Tensor, source: Tensor, accumulate = false): Tensor { return putFlat(this, index, source, accumulate, false); }
  /**
   * The elements at flat `index` positions (this tensor seen as 1-D, row-major; negative indices count from the end);
   * the result has `index`'s shape.
   * @example torch.tensor([[4, 3], [5, 7]]).take(torch.tensor([0, 3, -1], { dtype: 'int64' })).tolist() // [4, 7, 7]
   */
  take(this: Tensor, index: Tensor): Tensor {
    checkTensor('take', 'index', 1, index);
    if (index.dtype !== 'int64') throw new TypeError(`take(): Expected a long tensor for index, but got ${torchTypeName(index.dtype)}`);
    checkSameDevice(this, index);
    const n = this.numel();
    return advIndex(this.reshape([-1]), { dims: [0], idxs: [index], shape: [...index._shape] }, true,
      (k) => `out of range: tried to access index ${k} on a tensor of ${n} elements.`);
  }
  /**
   * The indices of the non-zero elements: an int64 tensor [n, dim()] (or, with `{ asTuple: true }`, one [n] tensor per
   * dim, for `x.index(...)`). Reads the values on the host, as PyTorch synchronises: the result's size depends on them.
   * @example torch.tensor([[1, 0], [0, 2]]).nonzero().tolist() // [[0, 0], [1, 1]]
   */
  nonzero(this: Tensor): Tensor;
  nonzero(this: Tensor, opts: { asTuple: true }): Tensor[];
  nonzero(this: Tensor, opts?: { asTuple?: boolean }): Tensor | Tensor[];
  nonzero(this: Tensor, opts: { asTuple?: boolean } = {}): Tensor | Tensor[] {
    if (!isPlainObject(opts)) throw new TypeError(`nonzero(): options must be an object, not ${opts === null ? 'None' : typeof opts}`);
    checkOptions('nonzero', opts, ['asTuple']);
    if (this.device.type === 'meta') throw new Error('nonzero: the output size depends on the values, which a meta tensor does not have');
    const m = this.dtype === 'bool' ? this : noGrad(() => this.ne(0));
    const coords = maskCoords(m);
    if (opts.asTuple === true) return coords;
    if (this.dim() === 0) return zeros([coords[0]!.numel(), 0], { dtype: 'int64', device: this.device });
    return stack(coords, 1);
  }
  /**
   * In place: the elements of `source` (in order) copied to the positions where `mask` (bool, broadcast to this
   * shape) is true. Needs no host read: each position's source element comes from a running count of the mask.
   * @example torch.zeros([4]).maskedScatter_(torch.tensor([false, true, false, true]), torch.tensor([1., 2.])) // tensor([0., 1., 0., 2.])
   */
  maskedScatter_(this: Tensor, mask: Tensor, source: Tensor): Tensor {
    checkTensor('masked_scatter_', 'mask', 1, mask);
    const bs = broadcastShapes(this._shape, mask._shape);
    if (bs.length !== this.dim() || bs.some((s, i) => s !== this._shape[i])) {
      throw new RangeError(`The expanded size of the tensor (${this._shape[this.dim() - 1] ?? 1}) must match the existing size (${mask._shape[mask.dim() - 1] ?? 1}) at non-singleton dimension ${Math.max(0, this.dim() - 1)}.  Target sizes: ${fmtShape(this._shape)}.  Tensor sizes: ${fmtShape(mask._shape)}`);
    }
    const r = maskedScatterImpl(this, mask, source, 'masked_scatter_');
    checkWritable(this);
    if (needsGrad(this, source)) { writeWithHistory(this, r); return this; }
    this._backend.copy(r._s, r.layout, this._s, this.layout);
    bumpVersion(this);
    return this;
  }
  /** Out-of-place `maskedScatter_` (self and mask broadcast together). */
  maskedScatter(this: Tensor, mask: Tensor, source: Tensor): Tensor { return maskedScatterImpl(this, mask, source, 'masked_scatter'); }
  /**
   * In place: `alpha · source` added at `index` (1-D int64/int32) along `dim`; repeated indices add up.
   * @example torch.zeros([3, 2]).indexAdd_(0, torch.tensor([0, 2, 0], { dtype: 'int64' }), torch.ones([3, 2])) // tensor([[2., 2.], [0., 0.], [1., 1.]])
   */
  indexAdd_(this: Tensor, dim: number, index: Tensor, source: Tensor, alpha: number | { alpha?: number } = 1): Tensor {
    return indexAddCopy('index_add_', this, dim, index, source, alphaOpt('index_add_', alpha), true);
  }
  /** Out-of-place `indexAdd_` (`torch.index_add`). */
  indexAdd(this: Tensor, dim: number, index: Tensor, source: Tensor, alpha: number | { alpha?: number } = 1): Tensor {
    return indexAddCopy('index_add_', this, dim, index, source, alphaOpt('index_add', alpha), false);
  }
  /**
   * In place: the slices of `source` copied to positions `index` along `dim`.
   * @example torch.zeros([3, 2]).indexCopy_(0, torch.tensor([2, 0], { dtype: 'int64' }), torch.tensor([[1, 2], [3, 4]])) // tensor([[3., 4.], [0., 0.], [1., 2.]])
   */
  indexCopy_(this: Tensor, dim: number, index: Tensor, source: Tensor): Tensor { return indexAddCopy('index_copy_', this, dim, index, source, 1, true); }
  /** Out-of-place `indexCopy_` (`torch.index_copy`). */
  indexCopy(this: Tensor, dim: number, index: Tensor, source: Tensor): Tensor { return indexAddCopy('index_copy_', this, dim, index, source, 1, false); }
  /**
   * In place: `value` (a number or a 0-dim tensor) written at positions `index` along `dim` (negative indices count
   * from the end).
   * @example torch.zeros([2, 3]).indexFill_(1, torch.tensor([0, 2], { dtype: 'int64' }), -1) // tensor([[-1., 0., -1.], [-1., 0., -1.]])
   */
  indexFill_(this: Tensor, dim: number, index: Tensor, value: number | boolean | Tensor): Tensor { return indexFillImpl(this, dim, index, value, true); }
  /** Out-of-place `indexFill_` (`torch.index_fill`). */
  indexFill(this: Tensor, dim: number, index: Tensor, value: number | boolean | Tensor): Tensor { return indexFillImpl(this, dim, index, value, false); }
}
installTensorMethods(IndexingOps);
