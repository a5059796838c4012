#!/usr/bin/python3
"""PyTorch fixtures for nn.Transformer, nn.TransformerDecoderLayer / TransformerDecoder,
Transformer.generate_square_subsequent_mask and F.scaled_dot_product_attention.

Writes test/fixtures/nn_transformer.json:
  {"cases": [LAYER, ...]             (the format of nn_layers.json, see scripts/gen_nn_fixtures.py;
                                      "build" names a TS builder for layers made of other layers),
   "sdpa": [FCASE, ...],             (see fcase below)
   "masks": {"sz": 4, "mask": VALUE} (Transformer.generate_square_subsequent_mask(4)),
   "errors": [{"name", "error"}]}

Layers run with dropout 0 (train mode) or in eval mode, so outputs are deterministic; PyTorch's state dict is
loaded into torchlet's layer, so parameter names must match.

scaled_dot_product_attention: Debian's python3-torch 1.13 has no F.scaled_dot_product_attention (PyTorch 2.0+),
so its fixtures come from the reference formula PyTorch 2.x documents for it, evaluated here with PyTorch ops:
softmax(q @ k^T * scale + bias) @ v, with bool masks meaning "may attend", is_causal = ones(L, S).tril(), and
PyTorch >= 2.5's _safe_softmax (a fully masked row gives 0, not NaN). Values and gradients come from autograd.
"""
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_nn_fixtures as G  # noqa: E402  (shared encoders and the layer-case recorder)

R = G.R
SDPA = []
ERRORS = []


def sdpa_ref(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    L, S = q.size(-2), k.size(-2)
    sf = 1 / math.sqrt(q.size(-1)) if scale is None else scale
    scores = q @ k.transpose(-2, -1) * sf
    if is_causal:
        assert attn_mask is None
        allowed = torch.ones(L, S, dtype=torch.bool).tril(diagonal=0)
        scores = scores.masked_fill(allowed.logical_not(), float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = torch.where(attn_mask, scores, torch.tensor(float("-inf")))
        else:
            scores = scores + attn_mask
    dead = torch.isneginf(scores).all(-1, keepdim=True)
    attn = torch.softmax(scores.masked_fill(dead, 0.0), -1).masked_fill(dead, 0.0)
    assert dropout_p == 0.0
    return attn @ v


def sdpa_case(name, q, k, v, **kw):
    ins = [t.detach().clone().requires_grad_(True) for t in (q, k, v)]
    out = sdpa_ref(*ins, **kw)
    go = torch.randn(out.shape)
    (out * go).sum().backward()
    opts = {G.camel(a): G.jsonable(b) for a, b in kw.items()}
    SDPA.append({"name": name, "inputs": [dict(G.enc(t), requiresGrad=True) for t in ins], "opts": opts,
                 "out": G.enc(out), "gradOut": G.enc(go), "inputGrads": [G.enc(t.grad) for t in ins]})


def gen_sdpa():
    torch.manual_seed(123)
    q, k, v = R(2, 3, 4, 8), R(2, 3, 6, 8), R(2, 3, 6, 5)
    sdpa_case("sdpa/basic_4d", q, k, v)
    sdpa_case("sdpa/scale", q, k, v, scale=0.3)
    sdpa_case("sdpa/float_mask_broadcast", q, k, v, attn_mask=R(4, 6))
    sdpa_case("sdpa/float_mask_full", q, k, v, attn_mask=R(2, 3, 4, 6))
    bm = torch.rand(2, 1, 4, 6) > 0.3
    bm[..., 0] = True
    sdpa_case("sdpa/bool_mask", q, k, v, attn_mask=bm)
    sdpa_case("sdpa/causal_square", R(2, 5, 8), R(2, 5, 8), R(2, 5, 8), is_causal=True)
    sdpa_case("sdpa/causal_rect_L_lt_S", R(1, 2, 3, 4), R(1, 2, 5, 4), R(1, 2, 5, 4), is_causal=True)
    sdpa_case("sdpa/causal_rect_L_gt_S", R(1, 5, 4), R(1, 3, 4), R(1, 3, 4), is_causal=True)
    dead = torch.ones(4, 6, dtype=torch.bool)
    dead[1] = False
    sdpa_case("sdpa/fully_masked_row", q, k, v, attn_mask=dead)
    sdpa_case("sdpa/3d_batch_broadcast", R(3, 4, 8), R(1, 6, 8), R(1, 6, 8))
    sdpa_case("sdpa/2d", R(4, 8), R(6, 8), R(6, 3))


def gen_layers():
    torch.manual_seed(0)
    E = 8
    tgt, mem = R(4, 2, E), R(5, 2, E)
    tgt_bf, mem_bf = R(2, 4, E), R(2, 5, E)
    causal = nn.Transformer.generate_square_subsequent_mask(4)
    bool_causal = torch.triu(torch.ones(4, 4, dtype=torch.bool), diagonal=1)
    kpm_tgt = torch.tensor([[False, False, False, False], [False, False, False, True]])
    kpm_mem = torch.tensor([[False] * 5, [False, False, True, True, True]])
    D = "TransformerDecoderLayer"
    G.layer("TransformerDecoderLayer/post_norm", D, (E, 2), {"dim_feedforward": 16, "dropout": 0.0}, inputs=[tgt, mem])
    G.layer("TransformerDecoderLayer/norm_first_gelu", D, (E, 2), {"dim_feedforward": 16, "dropout": 0.0, "activation": "gelu", "norm_first": True},
            inputs=[tgt, mem], fwd_kwargs={"tgt_mask": causal})
    G.layer("TransformerDecoderLayer/batch_first_bool_masks", D, (E, 4), {"dim_feedforward": 12, "dropout": 0.0, "batch_first": True},
            inputs=[tgt_bf, mem_bf], fwd_kwargs={"tgt_mask": bool_causal, "tgt_key_padding_mask": kpm_tgt, "memory_key_padding_mask": kpm_mem})
    G.layer("TransformerDecoderLayer/float_memory_mask", D, (E, 2), {"dim_feedforward": 16, "dropout": 0.0},
            inputs=[tgt, mem], fwd_kwargs={"tgt_mask": causal, "memory_mask": R(4, 5), "memory_key_padding_mask": kpm_mem})
    G.layer("TransformerDecoderLayer/float_key_padding_masks", D, (E, 2), {"dim_feedforward": 16, "dropout": 0.0},
            inputs=[tgt, mem], fwd_kwargs={"tgt_key_padding_mask": R(2, 4), "memory_key_padding_mask": R(2, 5)})
    G.layer("TransformerDecoderLayer/memory_mask_3d", D, (E, 2), {"dim_feedforward": 16, "dropout": 0.0},
            inputs=[tgt, mem], fwd_kwargs={"memory_mask": R(4, 4, 5)})
    G.layer("TransformerDecoderLayer/unbatched", D, (E, 2), {"dim_feedforward": 16, "dropout": 0.0}, inputs=[R(4, E), R(5, E)],
            fwd_kwargs={"tgt_mask": causal})
    G.layer("TransformerDecoderLayer/eval", D, (E, 2), {"dim_feedforward": 16, "dropout": 0.3}, inputs=[tgt, mem], modes=("eval",))

    def make_silu():
        return nn.TransformerDecoderLayer(E, 2, dim_feedforward=16, dropout=0.0, activation=F.silu)
    G.layer("TransformerDecoderLayer/activation_function", D, (), {}, inputs=[tgt, mem], build="decoder_layer_silu", make=make_silu, perturb=False)

    def make_decoder():
        lyr = nn.TransformerDecoderLayer(E, 2, dim_feedforward=16, dropout=0.0)
        return nn.TransformerDecoder(lyr, 2, norm=nn.LayerNorm(E))
    G.layer("TransformerDecoder/two_layers_norm", "TransformerDecoder", (), {}, inputs=[tgt, mem], build="decoder", make=make_decoder, perturb=False,
            fwd_kwargs={"tgt_mask": causal, "tgt_key_padding_mask": kpm_tgt, "memory_key_padding_mask": kpm_mem})

    T = "Transformer"
    base = {"d_model": E, "nhead": 2, "num_encoder_layers": 2, "num_decoder_layers": 1, "dim_feedforward": 16, "dropout": 0.0}
    src = R(5, 2, E)
    G.layer("Transformer/seq_first_masks", T, (), base, inputs=[src, tgt],
            fwd_kwargs={"tgt_mask": causal, "src_key_padding_mask": kpm_mem, "memory_key_padding_mask": kpm_mem})
    G.layer("Transformer/batch_first_norm_first_gelu", T, (), dict(base, batch_first=True, norm_first=True, activation="gelu"), inputs=[R(2, 5, E), tgt_bf],
            fwd_kwargs={"src_mask": R(5, 5), "tgt_mask": bool_causal, "tgt_key_padding_mask": kpm_tgt})
    G.layer("Transformer/unbatched", T, (), base, inputs=[R(5, E), R(4, E)], fwd_kwargs={"tgt_mask": causal})
    G.layer("Transformer/eval", T, (), dict(base, dropout=0.25), inputs=[src, tgt], modes=("eval",), fwd_kwargs={"tgt_mask": causal})

    def make_custom():
        enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(E, 2, dim_feedforward=16, dropout=0.0), 1)
        dec = nn.TransformerDecoder(nn.TransformerDecoderLayer(E, 2, dim_feedforward=16, dropout=0.0), 1)
        return nn.Transformer(E, 2, custom_encoder=enc, custom_decoder=dec, dropout=0.0)
    G.layer("Transformer/custom_encoder_decoder", T, (), {}, inputs=[src, tgt], build="transformer_custom", make=make_custom, perturb=False)


def err(name, fn):
    try:
        fn()
    except Exception as ex:  # noqa: BLE001
        ERRORS.append({"name": name, "error": str(ex).split("\n")[0]})
        return
    raise SystemExit("expected an error for " + name)


def gen_errors():
    t = nn.Transformer(8, 2, 1, 1, 16, 0.0)
    err("Transformer/batch_mismatch", lambda: t(torch.randn(5, 2, 8), torch.randn(4, 3, 8)))
    err("Transformer/feature_mismatch", lambda: t(torch.randn(5, 2, 8), torch.randn(4, 2, 6)))
    err("TransformerDecoderLayer/bad_activation", lambda: nn.TransformerDecoderLayer(8, 2, activation="tanh"))


def main():
    gen_layers()
    gen_sdpa()
    gen_errors()
    mask = nn.Transformer.generate_square_subsequent_mask(4)
    total = G.write("nn_transformer.json", {"cases": G.LAYERS, "sdpa": SDPA, "masks": {"sz": 4, "mask": G.enc(mask)}, "errors": ERRORS})
    print("%d layer cases, %d sdpa cases, %d errors; %d bytes" % (len(G.LAYERS), len(SDPA), len(ERRORS), total))


if __name__ == "__main__":
    main()
