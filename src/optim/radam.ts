import { OPTIMIZER_HINTS, Optimizer, parseArgs } from './optimizer.js';
import type { OptimizerHints, ParamGroup, ParamsT } from './optimizer.js';
import type { RAdamHyperparams } from '../backend/types.js';
import { bumpStep, checkAdamFamily, dispatchStep, newStep, paramsWithGrad, zeros } from './_common.js';
import type { ParamSlot } from './_common.js';
import { radamFallback } from './_fallback.js';

/** Options of `RAdam`. */
export interface RAdamOptions extends OptimizerHints {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  decoupledWeightDecay?: boolean;
  maximize?: boolean;
}

/**
 * RAdam, rectified Adam (`torch.optim.RAdam`). Defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0.
 *
 * ```
 * g ← ±∇θ + λθ                       (decoupled: θ ← θ(1 − lr·λ) instead)
 * m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,  m̂ ← m/(1 − β₁ᵗ)
 * ρ∞ ← 2/(1 − β₂) − 1,  ρₜ ← ρ∞ − 2tβ₂ᵗ/(1 − β₂ᵗ)
 * ρₜ > 5:  r ← √((ρₜ−4)(ρₜ−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρₜ)),  θ ← θ − lr·m̂·r·√(1 − β₂ᵗ)/(√v + ε)
 * else:    θ ← θ − lr·m̂
 * ```
 * State: `step`, `expAvg`, `expAvgSq`.
 *
 * @example
 * import * as torch from 'torchlet';
 * const w = torch.tensor([1, 2], { requiresGrad: true });
 * const opt = new torch.optim.RAdam([w], { lr: 0.01 });
 * w.pow(2).sum().backward();
 * opt.step();
 */
export class RAdam extends Optimizer {
  constructor(params: ParamsT, lr?: number | RAdamOptions, betas?: [number, number] | RAdamOptions, eps?: number | RAdamOptions,
    weightDecay?: number | RAdamOptions, decoupledWeightDecay?: boolean | RAdamOptions, options?: RAdamOptions) {
    const o = parseArgs('RAdam', [lr, betas, eps, weightDecay, decoupledWeightDecay, options],
      ['lr', 'betas', 'eps', 'weightDecay', 'decoupledWeightDecay'],
      ['lr', 'betas', 'eps', 'weightDecay', 'decoupledWeightDecay', 'maximize'], OPTIMIZER_HINTS);
    const d = { lr: o.lr ?? 1e-3, betas: [...(o.betas ?? [0.9, 0.999])], eps: o.eps ?? 1e-8, weightDecay: o.weightDecay ?? 0,
      decoupledWeightDecay: o.decoupledWeightDecay ?? false, maximize: o.maximize ?? false };
    checkAdamFamily(d);
    super(params, d);
  }

  protected override _stepGroup(group: ParamGroup): void {
    const [b1, b2] = group.betas as [number, number];
    const hp: RAdamHyperparams = { lr: group.lr, beta1: b1, beta2: b2, eps: group.eps, weightDecay: group.weightDecay,
      decoupledWeightDecay: group.decoupledWeightDecay, maximize: group.maximize };
    const slots: ParamSlot[] = [];
    for (const p of paramsWithGrad(group, 'RAdam')) {
      const st = this._stateOf(p);
      if (st.step === undefined) {
        st.step = newStep(p);
        st.expAvg = zeros(p);
        st.expAvgSq = zeros(p);
      }
      slots.push({ p, grad: p._grad!, state: [st.expAvg, st.expAvgSq], step: bumpStep(st.step) });
    }
    dispatchStep('radam', slots, hp, radamFallback);
  }
}
