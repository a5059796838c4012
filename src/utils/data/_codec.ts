/**
 * @internal What crosses between the `DataLoader` and its worker threads: values with tensors inside (samples,
 * batches, dataset arguments), as structured-clonable objects. A tensor travels as its dtype, shape and a
 * contiguous copy of its elements (read with the asynchronous `typedArray()`, so any device works; it arrives as a
 * CPU tensor, as PyTorch's workers produce CPU batches). The element buffers are transferred, not copied again.
 */
import { Tensor } from '../../tensor.js';
import { tensor } from '../../ops.js';
import type { DType } from '../../dtype.js';
import { isPlainObject } from './dataset.js';

const TAG = '__torchlet_tensor__';

interface Encoded { [TAG]: true; dtype: DType; shape: number[]; data: ArrayBufferView; requiresGrad: boolean }

/** Encodes `v` (tensors anywhere inside arrays, plain objects and Maps); `transfer` collects the buffers to move. */
export async function encode(v: unknown, transfer: ArrayBuffer[] = []): Promise<unknown> {
  if (v instanceof Tensor) {
    let data = await v.typedArray();
    // move only a buffer that holds exactly this copy (never a backend's memory, never one buffer twice)
    if (data.byteOffset !== 0 || data.byteLength !== data.buffer.byteLength || !(data.buffer instanceof ArrayBuffer) || transfer.includes(data.buffer)) data = data.slice();
    transfer.push(data.buffer as ArrayBuffer);
    const e: Encoded = { [TAG]: true, dtype: v.dtype, shape: [...v.shape], data, requiresGrad: v.requiresGrad && v.isLeaf };
    return e;
  }
  if (Array.isArray(v)) { const out = []; for (const x of v) out.push(await encode(x, transfer)); return out; }
  if (v instanceof Map) { const m = new Map(); for (const [k, x] of v) m.set(k, await encode(x, transfer)); return m; }
  if (isPlainObject(v)) { const o: Record<string, unknown> = {}; for (const k of Object.keys(v)) o[k] = await encode(v[k], transfer); return o; }
  return v;
}

/** The inverse of `encode`: tensors come back as CPU tensors with their dtype and shape. */
export function decode(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && (v as Record<string, unknown>)[TAG] === true) {
    const e = v as Encoded;
    const t = tensor(e.data as any, { dtype: e.dtype }).reshape(e.shape);
    return e.requiresGrad ? t.requiresGrad_(true) : t;
  }
  if (Array.isArray(v)) return v.map(decode);
  if (v instanceof Map) { const m = new Map(); for (const [k, x] of v) m.set(k, decode(x)); return m; }
  if (isPlainObject(v)) { const o: Record<string, unknown> = {}; for (const k of Object.keys(v)) o[k] = decode(v[k]); return o; }
  return v;
}
