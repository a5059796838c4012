#!/usr/bin/python3
"""Generate PyTorch reference fixtures for issue 12's tensor ops and distance/loss functionals.

Run with Debian's PyTorch (CPU):  /usr/bin/python3 scripts/gen_ops2_fixtures.py
Writes test/fixtures/ops2.json. Deterministic (fixed seed, same torch version -> byte-identical output).

VALUE = {"shape": [...], "dtype": "float32"|"float64"|"int64"|"int32"|"bool", "data": [flat row-major]}
        (float32 numbers are the shortest decimals that round-trip; "nan"/"inf"/"-inf" for non-finite)

{"cases": [CASE, ...]}
  CASE = {
    "name":   unique name,
    "ns":     "torch" | "F" (torch.nn.functional) | "nn" (a module: "fn" is the class, "ctor" its arguments),
    "fn":     torchlet's camelCase name; the call is ns.fn(...inputs, ...args, kwargs?) (kwargs: one trailing
              options object with camelCase keys, left out when empty),
    "inputs": [VALUE + {"requiresGrad": bool}],
    "args":   positional arguments after the inputs ({"tensor": VALUE} for tensor arguments),
    "kwargs": {camelCase: value},
    "ctor":   (ns "nn") [args, kwargs] of the module's constructor,
    "out":    VALUE | [VALUE, ...] (tuples, lists: sort's (values, indices), unique's tuple, meshgrid's list),
    "gradOut": [VALUE | null] per output (null: not differentiable); the loss is sum(out_i * gradOut_i),
    "inputGrads": [VALUE | null],
    "error":  instead of out/grads: PyTorch's message (first line) for a call that must fail,
    "atol", "rtol": optional tolerances
  }
"""
import json
import math
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(12)
torch.set_default_dtype(torch.float32)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "ops2.json")
DT = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64", torch.int32: "int32", torch.bool: "bool"}
D = torch.float64


def f32(x):
    target = struct.pack("<f", x)
    for digits in range(6, 10):
        s = "%.*g" % (digits, x)
        if struct.pack("<f", float(s)) == target:
            return float(s)
    return float("%.9g" % x)


def num(x, dtype):
    if dtype == torch.bool:
        return bool(x)
    if dtype in (torch.int64, torch.int32):
        return int(x)
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f32(x) if dtype == torch.float32 else x


def enc(t):
    t = t.detach()
    return {"shape": list(t.shape), "dtype": DT[t.dtype], "data": [num(v, t.dtype) for v in t.contiguous().reshape(-1).tolist()]}


def camel(s):
    p = s.split("_")
    return p[0] + "".join(x[:1].upper() + x[1:] for x in p[1:])


def snake(s):
    return "".join("_" + c.lower() if c.isupper() else c for c in s)


def js(v):
    if isinstance(v, (tuple, list)):
        return [js(x) for x in v]
    if isinstance(v, torch.Tensor):
        return {"tensor": enc(v)}
    if isinstance(v, float) and math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


CASES = []


def R(*shape, dtype=D, scale=1.0):
    return (torch.randn(tuple(shape), dtype=torch.float64) * scale).to(dtype)


def add(name, fn, inputs, args=(), kwargs=None, ns="torch", py=None, grad=True, ctor=None, atol=None, rtol=None):
    """inputs: tensors (float ones get requiresGrad when grad); py: the PyTorch callable (default torch.<snake fn>)."""
    kwargs = kwargs or {}
    ins = [t.detach().clone().requires_grad_(grad and t.is_floating_point()) for t in inputs]
    case = {"name": name, "ns": ns, "fn": fn, "inputs": [dict(enc(t), requiresGrad=t.requires_grad) for t in ins],
            "args": js(list(args)), "kwargs": {camel(k): js(v) for k, v in kwargs.items()}}
    if ctor is not None:
        case["ctor"] = [js(list(ctor[0])), {camel(k): js(v) for k, v in ctor[1].items()}]
    if py is None:
        if ns == "torch":
            py = getattr(torch, snake(fn))
        elif ns == "F":
            py = getattr(F, snake(fn))
        else:
            cls = getattr(nn, fn)
            py = lambda *a, **k: cls(*ctor[0], **ctor[1])(*a)
    try:
        out = py(*ins, *args, **kwargs)
    except Exception as e:  # noqa: BLE001 - the message is the fixture
        case["error"] = str(e).split("\n")[0]
        CASES.append(case)
        return
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    case["out"] = [enc(o) for o in outs] if isinstance(out, (tuple, list)) else enc(out)
    gos = [R(*o.shape, dtype=o.dtype) if (o.is_floating_point() and o.requires_grad) else None for o in outs]
    case["gradOut"] = [None if g is None else enc(g) for g in gos]
    diff = [(o, g) for o, g in zip(outs, gos) if g is not None]
    grads = [None] * len(ins)
    if diff and any(t.requires_grad for t in ins):
        loss = sum((o * g).sum() for o, g in diff)
        wrt = [t for t in ins if t.requires_grad]
        gs = torch.autograd.grad(loss, wrt, allow_unused=True)
        it = iter(gs)
        grads = [(lambda g: None if g is None else enc(g))(next(it)) if t.requires_grad else None for t in ins]
    case["inputGrads"] = grads
    if atol is not None:
        case["atol"] = atol
    if rtol is not None:
        case["rtol"] = rtol
    CASES.append(case)


def distinct(*shape, dtype=D):
    """Values without ties (so index outputs are unambiguous), shuffled."""
    n = 1
    for s in shape:
        n *= s
    return (torch.randperm(n).to(torch.float64) * 0.5 - n / 4 + torch.rand(n, dtype=torch.float64) * 0.1).reshape(shape).to(dtype)


nan, inf = float("nan"), float("inf")

# ------------------------------------------------------------------------------------------------ triangles, diagonals
for k in (0, 1, -1, 5, -5):
    add(f"tril/k{k}", "tril", [R(3, 4)], [k])
    add(f"triu/k{k}", "triu", [R(2, 3, 4)], [k])
add("tril/int", "tril", [torch.arange(9).reshape(3, 3)])
add("triu/kwarg", "triu", [R(4, 3)], kwargs={"diagonal": -1})
add("tril/1d", "tril", [R(3)])
add("triu/transposed", "triu", [R(4, 3).t()], [1])
for off in (0, 1, -2, 7):
    add(f"diagonal/off{off}", "diagonal", [R(3, 4)], [off])
add("diagonal/dims", "diagonal", [R(2, 3, 4)], [1, 2, 0])
add("diagonal/negdims", "diagonal", [R(2, 3, 4)], kwargs={"offset": -1, "dim1": -1, "dim2": -2})
add("diagonal/same", "diagonal", [R(3, 3)], [0, 1, 1])
add("diag/vec", "diag", [R(3)])
add("diag/vec_k2", "diag", [R(3)], [2])
add("diag/vec_k-1", "diag", [R(2)], [-1])
add("diag/mat", "diag", [R(3, 4)])
add("diag/mat_k1", "diag", [R(3, 4)], [1])
add("diag/mat_k-2", "diag", [R(4, 3)], [-2])
add("diag/int", "diag", [torch.arange(3)])
add("diag/3d", "diag", [R(2, 2, 2)])
add("trace/square", "trace", [R(3, 3)])
add("trace/rect", "trace", [R(2, 4)])
add("trace/int", "trace", [torch.arange(6).reshape(2, 3)])
add("trace/1d", "trace", [R(3)])

# ------------------------------------------------------------------------------------------------ products
add("outer/basic", "outer", [R(3), R(4)])
add("outer/int", "outer", [torch.arange(3), torch.arange(2)])
add("outer/2d", "outer", [R(2, 2), R(3)])
add("ger/basic", "ger", [R(2), R(3)])
add("cross/dim", "cross", [R(4, 3), R(4, 3)], [1])
add("cross/default", "cross", [R(3, 5), R(3, 5)])
add("cross/broadcast", "cross", [R(2, 1, 3), R(4, 3)], kwargs={"dim": -1}, py=lambda a, b, dim: torch.linalg.cross(a, b, dim=dim))
add("cross/bad", "cross", [R(4, 2), R(4, 2)], [1])
add("cross/nodim3", "cross", [R(4, 2), R(4, 2)])
EIN = [
    ("matmul", "ij,jk->ik", [(2, 3), (3, 4)]),
    ("implicit", "ij,jk", [(2, 3), (3, 4)]),
    ("trace", "ii", [(3, 3)]),
    ("diag", "ii->i", [(3, 3)]),
    ("transpose", "ij->ji", [(2, 3)]),
    ("sum", "ij->", [(2, 3)]),
    ("outer", "i,j->ij", [(2,), (3,)]),
    ("dot", "i,i", [(4,), (4,)]),
    ("bmm", "bij,bjk->bik", [(2, 3, 4), (2, 4, 2)]),
    ("ellipsis", "...ij,...jk->...ik", [(2, 3, 4), (4, 5)]),
    ("ellipsis_implicit", "...ij->...ji", [(2, 3, 4)]),
    ("three", "ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("batchdiag", "bii->bi", [(2, 3, 3)]),
    ("repeated3", "iii->i", [(2, 2, 2)]),
    ("broadcast1", "ij,ij->ij", [(2, 1), (2, 3)]),
    ("upper", "Ab,bc->Ac", [(2, 3), (3, 2)]),
    ("bilinear", "bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
    ("keep_contracted", "ij,jk->ijk", [(2, 3), (3, 2)]),
]
for name, eq, shapes in EIN:
    add(f"einsum/{name}", "einsum", [R(*s) for s in shapes], py=lambda *ts, eq=eq: torch.einsum(eq, *ts), grad=True)
    CASES[-1]["args"] = []
    CASES[-1]["equation"] = eq
add("einsum/int", "einsum", [torch.arange(6).reshape(2, 3), torch.arange(6).reshape(3, 2)], py=lambda a, b: torch.einsum("ij,jk->ik", a, b))
CASES[-1]["equation"] = "ij,jk->ik"
for name, eq, shapes in [("ndim", "ij->i", [(2, 3, 4)]), ("fewer", "ij,jk->ik", [(2, 3)]), ("more", "ij->ij", [(2, 3), (3,)]),
                         ("size", "ij,jk->ik", [(2, 3), (4, 2)]), ("outrep", "ij->ii", [(2, 3)]), ("outmissing", "ij->k", [(2, 3)])]:
    add(f"einsum/err_{name}", "einsum", [R(*s) for s in shapes], py=lambda *ts, eq=eq: torch.einsum(eq, *ts))
    CASES[-1]["equation"] = eq

# ------------------------------------------------------------------------------------------------ sorting
x = distinct(3, 5)
add("sort/default", "sort", [x])
add("sort/dim0_desc", "sort", [x], [0, True])
add("sort/kw", "sort", [x], kwargs={"dim": 1, "descending": True, "stable": True})
add("sort/ties_stable", "sort", [torch.tensor([2., 1, 2, 1, 0, 2], dtype=D)], kwargs={"stable": True})
add("sort/ties_desc_stable", "sort", [torch.tensor([2., 1, 2, 1, 0, 2], dtype=D)], kwargs={"stable": True, "descending": True})
add("sort/nan", "sort", [torch.tensor([1., nan, -inf, 3, nan, inf], dtype=D)], kwargs={"stable": True})
add("sort/nan_desc", "sort", [torch.tensor([1., nan, -inf, 3, nan, inf], dtype=D)], kwargs={"stable": True, "descending": True})
add("sort/int", "sort", [torch.tensor([[3, -1, 2], [0, 7, 5]])], [1])
add("sort/float32_t", "sort", [distinct(4, 3, dtype=torch.float32).t()], [1])
add("sort/0d", "sort", [torch.tensor(2.5, dtype=D)])
add("sort/empty", "sort", [torch.zeros(0, 3, dtype=D)], [0])
add("sort/baddim", "sort", [R(3)], [2])
add("argsort/default", "argsort", [x])
add("argsort/desc", "argsort", [x], [0, True])
add("msort/basic", "msort", [x])
for k in (1, 3, 5):
    add(f"topk/k{k}", "topk", [x], [k])
add("topk/smallest_dim0", "topk", [x], [2, 0, False])
add("topk/kw", "topk", [x], [2], {"dim": 0, "largest": True, "sorted": True})
add("topk/k0", "topk", [x], [0])
add("topk/too_big", "topk", [x], [6])
add("topk/int", "topk", [torch.tensor([4, 1, 9, 3])], [2])
add("topk/nan", "topk", [torch.tensor([1., nan, 3, 2], dtype=D)], [2])
for k in (1, 3, 5):
    add(f"kthvalue/k{k}", "kthvalue", [x], [k])
add("kthvalue/keepdim", "kthvalue", [x], [2, 0, True])
add("kthvalue/kw", "kthvalue", [x], [2], {"dim": 0, "keepdim": False})
add("kthvalue/out_of_range", "kthvalue", [x], [6])
add("kthvalue/zero", "kthvalue", [x], [0])
add("median/all_odd", "median", [distinct(3, 3)])
add("median/all_even", "median", [distinct(2, 4)])
add("median/dim", "median", [distinct(4, 5)], [1])
add("median/dim0_keepdim", "median", [distinct(4, 5)], [0, True])
add("median/even_dim", "median", [distinct(3, 4)], [1])
add("median/nan_all", "median", [torch.tensor([1., nan, 3], dtype=D)])
add("median/nan_dim", "median", [torch.tensor([[1., nan, 3, nan], [4, 2, 3, 1]], dtype=D)], [1])
add("median/int", "median", [torch.tensor([5, 3, 1, 4])])
add("median/empty", "median", [torch.zeros(0, dtype=D)])
add("median/empty_dim", "median", [torch.zeros(2, 0, dtype=D)], [1])
add("mode/basic", "mode", [torch.tensor([3., 1, 3, 1, 2], dtype=D)])
add("mode/rows", "mode", [torch.tensor([[1., 2, 2, 3], [4, 4, 5, 5], [7, 6, 7, 6]], dtype=D)], [1])
add("mode/dim0_keepdim", "mode", [torch.tensor([[1., 2], [1, 3], [2, 3]], dtype=D)], [0, True])
add("mode/int", "mode", [torch.tensor([1, 2, 2, 1, 0, 0])])
add("mode/unique", "mode", [distinct(5)])
add("mode/empty", "mode", [torch.zeros(0, dtype=D)])
add("unique/flat", "unique", [torch.tensor([[2., 1, 2], [3, 1, 0]], dtype=D)], grad=False)
add("unique/all", "unique", [torch.tensor([[2., 1, 2], [3, 1, 0]], dtype=D)], [True, True, True], grad=False)
add("unique/kw_counts", "unique", [torch.tensor([5, 5, 1, 5, 1, 9])], kwargs={"return_counts": True})
add("unique/kw_inverse", "unique", [torch.tensor([5, 5, 1, 5, 1, 9])], kwargs={"return_inverse": True})
add("unique/dim0", "unique", [torch.tensor([[1, 2], [0, 5], [1, 2], [0, 3]])], kwargs={"dim": 0, "return_inverse": True, "return_counts": True})
add("unique/dim1", "unique", [torch.tensor([[1, 0, 1, 1], [2, 5, 2, 0]])], kwargs={"dim": 1, "return_inverse": True, "return_counts": True})
add("unique/empty", "unique", [torch.zeros(0, dtype=D)], kwargs={"return_inverse": True, "return_counts": True}, grad=False)
add("unique/bool", "unique", [torch.tensor([True, False, True])])

# ------------------------------------------------------------------------------------------------ cumulative
add("cumprod/basic", "cumprod", [R(3, 4)], [1])
add("cumprod/dim0", "cumprod", [R(3, 4)], [0])
add("cumprod/zeros", "cumprod", [torch.tensor([[2., 0, 3, 0.5], [1, 2, 0, 4]], dtype=D)], [1])
add("cumprod/one_zero_first", "cumprod", [torch.tensor([0., 2, 3, 4], dtype=D)], [0])
add("cumprod/int", "cumprod", [torch.tensor([1, 2, 3, 4])], [0])
add("cumprod/dtype", "cumprod", [torch.tensor([1, 2, 3, 4])], [0], {"dtype": torch.float64}, py=lambda t, d, dtype: torch.cumprod(t, d, dtype=dtype))
CASES[-1]["kwargs"] = {"dtype": "float64"}
add("cumprod/float32", "cumprod", [R(2, 5, dtype=torch.float32)], [-1])
add("cumprod/0d", "cumprod", [torch.tensor(3., dtype=D)], [0])
add("cummax/basic", "cummax", [torch.tensor([[1., 3, 2, 3, 5], [0, -1, 4, 4, 2]], dtype=D)], [1])
add("cummax/dim0", "cummax", [distinct(4, 3)], [0])
add("cummax/nan", "cummax", [torch.tensor([1., nan, 3, nan, 0], dtype=D)], [0])
add("cummax/int", "cummax", [torch.tensor([2, 1, 2, 5, 5])], [0])
add("cummin/basic", "cummin", [torch.tensor([[1., 3, 0, 0, 5], [0, -1, 4, -1, 2]], dtype=D)], [1])
add("cummin/nan", "cummin", [torch.tensor([1., nan, -3], dtype=D)], [0])
add("diff/basic", "diff", [R(3, 5)])
add("diff/n2_dim0", "diff", [R(4, 3)], [2, 0])
add("diff/prepend_append", "diff", [R(2, 3)], kwargs={"prepend": R(2, 1), "append": R(2, 2)})
add("diff/n_big", "diff", [R(3)], [5])
add("diff/int", "diff", [torch.tensor([1, 4, 9, 16])])
add("diff/bool", "diff", [torch.tensor([True, False, False, True])])
add("diff/0d", "diff", [torch.tensor(1., dtype=D)])
add("diff/negative_n", "diff", [R(3)], [-1])

# ------------------------------------------------------------------------------------------------ rearranging
add("roll/flat", "roll", [R(2, 3)], [2])
add("roll/dim", "roll", [R(2, 3)], [-1, 1])
add("roll/dims", "roll", [R(3, 4)], [[1, -5], [0, 1]])
add("roll/big_shift", "roll", [R(4)], [10, 0])
add("roll/mismatch", "roll", [R(4)], [[1, 2], [0]])
for k in (1, 2, 3, -1, 4):
    add(f"rot90/k{k}", "rot90", [R(2, 3)], [k])
add("rot90/dims", "rot90", [R(2, 3, 4)], [1, [2, 0]])
add("rot90/bad_dims", "rot90", [R(2, 3)], [1, [0, 1, 2]])
add("rot90/1d", "rot90", [R(3)])
add("meshgrid/ij", "meshgrid", [R(2), R(3), R(4)], kwargs={"indexing": "ij"})
add("meshgrid/xy", "meshgrid", [R(2), R(3)], kwargs={"indexing": "xy"})
add("meshgrid/xy3", "meshgrid", [R(2), R(3), R(4)], kwargs={"indexing": "xy"})
add("meshgrid/0d", "meshgrid", [torch.tensor(1., dtype=D), R(2)], kwargs={"indexing": "ij"})
add("meshgrid/2d", "meshgrid", [R(2, 2)], kwargs={"indexing": "ij"})

# ------------------------------------------------------------------------------------------------ lookups
bnd = torch.tensor([1., 3, 5, 7, 9], dtype=D)
vals = torch.tensor([[0., 1, 4, 9], [10, 3, 7.5, -2]], dtype=D)
add("searchsorted/left", "searchsorted", [bnd, vals])
add("searchsorted/right", "searchsorted", [bnd, vals], kwargs={"right": True})
add("searchsorted/side", "searchsorted", [bnd, vals], kwargs={"side": "right"})
add("searchsorted/int32", "searchsorted", [bnd, vals], kwargs={"out_int32": True})
add("searchsorted/nd", "searchsorted", [torch.tensor([[1., 3, 5], [2, 4, 6]], dtype=D), torch.tensor([[3., 6], [1, 4]], dtype=D)])
add("searchsorted/sorter", "searchsorted", [torch.tensor([5., 1, 3], dtype=D), torch.tensor([2., 4], dtype=D)], kwargs={"sorter": torch.tensor([1, 2, 0])})
add("searchsorted/scalar", "searchsorted", [bnd], [4.0])
add("searchsorted/nan", "searchsorted", [bnd, torch.tensor([nan, 2.], dtype=D)])
add("searchsorted/nan_boundary", "searchsorted", [torch.tensor([1., 2, nan, nan], dtype=D), torch.tensor([0.5, 1.5, 2, 5, nan], dtype=D)])
add("searchsorted/nan_boundary_right", "searchsorted", [torch.tensor([[1., 2, nan], [0, 1, 3]], dtype=D), torch.tensor([[1.5, 2, 7], [nan, 1, 3]], dtype=D)], kwargs={"right": True})
add("searchsorted/badside", "searchsorted", [bnd, vals], kwargs={"side": "left", "right": True})
add("searchsorted/badshape", "searchsorted", [torch.tensor([[1., 3, 5], [2, 4, 6]], dtype=D), vals])
add("bucketize/left", "bucketize", [vals, bnd])
add("bucketize/right", "bucketize", [vals, bnd], kwargs={"right": True})
add("bucketize/int32", "bucketize", [torch.tensor([1, 5, 9]), torch.tensor([2, 4, 6, 8])], kwargs={"out_int32": True})
add("bucketize/bad", "bucketize", [vals, vals])
add("histc/basic", "histc", [R(20)], [5, -1, 1])
add("histc/auto", "histc", [torch.tensor([1., 2, 1, 4, 2.5], dtype=D)], [4])
add("histc/same", "histc", [torch.tensor([1., 1, 1], dtype=D)], [4])
add("histc/kw", "histc", [R(3, 4, dtype=torch.float32)], kwargs={"bins": 3, "min": 0, "max": 2})
add("histc/edges", "histc", [torch.tensor([0., 1, 2, 2, 3], dtype=D)], [2, 0, 2])
add("histc/bins0", "histc", [R(3)], [0])
add("histc/minmax", "histc", [R(3)], [3, 2, 1])
add("histc/int", "histc", [torch.tensor([1, 2])], [3])
add("histc/default", "histc", [torch.tensor([0.1, 0.5, 0.3, 0.9], dtype=D)])

# ------------------------------------------------------------------------------------------------ elementwise helpers
add("clampMin/num", "clampMin", [R(6)], [0.1])
add("clampMax/num", "clampMax", [R(6)], [-0.1])
add("clampMin/tensor", "clampMin", [R(2, 3), R(3)])
add("clampMax/tensor", "clampMax", [R(2, 3), R(2, 1)])
add("lerp/scalar_small", "lerp", [R(3, 2), R(3, 2)], [0.3])
add("lerp/scalar_big", "lerp", [R(3, 2), R(3, 2)], [0.8])
add("lerp/tensor", "lerp", [R(3, 2), R(3, 2), torch.tensor([[0.1, 0.9], [0.5, -0.7], [1.2, 0.49]], dtype=D)])
add("lerp/broadcast", "lerp", [R(3, 1), R(1, 2), torch.tensor([0.25, 0.75], dtype=D)])
add("lerp/float32", "lerp", [R(4, dtype=torch.float32), R(4, dtype=torch.float32)], [0.6])
add("lerp/dtype_mismatch", "lerp", [R(4, dtype=torch.float32), R(4)], [0.6])
ninf = torch.tensor([nan, inf, -inf, 1.5, -2], dtype=D)
add("nanToNum/default", "nanToNum", [ninf])
add("nanToNum/values", "nanToNum", [ninf], [0.5, 10.0, -10.0])
add("nanToNum/kw", "nanToNum", [ninf], kwargs={"posinf": 7.0})
add("nanToNum/float32", "nanToNum", [ninf.float()])
add("nanToNum/int", "nanToNum", [torch.tensor([1, 2])])
add("isclose/basic", "isclose", [torch.tensor([1., 1.1, nan, inf, 1e-9], dtype=D), torch.tensor([1.00001, 1, nan, inf, 0], dtype=D)])
add("isclose/tol", "isclose", [torch.tensor([1., 1.1, nan], dtype=D), torch.tensor([1.05, 1, nan], dtype=D)], kwargs={"rtol": 0.1, "atol": 0.0, "equal_nan": True})
add("cdist/p2", "cdist", [R(3, 4), R(5, 4)])
add("cdist/p1", "cdist", [R(3, 4), R(2, 4)], [1.0])
add("cdist/p3", "cdist", [R(2, 3), R(2, 3)], kwargs={"p": 3.0})
add("cdist/pinf", "cdist", [R(3, 2), R(4, 2)], [inf])
add("cdist/batch", "cdist", [R(2, 3, 4), R(2, 5, 4)])
add("cdist/zero_dist", "cdist", [torch.tensor([[0., 1], [2, 2]], dtype=D), torch.tensor([[0., 1], [1, 1]], dtype=D)])
add("cdist/cols", "cdist", [R(3, 4), R(3, 5)])
add("cdist/int", "cdist", [torch.ones(2, 2, dtype=torch.int64), torch.ones(2, 2, dtype=torch.int64)])
add("cdist/1d", "cdist", [R(3), R(3)])

# ------------------------------------------------------------------------------------------------ nn.functional
for p, dim in ((2.0, 1), (1.0, 0), (3.0, -1)):
    add(f"normalize/p{p:g}_d{dim}", "normalize", [R(3, 4)], kwargs={"p": p, "dim": dim}, ns="F")
add("normalize/zero_row", "normalize", [torch.tensor([[0., 0], [3, 4]], dtype=D)], ns="F")
add("normalize/eps", "normalize", [R(2, 3) * 1e-3], [2.0, 1, 0.1], ns="F")
add("cosineSimilarity/basic", "cosineSimilarity", [R(4, 5), R(4, 5)], ns="F")
add("cosineSimilarity/dim0_bcast", "cosineSimilarity", [R(3, 4), R(3, 1)], kwargs={"dim": 0}, ns="F")
add("cosineSimilarity/zero", "cosineSimilarity", [torch.tensor([[0., 0], [1, 2]], dtype=D), torch.tensor([[1., 1], [2, 1]], dtype=D)], ns="F")
add("cosineSimilarity/eps", "cosineSimilarity", [R(2, 3) * 1e-3, R(2, 3)], [1, 0.5], ns="F")
add("pairwiseDistance/basic", "pairwiseDistance", [R(4, 5), R(4, 5)], ns="F")
add("pairwiseDistance/p1_keepdim", "pairwiseDistance", [R(4, 5), R(1, 5)], kwargs={"p": 1.0, "keepdim": True}, ns="F")
add("pairwiseDistance/1d", "pairwiseDistance", [R(5), R(5)], ns="F")
add("pairwiseDistance/eps", "pairwiseDistance", [R(3, 2), R(3, 2)], [2.0, 0.5], ns="F")
A, P, N = R(4, 6), R(4, 6), R(4, 6)
for red in ("mean", "sum", "none"):
    add(f"tripletMarginLoss/{red}", "tripletMarginLoss", [A, P, N], kwargs={"reduction": red}, ns="F")
add("tripletMarginLoss/swap_p1_margin", "tripletMarginLoss", [A, P, N], kwargs={"margin": 2.0, "p": 1.0, "swap": True}, ns="F")
add("tripletMarginLoss/bad_dims", "tripletMarginLoss", [R(4, 6), R(4), R(4, 6)], ns="F")
x1, x2, y = R(6), R(6), torch.tensor([1., -1, 1, 1, -1, -1], dtype=D)
for red in ("mean", "sum", "none"):
    add(f"marginRankingLoss/{red}", "marginRankingLoss", [x1, x2, y], kwargs={"margin": 0.3, "reduction": red}, ns="F")
add("marginRankingLoss/default", "marginRankingLoss", [x1, x2, y], ns="F")
hx, hy = R(3, 4), torch.tensor([[1., -1, 1, -1], [-1, -1, 1, 1], [1, 1, -1, 1]], dtype=D)
for red in ("mean", "sum", "none"):
    add(f"hingeEmbeddingLoss/{red}", "hingeEmbeddingLoss", [hx, hy], kwargs={"margin": 0.5, "reduction": red}, ns="F")
add("hingeEmbeddingLoss/default", "hingeEmbeddingLoss", [hx, hy], ns="F")
c1, c2, cy = R(5, 3), R(5, 3), torch.tensor([1., -1, -1, 1, -1], dtype=D)
for red in ("mean", "sum", "none"):
    add(f"cosineEmbeddingLoss/{red}", "cosineEmbeddingLoss", [c1, c2, cy], kwargs={"margin": 0.2, "reduction": red}, ns="F")
add("cosineEmbeddingLoss/1d", "cosineEmbeddingLoss", [R(3), R(3), torch.tensor(-1., dtype=D)], ns="F")
add("cosineEmbeddingLoss/bad_target", "cosineEmbeddingLoss", [c1, c2, cy.reshape(5, 1)], ns="F")
mi, mt = R(4, 5), torch.tensor([1, 0, 4, 2])
for red in ("mean", "sum", "none"):
    add(f"multiMarginLoss/{red}", "multiMarginLoss", [mi, mt], kwargs={"reduction": red}, ns="F")
add("multiMarginLoss/p2_margin_weight", "multiMarginLoss", [mi, mt], kwargs={"p": 2, "margin": 0.7, "weight": torch.tensor([1., 2, 0.5, 1, 3], dtype=D)}, ns="F")
add("multiMarginLoss/1d", "multiMarginLoss", [R(5), torch.tensor(3)], ns="F")
add("multiMarginLoss/bad_p", "multiMarginLoss", [mi, mt], kwargs={"p": 3}, ns="F")
add("multiMarginLoss/bad_target", "multiMarginLoss", [mi, torch.tensor([1, 0, 5, 2])], ns="F")
pi, pt = R(3, 4), torch.tensor([[0., 1, 2, 3], [5, 0, 1, 1], [2, 2, 0, 7]], dtype=D)
for red in ("mean", "sum", "none"):
    add(f"poissonNllLoss/log_{red}", "poissonNllLoss", [pi, pt], kwargs={"reduction": red}, ns="F")
add("poissonNllLoss/nolog_full", "poissonNllLoss", [pi.abs() + 0.1, pt], kwargs={"log_input": False, "full": True}, ns="F")
add("poissonNllLoss/full", "poissonNllLoss", [pi, pt], kwargs={"full": True, "reduction": "sum"}, ns="F")
gi, gt, gv = R(4, 3), R(4, 3), R(4, 3).abs() + 0.1
for red in ("mean", "sum", "none"):
    add(f"gaussianNllLoss/{red}", "gaussianNllLoss", [gi, gt, gv], kwargs={"reduction": red}, ns="F")
add("gaussianNllLoss/full_homosc", "gaussianNllLoss", [gi, gt, gv[:, :1].clone()], kwargs={"full": True}, ns="F")
add("gaussianNllLoss/var_1dless", "gaussianNllLoss", [gi, gt, gv[:, 0].clone()], ns="F")
add("gaussianNllLoss/clamped", "gaussianNllLoss", [gi, gt, torch.tensor([[1e-8, 1, 2]] * 4, dtype=D)], kwargs={"eps": 1e-3}, ns="F")
add("gaussianNllLoss/bad_var", "gaussianNllLoss", [gi, gt, R(4, 2).abs()], ns="F")

# module forms (value, gradient and the printout via "repr")
MODS = [
    ("CosineSimilarity", ([], {"dim": 1, "eps": 1e-6}), [R(3, 4), R(3, 4)]),
    ("PairwiseDistance", ([], {"p": 1.0, "keepdim": True}), [R(3, 4), R(3, 4)]),
    ("TripletMarginLoss", ([], {"margin": 0.5, "swap": True}), [A, P, N]),
    ("MarginRankingLoss", ([], {"margin": 0.1, "reduction": "sum"}), [x1, x2, y]),
    ("HingeEmbeddingLoss", ([], {"margin": 2.0}), [hx, hy]),
    ("CosineEmbeddingLoss", ([], {"margin": 0.1, "reduction": "none"}), [c1, c2, cy]),
    ("MultiMarginLoss", ([], {"p": 2, "margin": 0.5}), [mi, mt]),
    ("PoissonNLLLoss", ([], {"log_input": False, "full": True}), [pi.abs() + 0.1, pt]),
    ("GaussianNLLLoss", ([], {"full": True, "eps": 1e-4}), [gi, gt, gv]),
]
for cls, ctor, ins in MODS:
    add(f"nn.{cls}", cls, ins, ns="nn", ctor=ctor)
    CASES[-1]["repr"] = repr(getattr(nn, cls)(*ctor[0], **ctor[1]))

for c in CASES:
    # PyTorch prints the offending tensor; the message up to it is what is compared
    if c.get("error", "").startswith("torch.meshgrid: Expected 0D or 1D tensor"):
        c["error"] = c["error"][: c["error"].index("got:") + 4]

with open(OUT, "w") as f:
    f.write('{"torch_version": "%s", "cases": [\n' % torch.__version__)
    f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in CASES))
    f.write("\n]}\n")
print(f"wrote {len(CASES)} cases to {OUT}")
