/** Loss modules. Each stores its options and calls the functional form in `forward(input, target)`. */
import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import * as F from '../functional.js';
import { resolveArgs } from '../_args.js';

type Red = 'none' | 'mean' | 'sum';
/** The shared `{ sizeAverage, reduce, reduction }` options (`sizeAverage`/`reduce` are PyTorch's deprecated forms). */
export interface LossOptions { sizeAverage?: boolean | null; reduce?: boolean | null; reduction?: Red }

function reductionOf(o: { sizeAverage: boolean | null; reduce: boolean | null; reduction: string }): string {
  if (o.sizeAverage !== null || o.reduce !== null) return F.legacyReduction(o.sizeAverage, o.reduce);
  return o.reduction;
}

/** Base of the losses (PyTorch's `_Loss`): holds `reduction`. @example new torch.nn.MSELoss({ reduction: 'sum' }).reduction // 'sum' */
export abstract class Loss extends Module {
  reduction: string;
  constructor(reduction: string) { super(); this.reduction = reduction; }
  abstract override forward(input: Tensor, target: Tensor): Tensor;
}

const LEGACY = { sizeAverage: null as boolean | null, reduce: null as boolean | null, reduction: 'mean' as string };

/**
 * Mean absolute error. Arguments: (sizeAverage, reduce, reduction = 'mean').
 * @example new torch.nn.L1Loss().call(torch.tensor([1, 2]), torch.tensor([1, 4])) // tensor(1.)
 */
export class L1Loss extends Loss {
  constructor(sizeAverage?: boolean | null | LossOptions, reduce?: boolean | null, reduction?: Red) {
    super(reductionOf(resolveArgs('L1Loss', [sizeAverage, reduce, reduction], LEGACY)));
  }
  override forward(input: Tensor, target: Tensor): Tensor { return F.l1Loss(input, target, { reduction: this.reduction as Red }); }
}

/**
 * Mean squared error. Arguments: (sizeAverage, reduce, reduction = 'mean').
 * @example new torch.nn.MSELoss({ reduction: 'sum' }).call(torch.tensor([1, 2]), torch.tensor([1, 4])) // tensor(4.)
 */
export class MSELoss extends Loss {
  constructor(sizeAverage?: boolean | null | LossOptions, reduce?: boolean | null, reduction?: Red) {
    super(reductionOf(resolveArgs('MSELoss', [sizeAverage, reduce, reduction], LEGACY)));
  }
  override forward(input: Tensor, target: Tensor): Tensor { return F.mseLoss(input, target, { reduction: this.reduction as Red }); }
}

/** Options of `NLLLoss`. */
export interface NLLLossOptions extends LossOptions { weight?: Tensor | null; ignoreIndex?: number }

/**
 * Negative log-likelihood of class indices under log-probabilities. Arguments: (weight, sizeAverage,
 * ignoreIndex = -100, reduce, reduction = 'mean'). `weight` is a buffer, as in PyTorch.
 * @example new torch.nn.NLLLoss().call(torch.randn([3, 5]).logSoftmax(1), torch.tensor([1, 0, 4], { dtype: 'int64' }))
 */
export class NLLLoss extends Loss {
  declare weight: Tensor | null;
  ignoreIndex: number;
  constructor(weight?: Tensor | null | NLLLossOptions, sizeAverage?: boolean | null, ignoreIndex?: number, reduce?: boolean | null, reduction?: Red) {
    const o = resolveArgs('NLLLoss', [weight, sizeAverage, ignoreIndex, reduce, reduction], { weight: null as Tensor | null, ...LEGACY, ignoreIndex: -100 });
    super(reductionOf(o));
    this.registerBuffer('weight', o.weight);
    this.ignoreIndex = o.ignoreIndex;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction as Red });
  }
}

/** Options of `CrossEntropyLoss`. */
export interface CrossEntropyLossOptions extends NLLLossOptions { labelSmoothing?: number }

/**
 * Cross entropy of logits with class-index targets (int64) or class-probability targets (float, input's shape),
 * with `weight`, `ignoreIndex` (-100), `reduction`, `labelSmoothing`. Arguments: (weight, sizeAverage,
 * ignoreIndex, reduce, reduction, labelSmoothing) or an options object.
 * @example
 * const loss = new torch.nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
 * loss.call(torch.randn([3, 5]), torch.tensor([1, 0, 4], { dtype: 'int64' }));
 */
export class CrossEntropyLoss extends Loss {
  declare weight: Tensor | null;
  ignoreIndex: number;
  labelSmoothing: number;
  constructor(weight?: Tensor | null | CrossEntropyLossOptions, sizeAverage?: boolean | null, ignoreIndex?: number, reduce?: boolean | null, reduction?: Red, labelSmoothing?: number) {
    const o = resolveArgs('CrossEntropyLoss', [weight, sizeAverage, ignoreIndex, reduce, reduction, labelSmoothing],
      { weight: null as Tensor | null, sizeAverage: null as boolean | null, ignoreIndex: -100, reduce: null as boolean | null, reduction: 'mean' as string, labelSmoothing: 0 });
    super(reductionOf(o));
    this.registerBuffer('weight', o.weight);
    this.ignoreIndex = o.ignoreIndex;
    this.labelSmoothing = o.labelSmoothing;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction as Red, labelSmoothing: this.labelSmoothing });
  }
}

/**
 * Binary cross entropy on probabilities. Arguments: (weight, sizeAverage, reduce, reduction).
 * @example new torch.nn.BCELoss().call(torch.tensor([0.9, 0.2]), torch.tensor([1, 0]))
 */
export class BCELoss extends Loss {
  declare weight: Tensor | null;
  constructor(weight?: Tensor | null | (LossOptions & { weight?: Tensor | null }), sizeAverage?: boolean | null, reduce?: boolean | null, reduction?: Red) {
    const o = resolveArgs('BCELoss', [weight, sizeAverage, reduce, reduction], { weight: null as Tensor | null, ...LEGACY });
    super(reductionOf(o));
    this.registerBuffer('weight', o.weight);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction as Red });
  }
}

/**
 * Binary cross entropy on logits (stable), with `weight` and `posWeight` (buffers). Arguments: (weight,
 * sizeAverage, reduce, reduction, posWeight).
 * @example new torch.nn.BCEWithLogitsLoss({ posWeight: torch.tensor([3]) }).call(torch.tensor([0.5]), torch.tensor([1]))
 */
export class BCEWithLogitsLoss extends Loss {
  declare weight: Tensor | null;
  declare pos_weight: Tensor | null;
  constructor(weight?: Tensor | null | (LossOptions & { weight?: Tensor | null; posWeight?: Tensor | null }), sizeAverage?: boolean | null,
    reduce?: boolean | null, reduction?: Red, posWeight?: Tensor | null) {
    const o = resolveArgs('BCEWithLogitsLoss', [weight, sizeAverage, reduce, reduction, posWeight], { weight: null as Tensor | null, ...LEGACY, posWeight: null as Tensor | null });
    super(reductionOf(o));
    this.registerBuffer('weight', o.weight);
    this.registerBuffer('pos_weight', o.posWeight);
  }
  /** `pos_weight` (camelCase alias). */
  get posWeight(): Tensor | null { return this.pos_weight; }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, reduction: this.reduction as Red, posWeight: this.pos_weight });
  }
}

/**
 * KL divergence (input: log-probabilities). Arguments: (sizeAverage, reduce, reduction = 'mean' | 'batchmean' |
 * 'sum' | 'none', logTarget = false).
 * @example new torch.nn.KLDivLoss({ reduction: 'batchmean' }).call(torch.tensor([[-1, -2]]), torch.tensor([[0.5, 0.5]]))
 */
export class KLDivLoss extends Loss {
  logTarget: boolean;
  constructor(sizeAverage?: boolean | null | { sizeAverage?: boolean | null; reduce?: boolean | null; reduction?: Red | 'batchmean'; logTarget?: boolean },
    reduce?: boolean | null, reduction?: Red | 'batchmean', logTarget?: boolean) {
    const o = resolveArgs('KLDivLoss', [sizeAverage, reduce, reduction, logTarget], { ...LEGACY, logTarget: false });
    super(reductionOf(o));
    this.logTarget = o.logTarget;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.klDiv(input, target, { reduction: this.reduction as Red | 'batchmean', logTarget: this.logTarget });
  }
}

/**
 * Smooth L1 loss with threshold `beta`. Arguments: (sizeAverage, reduce, reduction, beta = 1).
 * @example new torch.nn.SmoothL1Loss({ beta: 0.5 }).call(torch.tensor([0, 3]), torch.tensor([0.2, 0]))
 */
export class SmoothL1Loss extends Loss {
  beta: number;
  constructor(sizeAverage?: boolean | null | (LossOptions & { beta?: number }), reduce?: boolean | null, reduction?: Red, beta?: number) {
    const o = resolveArgs('SmoothL1Loss', [sizeAverage, reduce, reduction, beta], { ...LEGACY, beta: 1 });
    super(reductionOf(o));
    this.beta = o.beta;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, { reduction: this.reduction as Red, beta: this.beta });
  }
}

/**
 * Huber loss with threshold `delta`. Arguments: (reduction = 'mean', delta = 1).
 * @example new torch.nn.HuberLoss({ delta: 2 }).call(torch.tensor([0, 3]), torch.tensor([0.2, 0]))
 */
export class HuberLoss extends Loss {
  delta: number;
  constructor(reduction?: Red | { reduction?: Red; delta?: number }, delta?: number) {
    const o = resolveArgs('HuberLoss', [reduction, delta], { reduction: 'mean' as string, delta: 1 });
    super(o.reduction);
    this.delta = o.delta;
  }
  override forward(input: Tensor, target: Tensor): Tensor { return F.huberLoss(input, target, this.reduction as Red, this.delta); }
}
