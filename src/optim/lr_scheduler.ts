/**
 * `torch.optim.lrScheduler`: learning-rate schedulers with PyTorch's semantics.
 *
 * - Each parameter group keeps its own `initialLr` (set from its `lr` when `lastEpoch` is -1, required when
 *   resuming with `lastEpoch` ≥ 0); `baseLrs` are those initial rates.
 * - The constructor already takes the first step (`lastEpoch` becomes 0 and the groups get their epoch-0 rates).
 * - `step()` uses the chainable form (it reads each group's current `lr`), so schedulers compose; the deprecated
 *   `step(epoch)` uses the closed form where one exists.
 * - Calling `scheduler.step()` before the first `optimizer.step()` emits PyTorch's warning once (through
 *   `process.emitWarning`, as a `UserWarning`).
 *
 * @example
 * import * as torch from 'torchlet';
 * const w = torch.zeros([2], { requiresGrad: true });
 * const opt = new torch.optim.SGD([w], { lr: 0.1 });
 * const sched = new torch.optim.lrScheduler.StepLR(opt, 30, 0.1);
 * for (let epoch = 0; epoch < 100; epoch++) {
 *   // ... forward, backward ...
 *   opt.step();
 *   sched.step();
 * }
 */
import { Tensor } from '../tensor.js';
import { Optimizer, parseArgs } from './optimizer.js';
import { pyNum, warn } from './_access.js';

/** PyTorch's warning text for `step(epoch)`. */
export const EPOCH_DEPRECATION_WARNING =
  'The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where possible. ' +
  'Please use `scheduler.step()` to step the scheduler. During the deprecation, if epoch is different from None, ' +
  'the closed form is used instead of the new chainable form, where available. Please open an issue if you are ' +
  'unable to replicate your use case: https://github.com/pytorch/pytorch/issues/new/choose.';

const ORDER_WARNING =
  'Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you should call ' +
  'them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`.  Failure to do this will result in ' +
  'PyTorch skipping the first value of the learning rate schedule. See more details at ' +
  'https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate';

const OVERRIDDEN_WARNING =
  'Seems like `optimizer.step()` has been overridden after learning rate scheduler initialization. Please, make ' +
  'sure to call `optimizer.step()` before `lr_scheduler.step()`. See more details at ' +
  'https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate';

const WRAPPED = Symbol.for('torchlet.optim.wrappedByLrSched');

function typeName(x: unknown): string {
  if (x === null) return 'NoneType';
  if (x === undefined) return 'undefined';
  if (typeof x === 'object' || (typeof x === 'function' && Object.getPrototypeOf(x) !== Function.prototype)) return (x as object).constructor?.name ?? 'object'; // modules are callable
  if (typeof x === 'number') return Number.isInteger(x) ? 'int' : 'float';
  return typeof x;
}

function isPlain(x: unknown): x is Record<string, any> {
  return x !== null && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Tensor) && Object.getPrototypeOf(x) === Object.prototype;
}

function clonePlain(v: unknown): any {
  if (Array.isArray(v)) return v.map(clonePlain);
  if (isPlain(v)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = clonePlain(x);
    return o;
  }
  return v;
}

/** Per-group values from a scalar or a list with one value per group (PyTorch's `_format_param`). */
function formatParam<T>(name: string, optimizer: Optimizer, param: T | readonly T[]): T[] {
  const n = optimizer.paramGroups.length;
  if (Array.isArray(param)) {
    if (param.length !== n) {
      throw new RangeError(`${name} must have the same length as optimizer.param_groups. ${name} has ${param.length} values, param_groups has ${n}.`);
    }
    return [...param];
  }
  return new Array<T>(n).fill(param as T);
}

function need<T>(cls: string, o: Record<string, any>, key: string, pyName: string): T {
  if (o[key] === undefined) throw new TypeError(`${cls}.__init__() missing 1 required positional argument: '${pyName}'`);
  return o[key] as T;
}

/**
 * A numeric scheduler argument: a number (a string would be coerced by arithmetic and give NaN or a wrong schedule),
 * and, with `positive`, > 0. PyTorch accepts `step_size=0` / `T_max=0` and raises `ZeroDivisionError: integer modulo
 * by zero` at the first `step()` (or leaves the lr unchanged / NaN); failing at construction names the argument.
 */
function numArg(cls: string, key: string, v: unknown, positive = false, integer = false): void {
  if (typeof v !== 'number') throw new TypeError(`${cls}: ${key} must be ${integer ? 'an int' : 'a float'}, but got ${typeof v === 'string' ? `str '${v}'` : typeName(v)}`);
  if (integer && !Number.isInteger(v)) throw new TypeError(`${cls}: ${key} must be an int, but got ${pyNum(v)}`);
  if (positive && !(v > 0)) {
    throw new RangeError(`${cls}: ${key} must be positive, but got ${pyNum(v)} (PyTorch: ZeroDivisionError at the first step)`);
  }
  if (!Number.isFinite(v)) throw new RangeError(`${cls}: ${key} must be finite, but got ${pyNum(v)}`);
}

function bisectRight(a: readonly number[], x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (x < a[mid]!) hi = mid; else lo = mid + 1; }
  return lo;
}

/** Makes `optimizer.step` record that it ran (PyTorch wraps it the same way). */
function patchTrackStepCalled(opt: Optimizer): void {
  const current = opt.step as any;
  if (current[WRAPPED]) return;
  const wrapped = function (this: unknown, ...args: any[]) {
    opt._optCalled = true;
    return current.apply(opt, args);
  } as any;
  wrapped[WRAPPED] = true;
  opt.step = wrapped;
}

/**
 * Base class of the learning-rate schedulers (`torch.optim.lr_scheduler.LRScheduler`). Subclasses implement
 * `getLr()` (chainable form, reading `group.lr`) and optionally `_getClosedFormLr()`.
 *
 * JavaScript runs no subclass code before `super()`, so a subclass sets its fields and then calls
 * `this._initialStep()` at the end of its constructor (PyTorch's base constructor does that step itself).
 *
 * @example
 * import * as torch from 'torchlet';
 * class HalveEvery10 extends torch.optim.lrScheduler.LRScheduler {
 *   constructor(opt: torch.optim.Optimizer) { super(opt); this._initialStep(); }
 *   override getLr() {
 *     const e = this.lastEpoch;
 *     return this.optimizer.paramGroups.map((g) => (e > 0 && e % 10 === 0 ? g.lr / 2 : g.lr));
 *   }
 * }
 */
export class LRScheduler {
  /** The wrapped optimizer. */
  optimizer: Optimizer;
  /** Each group's `initialLr`. */
  baseLrs: number[] = [];
  /** Index of the last epoch (or batch) stepped; -1 before the constructor's initial step. */
  lastEpoch = -1;
  /** @internal */
  _stepCount = 0;
  /** @internal */
  _lastLr: number[] = [];
  /** @internal */
  _getLrCalledWithinStep = false;
  /** @internal */
  _isInitial = false;

  /**
   * @param optimizer the optimizer whose groups' `lr` this scheduler writes
   * @param lastEpoch -1 to start; ≥ 0 to resume (then every group needs `initialLr`)
   * @param init @internal false for the schedulers that skip PyTorch's base constructor
   */
  constructor(optimizer: Optimizer, lastEpoch = -1, init = true) {
    if (!(optimizer instanceof Optimizer)) throw new TypeError(`${typeName(optimizer)} is not an Optimizer`);
    this.optimizer = optimizer;
    if (!init) return;
    if (lastEpoch === -1) {
      for (const g of optimizer.paramGroups) if (!('initialLr' in g) || g.initialLr === undefined) g.initialLr = g.lr;
    } else {
      optimizer.paramGroups.forEach((g, i) => {
        if (!('initialLr' in g) || g.initialLr === undefined) {
          throw new RangeError(`param 'initialLr' is not specified in paramGroups[${i}] when resuming an optimizer`);
        }
      });
    }
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
    patchTrackStepCalled(optimizer);
  }

  /** Resets the step count and takes the initial step (call at the end of a subclass constructor). */
  _initialStep(): void {
    this._stepCount = 0;
    this._isInitial = true;
    try { this.step(); } finally { this._isInitial = false; }
  }

  /** The learning rates of the last step, one per group. @example sched.getLastLr() // [0.1, 0.01] */
  getLastLr(): number[] { return [...this._lastLr]; }

  /**
   * The chainable-form learning rates for `lastEpoch`; `step()` calls it (called directly it warns: read the current
   * rates with `getLastLr()`).
   * @example sched.getLastLr(); // not sched.getLr()
   */
  getLr(): number[] { throw new Error(`${this.constructor.name}.getLr() is not implemented`); }

  /** @internal PyTorch's warning when `getLr()` is called outside `step()`. */
  protected _warnGetLr(): void {
    if (!this._getLrCalledWithinStep) warn('To get the last learning rate computed by the scheduler, please use `getLastLr()`.');
  }

  /**
   * Advances the schedule by one epoch (or batch) and writes every group's `lr`. `epoch` (deprecated in PyTorch)
   * jumps to that epoch using the closed form where one exists.
   * @example opt.step(); sched.step();
   */
  step(epoch?: number): void {
    if (this._stepCount === 1) {
      if (!(this.optimizer.step as any)[WRAPPED]) warn(OVERRIDDEN_WARNING);
      else if (!this.optimizer._optCalled) warn(ORDER_WARNING);
    }
    this._stepCount++;
    if (epoch !== undefined) warn(EPOCH_DEPRECATION_WARNING);
    this._updateLr(epoch);
  }

  /** @internal */
  _updateLr(epoch?: number): void {
    let values: number[];
    this._getLrCalledWithinStep = true;
    try {
      if (epoch === undefined) {
        this.lastEpoch += 1;
        values = this.getLr();
      } else {
        this.lastEpoch = epoch;
        if (this._getClosedFormLr !== undefined) values = this._getClosedFormLr();
        else {
          // PyTorch's chainable getLr at last_epoch 0 leaves the rates alone (e.g. MultiplicativeLR restarted by
          // SequentialLR at a milestone): the same epoch-0 branch as the constructor's initial step.
          const prev = this._isInitial;
          this._isInitial = epoch === 0;
          try { values = this.getLr(); } finally { this._isInitial = prev; }
        }
      }
    } finally {
      this._getLrCalledWithinStep = false;
    }
    const groups = this.optimizer.paramGroups;
    for (let i = 0; i < groups.length && i < values.length; i++) groups[i]!.lr = values[i]!;
    this._lastLr = groups.map((g) => g.lr);
  }

  /** @internal The closed-form rates for `lastEpoch` (used by `step(epoch)`), when the schedule has one. */
  _getClosedFormLr?(): number[];

  /**
   * Every field except the optimizer (functions are not saved), as plain data.
   * @example const s = sched.stateDict(); sched2.loadStateDict(s);
   */
  stateDict(): Record<string, any> {
    const sd: Record<string, any> = {};
    for (const [k, v] of Object.entries(this)) {
      if (k === 'optimizer' || typeof v === 'function') continue;
      sd[k] = clonePlain(v);
    }
    return sd;
  }

  /**
   * Restores fields saved by `stateDict()` (load the optimizer's state too).
   * @example
   * opt.loadStateDict(ckpt.optimizer);
   * sched.loadStateDict(ckpt.scheduler);
   */
  loadStateDict(stateDict: Record<string, any>): void {
    for (const [k, v] of Object.entries(stateDict)) (this as any)[k] = clonePlain(v);
  }
}

type Lambda = (epoch: number) => number;

function lambdaList(cls: string, optimizer: Optimizer, lrLambda: Lambda | readonly Lambda[]): Lambda[] {
  const n = optimizer.paramGroups.length;
  if (!Array.isArray(lrLambda)) return new Array<Lambda>(n).fill(lrLambda as Lambda);
  if (lrLambda.length !== n) throw new RangeError(`Expected ${n} lr_lambdas, but got ${lrLambda.length}`);
  void cls;
  return [...lrLambda];
}

function saveLambdas(fns: readonly Function[]): (Record<string, unknown> | null)[] {
  // PyTorch saves the __dict__ of callable objects and nothing for plain functions; a JS function with own
  // enumerable properties plays the callable object's part.
  return fns.map((f) => (Object.keys(f).length > 0 ? clonePlain({ ...f }) : null));
}

function loadLambdas(fns: readonly Function[], saved: unknown): void {
  if (!Array.isArray(saved)) return;
  saved.forEach((s, i) => { if (s !== null && s !== undefined && fns[i] !== undefined) Object.assign(fns[i]!, s); });
}

/** Shared by the schedulers driven by user functions of the epoch: parsing, and saving the lambdas' state. */
abstract class LambdaScheduler extends LRScheduler {
  lrLambdas: Lambda[];
  constructor(name: string, optimizer: Optimizer, lrLambda: Lambda | Lambda[] | { lrLambda: Lambda | Lambda[]; lastEpoch?: number },
    lastEpoch: number | { lastEpoch?: number } | undefined, requireFunctions: boolean) {
    const o = parseArgs(name, [lrLambda, lastEpoch], ['lrLambda', 'lastEpoch'], ['lrLambda', 'lastEpoch']);
    const fns = lambdaList(name, optimizer, need(name, o, 'lrLambda', 'lr_lambda'));
    if (requireFunctions) for (const f of fns) if (typeof f !== 'function') throw new TypeError(`lr_lambda should be a function, but got ${typeName(f)}`);
    super(optimizer, o.lastEpoch ?? -1);
    this.lrLambdas = fns;
    this._initialStep();
  }
  override stateDict(): Record<string, any> {
    const sd = super.stateDict();
    sd.lrLambdas = saveLambdas(this.lrLambdas);
    return sd;
  }
  override loadStateDict(stateDict: Record<string, any>): void {
    const { lrLambdas, ...rest } = stateDict;
    super.loadStateDict(rest);
    loadLambdas(this.lrLambdas, lrLambdas);
  }
}

/**
 * Sets each group's lr to its initial lr times a function of the epoch: `ηₜ = η₀ · λ(t)` (`LambdaLR`).
 * `lrLambda` is one function or one per group.
 * @example
 * const sched = new torch.optim.lrScheduler.LambdaLR(opt, [(e) => Math.floor(e / 30), (e) => 0.95 ** e]);
 */
export class LambdaLR extends LambdaScheduler {
  constructor(optimizer: Optimizer, lrLambda: Lambda | Lambda[] | { lrLambda: Lambda | Lambda[]; lastEpoch?: number },
    lastEpoch?: number | { lastEpoch?: number }) {
    super('LambdaLR', optimizer, lrLambda, lastEpoch, false);
  }
  override getLr(): number[] {
    this._warnGetLr();
    return this.baseLrs.map((b, i) => b * this.lrLambdas[i]!(this.lastEpoch));
  }
}

/**
 * Multiplies each group's lr by a function of the epoch at every step: `ηₜ = ηₜ₋₁ · λ(t)` (`MultiplicativeLR`).
 * @example
 * const sched = new torch.optim.lrScheduler.MultiplicativeLR(opt, () => 0.95);
 */
export class MultiplicativeLR extends LambdaScheduler {
  constructor(optimizer: Optimizer, lrLambda: Lambda | Lambda[] | { lrLambda: Lambda | Lambda[]; lastEpoch?: number },
    lastEpoch?: number | { lastEpoch?: number }) {
    super('MultiplicativeLR', optimizer, lrLambda, lastEpoch, true);
  }
  override getLr(): number[] {
    this._warnGetLr();
    const groups = this.optimizer.paramGroups;
    if (this._isInitial) return groups.map((g) => g.lr);
    return groups.map((g, i) => g.lr * this.lrLambdas[i]!(this.lastEpoch));
  }
}

/**
 * Decays each group's lr by `gamma` every `stepSize` epochs: `ηₜ = η₀ · γ^⌊t/stepSize⌋` (`StepLR`).
 * @example
 * // lr = 0.05 for epochs 0–29, 0.005 for 30–59, ...
 * const sched = new torch.optim.lrScheduler.StepLR(opt, 30, { gamma: 0.1 });
 */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;
  constructor(optimizer: Optimizer, stepSize: number | { stepSize: number; gamma?: number; lastEpoch?: number },
    gamma?: number | { gamma?: number; lastEpoch?: number }, lastEpoch?: number | { lastEpoch?: number }) {
    const o = parseArgs('StepLR', [stepSize, gamma, lastEpoch], ['stepSize', 'gamma', 'lastEpoch'], ['stepSize', 'gamma', 'lastEpoch']);
    const ss = need<number>('StepLR', o, 'stepSize', 'step_size');
    numArg('StepLR', 'step_size', ss, true, true);
    if (o.gamma !== undefined) numArg('StepLR', 'gamma', o.gamma);
    super(optimizer, o.lastEpoch ?? -1);
    this.stepSize = ss;
    this.gamma = o.gamma ?? 0.1;
    this._initialStep();
  }
  override getLr(): number[] {
    this._warnGetLr();
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }
  override _getClosedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/**
 * Decays each group's lr by `gamma` at each milestone: `ηₜ = η₀ · γ^(number of milestones ≤ t)` (`MultiStepLR`);
 * a milestone listed twice applies γ twice.
 * @example
 * const sched = new torch.optim.lrScheduler.MultiStepLR(opt, [30, 80], 0.1);
 */
export class MultiStepLR extends LRScheduler {
  /** Milestone → how many times it was listed (PyTorch's `Counter`). */
  milestones: Record<string, number>;
  gamma: number;
  constructor(optimizer: Optimizer, milestones: number[] | { milestones: number[]; gamma?: number; lastEpoch?: number },
    gamma?: number | { gamma?: number; lastEpoch?: number }, lastEpoch?: number | { lastEpoch?: number }) {
    const o = parseArgs('MultiStepLR', [milestones, gamma, lastEpoch], ['milestones', 'gamma', 'lastEpoch'], ['milestones', 'gamma', 'lastEpoch']);
    const ms = need<number[]>('MultiStepLR', o, 'milestones', 'milestones');
    if (o.gamma !== undefined) numArg('MultiStepLR', 'gamma', o.gamma);
    super(optimizer, o.lastEpoch ?? -1);
    this.milestones = {};
    for (const m of ms) this.milestones[String(m)] = (this.milestones[String(m)] ?? 0) + 1;
    this.gamma = o.gamma ?? 0.1;
    this._initialStep();
  }
  override getLr(): number[] {
    this._warnGetLr();
    const groups = this.optimizer.paramGroups;
    const count = this.milestones[String(this.lastEpoch)];
    if (count === undefined) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma ** count);
  }
  override _getClosedFormLr(): number[] {
    const sorted: number[] = [];
    for (const [m, c] of Object.entries(this.milestones)) for (let i = 0; i < c; i++) sorted.push(Number(m));
    sorted.sort((a, b) => a - b);
    return this.baseLrs.map((b) => b * this.gamma ** bisectRight(sorted, this.lastEpoch));
  }
}

/**
 * Multiplies each group's lr by a constant `factor` until epoch `totalIters` (`ConstantLR`):
 * `ηₜ = η₀ · factor` for t < totalIters, then `η₀`. Defaults: factor 1/3, totalIters 5.
 * @example
 * const sched = new torch.optim.lrScheduler.ConstantLR(opt, { factor: 0.5, totalIters: 4 });
 */
export class ConstantLR extends LRScheduler {
  factor: number;
  totalIters: number;
  constructor(optimizer: Optimizer, factor?: number | { factor?: number; totalIters?: number; lastEpoch?: number },
    totalIters?: number | { totalIters?: number; lastEpoch?: number }, lastEpoch?: number | { lastEpoch?: number }) {
    const o = parseArgs('ConstantLR', [factor, totalIters, lastEpoch], ['factor', 'totalIters', 'lastEpoch'], ['factor', 'totalIters', 'lastEpoch']);
    const f = o.factor ?? 1 / 3;
    if (f > 1.0 || f < 0) throw new RangeError('Constant multiplicative factor expected to be between 0 and 1.');
    super(optimizer, o.lastEpoch ?? -1);
    this.factor = f;
    this.totalIters = o.totalIters ?? 5;
    this._initialStep();
  }
  override getLr(): number[] {
    this._warnGetLr();
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * (1.0 / this.factor));
  }
  override _getClosedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (this.factor + (this.lastEpoch >= this.totalIters ? 1 : 0) * (1 - this.factor)));
  }
}

/**
 * Scales each group's lr by a factor going linearly from `startFactor` to `endFactor` over `totalIters` epochs
 * (`LinearLR`): `ηₜ = η₀ · (s + (e − s)·min(t, T)/T)`. Defaults: startFactor 1/3, endFactor 1, totalIters 5.
 * @example
 * // warm-up: 10% of the lr rising to 100% over 5 epochs
 * const sched = new torch.optim.lrScheduler.LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
 */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;
  constructor(optimizer: Optimizer, startFactor?: number | { startFactor?: number; endFactor?: number; totalIters?: number; lastEpoch?: number },
    endFactor?: number | { endFactor?: number; totalIters?: number; lastEpoch?: number },
    totalIters?: number | { totalIters?: number; lastEpoch?: number }, lastEpoch?: number | { lastEpoch?: number }) {
    const o = parseArgs('LinearLR', [startFactor, endFactor, totalIters, lastEpoch], ['startFactor', 'endFactor', 'totalIters', 'lastEpoch'],
      ['startFactor', 'endFactor', 'totalIters', 'lastEpoch']);
    const s = o.startFactor ?? 1 / 3, e = o.endFactor ?? 1.0;
    if (s > 1.0 || s <= 0) throw new RangeError('Starting multiplicative factor expected to be greater than 0 and less or equal to 1.');
    if (e > 1.0 || e < 0) throw new RangeError('Ending multiplicative factor expected to be between 0 and 1.');
    super(optimizer, o.lastEpoch ?? -1);
    this.startFactor = s;
    this.endFactor = e;
    this.totalIters = o.totalIters ?? 5;
    this._initialStep();
  }
  override getLr(): number[] {
    this._warnGetLr();
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr * this.startFactor);
    if (this._isInitial || this.lastEpoch > this.totalIters) return groups.map((g) => g.lr);
    const d = this.endFactor - this.startFactor;
    return groups.map((g) => g.lr * (1.0 + d / (this.totalIters * this.startFactor + (this.lastEpoch - 1) * d)));
  }
  override _getClosedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (this.startFactor + ((this.endFactor - this.startFactor) * Math.min(this.totalIters, this.lastEpoch)) / this.totalIters));
  }
}

/**
 * Decays each group's lr by `gamma` every epoch: `ηₜ = η₀ · γᵗ` (`ExponentialLR`).
 * @example
 * const sched = new torch.optim.lrScheduler.ExponentialLR(opt, 0.95);
 */
export class ExponentialLR extends LRScheduler {
  gamma: number;
  constructor(optimizer: Optimizer, gamma: number | { gamma: number; lastEpoch?: number }, lastEpoch?: number | { lastEpoch?: number }) {
    const o = parseArgs('ExponentialLR', [gamma, lastEpoch], ['gamma', 'lastEpoch'], ['gamma', 'lastEpoch']);
    const g = need<number>('ExponentialLR', o, 'gamma', 'gamma');
    numArg('ExponentialLR', 'gamma', g);
    super(optimizer, o.lastEpoch ?? -1);
    this.gamma = g;
    this._initialStep();
  }
  override getLr(): number[] {
    this._warnGetLr();
    const groups = this.optimizer.paramGroups;
    if (this._isInitial) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }
  override _getClosedFormLr(): number[] { return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch); }
}

/**
 * Decays each group's lr polynomially to 0 over `totalIters` epochs (`PolynomialLR`):
 * `ηₜ = η₀ · (1 − min(t, T)/T)^power`. Defaults: totalIters 5, power 1.
 * @example
 * const sched = new torch.optim.lrScheduler.PolynomialLR(opt, { totalIters: 50, power: 0.9 });
 */
export class PolynomialLR extends LRScheduler {
  totalIters: number;
  power: number;
  constructor(optimizer: Optimizer, totalIters?: number | { totalIters?: number; power?: number; lastEpoch?: number },
    power?: number | { power?: number; lastEpoch?: number }, lastEpoch?: number | { lastEpoch?: number }) {
    const o = parseArgs('PolynomialLR', [totalIters, power, lastEpoch], ['totalIters', 'power', 'lastEpoch'], ['totalIters', 'power', 'lastEpoch']);
    super(optimizer, o.lastEpoch ?? -1);
    this.totalIters = o.totalIters ?? 5;
    this.power = o.power ?? 1.0;
    this._initialStep();
  }
  override getLr(): number[] {
    this._warnGetLr();
    const groups = this.optimizer.paramGroups;
    if (this._isInitial || this.lastEpoch > this.totalIters) return groups.map((g) => g.lr);
    const T = this.totalIters, t = this.lastEpoch;
    const decay = ((1.0 - t / T) / (1.0 - (t - 1) / T)) ** this.power;
    return groups.map((g) => g.lr * decay);
  }
  override _getClosedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (1.0 - Math.min(this.totalIters, this.lastEpoch) / this.totalIters) ** this.power);
  }
}

/**
 * Cosine annealing from each group's initial lr down to `etaMin` over `tMax` epochs, without restarts
 * (`CosineAnnealingLR`): `ηₜ = η_min + (η₀ − η_min)(1 + cos(πt/T_max))/2`. Past `tMax` the rate rises again
 * (period 2·T_max), as in PyTorch's recursive form.
 * @example
 * const sched = new torch.optim.lrScheduler.CosineAnnealingLR(opt, 100, { etaMin: 1e-5 });
 */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;
  constructor(optimizer: Optimizer, tMax: number | { tMax: number; etaMin?: number; lastEpoch?: number },
    etaMin?: number | { etaMin?: number; lastEpoch?: number }, lastEpoch?: number | { lastEpoch?: number }) {
    const o = parseArgs('CosineAnnealingLR', [tMax, etaMin, lastEpoch], ['tMax', 'etaMin', 'lastEpoch'], ['tMax', 'etaMin', 'lastEpoch']);
    const T = need<number>('CosineAnnealingLR', o, 'tMax', 'T_max');
    numArg('CosineAnnealingLR', 'T_max', T, true);
    if (o.etaMin !== undefined) numArg('CosineAnnealingLR', 'eta_min', o.etaMin);
    super(optimizer, o.lastEpoch ?? -1);
    this.tMax = T;
    this.etaMin = o.etaMin ?? 0.0;
    this._initialStep();
  }
  override getLr(): number[] {
    this._warnGetLr();
    const groups = this.optimizer.paramGroups, T = this.tMax, e = this.lastEpoch, mn = this.etaMin;
    if (this._isInitial) return groups.map((g) => g.lr);
    if (this._stepCount === 1 && e > 0) {
      return this.baseLrs.map((b) => mn + ((b - mn) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    }
    if ((e - 1 - T) % (2 * T) === 0) {
      return groups.map((g, i) => g.lr + ((this.baseLrs[i]! - mn) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return groups.map((g) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (g.lr - mn) + mn);
  }
  override _getClosedFormLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
}

/**
 * Calls every child scheduler's `step()` at each step, so their effects compose (`ChainedScheduler`).
 * @example
 * const s1 = new torch.optim.lrScheduler.ConstantLR(opt, { factor: 0.1, totalIters: 2 });
 * const s2 = new torch.optim.lrScheduler.ExponentialLR(opt, 0.9);
 * const sched = new torch.optim.lrScheduler.ChainedScheduler([s1, s2]);
 */
export class ChainedScheduler extends LRScheduler {
  _schedulers: LRScheduler[];
  constructor(schedulers: LRScheduler[] | { schedulers: LRScheduler[]; optimizer?: Optimizer }, optimizer?: Optimizer | { optimizer?: Optimizer }) {
    const o = parseArgs('ChainedScheduler', [schedulers, optimizer], ['schedulers', 'optimizer'], ['schedulers', 'optimizer']);
    const scheds = need<LRScheduler[]>('ChainedScheduler', o, 'schedulers', 'schedulers');
    if (scheds.length < 1) throw new RangeError('ChainedScheduler expects at least one scheduler to be chained, but got no scheduler.');
    const opt: Optimizer = o.optimizer ?? scheds[0]!.optimizer;
    checkChildren('ChainedScheduler', scheds, opt);
    super(opt, -1, false);
    this._schedulers = [...scheds];
    this._lastLr = this._schedulers[this._schedulers.length - 1]!.optimizer.paramGroups.map((g) => g.lr);
  }
  override step(): void {
    for (const s of this._schedulers) s.step();
    this._lastLr = this._schedulers[this._schedulers.length - 1]!.optimizer.paramGroups.map((g) => g.lr);
  }
  override stateDict(): Record<string, any> { return wrapperState(this); }
  override loadStateDict(stateDict: Record<string, any>): void { loadWrapperState(this, stateDict); }
}

function checkChildren(cls: string, scheds: readonly LRScheduler[], optimizer: Optimizer): void {
  scheds.forEach((s, i) => {
    if (s === null || typeof s !== 'object' || !('optimizer' in s)) {
      throw new TypeError(`${cls} at index ${i} should have \`optimizer\` as its attribute.`);
    }
    if (s instanceof ReduceLROnPlateau) {
      throw new RangeError(`${cls} does not support \`ReduceLROnPlateau\` scheduler as it requires additional kwargs to be specified when calling \`step\`, but got one at index ${i} in the given schedulers sequence.`);
    }
    if (s.optimizer !== optimizer) {
      throw new RangeError(`${cls} expects all schedulers to belong to the same optimizer, but got scheduler ${s.constructor.name} at index ${i} has ${s.optimizer.constructor.name}, which is different from ${optimizer.constructor.name}.`);
    }
  });
}

function wrapperState(self: LRScheduler & { _schedulers: LRScheduler[] }): Record<string, any> {
  const sd: Record<string, any> = {};
  for (const [k, v] of Object.entries(self)) {
    if (k === 'optimizer' || k === '_schedulers' || typeof v === 'function') continue;
    sd[k] = clonePlain(v);
  }
  sd._schedulers = self._schedulers.map((s) => s.stateDict());
  return sd;
}

function loadWrapperState(self: LRScheduler & { _schedulers: LRScheduler[] }, stateDict: Record<string, any>): void {
  const { _schedulers, ...rest } = stateDict;
  for (const [k, v] of Object.entries(rest)) (self as any)[k] = clonePlain(v);
  (_schedulers as Record<string, any>[] | undefined)?.forEach((s, i) => self._schedulers[i]!.loadStateDict(s));
}

/**
 * Runs schedulers one after another, switching at the milestones (`SequentialLR`); at each milestone the next
 * scheduler restarts from epoch 0. `milestones.length` must be `schedulers.length − 1`.
 * @example
 * const warm = new torch.optim.lrScheduler.LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
 * const decay = new torch.optim.lrScheduler.ExponentialLR(opt, 0.95);
 * const sched = new torch.optim.lrScheduler.SequentialLR(opt, [warm, decay], [5]);
 */
export class SequentialLR extends LRScheduler {
  _schedulers: LRScheduler[];
  _milestones: number[];
  constructor(optimizer: Optimizer, schedulers: LRScheduler[] | { schedulers: LRScheduler[]; milestones: number[]; lastEpoch?: number },
    milestones?: number[] | { milestones: number[]; lastEpoch?: number }, lastEpoch?: number | { lastEpoch?: number }) {
    const o = parseArgs('SequentialLR', [schedulers, milestones, lastEpoch], ['schedulers', 'milestones', 'lastEpoch'], ['schedulers', 'milestones', 'lastEpoch']);
    const scheds = need<LRScheduler[]>('SequentialLR', o, 'schedulers', 'schedulers');
    const ms = need<number[]>('SequentialLR', o, 'milestones', 'milestones');
    if (scheds.length < 1) throw new RangeError('SequentialLR expects at least one scheduler, but got no scheduler.');
    checkChildren('SequentialLR', scheds, optimizer);
    if (ms.length !== scheds.length - 1) {
      throw new RangeError(`Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers ${scheds.length} and the number of milestones to be equal to ${ms.length}`);
    }
    super(optimizer, -1, false);
    this._schedulers = [...scheds];
    this._milestones = [...ms];
    this.lastEpoch = (o.lastEpoch ?? -1) + 1;
    for (const g of optimizer.paramGroups) g.lr = g.initialLr;
    this._recursiveUndo(this);
    this._schedulers[0]!._initialStep();
    this._lastLr = this._schedulers[0]!.getLastLr();
  }
  private _recursiveUndo(s: LRScheduler): void {
    if ('_schedulers' in s && Array.isArray((s as any)._schedulers)) for (const c of (s as any)._schedulers) this._recursiveUndo(c);
    else s.lastEpoch -= 1;
  }
  override step(): void {
    this.lastEpoch += 1;
    const idx = bisectRight(this._milestones, this.lastEpoch);
    const s = this._schedulers[idx]!;
    if (idx > 0 && this._milestones[idx - 1] === this.lastEpoch) s._updateLr(0);
    else s.step();
    this._lastLr = s.getLastLr();
  }
  override stateDict(): Record<string, any> { return wrapperState(this); }
  override loadStateDict(stateDict: Record<string, any>): void { loadWrapperState(this, stateDict); }
}

/** Options of `ReduceLROnPlateau`. */
export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number | number[];
  eps?: number;
}

/**
 * Reduces each group's lr by `factor` once a metric has stopped improving for more than `patience` epochs
 * (`ReduceLROnPlateau`); call `step(metric)`. Improvement: `a < best·(1 − threshold)` (min, rel),
 * `a < best − threshold` (min, abs), symmetric for max. A reduction sets `lr ← max(lr·factor, minLr[i])`, skipped
 * when the change is not larger than `eps`; `cooldown` epochs follow in which bad epochs are not counted.
 * Defaults: mode 'min', factor 0.1, patience 10, threshold 1e-4, thresholdMode 'rel', cooldown 0, minLr 0, eps 1e-8.
 * @example
 * const sched = new torch.optim.lrScheduler.ReduceLROnPlateau(opt, { patience: 3, factor: 0.5 });
 * for (const valLoss of [1.0, 0.9, 0.9, 0.9, 0.9, 0.9]) sched.step(valLoss);
 * sched.getLastLr(); // halved once
 */
export class ReduceLROnPlateau extends LRScheduler {
  factor: number;
  defaultMinLr: number | null;
  minLrs: number[];
  patience: number;
  cooldown: number;
  eps: number;
  mode: 'min' | 'max';
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  best = Infinity;
  numBadEpochs = 0;
  cooldownCounter = 0;
  modeWorse = Infinity;

  constructor(optimizer: Optimizer, mode?: 'min' | 'max' | ReduceLROnPlateauOptions, factor?: number | ReduceLROnPlateauOptions,
    patience?: number | ReduceLROnPlateauOptions, threshold?: number | ReduceLROnPlateauOptions,
    thresholdMode?: 'rel' | 'abs' | ReduceLROnPlateauOptions, cooldown?: number | ReduceLROnPlateauOptions,
    minLr?: number | number[] | ReduceLROnPlateauOptions, eps?: number | ReduceLROnPlateauOptions, options?: ReduceLROnPlateauOptions) {
    const names = ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps'];
    const o = parseArgs('ReduceLROnPlateau', [mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps, options], names, names);
    const f = o.factor ?? 0.1;
    if (f >= 1.0) throw new RangeError('Factor should be < 1.0.');
    super(optimizer, 0, false);
    this.factor = f;
    const ml = o.minLr ?? 0;
    if (Array.isArray(ml)) {
      if (ml.length !== optimizer.paramGroups.length) throw new RangeError(`expected ${optimizer.paramGroups.length} min_lrs, got ${ml.length}`);
      this.defaultMinLr = null;
      this.minLrs = [...ml];
    } else {
      this.defaultMinLr = ml;
      this.minLrs = new Array<number>(optimizer.paramGroups.length).fill(ml);
    }
    this.patience = o.patience ?? 10;
    this.cooldown = o.cooldown ?? 0;
    this.eps = o.eps ?? 1e-8;
    this.lastEpoch = 0;
    this._lastLr = optimizer.paramGroups.map((g) => g.lr);
    this.mode = 'min';
    this.threshold = 1e-4;
    this.thresholdMode = 'rel';
    this._initIsBetter(o.mode ?? 'min', o.threshold ?? 1e-4, o.thresholdMode ?? 'rel');
    this._reset();
  }

  private _reset(): void {
    this.best = this.modeWorse;
    this.cooldownCounter = 0;
    this.numBadEpochs = 0;
  }

  /** True while in the cooldown period after a reduction. @example if (!sched.inCooldown) console.log(sched.numBadEpochs); */
  get inCooldown(): boolean { return this.cooldownCounter > 0; }

  /**
   * Records one epoch's metric (a number or a one-element tensor) and reduces the rates when it has plateaued.
   * @example sched.step(valLoss);
   */
  override step(metrics?: number | Tensor, epoch?: number): void {
    if (metrics === undefined) throw new TypeError("ReduceLROnPlateau.step() missing 1 required positional argument: 'metrics'");
    const current = metrics instanceof Tensor ? metrics.item() : Number(metrics);
    if (epoch === undefined) epoch = this.lastEpoch + 1;
    else warn(EPOCH_DEPRECATION_WARNING);
    this.lastEpoch = epoch;
    if (this._isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this._reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this._lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private _reduceLr(): void {
    const groups = this.optimizer.paramGroups;
    if (groups.length !== this.minLrs.length) {
      if (this.defaultMinLr === null) {
        throw new Error(`The number of param groups in the \`optimizer\` (${groups.length}) differs from when \`ReduceLROnPlateau\` was initialized (${this.minLrs.length}), usually due to a new param group being added to the optimizer. Please modify the \`min_lrs\` field to match the length of the \`optimizer\` param groups.`);
      }
      this.minLrs = new Array<number>(groups.length).fill(this.defaultMinLr);
    }
    groups.forEach((g, i) => {
      const oldLr = Number(g.lr);
      const newLr = Math.max(oldLr * this.factor, this.minLrs[i]!);
      if (oldLr - newLr > this.eps) g.lr = newLr;
    });
  }

  private _isBetter(a: number, best: number): boolean {
    if (this.mode === 'min' && this.thresholdMode === 'rel') return a < best * (1.0 - this.threshold);
    if (this.mode === 'min' && this.thresholdMode === 'abs') return a < best - this.threshold;
    if (this.mode === 'max' && this.thresholdMode === 'rel') return a > best * (this.threshold + 1.0);
    return a > best + this.threshold;
  }

  private _initIsBetter(mode: string, threshold: number, thresholdMode: string): void {
    if (mode !== 'min' && mode !== 'max') throw new RangeError(`mode ${mode} is unknown!`);
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs') throw new RangeError(`threshold mode ${thresholdMode} is unknown!`);
    this.modeWorse = mode === 'min' ? Infinity : -Infinity;
    this.mode = mode;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
  }

  override loadStateDict(stateDict: Record<string, any>): void {
    super.loadStateDict(stateDict);
    this._initIsBetter(this.mode, this.threshold, this.thresholdMode);
  }
}

/** Options of `CyclicLR`. */
export interface CyclicLROptions {
  baseLr?: number | number[];
  maxLr?: number | number[];
  stepSizeUp?: number;
  stepSizeDown?: number | null;
  mode?: 'triangular' | 'triangular2' | 'exp_range';
  gamma?: number;
  scaleFn?: ((x: number) => number) | null;
  scaleMode?: 'cycle' | 'iterations';
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  lastEpoch?: number;
}

/**
 * Cyclical learning rate (`CyclicLR`), stepped per batch. With t = lastEpoch and S = stepSizeUp + stepSizeDown:
 * `cycle = ⌊1 + t/S⌋`, `x = 1 + t/S − cycle`, `f = x/r` if x ≤ r else `(x − 1)/(r − 1)` (r = stepSizeUp/S), and
 * `lr = baseLr + (maxLr − baseLr)·f·scale`, with scale 1 ('triangular'), `1/2^(cycle−1)` ('triangular2') or
 * `γᵗ` ('exp_range'), or a custom `scaleFn` of the cycle or iteration (`scaleMode`). With `cycleMomentum`
 * the momentum (or Adam's β₁) cycles inversely between maxMomentum and baseMomentum.
 * @example
 * const opt = new torch.optim.SGD(params, { lr: 0.1, momentum: 0.9 });
 * const sched = new torch.optim.lrScheduler.CyclicLR(opt, 0.01, 0.1, { stepSizeUp: 10, mode: 'triangular2' });
 */
export class CyclicLR extends LRScheduler {
  maxLrs: number[];
  totalSize: number;
  stepRatio: number;
  mode: string;
  gamma: number;
  scaleMode: 'cycle' | 'iterations';
  cycleMomentum: boolean;
  useBeta1 = false;
  baseMomentums: number[] = [];
  maxMomentums: number[] = [];
  /** @internal */
  _scaleFnCustom: ((x: number) => number) | null;

  constructor(optimizer: Optimizer, baseLr: number | number[] | CyclicLROptions, maxLr?: number | number[] | CyclicLROptions,
    stepSizeUp?: number | CyclicLROptions, stepSizeDown?: number | null | CyclicLROptions, mode?: string | CyclicLROptions,
    gamma?: number | CyclicLROptions, scaleFn?: ((x: number) => number) | null | CyclicLROptions, scaleMode?: string | CyclicLROptions,
    cycleMomentum?: boolean | CyclicLROptions, baseMomentum?: number | number[] | CyclicLROptions,
    maxMomentum?: number | number[] | CyclicLROptions, lastEpoch?: number | CyclicLROptions) {
    const names = ['baseLr', 'maxLr', 'stepSizeUp', 'stepSizeDown', 'mode', 'gamma', 'scaleFn', 'scaleMode', 'cycleMomentum',
      'baseMomentum', 'maxMomentum', 'lastEpoch'];
    const o = parseArgs('CyclicLR', [baseLr, maxLr, stepSizeUp, stepSizeDown, mode, gamma, scaleFn, scaleMode, cycleMomentum,
      baseMomentum, maxMomentum, lastEpoch], names, names);
    if (!(optimizer instanceof Optimizer)) throw new TypeError(`${typeName(optimizer)} is not an Optimizer`);
    const le: number = o.lastEpoch ?? -1;
    const baseLrs = formatParam<number>('base_lr', optimizer, need('CyclicLR', o, 'baseLr', 'base_lr'));
    if (le === -1) baseLrs.forEach((lr, i) => { optimizer.paramGroups[i]!.lr = lr; });
    const maxLrs = formatParam<number>('max_lr', optimizer, need('CyclicLR', o, 'maxLr', 'max_lr'));
    const up = o.stepSizeUp ?? 2000;
    numArg('CyclicLR', 'step_size_up', up);
    const down = o.stepSizeDown !== undefined && o.stepSizeDown !== null ? o.stepSizeDown : up;
    numArg('CyclicLR', 'step_size_down', down);
    // PyTorch: ZeroDivisionError: float division by zero (step_ratio = up / (up + down))
    if (!(up + down > 0)) throw new RangeError(`CyclicLR: step_size_up + step_size_down must be positive, but got ${pyNum(up)} + ${pyNum(down)}`);
    const md: string = o.mode ?? 'triangular';
    const sf = (o.scaleFn ?? null) as ((x: number) => number) | null;
    if (!['triangular', 'triangular2', 'exp_range'].includes(md) && sf === null) throw new RangeError('mode is invalid and scale_fn is None');
    const cm: boolean = o.cycleMomentum ?? true;
    let useBeta1 = false, baseMs: number[] = [], maxMs: number[] = [];
    if (cm) {
      if (!('momentum' in optimizer.defaults) && !('betas' in optimizer.defaults)) {
        throw new RangeError('optimizer must support momentum or beta1 with `cycle_momentum` option enabled');
      }
      useBeta1 = 'betas' in optimizer.defaults;
      baseMs = formatParam<number>('base_momentum', optimizer, o.baseMomentum ?? 0.8);
      maxMs = formatParam<number>('max_momentum', optimizer, o.maxMomentum ?? 0.9);
      if (le === -1) {
        optimizer.paramGroups.forEach((g, i) => {
          if (useBeta1) g.betas = [maxMs[i]!, ...(g.betas as number[]).slice(1)];
          else g.momentum = maxMs[i]!;
          g.maxMomentum = maxMs[i]!;
          g.baseMomentum = baseMs[i]!;
        });
      }
    }
    super(optimizer, le);
    this.maxLrs = maxLrs;
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    this.mode = md;
    this.gamma = o.gamma ?? 1.0;
    this._scaleFnCustom = sf;
    this.scaleMode = o.scaleMode ?? 'cycle';
    this._initScaleMode();
    this.cycleMomentum = cm;
    this.useBeta1 = useBeta1;
    this.baseMomentums = baseMs;
    this.maxMomentums = maxMs;
    this._initialStep();
    this.baseLrs = baseLrs;
  }

  private _initScaleMode(): void {
    if (this._scaleFnCustom !== null) return;
    this.scaleMode = this.mode === 'exp_range' ? 'iterations' : 'cycle';
  }

  /** The scaling policy: the custom `scaleFn`, or the mode's built-in one. */
  scaleFn(x: number): number {
    if (this._scaleFnCustom !== null) return this._scaleFnCustom(x);
    if (this.mode === 'triangular') return 1.0;
    if (this.mode === 'triangular2') return 1 / 2.0 ** (x - 1);
    return this.gamma ** x;
  }

  override getLr(): number[] {
    this._warnGetLr();
    const t = this.lastEpoch;
    const cycle = Math.floor(1 + t / this.totalSize);
    const x = 1.0 + t / this.totalSize - cycle;
    const scaleFactor = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const arg = this.scaleMode === 'cycle' ? cycle : t;
    const lrs = this.baseLrs.map((b, i) => b + (this.maxLrs[i]! - b) * scaleFactor * this.scaleFn(arg));
    if (this.cycleMomentum) {
      // zip semantics as PyTorch: groups added after construction (addParamGroup) are left alone
      this.optimizer.paramGroups.slice(0, this.maxMomentums.length).forEach((g, i) => {
        const m = this.maxMomentums[i]! - (this.maxMomentums[i]! - this.baseMomentums[i]!) * scaleFactor * this.scaleFn(arg);
        if (this.useBeta1) g.betas = [m, ...(g.betas as number[]).slice(1)];
        else g.momentum = m;
      });
    }
    return lrs;
  }

  override stateDict(): Record<string, any> {
    const sd = super.stateDict();
    const fn = this._scaleFnCustom;
    sd._scaleFnCustom = fn !== null && Object.keys(fn).length > 0 ? clonePlain({ ...fn }) : null;
    return sd;
  }

  override loadStateDict(stateDict: Record<string, any>): void {
    const { _scaleFnCustom, ...rest } = stateDict;
    super.loadStateDict(rest);
    if (_scaleFnCustom !== null && _scaleFnCustom !== undefined && this._scaleFnCustom !== null) Object.assign(this._scaleFnCustom, _scaleFnCustom);
    this._initScaleMode();
  }
}

/**
 * Cosine annealing with warm restarts (SGDR, `CosineAnnealingWarmRestarts`):
 * `ηₜ = η_min + (η₀ − η_min)(1 + cos(π·T_cur/T_i))/2`, where T_cur counts epochs since the last restart and the
 * period T_i starts at `t0` and is multiplied by `tMult` at each restart. `step(epoch)` accepts fractional epochs,
 * e.g. `sched.step(epoch + i / itersPerEpoch)` after every batch.
 * @example
 * const sched = new torch.optim.lrScheduler.CosineAnnealingWarmRestarts(opt, 10, { tMult: 2, etaMin: 1e-5 });
 * for (let epoch = 0; epoch < 30; epoch++) for (let i = 0; i < 100; i++) { opt.step(); sched.step(epoch + i / 100); }
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  t0: number;
  tI: number;
  tMult: number;
  etaMin: number;
  tCur: number;
  constructor(optimizer: Optimizer, t0: number | { t0: number; tMult?: number; etaMin?: number; lastEpoch?: number },
    tMult?: number | { tMult?: number; etaMin?: number; lastEpoch?: number }, etaMin?: number | { etaMin?: number; lastEpoch?: number },
    lastEpoch?: number | { lastEpoch?: number }) {
    const o = parseArgs('CosineAnnealingWarmRestarts', [t0, tMult, etaMin, lastEpoch], ['t0', 'tMult', 'etaMin', 'lastEpoch'],
      ['t0', 'tMult', 'etaMin', 'lastEpoch']);
    const T0 = need<number>('CosineAnnealingWarmRestarts', o, 't0', 'T_0');
    const Tm: number = o.tMult ?? 1;
    const em: number = o.etaMin ?? 0.0;
    if (!(typeof T0 === 'number' && Number.isInteger(T0) && T0 > 0)) throw new RangeError(`Expected positive integer T_0, but got ${T0}`);
    if (!(typeof Tm === 'number' && Number.isInteger(Tm) && Tm >= 1)) throw new RangeError(`Expected integer T_mult >= 1, but got ${Tm}`);
    if (typeof em !== 'number') throw new RangeError(`Expected float or int eta_min, but got ${String(em)} of type ${typeName(em)}`);
    const le: number = o.lastEpoch ?? -1;
    super(optimizer, le);
    this.t0 = T0;
    this.tI = T0;
    this.tMult = Tm;
    this.etaMin = em;
    this.tCur = le;
    this._initialStep();
  }
  override getLr(): number[] {
    this._warnGetLr();
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2);
  }
  /**
   * Steps one epoch, or jumps to `epoch` (fractional epochs allowed).
   * @example sched.step(3.5);
   */
  override step(epoch?: number): void {
    // PyTorch's override neither counts steps nor warns about the call order
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.tCur = this.tCur + 1;
      if (this.tCur >= this.tI) {
        this.tCur = this.tCur % this.tI;
        this.tI = this.tI * this.tMult;
      }
    } else {
      if (epoch < 0) throw new RangeError(`Expected non-negative epoch, but got ${pyNum(epoch)}`);
      if (epoch >= this.t0) {
        if (this.tMult === 1) {
          this.tCur = epoch % this.t0;
        } else {
          const n = Math.trunc(Math.log((epoch / this.t0) * (this.tMult - 1) + 1) / Math.log(this.tMult));
          this.tCur = epoch - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
          this.tI = this.t0 * this.tMult ** n;
        }
      } else {
        this.tI = this.t0;
        this.tCur = epoch;
      }
    }
    this.lastEpoch = Math.floor(epoch);
    let values: number[];
    this._getLrCalledWithinStep = true;
    try { values = this.getLr(); } finally { this._getLrCalledWithinStep = false; }
    // zip semantics as PyTorch: groups added after construction keep their own lr
    this.optimizer.paramGroups.forEach((g, i) => { if (i < values.length) g.lr = values[i]!; });
    this._lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }
}

/** Options of `OneCycleLR`. */
export interface OneCycleLROptions {
  maxLr?: number | number[];
  totalSteps?: number | null;
  epochs?: number | null;
  stepsPerEpoch?: number | null;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
  lastEpoch?: number;
}

interface Phase { endStep: number; startLr: string; endLr: string; startMomentum: string; endMomentum: string }

/**
 * The 1cycle policy (`OneCycleLR`), stepped per batch: the lr goes from `maxLr/divFactor` up to `maxLr` over
 * `pctStart` of `totalSteps`, then down to `initialLr/finalDivFactor` (with `threePhase`: back to the initial lr,
 * then down to the minimum), by cosine (`end + (start − end)/2·(1 + cos(π·pct))`) or linear annealing. Momentum
 * (or β₁) cycles inversely between maxMomentum and baseMomentum. Not chainable. Stepping more than `totalSteps`
 * times throws PyTorch's error.
 * @example
 * const sched = new torch.optim.lrScheduler.OneCycleLR(opt, 0.01, { epochs: 10, stepsPerEpoch: 100 });
 */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  _schedulePhases: Phase[];
  _annealFuncType: 'cos' | 'linear';
  cycleMomentum: boolean;
  useBeta1 = false;

  constructor(optimizer: Optimizer, maxLr: number | number[] | OneCycleLROptions, totalSteps?: number | null | OneCycleLROptions,
    epochs?: number | null | OneCycleLROptions, stepsPerEpoch?: number | null | OneCycleLROptions, pctStart?: number | OneCycleLROptions,
    annealStrategy?: 'cos' | 'linear' | OneCycleLROptions, cycleMomentum?: boolean | OneCycleLROptions,
    baseMomentum?: number | number[] | OneCycleLROptions, maxMomentum?: number | number[] | OneCycleLROptions,
    divFactor?: number | OneCycleLROptions, finalDivFactor?: number | OneCycleLROptions, threePhase?: boolean | OneCycleLROptions,
    lastEpoch?: number | OneCycleLROptions) {
    const names = ['maxLr', 'totalSteps', 'epochs', 'stepsPerEpoch', 'pctStart', 'annealStrategy', 'cycleMomentum', 'baseMomentum',
      'maxMomentum', 'divFactor', 'finalDivFactor', 'threePhase', 'lastEpoch'];
    const o = parseArgs('OneCycleLR', [maxLr, totalSteps, epochs, stepsPerEpoch, pctStart, annealStrategy, cycleMomentum, baseMomentum,
      maxMomentum, divFactor, finalDivFactor, threePhase, lastEpoch], names, names);
    if (!(optimizer instanceof Optimizer)) throw new TypeError(`${typeName(optimizer)} is not an Optimizer`);
    let total: number;
    const ts = o.totalSteps ?? null, ep = o.epochs ?? null, spe = o.stepsPerEpoch ?? null;
    if (ts !== null) {
      if (!(Number.isInteger(ts) && ts > 0)) throw new RangeError(`Expected positive integer total_steps, but got ${ts}`);
      total = ts;
    } else if (ep !== null && spe !== null) {
      if (!(Number.isInteger(ep) && ep > 0)) throw new RangeError(`Expected positive integer epochs, but got ${ep}`);
      if (!(Number.isInteger(spe) && spe > 0)) throw new RangeError(`Expected positive integer steps_per_epoch, but got ${spe}`);
      total = ep * spe;
    } else {
      throw new RangeError('You must define either total_steps OR (epochs AND steps_per_epoch)');
    }
    const pct: number = o.pctStart ?? 0.3;
    const phases: Phase[] = o.threePhase
      ? [
        { endStep: pct * total - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
        { endStep: 2 * pct * total - 2, startLr: 'maxLr', endLr: 'initialLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
        { endStep: total - 1, startLr: 'initialLr', endLr: 'minLr', startMomentum: 'maxMomentum', endMomentum: 'maxMomentum' },
      ]
      : [
        { endStep: pct * total - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
        { endStep: total - 1, startLr: 'maxLr', endLr: 'minLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
      ];
    if (typeof pct !== 'number' || pct < 0 || pct > 1) throw new RangeError(`Expected float between 0 and 1 pct_start, but got ${pct}`);
    const strategy = o.annealStrategy ?? 'cos';
    if (strategy !== 'cos' && strategy !== 'linear') {
      throw new RangeError(`anneal_strategy must be one of 'cos' or 'linear', instead got ${strategy}`);
    }
    const le: number = o.lastEpoch ?? -1;
    const maxLrs = formatParam<number>('max_lr', optimizer, need('OneCycleLR', o, 'maxLr', 'max_lr'));
    const div: number = o.divFactor ?? 25.0, finalDiv: number = o.finalDivFactor ?? 1e4;
    if (le === -1) {
      optimizer.paramGroups.forEach((g, i) => {
        g.initialLr = maxLrs[i]! / div;
        g.maxLr = maxLrs[i]!;
        g.minLr = g.initialLr / finalDiv;
      });
    }
    const cm: boolean = o.cycleMomentum ?? true;
    let useBeta1 = false;
    if (cm) {
      if (!('momentum' in optimizer.defaults) && !('betas' in optimizer.defaults)) {
        throw new RangeError('optimizer must support momentum or beta1 with `cycle_momentum` option enabled');
      }
      useBeta1 = 'betas' in optimizer.defaults;
      const maxMs = formatParam<number>('max_momentum', optimizer, o.maxMomentum ?? 0.95);
      const baseMs = formatParam<number>('base_momentum', optimizer, o.baseMomentum ?? 0.85);
      if (le === -1) {
        optimizer.paramGroups.forEach((g, i) => {
          if (useBeta1) g.betas = [maxMs[i]!, ...(g.betas as number[]).slice(1)];
          else g.momentum = maxMs[i]!;
          g.maxMomentum = maxMs[i]!;
          g.baseMomentum = baseMs[i]!;
        });
      }
    }
    super(optimizer, le);
    this.totalSteps = total;
    this._schedulePhases = phases;
    this._annealFuncType = strategy;
    this.cycleMomentum = cm;
    this.useBeta1 = useBeta1;
    this._initialStep();
  }

  private _anneal(start: number, end: number, pct: number): number {
    if (this._annealFuncType === 'cos') return end + ((start - end) / 2.0) * (Math.cos(Math.PI * pct) + 1);
    return (end - start) * pct + start;
  }

  override getLr(): number[] {
    this._warnGetLr();
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new RangeError(`Tried to step ${stepNum} times. The specified number of total steps is ${this.totalSteps}`);
    }
    const lrs: number[] = [];
    const keys = this.cycleMomentum ? ['initialLr', 'maxLr', 'minLr', 'maxMomentum', 'baseMomentum'] : ['initialLr', 'maxLr', 'minLr'];
    for (const [gi, g] of this.optimizer.paramGroups.entries()) {
      for (const k of keys) {
        // PyTorch raises KeyError here; a group added after the scheduler was built carries none of these keys
        if (typeof g[k] !== 'number') {
          throw new Error(`OneCycleLR: param group ${gi} has no '${k}' (PyTorch: KeyError: '${k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())}'); a group added with addParamGroup after the scheduler was built must carry ${keys.join(', ')}`);
        }
      }
      let startStep = 0;
      let lr = 0, mom = 0;
      for (let i = 0; i < this._schedulePhases.length; i++) {
        const ph = this._schedulePhases[i]!;
        const endStep = ph.endStep;
        if (stepNum <= endStep || i === this._schedulePhases.length - 1) {
          const pct = (stepNum - startStep) / (endStep - startStep);
          lr = this._anneal(g[ph.startLr], g[ph.endLr], pct);
          if (this.cycleMomentum) mom = this._anneal(g[ph.startMomentum], g[ph.endMomentum], pct);
          break;
        }
        startStep = ph.endStep;
      }
      lrs.push(lr);
      if (this.cycleMomentum) {
        if (this.useBeta1) g.betas = [mom, ...(g.betas as number[]).slice(1)];
        else g.momentum = mom;
      }
    }
    return lrs;
  }
}

/** PyTorch's old name for `LRScheduler`. */
export const _LRScheduler = LRScheduler;
