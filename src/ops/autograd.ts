/**
 * Autograd recording: `record` attaches a node (a rule of `autograd/rules.ts`) to a primitive's output, `needsGrad`
 * tells a primitive whether to; the geometry of a view in its base (`ViewGeom`) with the backward of views and the
 * regeneration of a view's history after its base was written (`refreshView`); and the entry points `backward`,
 * `grad` and `detach`, with the tensor operations the engine itself uses (`setEngineOps`).
 */
import type { DType } from '../dtype.js';
import { isFloating } from '../dtype.js';
import { Node, outputNr, runBackward, setEngineOps } from '../autograd/engine.js';
import type { BoundRule, Edge, Rule } from '../autograd/engine.js';
import { enableGrad, isGradEnabled, noGrad } from '../autograd/grad_mode.js';
import { ruleTable } from '../autograd/rules.js';
import type { NoRule, RuleContexts, RuleName } from '../autograd/rules.js';
import { Tensor, freeHandle, makeView } from '../tensor.js';
import { numelOf } from '../shape.js';
import { isPlainObject } from './common.js';
import { checkTensor, checkTensorList, typeName } from './args.js';
import { checkOptions } from '../_options.js';
import { zeros, arange, onesLike, zerosLike } from './creation.js';

/** A rule's context as a trailing argument: optional where the rule's context is null. */
export type CtxArg<K extends RuleName> = RuleContexts[K] extends null ? [ctx?: null] : [ctx: RuleContexts[K]];

/** The trailing arguments of `record`: the rule's context (optional for rules whose context is null) and `force`. */
export type RecordArgs<K extends RuleName | NoRule> = K extends RuleName
  ? (RuleContexts[K] extends null ? [ctx?: null, force?: boolean] : [ctx: RuleContexts[K], force?: boolean])
  : [ctx?: null, force?: boolean];

/**
 * Records the node of primitive `name` on `out` (when grad mode is on, `out` is floating and an input requires grad):
 * its rule from the table, edges to the inputs, the `saved` tensors and the rule's context `ctx`, typed by
 * `RuleContexts` (autograd/rules.ts). `force` records even under noGrad (view-history regeneration).
 */
export function record<K extends RuleName | NoRule>(name: K, out: Tensor, inputs: (Tensor | null)[], saved: (Tensor | null)[] = [], ...[ctx = null, force = false]: RecordArgs<K>): Tensor {
  if ((!force && !isGradEnabled()) || !isFloating(out.dtype)) return out;
  let any = false;
  const edges: (Edge | null)[] = inputs.map((t) => {
    if (t === null || !t._requiresGrad) return null;
    any = true;
    return t._gradFn === null ? { fn: null, leaf: t } : { fn: t._gradFn, leaf: null, index: outputNr(t) };
  });
  if (!any) return out;
  const rule = (ruleTable() as Partial<Record<RuleName | NoRule, Rule<unknown>>>)[name];
  if (rule === undefined) throw new Error(`internal: no backward rule for ${name}`);
  const bound: BoundRule = (g, s, needs, node) => rule(g, s, ctx, needs, node);
  out._gradFn = new Node(name, bound, edges, inputs.map((t) => (t ? t._shape : [])), inputs.map((t) => (t ? t.dtype : 'float32')), saved);
  out._requiresGrad = true;
  return out;
}

export function needsGrad(...ts: (Tensor | null)[]): boolean {
  if (!isGradEnabled()) return false;
  for (const t of ts) {
    if (t === null) continue;
    if (t._base !== null && t._base._historyVersion !== t._viewBaseVersion) refreshView(t);
    if (t._requiresGrad) return true;
  }
  return false;
}

/**
 * Where a view sits in its base: the base's shape and strides (relative to the base's first element) and the view's
 * shape, strides and offset in the same terms. `zerosInLayout` makes a tensor laid out like the base and
 * `applyView` takes the same view of it, which is what the backward of a view or of a write into a view needs, for
 * any base layout (transposed, strided, with gaps).
 */
export interface ViewGeom {
  baseShape: number[]; baseStrides: number[]; extent: number;
  shape: number[]; strides: number[]; offset: number;
  /** several view elements share one base element (an expanded view) */
  overlap: boolean;
}

export function viewGeom(v: Tensor, base: Tensor): ViewGeom {
  let extent = 1;
  for (let d = 0; d < base.dim(); d++) extent += (base._shape[d]! - 1) * base._strides[d]!;
  if (base.numel() === 0) extent = 0;
  return {
    baseShape: [...base._shape], baseStrides: [...base._strides], extent,
    shape: [...v._shape], strides: [...v._strides], offset: v._offset - base._offset,
    overlap: v._strides.some((st, d) => st === 0 && v._shape[d]! > 1),
  };
}

/** Zeros laid out like the base of `geo` (same strides), of `like`'s dtype or `dtype`. */
export function zerosInLayout(geo: ViewGeom, like: Tensor, dtype: DType = like.dtype): Tensor {
  const flat = zeros([geo.extent], { dtype, device: like.device });
  return makeView(flat, [...geo.baseShape], [...geo.baseStrides], 0);
}

/** The view of `geo` taken of `z`, a tensor laid out like the base (from `zerosInLayout`). */
export function applyView(geo: ViewGeom, z: Tensor): Tensor {
  return makeView(z, [...geo.shape], [...geo.strides], z._offset + geo.offset);
}

/** Backward of a view of its base: the gradient lands in the view's place (summed where the view overlaps). */
export function viewOfBaseBackward(g: Tensor, geo: ViewGeom): Tensor {
  if (!geo.overlap) {
    const z = zerosInLayout(geo, g);
    applyView(geo, z).copy_(g);
    return z;
  }
  const n = numelOf(geo.baseShape);
  const pos = zerosInLayout(geo, g, 'int64');
  pos.copy_(arange(n, { device: g.device }).view(geo.baseShape));
  const acc = zeros([n], { dtype: g.dtype, device: g.device });
  acc.scatterAdd_(0, applyView(geo, pos).reshape([-1]), g.reshape([-1]));
  return acc.view(geo.baseShape);
}

/**
 * A view whose base was written in place (or switched requiresGrad) after the view was made gets its history
 * regenerated from the base's current history, as PyTorch regenerates a view's grad_fn, so gradients through the
 * view reach what was written into the base. Runs whatever the grad mode: reading a view under noGrad must not
 * strip its history.
 */
export function refreshView(t: Tensor): void {
  const base = t._base;
  if (base === null || base._historyVersion === t._viewBaseVersion) return;
  t._viewBaseVersion = base._historyVersion;
  t._gradFn = null;
  t._requiresGrad = false;
  if (base._requiresGrad) record('viewOfBase', t, [base], [], { geo: viewGeom(t, base) }, true);
}

export function detach(t: Tensor): Tensor {
  const d = new Tensor(t._s, t._shape, t._strides, t._offset, t._backend, t.device, t._h);
  d._inference = t._inference;
  return d;
}

/** Options of `Tensor.backward` (PyTorch's `retain_graph`, `create_graph`). */
export interface BackwardOptions { retainGraph?: boolean; createGraph?: boolean }

export function backward(t: Tensor, gradient?: Tensor | null | BackwardOptions, options?: BackwardOptions): void {
  let g: Tensor | null = null, retain: boolean | null = null, create = false;
  const opt = (o: unknown): void => {
    if (!isPlainObject(o)) throw new TypeError(`backward(): options must be an object, not ${typeName(o)}`);
    checkOptions('backward', o, ['retainGraph', 'createGraph']);
    const r = (o as { retainGraph?: unknown }).retainGraph, c = (o as { createGraph?: unknown }).createGraph;
    if (r !== undefined && r !== null && typeof r !== 'boolean') throw new TypeError(`backward(): argument 'retain_graph' must be bool, not ${typeName(r)}`);
    if (c !== undefined && c !== null && typeof c !== 'boolean') throw new TypeError(`backward(): argument 'create_graph' must be bool, not ${typeName(c)}`);
    if (r !== undefined && r !== null) retain = r;
    if (c !== undefined && c !== null) create = c;
  };
  if (gradient instanceof Tensor) g = gradient;
  else if (isPlainObject(gradient)) opt(gradient);
  else if (gradient !== undefined && gradient !== null) {
    throw new TypeError(`backward(): argument 'gradient' (position 1) must be Tensor, not ${typeName(gradient)}`);
  }
  if (options !== undefined) opt(options);
  // PyTorch: retain_graph defaults to create_graph
  runBackward(t, checkBackward(t, g, create), retain ?? create, undefined, create);
}

/**
 * The upstream gradient for a backward from `t` (ones for a scalar), with PyTorch's errors. With `createGraph` a given
 * gradient keeps its history (double-vjp tricks differentiate through it).
 */
export function checkBackward(t: Tensor, g: Tensor | null, createGraph = false, index = 0): Tensor {
  refreshView(t);
  if (!t._requiresGrad) throw new Error(`element ${index} of tensors does not require grad and does not have a grad_fn`);
  if (g === null) {
    if (t.numel() !== 1) throw new Error('grad can be implicitly created only for scalar outputs');
    return onesLike(t);
  }
  if (g._shape.length !== t._shape.length || g._shape.some((s, i) => s !== t._shape[i])) {
    throw new RangeError(`Mismatch in shape: grad_output[${index}] has a shape of [${g._shape.join(', ')}] and output[${index}] has a shape of [${t._shape.join(', ')}].`);
  }
  return createGraph ? g : g.detach();
}

setEngineOps({
  sumToShape(g, shape) {
    if (g._shape.length === shape.length && g._shape.every((s, i) => s === shape[i])) return g;
    const lead = g.dim() - shape.length;
    const axes: number[] = [];
    for (let d = 0; d < g.dim(); d++) if (d < lead || (shape[d - lead] === 1 && g._shape[d] !== 1)) axes.push(d);
    const s = axes.length > 0 ? g.sum(axes, true) : g;
    return s.reshape(shape);
  },
  add: (a, b) => a.add(b),
  cast: (g, dtype) => g.to(dtype as DType),
  clone: (g) => g.clone(),
  accumulateInto(dst, g) { dst.add_(g); },
  detachedAlias: (g) => detach(g),
  free: freeHandle,
  withNoGrad: noGrad,
  withGrad: enableGrad,
});

/** Options of `torch.autograd.grad`. */
export interface GradOptions { retainGraph?: boolean; createGraph?: boolean; allowUnused?: boolean; materializeGrads?: boolean }

/**
 * Gradients of `outputs` (a tensor or a list) w.r.t. `inputs` without touching `.grad` (`torch.autograd.grad`).
 * `gradOutputs` is the vector of the vector-Jacobian product (one per output; null for a one-element output).
 * `createGraph: true` records the computation of the gradients, so they can be differentiated again (double
 * backward; `retainGraph` then defaults to true).
 * @example
 * const x = torch.tensor([2], { requiresGrad: true });
 * const [dx] = torch.autograd.grad(x.pow(3).sum(), [x], null, { createGraph: true }); // 3x² = 12
 * const [ddx] = torch.autograd.grad(dx!.sum(), [x]);                                  // 6x = 12
 */
export function grad(outputs: Tensor | readonly Tensor[], inputs: Tensor | readonly Tensor[], gradOutputs?: Tensor | readonly (Tensor | null)[] | null,
  opts: GradOptions = {}): (Tensor | null)[] {
  const outs: Tensor[] = outputs instanceof Tensor ? [outputs] : Array.isArray(outputs) ? [...outputs] : (checkTensor('grad', 'outputs', 1, outputs), []);
  outs.forEach((t) => checkTensor('grad', 'outputs', 1, t));
  const ins: Tensor[] = inputs instanceof Tensor ? [inputs] : (inputs as Tensor[]);
  checkTensorList('grad', ins, 1);
  let gos: (Tensor | null)[];
  if (gradOutputs === undefined || gradOutputs === null) gos = outs.map(() => null);
  else if (gradOutputs instanceof Tensor) gos = [gradOutputs];
  else if (Array.isArray(gradOutputs)) gos = [...gradOutputs];
  else throw new TypeError(`grad(): argument 'grad_outputs' (position 3) must be a Tensor or a list of Tensors, not ${typeName(gradOutputs)}`);
  if (gos.length !== outs.length) throw new RangeError(`grad requires one grad_output per output: got ${gos.length} grad_outputs and ${outs.length} outputs`);
  gos.forEach((g) => { if (g !== null) checkTensor('grad', 'grad_outputs', 3, g); });
  checkOptions('grad', opts, ['retainGraph', 'createGraph', 'allowUnused', 'materializeGrads']);
  const create = opts.createGraph ?? false;
  const gs = outs.map((o, i) => checkBackward(o, gos[i]!, create, i));
  ins.forEach((t, i) => {
    if (!t._requiresGrad) throw new Error(`One of the differentiated Tensors does not require grad (input ${i})`);
  });
  const res = runBackward(outs, gs, opts.retainGraph ?? create, ins, create);
  const allowUnused = opts.allowUnused ?? opts.materializeGrads ?? false;
  if (opts.materializeGrads && opts.allowUnused === false) throw new RangeError('Expected allow_unused to be True or not passed when materialize_grads=True, but got: allow_unused=False.');
  return res.map((r, i) => {
    if (r === null && !allowUnused) {
      throw new Error(`One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior. (input ${i})`);
    }
    if (r === null && opts.materializeGrads) return zerosLike(ins[i]!);
    return r;
  });
}
