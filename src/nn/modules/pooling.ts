/** Pooling layers. */
import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import * as F from '../functional.js';
import { checkIntArg, pyTuple, resolveArgs } from '../_args.js';

type IntOrTuple = number | readonly number[];
const fmt = (v: IntOrTuple | null): string => (v === null ? 'None' : typeof v === 'number' ? String(v) : pyTuple(v));
const pyBool = (b: boolean): string => (b ? 'True' : 'False');

/**
 * PyTorch checks these when the layer first runs; checking at construction reports the mistake where it was made
 * (`MaxPool2d(0)` used to fail later as "max(): Expected reduction dim 0 to have non-zero size").
 */
function checkPool(fn: string, kernelSize: unknown, stride: unknown, padding: unknown, dilation: unknown): void {
  checkIntArg(fn, 'kernel_size', kernelSize, (x) => x > 0, (x) => `${fn}: kernel_size must be greater than zero, but got ${x}`);
  checkIntArg(fn, 'stride', stride, (x) => x > 0, (x) => (x === 0 ? `${fn}: stride should not be zero` : `${fn}: stride must be greater than zero, but got ${x}`));
  checkIntArg(fn, 'padding', padding, (x) => x >= 0, (x) => `${fn}: pad must be non-negative, but got pad: ${x}`);
  if (dilation !== undefined) checkIntArg(fn, 'dilation', dilation, (x) => x > 0, (x) => `${fn}: dilation should be greater than zero, but got dilation: ${x}`);
  const ks = typeof kernelSize === 'number' ? [kernelSize] : (kernelSize as number[]);
  const ps = typeof padding === 'number' ? [padding] : (padding as number[]);
  for (let i = 0; i < Math.max(ks.length, ps.length); i++) {
    const k = ks[Math.min(i, ks.length - 1)]!, p = ps[Math.min(i, ps.length - 1)]!;
    if (p > k / 2) throw new RangeError(`${fn}: pad should be at most half of kernel size, but got pad=${p} and kernel_size=${k}`);
  }
}

/** Options of `MaxPool1d`/`MaxPool2d`. */
export interface MaxPoolOptions { stride?: IntOrTuple | null; padding?: IntOrTuple; dilation?: IntOrTuple; returnIndices?: boolean; ceilMode?: boolean }
const MAXPOOL_DEFAULTS = { stride: null as IntOrTuple | null, padding: 0 as IntOrTuple, dilation: 1 as IntOrTuple, returnIndices: false, ceilMode: false };

/**
 * 2-D max pooling. PyTorch's arguments: (kernelSize, stride = kernelSize, padding = 0, dilation = 1,
 * returnIndices = false, ceilMode = false). With `returnIndices` the output is `[values, indices]`.
 * @example new torch.nn.MaxPool2d(2).call(torch.randn([1, 3, 8, 8])).shape // [1, 3, 4, 4]
 */
export class MaxPool2d extends Module {
  kernelSize: IntOrTuple; stride: IntOrTuple; padding: IntOrTuple; dilation: IntOrTuple; returnIndices: boolean; ceilMode: boolean;
  constructor(kernelSize: IntOrTuple, stride?: IntOrTuple | null | MaxPoolOptions, padding?: IntOrTuple, dilation?: IntOrTuple, returnIndices?: boolean, ceilMode?: boolean) {
    super();
    const name = new.target.name;
    const o = resolveArgs(name, [stride, padding, dilation, returnIndices, ceilMode], MAXPOOL_DEFAULTS);
    checkPool(name, kernelSize, o.stride ?? kernelSize, o.padding, o.dilation);
    this.kernelSize = kernelSize; this.stride = o.stride ?? kernelSize; this.padding = o.padding; this.dilation = o.dilation;
    this.returnIndices = o.returnIndices; this.ceilMode = o.ceilMode;
  }
  override forward(input: Tensor): any {
    return F.maxPool2d(input, this.kernelSize, this.stride, this.padding, this.dilation, this.ceilMode, this.returnIndices);
  }
  override extraRepr(): string {
    return `kernel_size=${fmt(this.kernelSize)}, stride=${fmt(this.stride)}, padding=${fmt(this.padding)}, dilation=${fmt(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/**
 * 1-D max pooling over [N, C, L]; arguments as `MaxPool2d`.
 * @example new torch.nn.MaxPool1d(2).call(torch.randn([1, 3, 8])).shape // [1, 3, 4]
 */
export class MaxPool1d extends MaxPool2d {
  override forward(input: Tensor): any {
    return F.maxPool1d(input, this.kernelSize as number, this.stride as number, this.padding as number, this.dilation as number, this.ceilMode, this.returnIndices);
  }
}

/** Options of `AvgPool1d`/`AvgPool2d`. */
export interface AvgPoolOptions { stride?: IntOrTuple | null; padding?: IntOrTuple; ceilMode?: boolean; countIncludePad?: boolean; divisorOverride?: number | null }

/**
 * 2-D average pooling. PyTorch's arguments: (kernelSize, stride = kernelSize, padding = 0, ceilMode = false,
 * countIncludePad = true, divisorOverride = null).
 * @example new torch.nn.AvgPool2d(2).call(torch.ones([1, 1, 4, 4])).shape // [1, 1, 2, 2]
 */
export class AvgPool2d extends Module {
  kernelSize: IntOrTuple; stride: IntOrTuple; padding: IntOrTuple; ceilMode: boolean; countIncludePad: boolean; divisorOverride: number | null;
  constructor(kernelSize: IntOrTuple, stride?: IntOrTuple | null | AvgPoolOptions, padding?: IntOrTuple, ceilMode?: boolean, countIncludePad?: boolean, divisorOverride?: number | null) {
    super();
    const name = new.target.name;
    const o = resolveArgs(name, [stride, padding, ceilMode, countIncludePad, divisorOverride],
      { stride: null as IntOrTuple | null, padding: 0 as IntOrTuple, ceilMode: false, countIncludePad: true, divisorOverride: null as number | null });
    checkPool(name, kernelSize, o.stride ?? kernelSize, o.padding, undefined);
    if (o.divisorOverride !== null && (!Number.isInteger(o.divisorOverride) || o.divisorOverride === 0)) {
      throw new RangeError(`${name}: divisor must be not zero, but got ${String(o.divisorOverride)}`);
    }
    this.kernelSize = kernelSize; this.stride = o.stride ?? kernelSize; this.padding = o.padding; this.ceilMode = o.ceilMode;
    this.countIncludePad = o.countIncludePad; this.divisorOverride = o.divisorOverride;
  }
  override forward(input: Tensor): Tensor {
    return F.avgPool2d(input, this.kernelSize, this.stride, this.padding, this.ceilMode, this.countIncludePad, this.divisorOverride);
  }
  override extraRepr(): string { return `kernel_size=${fmt(this.kernelSize)}, stride=${fmt(this.stride)}, padding=${fmt(this.padding)}`; }
}

/**
 * 1-D average pooling over [N, C, L]; arguments as `AvgPool2d` (without divisorOverride).
 * @example new torch.nn.AvgPool1d(2).call(torch.ones([1, 1, 4])).shape // [1, 1, 2]
 */
export class AvgPool1d extends AvgPool2d {
  override extraRepr(): string {
    const one = (v: IntOrTuple): string => pyTuple(typeof v === 'number' ? [v] : v);
    return `kernel_size=${one(this.kernelSize)}, stride=${one(this.stride)}, padding=${one(this.padding)}`;
  }
  override forward(input: Tensor): Tensor {
    return F.avgPool1d(input, this.kernelSize as number, this.stride as number, this.padding as number, this.ceilMode, this.countIncludePad);
  }
}

/**
 * Adaptive average pooling to `outputSize` (int or [h, w], null keeps that input size).
 * @example new torch.nn.AdaptiveAvgPool2d([5, 7]).call(torch.randn([1, 64, 8, 9])).shape // [1, 64, 5, 7]
 */
export class AdaptiveAvgPool2d extends Module {
  outputSize: number | readonly (number | null)[];
  constructor(outputSize: number | readonly (number | null)[] | { outputSize: number | readonly (number | null)[] }) {
    super();
    this.outputSize = typeof outputSize === 'object' && outputSize !== null && !Array.isArray(outputSize) ? (outputSize as any).outputSize : outputSize;
  }
  override forward(input: Tensor): Tensor { return F.adaptiveAvgPool2d(input, this.outputSize); }
  override extraRepr(): string {
    const o = this.outputSize;
    return `output_size=${typeof o === 'number' ? o : `(${o.map((v) => (v === null ? 'None' : v)).join(', ')})`}`;
  }
}

/**
 * Adaptive average pooling over [N, C, L] to `outputSize`.
 * @example new torch.nn.AdaptiveAvgPool1d(5).call(torch.randn([1, 64, 8])).shape // [1, 64, 5]
 */
export class AdaptiveAvgPool1d extends Module {
  outputSize: number;
  constructor(outputSize: number) { super(); this.outputSize = outputSize; }
  override forward(input: Tensor): Tensor { return F.adaptiveAvgPool1d(input, this.outputSize); }
  override extraRepr(): string { return `output_size=${this.outputSize}`; }
}
