/**
 * `torch.optim.LBFGS`, a line-by-line port of torch/optim/lbfgs.py (with its strong-Wolfe line search).
 *
 * L-BFGS decides on the host: every iteration compares the loss, a gradient's max-norm and dot products with
 * tolerances, as PyTorch does (its `float(closure())`, `if ys > 1e-10`, ...). The algorithm is written once, as a
 * generator that yields each value it needs (`{ read: t }`, or `{ evaluate }` for a closure call) and gets the number
 * back: `step` drives it with synchronous reads (through `host()` below, allow-listed in
 * test/no_host_reads.test.ts), `stepAsync` with awaited ones, for backends that cannot read synchronously. The scalars PyTorch keeps as 0-dim tensors of the parameters'
 * dtype (`t`, `ro`, `H_diag`, `al`) are rounded to that dtype here, so float32 runs follow PyTorch's rounding.
 */
import { Tensor } from '../tensor.js';
import { Optimizer, parseArgs } from './optimizer.js';
import type { Closure, OptimizerStateDict, ParamsT } from './optimizer.js';
import { checkNonNegative, describe } from './_common.js';
import { cat, zeros as zerosOf } from '../ops.js';
import { enableGrad, noGrad } from '../autograd/grad_mode.js';

/** Options of `LBFGS`. */
export interface LBFGSOptions {
  lr?: number;
  /** maximal number of iterations per `step` (default 20) */
  maxIter?: number;
  /** maximal number of function evaluations per `step` (default maxIter · 5/4) */
  maxEval?: number | null;
  /** termination tolerance on first-order optimality (default 1e-7) */
  toleranceGrad?: number;
  /** termination tolerance on function value / parameter changes (default 1e-9) */
  toleranceChange?: number;
  /** update history size (default 100) */
  historySize?: number;
  /** 'strong_wolfe' or null (default null: fixed step lr) */
  lineSearchFn?: 'strong_wolfe' | null;
}

/** A scalar the algorithm reads on the host (a loss, a dot product, a max-norm). */
function host(t: Tensor): number { return t.item(); }

function lossValue(l: number | Tensor): number {
  if (typeof l === 'number') return l;
  if (l instanceof Tensor) return host(l);
  throw new TypeError(`LBFGS: the closure must return the loss (a number or a one-element Tensor), but returned ${describe(l)}`);
}

/**
 * The scalars of PyTorch's line search are of two kinds: Python floats (losses, constants, the bracket's 0) and 0-dim
 * tensors of the parameters' dtype (dot products, the step lengths computed from them). Arithmetic that involves a
 * tensor rounds to that dtype, as PyTorch's does; `Scalars` reproduces it (for float64 both kinds are plain doubles).
 * A tensor scalar is a `TS`, a Python float a `number`.
 */
class TS { constructor(readonly v: number) {} }
type V = number | TS;
const val = (a: V): number => (typeof a === 'number' ? a : a.v);

class Scalars {
  constructor(readonly r: (x: number) => number) {}
  t(v: number): TS { return new TS(this.r(v)); }
  private bin(a: V, b: V, f: (x: number, y: number) => number): V {
    if (typeof a === 'number' && typeof b === 'number') return f(a, b);
    return new TS(this.r(f(this.r(val(a)), this.r(val(b)))));
  }
  add(a: V, b: V): V { return this.bin(a, b, (x, y) => x + y); }
  sub(a: V, b: V): V { return this.bin(a, b, (x, y) => x - y); }
  mul(a: V, b: V): V { return this.bin(a, b, (x, y) => x * y); }
  div(a: V, b: V): V { return this.bin(a, b, (x, y) => x / y); }
  abs(a: V): V { return typeof a === 'number' ? Math.abs(a) : new TS(Math.abs(a.v)); }
  sqrt(a: V): V { return typeof a === 'number' ? Math.sqrt(a) : new TS(this.r(Math.sqrt(a.v))); }
  private cmp(a: V, b: V): [number, number] {
    return typeof a === 'number' && typeof b === 'number' ? [a, b] : [this.r(val(a)), this.r(val(b))];
  }
  lt(a: V, b: V): boolean { const [x, y] = this.cmp(a, b); return x < y; }
  le(a: V, b: V): boolean { const [x, y] = this.cmp(a, b); return x <= y; }
  gt(a: V, b: V): boolean { const [x, y] = this.cmp(a, b); return x > y; }
  ge(a: V, b: V): boolean { const [x, y] = this.cmp(a, b); return x >= y; }
  /** Python's max(a, b) / min(a, b): the first argument unless the second is strictly larger / smaller. */
  max(a: V, b: V): V { return this.gt(b, a) ? b : a; }
  min(a: V, b: V): V { return this.lt(b, a) ? b : a; }
}

/** PyTorch's `_cubic_interpolate` (from minFunc's polyinterp). */
function cubicInterpolate(S: Scalars, x1: V, f1: V, g1: V, x2: V, f2: V, g2: V, bounds?: [V, V]): V {
  const [xmin, xmax] = bounds ?? (S.le(x1, x2) ? [x1, x2] : [x2, x1]);
  // d1 = g1 + g2 - 3*(f1-f2)/(x1-x2);  d2 = sqrt(d1^2 - g1*g2);
  // min_pos = x2 - (x2 - x1)*((g2 + d2 - d1)/(g2 - g1 + 2*d2))
  const d1 = S.sub(S.add(g1, g2), S.div(S.mul(3, S.sub(f1, f2)), S.sub(x1, x2)));
  const d2sq = S.sub(S.mul(d1, d1), S.mul(g1, g2));
  if (S.ge(d2sq, 0)) {
    const d2 = S.sqrt(d2sq);
    const minPos = S.le(x1, x2)
      ? S.sub(x2, S.mul(S.sub(x2, x1), S.div(S.sub(S.add(g2, d2), d1), S.add(S.sub(g2, g1), S.mul(2, d2)))))
      : S.sub(x1, S.mul(S.sub(x1, x2), S.div(S.sub(S.add(g1, d2), d1), S.add(S.sub(g1, g2), S.mul(2, d2)))));
    return S.min(S.max(minPos, xmin), xmax);
  }
  return S.div(S.add(xmin, xmax), 2);
}

/** What the algorithm asks its driver for: a tensor's one value, or an evaluation of the closure. */
type Effect = { read: Tensor } | { evaluate: true };
type Algo<R> = Generator<Effect, R, any>;
/** Yields a read of the one-element tensor `t` and returns its value. */
function* rd(t: Tensor): Algo<number> { return (yield { read: t }) as number; }

type ObjFunc = (x: Tensor[], t: number, d: Tensor) => Algo<[number, Tensor]>;

/** PyTorch's `_strong_wolfe`: returns [f, g, t, evaluations]. */
function* strongWolfe(S: Scalars, obj: ObjFunc, x: Tensor[], t: V, d: Tensor, f: number, g: Tensor, gtd: V,
  c1 = 1e-4, c2 = 0.9, toleranceChange = 1e-9, maxLs = 25): Algo<[number, Tensor, V, number]> {
  const dNorm = S.t(yield* rd(d.abs().max()));
  g = g.clone();
  // evaluate objective and gradient using initial step
  let [fNew, gNew] = yield* obj(x, val(t), d);
  let evals = 1;
  let gtdNew: V = S.t(yield* rd(gNew.dot(d)));
  // bracket an interval containing a point satisfying the Wolfe criteria
  let tPrev: V = 0, fPrev = f, gPrev = g, gtdPrev: V = gtd;
  let done = false, lsIter = 0;
  let bracket: V[] = [], bracketF: number[] = [], bracketG: Tensor[] = [], bracketGtd: V[] = [];
  const armijoFails = (fn: number, tt: V): boolean => S.gt(fn, S.add(f, S.mul(S.mul(c1, tt), gtd)));
  while (lsIter < maxLs) {
    // check conditions
    if (armijoFails(fNew, t) || (lsIter > 1 && fNew >= fPrev)) {
      bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, gNew.clone()]; bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    if (S.le(S.abs(gtdNew), S.mul(-c2, gtd))) {
      bracket = [t]; bracketF = [fNew]; bracketG = [gNew]; done = true;
      break;
    }
    if (S.ge(gtdNew, 0)) {
      bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, gNew.clone()]; bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    // interpolate
    const minStep = S.add(t, S.mul(0.01, S.sub(t, tPrev))), maxStep = S.mul(t, 10);
    const tmp = t;
    t = cubicInterpolate(S, tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    // next step
    tPrev = tmp; fPrev = fNew; gPrev = gNew.clone(); gtdPrev = gtdNew;
    [fNew, gNew] = yield* obj(x, val(t), d);
    evals++;
    gtdNew = S.t(yield* rd(gNew.dot(d)));
    lsIter++;
  }
  // reached max number of iterations?
  if (lsIter === maxLs) { bracket = [0, t]; bracketF = [f, fNew]; bracketG = [g, gNew]; }

  // zoom phase: we now have a point satisfying the criteria, or a bracket around it; refine the bracket until the
  // point is found or the bracket is too small
  let insufProgress = false;
  let [lowPos, highPos] = bracketF[0]! <= bracketF[bracketF.length - 1]! ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    // line-search bracket is so small
    if (S.lt(S.mul(S.abs(S.sub(bracket[1]!, bracket[0]!)), dNorm), toleranceChange)) break;
    // compute new trial value
    t = cubicInterpolate(S, bracket[0]!, bracketF[0]!, bracketGtd[0]!, bracket[1]!, bracketF[1]!, bracketGtd[1]!);
    // test that we are making sufficient progress: t not too close to the bracket's ends
    const bmax = S.max(bracket[0]!, bracket[1]!), bmin = S.min(bracket[0]!, bracket[1]!);
    const eps = S.mul(0.1, S.sub(bmax, bmin));
    if (S.lt(S.min(S.sub(bmax, t), S.sub(t, bmin)), eps)) {
      // interpolation close to boundary
      if (insufProgress || S.ge(t, bmax) || S.le(t, bmin)) {
        // evaluate at 0.1 away from boundary
        t = S.lt(S.abs(S.sub(t, bmax)), S.abs(S.sub(t, bmin))) ? S.sub(bmax, eps) : S.add(bmin, eps);
        insufProgress = false;
      } else {
        insufProgress = true;
      }
    } else {
      insufProgress = false;
    }
    // evaluate new point
    [fNew, gNew] = yield* obj(x, val(t), d);
    evals++;
    gtdNew = S.t(yield* rd(gNew.dot(d)));
    lsIter++;
    if (armijoFails(fNew, t) || fNew >= bracketF[lowPos]!) {
      // Armijo condition not satisfied or not lower than lowest point
      bracket[highPos] = t; bracketF[highPos] = fNew; bracketG[highPos] = gNew.clone(); bracketGtd[highPos] = gtdNew;
      [lowPos, highPos] = bracketF[0]! <= bracketF[1]! ? [0, 1] : [1, 0];
    } else {
      if (S.le(S.abs(gtdNew), S.mul(-c2, gtd))) {
        done = true; // Wolfe conditions satisfied
      } else if (S.ge(S.mul(gtdNew, S.sub(bracket[highPos]!, bracket[lowPos]!)), 0)) {
        // old high becomes new low
        bracket[highPos] = bracket[lowPos]!; bracketF[highPos] = bracketF[lowPos]!;
        bracketG[highPos] = bracketG[lowPos]!; bracketGtd[highPos] = bracketGtd[lowPos]!;
      }
      // new point becomes new low
      bracket[lowPos] = t; bracketF[lowPos] = fNew; bracketG[lowPos] = gNew.clone(); bracketGtd[lowPos] = gtdNew;
    }
  }
  // return stuff
  return [bracketF[lowPos]!, bracketG[lowPos]!, bracket[lowPos]!, evals];
}

/**
 * L-BFGS (`torch.optim.LBFGS`), heavily inspired by minFunc. One parameter group only; `step(closure)` requires the
 * closure (it re-evaluates the model: zero the grads, compute the loss, `backward()`, return the loss) and returns
 * the first loss. Defaults: lr 1, maxIter 20, maxEval maxIter·5/4, toleranceGrad 1e-7, toleranceChange 1e-9,
 * historySize 100, lineSearchFn null. Memory: about `paramBytes · (historySize + 1)`.
 *
 * State (on the first parameter, as PyTorch's): `funcEvals`, `nIter`, `d`, `t`, `oldDirs`, `oldStps`, `ro`,
 * `HDiag`, `prevFlatGrad`, `prevLoss`, `al`.
 *
 * @example
 * import * as torch from 'torchlet';
 * const x = torch.tensor([-1.5, 2], { dtype: 'float64', requiresGrad: true });
 * const opt = new torch.optim.LBFGS([x], { lineSearchFn: 'strong_wolfe' });
 * const rosenbrock = () => {
 *   opt.zeroGrad();
 *   const [a, b] = [x.select(0, 0), x.select(0, 1)];
 *   const loss = a.neg().add(1).pow(2).add(b.sub(a.pow(2)).pow(2).mul(100));
 *   loss.backward();
 *   return loss;
 * };
 * for (let i = 0; i < 5; i++) opt.step(rosenbrock);
 */
export class LBFGS extends Optimizer {
  private readonly _params: Tensor[];
  private _numelCache: number | null = null;

  constructor(params: ParamsT, lr?: number | LBFGSOptions, maxIter?: number | LBFGSOptions, maxEval?: number | null | LBFGSOptions,
    toleranceGrad?: number | LBFGSOptions, toleranceChange?: number | LBFGSOptions, historySize?: number | LBFGSOptions,
    lineSearchFn?: 'strong_wolfe' | null | LBFGSOptions, options?: LBFGSOptions) {
    const names = ['lr', 'maxIter', 'maxEval', 'toleranceGrad', 'toleranceChange', 'historySize', 'lineSearchFn'];
    const o = parseArgs('LBFGS', [lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearchFn, options], names, names);
    const mi = o.maxIter ?? 20;
    const d = { lr: o.lr ?? 1, maxIter: mi, maxEval: o.maxEval ?? Math.floor((mi * 5) / 4), toleranceGrad: o.toleranceGrad ?? 1e-7,
      toleranceChange: o.toleranceChange ?? 1e-9, historySize: o.historySize ?? 100, lineSearchFn: o.lineSearchFn ?? null };
    checkNonNegative('learning rate', d.lr);
    for (const k of ['maxIter', 'maxEval', 'historySize'] as const) {
      if (!Number.isInteger(d[k]) || d[k] < 1) throw new RangeError(`LBFGS: ${k} must be a positive integer, but got ${describe(d[k])}`);
    }
    if (d.lineSearchFn !== null && d.lineSearchFn !== 'strong_wolfe') throw new RangeError("only 'strong_wolfe' is supported");
    super(params, d);
    if (this.paramGroups.length !== 1) throw new RangeError("LBFGS doesn't support per-parameter options (parameter groups)");
    this._params = this.paramGroups[0]!.params;
  }

  override addParamGroup(group: Parameters<Optimizer['addParamGroup']>[0]): void {
    if (this.paramGroups.length >= 1) throw new RangeError("LBFGS doesn't support per-parameter options (parameter groups)");
    super.addParamGroup(group);
  }

  /** @internal LBFGS's state tensors are flat (or scalars), not of the parameter's shape. */
  override _scalarStateKey(_key: string): boolean { return true; }

  private _numel(): number {
    return this._numelCache ??= this._params.reduce((n, p) => n + p.numel(), 0);
  }

  private _gatherFlatGrad(): Tensor {
    return cat(this._params.map((p) => (p.grad === null ? zerosOf([p.numel()], { dtype: p.dtype, device: p.device }) : p.grad.reshape([-1]))), 0);
  }

  private _addGrad(stepSize: number, update: Tensor): void {
    let offset = 0;
    for (const p of this._params) {
      const n = p.numel();
      p.add_(update.narrow(0, offset, n).view(p.shape), stepSize);
      offset += n;
    }
  }

  private _cloneParam(): Tensor[] { return this._params.map((p) => p.clone()); }

  private _setParam(data: Tensor[]): void { this._params.forEach((p, i) => p.copy_(data[i]!)); }

  private *_directionalEvaluate(x: Tensor[], t: number, d: Tensor): Algo<[number, Tensor]> {
    this._addGrad(t, d);
    const loss = (yield { evaluate: true }) as number;
    const flat = this._gatherFlatGrad();
    this._setParam(x);
    return [loss, flat];
  }

  /** A scalar as PyTorch holds it: a 0-dim tensor of the parameters' dtype (float32 rounds). */
  private _r(v: number): number { return this._params[0]!.dtype === 'float32' ? Math.fround(v) : v; }

  /**
   * Runs up to `maxIter` L-BFGS iterations; `closure` is required (synchronous). Returns the closure's first loss.
   * Reads a few scalars per iteration on the host, as PyTorch; on a backend that cannot read synchronously use
   * `stepAsync`.
   * @example opt.step(() => { opt.zeroGrad(); const l = lossFn(); l.backward(); return l; });
   */
  override step(closure?: Closure): number | Tensor | undefined {
    if (typeof closure !== 'function') throw new TypeError("step() missing 1 required positional argument: 'closure'");
    return noGrad(() => {
      let first: number | Tensor | undefined;
      const gen = this._algorithm();
      let r = gen.next();
      while (!r.done) {
        const e = r.value;
        if ('read' in e) { r = gen.next(host(e.read)); continue; }
        const raw = enableGrad(closure) as unknown;
        if (raw instanceof Promise) throw new TypeError('LBFGS.step: the closure returned a Promise; use `await opt.stepAsync(closure)` for an async closure');
        first ??= raw as number | Tensor;
        r = gen.next(lossValue(raw as number | Tensor));
      }
      return first;
    });
  }

  /**
   * `step` with awaited reads and a closure that may be async: for backends that only read asynchronously.
   * @example await opt.stepAsync(async () => { opt.zeroGrad(); const l = lossFn(); l.backward(); return l; });
   */
  async stepAsync(closure: () => number | Tensor | Promise<number | Tensor>): Promise<number | Tensor> {
    if (typeof closure !== 'function') throw new TypeError("step() missing 1 required positional argument: 'closure'");
    return noGrad(async () => {
      let first: number | Tensor | undefined;
      const gen = this._algorithm();
      let r = gen.next();
      while (!r.done) {
        const e = r.value;
        if ('read' in e) { r = gen.next((await e.read.typedArray())[0]); continue; }
        const raw = await enableGrad(closure);
        first ??= raw;
        r = gen.next(typeof raw === 'number' ? raw : raw instanceof Tensor ? (await raw.typedArray())[0] : lossValue(raw));
      }
      return first!;
    });
  }

  private *_algorithm(): Algo<void> {
    const group = this.paramGroups[0]!;
    const lr: number = group.lr, maxIter: number = group.maxIter, maxEval: number = group.maxEval;
    const tolGrad: number = group.toleranceGrad, tolChange: number = group.toleranceChange;
    const lineSearchFn: string | null = group.lineSearchFn, historySize: number = group.historySize;
    const state = this._stateOf(this._params[0]!);
    state.funcEvals ??= 0;
    state.nIter ??= 0;

    let loss = (yield { evaluate: true }) as number;
    let currentEvals = 1;
    state.funcEvals += 1;
    let flatGrad = this._gatherFlatGrad();
    const S = new Scalars((v) => this._r(v));
    let optCond = S.le(S.t(yield* rd(flatGrad.abs().max())), tolGrad);
    if (optCond) return; // optimal condition

    let d: Tensor | undefined = state.d, t: V | undefined = state.t;
    let oldDirs: Tensor[] = state.oldDirs, oldStps: Tensor[] = state.oldStps, ro: number[] = state.ro;
    let hDiag: number = state.HDiag;
    let prevFlatGrad: Tensor | undefined = state.prevFlatGrad;
    let prevLoss: number = state.prevLoss;

    let nIter = 0;
    while (nIter < maxIter) {
      nIter++;
      state.nIter += 1;
      // compute the descent direction
      if (state.nIter === 1) {
        d = flatGrad.neg();
        oldDirs = []; oldStps = []; ro = [];
        hDiag = 1;
      } else {
        // update memory
        const y = flatGrad.sub(prevFlatGrad!);
        const s = d!.mul(val(t!));
        const ys = yield* rd(y.dot(s));
        if (S.gt(S.t(ys), 1e-10)) {
          if (oldDirs.length === historySize) { oldDirs.shift(); oldStps.shift(); ro.shift(); }
          oldDirs.push(y); oldStps.push(s); ro.push(this._r(1 / ys));
          hDiag = this._r(ys / (yield* rd(y.dot(y))));
        }
        // the two-loop recursion: d = -H·g with the approximate inverse Hessian H
        const numOld = oldDirs.length;
        state.al ??= new Array(historySize).fill(null);
        const al: (number | null)[] = state.al;
        const q = flatGrad.neg();
        for (let i = numOld - 1; i >= 0; i--) {
          al[i] = this._r((yield* rd(oldStps[i]!.dot(q))) * ro[i]!);
          q.add_(oldDirs[i]!, -al[i]!);
        }
        const r = q.mul(hDiag);
        d = r;
        for (let i = 0; i < numOld; i++) {
          const beI = this._r((yield* rd(oldDirs[i]!.dot(r))) * ro[i]!);
          r.add_(oldStps[i]!, this._r(al[i]! - beI));
        }
      }
      if (prevFlatGrad === undefined) prevFlatGrad = flatGrad.clone();
      else prevFlatGrad.copy_(flatGrad);
      prevLoss = loss;

      // the step length
      if (state.nIter === 1) {
        // PyTorch: min(1., 1. / |g|₁) * lr, where the reciprocal is a tensor (rounded to the dtype) when it is smaller
        t = S.mul(S.min(1, S.div(1, S.t(yield* rd(flatGrad.abs().sum())))), lr);
      } else {
        t = lr;
      }
      const gtd = S.t(yield* rd(flatGrad.dot(d!)));
      if (S.gt(gtd, -tolChange)) break; // not a descent direction

      let lsEvals = 0;
      if (lineSearchFn !== null) {
        const xInit = this._cloneParam();
        const obj: ObjFunc = (x, tt, dd) => this._directionalEvaluate(x, tt, dd);
        [loss, flatGrad, t, lsEvals] = yield* strongWolfe(S, obj, xInit, t!, d!, loss, flatGrad, gtd);
        this._addGrad(val(t), d!);
        optCond = S.le(S.t(yield* rd(flatGrad.abs().max())), tolGrad);
      } else {
        this._addGrad(val(t!), d!);
        if (nIter !== maxIter) {
          // re-evaluate unless this is the last iteration (no use for the result then)
          loss = (yield { evaluate: true }) as number;
          flatGrad = this._gatherFlatGrad();
          optCond = S.le(S.t(yield* rd(flatGrad.abs().max())), tolGrad);
          lsEvals = 1;
        }
      }
      currentEvals += lsEvals;
      state.funcEvals += lsEvals;

      // check conditions
      if (nIter === maxIter) break;
      if (currentEvals >= maxEval) break;
      if (optCond) break;
      if (S.le(S.t(yield* rd(d!.mul(val(t!)).abs().max())), tolChange)) break; // lack of progress
      if (Math.abs(loss - prevLoss) < tolChange) break;
    }
    state.d = d; state.t = t === undefined ? undefined : val(t); state.oldDirs = oldDirs; state.oldStps = oldStps; state.ro = ro;
    state.HDiag = hDiag; state.prevFlatGrad = prevFlatGrad; state.prevLoss = prevLoss;
  }

  /** The state (numbers and lists kept as they are: `oldDirs`, `oldStps` are lists of flat tensors). */
  override loadStateDict(stateDict: OptimizerStateDict): void {
    const lists: Record<number, Record<string, unknown>> = {};
    const stripped: OptimizerStateDict = { paramGroups: stateDict.paramGroups, state: {} };
    for (const [k, v] of Object.entries(stateDict.state ?? {})) {
      const keep: Record<string, unknown> = {}, rest: Record<string, unknown> = {};
      for (const [key, val] of Object.entries(v)) (Array.isArray(val) || typeof val === 'number' || val === null ? rest : keep)[key] = val;
      stripped.state[Number(k)] = keep;
      lists[Number(k)] = rest;
    }
    super.loadStateDict(stripped);
    const p0 = this._params[0]!;
    for (const [k, rest] of Object.entries(lists)) {
      if (Number(k) !== 0) continue;
      const st = this._stateOf(p0);
      for (const [key, val] of Object.entries(rest)) {
        st[key] = Array.isArray(val)
          ? val.map((x) => (x instanceof Tensor ? noGrad(() => x.to({ dtype: p0.dtype, device: p0.device }).clone()) : x))
          : val;
      }
    }
  }
}
