/**
 * The one table of backward rules. Each entry maps the upstream gradient `g` of a primitive's output to the
 * gradients of its inputs (null where not needed). Rules may return gradients of the broadcast (output)
 * shape: the engine sums them down to each input's shape. Composite operations (mean, var, softmax's
 * callers, indexSelect, stack, ...) are built from these primitives and have no rule of their own.
 *
 * Every rule has a context type: `RuleContexts` maps each rule name to the `ctx` its forward passes to `record`
 * (null for none). The table is assembled from per-concern parts (the core rules here, the nn primitives' in
 * `nn/_kernels.ts`), each typed against its part of `RuleContexts`, so a rule name without a rule, a rule without
 * a context type, a forward recording a wrong context or a rule reading a field its context lacks are compile
 * errors.
 */
import type { Rule } from './engine.js';
import type { Tensor } from '../tensor.js';
import type { Device } from '../device.js';
import type { ConvGeometry } from '../backend/types.js';
import type { ViewGeom } from '../ops/autograd.js';
import * as o from '../ops.js';
import { isCreatingGraph } from './engine.js';
import { nnRules } from '../nn/_kernels.js';
import { advIndex, advPut } from '../ops/indexing.js';
import type { NnRuleContexts } from '../nn/_kernels.js';

/** The rules of a part of the table: one per name of `C`, each given its context type. */
export type RulePart<C> = { readonly [K in keyof C]: Rule<C[K]> };

/** Context of the reductions' rules: the input's shape and the reduced axes. */
export interface ReduceCtx { shape: readonly number[]; axes: number[]; keepdim: boolean }
/** Context of the p-norm's rule. */
export interface NormCtx extends ReduceCtx { p: number }

/**
 * Context of mul/div/pow when the second operand was a JavaScript scalar: the scalar, converted to the op's dtype,
 * so the backward needs no tensor for it (nothing is uploaded to the device); null when it was a tensor.
 */
export type ScalarOperandCtx = { scalar: number } | null;

/** The context each core rule gets from its forward (null: none). */
export interface CoreRuleContexts {
  add: { alpha: number }; sub: { alpha: number };
  mul: ScalarOperandCtx; div: ScalarOperandCtx; pow: ScalarOperandCtx; maximum: null; minimum: null; atan2: null; where: null;
  clamp: { min: number | null; max: number | null };
  neg: null; abs: null; exp: null; expm1: null; log: null; log1p: null; sqrt: null; sqrtMasked: null; rsqrt: null;
  square: null; reciprocal: null; sin: null; cos: null; tan: null; asin: null; acos: null; atan: null; sinh: null;
  cosh: null; tanh: null; asinh: null; acosh: null; atanh: null; relu: null; sigmoid: null; gelu: null;
  geluTanh: null; erf: null; silu: null;
  softplus: { beta: number; threshold: number };
  leakyRelu: { slope: number };
  elu: { alpha: number };
  zeroGrad: null;
  sum: ReduceCtx; prod: ReduceCtx; amax: ReduceCtx; amin: ReduceCtx; norm: NormCtx;
  cumsum: { dim: number };
  matmul: null; linear: null;
  view: { shape: readonly number[] };
  permute: { inverse: number[] };
  expand: null;
  /** `apply` takes the same slice/select of a tensor of the input's shape */
  viewSlice: { shape: readonly number[]; apply: (z: Tensor) => Tensor };
  copySlices: { geo: ViewGeom };
  viewOfBase: { geo: ViewGeom };
  clone: null; cast: null;
  toCopy: { device: Device };
  cat: { dim: number; sizes: number[] };
  gather: { dim: number; shape: readonly number[] };
  scatter: { dim: number }; scatterAdd: { dim: number };
  im2col: { geom: ConvGeometry }; col2im: { geom: ConvGeometry };
  /** Python indexing with index tensors (saved: the index tensors, one per indexed dim of the input) */
  index: { dims: number[]; idxShape: number[]; shape: readonly number[] };
  indexPut: { dims: number[]; idxShape: number[]; accumulate: boolean };
}

/** Every rule's context type, by rule name. */
export interface RuleContexts extends CoreRuleContexts, NnRuleContexts {}
/** The name of a backward rule (what `record` accepts). */
export type RuleName = keyof RuleContexts;
/** The full table: a rule for every name, typed with its context. */
export type RuleTable = RulePart<RuleContexts>;
/**
 * Ops that record a node but have no derivative here yet: a backward through them fails with
 * `internal: no backward rule for <name>`.
 */
export type NoRule = 'floorDivide' | 'remainder' | 'fmod';

const sq = (t: Tensor) => t.mul(t);

const coreRules: RulePart<CoreRuleContexts> = {
  // ---- elementwise, binary
  add: (g, _s, ctx) => [g, ctx.alpha === 1 ? g : g.mul(ctx.alpha)],
  sub: (g, _s, ctx) => [g, g.mul(-ctx.alpha)],
  mul: (g, [a, b], c, needs) => [needs[0] ? g.mul(c !== null ? c.scalar : b!) : null, needs[1] ? g.mul(a!) : null],
  div: (g, [a, b], c, needs) => [needs[0] ? g.div(c !== null ? c.scalar : b!) : null, needs[1] ? g.neg().mul(a!).div(b!.mul(b!)) : null],
  pow: (g, [a, b, out], c, needs) => c !== null ? [
    // scalar exponent e: e * a^(e-1), 0 where e == 0 (the exponent minus one rounded in a's dtype, as a tensor would be)
    c.scalar === 0 ? o.zerosLike(g) : g.mul(c.scalar).mul(a!.pow(a!.dtype === 'float32' ? Math.fround(c.scalar - 1) : c.scalar - 1)),
  ] : [
    // d/da a^b = b * a^(b-1) (0 where b == 0, as PyTorch); d/db a^b = a^b * log(a) (0 where a == 0 and b >= 0)
    needs[0] ? o.where(b!.eq(0), 0, g.mul(b!).mul(a!.pow(b!.sub(1)))) : null,
    needs[1] ? o.where(a!.eq(0).logicalAnd(b!.ge(0)), 0, g.mul(out!).mul(a!.log())) : null,
  ],
  maximum: (g, [a, b], _c, needs) => minmaxGrad(g, a!, b!, needs, 'gt'),
  minimum: (g, [a, b], _c, needs) => minmaxGrad(g, a!, b!, needs, 'lt'),
  atan2: (g, [a, b], _c, needs) => {
    const den = sq(a!).add(sq(b!));
    return [needs[0] ? g.mul(b!).div(den) : null, needs[1] ? g.mul(a!).neg().div(den) : null];
  },
  where: (g, [c]) => [null, o.where(c!, g, 0), o.where(c!, 0, g)],
  clamp: (g, [x], ctx) => {
    let m = o.onesLike(x!, { dtype: 'bool' });
    if (ctx.min !== null) m = m.logicalAnd(x!.ge(ctx.min));
    if (ctx.max !== null) m = m.logicalAnd(x!.le(ctx.max));
    return [o.where(m, g, 0)];
  },

  // ---- elementwise, unary (saved: [x] or [out])
  neg: (g) => [g.neg()],
  abs: (g, [x]) => [g.mul(x!.sign())],
  exp: (g, [out]) => [g.mul(out!)],
  expm1: (g, [out]) => [g.mul(out!.add(1))],
  log: (g, [x]) => [g.div(x!)],
  log1p: (g, [x]) => [g.div(x!.add(1))],
  sqrt: (g, [out]) => [g.div(out!.mul(2))],
  // std's sqrt: the gradient is 0 where the result is 0 (PyTorch's std_backward)
  sqrtMasked: (g, [out]) => [o.where(out!.eq(0), 0, g.div(out!.mul(2)))],
  rsqrt: (g, [out]) => [g.mul(out!.pow(3)).mul(-0.5)],
  square: (g, [x]) => [g.mul(x!).mul(2)],
  reciprocal: (g, [out]) => [g.neg().mul(out!).mul(out!)],
  sin: (g, [x]) => [g.mul(x!.cos())],
  cos: (g, [x]) => [g.mul(x!.sin()).neg()],
  tan: (g, [out]) => [g.mul(sq(out!).add(1))],
  asin: (g, [x]) => [g.mul(sq(x!).neg().add(1).rsqrt())],
  acos: (g, [x]) => [g.mul(sq(x!).neg().add(1).rsqrt()).neg()],
  atan: (g, [x]) => [g.div(sq(x!).add(1))],
  sinh: (g, [x]) => [g.mul(x!.cosh())],
  cosh: (g, [x]) => [g.mul(x!.sinh())],
  // The fused kernels (tanhBackward, geluGrad, ...) record nothing: a backward with createGraph (the only one that runs
  // rules with grad mode on) takes the same formula in recorded ops, so it can be differentiated again.
  tanh: (g, [out]) => [isCreatingGraph() ? g.mul(sq(out!).neg().add(1)) : o.binaryRaw('tanhBackward', g, out!)],
  asinh: (g, [x]) => [g.mul(sq(x!).add(1).rsqrt())],
  acosh: (g, [x]) => [g.mul(sq(x!).sub(1).rsqrt())],
  atanh: (g, [x]) => [g.div(sq(x!).neg().add(1))],
  relu: (g, [out]) => [isCreatingGraph() ? o.where(out!.gt(0), g, 0) : o.binaryRaw('reluBackward', g, out!)],
  sigmoid: (g, [out]) => [isCreatingGraph() ? g.mul(out!.mul(out!.neg().add(1))) : o.binaryRaw('sigmoidBackward', g, out!)],
  gelu: (g, [x]) => [g.mul(isCreatingGraph() ? geluGrad(x!) : o.unaryRaw('geluGrad', x!))],
  geluTanh: (g, [x]) => [g.mul(isCreatingGraph() ? geluTanhGrad(x!) : o.unaryRaw('geluTanhGrad', x!))],
  erf: (g, [x]) => [g.mul(isCreatingGraph() ? sq(x!).neg().exp().mul(2 / Math.sqrt(Math.PI)) : o.unaryRaw('erfGrad', x!))],
  silu: (g, [x]) => {
    if (!isCreatingGraph()) return [g.mul(o.unaryRaw('siluGrad', x!))];
    const sg = x!.sigmoid(); // s·(1 + x·(1 − s))
    return [g.mul(sg.mul(x!.mul(sg.neg().add(1)).add(1)))];
  },
  softplus: (g, [x], ctx) => {
    // sigmoid(beta x), except past the threshold where softplus is the identity
    const z = x!.mul(ctx.beta);
    return [o.where(z.gt(ctx.threshold), g, g.mul(z.sigmoid()))];
  },
  leakyRelu: (g, [x], ctx) => [o.where(x!.gt(0), g, g.mul(ctx.slope))],
  elu: (g, [x, out], ctx) => [o.where(x!.gt(0), g, g.mul(out!.add(ctx.alpha)))],
  zeroGrad: (g) => [o.zerosLike(g)],

  // ---- reductions
  sum: (g, _s, ctx) => [o.expandReduced(g, ctx.shape, ctx.axes, ctx.keepdim)],
  prod: (g, [x, out], ctx) => {
    const gE = o.expandReduced(g, ctx.shape, ctx.axes, ctx.keepdim);
    const outE = o.expandReduced(out!, ctx.shape, ctx.axes, ctx.keepdim);
    const isZero = x!.eq(0);
    const zeros = isZero.sum(ctx.axes, true);
    // prod's signature takes one dim, as PyTorch's; its implementation reduces a list of axes too
    const nonzeroProd = o.where(isZero, 1, x!).prod(ctx.axes as unknown as number, true);
    // no zero in the group: prod / x; exactly one zero: product of the others at the zero, 0 elsewhere
    const gradNoZero = outE.div(x!);
    const gradOneZero = o.where(isZero, nonzeroProd, 0);
    return [gE.mul(o.where(zeros.eq(0), gradNoZero, o.where(zeros.eq(1), gradOneZero, 0)))];
  },
  amax: (g, [x, out], ctx) => evenly(g, x!, out!, ctx),
  amin: (g, [x, out], ctx) => evenly(g, x!, out!, ctx),
  cumsum: (g, _s, ctx) => [g.flip([ctx.dim]).cumsum(ctx.dim).flip([ctx.dim])],
  norm: (g, [x, out], ctx) => [o.normBackward(g, x!, out!, ctx)],

  // ---- linear algebra
  // Each gradient is produced in the memory order of its input: for a transposed input (x @ w.t()) the
  // product is computed transposed, so the leaf gets a contiguous gradient without a strided copy.
  matmul: (g, [a, b], _c, needs) => [
    needs[0] ? (isTransposed(a!) ? b!.matmul(g.transpose(-1, -2)).transpose(-1, -2) : g.matmul(b!.transpose(-1, -2))) : null,
    needs[1] ? (isTransposed(b!) ? g.transpose(-1, -2).matmul(a!).transpose(-1, -2) : a!.transpose(-1, -2).matmul(g)) : null,
  ],

  linear: (g, [w, x], _c, needs) => {
    // out = x @ w.T + b: dx = g @ w, dw = g2.T @ x2 (batch dims flattened), db = g (summed by the engine)
    const inF = (w ?? x)!.shape[(w ?? x)!.dim() - 1]!;
    const g2 = g.reshape([-1, g.shape[g.dim() - 1]!]);
    return [
      needs[0] ? g.matmul(w!) : null,
      needs[1] ? g2.t().matmul(x!.reshape([-1, inF])) : null,
      needs[2] ? g : null,
    ];
  },

  // ---- views and copies
  view: (g, _s, ctx) => [g.reshape(ctx.shape)],
  permute: (g, _s, ctx) => [g.permute(ctx.inverse)],
  expand: (g) => [g], // the engine sums the broadcast dimensions away
  viewSlice: (g, _s, ctx) => {
    // zeros of the input's shape with g written into the same view of it
    const z = o.zeros(ctx.shape, { dtype: g.dtype, device: g.device });
    ctx.apply(z).copy_(g);
    return [z];
  },
  // in-place write into a view (PyTorch's CopySlices): the written region's gradient goes to the written value,
  // the rest to the base's previous history
  copySlices: (g, _s, ctx, needs) => {
    const full = o.zerosInLayout(ctx.geo, g);
    full.copy_(g);
    const region = o.applyView(ctx.geo, full);
    const gr = needs[1] ? region.clone() : null;
    if (needs[0]) region.fill_(0);
    return [needs[0] ? full : null, gr];
  },
  // a view whose history was regenerated from its base (see refreshView)
  viewOfBase: (g, _s, ctx) => [o.viewOfBaseBackward(g, ctx.geo)],
  clone: (g) => [g],
  cast: (g) => [g], // the engine casts to the input's dtype
  toCopy: (g, _s, ctx) => [g.to(ctx.device)], // a move between devices: the gradient goes back to the source
  cat: (g, _s, ctx) => {
    const out: Tensor[] = [];
    let start = 0;
    for (const len of ctx.sizes as number[]) { out.push(g.narrow(ctx.dim, start, len)); start += len; }
    return out;
  },

  // ---- indexing
  gather: (g, [idx], ctx) => [o.zeros(ctx.shape, { dtype: g.dtype, device: g.device }).scatterAdd_(ctx.dim, idx!, g), null],
  scatter: (g, [idx], ctx, needs) => [
    needs[0] ? g.scatter(ctx.dim, idx!, 0) : null,
    null,
    needs[2] ? g.gather(ctx.dim, idx!) : null,
  ],
  scatterAdd: (g, [idx], ctx, needs) => [needs[0] ? g : null, null, needs[2] ? g.gather(ctx.dim, idx!) : null],

  // ---- sliding windows (convolution, pooling): im2col and col2im are each other's adjoint
  im2col: (g, _s, ctx) => [o.col2im(g, ctx.geom)],
  col2im: (g, _s, ctx) => [o.im2col(g, ctx.geom, 0)],

  // ---- Python indexing (PyTorch's IndexBackward0 / IndexPutBackward0): the indices are valid by now
  index: (g, idxs, ctx) => [advPut(o.zeros(ctx.shape, { dtype: g.dtype, device: g.device }),
    { dims: ctx.dims, idxs: idxs as Tensor[], shape: ctx.idxShape }, g, true)],
  indexPut: (g, idxs, ctx, needs) => {
    const adv = { dims: ctx.dims, idxs: idxs as Tensor[], shape: ctx.idxShape };
    // the written positions take their gradient from the values (summed to the values' shape by the engine)
    return [needs[0] ? (ctx.accumulate ? g : advPut(g, adv, 0, false)) : null, needs[1] ? advIndex(g, adv) : null];
  },
};

let table: RuleTable | null = null;

/**
 * The table, assembled on first use rather than at load: `nn/_kernels.ts` and this module import each other (through
 * the ops), and a load-time spread of its part would fail when it is the module being loaded (see `ops/registry.ts`).
 */
export function ruleTable(): RuleTable {
  return table ??= { ...coreRules, ...nnRules };
}

/** True when the last two dims are stored column-major (a `.t()` / `.transpose(-1, -2)` view). */
function isTransposed(t: Tensor): boolean {
  const st = t.stride(), sh = t.shape, n = t.dim();
  return n >= 2 && sh[n - 1]! > 1 && sh[n - 2]! > 1 && st[n - 2] === 1 && st[n - 1] === sh[n - 2];
}

function minmaxGrad(g: Tensor, a: Tensor, b: Tensor, needs: boolean[], cmp: 'gt' | 'lt'): (Tensor | null)[] {
  // PyTorch (derivatives.yaml): where(a == b, g / 2, g), zeroed where the input lost; with NaN neither lost.
  const split = o.where(a.eq(b), g.mul(0.5), g);
  const other = cmp === 'gt' ? 'lt' : 'gt';
  return [
    needs[0] ? o.where(a[other](b), 0, split) : null,
    needs[1] ? o.where(a[cmp](b), 0, split) : null,
  ];
}

function evenly(g: Tensor, x: Tensor, out: Tensor, ctx: ReduceCtx): Tensor[] {
  const outE = o.expandReduced(out, ctx.shape, ctx.axes, ctx.keepdim);
  const mask = x.eq(outE).logicalOr(x.isnan().logicalAnd(outE.isnan()));
  const count = mask.sum(ctx.axes, true);
  return [o.where(mask, o.expandReduced(g, ctx.shape, ctx.axes, ctx.keepdim).div(count), 0)];
}

/** d/dx gelu(x) = Φ(x) + x·φ(x), in recorded ops (double backward). */
function geluGrad(x: Tensor): Tensor {
  const cdf = x.mul(Math.SQRT1_2).erf().add(1).mul(0.5);
  const pdf = sq(x).mul(-0.5).exp().mul(1 / Math.sqrt(2 * Math.PI));
  return cdf.add(x.mul(pdf));
}

/** d/dx of the tanh approximation 0.5·x·(1 + tanh(k·(x + 0.044715·x³))), k = √(2/π), in recorded ops. */
function geluTanhGrad(x: Tensor): Tensor {
  const k = Math.sqrt(2 / Math.PI), c = 0.044715;
  const t = x.add(x.pow(3).mul(c)).mul(k).tanh();
  const dInner = sq(x).mul(3 * c).add(1).mul(k);
  return t.add(1).mul(0.5).add(x.mul(0.5).mul(sq(t).neg().add(1)).mul(dInner));
}
