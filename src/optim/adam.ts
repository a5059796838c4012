import { OPTIMIZER_HINTS, Optimizer, parseArgs } from './optimizer.js';
import type { OptimizerHints, ParamGroup, ParamsT } from './optimizer.js';
import type { AdamHyperparams } from '../backend/types.js';
import { bumpStep, checkAdamFamily, dispatchStep, newStep, paramsWithGrad, zeros } from './_common.js';
import type { ParamSlot } from './_common.js';
import { adamFallback } from './_fallback.js';

/** Options of `Adam` / `AdamW`. */
export interface AdamOptions extends OptimizerHints {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
  /** AdamW's decoupled decay `θ ← θ·(1 − lr·λ)` instead of L2 added to the gradient. */
  decoupledWeightDecay?: boolean;
}

const ADAM_KEYS = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'maximize', 'decoupledWeightDecay'];

function adamDefaults(o: Record<string, any>, wdDefault: number, decoupled: boolean): Record<string, any> {
  const d = { lr: o.lr ?? 1e-3, betas: [...(o.betas ?? [0.9, 0.999])], eps: o.eps ?? 1e-8, weightDecay: o.weightDecay ?? wdDefault,
    amsgrad: o.amsgrad ?? false, maximize: o.maximize ?? false, decoupledWeightDecay: o.decoupledWeightDecay ?? decoupled };
  checkAdamFamily(d);
  return d;
}

/** The Adam/AdamW update of one group (shared by both classes). */
function adamGroup(opt: Optimizer, group: ParamGroup, cls: string): void {
  const [b1, b2] = group.betas as [number, number], amsgrad: boolean = group.amsgrad;
  const hp: AdamHyperparams = { lr: group.lr, beta1: b1, beta2: b2, eps: group.eps, weightDecay: group.weightDecay, amsgrad,
    maximize: group.maximize, decoupledWeightDecay: group.decoupledWeightDecay };
  const slots: ParamSlot[] = [];
  for (const p of paramsWithGrad(group, cls)) {
    const st = opt._stateOf(p);
    if (st.step === undefined) {
      st.step = newStep(p);
      st.expAvg = zeros(p);
      st.expAvgSq = zeros(p);
      if (amsgrad) st.maxExpAvgSq = zeros(p);
    }
    if (amsgrad && st.maxExpAvgSq === undefined) st.maxExpAvgSq = zeros(p);
    slots.push({ p, grad: p._grad!, state: [st.expAvg, st.expAvgSq, amsgrad ? st.maxExpAvgSq : null], step: bumpStep(st.step) });
  }
  dispatchStep('adam', slots, hp, adamFallback);
}

/**
 * Adam (`torch.optim.Adam`), with optional AMSGrad, maximization, L2 weight decay, or decoupled weight decay.
 * Defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0. At step t:
 *
 * ```
 * g ← ±∇θ + λθ               (decoupledWeightDecay: θ ← θ(1 − lr·λ) instead)
 * m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²,   v̂max ← max(v̂max, v)  (amsgrad)
 * θ ← θ − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
 * ```
 * State: `step`, `expAvg`, `expAvgSq`, `maxExpAvgSq` (amsgrad).
 *
 * @example
 * import * as torch from 'torchlet';
 * const w = torch.tensor([1, -1], { requiresGrad: true });
 * const opt = new torch.optim.Adam([w], { lr: 0.1, amsgrad: true });
 * w.pow(2).sum().backward();
 * opt.step();          // each element moves by lr: w = [0.9, -0.9]
 */
export class Adam extends Optimizer {
  constructor(params: ParamsT, lr?: number | AdamOptions, betas?: [number, number] | AdamOptions, eps?: number | AdamOptions,
    weightDecay?: number | AdamOptions, amsgrad?: boolean | AdamOptions, options?: AdamOptions) {
    const o = parseArgs('Adam', [lr, betas, eps, weightDecay, amsgrad, options], ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad'], ADAM_KEYS,
      OPTIMIZER_HINTS);
    super(params, adamDefaults(o, 0, false));
  }
  protected override _stepGroup(group: ParamGroup): void { adamGroup(this, group, 'Adam'); }
}

/**
 * AdamW (`torch.optim.AdamW`): Adam with decoupled weight decay, default weightDecay 1e-2.
 *
 * ```
 * θ ← θ·(1 − lr·λ)
 * m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²
 * θ ← θ − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
 * ```
 *
 * @example
 * import * as torch from 'torchlet';
 * const w = torch.tensor([1, -1], { requiresGrad: true });
 * const opt = new torch.optim.AdamW([w], { lr: 0.1 });
 * w.pow(2).sum().backward();
 * opt.step();          // w = [1·(1 − 0.001) − 0.1, ...] = [0.899, -0.899]
 */
export class AdamW extends Optimizer {
  constructor(params: ParamsT, lr?: number | AdamOptions, betas?: [number, number] | AdamOptions, eps?: number | AdamOptions,
    weightDecay?: number | AdamOptions, amsgrad?: boolean | AdamOptions, options?: AdamOptions) {
    const o = parseArgs('AdamW', [lr, betas, eps, weightDecay, amsgrad, options], ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad'], ADAM_KEYS,
      OPTIMIZER_HINTS);
    if (o.decoupledWeightDecay === false) throw new RangeError('AdamW does not support decoupled_weight_decay=False');
    super(params, adamDefaults(o, 1e-2, true));
  }
  protected override _stepGroup(group: ParamGroup): void { adamGroup(this, group, 'AdamW'); }
}
