/** Convolution layers: `Conv1d`, `Conv2d`, `ConvTranspose1d`, `ConvTranspose2d`. */
import type { Tensor } from '../../tensor.js';
import { empty } from '../../ops.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { checkIntArg, ntuple, pyTuple, pyTypeName, resolveArgs } from '../_args.js';

const pyList = (v: unknown): string => (Array.isArray(v) ? `[${v.join(', ')}]` : String(v));
import type { FactoryOptions } from '../_args.js';

type IntOrTuple = number | readonly number[];
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

/** Options of `Conv1d`/`Conv2d` (PyTorch's keyword arguments in camelCase). */
export interface ConvOptions extends FactoryOptions {
  stride?: IntOrTuple; padding?: IntOrTuple | 'same' | 'valid'; dilation?: IntOrTuple; groups?: number; bias?: boolean; paddingMode?: PaddingMode;
}
/** Options of `ConvTranspose1d`/`ConvTranspose2d`. */
export interface ConvTransposeOptions extends FactoryOptions {
  stride?: IntOrTuple; padding?: IntOrTuple; outputPadding?: IntOrTuple; groups?: number; bias?: boolean; dilation?: IntOrTuple; paddingMode?: 'zeros';
}

/**
 * Shared state of the convolution layers (PyTorch's `_ConvNd`): channels, kernel, stride, padding, dilation, groups.
 * @example new torch.nn.Conv2d(3, 8, 3) instanceof torch.nn.ConvNd // true
 */
export abstract class ConvNd extends Module {
  declare weight: Parameter;
  declare bias: Parameter | null;
  inChannels: number;
  outChannels: number;
  kernelSize: number[];
  stride: number[];
  padding: number[] | 'same' | 'valid';
  dilation: number[];
  transposed: boolean;
  outputPadding: number[];
  groups: number;
  paddingMode: string;
  /** @internal [lo, hi] pairs from the last spatial dim backwards, for non-zero padding modes */
  _reversedPaddingRepeatedTwice: number[];

  constructor(nd: number, inChannels: number, outChannels: number, kernelSize: IntOrTuple, stride: IntOrTuple, padding: IntOrTuple | 'same' | 'valid',
    dilation: IntOrTuple, transposed: boolean, outputPadding: IntOrTuple, groups: number, bias: boolean, paddingMode: string, fo: FactoryOptions) {
    super();
    const fn = new.target.name;
    // the channel counts first: `Conv2d(1.5, ...)` names the argument instead of failing the divisibility check
    for (const [n, v] of [['in_channels', inChannels], ['out_channels', outChannels]] as const) {
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${fn}(): argument '${n}' must be int, not ${pyTypeName(v)}`);
      if (v < 0) throw new RangeError(`${fn}: ${n} must be non-negative, but got ${v}`);
    }
    if (!Number.isInteger(groups) || groups <= 0) throw new RangeError('groups must be a positive integer');
    if (inChannels % groups !== 0) throw new RangeError('in_channels must be divisible by groups');
    if (outChannels % groups !== 0) throw new RangeError('out_channels must be divisible by groups');
    checkIntArg(fn, 'kernel_size', kernelSize, (x) => x > 0, (x) => `${fn}: kernel_size must be greater than zero, but got ${x}`);
    checkIntArg(fn, 'stride', stride, (x) => x > 0, () => `${fn}: non-positive stride is not supported`);
    if (typeof padding !== 'string') checkIntArg(fn, 'padding', padding, (x) => x >= 0, () => `${fn}: negative padding is not supported`);
    checkIntArg(fn, 'dilation', dilation, (x) => x > 0, () => `${fn}: dilation should be greater than zero, but got ${pyList(dilation)}`);
    checkIntArg(fn, 'output_padding', outputPadding, (x) => x >= 0, () => `${fn}: negative output_padding is not supported`);
    const k = ntuple(kernelSize, nd, 'kernel_size'), s = ntuple(stride, nd, 'stride'), d = ntuple(dilation, nd, 'dilation');
    if (typeof padding === 'string') {
      if (padding !== 'same' && padding !== 'valid') throw new RangeError(`Invalid padding string '${padding}', should be one of {'valid', 'same'}`);
      if (padding === 'same' && s.some((v) => v !== 1)) throw new RangeError("padding='same' is not supported for strided convolutions");
    }
    const modes = ['zeros', 'reflect', 'replicate', 'circular'];
    if (!modes.includes(paddingMode)) {
      throw new RangeError(`padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got padding_mode='${paddingMode}'`);
    }
    this.inChannels = inChannels; this.outChannels = outChannels; this.kernelSize = k; this.stride = s;
    this.padding = typeof padding === 'string' ? padding : ntuple(padding, nd, 'padding');
    this.dilation = d; this.transposed = transposed; this.outputPadding = ntuple(outputPadding, nd, 'output_padding');
    this.groups = groups; this.paddingMode = paddingMode;
    const rev: number[] = [];
    for (let i = nd - 1; i >= 0; i--) {
      if (this.padding === 'same') { const total = d[i]! * (k[i]! - 1); const left = Math.floor(total / 2); rev.push(left, total - left); }
      else if (this.padding === 'valid') rev.push(0, 0);
      else rev.push(this.padding[i]!, this.padding[i]!);
    }
    this._reversedPaddingRepeatedTwice = rev;
    const wshape = transposed ? [inChannels, outChannels / groups, ...k] : [outChannels, inChannels / groups, ...k];
    this.weight = new Parameter(empty(wshape, { dtype: fo.dtype, device: fo.device }));
    if (bias) this.bias = new Parameter(empty([outChannels], { dtype: fo.dtype, device: fo.device }));
    else this.registerParameter('bias', null);
    this.resetParameters();
  }

  /** Re-draws the parameters with PyTorch's default initialisation (kaiming-uniform, a = √5). */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, Math.sqrt(5));
    if (this.bias !== null) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      if (fanIn !== 0) { const bound = 1 / Math.sqrt(fanIn); init.uniform_(this.bias, -bound, bound); }
    }
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding.some((v) => v !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((v) => v !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.outputPadding.some((v) => v !== 0)) s += `, output_padding=${pyTuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }

  /** @internal conv with padding mode handling */
  _convForward(fn: typeof F.conv2d, input: Tensor): Tensor {
    if (this.paddingMode !== 'zeros') {
      const x = F.pad(input, this._reversedPaddingRepeatedTwice, this.paddingMode as any);
      return fn(x, this.weight, this.bias, this.stride, 0, this.dilation, this.groups);
    }
    return fn(input, this.weight, this.bias, this.stride, this.padding, this.dilation, this.groups);
  }
}

const CONV_DEFAULTS = {
  stride: 1 as IntOrTuple, padding: 0 as IntOrTuple | 'same' | 'valid', dilation: 1 as IntOrTuple, groups: 1, bias: true,
  paddingMode: 'zeros' as string, device: undefined as any, dtype: undefined as any,
};

/**
 * 2-D convolution over [N, C, H, W] (or [C, H, W]). PyTorch's arguments: (inChannels, outChannels, kernelSize,
 * stride = 1, padding = 0 (int, pair, 'valid' or 'same'), dilation = 1, groups = 1, bias = true,
 * paddingMode = 'zeros'), positionally or as a trailing options object.
 * @example
 * const conv = new torch.nn.Conv2d(3, 16, 3, { padding: 1 }); // ≡ new torch.nn.Conv2d(3, 16, 3, 1, 1)
 * conv.call(torch.randn([2, 3, 8, 8])).shape; // [2, 16, 8, 8]
 */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, stride?: IntOrTuple | ConvOptions, padding?: IntOrTuple | 'same' | 'valid',
    dilation?: IntOrTuple, groups?: number, bias?: boolean, paddingMode?: PaddingMode, opts?: FactoryOptions) {
    const o = resolveArgs('Conv2d', [stride, padding, dilation, groups, bias, paddingMode, opts], CONV_DEFAULTS);
    super(2, inChannels, outChannels, kernelSize, o.stride, o.padding, o.dilation, false, 0, o.groups, o.bias, o.paddingMode, o);
  }
  override forward(input: Tensor): Tensor { return this._convForward(F.conv2d, input); }
}

/**
 * 1-D convolution over [N, C, L] (or [C, L]); arguments as `Conv2d`.
 * @example new torch.nn.Conv1d(16, 33, 3, { stride: 2 }).call(torch.randn([20, 16, 50])).shape // [20, 33, 24]
 */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, stride?: IntOrTuple | ConvOptions, padding?: IntOrTuple | 'same' | 'valid',
    dilation?: IntOrTuple, groups?: number, bias?: boolean, paddingMode?: PaddingMode, opts?: FactoryOptions) {
    const o = resolveArgs('Conv1d', [stride, padding, dilation, groups, bias, paddingMode, opts], CONV_DEFAULTS);
    super(1, inChannels, outChannels, kernelSize, o.stride, o.padding, o.dilation, false, 0, o.groups, o.bias, o.paddingMode, o);
  }
  override forward(input: Tensor): Tensor { return this._convForward(F.conv1d as typeof F.conv2d, input); }
}

const CONVT_DEFAULTS = {
  stride: 1 as IntOrTuple, padding: 0 as IntOrTuple, outputPadding: 0 as IntOrTuple, groups: 1, bias: true, dilation: 1 as IntOrTuple,
  paddingMode: 'zeros' as string, device: undefined as any, dtype: undefined as any,
};

abstract class ConvTransposeNd extends ConvNd {
  /** PyTorch's `_output_padding`: the output padding that produces `outputSize`. */
  _outputPaddingFor(input: Tensor, outputSize: readonly number[] | null, nd: number): number[] {
    if (outputSize === null) return this.outputPadding;
    const hasBatch = input.dim() === nd + 2;
    const nonSpatial = hasBatch ? 2 : 1;
    let os = [...outputSize];
    if (os.length === nonSpatial + nd) os = os.slice(nonSpatial);
    if (os.length !== nd) {
      throw new RangeError(`ConvTranspose${nd}D: for ${input.dim()}D input, output_size must have ${nd} or ${nonSpatial + nd} elements (got ${outputSize.length})`);
    }
    const minS: number[] = [], maxS: number[] = [];
    for (let d = 0; d < nd; d++) {
      const dimSize = (input.shape[d + nonSpatial]! - 1) * this.stride[d]! - 2 * (this.padding as number[])[d]! + this.dilation[d]! * (this.kernelSize[d]! - 1) + 1;
      minS.push(dimSize); maxS.push(dimSize + this.stride[d]! - 1);
    }
    for (let i = 0; i < nd; i++) {
      if (os[i]! < minS[i]! || os[i]! > maxS[i]!) {
        throw new RangeError(`requested an output size of [${os.join(', ')}], but valid sizes range from [${minS.join(', ')}] to [${maxS.join(', ')}] (for an input of torch.Size([${input.shape.slice(nonSpatial).join(', ')}]))`);
      }
    }
    return os.map((v, d) => v - minS[d]!);
  }
}

/**
 * Transposed 2-D convolution. PyTorch's arguments: (inChannels, outChannels, kernelSize, stride = 1, padding = 0,
 * outputPadding = 0, groups = 1, bias = true, dilation = 1, paddingMode = 'zeros'); `forward(x, outputSize?)`.
 * @example new torch.nn.ConvTranspose2d(16, 8, 3, { stride: 2 }).call(torch.randn([1, 16, 12, 12])).shape // [1, 8, 25, 25]
 */
export class ConvTranspose2d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, stride?: IntOrTuple | ConvTransposeOptions, padding?: IntOrTuple,
    outputPadding?: IntOrTuple, groups?: number, bias?: boolean, dilation?: IntOrTuple, paddingMode?: 'zeros', opts?: FactoryOptions) {
    const o = resolveArgs('ConvTranspose2d', [stride, padding, outputPadding, groups, bias, dilation, paddingMode, opts], CONVT_DEFAULTS);
    if (o.paddingMode !== 'zeros') throw new RangeError(`Only "zeros" padding mode is supported for ConvTranspose2d`);
    super(2, inChannels, outChannels, kernelSize, o.stride, o.padding, o.dilation, true, o.outputPadding, o.groups, o.bias, o.paddingMode, o);
  }
  override forward(input: Tensor, outputSize: readonly number[] | null = null): Tensor {
    const op = this._outputPaddingFor(input, outputSize, 2);
    return F.convTranspose2d(input, this.weight, this.bias, this.stride, this.padding as number[], op, this.groups, this.dilation);
  }
}

/**
 * Transposed 1-D convolution; arguments as `ConvTranspose2d`.
 * @example new torch.nn.ConvTranspose1d(4, 2, 3).call(torch.randn([1, 4, 5])).shape // [1, 2, 7]
 */
export class ConvTranspose1d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, stride?: IntOrTuple | ConvTransposeOptions, padding?: IntOrTuple,
    outputPadding?: IntOrTuple, groups?: number, bias?: boolean, dilation?: IntOrTuple, paddingMode?: 'zeros', opts?: FactoryOptions) {
    const o = resolveArgs('ConvTranspose1d', [stride, padding, outputPadding, groups, bias, dilation, paddingMode, opts], CONVT_DEFAULTS);
    if (o.paddingMode !== 'zeros') throw new RangeError(`Only "zeros" padding mode is supported for ConvTranspose1d`);
    super(1, inChannels, outChannels, kernelSize, o.stride, o.padding, o.dilation, true, o.outputPadding, o.groups, o.bias, o.paddingMode, o);
  }
  override forward(input: Tensor, outputSize: readonly number[] | null = null): Tensor {
    const op = this._outputPaddingFor(input, outputSize, 1);
    return F.convTranspose1d(input, this.weight, this.bias, this.stride, this.padding as number[], op, this.groups, this.dilation);
  }
}
