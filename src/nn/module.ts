/**
 * `nn.Module`: the base class of every layer and model.
 *
 * Design
 * - Field discovery. `new Module()` returns a Proxy around the instance. Assigning a `Parameter`, a `Module` or
 *   (for a registered buffer name) a `Tensor` to a field registers it in `_parameters` / `_modules` / `_buffers`
 *   (ordered maps, in assignment order, exactly like PyTorch's `__setattr__`), so names match PyTorch
 *   (`features.0.weight`). TypeScript field declarations without an initializer (`fc: nn.Linear;`) do not
 *   register anything; the later assignment in the constructor does, so the order is the assignment order.
 *   Assigning a plain array of modules throws: use `ModuleList`.
 * - Calling. `module(...args)` (PyTorch's `__call__`) runs the forward pre-hooks, `forward`, then the forward hooks.
 *   The instance behind the proxy is a function object whose prototype is the class's (see `makeRaw`), so the
 *   proxy is callable while `instanceof`, methods and fields are the class's; `typeof module` is `'function'`.
 *   The call is typed from the subclass's `forward` by the `Module` interface's call signature (it uses the
 *   polymorphic `this` type, so no per-class declaration is needed). `module.call(...args)` and
 *   `module.forward(...args)` do exactly the same: each instance gets an own `forward` that routes through
 *   `call`, so hooks fire for a submodule however its parent invokes it. Inside a subclass, `super.forward(x)`
 *   reaches the parent's implementation without running hooks twice.
 * - `stateDict()` returns a plain object (insertion-ordered) of detached tensors sharing storage with the
 *   parameters and persistent buffers; `loadStateDict` follows PyTorch's algorithm and messages.
 *
 * @example
 * import * as torch from 'torchlet';
 * const { nn } = torch;
 * class Net extends nn.Module {
 *   features = new nn.Sequential(new nn.Conv2d(1, 8, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2));
 *   classifier = new nn.Linear(8 * 4 * 4, 10);
 *   override forward(x: torch.Tensor): torch.Tensor {
 *     return this.classifier(this.features(x).flatten(1));
 *   }
 * }
 * const net = new Net();
 * net.namedParameters().map(([n]) => n); // ['features.0.weight', 'features.0.bias', 'classifier.weight', 'classifier.bias']
 * const logits = net(torch.randn([2, 1, 8, 8])); // same as net.call(...) and net.forward(...)
 */
import { Tensor, getBackend, setData, dropGrad } from '../tensor.js';
import { emptyLike } from '../ops.js';
import { noGrad, isGradEnabled } from '../autograd/grad_mode.js';
import { _hookIdentity } from '../autograd/function.js';
import { checkOptions } from '../_options.js';
import type { DType } from '../dtype.js';
import { DTYPES, isFloating, isDType } from '../dtype.js';
import { Device, device as parseDevice } from '../device.js';
import type { DeviceLike } from '../device.js';
import { Parameter } from './parameter.js';
import { isOptions, pyTypeName, resolveArgs } from './_args.js';

/** A forward pre-hook: may return new arguments (an array, or a single value). */
export type ForwardPreHook<M extends Module = Module> = (module: M, args: any[]) => any;
/** A forward hook: may return a replacement output. */
export type ForwardHook<M extends Module = Module> = (module: M, args: any[], output: any) => any;
/** A forward pre-hook registered `withKwargs`: may return `[newArgs, newKwargs]`. */
export type ForwardPreHookWithKwargs<M extends Module = Module> = (module: M, args: any[], kwargs: Record<string, any>) => [any[], Record<string, any>] | void | undefined | null;
/** A forward hook registered `withKwargs`: may return a replacement output. */
export type ForwardHookWithKwargs<M extends Module = Module> = (module: M, args: any[], kwargs: Record<string, any>, output: any) => any;
/** A full backward hook: gets the gradients of the module's tensor inputs and outputs; may return new input gradients. */
export type FullBackwardHook<M extends Module = Module> = (module: M, gradInput: (Tensor | null)[], gradOutput: (Tensor | null)[]) => (Tensor | null)[] | void | undefined | null;
/** A full backward pre-hook: gets the gradients of the module's tensor outputs; may return replacements. */
export type FullBackwardPreHook<M extends Module = Module> = (module: M, gradOutput: (Tensor | null)[]) => (Tensor | null)[] | void | undefined | null;
/** Options of `registerForwardPreHook` / `registerForwardHook`. */
export interface ForwardHookOptions { prepend?: boolean; withKwargs?: boolean; alwaysCall?: boolean }

/**
 * Keyword arguments in torchlet are one trailing options object: `module.call(x, { mask })` has args `[x]` and kwargs
 * `{ mask }` for hooks registered `withKwargs`.
 */
function splitKwargs(args: any[]): [any[], Record<string, any>] {
  const last = args[args.length - 1];
  if (args.length > 0 && last !== null && typeof last === 'object' && !(last instanceof Tensor) && !Array.isArray(last) &&
    [Object.prototype, null].includes(Object.getPrototypeOf(last))) return [args.slice(0, -1), last];
  return [args, {}];
}
function joinKwargs(args: any[], kwargs: Record<string, any> | null | undefined): any[] {
  return kwargs !== null && kwargs !== undefined && Object.keys(kwargs).length > 0 ? [...args, kwargs] : args;
}
function insertHook<T>(m: Map<number, T>, id: number, hook: T, prepend: boolean): void {
  if (!prepend) { m.set(id, hook); return; }
  const rest = [...m];
  m.clear();
  m.set(id, hook);
  for (const [k, v] of rest) m.set(k, v);
}

/**
 * Returned by `registerForwardHook` and friends; `remove()` unregisters the hook.
 * @example const h = model.registerForwardHook(() => {}); h.remove();
 */
export class RemovableHandle {
  private static nextId = 0;
  readonly id: number;
  constructor(private readonly dict: Map<number, unknown>) { this.id = RemovableHandle.nextId++; }
  /** Unregisters the hook (idempotent). */
  remove(): void { this.dict.delete(this.id); }
}

/** A hook that can stop a hook and its kwargs flag together. */
class HookHandle extends RemovableHandle {
  constructor(dict: Map<number, unknown>, private readonly flags: Set<number>) { super(dict); }
  override remove(): void { super.remove(); this.flags.delete(this.id); }
}

/** A load-state-dict pre-hook (see `registerLoadStateDictPreHook`). */
export type LoadStateDictPreHook<M extends Module = Module> = (module: M, stateDict: Map<string, Tensor>, prefix: string,
  localMetadata: Record<string, any>, strict: boolean, missingKeys: string[], unexpectedKeys: string[], errorMsgs: string[]) => void;

/** `{ missingKeys, unexpectedKeys }` returned by `loadStateDict`. */
export interface IncompatibleKeys { missingKeys: string[]; unexpectedKeys: string[] }

/** A state dict: parameter/buffer names to tensors, in PyTorch's order. */
export type StateDict = Record<string, Tensor>;

const TARGET = Symbol('torchlet.nn.Module.target');

function keyError(msg: string): Error {
  const e = new Error(msg);
  e.name = 'KeyError';
  return e;
}

function isRegistered(t: Module, key: string): boolean {
  return t._parameters.has(key) || t._modules.has(key) || t._buffers.has(key);
}

function defineData(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** PyTorch's `Module.__setattr__`. `target` is the raw instance. */
function assign(target: Module, key: string, value: unknown): void {
  const params = target._parameters, mods = target._modules, bufs = target._buffers;
  if (value instanceof Parameter) {
    mods.delete(key); bufs.delete(key); target._nonPersistentBuffers.delete(key);
    if (value._gradFn !== null) {
      throw new Error(`Cannot assign non-leaf Tensor to parameter '${key}'. Model parameters must be created explicitly. To express '${key}' as a function of another Tensor, compute the value in the forward() method.`);
    }
    params.set(key, value);
  } else if (params.has(key)) {
    if (value !== null) throw new TypeError(`cannot assign '${pyTypeName(value)}' as parameter '${key}' (torch.nn.Parameter or None expected)`);
    params.set(key, null);
  } else if (value instanceof Module) {
    params.delete(key); bufs.delete(key); target._nonPersistentBuffers.delete(key);
    mods.set(key, value);
  } else if (mods.has(key)) {
    if (value !== null) throw new TypeError(`cannot assign '${pyTypeName(value)}' as child module '${key}' (torch.nn.Module or None expected)`);
    mods.set(key, null);
  } else if (bufs.has(key)) {
    if (value !== null && !(value instanceof Tensor)) throw new TypeError(`cannot assign '${pyTypeName(value)}' as buffer '${key}' (torch.Tensor or None expected)`);
    bufs.set(key, value as Tensor | null);
  } else if (Array.isArray(value) && value.some((v) => v instanceof Module)) {
    throw new TypeError(`cannot assign an array of modules to '${key}': use nn.ModuleList so that its modules are registered`);
  } else {
    // a plain attribute: honour setters on the prototype chain
    let proto = Object.getPrototypeOf(target);
    while (proto !== null) {
      const d = Object.getOwnPropertyDescriptor(proto, key);
      if (d !== undefined) {
        if (d.set !== undefined) { d.set.call((target as any)[TARGET_PROXY] ?? target, value); return; }
        break;
      }
      proto = Object.getPrototypeOf(proto);
    }
  }
  defineData(target, key, value);
}

const TARGET_PROXY = Symbol('torchlet.nn.Module.proxy');

const HANDLER: ProxyHandler<Module> = {
  // `model(x)`: the same path as `model.call(x)` (pre-hooks, forward, hooks), with the proxy as `this`
  apply(target, _thisArg, args) {
    return ((target as any)[TARGET_PROXY] as Module)._callImpl(args);
  },
  set(target, key, value) {
    if (key === 'forward' && typeof value === 'function') {
      // `this.forward = fn` (an instance attribute, as in PyTorch): keep the routing wrapper so hooks still fire
      (target as any)._forwardImpl = value;
      return true;
    }
    if (typeof key === 'string') { assign(target, key, value); return true; }
    return Reflect.set(target, key, value);
  },
  defineProperty(target, key, desc) {
    if (typeof key === 'string' && 'value' in desc) {
      if (key === 'forward' && typeof desc.value === 'function') {
        // `forward = (x) => ...` as a class field: keep the routing wrapper, remember the implementation
        (target as any)._forwardImpl = desc.value;
        return true;
      }
      if (desc.value === undefined && isRegistered(target, key)) return true; // a field declaration after registration
      assign(target, key, desc.value);
      return true;
    }
    return Reflect.defineProperty(target, key, desc);
  },
  deleteProperty(target, key) {
    if (typeof key === 'string') {
      target._parameters.delete(key); target._buffers.delete(key); target._modules.delete(key);
      target._nonPersistentBuffers.delete(key);
    }
    return Reflect.deleteProperty(target, key);
  },
};

function routedForward(this: Module, ...args: any[]): any { return this._callImpl(args); }

/** @internal Replaces a tensor's data in place (PyTorch's `param.data = ...`), keeping the object's identity. */
export function setTensorData(t: Tensor, src: Tensor): void { setData(t, src); }

/**
 * A fresh raw instance: a function object (so that the proxy over it is callable, `model(x)`) whose prototype is the
 * module's class prototype (so `instanceof`, methods, getters and `constructor` are the class's). The function's
 * own `name` and `length` are removed: they would shadow fields and getters of those names (`Sequential.length`),
 * and the raw instance must have no own keys but the module's fields (`Object.keys`, `deepcopy`).
 */
function makeRaw(proto: object): Module {
  // an arrow function: no own `prototype`, not constructible (`new model()` throws), no `arguments`/`caller`
  const f = (() => undefined) as unknown as Module;
  delete (f as any).name;
  delete (f as any).length;
  Object.setPrototypeOf(f, proto);
  return f;
}

function wrap(raw: Module): Module {
  const proxy = new Proxy(raw, HANDLER);
  Object.defineProperty(raw, TARGET, { value: raw, configurable: true });
  Object.defineProperty(raw, TARGET_PROXY, { value: proxy, configurable: true });
  Object.defineProperty(raw, 'forward', { value: routedForward, writable: true, configurable: true, enumerable: false });
  return proxy;
}

/**
 * Base class for all neural network modules (`torch.nn.Module`). Subclasses assign their layers and parameters
 * to fields in the constructor and define `forward(...)`; call a module with `module(x)` (or `module.call(x)`,
 * `module.forward(x)`: all run hooks).
 * @example
 * import * as torch from 'torchlet';
 * class MLP extends torch.nn.Module {
 *   fc1 = new torch.nn.Linear(4, 8);
 *   fc2 = new torch.nn.Linear(8, 2);
 *   override forward(x: torch.Tensor) { return this.fc2(this.fc1(x).relu()); }
 * }
 * const m = new MLP();
 * m(torch.randn([3, 4])).shape; // [3, 2]
 */
export interface Module {
  /**
   * `model(x)`: runs forward pre-hooks, `forward(...args)` and forward hooks (PyTorch's `Module.__call__`), typed
   * from the module's own `forward` signature; the same as `model.call(x)`.
   * @example
   * const fc = new torch.nn.Linear(3, 2);
   * const y = fc(torch.ones([1, 3])); // Tensor, shape [1, 2]
   */
  (...args: Parameters<this['forward']>): ReturnType<this['forward']>;
}

export class Module {
  /** Whether the module is in training mode (`train()` / `eval()`). */
  training = true;
  /** @internal */ _parameters = new Map<string, Parameter | null>();
  /** @internal */ _buffers = new Map<string, Tensor | null>();
  /** @internal */ _nonPersistentBuffers = new Set<string>();
  /** @internal */ _modules = new Map<string, Module | null>();
  /** @internal */ _forwardPreHooks = new Map<number, ForwardPreHook<any>>();
  /** @internal */ _forwardHooks = new Map<number, ForwardHook<any>>();
  /** @internal ids of the forward (pre-)hooks registered withKwargs */
  _forwardPreHooksWithKwargs = new Set<number>();
  /** @internal */ _forwardHooksWithKwargs = new Set<number>();
  /** @internal */ _backwardHooks = new Map<number, FullBackwardHook<any>>();
  /** @internal */ _backwardPreHooks = new Map<number, FullBackwardPreHook<any>>();
  /** @internal */ _stateDictPreHooks = new Map<number, (module: any, prefix: string, keepVars: boolean) => void>();
  /** @internal */ _stateDictHooks = new Map<number, (module: any, stateDict: StateDict, prefix: string, localMetadata: Record<string, any>) => StateDict | void>();
  /** @internal */ _loadStateDictPreHooks = new Map<number, LoadStateDictPreHook>();
  /** @internal */ _loadStateDictPostHooks = new Map<number, (module: any, incompatibleKeys: IncompatibleKeys) => void>();
  /** @internal a forward given as a class field (arrow function) */
  _forwardImpl: ((...args: any[]) => any) | null = null;

  constructor() {
    // The instance is a function (see makeRaw) so that modules are callable as in PyTorch. `this` (an ordinary
    // object made by `new`) already holds the fields declared above; they move to the raw function instance, and
    // the subclass's own fields are then defined through the proxy returned here (in assignment order).
    const raw = makeRaw(Object.getPrototypeOf(this));
    for (const k of Reflect.ownKeys(this)) Object.defineProperty(raw, k, Object.getOwnPropertyDescriptor(this, k)!);
    return wrap(raw);
  }

  /**
   * The computation of this module; subclasses override it. Calling it on an instance runs hooks too
   * (it is routed through `call`).
   */
  forward(..._args: any[]): any {
    throw new Error(`Module [${this._getName()}] is missing the required "forward" function`);
  }

  /**
   * Runs forward pre-hooks, `forward(...args)` and forward hooks (PyTorch's `module(x)`).
   * @example const y = new torch.nn.Linear(3, 2).call(torch.ones([1, 3]));
   */
  call(...args: Parameters<this['forward']>): ReturnType<this['forward']> {
    return this._callImpl(args);
  }

  /** @internal */
  _callImpl(args: any[]): any {
    if (this._forwardPreHooks.size > 0) {
      for (const [id, h] of [...this._forwardPreHooks]) {
        if (this._forwardPreHooksWithKwargs.has(id)) {
          const [a, kw] = splitKwargs(args);
          const r = (h as unknown as ForwardPreHookWithKwargs)(this, a, kw);
          if (r !== undefined && r !== null) {
            if (!Array.isArray(r) || r.length !== 2) throw new TypeError(`forward pre-hook must return None or a tuple of (new_args, new_kwargs), but got ${pyTypeName(r)}.`);
            args = joinKwargs(Array.isArray(r[0]) ? r[0] : [r[0]], r[1]);
          }
          continue;
        }
        const r = h(this, args);
        if (r !== undefined) args = Array.isArray(r) ? r : [r];
      }
    }
    const bw = (this._backwardHooks.size > 0 || this._backwardPreHooks.size > 0) && isGradEnabled() ? this._setupBackwardHooks(args) : null;
    if (bw !== null) args = bw.args;
    const impl = this._forwardImpl ?? Object.getPrototypeOf(this).forward;
    // `lin.call()`: Python's "missing 1 required positional argument" instead of a JS internal from inside forward
    // (only the first parameter is checked: TypeScript's optional parameters count in a function's length too)
    if (args.length === 0 && impl.length > 0) {
      const first = /^[^(]*\(\s*([A-Za-z_$][\w$]*)/.exec(String(impl))?.[1] ?? 'input';
      throw new TypeError(`${this._getName()}.forward() missing 1 required positional argument: '${first}'`);
    }
    let out = impl.apply(this, args);
    if (this._forwardHooks.size > 0) {
      for (const [id, h] of [...this._forwardHooks]) {
        const r = this._forwardHooksWithKwargs.has(id)
          ? (h as unknown as ForwardHookWithKwargs)(this, ...splitKwargs(args), out)
          : h(this, args, out);
        if (r !== undefined) out = r;
      }
    }
    return bw !== null ? bw.output(out) : out;
  }

  /**
   * @internal PyTorch's BackwardHook: the module's tensor inputs and outputs pass through identity nodes; the output
   * node sees the output gradients (pre-hooks may replace them), the input node the input gradients, where the full
   * backward hooks run (and may replace them). With no input requiring grad the hooks run at the output node with
   * null input gradients, as PyTorch.
   */
  _setupBackwardHooks(args: any[]): { args: any[]; output: (out: any) => any } {
    let gradOutputs: (Tensor | null)[] = [];
    const tIn = args.filter((a): a is Tensor => a instanceof Tensor);
    const inputsNeedGrad = tIn.some((t) => t.requiresGrad);
    const runHooks = (gradIn: (Tensor | null)[]): (Tensor | null)[] => {
      let gi = gradIn;
      for (const h of [...this._backwardHooks.values()]) {
        const r = h(this, gi, gradOutputs);
        if (r !== undefined && r !== null) {
          if (!Array.isArray(r) || r.length !== gi.length) throw new RangeError(`Backward hook returned an invalid number of grad_input, got ${Array.isArray(r) ? r.length : 1}, but expected ${gi.length}`);
          gi = r.map((x) => x ?? null);
        }
      }
      return gi;
    };
    const newIn = this._backwardHooks.size > 0 ? _hookIdentity(tIn, 'BackwardHookFunction', runHooks) : tIn;
    let k = 0;
    const wrappedArgs = args.map((a) => (a instanceof Tensor ? newIn[k++] : a));
    const output = (out: any): any => {
      const tOut: Tensor[] = out instanceof Tensor ? [out] : Array.isArray(out) ? out.filter((o): o is Tensor => o instanceof Tensor) : [];
      const newOut = _hookIdentity(tOut, 'BackwardHookFunction', (go) => {
        for (const h of [...this._backwardPreHooks.values()]) {
          const r = h(this, go);
          if (r !== undefined && r !== null) {
            if (!Array.isArray(r) || r.length !== go.length) throw new RangeError(`Backward pre hook returned an invalid number of grad_output, got ${Array.isArray(r) ? r.length : 1}, but expected ${go.length}`);
            go = r.map((x) => x ?? null);
          }
        }
        gradOutputs = go;
        if (!inputsNeedGrad && this._backwardHooks.size > 0) runHooks(tIn.map(() => null));
        return go;
      });
      if (out instanceof Tensor) return newOut[0];
      if (!Array.isArray(out)) return out;
      let j = 0;
      return out.map((o) => (o instanceof Tensor ? newOut[j++] : o));
    };
    return { args: wrappedArgs, output };
  }

  /** @internal The class name used in reprs and messages. */
  _getName(): string { return this.constructor.name; }

  // ---- registration ------------------------------------------------------------------------------------------

  /** @internal */
  private _raw(): Module { return (this as any)[TARGET] as Module; }

  /** @internal */
  private _checkName(kind: string, name: unknown): asserts name is string {
    if (typeof name !== 'string') throw new TypeError(`${kind} name should be a string. Got ${pyTypeName(name)}`);
  }

  /**
   * Adds a buffer: state that is not a parameter (BatchNorm's running stats). Persistent buffers are part of
   * `stateDict()`. `null` registers the name with no value.
   * @example this.registerBuffer('running_mean', torch.zeros([4]));
   */
  registerBuffer(name: string, tensor: Tensor | null, persistent: boolean | { persistent?: boolean } = true): void {
    if (isOptions(persistent)) checkOptions('register_buffer', persistent, ['persistent']);
    const pers = isOptions(persistent) ? persistent.persistent ?? true : persistent;
    this._checkName('buffer', name);
    if (name.includes('.')) throw keyError('buffer name can\'t contain "."');
    if (name === '') throw keyError('buffer name can\'t be empty string ""');
    if (name in this && !this._buffers.has(name) && (this as any)[name] !== undefined) throw keyError(`attribute '${name}' already exists`);
    if (tensor !== null && !(tensor instanceof Tensor)) {
      throw new TypeError(`cannot assign '${pyTypeName(tensor)}' object to buffer '${name}' (torch Tensor or None required)`);
    }
    const raw = this._raw();
    this._buffers.set(name, tensor);
    if (pers) this._nonPersistentBuffers.delete(name); else this._nonPersistentBuffers.add(name);
    defineData(raw, name, tensor);
  }

  /**
   * Adds a parameter under `name` (what assigning a `Parameter` to a field does).
   * @example this.registerParameter('scale', new torch.nn.Parameter(torch.ones([1])));
   */
  registerParameter(name: string, param: Parameter | null): void {
    this._checkName('parameter', name);
    if (name.includes('.')) throw keyError('parameter name can\'t contain "."');
    if (name === '') throw keyError('parameter name can\'t be empty string ""');
    if (name in this && !this._parameters.has(name) && (this as any)[name] !== undefined) throw keyError(`attribute '${name}' already exists`);
    if (param !== null && !(param instanceof Parameter)) {
      throw new TypeError(`cannot assign '${pyTypeName(param)}' object to parameter '${name}' (torch.nn.Parameter or None required)`);
    }
    if (param !== null && param._gradFn !== null) {
      throw new Error(`Cannot assign non-leaf Tensor to parameter '${name}'. Model parameters must be created explicitly. To express '${name}' as a function of another Tensor, compute the value in the forward() method.`);
    }
    const raw = this._raw();
    this._parameters.set(name, param);
    defineData(raw, name, param);
  }

  /**
   * Adds a child module under `name` (what assigning a `Module` to a field does); also `addModule`.
   * @example this.registerModule('block1', new torch.nn.Linear(2, 2));
   */
  registerModule(name: string, module: Module | null): void {
    if (module !== null && !(module instanceof Module)) throw new TypeError(`${pyTypeName(module)} is not a Module subclass`);
    this._checkName('module', name);
    if (name in this && !this._modules.has(name) && (this as any)[name] !== undefined) throw keyError(`attribute '${name}' already exists`);
    if (name.includes('.')) throw keyError(`module name can't contain ".", got: ${name}`);
    if (name === '') throw keyError('module name can\'t be empty string ""');
    this._modules.set(name, module);
    defineData(this._raw(), name, module);
  }

  /** Alias of `registerModule`. */
  addModule(name: string, module: Module | null): void { this.registerModule(name, module); }

  // ---- hooks ----------------------------------------------------------------------------------------------------

  /**
   * Registers `hook(module, args)` to run before `forward`; returning a value replaces the arguments.
   * @example const h = layer.registerForwardPreHook((m, args) => { console.log(args[0].shape); }); h.remove();
   */
  registerForwardPreHook(hook: ForwardPreHook<this>, opts?: { prepend?: boolean; withKwargs?: false }): RemovableHandle;
  /**
   * With `withKwargs: true` the hook gets `(module, args, kwargs)` (kwargs: the trailing options object of the call)
   * and may return `[newArgs, newKwargs]`. `prepend: true` runs it before the hooks registered so far.
   * @example layer.registerForwardPreHook((m, args, kwargs) => [args, { ...kwargs, mask: null }], { withKwargs: true });
   */
  registerForwardPreHook(hook: ForwardPreHookWithKwargs<this>, opts: { prepend?: boolean; withKwargs: true }): RemovableHandle;
  registerForwardPreHook(hook: ForwardPreHook<this> | ForwardPreHookWithKwargs<this>, opts: { prepend?: boolean; withKwargs?: boolean } = {}): RemovableHandle {
    checkOptions('register_forward_pre_hook', opts, ['prepend', 'withKwargs']);
    const h = new HookHandle(this._forwardPreHooks, this._forwardPreHooksWithKwargs);
    insertHook(this._forwardPreHooks, h.id, hook as ForwardPreHook<any>, opts.prepend ?? false);
    if (opts.withKwargs) this._forwardPreHooksWithKwargs.add(h.id);
    return h;
  }

  /**
   * Registers `hook(module, args, output)` to run after `forward`; returning a value replaces the output.
   * @example
   * const shapes: number[][] = [];
   * const h = model.registerForwardHook((m, args, out) => { shapes.push([...out.shape]); });
   * model.call(x); h.remove();
   */
  registerForwardHook(hook: ForwardHook<this>, opts?: { prepend?: boolean; withKwargs?: false; alwaysCall?: boolean }): RemovableHandle;
  /** With `withKwargs: true` the hook gets `(module, args, kwargs, output)`. */
  registerForwardHook(hook: ForwardHookWithKwargs<this>, opts: { prepend?: boolean; withKwargs: true; alwaysCall?: boolean }): RemovableHandle;
  registerForwardHook(hook: ForwardHook<this> | ForwardHookWithKwargs<this>, opts: ForwardHookOptions = {}): RemovableHandle {
    checkOptions('register_forward_hook', opts, ['prepend', 'withKwargs', 'alwaysCall']);
    if (opts.alwaysCall) throw new RangeError('register_forward_hook: alwaysCall (run the hook when forward throws) is not supported in torchlet');
    const h = new HookHandle(this._forwardHooks, this._forwardHooksWithKwargs);
    insertHook(this._forwardHooks, h.id, hook as ForwardHook<any>, opts.prepend ?? false);
    if (opts.withKwargs) this._forwardHooksWithKwargs.add(h.id);
    return h;
  }

  /**
   * Registers `hook(module, gradInput, gradOutput)`, called when the gradients w.r.t. the module's tensor inputs are
   * computed (PyTorch's `register_full_backward_hook`); returning a list replaces `gradInput`. Entries are null for
   * inputs that do not require grad.
   * @example
   * const h = layer.registerFullBackwardHook((m, gIn, gOut) => { console.log(gOut[0]!.shape); });
   */
  registerFullBackwardHook(hook: FullBackwardHook<this>, opts: { prepend?: boolean } = {}): RemovableHandle {
    checkOptions('register_full_backward_hook', opts, ['prepend']);
    const h = new RemovableHandle(this._backwardHooks);
    insertHook(this._backwardHooks, h.id, hook as FullBackwardHook<any>, opts.prepend ?? false);
    return h;
  }

  /**
   * Registers `hook(module, gradOutput)`, called when the gradients w.r.t. the module's outputs are computed, before
   * the full backward hooks; returning a list replaces `gradOutput` (PyTorch's `register_full_backward_pre_hook`).
   */
  registerFullBackwardPreHook(hook: FullBackwardPreHook<this>, opts: { prepend?: boolean } = {}): RemovableHandle {
    checkOptions('register_full_backward_pre_hook', opts, ['prepend']);
    const h = new RemovableHandle(this._backwardPreHooks);
    insertHook(this._backwardPreHooks, h.id, hook as FullBackwardPreHook<any>, opts.prepend ?? false);
    return h;
  }

  /** PyTorch's deprecated `register_backward_hook`: use `registerFullBackwardHook`. */
  registerBackwardHook(_hook: unknown): never {
    throw new Error('register_backward_hook (the non-full backward hook) is not supported in torchlet: use registerFullBackwardHook');
  }

  /**
   * Registers `hook(module, prefix, keepVars)`, called before this module's `stateDict` collects its entries
   * (PyTorch's `register_state_dict_pre_hook`).
   */
  registerStateDictPreHook(hook: (module: this, prefix: string, keepVars: boolean) => void): RemovableHandle {
    const h = new RemovableHandle(this._stateDictPreHooks);
    this._stateDictPreHooks.set(h.id, hook as (module: any, prefix: string, keepVars: boolean) => void);
    return h;
  }

  /**
   * Registers `hook(module, stateDict, prefix, localMetadata)`, called after this module (and its children) added
   * their entries to `stateDict`; it may edit the dict in place or return a replacement (PyTorch's
   * `register_state_dict_post_hook` / `_register_state_dict_hook`). `localMetadata` is `{}`: torchlet keeps no versions.
   * @example model.registerStateDictPostHook((m, sd, prefix) => { delete sd[prefix + 'cache']; });
   */
  registerStateDictPostHook(hook: (module: this, stateDict: StateDict, prefix: string, localMetadata: Record<string, any>) => StateDict | void): RemovableHandle {
    const h = new RemovableHandle(this._stateDictHooks);
    this._stateDictHooks.set(h.id, hook as (module: any, stateDict: StateDict, prefix: string, localMetadata: Record<string, any>) => StateDict | void);
    return h;
  }

  /**
   * Registers `hook(module, stateDict, prefix, localMetadata, strict, missingKeys, unexpectedKeys, errorMsgs)`, called
   * before this module loads its entries; `stateDict` is a Map the hook may edit (rename or convert keys), as
   * PyTorch's `register_load_state_dict_pre_hook`.
   */
  registerLoadStateDictPreHook(hook: LoadStateDictPreHook<this>): RemovableHandle {
    const h = new RemovableHandle(this._loadStateDictPreHooks);
    this._loadStateDictPreHooks.set(h.id, hook as LoadStateDictPreHook);
    return h;
  }

  /**
   * Registers `hook(module, incompatibleKeys)`, called after this module and its children loaded; the hook may edit
   * `incompatibleKeys.missingKeys` / `unexpectedKeys` before `strict` is checked (PyTorch's
   * `register_load_state_dict_post_hook`).
   * @example model.registerLoadStateDictPostHook((m, keys) => { keys.missingKeys.length = 0; });
   */
  registerLoadStateDictPostHook(hook: (module: this, incompatibleKeys: IncompatibleKeys) => void): RemovableHandle {
    const h = new RemovableHandle(this._loadStateDictPostHooks);
    this._loadStateDictPostHooks.set(h.id, hook as (module: any, incompatibleKeys: IncompatibleKeys) => void);
    return h;
  }

  // ---- traversal ------------------------------------------------------------------------------------------------

  /**
   * `[name, module]` for this module and every descendant (each once), depth first, names like `features.0`.
   * @example model.namedModules().map(([n]) => n); // ['', 'features', 'features.0', ...]
   */
  namedModules(memo: Set<Module> | null = null, prefix = '', removeDuplicate = true): [string, Module][] {
    if (memo !== null && !(memo instanceof Set)) throw new TypeError(`named_modules(): argument 'memo' must be a Set of modules or null, not ${pyTypeName(memo)}`);
    const out: [string, Module][] = [];
    const seen = memo ?? new Set<Module>();
    const visit = (m: Module, p: string): void => {
      if (removeDuplicate) { if (seen.has(m)) return; seen.add(m); }
      out.push([p, m]);
      for (const [name, child] of m._modules) {
        if (child === null) continue;
        visit(child, p === '' ? name : `${p}.${name}`);
      }
    };
    visit(this, prefix);
    return out;
  }

  /** This module and every descendant. @example model.modules().length */
  modules(): Module[] { return this.namedModules().map(([, m]) => m); }

  /** `[name, child]` for the direct children (each once). @example model.namedChildren().map(([n]) => n) */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    for (const [name, m] of this._modules) {
      if (m === null || seen.has(m)) continue;
      seen.add(m);
      out.push([name, m]);
    }
    return out;
  }

  /** The direct children. @example new torch.nn.Sequential(new torch.nn.ReLU()).children().length // 1 */
  children(): Module[] { return this.namedChildren().map(([, m]) => m); }

  private _namedMembers<T extends Tensor>(get: (m: Module) => Iterable<[string, T | null]>, prefix: string, recurse: boolean, removeDuplicate: boolean): [string, T][] {
    const memo = new Set<T>();
    const mods: [string, Module][] = recurse ? this.namedModules(null, prefix, removeDuplicate) : [[prefix, this]];
    const out: [string, T][] = [];
    for (const [mp, m] of mods) {
      for (const [k, v] of get(m)) {
        if (v === null || v === undefined || memo.has(v)) continue;
        if (removeDuplicate) memo.add(v);
        out.push([mp === '' ? k : `${mp}.${k}`, v]);
      }
    }
    return out;
  }

  /**
   * `[name, parameter]` pairs, each parameter once even when shared, names as in PyTorch (`features.0.weight`).
   * Accepts `(prefix, recurse)` or `{ prefix, recurse, removeDuplicate }`.
   * @example new torch.nn.Linear(2, 3).namedParameters().map(([n, p]) => [n, p.shape]); // [['weight', [3, 2]], ['bias', [3]]]
   */
  namedParameters(prefix: string | { prefix?: string; recurse?: boolean; removeDuplicate?: boolean } = '', recurse = true, removeDuplicate = true): [string, Parameter][] {
    if (isOptions(prefix)) { checkOptions('named_parameters', prefix, ['prefix', 'recurse', 'removeDuplicate']); recurse = prefix.recurse ?? true; removeDuplicate = prefix.removeDuplicate ?? true; prefix = prefix.prefix ?? ''; }
    return this._namedMembers((m) => m._parameters, prefix as string, recurse, removeDuplicate);
  }

  /**
   * All parameters (an array, so `.filter(p => p.requiresGrad)` works), each once.
   * @example const n = model.parameters().reduce((s, p) => s + p.numel(), 0);
   */
  parameters(recurse: boolean | { recurse?: boolean } = true): Parameter[] {
    if (isOptions(recurse)) checkOptions('parameters', recurse, ['recurse']);
    const r = isOptions(recurse) ? recurse.recurse ?? true : recurse;
    return this.namedParameters('', r).map(([, p]) => p);
  }

  /** `[name, buffer]` pairs (BatchNorm's `running_mean`, ...). @example bn.namedBuffers().map(([n]) => n) */
  namedBuffers(prefix: string | { prefix?: string; recurse?: boolean; removeDuplicate?: boolean } = '', recurse = true, removeDuplicate = true): [string, Tensor][] {
    if (isOptions(prefix)) { checkOptions('named_buffers', prefix, ['prefix', 'recurse', 'removeDuplicate']); recurse = prefix.recurse ?? true; removeDuplicate = prefix.removeDuplicate ?? true; prefix = prefix.prefix ?? ''; }
    return this._namedMembers((m) => m._buffers, prefix as string, recurse, removeDuplicate);
  }

  /** All buffers. @example new torch.nn.BatchNorm1d(3).buffers().length // 3 */
  buffers(recurse: boolean | { recurse?: boolean } = true): Tensor[] {
    if (isOptions(recurse)) checkOptions('buffers', recurse, ['recurse']);
    const r = isOptions(recurse) ? recurse.recurse ?? true : recurse;
    return this.namedBuffers('', r).map(([, b]) => b);
  }

  /**
   * The submodule at a dotted path (`'features.0'`).
   * @example model.getSubmodule('features.0')
   */
  getSubmodule(target: string): Module {
    if (target === '') return this;
    let mod: Module = this;
    for (const item of target.split('.')) {
      const next = mod._modules.get(item);
      if (next === undefined || next === null) throw new Error(`${mod._getName()} has no attribute \`${item}\``);
      mod = next;
    }
    return mod;
  }

  /** The parameter at a dotted path (`'features.0.weight'`). @example model.getParameter('fc.bias') */
  getParameter(target: string): Parameter {
    const i = target.lastIndexOf('.');
    const mod = this.getSubmodule(i < 0 ? '' : target.slice(0, i));
    const name = target.slice(i + 1);
    const p = mod._parameters.get(name);
    if (p === undefined || p === null) throw new Error(`${mod._getName()} has no parameter \`${name}\``);
    return p;
  }

  /** The buffer at a dotted path (`'bn.running_mean'`). @example model.getBuffer('bn.running_var') */
  getBuffer(target: string): Tensor {
    const i = target.lastIndexOf('.');
    const mod = this.getSubmodule(i < 0 ? '' : target.slice(0, i));
    const name = target.slice(i + 1);
    const b = mod._buffers.get(name);
    if (b === undefined || b === null) throw new Error(`${mod._getName()} has no buffer \`${name}\``);
    return b;
  }

  // ---- modes and bulk operations ---------------------------------------------------------------------------------

  /**
   * Sets training mode (`true`) or evaluation mode (`false`) on this module and every descendant. Only layers
   * like Dropout and BatchNorm behave differently; it does not touch `requiresGrad` (see `noGrad`).
   * @example model.train(); model.train(false);
   */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new TypeError('training mode is expected to be boolean');
    this.training = mode;
    for (const m of this.children()) m.train(mode);
    return this;
  }

  /** Same as `train(false)`. @example model.eval(); */
  eval(): this { return this.train(false); }

  /**
   * Sets `requiresGrad` on every parameter (freezing with `false`).
   * @example model.features.requiresGrad_(false);
   */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /**
   * Resets the gradients of every parameter: to `null` (the default, as PyTorch 2), or to zeros with
   * `setToNone = false`.
   * @example model.zeroGrad();
   */
  zeroGrad(setToNone: boolean | { setToNone?: boolean } = true): void {
    if (isOptions(setToNone)) checkOptions('zero_grad', setToNone, ['setToNone']);
    const none = isOptions(setToNone) ? setToNone.setToNone ?? true : setToNone;
    for (const p of this.parameters()) {
      if (p._grad === null) continue;
      if (none) dropGrad(p);
      else noGrad(() => p._grad!.zero_());
    }
  }

  /**
   * Calls `fn` on every descendant (children first) and then on this module; used for custom initialisation.
   * @example model.apply((m) => { if (m instanceof torch.nn.Linear) torch.nn.init.zeros_(m.bias!); });
   */
  apply(fn: (m: Module) => void): this {
    for (const m of this.children()) m.apply(fn);
    fn(this);
    return this;
  }

  /** @internal Applies `fn` to every parameter, buffer (and gradient), replacing their data in place. */
  _applyToTensors(fn: (t: Tensor) => Tensor): this {
    noGrad(() => {
      for (const m of this.modules()) {
        for (const p of m._parameters.values()) {
          if (p === null) continue;
          const r = fn(p);
          if (r !== p) setTensorData(p, r.detach());
          if (p.grad !== null) {
            // as PyTorch's `param.grad.data = fn(param.grad)`: the gradient object keeps its identity too
            const g = fn(p.grad);
            if (g !== p.grad) setTensorData(p.grad, g.detach());
          }
        }
        for (const [k, b] of m._buffers) {
          if (b === null) continue;
          const r = fn(b);
          if (r !== b) setTensorData(b, r.detach());
          void k;
        }
      }
    });
    return this;
  }

  /**
   * Moves and/or casts parameters and buffers in place: `to('float64')`, `to('cpu')`, `to({ device, dtype })`,
   * `to(tensor)`. Only floating-point tensors change dtype. Parameters keep their identity (optimizers stay valid).
   * @example model.to('float64');
   */
  to(arg: DType | DeviceLike | Tensor | { device?: DeviceLike | null; dtype?: DType | null; nonBlocking?: boolean }, dtype?: DType | { dtype?: DType | null; nonBlocking?: boolean }): this {
    let dt: DType | undefined, dev: Device | undefined;
    if (arg instanceof Tensor) { dt = arg.dtype; dev = arg.device; }
    else if (arg instanceof Device) dev = arg;
    else if (isOptions(arg)) { checkOptions('to', arg, ['device', 'dtype', 'nonBlocking']); dt = arg.dtype ?? undefined; if (arg.device !== undefined && arg.device !== null) dev = parseDevice(arg.device); }
    else if (typeof arg === 'string' && isDType(arg)) dt = arg;
    else if (typeof arg === 'string') dev = parseDevice(arg);
    if (typeof dtype === 'string') dt = dtype;
    else if (isOptions(dtype)) { checkOptions('to', dtype, ['dtype', 'nonBlocking']); if (dtype.dtype) dt = dtype.dtype; }
    if (dt !== undefined && !isDType(dt)) throw new TypeError(`to(): argument 'dtype' must be one of ${DTYPES.map((d) => `'${d}'`).join(', ')}, not '${String(dt)}'`);
    if (dt !== undefined && !isFloating(dt)) {
      throw new TypeError(`nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=${dt}`);
    }
    if (dev !== undefined) getBackend(dev); // fails early (unknown device, no CUDA) before anything moves
    return this._applyToTensors((t) => {
      let r = t;
      if (dev !== undefined && !r.device.equals(dev)) r = r.to(dev);
      if (dt !== undefined && isFloating(r.dtype) && r.dtype !== dt) r = r.to(dt);
      return r;
    });
  }

  /** Casts floating-point parameters and buffers to float32. @example model.float(); */
  float(): this { return this.to('float32'); }
  /** Casts floating-point parameters and buffers to float64. @example model.double(); */
  double(): this { return this.to('float64'); }
  /** Moves parameters, buffers and gradients to the CPU, in place. @example model.cpu(); */
  cpu(): this { return this.to('cpu'); }
  /**
   * Moves to CUDA device `index` (default 0), in place; fails with `Torch not compiled with CUDA enabled` when no
   * CUDA backend is registered (this build ships none).
   */
  cuda(index?: number | DeviceLike): this {
    return this.to(index === undefined ? parseDevice('cuda', 0) : typeof index === 'number' ? parseDevice('cuda', index) : index);
  }

  /**
   * Moves parameters and buffers to `device` WITHOUT copying their values (PyTorch's `to_empty`): the new tensors
   * are uninitialised (zero-filled here). The way to materialise a model built on the `meta` device; call
   * `resetParameters()` on its layers (or load a state dict) afterwards. Parameters and gradients keep their
   * identity (gradients become uninitialised too, as PyTorch's `_apply(empty_like)`).
   * @example
   * const model = new torch.nn.Linear(1024, 1024, { device: 'meta' }); // no memory
   * model.toEmpty({ device: 'cpu' });
   * model.resetParameters();
   */
  toEmpty(opts: { device: DeviceLike; recurse?: boolean } | DeviceLike): this {
    if (isOptions(opts) && !(opts instanceof Device)) checkOptions('to_empty', opts, ['device', 'recurse']);
    const o = isOptions(opts) && !(opts instanceof Device) ? opts as { device: DeviceLike; recurse?: boolean } : { device: opts as DeviceLike };
    const dev = parseDevice(o.device);
    getBackend(dev);
    const modules = o.recurse === false ? [this as Module] : this.modules();
    noGrad(() => {
      for (const m of modules) {
        for (const p of m._parameters.values()) {
          if (p === null) continue;
          setTensorData(p, emptyLike(p, { device: dev }));
          if (p.grad !== null) setTensorData(p.grad, emptyLike(p.grad, { device: dev }));
        }
        for (const b of m._buffers.values()) if (b !== null) setTensorData(b, emptyLike(b, { device: dev }));
      }
    });
    return this;
  }

  // ---- state dict -------------------------------------------------------------------------------------------------

  /**
   * Parameters and persistent buffers by name, in PyTorch's order (each module's parameters, then its buffers,
   * then its children). Values are detached tensors sharing storage with the module (`keepVars: true` gives
   * the parameters themselves).
   * @example Object.keys(new torch.nn.BatchNorm1d(3).stateDict()); // ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']
   */
  stateDict(opts: { destination?: StateDict; prefix?: string; keepVars?: boolean } = {}): StateDict {
    checkOptions('state_dict', opts, ['destination', 'prefix', 'keepVars']);
    const dest = opts.destination ?? {};
    const prefix = opts.prefix ?? '';
    const keep = opts.keepVars ?? false;
    for (const h of [...this._stateDictPreHooks.values()]) h(this, prefix, keep);
    for (const [k, p] of this._parameters) if (p !== null) dest[prefix + k] = keep ? p : p.detach();
    for (const [k, b] of this._buffers) {
      if (b !== null && !this._nonPersistentBuffers.has(k)) dest[prefix + k] = keep ? b : b.detach();
    }
    for (const [k, m] of this._modules) if (m !== null) m.stateDict({ destination: dest, prefix: `${prefix}${k}.`, keepVars: keep });
    let result = dest;
    for (const h of [...this._stateDictHooks.values()]) {
      const r = h(this, result, prefix, {});
      if (r !== undefined && r !== null) result = r;
    }
    return result;
  }

  /** @internal PyTorch's `_load_from_state_dict`. */
  _loadFromStateDict(sd: Map<string, Tensor>, prefix: string, missing: string[], unexpected: string[], errors: string[], strict = true): void {
    for (const h of [...this._loadStateDictPreHooks.values()]) h(this, sd, prefix, {}, strict, missing, unexpected, errors);
    const local = new Map<string, Tensor>();
    for (const [k, p] of this._parameters) if (p !== null) local.set(k, p);
    for (const [k, b] of this._buffers) if (b !== null && !this._nonPersistentBuffers.has(k)) local.set(k, b);
    for (const [name, param] of local) {
      const key = prefix + name;
      if (sd.has(key)) {
        let input = sd.get(key) as unknown;
        if (!(input instanceof Tensor)) {
          errors.push(`While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received ${pyTypeName(input)}`);
          continue;
        }
        let inp = input as Tensor;
        if (param.dim() === 0 && inp.dim() === 1) inp = inp.select(0, 0);
        if (inp.dim() !== param.dim() || inp.shape.some((s, i) => s !== param.shape[i])) {
          errors.push(`size mismatch for ${key}: copying a param with shape [${inp.shape.join(', ')}] from checkpoint, the shape in current model is [${param.shape.join(', ')}].`);
          continue;
        }
        try {
          noGrad(() => param.copy_(inp));
        } catch (ex) {
          errors.push(`While copying the parameter named "${key}", whose dimensions in the model are [${param.shape.join(', ')}] and whose dimensions in the checkpoint are [${inp.shape.join(', ')}], an exception occurred : ${(ex as Error).message}.`);
        }
      } else {
        missing.push(key);
      }
    }
    for (const key of sd.keys()) {
      if (!key.startsWith(prefix)) continue;
      const inputName = key.slice(prefix.length).split('.', 1)[0]!;
      if (!this._modules.has(inputName) && !local.has(inputName)) unexpected.push(key);
    }
  }

  /**
   * Copies parameters and buffers from `stateDict`. With `strict` (the default) every missing or unexpected key
   * is an error; shape mismatches are always errors. All problems are reported in one error, with PyTorch's
   * messages. Returns `{ missingKeys, unexpectedKeys }`.
   * @example
   * const sd = model.stateDict();
   * other.loadStateDict(sd);                       // strict
   * other.loadStateDict(sd, { strict: false });    // returns { missingKeys, unexpectedKeys }
   */
  loadStateDict(stateDict: StateDict | Map<string, Tensor>, strict: boolean | { strict?: boolean } = true): IncompatibleKeys {
    const st = resolveArgs('Module.load_state_dict', [strict], { strict: true }).strict;
    if (typeof st !== 'boolean') throw new TypeError(`Module.load_state_dict(): argument 'strict' must be bool, not ${pyTypeName(st)}`);
    if (stateDict === null || typeof stateDict !== 'object') {
      throw new TypeError(`Expected state_dict to be dict-like, got ${pyTypeName(stateDict)}.`);
    }
    const sd = stateDict instanceof Map ? new Map(stateDict) : new Map(Object.entries(stateDict));
    const missing: string[] = [], unexpected: string[] = [], errors: string[] = [];
    const load = (m: Module, local: Map<string, Tensor>, prefix: string): void => {
      m._loadFromStateDict(local, prefix, missing, unexpected, errors, st);
      for (const [name, child] of m._modules) {
        if (child === null) continue;
        const cp = `${prefix}${name}.`;
        const childSd = new Map<string, Tensor>();
        for (const [k, v] of local) if (k.startsWith(cp)) childSd.set(k, v);
        load(child, childSd, cp);
      }
      for (const h of [...m._loadStateDictPostHooks.values()]) h(m, { missingKeys: missing, unexpectedKeys: unexpected });
    };
    load(this, sd, '');
    if (st) {
      if (unexpected.length > 0) errors.unshift(`Unexpected key(s) in state_dict: ${unexpected.map((k) => `"${k}"`).join(', ')}. `);
      if (missing.length > 0) errors.unshift(`Missing key(s) in state_dict: ${missing.map((k) => `"${k}"`).join(', ')}. `);
    }
    if (errors.length > 0) throw new Error(`Error(s) in loading state_dict for ${this._getName()}:\n\t${errors.join('\n\t')}`);
    return { missingKeys: missing, unexpectedKeys: unexpected };
  }

  // ---- printing --------------------------------------------------------------------------------------------------

  /** The layer's own settings shown in its repr (e.g. `in_features=2, out_features=3, bias=True`). */
  extraRepr(): string { return ''; }

  /** PyTorch's module printout. @example console.log(String(model)); */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra === '' ? [] : extra.split('\n');
    const childLines: string[] = [];
    for (const [k, m] of this._modules) {
      const r = m === null ? 'None' : m.toString();
      childLines.push(`(${k}): ${r.split('\n').join('\n  ')}`);
    }
    const lines = [...extraLines, ...childLines];
    let s = `${this._getName()}(`;
    if (lines.length > 0) {
      if (extraLines.length === 1 && childLines.length === 0) s += extraLines[0];
      else s += `\n  ${lines.join('\n  ')}\n`;
    }
    return `${s})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string { return this.toString(); }

  /**
   * What `JSON.stringify(model)` serialises: the module's own enumerable fields. Needed because a module is a
   * function object (callable), which `JSON.stringify` would otherwise skip (`undefined`).
   */
  toJSON(): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(this)) o[k] = (this as any)[k];
    return o;
  }
}

/**
 * A deep copy of a module (`copy.deepcopy`): new parameters and buffers with the same values, the same
 * structure, hooks and settings. Used by `TransformerEncoder` to stack copies of one layer.
 * @example const twin = torch.nn.deepcopy(layer);
 */
export function deepcopy<T>(value: T, memo: Map<unknown, unknown> = new Map()): T {
  if (!(memo instanceof Map)) throw new TypeError(`deepcopy(): argument 'memo' must be a Map, not ${pyTypeName(memo)}`);
  const v = value as unknown;
  if (v === null || (typeof v !== 'object' && !(v instanceof Module))) return value; // modules are functions
  if (memo.has(v)) return memo.get(v) as T;
  if (v instanceof Module) {
    const raw = (v as any)[TARGET] as Module;
    const nraw = makeRaw(Object.getPrototypeOf(raw));
    const proxy = wrap(nraw);
    memo.set(v, proxy);
    memo.set(raw, nraw);
    for (const key of Reflect.ownKeys(raw)) {
      if (key === TARGET || key === TARGET_PROXY || key === 'forward') continue;
      const d = Object.getOwnPropertyDescriptor(raw, key)!;
      if ('value' in d) d.value = deepcopy(d.value, memo);
      Object.defineProperty(nraw, key, d);
    }
    return proxy as T;
  }
  if (v instanceof Parameter) {
    const p = noGrad(() => new Parameter(v.detach().clone(), v.requiresGrad));
    memo.set(v, p);
    return p as T;
  }
  if (v instanceof Tensor) {
    const t = noGrad(() => v.detach().clone());
    if (v.requiresGrad && v.isLeaf) t.requiresGrad_(true);
    memo.set(v, t);
    return t as T;
  }
  if (v instanceof Map) {
    const m = new Map();
    memo.set(v, m);
    for (const [k, x] of v) m.set(k, deepcopy(x, memo));
    return m as T;
  }
  if (v instanceof Set) {
    const s = new Set();
    memo.set(v, s);
    for (const x of v) s.add(deepcopy(x, memo));
    return s as T;
  }
  if (Array.isArray(v)) {
    const a: unknown[] = [];
    memo.set(v, a);
    for (const x of v) a.push(deepcopy(x, memo));
    return a as T;
  }
  if (isOptions(v)) {
    const o: Record<string, unknown> = {};
    memo.set(v, o);
    for (const [k, x] of Object.entries(v)) o[k] = deepcopy(x, memo);
    return o as T;
  }
  return value; // other class instances (devices, generators, ...) are shared
}
