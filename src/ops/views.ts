/**
 * Shape operations: views (view, reshape, permute, transpose, expand, slice, select, ...; each records one node
 * whose rule maps the gradient back to the input's shape), the copies that complete them (clone, contiguous, flip,
 * repeat), and joining (`cat`, `stack`).
 */
import { promoteTypes } from '../dtype.js';
import { Tensor, makeView } from '../tensor.js';
import { contiguousStrides, inferShape, normDim, normDims, numelOf, viewStrides } from '../shape.js';
import { installTensorMethods } from './registry.js';
import { isPlainObject, newTensor } from './common.js';
import { checkSameDevice } from './device.js';
import { record, needsGrad } from './autograd.js';
import type { RecordArgs } from './autograd.js';
import type { RuleContexts } from '../autograd/rules.js';
import { arange } from './creation.js';
import { checkInt, checkIntList, checkOptInt, checkTensor, checkTensorList, typeName } from './args.js';
import { checkOptions } from '../_options.js';
import { checkShape } from '../shape.js';

/**
 * The sizes of `view(2, 3)` or `view([2, 3])`, each checked to be an integer (`fn` and `name` for the message:
 * `view(): argument 'size' must be tuple of ints, not float`).
 */
export function flatShape(args: readonly (number | readonly number[])[], fn = 'view', name = 'size'): number[] {
  const list = args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as number[])] : args as number[];
  if (args.length === 1 && !Array.isArray(args[0]) && typeof args[0] !== 'number') {
    throw new TypeError(`${fn}(): argument '${name}' (position 1) must be tuple of ints, not ${typeName(args[0])}`);
  }
  return checkIntList(fn, name, 1, list);
}

/** The `dim` of cat/stack: a number or `{ dim }`. */
function catDim(fn: string, dim: unknown): number {
  if (isPlainObject(dim)) { checkOptions(fn, dim, ['dim']); return checkInt(fn, 'dim', 2, (dim as { dim?: number }).dim ?? 0); }
  return checkInt(fn, 'dim', 2, dim);
}

export function viewOp<K extends 'view' | 'permute' | 'expand' | 'viewSlice'>(x: Tensor, shape: number[], strides: number[], offset: number, rule: K, ctx: RuleContexts[K]): Tensor {
  const out = makeView(x, shape, strides, offset);
  return needsGrad(x) ? record(rule, out, [x], [], ...([ctx] as unknown as RecordArgs<K>)) : out;
}

/**
 * Concatenates along `dim` (all other dims must match; dtypes promote).
 * @example torch.cat([torch.zeros([2, 3]), torch.ones([1, 3])]).shape // [3, 3]
 */
export function cat(tensors: readonly Tensor[], dim: number | { dim?: number } = 0): Tensor {
  checkTensorList('cat', tensors);
  const dd = catDim('cat', dim);
  if (tensors.length === 0) throw new RangeError('torch.cat(): expected a non-empty list of Tensors');
  // legacy: 1-D empty tensors are skipped
  const parts = tensors.filter((t) => !(t.dim() === 1 && t._shape[0] === 0));
  if (parts.length === 0) return tensors[0]!.clone();
  const ref = parts[0]!;
  if (ref.dim() === 0) throw new RangeError('zero-dimensional tensor (at position 0) cannot be concatenated');
  const d = normDim(dd, ref.dim());
  let dt = ref.dtype;
  parts.forEach((t, i) => {
    if (t.dim() === 0) throw new RangeError(`zero-dimensional tensor (at position ${i}) cannot be concatenated`);
    if (t.dim() !== ref.dim()) throw new RangeError(`Tensors must have same number of dimensions: got ${ref.dim()} and ${t.dim()}`);
    for (let k = 0; k < ref.dim(); k++) {
      if (k !== d && t._shape[k] !== ref._shape[k]) {
        throw new RangeError(`Sizes of tensors must match except in dimension ${d}. Expected size ${ref._shape[k]} but got size ${t._shape[k]} for tensor number ${tensors.indexOf(t)} in the list.`);
      }
    }
    checkSameDevice(ref, t);
    dt = promoteTypes(dt, t.dtype);
  });
  const shape = [...ref._shape];
  shape[d] = parts.reduce((a, t) => a + t._shape[d]!, 0);
  const s = ref._backend.alloc(dt, numelOf(shape));
  const strides = contiguousStrides(shape);
  let off = 0;
  for (const t of parts) {
    // an empty part copies nothing (its offset may lie past the end of an empty result: found by the property suite)
    if (t.numel() > 0) ref._backend.copy(t._s, t.layout, s, { shape: t._shape, strides, offset: off * strides[d]! });
    off += t._shape[d]!;
  }
  const out = newTensor(s, shape, ref);
  return needsGrad(...parts) ? record('cat', out, [...parts], [], { dim: d, sizes: parts.map((t) => t._shape[d]!) }) : out;
}

/**
 * Stacks equal-shaped tensors along a new dim.
 * @example torch.stack([torch.zeros([3]), torch.ones([3])], 1).shape // [3, 2]
 */
export function stack(tensors: readonly Tensor[], dim: number | { dim?: number } = 0): Tensor {
  checkTensorList('stack', tensors);
  const dd = catDim('stack', dim);
  if (tensors.length === 0) throw new RangeError('stack expects a non-empty TensorList');
  const ref = tensors[0]!;
  tensors.forEach((t, i) => {
    if (t._shape.length !== ref._shape.length || t._shape.some((s, k) => s !== ref._shape[k])) {
      throw new RangeError(`stack expects each tensor to be equal size, but got [${ref._shape.join(', ')}] at entry 0 and [${t._shape.join(', ')}] at entry ${i}`);
    }
  });
  const d = normDim(dd, ref.dim() + 1);
  return cat(tensors.map((t) => t.unsqueeze(d)), d);
}

/** The view methods of `Tensor` (installed on `Tensor.prototype`; typed through `interface Tensor`). */
export class ViewOps {
  /**
   * A view with a new shape (one dim may be -1); fails when the strides make that impossible.
   * @example torch.arange(6).view(2, 3).shape // [2, 3]
   */
  view(this: Tensor, ...shape: (number | readonly number[])[]): Tensor {
    const s = inferShape(flatShape(shape, 'view'), this.numel());
    const st = viewStrides(this._shape, this._strides, s);
    if (st === null) {
      throw new RangeError("view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.");
    }
    return viewOp(this, s, st, this._offset, 'view', { shape: this._shape });
  }
  /** Like `view`, copying only when the layout requires it. @example torch.arange(6).reshape([3, -1]) */
  reshape(this: Tensor, ...shape: (number | readonly number[])[]): Tensor {
    const s = inferShape(flatShape(shape, 'reshape', 'shape'), this.numel());
    const st = viewStrides(this._shape, this._strides, s);
    if (st !== null) return viewOp(this, s, st, this._offset, 'view', { shape: this._shape });
    return this.contiguous().view(s);
  }
  /** `view` to another tensor's shape. */
  viewAs(this: Tensor, other: Tensor): Tensor { return this.view(checkTensor('view_as', 'other', 1, other)._shape); }
  /** `reshape` to another tensor's shape. */
  reshapeAs(this: Tensor, other: Tensor): Tensor { return this.reshape(checkTensor('reshape_as', 'other', 1, other)._shape); }
  /**
   * Inserts a dimension of size 1 at `dim` (a view); `x.unsqueeze(0)` adds a batch dimension.
   * Valid dims: [-dim()-1, dim()].
   * @example torch.zeros([3, 32, 32]).unsqueeze(0).shape // [1, 3, 32, 32]
   */
  unsqueeze(this: Tensor, dim: number): Tensor {
    const d = normDim(dim, this.dim() + 1);
    const shape = [...this._shape], strides = [...this._strides];
    const st = d < this.dim() ? this._strides[d]! * this._shape[d]! : 1;
    shape.splice(d, 0, 1);
    strides.splice(d, 0, st);
    return viewOp(this, shape, strides, this._offset, 'view', { shape: this._shape });
  }
  /**
   * Removes dimensions of size 1 (all, or the given ones; others are left alone).
   * @example torch.zeros([1, 3, 1]).squeeze().shape // [3]
   */
  squeeze(this: Tensor, dim?: number | readonly number[]): Tensor {
    const dims = dim === undefined ? this._shape.map((_, i) => i) : normDims(dim, this.dim());
    const shape: number[] = [], strides: number[] = [];
    for (let d = 0; d < this.dim(); d++) {
      if (dims.includes(d) && this._shape[d] === 1) continue;
      shape.push(this._shape[d]!); strides.push(this._strides[d]!);
    }
    return viewOp(this, shape, strides, this._offset, 'view', { shape: this._shape });
  }
  /**
   * Reorders dimensions (a view).
   * @example torch.zeros([2, 3, 4]).permute(2, 0, 1).shape // [4, 2, 3]
   */
  permute(this: Tensor, ...dims: (number | readonly number[])[]): Tensor {
    const ds = flatShape(dims, 'permute', 'dims');
    if (ds.length !== this.dim()) {
      throw new RangeError(`permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${this.dim()} is not equal to len(dims) = ${ds.length}`);
    }
    const nd = ds.map((d) => normDim(d, this.dim()));
    if (new Set(nd).size !== nd.length) throw new RangeError('permute(): duplicate dims are not allowed.');
    const inverse = new Array<number>(nd.length);
    nd.forEach((d, i) => { inverse[d] = i; });
    return viewOp(this, nd.map((d) => this._shape[d]!), nd.map((d) => this._strides[d]!), this._offset, 'permute', { inverse });
  }
  /** Swaps two dimensions (a view). */
  transpose(this: Tensor, dim0: number, dim1: number): Tensor {
    if (this.dim() === 0) return this.view([]);
    const a = normDim(dim0, this.dim()), b = normDim(dim1, this.dim());
    const order = this._shape.map((_, i) => i);
    order[a] = b; order[b] = a;
    return this.permute(order);
  }
  /** Alias of `transpose`. */
  swapaxes(this: Tensor, dim0: number, dim1: number): Tensor { return this.transpose(dim0, dim1); }
  /** Transpose of a ≤2-D tensor. */
  t(this: Tensor): Tensor {
    if (this.dim() > 2) throw new RangeError(`t() expects a tensor with <= 2 dimensions, but self is ${this.dim()}D`);
    return this.dim() < 2 ? this.view(this._shape) : this.transpose(0, 1);
  }
  /** `t()` as a property, like PyTorch's `.T` for ≤2-D tensors. */
  get T(): Tensor { const self = this as unknown as Tensor; return self.dim() <= 2 ? self.t() : self.permute(self._shape.map((_, i) => self.dim() - 1 - i)); }
  /**
   * Broadcasts size-1 dims to `sizes` without copying (-1 keeps a size).
   * @example torch.zeros([3, 1]).expand(3, 4).shape // [3, 4]
   */
  expand(this: Tensor, ...sizes: (number | readonly number[])[]): Tensor {
    const target = flatShape(sizes, 'expand', 'size');
    if (target.length < this.dim()) {
      throw new RangeError(`expand(${this.dtype}{[${this._shape.join(', ')}]}, size=[${target.join(', ')}]): the number of sizes provided (${target.length}) must be greater or equal to the number of dimensions in the tensor (${this.dim()})`);
    }
    const off = target.length - this.dim();
    const shape: number[] = [], strides: number[] = [];
    for (let d = 0; d < target.length; d++) {
      const k = d - off;
      let t = target[d]!;
      if (k < 0) {
        if (t === -1) throw new RangeError(`The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension ${d}`);
        if (t < 0) throw new RangeError(`Trying to create tensor with negative dimension ${t}: [${target.join(', ')}]`);
        shape.push(t); strides.push(0); continue;
      }
      const s = this._shape[k]!;
      if (t === -1) t = s;
      if (t < 0) throw new RangeError(`Trying to create tensor with negative dimension ${t}: [${target.join(', ')}]`);
      if (s !== t) {
        if (s !== 1) {
          throw new RangeError(`The expanded size of the tensor (${t}) must match the existing size (${s}) at non-singleton dimension ${d}.  Target sizes: [${target.join(', ')}].  Tensor sizes: [${this._shape.join(', ')}]`);
        }
        shape.push(t); strides.push(0);
      } else { shape.push(s); strides.push(this._strides[k]!); }
    }
    if (shape.length === this.dim() && shape.every((s, i) => s === this._shape[i])) return viewOp(this, shape, strides, this._offset, 'view', { shape: this._shape });
    return viewOp(this, shape, strides, this._offset, 'expand', null);
  }
  /** `expand` to another tensor's shape. */
  expandAs(this: Tensor, other: Tensor): Tensor { return this.expand(checkTensor('expand_as', 'other', 1, other)._shape); }
  /**
   * `length` elements of `dim` from `start` (a view).
   * @example torch.arange(10).narrow(0, 2, 3).tolist() // [2, 3, 4]
   */
  narrow(this: Tensor, dim: number, start: number, length: number): Tensor {
    checkInt('narrow', 'dim', 1, dim); checkInt('narrow', 'start', 2, start); checkInt('narrow', 'length', 3, length);
    if (this.dim() === 0) throw new RangeError('narrow() cannot be applied to a 0-dim tensor.');
    const d = normDim(dim, this.dim());
    const size = this._shape[d]!;
    if (start < -size || start > size) throw new RangeError(`start out of range (expected to be in range of [${-size}, ${size}], but got ${start})`);
    const st = start < 0 ? start + size : start;
    if (length < 0 || st + length > size) throw new RangeError(`start (${st}) + length (${length}) exceeds dimension size (${size}).`);
    return this.slice(d, st, st + length);
  }
  /**
   * Python slicing along one dim: `x[..., start:end:step]` (a view; out-of-range bounds are clamped).
   * @example torch.arange(10).slice(0, 1, 8, 3).tolist() // [1, 4, 7]
   */
  slice(this: Tensor, dim: number, start: number | null = null, end: number | null = null, step = 1): Tensor {
    checkInt('slice', 'dim', 1, dim); checkOptInt('slice', 'start', 2, start); checkOptInt('slice', 'end', 3, end); checkInt('slice', 'step', 4, step);
    const d = normDim(dim, this.dim());
    const size = this._shape[d]!;
    if (step <= 0) throw new RangeError('slice step must be positive');
    let s = start ?? 0, e = end ?? size;
    if (s < 0) s += size;
    if (e < 0) e += size;
    s = Math.min(Math.max(s, 0), size);
    e = Math.min(Math.max(e, s), size);
    const len = Math.ceil((e - s) / step);
    const shape = [...this._shape], strides = [...this._strides];
    shape[d] = len;
    strides[d] = this._strides[d]! * step;
    const ss = s;
    return viewOp(this, shape, strides, this._offset + ss * this._strides[d]!, 'viewSlice',
      { shape: this._shape, apply: (z: Tensor) => z.slice(d, ss, e, step) });
  }
  /**
   * Index `index` of `dim`, removing that dim (a view).
   * @example torch.tensor([[1, 2], [3, 4]]).select(0, 1).tolist() // [3, 4]
   */
  select(this: Tensor, dim: number, index: number): Tensor {
    checkInt('select', 'dim', 1, dim); checkInt('select', 'index', 2, index);
    if (this.dim() === 0) throw new RangeError('select() cannot be applied to a 0-dim tensor.');
    const d = normDim(dim, this.dim());
    const size = this._shape[d]!;
    if (index < -size || index >= size) throw new RangeError(`select(): index ${index} out of range for tensor of size [${this._shape.join(', ')}] at dimension ${d}`);
    const i = index < 0 ? index + size : index;
    const shape = [...this._shape], strides = [...this._strides];
    shape.splice(d, 1); strides.splice(d, 1);
    return viewOp(this, shape, strides, this._offset + i * this._strides[d]!, 'viewSlice',
      { shape: this._shape, apply: (z: Tensor) => z.select(d, i) });
  }
  /**
   * Flattens dims startDim..endDim into one (a view when possible).
   * @example torch.zeros([2, 3, 4]).flatten(1).shape // [2, 12]
   */
  flatten(this: Tensor, startDim: number | { startDim?: number; endDim?: number } = 0, endDim = -1): Tensor {
    if (isPlainObject(startDim)) { checkOptions('flatten', startDim, ['startDim', 'endDim']); endDim = startDim.endDim ?? -1; startDim = startDim.startDim ?? 0; }
    checkInt('flatten', 'start_dim', 1, startDim); checkInt('flatten', 'end_dim', 2, endDim);
    if (this.dim() === 0) return this.reshape([1]);
    const s = normDim(startDim as number, this.dim()), e = normDim(endDim, this.dim());
    if (s > e) throw new RangeError('flatten() has invalid args: start_dim cannot come after end_dim');
    const shape = [...this._shape.slice(0, s), numelOf(this._shape.slice(s, e + 1)), ...this._shape.slice(e + 1)];
    return this.reshape(shape);
  }
  /**
   * Splits `dim` into `sizes` (one may be -1).
   * @example torch.zeros([2, 12]).unflatten(1, [3, 4]).shape // [2, 3, 4]
   */
  unflatten(this: Tensor, dim: number, sizes: readonly number[]): Tensor {
    checkInt('unflatten', 'dim', 1, dim);
    if (!Array.isArray(sizes)) throw new TypeError(`unflatten(): argument 'sizes' (position 2) must be tuple of ints, not ${typeName(sizes)}`);
    checkIntList('unflatten', 'sizes', 2, sizes);
    const d = normDim(dim, this.dim());
    const inner = inferShape(sizes, this._shape[d]!);
    return this.view([...this._shape.slice(0, d), ...inner, ...this._shape.slice(d + 1)]);
  }
  /** Splits into pieces of `splitSize` (or of the listed sizes) along `dim` (views). */
  split(this: Tensor, splitSize: number | readonly number[], dim = 0): Tensor[] {
    checkInt('split', 'dim', 2, dim);
    if (typeof splitSize === 'number') checkInt('split', 'split_size', 1, splitSize);
    else if (Array.isArray(splitSize)) checkIntList('split_with_sizes', 'split_sizes', 1, splitSize);
    else throw new TypeError(`split(): argument 'split_size' (position 1) must be int or tuple of ints, not ${typeName(splitSize)}`);
    const d = normDim(dim, this.dim());
    const size = this._shape[d]!;
    const out: Tensor[] = [];
    if (typeof splitSize === 'number') {
      if (splitSize < 0) throw new RangeError(`split expects split_size be non-negative, but got split_size=${splitSize}`);
      if (splitSize <= 0 && size > 0) throw new RangeError(`split_size can only be 0 if dimension size is 0, but got dimension size of ${size}`);
      for (let s = 0; s < size || (s === 0 && size === 0 && out.length === 0); s += splitSize) {
        out.push(this.narrow(d, s, Math.min(splitSize, size - s)));
        if (size === 0) break;
      }
      return out;
    }
    splitSize.forEach((len, i) => {
      if (len < 0) throw new RangeError(`split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=[${splitSize.join(', ')}]`);
      void i;
    });
    const total = splitSize.reduce((a, b) => a + b, 0);
    if (total !== size) throw new RangeError(`split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension ${d}), but got split_sizes=[${splitSize.join(', ')}]`);
    let s = 0;
    for (const len of splitSize) { out.push(this.narrow(d, s, len)); s += len; }
    return out;
  }
  /** Splits into `chunks` pieces along `dim` (the last may be smaller). */
  chunk(this: Tensor, chunks: number, dim = 0): Tensor[] {
    checkInt('chunk', 'chunks', 1, chunks); checkInt('chunk', 'dim', 2, dim);
    if (chunks <= 0) throw new RangeError('chunk expects `chunks` to be greater than 0, got: ' + chunks);
    const d = normDim(dim, this.dim());
    const size = this._shape[d]!;
    return this.split(Math.max(1, Math.ceil(size / chunks)), d);
  }
  /** Separate views along `dim`. */
  unbind(this: Tensor, dim = 0): Tensor[] {
    checkInt('unbind', 'dim', 1, dim);
    const d = normDim(dim, this.dim());
    return Array.from({ length: this._shape[d]! }, (_, i) => this.select(d, i));
  }
  /** Reverses the order along `dims` (copies, as PyTorch). */
  flip(this: Tensor, dims: number | readonly number[]): Tensor {
    let r: Tensor = this;
    const dl = typeof dims === 'number' ? [dims] : Array.isArray(dims) ? dims : [dims as unknown as number];
    checkIntList('flip', 'dims', 1, dl);
    for (const d of normDims(dl, this.dim())) {
      const n = this._shape[d]!;
      r = r.indexSelect(d, arange(n - 1, -1, -1, { device: this.device }));
    }
    return r === this ? this.clone() : r;
  }
  /** Tiles the tensor (`Tensor.repeat`). @example torch.tensor([1, 2]).repeat(2).tolist() // [1, 2, 1, 2] */
  repeat(this: Tensor, ...sizes: (number | readonly number[])[]): Tensor {
    const reps = flatShape(sizes, 'repeat', 'repeats');
    if (reps.length < this.dim()) throw new RangeError('Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor');
    const pad = reps.length - this.dim();
    const shape = [...new Array<number>(pad).fill(1), ...this._shape];
    checkShape(shape.map((s, i) => s * reps[i]!)); // PyTorch: "Trying to create tensor with negative dimension -4: [6, -4]"
    // view as [1, s0, 1, s1, ...], expand to [r0, s0, r1, s1, ...], reshape
    const inter: number[] = [], exp: number[] = [];
    shape.forEach((s, i) => { inter.push(1, s); exp.push(reps[i]!, s); });
    return this.reshape(inter).expand(exp).reshape(shape.map((s, i) => s * reps[i]!));
  }
  /**
   * A contiguous tensor with the same values (this tensor itself if already contiguous).
   * @example x.t().contiguous().isContiguous() // true
   */
  contiguous(this: Tensor): Tensor { return this.isContiguous() ? this : this.clone(); }
  /** A copy with its own storage (gradient flows back to this tensor). */
  clone(this: Tensor): Tensor {
    const s = this._backend.alloc(this.dtype, this.numel());
    this._backend.copy(this._s, this.layout, s, { shape: this._shape, strides: contiguousStrides(this._shape), offset: 0 });
    const out = newTensor(s, this._shape, this);
    return needsGrad(this) ? record('clone', out, [this]) : out;
  }
}
installTensorMethods(ViewOps);
