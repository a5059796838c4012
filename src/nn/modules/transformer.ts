/** `TransformerEncoderLayer` and `TransformerEncoder`. */
import type { Tensor } from '../../tensor.js';
import { Module, deepcopy } from '../module.js';
import { Linear } from './linear.js';
import { Dropout } from './dropout.js';
import { LayerNorm } from './normalization.js';
import { MultiheadAttention } from './activation.js';
import { ModuleList } from './container.js';
import * as F from '../functional.js';
import { resolveArgs } from '../_args.js';
import type { FactoryOptions } from '../_args.js';

export type Activation = 'relu' | 'gelu' | ((x: Tensor) => Tensor) | Module;

/** Options of `TransformerEncoderLayer`. */
export interface TransformerEncoderLayerOptions extends FactoryOptions {
  dimFeedforward?: number; dropout?: number; activation?: Activation; layerNormEps?: number; batchFirst?: boolean; normFirst?: boolean;
}

/**
 * Self-attention + feed-forward block ("Attention Is All You Need"), PyTorch's submodules and names
 * (`self_attn`, `linear1`, `dropout`, `linear2`, `norm1`, `norm2`, `dropout1`, `dropout2`). Arguments:
 * (dModel, nhead, dimFeedforward = 2048, dropout = 0.1, activation = 'relu', layerNormEps = 1e-5,
 * batchFirst = false, normFirst = false). `forward(src, srcMask?, srcKeyPaddingMask?)`.
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
    layerNormEps?: number, batchFirst?: boolean, normFirst?: boolean, opts?: FactoryOptions) {
    super();
    const o = resolveArgs('TransformerEncoderLayer', [dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, opts],
      { dimFeedforward: 2048, dropout: 0.1, activation: 'relu' as Activation, layerNormEps: 1e-5, batchFirst: false, normFirst: false, device: undefined as any, dtype: undefined as any });
    const fo = { device: o.device, dtype: o.dtype };
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: o.dropout, batchFirst: o.batchFirst, ...fo });
    this.linear1 = new Linear(dModel, o.dimFeedforward, fo);
    this.dropout = new Dropout(o.dropout);
    this.linear2 = new Linear(o.dimFeedforward, dModel, fo);
    this.normFirst = o.normFirst;
    this.norm1 = new LayerNorm(dModel, { eps: o.layerNormEps, ...fo });
    this.norm2 = new LayerNorm(dModel, { eps: o.layerNormEps, ...fo });
    this.dropout1 = new Dropout(o.dropout);
    this.dropout2 = new Dropout(o.dropout);
    const act = o.activation;
    if (act === 'relu') this.activation = F.relu;
    else if (act === 'gelu') this.activation = F.gelu;
    else if (typeof act === 'string') throw new RangeError(`activation should be relu/gelu, not ${act}`);
    else this.activation = act;
  }

  /** `self_attn` (camelCase alias). */
  get selfAttn(): MultiheadAttention { return this.self_attn; }

  override forward(src: Tensor, srcMask?: Tensor | null | { srcMask?: Tensor | null; srcKeyPaddingMask?: Tensor | null }, srcKeyPaddingMask?: Tensor | null): Tensor {
    const o = resolveArgs('TransformerEncoderLayer.forward', [srcMask, srcKeyPaddingMask], { srcMask: null as Tensor | null, srcKeyPaddingMask: null as Tensor | null });
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
    const [y] = this.self_attn.call(x, x, x, { attnMask, keyPaddingMask, needWeights: false });
    return this.dropout1.call(y);
  }

  /** @internal */
  _ffBlock(x: Tensor): Tensor {
    const act = this.activation;
    const h = act instanceof Module ? act.call(this.linear1.call(x)) : act(this.linear1.call(x));
    return this.dropout2.call(this.linear2.call(this.dropout.call(h)));
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
    const n = norm !== null && !(norm instanceof Module) ? norm.norm ?? null : norm;
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => deepcopy(encoderLayer)));
    this.numLayers = numLayers;
    this.norm = n;
  }
  override forward(src: Tensor, mask?: Tensor | null | { mask?: Tensor | null; srcKeyPaddingMask?: Tensor | null }, srcKeyPaddingMask?: Tensor | null): Tensor {
    const o = resolveArgs('TransformerEncoder.forward', [mask, srcKeyPaddingMask], { mask: null as Tensor | null, srcKeyPaddingMask: null as Tensor | null });
    let out = src;
    for (const layer of this.layers) out = layer.call(out, { srcMask: o.mask, srcKeyPaddingMask: o.srcKeyPaddingMask });
    if (this.norm !== null) out = this.norm.call(out);
    return out;
  }
}
