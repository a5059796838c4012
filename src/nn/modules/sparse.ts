/** `Embedding`. */
import type { Tensor } from '../../tensor.js';
import { empty } from '../../ops.js';
import { noGrad } from '../../autograd/grad_mode.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { pyFloat, resolveArgs } from '../_args.js';
import type { FactoryOptions } from '../_args.js';

/** Options of `Embedding`. */
export interface EmbeddingOptions extends FactoryOptions {
  paddingIdx?: number | null; maxNorm?: number | null; normType?: number; scaleGradByFreq?: boolean; sparse?: boolean; _weight?: Tensor | null;
}
const EMB_DEFAULTS = {
  paddingIdx: null as number | null, maxNorm: null as number | null, normType: 2, scaleGradByFreq: false, sparse: false,
  _weight: null as Tensor | null, device: undefined as any, dtype: undefined as any,
};

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim`, initialised N(0, 1) with the `paddingIdx`
 * row zeroed (that row also gets no gradient). PyTorch's arguments: (numEmbeddings, embeddingDim, paddingIdx,
 * maxNorm, normType = 2, scaleGradByFreq = false, sparse = false, _weight). `sparse` gradients are dense here.
 * @example
 * const emb = new torch.nn.Embedding(10, 3, { paddingIdx: 0 });
 * emb.call(torch.tensor([[1, 2, 0]], { dtype: 'int64' })).shape; // [1, 3, 3]
 */
export class Embedding extends Module {
  declare weight: Parameter;
  numEmbeddings: number;
  embeddingDim: number;
  paddingIdx: number | null;
  maxNorm: number | null;
  normType: number;
  scaleGradByFreq: boolean;
  sparse: boolean;

  constructor(numEmbeddings: number, embeddingDim: number, paddingIdx?: number | null | EmbeddingOptions, maxNorm?: number | null, normType?: number,
    scaleGradByFreq?: boolean, sparse?: boolean, _weight?: Tensor | null, opts?: FactoryOptions) {
    super();
    const o = resolveArgs('Embedding', [paddingIdx, maxNorm, normType, scaleGradByFreq, sparse, _weight, opts], EMB_DEFAULTS);
    this.numEmbeddings = numEmbeddings; this.embeddingDim = embeddingDim;
    let pad = o.paddingIdx;
    if (pad !== null) {
      if (pad > 0 && pad >= numEmbeddings) throw new RangeError('Padding_idx must be within num_embeddings');
      if (pad < 0) { if (pad < -numEmbeddings) throw new RangeError('Padding_idx must be within num_embeddings'); pad += numEmbeddings; }
    }
    this.paddingIdx = pad; this.maxNorm = o.maxNorm; this.normType = o.normType; this.scaleGradByFreq = o.scaleGradByFreq; this.sparse = o.sparse;
    if (o._weight === null) {
      this.weight = new Parameter(empty([numEmbeddings, embeddingDim], { dtype: o.dtype, device: o.device }));
      this.resetParameters();
    } else {
      if (o._weight.dim() !== 2 || o._weight.shape[0] !== numEmbeddings || o._weight.shape[1] !== embeddingDim) {
        throw new RangeError('Shape of weight does not match num_embeddings and embedding_dim');
      }
      this.weight = new Parameter(o._weight);
    }
  }

  /** N(0, 1), padding row zeroed. */
  resetParameters(): void {
    init.normal_(this.weight);
    if (this.paddingIdx !== null) noGrad(() => this.weight.select(0, this.paddingIdx!).fill_(0));
  }

  /**
   * An Embedding holding `embeddings` (frozen unless `freeze: false`).
   * @example const emb = torch.nn.Embedding.fromPretrained(torch.randn([5, 3]));
   */
  static fromPretrained(embeddings: Tensor, freeze: boolean | { freeze?: boolean; paddingIdx?: number | null; maxNorm?: number | null; normType?: number; scaleGradByFreq?: boolean; sparse?: boolean } = true,
    paddingIdx: number | null = null, maxNorm: number | null = null, normType = 2, scaleGradByFreq = false, sparse = false): Embedding {
    let fr = freeze as boolean;
    if (typeof freeze === 'object') {
      fr = freeze.freeze ?? true; paddingIdx = freeze.paddingIdx ?? null; maxNorm = freeze.maxNorm ?? null;
      normType = freeze.normType ?? 2; scaleGradByFreq = freeze.scaleGradByFreq ?? false; sparse = freeze.sparse ?? false;
    }
    if (embeddings.dim() !== 2) throw new RangeError('Embeddings parameter is expected to be 2-dimensional');
    const e = new Embedding(embeddings.shape[0]!, embeddings.shape[1]!, paddingIdx, maxNorm, normType, scaleGradByFreq, sparse, embeddings);
    e.weight.requiresGrad_(!fr);
    return e;
  }

  override forward(input: Tensor): Tensor {
    return F.embedding(input, this.weight, this.paddingIdx, this.maxNorm, this.normType, this.scaleGradByFreq, this.sparse);
  }
  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += ', scale_grad_by_freq=True';
    if (this.sparse) s += ', sparse=True';
    return s;
  }
}
