/**
 * The in-place machinery and the in-place methods (`add_`, `copy_`, `fill_`, ...). `inplace` runs an op in place:
 * under autograd it computes the out-of-place result and `writeWithHistory` writes it back, giving `self` (and a
 * view's base, as PyTorch's CopySlices) the new history; otherwise a kernel writes into self's storage. Every path
 * checks the destination (`checkWritable`) and bumps the version counter.
 */
import type { BinaryOp } from '../backend/types.js';
import type { DType } from '../dtype.js';
import { category } from '../dtype.js';
import { noGrad } from '../autograd/grad_mode.js';
import { Tensor, bumpVersion } from '../tensor.js';
import { broadcastShapes, fmtShape } from '../shape.js';
import { installTensorMethods } from './registry.js';
import { TensorLike, isPlainObject, scalarAs, resultTypeScalar, resultType, bLayout, torchTypeName, release } from './common.js';
import { isMeta } from './device.js';
import { record, needsGrad, viewGeom, refreshView, detach } from './autograd.js';
import { BinKind, prepBinary, scalarTypes, checkIntegerScalar, checkScalarLong } from './elementwise.js';
import { fullLike } from './creation.js';

export function canCast(from: DType, to: DType): boolean {
  return category(from) <= category(to);
}

export function checkWritable(t: Tensor): void {
  for (let d = 0; d < t._shape.length; d++) {
    if (t._strides[d] === 0 && t._shape[d]! > 1) {
      throw new Error('unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.');
    }
  }
}

import { checkOperand, checkTensor, checkNumber, checkFits } from './args.js';
import { checkOptions } from '../_options.js';
import { alphaArg, checkBoolSub } from './elementwise.js';

/** `value` of addcmul_/addcdiv_: a number or `{ value }`. */
function valueArg(fn: string, value: unknown): number {
  if (isPlainObject(value)) { checkOptions(fn, value, ['value']); value = (value as { value?: number }).value ?? 1; }
  return Number(checkNumber(fn, 'value', 3, value));
}

/**
 * Runs an in-place op: under autograd the out-of-place result is computed (recording a node) and written
 * back, and `self` takes over its history; otherwise `fast` writes directly into self's storage.
 */
export function inplace(self: Tensor, others: (Tensor | null)[], outDtype: DType, compute: (src: Tensor) => Tensor, fast: () => void): Tensor {
  checkWritable(self);
  if (!canCast(outDtype, self.dtype)) {
    throw new TypeError(`result type ${torchTypeName(outDtype)} can't be cast to the desired output type ${torchTypeName(self.dtype)}`);
  }
  for (const o of others) {
    if (o === null) continue;
    const bs = broadcastShapes(self._shape, o._shape);
    if (bs.length !== self.dim() || bs.some((d, i) => d !== self._shape[i])) {
      throw new RangeError(`output with shape ${fmtShape(self._shape)} doesn't match the broadcast shape ${fmtShape(bs)}`);
    }
  }
  if (needsGrad(self, ...others)) {
    // The op runs out of place on a snapshot of self (so a rule that saves the original value keeps it), then
    // the result is written into self's storage and self takes over the new history.
    const r = compute(self.clone());
    writeWithHistory(self, r.to(self.dtype));
    return self;
  }
  fast();
  bumpVersion(self);
  return self;
}

/**
 * Writes `r` (self's shape) into self's storage and gives self (and, for a view, its base) the history of `r`.
 * For a view this is PyTorch's CopySlices: the base's new node routes the gradient of the written region to `r`
 * and the rest to the base's previous history.
 */
export function writeWithHistory(self: Tensor, r: Tensor): void {
  if (self._gradFn === null && self._requiresGrad) {
    throw new Error('a leaf Variable that requires grad is being used in an in-place operation.');
  }
  const base = self._base;
  if (base !== null && base._gradFn === null && base._requiresGrad) {
    throw new Error('a view of a leaf Variable that requires grad is being used in an in-place operation.');
  }
  self._backend.copy(r._s, r.layout, self._s, self.layout);
  bumpVersion(self);
  if (base === null) {
    self._gradFn = r._gradFn;
    self._requiresGrad = r._requiresGrad;
    self._historyVersion++; // views of self made earlier regenerate their history
    return;
  }
  if (r._requiresGrad || base._requiresGrad) {
    const old = detach(base);
    old._gradFn = base._gradFn;
    old._requiresGrad = base._requiresGrad;
    base._gradFn = null;
    record('copySlices', base, [old, r], [], { geo: viewGeom(self, base) }, true);
    base._historyVersion++;
  }
  refreshView(self);
}

/**
 * In-place op(self, scalar) outside autograd with the scalar as a kernel parameter (no storage for it); null when
 * the backend has no `binaryScalar` or a gradient is needed (the callers' general path handles those). `alpha`
 * (add_/sub_) is folded into the scalar: a + alpha·b is evaluated as a + (alpha·b) in doubles either way.
 */
export function scalarInplace(self: Tensor, op: 'add' | 'sub' | 'mul' | 'div' | 'pow', v: number | boolean, kind: BinKind, alpha = 1): Tensor | null {
  const k = self._backend.binaryScalar;
  if (k === undefined || needsGrad(self)) return null;
  const { dt, common } = scalarTypes(self, v, kind);
  checkScalarLong(v, common);
  let value = scalarAs(v, common);
  checkIntegerScalar(op, dt, op === 'pow' ? Number(v) : value); // as binaryWithScalar: the exponent's sign before conversion
  let kop: BinaryOp = op;
  if (alpha !== 1) { kop = 'add'; value = (op === 'sub' ? -alpha : alpha) * value; }
  return inplace(self, [], dt, () => { throw new Error('internal: scalarInplace under autograd'); },
    () => { k.call(self._backend, kop, self._s, self.layout, value, self.dtype, self._s, self.layout); });
}

/**
 * Writes op(self, other) into self directly (no autograd); `addScaled` computes self + param·other. Called from
 * `inplace`, which has already checked that `b` broadcasts to self's shape.
 */
export function binaryInto(op: BinaryOp, self: Tensor, b: Tensor, param?: number): void {
  const shape = self._shape;
  let src = b;
  if (b._s === self._s && (b._offset !== self._offset || b._strides.some((s, i) => s !== self._strides[i + self.dim() - b.dim()]))) {
    src = b.clone();
  }
  self._backend.binary(op, self._s, self.layout, src._s, bLayout(src, shape), self.dtype, self._s, self.layout, param);
}

export function noGradIf(self: Tensor, fn: () => Tensor): Tensor {
  return needsGrad(self) ? fn() : noGrad(fn);
}

/** The inplace methods of `Tensor` (installed on `Tensor.prototype`; typed through `interface Tensor`). */
export class InplaceOps {
  /** In place `this += alpha * other`. */
  add_(this: Tensor, other: TensorLike, alpha: number | { alpha?: number } = 1): Tensor {
    const al = alphaArg('add_', alpha);
    checkOperand('add_', 'other', 1, other);
    if (!(other instanceof Tensor)) { const r = scalarInplace(this, 'add', other, 'arith', al); if (r !== null) return r; }
    const { b, dt } = prepBinary(this, other, 'arith', true);
    return inplace(this, [b], dt, (src) => src.add(b, al), () => (al === 1 ? binaryInto('add', this, b) : binaryInto('addScaled', this, b, al)));
  }
  /** In place `this -= alpha * other`. */
  sub_(this: Tensor, other: TensorLike, alpha: number | { alpha?: number } = 1): Tensor {
    const al = alphaArg('sub_', alpha);
    checkOperand('sub_', 'other', 1, other);
    checkBoolSub(this, other);
    if (!(other instanceof Tensor)) { const r = scalarInplace(this, 'sub', other, 'arith', al); if (r !== null) return r; }
    const { b, dt } = prepBinary(this, other, 'arith', true);
    return inplace(this, [b], dt, (src) => src.sub(b, al), () => (al === 1 ? binaryInto('sub', this, b) : binaryInto('addScaled', this, b, -al)));
  }
  /** In place `this *= other`. */
  mul_(this: Tensor, other: TensorLike): Tensor {
    checkOperand('mul_', 'other', 1, other);
    if (!(other instanceof Tensor)) { const r = scalarInplace(this, 'mul', other, 'arith'); if (r !== null) return r; }
    const { b, dt } = prepBinary(this, other, 'arith', true);
    return inplace(this, [b], dt, (src) => src.mul(b), () => binaryInto('mul', this, b));
  }
  /** In place `this /= other`. */
  div_(this: Tensor, other: TensorLike): Tensor {
    checkOperand('div_', 'other', 1, other);
    if (!(other instanceof Tensor)) { const r = scalarInplace(this, 'div', other, 'div'); if (r !== null) return r; }
    const { b, dt } = prepBinary(this, other, 'div', true);
    return inplace(this, [b], dt, (src) => src.div(b), () => binaryInto('div', this, b));
  }
  /** In place power. */
  pow_(this: Tensor, exponent: TensorLike): Tensor {
    checkOperand('pow_', 'exponent', 1, exponent);
    if (!(exponent instanceof Tensor)) { const r = scalarInplace(this, 'pow', exponent, 'arith'); if (r !== null) return r; }
    const { b, dt } = prepBinary(this, exponent, 'arith', true);
    return inplace(this, [b], dt, (src) => src.pow(b), () => binaryInto('pow', this, b));
  }
  /** In place `this += value * t1 * t2`. */
  addcmul_(this: Tensor, t1: Tensor, t2: Tensor, value: number | { value?: number } = 1): Tensor {
    checkTensor('addcmul_', 'tensor1', 1, t1); checkTensor('addcmul_', 'tensor2', 2, t2);
    const v = valueArg('addcmul_', value);
    if (needsGrad(this, t1, t2)) return this.add_(t1.mul(t2), v);
    const tmp = noGrad(() => t1.mul(t2));
    this.add_(tmp, v);
    release(tmp);
    return this;
  }
  /** In place `this += value * t1 / t2`. */
  addcdiv_(this: Tensor, t1: Tensor, t2: Tensor, value: number | { value?: number } = 1): Tensor {
    checkTensor('addcdiv_', 'tensor1', 1, t1); checkTensor('addcdiv_', 'tensor2', 2, t2);
    const v = valueArg('addcdiv_', value);
    if (needsGrad(this, t1, t2)) return this.add_(t1.div(t2), v);
    const tmp = noGrad(() => t1.div(t2));
    this.add_(tmp, v);
    release(tmp);
    return this;
  }
  /** In place linear interpolation `this += weight * (end - this)`. */
  lerp_(this: Tensor, end: Tensor, weight: number): Tensor {
    checkTensor('lerp_', 'end', 1, end); checkNumber('lerp_', 'weight', 2, weight);
    return this.add_(noGradIf(this, () => end.sub(this)), weight);
  }
  /** In place clamp. */
  clamp_(this: Tensor, min?: number | Tensor | null | { min?: number | Tensor | null; max?: number | Tensor | null }, max?: number | Tensor | null): Tensor {
    let lo: number | Tensor | null = null, hi: number | Tensor | null = null;
    if (isPlainObject(min)) { checkOptions('clamp_', min, ['min', 'max']); const o = min as { min?: number | Tensor | null; max?: number | Tensor | null }; lo = o.min ?? null; hi = o.max ?? null; } else { lo = min ?? null; hi = max ?? null; }
    if (lo !== null) checkOperand('clamp_', 'min', 1, lo);
    if (hi !== null) checkOperand('clamp_', 'max', 2, hi);
    let dt = this.dtype;
    for (const v of [lo, hi]) if (v !== null) dt = v instanceof Tensor ? resultType(this, v) : resultTypeScalar(this, v);
    const ts = [lo, hi].filter((v): v is Tensor => v instanceof Tensor);
    return inplace(this, ts, dt, (src) => src.clamp(min, max), () => {
      const r = this.clamp(min, max);
      this._backend.copy(r._s, r.layout, this._s, this.layout);
      release(r);
    });
  }
  /** In place ReLU. */
  relu_(this: Tensor): Tensor {
    return inplace(this, [], this.dtype, (src) => src.relu(), () => { this._backend.unary('relu', this._s, this.layout, this.dtype, undefined, this._s, this.layout); });
  }
  /** In place negation. */
  neg_(this: Tensor): Tensor { return this.mul_(-1); }
  /** In place square root. */
  sqrt_(this: Tensor): Tensor {
    return inplace(this, [], this.dtype, (src) => src.sqrt(), () => { this._backend.unary('sqrt', this._s, this.layout, this.dtype, undefined, this._s, this.layout); });
  }
  /** Fills with zeros in place. @example w.grad!.zero_() */
  zero_(this: Tensor): Tensor { return this.fill_(0); }
  /** Fills with `value` in place. */
  fill_(this: Tensor, value: number | boolean | Tensor): Tensor {
    checkOperand('fill_', 'value', 1, value);
    if (!(value instanceof Tensor) && !isMeta(this)) checkFits(this.dtype, Number(value));
    if (value instanceof Tensor) {
      if (value.dim() !== 0) throw new RangeError(`fill_ only supports 0-dimension value tensor but got tensor with ${value.dim()} dimensions.`);
      if (value._backend === this._backend) {
        // copied on the device (a broadcast read of the one element): no host read of the value
        const vb = value.detach();
        return inplace(this, [], this.dtype,
          (src) => record('zeroGrad', vb.to(src.dtype).expand(src._shape).clone(), [src]),
          () => this._backend.copy(vb._s, bLayout(vb, this._shape), this._s, this.layout));
      }
    }
    const v = value instanceof Tensor ? (isMeta(value) || isMeta(this) ? 0 : value.item()) : Number(value);
    return inplace(this, [], this.dtype, (src) => record('zeroGrad', fullLike(src, v), [src]) /* NaN-safe; history kept with a zero gradient, as FillBackward */, () => this._backend.fill(this._s, this.layout, v));
  }
  /**
   * Copies `src` (broadcast to this shape, converted to this dtype, any device) into this tensor in place.
   * @example torch.zeros([2, 2]).copy_(torch.tensor([1, 2]))
   */
  copy_(this: Tensor, src: Tensor): Tensor {
    checkTensor('copy_', 'src', 1, src);
    const shape = broadcastShapes(this._shape, src._shape);
    if (shape.length !== this.dim() || shape.some((s, i) => s !== this._shape[i])) {
      throw new RangeError(`The size of tensor a (${this._shape[this.dim() - 1] ?? 1}) must match the size of tensor b (${src._shape[src.dim() - 1] ?? 1}) at non-singleton dimension ${Math.max(0, this.dim() - 1)}`);
    }
    checkWritable(this);
    // Across devices the source is first moved here (a device→host read and an upload, or the source backend's
    // `transfer` hook); the move is recorded, so a gradient reaches `src` on its own device.
    if (!src.device.equals(this.device)) src = src.to(this.device);
    if (needsGrad(this, src)) {
      writeWithHistory(this, src.to(this.dtype).expand(this._shape).clone());
      return this;
    }
    this._backend.copy(src._s, bLayout(src, this._shape), this._s, this.layout);
    bumpVersion(this);
    return this;
  }
  /** In-place `maskedFill`. */
  maskedFill_(this: Tensor, mask: Tensor, value: number): Tensor {
    checkTensor('masked_fill_', 'mask', 1, mask);
    checkOperand('masked_fill_', 'value', 2, value);
    const bs = broadcastShapes(this._shape, mask._shape);
    if (bs.length !== this.dim() || bs.some((s, i) => s !== this._shape[i])) {
      throw new RangeError(`The expanded size of the tensor (${this._shape[this.dim() - 1] ?? 1}) must match the existing size (${mask._shape[mask.dim() - 1] ?? 1}) at non-singleton dimension ${Math.max(0, this.dim() - 1)}.  Target sizes: [${this._shape.join(', ')}].  Tensor sizes: [${mask._shape.join(', ')}]`);
    }
    const r = this.maskedFill(mask, value);
    return inplace(this, [], this.dtype, () => r, () => this._backend.copy(r._s, r.layout, this._s, this.layout));
  }
}
installTensorMethods(InplaceOps);
