import { OPTIMIZER_HINTS, Optimizer, parseArgs } from './optimizer.js';
import type { OptimizerHints, ParamGroup, ParamsT } from './optimizer.js';
import type { WriteSet } from './_access.js';
import type { TypedArray } from '../dtype.js';
import { bumpStep, checkAdamFamily, forEachParam, newStep, zeros } from './_common.js';

function radamKernel(P: TypedArray, G: TypedArray, M: TypedArray, V: TypedArray, n: number, sign: number, l2: number, decay: number,
  b1: number, b2: number, bc1: number, bc2Sqrt: number, eps: number, lr: number, rectified: boolean, rect: number): void {
  if (decay !== 1) for (let i = 0; i < n; i++) P[i] = P[i]! * decay;
  const c1 = 1 - b1, c2 = 1 - b2;
  for (let i = 0; i < n; i++) {
    const th = P[i]!;
    const g = sign * G[i]! + l2 * th;
    M[i] = b1 * M[i]! + c1 * g;
    V[i] = b2 * V[i]! + c2 * g * g;
    const mHat = M[i]! / bc1;
    P[i] = rectified ? th - mHat * lr * (bc2Sqrt / (Math.sqrt(V[i]!) + eps)) * rect : th - mHat * lr;
  }
}

/** Options of `RAdam`. */
export interface RAdamOptions extends OptimizerHints {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  decoupledWeightDecay?: boolean;
  maximize?: boolean;
}

/**
 * RAdam, rectified Adam (`torch.optim.RAdam`). Defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0.
 *
 * ```
 * g ← ±∇θ + λθ                       (decoupled: θ ← θ(1 − lr·λ) instead)
 * m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,  m̂ ← m/(1 − β₁ᵗ)
 * ρ∞ ← 2/(1 − β₂) − 1,  ρₜ ← ρ∞ − 2tβ₂ᵗ/(1 − β₂ᵗ)
 * ρₜ > 5:  r ← √((ρₜ−4)(ρₜ−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρₜ)),  θ ← θ − lr·m̂·r·√(1 − β₂ᵗ)/(√v + ε)
 * else:    θ ← θ − lr·m̂
 * ```
 * State: `step`, `expAvg`, `expAvgSq`.
 *
 * @example
 * import * as torch from 'torchlet';
 * const w = torch.tensor([1, 2], { requiresGrad: true });
 * const opt = new torch.optim.RAdam([w], { lr: 0.01 });
 * w.pow(2).sum().backward();
 * opt.step();
 */
export class RAdam extends Optimizer {
  constructor(params: ParamsT, lr?: number | RAdamOptions, betas?: [number, number] | RAdamOptions, eps?: number | RAdamOptions,
    weightDecay?: number | RAdamOptions, decoupledWeightDecay?: boolean | RAdamOptions, options?: RAdamOptions) {
    const o = parseArgs('RAdam', [lr, betas, eps, weightDecay, decoupledWeightDecay, options],
      ['lr', 'betas', 'eps', 'weightDecay', 'decoupledWeightDecay'],
      ['lr', 'betas', 'eps', 'weightDecay', 'decoupledWeightDecay', 'maximize'], OPTIMIZER_HINTS);
    const d = { lr: o.lr ?? 1e-3, betas: [...(o.betas ?? [0.9, 0.999])], eps: o.eps ?? 1e-8, weightDecay: o.weightDecay ?? 0,
      decoupledWeightDecay: o.decoupledWeightDecay ?? false, maximize: o.maximize ?? false };
    checkAdamFamily(d);
    super(params, d);
  }

  protected override _stepGroup(group: ParamGroup, w: WriteSet): void {
    const lr: number = group.lr, [b1, b2] = group.betas as [number, number], eps: number = group.eps;
    const wd: number = group.weightDecay, decoupled: boolean = group.decoupledWeightDecay, sign = group.maximize ? -1 : 1;
    forEachParam(group, (p) => this._stateOf(p), w, 'RAdam', (p, P, G, st) => {
      if (st.step === undefined) {
        st.step = newStep();
        st.expAvg = zeros(p);
        st.expAvgSq = zeros(p);
      }
      const step = bumpStep(st.step);
      const bc1 = 1 - b1 ** step, bc2 = 1 - b2 ** step;
      const rhoInf = 2 / (1 - b2) - 1;
      const rhoT = rhoInf - (2 * step * b2 ** step) / bc2;
      const rectified = rhoT > 5;
      const rect = rectified ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
      const decay = decoupled && wd !== 0 ? 1 - lr * wd : 1;
      radamKernel(P, G, w.rw(st.expAvg), w.rw(st.expAvgSq), P.length, sign, decoupled ? 0 : wd, decay, b1, b2, bc1, Math.sqrt(bc2), eps, lr,
        rectified, rect);
    });
  }
}
