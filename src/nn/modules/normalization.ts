/** Normalisation layers: `BatchNorm1d`, `BatchNorm2d`, `LayerNorm`, `GroupNorm`. */
import type { Tensor } from '../../tensor.js';
import { empty, zeros, ones, tensor } from '../../ops.js';
import { noGrad } from '../../autograd/grad_mode.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { pyNum, resolveArgs } from '../_args.js';
import type { FactoryOptions } from '../_args.js';

/** Options of the BatchNorm layers. */
export interface BatchNormOptions extends FactoryOptions { eps?: number; momentum?: number | null; affine?: boolean; trackRunningStats?: boolean }
const BN_DEFAULTS = { eps: 1e-5, momentum: 0.1 as number | null, affine: true, trackRunningStats: true, device: undefined as any, dtype: undefined as any };

/**
 * The shared part of the batch and instance norm layers (PyTorch's `_NormBase`): the per-channel affine
 * `weight`/`bias` parameters and the `running_mean`/`running_var`/`num_batches_tracked` buffers (registered as
 * null when off, so the names and their order match PyTorch's state dicts), their reset, and the loading of state
 * dicts that lack `num_batches_tracked`. `defaults` gives the positional order and defaults of the subclass.
 */
export abstract class NormBase extends Module {
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;
  numFeatures: number;
  eps: number;
  momentum: number | null;
  affine: boolean;
  trackRunningStats: boolean;

  constructor(numFeatures: number, rest: unknown[], name: string, defaults: typeof BN_DEFAULTS) {
    super();
    const o = resolveArgs(name, rest, defaults);
    this.numFeatures = numFeatures; this.eps = o.eps; this.momentum = o.momentum; this.affine = o.affine; this.trackRunningStats = o.trackRunningStats;
    const fo = { dtype: o.dtype, device: o.device };
    if (o.affine) {
      this.weight = new Parameter(empty([numFeatures], fo));
      this.bias = new Parameter(empty([numFeatures], fo));
    } else {
      this.registerParameter('weight', null);
      this.registerParameter('bias', null);
    }
    if (o.trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures], fo));
      this.registerBuffer('running_var', ones([numFeatures], fo));
      this.registerBuffer('num_batches_tracked', tensor(0, { dtype: 'int64', device: fo.device }));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
    this.resetParameters();
  }

  /** `running_mean` (camelCase alias). */
  get runningMean(): Tensor | null { return this.running_mean; }
  /** `running_var` (camelCase alias). */
  get runningVar(): Tensor | null { return this.running_var; }

  /** Zeroes the running mean and batch count, sets the running variance to 1. */
  resetRunningStats(): void {
    if (this.trackRunningStats) {
      noGrad(() => { this.running_mean!.zero_(); this.running_var!.fill_(1); this.num_batches_tracked!.zero_(); });
    }
  }

  /** Resets running stats and the affine parameters (weight 1, bias 0). */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.affine) { init.ones_(this.weight!); init.zeros_(this.bias!); }
  }

  /**
   * @internal As PyTorch for state dicts without version metadata (every torchlet or plain-dict state dict): a
   * missing `num_batches_tracked` loads as 0 instead of being reported missing.
   */
  override _loadFromStateDict(sd: Map<string, Tensor>, prefix: string, missing: string[], unexpected: string[], errors: string[]): void {
    const key = `${prefix}num_batches_tracked`;
    if (this.trackRunningStats && !sd.has(key)) sd.set(key, tensor(0, { dtype: 'int64' }));
    super._loadFromStateDict(sd, prefix, missing, unexpected, errors);
  }
}

/**
 * Batch normalisation (PyTorch's `_BatchNorm`). Training: normalises with the biased batch variance and updates
 * the running stats with the unbiased one (momentum 0.1, or a cumulative average with `momentum: null`),
 * counting `num_batches_tracked`. Eval: uses the running stats (batch stats when `trackRunningStats` is false).
 * Buffers keep PyTorch's names (`running_mean`, `running_var`, `num_batches_tracked`) so state dicts match.
 * @example
 * const bn = new torch.nn.BatchNorm1d(3);
 * bn.call(torch.randn([8, 3]));
 * bn.runningMean; // moved 10% toward the batch mean
 */
export abstract class BatchNormBase extends NormBase {
  constructor(numFeatures: number, rest: unknown[], name: string) {
    super(numFeatures, rest, name, BN_DEFAULTS);
  }

  /** `num_batches_tracked` (camelCase alias). */
  get numBatchesTracked(): Tensor | null { return this.num_batches_tracked; }

  /** @internal */
  abstract _checkInputDim(input: Tensor): void;

  override forward(input: Tensor): Tensor {
    this._checkInputDim(input);
    const factor = this.momentum ?? 0;
    let cumulative = false;
    if (this.training && this.trackRunningStats && this.num_batches_tracked !== null) {
      noGrad(() => this.num_batches_tracked!.add_(1));
      cumulative = this.momentum === null;
    }
    const bnTraining = this.training ? true : this.running_mean === null && this.running_var === null;
    const useRunning = !this.training || this.trackRunningStats;
    if (cumulative && this.running_mean !== null && this.running_var !== null) {
      // momentum None: a cumulative average, factor 1/num_batches_tracked. PyTorch reads the counter back to the
      // host for the factor; here the update is done with the counter as a tensor, so nothing leaves the device.
      const out = F.batchNorm(input, null, null, this.weight, this.bias, true, 0, this.eps);
      const rm = this.running_mean, rv = this.running_var, nbt = this.num_batches_tracked!;
      noGrad(() => {
        const axes = input.shape.map((_, i) => i).filter((i) => i !== 1);
        const f = nbt.to(rm.dtype).reciprocal();
        rm.add_(input.mean(axes).to(rm.dtype).sub(rm).mul(f));
        rv.add_(input.var(axes, true).to(rv.dtype).sub(rv).mul(f));
      });
      return out;
    }
    return F.batchNorm(input, useRunning ? this.running_mean : null, useRunning ? this.running_var : null,
      this.weight, this.bias, bnTraining, factor, this.eps);
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyNum(this.eps)}, momentum=${this.momentum === null ? 'None' : pyNum(this.momentum)}, affine=${this.affine ? 'True' : 'False'}, track_running_stats=${this.trackRunningStats ? 'True' : 'False'}`;
  }
}

/**
 * Batch normalisation over [N, C] or [N, C, L]. PyTorch's arguments: (numFeatures, eps = 1e-5, momentum = 0.1,
 * affine = true, trackRunningStats = true).
 * @example new torch.nn.BatchNorm1d(100).call(torch.randn([20, 100])).shape // [20, 100]
 */
export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, eps?: number | BatchNormOptions, momentum?: number | null, affine?: boolean, trackRunningStats?: boolean, opts?: FactoryOptions) {
    super(numFeatures, [eps, momentum, affine, trackRunningStats, opts], 'BatchNorm1d');
  }
  override _checkInputDim(input: Tensor): void {
    if (input.dim() !== 2 && input.dim() !== 3) throw new RangeError(`expected 2D or 3D input (got ${input.dim()}D input)`);
  }
}

/**
 * Batch normalisation over [N, C, H, W]; arguments as `BatchNorm1d`.
 * @example new torch.nn.BatchNorm2d(16).call(torch.randn([4, 16, 8, 8])).shape // [4, 16, 8, 8]
 */
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, eps?: number | BatchNormOptions, momentum?: number | null, affine?: boolean, trackRunningStats?: boolean, opts?: FactoryOptions) {
    super(numFeatures, [eps, momentum, affine, trackRunningStats, opts], 'BatchNorm2d');
  }
  override _checkInputDim(input: Tensor): void {
    if (input.dim() !== 4) throw new RangeError(`expected 4D input (got ${input.dim()}D input)`);
  }
}

/** Options of `LayerNorm`. */
export interface LayerNormOptions extends FactoryOptions { eps?: number; elementwiseAffine?: boolean }

/**
 * Layer normalisation over the trailing `normalizedShape` dims; weight 1, bias 0 when `elementwiseAffine`.
 * @example new torch.nn.LayerNorm(10).call(torch.randn([20, 5, 10])).shape // [20, 5, 10]
 */
export class LayerNorm extends Module {
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  normalizedShape: number[];
  eps: number;
  elementwiseAffine: boolean;
  constructor(normalizedShape: number | readonly number[], eps?: number | LayerNormOptions, elementwiseAffine?: boolean, opts?: FactoryOptions) {
    super();
    const o = resolveArgs('LayerNorm', [eps, elementwiseAffine, opts], { eps: 1e-5, elementwiseAffine: true, device: undefined as any, dtype: undefined as any });
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.eps = o.eps; this.elementwiseAffine = o.elementwiseAffine;
    if (o.elementwiseAffine) {
      this.weight = new Parameter(empty(this.normalizedShape, { dtype: o.dtype, device: o.device }));
      this.bias = new Parameter(empty(this.normalizedShape, { dtype: o.dtype, device: o.device }));
    } else {
      this.registerParameter('weight', null);
      this.registerParameter('bias', null);
    }
    this.resetParameters();
  }
  /** weight 1, bias 0. */
  resetParameters(): void { if (this.elementwiseAffine) { init.ones_(this.weight!); init.zeros_(this.bias!); } }
  override forward(input: Tensor): Tensor { return F.layerNorm(input, this.normalizedShape, this.weight, this.bias, this.eps); }
  override extraRepr(): string {
    const ns = this.normalizedShape.length === 1 ? `(${this.normalizedShape[0]},)` : `(${this.normalizedShape.join(', ')})`;
    return `${ns}, eps=${pyNum(this.eps)}, elementwise_affine=${this.elementwiseAffine ? 'True' : 'False'}`;
  }
}

/** Options of `GroupNorm`. */
export interface GroupNormOptions extends FactoryOptions { eps?: number; affine?: boolean }

/**
 * Group normalisation of [N, C, *] with `numGroups` groups; per-channel weight 1 and bias 0 when `affine`.
 * @example new torch.nn.GroupNorm(3, 6).call(torch.randn([20, 6, 10, 10])).shape // [20, 6, 10, 10]
 */
export class GroupNorm extends Module {
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  numGroups: number;
  numChannels: number;
  eps: number;
  affine: boolean;
  constructor(numGroups: number, numChannels: number, eps?: number | GroupNormOptions, affine?: boolean, opts?: FactoryOptions) {
    super();
    const o = resolveArgs('GroupNorm', [eps, affine, opts], { eps: 1e-5, affine: true, device: undefined as any, dtype: undefined as any });
    for (const [n, v] of [['num_groups', numGroups], ['num_channels', numChannels]] as const) {
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`GroupNorm(): argument '${n}' must be int, not ${typeof v === 'number' ? 'float' : typeof v}`);
    }
    if (numChannels % numGroups !== 0) throw new RangeError('num_channels must be divisible by num_groups');
    this.numGroups = numGroups; this.numChannels = numChannels; this.eps = o.eps; this.affine = o.affine;
    if (o.affine) {
      this.weight = new Parameter(empty([numChannels], { dtype: o.dtype, device: o.device }));
      this.bias = new Parameter(empty([numChannels], { dtype: o.dtype, device: o.device }));
    } else {
      this.registerParameter('weight', null);
      this.registerParameter('bias', null);
    }
    this.resetParameters();
  }
  /** weight 1, bias 0. */
  resetParameters(): void { if (this.affine) { init.ones_(this.weight!); init.zeros_(this.bias!); } }
  override forward(input: Tensor): Tensor { return F.groupNorm(input, this.numGroups, this.weight, this.bias, this.eps); }
  override extraRepr(): string { return `${this.numGroups}, ${this.numChannels}, eps=${pyNum(this.eps)}, affine=${this.affine ? 'True' : 'False'}`; }
}

