/** `TransformerEncoderLayer`, `TransformerEncoder`, `TransformerDecoderLayer`, `TransformerDecoder`, `Transformer`. */
import type { Tensor } from '../../tensor.js';
import type { DType } from '../../dtype.js';
import type { DeviceLike } from '../../device.js';
import { zeros, arange } from '../../ops.js';
import { Module, deepcopy } from '../module.js';
import { Linear } from './linear.js';
import { Dropout } from './dropout.js';
import { LayerNorm } from './normalization.js';
import { MultiheadAttention } from './activation.js';
import { ModuleList } from './container.js';
import * as init from '../init.js';
import * as F from '../functional.js';
import { resolveArgs, isOptions } from '../_args.js';
import type { FactoryOptions } from '../_args.js';

export type Activation = 'relu' | 'gelu' | ((x: Tensor) => Tensor) | Module;

/** PyTorch's `_get_activation_fn`: 'relu' / 'gelu' by name, a function or a module as given. */
function activationFn(act: Activation): ((x: Tensor) => Tensor) | Module {
  if (act === 'relu') return F.relu;
  if (act === 'gelu') return F.gelu;
  if (typeof act === 'string') throw new RangeError(`activation should be relu/gelu, not ${act}`);
  if (typeof act !== 'function') throw new TypeError(`activation should be relu/gelu, a function or a Module, not ${typeof act}`);
  return act;
}

/** LayerNorm(dModel), without its bias when `bias` is false (PyTorch 2.1's `LayerNorm(..., bias=False)`). */
function layerNorm(dModel: number, eps: number, bias: boolean, fo: FactoryOptions): LayerNorm {
  const ln = new LayerNorm(dModel, { eps, ...fo });
  if (!bias) ln.registerParameter('bias', null);
  return ln;
}

/**
 * The `isCausal` hints of PyTorch 2.x say that the given mask is the causal one (PyTorch may then skip reading
 * it); they never replace the mask, so a hint without a mask is PyTorch's error.
 */
function checkCausalHint(isCausal: boolean, mask: Tensor | null): void {
  if (isCausal && mask === null) {
    throw new RangeError('Need attn_mask if specifying the is_causal hint. You may use the Transformer module method `generate_square_subsequent_mask` to create this mask.');
  }
}

/** The positional order and defaults of both layers' arguments after `dModel, nhead`. */
const LAYER_DEFAULTS = { dimFeedforward: 2048, dropout: 0.1, activation: 'relu' as Activation, layerNormEps: 1e-5, batchFirst: false, normFirst: false, bias: true, device: undefined as any, dtype: undefined as any };

/** The submodules of the feed-forward block, the same in both layers. */
interface FeedForward { linear1: Linear; dropout: Dropout; linear2: Linear; activation: ((x: Tensor) => Tensor) | Module }

/** Both layers' self-attention block: `x` as query, key and value, then the block's dropout. */
function saBlock(attn: MultiheadAttention, dropout: Dropout, x: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null): Tensor {
  const [y] = attn.call(x, x, x, { attnMask, keyPaddingMask, needWeights: false });
  return dropout.call(y);
}

/** Both layers' feed-forward block, linear2(dropout(activation(linear1(x)))), then the block's dropout `outDropout`. */
function ffBlock(layer: FeedForward, outDropout: Dropout, x: Tensor): Tensor {
  const act = layer.activation;
  const h = act instanceof Module ? act.call(layer.linear1.call(x)) : act(layer.linear1.call(x));
  return outDropout.call(layer.linear2.call(layer.dropout.call(h)));
}

/** The `norm` argument of the encoder/decoder stacks: a module, null, or PyTorch's keyword as `{ norm }`. */
function normArg(norm: Module | null | { norm?: Module | null }): Module | null {
  return norm !== null && !(norm instanceof Module) ? norm.norm ?? null : norm;
}

/** Options of `TransformerEncoderLayer`. */
export interface TransformerEncoderLayerOptions extends FactoryOptions {
  dimFeedforward?: number; dropout?: number; activation?: Activation; layerNormEps?: number; batchFirst?: boolean; normFirst?: boolean;
  /** PyTorch ≥ 2.1: false drops the biases of the linear layers, the attention projections and the LayerNorms. */
  bias?: boolean;
}

/**
 * Self-attention + feed-forward block ("Attention Is All You Need"), PyTorch's submodules and names
 * (`self_attn`, `linear1`, `dropout`, `linear2`, `norm1`, `norm2`, `dropout1`, `dropout2`). Arguments:
 * (dModel, nhead, dimFeedforward = 2048, dropout = 0.1, activation = 'relu', layerNormEps = 1e-5,
 * batchFirst = false, normFirst = false, bias = true). `forward(src, srcMask?, srcKeyPaddingMask?, isCausal?)`.
 * @example
 * const layer = new torch.nn.TransformerEncoderLayer(16, 4, { dimFeedforward: 32, batchFirst: true });
 * layer.call(torch.randn([2, 5, 16])).shape; // [2, 5, 16]
 */
export class TransformerEncoderLayer extends Module {
  declare self_attn: MultiheadAttention;
  declare linear1: Linear;
  declare dropout: Dropout;
  declare linear2: Linear;
  declare norm1: LayerNorm;
  declare norm2: LayerNorm;
  declare dropout1: Dropout;
  declare dropout2: Dropout;
  normFirst: boolean;
  activation: ((x: Tensor) => Tensor) | Module;

  constructor(dModel: number, nhead: number, dimFeedforward?: number | TransformerEncoderLayerOptions, dropout?: number, activation?: Activation,
    layerNormEps?: number, batchFirst?: boolean, normFirst?: boolean, bias?: boolean | FactoryOptions, opts?: FactoryOptions) {
    super();
    const o = resolveArgs('TransformerEncoderLayer', [dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, bias, opts],
      LAYER_DEFAULTS);
    const fo = { device: o.device, dtype: o.dtype };
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: o.dropout, bias: o.bias, batchFirst: o.batchFirst, ...fo });
    this.linear1 = new Linear(dModel, o.dimFeedforward, o.bias, fo);
    this.dropout = new Dropout(o.dropout);
    this.linear2 = new Linear(o.dimFeedforward, dModel, o.bias, fo);
    this.normFirst = o.normFirst;
    this.norm1 = layerNorm(dModel, o.layerNormEps, o.bias, fo);
    this.norm2 = layerNorm(dModel, o.layerNormEps, o.bias, fo);
    this.dropout1 = new Dropout(o.dropout);
    this.dropout2 = new Dropout(o.dropout);
    this.activation = activationFn(o.activation);
  }

  /** `self_attn` (camelCase alias). */
  get selfAttn(): MultiheadAttention { return this.self_attn; }

  override forward(src: Tensor, srcMask?: Tensor | null | { srcMask?: Tensor | null; srcKeyPaddingMask?: Tensor | null; isCausal?: boolean },
    srcKeyPaddingMask?: Tensor | null, isCausal?: boolean): Tensor {
    const o = resolveArgs('TransformerEncoderLayer.forward', [srcMask, srcKeyPaddingMask, isCausal],
      { srcMask: null as Tensor | null, srcKeyPaddingMask: null as Tensor | null, isCausal: false });
    checkCausalHint(o.isCausal, o.srcMask);
    if (o.srcKeyPaddingMask !== null && o.srcKeyPaddingMask.dtype !== 'bool' && !o.srcKeyPaddingMask.isFloatingPoint()) {
      throw new TypeError('only bool and floating types of key_padding_mask are supported');
    }
    let x = src;
    if (this.normFirst) {
      x = x.add(this._saBlock(this.norm1.call(x), o.srcMask, o.srcKeyPaddingMask));
      x = x.add(this._ffBlock(this.norm2.call(x)));
    } else {
      x = this.norm1.call(x.add(this._saBlock(x, o.srcMask, o.srcKeyPaddingMask)));
      x = this.norm2.call(x.add(this._ffBlock(x)));
    }
    return x;
  }

  /** @internal */
  _saBlock(x: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null): Tensor {
    return saBlock(this.self_attn, this.dropout1, x, attnMask, keyPaddingMask);
  }

  /** @internal */
  _ffBlock(x: Tensor): Tensor {
    return ffBlock(this, this.dropout2, x);
  }
}

/**
 * A stack of `numLayers` deep copies of `encoderLayer` (in `layers`), then an optional `norm`.
 * `forward(src, mask?, srcKeyPaddingMask?)`.
 * @example
 * const enc = new torch.nn.TransformerEncoder(new torch.nn.TransformerEncoderLayer(16, 4, { dimFeedforward: 32 }), 2);
 * enc.call(torch.randn([5, 2, 16])).shape; // [5, 2, 16]
 */
export class TransformerEncoder extends Module {
  declare layers: ModuleList<TransformerEncoderLayer>;
  declare norm: Module | null;
  numLayers: number;
  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, norm: Module | null | { norm?: Module | null; enableNestedTensor?: boolean; maskCheck?: boolean } = null,
    _enableNestedTensor = true, _maskCheck = true) {
    super();
    const n = normArg(norm);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => deepcopy(encoderLayer)));
    this.numLayers = numLayers;
    this.norm = n;
  }
  override forward(src: Tensor, mask?: Tensor | null | { mask?: Tensor | null; srcKeyPaddingMask?: Tensor | null; isCausal?: boolean | null },
    srcKeyPaddingMask?: Tensor | null, isCausal?: boolean | null): Tensor {
    const o = resolveArgs('TransformerEncoder.forward', [mask, srcKeyPaddingMask, isCausal],
      { mask: null as Tensor | null, srcKeyPaddingMask: null as Tensor | null, isCausal: null as boolean | null });
    const causal = o.isCausal === true;
    checkCausalHint(causal, o.mask);
    let out = src;
    for (const layer of this.layers) out = layer.call(out, { srcMask: o.mask, srcKeyPaddingMask: o.srcKeyPaddingMask, isCausal: causal });
    if (this.norm !== null) out = this.norm.call(out);
    return out;
  }
}

/** Options of `TransformerDecoderLayer` (the same as the encoder layer's). */
export type TransformerDecoderLayerOptions = TransformerEncoderLayerOptions;

/** Options of `TransformerDecoderLayer.forward` / `TransformerDecoder.forward` after `tgt, memory`. */
export interface TransformerDecoderForwardOptions {
  tgtMask?: Tensor | null; memoryMask?: Tensor | null; tgtKeyPaddingMask?: Tensor | null; memoryKeyPaddingMask?: Tensor | null;
  tgtIsCausal?: boolean | null; memoryIsCausal?: boolean;
}
const DEC_FWD = {
  tgtMask: null as Tensor | null, memoryMask: null as Tensor | null, tgtKeyPaddingMask: null as Tensor | null,
  memoryKeyPaddingMask: null as Tensor | null, tgtIsCausal: null as boolean | null, memoryIsCausal: false,
};

/**
 * Self-attention, attention over the encoder's output (`memory`) and feed-forward, PyTorch's submodules and
 * names (`self_attn`, `multihead_attn`, `linear1`, `dropout`, `linear2`, `norm1`-`norm3`, `dropout1`-`dropout3`),
 * so a PyTorch state dict loads. Arguments as the encoder layer: (dModel, nhead, dimFeedforward = 2048,
 * dropout = 0.1, activation = 'relu', layerNormEps = 1e-5, batchFirst = false, normFirst = false, bias = true).
 * `forward(tgt, memory, tgtMask?, memoryMask?, tgtKeyPaddingMask?, memoryKeyPaddingMask?, tgtIsCausal?, memoryIsCausal?)`;
 * masks are bool (true = not allowed to attend) or float (added to the scores), as in `MultiheadAttention`.
 * @example
 * const layer = new torch.nn.TransformerDecoderLayer(16, 4, { dimFeedforward: 32, batchFirst: true });
 * const tgt = torch.randn([2, 5, 16]), memory = torch.randn([2, 7, 16]);
 * layer.call(tgt, memory, { tgtMask: torch.nn.Transformer.generateSquareSubsequentMask(5) }).shape; // [2, 5, 16]
 */
export class TransformerDecoderLayer extends Module {
  declare self_attn: MultiheadAttention;
  declare multihead_attn: MultiheadAttention;
  declare linear1: Linear;
  declare dropout: Dropout;
  declare linear2: Linear;
  declare norm1: LayerNorm;
  declare norm2: LayerNorm;
  declare norm3: LayerNorm;
  declare dropout1: Dropout;
  declare dropout2: Dropout;
  declare dropout3: Dropout;
  normFirst: boolean;
  activation: ((x: Tensor) => Tensor) | Module;

  constructor(dModel: number, nhead: number, dimFeedforward?: number | TransformerDecoderLayerOptions, dropout?: number, activation?: Activation,
    layerNormEps?: number, batchFirst?: boolean, normFirst?: boolean, bias?: boolean | FactoryOptions, opts?: FactoryOptions) {
    super();
    const o = resolveArgs('TransformerDecoderLayer', [dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, bias, opts],
      LAYER_DEFAULTS);
    const fo = { device: o.device, dtype: o.dtype };
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: o.dropout, bias: o.bias, batchFirst: o.batchFirst, ...fo });
    this.multihead_attn = new MultiheadAttention(dModel, nhead, { dropout: o.dropout, bias: o.bias, batchFirst: o.batchFirst, ...fo });
    this.linear1 = new Linear(dModel, o.dimFeedforward, o.bias, fo);
    this.dropout = new Dropout(o.dropout);
    this.linear2 = new Linear(o.dimFeedforward, dModel, o.bias, fo);
    this.normFirst = o.normFirst;
    this.norm1 = layerNorm(dModel, o.layerNormEps, o.bias, fo);
    this.norm2 = layerNorm(dModel, o.layerNormEps, o.bias, fo);
    this.norm3 = layerNorm(dModel, o.layerNormEps, o.bias, fo);
    this.dropout1 = new Dropout(o.dropout);
    this.dropout2 = new Dropout(o.dropout);
    this.dropout3 = new Dropout(o.dropout);
    this.activation = activationFn(o.activation);
  }

  /** `self_attn` (camelCase alias). */
  get selfAttn(): MultiheadAttention { return this.self_attn; }
  /** `multihead_attn` (camelCase alias). */
  get multiheadAttn(): MultiheadAttention { return this.multihead_attn; }

  override forward(tgt: Tensor, memory: Tensor, tgtMask?: Tensor | null | TransformerDecoderForwardOptions, memoryMask?: Tensor | null,
    tgtKeyPaddingMask?: Tensor | null, memoryKeyPaddingMask?: Tensor | null, tgtIsCausal?: boolean, memoryIsCausal?: boolean): Tensor {
    const o = resolveArgs('TransformerDecoderLayer.forward', [tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, tgtIsCausal, memoryIsCausal], DEC_FWD);
    checkCausalHint(o.tgtIsCausal === true, o.tgtMask);
    checkCausalHint(o.memoryIsCausal, o.memoryMask);
    let x = tgt;
    if (this.normFirst) {
      x = x.add(this._saBlock(this.norm1.call(x), o.tgtMask, o.tgtKeyPaddingMask));
      x = x.add(this._mhaBlock(this.norm2.call(x), memory, o.memoryMask, o.memoryKeyPaddingMask));
      x = x.add(this._ffBlock(this.norm3.call(x)));
    } else {
      x = this.norm1.call(x.add(this._saBlock(x, o.tgtMask, o.tgtKeyPaddingMask)));
      x = this.norm2.call(x.add(this._mhaBlock(x, memory, o.memoryMask, o.memoryKeyPaddingMask)));
      x = this.norm3.call(x.add(this._ffBlock(x)));
    }
    return x;
  }

  /** @internal */
  _saBlock(x: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null): Tensor {
    return saBlock(this.self_attn, this.dropout1, x, attnMask, keyPaddingMask);
  }

  /** @internal */
  _mhaBlock(x: Tensor, mem: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null): Tensor {
    const [y] = this.multihead_attn.call(x, mem, mem, { attnMask, keyPaddingMask, needWeights: false });
    return this.dropout2.call(y);
  }

  /** @internal */
  _ffBlock(x: Tensor): Tensor {
    return ffBlock(this, this.dropout3, x);
  }
}

/**
 * A stack of `numLayers` deep copies of `decoderLayer` (in `layers`), then an optional `norm`.
 * `forward(tgt, memory, tgtMask?, memoryMask?, tgtKeyPaddingMask?, memoryKeyPaddingMask?, tgtIsCausal?, memoryIsCausal?)`.
 * @example
 * const dec = new torch.nn.TransformerDecoder(new torch.nn.TransformerDecoderLayer(16, 4, { dimFeedforward: 32 }), 2);
 * dec.call(torch.randn([5, 2, 16]), torch.randn([7, 2, 16])).shape; // [5, 2, 16]
 */
export class TransformerDecoder extends Module {
  declare layers: ModuleList<TransformerDecoderLayer>;
  declare norm: Module | null;
  numLayers: number;
  constructor(decoderLayer: TransformerDecoderLayer, numLayers: number, norm: Module | null | { norm?: Module | null } = null) {
    super();
    const n = normArg(norm);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => deepcopy(decoderLayer)));
    this.numLayers = numLayers;
    this.norm = n;
  }
  override forward(tgt: Tensor, memory: Tensor, tgtMask?: Tensor | null | TransformerDecoderForwardOptions, memoryMask?: Tensor | null,
    tgtKeyPaddingMask?: Tensor | null, memoryKeyPaddingMask?: Tensor | null, tgtIsCausal?: boolean | null, memoryIsCausal?: boolean): Tensor {
    const o = resolveArgs('TransformerDecoder.forward', [tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, tgtIsCausal, memoryIsCausal], DEC_FWD);
    let out = tgt;
    for (const layer of this.layers) {
      out = layer.call(out, memory, {
        tgtMask: o.tgtMask, memoryMask: o.memoryMask, tgtKeyPaddingMask: o.tgtKeyPaddingMask, memoryKeyPaddingMask: o.memoryKeyPaddingMask,
        tgtIsCausal: o.tgtIsCausal === true, memoryIsCausal: o.memoryIsCausal,
      });
    }
    if (this.norm !== null) out = this.norm.call(out);
    return out;
  }
}

/** Options of `Transformer`. */
export interface TransformerOptions extends FactoryOptions {
  dModel?: number; nhead?: number; numEncoderLayers?: number; numDecoderLayers?: number; dimFeedforward?: number; dropout?: number;
  activation?: Activation; customEncoder?: Module | null; customDecoder?: Module | null; layerNormEps?: number; batchFirst?: boolean; normFirst?: boolean; bias?: boolean;
}
/** Options of `Transformer.forward` after `src, tgt`. */
export interface TransformerForwardOptions {
  srcMask?: Tensor | null; tgtMask?: Tensor | null; memoryMask?: Tensor | null; srcKeyPaddingMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null; memoryKeyPaddingMask?: Tensor | null; srcIsCausal?: boolean | null; tgtIsCausal?: boolean | null; memoryIsCausal?: boolean;
}

/**
 * The encoder-decoder Transformer (`torch.nn.Transformer`): `encoder` (a `TransformerEncoder` of
 * `numEncoderLayers` layers and a final LayerNorm, or `customEncoder`) and `decoder` (likewise), parameter names
 * as PyTorch's (`encoder.layers.0.self_attn.in_proj_weight`, `decoder.layers.0.multihead_attn.in_proj_weight`,
 * `decoder.norm.weight`, ...), every parameter with more than one dim initialised xavier-uniform as PyTorch.
 * Arguments (all optional, PyTorch's order): dModel = 512, nhead = 8, numEncoderLayers = 6, numDecoderLayers = 6,
 * dimFeedforward = 2048, dropout = 0.1, activation = 'relu', customEncoder, customDecoder, layerNormEps = 1e-5,
 * batchFirst = false, normFirst = false, bias = true. `forward(src, tgt, srcMask?, tgtMask?, memoryMask?, srcKeyPaddingMask?,
 * tgtKeyPaddingMask?, memoryKeyPaddingMask?, srcIsCausal?, tgtIsCausal?, memoryIsCausal?)` or an options object after `tgt`.
 * @example
 * const model = new torch.nn.Transformer({ dModel: 16, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 32, batchFirst: true });
 * const src = torch.randn([2, 7, 16]), tgt = torch.randn([2, 5, 16]);
 * const out = model.call(src, tgt, { tgtMask: torch.nn.Transformer.generateSquareSubsequentMask(5) }); // [2, 5, 16]
 */
export class Transformer extends Module {
  declare encoder: Module;
  declare decoder: Module;
  dModel: number;
  nhead: number;
  batchFirst: boolean;

  constructor(dModel?: number | TransformerOptions, nhead?: number | TransformerOptions, numEncoderLayers?: number | TransformerOptions, numDecoderLayers?: number, dimFeedforward?: number,
    dropout?: number, activation?: Activation, customEncoder?: Module | null, customDecoder?: Module | null, layerNormEps?: number,
    batchFirst?: boolean, normFirst?: boolean, bias?: boolean | FactoryOptions, opts?: FactoryOptions) {
    super();
    const o = resolveArgs('Transformer', [dModel, nhead, numEncoderLayers, numDecoderLayers, dimFeedforward, dropout, activation, customEncoder,
      customDecoder, layerNormEps, batchFirst, normFirst, bias, opts], {
      dModel: 512, nhead: 8, numEncoderLayers: 6, numDecoderLayers: 6, dimFeedforward: 2048, dropout: 0.1, activation: 'relu' as Activation,
      customEncoder: null as Module | null, customDecoder: null as Module | null, layerNormEps: 1e-5, batchFirst: false, normFirst: false, bias: true,
      device: undefined as DeviceLike | undefined, dtype: undefined as DType | undefined,
    });
    const fo = { device: o.device, dtype: o.dtype };
    const layerOpts = { dimFeedforward: o.dimFeedforward, dropout: o.dropout, activation: o.activation, layerNormEps: o.layerNormEps, batchFirst: o.batchFirst, normFirst: o.normFirst, bias: o.bias, ...fo };
    if (o.customEncoder !== null) this.encoder = o.customEncoder;
    else {
      const layer = new TransformerEncoderLayer(o.dModel, o.nhead, layerOpts);
      this.encoder = new TransformerEncoder(layer, o.numEncoderLayers, layerNorm(o.dModel, o.layerNormEps, o.bias, fo));
    }
    if (o.customDecoder !== null) this.decoder = o.customDecoder;
    else {
      const layer = new TransformerDecoderLayer(o.dModel, o.nhead, layerOpts);
      this.decoder = new TransformerDecoder(layer, o.numDecoderLayers, layerNorm(o.dModel, o.layerNormEps, o.bias, fo));
    }
    this.dModel = o.dModel; this.nhead = o.nhead; this.batchFirst = o.batchFirst;
    this._resetParameters();
  }

  /** PyTorch's `_reset_parameters`: xavier-uniform on every parameter with more than one dim. */
  _resetParameters(): void {
    for (const p of this.parameters()) if (p.dim() > 1) init.xavierUniform_(p);
  }

  override forward(src: Tensor, tgt: Tensor, srcMask?: Tensor | null | TransformerForwardOptions, tgtMask?: Tensor | null, memoryMask?: Tensor | null,
    srcKeyPaddingMask?: Tensor | null, tgtKeyPaddingMask?: Tensor | null, memoryKeyPaddingMask?: Tensor | null,
    srcIsCausal?: boolean | null, tgtIsCausal?: boolean | null, memoryIsCausal?: boolean): Tensor {
    const o = resolveArgs('Transformer.forward', [srcMask, tgtMask, memoryMask, srcKeyPaddingMask, tgtKeyPaddingMask, memoryKeyPaddingMask, srcIsCausal, tgtIsCausal, memoryIsCausal], {
      srcMask: null as Tensor | null, tgtMask: null as Tensor | null, memoryMask: null as Tensor | null, srcKeyPaddingMask: null as Tensor | null,
      tgtKeyPaddingMask: null as Tensor | null, memoryKeyPaddingMask: null as Tensor | null, srcIsCausal: null as boolean | null,
      tgtIsCausal: null as boolean | null, memoryIsCausal: false,
    });
    const isBatched = src.dim() === 3;
    if (!this.batchFirst && isBatched && src.shape[1] !== tgt.shape[1]) throw new RangeError('the batch number of src and tgt must be equal');
    if (this.batchFirst && isBatched && src.shape[0] !== tgt.shape[0]) throw new RangeError('the batch number of src and tgt must be equal');
    if (src.shape[src.dim() - 1] !== this.dModel || tgt.shape[tgt.dim() - 1] !== this.dModel) {
      throw new RangeError('the feature number of src and tgt must be equal to d_model');
    }
    const memory = this.encoder.call(src, { mask: o.srcMask, srcKeyPaddingMask: o.srcKeyPaddingMask, isCausal: o.srcIsCausal });
    return this.decoder.call(tgt, memory, {
      tgtMask: o.tgtMask, memoryMask: o.memoryMask, tgtKeyPaddingMask: o.tgtKeyPaddingMask, memoryKeyPaddingMask: o.memoryKeyPaddingMask,
      tgtIsCausal: o.tgtIsCausal, memoryIsCausal: o.memoryIsCausal,
    });
  }

  /**
   * The causal mask of a sequence of length `sz`: float [sz, sz] with -inf above the diagonal and 0 elsewhere
   * (position i may attend to positions ≤ i). Options `{ device, dtype }` as PyTorch 2.x.
   * @example torch.nn.Transformer.generateSquareSubsequentMask(3).tolist() // [[0, -Infinity, -Infinity], [0, 0, -Infinity], [0, 0, 0]]
   */
  static generateSquareSubsequentMask(sz: number, device?: DeviceLike | { device?: DeviceLike; dtype?: DType }, dtype?: DType): Tensor {
    const o = isOptions(device) ? resolveArgs('generate_square_subsequent_mask', [device], { device: undefined as DeviceLike | undefined, dtype: undefined as DType | undefined })
      : { device, dtype };
    if (!Number.isInteger(sz) || sz < 0) throw new RangeError(`generate_square_subsequent_mask(): sz must be a non-negative integer, got ${sz}`);
    const i = arange(sz, { device: o.device });
    const above = i.unsqueeze(0).gt(i.unsqueeze(1)); // column index > row index
    return zeros([sz, sz], { device: o.device, dtype: o.dtype }).maskedFill(above, -Infinity);
  }
}
