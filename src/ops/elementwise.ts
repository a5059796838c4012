/**
 * Elementwise operations: the unary and binary primitives (`unaryRaw`/`binaryRaw` without recording, `unary`/
 * `binary` with it), the scalar-operand path (`Backend.binaryScalar`: no storage for the scalar), `where`, and the
 * arithmetic, comparison, logical and unary math methods built on them.
 */
import type { BinaryOp, UnaryOp } from '../backend/types.js';
import type { DType } from '../dtype.js';
import { getDefaultDtype, isFloating, isIntegral } from '../dtype.js';
import { noGrad } from '../autograd/grad_mode.js';
import { Tensor } from '../tensor.js';
import { broadcastShapes } from '../shape.js';
import { installTensorMethods } from './registry.js';
import {
  TensorLike, isPlainObject, release, scalarDType, scalarAs, wrapScalar, asTensor, newTensor, resultType, resultTypeScalar,
  resultTypeOf, bLayout, torchTypeName,
} from './common.js';
import { sameDeviceError, commonDevice, onDevice } from './device.js';
import { record, needsGrad } from './autograd.js';
import type { CtxArg, RecordArgs } from './autograd.js';
import type { NoRule, RuleContexts, RuleName } from '../autograd/rules.js';
import { checkOperand, checkTensor, checkNumber, checkFits, typeName } from './args.js';
import { checkOptions } from '../_options.js';

/** PyTorch's name of an op (`floorDivide` → `floor_divide`) for messages. */
export function pyName(op: string): string { return op.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`); }

/**
 * PyTorch refuses subtraction with any bool operand (tensor or Python bool), with one message for two bools and
 * another for one (found by the property suite: `bool - float` used to compute).
 */
export function checkBoolSub(a: Tensor, other: unknown): void {
  const ab = a.dtype === 'bool', bb = other instanceof Tensor ? other.dtype === 'bool' : typeof other === 'boolean';
  if (ab && bb) throw new TypeError('Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.');
  if (ab || bb) throw new TypeError('Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.');
}

/** `alpha` as a number or `{ alpha }` (add/sub). */
export function alphaArg(fn: string, alpha: unknown): number {
  if (isPlainObject(alpha)) { checkOptions(fn, alpha, ['alpha']); alpha = (alpha as { alpha?: number }).alpha ?? 1; }
  return Number(checkNumber(fn, 'alpha', 2, alpha));
}

export const FLOAT_UNARY = new Set<UnaryOp>(['exp', 'log', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'reciprocal', 'sin', 'cos', 'tan',
  'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh', 'sigmoid', 'gelu', 'geluTanh', 'erf',
  'softplus', 'silu', 'reluMask', 'sigmoidGrad', 'geluGrad', 'geluTanhGrad', 'erfGrad', 'siluGrad']);

/** Applies a unary kernel without recording (rules use it for derivatives). */
export function unaryRaw(op: UnaryOp, x: Tensor, param?: number, outDtype?: DType): Tensor {
  let dt = outDtype ?? x.dtype;
  if (outDtype === undefined && FLOAT_UNARY.has(op) && !isFloating(x.dtype)) dt = getDefaultDtype();
  return newTensor(x._backend.unary(op, x._s, x.layout, dt, param), x._shape, x);
}

/**
 * A unary primitive with its autograd node: the rule named like the op (with its context, where it has one), or
 * the rule named by `rule` (e.g. `zeroGrad` for rounding).
 */
export function unary<K extends UnaryOp & RuleName>(op: K, x: Tensor, save: 'x' | 'out' | 'none', param?: number, ...ctx: CtxArg<K>): Tensor;
export function unary<K extends RuleName>(op: UnaryOp, x: Tensor, save: 'x' | 'out' | 'none', param: number | undefined, ctx: RuleContexts[K], rule: K): Tensor;
export function unary(op: UnaryOp, x: Tensor, save: 'x' | 'out' | 'none', param?: number, ctx: unknown = null, rule: string = op): Tensor {
  if (x.dtype === 'bool' && (op === 'neg')) {
    throw new TypeError('Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.');
  }
  const out = unaryRaw(op, x, param);
  if (!needsGrad(x)) return out;
  // the overloads checked the rule name and its context
  return record(rule as RuleName, out, [x], save === 'x' ? [x] : save === 'out' ? [out] : [], ...([ctx] as RecordArgs<RuleName>));
}

/** Applies a binary kernel with broadcasting, without recording. */
export function binaryRaw(op: BinaryOp, a: Tensor, b: Tensor, outDtype?: DType): Tensor {
  const shape = broadcastShapes(a._shape, b._shape);
  const dt = outDtype ?? resultType(a, b);
  return newTensor(a._backend.binary(op, a._s, bLayout(a, shape), b._s, bLayout(b, shape), dt), shape, a);
}

export type BinKind = 'arith' | 'div' | 'cmp' | 'logical';

export function prepBinary(aIn: Tensor, bIn: TensorLike, kind: BinKind, inPlace = false, fn = 'add'): { a: Tensor; b: Tensor; dt: DType; common: DType } {
  checkOperand(fn, 'other', 1, bIn);
  let a = aIn, b: Tensor;
  if (bIn instanceof Tensor) {
    b = bIn;
    if (!a.device.equals(b.device)) {
      const dev = commonDevice([a, b]);
      if (inPlace && !a.device.equals(dev)) throw sameDeviceError(dev, a.device); // self is the output: it cannot move
      a = onDevice(a, dev); b = onDevice(b, dev);
    }
  } else b = wrapScalar(bIn, a);
  let common = resultType(a, b);
  // true division computes in the default float dtype (PyTorch promotes integer inputs to float first), so a JS
  // scalar is converted to that, not wrapped into the integer type (`uint8.div(-3)` divides by -3, not 253)
  if (kind === 'div' && !isFloating(common)) common = getDefaultDtype();
  if (!(bIn instanceof Tensor)) checkScalarLong(bIn, common);
  if (!(bIn instanceof Tensor) && b.dtype !== common) b = wrapScalar(bIn, a, common); // scalar in the op's dtype
  let dt = common;
  if (kind === 'cmp' || kind === 'logical') dt = 'bool';
  return { a, b, dt, common };
}

/** What each binary rule needs saved, given which inputs need a gradient (so in-place updates of an input that no gradient needs stay legal). */
export function savedFor(op: BinaryOp, a: Tensor, b: Tensor, out: Tensor, save: 'ab' | 'none' | 'abo'): (Tensor | null)[] {
  if (save === 'none') return [];
  const ga = a._requiresGrad, gb = b._requiresGrad;
  if (op === 'mul') return [gb ? a : null, ga ? b : null];
  if (op === 'div') return [gb ? a : null, b];
  return save === 'abo' ? [a, b, out] : [a, b];
}

/**
 * A JS integer of magnitude ≥ 2^63 converted to an integer dtype: PyTorch's "Overflow when unpacking long" (a Python
 * int that does not fit a C long) instead of INT64_MIN or a wrapped value. With a float result the number is taken as
 * a float (JS cannot tell `2**63` from `2.0**63`), as `float32.add(1e20)` must work.
 */
export function checkScalarLong(v: number | boolean, dt: DType): void {
  if (typeof v === 'number' && isIntegral(dt) && Number.isInteger(v) && (v >= 2 ** 63 || v < -(2 ** 63))) throw new RangeError('Overflow when unpacking long');
}

/** The dtypes of op(a, scalar): `common` (the scalar is converted to it) and the output's. */
export function scalarTypes(a: Tensor, v: number | boolean, kind: BinKind): { dt: DType; common: DType } {
  let common = resultTypeScalar(a, v);
  if (kind === 'div' && !isFloating(common)) common = getDefaultDtype(); // as prepBinary: true division is in float
  let dt = common;
  if (kind === 'cmp' || kind === 'logical') dt = 'bool';
  return { dt, common };
}

/**
 * The checks PyTorch makes on integer operands, done in the kernel's place: with a scalar operand the frontend
 * knows the value; with a tensor operand the backend's kernel throws (no host read of device values here).
 */
export function checkIntegerScalar(op: BinaryOp, dt: DType, value: number): void {
  if (!isIntegral(dt)) return;
  if (op === 'pow' && value < 0) throw new RangeError('Integers to negative integer powers are not allowed.');
  if ((op === 'floorDivide' || op === 'remainder' || op === 'fmod') && value === 0) throw new RangeError('ZeroDivisionError');
}

/**
 * op(a, scalar) with the scalar passed to the kernel as a parameter (`Backend.binaryScalar`): no storage is
 * allocated or uploaded for it. Returns null when the backend has no such kernel (callers then wrap the scalar).
 * Under autograd the rules that need the scalar as a tensor get a wrapped one, made only then.
 */
export function binaryWithScalar<K extends BinaryRecorded | BinaryUnrecorded>(op: K, a: Tensor, v: number | boolean, kind: BinKind, save: 'ab' | 'none' | 'abo', ctx: BinaryCtx<K> | null): Tensor | null {
  const k = a._backend.binaryScalar;
  if (k === undefined || (op as BinaryOp) === 'addScaled') return null;
  const { dt, common } = scalarTypes(a, v, kind);
  if (op === 'sub') checkBoolSub(a, v);
  checkScalarLong(v, common);
  const value = scalarAs(v, common);
  // a negative exponent is refused before the conversion (`uint8.pow(-1)`: -1 would become 255); division by a
  // scalar that converts to 0 (`uint8 // 256`) raises, as PyTorch converts first there
  checkIntegerScalar(op, dt, op === 'pow' ? Number(v) : value);
  const out = newTensor(k.call(a._backend, op, a._s, a.layout, value, dt), a._shape, a);
  if (kind === 'cmp' || kind === 'logical' || !needsGrad(a)) return out;
  const rule = op as BinaryRecorded, rest = [ctx] as RecordArgs<BinaryRecorded>; // cmp/logical returned above
  if (save === 'none') return record(rule, out, [a, null], [], ...rest);
  if (op === 'mul' || op === 'div' || op === 'pow') {
    // the rule gets the scalar as a number: no tensor is made (or uploaded) for it, for autograd either
    return record(op, out, [a, null], op === 'pow' ? [a] : [], { scalar: value });
  }
  const b = wrapScalar(v, a, common);
  return record(rule, out, [a, b], savedFor(op, a, b, out, save), ...rest);
}

/** Binary ops recorded under the rule of their own name (NoRule ones fail at backward, as before). */
export type BinaryRecorded = Extract<BinaryOp, RuleName | NoRule>;
/** Binary ops with bool results, never recorded (kind 'cmp' or 'logical'). */
export type BinaryUnrecorded = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'logicalAnd' | 'logicalOr' | 'logicalXor';
/** The context of a binary op's rule (null where it has none or records nothing). */
export type BinaryCtx<K extends BinaryRecorded | BinaryUnrecorded> = K extends 'mul' | 'div' | 'pow' ? null : K extends RuleName ? RuleContexts[K] : null;

/** A binary primitive (tensor or scalar `bIn`) with its autograd node, recorded under the rule named like `op`. */
export function binary<K extends BinaryRecorded | BinaryUnrecorded>(op: K, aIn: Tensor, bIn: TensorLike, kind: BinKind, save: 'ab' | 'none' | 'abo' = 'ab',
  ...[ctx = null as BinaryCtx<K>]: BinaryCtx<K> extends null ? [ctx?: null] : [ctx: BinaryCtx<K>]): Tensor {
  checkOperand(pyName(op), op === 'pow' ? 'exponent' : 'other', 1, bIn);
  if (!(bIn instanceof Tensor)) {
    const r = binaryWithScalar(op, aIn, bIn, kind, save, ctx);
    if (r !== null) return r;
  }
  const { a, b, dt } = prepBinary(aIn, bIn, kind);
  if (op === 'sub') checkBoolSub(a, b);
  // Integer pow with a negative exponent and integer division by zero are checked by the backend's kernel
  // (`Backend.binary`), which throws PyTorch's errors: no host read of b's values here.
  const out = binaryRaw(op, a, b, dt);
  if (kind === 'cmp' || kind === 'logical' || !needsGrad(a, b)) return out;
  return record(op as BinaryRecorded, out, [a, b], savedFor(op, a, b, out, save), ...([ctx] as RecordArgs<BinaryRecorded>));
}

/**
 * `condition ? input : other`, broadcasting all three; scalars allowed for input/other.
 * @example torch.where(torch.tensor([true, false]), 1, 0) // tensor([1, 0]) (int64)
 */
export function where(condition: Tensor, input: TensorLike, other: TensorLike): Tensor {
  checkTensor('where', 'condition', 1, condition);
  checkOperand('where', 'input', 2, input);
  checkOperand('where', 'other', 3, other);
  if (condition.dtype !== 'bool') throw new TypeError(`where expected condition to be a boolean tensor, but got a tensor with dtype ${torchTypeName(condition.dtype)}`);
  const dev = commonDevice([condition, input, other].filter((x): x is Tensor => x instanceof Tensor));
  condition = onDevice(condition, dev);
  if (input instanceof Tensor) input = onDevice(input, dev);
  if (other instanceof Tensor) other = onDevice(other, dev);
  const dt = resultTypeOf([input, other].filter((x): x is Tensor => x instanceof Tensor),
    [input, other].filter((x): x is number | boolean => !(x instanceof Tensor)).map(scalarDType));
  // a scalar converted to an integer result dtype must fit (`where(c, uint8, 300)`), as PyTorch's checked conversion
  for (const x of [input, other]) if (typeof x === 'number') checkFits(dt, x);
  const k = condition._backend.whereScalar;
  if (k !== undefined && (!(input instanceof Tensor) || !(other instanceof Tensor))) {
    // scalar operands go to the kernel as parameters (no storage, no upload), converted to the result dtype
    const ta = input instanceof Tensor ? input : null, tb = other instanceof Tensor ? other : null;
    const shape = broadcastShapes(condition._shape, ta?._shape ?? [], tb?._shape ?? []);
    const s = k.call(condition._backend, condition._s, bLayout(condition, shape),
      ta ? ta._s : scalarAs(input as number | boolean, dt), ta ? bLayout(ta, shape) : null,
      tb ? tb._s : scalarAs(other as number | boolean, dt), tb ? bLayout(tb, shape) : null, dt);
    const out = newTensor(s, shape, condition);
    if (!needsGrad(ta, tb)) return out;
    return record('where', out, [null, ta, tb], [condition]);
  }
  let a = asTensor(input, condition), b = asTensor(other, condition);
  if (!(input instanceof Tensor)) a = wrapScalar(input, condition, dt);
  if (!(other instanceof Tensor)) b = wrapScalar(other, condition, dt);
  const shape = broadcastShapes(condition._shape, a._shape, b._shape);
  const s = condition._backend.where(condition._s, bLayout(condition, shape), a._s, bLayout(a, shape), b._s, bLayout(b, shape), dt);
  const out = newTensor(s, shape, condition);
  if (!needsGrad(a, b)) return out;
  return record('where', out, [null, a, b], [condition]);
}

/** The elementwise methods of `Tensor` (installed on `Tensor.prototype`; typed through `interface Tensor`). */
export class ElementwiseOps {
  /**
   * Elementwise `this + alpha * other` with broadcasting and type promotion.
   * @example torch.tensor([1, 2]).add(torch.tensor([10, 20])) // tensor([11., 22.])
   */
  add(this: Tensor, other: TensorLike, alpha: number | { alpha?: number } = 1): Tensor {
    const al = alphaArg('add', alpha);
    if (al === 1) return binary('add', this, other, 'arith', 'none', { alpha: 1 });
    const { b } = prepBinary(this, other, 'arith', false, 'add');
    return binary('add', this, b.mul(al), 'arith', 'none', { alpha: 1 });
  }
  /** Elementwise `this - alpha * other`. @example torch.tensor([3]).sub(1) // tensor([2.]) */
  sub(this: Tensor, other: TensorLike, alpha: number | { alpha?: number } = 1): Tensor {
    const al = alphaArg('sub', alpha);
    checkOperand('sub', 'other', 1, other);
    checkBoolSub(this, other);
    if (al === 1) return binary('sub', this, other, 'arith', 'none', { alpha: 1 });
    const { b } = prepBinary(this, other, 'arith', false, 'sub');
    return binary('sub', this, b.mul(al), 'arith', 'none', { alpha: 1 });
  }
  /** Elementwise product. @example torch.tensor([2, 3]).mul(2) // tensor([4., 6.]) */
  mul(this: Tensor, other: TensorLike): Tensor { return binary('mul', this, other, 'arith'); }
  /**
   * Elementwise true division (integers give the default float dtype); `roundingMode` 'trunc' or 'floor'.
   * @example torch.tensor([1, 2], { dtype: 'int64' }).div(2) // tensor([0.5000, 1.0000])
   */
  div(this: Tensor, other: TensorLike, roundingMode?: 'trunc' | 'floor' | null | { roundingMode?: 'trunc' | 'floor' | null }): Tensor {
    if (isPlainObject(roundingMode)) checkOptions('div', roundingMode, ['roundingMode']);
    const rm = isPlainObject(roundingMode) ? roundingMode.roundingMode : roundingMode;
    if (rm !== undefined && rm !== null && rm !== 'trunc' && rm !== 'floor') {
      throw new RangeError(`div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '${String(rm)}'`);
    }
    if (rm === 'floor') return this.floorDivide(other);
    if (rm === 'trunc') {
      const { a, b, common } = prepBinary(this, other, 'arith', false, 'div');
      // integer division by zero raises (ZeroDivisionError) as in PyTorch: fmod's kernel makes that check for
      // tensor divisors on the device (no host read of b); a scalar divisor is checked here
      if (!isFloating(common)) {
        if (!(other instanceof Tensor)) checkIntegerScalar('fmod', common, Number(other));
        else { const chk = binaryRaw('fmod', a, b, common); release(chk); }
      }
      return binaryRaw('div', a, b, isFloating(common) ? common : 'float64').trunc().to(common);
    }
    return binary('div', this, other, 'div');
  }
  /** Alias of `div`. */
  trueDivide(this: Tensor, other: TensorLike): Tensor { return this.div(other); }
  /** Floor of the quotient (`//`). @example torch.tensor([-7]).floorDivide(2) // tensor([-4.]) */
  floorDivide(this: Tensor, other: TensorLike): Tensor { return binary('floorDivide', this, other, 'arith', 'none'); }
  /** Python's modulo (sign of the divisor). */
  remainder(this: Tensor, other: TensorLike): Tensor { return binary('remainder', this, other, 'arith', 'none'); }
  /** C's fmod (sign of the dividend). */
  fmod(this: Tensor, other: TensorLike): Tensor { return binary('fmod', this, other, 'arith', 'none'); }
  /** Elementwise power. @example torch.tensor([2, 3]).pow(2) // tensor([4., 9.]) */
  pow(this: Tensor, exponent: TensorLike): Tensor { return binary('pow', this, exponent, 'arith', 'abo'); }
  /** `other - this`, i.e. PyTorch's `rsub`. */
  rsub(this: Tensor, other: TensorLike): Tensor { return asTensor(checkOperand('rsub', 'other', 1, other), this).sub(this); }
  /** Elementwise maximum (NaN propagates). @example torch.tensor([1, 5]).maximum(torch.tensor([3, 2])) // tensor([3., 5.]) */
  maximum(this: Tensor, other: Tensor): Tensor { return binary('maximum', this, checkTensor('maximum', 'other', 1, other), 'arith'); }
  /** Elementwise minimum (NaN propagates). */
  minimum(this: Tensor, other: Tensor): Tensor { return binary('minimum', this, checkTensor('minimum', 'other', 1, other), 'arith'); }
  /** Elementwise atan2(this, other). */
  atan2(this: Tensor, other: Tensor): Tensor { return binary('atan2', this, checkTensor('atan2', 'other', 1, other), 'div'); }
  /** Elementwise `==` (bool). @example torch.tensor([1, 2]).eq(2) // tensor([false, true]) */
  eq(this: Tensor, other: TensorLike): Tensor { return binary('eq', this, other, 'cmp'); }
  /** Elementwise `!=`. */
  ne(this: Tensor, other: TensorLike): Tensor { return binary('ne', this, other, 'cmp'); }
  /** Elementwise `<`. */
  lt(this: Tensor, other: TensorLike): Tensor { return binary('lt', this, other, 'cmp'); }
  /** Elementwise `<=`. */
  le(this: Tensor, other: TensorLike): Tensor { return binary('le', this, other, 'cmp'); }
  /** Elementwise `>`. */
  gt(this: Tensor, other: TensorLike): Tensor { return binary('gt', this, other, 'cmp'); }
  /** Elementwise `>=`. */
  ge(this: Tensor, other: TensorLike): Tensor { return binary('ge', this, other, 'cmp'); }
  /** Elementwise logical and. */
  logicalAnd(this: Tensor, other: TensorLike): Tensor { return binary('logicalAnd', this, other, 'logical'); }
  /** Elementwise logical or. */
  logicalOr(this: Tensor, other: TensorLike): Tensor { return binary('logicalOr', this, other, 'logical'); }
  /** Elementwise logical xor. */
  logicalXor(this: Tensor, other: TensorLike): Tensor { return binary('logicalXor', this, other, 'logical'); }
  /** Elementwise logical not. */
  logicalNot(this: Tensor): Tensor { return unaryRaw('logicalNot', this, undefined, 'bool'); }
  /** True where NaN. */
  isnan(this: Tensor): Tensor { return unaryRaw('isnan', this, undefined, 'bool'); }
  /** True where ±inf. */
  isinf(this: Tensor): Tensor { return unaryRaw('isinf', this, undefined, 'bool'); }
  /** True where finite. */
  isfinite(this: Tensor): Tensor { return this.isnan().logicalOr(this.isinf()).logicalNot(); }
  /**
   * True when both have the same shape and values (`torch.equal`).
   * @example torch.ones([2]).equal(torch.ones([2])) // true
   */
  equal(this: Tensor, other: Tensor): boolean {
    checkTensor('equal', 'other', 1, other);
    if (this._shape.length !== other._shape.length || this._shape.some((s, i) => s !== other._shape[i])) return false;
    return this.eq(other).all().item() === 1;
  }
  /**
   * `|this - other| <= atol + rtol * |other|` everywhere (`torch.allclose`).
   * @example torch.tensor([1]).allclose(torch.tensor([1.000001])) // true
   */
  allclose(this: Tensor, other: Tensor, rtol: number | { rtol?: number; atol?: number; equalNan?: boolean } = 1e-5, atol = 1e-8, equalNan = false): boolean {
    return this.isclose(other, rtol, atol, equalNan).all().item() === 1;
  }
  /** Elementwise closeness (`torch.isclose`). */
  isclose(this: Tensor, other: Tensor, rtol: number | { rtol?: number; atol?: number; equalNan?: boolean } = 1e-5, atol = 1e-8, equalNan = false): Tensor {
    checkTensor('isclose', 'other', 1, other);
    if (isPlainObject(rtol)) checkOptions('isclose', rtol, ['rtol', 'atol', 'equalNan']);
    if (isPlainObject(rtol)) { atol = rtol.atol ?? 1e-8; equalNan = rtol.equalNan ?? false; rtol = rtol.rtol ?? 1e-5; }
    return noGrad(() => {
      const a = this.double(), b = other.double();
      let close = a.sub(b).abs().le(b.abs().mul(rtol as number).add(atol)).logicalOr(a.eq(b));
      if (equalNan) close = close.logicalOr(a.isnan().logicalAnd(b.isnan()));
      return close;
    });
  }
  /** Elementwise negation. @example torch.tensor([1, -2]).neg() // tensor([-1., 2.]) */
  neg(this: Tensor): Tensor { return unary('neg', this, 'none'); }
  /** Elementwise absolute value. */
  abs(this: Tensor): Tensor { return unary('abs', this, 'x'); }
  /** Sign (-1, 0, 1; NaN stays NaN); zero gradient. */
  sign(this: Tensor): Tensor { return unary('sign', this, 'none', undefined, null, 'zeroGrad'); }
  /** e^x. @example torch.tensor([0]).exp() // tensor([1.]) */
  exp(this: Tensor): Tensor { return unary('exp', this, 'out'); }
  /** e^x - 1, accurate near 0. */
  expm1(this: Tensor): Tensor { return unary('expm1', this, 'out'); }
  /** Natural logarithm. */
  log(this: Tensor): Tensor { return unary('log', this, 'x'); }
  /** log(1 + x), accurate near 0. */
  log1p(this: Tensor): Tensor { return unary('log1p', this, 'x'); }
  /** Base-2 logarithm. */
  log2(this: Tensor): Tensor { return this.log().div(Math.LN2); }
  /** Base-10 logarithm. */
  log10(this: Tensor): Tensor { return this.log().div(Math.LN10); }
  /** Square root. */
  sqrt(this: Tensor): Tensor { return unary('sqrt', this, 'out'); }
  /** 1 / sqrt(x). */
  rsqrt(this: Tensor): Tensor { return unary('rsqrt', this, 'out'); }
  /** x * x. */
  square(this: Tensor): Tensor { return unary('square', this, 'x'); }
  /** 1 / x. */
  reciprocal(this: Tensor): Tensor { return unary('reciprocal', this, 'out'); }
  sin(this: Tensor): Tensor { return unary('sin', this, 'x'); }
  cos(this: Tensor): Tensor { return unary('cos', this, 'x'); }
  tan(this: Tensor): Tensor { return unary('tan', this, 'out'); }
  asin(this: Tensor): Tensor { return unary('asin', this, 'x'); }
  acos(this: Tensor): Tensor { return unary('acos', this, 'x'); }
  atan(this: Tensor): Tensor { return unary('atan', this, 'x'); }
  sinh(this: Tensor): Tensor { return unary('sinh', this, 'x'); }
  cosh(this: Tensor): Tensor { return unary('cosh', this, 'x'); }
  /** Hyperbolic tangent. */
  tanh(this: Tensor): Tensor { return unary('tanh', this, 'out'); }
  asinh(this: Tensor): Tensor { return unary('asinh', this, 'x'); }
  acosh(this: Tensor): Tensor { return unary('acosh', this, 'x'); }
  atanh(this: Tensor): Tensor { return unary('atanh', this, 'x'); }
  /** Gauss error function. */
  erf(this: Tensor): Tensor { return unary('erf', this, 'x'); }
  /** max(x, 0) (NaN stays NaN). @example torch.tensor([-1, 2]).relu() // tensor([0., 2.]) */
  relu(this: Tensor): Tensor { return unary('relu', this, 'out'); }
  /** 1 / (1 + e^-x), computed stably. */
  sigmoid(this: Tensor): Tensor { return unary('sigmoid', this, 'out'); }
  /**
   * GELU: x·Φ(x) (`approximate: 'none'`), or the tanh approximation (`'tanh'`).
   * @example torch.tensor([1]).gelu() // tensor([0.8413])
   */
  gelu(this: Tensor, approximate: 'none' | 'tanh' | { approximate?: 'none' | 'tanh' } = 'none'): Tensor {
    if (isPlainObject(approximate)) checkOptions('gelu', approximate, ['approximate']);
    const a = isPlainObject(approximate) ? approximate.approximate ?? 'none' : approximate;
    if (a !== 'none' && a !== 'tanh') throw new RangeError(`approximate argument must be either none or tanh, got ${String(a)}`);
    return a === 'tanh' ? unary('geluTanh', this, 'x') : unary('gelu', this, 'x');
  }
  /** x·sigmoid(x). */
  silu(this: Tensor): Tensor { return unary('silu', this, 'x'); }
  /** log(1 + e^(βx))/β, linear past `threshold`. */
  softplus(this: Tensor, beta: number | { beta?: number; threshold?: number } = 1, threshold = 20): Tensor {
    if (isPlainObject(beta)) checkOptions('softplus', beta, ['beta', 'threshold']);
    if (isPlainObject(beta)) { threshold = beta.threshold ?? 20; beta = beta.beta ?? 1; }
    if (threshold !== 20) {
      const b = beta as number;
      const z = this.mul(b);
      return where(z.gt(threshold), this, z.exp().log1p().div(b));
    }
    return unary('softplus', this, 'x', beta as number, { beta: beta as number, threshold });
  }
  /** x for x > 0, else negativeSlope·x. */
  leakyRelu(this: Tensor, negativeSlope: number | { negativeSlope?: number } = 0.01): Tensor {
    if (isPlainObject(negativeSlope)) checkOptions('leaky_relu', negativeSlope, ['negativeSlope']);
    const s = Number(checkNumber('leaky_relu', 'negative_slope', 1, isPlainObject(negativeSlope) ? negativeSlope.negativeSlope ?? 0.01 : negativeSlope));
    const out = noGrad(() => where(this.gt(0), this, this.mul(s)));
    return needsGrad(this) ? record('leakyRelu', out, [this], [this], { slope: s }) : out;
  }
  /** x for x > 0, else α(e^x − 1). */
  elu(this: Tensor, alpha: number | { alpha?: number } = 1): Tensor {
    if (isPlainObject(alpha)) checkOptions('elu', alpha, ['alpha']);
    const a = Number(checkNumber('elu', 'alpha', 1, isPlainObject(alpha) ? alpha.alpha ?? 1 : alpha));
    const out = noGrad(() => where(this.gt(0), this, this.expm1().mul(a)));
    return needsGrad(this) ? record('elu', out, [this], [this, out], { alpha: a }) : out;
  }
  /** Rounds down. */
  floor(this: Tensor): Tensor { return isIntegral(this.dtype, true) ? this.clone() : unary('floor', this, 'none', undefined, null, 'zeroGrad'); }
  /** Rounds up. */
  ceil(this: Tensor): Tensor { return isIntegral(this.dtype, true) ? this.clone() : unary('ceil', this, 'none', undefined, null, 'zeroGrad'); }
  /** Rounds half to even, as PyTorch. */
  round(this: Tensor): Tensor { return isIntegral(this.dtype, true) ? this.clone() : unary('round', this, 'none', undefined, null, 'zeroGrad'); }
  /** Rounds toward zero. */
  trunc(this: Tensor): Tensor { return isIntegral(this.dtype, true) ? this.clone() : unary('trunc', this, 'none', undefined, null, 'zeroGrad'); }
  /**
   * Limits values to [min, max] (either may be null); gradient 1 inside the range, 0 outside.
   * @example torch.tensor([-2, 0.5, 3]).clamp(0, 1) // tensor([0.0000, 0.5000, 1.0000])
   */
  clamp(this: Tensor, min?: number | Tensor | null | { min?: number | Tensor | null; max?: number | Tensor | null }, max?: number | Tensor | null): Tensor {
    let lo: number | Tensor | null = null, hi: number | Tensor | null = null;
    if (isPlainObject(min)) { checkOptions('clamp', min, ['min', 'max']); const o = min as { min?: number | Tensor | null; max?: number | Tensor | null }; lo = o.min ?? null; hi = o.max ?? null; } else { lo = min ?? null; hi = max ?? null; }
    if (lo !== null) checkOperand('clamp', 'min', 1, lo);
    if (hi !== null) checkOperand('clamp', 'max', 2, hi);
    if (lo === null && hi === null) throw new Error("torch.clamp: At least one of 'min' or 'max' must not be None");
    // an integer bound of an integer tensor is converted to its dtype with PyTorch's check (`uint8.clamp(0, 300)`)
    for (const b of [lo, hi]) if (typeof b === 'number' && Number.isInteger(b) && isIntegral(this.dtype)) checkFits(this.dtype, b);
    if (lo instanceof Tensor || hi instanceof Tensor) {
      // tensor bounds (PyTorch's clamp.Tensor overload): maximum/minimum, which broadcast, promote and differentiate
      let r: Tensor = this;
      if (lo !== null) r = r.maximum(lo instanceof Tensor ? lo : wrapScalar(lo as number, this, resultTypeScalar(this, lo as number)));
      if (hi !== null) r = r.minimum(hi instanceof Tensor ? hi : wrapScalar(hi as number, this, resultTypeScalar(this, hi as number)));
      return r;
    }
    const out = noGrad(() => {
      let r: Tensor = this;
      if (lo !== null) r = where(r.lt(lo), wrapScalar(lo, this, resultTypeScalar(this, lo)), r);
      if (hi !== null) r = where(r.gt(hi), wrapScalar(hi, this, resultTypeScalar(this, hi)), r);
      if (r === this) r = this.clone();
      return r;
    });
    return needsGrad(this) ? record('clamp', out, [this], [this], { min: lo, max: hi }) : out;
  }
  /** Alias of `clamp`. */
  clip(this: Tensor, min?: number | Tensor | null | { min?: number | Tensor | null; max?: number | Tensor | null }, max?: number | Tensor | null): Tensor { return this.clamp(min, max); }
  /**
   * Picks `this` where `condition` is true, else `other` (`Tensor.where`).
   * @example torch.tensor([1, 2]).where(torch.tensor([true, false]), 0) // tensor([1., 0.])
   */
  where(this: Tensor, condition: Tensor, other: TensorLike): Tensor { return where(condition, this, other); }
}
installTensorMethods(ElementwiseOps);
