import type { Tensor } from '../tensor.js';
import { OPTIMIZER_HINTS, Optimizer, parseArgs } from './optimizer.js';
import type { OptimizerHints, ParamGroup, ParamsT } from './optimizer.js';
import type { NAdamHyperparams } from '../backend/types.js';
import { bumpStep, checkAdamFamily, checkNonNegative, dispatchStep, hostScalar, newMuProduct, newStep, paramsWithGrad, setHostScalar,
  zeros } from './_common.js';
import type { ParamSlot } from './_common.js';
import { nadamFallback } from './_fallback.js';

/** Options of `NAdam`. */
export interface NAdamOptions extends OptimizerHints {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  momentumDecay?: number;
  decoupledWeightDecay?: boolean;
  maximize?: boolean;
}

/**
 * NAdam, Adam with Nesterov momentum (`torch.optim.NAdam`). Defaults: lr 2e-3, betas [0.9, 0.999], eps 1e-8,
 * weightDecay 0, momentumDecay 4e-3, decoupledWeightDecay false. At step t (ψ = momentumDecay):
 *
 * ```
 * g ← ±∇θ + λθ                       (decoupled: θ ← θ(1 − lr·λ) instead)
 * μₜ ← β₁(1 − ½·0.96^(tψ)),  μₜ₊₁ ← β₁(1 − ½·0.96^((t+1)ψ)),  Πₜ ← Πₜ₋₁·μₜ
 * m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,  d ← √(v/(1 − β₂ᵗ)) + ε
 * θ ← θ − lr(1 − μₜ)/(1 − Πₜ) · g/d − lr·μₜ₊₁/(1 − Πₜμₜ₊₁) · m/d
 * ```
 * State: `step`, `muProduct` (Πₜ, a float32 scalar tensor as in PyTorch), `expAvg`, `expAvgSq`.
 *
 * @example
 * import * as torch from 'torchlet';
 * const w = torch.tensor([1, 2], { requiresGrad: true });
 * const opt = new torch.optim.NAdam([w], { lr: 0.01 });
 * w.pow(2).sum().backward();
 * opt.step();
 */
export class NAdam extends Optimizer {
  constructor(params: ParamsT, lr?: number | NAdamOptions, betas?: [number, number] | NAdamOptions, eps?: number | NAdamOptions,
    weightDecay?: number | NAdamOptions, momentumDecay?: number | NAdamOptions, decoupledWeightDecay?: boolean | NAdamOptions,
    options?: NAdamOptions) {
    const o = parseArgs('NAdam', [lr, betas, eps, weightDecay, momentumDecay, decoupledWeightDecay, options],
      ['lr', 'betas', 'eps', 'weightDecay', 'momentumDecay', 'decoupledWeightDecay'],
      ['lr', 'betas', 'eps', 'weightDecay', 'momentumDecay', 'decoupledWeightDecay', 'maximize'], OPTIMIZER_HINTS);
    const d = { lr: o.lr ?? 2e-3, betas: [...(o.betas ?? [0.9, 0.999])], eps: o.eps ?? 1e-8, weightDecay: o.weightDecay ?? 0,
      momentumDecay: o.momentumDecay ?? 4e-3, decoupledWeightDecay: o.decoupledWeightDecay ?? false, maximize: o.maximize ?? false };
    checkAdamFamily(d);
    checkNonNegative('momentum_decay value', d.momentumDecay);
    super(params, d);
  }

  protected override _stepGroup(group: ParamGroup): void {
    const [b1, b2] = group.betas as [number, number], md: number = group.momentumDecay;
    const hp: NAdamHyperparams = { lr: group.lr, beta1: b1, beta2: b2, eps: group.eps, weightDecay: group.weightDecay, momentumDecay: md,
      decoupledWeightDecay: group.decoupledWeightDecay, maximize: group.maximize };
    const slots: ParamSlot[] = [];
    for (const p of paramsWithGrad(group, 'NAdam')) {
      const st = this._stateOf(p);
      if (st.step === undefined) {
        st.step = newStep(p);
        st.muProduct = newMuProduct(p);
        st.expAvg = zeros(p);
        st.expAvgSq = zeros(p);
      }
      const step = bumpStep(st.step);
      const mu = b1 * (1 - 0.5 * 0.96 ** (step * md));
      // mu_product *= mu happens in the state tensor's dtype; the host mirror keeps the stored value
      const mp: Tensor = st.muProduct;
      const muProduct = setHostScalar(mp, hostScalar(mp) * (mp.dtype === 'float32' ? Math.fround(mu) : mu));
      slots.push({ p, grad: p._grad!, state: [st.expAvg, st.expAvgSq], step, muProduct });
    }
    dispatchStep('nadam', slots, hp, nadamFallback);
  }
}
