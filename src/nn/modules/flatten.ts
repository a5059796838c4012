/** `Flatten` and `Unflatten`. */
import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import { resolveArgs } from '../_args.js';

/**
 * Flattens dims `startDim`..`endDim` (default 1..-1, keeping the batch dim).
 * @example new torch.nn.Flatten().call(torch.zeros([32, 1, 5, 5])).shape // [32, 25]
 */
export class Flatten extends Module {
  startDim: number;
  endDim: number;
  constructor(startDim?: number | { startDim?: number; endDim?: number }, endDim?: number) {
    super();
    const o = resolveArgs('Flatten', [startDim, endDim], { startDim: 1, endDim: -1 });
    this.startDim = o.startDim; this.endDim = o.endDim;
  }
  override forward(input: Tensor): Tensor { return input.flatten(this.startDim, this.endDim); }
  override extraRepr(): string { return `start_dim=${this.startDim}, end_dim=${this.endDim}`; }
}

/**
 * Splits dim `dim` into `unflattenedSize`.
 * @example new torch.nn.Unflatten(1, [2, 5]).call(torch.zeros([2, 10])).shape // [2, 2, 5]
 */
export class Unflatten extends Module {
  dim: number;
  unflattenedSize: number[];
  constructor(dim: number, unflattenedSize: readonly number[]) {
    super();
    this.dim = dim; this.unflattenedSize = [...unflattenedSize];
  }
  override forward(input: Tensor): Tensor {
    const d = this.dim < 0 ? this.dim + input.dim() : this.dim;
    const size = input.shape[d];
    const prod = this.unflattenedSize.reduce((a, b) => a * b, 1);
    if (size !== undefined && !this.unflattenedSize.includes(-1) && prod !== size) {
      throw new RangeError(`unflatten: Provided sizes [${this.unflattenedSize.join(', ')}] don't multiply up to the size of dim ${this.dim} (${size}) in the input tensor`);
    }
    return input.unflatten(this.dim, this.unflattenedSize);
  }
  override extraRepr(): string { return `dim=${this.dim}, unflattened_size=(${this.unflattenedSize.join(', ')}${this.unflattenedSize.length === 1 ? ',' : ''})`; }
}
