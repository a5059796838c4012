/**
 * Padding layers over `F.pad`: `ConstantPad1d/2d/3d`, `ZeroPad1d/2d/3d`, `ReflectionPad1d/2d/3d`,
 * `ReplicationPad1d/2d/3d`, `CircularPad1d/2d/3d`.
 */
import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import * as F from '../functional.js';
import { isOptions, listStr, pyNum } from '../_args.js';

type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

/** `padding` as PyTorch's `_pair`/`_quadruple`/`_ntuple(6)`: an int repeated 2·dims times, or exactly 2·dims ints. */
function padTuple(name: string, padding: number | readonly number[], dims: number): number[] {
  const n = 2 * dims;
  if (typeof padding === 'number') {
    if (!Number.isInteger(padding)) throw new TypeError(`${name}: padding must be an int or a tuple of ${n} ints, got ${padding}`);
    return new Array<number>(n).fill(padding);
  }
  if (padding.length !== n || padding.some((v) => !Number.isInteger(v))) {
    throw new RangeError(`${name}: padding must be an int or a tuple of ${n} ints, got ${listStr(padding)}`);
  }
  return [...padding];
}

/** @internal The shared body: `dims` padded dims, the input must have `dims + 1` or `dims + 2` dims. */
abstract class PadNd extends Module {
  padding: number[];
  /** @internal */
  _dims: number;
  /** @internal */
  _mode: PadMode;
  constructor(name: string, padding: number | readonly number[] | { padding: number | readonly number[] }, dims: number, mode: PadMode) {
    super();
    const p = isOptions(padding) ? (padding as { padding: number | readonly number[] }).padding : padding as number | readonly number[];
    this.padding = padTuple(name, p, dims);
    this._dims = dims; this._mode = mode;
  }
  /** @internal */
  _value(): number { return 0; }
  override forward(input: Tensor): Tensor {
    const d = this._dims;
    if (input.dim() !== d + 1 && input.dim() !== d + 2) {
      throw new RangeError(`${this._name}: expected ${d + 1}D or ${d + 2}D (batch mode) tensor for input, but got: ${listStr(input.shape)}`);
    }
    return F.pad(input, this.padding, this._mode, this._value());
  }
  override extraRepr(): string { return `(${this.padding.join(', ')})`; }
  /** @internal The class name (for messages). */
  get _name(): string { return this.constructor.name; }
}

/** @internal Constant padding with `value`. */
abstract class ConstantPadNd extends PadNd {
  value: number;
  constructor(name: string, padding: number | readonly number[] | { padding: number | readonly number[]; value?: number }, value: number | undefined, dims: number) {
    super(name, padding, dims, 'constant');
    this.value = isOptions(padding) ? (padding as { value?: number }).value ?? value ?? 0 : value ?? 0;
  }
  override _value(): number { return this.value; }
  override extraRepr(): string { return `padding=(${this.padding.join(', ')}), value=${pyNum(this.value)}`; }
}

/**
 * Pads the last dim of [N, C, W] / [C, W] with `value` (`padding` int or [left, right]).
 * @example new torch.nn.ConstantPad1d(2, 3.5).call(torch.zeros([1, 1, 2])).tolist() // [[[3.5, 3.5, 0, 0, 3.5, 3.5]]]
 */
export class ConstantPad1d extends ConstantPadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[]; value?: number }, value?: number) { super('ConstantPad1d', padding, value, 1); }
}
/**
 * Pads the last two dims of [N, C, H, W] / [C, H, W] with `value` (`padding` int or [left, right, top, bottom]).
 * @example new torch.nn.ConstantPad2d([1, 0, 2, 0], 1).call(torch.zeros([1, 2, 2])).shape // [1, 4, 3]
 */
export class ConstantPad2d extends ConstantPadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[]; value?: number }, value?: number) { super('ConstantPad2d', padding, value, 2); }
}
/**
 * Pads the last three dims of [N, C, D, H, W] / [C, D, H, W] with `value` (`padding` int or 6 ints).
 * @example new torch.nn.ConstantPad3d(1, 0).call(torch.zeros([1, 1, 1, 1, 1])).shape // [1, 1, 3, 3, 3]
 */
export class ConstantPad3d extends ConstantPadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[]; value?: number }, value?: number) { super('ConstantPad3d', padding, value, 3); }
}

/** Zero padding of the last dim (`padding` int or [left, right]). @example new torch.nn.ZeroPad1d(1).call(torch.ones([1, 2])).tolist() // [[0, 1, 1, 0]] */
export class ZeroPad1d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[] }) { super('ZeroPad1d', padding, 1, 'constant'); }
}
/** Zero padding of the last two dims (`padding` int or [left, right, top, bottom]). @example new torch.nn.ZeroPad2d([1, 1, 2, 0]).call(torch.ones([1, 1, 2, 2])).shape // [1, 1, 4, 4] */
export class ZeroPad2d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[] }) { super('ZeroPad2d', padding, 2, 'constant'); }
}
/** Zero padding of the last three dims (`padding` int or 6 ints). @example new torch.nn.ZeroPad3d(1).call(torch.ones([1, 1, 1, 1])).shape // [1, 3, 3, 3] */
export class ZeroPad3d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[] }) { super('ZeroPad3d', padding, 3, 'constant'); }
}

/** Reflection padding of the last dim (each pad < that dim's size). @example new torch.nn.ReflectionPad1d(2).call(torch.arange(4, { dtype: 'float32' }).reshape([1, 1, 4])).tolist() // [[[2, 1, 0, 1, 2, 3, 2, 1]]] */
export class ReflectionPad1d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[] }) { super('ReflectionPad1d', padding, 1, 'reflect'); }
}
/** Reflection padding of the last two dims. @example new torch.nn.ReflectionPad2d(1).call(torch.randn([1, 1, 3, 3])).shape // [1, 1, 5, 5] */
export class ReflectionPad2d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[] }) { super('ReflectionPad2d', padding, 2, 'reflect'); }
}
/** Reflection padding of the last three dims. @example new torch.nn.ReflectionPad3d(1).call(torch.randn([1, 1, 2, 2, 2])).shape // [1, 1, 4, 4, 4] */
export class ReflectionPad3d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[] }) { super('ReflectionPad3d', padding, 3, 'reflect'); }
}

/** Edge-replicating padding of the last dim. @example new torch.nn.ReplicationPad1d([1, 2]).call(torch.ones([1, 1, 2])).shape // [1, 1, 5] */
export class ReplicationPad1d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[] }) { super('ReplicationPad1d', padding, 1, 'replicate'); }
}
/** Edge-replicating padding of the last two dims. @example new torch.nn.ReplicationPad2d(1).call(torch.ones([1, 1, 2, 2])).shape // [1, 1, 4, 4] */
export class ReplicationPad2d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[] }) { super('ReplicationPad2d', padding, 2, 'replicate'); }
}
/** Edge-replicating padding of the last three dims. @example new torch.nn.ReplicationPad3d(1).call(torch.ones([1, 1, 1, 1, 1])).shape // [1, 1, 3, 3, 3] */
export class ReplicationPad3d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[] }) { super('ReplicationPad3d', padding, 3, 'replicate'); }
}

/** Circular (wrap-around) padding of the last dim. @example new torch.nn.CircularPad1d(1).call(torch.tensor([[[1, 2, 3]]])).tolist() // [[[3, 1, 2, 3, 1]]] */
export class CircularPad1d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[] }) { super('CircularPad1d', padding, 1, 'circular'); }
}
/** Circular padding of the last two dims. @example new torch.nn.CircularPad2d(1).call(torch.ones([1, 1, 2, 2])).shape // [1, 1, 4, 4] */
export class CircularPad2d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[] }) { super('CircularPad2d', padding, 2, 'circular'); }
}
/** Circular padding of the last three dims. @example new torch.nn.CircularPad3d(1).call(torch.ones([1, 1, 2, 2, 2])).shape // [1, 1, 4, 4, 4] */
export class CircularPad3d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[] }) { super('CircularPad3d', padding, 3, 'circular'); }
}
