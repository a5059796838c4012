/**
 * `Tensor`: an n-d array with PyTorch's semantics (dtypes and promotion, broadcasting, views that share
 * storage, autograd). Operations live in `ops/` (one module per concern, re-exported by `ops.ts`); this file holds
 * the class, its metadata and the glue that builds tensors from backend storages.
 */
import type { Backend, Layout, Storage } from './backend/types.js';
import type { DType, TypedArray } from './dtype.js';
import { isFloating } from './dtype.js';
import { CPU, Device, canonicalDevice, device as parseDevice, registerDeviceType } from './device.js';
import type { DeviceLike } from './device.js';
import { Node, trackAllocation } from './autograd/engine.js';
import { isInferenceModeEnabled } from './autograd/grad_mode.js';
import { contiguousStrides, nestValues, numelOf } from './shape.js';
import * as ops from './ops.js';
import { registerTensorPrototype } from './ops/registry.js';

/** A backend factory: makes the backend instance that serves device `index` of its type. */
export type BackendFactory = (index: number) => Backend;

interface Registration { factory: BackendFactory; deviceCount: number | null }
const registrations = new Map<string, Registration>();
/** One backend instance per device (`type:index`), made on first use. */
const instances = new Map<string, Backend>();

/**
 * Registers the backend that serves a device type, as a factory called once per device (type + index) on first
 * use: `registerBackend('cuda', (index) => new CudaBackend(index), { deviceCount: 2 })`. Passing a backend instance
 * instead of a factory makes that one instance serve every index of the type. Registering a new type makes it
 * parseable by `torch.device`; registering again replaces the backend (instances already made are dropped).
 * `deviceCount` (default: unbounded) bounds the valid indices, as the number of visible GPUs does in PyTorch.
 * @example torch.registerBackend('fake', () => new torch.CpuBackend());
 */
/** Python's name of a JavaScript value's type, for TypeErrors (`int`, `float`, `str`, `NoneType`, ...). */
function pyKind(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'list';
  return typeof v === 'object' ? (v as object).constructor?.name ?? 'object' : typeof v;
}

export function registerBackend(deviceType: string, b: Backend | BackendFactory, opts: { deviceCount?: number } = {}): void {
  registerDeviceType(deviceType);
  const factory: BackendFactory = typeof b === 'function' ? b : () => b;
  registrations.set(deviceType, { factory, deviceCount: opts.deviceCount ?? null });
  for (const k of [...instances.keys()]) if (k.startsWith(deviceType + ':')) instances.delete(k);
  byDevice = new WeakMap();
}

/** Whether a backend serves `deviceType`. @example torch.hasBackend('cpu') // true */
export function hasBackend(deviceType: string): boolean { return registrations.has(deviceType); }

/** @internal The number of devices of a registered type (null: unbounded), for `torch.cuda.deviceCount()`. */
export function registeredDeviceCount(deviceType: string): number | null { return registrations.get(deviceType)?.deviceCount ?? null; }

/**
 * The backend instance serving a device (`'cpu'`, `'cuda:1'`, a `Device`), made by its type's factory on first
 * use. A CUDA device without a registered CUDA backend fails with PyTorch's `Torch not compiled with CUDA enabled`.
 * @example torch.getBackend('cpu').name // 'cpu'
 */
export function getBackend(dev: DeviceLike): Backend {
  if (dev instanceof Device) {
    const hit = byDevice.get(dev); // the hot path: factories and transfers pass Device objects
    if (hit !== undefined) return hit;
  }
  const b = makeBackend(dev);
  if (dev instanceof Device) byDevice.set(dev, b);
  return b;
}

/** getBackend's cache per Device object; replaced whenever a registration changes. */
let byDevice = new WeakMap<Device, Backend>();

function makeBackend(dev: DeviceLike): Backend {
  const d = canonicalDevice(parseDevice(dev));
  const key = `${d.type}:${d.index ?? 0}`;
  const hit = instances.get(key);
  if (hit !== undefined) return hit;
  const reg = registrations.get(d.type);
  if (reg === undefined) {
    if (d.type === 'cuda') throw new Error('Torch not compiled with CUDA enabled');
    throw new Error(`no backend registered for device type '${d.type}'`);
  }
  const idx = d.index ?? 0;
  if (reg.deviceCount !== null && idx >= reg.deviceCount) {
    throw new Error(`${d.type} error: invalid device ordinal (device ${idx}, but only ${reg.deviceCount} ${d.type} device(s) are available)`);
  }
  const b = reg.factory(idx);
  instances.set(key, b);
  return b;
}

export type Scalar = number | boolean;
export type NestedArray = Scalar | NestedArray[] | TypedArray | Tensor;

export class Tensor {
  /** @internal storage */
  _s: Storage;
  /** @internal the frontend record of `_s` (version counter, lifetime), shared by this tensor and all its views */
  _h: StorageHandle;
  /** @internal */
  _shape: number[];
  /** @internal */
  _strides: number[];
  /** @internal */
  _offset: number;
  readonly dtype: DType;
  readonly device: Device;
  /** @internal */
  _backend: Backend;
  /** @internal */
  _requiresGrad = false;
  /** @internal */
  _gradFn: Node | null = null;
  /** @internal the tensor this one is a view of (null for tensors that own their storage) */
  _base: Tensor | null = null;
  /** @internal created under inferenceMode */
  _inference = false;
  /** @internal a scalar wrapped as a tensor for type promotion */
  _wrapped = false;
  /** @internal bumped when this tensor's history is replaced by an in-place write or requiresGrad_ (bases) */
  _historyVersion = 0;
  /** @internal for views: the base's `_historyVersion` when this view's history was set; when the base moves on,
   * the view's history is regenerated from the base, as PyTorch does */
  _viewBaseVersion = 0;
  /** @internal the storage of `grad` (assigned without checks by the engine and optimizers' internals) */
  _grad: Tensor | null = null;
  /**
   * @internal For a gradient the engine made and stored as a parameter's `_grad`: its storage record's `refs` at
   * that moment; -1 once the tensor has been handed to user code (the `grad` getter or setter) or for any other
   * tensor. `dropGrad` frees the storage at once when this still equals `refs`: no user code can hold the tensor
   * and no other tensor (a view) was made over its storage since.
   */
  _gradOwner = -1;
  /**
   * @internal For an activation that a container (`Sequential`) passed from one built-in layer to the next, so that
   * no user code ever received it: its storage record's `refs` at that moment (plus the views backward rules made
   * of it since); -1 for every other tensor, and once it is handed out (`Node.unpack`). Such a tensor's storage goes
   * back to the backend as soon as nothing can use it: at once when no graph node saved it, or when backward has
   * released the last node that did (see `Sequential.forward` and `backward` in autograd/engine.ts).
   */
  _internal = -1;
  /** @internal How many graph nodes hold this tensor as a saved tensor and have not yet been released. */
  _saves = 0;
  /**
   * Accumulated gradient after `backward()` (null until then, or after `zeroGrad()`). Assigning checks, as PyTorch
   * does, that the value is a tensor (or null) of this tensor's dtype, device and size: a float64 gradient on a
   * float32 parameter would otherwise drive the optimizer in the wrong precision.
   */
  get grad(): Tensor | null {
    const g = this._grad;
    if (g !== null) g._gradOwner = -1;
    return g;
  }
  set grad(g: Tensor | null) {
    if (g !== null) {
      if (g instanceof Tensor) g._gradOwner = -1;
      if (!(g instanceof Tensor)) throw new TypeError(`assigned grad expected to be a Tensor or None but got grad of type ${pyKind(g)}`);
      if (g.dtype !== this.dtype || String(g.device) !== String(this.device)) throw new TypeError('assigned grad has data of a different type');
      if (g._shape.length !== this._shape.length || g._shape.some((n, i) => n !== this._shape[i])) {
        throw new RangeError('assigned grad has data of a different size');
      }
    }
    this._grad = g;
  }

  /**
   * @internal Use the factories (`torch.tensor`, `torch.zeros`, ...) to make tensors. A tensor over an existing
   * tensor's storage must pass that tensor's `_h` (as `makeView` and `detach` do) so that they share the version
   * counter and lifetime; without it the storage is taken as new. (A WeakMap from storage to handle would make
   * this automatic but was measured at about +2 µs per tensor created, doubling the cost of small ops.)
   */
  constructor(s: Storage, shape: number[], strides: number[], offset: number, backend: Backend, device: Device = CPU,
    handle?: StorageHandle) {
    this._s = s;
    const h = handle ?? new StorageHandle(s, backend);
    this._h = h;
    h.refs++;
    this._shape = shape;
    this._strides = strides;
    this._offset = offset;
    this.dtype = s.dtype;
    this._backend = backend;
    this.device = device;
    if (isInferenceModeEnabled()) this._inference = true;
  }

  /** The size of each dimension (`torch.Size`). */
  get shape(): readonly number[] { return this._shape; }
  /** @internal */
  get layout(): Layout { return { shape: this._shape, strides: this._strides, offset: this._offset }; }

  /** Number of dimensions. @example torch.zeros([2, 3]).dim() // 2 */
  dim(): number { return this._shape.length; }
  /** Alias of `dim()`. */
  get ndim(): number { return this._shape.length; }
  /** Number of elements. @example torch.zeros([2, 3]).numel() // 6 */
  numel(): number { return numelOf(this._shape); }
  /**
   * The shape, or the size of one dimension (negative dims count from the end).
   * @example torch.zeros([2, 3]).size(-1) // 3
   */
  size(): readonly number[];
  size(dim: number): number;
  size(dim?: number): number | readonly number[] {
    if (dim === undefined) return this._shape;
    return this._shape[ops.wrapDim(dim, this.dim(), false)]!;
  }
  /** Strides in elements. @example torch.zeros([2, 3]).stride() // [3, 1] */
  stride(): readonly number[];
  stride(dim: number): number;
  stride(dim?: number): number | readonly number[] {
    if (dim === undefined) return this._strides;
    return this._strides[ops.wrapDim(dim, this.dim(), false)]!;
  }
  /** Offset of the first element in the storage. */
  storageOffset(): number { return this._offset; }
  /** True when the elements are laid out row-major without gaps. */
  isContiguous(): boolean {
    let expected = 1;
    for (let d = this._shape.length - 1; d >= 0; d--) {
      const s = this._shape[d]!;
      if (s === 1) continue;
      if (this._strides[d] !== expected) return false;
      expected *= s;
    }
    return true;
  }
  /** True when `other` shares this tensor's storage. */
  isSetTo(other: Tensor): boolean { return this._s === other._s; }
  /** True for floating dtypes. */
  isFloatingPoint(): boolean { return isFloating(this.dtype); }
  get isCuda(): boolean { return this.device.type === 'cuda'; }
  /** True for tensors on the `meta` device (shape, dtype and strides, no data). */
  get isMeta(): boolean { return this.device.type === 'meta'; }
  /** The device index (PyTorch's `get_device()`): -1 for the CPU (and meta), the index otherwise. */
  getDevice(): number { return this.device.type === 'cpu' || this.device.type === 'meta' ? -1 : this.device.index ?? 0; }

  // --- autograd metadata -----------------------------------------------------------------------------------

  /** Whether gradients are computed for this tensor. Only leaves can change it. */
  get requiresGrad(): boolean { ops.refreshView(this); return this._requiresGrad; }
  set requiresGrad(b: boolean) {
    if (typeof b !== 'boolean') throw new TypeError('requires_grad must be a bool');
    this.requiresGrad_(b);
  }

  /**
   * Sets `requiresGrad` in place and returns this tensor (for leaves; PyTorch's errors otherwise).
   * @example const w = torch.randn([3, 3]).requiresGrad_();
   */
  requiresGrad_(b = true): this {
    if (typeof b !== 'boolean') throw new TypeError(`requires_grad_(): argument 'requires_grad' (position 1) must be bool, not ${pyKind(b)}`);
    if (this._gradFn !== null && !b) {
      throw new Error("you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().");
    }
    if (b && !isFloating(this.dtype)) throw new Error('only Tensors of floating point and complex dtype can require gradients');
    if (b && this._inference) throw new Error('Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.');
    if (this._requiresGrad !== b && this._base === null) this._historyVersion++; // existing views follow their base
    this._requiresGrad = b;
    return this;
  }
  /** The node that created this tensor (null for leaves). */
  get gradFn(): Node | null { ops.refreshView(this); return this._gradFn; }
  /** True for tensors not produced by a recorded operation. */
  get isLeaf(): boolean { ops.refreshView(this); return this._gradFn === null; }

  /**
   * Keeps the gradient of this non-leaf tensor in `.grad` after backward.
   * @example const h = x.mul(2); h.retainGrad(); h.sum().backward(); h.grad;
   */
  retainGrad(): void {
    if (this._gradFn === null) {
      if (!this._requiresGrad) throw new Error("can't retain_grad on Tensor that has requires_grad=False");
      return;
    }
    this._gradFn.retained = this;
  }

  /**
   * Computes the gradient of this tensor w.r.t. graph leaves and accumulates it into their `.grad`.
   * `gradient` is required for non-scalar tensors; `retainGraph` keeps the graph for another backward; `createGraph`
   * records the backward computation so that `.grad` can be differentiated again.
   * @example
   * const x = torch.tensor([1, 2, 3], { requiresGrad: true });
   * x.pow(2).sum().backward();
   * x.grad!.tolist(); // [2, 4, 6]
   */
  backward(gradient?: Tensor | null | { retainGraph?: boolean; createGraph?: boolean }, options?: { retainGraph?: boolean; createGraph?: boolean }): void {
    ops.backward(this, gradient, options);
  }

  /** A new tensor sharing storage, cut from the graph. @example const y = x.detach(); */
  detach(): Tensor { return ops.detach(this); }
  /** Detaches this tensor from the graph in place (makes it a leaf). */
  detach_(): this {
    if (this._base !== null) {
      throw new Error("Can't detach views in-place. Use detach() instead.");
    }
    this._gradFn = null;
    this._requiresGrad = false;
    return this;
  }

  // --- reading --------------------------------------------------------------------------------------------

  /**
   * The value of a one-element tensor (bool → 0/1).
   * @example torch.tensor([[3]]).item() // 3
   */
  item(): number {
    const n = this.numel();
    if (n !== 1) throw new Error(`a Tensor with ${n} elements cannot be converted to Scalar`);
    if (this.device.type === 'meta') throw new Error('Tensor.item() cannot be called on meta tensors');
    return this.dataSync()[0]!;
  }

  /**
   * The elements as nested arrays (bool tensors give booleans; a 0-dim tensor gives a number).
   * @example torch.eye(2).tolist() // [[1, 0], [0, 1]]
   */
  tolist(): any {
    return nestValues(this.dataSync(), this._shape, this.dtype === 'bool');
  }

  /**
   * A contiguous copy of the elements as a typed array, read synchronously (CPU-like devices).
   * @example torch.arange(3).dataSync() // Float64Array [0, 1, 2] (int64 storage)
   */
  dataSync(): TypedArray { return this._backend.readSync(this._s, this.layout); }

  /**
   * The elements as nested arrays, read asynchronously (works for devices that can only read asynchronously); the
   * awaitable form of `tolist()`. Bool tensors give booleans; a 0-dim tensor gives a number.
   * @example const rows = await torch.eye(2).array(); // [[1, 0], [0, 1]]
   */
  async array(): Promise<any> {
    return nestValues(await this._backend.read(this._s, this.layout), this._shape, this.dtype === 'bool');
  }

  /**
   * A contiguous copy of the elements as a typed array, read asynchronously (works for devices that can only read
   * asynchronously); the awaitable form of `dataSync()`.
   * @example const values = await torch.ones([2]).typedArray(); // Float32Array [1, 1]
   */
  typedArray(): Promise<TypedArray> { return this._backend.read(this._s, this.layout); }

  /**
   * PyTorch's `tensor.data`: a tensor sharing this tensor's storage (and shape, dtype, device), detached from
   * autograd (`requiresGrad` false, no history). Writes through it change this tensor's values without being
   * recorded, as in manual SGD steps: `p.data.add_(p.grad!, { alpha: -lr })`. Unlike PyTorch it shares the in-place
   * version counter: an in-place write through `.data` to a value that a graph saved for backward makes that
   * backward fail (PyTorch would silently use the new value). To read values use `await t.array()`,
   * `await t.typedArray()`, `t.tolist()` or `t.dataSync()`.
   *
   * Assigning (`p.data = other`) makes this tensor object use `other`'s storage, shape, dtype and device from now
   * on (PyTorch's `set_data`), keeping its identity, `requiresGrad` and `.grad`: what `module.to(...)` does to
   * parameters so that optimizers keep working.
   * @example
   * const w = torch.ones([2], { requiresGrad: true });
   * w.data.mul_(3);            // not recorded by autograd
   * w.data = torch.zeros([3]); // w is now zeros([3]) and still requires grad
   */
  get data(): Tensor { return ops.detach(this); }
  set data(src: Tensor) { setData(this, src); }

  /**
   * Iterates over dim 0, as PyTorch's `for row in t`: the rows are views (`t.unbind(0)`), so they share storage and
   * carry autograd history. A 0-dim tensor throws PyTorch's `TypeError: iteration over a 0-d tensor`.
   * @example
   * for (const row of torch.eye(2)) console.log(row.tolist()); // [1, 0] then [0, 1]
   * const [a, b] = torch.tensor([3, 4]);                        // destructuring: a = tensor(3.), b = tensor(4.)
   */
  [Symbol.iterator](): IterableIterator<Tensor> {
    if (this._shape.length === 0) throw new TypeError('iteration over a 0-d tensor');
    return this.unbind(0)[Symbol.iterator]();
  }

  /**
   * PyTorch-style printout, e.g. `tensor([1., 2.], requires_grad=True)`; also what `${t}` and `String(t)` give.
   */
  toString(): string { return ops.format(this); }
  [Symbol.for('nodejs.util.inspect.custom')](): string { return this.toString(); }
}

/**
 * @internal `t.data = src` (PyTorch's `set_data`): `t` keeps its identity, autograd flags and `.grad` but from now on
 * views `src`'s storage with `src`'s shape, strides, dtype and device. The storage record (`_h`: version counter
 * and lifetime) moves with the storage, so the old storage can be released and the new one stays alive while `t`
 * is.
 */
export function setData(t: Tensor, src: Tensor): void {
  if (!(src instanceof Tensor)) throw new TypeError(`Variable data has to be a tensor, but got ${pyKind(src)}`);
  if (t._requiresGrad && !isFloating(src.dtype)) throw new Error('data set to a tensor that requires gradients must be floating point or complex dtype');
  const w = t as { -readonly [K in keyof Tensor]: Tensor[K] };
  const old = t._h, h = src._h;
  if (old !== h) {
    leave(old);
    h.refs++;
    w._h = h;
  }
  w._s = src._s; w._shape = [...src._shape]; w._strides = [...src._strides]; w._offset = src._offset;
  w.dtype = src.dtype; w.device = src.device; w._backend = src._backend;
  w._base = null; // t owns the (shared) storage now rather than viewing its former base
}

/** @internal A fresh contiguous tensor over a storage just produced by a kernel. */
export function fromStorage(s: Storage, shape: readonly number[], backend: Backend, device: Device = CPU): Tensor {
  const h = new StorageHandle(s, backend);
  if (h.finalized && sweep !== null && --sweepCountdown === 0) { sweepCountdown = SWEEP_EVERY; sweep.call(registryOf(backend)); }
  trackAllocation(h);
  return new Tensor(s, [...shape], contiguousStrides(shape), 0, backend, device, h);
}

/** @internal A view over `base`'s storage. */
export function makeView(base: Tensor, shape: number[], strides: number[], offset: number): Tensor {
  const t = new Tensor(base._s, shape, strides, offset, base._backend, base.device, base._h);
  t._base = base._base ?? base;
  t._viewBaseVersion = t._base._historyVersion;
  t._inference = base._inference;
  return t;
}

/**
 * @internal Marks an in-place write to `t`'s memory done outside the Tensor methods (fused optimizer steps,
 * clipping, state-dict loading): bumps the version counter autograd checks saved tensors against. Every in-place
 * path calls this (or goes through a Tensor method that does).
 */
export function bumpVersion(t: Tensor): void { t._h.version++; }

/** @internal The version counter of `t`'s memory (shared by all views of it). */
export function versionOf(t: Tensor): number { return t._h.version; }

// ---------------------------------------------------------------------------------------------------------------
// Storage lifetime

/**
 * @internal The frontend's record of one backend storage, shared by every tensor over it (a tensor, its views,
 * its detached aliases), as PyTorch's `VariableVersion` and `StorageImpl` refcount are.
 *
 * - `version` is the in-place version counter autograd checks saved tensors against. It lives here, not in the
 *   backend, so a backend cannot disable the check by forgetting to bump it: every in-place path of the frontend
 *   bumps it (`bumpVersion`).
 * - For backends that opt in (`Backend.finalizeStorages`), the record itself is registered with a
 *   `FinalizationRegistry`: every tensor over the storage holds it, so when the garbage collector has dropped the
 *   last of them the record goes too and the storage goes back to the backend. Autograd keeps what it saved alive
 *   simply by holding the tensors. One registration per storage, not per tensor: registered objects live until a
 *   major collection (V8 clears weak cells only there), and registering every tensor promoted each one, with its
 *   shape arrays, to the old generation: a Mark-Compact every ~5 MLP steps, 2-5 ms each, and the GC threads then
 *   competing with OpenBLAS's for the second core (measured; see docs/benchmarks.md).
 * - `refs` counts the tensors made over the storage, less those that moved to another storage (`rebindStorage`,
 *   `setData`); collected tensors are not subtracted. `refs === 1` therefore means that no other tensor (a view, an
 *   alias) was ever made over it, which is when `releaseTensor` may free a temporary at once.
 * - `freed` is set once the storage has gone back to the backend: internal temporaries are freed explicitly
 *   (`freeHandle`, used by `release` and by the engine when backward returns), which is immediate and does not
 *   wait for the garbage collector. Kernels on a freed storage throw (the backend's duty: the CPU backend's
 *   storages throw `storage has been freed` on access).
 */
export class StorageHandle {
  version = 0;
  refs = 0;
  freed = false;
  readonly finalized: boolean;
  constructor(readonly storage: Storage, readonly backend: Backend) {
    this.finalized = backend.finalizeStorages === true && typeof FinalizationRegistry === 'function';
    if (this.finalized) registryOf(backend).register(this, storage, this);
  }
}


/**
 * The finalizer path: one registry per backend (its callback gives the storage back to that backend), holding each
 * storage record weakly and its storage strongly until the record is collected or freed explicitly. Only backends
 * with `finalizeStorages` use it (see `CpuBackend` for why the CPU backend does not: V8 reclaims its arrays).
 */
const registries = new WeakMap<Backend, FinalizationRegistry<Storage>>();
let lastBackend: Backend | null = null;
let lastRegistry: FinalizationRegistry<Storage> | null = null;
function registryOf(b: Backend): FinalizationRegistry<Storage> {
  if (b === lastBackend) return lastRegistry!;
  let r = registries.get(b);
  if (r === undefined) { r = new FinalizationRegistry<Storage>((s) => b.free(s, true)); registries.set(b, r); }
  lastBackend = b; lastRegistry = r;
  return r;
}

/** @internal Gives `h`'s storage back to its backend now (once; later calls do nothing). */
export function freeHandle(h: StorageHandle): void {
  if (h.freed) return;
  h.freed = true;
  if (h.finalized) registryOf(h.backend).unregister(h);
  h.backend.free(h.storage);
}

/**
 * @internal Frees the storage of an internal temporary `t` that nothing else references. With finalizers the
 * storage is freed now only when no other tensor (a view made of `t`) was ever made over it; otherwise it goes back
 * when the garbage collector has dropped them all. Without finalizers (the CPU backend) it is freed now, as before.
 */
export function releaseTensor(t: Tensor): void {
  const h = t._h;
  if (h.freed) return;
  if (!h.finalized || h.refs === 1) freeHandle(h);
}

/**
 * @internal `p.grad = null` for `zeroGrad`, and the old gradient's storage goes back to the backend at once when
 * nothing can reach it any more: the engine made it (`_gradOwner`), user code never received it (the public
 * `grad` getter marks it), and no other tensor was made over its storage since. PyTorch frees it by reference
 * count at the same point; waiting for the garbage collector instead kept the MLP's 2.1 MB of gradients per step
 * in circulation until a major collection (see docs/benchmarks.md). Backends without finalizers need nothing.
 */
export function dropGrad(p: Tensor): void {
  const g = p._grad;
  p._grad = null;
  if (g === null || g._gradOwner === -1 || g._gradFn !== null) return;
  const h = g._h;
  if (h.finalized && h.refs === g._gradOwner) freeHandle(h);
}

/**
 * @internal Marks `t`, just made by an op inside a library function and never to be handed to the caller, as
 * internal (`Tensor._internal`): backward frees its storage once the nodes that saved it are released. Only a fresh
 * tensor with its own storage on a finalizing backend is marked. Returns `t`.
 */
export function markInternal(t: Tensor): Tensor {
  if (t._h.finalized && t._base === null && t._internal === -1 && !t._h.freed) t._internal = t._h.refs;
  return t;
}

/** @internal Frees an internal tensor's storage now if no graph node saved it and no other tensor was made over it. */
export function freeIfUnused(t: Tensor): void {
  const h = t._h;
  if (t._internal !== -1 && t._saves === 0 && t._internal === h.refs) freeHandle(h);
}

/** `t` moves off `old`: the storage is freed at once when `t` was the only tensor ever made over it. */
function leave(old: StorageHandle): void {
  if (--old.refs === 0 && old.finalized) freeHandle(old);
}

/**
 * @internal Points `t` at `src`'s storage (PyTorch's `t.data = src`, `vector_to_parameters`): `t` leaves its old
 * storage record (dropping its reference, which frees that storage when `t` was its last tensor on backends with
 * `finalizeStorages`) and joins `src`'s, so the storage lives while either tensor does. Assigning `_s` alone would
 * leave `t` counted on the old record: collecting `src` would then free the storage under `t`.
 */
export function rebindStorage(t: Tensor, src: Tensor): void {
  const old = t._h, h = src._h;
  t._s = src._s;
  if (old === h) return;
  leave(old);
  t._h = h;
  h.refs++;
}

/**
 * Synchronous finalization. FinalizationRegistry callbacks run only when the event loop turns, so a synchronous
 * training loop on a backend with `finalizeStorages` (native memory) would hold every dropped storage until it
 * yields: ~3 MB per MLP step, unbounded (measured). Where the engine offers `FinalizationRegistry.prototype.
 * cleanupSome` (V8 behind a flag; the native backend obtains it in Node 20, see src/backend/native/index.ts), the
 * core runs the pending callbacks itself every `SWEEP_EVERY` storages it makes, so the storages a collection found
 * dead go back inside the loop. Without it, freeing waits for the event loop as before.
 */
let sweep: ((this: FinalizationRegistry<Storage>) => void) | null = null;
const SWEEP_EVERY = 32;
let sweepCountdown = SWEEP_EVERY;
/** @internal Installs `FinalizationRegistry.prototype.cleanupSome` (or null) for synchronous finalization. */
export function installFinalizerSweep(fn: ((this: FinalizationRegistry<Storage>) => void) | null): void { sweep = fn; }

export interface Tensor extends ops.TensorMethods {}
registerTensorPrototype(Tensor.prototype);
