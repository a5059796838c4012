import type { Tensor } from '../tensor.js';
import { fullLike } from '../ops.js';
import { OPTIMIZER_HINTS, Optimizer, parseArgs } from './optimizer.js';
import type { OptimizerHints, ParamGroup, ParamsT } from './optimizer.js';
import type { AdagradHyperparams } from '../backend/types.js';
import { bumpStep, checkNonNegative, dispatchStep, newStep, paramsWithGrad } from './_common.js';
import type { ParamSlot } from './_common.js';
import { adagradFallback } from './_fallback.js';

/** Options of `Adagrad`. */
export interface AdagradOptions extends OptimizerHints {
  lr?: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
  maximize?: boolean;
}

/**
 * Adagrad (`torch.optim.Adagrad`). Defaults: lr 1e-2, lrDecay 0, weightDecay 0, initialAccumulatorValue 0,
 * eps 1e-10. At step t:
 *
 * ```
 * g ← ±∇θ + λθ
 * η ← lr / (1 + (t − 1)·lrDecay)
 * s ← s + g²                      (s starts at initialAccumulatorValue)
 * θ ← θ − η · g / (√s + ε)
 * ```
 * State (created by the constructor, as PyTorch does): `step`, `sum`.
 *
 * @example
 * import * as torch from 'torchlet';
 * const w = torch.tensor([1, 2], { requiresGrad: true });
 * const opt = new torch.optim.Adagrad([w], { lr: 0.1, initialAccumulatorValue: 0.1 });
 * w.pow(2).sum().backward();
 * opt.step();
 */
export class Adagrad extends Optimizer {
  constructor(params: ParamsT, lr?: number | AdagradOptions, lrDecay?: number | AdagradOptions, weightDecay?: number | AdagradOptions,
    initialAccumulatorValue?: number | AdagradOptions, eps?: number | AdagradOptions, options?: AdagradOptions) {
    const o = parseArgs('Adagrad', [lr, lrDecay, weightDecay, initialAccumulatorValue, eps, options],
      ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps'],
      ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps', 'maximize'], OPTIMIZER_HINTS);
    const d = { lr: o.lr ?? 1e-2, lrDecay: o.lrDecay ?? 0, eps: o.eps ?? 1e-10, weightDecay: o.weightDecay ?? 0,
      initialAccumulatorValue: o.initialAccumulatorValue ?? 0, maximize: o.maximize ?? false };
    checkNonNegative('learning rate', d.lr);
    checkNonNegative('lr_decay value', d.lrDecay);
    checkNonNegative('weight_decay value', d.weightDecay);
    checkNonNegative('initial_accumulator_value value', d.initialAccumulatorValue);
    checkNonNegative('epsilon value', d.eps);
    super(params, d);
    for (const group of this.paramGroups) {
      for (const p of group.params) this._init(p, d.initialAccumulatorValue);
    }
  }

  private _init(p: Tensor, initial: number): Record<string, any> {
    const st = this._stateOf(p);
    st.step = newStep(p);
    st.sum = fullLike(p, initial);
    return st;
  }

  protected override _stepGroup(group: ParamGroup): void {
    const hp: AdagradHyperparams = { lr: group.lr, lrDecay: group.lrDecay, eps: group.eps, weightDecay: group.weightDecay,
      maximize: group.maximize };
    const slots: ParamSlot[] = [];
    for (const p of paramsWithGrad(group, 'Adagrad')) {
      let st = this._stateOf(p);
      // parameters added later with addParamGroup get their state here (PyTorch would raise a KeyError)
      if (st.sum === undefined) st = this._init(p, group.initialAccumulatorValue ?? 0);
      slots.push({ p, grad: p._grad!, state: [st.sum], step: bumpStep(st.step) });
    }
    dispatchStep('adagrad', slots, hp, adagradFallback);
  }
}
