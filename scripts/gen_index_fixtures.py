#!/usr/bin/python3
"""Generate PyTorch reference fixtures for torchlet's Python indexing and index-family ops.

Run with Debian's PyTorch (CPU):  /usr/bin/python3 scripts/gen_index_fixtures.py
Writes test/fixtures/indexing.json. Deterministic (fixed seed, fixed torch version).

VALUE = {"shape": [...], "dtype": "float32"|"float64"|"int64"|"bool", "data": [flat row-major]}

{"read":  [READ, ...], "write": [WRITE, ...], "ops": [OP, ...]}
  READ  = {"name", "x": VALUE, "expr": str, "args": [ARG], "out": VALUE, "gradOut": VALUE|null, "grad": VALUE|null,
           "view": bool (the result shares x's storage), "hostRead": bool (a mask is read), "error": str|null}
          The same expression string runs in both: Python evaluates x[expr] with each `?` replaced by the next ARG;
          torchlet calls x.at(expr, ...args).
  WRITE = {"name", "x", "expr", "args", "value": VALUE|number, "accumulate": bool, "out", "gradOut",
           "grad": VALUE|null (of x), "valueGrad": VALUE|null, "gradFn": str, "hostRead", "error"}
          Python: y = x * 1; y[expr] = value (or y.index_put_ with accumulate); loss = sum(y * gradOut).
  OP    = {"name", "method": camelCase Tensor method, "inputs": [VALUE + requiresGrad], "args": [ARG],
           "out": VALUE | [VALUE], "gradOut": VALUE|null, "grads": [VALUE|null], "hostRead", "error"}
          args: {"input": i} refers to inputs[i]; {"tensor": VALUE} a tensor without grad; {"opts": {...}}.
"""
import json
import math
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "indexing.json")
DT = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64", torch.int32: "int32", torch.bool: "bool"}
torch.manual_seed(12)


def f32(x):
    t = struct.pack("<f", x)
    for d in range(6, 10):
        s = "%.*g" % (d, x)
        if struct.pack("<f", float(s)) == t:
            return float(s)
    return x


def val(t):
    t = t.detach().contiguous()
    if t.dtype == torch.bool:
        data = [bool(v) for v in t.flatten().tolist()]
    elif t.dtype == torch.float32:
        data = [f32(v) for v in t.flatten().tolist()]
    else:
        data = t.flatten().tolist()
    if t.is_floating_point():
        data = [v if math.isfinite(v) else ("nan" if v != v else "inf" if v > 0 else "-inf") for v in data]
    return {"shape": list(t.shape), "dtype": DT[t.dtype], "data": data}


def R(*shape, dtype=torch.float32):
    shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], tuple) else tuple(shape)
    return (torch.randn(shape) * 4).round() / 4 if dtype == torch.float32 else torch.randn(shape, dtype=dtype)


def L(*vals):
    return torch.tensor(vals, dtype=torch.int64)


def arg(a):
    if isinstance(a, torch.Tensor):
        return {"tensor": val(a)}
    return a


def fill(expr, args):
    out, k = "", 0
    for ch in expr:
        if ch == "?":
            out += "_p%d" % k
            k += 1
        else:
            out += ch
    return out, {"_p%d" % i: a for i, a in enumerate(args)}


def err(e):
    return str(e).split("\n")[0]


def has_mask(args, expr):
    return any(isinstance(a, torch.Tensor) and a.dtype == torch.bool for a in args) or "True" in expr or "False" in expr


READ, WRITE, OPS = [], [], []


def read(name, x, expr, *args):
    code, env = fill(expr, args)
    env["x"] = x
    case = {"name": name, "x": val(x), "expr": expr, "args": [arg(a) for a in args], "hostRead": has_mask(args, expr),
            "error": None, "out": None, "gradOut": None, "grad": None, "view": False}
    try:
        xx = x.clone().requires_grad_(x.is_floating_point())
        env["x"] = xx
        out = eval("x[" + code + "]", env)
        case["out"] = val(out)
        case["view"] = out._base is xx or (out.data_ptr() == xx.data_ptr() and out._base is not None) or (
            out._base is not None and out._base is xx)
        if x.is_floating_point():
            go = R(*out.shape, dtype=x.dtype)
            (out * go).sum().backward()
            case["gradOut"] = val(go)
            case["grad"] = val(xx.grad)
    except Exception as e:
        case["error"] = err(e)
    READ.append(case)


def write(name, x, expr, value, *args, accumulate=False, value_grad=True):
    code, env = fill(expr, args)
    case = {"name": name, "x": val(x), "expr": expr, "args": [arg(a) for a in args],
            "value": val(value) if isinstance(value, torch.Tensor) else value, "accumulate": accumulate,
            "hostRead": has_mask(args, expr), "error": None, "out": None, "gradOut": None, "grad": None,
            "valueGrad": None, "gradFn": None}
    try:
        xx = x.clone().requires_grad_(x.is_floating_point())
        vv = value
        if isinstance(value, torch.Tensor) and value.is_floating_point() and value_grad:
            vv = value.clone().requires_grad_()
        y = xx * 1 if x.is_floating_point() else x.clone()
        env["y"] = y
        env["v"] = vv
        if accumulate:
            # index_put_ with accumulate: only index tensors (Python's API); the TS side uses put_(..., {accumulate})
            idx = eval("(" + code + ",)", env)
            y.index_put_(idx, vv, accumulate=True)
        else:
            exec("y[" + code + "] = v", env)
        case["out"] = val(y)
        if x.is_floating_point():
            case["gradFn"] = type(y.grad_fn).__name__
            go = R(*y.shape, dtype=x.dtype)
            (y * go).sum().backward()
            case["gradOut"] = val(go)
            case["grad"] = val(xx.grad)
            if isinstance(vv, torch.Tensor) and vv.requires_grad:
                case["valueGrad"] = val(vv.grad)
    except Exception as e:
        case["error"] = err(e)
    WRITE.append(case)


def op(name, method, inputs, args, fn, grad=True):
    """inputs: tensors (float ones get requires_grad when grad); args: with ("in", i) for inputs[i]."""
    ins = [t.clone().requires_grad_(grad and t.is_floating_point()) for t in inputs]
    case = {"name": name, "method": method,
            "inputs": [dict(val(t), requiresGrad=bool(grad and t.is_floating_point())) for t in inputs],
            "args": [({"input": a[1]} if isinstance(a, tuple) and a[0] == "in" else arg(a)) for a in args],
            "hostRead": method == "nonzero", "error": None, "out": None, "gradOut": None, "grads": None}
    try:
        out = fn(*ins)
        if isinstance(out, (tuple, list)):
            case["out"] = [val(o) for o in out]
        else:
            case["out"] = val(out)
            if out.requires_grad:
                go = R(*out.shape, dtype=out.dtype)
                (out * go).sum().backward()
                case["gradOut"] = val(go)
                case["grads"] = [val(t.grad) if t.grad is not None else None for t in ins]
    except Exception as e:
        case["error"] = err(e)
    OPS.append(case)


# ---------------------------------------------------------------------------------------------------- reading
x34 = R(3, 4)
x234 = R(2, 3, 4)
x2345 = R(2, 3, 4, 5, dtype=torch.float64)
read("int", x34, "1")
read("neg_int", x34, "-1")
read("int_int", x34, "2, -3")
read("int_slice", x34, "0, 1:3")
read("slice_all", x34, ":")
read("slice_step", x34, ":, 0::2")
read("slice_step_offset", x34, ":, 1::2")
read("slice_neg_bounds", x34, "-2:, :-1")
read("slice_clamped", x34, "1:100, -100:2")
read("slice_empty", x34, "2:1")
read("slice_step3", x234, "..., ::3")
read("ellipsis_last", x234, "..., -1")
read("ellipsis_first", x234, "0, ...")
read("ellipsis_mid", x2345, "1, ..., 2")
read("none", x34, ":, None")
read("none_front_back", x34, "None, ..., None")
read("none_int", x34, "None, 1")
read("list", x34, "[2, 0, 2]")
read("list_neg", x34, "[-1, 0]")
read("nested_list", x34, "[[0, 1], [2, 2]]")
read("list_slice", x34, "[2, 0], 1:")
read("slice_list", x34, "1:, [3, 0]")
read("two_lists", x34, "[0, 1, 2], [3, 2, 1]")
read("two_lists_broadcast", x34, "[[0], [2]], [1, 3]")
read("tensor", x34, "?", L(1, 1, 0))
read("tensor_2d", x34, ":, ?", L(0, 3, 1, 2).view(2, 2))
read("tensor_0d", x34, "?", torch.tensor(2))
read("tensor_0d_both", x34, "?, ?", torch.tensor(2), torch.tensor(-1))
read("adjacent_mid", x2345, ":, ?, ?", L(0, 2), L(1, 3))
read("separated", x2345, "?, :, ?", L(0, 1, 1), L(3, 0, 2))
read("separated_by_int", x2345, "?, 1, ?", L(0, 1), L(3, 0))
read("separated_by_none", x234, "?, None, ?", L(0, 1), L(2, 0))
read("err_separated_by_none_oob", x234, "?, None, ?", L(0, 1), L(3, 0))
read("adjacent_last", x2345, "..., ?, ?", L(0, 1, 3), L(2, 0, 4))
read("err_adjacent_last_oob", x2345, "..., ?, ?", L(0, 1, 4), L(2, 0, 4))
read("index_with_none_after", x234, "?, None", L(1, 0))
read("index_with_step", x2345, "?, ::2, :, ?", L(1, 0), L(4, 0))
read("int_then_tensor", x234, "0, :, ?", L(3, 1))
read("tensor_then_int", x234, "?, 0", L(1, 0, 1))
read("mask", x34, "?", x34 > 0)
read("mask_row", x34, "?", torch.tensor([True, False, True]))
read("mask_col", x34, ":, ?", torch.tensor([False, True, True, False]))
read("mask_list", x34, "[True, False, True]")
read("mask_3d_lead", x234, "?", x234[:, :, 0] > 0)
read("mask_and_tensor", x234, "?, :, ?", torch.tensor([True, False]), L(2))
read("mask_0d_true", x34, "?", torch.tensor(True))
read("mask_0d_false", x34, "?", torch.tensor(False))
read("bool_scalar_true", x34, "True")
read("bool_scalar_false_int", x34, "False, 1")
read("bool_scalar_mid", x234, ":, True, 0")
read("mask_int64_input", torch.arange(12).view(3, 4), "?", torch.arange(12).view(3, 4) % 5 == 1)
read("mask_leading_int64_input", torch.arange(12).view(3, 4), "?", torch.tensor([False, True, True]))
read("mask_empty", x34, "?", torch.zeros(3, 4, dtype=torch.bool))
read("empty_list_index", x34, "?", torch.zeros(0, dtype=torch.int64))
read("dup_index_grad", x34, "?, ?", L(0, 0, 2, 0), L(1, 1, 3, 1))
read("int64_input", torch.arange(12).view(3, 4), "?, 1::2", L(2, 0))
read("bool_input", torch.arange(12).view(3, 4) % 3 == 0, ":, ?", L(1, 0))
read("float64_input", x2345, "1, ?, ..., None", L(2, 0))
read("transposed_input_adv", x34.t().contiguous().t(), "?, 1:", L(2, 0))
read("zero_size_dim", torch.zeros(0, 3), ":, ?", L(1))
# errors
read("err_int_oob", x34, "3")
read("err_int_oob_dim1", x34, ":, -5")
read("err_tensor_oob", x34, ":, ?", L(4))
read("err_tensor_oob_neg", x34, "?, ?", L(0), L(-5))
read("err_too_many", x34, "0, 0, 0")
read("err_too_many_mask", x34, "0, ?", torch.ones(4, 1, dtype=torch.bool))
read("err_neg_step", x34, "::-1")
read("err_zero_step", x34, "::0")
read("err_mask_shape", x34, "?", torch.tensor([True, False]))
read("err_mask_shape_dim1", x34, ":, ?", torch.tensor([True, False, True]))
read("err_float_index", x34, "?", torch.tensor([1.0]))
read("err_int32_index", x34, "?", torch.tensor([1], dtype=torch.int32))
read("err_broadcast", x34, "?, ?", L(0, 1), L(0, 1, 2))
read("two_ellipses", x234, "..., 0, ...")
read("err_empty_dim", torch.zeros(0, 3), "?", L(0))

# random expressions over a 4-D tensor (a differential check of the placement rule and of mixes of items)
import random
rng = random.Random(1213)
x4 = R(3, 4, 2, 5)


def rand_item(size):
    k = rng.randrange(7)
    if k == 0:
        return str(rng.randrange(-size, size))
    if k == 1:
        a = rng.choice(["", str(rng.randrange(-size, size))])
        b = rng.choice(["", str(rng.randrange(-size - 1, size + 2))])
        c = rng.choice(["", ":" + str(rng.randrange(1, 4))])
        return a + ":" + b + c
    if k == 2:
        return "None"
    if k in (3, 4):
        n = rng.randrange(1, 4)
        return "[" + ", ".join(str(rng.randrange(-size, size)) for _ in range(n)) + "]"
    if k == 5:
        return ":"
    return "[" + ", ".join(rng.choice(["True", "False"]) for _ in range(size)) + "]"


for n in range(60):
    items, dim = [], 0
    while dim < 4 and rng.random() < 0.8:
        it = rand_item(x4.shape[dim])
        items.append(it)
        if it != "None":
            dim += 1
    if rng.random() < 0.3 or not items:
        items.insert(rng.randrange(len(items) + 1), "...")
    read("random_%02d" % n, x4, ", ".join(items))

# ---------------------------------------------------------------------------------------------------- writing
write("slice_tensor", x34, ":, 0::2", R(3, 2))
write("slice_broadcast", x34, ":, 1::2", R(2))
write("slice_number", x34, "1:, :2", 2.5)
write("int_row", x34, "1", R(4))
write("int_row_leading_ones", x34, "1", R(1, 1, 4))
write("ellipsis_col", x234, "..., 0", R(2, 3))
write("none_write", x34, "None, 0", R(4))
write("all", x34, "...", R(4))
write("list_rows", x34, "[2, 0]", R(2, 4))
write("list_rows_broadcast", x34, "[2, 0]", R(4))
write("list_number", x34, "[0, 2], 1", -3.0)
write("tensor_pairs", x34, "?, ?", R(3), L(0, 2, 1), L(3, 1, 0))
write("tensor_0d_value", x34, "?, ?", R(()), L(0, 2), L(3, 1))
write("mask_number", x34, "?", 0.0, x34 < 0)
write("mask_values", x34, "?", R(int((x34 > 0).sum())), x34 > 0)
write("mask_rows", x34, "?", R(2, 4), torch.tensor([True, False, True]))
write("mixed_int_tensor", x234, "1, ?", R(2, 4), L(2, 0))
write("mixed_slice_tensor", x234, ":, ?, 1:", R(2, 2, 3), L(2, 0))
write("separated", x2345, "?, :, ?", R(2, 3, 5, dtype=torch.float64), L(0, 1), L(3, 0))
write("accumulate_dups", x34, "?, ?", R(4), L(0, 0, 2, 0), L(1, 1, 3, 1), accumulate=True)
write("accumulate_rows", x34, "?", R(3, 4), L(1, 1, 1), accumulate=True)
write("int64_values", torch.arange(12).view(3, 4), ":, ?", torch.tensor([[7], [8], [9]]), L(3, 0))
write("mask_fill_int64", torch.arange(12).view(3, 4), "?", -1, torch.arange(12).view(3, 4) % 5 == 1)
write("mask_fill_leading_int64", torch.arange(12).view(3, 4), "?", 7, torch.tensor([True, False, True]))
write("bool_target", torch.zeros(3, 4, dtype=torch.bool), "?, 1", True, L(0, 2))
write("bool_scalar", x34, "True, 0", R(4))
write("value_no_grad_number", x34, "0, 0", 9.0)
write("err_value_shape", x34, "?", R(3), L(0))
write("err_value_dtype", x34, "?", R(4, dtype=torch.float64), L(0))
write("err_basic_value_shape", x34, "0", R(3))
write("err_oob", x34, "?", 1.0, L(3))
write("err_oob_neg", x34, ":, ?", 1.0, L(-5))

# random assignments (a tensor of the indexed shape, or of its last dims, or a number)
for n in range(30):
    items, dim = [], 0
    while dim < 4 and rng.random() < 0.8:
        it = rand_item(x4.shape[dim])
        items.append(it)
        if it != "None":
            dim += 1
    if rng.random() < 0.3 or not items:
        items.insert(rng.randrange(len(items) + 1), "...")
    expr = ", ".join(items)
    try:
        shape = tuple(eval("x4[" + expr + "]").shape)
    except Exception:
        shape = (1,)
    k = rng.randrange(3)
    value = 1.5 if k == 0 else R(shape) if k == 1 else R(shape[rng.randrange(len(shape) + 1):])
    write("random_%02d" % n, x4, expr, value)

# ---------------------------------------------------------------------------------------------------- ops
a34 = R(3, 4)
op("take", "take", [a34], [L(0, 11, -1, 5)], lambda x: x.take(L(0, 11, -1, 5)))
op("take_2d_index", "take", [a34], [L(1, 2, 3, 4).view(2, 2)], lambda x: x.take(L(1, 2, 3, 4).view(2, 2)))
op("take_dups_transposed", "take", [a34.t()], [L(0, 0, 1, 4)], lambda x: x.take(L(0, 0, 1, 4)))
op("take_0d_index", "take", [a34], [torch.tensor(7)], lambda x: x.take(torch.tensor(7)))
op("take_err_oob", "take", [a34], [L(12)], lambda x: x.take(L(12)))
op("take_err_oob_neg", "take", [a34], [L(-13)], lambda x: x.take(L(-13)))
op("take_err_dtype", "take", [a34], [torch.tensor([1.0])], lambda x: x.take(torch.tensor([1.0])))
op("put_", "put_", [a34, R(3)], [L(0, 5, -1), ("in", 1)], lambda x, s: (x * 1).put_(L(0, 5, -1), s))
op("put_accumulate", "put_", [a34, R(3)], [L(1, 1, 2), ("in", 1), True], lambda x, s: (x * 1).put_(L(1, 1, 2), s, True))
op("put_err_numel", "put_", [a34, R(2)], [L(1, 1, 2), ("in", 1)], lambda x, s: (x * 1).put_(L(1, 1, 2), s))
op("put_err_oob", "put_", [a34, R(1)], [L(12), ("in", 1)], lambda x, s: (x * 1).put_(L(12), s))
op("put_oop", "put", [a34, R(3)], [L(0, 5, -1), ("in", 1)], lambda x, s: x.put(L(0, 5, -1), s))
m34 = R(3, 4)
op("nonzero", "nonzero", [m34 > 0], [], lambda m: m.nonzero(), grad=False)
op("nonzero_float", "nonzero", [torch.tensor([[0.0, 1.5], [float("nan"), 0.0]])], [], lambda m: m.nonzero(), grad=False)
op("nonzero_3d", "nonzero", [R(2, 3, 2) > 0], [], lambda m: m.nonzero(), grad=False)
op("nonzero_none", "nonzero", [torch.zeros(2, 3)], [], lambda m: m.nonzero(), grad=False)
op("nonzero_0d", "nonzero", [torch.tensor(5)], [], lambda m: m.nonzero(), grad=False)
op("nonzero_as_tuple", "nonzero", [m34 > 0], [{"opts": {"asTuple": True}}], lambda m: m.nonzero(as_tuple=True), grad=False)
op("masked_scatter", "maskedScatter", [a34, R(8)], [{"tensor": val(m34 > 0)}, ("in", 1)], lambda x, s: x.masked_scatter(m34 > 0, s))
op("masked_scatter_broadcast_mask", "maskedScatter", [a34, R(12)], [{"tensor": val(torch.tensor([True, False, False, True]))}, ("in", 1)],
   lambda x, s: x.masked_scatter(torch.tensor([True, False, False, True]), s))
op("masked_scatter_", "maskedScatter_", [a34, R(3, 4)], [{"tensor": val(m34 < 0)}, ("in", 1)], lambda x, s: (x * 1).masked_scatter_(m34 < 0, s))
op("masked_scatter_err_small", "maskedScatter", [a34, R(2)], [{"tensor": val(m34 > 0)}, ("in", 1)], lambda x, s: x.masked_scatter(m34 > 0, s))
op("masked_scatter_err_dtype", "maskedScatter", [a34, R(12, dtype=torch.float64)], [{"tensor": val(m34 > 0)}, ("in", 1)],
   lambda x, s: x.masked_scatter(m34 > 0, s))
op("index_add", "indexAdd", [a34, R(3, 4)], [0, L(2, 0, 2), ("in", 1)], lambda x, s: x.index_add(0, L(2, 0, 2), s))
op("index_add_dim1_alpha", "indexAdd", [a34, R(3, 2)], [1, L(3, 0), ("in", 1), {"opts": {"alpha": 2.5}}],
   lambda x, s: x.index_add(1, L(3, 0), s, alpha=2.5))
op("index_add_", "indexAdd_", [a34, R(3, 2)], [-1, L(1, 1), ("in", 1)], lambda x, s: (x * 1).index_add_(-1, L(1, 1), s))
op("index_add_int64", "indexAdd", [torch.arange(6).view(2, 3), torch.ones(2, 2, dtype=torch.int64)], [1, L(0, 2), ("in", 1)],
   lambda x, s: x.index_add(1, L(0, 2), s))
op("index_add_err_oob", "indexAdd", [a34, R(1, 4)], [0, L(3), ("in", 1)], lambda x, s: x.index_add(0, L(3), s))
op("index_add_err_count", "indexAdd", [a34, R(1, 4)], [0, L(0, 1), ("in", 1)], lambda x, s: x.index_add(0, L(0, 1), s))
op("index_copy", "indexCopy", [a34, R(2, 4)], [0, L(2, 0), ("in", 1)], lambda x, s: x.index_copy(0, L(2, 0), s))
op("index_copy_dim1", "indexCopy", [a34, R(3, 3)], [1, L(3, 0, 1), ("in", 1)], lambda x, s: x.index_copy(1, L(3, 0, 1), s))
op("index_copy_", "indexCopy_", [a34, R(3, 1)], [1, L(2), ("in", 1)], lambda x, s: (x * 1).index_copy_(1, L(2), s))
op("index_copy_err_oob", "indexCopy", [a34, R(1, 4)], [0, L(5), ("in", 1)], lambda x, s: x.index_copy(0, L(5), s))
op("index_copy_err_count", "indexCopy", [a34, R(1, 4)], [0, L(0, 1), ("in", 1)], lambda x, s: x.index_copy(0, L(0, 1), s))
op("index_fill", "indexFill", [a34], [1, L(0, -1), -2.0], lambda x: x.index_fill(1, L(0, -1), -2.0))
op("index_fill_", "indexFill_", [a34], [0, L(1), 7.0], lambda x: (x * 1).index_fill_(0, L(1), 7.0))
op("index_fill_tensor_value", "indexFill", [a34, R(())], [1, L(2, 0), ("in", 1)], lambda x, v: x.index_fill(1, L(2, 0), v))
op("index_fill_tensor_value_dups", "indexFill", [a34, R(())], [1, L(2, 0, 2, 2), ("in", 1)], lambda x, v: x.index_fill(1, L(2, 0, 2, 2), v))
op("index_fill_tensor_value_", "indexFill_", [a34, R(())], [0, L(2), ("in", 1)], lambda x, v: (x * 1).index_fill_(0, L(2), v))
op("index_fill_err_oob", "indexFill", [a34], [0, L(5), 1.0], lambda x: x.index_fill(0, L(5), 1.0))
op("index_fill_err_value_dim", "indexFill", [a34, R(2)], [0, L(0), ("in", 1)], lambda x, v: x.index_fill(0, L(0), v))

with open(OUT, "w") as f:
    json.dump({"torch": torch.__version__, "read": READ, "write": WRITE, "ops": OPS}, f, separators=(",", ":"))
    f.write("\n")
print("wrote %s: %d read, %d write, %d op cases" % (OUT, len(READ), len(WRITE), len(OPS)))
