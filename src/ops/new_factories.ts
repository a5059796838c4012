/**
 * `Tensor.newFull`, `newZeros`, `newOnes`, `newEmpty`, `newTensor`: PyTorch's `new_*` factories, which make a
 * tensor with this tensor's dtype and device unless the options say otherwise. A JavaScript fill value does not
 * choose the dtype here (unlike `torch.full`): the dtype comes from this tensor, as in PyTorch.
 */
import { Tensor } from '../tensor.js';
import type { TensorOptions } from './common.js';
import { isPlainObject } from './common.js';
import { full, ones, tensor, zeros, empty } from './creation.js';
import type { NestedArray } from '../tensor.js';
import { installTensorMethods } from './registry.js';

/** The options with this tensor's dtype and device filled in where not given. */
function withSelf(t: Tensor, o: unknown): TensorOptions {
  const opts = (isPlainObject(o) ? o : {}) as TensorOptions;
  return { ...opts, dtype: opts.dtype ?? t.dtype, device: opts.device ?? t.device };
}

/** Splits `(...size, options?)`. */
function sizeAndOpts(t: Tensor, args: unknown[]): [unknown[], TensorOptions] {
  const a = [...args];
  const o = a.length > 0 && isPlainObject(a[a.length - 1]) ? a.pop() : {};
  return [a, withSelf(t, o)];
}

export class NewOps {
  /**
   * A tensor of `size` filled with `fillValue`, with this tensor's dtype and device by default (`new_full`).
   * @example torch.zeros([2], { dtype: 'int64' }).newFull([3], 7).dtype // 'int64'
   */
  newFull(this: Tensor, size: readonly number[] | number, fillValue: number | boolean | Tensor, opts: TensorOptions = {}): Tensor {
    return full(size, fillValue, withSelf(this, opts));
  }
  /** Zeros with this tensor's dtype and device by default (`new_zeros`). @example x.newZeros([2, 3]) */
  newZeros(this: Tensor, ...args: (number | readonly number[] | TensorOptions)[]): Tensor {
    const [size, o] = sizeAndOpts(this, args);
    return zeros(...(size as number[]), o);
  }
  /** Ones with this tensor's dtype and device by default (`new_ones`). @example x.newOnes(2) */
  newOnes(this: Tensor, ...args: (number | readonly number[] | TensorOptions)[]): Tensor {
    const [size, o] = sizeAndOpts(this, args);
    return ones(...(size as number[]), o);
  }
  /** Uninitialised in PyTorch, zero-filled here; this tensor's dtype and device by default (`new_empty`). */
  newEmpty(this: Tensor, ...args: (number | readonly number[] | TensorOptions)[]): Tensor {
    const [size, o] = sizeAndOpts(this, args);
    return empty(...(size as number[]), o);
  }
  /**
   * A new tensor (a copy) from `data`, with this tensor's dtype and device by default (`new_tensor`).
   * @example torch.zeros([1], { dtype: 'float64' }).newTensor([1, 2]).dtype // 'float64'
   */
  newTensor(this: Tensor, data: NestedArray, opts: TensorOptions = {}): Tensor {
    return tensor(data instanceof Tensor ? data.detach() : data, withSelf(this, opts));
  }
}

installTensorMethods(NewOps);
