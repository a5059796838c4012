/**
 * @internal Entry point of a `DataLoader` worker thread: builds this worker's copy of the dataset, seeds its global
 * generator with `baseSeed + id`, runs `workerInitFn(id)`, then answers fetch requests (a batch of indices → the
 * collated batch, or the raw samples when the loader's `collateFn` is custom and runs in the main thread). Errors
 * go back with their name, message and stack.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as torch from '../../index.js';
import { encode } from './_codec.js';
import { buildDataset } from './_spec.js';
import type { DatasetSpec } from './_spec.js';
import { defaultBatch, fetchSamples } from './_fetch.js';
import { defaultConvert } from './collate.js';
import { getItemOf } from './dataset.js';
import type { MapDataset } from './dataset.js';
import { setWorkerInfo } from './_worker_info.js';

/** What the main thread sends when it starts a worker. */
export interface WorkerData {
  id: number; numWorkers: number; seed: number; dataset: DatasetSpec;
  /** `workerInitFn`: the source of a function, or a module + export. */
  initFn: { source: string } | { module: string; exportName: string } | null;
  /** 'default': defaultCollate; 'convert': defaultConvert of one sample; 'samples': the samples, collated by the main thread. */
  mode: 'default' | 'convert' | 'samples';
}

/** A request: batch number `seq`, the indices of its samples (one index without automatic batching). */
export interface FetchRequest { type: 'fetch'; seq: number; indices: number[] | number }

function errorFields(e: unknown): { name: string; message: string; stack: string } {
  const err = e instanceof Error ? e : new Error(String(e));
  return { name: err.name, message: err.message, stack: err.stack ?? `${err.name}: ${err.message}` };
}

async function loadInitFn(spec: NonNullable<WorkerData['initFn']>): Promise<(id: number) => unknown> {
  if ('source' in spec) {
    // re-created from its source: it sees `torch` but none of the variables around its definition
    let f: unknown;
    try { f = new Function('torch', `return (${spec.source});`)(torch); } catch (e) {
      throw new TypeError(`workerInitFn could not be re-created in the worker from its source (write it as an arrow function or a function expression): ${(e as Error).message}`);
    }
    return f as (id: number) => unknown;
  }
  const mod = await import(spec.module) as Record<string, unknown>;
  const f = mod[spec.exportName];
  if (typeof f !== 'function') throw new TypeError(`module ${spec.module} has no function export '${spec.exportName}'`);
  return f as (id: number) => unknown;
}

async function main(): Promise<void> {
  const port = parentPort!;
  const wd = workerData as WorkerData;
  let ds: MapDataset;
  try {
    torch.manualSeed(wd.seed);
    ds = await buildDataset(wd.dataset);
    setWorkerInfo({ id: wd.id, numWorkers: wd.numWorkers, seed: wd.seed, dataset: ds });
    if (wd.initFn !== null) await (await loadInitFn(wd.initFn))(wd.id);
  } catch (e) {
    port.postMessage({ type: 'error', seq: -1, ...errorFields(e) });
    return;
  }
  port.on('message', (m: FetchRequest | { type: 'stop' }) => {
    if (m.type === 'stop') { port.close(); return; }
    void (async () => {
      try {
        let value: unknown;
        if (typeof m.indices === 'number') {
          const s = getItemOf(ds, m.indices);
          value = wd.mode === 'samples' ? s : defaultConvert(s);
        } else {
          value = wd.mode === 'samples' ? fetchSamples(ds, m.indices) : defaultBatch(ds, m.indices);
        }
        const transfer: ArrayBuffer[] = [];
        const enc = await encode(value, transfer);
        port.postMessage({ type: 'batch', seq: m.seq, value: enc }, transfer);
      } catch (e) {
        port.postMessage({ type: 'error', seq: m.seq, ...errorFields(e) });
      }
    })();
  });
  port.postMessage({ type: 'ready' });
}

// only as a worker's entry point (importing this module elsewhere does nothing)
if (parentPort !== null && workerData !== null && typeof workerData === 'object' && 'dataset' in (workerData as object)) void main();
