/**
 * Helpers every op module shares: the options of the factories, JS scalars as operands (their dtype, their
 * value in a storage's dtype, wrapped as 0-dim tensors), PyTorch's type promotion (`resultType`), broadcast layouts,
 * PyTorch's type names in messages, and `release` for internal temporaries.
 */
import type { Layout, Storage } from '../backend/types.js';
import type { DType } from '../dtype.js';
import { getDefaultDtype, isFloating, promoteTypes, wrapSmallInt } from '../dtype.js';
import type { DeviceLike } from '../device.js';
import { Tensor, fromStorage, releaseTensor } from '../tensor.js';
import { broadcastStrides, normDim } from '../shape.js';

export const wrapDim = normDim;

export interface TensorOptions {
  dtype?: DType;
  device?: DeviceLike;
  requiresGrad?: boolean;
}

export type TensorLike = Tensor | number | boolean;

export function isPlainObject(x: unknown): x is Record<string, any> {
  return x !== null && typeof x === 'object' && !(x instanceof Tensor) && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

/** The dtype a JS scalar has when wrapped (a Python bool, int or float). */
export function scalarDType(v: number | boolean): DType {
  return typeof v === 'boolean' ? 'bool' : Number.isInteger(v) ? 'int64' : 'float64';
}

/**
 * A scalar operand converted to `dt` exactly as storing it in a storage of that dtype would (what `fromArray`
 * does): float32 rounds to nearest, int64 truncates (NaN and ±inf become INT64_MIN, as PyTorch on x86), int32
 * wraps, bool is 0/1. Kernels given the scalar as a parameter therefore compute bit for bit what they computed
 * when the scalar was a one-element storage.
 */
export function scalarAs(v: number | boolean, dt: DType): number {
  const x = typeof v === 'boolean' ? (v ? 1 : 0) : v;
  switch (dt) {
    case 'float32': return Math.fround(x);
    case 'float64': return x;
    case 'int64': return x >= -9223372036854775808 && x < 9223372036854775808 ? Math.trunc(x) + 0 : -9223372036854775808; // + 0: no -0
    case 'int32': return x | 0;
    // wraps as PyTorch converts the scalar to the dtype (`uint8_tensor.eq(256)` compares with 0)
    case 'int16': case 'int8': case 'uint8': return wrapSmallInt(x, dt);
    case 'bool': return x ? 1 : 0;
  }
}

/** Wraps a JS scalar as a 0-dim tensor that takes part in type promotion as a Python number would. */
export function wrapScalar(v: number | boolean, like: Tensor, dtype?: DType): Tensor {
  const dt: DType = dtype ?? scalarDType(v);
  const t = fromStorage(like._backend.fromArray(dt, [typeof v === 'boolean' ? (v ? 1 : 0) : v]), [], like._backend, like.device);
  t._wrapped = true;
  return t;
}

export function asTensor(x: TensorLike, like: Tensor): Tensor {
  return x instanceof Tensor ? x : wrapScalar(x, like);
}

export function newTensor(s: Storage, shape: readonly number[], like: Tensor): Tensor {
  return fromStorage(s, shape, like._backend, like.device);
}

/** PyTorch's result_type over tensors and wrapped scalars (dimensioned > zero-dim > scalars, by category). */
export function resultType(...xs: Tensor[]): DType {
  return resultTypeOf(xs, []);
}

/** `resultType(a, wrapScalar(v))` without making the wrapped tensor. */
export function resultTypeScalar(a: Tensor, v: number | boolean): DType {
  return resultTypeOf([a], [scalarDType(v)]);
}

export function resultTypeOf(xs: readonly Tensor[], scalars: readonly DType[]): DType {
  let dimR: DType | null = null, zeroR: DType | null = null, wrapR: DType | null = null;
  const up = (cur: DType | null, d: DType): DType => (cur === null ? d : promoteTypes(cur, d));
  for (const t of xs) {
    if (t._wrapped) {
      const d = isFloating(t.dtype) ? getDefaultDtype() : t.dtype;
      wrapR = up(wrapR, d);
    } else if (t.dim() === 0) zeroR = up(zeroR, t.dtype);
    else dimR = up(dimR, t.dtype);
  }
  for (const sc of scalars) wrapR = up(wrapR, isFloating(sc) ? getDefaultDtype() : sc);
  const combine = (higher: DType | null, lower: DType | null): DType | null => {
    if (higher !== null && isFloating(higher)) return higher;
    if (higher === 'bool' || (lower !== null && isFloating(lower))) {
      if (higher === null) return lower;
      if (lower === null) return higher;
      return promoteTypes(higher, lower);
    }
    if (higher !== null) return higher;
    return lower;
  };
  return combine(dimR, combine(zeroR, wrapR)) ?? getDefaultDtype();
}

export function bLayout(t: Tensor, shape: readonly number[]): Layout {
  return { shape, strides: broadcastStrides(t._shape, t._strides, shape), offset: t._offset };
}

export function torchTypeName(d: DType): string {
  return { float32: 'Float', float64: 'Double', int64: 'Long', int32: 'Int', int16: 'Short', int8: 'Char', uint8: 'Byte', bool: 'Bool' }[d];
}

/**
 * Gives the storages of internal temporaries back to the caching allocator right away. Only for tensors a
 * function created itself, that own their storage and that nothing else can reference (no graph, not returned).
 */
export function release(...ts: Tensor[]): void {
  for (const t of ts) {
    if (t._base === null && t._gradFn === null && !t._requiresGrad) releaseTensor(t);
  }
}
