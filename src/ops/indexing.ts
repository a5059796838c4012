/**
 * Indexing: gather, scatter (out of place, in place, with addition), indexSelect, and the masked operations
 * (maskedFill, maskedSelect).
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
}
installTensorMethods(IndexingOps);
