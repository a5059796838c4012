import { OPTIMIZER_HINTS, Optimizer, parseArgs } from './optimizer.js';
import type { OptimizerHints, ParamGroup, ParamsT } from './optimizer.js';
import { bumpStep, checkNonNegative, hostScalar, newStep, paramsWithGrad, setHostScalar, zeros } from './_common.js';
import { tensor as makeTensor } from '../ops.js';
import { rememberHostValue } from '../host_values.js';
import type { Tensor } from '../tensor.js';

/** Options of `ASGD`. */
export interface ASGDOptions extends OptimizerHints {
  lr?: number;
  /** decay term (default 1e-4) */
  lambd?: number;
  /** power for the eta update (default 0.75) */
  alpha?: number;
  /** the step at which averaging starts (default 1e6) */
  t0?: number;
  weightDecay?: number;
  maximize?: boolean;
}

/** A 0-dim float32 state scalar whose value the host keeps (PyTorch's `_get_scalar_dtype()` tensors). */
function scalarState(p: Tensor, v: number): Tensor {
  const t = makeTensor(v, { dtype: 'float32', device: p.device });
  rememberHostValue(t, Math.fround(v));
  return t;
}

/**
 * Averaged stochastic gradient descent (`torch.optim.ASGD`). Defaults: lr 1e-2, lambd 1e-4, alpha 0.75, t0 1e6,
 * weightDecay 0.
 *
 * ```
 * g ← ±∇θ + λθ;  θ ← θ·(1 − lambd·η) − η·g
 * ax ← ax + μ·(θ − ax)   (ax ← θ while μ = 1)
 * η ← lr / (1 + lambd·lr·t)^alpha;  μ ← 1 / max(1, t − t0)
 * ```
 * State: `step`, `eta`, `mu` (0-dim float32 tensors, as PyTorch's), `ax` (the average of the parameters).
 *
 * @example
 * import * as torch from 'torchlet';
 * const w = torch.tensor([1, 2], { requiresGrad: true });
 * const opt = new torch.optim.ASGD([w], { lr: 0.01, t0: 10 });
 * w.pow(2).sum().backward();
 * opt.step();
 * opt.state.get(w)!.ax; // the running average of w
 */
export class ASGD extends Optimizer {
  constructor(params: ParamsT, lr?: number | ASGDOptions, lambd?: number | ASGDOptions, alpha?: number | ASGDOptions,
    t0?: number | ASGDOptions, weightDecay?: number | ASGDOptions, options?: ASGDOptions) {
    const o = parseArgs('ASGD', [lr, lambd, alpha, t0, weightDecay, options], ['lr', 'lambd', 'alpha', 't0', 'weightDecay'],
      ['lr', 'lambd', 'alpha', 't0', 'weightDecay', 'maximize'], OPTIMIZER_HINTS);
    const d = { lr: o.lr ?? 1e-2, lambd: o.lambd ?? 1e-4, alpha: o.alpha ?? 0.75, t0: o.t0 ?? 1e6, weightDecay: o.weightDecay ?? 0,
      maximize: o.maximize ?? false };
    checkNonNegative('learning rate', d.lr);
    checkNonNegative('weight_decay value', d.weightDecay);
    super(params, d);
  }

  /** @internal eta and mu are 0-dim scalars, like step. */
  override _scalarStateKey(key: string): boolean { return key === 'step' || key === 'eta' || key === 'mu'; }

  protected override _stepGroup(group: ParamGroup): void {
    const { lr, lambd, alpha, t0, weightDecay } = group as unknown as Record<string, number>;
    for (const p of paramsWithGrad(group, 'ASGD')) {
      const st = this._stateOf(p);
      if (st.step === undefined) {
        st.step = newStep(p);
        st.eta = scalarState(p, lr!);
        st.mu = scalarState(p, 1);
        st.ax = zeros(p);
      }
      const step = bumpStep(st.step);
      let grad: Tensor = p._grad!;
      if (group.maximize) grad = grad.neg();
      if (weightDecay !== 0) grad = grad.add(p, weightDecay);
      const eta = hostScalar(st.eta), mu = hostScalar(st.mu);
      p.mul_(1 - lambd! * eta);
      p.add_(grad, -eta);
      const ax: Tensor = st.ax;
      if (mu !== 1) ax.add_(p.sub(ax).mul(mu));
      else ax.copy_(p);
      setHostScalar(st.eta, lr! / Math.pow(1 + lambd! * lr! * step, alpha!));
      setHostScalar(st.mu, 1 / Math.max(1, step - t0!));
    }
  }
}
