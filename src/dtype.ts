/**
 * Data types and PyTorch's type promotion.
 *
 * Storage per dtype:
 * - `float32` → `Float32Array` (the default dtype)
 * - `float64` → `Float64Array`
 * - `int64`   → `Float64Array` holding integers. Exact for |v| ≤ 2^53 (Number.MAX_SAFE_INTEGER); beyond that
 *               values round like a JavaScript number. Integer division and casts truncate toward zero as PyTorch does.
 * - `int32`   → `Int32Array` (wraps modulo 2^32 like C)
 * - `int16`   → `Int16Array`, `int8` → `Int8Array`, `uint8` → `Uint8Array` (wrap modulo 2^16 / 2^8 like C: integer
 *               results that leave the range wrap, as PyTorch's do)
 * - `bool`    → `Uint8Array` holding 0 or 1
 *
 * Float → uint8 casts truncate toward zero and wrap modulo 2^8 (NaN and ±inf give 0); float → int8/int16 truncate
 * and wrap modulo 2^8/2^16 for |x| < 2^31 and give 0 beyond (NaN, ±inf too); float → int32 gives INT32_MIN out of
 * range, float → int64 INT64_MIN. This is what PyTorch 1.13 on x86 does (C++ leaves out-of-range float → integer
 * conversion undefined; x86 converts through int64 for uint8 and through int32 for int8 and int16), checked by
 * test/fixtures/small_int.json.
 *
 * @example
 * import * as torch from 'torchlet';
 * torch.promoteTypes('int64', 'float32'); // 'float32'
 */
export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';
export type TypedArray = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array;
export type FloatArray = Float32Array | Float64Array;

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool'];

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

export function arrayCtor(dtype: DType): { new (n: number): TypedArray; new (a: ArrayLike<number>): TypedArray } {
  switch (dtype) {
    case 'float32': return Float32Array;
    case 'float64': return Float64Array;
    case 'int64': return Float64Array;
    case 'int32': return Int32Array;
    case 'int16': return Int16Array;
    case 'int8': return Int8Array;
    case 'uint8': return Uint8Array;
    case 'bool': return Uint8Array;
  }
}

export function itemSize(dtype: DType): number {
  switch (dtype) {
    case 'float32': return 4;
    case 'float64': return 8;
    case 'int64': return 8;
    case 'int32': return 4;
    case 'int16': return 2;
    case 'int8': return 1;
    case 'uint8': return 1;
    case 'bool': return 1;
  }
}

export function isFloating(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}
export function isIntegral(dtype: DType, includeBool = false): boolean {
  return dtype === 'int64' || dtype === 'int32' || dtype === 'int16' || dtype === 'int8' || dtype === 'uint8' || (includeBool && dtype === 'bool');
}

/** 0 = bool, 1 = integer, 2 = floating. */
export function category(dtype: DType): number {
  return dtype === 'bool' ? 0 : isFloating(dtype) ? 2 : 1;
}

const RANK: Record<DType, number> = { bool: 0, uint8: 1, int8: 1, int16: 2, int32: 3, int64: 4, float32: 5, float64: 6 };

/**
 * The smallest dtype both inputs convert to without losing their category (PyTorch's `torch.promote_types`).
 * The types are ordered bool < {uint8, int8} < int16 < int32 < int64 < float32 < float64; the one pair that is
 * not ordered, uint8 and int8, promotes to int16 (the smallest type holding both ranges).
 * @example
 * torch.promoteTypes('int32', 'int64'); // 'int64'
 * torch.promoteTypes('uint8', 'int8');  // 'int16'
 */
export function promoteTypes(a: DType, b: DType): DType {
  if ((a === 'uint8' && b === 'int8') || (a === 'int8' && b === 'uint8')) return 'int16';
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * A JS scalar converted to a small integer dtype as PyTorch converts a Python int (through int64: truncation, then
 * wrap modulo 2^8/2^16, as the typed array's own store does; NaN and ±inf give 0). Tensor casts from floats follow
 * x86's rules instead (see the top); scalars reaching an integer dtype are integers (floats promote the op to float).
 */
export function wrapSmallInt(v: number, dtype: 'int16' | 'int8' | 'uint8'): number {
  switch (dtype) {
    case 'uint8': return (v | 0) & 255;
    case 'int8': return ((v | 0) << 24) >> 24;
    case 'int16': return ((v | 0) << 16) >> 16;
  }
}

/** The default floating dtype (`torch.get_default_dtype()`). */
let defaultDtype: DType = 'float32';
export function getDefaultDtype(): DType { return defaultDtype; }
/**
 * Sets the default floating dtype used by factories and float scalars.
 * @example
 * torch.setDefaultDtype('float64');
 */
export function setDefaultDtype(d: DType): void {
  if (!isFloating(d)) throw new TypeError(`only floating-point types are supported as the default type, got ${d}`);
  defaultDtype = d;
}

/** Converts a JS number to what a storage of `dtype` holds (truncation for ints, 0/1 for bool). */
export function castScalar(v: number, dtype: DType): number {
  switch (dtype) {
    case 'float32': return Math.fround(v);
    case 'float64': return v;
    case 'int64': return Number.isFinite(v) ? Math.trunc(v) + 0 : v !== v ? 0 : v > 0 ? 9223372036854775807 : -9223372036854775808;
    case 'int32': return v | 0;
    case 'int16': case 'int8': case 'uint8': return wrapSmallInt(v, dtype);
    case 'bool': return v !== 0 ? 1 : 0; // NaN is truthy in PyTorch
  }
}
