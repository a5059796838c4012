/**
 * @internal Fetching one batch: the samples at some indices, collated. Shared by the `DataLoader` (numWorkers 0)
 * and its worker threads, so both produce the same batches.
 */
import { tensor } from '../../ops.js';
import type { Tensor } from '../../tensor.js';
import { defaultCollate } from './collate.js';
import { TensorDataset, Subset, getItemOf } from './dataset.js';
import type { MapDataset } from './dataset.js';

/** The samples at `indices`, fetched in one call when the dataset has `getItems` (PyTorch's `__getitems__`). */
export function fetchSamples<T>(ds: MapDataset<T>, indices: readonly number[]): T[] {
  const many = (ds as any).getItems;
  if (typeof many === 'function') return many.call(ds, [...indices]);
  return indices.map((i) => getItemOf(ds, i));
}

/**
 * Fast path with the same result as fetching and stacking samples: a plain `TensorDataset` (or plain `Subset`s of
 * one) under the default collation gathers each batch with one `indexSelect` per tensor. Null when it does not apply.
 */
export function tensorBatch(dataset: unknown, indices: readonly number[]): Tensor[] | null {
  let ds: unknown = dataset;
  let idx: readonly number[] = indices;
  while (ds instanceof Subset && Object.getPrototypeOf(ds) === Subset.prototype) {
    const sub = ds.indices;
    const mapped: number[] = [];
    for (const i of idx) {
      const j = i < 0 ? i + sub.length : i;
      if (!Number.isInteger(i) || j < 0 || j >= sub.length) return null; // let getItem raise its error
      mapped.push(sub[j]!);
    }
    idx = mapped;
    ds = ds.dataset;
  }
  if (!(ds instanceof TensorDataset) || Object.getPrototypeOf(ds) !== TensorDataset.prototype || idx.length === 0) return null;
  const n = ds.length;
  const flat = new Float64Array(idx.length);
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    if (!Number.isInteger(i) || i < -n || i >= n) return null;
    flat[k] = i < 0 ? i + n : i;
  }
  const index = tensor(flat, { dtype: 'int64' });
  return (ds.tensors as readonly Tensor[]).map((t) => t.indexSelect(0, index));
}

/** One batch under the default collation: the fast path when it applies, else fetch + `defaultCollate`. */
export function defaultBatch<T>(ds: MapDataset<T>, indices: readonly number[]): unknown {
  return tensorBatch(ds, indices) ?? defaultCollate(fetchSamples(ds, indices));
}
