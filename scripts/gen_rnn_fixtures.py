#!/usr/bin/python3
"""Generate PyTorch reference fixtures for torchlet's recurrent layers and nn.utils.rnn.

Run with Debian's PyTorch (CPU):  /usr/bin/python3 scripts/gen_rnn_fixtures.py
Writes test/fixtures/rnn.json. Deterministic (seeded per case).

VALUE as in gen_nn_fixtures.py: {"shape", "dtype", "data"}.

{"layers": [LAYER], "utils": [UTIL], "errors": [{"name", "error"}]}
  LAYER = {
    "name", "kind": "RNN" | "LSTM" | "GRU" | "RNNCell" | "LSTMCell" | "GRUCell",
    "args": positional constructor arguments, "kwargs": camelCase options ({} for none),
    "mode": "train" | "eval", "repr": str(module),
    "state": {name: VALUE}  the module's state_dict (loaded into torchlet's module), in PyTorch's order,
    "input": VALUE (requires grad),
    "packed": null | {"lengths": [...], "batchFirst": bool, "enforceSorted": bool}  (input is then the padded
              batch, packed with pack_padded_sequence before the layer; outputs are the packed output's data,
              batchSizes, and the final states),
    "hx": null | VALUE | [VALUE, VALUE]  (requires grad),
    "outs": [VALUE]  output (packed data for packed input), hN (, cN for LSTM / the LSTMCell's c'),
    "gradOuts": [VALUE]  the loss is sum(out_i * gradOut_i),
    "inputGrad": VALUE, "hxGrads": [VALUE], "paramGrads": {name: VALUE}, "batchSizes": [...] (packed only),
    "atol", "rtol"
  }
  UTIL = {"name", "fn": "padSequence" | "packPaddedSequence" | "padPackedSequence" | "packSequence",
          "inputs": [VALUE], "kwargs": {...}, "outs": {...}, "gradOut": VALUE, "inputGrads": [VALUE]}
"""
import json
import os
import sys
import warnings

import torch
import torch.nn as nn
from torch.nn.utils import rnn as U

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gen_nn_fixtures import enc, camel  # noqa: E402

OUT = os.path.join(HERE, "..", "test", "fixtures", "rnn.json")
LAYERS, UTILS, ERRORS = [], [], []
NAMES = set()


def R(*shape, dtype=torch.float32):
    return torch.randn(*shape, dtype=dtype)


def layer(name, kind, args, kwargs=None, T=5, B=3, unbatched=False, hx=False, packed=None, mode="train",
          atol=None, rtol=None):
    kwargs = kwargs or {}
    assert name not in NAMES, name
    NAMES.add(name)
    torch.manual_seed(len(NAMES) * 7 + 1)
    dtype = kwargs.get("dtype", torch.float32)
    m = getattr(nn, kind)(*args, **kwargs)
    m.train(mode == "train")
    cell = kind.endswith("Cell")
    lstm = kind.startswith("LSTM")
    I, H = args[0], args[1]
    nl = kwargs.get("num_layers", args[2] if len(args) > 2 and not cell else 1)
    D = 2 if kwargs.get("bidirectional") else 1
    P = kwargs.get("proj_size", 0) or H
    bf = kwargs.get("batch_first", False)
    if cell:
        x = R(I, dtype=dtype) if unbatched else R(B, I, dtype=dtype)
    elif unbatched:
        x = R(T, I, dtype=dtype)
    else:
        x = R(B, T, I, dtype=dtype) if bf or (packed and packed["batchFirst"]) else R(T, B, I, dtype=dtype)
    x.requires_grad_(True)
    h = None
    if hx:
        if cell:
            hs = (H,) if unbatched else (B, H)
            h = [R(*hs, dtype=dtype).requires_grad_(), R(*hs, dtype=dtype).requires_grad_()] if lstm else R(*hs, dtype=dtype).requires_grad_()
        else:
            lead = (nl * D,) if unbatched else (nl * D, B)
            h = [R(*lead, P, dtype=dtype).requires_grad_(), R(*lead, H, dtype=dtype).requires_grad_()] if lstm else R(*lead, P, dtype=dtype).requires_grad_()
    arg = x
    if packed:
        arg = U.pack_padded_sequence(x, packed["lengths"], batch_first=packed["batchFirst"], enforce_sorted=packed["enforceSorted"])
    res = m(arg, tuple(h) if isinstance(h, list) else h) if h is not None else m(arg)
    if cell:
        outs = list(res) if lstm else [res]
    else:
        out, hn = res
        outs = [out.data if packed else out] + (list(hn) if lstm else [hn])
    gouts = [torch.randn(o.shape, dtype=dtype) for o in outs]
    loss = sum((o * g).sum() for o, g in zip(outs, gouts))
    loss.backward()
    hl = h if isinstance(h, list) else ([] if h is None else [h])
    kw = {camel(k): (str(v).replace("torch.", "") if k == "dtype" else v) for k, v in kwargs.items()}
    case = {
        "name": name, "kind": kind, "args": list(args), "kwargs": kw, "mode": mode, "repr": str(m),
        "state": {k: enc(v) for k, v in m.state_dict().items()},
        "input": enc(x), "packed": packed,
        "hx": None if h is None else ([enc(t) for t in h] if isinstance(h, list) else enc(h)),
        "outs": [enc(o) for o in outs], "gradOuts": [enc(g) for g in gouts],
        "inputGrad": enc(x.grad), "hxGrads": [enc(t.grad) for t in hl],
        "paramGrads": {k: enc(p.grad) for k, p in m.named_parameters()},
    }
    if packed:
        case["batchSizes"] = arg.batch_sizes.tolist()
    if atol is not None:
        case["atol"] = atol
    if rtol is not None:
        case["rtol"] = rtol
    LAYERS.append(case)


def gen_layers():
    # RNN
    layer("RNN/tanh", "RNN", (4, 5))
    layer("RNN/relu_2layers_h0", "RNN", (4, 5, 2), {"nonlinearity": "relu"}, hx=True)
    layer("RNN/bidirectional_batchFirst_h0", "RNN", (3, 4), {"num_layers": 2, "bidirectional": True, "batch_first": True}, hx=True)
    layer("RNN/no_bias", "RNN", (3, 4), {"bias": False}, hx=True)
    layer("RNN/unbatched_h0", "RNN", (4, 5, 2), hx=True, unbatched=True)
    layer("RNN/unbatched_batchFirst", "RNN", (4, 5), {"batch_first": True, "bidirectional": True}, unbatched=True)
    layer("RNN/dropout1_train", "RNN", (3, 4, 2), {"dropout": 1.0}, hx=True)
    layer("RNN/dropout_eval", "RNN", (3, 4, 3), {"dropout": 0.5}, hx=True, mode="eval")
    layer("RNN/long_sequence", "RNN", (2, 3), T=23, B=2, hx=True)
    # LSTM
    layer("LSTM/basic", "LSTM", (4, 5))
    layer("LSTM/2layers_bidirectional_h0c0", "LSTM", (4, 5, 2), {"bidirectional": True}, hx=True)
    layer("LSTM/proj", "LSTM", (4, 6), {"proj_size": 3}, hx=True)
    layer("LSTM/proj_2layers_bidirectional_batchFirst", "LSTM", (3, 5), {"proj_size": 2, "num_layers": 2, "bidirectional": True, "batch_first": True}, hx=True)
    layer("LSTM/proj_no_bias", "LSTM", (3, 5), {"proj_size": 4, "bias": False})
    layer("LSTM/unbatched_h0c0", "LSTM", (3, 4, 2), hx=True, unbatched=True)
    layer("LSTM/long_sequence_2layers", "LSTM", (3, 4, 2), T=30, B=2, hx=True)
    layer("LSTM/float64_2layers_bidirectional", "LSTM", (3, 4, 2), {"bidirectional": True, "dtype": torch.float64}, hx=True, atol=1e-12, rtol=1e-10)
    # GRU
    layer("GRU/basic", "GRU", (4, 5))
    layer("GRU/2layers_bidirectional_h0", "GRU", (4, 5, 2), {"bidirectional": True}, hx=True)
    layer("GRU/batchFirst_no_bias", "GRU", (3, 4), {"batch_first": True, "bias": False}, hx=True)
    layer("GRU/unbatched", "GRU", (3, 4), unbatched=True, hx=True)
    layer("GRU/long_sequence", "GRU", (2, 3), T=17, B=2)
    layer("GRU/float64", "GRU", (3, 4, 2), {"dtype": torch.float64}, hx=True, atol=1e-12, rtol=1e-10)
    # packed sequences
    layer("LSTM/packed_sorted_h0c0", "LSTM", (3, 4), packed={"lengths": [5, 3, 2], "batchFirst": False, "enforceSorted": True}, hx=True)
    layer("GRU/packed_unsorted_bidirectional_2layers_h0", "GRU", (3, 4, 2), {"bidirectional": True}, B=4,
          packed={"lengths": [2, 5, 1, 3], "batchFirst": False, "enforceSorted": False}, hx=True)
    layer("RNN/packed_unsorted_batchFirst_bidirectional", "RNN", (3, 4), {"bidirectional": True, "batch_first": True}, B=4,
          packed={"lengths": [3, 5, 5, 1], "batchFirst": True, "enforceSorted": False})
    layer("LSTM/packed_proj_unsorted_bidirectional_h0c0", "LSTM", (3, 5), {"proj_size": 2, "bidirectional": True, "num_layers": 2}, B=3,
          packed={"lengths": [2, 4, 3], "batchFirst": False, "enforceSorted": False}, hx=True)
    layer("GRU/packed_long", "GRU", (2, 3), T=20, B=3, packed={"lengths": [20, 11, 7], "batchFirst": False, "enforceSorted": True}, hx=True)
    # cells
    layer("RNNCell/tanh", "RNNCell", (4, 5))
    layer("RNNCell/relu_hx", "RNNCell", (4, 5), {"nonlinearity": "relu"}, hx=True)
    layer("RNNCell/no_bias_unbatched", "RNNCell", (4, 5), {"bias": False}, hx=True, unbatched=True)
    layer("LSTMCell/basic", "LSTMCell", (4, 5))
    layer("LSTMCell/hx", "LSTMCell", (4, 5), hx=True)
    layer("LSTMCell/unbatched_no_bias", "LSTMCell", (4, 5), {"bias": False}, hx=True, unbatched=True)
    layer("GRUCell/basic", "GRUCell", (4, 5))
    layer("GRUCell/hx", "GRUCell", (4, 5), hx=True)
    layer("GRUCell/unbatched", "GRUCell", (3, 4), hx=True, unbatched=True)


def util(name, fn, inputs, kwargs, run):
    assert name not in NAMES, name
    NAMES.add(name)
    ins = [t.requires_grad_() for t in inputs]
    outs = run(ins)
    main = outs["out"]
    g = torch.randn(main.shape)
    (main * g).sum().backward()
    UTILS.append({
        "name": name, "fn": fn, "inputs": [enc(t) for t in ins], "kwargs": kwargs,
        "outs": {k: (enc(v) if isinstance(v, torch.Tensor) else v) for k, v in outs.items()},
        "gradOut": enc(g), "inputGrads": [enc(t.grad) for t in ins],
    })


def gen_utils():
    torch.manual_seed(100)
    seqs = lambda: [R(3, 2), R(5, 2), R(1, 2)]
    util("padSequence/default", "padSequence", seqs(), {}, lambda s: {"out": U.pad_sequence(s)})
    util("padSequence/batchFirst_paddingValue", "padSequence", seqs(), {"batchFirst": True, "paddingValue": -1.5},
         lambda s: {"out": U.pad_sequence(s, batch_first=True, padding_value=-1.5)})
    util("padSequence/1d", "padSequence", [R(4), R(2)], {}, lambda s: {"out": U.pad_sequence(s)})

    def pack(kw):
        def run(s):
            p = U.pack_padded_sequence(s[0], kw["lengths"], batch_first=kw.get("batchFirst", False), enforce_sorted=kw.get("enforceSorted", True))
            return {"out": p.data, "batchSizes": p.batch_sizes.tolist(),
                    "sortedIndices": None if p.sorted_indices is None else p.sorted_indices.tolist(),
                    "unsortedIndices": None if p.unsorted_indices is None else p.unsorted_indices.tolist()}
        return run
    for nm, shape, kw in [("sorted", (5, 3, 2), {"lengths": [5, 3, 3]}),
                          ("unsorted_batchFirst", (4, 5, 2), {"lengths": [2, 5, 1, 5], "batchFirst": True, "enforceSorted": False}),
                          ("unsorted_3d_features", (4, 3, 2, 2), {"lengths": [1, 4, 2], "enforceSorted": False}),
                          ("shorter_than_T", (6, 2, 3), {"lengths": [4, 2]})]:
        util("packPaddedSequence/" + nm, "packPaddedSequence", [R(*shape)], kw, pack(kw))

    def padpacked(kw):
        def run(s):
            p = U.pack_sequence(s, enforce_sorted=kw.get("enforceSorted", True))
            out, lengths = U.pad_packed_sequence(p, batch_first=kw.get("batchFirst", False), padding_value=kw.get("paddingValue", 0.0),
                                                 total_length=kw.get("totalLength"))
            return {"out": out, "lengths": lengths.tolist(), "batchSizes": p.batch_sizes.tolist()}
        return run
    for nm, mk, kw in [("sorted", lambda: [R(4, 2), R(3, 2), R(1, 2)], {}),
                       ("unsorted_batchFirst_padding_total", lambda: [R(2, 3), R(4, 3), R(1, 3)],
                        {"enforceSorted": False, "batchFirst": True, "paddingValue": 7.0, "totalLength": 6}),
                       ("unsorted_1d", lambda: [R(1), R(3), R(2), R(3)], {"enforceSorted": False})]:
        util("padPackedSequence/" + nm, "padPackedSequence", mk(), kw, padpacked(kw))


def error(name, fn):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn()
    except Exception as e:  # noqa: BLE001
        ERRORS.append({"name": name, "error": str(e)})
        return
    raise AssertionError("no error: " + name)


def gen_errors():
    r = nn.RNN(10, 20, 2)
    L = nn.LSTM(10, 20, proj_size=5)
    c = nn.RNNCell(10, 20)
    lc = nn.LSTMCell(10, 20)
    error("rnn_input_size", lambda: r(torch.randn(5, 3, 7)))
    error("rnn_hidden_size", lambda: r(torch.randn(5, 3, 10), torch.randn(1, 3, 20)))
    error("rnn_batched_2d_hx", lambda: r(torch.randn(5, 3, 10), torch.randn(3, 20)))
    error("rnn_1d_input", lambda: r(torch.randn(10)))
    error("rnn_unbatched_3d_hx", lambda: r(torch.randn(5, 10), torch.randn(2, 1, 20)))
    error("rnn_4d_input", lambda: r(torch.randn(4, 5, 3, 10)))
    error("lstm_hidden0_size", lambda: L(torch.randn(5, 3, 10), (torch.randn(1, 3, 20), torch.randn(1, 3, 20))))
    error("lstm_hidden1_size", lambda: L(torch.randn(5, 3, 10), (torch.randn(1, 3, 5), torch.randn(1, 3, 5))))
    error("lstm_batched_2d_hx", lambda: L(torch.randn(5, 3, 10), (torch.randn(3, 5), torch.randn(3, 20))))
    error("lstm_unbatched_3d_hx", lambda: L(torch.randn(5, 10), (torch.randn(1, 3, 5), torch.randn(1, 3, 20))))
    error("lstm_proj_too_big", lambda: nn.LSTM(10, 20, proj_size=20))
    error("lstm_proj_negative", lambda: nn.LSTM(10, 20, proj_size=-1))
    error("gru_proj", lambda: nn.GRU(10, 20, proj_size=2))
    error("rnn_proj", lambda: nn.RNN(10, 20, proj_size=2))
    error("rnn_nonlinearity", lambda: nn.RNN(10, 20, nonlinearity="sigmoid"))
    error("rnn_dropout_range", lambda: nn.RNN(10, 20, dropout=1.5))
    error("cell_input_size", lambda: c(torch.randn(3, 5)))
    error("cell_batch", lambda: c(torch.randn(3, 10), torch.randn(2, 20)))
    error("cell_hidden_size", lambda: c(torch.randn(3, 10), torch.randn(3, 7)))
    error("cell_3d_input", lambda: c(torch.randn(3, 3, 10)))
    error("lstmcell_hidden1_batch", lambda: lc(torch.randn(3, 10), (torch.randn(3, 20), torch.randn(2, 20))))
    error("lstmcell_hidden1_size", lambda: lc(torch.randn(3, 10), (torch.randn(3, 20), torch.randn(3, 7))))
    error("pack_unsorted", lambda: U.pack_padded_sequence(torch.randn(5, 3, 2), [3, 4, 2]))
    error("pack_zero_length", lambda: U.pack_padded_sequence(torch.randn(5, 3, 2), [5, 4, 0]))
    error("pack_lengths_count", lambda: U.pack_padded_sequence(torch.randn(5, 3, 2), [5, 4]))
    error("pad_packed_total_length", lambda: U.pad_packed_sequence(U.pack_padded_sequence(torch.randn(5, 3, 2), [5, 4, 2]), total_length=3))
    error("pad_sequence_empty", lambda: U.pad_sequence([]))
    error("pack_sequence_empty", lambda: U.pack_sequence([]))
    error("pack_1d_input", lambda: U.pack_padded_sequence(torch.randn(5), [5]))
    error("rnn_packed_input_size", lambda: r(U.pack_padded_sequence(torch.randn(5, 3, 2), [5, 4, 2])))


def main():
    gen_layers()
    gen_utils()
    gen_errors()
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"layers": LAYERS, "utils": UTILS, "errors": ERRORS}, f, separators=(",", ":"))
        f.write("\n")
    print("%d layer cases, %d util cases, %d errors; %d bytes" % (len(LAYERS), len(UTILS), len(ERRORS), os.path.getsize(OUT)))


if __name__ == "__main__":
    main()
