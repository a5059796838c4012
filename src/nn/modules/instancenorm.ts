/** `InstanceNorm1d`, `InstanceNorm2d`, `InstanceNorm3d`. */
import type { Tensor } from '../../tensor.js';
import { NormBase } from './normalization.js';
import * as F from '../functional.js';
import { pyNum } from '../_args.js';
import type { FactoryOptions } from '../_args.js';
import { warn } from '../../optim/_access.js';

/** Options of the InstanceNorm layers. */
export interface InstanceNormOptions extends FactoryOptions { eps?: number; momentum?: number; affine?: boolean; trackRunningStats?: boolean }
const IN_DEFAULTS = { eps: 1e-5, momentum: 0.1 as number | null, affine: false, trackRunningStats: false, device: undefined as any, dtype: undefined as any };

/**
 * Instance normalisation (PyTorch's `_InstanceNorm`): every (sample, channel) normalised over its own spatial
 * elements; `affine` (default false) adds per-channel `weight`/`bias`; `trackRunningStats` (default false) keeps
 * `running_mean`/`running_var` (momentum 0.1), used in eval mode. Unbatched input (no N) is accepted. Buffer
 * names as PyTorch, so state dicts load.
 * @example
 * const norm = new torch.nn.InstanceNorm2d(3, { affine: true });
 * norm.call(torch.randn([2, 3, 8, 8])).shape; // [2, 3, 8, 8]
 */
export abstract class InstanceNormBase extends NormBase {
  declare momentum: number;

  constructor(numFeatures: number, rest: unknown[], name: string) {
    super(numFeatures, rest, name, IN_DEFAULTS);
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
