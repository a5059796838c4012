/** @internal Helpers shared by the optimizer implementations: checks, state creation, host-side counts, dispatch. */
import type { Tensor } from '../tensor.js';
import { bumpVersion, versionOf } from '../tensor.js';
import { ones, zeros as zerosOf, zerosLike } from '../ops.js';
import type { Backend, OptimizerHyperparams, OptimizerKind, OptimizerSlot } from '../backend/types.js';
import { pyNum } from './_access.js';
import { knownHostValue, rememberHostValue } from '../host_values.js';
import type { ParamGroup } from './optimizer.js';

/** PyTorch's `if not 0.0 <= x: raise ValueError(f"Invalid {what}: {x}")`. */
export function checkNonNegative(what: string, x: number): void {
  // a string would pass `x >= 0` by coercion ('0.1' >= 0) and fail, or train, later (probe 26)
  if (typeof x !== 'number') throw new TypeError(`Invalid ${what}: expected a float, but got ${describe(x)}`);
  if (!(x >= 0)) throw new RangeError(`Invalid ${what}: ${pyNum(x)}`);
}

/** The hyperparameter checks shared by the Adam family (Adam, AdamW, Adamax, NAdam, RAdam), in PyTorch's order. */
export function checkAdamFamily(d: { lr: number; eps: number; betas: readonly number[]; weightDecay: number }): void {
  checkNonNegative('learning rate', d.lr);
  checkNonNegative('epsilon value', d.eps);
  checkBetas(d.betas);
  checkNonNegative('weight_decay value', d.weightDecay);
}

/** `str '0.1'`, `bool true`, `NoneType`: a value and its Python type, for TypeErrors. */
export function describe(x: unknown): string {
  if (x === null || x === undefined) return 'NoneType';
  if (typeof x === 'string') return `str '${x}'`;
  if (typeof x === 'boolean') return `bool ${x ? 'True' : 'False'}`;
  if (typeof x === 'number') return `${Number.isInteger(x) ? 'int' : 'float'} ${pyNum(x)}`;
  if (Array.isArray(x)) return `list [${x.map(String).join(', ')}]`;
  // a module is a function object (callable) with its class's prototype: name its class
  return typeof x === 'object' || (typeof x === 'function' && Object.getPrototypeOf(x) !== Function.prototype) ? (x as object).constructor?.name ?? 'object' : typeof x;
}

/** Checks both Adam-style betas are in [0, 1). */
export function checkBetas(betas: readonly number[]): void {
  if (!Array.isArray(betas) || betas.length !== 2) throw new TypeError(`betas must be a pair [beta1, beta2], but got ${describe(betas)}`);
  for (let i = 0; i < 2; i++) {
    const b = betas[i]!;
    if (typeof b !== 'number') throw new TypeError(`Invalid beta parameter at index ${i}: expected a float, but got ${describe(b)}`);
    if (!(b >= 0 && b < 1)) throw new RangeError(`Invalid beta parameter at index ${i}: ${pyNum(b)}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Host-side mirrors of scalar state (`step`, NAdam's `muProduct`)
//
// PyTorch keeps `step` as a 0-dim tensor in the state, and so does torchlet (state dicts are PyTorch's). Reading it
// every step would be a device-to-host transfer per parameter per step, so the value is mirrored on the host and
// the tensor is only written (`fill_`). The mirror is keyed by the tensor and remembers the version it wrote: a
// state tensor replaced or modified by the user is read once, the next time (as is a loaded one, by
// `loadStateDict`); a step reads nothing.

/** @internal The value of a one-element state tensor, from the host mirror (read from the tensor only if stale). */
export function hostScalar(t: Tensor): number {
  const m = knownHostValue(t);
  if (m !== undefined) return m;
  const value = t.item(); // a state tensor written by the user since: its value is only on the device
  rememberHostValue(t, value);
  return value;
}

/** @internal Writes a one-element state tensor (no read) and records the value, as stored, in the mirror. */
export function setHostScalar(t: Tensor, v: number): number {
  const value = t.dtype === 'float32' ? Math.fround(v) : v;
  t.fill_(value);
  rememberHostValue(t, value);
  return value;
}

/** A fresh `step` counter: a 0-dim float32 tensor on the parameter's device, as PyTorch's fused optimizers keep it. */
export function newStep(p: Tensor): Tensor {
  const t = zerosOf([], { dtype: 'float32', device: p.device });
  rememberHostValue(t, 0);
  return t;
}

/** NAdam's fresh `muProduct`: a 0-dim float32 one on the parameter's device. */
export function newMuProduct(p: Tensor): Tensor {
  const t = ones([], { dtype: 'float32', device: p.device });
  rememberHostValue(t, 1);
  return t;
}

/** Increments a `step` tensor and returns the new count, without reading the tensor. */
export function bumpStep(t: Tensor): number {
  return setHostScalar(t, hostScalar(t) + 1);
}

/** Zero buffer shaped like the parameter, on its device and of its dtype. */
export function zeros(p: Tensor): Tensor { return zerosLike(p); }

// ---------------------------------------------------------------------------------------------------------------
// Dispatch: the backend's fused kernel, or the frontend fallback built from Tensor ops

/** One parameter's part of a step: the tensors, in the order of the kind's state list, and its step count. */
export interface ParamSlot {
  p: Tensor;
  grad: Tensor;
  state: (Tensor | null)[];
  step: number;
  muProduct?: number;
}

/** The parameters of a group that have a gradient (null grads are skipped), with the gradient's size checked. */
export function paramsWithGrad(group: ParamGroup, cls: string): Tensor[] {
  const out: Tensor[] = [];
  for (const p of group.params) {
    const grad = p._grad;
    if (grad === null) continue;
    if (grad.numel() !== p.numel()) {
      throw new RangeError(`${cls}: the gradient's shape [${grad.shape.join(', ')}] does not match the parameter's shape [${p.shape.join(', ')}]`);
    }
    out.push(p);
  }
  return out;
}

function toKernelSlot(s: ParamSlot): OptimizerSlot {
  return {
    param: { s: s.p._s, l: s.p.layout },
    grad: { s: s.grad._s, l: s.grad.layout },
    state: s.state.map((t) => (t === null ? null : { s: t._s, l: t.layout })),
    step: s.step,
    muProduct: s.muProduct,
  };
}

function runFused<K extends OptimizerKind>(b: Backend, kind: K, slots: readonly ParamSlot[], hp: OptimizerHyperparams[K]): void {
  b.fusedOptimizerStep!(kind, slots.map(toKernelSlot), hp);
  // the kernel wrote the parameters and the state buffers: bump them so autograd sees the modification
  for (const s of slots) {
    bumpVersion(s.p);
    for (const t of s.state) if (t !== null) bumpVersion(t);
  }
}

/**
 * Runs one step of `kind` over `slots`: with the backend's `fusedOptimizerStep` when it has one (one call per
 * backend), otherwise `fallback` per parameter (Tensor ops, in place, under the caller's `noGrad`).
 */
export function dispatchStep<K extends OptimizerKind>(kind: K, slots: readonly ParamSlot[], hp: OptimizerHyperparams[K],
  fallback: (s: ParamSlot, hp: OptimizerHyperparams[K]) => void): void {
  if (slots.length === 0) return;
  const b = slots[0]!.p._backend;
  if (slots.every((s) => s.p._backend === b && s.grad._backend === b)) {
    if (b.fusedOptimizerStep !== undefined) runFused(b, kind, slots, hp);
    else for (const s of slots) fallback(s, hp);
    return;
  }
  // parameters of one group on several backends: one fused call per backend where it has the kernel
  const byBackend = new Map<Backend, ParamSlot[]>();
  for (const s of slots) {
    const list = byBackend.get(s.p._backend) ?? [];
    list.push(s);
    byBackend.set(s.p._backend, list);
  }
  for (const [bk, list] of byBackend) {
    if (bk.fusedOptimizerStep !== undefined && list.every((s) => s.grad._backend === bk)) runFused(bk, kind, list, hp);
    else for (const s of list) fallback(s, hp);
  }
}
