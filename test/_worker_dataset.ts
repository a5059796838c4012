/**
 * Datasets for test/data_workers.test.ts that DataLoader worker threads rebuild from this module (workerRecipe).
 */
import * as torch from '../src/index.js';
import type { Tensor } from '../src/index.js';

/** Sample i: [a float vector of i's, i as an int64 label]; throws at `failAt` (to test worker errors). */
export class RangeDataset extends torch.utils.data.Dataset<[Tensor, number]> {
  constructor(readonly n: number, readonly failAt: number | null = null) { super(); }
  get length(): number { return this.n; }
  getItem(i: number): [Tensor, number] {
    if (i === this.failAt) throw new RangeError(`sample ${i} is corrupt`);
    // a random draw too, so the worker's seed shows up in the data
    return [torch.full([3], i).add(torch.rand([3]).mul(0)), i];
  }
  workerRecipe(): torch.utils.data.WorkerRecipe {
    return { module: import.meta.url, exportName: 'RangeDataset', args: [this.n, this.failAt] };
  }
}

let served = 0;

/**
 * Sample i: { id: i, worker: the worker id that loaded it (-1 in the main thread), draw: a random draw from the
 * worker's global generator, served: how many samples this thread's datasets served so far }.
 */
export class WhoDataset extends torch.utils.data.Dataset<{ id: number; worker: number; draw: number; served: number }> {
  constructor(readonly n: number) { super(); }
  get length(): number { return this.n; }
  getItem(i: number) {
    const info = torch.utils.data.getWorkerInfo();
    return { id: i, worker: info === null ? -1 : info.id, draw: torch.rand([1]).item(), served: ++served };
  }
  workerRecipe(): torch.utils.data.WorkerRecipe { return { module: import.meta.url, exportName: 'WhoDataset', args: [this.n] }; }
}

/** A workerInitFn exported by a module. */
export function markInit(id: number): void { (globalThis as any).__initId = id; }

/** A dataset whose samples report what markInit recorded. */
export class InitDataset extends torch.utils.data.Dataset<number> {
  get length(): number { return 4; }
  getItem(_i: number): number { return (globalThis as any).__initId ?? -1; }
  workerRecipe(): torch.utils.data.WorkerRecipe { return { module: import.meta.url, exportName: 'InitDataset' }; }
}
