/**
 * DataLoader with numWorkers > 0 (worker_threads): the same batches in the same order as numWorkers 0, prefetching,
 * persistent workers, workerInitFn, per-worker seeds, getWorkerInfo, errors with the worker's stack, and the batch
 * types inferred from the dataset (checked by the build's tsc).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { InitDataset, RangeDataset, WhoDataset } from './_worker_dataset.js';

const { DataLoader, TensorDataset, IterableDataset, Dataset, randomSplit } = torch.utils.data;

async function collect<B>(l: AsyncIterable<B>): Promise<B[]> { const out: B[] = []; for await (const b of l) out.push(b); return out; }
const lists = (bs: Tensor[][]) => bs.map((b) => b.map((t) => ({ dtype: t.dtype, v: t.tolist() })));

test('batch types follow the dataset and collateFn', async () => {
  const ds = new TensorDataset(torch.randn([5, 2]), torch.arange(5));
  const l = new DataLoader(ds, { batchSize: 2 });
  for (const [x, y] of l) { const a: Tensor = x; const b: Tensor = y; void a; void b; }
  const [first] = [...l];
  // @ts-expect-error a TensorDataset of two tensors gives pairs
  void (() => first![2].shape);
  const counts = new DataLoader(ds, { batchSize: 2, collateFn: (s) => s.length });
  const n: number[] = [...counts];
  assert.deepEqual(n, [2, 2, 1]);
  class Rec extends Dataset<{ x: Tensor; label: number; name: string }> {
    get length() { return 3; }
    getItem(i: number) { return { x: torch.ones([2]).mul(i), label: i, name: `s${i}` }; }
  }
  for (const b of new DataLoader(new Rec(), 2)) {
    const x: Tensor = b.x; const label: Tensor = b.label; const names: string[] = b.name;
    assert.deepEqual(names.length, x.shape[0]); assert.equal(label.dtype, 'int64');
  }
});

test('numWorkers > 0 gives the batches of numWorkers 0, in order, for several epochs and prefetch factors', async () => {
  const x = torch.randn([23, 3]), y = torch.arange(23);
  const [train] = randomSplit(new TensorDataset(x, y), [0.8, 0.2], new torch.Generator(3));
  for (const [ds, bs] of [[new TensorDataset(x, y), 4], [train!, 5], [new RangeDataset(17), 3]] as const) {
    const ref = new DataLoader(ds as any, { batchSize: bs, shuffle: true, generator: new torch.Generator(11) });
    const expected = [lists([...ref] as Tensor[][]), lists([...ref] as Tensor[][])];
    for (const prefetchFactor of [1, 3]) {
      const l = new DataLoader(ds as any, { batchSize: bs, shuffle: true, generator: new torch.Generator(11), numWorkers: 3, prefetchFactor });
      const got = [lists(await collect(l) as Tensor[][]), lists(await collect(l) as Tensor[][])];
      assert.deepEqual(got, expected, `${ds.constructor.name} prefetch ${prefetchFactor}`);
    }
  }
  // dropLast, batchSize null (no automatic batching), arrays of plain values
  const arr = [1.5, 2.5, 3.5, 4.5, 5.5];
  const a0 = [...new DataLoader(arr, { batchSize: 2, dropLast: true })].map((t) => t.tolist());
  assert.deepEqual((await collect(new DataLoader(arr, { batchSize: 2, dropLast: true, numWorkers: 2 }))).map((t) => t.tolist()), a0);
  const single = await collect(new DataLoader(new RangeDataset(3), { batchSize: null, numWorkers: 2 }));
  assert.deepEqual(single.map(([t, i]) => [t.tolist(), i]), [[[0, 0, 0], 0], [[1, 1, 1], 1], [[2, 2, 2], 2]]);
});

test('a custom collateFn runs in the main thread on the samples the workers send', async () => {
  const l = new DataLoader(new RangeDataset(7), { batchSize: 3, numWorkers: 2, collateFn: (s) => s.map(([t, i]) => t.sum().item() + i) });
  assert.deepEqual(await collect(l), [[0, 4, 8], [12, 16, 20], [24]]);
});

test('round robin over workers, getWorkerInfo, per-worker seeds, workerInitFn (function or module export)', async () => {
  const who = await collect(new DataLoader(new WhoDataset(12), { batchSize: 2, numWorkers: 3, generator: new torch.Generator(5) }));
  assert.deepEqual(who.map((b) => b.worker.tolist()), [[0, 0], [1, 1], [2, 2], [0, 0], [1, 1], [2, 2]]);
  assert.equal(torch.utils.data.getWorkerInfo(), null);
  // workers draw from differently seeded generators; the same loader generator gives the same draws again
  const draws = who.map((b) => b.draw.tolist()[0]);
  assert.equal(new Set(draws).size, draws.length);
  const again = await collect(new DataLoader(new WhoDataset(12), { batchSize: 2, numWorkers: 3, generator: new torch.Generator(5) }));
  assert.deepEqual(again.map((b) => b.draw.tolist()[0]), draws);
  // a function re-created from its source (sees `torch`), and a module export
  const l = new DataLoader(new InitDataset(), { batchSize: 2, numWorkers: 2, workerInitFn: (id: number) => { (globalThis as any).__initId = id * 10 + Number(torch.utils.data.getWorkerInfo()!.numWorkers); } });
  assert.deepEqual((await collect(l)).map((t) => t.tolist()), [[2, 2], [12, 12]]);
  const m = new DataLoader(new InitDataset(), { batchSize: 2, numWorkers: 2, workerInitFn: { module: new URL('./_worker_dataset.js', import.meta.url), exportName: 'markInit' } });
  assert.deepEqual((await collect(m)).map((t) => t.tolist()), [[0, 0], [1, 1]]);
});

test('persistentWorkers keeps the workers (and their dataset copies) between epochs', async () => {
  const opts = { batchSize: 2, numWorkers: 2 } as const;
  const fresh = new DataLoader(new WhoDataset(4), opts);
  const e1 = await collect(fresh), e2 = await collect(fresh);
  assert.deepEqual(e2.map((b) => b.served.tolist()), e1.map((b) => b.served.tolist())); // new workers each epoch
  const kept = new DataLoader(new WhoDataset(4), { ...opts, persistentWorkers: true });
  const k1 = await collect(kept), k2 = await collect(kept);
  assert.deepEqual(k1.map((b) => b.served.tolist()), [[1, 2], [1, 2]]);
  assert.deepEqual(k2.map((b) => b.served.tolist()), [[3, 4], [3, 4]]);
  // an epoch left early leaves the pool usable
  for await (const b of kept) { void b; break; }
  assert.equal((await collect(kept)).length, 2);
  await kept.shutdownWorkers();
});

test('worker errors are re-thrown with their class and the worker\'s stack; batches before them arrive', async () => {
  const got: number[][] = [];
  await assert.rejects(async () => {
    for await (const [, i] of new DataLoader(new RangeDataset(10, 4), { batchSize: 2, numWorkers: 2 })) got.push(i.tolist());
  }, (e: Error) => {
    assert.ok(e instanceof RangeError);
    assert.match(e.message, /^Caught RangeError in DataLoader worker process 0\.\nOriginal Traceback \(most recent call last\):\nRangeError: sample 4 is corrupt\n\s+at RangeDataset\.getItem \(.*_worker_dataset\.js/);
    return true;
  });
  assert.deepEqual(got, [[0, 1], [2, 3]]);
  // a recipe that names a missing export fails when the workers start
  class Bad extends Dataset<number> {
    get length() { return 2; }
    getItem(i: number) { return i; }
    workerRecipe() { return { module: new URL('./_worker_dataset.js', import.meta.url), exportName: 'Nope' }; }
  }
  await assert.rejects(collect(new DataLoader(new Bad(), { numWorkers: 1 })), /Caught TypeError in DataLoader worker process 0[\s\S]*has no export 'Nope'/);
});

test('numWorkers > 0: PyTorch\'s option errors, and what cannot work says so', async () => {
  const ds = new TensorDataset(torch.zeros([4, 1]));
  assert.throws(() => [...new DataLoader(ds, { numWorkers: 2 })], /loads batches asynchronously: iterate it with `for await/);
  assert.throws(() => new DataLoader(ds, { persistentWorkers: true }), /persistent_workers option needs num_workers > 0/);
  assert.throws(() => new DataLoader(ds, { numWorkers: 1, prefetchFactor: 0 }), /prefetch_factor should be a positive integer/);
  assert.throws(() => new DataLoader(ds, { numWorkers: 1.5 }), /num_workers option should be non-negative/);
  class Local extends Dataset<number> { get length() { return 2; } getItem(i: number) { return i; } }
  assert.throws(() => new DataLoader(new Local(), { numWorkers: 2 }), /numWorkers > 0 needs a dataset that a worker thread can rebuild, but Local has no workerRecipe\(\)/);
  class Stream extends IterableDataset<number> { *[Symbol.iterator]() { yield 1; } }
  assert.throws(() => new DataLoader(new Stream(), { numWorkers: 2 }), /not supported for iterable-style datasets/);
  assert.throws(() => new DataLoader(ds, { numWorkers: 1, workerInitFn: 3 as any }), /worker_init_fn must be a function or \{ module, exportName \}/);
  assert.equal(new DataLoader(ds, { numWorkers: 2 }).prefetchFactor, 2);
});
