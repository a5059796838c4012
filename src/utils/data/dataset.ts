/**
 * `torch.utils.data` datasets: `Dataset`, `IterableDataset`, `TensorDataset`, `Subset`, `ConcatDataset`,
 * `randomSplit`.
 *
 * A map-style dataset is anything with `getItem(index)` and a `length` (PyTorch's `__getitem__` / `__len__`); a
 * plain array is one too, as a Python list is in PyTorch.
 */
import { Tensor } from '../../tensor.js';
import { Generator, defaultGenerator, permutation } from '../../random.js';
import { checkOptions } from '../../_options.js';

/** What the loaders and wrappers accept as a map-style dataset: a `Dataset`, any `{ getItem, length }`, or an array. */
export type MapDataset<T = any> = { getItem(index: number): T; readonly length: number } | readonly T[];

/**
 * Base class of map-style datasets: subclasses implement `getItem(index)` and the `length` getter
 * (PyTorch's `__getitem__` and `__len__`); `len()` returns `length`.
 * @example
 * import * as torch from 'torchlet';
 * class Squares extends torch.utils.data.Dataset<[number, number]> {
 *   get length() { return 10; }
 *   getItem(i: number): [number, number] { return [i, i * i]; }
 * }
 * new Squares().getItem(3); // [3, 9]
 */
export abstract class Dataset<T = any> {
  /** The sample at `index` (PyTorch's `__getitem__`). */
  abstract getItem(index: number): T;
  /** The number of samples (PyTorch's `__len__`). */
  abstract get length(): number;
  /** Same as `length` (PyTorch's `len(dataset)`). */
  len(): number { return this.length; }
}

/**
 * Base class of iterable-style datasets (streams): subclasses implement `[Symbol.iterator]()`. The `DataLoader`
 * batches what the iterator yields; it cannot shuffle or sample them. A `length` is optional (the loader's `length`
 * needs it).
 * @example
 * class Counter extends torch.utils.data.IterableDataset<number> {
 *   *[Symbol.iterator]() { for (let i = 0; i < 5; i++) yield i; }
 * }
 * [...new torch.utils.data.DataLoader(new Counter(), 2)].map((b) => b.tolist()); // [[0, 1], [2, 3], [4]]
 */
export abstract class IterableDataset<T = any> implements Iterable<T> {
  abstract [Symbol.iterator](): Iterator<T>;
}

/** @internal True for map-style datasets (including arrays). */
export function isMapDataset(x: unknown): x is MapDataset {
  if (Array.isArray(x)) return true;
  return x !== null && typeof x === 'object' && typeof (x as any).getItem === 'function';
}

/** @internal The sample at `i` of a map-style dataset. */
export function getItemOf<T>(ds: MapDataset<T>, i: number): T {
  if (Array.isArray(ds)) {
    const n = ds.length;
    const j = i < 0 ? i + n : i;
    if (!Number.isInteger(i) || j < 0 || j >= n) throw new RangeError('list index out of range');
    return ds[j];
  }
  return (ds as { getItem(i: number): T }).getItem(i);
}

/** @internal `len(dataset)`, with PyTorch's TypeError for datasets that have none. */
export function lenOf(ds: unknown): number {
  const n = (ds as any)?.length;
  if (typeof n === 'number') return n;
  const name = (ds as any)?.constructor?.name ?? typeof ds;
  throw new TypeError(`object of type '${name}' has no len()`);
}

/**
 * A dataset of tensors that share their first dimension: sample `i` is `[t0[i], t1[i], ...]` (views), typed as a
 * tuple of as many tensors (`new TensorDataset(x, y)` samples and `DataLoader` batches are `[Tensor, Tensor]`).
 * Throws PyTorch's "Size mismatch between tensors" when the first dimensions differ.
 * @example
 * const ds = new torch.utils.data.TensorDataset(torch.randn([100, 3]), torch.zeros([100], { dtype: 'int64' }));
 * ds.length;          // 100
 * const [x, y] = ds.getItem(0); // x.shape [3], y.shape []
 */
export class TensorDataset<T extends Tensor[] = Tensor[]> extends Dataset<T> {
  readonly tensors: Readonly<T>;
  constructor(...tensors: T) {
    super();
    if (tensors.length === 0) throw new RangeError('TensorDataset needs at least one tensor');
    for (const t of tensors) {
      if (!(t instanceof Tensor)) throw new TypeError(`TensorDataset expects tensors, got ${describe(t)}`);
      if (t.dim() === 0) throw new RangeError('TensorDataset: zero-dimensional tensors have no samples to index');
    }
    const n = tensors[0]!.shape[0]!;
    if (!tensors.every((t) => t.shape[0] === n)) throw new RangeError('Size mismatch between tensors');
    this.tensors = tensors;
  }
  getItem(index: number): T {
    const n = this.length;
    if (!Number.isInteger(index) || index < -n || index >= n) {
      throw new RangeError(`index ${index} is out of bounds for dimension 0 with size ${n}`);
    }
    return this.tensors.map((t) => t.select(0, index)) as T;
  }
  get length(): number { return this.tensors[0]!.shape[0]!; }
}

/**
 * The samples of `dataset` at `indices` (a number array or an integer tensor), in that order.
 * @example
 * const sub = new torch.utils.data.Subset(['a', 'b', 'c', 'd'], [3, 1]);
 * sub.getItem(0); // 'd'
 */
export class Subset<T = any> extends Dataset<T> {
  readonly dataset: MapDataset<T>;
  readonly indices: readonly number[];
  constructor(dataset: MapDataset<T>, indices: readonly number[] | Tensor) {
    super();
    if (!isMapDataset(dataset)) throw new TypeError(`Subset expects a map-style dataset, got ${describe(dataset)}`);
    this.dataset = dataset;
    const idx = indices instanceof Tensor ? Array.from(indices.reshape([-1]).dataSync()) : [...indices];
    for (const i of idx) if (!Number.isInteger(i)) throw new TypeError(`Subset indices must be integers, got ${i}`);
    this.indices = idx;
  }
  getItem(index: number): T {
    const n = this.indices.length;
    const j = index < 0 ? index + n : index;
    if (!Number.isInteger(index) || j < 0 || j >= n) throw new RangeError('list index out of range');
    return getItemOf(this.dataset, this.indices[j]!);
  }
  get length(): number { return this.indices.length; }
}

/**
 * The datasets one after another.
 * @example
 * const ds = new torch.utils.data.ConcatDataset([[1, 2], [3, 4, 5]]);
 * ds.length;      // 5
 * ds.getItem(3);  // 4
 * ds.cumulativeSizes; // [2, 5]
 */
export class ConcatDataset<T = any> extends Dataset<T> {
  readonly datasets: readonly MapDataset<T>[];
  readonly cumulativeSizes: readonly number[];
  constructor(datasets: Iterable<MapDataset<T>>) {
    super();
    const list = [...datasets];
    if (list.length === 0) throw new RangeError('datasets should not be an empty iterable');
    for (const d of list) {
      if (d instanceof IterableDataset) throw new TypeError('ConcatDataset does not support IterableDataset');
      if (!isMapDataset(d)) throw new TypeError(`ConcatDataset expects map-style datasets, got ${describe(d)}`);
    }
    this.datasets = list;
    let s = 0;
    this.cumulativeSizes = list.map((d) => (s += lenOf(d)));
  }
  get length(): number { return this.cumulativeSizes[this.cumulativeSizes.length - 1]!; }
  getItem(index: number): T {
    const n = this.length;
    let idx = index;
    if (idx < 0) {
      if (-idx > n) throw new RangeError('absolute value of index should not exceed dataset length');
      idx = n + idx;
    }
    if (!Number.isInteger(idx) || idx >= n) throw new RangeError(`index ${index} is out of range for a ConcatDataset of length ${n}`);
    // bisect_right
    let lo = 0, hi = this.cumulativeSizes.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (idx < this.cumulativeSizes[mid]!) hi = mid; else lo = mid + 1; }
    const sampleIdx = lo === 0 ? idx : idx - this.cumulativeSizes[lo - 1]!;
    return getItemOf(this.datasets[lo]!, sampleIdx);
  }
}

/**
 * Splits `dataset` at random into non-overlapping `Subset`s of the given lengths, or of the given fractions
 * (summing to 1; the remainder of the rounding goes one by one to the first splits, as in PyTorch). The permutation
 * comes from `generator` (default: the global generator, so `torch.manualSeed` makes it reproducible).
 * @example
 * const [train, val] = torch.utils.data.randomSplit(ds, [0.8, 0.2], new torch.Generator(42));
 */
export function randomSplit<T>(dataset: MapDataset<T>, lengths: readonly number[], generator: Generator | { generator?: Generator } = defaultGenerator): Subset<T>[] {
  if (!(generator instanceof Generator)) {
    if (generator === null || typeof generator !== 'object') throw new TypeError(`random_split(): argument 'generator' must be torch.Generator, not ${generator === null ? 'null' : typeof generator}`);
    checkOptions('random_split', generator, ['generator']);
  }
  const gen = generator instanceof Generator ? generator : generator.generator ?? defaultGenerator;
  const n = lenOf(dataset);
  let lens = [...lengths];
  const sum = lens.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) <= 1e-9 * Math.max(1, Math.abs(sum)) && sum <= 1) {
    const sub: number[] = [];
    lens.forEach((frac, i) => {
      if (frac < 0 || frac > 1) throw new RangeError(`Fraction at index ${i} is not between 0 and 1`);
      sub.push(Math.floor(n * frac));
    });
    const remainder = n - sub.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) sub[i % sub.length]! += 1;
    sub.forEach((l, i) => { if (l === 0) process.emitWarning(`Length of split at index ${i} is 0. This might result in an empty dataset.`); });
    lens = sub;
  }
  for (const l of lens) {
    if (!Number.isInteger(l) || l < 0) throw new RangeError(`randomSplit lengths must be non-negative integers or fractions summing to 1, got ${l}`);
  }
  if (lens.reduce((a, b) => a + b, 0) !== n) throw new RangeError('Sum of input lengths does not equal the length of the input dataset!');
  const perm = permutation(n, gen);
  const out: Subset<T>[] = [];
  let offset = 0;
  for (const l of lens) { out.push(new Subset(dataset, perm.slice(offset, offset + l))); offset += l; }
  return out;
}

/** @internal A short description of a value for error messages. */
export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (typeof x === 'object' || typeof x === 'function') return (x as any).constructor?.name ?? typeof x;
  return typeof x;
}

/** @internal An object literal (prototype `Object.prototype` or `null`), PyTorch's Mapping for collation. */
export function isPlainObject(x: unknown): x is Record<string, any> {
  if (x === null || typeof x !== 'object') return false;
  const p = Object.getPrototypeOf(x);
  return p === Object.prototype || p === null;
}
