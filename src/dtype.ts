/**
 * Data types and PyTorch's type promotion.
 *
 * Storage per dtype:
 * - `float32` → `Float32Array` (the default dtype)
 * - `float64` → `Float64Array`
 * - `int64`   → `Float64Array` holding integers. Exact for |v| ≤ 2^53 (Number.MAX_SAFE_INTEGER); beyond that
 *               values round like a JavaScript number. Integer division and casts truncate toward zero as PyTorch does.
 * - `int32`   → `Int32Array` (wraps modulo 2^32 like C)
 * - `bool`    → `Uint8Array` holding 0 or 1
 *
 * @example
 * import * as torch from 'torchlet';
 * torch.promoteTypes('int64', 'float32'); // 'float32'
 */
export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'bool';
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;
export type FloatArray = Float32Array | Float64Array;

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int64', 'int32', 'bool'];

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

export function arrayCtor(dtype: DType): { new (n: number): TypedArray; new (a: ArrayLike<number>): TypedArray } {
  switch (dtype) {
    case 'float32': return Float32Array;
    case 'float64': return Float64Array;
    case 'int64': return Float64Array;
    case 'int32': return Int32Array;
    case 'bool': return Uint8Array;
  }
}

export function itemSize(dtype: DType): number {
  switch (dtype) {
    case 'float32': return 4;
    case 'float64': return 8;
    case 'int64': return 8;
    case 'int32': return 4;
    case 'bool': return 1;
  }
}

export function isFloating(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}
export function isIntegral(dtype: DType, includeBool = false): boolean {
  return dtype === 'int64' || dtype === 'int32' || (includeBool && dtype === 'bool');
}

/** 0 = bool, 1 = integer, 2 = floating. */
export function category(dtype: DType): number {
  return dtype === 'bool' ? 0 : isFloating(dtype) ? 2 : 1;
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, int64: 2, float32: 3, float64: 4 };

/**
 * The smallest dtype both inputs convert to without losing their category (PyTorch's `torch.promote_types`).
 * @example
 * torch.promoteTypes('int32', 'int64'); // 'int64'
 */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
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
    case 'int64': return Number.isFinite(v) ? Math.trunc(v) : v !== v ? 0 : v > 0 ? 9223372036854775807 : -9223372036854775808;
    case 'int32': return v | 0;
    case 'bool': return v !== 0 ? 1 : 0; // NaN is truthy in PyTorch
  }
}
