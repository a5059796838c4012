/**
 * `torch.utils.data.getWorkerInfo()`: inside a `DataLoader` worker thread, which worker this is.
 */
import type { MapDataset } from './dataset.js';

/** What `getWorkerInfo()` returns inside a worker thread (PyTorch's `WorkerInfo`). */
export interface WorkerInfo {
  /** This worker's index, 0 ≤ id < numWorkers. */
  readonly id: number;
  /** The loader's `numWorkers`. */
  readonly numWorkers: number;
  /** The seed of this worker's global generator (`baseSeed + id`, as PyTorch). */
  readonly seed: number;
  /** This worker's copy of the dataset. */
  readonly dataset: MapDataset;
}

let current: WorkerInfo | null = null;

/**
 * Inside a `DataLoader` worker thread, the worker's `{ id, numWorkers, seed, dataset }`; `null` in the main thread
 * (PyTorch's `torch.utils.data.get_worker_info`). Use it in a dataset or `workerInitFn` to shard work per worker.
 * @example
 * const info = torch.utils.data.getWorkerInfo();
 * const shard = info === null ? 0 : info.id;
 */
export function getWorkerInfo(): WorkerInfo | null { return current; }

/** @internal Set by the worker entry point. */
export function setWorkerInfo(info: WorkerInfo | null): void { current = info; }
