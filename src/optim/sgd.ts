import type { Tensor } from '../tensor.js';
import { OPTIMIZER_HINTS, Optimizer, parseArgs, required } from './optimizer.js';
import type { OptimizerHints, ParamGroup, ParamsT } from './optimizer.js';
import type { SgdHyperparams } from '../backend/types.js';
import { checkNonNegative, dispatchStep, paramsWithGrad, zeros } from './_common.js';
import type { ParamSlot } from './_common.js';
import { sgdFallback } from './_fallback.js';

/** Options of `SGD` (camelCase of PyTorch's keyword arguments). */
export interface SGDOptions extends OptimizerHints {
  lr?: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
}

/**
 * Stochastic gradient descent, optionally with momentum, Nesterov momentum, coupled (L2) weight decay and
 * maximization (`torch.optim.SGD`). `lr` is required. For each parameter with a gradient:
 *
 * ```
 * g ← ±∇θ + λ·θ                    (λ = weightDecay, minus sign with maximize)
 * b ← g  (first step)   |  b ← μ·b + (1 − τ)·g      (μ = momentum, τ = dampening)
 * g ← g + μ·b  (nesterov)   |  g ← b                  (when μ ≠ 0)
 * θ ← θ − lr·g
 * ```
 * State: `momentumBuffer` (only when momentum ≠ 0).
 *
 * @example
 * import * as torch from 'torchlet';
 * const w = torch.tensor([1, 2], { requiresGrad: true });
 * const opt = new torch.optim.SGD([w], { lr: 0.1, momentum: 0.9 });
 * w.pow(2).sum().backward();
 * opt.step();          // w = [0.8, 1.6]
 */
export class SGD extends Optimizer {
  constructor(params: ParamsT, lr?: number | SGDOptions, momentum?: number | SGDOptions, dampening?: number | SGDOptions,
    weightDecay?: number | SGDOptions, nesterov?: boolean | SGDOptions, options?: SGDOptions) {
    const o = parseArgs('SGD', [lr, momentum, dampening, weightDecay, nesterov, options],
      ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov'],
      ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov', 'maximize'], OPTIMIZER_HINTS);
    const d = { lr: o.lr ?? required, momentum: o.momentum ?? 0, dampening: o.dampening ?? 0, weightDecay: o.weightDecay ?? 0,
      nesterov: o.nesterov ?? false, maximize: o.maximize ?? false };
    if (d.lr !== required) checkNonNegative('learning rate', d.lr as number);
    checkNonNegative('momentum value', d.momentum);
    checkNonNegative('weight_decay value', d.weightDecay);
    if (d.nesterov && (d.momentum <= 0 || d.dampening !== 0)) throw new RangeError('Nesterov momentum requires a momentum and zero dampening');
    super(params, d);
  }

  protected override _stepGroup(group: ParamGroup): void {
    const lr: number = group.lr, mom: number = group.momentum;
    if (typeof lr !== 'number') throw new TypeError(`SGD: lr must be a number, got ${String(lr)}`);
    const hp: SgdHyperparams = { lr, momentum: mom, dampening: group.dampening, weightDecay: group.weightDecay,
      nesterov: group.nesterov, maximize: group.maximize };
    const slots: ParamSlot[] = [];
    for (const p of paramsWithGrad(group, 'SGD')) {
      // without momentum SGD keeps no state (PyTorch only touches `state[p]` when momentum ≠ 0)
      if (mom === 0) { slots.push({ p, grad: p._grad!, state: [null], step: 1 }); continue; }
      const st = this._stateOf(p);
      let buf = st.momentumBuffer as Tensor | undefined | null;
      const first = buf === undefined || buf === null;
      if (first) { buf = zeros(p); st.momentumBuffer = buf; }
      slots.push({ p, grad: p._grad!, state: [buf!], step: first ? 1 : 2 });
    }
    dispatchStep('sgd', slots, hp, sgdFallback);
  }
}
