/**
 * @internal Direct element access for the optimizer and clipping kernels.
 *
 * The update rules run as fused loops over typed arrays (one pass per parameter, no temporaries), the way
 * PyTorch's `fused`/`foreach` kernels do. For CPU tensors that are contiguous the loops read and write the
 * storage in place; any other tensor (strided views, other backends) goes through a contiguous copy that is
 * written back by `flush()`. Every tensor written bumps its storage version, so autograd still detects a
 * parameter modified after being saved for backward.
 */
import type { Tensor } from '../tensor.js';
import { bumpVersion } from '../tensor.js';
import type { TypedArray } from '../dtype.js';
import { CpuStorage } from '../backend/cpu/cpu.js';
import { contiguousStrides } from '../shape.js';

/** Elements of `t` as a contiguous typed array that aliases its storage when possible. */
export function directView(t: Tensor): TypedArray | null {
  const s = t._s;
  if (s instanceof CpuStorage && t.isContiguous()) {
    const n = t.numel();
    const d = s.data;
    return t._offset === 0 && d.length === n ? d : d.subarray(t._offset, t._offset + n);
  }
  return null;
}

/** Read-only elements of `t` (a copy when the storage cannot be aliased). */
export function readView(t: Tensor): TypedArray {
  return directView(t) ?? t.dataSync();
}

/** Collects writable views; `flush()` writes copies back and bumps storage versions. */
export class WriteSet {
  private copies: [Tensor, TypedArray][] = [];
  private touched: Tensor[] = [];

  /** A writable contiguous view of `t`'s elements. */
  rw(t: Tensor): TypedArray {
    this.touched.push(t);
    const d = directView(t);
    if (d !== null) return d;
    const c = t.dataSync();
    this.copies.push([t, c]);
    return c;
  }

  /** Writes back copies, bumps versions and resets the set for reuse. */
  flush(): void {
    for (const [t, c] of this.copies) {
      const b = t._backend;
      const src = b.fromArray(t.dtype, c);
      b.copy(src, { shape: t.shape, strides: contiguousStrides(t.shape), offset: 0 }, t._s, t.layout);
    }
    for (const t of this.touched) bumpVersion(t);
    this.copies.length = 0;
    this.touched.length = 0;
  }
}

/** Reads element 0 of a one-element tensor without allocating (CPU) . */
export function scalarGet(t: Tensor): number {
  const d = directView(t);
  return d !== null ? d[0]! : t.item();
}

/** Writes a one-element tensor in place. */
export function scalarSet(t: Tensor, v: number): void {
  const d = directView(t);
  if (d !== null) d[0] = v; else t._backend.fill(t._s, t.layout, v);
  bumpVersion(t);
}

/** Python's `repr(float)`/`str(float)` for messages: `2.0`, `inf`, `nan`, `1e-05`. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return x.toFixed(1);
  const a = Math.abs(x);
  if (a < 1e-4 || a >= 1e16) {
    const [m, e] = x.toExponential().split('e') as [string, string];
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(x);
}

/** Python's `str()` of a number given by the user: integers print without a decimal point. */
export function pyNum(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return String(x);
  return pyFloat(x);
}

/** Emits a Python-style `UserWarning` through `process.emitWarning` (a spy can replace it in tests). */
export function warn(message: string): void {
  if (typeof process !== 'undefined' && typeof process.emitWarning === 'function') process.emitWarning(message, 'UserWarning');
  else console.warn(`UserWarning: ${message}`);
}
