import { OPTIMIZER_HINTS, Optimizer, parseArgs } from './optimizer.js';
import type { OptimizerHints, ParamGroup, ParamsT } from './optimizer.js';
import type { RMSpropHyperparams } from '../backend/types.js';
import { bumpStep, checkNonNegative, dispatchStep, newStep, paramsWithGrad, zeros } from './_common.js';
import type { ParamSlot } from './_common.js';
import { rmspropFallback } from './_fallback.js';

/** Options of `RMSprop`. */
export interface RMSpropOptions extends OptimizerHints {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
  maximize?: boolean;
}

/**
 * RMSprop (`torch.optim.RMSprop`). Defaults: lr 1e-2, alpha 0.99, eps 1e-8, weightDecay 0, momentum 0,
 * centered false.
 *
 * ```
 * g ← ±∇θ + λθ
 * v ← αv + (1 − α)g²
 * centered:  ḡ ← αḡ + (1 − α)g,  d ← √(v − ḡ²) + ε      otherwise  d ← √v + ε
 * momentum μ > 0:  b ← μb + g/d,  θ ← θ − lr·b          otherwise  θ ← θ − lr·g/d
 * ```
 * State: `step`, `squareAvg`, `momentumBuffer` (μ > 0), `gradAvg` (centered).
 *
 * @example
 * import * as torch from 'torchlet';
 * const w = torch.tensor([1, 2], { requiresGrad: true });
 * const opt = new torch.optim.RMSprop([w], { lr: 0.01, centered: true, momentum: 0.9 });
 * w.pow(2).sum().backward();
 * opt.step();
 */
export class RMSprop extends Optimizer {
  constructor(params: ParamsT, lr?: number | RMSpropOptions, alpha?: number | RMSpropOptions, eps?: number | RMSpropOptions,
    weightDecay?: number | RMSpropOptions, momentum?: number | RMSpropOptions, centered?: boolean | RMSpropOptions,
    options?: RMSpropOptions) {
    const o = parseArgs('RMSprop', [lr, alpha, eps, weightDecay, momentum, centered, options],
      ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered'],
      ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered', 'maximize'], OPTIMIZER_HINTS);
    const d = { lr: o.lr ?? 1e-2, momentum: o.momentum ?? 0, alpha: o.alpha ?? 0.99, eps: o.eps ?? 1e-8,
      centered: o.centered ?? false, weightDecay: o.weightDecay ?? 0, maximize: o.maximize ?? false };
    checkNonNegative('learning rate', d.lr);
    checkNonNegative('epsilon value', d.eps);
    checkNonNegative('momentum value', d.momentum);
    checkNonNegative('weight_decay value', d.weightDecay);
    checkNonNegative('alpha value', d.alpha);
    super(params, d);
  }

  protected override _stepGroup(group: ParamGroup): void {
    const mom: number = group.momentum, centered: boolean = group.centered;
    const hp: RMSpropHyperparams = { lr: group.lr, alpha: group.alpha, eps: group.eps, weightDecay: group.weightDecay, momentum: mom,
      centered, maximize: group.maximize };
    const slots: ParamSlot[] = [];
    for (const p of paramsWithGrad(group, 'RMSprop')) {
      const st = this._stateOf(p);
      if (st.step === undefined) {
        st.step = newStep(p);
        st.squareAvg = zeros(p);
        if (mom > 0) st.momentumBuffer = zeros(p);
        if (centered) st.gradAvg = zeros(p);
      }
      if (mom > 0 && st.momentumBuffer === undefined) st.momentumBuffer = zeros(p);
      if (centered && st.gradAvg === undefined) st.gradAvg = zeros(p);
      slots.push({ p, grad: p._grad!, state: [st.squareAvg, mom > 0 ? st.momentumBuffer : null, centered ? st.gradAvg : null],
        step: bumpStep(st.step) });
    }
    dispatchStep('rmsprop', slots, hp, rmspropFallback);
  }
}
