/**
 * `torch.utils.data.DataLoader`: batches of a dataset, in order or shuffled, iterable with `for...of` and
 * `for await...of`.
 */
import { Generator, defaultGenerator } from '../../random.js';
import type { Tensor } from '../../tensor.js';
import { defaultCollate, defaultConvert } from './collate.js';
import { MapDataset, describe, getItemOf, isMapDataset, isPlainObject, lenOf } from './dataset.js';
import { BatchSampler, RandomSampler, SequentialSampler } from './sampler.js';
import { fetchSamples, tensorBatch } from './_fetch.js';
import { datasetSpec, unsendable } from './_spec.js';
import { WorkerPool } from './_pool.js';

/**
 * The type of a batch that `defaultCollate` makes from samples of type `T`: tensors, numbers, booleans and typed
 * arrays become tensors, strings a string array, and arrays/tuples, objects and Maps keep their structure (a
 * `TensorDataset` of two tensors gives `[Tensor, Tensor]`).
 */
export type Collated<T> = 0 extends (1 & T) ? any
  : T extends Tensor ? Tensor
  : T extends number | boolean ? Tensor
  : T extends string ? string[]
  : T extends ArrayBufferView ? Tensor
  : T extends Map<infer K, infer V> ? Map<K, Collated<V>>
  : T extends readonly unknown[] ? { -readonly [K in keyof T]: Collated<T[K]> }
  : T extends object ? { [K in keyof T]: Collated<T[K]> }
  : T;
import { unexpectedKeyword } from '../../_options.js';

/** Options of `DataLoader` (PyTorch's keyword arguments in camelCase). */
export interface DataLoaderOptions<T = any, B = Collated<T>> {
  /** Samples per batch (default 1); `null` turns automatic batching off: each sample is yielded alone, through `defaultConvert`. */
  batchSize?: number | null;
  /** A new random order every epoch (default false). */
  shuffle?: boolean;
  /** Where indices come from (mutually exclusive with `shuffle`). */
  sampler?: Iterable<number> | null;
  /** Where whole batches of indices come from (mutually exclusive with batchSize, shuffle, sampler, dropLast). */
  batchSampler?: Iterable<number[]> | null;
  /**
   * Worker threads that load batches (default 0: the calling thread). With workers, iterate with `for await`; the
   * dataset must be one a worker can rebuild (see `DataLoader`).
   */
  numWorkers?: number;
  /** Merges a list of samples into a batch (default `defaultCollate`). */
  collateFn?: ((samples: T[]) => B) | null;
  /** Accepted for compatibility; a no-op (there is no pinned memory on torchlet's devices). */
  pinMemory?: boolean;
  /** Drops the last batch when it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
  /** Seconds to wait for a batch from the workers before failing (default 0: no limit). */
  timeout?: number;
  /**
   * Runs in each worker thread with the worker's id before loading (`worker_init_fn`). Either a function, which is
   * re-created in the worker from its source (it sees `torch` but no other variable around its definition), or
   * `{ module, exportName }` naming a function exported by an ES module.
   */
  workerInitFn?: ((workerId: number) => unknown) | { module: string | URL; exportName: string } | null;
  /** Batches loaded in advance per worker (default 2 with workers; only with `numWorkers > 0`). */
  prefetchFactor?: number | null;
  /** Keeps the workers (and their dataset copies) alive between epochs (default false; only with workers). */
  persistentWorkers?: boolean;
  /** The generator that shuffles; without one each epoch draws its seed from the global generator. */
  generator?: Generator | null;
}

const OPTION_KEYS = new Set(['batchSize', 'shuffle', 'sampler', 'batchSampler', 'numWorkers', 'collateFn', 'pinMemory', 'dropLast', 'timeout', 'workerInitFn', 'generator', 'prefetchFactor', 'persistentWorkers']);
const POSITIONAL = ['batchSize', 'shuffle', 'sampler', 'batchSampler', 'numWorkers', 'collateFn', 'pinMemory', 'dropLast', 'timeout', 'workerInitFn'] as const;

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Iterates a dataset in batches. Arguments follow PyTorch's order (`dataset, batchSize, shuffle, sampler,
 * batchSampler, numWorkers, collateFn, pinMemory, dropLast, timeout`), optionally ending with an options object.
 *
 * - `for (const batch of loader)` runs synchronously; `for await (const batch of loader)` gives the event loop a turn
 *   between batches (torchlet's CPU caching allocator recycles the memory of collected tensors only then), so prefer
 *   it in long training loops.
 * - `loader.length` / `loader.len()` is the number of batches per epoch.
 * - Shuffling is reproducible: pass `generator`, or seed the global generator with `torch.manualSeed`.
 * - The default collation is PyTorch's `default_collate` (see `defaultCollate`); batches are typed from the dataset
 *   (`Collated<T>`), or from `collateFn`'s return type.
 * - `numWorkers > 0` loads batches in `worker_threads`, `prefetchFactor` batches ahead per worker, and gives the
 *   same batches in the same order as `numWorkers: 0`. Iterate with `for await`. Each worker holds its own copy of
 *   the dataset, so the dataset must be one a worker can rebuild: a `TensorDataset`, `Subset`/`ConcatDataset` of
 *   such, an array of structured-clonable values and tensors, or any dataset with a `workerRecipe()` method
 *   returning `{ module: import.meta.url, exportName: 'MyDataset', args: [...] }` (the worker imports the module
 *   and constructs the class with the args). The default collation runs in the workers; a custom `collateFn` runs
 *   in the main thread on the samples the workers send. Batches arrive as CPU tensors. A worker's error is
 *   re-thrown with its class and the worker's stack. Iterable-style datasets are not supported with workers.
 * @example
 * import * as torch from 'torchlet';
 * const ds = new torch.utils.data.TensorDataset(torch.randn([10, 3]), torch.arange(10));
 * const loader = new torch.utils.data.DataLoader(ds, { batchSize: 4, shuffle: true, generator: new torch.Generator(0) });
 * loader.length; // 3
 * for (const [x, y] of loader) console.log(x.shape, y.shape); // [4, 3] [4] ... [2, 3] [2]
 */
export class DataLoader<T = any, B = Collated<T>> implements Iterable<B>, AsyncIterable<B> {
  readonly dataset: MapDataset<T> | Iterable<T>;
  readonly batchSize: number | null;
  readonly dropLast: boolean;
  readonly sampler: Iterable<number> | null;
  readonly batchSampler: Iterable<number[]> | null;
  readonly numWorkers: number;
  readonly collateFn: (samples: any) => B;
  readonly pinMemory: boolean;
  readonly timeout: number;
  readonly generator: Generator | null;
  readonly prefetchFactor: number | null;
  readonly persistentWorkers: boolean;
  readonly workerInitFn: DataLoaderOptions['workerInitFn'];
  private readonly _iterable: boolean;
  private readonly _customCollate: boolean;
  private _pool: WorkerPool | null = null;

  constructor(dataset: MapDataset<T> | Iterable<T>, options?: DataLoaderOptions<T, B>);
  constructor(dataset: MapDataset<T> | Iterable<T>, batchSize?: number | null, ...rest: unknown[]);
  constructor(dataset: MapDataset<T> | Iterable<T>, ...args: unknown[]) {
    const o: DataLoaderOptions<T, B> = {};
    let last = args.length;
    if (last > 0 && isPlainObject(args[last - 1])) {
      const opts = args[last - 1] as Record<string, unknown>;
      for (const k of Object.keys(opts)) {
        if (!OPTION_KEYS.has(k)) throw unexpectedKeyword('DataLoader.__init__', k, [...OPTION_KEYS]); // with a did-you-mean hint
      }
      Object.assign(o, opts);
      last--;
    }
    if (last > POSITIONAL.length) throw new TypeError(`DataLoader takes at most ${POSITIONAL.length + 1} positional arguments (${last + 1} given)`);
    for (let i = 0; i < last; i++) {
      const key = POSITIONAL[i]!;
      if (key in o && o[key] !== undefined) throw new TypeError(`DataLoader got multiple values for argument '${key}'`);
      (o as any)[key] = args[i];
    }
    if (dataset === null || typeof dataset !== 'object') throw new TypeError(`DataLoader expects a dataset, got ${describe(dataset)}`);
    this.dataset = dataset;
    const numWorkers = o.numWorkers ?? 0;
    if (typeof numWorkers !== 'number' || !Number.isInteger(numWorkers) || numWorkers < 0) throw new RangeError('num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.');
    const prefetchFactor = o.prefetchFactor ?? null;
    if (numWorkers === 0 && prefetchFactor !== null) {
      throw new RangeError('prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None.');
    }
    if (prefetchFactor !== null && (typeof prefetchFactor !== 'number' || !Number.isInteger(prefetchFactor) || prefetchFactor < 1)) {
      throw new RangeError(`prefetch_factor should be a positive integer, got ${String(prefetchFactor)}`);
    }
    const persistentWorkers = o.persistentWorkers ?? false;
    if (typeof persistentWorkers !== 'boolean') throw new TypeError(`persistent_workers must be a boolean, got ${describe(persistentWorkers)}`);
    if (persistentWorkers && numWorkers === 0) throw new RangeError('persistent_workers option needs num_workers > 0');
    const workerInitFn = o.workerInitFn ?? null;
    if (workerInitFn !== null && typeof workerInitFn !== 'function' && !(isPlainObject(workerInitFn) && typeof workerInitFn.exportName === 'string')) {
      throw new TypeError(`worker_init_fn must be a function or { module, exportName }, got ${describe(workerInitFn)}`);
    }
    const timeout = o.timeout ?? 0;
    if (typeof timeout !== 'number' || timeout < 0) throw new RangeError('timeout option should be non-negative');

    let batchSize: number | null = o.batchSize === undefined ? 1 : o.batchSize;
    let shuffle = o.shuffle ?? false;
    let sampler = o.sampler ?? null;
    let batchSampler = o.batchSampler ?? null;
    let dropLast = o.dropLast ?? false;
    const generator = o.generator ?? null;
    if (generator !== null && !(generator instanceof Generator)) throw new TypeError(`generator must be a torch.Generator, got ${describe(generator)}`);

    this._iterable = !isMapDataset(dataset);
    if (this._iterable) {
      if (typeof (dataset as any)[Symbol.iterator] !== 'function') {
        throw new TypeError(`DataLoader expects a map-style dataset (getItem and length, or an array) or an iterable dataset, got ${describe(dataset)}`);
      }
      if (shuffle) throw new RangeError(`DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=${String(shuffle)}`);
      if (sampler !== null) throw new RangeError(`DataLoader with IterableDataset: expected unspecified sampler option, but got sampler=${describe(sampler)}`);
      if (batchSampler !== null) throw new RangeError(`DataLoader with IterableDataset: expected unspecified batch_sampler option, but got batch_sampler=${describe(batchSampler)}`);
    } else {
      shuffle = Boolean(shuffle);
    }
    if (sampler !== null && shuffle) throw new RangeError('sampler option is mutually exclusive with shuffle');
    if (batchSampler !== null) {
      if (batchSize !== 1 || shuffle || sampler !== null || dropLast) {
        throw new RangeError('batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last');
      }
      batchSize = null;
      dropLast = false;
    } else if (batchSize === null) {
      if (dropLast) throw new RangeError('batch_size=None option disables auto-batching and is mutually exclusive with drop_last');
    } else {
      // BatchSampler's checks, done here for iterable datasets too
      if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize <= 0) {
        throw new RangeError(`batch_size should be a positive integer value, but got batch_size=${String(batchSize)}`);
      }
      if (typeof dropLast !== 'boolean') throw new RangeError(`drop_last should be a boolean value, but got drop_last=${String(dropLast)}`);
    }
    if (!this._iterable) {
      if (sampler === null) {
        sampler = shuffle ? new RandomSampler(dataset as MapDataset, false, null, generator) : new SequentialSampler(dataset as MapDataset);
      }
      if (batchSize !== null && batchSampler === null) batchSampler = new BatchSampler(sampler, batchSize, dropLast);
    }
    const autoCollation = batchSampler !== null || (this._iterable && batchSize !== null);
    this.collateFn = (o.collateFn ?? (autoCollation ? defaultCollate : defaultConvert)) as (s: any) => B;
    if (typeof this.collateFn !== 'function') throw new TypeError(`collate_fn must be callable, got ${describe(this.collateFn)}`);
    this._customCollate = this.collateFn !== (defaultCollate as unknown) && this.collateFn !== (defaultConvert as unknown);
    if (numWorkers > 0) {
      if (this._iterable) throw new TypeError('DataLoader: numWorkers > 0 is not supported for iterable-style datasets in torchlet (use numWorkers: 0)');
      const why = unsendable(dataset);
      if (why !== null) {
        throw new TypeError(`DataLoader: numWorkers > 0 needs a dataset that a worker thread can rebuild, but ${why}. Give the dataset a workerRecipe() method returning { module: import.meta.url, exportName: '<its class>', args: [<constructor arguments>] }, or use a TensorDataset (or numWorkers: 0).`);
      }
    }
    this.batchSize = batchSize;
    this.dropLast = dropLast;
    this.sampler = sampler;
    this.batchSampler = batchSampler;
    this.numWorkers = numWorkers;
    this.pinMemory = Boolean(o.pinMemory ?? false);
    this.timeout = timeout;
    this.generator = generator;
    this.prefetchFactor = numWorkers > 0 ? prefetchFactor ?? 2 : null;
    this.persistentWorkers = persistentWorkers;
    this.workerInitFn = workerInitFn;
  }

  /** Number of batches per epoch (samples when automatic batching is off). */
  get length(): number {
    if (this._iterable) {
      const n = lenOf(this.dataset);
      if (this.batchSize === null) return n;
      return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
    }
    return lenOf(this.batchSampler ?? this.sampler);
  }
  /** Same as `length` (PyTorch's `len(loader)`). */
  len(): number { return this.length; }

  /** @internal */
  private _fetch(indices: number[]): T[] { return fetchSamples(this.dataset as MapDataset<T>, indices); }

  /** @internal The default collation's fast path for plain TensorDatasets (see `tensorBatch`). */
  private _tensorBatch(indices: readonly number[]): Tensor[] | null {
    if (this.collateFn !== (defaultCollate as unknown)) return null;
    return tensorBatch(this.dataset, indices);
  }

  /** Iterates the batches of one epoch synchronously. */
  *[Symbol.iterator](): Iterator<B> {
    if (this.numWorkers > 0) {
      throw new TypeError(`DataLoader with numWorkers=${this.numWorkers} loads batches asynchronously: iterate it with \`for await (const batch of loader)\``);
    }
    if (this._iterable) { yield* this._iterIterable(); return; }
    if (this.batchSampler !== null) {
      for (const indices of this.batchSampler) {
        const fast = this._tensorBatch(indices);
        yield fast !== null ? fast as unknown as B : this.collateFn(this._fetch([...indices]));
      }
    } else {
      for (const i of this.sampler!) yield this.collateFn(getItemOf(this.dataset as MapDataset<T>, i));
    }
  }

  private *_iterIterable(): IterableIterator<B> {
    const bs = this.batchSize;
    if (bs === null) { for (const x of this.dataset as Iterable<T>) yield this.collateFn(x); return; }
    let batch: T[] = [];
    for (const x of this.dataset as Iterable<T>) {
      batch.push(x);
      if (batch.length === bs) { yield this.collateFn(batch); batch = []; }
    }
    if (batch.length > 0 && !this.dropLast) yield this.collateFn(batch);
  }

  /**
   * Iterates the batches of one epoch, giving the event loop a turn before each batch; with `numWorkers > 0` the
   * batches come from the worker threads.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    if (this.numWorkers > 0) { yield* this._iterWorkers(); return; }
    const it = this[Symbol.iterator]();
    try {
      for (;;) {
        await turn();
        const r = it.next();
        if (r.done) return;
        yield r.value;
      }
    } finally {
      it.return?.();
    }
  }

  /** @internal One epoch through the worker pool (started here, or kept from an earlier epoch when persistent). */
  private async *_iterWorkers(): AsyncGenerator<B> {
    const tasks: Iterator<number[] | number> = this.batchSampler !== null
      ? (function* (bs: Iterable<number[]>) { for (const b of bs) yield [...b]; })(this.batchSampler)
      : this.sampler![Symbol.iterator]();
    let pool = this._pool;
    if (pool === null) {
      // the workers' base seed, drawn like PyTorch's from the loader's generator, but from a copy of its state:
      // shuffling then sees the same random stream as with numWorkers 0, so both give the same batches
      const g = this.generator ?? defaultGenerator;
      const st = g.getState();
      const baseSeed = g.randint(0, 2 ** 31);
      g.setState(st);
      const init = this.workerInitFn;
      pool = await WorkerPool.start({
        numWorkers: this.numWorkers, dataset: this.dataset, baseSeed, timeout: this.timeout,
        datasetSpec: (transfer) => datasetSpec(this.dataset, transfer),
        initFn: init === null || init === undefined ? null : typeof init === 'function' ? { source: Function.prototype.toString.call(init) }
          : { module: init.module instanceof URL ? init.module.href : init.module, exportName: init.exportName },
        mode: this._customCollate ? 'samples' : this.batchSampler !== null ? 'default' : 'convert',
      });
      if (this.persistentWorkers) this._pool = pool;
    }
    try {
      const collate = this._customCollate ? (v: unknown) => this.collateFn(v) : null;
      for await (const b of pool.run(tasks, this.prefetchFactor!, collate)) yield b as B;
    } finally {
      if (!this.persistentWorkers) await pool.close();
    }
  }

  /**
   * Stops persistent worker threads now (they are otherwise kept until the process exits; they do not keep it
   * alive). A later epoch starts new ones.
   */
  async shutdownWorkers(): Promise<void> {
    const p = this._pool;
    this._pool = null;
    if (p !== null) await p.close();
  }

  /** PyTorch-style summary. */
  toString(): string {
    return `DataLoader(dataset=${describe(this.dataset)}, batchSize=${this.batchSize}, length=${(() => { try { return this.length; } catch { return '?'; } })()})`;
  }
}
