/** Activation layers and `MultiheadAttention`. */
import type { Tensor } from '../../tensor.js';
import { empty } from '../../ops.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { NonDynamicallyQuantizableLinear } from './linear.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { isOptions, pyFloat, pyNum, resolveArgs } from '../_args.js';
import type { FactoryOptions } from '../_args.js';
import { checkOptions } from '../../_options.js';

const inplaceArg = (v: boolean | { inplace?: boolean } | undefined): boolean => {
  if (isOptions(v)) checkOptions('__init__', v, ['inplace']);
  return isOptions(v) ? v.inplace ?? false : v ?? false;
};

/**
 * max(0, x). @example new torch.nn.ReLU().call(torch.tensor([-1, 2])).tolist() // [0, 2]
 */
export class ReLU extends Module {
  inplace: boolean;
  constructor(inplace?: boolean | { inplace?: boolean }) { super(); this.inplace = inplaceArg(inplace); }
  override forward(input: Tensor): Tensor { return F.relu(input, this.inplace); }
  override extraRepr(): string { return this.inplace ? 'inplace=True' : ''; }
}

/**
 * x for x > 0, else negativeSlope·x (default 0.01). @example new torch.nn.LeakyReLU(0.1).call(torch.tensor([-1])) // tensor([-0.1000])
 */
export class LeakyReLU extends Module {
  negativeSlope: number;
  inplace: boolean;
  constructor(negativeSlope?: number | { negativeSlope?: number; inplace?: boolean }, inplace?: boolean) {
    super();
    const o = resolveArgs('LeakyReLU', [negativeSlope, inplace], { negativeSlope: 0.01, inplace: false });
    this.negativeSlope = o.negativeSlope; this.inplace = o.inplace;
  }
  override forward(input: Tensor): Tensor { return F.leakyRelu(input, this.negativeSlope, this.inplace); }
  override extraRepr(): string { return `negative_slope=${pyNum(this.negativeSlope)}${this.inplace ? ', inplace=True' : ''}`; }
}

/**
 * x for x > 0, else α(eˣ − 1). @example new torch.nn.ELU().call(torch.tensor([-1]))
 */
export class ELU extends Module {
  alpha: number;
  inplace: boolean;
  constructor(alpha?: number | { alpha?: number; inplace?: boolean }, inplace?: boolean) {
    super();
    const o = resolveArgs('ELU', [alpha, inplace], { alpha: 1, inplace: false });
    this.alpha = o.alpha; this.inplace = o.inplace;
  }
  override forward(input: Tensor): Tensor { return F.elu(input, this.alpha, this.inplace); }
  override extraRepr(): string { return `alpha=${pyFloat(this.alpha)}${this.inplace ? ', inplace=True' : ''}`; }
}

/**
 * GELU, exact (`'none'`) or tanh-approximated. @example new torch.nn.GELU('tanh').call(torch.ones([1]))
 */
export class GELU extends Module {
  approximate: 'none' | 'tanh';
  constructor(approximate?: 'none' | 'tanh' | { approximate?: 'none' | 'tanh' }) {
    super();
    const o = resolveArgs('GELU', [approximate], { approximate: 'none' as 'none' | 'tanh' });
    this.approximate = o.approximate;
  }
  override forward(input: Tensor): Tensor { return F.gelu(input, this.approximate); }
  override extraRepr(): string { return `approximate='${this.approximate}'`; }
}

/** x·sigmoid(x). @example new torch.nn.SiLU().call(torch.ones([1])) */
export class SiLU extends Module {
  inplace: boolean;
  constructor(inplace?: boolean | { inplace?: boolean }) { super(); this.inplace = inplaceArg(inplace); }
  override forward(input: Tensor): Tensor { return F.silu(input, this.inplace); }
  override extraRepr(): string { return this.inplace ? 'inplace=True' : ''; }
}

/** Logistic sigmoid. @example new torch.nn.Sigmoid().call(torch.zeros([1])) // tensor([0.5000]) */
export class Sigmoid extends Module {
  override forward(input: Tensor): Tensor { return input.sigmoid(); }
}

/** Hyperbolic tangent. @example new torch.nn.Tanh().call(torch.zeros([1])) */
export class Tanh extends Module {
  override forward(input: Tensor): Tensor { return input.tanh(); }
}

/** Softplus. @example new torch.nn.Softplus().call(torch.zeros([1])) */
export class Softplus extends Module {
  beta: number;
  threshold: number;
  constructor(beta?: number | { beta?: number; threshold?: number }, threshold?: number) {
    super();
    const o = resolveArgs('Softplus', [beta, threshold], { beta: 1, threshold: 20 });
    this.beta = o.beta; this.threshold = o.threshold;
  }
  override forward(input: Tensor): Tensor { return input.softplus(this.beta, this.threshold); }
  override extraRepr(): string { return `beta=${this.beta === 1 ? '1' : pyFloat(this.beta)}, threshold=${pyNum(this.threshold)}`; }
}

/**
 * Softmax along `dim` (with `dim` null, PyTorch's legacy choice: 0 for 0-, 1- and 3-D input, else 1).
 * @example new torch.nn.Softmax(1).call(torch.zeros([2, 2])).tolist() // [[0.5, 0.5], [0.5, 0.5]]
 */
export class Softmax extends Module {
  dim: number | null;
  constructor(dim?: number | null | { dim?: number | null }) {
    super();
    if (isOptions(dim)) checkOptions('Softmax.__init__', dim, ['dim']);
    this.dim = isOptions(dim) ? dim.dim ?? null : dim ?? null;
  }
  override forward(input: Tensor): Tensor { return input.softmax(this.dim ?? F.legacySoftmaxDim(input.dim())); }
  override extraRepr(): string { return `dim=${this.dim === null ? 'None' : this.dim}`; }
}

/**
 * log(softmax(x)) along `dim`.
 * @example new torch.nn.LogSoftmax(1).call(torch.zeros([1, 2]))
 */
export class LogSoftmax extends Module {
  dim: number | null;
  constructor(dim?: number | null | { dim?: number | null }) {
    super();
    if (isOptions(dim)) checkOptions('LogSoftmax.__init__', dim, ['dim']);
    this.dim = isOptions(dim) ? dim.dim ?? null : dim ?? null;
  }
  override forward(input: Tensor): Tensor { return input.logSoftmax(this.dim ?? F.legacySoftmaxDim(input.dim())); }
  override extraRepr(): string { return `dim=${this.dim === null ? 'None' : this.dim}`; }
}

/** Options of `MultiheadAttention`. */
export interface MultiheadAttentionOptions extends FactoryOptions {
  dropout?: number; bias?: boolean; addBiasKv?: boolean; addZeroAttn?: boolean; kdim?: number | null; vdim?: number | null; batchFirst?: boolean;
}
/** Options of `MultiheadAttention.forward`. */
export interface MultiheadAttentionForwardOptions {
  keyPaddingMask?: Tensor | null; needWeights?: boolean; attnMask?: Tensor | null; averageAttnWeights?: boolean;
}

/**
 * Multi-head attention (`torch.nn.MultiheadAttention`) with PyTorch's parameters and names (`in_proj_weight`,
 * `in_proj_bias`, `out_proj`, or `q_proj_weight`/`k_proj_weight`/`v_proj_weight` when `kdim`/`vdim` differ,
 * `bias_k`/`bias_v`), initialisation and masks. Inputs are [L, N, E] (or [N, L, E] with `batchFirst`, or
 * unbatched [L, E]); `forward` returns `[output, weights | null]`.
 * @example
 * const mha = new torch.nn.MultiheadAttention(16, 4, { batchFirst: true });
 * const x = torch.randn([2, 5, 16]);
 * const [out, w] = mha.call(x, x, x); // out [2, 5, 16], w [2, 5, 5]
 */
export class MultiheadAttention extends Module {
  declare in_proj_weight: Parameter | null;
  declare q_proj_weight: Parameter | null;
  declare k_proj_weight: Parameter | null;
  declare v_proj_weight: Parameter | null;
  declare in_proj_bias: Parameter | null;
  declare out_proj: NonDynamicallyQuantizableLinear;
  declare bias_k: Parameter | null;
  declare bias_v: Parameter | null;
  embedDim: number;
  kdim: number;
  vdim: number;
  numHeads: number;
  dropout: number;
  batchFirst: boolean;
  headDim: number;
  addZeroAttn: boolean;
  /** @internal */
  _qkvSameEmbedDim: boolean;

  constructor(embedDim: number, numHeads: number, dropout?: number | MultiheadAttentionOptions, bias?: boolean, addBiasKv?: boolean, addZeroAttn?: boolean,
    kdim?: number | null, vdim?: number | null, batchFirst?: boolean, opts?: FactoryOptions) {
    super();
    const o = resolveArgs('MultiheadAttention', [dropout, bias, addBiasKv, addZeroAttn, kdim, vdim, batchFirst, opts],
      { dropout: 0, bias: true, addBiasKv: false, addZeroAttn: false, kdim: null as number | null, vdim: null as number | null, batchFirst: false, device: undefined as any, dtype: undefined as any });
    const fo = { dtype: o.dtype, device: o.device };
    this.embedDim = embedDim;
    this.kdim = o.kdim ?? embedDim;
    this.vdim = o.vdim ?? embedDim;
    this._qkvSameEmbedDim = this.kdim === embedDim && this.vdim === embedDim;
    this.numHeads = numHeads; this.dropout = o.dropout; this.batchFirst = o.batchFirst;
    this.headDim = Math.floor(embedDim / numHeads);
    if (this.headDim * numHeads !== embedDim) throw new RangeError('embed_dim must be divisible by num_heads');
    if (!this._qkvSameEmbedDim) {
      this.q_proj_weight = new Parameter(empty([embedDim, embedDim], fo));
      this.k_proj_weight = new Parameter(empty([embedDim, this.kdim], fo));
      this.v_proj_weight = new Parameter(empty([embedDim, this.vdim], fo));
      this.registerParameter('in_proj_weight', null);
    } else {
      this.in_proj_weight = new Parameter(empty([3 * embedDim, embedDim], fo));
      this.registerParameter('q_proj_weight', null);
      this.registerParameter('k_proj_weight', null);
      this.registerParameter('v_proj_weight', null);
    }
    if (o.bias) this.in_proj_bias = new Parameter(empty([3 * embedDim], fo));
    else this.registerParameter('in_proj_bias', null);
    this.out_proj = new NonDynamicallyQuantizableLinear(embedDim, embedDim, o.bias, fo);
    if (o.addBiasKv) {
      this.bias_k = new Parameter(empty([1, 1, embedDim], fo));
      this.bias_v = new Parameter(empty([1, 1, embedDim], fo));
    } else {
      this.bias_k = null as any; this.bias_v = null as any;
    }
    this.addZeroAttn = o.addZeroAttn;
    this.resetParameters();
  }

  /** PyTorch's `_reset_parameters`: xavier-uniform projections, zero biases, xavier-normal bias_k/bias_v. */
  resetParameters(): void {
    if (this._qkvSameEmbedDim) init.xavierUniform_(this.in_proj_weight!);
    else { init.xavierUniform_(this.q_proj_weight!); init.xavierUniform_(this.k_proj_weight!); init.xavierUniform_(this.v_proj_weight!); }
    if (this.in_proj_bias !== null) {
      init.constant_(this.in_proj_bias, 0);
      init.constant_(this.out_proj.bias!, 0);
    }
    if (this.bias_k !== null) init.xavierNormal_(this.bias_k);
    if (this.bias_v !== null) init.xavierNormal_(this.bias_v);
  }

  /**
   * Attention of `query` over `key`/`value`. Positional order as PyTorch: (query, key, value, keyPaddingMask,
   * needWeights = true, attnMask, averageAttnWeights = true), or an options object after `value`.
   */
  override forward(query: Tensor, key: Tensor, value: Tensor, keyPaddingMask?: Tensor | null | MultiheadAttentionForwardOptions,
    needWeights?: boolean, attnMask?: Tensor | null, averageAttnWeights?: boolean): [Tensor, Tensor | null] {
    const o = resolveArgs('MultiheadAttention.forward', [keyPaddingMask, needWeights, attnMask, averageAttnWeights],
      { keyPaddingMask: null as Tensor | null, needWeights: true, attnMask: null as Tensor | null, averageAttnWeights: true });
    const batched = query.dim() === 3;
    let q = query, k = key, v = value;
    if (this.batchFirst && batched) {
      if (key === value) {
        if (query === key) { q = k = v = query.transpose(1, 0); }
        else { q = query.transpose(1, 0); k = v = key.transpose(1, 0); }
      } else { q = query.transpose(1, 0); k = key.transpose(1, 0); v = value.transpose(1, 0); }
    }
    const common = {
      training: this.training, keyPaddingMask: o.keyPaddingMask, needWeights: o.needWeights, attnMask: o.attnMask,
      averageAttnWeights: o.averageAttnWeights,
    };
    const [out, w] = this._qkvSameEmbedDim
      ? F.multiHeadAttentionForward(q, k, v, this.embedDim, this.numHeads, this.in_proj_weight, this.in_proj_bias, this.bias_k, this.bias_v,
        this.addZeroAttn, this.dropout, this.out_proj.weight, this.out_proj.bias, common)
      : F.multiHeadAttentionForward(q, k, v, this.embedDim, this.numHeads, this.in_proj_weight, this.in_proj_bias, this.bias_k, this.bias_v,
        this.addZeroAttn, this.dropout, this.out_proj.weight, this.out_proj.bias,
        { ...common, useSeparateProjWeight: true, qProjWeight: this.q_proj_weight, kProjWeight: this.k_proj_weight, vProjWeight: this.v_proj_weight });
    return [this.batchFirst && batched ? out.transpose(1, 0) : out, w];
  }
}
