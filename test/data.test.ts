/**
 * torch.utils.data: datasets, randomSplit, samplers, default collation (PyTorch's default_collate rules, checked
 * against PyTorch 1.13 by hand: see the comments), the DataLoader (sync and async iteration, lengths, shuffling
 * reproducibility, errors), and the digits data set.
 */
import { test, describe, toList, toLists, itemOf, equalOf, userRead } from './_harness.js';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';
import type { Tensor } from 'torchlet';

const { Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset, randomSplit, DataLoader, defaultCollate, defaultConvert,
  SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler } = torch.utils.data;

const batches = (loader: Iterable<any>): Promise<any[]> => Promise.all([...loader].map((b) => (b instanceof torch.Tensor ? toList(b) : b)));

describe('datasets', () => {
  test('TensorDataset indexes every tensor along dim 0', async () => {
    const x = torch.arange(12, { dtype: 'float32' }).reshape([4, 3]), y = torch.tensor([0, 1, 0, 1], { dtype: 'int64' });
    const ds = new TensorDataset(x, y);
    assert.equal(ds.length, 4); assert.equal(ds.len(), 4);
    const [xi, yi] = ds.getItem(2);
    assert.deepEqual(await toList(xi!), [6, 7, 8]); assert.equal(await itemOf(yi!), 0); assert.deepEqual([...yi!.shape], []);
    assert.deepEqual(await toList(ds.getItem(-1)[0]!), [9, 10, 11]);
    assert.throws(() => ds.getItem(4), /index 4 is out of bounds for dimension 0 with size 4/);
    assert.throws(() => new TensorDataset(x, torch.zeros([3])), /Size mismatch between tensors/);
  });

  test('Subset, ConcatDataset, arrays as datasets, custom Dataset', async () => {
    const sub = new Subset(['a', 'b', 'c', 'd'], [3, 1]);
    assert.equal(sub.length, 2); assert.equal(sub.getItem(0), 'd'); assert.equal(sub.getItem(-1), 'b');
    assert.throws(() => sub.getItem(2), /list index out of range/);
    // indices given as a tensor are read once, at construction (PyTorch's Subset indexes with them on the host too)
    assert.equal(userRead(() => new Subset([1, 2, 3], torch.tensor([2, 0], { dtype: 'int64' }))).getItem(0), 3);
    const cat = new ConcatDataset<any>([[1, 2], sub, [5]]);
    assert.deepEqual(cat.cumulativeSizes, [2, 4, 5]);
    assert.deepEqual([0, 1, 2, 3, 4].map((i) => cat.getItem(i)), [1, 2, 'd', 'b', 5]);
    assert.equal(cat.getItem(-1), 5);
    assert.throws(() => cat.getItem(-6), /absolute value of index should not exceed dataset length/);
    assert.throws(() => cat.getItem(5), /out of range/);
    assert.throws(() => new ConcatDataset([]), /datasets should not be an empty iterable/);
    class Stream extends IterableDataset<number> { *[Symbol.iterator]() { yield 1; } }
    assert.throws(() => new ConcatDataset([new Stream() as any]), /ConcatDataset does not support IterableDataset/);
    class Squares extends Dataset<[number, number]> {
      get length() { return 5; }
      getItem(i: number): [number, number] { return [i, i * i]; }
    }
    const sq = new Squares();
    assert.equal(sq.len(), 5);
    const b = (await batches(new DataLoader(sq, 2)))[2];
    assert.deepEqual(await toLists(b), [[4], [16]]);
  });

  test('randomSplit: lengths, fractions (PyTorch remainder rule), errors, reproducible', async () => {
    const data = Array.from({ length: 10 }, (_, i) => i);
    assert.deepEqual(randomSplit(data, [0.3, 0.3, 0.4]).map((s) => s.length), [3, 3, 4]);
    assert.deepEqual(randomSplit(Array(11).fill(0), [0.5, 0.5]).map((s) => s.length), [6, 5]); // PyTorch: [6, 5]
    const [a, b] = randomSplit(data, [7, 3], new torch.Generator(42));
    assert.deepEqual([...a!.indices, ...b!.indices].sort((x, y) => x - y), data);
    const [a2] = randomSplit(data, [7, 3], { generator: new torch.Generator(42) });
    assert.deepEqual(a2!.indices, a!.indices);
    torch.manualSeed(3); const s1 = randomSplit(data, [5, 5])[0]!.indices;
    torch.manualSeed(3); const s2 = randomSplit(data, [5, 5])[0]!.indices;
    assert.deepEqual(s1, s2);
    assert.throws(() => randomSplit(data, [3, 3]), /Sum of input lengths does not equal the length of the input dataset!/);
    assert.throws(() => randomSplit(data, [1.5, -0.5]), /Fraction at index 0 is not between 0 and 1/);
  });
});

describe('samplers', () => {
  test('Sequential, Random (permutation / replacement), SubsetRandom, Weighted, Batch', async () => {
    assert.deepEqual([...new SequentialSampler([9, 9, 9])], [0, 1, 2]);
    const r = new RandomSampler(Array(6).fill(0), { generator: new torch.Generator(0) });
    const e1 = [...r], e2 = [...r];
    assert.deepEqual([...e1].sort(), [0, 1, 2, 3, 4, 5]);
    assert.notDeepEqual(e1, e2); // a new order each epoch (the generator advances)
    const rr = new RandomSampler(Array(3).fill(0), true, 20, new torch.Generator(1));
    const draws = [...rr];
    assert.equal(draws.length, 20); assert.equal(rr.length, 20);
    assert.ok(draws.every((i) => i >= 0 && i < 3));
    assert.equal([...new RandomSampler(Array(4).fill(0), false, 10)].length, 10);
    assert.throws(() => new RandomSampler([]), /num_samples should be a positive integer value, but got num_samples=0/);
    assert.throws(() => new RandomSampler([1], 'yes' as any), /replacement should be a boolean value, but got replacement=yes/);
    assert.deepEqual([...new SubsetRandomSampler([5, 6, 7], new torch.Generator(2))].sort(), [5, 6, 7]);
    const w = [...new WeightedRandomSampler([0, 1, 0, 3], 400, true, new torch.Generator(3))];
    assert.ok(w.every((i) => i === 1 || i === 3));
    const threes = w.filter((i) => i === 3).length;
    assert.ok(threes > 250 && threes < 350, `weighted draws: ${threes}/400`);
    assert.deepEqual([...new WeightedRandomSampler([1, 1, 1], 3, false, new torch.Generator(4))].sort(), [0, 1, 2]);
    assert.throws(() => new WeightedRandomSampler([1, 1], 3, false), /cannot sample n_sample > prob_dist.size\(-1\) samples without replacement/);
    assert.throws(() => new WeightedRandomSampler(torch.ones([2, 2]), 3), /weights should be a 1d sequence but given weights have shape \[2, 2\]/);
    const bs = new BatchSampler(new SequentialSampler(Array(5).fill(0)), 2, false);
    assert.deepEqual([...bs], [[0, 1], [2, 3], [4]]); assert.equal(bs.length, 3);
    assert.equal(new BatchSampler(new SequentialSampler(Array(5).fill(0)), { batchSize: 2, dropLast: true }).length, 2);
    assert.throws(() => new BatchSampler([0], 0), /batch_size should be a positive integer value, but got batch_size=0/);
    assert.throws(() => new BatchSampler([0], 2, 'no' as any), /drop_last should be a boolean value, but got drop_last=no/);
  });
});

describe('defaultCollate (PyTorch default_collate)', () => {
  test('numbers: integers -> int64, floats -> float64, bools -> bool, mixed -> torch.tensor rules', async () => {
    // PyTorch 1.13: c([1,2]) int64, c([1.5,2]) float64, c([1,2.5]) float32, c([True,False]) bool, c([True,2]) int64
    assert.equal(defaultCollate([1, 2]).dtype, 'int64');
    assert.equal(defaultCollate([1.5, 2]).dtype, 'float64');
    assert.equal(defaultCollate([1, 2.5]).dtype, 'float32');
    assert.equal(defaultCollate([true, false]).dtype, 'bool');
    assert.equal(defaultCollate([true, 2]).dtype, 'int64');
    assert.deepEqual(await toList(defaultCollate([1.5, 2])), [1.5, 2]);
  });

  test('tensors stack; strings pass through; objects, Maps and arrays recurse', async () => {
    // PyTorch: c([(ones(2), 1), (zeros(2), 0)]) -> [tensor([[1,1],[0,0]]), tensor([1, 0])]
    const [x, y] = defaultCollate([[torch.ones([2]), 1], [torch.zeros([2]), 0]]);
    assert.deepEqual(await toList(x), [[1, 1], [0, 0]]); assert.deepEqual(await toList(y), [1, 0]); assert.equal(y.dtype, 'int64');
    assert.deepEqual(defaultCollate(['a', 'b']), ['a', 'b']);
    // PyTorch: c([{'x': 1, 'y': [1.5, 2.5]}, {'x': 2, 'y': [3.5, 4.5]}]) -> {'x': tensor([1, 2]), 'y': [tensor([1.5, 3.5]), tensor([2.5, 4.5])]}
    const d = defaultCollate([{ x: 1, y: [1.5, 2.5] }, { x: 2, y: [3.5, 4.5] }]);
    assert.deepEqual(Object.keys(d), ['x', 'y']);
    assert.deepEqual(await toList(d.x), [1, 2]);
    assert.deepEqual(await toLists(d.y), [[1.5, 3.5], [2.5, 4.5]]);
    assert.equal(d.y[0].dtype, 'float64');
    const m = defaultCollate([new Map([['k', 1]]), new Map([['k', 2]])]);
    assert.ok(m instanceof Map); assert.deepEqual(await toList(m.get('k')), [1, 2]);
    const ta = defaultCollate([new Float32Array([1, 2]), new Float32Array([3, 4])]);
    assert.equal(ta.dtype, 'float32'); assert.deepEqual(await toList(ta), [[1, 2], [3, 4]]);
    const img = defaultCollate([new Uint8ClampedArray([1, 255]), new Uint8ClampedArray([200, 0])]);
    assert.equal(img.dtype, 'uint8'); assert.deepEqual(await toList(img), [[1, 255], [200, 0]]); // image bytes stay uint8, as numpy's
    assert.equal(defaultCollate([new Int8Array([-128]), new Int8Array([127])]).dtype, 'int8');
    assert.equal(defaultCollate([new Int16Array([-300]), new Int16Array([300])]).dtype, 'int16');
    assert.equal(defaultCollate([new Uint16Array([65535]), new Uint16Array([1])]).dtype, 'int32');
  });

  test("PyTorch's errors", async () => {
    assert.throws(() => defaultCollate([[1, 2], [3]]), /each element in list of batch should be of equal size/);
    assert.throws(() => defaultCollate([null]), /default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found null/);
    assert.throws(() => defaultCollate([torch.ones([2]), torch.ones([3])]), /stack expects each tensor to be equal size/);
    assert.deepEqual(defaultConvert({ a: new Float64Array([1]) }).a.dtype, 'float64');
    assert.equal(defaultConvert(3), 3);
  });
});

describe('DataLoader', () => {
  const N = 10;
  const x = torch.arange(N * 2, { dtype: 'float32' }).reshape([N, 2]);
  const y = torch.arange(N);
  const ds = new TensorDataset(x, y);

  test('batches in order; length in batches; dropLast', async () => {
    const loader = new DataLoader(ds, { batchSize: 4 });
    assert.equal(loader.length, 3); assert.equal(loader.len(), 3);
    const bs = [...loader];
    assert.deepEqual(await toLists(bs.map(([, yb]) => yb)), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    assert.deepEqual([...bs[0]![0].shape], [4, 2]);
    assert.equal(bs[0]![1].dtype, 'int64');
    const dl = new DataLoader(ds, { batchSize: 4, dropLast: true });
    assert.equal(dl.length, 2); assert.equal([...dl].length, 2);
    assert.equal(new DataLoader(ds).length, 10); // batchSize defaults to 1
  });

  test('positional arguments in PyTorch order, optionally ending with options', async () => {
    const a = new DataLoader(ds, 4, true, { generator: new torch.Generator(7) });
    const b = new DataLoader(ds, { batchSize: 4, shuffle: true, generator: new torch.Generator(7) });
    assert.deepEqual(await toLists([...a].map(([, t]) => t)), await toLists([...b].map(([, t]) => t)));
    assert.equal(new DataLoader(ds, 3, false, null, null, 0, null, false, true).length, 3);
    assert.throws(() => new DataLoader(ds, 4, { batchSize: 2 }), /got multiple values for argument 'batchSize'/);
    assert.throws(() => new DataLoader(ds, { batch_size: 2 } as any), /unexpected keyword argument 'batch_size'/);
  });

  test('shuffling: a permutation per epoch, reproducible from a generator or torch.manualSeed', async () => {
    const epoch = async (l: Iterable<Tensor[]>): Promise<number[]> => (await toLists([...l].map(([, t]) => t!))).flat();
    const l1 = new DataLoader(ds, { batchSize: 3, shuffle: true, generator: new torch.Generator(123) });
    const l2 = new DataLoader(ds, { batchSize: 3, shuffle: true, generator: new torch.Generator(123) });
    const e1 = await epoch(l1), e2 = await epoch(l1);
    assert.deepEqual([...e1].sort((a, b) => a - b), [...Array(N).keys()]);
    assert.notDeepEqual(e1, e2);
    assert.deepEqual(await epoch(l2), e1); assert.deepEqual(await epoch(l2), e2);
    const g = new DataLoader(ds, { batchSize: 3, shuffle: true });
    torch.manualSeed(5); const s1 = await epoch(g);
    torch.manualSeed(5); const s2 = await epoch(g);
    assert.deepEqual(s1, s2);
    // every sample's x matches its y after shuffling
    for (const [xb, yb] of new DataLoader(ds, { batchSize: 4, shuffle: true })) {
      assert.deepEqual(await toList(xb!), (await toList(yb!) as number[]).map((i) => [2 * i, 2 * i + 1]));
    }
  });

  test('the TensorDataset fast path equals fetching and stacking samples', async () => {
    const sub = new Subset(ds, [9, 3, 5, 0, 2]);
    const fast = [...new DataLoader(sub, { batchSize: 2 })];
    const slow = [...new DataLoader(sub, { batchSize: 2, collateFn: (s: any) => defaultCollate(s) })];
    assert.equal(fast.length, slow.length);
    for (const [i, b] of fast.entries()) for (const [k, t] of (b as Tensor[]).entries()) {
      assert.ok(await equalOf(t, slow[i][k]), `batch ${i} tensor ${k}`);
      assert.equal(t.dtype, slow[i][k].dtype);
    }
  });

  test('for await...of yields to the event loop between batches', async () => {
    const loader = new DataLoader(ds, { batchSize: 3 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const seen: number[][] = [];
    let immediates = 0;
    try {
      for await (const [, yb] of loader) {
        seen.push(await toList(yb!));
        setImmediate(() => immediates++);
      }
    } finally {
      clearInterval(timer); // also when the loop throws, or the process never exits
    }
    assert.deepEqual(seen, [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    assert.ok(immediates >= 3, `setImmediate callbacks ran between batches: ${immediates}`);
    // breaking out early is fine
    for await (const b of loader) { assert.ok(b); break; }
  });

  test('collateFn, batchSize null, batchSampler, sampler', async () => {
    const sums = [...new DataLoader([1, 2, 3, 4, 5], { batchSize: 2, collateFn: (s: number[]) => s.reduce((a, b) => a + b, 0) })];
    assert.deepEqual(sums, [3, 7, 5]);
    const single = [...new DataLoader([1, 2, 3], { batchSize: null })];
    assert.deepEqual(single, [1, 2, 3]);
    assert.equal(new DataLoader([1, 2, 3], { batchSize: null }).length, 3);
    const bsl = new DataLoader([10, 20, 30, 40], { batchSampler: [[3, 0], [1]] });
    assert.deepEqual(await batches(bsl), [[40, 10], [20]]);
    assert.deepEqual(await batches(new DataLoader([10, 20, 30], { sampler: [2, 1, 0], batchSize: 2 })), [[30, 20], [10]]);
  });

  test('iterable datasets', async () => {
    class Count extends IterableDataset<number> {
      constructor(readonly n: number) { super(); }
      *[Symbol.iterator]() { for (let i = 0; i < this.n; i++) yield i; }
      get length() { return this.n; }
    }
    assert.deepEqual(await batches(new DataLoader(new Count(5), 2)), [[0, 1], [2, 3], [4]]);
    assert.deepEqual(await batches(new DataLoader(new Count(5), { batchSize: 2, dropLast: true })), [[0, 1], [2, 3]]);
    assert.equal(new DataLoader(new Count(5), 2).length, 3);
    class NoLen extends IterableDataset<number> { *[Symbol.iterator]() { yield 1; } }
    assert.throws(() => new DataLoader(new NoLen()).length, /object of type 'NoLen' has no len\(\)/);
    assert.throws(() => new DataLoader(new Count(3), { shuffle: true }), /DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=true/);
  });

  test("PyTorch's errors", async () => {
    assert.throws(() => new DataLoader(ds, { batchSize: 0 }), /batch_size should be a positive integer value, but got batch_size=0/);
    assert.throws(() => new DataLoader(ds, { batchSize: 2.5 }), /batch_size should be a positive integer value, but got batch_size=2.5/);
    assert.throws(() => new DataLoader(ds, { batchSize: -1 }), /batch_size should be a positive integer value, but got batch_size=-1/);
    assert.throws(() => new DataLoader(ds, { sampler: [0], shuffle: true }), /sampler option is mutually exclusive with shuffle/);
    assert.throws(() => new DataLoader(ds, { batchSampler: [[0]], batchSize: 2 }), /batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last/);
    assert.throws(() => new DataLoader(ds, { batchSize: null, dropLast: true }), /batch_size=None option disables auto-batching and is mutually exclusive with drop_last/);
    assert.throws(() => new DataLoader(ds, { numWorkers: -1 }), /num_workers option should be non-negative/);
    assert.throws(() => new DataLoader(ds, { prefetchFactor: 2 }), /prefetch_factor option could only be specified in multiprocessing/);
    assert.throws(() => new DataLoader(ds, { dropLast: 1 as any, batchSize: 2 }), /drop_last should be a boolean value, but got drop_last=1/);
    assert.throws(() => new DataLoader(42 as any), /expects a dataset/);
  });
});

describe('digits', () => {
  test('1797 8x8 images in [0, 1] (float32) with int64 labels 0..9', async () => {
    const { images, labels } = torch.datasets.loadDigits();
    assert.deepEqual([...images.shape], [1797, 1, 8, 8]);
    assert.equal(images.dtype, 'float32'); assert.equal(labels.dtype, 'int64');
    assert.equal(await itemOf(images.min()), 0); assert.equal(await itemOf(images.max()), 1);
    assert.deepEqual(await toList(labels.slice(0, 0, 10)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]); // sklearn's first ten
    const per = new Array(10).fill(0);
    for (const l of await toList(labels) as number[]) per[l]++;
    assert.deepEqual(per, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    // sklearn: digits.images[0][0] == [0, 0, 5, 13, 9, 1, 0, 0]
    assert.deepEqual((await toList(images.select(0, 0).select(0, 0).select(0, 0)) as number[]).map((v) => v * 16), [0, 0, 5, 13, 9, 1, 0, 0]);
  });

  test('feeds a DataLoader', async () => {
    const { images, labels } = torch.datasets.loadDigits();
    const [train, val] = randomSplit(new TensorDataset(images, labels), [0.8, 0.2], new torch.Generator(0));
    assert.equal(train!.length + val!.length, 1797);
    const loader = new DataLoader(train!, { batchSize: 64, shuffle: true, generator: new torch.Generator(0) });
    assert.equal(loader.length, Math.ceil(train!.length / 64));
    const [xb, yb] = [...loader][0]!;
    assert.deepEqual([...xb!.shape], [64, 1, 8, 8]); assert.deepEqual([...yb!.shape], [64]);
  });
});
