/**
 * `defaultCollate` / `defaultConvert`: PyTorch's `torch.utils.data.default_collate` and `default_convert`.
 */
import { Tensor } from '../../tensor.js';
import { stack, tensor } from '../../ops.js';
import type { DType } from '../../dtype.js';
import { getDefaultDtype } from '../../dtype.js';
import { describe, isPlainObject } from './dataset.js';

const ERR = 'default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found ';

/** @internal The dtype a typed array converts to (numpy arrays in PyTorch keep their dtype; for Uint16/Uint32, which PyTorch 1.13 lacks, the smallest exact one). */
function typedDtype(a: ArrayBufferView): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  // numpy's uint8/int8/int16 arrays keep their dtype in PyTorch (image batches stay uint8)
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray) return 'uint8';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Int32Array || a instanceof Uint16Array) return 'int32';
  if (a instanceof Uint32Array) return 'int64';
  throw new TypeError(ERR + describe(a));
}

function typedToTensor(a: ArrayBufferView): Tensor {
  const dt = typedDtype(a);
  return tensor(Float64Array.from(a as unknown as ArrayLike<number>), { dtype: dt });
}

/**
 * Numbers as `torch.tensor` infers them, with JavaScript integers standing for Python ints: all booleans → `bool`;
 * booleans and integers → `int64`; otherwise the default float dtype (as `torch.tensor([1, 2.5])`).
 */
function inferNumbers(batch: readonly (number | boolean)[]): DType {
  let allBool = true, allInt = true;
  for (const v of batch) {
    if (typeof v === 'boolean') continue;
    if (typeof v !== 'number') throw new TypeError(`Could not infer dtype of ${describe(v)}`);
    allBool = false;
    if (!Number.isInteger(v)) allInt = false;
  }
  return allBool ? 'bool' : allInt ? 'int64' : getDefaultDtype();
}

/**
 * Merges a list of samples into a batch, as PyTorch's `default_collate`, dispatching on the first sample:
 * - tensors → `torch.stack(batch, 0)`;
 * - typed arrays (PyTorch: numpy arrays) → tensors (Float32Array → float32, Float64Array → float64, Uint8Array and
 *   Uint8ClampedArray → uint8, Int8Array → int8, Int16Array → int16, Int32Array and Uint16Array → int32, Uint32Array →
 *   int64), then stacked;
 * - numbers: a JavaScript integer stands for a Python `int` → `int64` tensor (`torch.tensor(batch)`: a batch mixing
 *   in non-integers gives the default float dtype, as in PyTorch); a non-integer number stands for a Python `float`
 *   → `float64` tensor; booleans → `bool` tensor. Note `1.0 === 1` in JavaScript, so a float feature that happens to
 *   be whole in the first sample collates as int64: store such values in tensors (or use a `collateFn`);
 * - strings → the array unchanged;
 * - plain objects and `Map`s → the same keys, each collated over the batch;
 * - arrays → collated position by position (all samples must have the same length: PyTorch's "each element in list
 *   of batch should be of equal size").
 * Anything else throws PyTorch's TypeError.
 * @example
 * const b = torch.utils.data.defaultCollate([{ x: torch.ones([2]), y: 1 }, { x: torch.zeros([2]), y: 0 }]);
 * b.x.shape; // [2, 2]
 * b.y.dtype; // 'int64'
 */
export function defaultCollate(batch: readonly any[]): any {
  if (!Array.isArray(batch)) throw new TypeError(`defaultCollate expects an array of samples, got ${describe(batch)}`);
  if (batch.length === 0) throw new RangeError('defaultCollate: the batch is empty');
  const elem = batch[0];
  if (elem instanceof Tensor) {
    for (const b of batch) if (!(b instanceof Tensor)) throw new TypeError(`expected Tensor as element ${batch.indexOf(b)} in argument 0, but got ${describe(b)}`);
    return stack(batch as Tensor[], 0);
  }
  if (ArrayBuffer.isView(elem) && !(elem instanceof DataView)) {
    if (elem instanceof BigInt64Array || elem instanceof BigUint64Array) throw new TypeError(ERR + describe(elem));
    return stack(batch.map((a) => typedToTensor(a)), 0);
  }
  if (typeof elem === 'number') {
    if (!Number.isInteger(elem)) {
      for (const v of batch) if (typeof v !== 'number' && typeof v !== 'boolean') throw new TypeError(`must be real number, not ${describe(v)}`);
      return tensor(batch as number[], { dtype: 'float64' });
    }
    return tensor(batch as number[], { dtype: inferNumbers(batch) });
  }
  if (typeof elem === 'boolean') return tensor(batch as boolean[], { dtype: inferNumbers(batch) });
  if (typeof elem === 'string') return batch;
  if (elem instanceof Map) {
    const out = new Map();
    for (const k of elem.keys()) out.set(k, defaultCollate(batch.map((d) => (d as Map<unknown, unknown>).get(k))));
    return out;
  }
  if (isPlainObject(elem)) {
    const out: Record<string, any> = {};
    for (const k of Object.keys(elem)) out[k] = defaultCollate(batch.map((d) => d[k]));
    return out;
  }
  if (Array.isArray(elem)) {
    const size = elem.length;
    for (const b of batch) {
      if (!Array.isArray(b) || b.length !== size) throw new RangeError('each element in list of batch should be of equal size');
    }
    const out = new Array(size);
    for (let i = 0; i < size; i++) out[i] = defaultCollate(batch.map((b) => b[i]));
    return out;
  }
  throw new TypeError(ERR + describe(elem));
}

/**
 * What the `DataLoader` applies to each sample when automatic batching is off (`batchSize: null`), as PyTorch's
 * `default_convert`: typed arrays become tensors (recursively inside arrays, objects and `Map`s); everything else is
 * returned as is.
 * @example torch.utils.data.defaultConvert({ x: new Float32Array([1, 2]) }).x.dtype; // 'float32'
 */
export function defaultConvert(data: any): any {
  if (data instanceof Tensor) return data;
  if (ArrayBuffer.isView(data) && !(data instanceof DataView) && !(data instanceof BigInt64Array) && !(data instanceof BigUint64Array)) return typedToTensor(data);
  if (data instanceof Map) { const m = new Map(); for (const [k, v] of data) m.set(k, defaultConvert(v)); return m; }
  if (isPlainObject(data)) { const o: Record<string, any> = {}; for (const k of Object.keys(data)) o[k] = defaultConvert(data[k]); return o; }
  if (Array.isArray(data)) return data.map(defaultConvert);
  return data;
}
