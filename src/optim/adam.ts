import { OPTIMIZER_HINTS, Optimizer, parseArgs } from './optimizer.js';
import type { OptimizerHints, ParamGroup, ParamsT } from './optimizer.js';
import type { WriteSet } from './_access.js';
import type { TypedArray } from '../dtype.js';
import { bumpStep, checkAdamFamily, forEachParam, newStep, zeros } from './_common.js';

/** Options of `Adam` / `AdamW`. */
export interface AdamOptions extends OptimizerHints {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
  /** AdamW's decoupled decay `θ ← θ·(1 − lr·λ)` instead of L2 added to the gradient. */
  decoupledWeightDecay?: boolean;
}

const ADAM_KEYS = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'maximize', 'decoupledWeightDecay'];

function adamDefaults(o: Record<string, any>, wdDefault: number, decoupled: boolean): Record<string, any> {
  const d = { lr: o.lr ?? 1e-3, betas: [...(o.betas ?? [0.9, 0.999])], eps: o.eps ?? 1e-8, weightDecay: o.weightDecay ?? wdDefault,
    amsgrad: o.amsgrad ?? false, maximize: o.maximize ?? false, decoupledWeightDecay: o.decoupledWeightDecay ?? decoupled };
  checkAdamFamily(d);
  return d;
}

/** The fused Adam update of one parameter (top-level so V8 optimizes it once, with every scalar an argument). */
function adamKernel(P: TypedArray, G: TypedArray, M: TypedArray, V: TypedArray, VM: TypedArray | null, n: number, sign: number,
  l2: number, decay: number, b1: number, b2: number, stepSize: number, bc2Sqrt: number, eps: number): void {
  if (decay !== 1) for (let i = 0; i < n; i++) P[i] = P[i]! * decay;
  const c1 = 1 - b1, c2 = 1 - b2;
  if (VM === null) {
    for (let i = 0; i < n; i++) {
      const th = P[i]!;
      const g = sign * G[i]! + l2 * th;
      M[i] = b1 * M[i]! + c1 * g;
      V[i] = b2 * V[i]! + c2 * g * g;
      P[i] = th - stepSize * (M[i]! / (Math.sqrt(V[i]!) / bc2Sqrt + eps));
    }
  } else {
    for (let i = 0; i < n; i++) {
      const th = P[i]!;
      const g = sign * G[i]! + l2 * th;
      M[i] = b1 * M[i]! + c1 * g;
      V[i] = b2 * V[i]! + c2 * g * g;
      const v = V[i]!, vm = VM[i]!;
      VM[i] = vm > v || vm !== vm ? vm : v; // torch.maximum (NaN propagates)
      P[i] = th - stepSize * (M[i]! / (Math.sqrt(VM[i]!) / bc2Sqrt + eps));
    }
  }
}

/** The Adam/AdamW update of one group (shared by both classes). */
function adamGroup(opt: Optimizer, group: ParamGroup, w: WriteSet, cls: string): void {
  const lr: number = group.lr, [b1, b2] = group.betas as [number, number], eps: number = group.eps;
  const wd: number = group.weightDecay, amsgrad: boolean = group.amsgrad, sign = group.maximize ? -1 : 1;
  const decoupled: boolean = group.decoupledWeightDecay;
  forEachParam(group, (p) => opt._stateOf(p), w, cls, (p, P, G, st) => {
    if (st.step === undefined) {
      st.step = newStep();
      st.expAvg = zeros(p);
      st.expAvgSq = zeros(p);
      if (amsgrad) st.maxExpAvgSq = zeros(p);
    }
    if (amsgrad && st.maxExpAvgSq === undefined) st.maxExpAvgSq = zeros(p);
    const step = bumpStep(st.step);
    const M = w.rw(st.expAvg), V = w.rw(st.expAvgSq), VM = amsgrad ? w.rw(st.maxExpAvgSq) : null;
    const bc1 = 1 - b1 ** step, bc2 = 1 - b2 ** step;
    const stepSize = lr / bc1, bc2Sqrt = Math.sqrt(bc2);
    const decay = decoupled && wd !== 0 ? 1 - lr * wd : 1;
    adamKernel(P, G, M, V, VM, P.length, sign, decoupled ? 0 : wd, decay, b1, b2, stepSize, bc2Sqrt, eps);
  });
}

/**
 * Adam (`torch.optim.Adam`), with optional AMSGrad, maximization, L2 weight decay, or decoupled weight decay.
 * Defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0. At step t:
 *
 * ```
 * g ← ±∇θ + λθ               (decoupledWeightDecay: θ ← θ(1 − lr·λ) instead)
 * m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²,   v̂max ← max(v̂max, v)  (amsgrad)
 * θ ← θ − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
 * ```
 * State: `step`, `expAvg`, `expAvgSq`, `maxExpAvgSq` (amsgrad).
 *
 * @example
 * import * as torch from 'torchlet';
 * const w = torch.tensor([1, -1], { requiresGrad: true });
 * const opt = new torch.optim.Adam([w], { lr: 0.1, amsgrad: true });
 * w.pow(2).sum().backward();
 * opt.step();          // each element moves by lr: w = [0.9, -0.9]
 */
export class Adam extends Optimizer {
  constructor(params: ParamsT, lr?: number | AdamOptions, betas?: [number, number] | AdamOptions, eps?: number | AdamOptions,
    weightDecay?: number | AdamOptions, amsgrad?: boolean | AdamOptions, options?: AdamOptions) {
    const o = parseArgs('Adam', [lr, betas, eps, weightDecay, amsgrad, options], ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad'], ADAM_KEYS,
      OPTIMIZER_HINTS);
    super(params, adamDefaults(o, 0, false));
  }
  protected override _stepGroup(group: ParamGroup, w: WriteSet): void { adamGroup(this, group, w, 'Adam'); }
}

/**
 * AdamW (`torch.optim.AdamW`): Adam with decoupled weight decay, default weightDecay 1e-2.
 *
 * ```
 * θ ← θ·(1 − lr·λ)
 * m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²
 * θ ← θ − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
 * ```
 *
 * @example
 * import * as torch from 'torchlet';
 * const w = torch.tensor([1, -1], { requiresGrad: true });
 * const opt = new torch.optim.AdamW([w], { lr: 0.1 });
 * w.pow(2).sum().backward();
 * opt.step();          // w = [1·(1 − 0.001) − 0.1, ...] = [0.899, -0.899]
 */
export class AdamW extends Optimizer {
  constructor(params: ParamsT, lr?: number | AdamOptions, betas?: [number, number] | AdamOptions, eps?: number | AdamOptions,
    weightDecay?: number | AdamOptions, amsgrad?: boolean | AdamOptions, options?: AdamOptions) {
    const o = parseArgs('AdamW', [lr, betas, eps, weightDecay, amsgrad, options], ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad'], ADAM_KEYS,
      OPTIMIZER_HINTS);
    if (o.decoupledWeightDecay === false) throw new RangeError('AdamW does not support decoupled_weight_decay=False');
    super(params, adamDefaults(o, 1e-2, true));
  }
  protected override _stepGroup(group: ParamGroup, w: WriteSet): void { adamGroup(this, group, w, 'AdamW'); }
}
