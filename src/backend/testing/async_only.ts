/**
 * The "async-only" test backend: a wrapper around another backend (normally the portable CPU one) that behaves
 * like a device whose memory the host cannot see (a GPU, WebGPU, a remote worker):
 *
 * - `readSync` throws ({@link AsyncOnlyReadError}): such a device can only be read with `await tensor.array()` or `await tensor.typedArray()`.
 * - Every host transfer is counted per kind (`read`: device → host, `fromArray`: host → device), so a test can
 *   assert that a training step performs none (issue 9: "no hidden host reads").
 * - Storages are handed out as opaque {@link AsyncOnlyStorage} objects without the inner typed array, so code above
 *   the backend that aliases `CpuStorage.data` takes its generic path (and any host round trip it makes is
 *   counted or throws) instead of silently poking CPU memory.
 *
 * Every other method of the inner backend, including optional high-level kernels added later, is forwarded
 * generically by a `Proxy`: storages inside the arguments (also inside arrays and plain objects, as in
 * multi-tensor kernels) are unwrapped, storages in the result are wrapped. It is exported for tests only (not
 * from `src/index.ts`).
 */
import type { DType, TypedArray } from '../../dtype.js';
import type { Backend, Layout, Storage } from '../types.js';

/** Thrown by {@link AsyncOnlyBackend.readSync}. */
export class AsyncOnlyReadError extends Error {
  constructor(what: string) {
    super(`${what}: this device reads asynchronously and cannot be read synchronously; call \`await tensor.array()\` or \`await tensor.typedArray()\` instead`);
    this.name = 'AsyncOnlyReadError';
  }
}

/** Host transfers made through an {@link AsyncOnlyBackend}, by kind. */
export interface TransferCounts {
  /** Device → host reads (`read`). */
  read: number;
  /** Host → device uploads (`fromArray`). */
  fromArray: number;
  /** Attempted synchronous reads (`readSync`); each one threw. */
  readSync: number;
}

/** One recorded transfer (with `recordStacks`). */
export interface TransferRecord {
  kind: keyof TransferCounts;
  dtype: DType;
  length: number;
  /** The caller's stack, trimmed to a few frames. */
  stack: string;
}

/** A storage of an async-only backend: dtype and length only; the elements stay "on the device". */
export class AsyncOnlyStorage implements Storage {
  /** @internal */
  constructor(readonly inner: Storage) {}
  get dtype(): DType { return this.inner.dtype; }
  get length(): number { return this.inner.length; }
}

export interface AsyncOnlyOptions {
  /** Record a short stack for every transfer (see `transferLog()`); off by default (costs a stack capture). */
  recordStacks?: boolean;
  /** Frames kept per recorded stack (default 6). */
  stackDepth?: number;
  /**
   * Diagnostics only: count `readSync` and serve it from the inner backend instead of throwing, so that a test can
   * measure every host transfer of a whole step while library code still reads synchronously. Off by default.
   */
  allowSyncReads?: boolean;
}

/** The backend plus its counters; every method of the inner backend is available too. */
export type AsyncOnlyBackend = Backend & {
  /** The wrapped backend. */
  readonly inner: Backend;
  /** Transfers since creation or the last `resetTransfers()`. */
  transfers(): TransferCounts;
  /** Sets every counter to 0 and clears the log. */
  resetTransfers(): void;
  /** The recorded transfers (empty unless `recordStacks`). */
  transferLog(): readonly TransferRecord[];
  /** Turns stack recording on or off. */
  recordStacks(on: boolean): void;
  /** Turns the diagnostic `allowSyncReads` mode on or off (see {@link AsyncOnlyOptions}). */
  allowSyncReads(on: boolean): void;
};

/** Wraps `inner` as an async-only device (see the module comment). */
export function asyncOnlyBackend(inner: Backend, opts: AsyncOnlyOptions = {}): AsyncOnlyBackend {
  const counts: TransferCounts = { read: 0, fromArray: 0, readSync: 0 };
  const log: TransferRecord[] = [];
  let recording = opts.recordStacks ?? false;
  let syncAllowed = opts.allowSyncReads ?? false;
  const depth = opts.stackDepth ?? 6;
  // One wrapper per inner storage, so identity-based bookkeeping above the backend (autograd's claimed set,
  // saved-tensor versions) sees the same object every time a kernel returns the same storage.
  const wrappers = new WeakMap<Storage, AsyncOnlyStorage>();

  const wrap = (s: Storage): AsyncOnlyStorage => {
    if (s instanceof AsyncOnlyStorage) return s;
    let w = wrappers.get(s);
    if (w === undefined) { w = new AsyncOnlyStorage(s); wrappers.set(s, w); }
    return w;
  };
  const isStorage = (v: unknown): v is Storage =>
    typeof v === 'object' && v !== null && 'dtype' in v && 'length' in v && !ArrayBuffer.isView(v);
  // Storages made by the inner backend directly (before this wrapper was registered) pass through unchanged.
  const unwrap = (v: unknown): unknown => {
    if (v instanceof AsyncOnlyStorage) return v.inner;
    if (Array.isArray(v)) return v.some(needsUnwrap) ? v.map(unwrap) : v;
    if (isPlainObject(v) && Object.values(v).some(needsUnwrap)) {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[k] = unwrap(x);
      return o;
    }
    return v;
  };
  const needsUnwrap = (v: unknown): boolean =>
    v instanceof AsyncOnlyStorage || (Array.isArray(v) && v.some(needsUnwrap)) ||
    (isPlainObject(v) && Object.values(v).some(needsUnwrap));
  const wrapResult = (v: unknown): unknown => {
    if (isStorage(v)) return wrap(v);
    if (v instanceof Promise) return v.then(wrapResult);
    if (Array.isArray(v)) return v.map(wrapResult);
    if (isPlainObject(v) && Object.values(v).some(isStorage)) {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[k] = wrapResult(x);
      return o;
    }
    return v;
  };
  const note = (kind: keyof TransferCounts, dtype: DType, length: number): void => {
    counts[kind]++;
    if (recording) {
      const stack = (new Error().stack ?? '').split('\n').slice(3, 3 + depth).map((l) => l.trim()).join('\n');
      log.push({ kind, dtype, length, stack });
    }
  };

  const own: Record<string | symbol, unknown> = {
    inner,
    transfers: (): TransferCounts => ({ ...counts }),
    resetTransfers: (): void => { counts.read = 0; counts.fromArray = 0; counts.readSync = 0; log.length = 0; },
    transferLog: (): readonly TransferRecord[] => log.slice(),
    recordStacks: (on: boolean): void => { recording = on; },
    allowSyncReads: (on: boolean): void => { syncAllowed = on; },
    readSync: (s: Storage, layout: Layout): TypedArray => {
      note('readSync', s.dtype, s.length);
      if (syncAllowed) return inner.readSync(unwrap(s) as Storage, layout);
      throw new AsyncOnlyReadError(`readSync of a ${s.dtype} storage of ${s.length} elements`);
    },
    read: (s: Storage, layout: Layout): Promise<TypedArray> => {
      note('read', s.dtype, s.length);
      // The inner read may itself be synchronous underneath; the caller still only sees a promise.
      return inner.read(unwrap(s) as Storage, layout);
    },
    fromArray: (dtype: DType, data: ArrayLike<number>): Storage => {
      note('fromArray', dtype, data.length);
      return wrap(inner.fromArray(dtype, data));
    },
    free: (s: Storage): void => {
      const i = unwrap(s) as Storage;
      if (s instanceof AsyncOnlyStorage) wrappers.delete(i);
      inner.free(i);
    },
  };

  const forwarded = new Map<string | symbol, Function>();
  return new Proxy(inner, {
    get(target, prop) {
      if (Object.prototype.hasOwnProperty.call(own, prop)) return own[prop];
      const v = Reflect.get(target, prop, target) as unknown;
      if (typeof v !== 'function') return v;
      let f = forwarded.get(prop);
      if (f === undefined) {
        f = (...args: unknown[]) => wrapResult((v as Function).apply(target, args.map(unwrap)));
        forwarded.set(prop, f);
      }
      return f;
    },
    has(target, prop) { return Object.prototype.hasOwnProperty.call(own, prop) || Reflect.has(target, prop); },
  }) as unknown as AsyncOnlyBackend;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}
