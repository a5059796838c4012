import type { Tensor } from '../tensor.js';
import { Optimizer, parseArgs, required } from './optimizer.js';
import type { ParamGroup, ParamsT } from './optimizer.js';
import type { WriteSet } from './_access.js';
import { checkNonNegative, forEachParam, zeros } from './_common.js';

/** Without momentum SGD keeps no state (PyTorch only touches `state[p]` when momentum ≠ 0). */
const NO_STATE: Record<string, any> = Object.freeze({});

/** Options of `SGD` (camelCase of PyTorch's keyword arguments). */
export interface SGDOptions {
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
      ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov', 'maximize']);
    const d = { lr: o.lr ?? required, momentum: o.momentum ?? 0, dampening: o.dampening ?? 0, weightDecay: o.weightDecay ?? 0,
      nesterov: o.nesterov ?? false, maximize: o.maximize ?? false };
    if (d.lr !== required) checkNonNegative('learning rate', d.lr as number);
    checkNonNegative('momentum value', d.momentum);
    checkNonNegative('weight_decay value', d.weightDecay);
    if (d.nesterov && (d.momentum <= 0 || d.dampening !== 0)) throw new RangeError('Nesterov momentum requires a momentum and zero dampening');
    super(params, d);
  }

  protected override _stepGroup(group: ParamGroup, w: WriteSet): void {
    const lr: number = group.lr, mom: number = group.momentum, damp: number = group.dampening;
    const wd: number = group.weightDecay, nesterov: boolean = group.nesterov, sign = group.maximize ? -1 : 1;
    if (typeof lr !== 'number') throw new TypeError(`SGD: lr must be a number, got ${String(lr)}`);
    forEachParam(group, (p) => (mom === 0 ? NO_STATE : this._stateOf(p)), w, 'SGD', (p: Tensor, P, G, st) => {
      const n = P.length;
      if (mom === 0) {
        for (let i = 0; i < n; i++) {
          const g = sign * G[i]! + wd * P[i]!;
          P[i] = P[i]! - lr * g;
        }
        return;
      }
      let bufT = st.momentumBuffer as Tensor | undefined | null;
      const first = bufT === undefined || bufT === null;
      if (first) { bufT = zeros(p); st.momentumBuffer = bufT; }
      const B = w.rw(bufT!);
      const keep = 1 - damp;
      for (let i = 0; i < n; i++) {
        const g = sign * G[i]! + wd * P[i]!;
        const b = first ? g : mom * B[i]! + keep * g;
        B[i] = b;
        const bb = B[i]!; // the stored (dtype-rounded) buffer, as PyTorch reads it back
        const d = nesterov ? g + mom * bb : bb;
        P[i] = P[i]! - lr * d;
      }
    });
  }
}
