/** Containers: `Sequential`, `ModuleList`, `ModuleDict`. */
import { Module } from '../module.js';
import { pyTypeName } from '../_args.js';
import { Tensor, markInternal, freeIfUnused } from '../../tensor.js';
import { ReLU, LeakyReLU, ELU, GELU, SiLU, Sigmoid, Tanh } from './activation.js';
import { Identity, Linear } from './linear.js';
import { Conv1d, Conv2d } from './conv.js';
import { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from './pooling.js';
import { Flatten } from './flatten.js';
import { Dropout } from './dropout.js';
import { BatchNorm1d, BatchNorm2d } from './normalization.js';

/**
 * Layers whose forward only computes its output from its input through library ops: it keeps no reference to
 * either, and the output is a new tensor, a view or alias of the input, or the input itself. Exactly these classes
 * (not subclasses, which may override `forward`), with no hooks and no instance `forward`.
 */
const PASSING_LAYERS = new Set<object>([ReLU, LeakyReLU, ELU, GELU, SiLU, Sigmoid, Tanh, Identity, Linear, Conv1d, Conv2d,
  MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Flatten, Dropout, BatchNorm1d, BatchNorm2d].map((c) => c.prototype));

function passesActivations(m: Module): boolean {
  return PASSING_LAYERS.has(Object.getPrototypeOf(m)) && m._forwardImpl === null && m._forwardHooks.size === 0 &&
    m._forwardPreHooks.size === 0 && m._backwardHooks.size === 0 && m._backwardPreHooks.size === 0;
}

function checkModule(m: unknown): Module {
  if (!(m instanceof Module)) throw new TypeError(`${pyTypeName(m)} is not a Module subclass`);
  return m;
}

function normIndex(idx: number, n: number, what: string): number {
  const i = idx < 0 ? idx + n : idx;
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`index ${idx} is out of range`);
  void what;
  return i;
}

/**
 * Runs its modules in order, each on the previous output; children are named '0', '1', ... (or by the keys
 * of an object / Map). Each child is invoked with `call`, so hooks fire.
 * @example
 * const model = new torch.nn.Sequential(new torch.nn.Linear(4, 8), new torch.nn.ReLU(), new torch.nn.Linear(8, 2));
 * model.call(torch.randn([3, 4])).shape; // [3, 2]
 * model.at(0); // the first Linear (also model[0])
 */
export class Sequential extends Module {
  [index: number]: Module;
  constructor(...modules: (Module | Record<string, Module> | Map<string, Module>)[]) {
    super();
    if (modules.length === 1 && !(modules[0] instanceof Module)) {
      const src = modules[0]!;
      const entries = src instanceof Map ? [...src.entries()] : Object.entries(src);
      for (const [k, m] of entries) this.registerModule(k, checkModule(m));
    } else {
      modules.forEach((m, i) => this.registerModule(String(i), checkModule(m)));
    }
  }

  /** Number of modules. */
  override get length(): number { return this._modules.size; }

  /** The module at `idx` (negative counts from the end). @example seq.at(-1) */
  at(idx: number): Module {
    const vals = [...this._modules.values()];
    return vals[normIndex(idx, vals.length, 'Sequential')]!;
  }

  /** A new Sequential of modules [start, end) (the same module objects, names kept). @example seq.slice(0, 2) */
  slice(start = 0, end?: number): Sequential {
    const entries = [...this._modules.entries()].slice(start, end);
    const m = new Map<string, Module>();
    for (const [k, v] of entries) m.set(k, v!);
    return new Sequential(m);
  }

  /** Appends a module. @example seq.append(new torch.nn.ReLU()) */
  append(module: Module): this {
    this.registerModule(String(this._modules.size), checkModule(module));
    return this;
  }

  /** Appends several modules. */
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** Inserts a module at `index` (renumbering the ones after it). */
  insert(index: number, module: Module): this {
    const mods = [...this._modules.values()] as Module[];
    const n = mods.length;
    if (index < -n || index > n) throw new RangeError(`Index out of range: ${index}`);
    const i = index < 0 ? index + n : index;
    mods.splice(i, 0, checkModule(module));
    this._resetChildren(mods);
    return this;
  }

  /** Removes and returns the module at `index` (renumbering the ones after it). */
  pop(index = -1): Module {
    const mods = [...this._modules.values()] as Module[];
    const i = normIndex(index, mods.length, 'Sequential');
    const [m] = mods.splice(i, 1);
    this._resetChildren(mods);
    return m!;
  }

  /** @internal */
  _resetChildren(mods: Module[]): void {
    for (const k of [...this._modules.keys()]) { this._modules.delete(k); delete (this as any)[k]; }
    mods.forEach((m, i) => this.registerModule(String(i), m));
  }

  [Symbol.iterator](): Iterator<Module> { return ([...this._modules.values()] as Module[])[Symbol.iterator](); }

  /**
   * Runs the layers in order. Between two built-in layers (`PASSING_LAYERS`, no hooks) the activation never reaches
   * user code, so its storage goes back to the backend as soon as nothing can use it, as PyTorch's reference
   * counts free it: right after the next layer when no graph node saved it (a convolution's output that ReLU
   * consumed), or once backward has released the nodes that saved it (`Tensor._internal`). On backends whose
   * memory the garbage collector frees (native), that keeps a training step's activations in the allocator's
   * cache, warm, instead of in circulation until a major collection: measured on the CNN benchmark step, see
   * docs/benchmarks.md. A layer's output that aliases its input (Identity, in-place ReLU, Flatten's view) is left to
   * the collector.
   */
  override forward(input: any): any {
    let x = input;
    const mods = this._modules.size > 1 ? [...this._modules.values()] as Module[] : null;
    if (mods === null) { for (const m of this._modules.values()) x = m!.call(x); return x; }
    let passes = passesActivations(mods[0]!);
    for (let i = 0; i < mods.length; i++) {
      const prev = x;
      x = mods[i]!.call(x);
      // prev came from layer i-1 and went only into layer i: dead now unless saved, viewed or passed on
      if (prev instanceof Tensor && x !== prev && !(x instanceof Tensor && x._h === prev._h)) freeIfUnused(prev);
      const nextPasses = i + 1 < mods.length && passesActivations(mods[i + 1]!);
      if (x instanceof Tensor) {
        if (!nextPasses) x._internal = -1; // about to reach user code (the next layer, or the caller)
        else if (passes && x !== prev && !(prev instanceof Tensor && x._h === prev._h)) markInternal(x);
      }
      passes = nextPasses;
    }
    if (x instanceof Tensor) x._internal = -1; // the result goes to the caller
    return x;
  }
}

/**
 * Holds submodules in a list (registered as '0', '1', ...), e.g. a variable number of layers. It has no forward.
 * @example
 * class Net extends torch.nn.Module {
 *   layers = new torch.nn.ModuleList(Array.from({ length: 3 }, () => new torch.nn.Linear(8, 8)));
 *   override forward(x: torch.Tensor) { for (const l of this.layers) x = l.call(x); return x; }
 * }
 */
export class ModuleList<T extends Module = Module> extends Module {
  [index: number]: T;
  constructor(modules: Iterable<T> = []) {
    super();
    for (const m of modules) this.append(m);
  }
  /** Number of modules. */
  override get length(): number { return this._modules.size; }
  /** The module at `idx` (negative counts from the end). */
  at(idx: number): T {
    const vals = [...this._modules.values()];
    return vals[normIndex(idx, vals.length, 'ModuleList')] as T;
  }
  /** Replaces the module at `idx`. */
  set(idx: number, module: T): void {
    const i = normIndex(idx, this._modules.size, 'ModuleList');
    this.registerModule(String(i), checkModule(module));
  }
  /** Appends a module. */
  append(module: T): this { this.registerModule(String(this._modules.size), checkModule(module)); return this; }
  /** Appends several modules. */
  extend(modules: Iterable<T>): this { for (const m of modules) this.append(m); return this; }
  /** Inserts a module before `index`. */
  insert(index: number, module: T): this {
    const mods = [...this._modules.values()] as T[];
    const n = mods.length;
    const i = index < 0 ? Math.max(0, index + n) : Math.min(index, n);
    mods.splice(i, 0, checkModule(module) as T);
    for (const k of [...this._modules.keys()]) { this._modules.delete(k); delete (this as any)[k]; }
    mods.forEach((m, j) => this.registerModule(String(j), m));
    return this;
  }
  /** Removes and returns the module at `index`. */
  pop(index = -1): T {
    const mods = [...this._modules.values()] as T[];
    const i = normIndex(index, mods.length, 'ModuleList');
    const [m] = mods.splice(i, 1);
    for (const k of [...this._modules.keys()]) { this._modules.delete(k); delete (this as any)[k]; }
    mods.forEach((x, j) => this.registerModule(String(j), x));
    return m!;
  }
  /** A new ModuleList of modules [start, end). */
  slice(start = 0, end?: number): ModuleList<T> { return new ModuleList([...this._modules.values()].slice(start, end) as T[]); }
  [Symbol.iterator](): Iterator<T> { return ([...this._modules.values()] as T[])[Symbol.iterator](); }
  override forward(): never { throw new Error('Module [ModuleList] is missing the required "forward" function'); }
}

/**
 * Holds submodules by name (insertion order); keys are the names in `namedParameters()` and `stateDict()`.
 * Entries are reached with `get(key)` (not as fields, so keys never clash with methods).
 * @example
 * const heads = new torch.nn.ModuleDict({ cls: new torch.nn.Linear(8, 10), box: new torch.nn.Linear(8, 4) });
 * heads.get('cls')!.call(torch.randn([2, 8])).shape; // [2, 10]
 */
export class ModuleDict<T extends Module = Module> extends Module {
  constructor(modules: Record<string, T> | Map<string, T> | Iterable<[string, T]> | null = null) {
    super();
    if (modules !== null) this.update(modules);
  }
  /** @internal register without defining a field */
  private _put(key: string, m: T): void {
    if (typeof key !== 'string') throw new TypeError(`module name should be a string. Got ${pyTypeName(key)}`);
    if (key.includes('.')) throw new Error(`module name can't contain ".", got: ${key}`);
    if (key === '') throw new Error('module name can\'t be empty string ""');
    this._modules.set(key, checkModule(m));
  }
  /** Number of entries. */
  override get length(): number { return this._modules.size; }
  /** The module under `key` (undefined when absent). */
  get(key: string): T | undefined { return (this._modules.get(key) ?? undefined) as T | undefined; }
  /** Sets (or replaces, keeping its position) the module under `key`. */
  set(key: string, module: T): this { this._put(key, module); return this; }
  /** True when `key` is present. */
  has(key: string): boolean { return this._modules.has(key); }
  /** Removes and returns the module under `key`. */
  pop(key: string): T {
    const m = this._modules.get(key);
    if (m === undefined) throw new Error(`KeyError: '${key}'`);
    this._modules.delete(key);
    return m as T;
  }
  /** Alias of `pop` returning whether it existed. */
  delete(key: string): boolean { return this._modules.delete(key); }
  /** Removes everything. */
  clear(): void { this._modules.clear(); }
  /** The keys, in order. */
  keys(): string[] { return [...this._modules.keys()]; }
  /** The modules, in order. */
  values(): T[] { return [...this._modules.values()] as T[]; }
  /** `[key, module]` pairs, in order. */
  items(): [string, T][] { return [...this._modules.entries()] as [string, T][]; }
  /** Adds or replaces entries from an object, Map or iterable of pairs. */
  update(modules: Record<string, T> | Map<string, T> | Iterable<[string, T]>): this {
    const entries: Iterable<[string, T]> = modules instanceof Map ? modules.entries()
      : Symbol.iterator in Object(modules) ? modules as Iterable<[string, T]> : Object.entries(modules as Record<string, T>);
    for (const [k, m] of entries) this._put(k, m);
    return this;
  }
  /** Iterates the keys, as PyTorch. */
  [Symbol.iterator](): Iterator<string> { return this.keys()[Symbol.iterator](); }
  override forward(): never { throw new Error('Module [ModuleDict] is missing the required "forward" function'); }
}
