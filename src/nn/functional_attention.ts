/**
 * `F.scaledDotProductAttention`, PyTorch 2.x's `torch.nn.functional.scaled_dot_product_attention`, written with
 * frontend ops (matmul, softmax, where), so every backend runs it and autograd differentiates it.
 * Re-exported by `nn/functional.ts`.
 */
import type { Tensor } from '../tensor.js';
import { isFloating } from '../dtype.js';
import { arange, where } from '../ops.js';
import { resolveArgs, sizeStr } from './_args.js';
import * as F from './functional.js';

/** Options of {@link scaledDotProductAttention} after `query, key, value`. */
export interface ScaledDotProductAttentionOptions {
  attnMask?: Tensor | null; dropoutP?: number; isCausal?: boolean; scale?: number | null;
  /** Grouped-query attention (PyTorch 2.5): key/value heads (dim -3) are repeated to the query's head count. */
  enableGqa?: boolean;
}

/** `t` with each head (dim -3) repeated `r` times in place (`repeat_interleave(r, -3)`). */
function repeatHeads(t: Tensor, r: number): Tensor {
  if (r === 1) return t;
  const s = t.shape, n = s.length;
  const exp = [...s.slice(0, n - 2), r, ...s.slice(n - 2)];
  exp[n - 3] = s[n - 3]!;
  return t.unsqueeze(-3).expand(exp).reshape([...s.slice(0, n - 3), s[n - 3]! * r, s[n - 2]!, s[n - 1]!]);
}

const TORCH_DTYPE: Record<string, string> = {
  float32: 'float', float64: 'double', float16: 'c10::Half', bfloat16: 'c10::BFloat16', int64: 'long int', int32: 'int', bool: 'bool',
  uint8: 'unsigned char', int8: 'signed char', int16: 'short int',
};
const dn = (d: string): string => TORCH_DTYPE[d] ?? d;

/**
 * Attention of `query` [..., L, E] over `key` [..., S, E] / `value` [..., S, Ev] (batch dims broadcast):
 * softmax(query·keyᵀ·scale + bias)·value, scale = 1/√E unless given. `attnMask` is bool (true = may attend, the
 * opposite of `MultiheadAttention`'s masks) or float (added to the scores), broadcastable to [..., L, S];
 * `isCausal` masks positions j > i (top-left aligned, as PyTorch) and may not be combined with `attnMask`.
 * Rows with every position masked give 0 (PyTorch ≥ 2.5's `_safe_softmax`), not NaN. `dropoutP` drops attention
 * weights always, as the PyTorch function does (pass 0 in evaluation). Positional order as PyTorch:
 * (query, key, value, attnMask, dropoutP = 0, isCausal = false, scale, enableGqa = false), or an options object after `value`.
 * @example
 * const q = torch.randn([2, 4, 5, 8]), k = torch.randn([2, 4, 6, 8]), v = torch.randn([2, 4, 6, 8]);
 * F.scaledDotProductAttention(q, k, v).shape; // [2, 4, 5, 8]
 * F.scaledDotProductAttention(q, q, q, { isCausal: true }).shape; // [2, 4, 5, 8]
 */
export function scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, attnMask?: Tensor | null | ScaledDotProductAttentionOptions,
  dropoutP?: number, isCausal?: boolean, scale?: number | null, enableGqa?: boolean): Tensor {
  const o = resolveArgs('scaled_dot_product_attention', [attnMask, dropoutP, isCausal, scale, enableGqa],
    { attnMask: null as Tensor | null, dropoutP: 0, isCausal: false, scale: null as number | null, enableGqa: false });
  if (query.dtype !== key.dtype || query.dtype !== value.dtype) {
    throw new TypeError(`Expected query, key, and value to have the same dtype, but got query.dtype: ${dn(query.dtype)} key.dtype: ${dn(key.dtype)} and value.dtype: ${dn(value.dtype)} instead.`);
  }
  if (query.device.type !== key.device.type || query.device.type !== value.device.type) {
    throw new TypeError(`Expected query, key, and value to have the same device type, but got query.device: ${query.device} key.device: ${key.device} and value.device: ${value.device} instead.`);
  }
  if (query.dim() < 2 || key.dim() < 2 || value.dim() < 2) {
    throw new RangeError(`Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: ${query.dim()} key.dim: ${key.dim()} and value.dim: ${value.dim()} instead.`);
  }
  if (!isFloating(query.dtype)) throw new TypeError(`scaled_dot_product_attention: expected floating-point query, key and value, but got ${dn(query.dtype)}`);
  const mask = o.attnMask;
  if (mask !== null && mask.dtype !== 'bool' && mask.dtype !== 'float32' && mask.dtype !== query.dtype) {
    throw new TypeError(`Expected attn_mask dtype to be bool or float or to match query dtype, but got attn_mask.dtype: ${dn(mask.dtype)} and  query.dtype: ${dn(query.dtype)} instead.`);
  }
  if (o.isCausal && mask !== null) throw new RangeError('_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True');
  if (!(o.dropoutP >= 0 && o.dropoutP <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${o.dropoutP}`);
  const E = query.shape[query.dim() - 1]!, L = query.shape[query.dim() - 2]!, S = key.shape[key.dim() - 2]!;
  if (key.shape[key.dim() - 1] !== E) {
    throw new RangeError(`scaled_dot_product_attention: the last dim of query and key must match, but got query ${sizeStr(query.shape)} and key ${sizeStr(key.shape)}`);
  }
  if (value.shape[value.dim() - 2] !== S) {
    throw new RangeError(`scaled_dot_product_attention: key and value must have the same sequence length (dim -2), but got key ${sizeStr(key.shape)} and value ${sizeStr(value.shape)}`);
  }
  if (o.enableGqa && query.dim() >= 3 && key.dim() >= 3 && value.dim() >= 3) {
    const hq = query.shape[query.dim() - 3]!, hk = key.shape[key.dim() - 3]!, hv = value.shape[value.dim() - 3]!;
    if (!((hq === hk && hk === hv) || (hq % hk === 0 && hq % hv === 0))) {
      throw new RangeError('Number of heads in key and value must divide the number of heads in ');
    }
    key = repeatHeads(key, hq / hk); value = repeatHeads(value, hq / hv);
  }
  const scaleFactor = o.scale ?? 1 / Math.sqrt(E);
  let scores = query.matmul(key.transpose(-2, -1)).mul(scaleFactor);
  if (o.isCausal) {
    // top-left aligned: query i sees keys j ≤ i (PyTorch's ones(L, S).tril())
    const above = arange(S, { device: query.device }).unsqueeze(0).gt(arange(L, { device: query.device }).unsqueeze(1));
    scores = scores.maskedFill(above, -Infinity);
  }
  if (mask !== null) {
    scores = mask.dtype === 'bool' ? where(mask, scores, -Infinity) : scores.add(mask);
  }
  // PyTorch's _safe_softmax: a row whose scores are all -inf attends to nothing (0), where softmax gives NaN. The
  // row's scores are zeroed before the softmax too, so that the backward through it stays finite.
  const dead = scores.eq(-Infinity).all(-1, true);
  const live = dead.logicalNot();
  const attn = scores.where(live, 0).softmax(-1).where(live, 0);
  const dropped = o.dropoutP > 0 ? F.dropout(attn, o.dropoutP, true) : attn;
  return dropped.matmul(value);
}
