/** Dropout layers. */
import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import * as F from '../functional.js';
import { pyFloat, pyNum, pyTypeName, resolveArgs } from '../_args.js';

/**
 * In training, zeroes each element with probability `p` and scales the others by 1/(1−p); in eval it is the
 * identity. PyTorch's arguments: (p = 0.5, inplace = false).
 * @example const d = new torch.nn.Dropout(0.2); d.eval(); d.call(torch.ones([3])).tolist() // [1, 1, 1]
 */
export class Dropout extends Module {
  p: number;
  inplace: boolean;
  constructor(p?: number | { p?: number; inplace?: boolean }, inplace?: boolean) {
    super();
    const o = resolveArgs(new.target.name, [p, inplace], { p: 0.5, inplace: false });
    if (typeof o.p !== 'number') throw new TypeError(`${new.target.name}: p must be a float, but got ${pyTypeName(o.p)}`);
    // `!(p >= 0)` also catches NaN, which would otherwise make every output NaN
    if (!(o.p >= 0 && o.p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${pyNum(o.p)}`);
    if (typeof o.inplace !== 'boolean') throw new TypeError(`${new.target.name}: inplace must be a bool, but got ${pyTypeName(o.inplace)}`);
    this.p = o.p; this.inplace = o.inplace;
  }
  override forward(input: Tensor): Tensor { return F.dropout(input, this.p, this.training, this.inplace); }
  override extraRepr(): string { return `p=${pyFloat(this.p)}, inplace=${this.inplace ? 'True' : 'False'}`; }
}

/**
 * Channel-wise dropout for [N, C, H, W]: whole channels are zeroed with probability `p` in training.
 * @example new torch.nn.Dropout2d(0.2).call(torch.randn([20, 16, 32, 32])).shape // [20, 16, 32, 32]
 */
export class Dropout2d extends Dropout {
  override forward(input: Tensor): Tensor { return F.dropout2d(input, this.p, this.training, this.inplace); }
}
