/**
 * `torch.optim.Optimizer`: parameter groups, per-parameter state, `zeroGrad`, `step`, `stateDict`/`loadStateDict`.
 */
import { Tensor, dropGrad } from '../tensor.js';
import { enableGrad, noGrad } from '../autograd/grad_mode.js';
import { tensor as makeTensor } from '../ops.js';
import { pyNum } from './_access.js';
import { unexpectedKeyword } from '../nn/_args.js';
import { hostScalar } from './_common.js';
import { knownHostValue, rememberHostValue } from '../host_values.js';
import { checkOptions } from '../_options.js';

/**
 * Marks an optimizer default that every parameter group must specify (PyTorch's `torch.optim.optimizer.required`).
 * @example
 * class MySGD extends torch.optim.Optimizer { constructor(params) { super(params, { lr: torch.optim.required }); } }
 */
export const required: unique symbol = Symbol('required parameter');

/** One parameter group: its tensors plus its hyperparameters (`lr`, `weightDecay`, `betas`, ...). */
export interface ParamGroup {
  params: Tensor[];
  lr: number;
  [option: string]: any;
}

/** A parameter group as given to a constructor or `addParamGroup`: any missing option comes from the defaults. */
export interface ParamGroupInput {
  params: Tensor | Iterable<Tensor>;
  [option: string]: any;
}

/** What optimizers accept: tensors (one group) or groups. */
export type ParamsT = Iterable<Tensor> | Iterable<ParamGroupInput>;

/** A closure that re-evaluates the model and returns the loss (`optimizer.step(closure)`). */
export type Closure = () => number | Tensor;

/** The packed state of an optimizer: parameters are replaced by their index across all groups. */
export interface OptimizerStateDict {
  state: Record<number, Record<string, any>>;
  paramGroups: (Omit<ParamGroup, 'params'> & { params: number[] })[];
}

function typeName(x: unknown): string {
  if (x instanceof Tensor) return x.type();
  if (x === null) return 'NoneType';
  if (Array.isArray(x)) return 'list';
  if (typeof x === 'number') return Number.isInteger(x) ? 'int' : 'float';
  if (typeof x === 'string') return 'str';
  if (typeof x === 'boolean') return 'bool';
  // a module is a function object (callable) with its class's prototype: name its class
  return typeof x === 'object' || (typeof x === 'function' && Object.getPrototypeOf(x) !== Function.prototype) ? (x as object).constructor?.name ?? 'object' : typeof x;
}

function isPlainObject(x: unknown): x is Record<string, any> {
  return x !== null && typeof x === 'object' && !(x instanceof Tensor) && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

/** Python's KeyError, for a state dict that lacks keys this optimizer needs. */
class KeyError extends Error {
  override name = 'KeyError';
}

/** Options added to optimizers after their first release: a checkpoint without them takes the defaults (PyTorch's
 * `__setstate__` does the same with `setdefault`). */
const LATER_OPTIONS = new Set(['maximize', 'decoupledWeightDecay', 'amsgrad', 'foreach', 'capturable', 'differentiable', 'fused']);

/** The option sets of torchlet's optimizers (their `defaults` keys), to name where a foreign state dict comes from. */
const KNOWN_OPTIONS: Record<string, string> = {
  SGD: 'dampening,lr,maximize,momentum,nesterov,weightDecay',
  'Adam/AdamW': 'amsgrad,betas,decoupledWeightDecay,eps,lr,maximize,weightDecay',
  Adamax: 'betas,eps,lr,maximize,weightDecay',
  NAdam: 'betas,decoupledWeightDecay,eps,lr,maximize,momentumDecay,weightDecay',
  RAdam: 'betas,decoupledWeightDecay,eps,lr,maximize,weightDecay',
  RMSprop: 'alpha,centered,eps,lr,maximize,momentum,weightDecay',
  Adagrad: 'eps,initialAccumulatorValue,lr,lrDecay,maximize,weightDecay',
  Adadelta: 'eps,lr,maximize,rho,weightDecay',
  LBFGS: 'historySize,lineSearchFn,lr,maxEval,maxIter,toleranceChange,toleranceGrad',
  Rprop: 'etas,lr,maximize,stepSizes',
  ASGD: 'alpha,lambd,lr,maximize,t0,weightDecay',
};

/** The optimizer(s) whose options all appear in the saved group `g`, the one with the most options first (Adam's group
 * also holds every RAdam option); else those whose distinctive options appear (a group from an older version). */
function guessOptimizer(g: Record<string, unknown>): string[] | null {
  const pick = (score: (ks: string[]) => number): string[] => {
    let best: string[] = [];
    let bestScore = 0;
    for (const [name, keys] of Object.entries(KNOWN_OPTIONS)) {
      const sc = score(keys.split(','));
      if (sc > bestScore) { best = [name]; bestScore = sc; } else if (sc === bestScore && sc > 0) best.push(name);
    }
    return best;
  };
  const full = pick((ks) => (ks.every((k) => k in g) ? ks.length : 0));
  if (full.length > 0) return full;
  const partial = pick((ks) => {
    const distinctive = ks.filter((k) => !LATER_OPTIONS.has(k) && k !== 'lr' && k !== 'weightDecay' && k !== 'eps');
    return distinctive.every((k) => k in g) ? distinctive.length : 0;
  });
  return partial.length > 0 ? partial : null;
}

function copyValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copyValue);
  if (isPlainObject(v)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = copyValue(x);
    return o;
  }
  return v;
}

/**
 * @internal Implementation hints PyTorch's optimizers accept (`foreach`, `fused`, `capturable`); torchlet's updates
 * are fused whenever the backend has the kernel (the Tensor-op fallback otherwise), so they are accepted and ignored.
 * `differentiable: true` is refused.
 */
export const OPTIMIZER_HINTS: readonly string[] = ['foreach', 'fused', 'capturable', 'differentiable'];

/** PyTorch's implementation switches, accepted for source compatibility (updates are fused where the backend can). */
export interface OptimizerHints {
  foreach?: boolean | null;
  fused?: boolean | null;
  capturable?: boolean;
  /** Only `false` is supported. */
  differentiable?: boolean;
}

/**
 * @internal Parses PyTorch-ordered positional arguments, any of which may be replaced by one trailing options
 * object with camelCase keys. Unknown option names raise PyTorch's TypeError.
 */
export function parseArgs(cls: string, args: readonly unknown[], positional: readonly string[], known: readonly string[],
  ignored: readonly string[] = []): Record<string, any> {
  const out: Record<string, any> = {};
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  for (let i = 0; i < n; i++) {
    const a = args[i];
    if (isPlainObject(a) && i === n - 1 && [Object.prototype, null].includes(Object.getPrototypeOf(a))) {
      for (const [k, v] of Object.entries(a)) {
        if (v === undefined) continue;
        if (ignored.includes(k)) {
          if (k === 'differentiable' && v) throw new RangeError(`${cls}: differentiable=True is not supported (optimizer steps run under noGrad)`);
          continue;
        }
        if (!known.includes(k)) throw unexpectedKeyword(`${cls}.__init__`, k, [...known, ...ignored]);
        if (k in out) throw new TypeError(`${cls}.__init__() got multiple values for argument '${k}'`);
        out[k] = v;
      }
      break;
    }
    if (i >= positional.length) {
      throw new TypeError(`${cls}.__init__() takes ${positional.length} positional arguments but ${n} were given`);
    }
    if (a !== undefined) out[positional[i]!] = a;
  }
  return out;
}

/**
 * A group's hyperparameter must have its default's type (a number where the default is a number, a boolean where it
 * is a boolean, a list of numbers of the same length): `lr: '0.1'` would otherwise be coerced by `>=` checks and
 * fail at `step()` (SGD) or train with string arithmetic (Adam). Options whose default is null or `required` (checked
 * as a number when given) are free-form.
 */
function checkOptionType(cls: string, name: string, def: unknown, v: unknown): void {
  const bad = (want: string): TypeError => new TypeError(`${cls}: parameter group option '${name}' must be ${want}, but got ${describeValue(v)}`);
  if (typeof def === 'number' || def === required) {
    if (typeof v !== 'number') throw bad('a float');
  } else if (typeof def === 'boolean') {
    if (typeof v !== 'boolean') throw bad('a bool');
  } else if (Array.isArray(def) && def.every((x) => typeof x === 'number')) {
    if (!Array.isArray(v) || v.length !== def.length || v.some((x) => typeof x !== 'number')) throw bad(`a list of ${def.length} floats`);
  }
}

function describeValue(x: unknown): string {
  if (typeof x === 'string') return `str '${x}'`;
  if (Array.isArray(x)) return `list [${x.map(String).join(', ')}]`;
  return typeName(x);
}

/**
 * Base class of all optimizers (`torch.optim.Optimizer`).
 *
 * `params` is an iterable of tensors (one group) or of groups `{ params, ...options }`; options a group leaves
 * out come from `defaults` (PyTorch's `setdefault`), so any hyperparameter can differ per group. `paramGroups`
 * is public and mutable: schedulers and users write `group.lr`. Parameters whose `.grad` is null are skipped by
 * `step()` (frozen parameters included). Subclasses implement `_stepGroup` (or override `step`).
 *
 * @example
 * import * as torch from 'torchlet';
 * const base = torch.randn([4, 4], { requiresGrad: true });
 * const head = torch.randn([2, 4], { requiresGrad: true });
 * const opt = new torch.optim.SGD([{ params: [base] }, { params: [head], lr: 1e-3 }], { lr: 1e-2, momentum: 0.9 });
 * opt.paramGroups.map((g) => g.lr); // [0.01, 0.001]
 */
export class Optimizer {
  /** The constructor's options, used to fill in groups (`addParamGroup`). */
  defaults: Record<string, any>;
  /** Per-parameter state (`momentumBuffer`, `expAvg`, `step`, ...), keyed by the parameter tensor. */
  state: Map<Tensor, Record<string, any>> = new Map();
  /** The parameter groups, in order. */
  paramGroups: ParamGroup[] = [];
  /** @internal set to true by the wrapper schedulers install around `step` once it has run. */
  _optCalled?: boolean;

  constructor(params: ParamsT, defaults: Record<string, any>) {
    this.defaults = defaults;
    if (params instanceof Tensor) {
      throw new TypeError(`params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${params.type()}`);
    }
    if (params === null || params === undefined || typeof (params as any)[Symbol.iterator] !== 'function') {
      throw new TypeError(`params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${typeName(params)}`);
    }
    let groups = [...(params as Iterable<any>)];
    if (groups.length === 0) throw new RangeError('optimizer got an empty parameter list');
    if (!isPlainObject(groups[0])) groups = [{ params: groups }];
    for (const g of groups) this.addParamGroup(g);
  }

  /**
   * Adds a parameter group (e.g. to unfreeze layers during fine-tuning); missing options come from `defaults`.
   * Throws PyTorch's errors for a missing required option, a non-leaf tensor, or a parameter already in a group.
   * @example
   * opt.addParamGroup({ params: [backbone.weight], lr: 1e-4 });
   */
  addParamGroup(paramGroup: ParamGroupInput): void {
    if (!isPlainObject(paramGroup)) throw new TypeError('param group must be a dict');
    const group: Record<string, any> = { ...paramGroup };
    const ps = group.params;
    if (ps instanceof Tensor) group.params = [ps];
    else if (ps !== null && ps !== undefined && typeof ps[Symbol.iterator] === 'function') group.params = [...ps];
    else throw new TypeError(`optimizer params must be a Tensor or an iterable of Tensors, but got ${typeName(ps)}`);
    for (const p of group.params as unknown[]) {
      if (!(p instanceof Tensor)) throw new TypeError(`optimizer can only optimize Tensors, but one of the params is ${typeName(p)}`);
      const retains = p._gradFn !== null && p._gradFn.retained === p;
      if (!this.defaults.differentiable && !(p.isLeaf || retains)) throw new RangeError("can't optimize a non-leaf Tensor");
    }
    for (const [name, def] of Object.entries(this.defaults)) {
      if (def === required && !(name in group && group[name] !== undefined)) {
        throw new RangeError(`parameter group didn't specify a value of required optimization parameter ${name}`);
      }
      if (!(name in group) || group[name] === undefined) group[name] = copyValue(def);
      checkOptionType(this.constructor.name, name, def, group[name]);
    }
    const params = group.params as Tensor[];
    if (new Set(params).size !== params.length) {
      process.emitWarning('optimizer contains a parameter group with duplicate parameters; in future, this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more information', 'UserWarning');
    }
    const seen = new Set<Tensor>();
    for (const g of this.paramGroups) for (const p of g.params) seen.add(p);
    if (params.some((p) => seen.has(p))) throw new RangeError('some parameters appear in more than one parameter group');
    // keep `params` first, as PyTorch's dicts do when printed
    const ordered: Record<string, any> = { params };
    for (const [k, v] of Object.entries(group)) if (k !== 'params') ordered[k] = v;
    this.paramGroups.push(ordered as ParamGroup);
  }

  /**
   * Resets the gradients of all optimized tensors: to null (default, `setToNone: true`) or to zeros.
   * @example
   * opt.zeroGrad();                        // p.grad === null
   * opt.zeroGrad({ setToNone: false });    // p.grad is all zeros
   */
  zeroGrad(setToNone: boolean | { setToNone?: boolean } = true): void {
    if (typeof setToNone !== 'boolean') {
      if (setToNone === null || typeof setToNone !== 'object') throw new TypeError(`zero_grad(): argument 'set_to_none' must be bool, not ${setToNone === null ? 'null' : typeof setToNone}`);
      checkOptions('zero_grad', setToNone, ['setToNone']);
    }
    const toNone = typeof setToNone === 'boolean' ? setToNone : setToNone.setToNone ?? true;
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (p._grad === null) continue;
        if (toNone) { dropGrad(p); continue; }
        const gr = p._grad;
        gr._gradFn = null;
        gr._requiresGrad = false;
        noGrad(() => gr.zero_());
      }
    }
  }

  /**
   * Performs one optimization step over every parameter that has a gradient. `closure`, when given, re-evaluates
   * the model (with grad enabled) and its loss is returned.
   * @example
   * loss.backward();
   * opt.step();
   */
  step(closure?: Closure): number | Tensor | undefined {
    let loss: number | Tensor | undefined;
    if (closure !== undefined) loss = enableGrad(closure);
    noGrad(() => {
      for (const group of this.paramGroups) this._stepGroup(group);
    });
    return loss;
  }

  /**
   * @internal The update of one group, under `noGrad`; subclasses implement it. The built-in optimizers run the
   * backend's `fusedOptimizerStep` when it has one and their Tensor-op fallback otherwise.
   */
  protected _stepGroup(_group: ParamGroup): void {
    throw new Error(`${this.constructor.name}.step() is not implemented`);
  }

  /**
   * @internal Whether a state entry is a one-element scalar (a counter like `step`) rather than a tensor of the
   * parameter's shape: loadStateDict does not check its shape and keeps its value known on the host.
   */
  _scalarStateKey(key: string): boolean { return key === 'step' || key === 'muProduct'; }

  /** @internal This parameter's state object, created empty on first use (PyTorch's `defaultdict(dict)`). */
  _stateOf(p: Tensor): Record<string, any> {
    let s = this.state.get(p);
    if (s === undefined) { s = {}; this.state.set(p, s); }
    return s;
  }

  /**
   * The optimizer's state: `state` maps a parameter's index (counting across groups in order) to its state,
   * `paramGroups` holds each group's options with `params` as indices. As in PyTorch the state tensors are the live
   * buffers: clone them (or serialize) before stepping again if you keep the dict in memory.
   * @example
   * const saved = opt.stateDict();
   * const opt2 = new torch.optim.Adam(model2Params);
   * opt2.loadStateDict(saved);
   */
  stateDict(): OptimizerStateDict {
    const mapping = new Map<Tensor, number>();
    let start = 0;
    const paramGroups = this.paramGroups.map((g) => {
      const packed: Record<string, any> = {};
      for (const [k, v] of Object.entries(g)) if (k !== 'params') packed[k] = copyValue(v);
      g.params.forEach((p, i) => { if (!mapping.has(p)) mapping.set(p, start + i); });
      packed.params = g.params.map((p) => mapping.get(p)!);
      start += g.params.length;
      return packed as Omit<ParamGroup, 'params'> & { params: number[] };
    });
    const state: Record<number, Record<string, any>> = {};
    for (const [p, s] of this.state) {
      const idx = mapping.get(p);
      if (idx !== undefined) state[idx] = s;
    }
    return { state, paramGroups };
  }

  /**
   * Loads a `stateDict()` (deep-copied; tensors are cast to each parameter's dtype, except `step`). Throws PyTorch's
   * errors when the number of groups or a group's size differs. Plain numbers / nested arrays are accepted for state
   * tensors (e.g. after a JSON round trip).
   * @example
   * opt.loadStateDict(checkpoint.optimizer);
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const me = this.constructor.name;
    if (!isPlainObject(stateDict) || !isPlainObject(stateDict.state) || !Array.isArray(stateDict.paramGroups) || !stateDict.paramGroups.every((g) => isPlainObject(g) && Array.isArray(g.params))) {
      throw new TypeError(`${me}.loadStateDict: expected { state, paramGroups } as returned by stateDict(), got ${isPlainObject(stateDict) ? `an object with keys [${Object.keys(stateDict).join(', ')}]` : typeName(stateDict)}`);
    }
    const groups = this.paramGroups;
    const saved = stateDict.paramGroups;
    if (groups.length !== saved.length) throw new RangeError('loaded state dict has a different number of parameter groups');
    for (let i = 0; i < groups.length; i++) {
      if (groups[i]!.params.length !== saved[i]!.params.length) {
        throw new RangeError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
      }
    }
    // State from another optimizer type: its groups lack this optimizer's options (PyTorch fails at step() with
    // KeyError 'betas'; torchlet used to fail there with "undefined is not iterable")
    const filled: Record<string, unknown>[] = saved.map(() => ({}));
    saved.forEach((g, i) => {
      const missing = Object.keys(this.defaults).filter((k) => !(k in g));
      if (missing.length === 0) return;
      if (missing.every((k) => LATER_OPTIONS.has(k))) { // an older checkpoint of this type: PyTorch's setdefault
        for (const k of missing) filled[i]![k] = copyValue(this.defaults[k]);
        return;
      }
      const other = guessOptimizer(g);
      const has = Object.keys(g).filter((k) => k !== 'params').sort();
      throw new KeyError(`${me}.loadStateDict: the state dict comes from ${other === null ? 'another optimizer type' : `${other.length > 1 ? 'one of ' : ''}${other.join('/')}`}, not ${me}: parameter group ${i} has options [${has.join(', ')}] and lacks ${me}'s ${missing.map((k) => `'${k}'`).join(', ')}`);
    });
    const idMap = new Map<number, Tensor>();
    for (let i = 0; i < groups.length; i++) {
      saved[i]!.params.forEach((id, j) => idMap.set(Number(id), groups[i]!.params[j]!));
    }
    const cast = (param: Tensor, value: unknown, key: string | null): unknown => {
      if (value instanceof Tensor) {
        // state lives on the parameter's device (PyTorch's fused optimizers keep `step` there too: it is never read
        // during a step, see the host-side mirror in _common.ts)
        return noGrad(() => {
          const dtype = key !== 'step' && param.isFloatingPoint() && value.isFloatingPoint() ? param.dtype : value.dtype;
          const v0 = value.to({ dtype, device: param.device });
          const v = v0 === value ? v0.clone() : v0.contiguous();
          // a counter whose value the host knows (from this optimizer, or read from a file) stays known: no read
          const known = value.numel() === 1 ? knownHostValue(value) : undefined;
          if (known !== undefined) rememberHostValue(v, v.dtype === 'float32' ? Math.fround(known) : known);
          return v;
        });
      }
      if (key !== null && key !== 'betas' && (typeof value === 'number' || Array.isArray(value))) {
        if (key !== null && this._scalarStateKey(key) && typeof value === 'number') {
          const t = makeTensor(value, { dtype: 'float32', device: param.device });
          rememberHostValue(t, Math.fround(value)); // known on the host: loadStateDict and step() read nothing back
          return t;
        }
        if (Array.isArray(value)) return makeTensor(value as any, { dtype: param.isFloatingPoint() ? param.dtype : undefined, device: param.device });
      }
      if (isPlainObject(value)) {
        const o: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) o[k] = cast(param, v, k);
        return o;
      }
      return copyValue(value);
    };
    const where = new Map<number, string>();
    saved.forEach((g, i) => g.params.forEach((id, j) => where.set(Number(id), `parameter ${Number(id)} (group ${i}, index ${j} in the group)`)));
    const state = new Map<Tensor, Record<string, any>>();
    for (const [k, v] of Object.entries(stateDict.state)) {
      const param = idMap.get(Number(k));
      if (param === undefined) continue;
      const s = cast(param, v, null) as Record<string, any>;
      // every per-parameter state tensor has the parameter's shape (only the counters step / muProduct are scalars):
      // a mismatch would broadcast or read past the buffer in step() (an Adam state of a [2] parameter loaded for a
      // [5] one gave [0.9, 0.9, NaN, NaN, NaN])
      if (isPlainObject(s)) {
        for (const [key, t] of Object.entries(s)) {
          if (!(t instanceof Tensor) || this._scalarStateKey(key)) continue;
          if (t.shape.length !== param.shape.length || t.shape.some((d, i) => d !== param.shape[i])) {
            throw new RangeError(`${me}.loadStateDict: state '${key}' of ${where.get(Number(k))} has shape [${t.shape.join(', ')}], but the parameter has shape [${param.shape.join(', ')}]`);
          }
        }
      }
      state.set(param, s);
    }
    this.paramGroups = groups.map((g, i) => {
      const ng: Record<string, any> = { params: g.params };
      for (const [k, v] of Object.entries(saved[i]!)) if (k !== 'params') ng[k] = copyValue(v);
      Object.assign(ng, filled[i]);
      return ng as ParamGroup;
    });
    this.state = state;
    // the host-side mirrors of the scalar state are read once here, so that step() never reads a tensor back
    for (const s of state.values()) {
      for (const k of Object.keys(s)) if (this._scalarStateKey(k) && s[k] instanceof Tensor && s[k].numel() === 1) hostScalar(s[k]);
    }
  }

  /** PyTorch's printout: the class name and every group's options, sorted. */
  toString(): string {
    let s = `${this.constructor.name} (`;
    this.paramGroups.forEach((g, i) => {
      s += `\nParameter Group ${i}\n`;
      for (const k of Object.keys(g).filter((k) => k !== 'params').sort()) {
        const v = g[k];
        s += `    ${k}: ${Array.isArray(v) ? `(${v.map((x) => (typeof x === 'number' ? pyNum(x) : String(x))).join(', ')})` : typeof v === 'number' ? pyNum(v) : v === null ? 'None' : typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v)}\n`;
      }
    });
    return `${s})`;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string { return this.toString(); }
}
