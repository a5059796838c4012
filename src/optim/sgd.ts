import type { Tensor } from '../tensor.js';
import { OPTIMIZER_HINTS, Optimizer, parseArgs, required } from './optimizer.js';
import type { OptimizerHints, ParamGroup, ParamsT } from './optimizer.js';
import type { WriteSet } from './_access.js';
import type { TypedArray } from '../dtype.js';
import { checkNonNegative, forEachParam, zeros } from './_common.js';

/** Without momentum SGD keeps no state (PyTorch only touches `state[p]` when momentum ≠ 0). */
const NO_STATE: Record<string, any> = Object.freeze({});

function sgdKernel(P: TypedArray, G: TypedArray, n: number, sign: number, wd: number, lr: number): void {
  for (let i = 0; i < n; i++) {
    const th = P[i]!;
    P[i] = th - lr * (sign * G[i]! + wd * th);
  }
}

function sgdMomentumKernel(P: TypedArray, G: TypedArray, B: TypedArray, n: number, sign: number, wd: number, lr: number,
  mom: number, keep: number, first: boolean, nesterov: boolean): void {
  for (let i = 0; i < n; i++) {
    const th = P[i]!;
    const g = sign * G[i]! + wd * th;
    B[i] = first ? g : mom * B[i]! + keep * g; // the buffer is read back in its dtype, as PyTorch does
    P[i] = th - lr * (nesterov ? g + mom * B[i]! : B[i]!);
  }
}

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

  protected override _stepGroup(group: ParamGroup, w: WriteSet): void {
    const lr: number = group.lr, mom: number = group.momentum, damp: number = group.dampening;
    const wd: number = group.weightDecay, nesterov: boolean = group.nesterov, sign = group.maximize ? -1 : 1;
    if (typeof lr !== 'number') throw new TypeError(`SGD: lr must be a number, got ${String(lr)}`);
    forEachParam(group, (p) => (mom === 0 ? NO_STATE : this._stateOf(p)), w, 'SGD', (p: Tensor, P, G, st) => {
      if (mom === 0) { sgdKernel(P, G, P.length, sign, wd, lr); return; }
      let bufT = st.momentumBuffer as Tensor | undefined | null;
      const first = bufT === undefined || bufT === null;
      if (first) { bufT = zeros(p); st.momentumBuffer = bufT; }
      sgdMomentumKernel(P, G, w.rw(bufT!), P.length, sign, wd, lr, mom, 1 - damp, first, nesterov);
    });
  }
}
