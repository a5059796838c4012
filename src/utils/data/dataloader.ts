/**
 * `torch.utils.data.DataLoader`: batches of a dataset, in order or shuffled, iterable with `for...of` and
 * `for await...of`.
 */
import { Generator } from '../../random.js';
import { Tensor } from '../../tensor.js';
import { tensor } from '../../ops.js';
import { defaultCollate, defaultConvert } from './collate.js';
import { IterableDataset, MapDataset, TensorDataset, Subset, describe, getItemOf, isMapDataset, isPlainObject, lenOf } from './dataset.js';
import { BatchSampler, RandomSampler, SequentialSampler } from './sampler.js';
import { unexpectedKeyword } from '../../_options.js';

/** Options of `DataLoader` (PyTorch's keyword arguments in camelCase). */
export interface DataLoaderOptions<T = any, B = any> {
  /** Samples per batch (default 1); `null` turns automatic batching off: each sample is yielded alone, through `defaultConvert`. */
  batchSize?: number | null;
  /** A new random order every epoch (default false). */
  shuffle?: boolean;
  /** Where indices come from (mutually exclusive with `shuffle`). */
  sampler?: Iterable<number> | null;
  /** Where whole batches of indices come from (mutually exclusive with batchSize, shuffle, sampler, dropLast). */
  batchSampler?: Iterable<number[]> | null;
  /** Only 0: torchlet loads in the calling thread. */
  numWorkers?: number;
  /** Merges a list of samples into a batch (default `defaultCollate`). */
  collateFn?: ((samples: T[]) => B) | null;
  /** Accepted for compatibility; a no-op (there is no pinned memory on torchlet's devices). */
  pinMemory?: boolean;
  /** Drops the last batch when it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
  /** Accepted for compatibility (must be non-negative); only meaningful with workers. */
  timeout?: number;
  /** The generator that shuffles; without one each epoch draws its seed from the global generator. */
  generator?: Generator | null;
}

const OPTION_KEYS = new Set(['batchSize', 'shuffle', 'sampler', 'batchSampler', 'numWorkers', 'collateFn', 'pinMemory', 'dropLast', 'timeout', 'generator']);
const POSITIONAL = ['batchSize', 'shuffle', 'sampler', 'batchSampler', 'numWorkers', 'collateFn', 'pinMemory', 'dropLast', 'timeout'] as const;

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
 * - The default collation is PyTorch's `default_collate` (see `defaultCollate`).
 * Not supported: worker processes (`numWorkers > 0`), `workerInitFn`, `prefetchFactor`, `persistentWorkers`.
 * @example
 * import * as torch from 'torchlet';
 * const ds = new torch.utils.data.TensorDataset(torch.randn([10, 3]), torch.arange(10));
 * const loader = new torch.utils.data.DataLoader(ds, { batchSize: 4, shuffle: true, generator: new torch.Generator(0) });
 * loader.length; // 3
 * for (const [x, y] of loader) console.log(x.shape, y.shape); // [4, 3] [4] ... [2, 3] [2]
 */
export class DataLoader<T = any, B = any> implements Iterable<B>, AsyncIterable<B> {
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
  private readonly _iterable: boolean;

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
    if (typeof numWorkers !== 'number' || numWorkers < 0) throw new RangeError('num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.');
    if (numWorkers > 0) throw new RangeError(`numWorkers=${numWorkers} is not supported: torchlet loads data in the calling thread (use numWorkers: 0)`);
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
    this.batchSize = batchSize;
    this.dropLast = dropLast;
    this.sampler = sampler;
    this.batchSampler = batchSampler;
    this.numWorkers = numWorkers;
    this.pinMemory = Boolean(o.pinMemory ?? false);
    this.timeout = timeout;
    this.generator = generator;
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

  /** @internal The samples at `indices`, fetched in one call when the dataset has `getItems` (PyTorch's `__getitems__`). */
  private _fetch(indices: number[]): T[] {
    const ds = this.dataset as MapDataset<T>;
    const many = (ds as any).getItems;
    if (typeof many === 'function') return many.call(ds, indices);
    return indices.map((i) => getItemOf(ds, i));
  }

  /**
   * @internal Fast path with the same result as fetching and stacking samples: a plain `TensorDataset` (or plain
   * `Subset`s of one) under the default collation gathers each batch with one `indexSelect` per tensor.
   */
  private _tensorBatch(indices: readonly number[]): Tensor[] | null {
    if (this.collateFn !== (defaultCollate as unknown)) return null;
    let ds: unknown = this.dataset;
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
    return ds.tensors.map((t) => t.indexSelect(0, index));
  }

  /** Iterates the batches of one epoch synchronously. */
  *[Symbol.iterator](): Iterator<B> {
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

  /** Iterates the batches of one epoch, giving the event loop a turn before each batch. */
  async *[Symbol.asyncIterator](): AsyncIterator<B> {
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

  /** PyTorch-style summary. */
  toString(): string {
    return `DataLoader(dataset=${describe(this.dataset)}, batchSize=${this.batchSize}, length=${(() => { try { return this.length; } catch { return '?'; } })()})`;
  }
}
