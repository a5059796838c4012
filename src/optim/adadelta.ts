import { OPTIMIZER_HINTS, Optimizer, parseArgs } from './optimizer.js';
import type { OptimizerHints, ParamGroup, ParamsT } from './optimizer.js';
import type { AdadeltaHyperparams } from '../backend/types.js';
import { pyNum } from './_access.js';
import { bumpStep, checkNonNegative, dispatchStep, newStep, paramsWithGrad, zeros } from './_common.js';
import type { ParamSlot } from './_common.js';
import { adadeltaFallback } from './_fallback.js';

/** Options of `Adadelta`. */
export interface AdadeltaOptions extends OptimizerHints {
  lr?: number;
  rho?: number;
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
}

/**
 * Adadelta (`torch.optim.Adadelta`). Defaults: lr 1.0, rho 0.9, eps 1e-6, weightDecay 0.
 *
 * ```
 * g ← ±∇θ + λθ
 * v ← ρv + (1 − ρ)g²
 * Δ ← √(u + ε) / √(v + ε) · g
 * u ← ρu + (1 − ρ)Δ²
 * θ ← θ − lr·Δ
 * ```
 * State: `step`, `squareAvg` (v), `accDelta` (u).
 *
 * @example
 * import * as torch from 'torchlet';
 * const w = torch.tensor([1, 2], { requiresGrad: true });
 * const opt = new torch.optim.Adadelta([w], { rho: 0.95 });
 * w.pow(2).sum().backward();
 * opt.step();
 */
export class Adadelta extends Optimizer {
  constructor(params: ParamsT, lr?: number | AdadeltaOptions, rho?: number | AdadeltaOptions, eps?: number | AdadeltaOptions,
    weightDecay?: number | AdadeltaOptions, options?: AdadeltaOptions) {
    const o = parseArgs('Adadelta', [lr, rho, eps, weightDecay, options], ['lr', 'rho', 'eps', 'weightDecay'],
      ['lr', 'rho', 'eps', 'weightDecay', 'maximize'], OPTIMIZER_HINTS);
    const d = { lr: o.lr ?? 1.0, rho: o.rho ?? 0.9, eps: o.eps ?? 1e-6, weightDecay: o.weightDecay ?? 0, maximize: o.maximize ?? false };
    checkNonNegative('learning rate', d.lr);
    if (!(d.rho >= 0 && d.rho <= 1)) throw new RangeError(`Invalid rho value: ${pyNum(d.rho)}`);
    checkNonNegative('epsilon value', d.eps);
    checkNonNegative('weight_decay value', d.weightDecay);
    super(params, d);
  }

  protected override _stepGroup(group: ParamGroup): void {
    const hp: AdadeltaHyperparams = { lr: group.lr, rho: group.rho, eps: group.eps, weightDecay: group.weightDecay,
      maximize: group.maximize };
    const slots: ParamSlot[] = [];
    for (const p of paramsWithGrad(group, 'Adadelta')) {
      const st = this._stateOf(p);
      if (st.step === undefined) {
        st.step = newStep(p);
        st.squareAvg = zeros(p);
        st.accDelta = zeros(p);
      }
      slots.push({ p, grad: p._grad!, state: [st.squareAvg, st.accDelta], step: bumpStep(st.step) });
    }
    dispatchStep('adadelta', slots, hp, adadeltaFallback);
  }
}
