import type { Tensor } from '../tensor.js';
import { OPTIMIZER_HINTS, Optimizer, parseArgs } from './optimizer.js';
import type { OptimizerHints, ParamGroup, ParamsT } from './optimizer.js';
import { bumpStep, checkNonNegative, describe, newStep, paramsWithGrad, zeros } from './_common.js';
import { pyNum } from './_access.js';
import { where, fullLike, onesLike } from '../ops.js';

/** Options of `Rprop`. */
export interface RpropOptions extends OptimizerHints {
  lr?: number;
  /** [etaminus, etaplus]: the factors that shrink and grow a step size (default [0.5, 1.2]). */
  etas?: [number, number];
  /** [min, max] step size (default [1e-6, 50]). */
  stepSizes?: [number, number];
  maximize?: boolean;
}

function checkPair(what: string, v: unknown): void {
  if (!Array.isArray(v) || v.length !== 2 || v.some((x) => typeof x !== 'number')) {
    throw new TypeError(`Rprop: ${what} must be a pair of floats, but got ${describe(v)}`);
  }
}

/**
 * Resilient backpropagation (`torch.optim.Rprop`). Defaults: lr 1e-2, etas [0.5, 1.2], stepSizes [1e-6, 50].
 *
 * ```
 * s ← sign(g · gₚᵣₑᵥ)
 * s > 0: η ← min(η·η₊, Γmax)     s < 0: η ← max(η·η₋, Γmin), g ← 0     s = 0: η unchanged
 * θ ← θ − η·sign(g);  gₚᵣₑᵥ ← g
 * ```
 * State: `step`, `prev`, `stepSize` (PyTorch's `step`, `prev`, `step_size`).
 *
 * @example
 * import * as torch from 'torchlet';
 * const w = torch.tensor([1, -2], { requiresGrad: true });
 * const opt = new torch.optim.Rprop([w], { lr: 0.01, etas: [0.5, 1.2], stepSizes: [1e-6, 50] });
 * w.pow(2).sum().backward();
 * opt.step();
 */
export class Rprop extends Optimizer {
  constructor(params: ParamsT, lr?: number | RpropOptions, etas?: [number, number] | RpropOptions, stepSizes?: [number, number] | RpropOptions,
    options?: RpropOptions) {
    const o = parseArgs('Rprop', [lr, etas, stepSizes, options], ['lr', 'etas', 'stepSizes'], ['lr', 'etas', 'stepSizes', 'maximize'], OPTIMIZER_HINTS);
    const d = { lr: o.lr ?? 1e-2, etas: o.etas ?? [0.5, 1.2], stepSizes: o.stepSizes ?? [1e-6, 50], maximize: o.maximize ?? false };
    checkNonNegative('learning rate', d.lr);
    checkPair('etas', d.etas);
    checkPair('stepSizes', d.stepSizes);
    const [em, ep] = d.etas as number[];
    if (!(em! > 0 && em! < 1 && ep! > 1)) throw new RangeError(`Invalid eta values: ${pyNum(em!)}, ${pyNum(ep!)}`);
    super(params, d);
  }

  protected override _stepGroup(group: ParamGroup): void {
    const [etaminus, etaplus] = group.etas as [number, number];
    const [minStep, maxStep] = group.stepSizes as [number, number];
    for (const p of paramsWithGrad(group, 'Rprop')) {
      const st = this._stateOf(p);
      if (st.step === undefined) {
        st.step = newStep(p);
        st.prev = zeros(p);
        st.stepSize = fullLike(p, group.lr);
      }
      bumpStep(st.step);
      let grad: Tensor = p._grad!;
      if (group.maximize) grad = grad.neg();
      const prev: Tensor = st.prev, stepSize: Tensor = st.stepSize;
      const s = grad.mul(prev).sign();
      const shrink = s.lt(0);
      // the factor of each step size: etaplus where the sign held, etaminus where it flipped, 1 where a factor was 0
      const factor = where(s.gt(0), etaplus, where(shrink, etaminus, onesLike(stepSize)));
      stepSize.mul_(factor).clamp_(minStep, maxStep);
      // where the sign flipped the step is skipped and the stored gradient is 0 (no shrink again next step)
      const g = where(shrink, 0, grad);
      p.addcmul_(g.sign(), stepSize, -1);
      prev.copy_(g);
    }
  }
}
