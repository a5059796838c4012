/**
 * `torch.autograd.functional`: `vjp`, `jvp`, `jacobian`, `hessian`, `hvp`, `vhp` of a function of tensors, built on
 * `autograd.grad` (reverse mode; `jvp` is the double-vjp trick PyTorch uses). `vectorize` and forward-mode strategies
 * are not offered: each row of a Jacobian is one backward pass.
 */
import { Tensor } from '../tensor.js';
import { grad, eye, stack, zerosLike, detach } from '../ops.js';
import { enableGrad } from './grad_mode.js';
import { checkOptions } from '../_options.js';

/** Options of the functions of `torch.autograd.functional`. */
export interface FunctionalOptions {
  /** Record the computation, so that the results can be differentiated again (default false). */
  createGraph?: boolean;
  /** Throw when an output does not depend on an input (instead of a zero block, default false). */
  strict?: boolean;
}

type Inputs = Tensor | readonly Tensor[];
type Outputs<I> = I extends Tensor ? Tensor : Tensor[];

function asList(what: string, name: string, x: Inputs | undefined): Tensor[] {
  const list = x instanceof Tensor ? [x] : Array.isArray(x) ? [...x] : null;
  if (list === null || list.some((t) => !(t instanceof Tensor))) {
    throw new TypeError(`The ${name} given to ${what} must be either a Tensor or a tuple of Tensors but the value at index 0 has type ${typeof x}.`);
  }
  return list;
}

/** Fresh leaves for the inputs (PyTorch's `_grad_preprocess`): with createGraph they stay connected to their history. */
function prepare(inputs: Tensor[], createGraph: boolean): Tensor[] {
  return inputs.map((t) => (createGraph && t.requiresGrad ? t.viewAs(t) : detach(t).requiresGrad_(true)));
}

function callOutputs(what: string, func: (...xs: Tensor[]) => Tensor | Tensor[], xs: Tensor[]): { raw: Tensor | Tensor[]; list: Tensor[] } {
  const raw = enableGrad(() => func(...xs));
  const list = asList(what, 'outputs of the user-provided function', raw);
  return { raw, list };
}

function finish(t: Tensor, createGraph: boolean): Tensor { return createGraph ? t : detach(t); }

function reshape<I extends Inputs>(like: I, list: Tensor[]): Outputs<I> {
  return (like instanceof Tensor ? list[0]! : list) as Outputs<I>;
}

/** Gradients of `outs` (with `vs`) w.r.t. `xs`, zeros where unused (an error with `strict`). */
function vjpList(what: string, outs: Tensor[], xs: Tensor[], vs: (Tensor | null)[], createGraph: boolean, strict: boolean): Tensor[] {
  const used = outs.map((o, i) => ({ o, v: vs[i]! })).filter(({ o }) => o.requiresGrad);
  if (used.length === 0) {
    if (strict) throw new Error(`The output of the user-provided function is independent of input 0. This is not allowed in strict mode.`);
    return xs.map((x) => zerosLike(x));
  }
  const gs = grad(used.map((u) => u.o), xs, used.map((u) => u.v), { createGraph, retainGraph: true, allowUnused: true });
  return gs.map((g, i) => {
    if (g === null) {
      if (strict) throw new Error(`The output of the user-provided function is independent of input ${i}. This is not allowed in strict mode.`);
      return zerosLike(xs[i]!);
    }
    return g;
  });
}

/**
 * The function's output and the vector-Jacobian product vᵀ·J (`torch.autograd.functional.vjp`). `v` may be omitted
 * when the output has one element.
 * @example
 * const [out, g] = torch.autograd.functional.vjp((x) => x.pow(2), torch.tensor([1, 2]), torch.tensor([1, 1])); // g: [2, 4]
 */
export function vjp<I extends Inputs>(func: (...xs: Tensor[]) => Tensor | Tensor[], inputs: I, v?: Tensor | readonly Tensor[] | null,
  opts: FunctionalOptions = {}): [Tensor | Tensor[], Outputs<I>] {
  checkOptions('vjp', opts, ['createGraph', 'strict']);
  const cg = opts.createGraph ?? false;
  const xs = prepare(asList('vjp', 'inputs', inputs), cg);
  const { raw, list } = callOutputs('vjp', func, xs);
  const vs = v === undefined || v === null ? list.map((o) => {
    if (o.numel() !== 1) throw new RangeError('The vector v can only be None if the user-provided function returns a single Tensor with a single element.');
    return null;
  }) : asList('vjp', 'v', v);
  if (vs.length !== list.length) throw new RangeError(`v has invalid size: should be ${list.length} but got ${vs.length}`);
  const gs = vjpList('vjp', list, xs, vs, cg, opts.strict ?? false);
  const out = raw instanceof Tensor ? finish(raw, cg) : list.map((o) => finish(o, cg));
  return [out, reshape(inputs, gs.map((g) => finish(g, cg)))];
}

/**
 * The function's output and the Jacobian-vector product J·v (`torch.autograd.functional.jvp`), by the double-vjp
 * trick (a vjp with a dummy vector that requires grad, differentiated w.r.t. that vector), as PyTorch computes it.
 * @example
 * const [out, jv] = torch.autograd.functional.jvp((x) => x.pow(2), torch.tensor([1, 2]), torch.tensor([1, 0])); // jv: [2, 0]
 */
export function jvp<I extends Inputs>(func: (...xs: Tensor[]) => Tensor | Tensor[], inputs: I, v?: Tensor | readonly Tensor[] | null,
  opts: FunctionalOptions = {}): [Tensor | Tensor[], Tensor | Tensor[]] {
  checkOptions('jvp', opts, ['createGraph', 'strict']);
  const cg = opts.createGraph ?? false;
  const ins = asList('jvp', 'inputs', inputs);
  const vs = v === undefined || v === null ? ins.map((x) => {
    if (x.numel() !== 1) throw new RangeError('The vector v can only be None if the input to the user-provided function is a single Tensor with a single element.');
    return null;
  }) : asList('jvp', 'v', v);
  if (vs.length !== ins.length) throw new RangeError(`v has invalid size: should be ${ins.length} but got ${vs.length}`);
  const xs = prepare(ins, cg);
  const { raw, list } = callOutputs('jvp', func, xs);
  const dummies = list.map((o) => zerosLike(o).requiresGrad_(true));
  const gs = vjpList('jvp', list, xs, dummies, true, opts.strict ?? false);
  const res = vjpList('jvp', gs, dummies, vs.map((t, i) => t ?? zerosLike(xs[i]!).add(1)), cg, opts.strict ?? false);
  const out = raw instanceof Tensor ? finish(raw, cg) : list.map((o) => finish(o, cg));
  return [out, raw instanceof Tensor ? finish(res[0]!, cg) : res.map((r) => finish(r, cg))];
}

/** Rows of the Jacobian of each output w.r.t. each input: result[i][j] has shape out_i.shape ++ in_j.shape. */
function jacobianBlocks(what: string, outs: Tensor[], xs: Tensor[], cg: boolean, strict: boolean): Tensor[][] {
  return outs.map((o) => {
    const n = o.numel();
    const rows: Tensor[][] = xs.map(() => []);
    const basis = n > 0 ? eye(n, { dtype: o.dtype, device: o.device }) : null;
    for (let k = 0; k < n; k++) {
      const gs = o.requiresGrad
        ? vjpList(what, [o], xs, [basis!.select(0, k).reshape([...o.shape])], cg, strict)
        : (strict ? (() => { throw new Error('Output 0 of the user-provided function is independent of input 0. This is not allowed in strict mode.'); })() : xs.map((x) => zerosLike(x)));
      gs.forEach((g, j) => rows[j]!.push(g));
    }
    return xs.map((x, j) => (n === 0 ? zerosLike(x).reshape([...o.shape, ...x.shape]) : stack(rows[j]!, 0).reshape([...o.shape, ...x.shape])));
  });
}

/**
 * The Jacobian of `func` at `inputs` (`torch.autograd.functional.jacobian`), shape `output.shape ++ input.shape`: a
 * tensor for one input and one output, else nested lists ([output][input]) as PyTorch's tuples.
 * @example
 * const J = torch.autograd.functional.jacobian((x) => x.pow(2), torch.tensor([1, 2])); // [[2, 0], [0, 4]]
 */
export function jacobian(func: (...xs: Tensor[]) => Tensor | Tensor[], inputs: Inputs, opts: FunctionalOptions & { vectorize?: boolean; strategy?: string } = {}): any {
  checkOptions('jacobian', opts, ['createGraph', 'strict', 'vectorize', 'strategy']);
  if (opts.vectorize) throw new RangeError('jacobian: vectorize=True is not supported in torchlet (each row is one backward pass)');
  if (opts.strategy !== undefined && opts.strategy !== 'reverse-mode') throw new RangeError(`jacobian: strategy '${opts.strategy}' is not supported in torchlet; only 'reverse-mode'`);
  const cg = opts.createGraph ?? false;
  const xs = prepare(asList('jacobian', 'inputs', inputs), cg);
  const { raw, list } = callOutputs('jacobian', func, xs);
  const blocks = jacobianBlocks('jacobian', list, xs, cg, opts.strict ?? false).map((r) => r.map((t) => finish(t, cg)));
  if (raw instanceof Tensor) return inputs instanceof Tensor ? blocks[0]![0] : blocks[0];
  return inputs instanceof Tensor ? blocks.map((r) => r[0]) : blocks;
}

/**
 * The Hessian of a scalar function (`torch.autograd.functional.hessian`): shape `input.shape ++ input.shape` for one
 * input, else a nested list [i][j] of blocks.
 * @example
 * const H = torch.autograd.functional.hessian((x) => x.pow(3).sum(), torch.tensor([1, 2])); // [[6, 0], [0, 12]]
 */
export function hessian(func: (...xs: Tensor[]) => Tensor, inputs: Inputs, opts: FunctionalOptions & { vectorize?: boolean; outerJacobianStrategy?: string } = {}): any {
  checkOptions('hessian', opts, ['createGraph', 'strict', 'vectorize', 'outerJacobianStrategy']);
  if (opts.vectorize) throw new RangeError('hessian: vectorize=True is not supported in torchlet');
  const cg = opts.createGraph ?? false;
  const xs = prepare(asList('hessian', 'inputs', inputs), cg);
  const { list } = callOutputs('hessian', func, xs);
  if (list.length !== 1 || list[0]!.numel() !== 1) throw new RangeError('The function given to hessian should return a single Tensor with a single element.');
  const gs = vjpList('hessian', [list[0]!], xs, [null], true, opts.strict ?? false);
  const blocks = jacobianBlocks('hessian', gs, xs, cg, opts.strict ?? false).map((r) => r.map((t) => finish(t, cg)));
  return inputs instanceof Tensor ? blocks[0]![0] : blocks;
}

/**
 * The output of a scalar function and the vector-Hessian product vᵀ·H (`torch.autograd.functional.vhp`).
 * @example const [out, vh] = torch.autograd.functional.vhp((x) => x.pow(3).sum(), x, v);
 */
export function vhp<I extends Inputs>(func: (...xs: Tensor[]) => Tensor, inputs: I, v?: Tensor | readonly Tensor[] | null, opts: FunctionalOptions = {}): [Tensor, Outputs<I>] {
  checkOptions('vhp', opts, ['createGraph', 'strict']);
  const cg = opts.createGraph ?? false;
  const xs = prepare(asList('vhp', 'inputs', inputs), cg);
  const { list } = callOutputs('vhp', func, xs);
  if (list.length !== 1 || list[0]!.numel() !== 1) throw new RangeError('The function given to vhp should return a single Tensor with a single element.');
  const vs = v === undefined || v === null ? xs.map((x) => {
    if (x.numel() !== 1) throw new RangeError('The vector v can only be None if the input to the user-provided function is a single Tensor with a single element.');
    return null;
  }) : asList('vhp', 'v', v);
  const gs = vjpList('vhp', [list[0]!], xs, [null], true, opts.strict ?? false);
  const res = vjpList('vhp', gs, xs, vs, cg, opts.strict ?? false);
  return [finish(list[0]!, cg), reshape(inputs, res.map((r) => finish(r, cg)))];
}

/** Hessian-vector product H·v (`torch.autograd.functional.hvp`); equal to `vhp` for the symmetric Hessians of C² functions. */
export function hvp<I extends Inputs>(func: (...xs: Tensor[]) => Tensor, inputs: I, v?: Tensor | readonly Tensor[] | null, opts: FunctionalOptions = {}): [Tensor, Outputs<I>] {
  return vhp(func, inputs, v, opts);
}
