/**
 * Module forms of the distance functions and the embedding/ranking/likelihood losses (issue 12). Each stores
 * its options and calls the functional form of `nn/functional_distance.ts` in `forward`. Constructor arguments:
 * PyTorch's positional order or one trailing options object (camelCase keys).
 */
import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import * as F from '../functional_distance.js';
import { legacyReduction } from '../functional.js';
import { resolveArgs } from '../_args.js';
import { Loss } from './loss.js';

type Red = 'none' | 'mean' | 'sum';
const LEGACY = { sizeAverage: null as boolean | null, reduce: null as boolean | null, reduction: 'mean' as string };

function reductionOf(o: { sizeAverage: boolean | null; reduce: boolean | null; reduction: string }): Red {
  if (o.sizeAverage !== null || o.reduce !== null) return legacyReduction(o.sizeAverage, o.reduce) as Red;
  if (!['none', 'mean', 'sum'].includes(o.reduction)) throw new RangeError(`${o.reduction} is not a valid value for reduction`);
  return o.reduction as Red;
}

/**
 * Cosine similarity along `dim`. Arguments: (dim = 1, eps = 1e-8).
 * @example new torch.nn.CosineSimilarity().call(torch.tensor([[1, 0]]), torch.tensor([[1, 1]])) // tensor([0.7071])
 */
export class CosineSimilarity extends Module {
  dim: number; eps: number;
  constructor(dim?: number | { dim?: number; eps?: number }, eps?: number) {
    super();
    const o = resolveArgs('CosineSimilarity', [dim, eps], { dim: 1, eps: 1e-8 });
    this.dim = o.dim; this.eps = o.eps;
  }
  override forward(x1: Tensor, x2: Tensor): Tensor { return F.cosineSimilarity(x1, x2, this.dim, this.eps); }
}

/**
 * p-norm distance between rows (`F.pairwiseDistance`). Arguments: (p = 2, eps = 1e-6, keepdim = false).
 * @example new torch.nn.PairwiseDistance().call(torch.tensor([[0, 0]]), torch.tensor([[3, 4]])) // tensor([5.0000])
 */
export class PairwiseDistance extends Module {
  norm: number; eps: number; keepdim: boolean;
  constructor(p?: number | { p?: number; eps?: number; keepdim?: boolean }, eps?: number, keepdim?: boolean) {
    super();
    const o = resolveArgs('PairwiseDistance', [p, eps, keepdim], { p: 2, eps: 1e-6, keepdim: false });
    this.norm = o.p; this.eps = o.eps; this.keepdim = o.keepdim;
  }
  override forward(x1: Tensor, x2: Tensor): Tensor { return F.pairwiseDistance(x1, x2, this.norm, this.eps, this.keepdim); }
}

/**
 * Triplet margin loss of (anchor, positive, negative). Arguments: (margin = 1, p = 2, eps = 1e-6, swap = false,
 * sizeAverage, reduce, reduction = 'mean').
 * @example new torch.nn.TripletMarginLoss({ margin: 0.5 }).call(torch.randn([4, 8]), torch.randn([4, 8]), torch.randn([4, 8]))
 */
export class TripletMarginLoss extends Module {
  margin: number; p: number; eps: number; swap: boolean; reduction: Red;
  constructor(margin?: number | F.TripletMarginOptions, p?: number, eps?: number, swap?: boolean, sizeAverage?: boolean | null, reduce?: boolean | null, reduction?: Red) {
    super();
    const o = resolveArgs('TripletMarginLoss', [margin, p, eps, swap, sizeAverage, reduce, reduction], { margin: 1, p: 2, eps: 1e-6, swap: false, ...LEGACY });
    this.margin = o.margin; this.p = o.p; this.eps = o.eps; this.swap = o.swap; this.reduction = reductionOf(o);
  }
  override forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return F.tripletMarginLoss(anchor, positive, negative, { margin: this.margin, p: this.p, eps: this.eps, swap: this.swap, reduction: this.reduction });
  }
}

/**
 * Ranking loss max(0, −y·(x1 − x2) + margin). Arguments: (margin = 0, sizeAverage, reduce, reduction = 'mean').
 * @example new torch.nn.MarginRankingLoss().call(torch.tensor([1, 2]), torch.tensor([2, 1]), torch.tensor([1, 1])) // tensor(0.5000)
 */
export class MarginRankingLoss extends Module {
  margin: number; reduction: Red;
  constructor(margin?: number | { margin?: number; sizeAverage?: boolean | null; reduce?: boolean | null; reduction?: Red }, sizeAverage?: boolean | null, reduce?: boolean | null, reduction?: Red) {
    super();
    const o = resolveArgs('MarginRankingLoss', [margin, sizeAverage, reduce, reduction], { margin: 0, ...LEGACY });
    this.margin = o.margin; this.reduction = reductionOf(o);
  }
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return F.marginRankingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

/**
 * Hinge embedding loss. Arguments: (margin = 1, sizeAverage, reduce, reduction = 'mean').
 * @example new torch.nn.HingeEmbeddingLoss().call(torch.tensor([0.3, 2]), torch.tensor([1, -1])) // tensor(0.1500)
 */
export class HingeEmbeddingLoss extends Loss {
  margin: number;
  constructor(margin?: number | { margin?: number; sizeAverage?: boolean | null; reduce?: boolean | null; reduction?: Red }, sizeAverage?: boolean | null, reduce?: boolean | null, reduction?: Red) {
    const o = resolveArgs('HingeEmbeddingLoss', [margin, sizeAverage, reduce, reduction], { margin: 1, ...LEGACY });
    super(reductionOf(o));
    this.margin = o.margin;
  }
  override forward(input: Tensor, target: Tensor): Tensor { return F.hingeEmbeddingLoss(input, target, { margin: this.margin, reduction: this.reduction as Red }); }
}

/**
 * Cosine embedding loss of (input1, input2, target). Arguments: (margin = 0, sizeAverage, reduce, reduction = 'mean').
 * @example new torch.nn.CosineEmbeddingLoss().call(torch.tensor([[1, 0]]), torch.tensor([[0, 1]]), torch.tensor([1])) // tensor(1.)
 */
export class CosineEmbeddingLoss extends Module {
  margin: number; reduction: Red;
  constructor(margin?: number | { margin?: number; sizeAverage?: boolean | null; reduce?: boolean | null; reduction?: Red }, sizeAverage?: boolean | null, reduce?: boolean | null, reduction?: Red) {
    super();
    const o = resolveArgs('CosineEmbeddingLoss', [margin, sizeAverage, reduce, reduction], { margin: 0, ...LEGACY });
    this.margin = o.margin; this.reduction = reductionOf(o);
  }
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return F.cosineEmbeddingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

/**
 * Multi-class hinge loss. Arguments: (p = 1, margin = 1, weight, sizeAverage, reduce, reduction = 'mean');
 * `weight` is a buffer, as in PyTorch.
 * @example new torch.nn.MultiMarginLoss().call(torch.tensor([[0.1, 0.8, 0.4]]), torch.tensor([1], { dtype: 'int64' })) // tensor(0.5333)
 */
export class MultiMarginLoss extends Loss {
  p: number; margin: number;
  declare weight: Tensor | null;
  constructor(p?: number | F.MultiMarginOptions, margin?: number, weight?: Tensor | null, sizeAverage?: boolean | null, reduce?: boolean | null, reduction?: Red) {
    const o = resolveArgs('MultiMarginLoss', [p, margin, weight, sizeAverage, reduce, reduction], { p: 1, margin: 1, weight: null as Tensor | null, ...LEGACY });
    super(reductionOf(o));
    if (o.p !== 1 && o.p !== 2) throw new RangeError('only p == 1 and p == 2 supported');
    if (o.weight !== null && o.weight.dim() !== 1) throw new RangeError('MultiMarginLoss: expected weight to be None or 1D tensor');
    this.p = o.p; this.margin = o.margin;
    this.registerBuffer('weight', o.weight);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.multiMarginLoss(input, target, { p: this.p, margin: this.margin, weight: this.weight, reduction: this.reduction as Red });
  }
}

/**
 * Poisson negative log-likelihood. Arguments: (logInput = true, full = false, sizeAverage, eps = 1e-8, reduce,
 * reduction = 'mean').
 * @example new torch.nn.PoissonNLLLoss().call(torch.tensor([0, 1]), torch.tensor([1, 2])) // tensor(0.8591)
 */
export class PoissonNLLLoss extends Loss {
  logInput: boolean; full: boolean; eps: number;
  constructor(logInput?: boolean | F.PoissonNllOptions, full?: boolean, sizeAverage?: boolean | null, eps?: number, reduce?: boolean | null, reduction?: Red) {
    const o = resolveArgs('PoissonNLLLoss', [logInput, full, sizeAverage, eps, reduce, reduction], { logInput: true, full: false, sizeAverage: null as boolean | null, eps: 1e-8, reduce: null as boolean | null, reduction: 'mean' as string });
    super(reductionOf(o));
    this.logInput = o.logInput; this.full = o.full; this.eps = o.eps;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.poissonNllLoss(input, target, { logInput: this.logInput, full: this.full, eps: this.eps, reduction: this.reduction as Red });
  }
}

/**
 * Gaussian negative log-likelihood of (input, target, var). Options (keyword-only in PyTorch): `{ full = false,
 * eps = 1e-6, reduction = 'mean' }`.
 * @example new torch.nn.GaussianNLLLoss().call(torch.tensor([1, 2]), torch.tensor([1, 3]), torch.ones([2])) // tensor(0.2500)
 */
export class GaussianNLLLoss extends Module {
  full: boolean; eps: number; reduction: Red;
  constructor(opts: F.GaussianNllOptions = {}) {
    super();
    const o = resolveArgs('GaussianNLLLoss', [opts], { full: false, eps: 1e-6, reduction: 'mean' as string });
    if (!['none', 'mean', 'sum'].includes(o.reduction)) throw new RangeError(`${o.reduction} is not a valid value for reduction`);
    this.full = o.full; this.eps = o.eps; this.reduction = o.reduction as Red;
  }
  override forward(input: Tensor, target: Tensor, variance: Tensor): Tensor {
    return F.gaussianNllLoss(input, target, variance, { full: this.full, eps: this.eps, reduction: this.reduction });
  }
}
