import { Optimizer, parseArgs } from './optimizer.js';
import type { ParamGroup, ParamsT } from './optimizer.js';
import type { WriteSet } from './_access.js';
import { bumpStep, checkBetas, checkNonNegative, forEachParam, newStep, zeros } from './_common.js';

/** Options of `Adamax`. */
export interface AdamaxOptions {
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
      ['lr', 'betas', 'eps', 'weightDecay', 'maximize']);
    const d = { lr: o.lr ?? 2e-3, betas: [...(o.betas ?? [0.9, 0.999])], eps: o.eps ?? 1e-8, weightDecay: o.weightDecay ?? 0,
      maximize: o.maximize ?? false };
    checkNonNegative('learning rate', d.lr);
    checkNonNegative('epsilon value', d.eps);
    checkBetas(d.betas);
    checkNonNegative('weight_decay value', d.weightDecay);
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
      const M = w.rw(st.expAvg), U = w.rw(st.expInf), c1 = 1 - b1, n = P.length;
      const clr = lr / (1 - b1 ** step);
      for (let i = 0; i < n; i++) {
        const th = P[i]!;
        const g = sign * G[i]! + wd * th;
        M[i] = b1 * M[i]! + c1 * g;
        U[i] = Math.max(b2 * U[i]!, Math.abs(g) + eps);
        P[i] = th - clr * (M[i]! / U[i]!);
      }
    });
  }
}
