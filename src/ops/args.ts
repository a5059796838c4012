/**
 * Argument checks of the tensor functions, in PyTorch's words: an int where PyTorch takes an int (so
 * `select(0, 1.5)` cannot address half of two rows), a Tensor where it takes a Tensor (so `x.matmul(3)` names the
 * argument instead of failing inside with "t.dim is not a function"), a Tensor or a number for operands (so `'1'`,
 * `undefined`, arrays and objects are not coerced to 1, NaN or 0), known dtypes, and allocation sizes.
 */
import type { DType } from '../dtype.js';
import { DTYPES, isDType, itemSize } from '../dtype.js';
import { Tensor } from '../tensor.js';

/** The type of a JS value in PyTorch's vocabulary where one exists (`int`, `float`, `bool`, `str`, `Tensor`). */
export function typeName(v: unknown): string {
  if (v instanceof Tensor) return 'Tensor';
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'bigint') return 'bigint';
  if (Array.isArray(v)) return 'Array';
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  if (typeof v === 'function' && Object.getPrototypeOf(v) === Function.prototype) return 'function'; // not modules (callable objects of their class)
  const c = (v as object).constructor;
  return c !== undefined && c !== Object ? c.name : 'object';
}

const posText = (pos: number | null): string => (pos === null ? '' : ` (position ${pos})`);

/** `fn(): argument 'name' (position p) must be int, not float`, unless `v` is an integer. */
export function checkInt(fn: string, name: string, pos: number | null, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new TypeError(`${fn}(): argument '${name}'${posText(pos)} must be int, not ${typeName(v)}`);
  }
  return v;
}

/** Like `checkInt`, allowing null/undefined (an optional int). */
export function checkOptInt(fn: string, name: string, pos: number | null, v: unknown): number | null {
  return v === null || v === undefined ? null : checkInt(fn, name, pos, v);
}

/** Each element an integer: `fn(): argument 'name' (position p) must be tuple of ints, not float`. */
export function checkIntList(fn: string, name: string, pos: number | null, list: readonly unknown[]): number[] {
  for (const v of list) {
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw new TypeError(`${fn}(): argument '${name}'${posText(pos)} must be tuple of ints, not ${typeName(v)}`);
    }
  }
  return list as number[];
}

/** A real number (a JS number or boolean), not a string, undefined, an array or an object. */
export function checkNumber(fn: string, name: string, pos: number | null, v: unknown): number | boolean {
  if (typeof v !== 'number' && typeof v !== 'boolean') {
    throw new TypeError(`${fn}(): argument '${name}'${posText(pos)} must be Number, not ${typeName(v)}`);
  }
  return v;
}

/** `fn(): argument 'name' (position p) must be Tensor, not int`, unless `v` is a Tensor. */
export function checkTensor(fn: string, name: string, pos: number | null, v: unknown): Tensor {
  if (!(v instanceof Tensor)) throw new TypeError(`${fn}(): argument '${name}'${posText(pos)} must be Tensor, not ${typeName(v)}`);
  return v;
}

/** A Tensor or a JS number/boolean operand (what PyTorch's `Tensor | Number` overloads accept). */
export function checkOperand(fn: string, name: string, pos: number | null, v: unknown): Tensor | number | boolean {
  if (v instanceof Tensor || typeof v === 'number' || typeof v === 'boolean') return v;
  throw new TypeError(`${fn}(): argument '${name}'${posText(pos)} must be Tensor or Number, not ${typeName(v)}`);
}

/** A list of tensors: PyTorch's "expected Tensor as element 1 in argument 0, but got int". */
export function checkTensorList(fn: string, v: unknown, argPos = 0): Tensor[] {
  if (!Array.isArray(v)) throw new TypeError(`${fn}(): argument 'tensors' (position ${argPos + 1}) must be tuple of Tensors, not ${typeName(v)}`);
  v.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`expected Tensor as element ${i} in argument ${argPos}, but got ${typeName(t)}`);
  });
  return v as Tensor[];
}

/** A known dtype; an unknown one names the valid dtypes (instead of failing inside a typed-array constructor). */
export function checkDType(fn: string, v: unknown): DType {
  if (!isDType(v)) {
    throw new TypeError(`${fn}(): argument 'dtype' must be one of ${DTYPES.map((d) => `'${d}'`).join(', ')}, not ${typeof v === 'string' ? `'${v}'` : typeName(v)}`);
  }
  return v;
}

/** An optional dtype (undefined or null pass). */
export function checkOptDType(fn: string, v: unknown): DType | undefined {
  return v === undefined || v === null ? undefined : checkDType(fn, v);
}

/**
 * V8's largest typed array (2^32 elements in Node 20): a larger request fails inside the constructor with
 * "Invalid typed array length", which names neither the size nor the bytes.
 */
export const MAX_ELEMENTS = 2 ** 32;

/** PyTorch's allocator message, with the bytes asked for. */
export function allocError(dt: DType, numel: number): Error {
  return new Error(`can't allocate memory: you tried to allocate ${numel * itemSize(dt)} bytes`);
}

/** Checks an allocation of `numel` elements of `dt` before it is made (not for the meta device, which allocates nothing). */
export function checkAlloc(dt: DType, numel: number): void {
  if (numel > MAX_ELEMENTS) throw allocError(dt, numel);
}

/**
 * The range of each integer dtype (int64 as JS numbers: exactly ±2^63 as doubles) and its two names in PyTorch's
 * messages: `torch.tensor` names the scalar type (`uint8`), the scalar paths (`full`, `fill_`, `clamp`, ...) name
 * the C type (`uint8_t`; int32 is `int`).
 */
const INT_RANGE: Partial<Record<DType, [number, number, string, string]>> = {
  int64: [-(2 ** 63), 2 ** 63, 'int64', 'int64_t'],
  int32: [-(2 ** 31), 2 ** 31 - 1, 'int32', 'int'],
  int16: [-(2 ** 15), 2 ** 15 - 1, 'int16', 'int16_t'],
  int8: [-128, 127, 'int8', 'int8_t'],
  uint8: [0, 255, 'uint8', 'uint8_t'],
};

/**
 * PyTorch's "value cannot be converted to type int32 without overflow" for a scalar stored into an integer dtype
 * (NaN, ±inf and out-of-range values; int64's upper bound 2^63 itself is out of range, as a double).
 *
 * As c10's `overflows`: an integer may be negative down to -max for uint8 (`torch.full([1], -1, dtype=uint8)` is
 * 255: two's complement wrap is allowed), a fractional value must lie in [0, 255]. An integer of magnitude ≥ 2^63
 * is a Python int that does not fit a C long: "Overflow when unpacking long", as PyTorch says before it looks at the
 * dtype (JS has no int/float distinction, so an integer-valued number is taken as a Python int here).
 * `names` picks which of PyTorch's two spellings the message uses (see `INT_RANGE`).
 */
export function checkFits(dt: DType, v: number, names: 'scalarType' | 'cType' = 'cType'): void {
  const r = INT_RANGE[dt];
  if (r === undefined) return;
  if (Number.isInteger(v) && (v >= 2 ** 63 || v < -(2 ** 63))) throw new RangeError('Overflow when unpacking long');
  const lo = dt === 'uint8' && Number.isInteger(v) ? -255 : r[0];
  if (!(v >= lo && (dt === 'int64' ? v < r[1] : v <= r[1]))) {
    throw new RangeError(`value cannot be converted to type ${names === 'cType' ? r[3] : r[2]} without overflow: ${v}`);
  }
}
