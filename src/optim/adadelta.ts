import { OPTIMIZER_HINTS, Optimizer, parseArgs } from './optimizer.js';
import type { OptimizerHints, ParamGroup, ParamsT } from './optimizer.js';
import type { WriteSet } from './_access.js';
import type { TypedArray } from '../dtype.js';
import { pyNum } from './_access.js';
import { bumpStep, checkNonNegative, forEachParam, newStep, zeros } from './_common.js';

function adadeltaKernel(P: TypedArray, G: TypedArray, V: TypedArray, U: TypedArray, n: number, sign: number, wd: number,
  lr: number, rho: number, eps: number): void {
  const c = 1 - rho;
  for (let i = 0; i < n; i++) {
    const th = P[i]!;
    const g = sign * G[i]! + wd * th;
    V[i] = rho * V[i]! + c * g * g;
    const delta = (Math.sqrt(U[i]! + eps) / Math.sqrt(V[i]! + eps)) * g;
    U[i] = rho * U[i]! + c * delta * delta;
    P[i] = th - lr * delta;
  }
}

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

  protected override _stepGroup(group: ParamGroup, w: WriteSet): void {
    const lr: number = group.lr, rho: number = group.rho, eps: number = group.eps, wd: number = group.weightDecay;
    const sign = group.maximize ? -1 : 1;
    forEachParam(group, (p) => this._stateOf(p), w, 'Adadelta', (p, P, G, st) => {
      if (st.step === undefined) {
        st.step = newStep();
        st.squareAvg = zeros(p);
        st.accDelta = zeros(p);
      }
      bumpStep(st.step);
      adadeltaKernel(P, G, w.rw(st.squareAvg), w.rw(st.accDelta), P.length, sign, wd, lr, rho, eps);
    });
  }
}
