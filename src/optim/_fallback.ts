/**
 * @internal The optimizers' update rules built from Tensor ops, for backends without `fusedOptimizerStep`.
 *
 * Each function is the single-tensor path of PyTorch's `torch/optim/*.py` (`_single_tensor_adam` and friends,
 * non-capturable: the step-dependent scalars are host numbers computed from the host-side step count): in-place
 * ops on the parameter and the state, run under the optimizer's `noGrad`, so every write bumps the version counter
 * through the ordinary in-place path and nothing is read back to the host. Each op rounds to the tensor's dtype, so
 * float32 results can differ from the fused kernels (one rounding per stored value) in the last bits.
 */
import type { Tensor } from '../tensor.js';
import { release } from '../ops.js';
import type {
  AdadeltaHyperparams, AdagradHyperparams, AdamHyperparams, AdamaxHyperparams, NAdamHyperparams, RAdamHyperparams,
  RMSpropHyperparams, SgdHyperparams,
} from '../backend/types.js';
import type { ParamSlot } from './_common.js';

/** `±grad + λ·param` as a fresh tensor (or the gradient itself when neither applies), PyTorch's `grad.add(param, alpha=λ)`. */
function effectiveGrad(p: Tensor, grad: Tensor, maximize: boolean, l2: number): Tensor {
  let g = maximize ? grad.neg() : grad;
  if (l2 !== 0) {
    const h = g.add(p, l2);
    if (g !== grad) release(g);
    g = h;
  }
  return g;
}

function done(g: Tensor, grad: Tensor): void { if (g !== grad) release(g); }

export function sgdFallback(s: ParamSlot, hp: SgdHyperparams): void {
  const { p, grad } = s;
  const g = effectiveGrad(p, grad, hp.maximize, hp.weightDecay);
  const buf = s.state[0] ?? null;
  if (hp.momentum === 0 || buf === null) {
    p.add_(g, -hp.lr);
  } else {
    if (s.step === 1) buf.copy_(g); // PyTorch's first step: buf = clone(grad)
    else buf.mul_(hp.momentum).add_(g, 1 - hp.dampening);
    if (hp.nesterov) {
      const d = g.add(buf, hp.momentum);
      p.add_(d, -hp.lr);
      release(d);
    } else {
      p.add_(buf, -hp.lr);
    }
  }
  done(g, grad);
}

export function adamFallback(s: ParamSlot, hp: AdamHyperparams): void {
  const { p, grad, step } = s;
  const [m, v, vmax] = s.state as [Tensor, Tensor, Tensor | null];
  const decoupled = hp.decoupledWeightDecay;
  if (decoupled && hp.weightDecay !== 0) p.mul_(1 - hp.lr * hp.weightDecay);
  const g = effectiveGrad(p, grad, hp.maximize, decoupled ? 0 : hp.weightDecay);
  m.lerp_(g, 1 - hp.beta1);
  v.mul_(hp.beta2).addcmul_(g, g, 1 - hp.beta2);
  const bc1 = 1 - hp.beta1 ** step, bc2 = 1 - hp.beta2 ** step;
  const stepSize = hp.lr / bc1, bc2Sqrt = Math.sqrt(bc2);
  let src = v;
  if (hp.amsgrad && vmax !== null) {
    const mx = vmax.maximum(v);
    vmax.copy_(mx);
    release(mx);
    src = vmax;
  }
  const denom = src.sqrt().div_(bc2Sqrt).add_(hp.eps);
  p.addcdiv_(m, denom, -stepSize);
  release(denom);
  done(g, grad);
}

export function adamaxFallback(s: ParamSlot, hp: AdamaxHyperparams): void {
  const { p, grad, step } = s;
  const [m, u] = s.state as [Tensor, Tensor];
  const g = effectiveGrad(p, grad, hp.maximize, hp.weightDecay);
  m.lerp_(g, 1 - hp.beta1);
  u.mul_(hp.beta2);
  const a = g.abs().add_(hp.eps);
  const mx = u.maximum(a); // torch.maximum: NaN propagates, as amax over the stacked pair does
  u.copy_(mx);
  release(mx); release(a);
  p.addcdiv_(m, u, -(hp.lr / (1 - hp.beta1 ** step)));
  done(g, grad);
}

export function adadeltaFallback(s: ParamSlot, hp: AdadeltaHyperparams): void {
  const { p, grad } = s;
  const [v, u] = s.state as [Tensor, Tensor];
  const g = effectiveGrad(p, grad, hp.maximize, hp.weightDecay);
  v.mul_(hp.rho).addcmul_(g, g, 1 - hp.rho);
  const std = v.add(hp.eps).sqrt_();
  const delta = u.add(hp.eps).sqrt_().div_(std).mul_(g);
  u.mul_(hp.rho).addcmul_(delta, delta, 1 - hp.rho);
  p.add_(delta, -hp.lr);
  release(std); release(delta);
  done(g, grad);
}

export function adagradFallback(s: ParamSlot, hp: AdagradHyperparams): void {
  const { p, grad, step } = s;
  const [sum] = s.state as [Tensor];
  const g = effectiveGrad(p, grad, hp.maximize, hp.weightDecay);
  const clr = hp.lr / (1 + (step - 1) * hp.lrDecay);
  sum.addcmul_(g, g, 1);
  const std = sum.sqrt().add_(hp.eps);
  p.addcdiv_(g, std, -clr);
  release(std);
  done(g, grad);
}

export function nadamFallback(s: ParamSlot, hp: NAdamHyperparams): void {
  const { p, grad, step } = s;
  const [m, v] = s.state as [Tensor, Tensor];
  const { lr, beta1: b1, beta2: b2, momentumDecay: md } = hp;
  const decoupled = hp.decoupledWeightDecay;
  if (decoupled && hp.weightDecay !== 0) p.mul_(1 - lr * hp.weightDecay);
  const g = effectiveGrad(p, grad, hp.maximize, decoupled ? 0 : hp.weightDecay);
  const bc2 = 1 - b2 ** step;
  const mu = b1 * (1 - 0.5 * 0.96 ** (step * md));
  const muNext = b1 * (1 - 0.5 * 0.96 ** ((step + 1) * md));
  const muProduct = s.muProduct!;
  const muProductNext = muProduct * muNext;
  m.lerp_(g, 1 - b1);
  v.mul_(b2).addcmul_(g, g, 1 - b2);
  const denom = v.div(bc2).sqrt_().add_(hp.eps);
  p.addcdiv_(g, denom, (-lr * (1 - mu)) / (1 - muProduct));
  p.addcdiv_(m, denom, (-lr * muNext) / (1 - muProductNext));
  release(denom);
  done(g, grad);
}

export function radamFallback(s: ParamSlot, hp: RAdamHyperparams): void {
  const { p, grad, step } = s;
  const [m, v] = s.state as [Tensor, Tensor];
  const { lr, beta1: b1, beta2: b2 } = hp;
  const decoupled = hp.decoupledWeightDecay;
  if (decoupled && hp.weightDecay !== 0) p.mul_(1 - lr * hp.weightDecay);
  const g = effectiveGrad(p, grad, hp.maximize, decoupled ? 0 : hp.weightDecay);
  m.lerp_(g, 1 - b1);
  v.mul_(b2).addcmul_(g, g, 1 - b2);
  const bc1 = 1 - b1 ** step, bc2 = 1 - b2 ** step;
  const mHat = m.div(bc1);
  const rhoInf = 2 / (1 - b2) - 1;
  const rhoT = rhoInf - (2 * step * b2 ** step) / bc2;
  if (rhoT > 5) {
    const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
    const den = v.sqrt().add_(hp.eps);
    const adaptive = den.reciprocal().mul_(Math.sqrt(bc2)); // PyTorch's adaptive_lr = sqrt(bc2) / (sqrt(v) + eps)
    release(den);
    const upd = mHat.mul_(lr).mul_(adaptive).mul_(rect);
    p.sub_(upd);
    release(adaptive);
  } else {
    p.sub_(mHat.mul_(lr));
  }
  release(mHat);
  done(g, grad);
}

export function rmspropFallback(s: ParamSlot, hp: RMSpropHyperparams): void {
  const { p, grad } = s;
  const [sq, buf, gAvg] = s.state as [Tensor, Tensor | null, Tensor | null];
  const g = effectiveGrad(p, grad, hp.maximize, hp.weightDecay);
  const c = 1 - hp.alpha;
  sq.mul_(hp.alpha).addcmul_(g, g, c);
  let avg: Tensor;
  if (hp.centered && gAvg !== null) {
    gAvg.mul_(hp.alpha).add_(g, c);
    const g2 = gAvg.mul(gAvg);
    avg = sq.sub(g2).sqrt_();
    release(g2);
  } else {
    avg = sq.sqrt();
  }
  avg.add_(hp.eps);
  if (hp.momentum > 0 && buf !== null) {
    buf.mul_(hp.momentum).addcdiv_(g, avg);
    p.add_(buf, -hp.lr);
  } else {
    p.addcdiv_(g, avg, -hp.lr);
  }
  release(avg);
  done(g, grad);
}
