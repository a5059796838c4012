import { OPTIMIZER_HINTS, Optimizer, parseArgs } from './optimizer.js';
import type { OptimizerHints, ParamGroup, ParamsT } from './optimizer.js';
import type { WriteSet } from './_access.js';
import type { TypedArray } from '../dtype.js';
import { scalarGet, scalarSet } from './_access.js';
import { tensor } from '../ops.js';
import { bumpStep, checkAdamFamily, checkNonNegative, forEachParam, newStep, zeros } from './_common.js';

function nadamKernel(P: TypedArray, G: TypedArray, M: TypedArray, V: TypedArray, n: number, sign: number, l2: number, decay: number,
  b1: number, b2: number, bc2: number, eps: number, cg: number, cm: number): void {
  if (decay !== 1) for (let i = 0; i < n; i++) P[i] = P[i]! * decay;
  const c1 = 1 - b1, c2 = 1 - b2;
  for (let i = 0; i < n; i++) {
    const th = P[i]!;
    const g = sign * G[i]! + l2 * th;
    M[i] = b1 * M[i]! + c1 * g;
    V[i] = b2 * V[i]! + c2 * g * g;
    const denom = Math.sqrt(V[i]! / bc2) + eps;
    P[i] = th + cg * (g / denom); // two addcdiv_ calls in PyTorch: two roundings
    P[i] = P[i]! + cm * (M[i]! / denom);
  }
}

/** Options of `NAdam`. */
export interface NAdamOptions extends OptimizerHints {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  momentumDecay?: number;
  decoupledWeightDecay?: boolean;
  maximize?: boolean;
}

/**
 * NAdam, Adam with Nesterov momentum (`torch.optim.NAdam`). Defaults: lr 2e-3, betas [0.9, 0.999], eps 1e-8,
 * weightDecay 0, momentumDecay 4e-3, decoupledWeightDecay false. At step t (ψ = momentumDecay):
 *
 * ```
 * g ← ±∇θ + λθ                       (decoupled: θ ← θ(1 − lr·λ) instead)
 * μₜ ← β₁(1 − ½·0.96^(tψ)),  μₜ₊₁ ← β₁(1 − ½·0.96^((t+1)ψ)),  Πₜ ← Πₜ₋₁·μₜ
 * m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,  d ← √(v/(1 − β₂ᵗ)) + ε
 * θ ← θ − lr(1 − μₜ)/(1 − Πₜ) · g/d − lr·μₜ₊₁/(1 − Πₜμₜ₊₁) · m/d
 * ```
 * State: `step`, `muProduct` (Πₜ, a float32 scalar tensor as in PyTorch), `expAvg`, `expAvgSq`.
 *
 * @example
 * import * as torch from 'torchlet';
 * const w = torch.tensor([1, 2], { requiresGrad: true });
 * const opt = new torch.optim.NAdam([w], { lr: 0.01 });
 * w.pow(2).sum().backward();
 * opt.step();
 */
export class NAdam extends Optimizer {
  constructor(params: ParamsT, lr?: number | NAdamOptions, betas?: [number, number] | NAdamOptions, eps?: number | NAdamOptions,
    weightDecay?: number | NAdamOptions, momentumDecay?: number | NAdamOptions, decoupledWeightDecay?: boolean | NAdamOptions,
    options?: NAdamOptions) {
    const o = parseArgs('NAdam', [lr, betas, eps, weightDecay, momentumDecay, decoupledWeightDecay, options],
      ['lr', 'betas', 'eps', 'weightDecay', 'momentumDecay', 'decoupledWeightDecay'],
      ['lr', 'betas', 'eps', 'weightDecay', 'momentumDecay', 'decoupledWeightDecay', 'maximize'], OPTIMIZER_HINTS);
    const d = { lr: o.lr ?? 2e-3, betas: [...(o.betas ?? [0.9, 0.999])], eps: o.eps ?? 1e-8, weightDecay: o.weightDecay ?? 0,
      momentumDecay: o.momentumDecay ?? 4e-3, decoupledWeightDecay: o.decoupledWeightDecay ?? false, maximize: o.maximize ?? false };
    checkAdamFamily(d);
    checkNonNegative('momentum_decay value', d.momentumDecay);
    super(params, d);
  }

  protected override _stepGroup(group: ParamGroup, w: WriteSet): void {
    const lr: number = group.lr, [b1, b2] = group.betas as [number, number], eps: number = group.eps;
    const wd: number = group.weightDecay, md: number = group.momentumDecay, decoupled: boolean = group.decoupledWeightDecay;
    const sign = group.maximize ? -1 : 1;
    forEachParam(group, (p) => this._stateOf(p), w, 'NAdam', (p, P, G, st) => {
      if (st.step === undefined) {
        st.step = newStep();
        st.muProduct = tensor(1, { dtype: 'float32' });
        st.expAvg = zeros(p);
        st.expAvgSq = zeros(p);
      }
      const step = bumpStep(st.step);
      const bc2 = 1 - b2 ** step;
      const mu = b1 * (1 - 0.5 * 0.96 ** (step * md));
      const muNext = b1 * (1 - 0.5 * 0.96 ** ((step + 1) * md));
      // mu_product *= mu happens in the state tensor's dtype
      scalarSet(st.muProduct, scalarGet(st.muProduct) * (st.muProduct.dtype === 'float32' ? Math.fround(mu) : mu));
      const muProduct = scalarGet(st.muProduct);
      const muProductNext = muProduct * muNext;
      const cg = (-lr * (1 - mu)) / (1 - muProduct);
      const cm = (-lr * muNext) / (1 - muProductNext);
      const decay = decoupled && wd !== 0 ? 1 - lr * wd : 1;
      nadamKernel(P, G, w.rw(st.expAvg), w.rw(st.expAvgSq), P.length, sign, decoupled ? 0 : wd, decay, b1, b2, bc2, eps, cg, cm);
    });
  }
}
