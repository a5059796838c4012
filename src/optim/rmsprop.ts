import { OPTIMIZER_HINTS, Optimizer, parseArgs } from './optimizer.js';
import type { OptimizerHints, ParamGroup, ParamsT } from './optimizer.js';
import type { WriteSet } from './_access.js';
import type { TypedArray } from '../dtype.js';
import { bumpStep, checkNonNegative, forEachParam, newStep, zeros } from './_common.js';

function rmspropKernel(P: TypedArray, G: TypedArray, S: TypedArray, A: TypedArray | null, B: TypedArray | null, n: number,
  sign: number, wd: number, lr: number, alpha: number, eps: number, mom: number): void {
  const c = 1 - alpha;
  for (let i = 0; i < n; i++) {
    const th = P[i]!;
    const g = sign * G[i]! + wd * th;
    S[i] = alpha * S[i]! + c * g * g;
    let avg: number;
    if (A !== null) {
      A[i] = alpha * A[i]! + c * g;
      const a = A[i]!;
      avg = Math.sqrt(S[i]! - a * a) + eps;
    } else {
      avg = Math.sqrt(S[i]!) + eps;
    }
    if (B !== null) {
      B[i] = mom * B[i]! + g / avg;
      P[i] = th - lr * B[i]!;
    } else {
      P[i] = th - lr * (g / avg);
    }
  }
}

/** Options of `RMSprop`. */
export interface RMSpropOptions extends OptimizerHints {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
  maximize?: boolean;
}

/**
 * RMSprop (`torch.optim.RMSprop`). Defaults: lr 1e-2, alpha 0.99, eps 1e-8, weightDecay 0, momentum 0,
 * centered false.
 *
 * ```
 * g ← ±∇θ + λθ
 * v ← αv + (1 − α)g²
 * centered:  ḡ ← αḡ + (1 − α)g,  d ← √(v − ḡ²) + ε      otherwise  d ← √v + ε
 * momentum μ > 0:  b ← μb + g/d,  θ ← θ − lr·b          otherwise  θ ← θ − lr·g/d
 * ```
 * State: `step`, `squareAvg`, `momentumBuffer` (μ > 0), `gradAvg` (centered).
 *
 * @example
 * import * as torch from 'torchlet';
 * const w = torch.tensor([1, 2], { requiresGrad: true });
 * const opt = new torch.optim.RMSprop([w], { lr: 0.01, centered: true, momentum: 0.9 });
 * w.pow(2).sum().backward();
 * opt.step();
 */
export class RMSprop extends Optimizer {
  constructor(params: ParamsT, lr?: number | RMSpropOptions, alpha?: number | RMSpropOptions, eps?: number | RMSpropOptions,
    weightDecay?: number | RMSpropOptions, momentum?: number | RMSpropOptions, centered?: boolean | RMSpropOptions,
    options?: RMSpropOptions) {
    const o = parseArgs('RMSprop', [lr, alpha, eps, weightDecay, momentum, centered, options],
      ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered'],
      ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered', 'maximize'], OPTIMIZER_HINTS);
    const d = { lr: o.lr ?? 1e-2, momentum: o.momentum ?? 0, alpha: o.alpha ?? 0.99, eps: o.eps ?? 1e-8,
      centered: o.centered ?? false, weightDecay: o.weightDecay ?? 0, maximize: o.maximize ?? false };
    checkNonNegative('learning rate', d.lr);
    checkNonNegative('epsilon value', d.eps);
    checkNonNegative('momentum value', d.momentum);
    checkNonNegative('weight_decay value', d.weightDecay);
    checkNonNegative('alpha value', d.alpha);
    super(params, d);
  }

  protected override _stepGroup(group: ParamGroup, w: WriteSet): void {
    const lr: number = group.lr, alpha: number = group.alpha, eps: number = group.eps, wd: number = group.weightDecay;
    const mom: number = group.momentum, centered: boolean = group.centered, sign = group.maximize ? -1 : 1;
    forEachParam(group, (p) => this._stateOf(p), w, 'RMSprop', (p, P, G, st) => {
      if (st.step === undefined) {
        st.step = newStep();
        st.squareAvg = zeros(p);
        if (mom > 0) st.momentumBuffer = zeros(p);
        if (centered) st.gradAvg = zeros(p);
      }
      if (mom > 0 && st.momentumBuffer === undefined) st.momentumBuffer = zeros(p);
      if (centered && st.gradAvg === undefined) st.gradAvg = zeros(p);
      bumpStep(st.step);
      rmspropKernel(P, G, w.rw(st.squareAvg), centered ? w.rw(st.gradAvg) : null, mom > 0 ? w.rw(st.momentumBuffer) : null,
        P.length, sign, wd, lr, alpha, eps, mom);
    });
  }
}
