/** @internal Helpers shared by the optimizer implementations. */
import type { Tensor } from '../tensor.js';
import type { TypedArray } from '../dtype.js';
import { tensor, zerosLike } from '../ops.js';
import { pyNum, readView, scalarGet, scalarSet } from './_access.js';
import type { WriteSet } from './_access.js';
import type { ParamGroup } from './optimizer.js';

/** PyTorch's `if not 0.0 <= x: raise ValueError(f"Invalid {what}: {x}")`. */
export function checkNonNegative(what: string, x: number): void {
  if (!(x >= 0)) throw new RangeError(`Invalid ${what}: ${pyNum(x)}`);
}

/** Checks both Adam-style betas are in [0, 1). */
/** The hyperparameter checks shared by the Adam family (Adam, AdamW, Adamax, NAdam, RAdam), in PyTorch's order. */
export function checkAdamFamily(d: { lr: number; eps: number; betas: readonly number[]; weightDecay: number }): void {
  checkNonNegative('learning rate', d.lr);
  checkNonNegative('epsilon value', d.eps);
  checkBetas(d.betas);
  checkNonNegative('weight_decay value', d.weightDecay);
}

export function checkBetas(betas: readonly number[]): void {
  if (!Array.isArray(betas) || betas.length !== 2) throw new TypeError('betas must be a pair [beta1, beta2]');
  for (let i = 0; i < 2; i++) {
    const b = betas[i]!;
    if (!(b >= 0 && b < 1)) throw new RangeError(`Invalid beta parameter at index ${i}: ${pyNum(b)}`);
  }
}

/** A fresh `step` counter: a 0-dim float32 tensor, as PyTorch keeps it. */
export function newStep(): Tensor { return tensor(0, { dtype: 'float32' }); }

/** Increments a `step` tensor and returns the new count. */
export function bumpStep(t: Tensor): number {
  const s = scalarGet(t) + 1;
  scalarSet(t, s);
  return s;
}

/** Zero buffer shaped like the parameter. */
export function zeros(p: Tensor): Tensor { return zerosLike(p); }

/** The parameters of a group that have a gradient, with their views. */
export interface Slot {
  p: Tensor;
  grad: Tensor;
  P: TypedArray;
  G: TypedArray;
  state: Record<string, any>;
}

/** Calls `fn` for each parameter of the group with a gradient (null grads are skipped), with writable views. */
export function forEachParam(group: ParamGroup, stateOf: (p: Tensor) => Record<string, any>, w: WriteSet, cls: string,
  fn: (p: Tensor, P: TypedArray, G: TypedArray, state: Record<string, any>) => void): void {
  for (const p of group.params) {
    const grad = p.grad;
    if (grad === null) continue;
    if (grad.numel() !== p.numel()) {
      throw new RangeError(`${cls}: the gradient's shape [${grad.shape.join(', ')}] does not match the parameter's shape [${p.shape.join(', ')}]`);
    }
    fn(p, w.rw(p), readView(grad), stateOf(p));
  }
}
