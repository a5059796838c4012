import { OPTIMIZER_HINTS, Optimizer, parseArgs } from './optimizer.js';
import type { OptimizerHints, ParamGroup, ParamsT } from './optimizer.js';
import type { AdamaxHyperparams } from '../backend/types.js';
import { bumpStep, checkAdamFamily, dispatchStep, newStep, paramsWithGrad, zeros } from './_common.js';
import type { ParamSlot } from './_common.js';
import { adamaxFallback } from './_fallback.js';

/** Options of `Adamax`. */
export interface AdamaxOptions extends OptimizerHints {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
}

/**
 * Adamax, Adam with the infinity norm (`torch.optim.Adamax`). Defaults: lr 2e-3, betas [0.9, 0.999], eps 1e-8.
 *
 * ```
 * g ← ±∇θ + λθ
 * m ← β₁m + (1 − β₁)g
 * u ← max(β₂u, |g| + ε)
 * θ ← θ − lr/(1 − β₁ᵗ) · m/u
 * ```
 * State: `step`, `expAvg`, `expInf`.
 *
 * @example
 * import * as torch from 'torchlet';
 * const w = torch.tensor([1, 2], { requiresGrad: true });
 * const opt = new torch.optim.Adamax([w]);
 * w.pow(2).sum().backward();
 * opt.step();
 */
export class Adamax extends Optimizer {
  constructor(params: ParamsT, lr?: number | AdamaxOptions, betas?: [number, number] | AdamaxOptions, eps?: number | AdamaxOptions,
    weightDecay?: number | AdamaxOptions, options?: AdamaxOptions) {
    const o = parseArgs('Adamax', [lr, betas, eps, weightDecay, options], ['lr', 'betas', 'eps', 'weightDecay'],
      ['lr', 'betas', 'eps', 'weightDecay', 'maximize'], OPTIMIZER_HINTS);
    const d = { lr: o.lr ?? 2e-3, betas: [...(o.betas ?? [0.9, 0.999])], eps: o.eps ?? 1e-8, weightDecay: o.weightDecay ?? 0,
      maximize: o.maximize ?? false };
    checkAdamFamily(d);
    super(params, d);
  }

  protected override _stepGroup(group: ParamGroup): void {
    const [b1, b2] = group.betas as [number, number];
    const hp: AdamaxHyperparams = { lr: group.lr, beta1: b1, beta2: b2, eps: group.eps, weightDecay: group.weightDecay,
      maximize: group.maximize };
    const slots: ParamSlot[] = [];
    for (const p of paramsWithGrad(group, 'Adamax')) {
      const st = this._stateOf(p);
      if (st.step === undefined) {
        st.step = newStep(p);
        st.expAvg = zeros(p);
        st.expInf = zeros(p);
      }
      slots.push({ p, grad: p._grad!, state: [st.expAvg, st.expInf], step: bumpStep(st.step) });
    }
    dispatchStep('adamax', slots, hp, adamaxFallback);
  }
}
