/**
 * Distance functions and the embedding/ranking/likelihood losses of `torch.nn.functional` (issue 12):
 * normalize, cosineSimilarity, pairwiseDistance, tripletMarginLoss, marginRankingLoss, hingeEmbeddingLoss,
 * cosineEmbeddingLoss, multiMarginLoss, poissonNllLoss, gaussianNllLoss. Each is a composite of tensor ops, with
 * PyTorch's formula (ATen's or torch/nn/functional.py's, whichever PyTorch runs), so the gradients are theirs.
 * Re-exported by `functional.ts`. Arguments: PyTorch's positional order or one trailing options object.
 */
import { Tensor } from '../tensor.js';
import { noGrad } from '../autograd/grad_mode.js';
import { where } from '../ops/elementwise.js';
import { arange } from '../ops/creation.js';
import { torchTypeName } from '../ops/common.js';
import { resolveArgs } from './_args.js';
import { broadcastShapes } from '../shape.js';

type Reduction = 'none' | 'mean' | 'sum';

function checkReduction(reduction: string): void {
  if (!['none', 'mean', 'sum'].includes(reduction)) throw new RangeError(`${reduction} is not a valid value for reduction`);
}

/** PyTorch's legacy `size_average`/`reduce` pair, when given, decides the reduction (as `_Reduction.legacy_get_string`). */
function reductionOf(o: { sizeAverage?: boolean | null; reduce?: boolean | null; reduction: string }): string {
  const sa = o.sizeAverage ?? null, r = o.reduce ?? null;
  if (sa === null && r === null) { checkReduction(o.reduction); return o.reduction; }
  const s = sa ?? true, rr = r ?? true;
  return s && rr ? 'mean' : rr ? 'sum' : 'none';
}

function applyReduction(loss: Tensor, reduction: string): Tensor {
  if (reduction === 'mean') return loss.mean();
  if (reduction === 'sum') return loss.sum();
  return loss;
}

function checkTensorArg(fn: string, name: string, pos: number, v: unknown): Tensor {
  if (!(v instanceof Tensor)) throw new TypeError(`${fn}(): argument '${name}' (position ${pos}) must be Tensor, not ${v === null ? 'NoneType' : typeof v}`);
  return v;
}

const LEGACY = { sizeAverage: null as boolean | null, reduce: null as boolean | null, reduction: 'mean' as string };

/**
 * `input / max(‖input‖_p, eps)` along `dim`. Order: (input, p = 2, dim = 1, eps = 1e-12).
 * @example F.normalize(torch.tensor([[3, 4]])) // tensor([[0.6000, 0.8000]])
 */
export function normalize(input: Tensor, p?: number | { p?: number; dim?: number; eps?: number }, dim?: number, eps?: number): Tensor {
  checkTensorArg('normalize', 'input', 1, input);
  const o = resolveArgs('normalize', [p, dim, eps], { p: 2, dim: 1, eps: 1e-12 });
  const denom = input.norm(o.p, o.dim, true).clampMin(o.eps).expandAs(input);
  return input.div(denom);
}

/**
 * Cosine similarity along `dim` (inputs broadcast): ⟨x1 / max(‖x1‖, eps), x2 / max(‖x2‖, eps)⟩, as ATen computes it.
 * Order: (x1, x2, dim = 1, eps = 1e-8).
 * @example F.cosineSimilarity(torch.tensor([[1, 0]]), torch.tensor([[1, 1]])) // tensor([0.7071])
 */
export function cosineSimilarity(x1: Tensor, x2: Tensor, dim?: number | { dim?: number; eps?: number }, eps?: number): Tensor {
  checkTensorArg('cosine_similarity', 'x1', 1, x1); checkTensorArg('cosine_similarity', 'x2', 2, x2);
  const o = resolveArgs('cosine_similarity', [dim, eps], { dim: 1, eps: 1e-8 });
  const shape = broadcastShapes(x1.shape, x2.shape);
  const a = x1.expand(shape), b = x2.expand(shape);
  // ATen's cosine_similarity (PyTorch ≥ 1.12): each input divided by its norm clamped at eps, then the dot
  // product (so |result| ≤ 1). ATen clamps the norm in place, so its backward sees the clamped value: the norm's
  // gradient is x / max(‖x‖, eps) even where the clamp is active. `clampedNorm` reproduces that gradient.
  const clampedNorm = (x: Tensor): Tensor => {
    const sq = x.mul(x).sum(o.dim, true);
    const n = noGrad(() => sq.sqrt().clampMin(o.eps));
    // value n exactly (sq − sq.detach() is 0); d/dx = 2x / (2n) = x / n
    return n.add(sq.sub(sq.detach()).div(n.mul(2)));
  };
  return a.div(clampedNorm(a)).mul(b.div(clampedNorm(b))).sum(o.dim);
}

/**
 * p-norm of `x1 − x2 + eps` over the last dim. Order: (x1, x2, p = 2, eps = 1e-6, keepdim = false).
 * @example F.pairwiseDistance(torch.tensor([[0, 0]]), torch.tensor([[3, 4]])) // tensor([5.0000])
 */
export function pairwiseDistance(x1: Tensor, x2: Tensor, p?: number | { p?: number; eps?: number; keepdim?: boolean }, eps?: number, keepdim?: boolean): Tensor {
  checkTensorArg('pairwise_distance', 'x1', 1, x1); checkTensorArg('pairwise_distance', 'x2', 2, x2);
  const o = resolveArgs('pairwise_distance', [p, eps, keepdim], { p: 2, eps: 1e-6, keepdim: false });
  const last = Math.max(x1.dim(), x2.dim()) - 1;
  return x1.sub(x2).add(o.eps).norm(o.p, last, o.keepdim);
}

/** Options of `tripletMarginLoss`. */
export interface TripletMarginOptions { margin?: number; p?: number; eps?: number; swap?: boolean; sizeAverage?: boolean | null; reduce?: boolean | null; reduction?: Reduction }

/**
 * max(d(a, p) − d(a, n) + margin, 0) with d the pairwise distance (`swap`: d(a, n) replaced by min(d(a, n),
 * d(p, n))). Order: (anchor, positive, negative, margin = 1, p = 2, eps = 1e-6, swap = false, sizeAverage,
 * reduce, reduction = 'mean').
 * @example F.tripletMarginLoss(torch.randn([4, 8]), torch.randn([4, 8]), torch.randn([4, 8]), { margin: 0.5 })
 */
export function tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor, margin?: number | TripletMarginOptions, p?: number,
  eps?: number, swap?: boolean, sizeAverage?: boolean | null, reduce?: boolean | null, reduction?: Reduction): Tensor {
  checkTensorArg('triplet_margin_loss', 'anchor', 1, anchor); checkTensorArg('triplet_margin_loss', 'positive', 2, positive); checkTensorArg('triplet_margin_loss', 'negative', 3, negative);
  const o = resolveArgs('triplet_margin_loss', [margin, p, eps, swap, sizeAverage, reduce, reduction], { margin: 1, p: 2, eps: 1e-6, swap: false, ...LEGACY });
  const red = reductionOf(o);
  if (anchor.dim() !== positive.dim() || positive.dim() !== negative.dim()) {
    throw new RangeError(`All inputs should have same dimension but got ${anchor.dim()}D, ${positive.dim()}D and ${negative.dim()}D inputs.`);
  }
  const dPos = pairwiseDistance(anchor, positive, o.p, o.eps);
  let dNeg = pairwiseDistance(anchor, negative, o.p, o.eps);
  if (o.swap) dNeg = dNeg.minimum(pairwiseDistance(positive, negative, o.p, o.eps));
  return applyReduction(dPos.sub(dNeg).add(o.margin).clampMin(0), red);
}

/**
 * max(0, −y · (x1 − x2) + margin) for targets y ∈ {1, −1}. Order: (input1, input2, target, margin = 0,
 * sizeAverage, reduce, reduction = 'mean').
 * @example F.marginRankingLoss(torch.tensor([1, 2]), torch.tensor([2, 1]), torch.tensor([1, 1])) // tensor(0.5000)
 */
export function marginRankingLoss(input1: Tensor, input2: Tensor, target: Tensor, margin?: number | { margin?: number; sizeAverage?: boolean | null; reduce?: boolean | null; reduction?: Reduction },
  sizeAverage?: boolean | null, reduce?: boolean | null, reduction?: Reduction): Tensor {
  checkTensorArg('margin_ranking_loss', 'input1', 1, input1); checkTensorArg('margin_ranking_loss', 'input2', 2, input2); checkTensorArg('margin_ranking_loss', 'target', 3, target);
  const o = resolveArgs('margin_ranking_loss', [margin, sizeAverage, reduce, reduction], { margin: 0, ...LEGACY });
  const red = reductionOf(o);
  if (input1.dim() !== input2.dim() || input1.dim() !== target.dim()) {
    throw new RangeError(`margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: [${input1.shape.join(', ')}], input2: [${input2.shape.join(', ')}], target: [${target.shape.join(', ')}] `);
  }
  return applyReduction(target.neg().mul(input1.sub(input2)).add(o.margin).clampMin(0), red);
}

/**
 * x where y = 1, max(0, margin − x) where y = −1 (both terms where y is neither, as ATen). Order: (input,
 * target, margin = 1, sizeAverage, reduce, reduction = 'mean').
 * @example F.hingeEmbeddingLoss(torch.tensor([0.3, 2]), torch.tensor([1, -1])) // tensor(0.1500)
 */
export function hingeEmbeddingLoss(input: Tensor, target: Tensor, margin?: number | { margin?: number; sizeAverage?: boolean | null; reduce?: boolean | null; reduction?: Reduction },
  sizeAverage?: boolean | null, reduce?: boolean | null, reduction?: Reduction): Tensor {
  checkTensorArg('hinge_embedding_loss', 'input', 1, input); checkTensorArg('hinge_embedding_loss', 'target', 2, target);
  const o = resolveArgs('hinge_embedding_loss', [margin, sizeAverage, reduce, reduction], { margin: 1, ...LEGACY });
  const red = reductionOf(o);
  const zero = input.mul(0);
  const marginClamp = input.neg().add(o.margin).clampMin(0);
  const outMargin = where(target.ne(1), marginClamp, zero);
  const outSelf = where(target.ne(-1), input, zero);
  return applyReduction(outMargin.add(outSelf), red);
}

/**
 * 1 − cos(x1, x2) where y = 1, max(0, cos(x1, x2) − margin) where y = −1 (cos with 1e-12 added to each squared
 * norm, as ATen). Inputs [N, D] with targets [N], or [D] with a 0-dim target. Order: (input1, input2, target,
 * margin = 0, sizeAverage, reduce, reduction = 'mean').
 * @example F.cosineEmbeddingLoss(torch.tensor([[1, 0]]), torch.tensor([[0, 1]]), torch.tensor([1])) // tensor(1.)
 */
export function cosineEmbeddingLoss(input1: Tensor, input2: Tensor, target: Tensor, margin?: number | { margin?: number; sizeAverage?: boolean | null; reduce?: boolean | null; reduction?: Reduction },
  sizeAverage?: boolean | null, reduce?: boolean | null, reduction?: Reduction): Tensor {
  checkTensorArg('cosine_embedding_loss', 'input1', 1, input1); checkTensorArg('cosine_embedding_loss', 'input2', 2, input2); checkTensorArg('cosine_embedding_loss', 'target', 3, target);
  const o = resolveArgs('cosine_embedding_loss', [margin, sizeAverage, reduce, reduction], { margin: 0, ...LEGACY });
  const red = reductionOf(o);
  const td = target.dim();
  if (td !== 0 && td !== 1) throw new RangeError('0D or 1D target tensor expected, multi-target not supported');
  if (td === 1 && (input1.dim() !== 2 || input2.dim() !== 2)) {
    throw new RangeError(`1D target tensor expects 2D input tensors, but found inputs with sizes [${input1.shape.join(', ')}] and [${input2.shape.join(', ')}].`);
  }
  if (td === 0 && (input1.dim() !== 1 || input2.dim() !== 1)) {
    throw new RangeError(`0D target tensor expects 1D input tensors, but found inputs with sizes [${input1.shape.join(', ')}] and [${input2.shape.join(', ')}].`);
  }
  const EPSILON = 1e-12;
  const prodSum = input1.mul(input2).sum(td);
  const mag1 = input1.mul(input1).sum(td).add(EPSILON);
  const mag2 = input2.mul(input2).sum(td).add(EPSILON);
  const cos = prodSum.div(mag1.mul(mag2).sqrt());
  const zeros = cos.mul(0);
  const pos = cos.neg().add(1);
  const neg = cos.sub(o.margin).clampMin(0);
  return applyReduction(where(target.eq(1), pos, zeros).add(where(target.eq(-1), neg, zeros)), red);
}

/** Options of `multiMarginLoss`. */
export interface MultiMarginOptions { p?: number; margin?: number; weight?: Tensor | null; sizeAverage?: boolean | null; reduce?: boolean | null; reduction?: Reduction }

/**
 * Multi-class hinge loss: Σ_{i≠y} max(0, margin − x[y] + x[i])^p · w[y] / C per sample (p ∈ {1, 2}).
 * Input [N, C] with int64 targets [N], or [C] with a 0-dim target. Order: (input, target, p = 1, margin = 1,
 * weight, sizeAverage, reduce, reduction = 'mean').
 * @example F.multiMarginLoss(torch.tensor([[0.1, 0.8, 0.4]]), torch.tensor([1], { dtype: 'int64' })) // tensor(0.5333)
 */
export function multiMarginLoss(input: Tensor, target: Tensor, p?: number | MultiMarginOptions, margin?: number, weight?: Tensor | null,
  sizeAverage?: boolean | null, reduce?: boolean | null, reduction?: Reduction): Tensor {
  checkTensorArg('multi_margin_loss', 'input', 1, input); checkTensorArg('multi_margin_loss', 'target', 2, target);
  const o = resolveArgs('multi_margin_loss', [p, margin, weight, sizeAverage, reduce, reduction], { p: 1, margin: 1, weight: null as Tensor | null, ...LEGACY });
  const red = reductionOf(o);
  if (o.p !== 1 && o.p !== 2) throw new RangeError('only p == 1 and p == 2 supported');
  if (o.weight !== null && o.weight.dim() > 1) throw new RangeError('weight must be one-dimensional');
  if (input.dim() > 2 || input.dim() < 1) throw new RangeError(`Expected non-empty vector or matrix with optional 0-dim batch size, but got: [${input.shape.join(', ')}]`);
  const x = input.dim() === 1 ? input.unsqueeze(0) : input;
  const N = x.shape[0]!, C = x.shape[1]!;
  if (target.numel() !== N || target.dim() > 1) throw new RangeError(`inconsistent target size, expected ${N} but got [${target.shape.join(', ')}]`);
  if (target.dtype !== 'int64') throw new TypeError(`expected scalar type Long but found ${torchTypeName(target.dtype)}`);
  // target values outside [0, C) fail in gather's index check (PyTorch: "target out of range")
  const t = target.reshape([N, 1]);
  const xy = x.gather(1, t);
  let h = x.sub(xy).add(o.margin).clampMin(0);
  if (o.p === 2) h = h.mul(h);
  if (o.weight !== null) h = h.mul(o.weight.reshape([-1]).gather(0, t.reshape([N])).unsqueeze(1));
  const isTarget = arange(C, { device: input.device }).unsqueeze(0).eq(t);
  let loss = where(isTarget, h.mul(0), h).sum(1).div(C);
  if (input.dim() === 1) loss = loss.reshape(target.shape);
  return applyReduction(loss, red);
}

/** Options of `poissonNllLoss`. */
export interface PoissonNllOptions { logInput?: boolean; full?: boolean; sizeAverage?: boolean | null; eps?: number; reduce?: boolean | null; reduction?: Reduction }

/**
 * Poisson negative log-likelihood: exp(input) − target · input (`logInput`, default) or input − target ·
 * log(input + eps); `full` adds Stirling's term target·log(target) − target + ½·log(2π·target) where target > 1.
 * Order: (input, target, logInput = true, full = false, sizeAverage, eps = 1e-8, reduce, reduction = 'mean').
 * @example F.poissonNllLoss(torch.tensor([0, 1]), torch.tensor([1, 2])) // tensor(0.8591)
 */
export function poissonNllLoss(input: Tensor, target: Tensor, logInput?: boolean | PoissonNllOptions, full?: boolean, sizeAverage?: boolean | null,
  eps?: number, reduce?: boolean | null, reduction?: Reduction): Tensor {
  checkTensorArg('poisson_nll_loss', 'input', 1, input); checkTensorArg('poisson_nll_loss', 'target', 2, target);
  const o = resolveArgs('poisson_nll_loss', [logInput, full, sizeAverage, eps, reduce, reduction], { logInput: true, full: false, sizeAverage: null as boolean | null, eps: 1e-8, reduce: null as boolean | null, reduction: 'mean' as string });
  if ((o.sizeAverage ?? null) === null && (o.reduce ?? null) === null && !['none', 'mean', 'sum'].includes(o.reduction)) throw new RangeError(`${o.reduction} is not a valid value for reduction`);
  const red = reductionOf(o);
  let loss = o.logInput ? input.exp().sub(target.mul(input)) : input.sub(target.mul(input.add(o.eps).log()));
  if (o.full) {
    const stirling = target.mul(target.log()).sub(target).add(target.mul(2 * Math.PI).log().mul(0.5));
    loss = loss.add(stirling.maskedFill(target.le(1), 0));
  }
  return applyReduction(loss, red);
}

/** Options of `gaussianNllLoss`. */
export interface GaussianNllOptions { full?: boolean; eps?: number; reduction?: Reduction }

/**
 * Gaussian negative log-likelihood ½·(log(var) + (input − target)² / var) (+ ½·log(2π) with `full`); `var` has
 * input's shape, or one dim less / a last dim of 1 (one variance per sample). `var` is clamped to `eps` without
 * changing its gradient, as PyTorch. Order: (input, target, var, full = false, eps = 1e-6, reduction = 'mean').
 * @example F.gaussianNllLoss(torch.tensor([1, 2]), torch.tensor([1, 3]), torch.ones([2])) // tensor(0.2500)
 */
export function gaussianNllLoss(input: Tensor, target: Tensor, variance: Tensor, full?: boolean | GaussianNllOptions, eps?: number, reduction?: Reduction): Tensor {
  checkTensorArg('gaussian_nll_loss', 'input', 1, input); checkTensorArg('gaussian_nll_loss', 'target', 2, target); checkTensorArg('gaussian_nll_loss', 'var', 3, variance);
  const o = resolveArgs('gaussian_nll_loss', [full, eps, reduction], { full: false, eps: 1e-6, reduction: 'mean' as string });
  let v = variance;
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((s, i) => s === b[i]);
  if (!same(v.shape, input.shape)) {
    if (same(input.shape.slice(0, -1), v.shape)) v = v.unsqueeze(-1);
    else if (!(same(input.shape.slice(0, -1), v.shape.slice(0, -1)) && v.shape[v.dim() - 1] === 1)) throw new RangeError('var is of incorrect size');
  }
  if (!['none', 'mean', 'sum'].includes(o.reduction)) throw new RangeError(`${o.reduction} is not valid`);
  // clamp for stability on a copy, outside autograd: the gradient goes to var unchanged (PyTorch's `var.clamp_` under no_grad)
  v = v.clone();
  const vc = v;
  noGrad(() => { vc.clamp_(o.eps); });
  const d = input.sub(target);
  let loss = v.log().add(d.mul(d).div(v)).mul(0.5);
  if (o.full) loss = loss.add(0.5 * Math.log(2 * Math.PI));
  return applyReduction(loss, o.reduction);
}
