import { OPTIMIZER_HINTS, Optimizer, parseArgs } from './optimizer.js';
import type { OptimizerHints, ParamGroup, ParamsT } from './optimizer.js';
import type { WriteSet } from './_access.js';
import type { TypedArray } from '../dtype.js';
import { bumpStep, checkAdamFamily, forEachParam, newStep, zeros } from './_common.js';

function adamaxKernel(P: TypedArray, G: TypedArray, M: TypedArray, U: TypedArray, n: number, sign: number, wd: number,
  clr: number, b1: number, b2: number, eps: number): void {
  const c1 = 1 - b1;
  for (let i = 0; i < n; i++) {
    const th = P[i]!;
    const g = sign * G[i]! + wd * th;
    M[i] = b1 * M[i]! + c1 * g;
    const u = b2 * U[i]!, a = Math.abs(g) + eps;
    U[i] = u > a || u !== u ? u : a; // torch.maximum (NaN propagates)
    P[i] = th - clr * (M[i]! / U[i]!);
  }
}

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

  protected override _stepGroup(group: ParamGroup, w: WriteSet): void {
    const lr: number = group.lr, [b1, b2] = group.betas as [number, number], eps: number = group.eps;
    const wd: number = group.weightDecay, sign = group.maximize ? -1 : 1;
    forEachParam(group, (p) => this._stateOf(p), w, 'Adamax', (p, P, G, st) => {
      if (st.step === undefined) {
        st.step = newStep();
        st.expAvg = zeros(p);
        st.expInf = zeros(p);
      }
      const step = bumpStep(st.step);
      adamaxKernel(P, G, w.rw(st.expAvg), w.rw(st.expInf), P.length, sign, wd, lr / (1 - b1 ** step), b1, b2, eps);
    });
  }
}
