/** `InstanceNorm1d`, `InstanceNorm2d`, `InstanceNorm3d`. */
import type { Tensor } from '../../tensor.js';
import { empty, zeros, ones, tensor } from '../../ops.js';
import { noGrad } from '../../autograd/grad_mode.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { pyNum, resolveArgs } from '../_args.js';
import type { FactoryOptions } from '../_args.js';
import { warn } from '../../optim/_access.js';

/** Options of the InstanceNorm layers. */
export interface InstanceNormOptions extends FactoryOptions { eps?: number; momentum?: number; affine?: boolean; trackRunningStats?: boolean }

/**
 * Instance normalisation (PyTorch's `_InstanceNorm`): every (sample, channel) normalised over its own spatial
 * elements; `affine` (default false) adds per-channel `weight`/`bias`; `trackRunningStats` (default false) keeps
 * `running_mean`/`running_var` (momentum 0.1), used in eval mode. Unbatched input (no N) is accepted. Buffer
 * names as PyTorch, so state dicts load.
 * @example
 * const norm = new torch.nn.InstanceNorm2d(3, { affine: true });
 * norm.call(torch.randn([2, 3, 8, 8])).shape; // [2, 3, 8, 8]
 */
export abstract class InstanceNormBase extends Module {
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;
  numFeatures: number;
  eps: number;
  momentum: number;
  affine: boolean;
  trackRunningStats: boolean;

  constructor(numFeatures: number, rest: unknown[], name: string) {
    super();
    const o = resolveArgs(name, rest, { eps: 1e-5, momentum: 0.1, affine: false, trackRunningStats: false, device: undefined as any, dtype: undefined as any });
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
   * @internal As PyTorch's `_NormBase` for state dicts without version metadata: a missing `num_batches_tracked`
   * loads as 0 instead of being reported missing.
   */
  override _loadFromStateDict(sd: Map<string, Tensor>, prefix: string, missing: string[], unexpected: string[], errors: string[]): void {
    const key = `${prefix}num_batches_tracked`;
    if (this.trackRunningStats && !sd.has(key)) sd.set(key, tensor(0, { dtype: 'int64' }));
    super._loadFromStateDict(sd, prefix, missing, unexpected, errors);
  }

  /** @internal The number of dims of an unbatched input (2 for InstanceNorm1d, 3 for 2d, 4 for 3d). */
  abstract _noBatchDim(): number;

  override forward(input: Tensor): Tensor {
    const nb = this._noBatchDim();
    if (input.dim() !== nb && input.dim() !== nb + 1) {
      throw new RangeError(`expected ${nb}D or ${nb + 1}D input (got ${input.dim()}D input)`);
    }
    const featureDim = input.dim() - nb;
    if (input.shape[featureDim] !== this.numFeatures) {
      if (this.affine) {
        throw new RangeError(`expected input's size at dim=${featureDim} to match num_features (${this.numFeatures}), but got: ${input.shape[featureDim]}.`);
      }
      warn(`input's size at dim=${featureDim} does not match num_features. You can silence this warning by not passing in num_features, which is not used because affine=False`);
    }
    const unbatched = input.dim() === nb;
    const x = unbatched ? input.unsqueeze(0) : input;
    const out = F.instanceNorm(x, this.running_mean, this.running_var, this.weight, this.bias,
      this.training || !this.trackRunningStats, this.momentum, this.eps);
    return unbatched ? out.squeeze(0) : out;
  }

  override extraRepr(): string {
    const b = (v: boolean): string => (v ? 'True' : 'False');
    return `${this.numFeatures}, eps=${pyNum(this.eps)}, momentum=${pyNum(this.momentum)}, affine=${b(this.affine)}, track_running_stats=${b(this.trackRunningStats)}`;
  }
}

/**
 * Instance normalisation of [N, C, L] (or unbatched [C, L]). Arguments: (numFeatures, eps = 1e-5,
 * momentum = 0.1, affine = false, trackRunningStats = false) or an options object.
 * @example new torch.nn.InstanceNorm1d(4).call(torch.randn([2, 4, 10])).shape // [2, 4, 10]
 */
export class InstanceNorm1d extends InstanceNormBase {
  constructor(numFeatures: number, eps?: number | InstanceNormOptions, momentum?: number, affine?: boolean, trackRunningStats?: boolean, opts?: FactoryOptions) {
    super(numFeatures, [eps, momentum, affine, trackRunningStats, opts], 'InstanceNorm1d');
  }
  override _noBatchDim(): number { return 2; }
}

/**
 * Instance normalisation of [N, C, H, W] (or unbatched [C, H, W]). Arguments as `InstanceNorm1d`.
 * @example new torch.nn.InstanceNorm2d(3, { affine: true }).call(torch.randn([2, 3, 5, 5])).shape // [2, 3, 5, 5]
 */
export class InstanceNorm2d extends InstanceNormBase {
  constructor(numFeatures: number, eps?: number | InstanceNormOptions, momentum?: number, affine?: boolean, trackRunningStats?: boolean, opts?: FactoryOptions) {
    super(numFeatures, [eps, momentum, affine, trackRunningStats, opts], 'InstanceNorm2d');
  }
  override _noBatchDim(): number { return 3; }
}

/**
 * Instance normalisation of [N, C, D, H, W] (or unbatched [C, D, H, W]). Arguments as `InstanceNorm1d`.
 * @example new torch.nn.InstanceNorm3d(2).call(torch.randn([1, 2, 3, 4, 5])).shape // [1, 2, 3, 4, 5]
 */
export class InstanceNorm3d extends InstanceNormBase {
  constructor(numFeatures: number, eps?: number | InstanceNormOptions, momentum?: number, affine?: boolean, trackRunningStats?: boolean, opts?: FactoryOptions) {
    super(numFeatures, [eps, momentum, affine, trackRunningStats, opts], 'InstanceNorm3d');
  }
  override _noBatchDim(): number { return 4; }
}
