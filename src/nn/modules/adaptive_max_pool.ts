/** `AdaptiveMaxPool1d`, `AdaptiveMaxPool2d`. */
import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import * as F from '../functional.js';
import { isOptions, resolveArgs } from '../_args.js';

/**
 * Adaptive max pooling of [N, C, H, W] / [C, H, W] to `outputSize` (int, or [h, w] with null keeping that input
 * size); with `returnIndices`, `forward` returns [values, flat indices] (`torch.nn.AdaptiveMaxPool2d`).
 * @example new torch.nn.AdaptiveMaxPool2d([2, 3]).call(torch.randn([1, 4, 7, 9])).shape // [1, 4, 2, 3]
 */
export class AdaptiveMaxPool2d extends Module {
  outputSize: number | readonly (number | null)[];
  returnIndices: boolean;
  constructor(outputSize: number | readonly (number | null)[] | { outputSize: number | readonly (number | null)[]; returnIndices?: boolean },
    returnIndices?: boolean | { returnIndices?: boolean }) {
    super();
    if (isOptions(outputSize)) { const o = outputSize as { outputSize: number | readonly (number | null)[]; returnIndices?: boolean }; this.outputSize = o.outputSize; this.returnIndices = o.returnIndices ?? false; }
    else { this.outputSize = outputSize as number | readonly (number | null)[]; this.returnIndices = resolveArgs('AdaptiveMaxPool2d', [returnIndices], { returnIndices: false }).returnIndices; }
  }
  override forward(input: Tensor): Tensor | [Tensor, Tensor] { return F.adaptiveMaxPool2d(input, this.outputSize, this.returnIndices); }
  override extraRepr(): string {
    const o = this.outputSize;
    return `output_size=${typeof o === 'number' ? o : `(${o.map((v) => (v === null ? 'None' : v)).join(', ')})`}`;
  }
}

/**
 * Adaptive max pooling of [N, C, L] / [C, L] to `outputSize`; with `returnIndices`, `forward` returns
 * [values, indices] (`torch.nn.AdaptiveMaxPool1d`).
 * @example new torch.nn.AdaptiveMaxPool1d(3).call(torch.randn([1, 4, 10])).shape // [1, 4, 3]
 */
export class AdaptiveMaxPool1d extends Module {
  outputSize: number;
  returnIndices: boolean;
  constructor(outputSize: number | { outputSize: number; returnIndices?: boolean }, returnIndices?: boolean | { returnIndices?: boolean }) {
    super();
    if (typeof outputSize === 'number') { this.outputSize = outputSize; this.returnIndices = resolveArgs('AdaptiveMaxPool1d', [returnIndices], { returnIndices: false }).returnIndices; }
    else { this.outputSize = outputSize.outputSize; this.returnIndices = outputSize.returnIndices ?? false; }
  }
  override forward(input: Tensor): Tensor | [Tensor, Tensor] { return F.adaptiveMaxPool1d(input, this.outputSize, this.returnIndices); }
  override extraRepr(): string { return `output_size=${this.outputSize}`; }
}
