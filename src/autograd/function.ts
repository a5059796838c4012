/**
 * `torch.autograd.Function`: user-defined operations with their own backward. A subclass defines
 * `static forward(ctx, ...args)` and `static backward(ctx, ...gradOutputs)`; `Fn.apply(...args)` runs the forward
 * without recording and attaches one node (of as many outputs as the forward returned) whose rule calls `backward`.
 */
import { Tensor } from '../tensor.js';
import { Node, keepAlive, outputNr, setOutputNr, untracked } from './engine.js';
import type { BoundRule, Edge } from './engine.js';
import { isGradEnabled, noGrad } from './grad_mode.js';
import { isFloating } from '../dtype.js';
import { detach, zerosLike } from '../ops.js';

/**
 * The context of one `Function.apply`: what `forward` saves for `backward`, and PyTorch's switches. Any other field
 * (`ctx.constant = 2`) may be set in `forward` and read in `backward`, as in PyTorch.
 */
export class FunctionCtx {
  /** For each argument of `apply`: whether it is a tensor whose gradient is needed (PyTorch's `needs_input_grad`). */
  needsInputGrad: boolean[] = [];
  /** @internal */ _toSave: (Tensor | null)[] | null = null;
  /** @internal */ _dirty: Set<Tensor> = new Set();
  /** @internal */ _nonDiff: Set<Tensor> = new Set();
  /** @internal */ _materialize = true;
  /** @internal */ _node: Node | null = null;
  /** @internal the saved tensors while no node exists (apply without grad) */
  _plain: (Tensor | null)[] = [];
  [field: string]: any;

  /**
   * Saves tensors (or nulls) for `backward`, where `ctx.savedTensors` returns them, checked against in-place
   * modification since (PyTorch's `save_for_backward`). Call it at most once, from `forward`.
   */
  saveForBackward(...tensors: (Tensor | null | undefined)[]): void {
    tensors.forEach((t, i) => {
      if (t !== null && t !== undefined && !(t instanceof Tensor)) {
        throw new TypeError(`save_for_backward can only save variables, but argument ${i} is of type ${typeof t}`);
      }
    });
    this._toSave = tensors.map((t) => t ?? null);
  }

  /** The tensors given to `saveForBackward` (PyTorch's `saved_tensors`). */
  get savedTensors(): (Tensor | null)[] {
    if (this._node !== null) return this._node.unpack();
    return this._plain;
  }

  /** Declares inputs modified in place by `forward` (they must be returned as outputs), as PyTorch's `mark_dirty`. */
  markDirty(...tensors: Tensor[]): void {
    for (const t of tensors) this._dirty.add(t);
  }

  /** Declares outputs that are not differentiable: they do not require grad, and their gradient in `backward` is zero. */
  markNonDifferentiable(...tensors: Tensor[]): void {
    for (const t of tensors) this._nonDiff.add(t);
  }

  /** Whether `backward` gets zeros (the default) or null for outputs that received no gradient. */
  setMaterializeGrads(value: boolean): void {
    if (typeof value !== 'boolean') throw new TypeError(`set_materialize_grads(): argument 'value' must be bool, not ${typeof value}`);
    this._materialize = value;
  }
}

type Grad = Tensor | null | undefined;

/**
 * Base class of user-defined differentiable operations (`torch.autograd.Function`).
 *
 * @example
 * import * as torch from 'torchlet';
 * class Cube extends torch.autograd.Function {
 *   static forward(ctx: torch.autograd.FunctionCtx, x: torch.Tensor): torch.Tensor {
 *     ctx.saveForBackward(x);
 *     return x.pow(3);
 *   }
 *   static backward(ctx: torch.autograd.FunctionCtx, g: torch.Tensor): torch.Tensor {
 *     const [x] = ctx.savedTensors;
 *     return g.mul(x!.pow(2)).mul(3);
 *   }
 * }
 * const x = torch.tensor([2], { requiresGrad: true });
 * Cube.apply(x).sum().backward(); // x.grad: [12]
 */
export class Function {
  /** Computes the outputs from `args` (run without recording); tensors in `args` may be followed by any values. */
  static forward(_ctx: FunctionCtx, ..._args: any[]): any {
    throw new Error('You must implement the forward function for custom autograd.Function.');
  }

  /** The gradient of each argument of `forward` (null for non-tensors and where not needed) from the outputs' gradients. */
  static backward(_ctx: FunctionCtx, ..._grads: any[]): any {
    throw new Error('You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.');
  }

  /**
   * Runs the function and records it for autograd. A getter returning a bound function, so `const P3 = Fn.apply`
   * works as in PyTorch.
   */
  static get apply(): (...args: any[]) => any {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const cls = this;
    return (...args: any[]) => applyFunction(cls, args);
  }
}

function applyFunction(cls: typeof Function, args: any[]): any {
  const ctx = new FunctionCtx();
  const grad = isGradEnabled();
  const tensorArgs = args.map((a) => (a instanceof Tensor ? a : null));
  ctx.needsInputGrad = tensorArgs.map((t) => grad && t !== null && t.requiresGrad);
  const raw = noGrad(() => cls.forward(ctx, ...args));
  const isSeq = Array.isArray(raw);
  const outs: any[] = isSeq ? [...raw] : [raw];
  const record = ctx.needsInputGrad.some((b) => b);
  if (!record) {
    ctx._plain = ctx._toSave ?? [];
    return raw;
  }
  for (const t of ctx._dirty) {
    if (!tensorArgs.includes(t)) throw new Error('Some elements marked as dirty during the forward method were not returned as output.');
    if (t._gradFn === null && t._requiresGrad) throw new Error('a leaf Variable that requires grad has been used in an in-place operation.');
  }
  const edges: (Edge | null)[] = tensorArgs.map((t) => {
    if (t === null || !t._requiresGrad) return null;
    return t._gradFn === null ? { fn: null, leaf: t } : { fn: t._gradFn, leaf: null, index: outputNr(t) };
  });
  const outMeta = outs.map((o) => (o instanceof Tensor ? { shape: [...o.shape], dtype: o.dtype, device: o.device, like: o } : null));
  const name = cls.name || 'Function';
  let node: Node | null = null;
  const rule: BoundRule = (g, saved, _needs, n) => {
    const gs: Grad[] = n.grads ?? [g];
    const gradsIn = outs.map((_, i) => {
      const gi = gs[i] ?? null;
      if (gi !== null || !ctx._materialize || outMeta[i] === null) return gi;
      return noGrad(() => zerosLike(outMeta[i]!.like.detach()));
    });
    void saved;
    for (const gi of gradsIn) keepAlive(gi); // user code may keep them
    let res = untracked(() => cls.backward(ctx, ...gradsIn));
    if (!Array.isArray(res)) res = [res];
    const got = res as any[];
    if (got.length < args.length || got.slice(args.length).some((x) => x !== null && x !== undefined)) {
      throw new Error(`function ${name}Backward returned an incorrect number of gradients (expected ${args.length}, got ${got.length})`);
    }
    return tensorArgs.map((t, i) => {
      const gi = got[i];
      if (gi === null || gi === undefined) return null;
      if (t === null) throw new Error(`function ${name}Backward returned a gradient different than None at position ${i + 1}, but the corresponding forward input was not a Variable`);
      if (!(gi instanceof Tensor)) throw new TypeError(`function ${name}Backward returned a gradient at position ${i + 1} that is not a Tensor (got ${typeof gi})`);
      if (!edges[i]) return null;
      const ok = gi.dim() <= t.dim() && gi.shape.every((d, k) => d === 1 || d === t.shape[t.dim() - gi.dim() + k]);
      if (!ok && gi.numel() !== t.numel()) {
        throw new RangeError(`Function ${name}Backward returned an invalid gradient at index ${i} - got [${gi.shape.join(', ')}] but expected shape compatible with [${t.shape.join(', ')}]`);
      }
      return ok ? gi : gi.reshape([...t.shape]);
    });
  };
  node = new Node(name, rule, edges, tensorArgs.map((t) => (t ? t.shape : [])), tensorArgs.map((t) => (t ? t.dtype : 'float32')), ctx._toSave ?? []);
  node.numOutputs = outs.length;
  (node as { toString(): string }).toString = () => `${name}Backward`;
  ctx._node = node;
  for (let i = 0; i < outs.length; i++) {
    let o = outs[i];
    if (!(o instanceof Tensor)) continue;
    if (ctx._nonDiff.has(o) || !isFloating(o.dtype)) continue;
    // an input returned as is (not modified in place) becomes a new tensor aliasing it, as PyTorch's view_as
    if (tensorArgs.includes(o) && !ctx._dirty.has(o)) o = detach(o);
    o._gradFn = node;
    o._requiresGrad = true;
    setOutputNr(o, i);
    outs[i] = o;
  }
  return isSeq ? outs : outs[0];
}

/**
 * @internal Passes `ts` through one identity node (module backward hooks): the tensors that require grad come back as
 * new aliases whose gradients reach `onGrads` together (null where one got none); it may return replacements.
 * Returns `ts` unchanged when none requires grad (or grad mode is off).
 */
export function _hookIdentity(ts: Tensor[], name: string, onGrads: (grads: (Tensor | null)[]) => (Tensor | null | undefined)[] | void): Tensor[] {
  if (!isGradEnabled() || !ts.some((t) => t.requiresGrad)) return ts;
  const edges: (Edge | null)[] = ts.map((t) => {
    if (!t._requiresGrad) return null;
    return t._gradFn === null ? { fn: null, leaf: t } : { fn: t._gradFn, leaf: null, index: outputNr(t) };
  });
  const rule: BoundRule = (g, _s, _needs, n) => {
    const gs = n.grads !== null ? [...n.grads] : [g];
    while (gs.length < ts.length) gs.push(null);
    for (const gi of gs) keepAlive(gi); // handed to user hooks, which may keep them
    const r = untracked(() => onGrads(gs));
    const out = r ?? gs;
    if (out.length !== ts.length) throw new Error(`${name}: a backward hook returned ${out.length} gradients, expected ${ts.length}`);
    return out.map((x) => x ?? null);
  };
  const node = new Node(name, rule, edges, ts.map((t) => t.shape), ts.map((t) => t.dtype), []);
  node.numOutputs = ts.length;
  (node as { toString(): string }).toString = () => `${name}Backward`;
  return ts.map((t, i) => {
    if (!t._requiresGrad) return t;
    const o = detach(t);
    o._gradFn = node;
    o._requiresGrad = true;
    setOutputNr(o, i);
    return o;
  });
}
