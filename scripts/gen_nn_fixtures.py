#!/usr/bin/python3
"""Generate PyTorch reference fixtures for torchlet's torch.nn tests.

Run with Debian's PyTorch (CPU):  /usr/bin/python3 scripts/gen_nn_fixtures.py
Writes test/fixtures/nn_layers.json, nn_losses.json, nn_functional.json, nn_train.json.
Deterministic: the same torch version always produces byte-identical output.

VALUE = {"shape": [...], "dtype": "float32"|"int64"|"bool"|..., "data": [flat row-major]}
        (float32 numbers are the shortest decimals that round-trip; "nan"/"inf"/"-inf" for non-finite)

nn_layers.json  {"cases": [LAYER, ...]}
  LAYER = {
    "name":   unique name,
    "layer":  nn class name ("Conv2d"),
    "args":   positional constructor arguments after which ...
    "kwargs": ... PyTorch keyword arguments, camelCase keys (passed as one trailing options object),
    "build":  optional special builder key (TransformerEncoder),
    "mode":   "train" | "eval",
    "state":  {name: VALUE} the module's state_dict before the forward (copied into torchlet's module),
    "inputs": [VALUE + {"requiresGrad": bool}],
    "call":   indices into inputs giving the forward's tensor arguments (self-attention reuses one input),
    "fwdArgs": extra positional forward arguments (non-tensor), "fwdOpts": {camelCase: VALUE | value},
    "out":    VALUE | [VALUE | null, ...] (tuples: MultiheadAttention, return_indices),
    "gradOut": same structure (null for non-float outputs); the loss is sum(out * gradOut),
    "inputGrads": [VALUE | null], "paramGrads": {name: VALUE | null},
    "stateAfter": {name: VALUE} buffers after the forward (BatchNorm running stats),
    "repr": str(module), "atol"/"rtol": optional tolerances
  }
nn_losses.json  {"cases": [{"name", "loss", "args", "kwargs", "inputs", "out", "gradOut", "inputGrads"}]}
nn_functional.json {"cases": [{"name", "fn", "inputs", "args", "kwargs", "out", "gradOut", "inputGrads"}],
                    "errors": [{"name", "error"}]}   (error: PyTorch's message; the TS test maps name -> call)
nn_train.json  {"cnn": TRAIN, "transformer": TRAIN, "bnSteps": [...]}
  TRAIN = {"state": initial state_dict, "x": VALUE, "y": VALUE, "lr": float, "steps": 20,
           "losses": [float, ...], "final": final state_dict}
"""
import json
import math
import os
import re
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float32)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "..", "test", "fixtures")

DTYPE_NAMES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64", torch.int32: "int32",
               torch.bool: "bool"}


def _f32_num(x):
    target = struct.pack("<f", x)
    for digits in range(6, 10):
        s = "%.*g" % (digits, x)
        if struct.pack("<f", float(s)) == target:
            return float(s)
    return float("%.9g" % x)


def enc_num(x, dtype):
    if dtype == torch.bool:
        return bool(x)
    if dtype in (torch.int64, torch.int32):
        return int(x)
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return _f32_num(x) if dtype == torch.float32 else x


def enc(t):
    if t is None:
        return None
    t = t.detach()
    flat = t.contiguous().reshape(-1).tolist()
    return {"shape": list(t.shape), "dtype": DTYPE_NAMES[t.dtype], "data": [enc_num(v, t.dtype) for v in flat]}


def enc_state(m):
    return {k: enc(v) for k, v in m.state_dict().items()}


def camel(s):
    parts = s.split("_")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def jsonable(v):
    if isinstance(v, tuple):
        return [jsonable(x) for x in v]
    if isinstance(v, list):
        return [jsonable(x) for x in v]
    if isinstance(v, torch.Tensor):
        return {"tensor": enc(v)}
    return v


def R(*shape, scale=1.0):
    return torch.randn(*shape) * scale


# ------------------------------------------------------------------------------------------------------------- layers

LAYERS = []
NAMES = set()


def perturb_affine(m, g):
    """Random affine parameters / running stats so normalisation layers are not tested at their trivial init."""
    with torch.no_grad():
        for name, p in m.named_parameters():
            if name.endswith("weight") and isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d, nn.LayerNorm, nn.GroupNorm)):
                p.copy_(1 + 0.3 * torch.randn(p.shape, generator=g))
            elif name.endswith("bias") and isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d, nn.LayerNorm, nn.GroupNorm)):
                p.copy_(0.3 * torch.randn(p.shape, generator=g))
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)) and m.track_running_stats:
            m.running_mean.copy_(0.2 * torch.randn(m.running_mean.shape, generator=g))
            m.running_var.copy_(1 + 0.5 * torch.rand(m.running_var.shape, generator=g))
            m.num_batches_tracked.fill_(3)


def layer(name, cls, args=(), kwargs=None, inputs=(), call=None, fwd_args=(), fwd_kwargs=None, modes=("train",),
          build=None, make=None, atol=None, rtol=None, perturb=True):
    kwargs = kwargs or {}
    fwd_kwargs = fwd_kwargs or {}
    for mode in modes:
        nm = name if len(modes) == 1 else "%s/%s" % (name, mode)
        assert nm not in NAMES, nm
        NAMES.add(nm)
        torch.manual_seed(len(NAMES))
        m = make() if make is not None else getattr(nn, cls)(*args, **kwargs)
        if perturb:
            perturb_affine(m, torch.Generator().manual_seed(len(NAMES)))
        m.train(mode == "train")
        state = enc_state(m)
        ins = [t.detach().clone().requires_grad_(t.is_floating_point()) for t in inputs]
        idx = call if call is not None else list(range(len(ins)))
        out = m(*[ins[i] for i in idx], *fwd_args, **fwd_kwargs)
        outs = list(out) if isinstance(out, tuple) else [out]
        gos = []
        total = 0
        for o in outs:
            if o is not None and o.is_floating_point() and o.requires_grad:
                go = torch.randn(o.shape)
                gos.append(go)
                total = total + (o * go).sum()
            else:
                gos.append(None)
        if not isinstance(total, int):
            total.backward()
        case = {
            "name": nm, "layer": cls, "args": jsonable(list(args)), "kwargs": {camel(k): jsonable(v) for k, v in kwargs.items()},
            "mode": mode, "state": state,
            "inputs": [dict(enc(t), requiresGrad=t.requires_grad) for t in ins], "call": idx,
            "fwdArgs": jsonable(list(fwd_args)), "fwdOpts": {camel(k): jsonable(v) for k, v in fwd_kwargs.items()},
            "out": [enc(o) for o in outs] if isinstance(out, tuple) else enc(out),
            "gradOut": [enc(g) for g in gos] if isinstance(out, tuple) else enc(gos[0]),
            "inputGrads": [enc(t.grad) if t.requires_grad else None for t in ins],
            "paramGrads": {k: enc(p.grad) for k, p in m.named_parameters()},
            "stateAfter": {k: enc(v) for k, v in m.named_buffers()},
            "repr": str(m),
        }
        if build is not None:
            case["build"] = build
        if atol is not None:
            case["atol"] = atol
        if rtol is not None:
            case["rtol"] = rtol
        LAYERS.append(case)


def gen_layers():
    x2 = lambda *s: R(*s)
    TM = ("train", "eval")
    # linear
    layer("Linear/basic", "Linear", (3, 4), inputs=[x2(2, 3)])
    layer("Linear/nobias_3d", "Linear", (3, 4), {"bias": False}, inputs=[x2(2, 2, 3)])
    layer("Linear/1d", "Linear", (3, 2), inputs=[x2(3)])
    layer("Bilinear/basic", "Bilinear", (2, 3, 4), inputs=[x2(5, 2), x2(5, 3)])
    layer("Bilinear/nobias", "Bilinear", (2, 3, 4), {"bias": False}, inputs=[x2(5, 2), x2(5, 3)])
    layer("Identity/basic", "Identity", (), inputs=[x2(2, 3)])
    # conv2d
    layer("Conv2d/basic", "Conv2d", (2, 3, 3), inputs=[x2(2, 2, 6, 6)])
    layer("Conv2d/stride_pad", "Conv2d", (2, 4, 3), {"stride": 2, "padding": 1}, inputs=[x2(2, 2, 7, 6)])
    layer("Conv2d/tuple_args", "Conv2d", (2, 3, (2, 3)), {"stride": (2, 1), "padding": (1, 2), "dilation": (1, 2)}, inputs=[x2(1, 2, 6, 7)])
    layer("Conv2d/same_even", "Conv2d", (2, 3, 4), {"padding": "same", "dilation": 2}, inputs=[x2(1, 2, 7, 7)])
    layer("Conv2d/same_odd", "Conv2d", (2, 3, 3), {"padding": "same"}, inputs=[x2(2, 2, 5, 5)])
    layer("Conv2d/valid", "Conv2d", (2, 3, 3), {"padding": "valid"}, inputs=[x2(1, 2, 5, 5)])
    layer("Conv2d/groups", "Conv2d", (4, 6, 3), {"groups": 2, "padding": 1}, inputs=[x2(2, 4, 5, 5)])
    layer("Conv2d/depthwise", "Conv2d", (3, 3, 3), {"groups": 3, "bias": False}, inputs=[x2(1, 3, 5, 5)])
    layer("Conv2d/dilation", "Conv2d", (2, 2, 3), {"dilation": 2}, inputs=[x2(1, 2, 7, 7)])
    layer("Conv2d/unbatched", "Conv2d", (2, 3, 3), {"padding": 1}, inputs=[x2(2, 5, 5)])
    for mode in ("reflect", "replicate", "circular"):
        layer("Conv2d/pad_" + mode, "Conv2d", (2, 3, 3), {"padding": 1, "padding_mode": mode}, inputs=[x2(1, 2, 5, 6)])
    layer("Conv2d/same_reflect", "Conv2d", (2, 3, 4), {"padding": "same", "padding_mode": "reflect"}, inputs=[x2(1, 2, 6, 6)])
    # conv1d
    layer("Conv1d/basic", "Conv1d", (2, 3, 3), inputs=[x2(2, 2, 8)])
    layer("Conv1d/stride_groups", "Conv1d", (4, 4, 3), {"stride": 2, "padding": 1, "groups": 2}, inputs=[x2(2, 4, 9)])
    layer("Conv1d/same", "Conv1d", (2, 3, 4), {"padding": "same"}, inputs=[x2(1, 2, 7)])
    layer("Conv1d/unbatched", "Conv1d", (2, 3, 3), {"dilation": 2}, inputs=[x2(2, 9)])
    # transposed
    layer("ConvTranspose2d/basic", "ConvTranspose2d", (3, 2, 3), inputs=[x2(2, 3, 4, 4)])
    layer("ConvTranspose2d/stride_outpad", "ConvTranspose2d", (3, 2, 3), {"stride": 2, "padding": 1, "output_padding": 1}, inputs=[x2(1, 3, 4, 5)])
    layer("ConvTranspose2d/groups_dil", "ConvTranspose2d", (4, 6, 3), {"groups": 2, "dilation": 2, "bias": False}, inputs=[x2(1, 4, 3, 3)])
    layer("ConvTranspose2d/output_size", "ConvTranspose2d", (2, 2, 3), {"stride": 2}, inputs=[x2(1, 2, 3, 3)], fwd_kwargs={"output_size": [8, 8]})
    layer("ConvTranspose2d/unbatched", "ConvTranspose2d", (2, 3, (2, 3)), {"stride": (2, 1)}, inputs=[x2(2, 3, 3)])
    layer("ConvTranspose1d/basic", "ConvTranspose1d", (2, 3, 3), {"stride": 2, "padding": 1}, inputs=[x2(2, 2, 5)])
    # pooling
    layer("MaxPool2d/basic", "MaxPool2d", (2,), inputs=[x2(2, 2, 6, 6)])
    layer("MaxPool2d/stride_pad", "MaxPool2d", (3,), {"stride": 2, "padding": 1}, inputs=[x2(1, 2, 7, 6)])
    layer("MaxPool2d/dilation", "MaxPool2d", (2,), {"stride": 1, "dilation": 2}, inputs=[x2(1, 1, 5, 5)])
    layer("MaxPool2d/ceil", "MaxPool2d", (2,), {"ceil_mode": True}, inputs=[x2(1, 2, 5, 5)])
    layer("MaxPool2d/indices", "MaxPool2d", (3,), {"stride": 2, "padding": 1, "return_indices": True}, inputs=[x2(1, 2, 6, 6)])
    layer("MaxPool2d/unbatched_rect", "MaxPool2d", ((2, 3),), {"stride": (1, 2)}, inputs=[x2(2, 5, 7)])
    layer("MaxPool1d/basic", "MaxPool1d", (3,), {"stride": 2, "padding": 1}, inputs=[x2(2, 3, 9)])
    layer("AvgPool2d/basic", "AvgPool2d", (2,), inputs=[x2(2, 2, 6, 6)])
    layer("AvgPool2d/pad", "AvgPool2d", (3,), {"stride": 2, "padding": 1}, inputs=[x2(1, 2, 7, 6)])
    layer("AvgPool2d/no_count_pad", "AvgPool2d", (3,), {"stride": 2, "padding": 1, "count_include_pad": False}, inputs=[x2(1, 2, 7, 6)])
    layer("AvgPool2d/ceil", "AvgPool2d", (3,), {"stride": 2, "ceil_mode": True}, inputs=[x2(1, 1, 6, 6)])
    layer("AvgPool2d/ceil_pad_nocount", "AvgPool2d", (3,), {"stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False}, inputs=[x2(1, 1, 6, 6)])
    layer("AvgPool2d/divisor", "AvgPool2d", (2,), {"divisor_override": 3}, inputs=[x2(1, 2, 4, 4)])
    layer("AvgPool1d/basic", "AvgPool1d", (3,), {"stride": 2, "padding": 1}, inputs=[x2(2, 3, 8)])
    layer("AdaptiveAvgPool2d/7x5_to_3x2", "AdaptiveAvgPool2d", ((3, 2),), inputs=[x2(2, 2, 7, 5)])
    layer("AdaptiveAvgPool2d/global", "AdaptiveAvgPool2d", (1,), inputs=[x2(2, 3, 5, 4)])
    layer("AdaptiveAvgPool2d/none", "AdaptiveAvgPool2d", ((None, 2),), inputs=[x2(1, 3, 4, 5)])
    layer("AdaptiveAvgPool2d/unbatched_up", "AdaptiveAvgPool2d", (4,), inputs=[x2(2, 3, 3)])
    layer("AdaptiveAvgPool1d/basic", "AdaptiveAvgPool1d", (3,), inputs=[x2(2, 2, 7)])
    # normalisation
    layer("BatchNorm1d/2d", "BatchNorm1d", (3,), inputs=[x2(5, 3)], modes=TM)
    layer("BatchNorm1d/3d", "BatchNorm1d", (3,), inputs=[x2(4, 3, 5)], modes=TM)
    layer("BatchNorm1d/no_affine", "BatchNorm1d", (3,), {"affine": False}, inputs=[x2(5, 3)], modes=TM)
    layer("BatchNorm1d/no_track", "BatchNorm1d", (3,), {"track_running_stats": False}, inputs=[x2(5, 3)], modes=TM)
    layer("BatchNorm1d/momentum_none", "BatchNorm1d", (3,), {"momentum": None, "eps": 1e-3}, inputs=[x2(5, 3)], modes=TM)
    layer("BatchNorm2d/basic", "BatchNorm2d", (3,), inputs=[x2(2, 3, 4, 4)], modes=TM)
    layer("BatchNorm2d/momentum", "BatchNorm2d", (2,), {"momentum": 0.3}, inputs=[x2(3, 2, 3, 3)], modes=TM)
    layer("LayerNorm/last", "LayerNorm", (5,), inputs=[x2(3, 5)])
    layer("LayerNorm/two_dims", "LayerNorm", ((3, 4),), {"eps": 1e-3}, inputs=[x2(2, 3, 4)])
    layer("LayerNorm/no_affine", "LayerNorm", (4,), {"elementwise_affine": False}, inputs=[x2(2, 3, 4)])
    layer("GroupNorm/basic", "GroupNorm", (2, 4), inputs=[x2(2, 4, 3, 3)])
    layer("GroupNorm/no_affine_3d", "GroupNorm", (3, 6), {"affine": False}, inputs=[x2(2, 6, 5)])
    # dropout in eval (train is statistical, in the TS tests)
    layer("Dropout/eval", "Dropout", (0.3,), inputs=[x2(4, 5)], modes=("eval",))
    layer("Dropout2d/eval", "Dropout2d", (0.3,), inputs=[x2(2, 3, 4, 4)], modes=("eval",))
    layer("Dropout/p0_train", "Dropout", (0.0,), inputs=[x2(4, 5)])
    # embedding
    idx = torch.tensor([[0, 2, 4], [4, 3, 0]])
    layer("Embedding/basic", "Embedding", (5, 3), inputs=[idx])
    layer("Embedding/padding_idx", "Embedding", (5, 3), {"padding_idx": 0}, inputs=[idx])
    layer("Embedding/padding_idx_neg", "Embedding", (5, 3), {"padding_idx": -1}, inputs=[idx])
    layer("Embedding/max_norm", "Embedding", (5, 3), {"max_norm": 1.0}, inputs=[idx])
    layer("Embedding/scale_grad", "Embedding", (5, 3), {"scale_grad_by_freq": True}, inputs=[idx])
    # shape
    layer("Flatten/default", "Flatten", (), inputs=[x2(2, 3, 2, 2)])
    layer("Flatten/range", "Flatten", (0, 2), inputs=[x2(2, 3, 2, 2)])
    layer("Unflatten/basic", "Unflatten", (1, (2, 3)), inputs=[x2(2, 6)])
    # activations
    a = torch.linspace(-3, 3, 12).reshape(3, 4)
    for cls, args, kw in [("ReLU", (), {}), ("LeakyReLU", (0.2,), {}), ("ELU", (0.5,), {}), ("GELU", (), {}),
                          ("GELU", (), {"approximate": "tanh"}), ("SiLU", (), {}), ("Sigmoid", (), {}), ("Tanh", (), {}),
                          ("Softmax", (1,), {}), ("LogSoftmax", (-1,), {}), ("Softmax", (), {}), ("Softplus", (2.0,), {})]:
        nm = "%s/%s" % (cls, "_".join(str(v) for v in list(args) + list(kw.values())) or "default")
        layer(nm, cls, args, kw, inputs=[a + 0.1 * R(3, 4)])
    # attention
    E = 8
    q, k, v = R(4, 2, E), R(5, 2, E), R(5, 2, E)
    layer("MultiheadAttention/self", "MultiheadAttention", (E, 2), inputs=[q], call=[0, 0, 0])
    layer("MultiheadAttention/cross", "MultiheadAttention", (E, 2), inputs=[q, k, v])
    layer("MultiheadAttention/kv_same", "MultiheadAttention", (E, 4), inputs=[q, k], call=[0, 1, 1])
    layer("MultiheadAttention/batch_first", "MultiheadAttention", (E, 2), {"batch_first": True}, inputs=[R(2, 4, E)], call=[0, 0, 0])
    layer("MultiheadAttention/kdim_vdim", "MultiheadAttention", (E, 2), {"kdim": 5, "vdim": 3}, inputs=[q, R(5, 2, 5), R(5, 2, 3)])
    layer("MultiheadAttention/bias_kv_zero_attn", "MultiheadAttention", (E, 2), {"add_bias_kv": True, "add_zero_attn": True}, inputs=[q, k, v],
          fwd_kwargs={"attn_mask": torch.tensor([[False] * 4 + [True]] * 4), "key_padding_mask": torch.tensor([[False] * 5, [False, False, True, False, True]])})
    layer("MultiheadAttention/nobias", "MultiheadAttention", (E, 2), {"bias": False}, inputs=[q], call=[0, 0, 0])
    layer("MultiheadAttention/bool_masks", "MultiheadAttention", (E, 2), inputs=[q, k, v],
          fwd_kwargs={"attn_mask": torch.tensor([[False, True, False, False, True]] * 4), "key_padding_mask": torch.tensor([[False] * 5, [True, False, False, False, False]])})
    layer("MultiheadAttention/float_mask_3d", "MultiheadAttention", (E, 2), inputs=[q, k, v],
          fwd_kwargs={"attn_mask": R(4, 4, 5)})
    layer("MultiheadAttention/per_head_weights", "MultiheadAttention", (E, 2), inputs=[q], call=[0, 0, 0],
          fwd_kwargs={"average_attn_weights": False})
    layer("MultiheadAttention/no_weights", "MultiheadAttention", (E, 2), inputs=[q], call=[0, 0, 0], fwd_kwargs={"need_weights": False})
    layer("MultiheadAttention/unbatched", "MultiheadAttention", (E, 2), inputs=[R(3, E)], call=[0, 0, 0])
    layer("MultiheadAttention/eval_dropout", "MultiheadAttention", (E, 2), {"dropout": 0.5}, inputs=[q], call=[0, 0, 0], modes=("eval",))
    src = R(5, 2, E)
    layer("TransformerEncoderLayer/post_norm", "TransformerEncoderLayer", (E, 2), {"dim_feedforward": 16, "dropout": 0.0}, inputs=[src])
    layer("TransformerEncoderLayer/norm_first_gelu", "TransformerEncoderLayer", (E, 2), {"dim_feedforward": 16, "dropout": 0.0, "activation": "gelu", "norm_first": True}, inputs=[src])
    layer("TransformerEncoderLayer/batch_first_masks", "TransformerEncoderLayer", (E, 4), {"dim_feedforward": 12, "dropout": 0.0, "batch_first": True},
          inputs=[R(2, 5, E)], fwd_kwargs={"src_mask": torch.triu(torch.full((5, 5), float("-inf")), diagonal=1), "src_key_padding_mask": torch.tensor([[False] * 5, [False, False, False, True, True]])})
    layer("TransformerEncoderLayer/eval", "TransformerEncoderLayer", (E, 2), {"dim_feedforward": 16, "dropout": 0.3}, inputs=[src], modes=("eval",))

    def make_encoder():
        lyr = nn.TransformerEncoderLayer(E, 2, dim_feedforward=16, dropout=0.0)
        return nn.TransformerEncoder(lyr, 2, norm=nn.LayerNorm(E))
    layer("TransformerEncoder/two_layers_norm", "TransformerEncoder", (), {}, inputs=[src], build="encoder", make=make_encoder, perturb=False)


# ------------------------------------------------------------------------------------------------------------- losses

LOSSES = []


def loss_case(name, cls, args=(), kwargs=None, inputs=(), grad_target=False):
    kwargs = kwargs or {}
    assert name not in NAMES, name
    NAMES.add(name)
    ins = [t.detach().clone() for t in inputs]
    ins[0].requires_grad_(True)
    if grad_target and ins[1].is_floating_point():
        ins[1].requires_grad_(True)
    py_kwargs = dict(kwargs)
    m = getattr(nn, cls)(*args, **py_kwargs)
    out = m(*ins)
    go = torch.randn(out.shape)
    (out * go).sum().backward()
    LOSSES.append({
        "name": name, "loss": cls, "args": jsonable(list(args)), "kwargs": {camel(k): jsonable(v) for k, v in kwargs.items()},
        "inputs": [dict(enc(t), requiresGrad=t.requires_grad) for t in ins],
        "out": enc(out), "gradOut": enc(go), "inputGrads": [enc(t.grad) if t.requires_grad else None for t in ins],
        "repr": str(m),
    })


def gen_losses():
    torch.manual_seed(1234)
    N, C = 5, 4
    logits = R(N, C)
    tgt = torch.tensor([0, 1, 3, 1, 2])
    w = torch.tensor([0.5, 2.0, 1.0, 1.5])
    for red in ("mean", "sum", "none"):
        for wname, wt in (("nw", None), ("w", w)):
            for ii in (-100, 1):
                for ls in (0.0, 0.2):
                    kw = {"reduction": red, "ignore_index": ii, "label_smoothing": ls}
                    if wt is not None:
                        kw["weight"] = wt
                    loss_case("CrossEntropyLoss/idx_%s_%s_ii%d_ls%g" % (red, wname, ii, ls), "CrossEntropyLoss", (), kw, [logits, tgt])
            probs = torch.softmax(R(N, C), 1)
            for ls in (0.0, 0.2):
                kw = {"reduction": red, "label_smoothing": ls}
                if wt is not None:
                    kw["weight"] = wt
                loss_case("CrossEntropyLoss/prob_%s_%s_ls%g" % (red, wname, ls), "CrossEntropyLoss", (), kw, [logits, probs], grad_target=True)
    loss_case("CrossEntropyLoss/spatial", "CrossEntropyLoss", (), {"weight": w, "ignore_index": 2}, [R(2, C, 3, 2), torch.tensor([[[0, 1], [2, 3], [1, 1]], [[3, 2], [0, 0], [2, 1]]])])
    loss_case("CrossEntropyLoss/spatial_ls_none", "CrossEntropyLoss", (), {"label_smoothing": 0.1, "reduction": "none"}, [R(2, C, 3), torch.tensor([[0, 1, 2], [3, 2, 0]])])
    loss_case("CrossEntropyLoss/unbatched", "CrossEntropyLoss", (), {}, [R(C), torch.tensor(2)])
    loss_case("CrossEntropyLoss/all_ignored", "CrossEntropyLoss", (), {"ignore_index": 1}, [R(2, C), torch.tensor([1, 1])])
    loss_case("CrossEntropyLoss/legacy_size_average", "CrossEntropyLoss", (None, False), {}, [logits, tgt])
    loss_case("CrossEntropyLoss/legacy_reduce", "CrossEntropyLoss", (), {"reduce": False}, [logits, tgt])
    lp = torch.log_softmax(R(N, C), 1)
    for red in ("mean", "sum", "none"):
        for wname, wt in (("nw", None), ("w", w)):
            for ii in (-100, 3):
                kw = {"reduction": red, "ignore_index": ii}
                if wt is not None:
                    kw["weight"] = wt
                loss_case("NLLLoss/%s_%s_ii%d" % (red, wname, ii), "NLLLoss", (), kw, [lp, tgt])
    loss_case("NLLLoss/spatial", "NLLLoss", (), {}, [torch.log_softmax(R(2, C, 2, 2), 1), torch.tensor([[[0, 1], [2, 3]], [[1, 1], [0, 2]]])])
    a, b = R(3, 4), R(3, 4)
    for red in ("mean", "sum", "none"):
        loss_case("MSELoss/" + red, "MSELoss", (), {"reduction": red}, [a, b], grad_target=True)
        loss_case("L1Loss/" + red, "L1Loss", (), {"reduction": red}, [a, b], grad_target=True)
        for beta in (1.0, 0.5, 0.0):
            loss_case("SmoothL1Loss/%s_b%g" % (red, beta), "SmoothL1Loss", (), {"reduction": red, "beta": beta}, [a, b * 2])
        for delta in (1.0, 0.5, 2.0):
            loss_case("HuberLoss/%s_d%g" % (red, delta), "HuberLoss", (), {"reduction": red, "delta": delta}, [a, b * 2])
        p = torch.sigmoid(R(3, 4))
        t = torch.rand(3, 4)
        bw = torch.rand(3, 4) + 0.5
        loss_case("BCELoss/" + red, "BCELoss", (), {"reduction": red}, [p, t])
        loss_case("BCELoss/w_" + red, "BCELoss", (), {"reduction": red, "weight": bw}, [p, t])
        z = R(3, 4) * 2
        pw = torch.tensor([0.5, 1.0, 2.0, 3.0])
        loss_case("BCEWithLogitsLoss/" + red, "BCEWithLogitsLoss", (), {"reduction": red}, [z, t])
        loss_case("BCEWithLogitsLoss/w_" + red, "BCEWithLogitsLoss", (), {"reduction": red, "weight": bw}, [z, t])
        loss_case("BCEWithLogitsLoss/pw_" + red, "BCEWithLogitsLoss", (), {"reduction": red, "pos_weight": pw}, [z, t])
        loss_case("BCEWithLogitsLoss/w_pw_" + red, "BCEWithLogitsLoss", (), {"reduction": red, "weight": bw, "pos_weight": pw}, [z, t])
    kin = torch.log_softmax(R(3, 4), 1)
    kt = torch.softmax(R(3, 4), 1)
    kt[0, 1] = 0.0
    for red in ("mean", "batchmean", "sum", "none"):
        loss_case("KLDivLoss/" + red, "KLDivLoss", (), {"reduction": red}, [kin, kt])
        loss_case("KLDivLoss/log_" + red, "KLDivLoss", (), {"reduction": red, "log_target": True}, [kin, torch.log_softmax(R(3, 4), 1)])
    loss_case("MSELoss/legacy_sum", "MSELoss", (False,), {}, [a, b])
    loss_case("L1Loss/legacy_none", "L1Loss", (None, False), {}, [a, b])
    loss_case("BCELoss/clamp_log", "BCELoss", (), {}, [torch.tensor([0.0, 1.0, 0.5, 1e-30]), torch.tensor([1.0, 0.0, 0.5, 1.0])])


# ------------------------------------------------------------------------------------------------------------- functional

FUNCS = []
ERRORS = []


def fcase(name, fn_key, fn, inputs, args=None, kwargs=None, grad=True):
    assert name not in NAMES, name
    NAMES.add(name)
    ins = [t.detach().clone() for t in inputs]
    mask = grad if isinstance(grad, list) else [grad] * len(ins)
    for t, g in zip(ins, mask):
        if g and t.is_floating_point():
            t.requires_grad_(True)
    out = fn(*ins)
    entry = {"name": name, "fn": fn_key, "inputs": [dict(enc(t), requiresGrad=t.requires_grad) for t in ins],
             "args": jsonable(args or []), "kwargs": {k: jsonable(v) for k, v in (kwargs or {}).items()}, "out": enc(out)}
    if out.is_floating_point() and out.requires_grad:
        go = torch.randn(out.shape)
        (out * go).sum().backward()
        entry["gradOut"] = enc(go)
        entry["inputGrads"] = [enc(t.grad) if t.requires_grad else None for t in ins]
    FUNCS.append(entry)


def sort_sets(msg):
    """Python prints sets in hash order (which varies between runs); list their items sorted."""
    return re.sub(r"\{('[^{}]*')\}", lambda m: "{" + ", ".join(sorted(x.strip() for x in m.group(1).split(","))) + "}", msg)


def err(name, fn):
    try:
        fn()
    except Exception as ex:  # noqa: BLE001
        text = ex.args[0] if isinstance(ex, KeyError) else str(ex)  # str(KeyError) adds quotes
        msg = sort_sets(text.split("\n")[0] if not name.startswith("load_state_dict") else text)
        ERRORS.append({"name": name, "error": msg})
        return
    raise SystemExit("expected an error for " + name)


def gen_functional():
    torch.manual_seed(99)
    # the im2col / col2im primitives through unfold / fold
    for (nm, shape, k, kw) in [("basic", (2, 3, 5, 5), 3, {}), ("stride_pad", (1, 2, 6, 7), (2, 3), {"stride": (2, 1), "padding": (1, 2)}),
                               ("dilation", (1, 1, 7, 7), 2, {"dilation": 2, "stride": 2}), ("overlap", (1, 2, 4, 4), 3, {"padding": 1})]:
        fcase("unfold/" + nm, "unfold", lambda x, k=k, kw=kw: F.unfold(x, k, **kw), [R(*shape)], [k], kw)
        x = R(*shape)
        cols = F.unfold(x, k, **kw)
        fcase("fold/" + nm, "fold", lambda c, k=k, kw=kw, hw=list(shape[2:]): F.fold(c, hw, k, **kw), [R(*cols.shape)], [list(shape[2:]), k], kw)
    fcase("unfold/unbatched", "unfold", lambda x: F.unfold(x, 2), [R(2, 3, 3)], [2], {})
    # one_hot
    fcase("oneHot/infer", "oneHot", lambda t: F.one_hot(t), [torch.tensor([[0, 3], [2, 1]])], [], {}, grad=False)
    fcase("oneHot/classes", "oneHot", lambda t: F.one_hot(t, 5), [torch.tensor([0, 3, 2])], [5], {}, grad=False)
    fcase("oneHot/empty_given", "oneHot", lambda t: F.one_hot(t, 3), [torch.zeros(0, dtype=torch.long)], [3], {}, grad=False)
    fcase("oneHot/scalar", "oneHot", lambda t: F.one_hot(t, 4), [torch.tensor(2)], [4], {}, grad=False)
    # pad
    for mode in ("constant", "reflect", "replicate", "circular"):
        fcase("pad/" + mode, "pad", lambda x, mode=mode: F.pad(x, (1, 2, 2, 1), mode=mode), [R(1, 2, 3, 4)], [[1, 2, 2, 1], mode], {})
    fcase("pad/constant_value_3d", "pad", lambda x: F.pad(x, (0, 1, 1, 0, 2, 1), value=1.5), [R(2, 3, 2)], [[0, 1, 1, 0, 2, 1], "constant", 1.5], {})
    fcase("pad/negative", "pad", lambda x: F.pad(x, (-1, 2)), [R(2, 5)], [[-1, 2]], {})
    # functional forms with no module
    fcase("dropout/eval", "dropout", lambda x: F.dropout(x, 0.5, training=False), [R(3, 4)], [0.5, False], {})
    fcase("batchNorm/eval_fn", "batchNorm", lambda x, rm, rv, w, b: F.batch_norm(x, rm, rv, w, b, False, 0.1, 1e-5),
          [R(4, 3), R(3), torch.rand(3) + 0.5, R(3), R(3)], [False, 0.1, 1e-5], {}, grad=[True, False, False, True, True])
    fcase("layerNorm/fn", "layerNorm", lambda x, w, b: F.layer_norm(x, (4,), w, b), [R(3, 4), R(4), R(4)], [[4]], {})
    fcase("groupNorm/fn", "groupNorm", lambda x: F.group_norm(x, 2), [R(2, 4, 3)], [2], {})
    fcase("embedding/fn", "embedding", lambda i, w: F.embedding(i, w, padding_idx=1), [torch.tensor([1, 2, 1, 0]), R(4, 3)], [1], {})
    fcase("conv2d/fn_groups", "conv2d", lambda x, w, b: F.conv2d(x, w, b, stride=1, padding=1, groups=2), [R(1, 4, 4, 4), R(6, 2, 3, 3), R(6)], [], {"padding": 1, "groups": 2})
    fcase("maxPool2d/fn", "maxPool2d", lambda x: F.max_pool2d(x, 2, 1), [R(1, 2, 4, 4)], [2, 1], {})
    fcase("avgPool2d/fn", "avgPool2d", lambda x: F.avg_pool2d(x, 2), [R(1, 2, 4, 4)], [2], {})
    fcase("adaptiveAvgPool2d/fn", "adaptiveAvgPool2d", lambda x: F.adaptive_avg_pool2d(x, (2, 3)), [R(1, 2, 5, 7)], [[2, 3]], {})
    fcase("linear/fn", "linear", lambda x, w, b: F.linear(x, w, b), [R(2, 3), R(4, 3), R(4)], [], {})
    fcase("crossEntropy/fn_positional", "crossEntropy", lambda x, t: F.cross_entropy(x, t, None, None, -100, None, "sum", 0.1),
          [R(3, 4), torch.tensor([0, 3, 1])], [None, None, -100, None, "sum", 0.1], {})

    # errors (the TS test maps each name to the same call)
    err("linear_mismatch", lambda: F.linear(torch.randn(4, 3), torch.randn(2, 5)))
    err("linear_mismatch_3d", lambda: nn.Linear(5, 2)(torch.randn(2, 4, 3)))
    err("linear_mismatch_1d", lambda: nn.Linear(5, 2)(torch.randn(3)))
    err("conv2d_2d_input", lambda: nn.Conv2d(3, 4, 3)(torch.randn(2, 3)))
    err("conv2d_channels", lambda: nn.Conv2d(3, 4, 3)(torch.randn(1, 4, 8, 8)))
    err("conv2d_small", lambda: nn.Conv2d(3, 4, 3)(torch.randn(1, 3, 2, 2)))
    err("conv1d_dims", lambda: nn.Conv1d(3, 4, 3)(torch.randn(1, 3, 2, 2)))
    err("conv_same_strided", lambda: nn.Conv2d(3, 4, 3, stride=2, padding="same"))
    err("conv_bad_padding", lambda: nn.Conv2d(3, 4, 3, padding="foo"))
    err("conv_groups_in", lambda: nn.Conv2d(3, 4, 3, groups=2))
    err("conv_groups_out", lambda: nn.Conv2d(4, 3, 3, groups=2))
    err("conv_padding_mode", lambda: nn.Conv2d(4, 3, 3, padding_mode="foo"))
    err("convT_dims", lambda: nn.ConvTranspose2d(3, 2, 3)(torch.randn(2, 3)))
    err("convT_outpad", lambda: nn.ConvTranspose2d(3, 2, 3, stride=2, output_padding=2)(torch.randn(1, 3, 4, 4)))
    err("convT_output_size", lambda: nn.ConvTranspose2d(2, 2, 3, stride=2)(torch.randn(1, 2, 3, 3), output_size=[10, 10]))
    err("maxpool_dims", lambda: nn.MaxPool2d(3)(torch.randn(2, 3)))
    err("maxpool_pad", lambda: nn.MaxPool2d(3, padding=2)(torch.randn(1, 1, 8, 8)))
    err("maxpool_small", lambda: nn.MaxPool2d(3)(torch.randn(1, 1, 2, 2)))
    err("avgpool_small", lambda: nn.AvgPool2d(3)(torch.randn(1, 1, 2, 2)))
    err("adaptive_dims", lambda: nn.AdaptiveAvgPool2d(2)(torch.randn(3)))
    err("bn_single", lambda: nn.BatchNorm1d(3)(torch.randn(1, 3)))
    err("bn1d_dim", lambda: nn.BatchNorm1d(3)(torch.randn(1, 3, 4, 4)))
    err("bn2d_dim", lambda: nn.BatchNorm2d(3)(torch.randn(1, 3, 4)))
    err("bn_channels", lambda: nn.BatchNorm2d(3)(torch.randn(2, 4, 4, 4)))
    err("layernorm_shape", lambda: nn.LayerNorm(3)(torch.randn(2, 4)))
    err("groupnorm_div", lambda: nn.GroupNorm(2, 3))
    err("groupnorm_input", lambda: F.group_norm(torch.randn(2, 3, 5), 2))
    err("dropout_p", lambda: nn.Dropout(1.5))
    err("embedding_oob", lambda: nn.Embedding(5, 3)(torch.tensor([5])))
    err("embedding_float", lambda: nn.Embedding(5, 3)(torch.tensor([1.0])))
    err("embedding_pad", lambda: nn.Embedding(5, 3, padding_idx=7))
    err("onehot_float", lambda: F.one_hot(torch.tensor([1.0])))
    err("onehot_neg", lambda: F.one_hot(torch.tensor([-1])))
    err("onehot_big", lambda: F.one_hot(torch.tensor([3]), 3))
    err("onehot_empty", lambda: F.one_hot(torch.tensor([], dtype=torch.long)))
    err("ce_oob", lambda: F.cross_entropy(torch.randn(2, 3), torch.tensor([0, 5])))
    err("ce_neg_oob", lambda: F.cross_entropy(torch.randn(2, 3), torch.tensor([0, -5])))
    err("ce_batch", lambda: F.cross_entropy(torch.randn(2, 3), torch.tensor([0, 1, 2])))
    err("ce_prob_ignore", lambda: F.cross_entropy(torch.randn(2, 3), torch.rand(2, 3), ignore_index=1))
    err("ce_weight", lambda: F.cross_entropy(torch.randn(2, 3), torch.tensor([0, 1]), weight=torch.ones(4)))
    err("ce_multi_target", lambda: F.cross_entropy(torch.randn(2, 3), torch.randn(2, 4)))
    err("ce_spatial_target", lambda: F.cross_entropy(torch.randn(2, 3, 4), torch.tensor([[0, 1, 2], [0, 1, 2]])))
    err("nll_float_target", lambda: F.nll_loss(torch.randn(2, 3), torch.tensor([0.0, 1.0])))
    err("reduction_bad", lambda: F.nll_loss(torch.randn(2, 3), torch.tensor([0, 1]), reduction="foo"))
    err("bce_size", lambda: F.binary_cross_entropy(torch.rand(2, 1), torch.rand(2)))
    err("bce_range", lambda: F.binary_cross_entropy(torch.rand(2) + 1, torch.rand(2)))
    err("bcel_size", lambda: F.binary_cross_entropy_with_logits(torch.rand(2, 1), torch.rand(2)))
    err("mha_div", lambda: nn.MultiheadAttention(5, 2))
    err("unflatten", lambda: nn.Unflatten(1, (2, 2))(torch.randn(2, 3)))
    err("bilinear_size", lambda: nn.Bilinear(2, 3, 4)(torch.randn(5, 3), torch.randn(5, 3)))
    err("register_buffer_dot", lambda: nn.Module().register_buffer("a.b", None))
    err("register_parameter_tensor", lambda: nn.Module().register_parameter("a", torch.zeros(1)))
    err("register_buffer_int", lambda: nn.Module().register_buffer("a", 3))
    err("assign_tensor_to_param", lambda: setattr(nn.Linear(2, 3), "weight", torch.zeros(1)))
    err("missing_forward", lambda: nn.Module().forward(1))
    err("load_state_dict_linear", lambda: nn.Linear(30, 10).load_state_dict({"weight": torch.zeros(10, 20), "foo": torch.zeros(1)}))
    seq = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 2))
    err("load_state_dict_seq", lambda: seq.load_state_dict({"0.weight": torch.zeros(2, 3), "x.y": torch.zeros(1), "0.foo": torch.zeros(1), "2.bias": torch.zeros(3)}))

    # the nn kernels' backward paths (appended after everything else with their own seed, so earlier cases keep
    # their values): conv with groups + dilation + stride + asymmetric arguments, pooling with ceil mode and
    # padding, nll with ignore_index and class weights, embedding with padding_idx and scale_grad_by_freq
    torch.manual_seed(2024)
    fcase("conv2d/bwd_groups_dil_stride", "conv2d", lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2), dilation=(2, 1), groups=3),
          [R(2, 6, 9, 8), R(9, 2, 3, 2), R(9)], [], {"stride": [2, 1], "padding": [1, 2], "dilation": [2, 1], "groups": 3})
    fcase("conv2d/bwd_depthwise_nobias", "conv2d", lambda x, w: F.conv2d(x, w, None, stride=2, padding=2, dilation=2, groups=4),
          [R(1, 4, 7, 7), R(8, 1, 3, 3)], [], {"stride": 2, "padding": 2, "dilation": 2, "groups": 4})
    fcase("conv1d/bwd_groups_stride_dil", "conv1d", lambda x, w, b: F.conv1d(x, w, b, stride=3, padding=1, dilation=2, groups=2),
          [R(2, 4, 11), R(6, 2, 3), R(6)], [], {"stride": 3, "padding": 1, "dilation": 2, "groups": 2})
    fcase("convTranspose2d/bwd_groups_outpad", "convTranspose2d",
          lambda x, w, b: F.conv_transpose2d(x, w, b, stride=(2, 3), padding=(1, 0), output_padding=(1, 2), groups=2, dilation=(1, 1)),
          [R(2, 4, 3, 4), R(4, 3, 3, 2), R(6)], [], {"stride": [2, 3], "padding": [1, 0], "outputPadding": [1, 2], "groups": 2})
    fcase("maxPool2d/ceil_pad_dil", "maxPool2dOpts", lambda x: F.max_pool2d(x, 3, stride=2, padding=1, dilation=2, ceil_mode=True),
          [R(2, 3, 8, 9)], [3], {"stride": 2, "padding": 1, "dilation": 2, "ceilMode": True})
    fcase("maxPool2d/ceil_rect", "maxPool2dOpts", lambda x: F.max_pool2d(x, (3, 2), stride=(2, 2), padding=(1, 1), ceil_mode=True),
          [R(1, 2, 7, 6)], [[3, 2]], {"stride": [2, 2], "padding": [1, 1], "ceilMode": True})
    fcase("avgPool2d/ceil_pad_count", "avgPool2dOpts", lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=True),
          [R(1, 2, 7, 8)], [3], {"stride": 2, "padding": 1, "ceilMode": True, "countIncludePad": True})
    fcase("avgPool2d/rect_divisor_ceil", "avgPool2dOpts", lambda x: F.avg_pool2d(x, (3, 2), stride=(2, 1), padding=(1, 0), ceil_mode=True, divisor_override=5),
          [R(2, 1, 6, 5)], [[3, 2]], {"stride": [2, 1], "padding": [1, 0], "ceilMode": True, "divisorOverride": 5})
    for red in ("mean", "sum", "none"):
        fcase("nllLoss/ignore_weight_" + red, "nllLoss", lambda x, t, w, red=red: F.nll_loss(x, t, w, ignore_index=2, reduction=red),
              [torch.log_softmax(R(6, 5), 1), torch.tensor([0, 2, 4, 2, 1, 3]), torch.rand(5) + 0.1], [], {"ignoreIndex": 2, "reduction": red},
              grad=[True, False, False])
    fcase("nllLoss/spatial_ignore_weight", "nllLoss", lambda x, t, w: F.nll_loss(x, t, w, ignore_index=-1),
          [torch.log_softmax(R(2, 4, 3, 2), 1), torch.tensor([[[0, -1], [3, 2], [1, 1]], [[-1, 2], [0, 0], [3, -1]]]), torch.rand(4) + 0.1],
          [], {"ignoreIndex": -1}, grad=[True, False, False])
    fcase("embedding/pad_scale_freq", "embeddingOpts", lambda i, w: F.embedding(i, w, padding_idx=0, scale_grad_by_freq=True),
          [torch.tensor([[0, 2, 2], [3, 2, 0]]), R(5, 3)], [], {"paddingIdx": 0, "scaleGradByFreq": True})


# ------------------------------------------------------------------------------------------------------------- training

class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(8 * 2 * 2, 16), nn.ReLU(), nn.Linear(16, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


class TinyTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(12, 16)
        self.encoder = nn.TransformerEncoder(
            nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, dropout=0.0, batch_first=True), 2)
        self.head = nn.Linear(16, 3)

    def forward(self, tokens):
        return self.head(self.encoder(self.embed(tokens)).mean(1))


def train_run(model, x, y, lr, steps=20):
    state = enc_state(model)
    losses = []
    model.train()
    for _ in range(steps):
        model.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p.sub_(p.grad, alpha=lr)
        losses.append(float(loss))
    return {"state": state, "x": enc(x), "y": enc(y), "lr": lr, "steps": steps, "losses": losses, "final": enc_state(model)}


def gen_train():
    torch.manual_seed(7)
    cnn = CNN()
    x = torch.rand(16, 1, 8, 8)
    y = torch.randint(0, 10, (16,))
    cnn_run = train_run(cnn, x, y, 0.1)
    torch.manual_seed(8)
    tr = TinyTransformer()
    tokens = torch.randint(0, 12, (8, 6))
    labels = torch.randint(0, 3, (8,))
    tr_run = train_run(tr, tokens, labels, 0.05)
    # BatchNorm running statistics over several steps, then eval
    steps = []
    for nm, kw in (("default", {}), ("momentum_none", {"momentum": None}), ("momentum_0.5", {"momentum": 0.5})):
        bn = nn.BatchNorm2d(3, **kw)
        xs = [R(4, 3, 2, 2) * (i + 1) + i for i in range(4)]
        stats = []
        for xi in xs:
            bn(xi)
            stats.append({k: enc(v) for k, v in bn.named_buffers()})
        bn.eval()
        xe = R(2, 3, 2, 2)
        steps.append({"name": nm, "kwargs": {camel(k): v for k, v in kw.items()}, "inputs": [enc(t) for t in xs], "stats": stats,
                      "evalInput": enc(xe), "evalOut": enc(bn(xe))})
    return {"cnn": cnn_run, "transformer": tr_run, "bnSteps": steps}


def write(name, obj):
    path = os.path.join(OUT_DIR, name)
    with open(path, "w") as f:
        f.write("{\"torch_version\": %s, " % json.dumps(torch.__version__))
        parts = []
        for k, v in obj.items():
            if isinstance(v, list):
                parts.append("%s: [\n%s\n]" % (json.dumps(k), ",\n".join(json.dumps(c, separators=(",", ":"), allow_nan=False) for c in v)))
            else:
                parts.append("%s: %s" % (json.dumps(k), json.dumps(v, separators=(",", ":"), allow_nan=False)))
        f.write(",\n".join(parts) + "}\n")
    return os.path.getsize(path)


def main():
    gen_layers()
    gen_losses()
    gen_functional()
    train = gen_train()
    os.makedirs(OUT_DIR, exist_ok=True)
    total = 0
    total += write("nn_layers.json", {"cases": LAYERS})
    total += write("nn_losses.json", {"cases": LOSSES})
    total += write("nn_functional.json", {"cases": FUNCS, "errors": ERRORS})
    total += write("nn_train.json", train)
    print("%d layer cases, %d loss cases, %d functional cases, %d errors; %d bytes" % (
        len(LAYERS), len(LOSSES), len(FUNCS), len(ERRORS), total))
    if total > 3_000_000:
        sys.exit("nn fixtures exceed 3 MB")


if __name__ == "__main__":
    main()
