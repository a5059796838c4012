#!/usr/bin/python3
"""Generate PyTorch reference fixtures for torchlet's conformance tests.

Run with Debian's PyTorch (CPU):  /usr/bin/python3 scripts/gen_fixtures.py
(or `npm run fixtures`).  Writes test/fixtures/ops.json.  Deterministic: the
same torch version always produces byte-identical output.

FILE FORMAT
===========
  {"torch_version": "1.13.0a0", "cases": [CASE, ...]}

One case per line inside "cases".  CASE:

  {
    "name":    "add/broadcast_row",   unique, readable; "<op>/<variant>"
    "op":      "add",                 key the TS runner maps to a torchlet call
    "inputs":  [INPUT, ...],          positional tensor inputs (cat/stack: the
                                      tensors of the list, in order; creation
                                      ops: [])
    "args":    {...},                 non-tensor arguments, camelCase keys, e.g.
                                      {"dim": [0, 2], "keepdim": true}.  A key
                                      that is absent means "PyTorch default"
                                      (e.g. no "dim" on a reduction = reduce over
                                      all elements).  null values are explicit
                                      "None" (e.g. clamp {"min": null, "max": 1}).
                                      Non-finite numbers are the strings
                                      "nan" / "inf" / "-inf" (maskedFill value,
                                      norm p).  A number without fractional
                                      part was a Python int (matters for dtype
                                      inference: int64 + 2 -> int64, full(7) ->
                                      int64), except where input 0 is a float
                                      tensor, where int vs float cannot matter.
    "out":     VALUE | [VALUE, ...],  forward result; a list for ops returning
                                      several tensors (max/min with dim ->
                                      [values, indices(int64)], split, chunk)
    "error":   "substring",           INSTEAD of "out": the op must throw and the
                                      message should contain this substring of
                                      PyTorch's message
    "gradOut": VALUE | [VALUE|null,..] present only when some input requires
                                      grad and (some) output is float; same
                                      structure as "out" (null for outputs that
                                      carry no gradient, e.g. indices)
    "grads":   [VALUE | null, ...],   one per input: d(sum(out * gradOut)) /
                                      d(base of input i).  null when that input
                                      has requiresGrad false.  Same shape/dtype
                                      as the input's BASE (before "view").  An
                                      input that requires grad but does not
                                      influence the output gets zeros.
    "atol": 1e-5, "rtol": 1e-4        optional tolerance override (suggested
                                      runner defaults: atol 1e-5, rtol 1e-4,
                                      applied to out and grads alike:
                                      |a - e| <= atol + rtol * |e|; NaN must
                                      match NaN, +-inf must match exactly)
  }

  INPUT = {
    "shape": [2, 3], "dtype": "float32"|"float64"|"int64"|"int32"|"bool",
    "data":  [flat row-major values of the BASE tensor],
    "requiresGrad": bool,
    "view":  [VIEWOP, ...]            optional; applied in order to the base to
                                      obtain the (usually non-contiguous) tensor
                                      actually passed to the op.  VIEWOP is one of
        ["transpose", d0, d1]
        ["permute", [dims...]]
        ["slice", dim, start, end, step]   == x[..., start:end:step] on dim
        ["expand", [sizes...]]             (-1 keeps a size)
        ["select", dim, index]
  }

  VALUE = {"shape": [...], "dtype": "...", "data": [flat row-major values]}
    0-dim tensors have shape [] and exactly one value.  float values are
    numbers or "nan"/"inf"/"-inf"; float32 values are written with the shortest
    decimal that round-trips to the same float32; int64/int32 are plain
    integers; bool data are JSON true/false.  -0.0 is written as -0.0.

OP KEYS AND ARGS (the exact torch call is in the generator code below, see the
`add(...)` calls; for "max"/"min"/"argmax"/..., the absence of "dim" selects the
full reduction overload):
  binary:   add sub mul div pow maximum minimum eq ne lt le gt ge   {}
            addAlpha {alpha}  addScalar mulScalar powScalar rsubScalar
            divScalar {other}   (rsubScalar = other - x, divScalar = x / other)
  unary:    neg abs sign exp log log1p expm1 sqrt rsqrt square reciprocal sin
            cos tan asin acos atan sinh cosh tanh asinh acosh atanh relu sigmoid
            silu erf floor ceil round trunc {}; gelu {approximate?: "tanh"};
            softplus {beta?, threshold?}; leakyRelu {negativeSlope};
            elu {alpha?}; clamp {min, max} (either may be null)
  reduce:   sum mean prod amax amin max min argmax argmin logsumexp
            {dim?, keepdim?};  var std {dim?, unbiased?, keepdim?};
            norm {p, dim?, keepdim?};  softmax logSoftmax cumsum {dim}
  linalg:   matmul mm bmm {}
  shape:    view reshape {shape}; unsqueeze {dim}; squeeze {dim?};
            permute {dims}; transpose {dim0, dim1}; t {}; expand {shape};
            narrow {dim, start, length}; select {dim, index};
            flatten {startDim?, endDim?}; unflatten {dim, sizes};
            contiguous {}; slice {dim, start, end, step}; cat stack {dim};
            split {splitSize (int or list), dim}; chunk {chunks, dim};
            repeat {repeats}; flip {dims}
  indexing: gather [x, index] {dim}; scatter [x, index, src] {dim};
            scatterValue [x, index] {dim, value}; indexSelect [x, index] {dim};
            where [cond, a, b] {}; maskedFill [x, mask] {value}
  casting:  to {dtype}; float long int bool double {}
  creation: arange {start, end, step}; linspace {start, end, steps};
            eye {n, m} (m may be null); full {size, fillValue, dtype?}
"""

import json
import math
import os
import struct
import sys

import torch

torch.manual_seed(0)
torch.set_default_dtype(torch.float32)

OUT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "ops.json")

CASES = []
NAMES = set()
PROBLEMS = []  # error-message mismatches; the script fails if any

DTYPE_NAMES = {
    torch.float32: "float32",
    torch.float64: "float64",
    torch.int64: "int64",
    torch.int32: "int32",
    torch.bool: "bool",
}
NAME_TO_DTYPE = {v: k for k, v in DTYPE_NAMES.items()}

F32, F64, I64, I32, BOOL = torch.float32, torch.float64, torch.int64, torch.int32, torch.bool


# ----------------------------------------------------------------- encoding

def _f32_num(x):
    """Shortest decimal that round-trips to the same float32."""
    target = struct.pack("<f", x)
    for digits in range(6, 10):
        s = "%.*g" % (digits, x)
        if struct.pack("<f", float(s)) == target:
            return float(s)
    return float("%.9g" % x)


def enc_num(x, dtype):
    if dtype == BOOL:
        return bool(x)
    if dtype in (I64, I32):
        return int(x)
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if dtype == F32:
        return _f32_num(x)
    return x


def enc(t):
    t = t.detach()
    dt = DTYPE_NAMES[t.dtype]
    flat = t.contiguous().reshape(-1).tolist()
    return {"shape": list(t.shape), "dtype": dt, "data": [enc_num(v, t.dtype) for v in flat]}


def _has_integral_float(v):
    if isinstance(v, float):
        return math.isfinite(v) and v.is_integer()
    if isinstance(v, (list, tuple)):
        return any(_has_integral_float(x) for x in v)
    if isinstance(v, dict):
        return any(_has_integral_float(x) for x in v.values())
    return False


def enc_arg(v):
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        if v.is_integer():  # JSON.parse cannot tell 1.0 from 1; see add()
            return int(v)
    if isinstance(v, (list, tuple)):
        return [enc_arg(x) for x in v]
    if isinstance(v, dict):
        return {k: enc_arg(x) for k, x in v.items()}
    return v


# ----------------------------------------------------------------- inputs

class Inp:
    def __init__(self, t, rg=None, view=None):
        self.t = t.detach().clone()
        if rg is None:
            rg = t.is_floating_point()
        self.rg = bool(rg) and t.is_floating_point()
        self.view = view or []

    def to_json(self):
        d = enc(self.t)
        d["requiresGrad"] = self.rg
        if self.view:
            d["view"] = [list(v) for v in self.view]
        return d


def apply_view(x, v):
    kind = v[0]
    if kind == "transpose":
        return x.transpose(v[1], v[2])
    if kind == "permute":
        return x.permute(*v[1])
    if kind == "slice":
        _, dim, start, end, step = v
        idx = [slice(None)] * x.dim()
        idx[dim] = slice(start, end, step)
        return x[tuple(idx)]
    if kind == "expand":
        return x.expand(*v[1])
    if kind == "select":
        return x.select(v[1], v[2])
    raise ValueError(kind)


def R(*shape, dtype=F32):
    """Standard normal values (generated in float32 so float64 cases are
    exactly representable in both)."""
    return torch.randn(tuple(shape)).to(dtype)


def U(shape, lo, hi, dtype=F32):
    return (torch.rand(tuple(shape)) * (hi - lo) + lo).to(dtype)


def T(data, dtype=F32):
    return torch.tensor(data, dtype=dtype)


def RI(shape, lo, hi, dtype=I64):
    return torch.randint(lo, hi, tuple(shape), dtype=dtype)


def inp(t, rg=None, view=None):
    return Inp(t, rg, view)


def x_(*shape, dtype=F32, view=None, rg=True):
    return Inp(R(*shape, dtype=dtype), rg, view)


# ----------------------------------------------------------------- case builder

DEFAULT_ATOL, DEFAULT_RTOL = 1e-5, 1e-4
# casting/creation ops: re-running them in float64 would change their meaning
NO_CALIBRATION = {"to", "float", "double", "long", "int", "bool"}


def evaluate(inputs, fn, upcast=False, gos=None):
    """Run fn on the (viewed) inputs; return (outs, multi, gradOuts, grads).
    upcast=True re-runs float32 inputs in float64 (reference for tolerance
    calibration) reusing the given gradOuts."""
    bases, xs = [], []
    for i in inputs:
        t = i.t.double() if upcast and i.t.dtype == F32 else i.t
        b = t.clone().requires_grad_(i.rg)
        x = b
        for v in i.view:
            x = apply_view(x, v)
        bases.append(b)
        xs.append(x)
    out = fn(*xs)
    multi = isinstance(out, (tuple, list))
    outs = list(out) if multi else [out]
    rg_bases = [b for b in bases if b.requires_grad]
    diff = [o.is_floating_point() and o.requires_grad for o in outs]
    if not (rg_bases and any(diff)):
        return [o.detach() for o in outs], multi, None, None
    if gos is None:
        gos = [R(*o.shape, dtype=o.dtype) if d else None for o, d in zip(outs, diff)]
    loss = sum((o * g.to(o.dtype)).sum() for o, g, d in zip(outs, gos, diff) if d)
    gi = iter(torch.autograd.grad(loss, rg_bases, allow_unused=True))
    grads = []
    for b in bases:
        if b.requires_grad:
            g = next(gi)
            grads.append(g if g is not None else torch.zeros_like(b))
        else:
            grads.append(None)
    return [o.detach() for o in outs], multi, gos, grads


def _nice_ceil(x):
    """Round up to 1, 2 or 5 times a power of ten."""
    e = math.floor(math.log10(x))
    for m in (1, 2, 5, 10):
        if m * 10 ** e >= x:
            return float("%.0e" % (m * 10 ** e))


def calibrate(got, exp):
    """Tolerance needed (with a 4x margin) for float32 results `got` to match
    the float64 re-run `exp`; (None, None) when the defaults suffice."""
    need_a = need_r = 0.0
    for g, e in zip(got, exp):
        if not g.is_floating_point() or g.numel() == 0:
            continue
        g = g.double().reshape(-1)
        e = e.double().reshape(-1)
        ok = torch.isfinite(g) & torch.isfinite(e)
        g, e = g[ok], e[ok]
        err = (g - e).abs()
        bad = err > DEFAULT_ATOL + DEFAULT_RTOL * e.abs()
        if not bad.any():
            continue
        small = e.abs() <= 1e-3
        if (bad & small).any():
            need_a = max(need_a, err[bad & small].max().item())
        big = bad & ~small
        if big.any():
            need_r = max(need_r, ((err[big] - DEFAULT_ATOL) / e[big].abs()).max().item())
    a = _nice_ceil(4 * need_a) if need_a > 0 else None
    r = _nice_ceil(4 * need_r) if need_r > 0 else None
    return (max(a, DEFAULT_ATOL) if a else None), (max(r, DEFAULT_RTOL) if r else None)


def add(name, op, inputs, fn, args=None, error=None, atol=None, rtol=None):
    assert name not in NAMES, "duplicate case name " + name
    NAMES.add(name)
    inputs = [i if isinstance(i, Inp) else Inp(i) for i in inputs]
    args = args or {}
    # A Python float arg with an integral value (e.g. 3.0) is written as 3, so
    # the TS side sees an int.  That is only harmless when input 0 is a
    # float tensor (a Python scalar never changes a float tensor's dtype; the
    # result dtype of scatterValue/maskedFill is always that of input 0).
    if _has_integral_float(args) and (not inputs or not inputs[0].t.is_floating_point()):
        PROBLEMS.append("%s: integral float arg would read as an int in JSON" % name)
    case = {"name": name, "op": op, "inputs": [i.to_json() for i in inputs], "args": enc_arg(args)}

    if error is not None:
        try:
            evaluate(inputs, fn)
        except Exception as e:  # noqa: BLE001
            msg = str(e)
            if error not in msg:
                PROBLEMS.append("%s: expected %r in %r" % (name, error, msg))
            case["error"] = error
        else:
            PROBLEMS.append("%s: expected an error" % name)
    else:
        outs, multi, gos, grads = evaluate(inputs, fn)
        case["out"] = [enc(o) for o in outs] if multi else enc(outs[0])
        if gos is not None:
            case["gradOut"] = [enc(g) if g is not None else None for g in gos] if multi else enc(gos[0])
            case["grads"] = [enc(g) if g is not None else None for g in grads]
        if op not in NO_CALIBRATION and any(i.t.dtype == F32 for i in inputs):
            ref = evaluate(inputs, fn, upcast=True, gos=gos)
            got = outs + [g for g in (grads or []) if g is not None]
            exp = ref[0] + [g for g in (ref[3] or []) if g is not None]
            a, r = calibrate(got, exp)
            if a is not None and (atol is None or a > atol):
                atol = a
            if r is not None and (rtol is None or r > rtol):
                rtol = r
    if atol is not None:
        case["atol"] = atol
    if rtol is not None:
        case["rtol"] = rtol
    CASES.append(case)


NAN, INF = float("nan"), float("inf")

# ================================================================= binary ops

BIN = {
    "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div,
    "maximum": torch.maximum, "minimum": torch.minimum,
}
for op, fn in BIN.items():
    den_safe = op == "div"

    def rhs(*shape, view=None, dtype=F32):
        if den_safe:  # keep denominators away from 0
            t = U(shape, 0.5, 2.0, dtype) * torch.where(torch.rand(tuple(shape)) < 0.5, -1.0, 1.0).to(dtype)
            return inp(t, view=view)
        return x_(*shape, view=view, dtype=dtype)

    add(op + "/same_shape", op, [x_(2, 3), rhs(2, 3)], fn)
    add(op + "/broadcast_row", op, [x_(2, 3), rhs(3)], fn)
    add(op + "/broadcast_col", op, [x_(2, 3), rhs(2, 1)], fn)
    add(op + "/broadcast_both", op, [x_(2, 1, 4), rhs(3, 1)], fn)
    add(op + "/scalar_tensor_rhs", op, [x_(2, 3), rhs()], fn)
    add(op + "/scalar_tensor_lhs", op, [x_(), rhs(2, 3)], fn)
    add(op + "/both_0d", op, [x_(), rhs()], fn)
    add(op + "/transposed_lhs", op, [x_(3, 2, view=[("transpose", 0, 1)]), rhs(2, 3)], fn)
    add(op + "/sliced_rhs", op, [x_(2, 3), rhs(2, 6, view=[("slice", 1, 0, 6, 2)])], fn)
    add(op + "/expanded_lhs", op, [x_(1, 3, view=[("expand", [4, 3])]), rhs(4, 3)], fn)
    add(op + "/float64", op, [x_(2, 3, dtype=F64), rhs(2, 3, dtype=F64)], fn)
    add(op + "/broadcast_rank3", op, [x_(2, 3, 4), rhs(4)], fn)

# more non-contiguous inputs
add("mul/permuted_rank3", "mul", [x_(4, 2, 3, view=[("permute", [1, 2, 0])]), x_(3, 4)], torch.mul)
add("add/select_view", "add", [x_(3, 4, view=[("select", 0, 1)]), x_(4)], torch.add)
add("sub/expand_both", "sub", [x_(3, 1, view=[("expand", [3, 4])]), x_(1, 4, view=[("expand", [3, 4])])], torch.sub)

# ties / NaN for maximum & minimum
tie_a = T([[1.0, 2.0, 3.0], [NAN, -1.0, 0.5]])
tie_b = T([[1.0, 0.0, 4.0], [0.0, NAN, 0.5]])
add("maximum/ties_and_nan", "maximum", [inp(tie_a), inp(tie_b)], torch.maximum)
add("minimum/ties_and_nan", "minimum", [inp(tie_a), inp(tie_b)], torch.minimum)
add("maximum/int64", "maximum", [RI((2, 3), -5, 5), RI((3,), -5, 5)], torch.maximum)

# division specials
add("div/by_zero", "div", [inp(T([1.0, -1.0, 0.0, 2.0]), rg=False), inp(T([0.0, 0.0, 0.0, -0.0]), rg=False)], torch.div)
add("div/int_by_int_true_division", "div", [T([7, -7, 1, 0, 5], I64), T([2, 2, 0, 0, -3], I64)], torch.div)
add("div/int32_by_int32", "div", [T([7, 9], I32), T([2, 4], I32)], torch.div)

# pow (tensor-tensor): positive bases
add("pow/positive_base", "pow", [inp(U((2, 3), 0.5, 2.0)), x_(2, 3)], torch.pow)
add("pow/broadcast_exponent", "pow", [inp(U((2, 3), 0.5, 2.0)), inp(T([0.5, 2.0, -1.0]))], torch.pow)
add("pow/broadcast_base_0d", "pow", [inp(T(1.5)), inp(U((2, 3), -1.0, 2.0))], torch.pow)
add("pow/float64", "pow", [inp(U((2, 3), 0.5, 2.0, F64)), inp(U((2, 3), -2.0, 2.0, F64))], torch.pow)
add("pow/negative_base_integer_exp", "pow", [inp(T([-2.0, -1.5, 3.0]), rg=True), inp(T([2.0, 3.0, 2.0]), rg=False)], torch.pow)
add("pow/negative_base_fractional_exp_nan", "pow", [inp(T([-2.0, 4.0]), rg=False), inp(T([0.5, 0.5]), rg=False)], torch.pow)
add("pow/int64", "pow", [T([2, 3, -2, 0], I64), T([3, 2, 3, 0], I64)], torch.pow)
add("pow/zero_base", "pow", [inp(T([0.0, 0.0, 0.0]), rg=False), inp(T([0.0, 2.0, -1.0]), rg=False)], torch.pow)

# addAlpha
add("addAlpha/alpha2", "addAlpha", [x_(2, 3), x_(3)], lambda a, b: torch.add(a, b, alpha=2), {"alpha": 2})
add("addAlpha/alpha_neg_half", "addAlpha", [x_(2, 3), x_(2, 3)], lambda a, b: torch.add(a, b, alpha=-0.5), {"alpha": -0.5})
add("addAlpha/int64", "addAlpha", [RI((2, 3), -5, 5), RI((2, 3), -5, 5)], lambda a, b: torch.add(a, b, alpha=3), {"alpha": 3})

# comparisons
CMP = {"eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge}
cmp_a = T([[1.0, 2.0, 3.0], [NAN, -1.0, 0.5]])
cmp_b = T([[1.0, 3.0, 2.0], [NAN, -1.0, 0.25]])
for op, fn in CMP.items():
    add(op + "/float", op, [inp(cmp_a, rg=False), inp(cmp_b, rg=False)], fn)
    add(op + "/broadcast", op, [inp(R(2, 3), rg=False), inp(T([0.0, 0.5, -0.5]), rg=False)], fn)
    add(op + "/int_vs_float", op, [T([1, 2, 3], I64), inp(T([1.0, 1.5, 3.5]), rg=False)], fn)
    add(op + "/noncontig", op, [inp(RI((3, 2), 0, 3), view=[("transpose", 0, 1)]), RI((2, 3), 0, 3)], fn)
add("eq/bool", "eq", [T([True, False, True], BOOL), T([True, True, False], BOOL)], torch.eq)
add("lt/inf", "lt", [inp(T([-INF, 0.0, INF]), rg=False), inp(T([INF, -INF, INF]), rg=False)], torch.lt)

# scalar ops
SC = {
    "addScalar": lambda x, s: x + s,
    "mulScalar": lambda x, s: x * s,
    "divScalar": lambda x, s: x / s,
    "rsubScalar": lambda x, s: torch.rsub(x, s),
    "powScalar": lambda x, s: x ** s,
}
for op, fn in SC.items():
    for s in (2, -1.5):
        base = U((2, 3), 0.5, 2.0) if (op == "powScalar" and s != int(s)) else R(2, 3)
        add("%s/float32_%s" % (op, str(s).replace("-", "neg").replace(".", "_")), op, [inp(base)],
            (lambda f, s: lambda x: f(x, s))(fn, s), {"other": s})
    add(op + "/noncontig", op, [inp(U((3, 2), 0.5, 2.0), view=[("transpose", 0, 1)])],
        (lambda f: lambda x: f(x, 3.0))(fn), {"other": 3.0})
    add(op + "/float64", op, [inp(U((2, 3), 0.5, 2.0, F64))], (lambda f: lambda x: f(x, 0.5))(fn), {"other": 0.5})
    add(op + "/int64_int", op, [RI((2, 3), 1, 5)], (lambda f: lambda x: f(x, 2))(fn), {"other": 2})
    add(op + "/int64_float", op, [RI((2, 3), 1, 5)], (lambda f: lambda x: f(x, 2.5))(fn), {"other": 2.5})
    add(op + "/0d", op, [inp(T(1.25))], (lambda f: lambda x: f(x, 3))(fn), {"other": 3})
add("powScalar/square_negative_base", "powScalar", [inp(T([-2.0, -0.5, 0.0, 1.5]))], lambda x: x ** 2, {"other": 2})
add("powScalar/zero_exponent", "powScalar", [x_(4)], lambda x: x ** 0, {"other": 0})
add("powScalar/sqrt_of_zero", "powScalar", [inp(T([0.0, 1.0, 4.0]))], lambda x: x ** 0.5, {"other": 0.5})
add("powScalar/int64_negative_exponent_error", "powScalar", [T([1, 2], I64)], lambda x: x ** -1, {"other": -1},
    error="Integers to negative integer powers are not allowed")
add("divScalar/by_zero", "divScalar", [inp(T([1.0, -1.0, 0.0]), rg=False)], lambda x: x / 0.0, {"other": 0.0})
add("mulScalar/bool_int", "mulScalar", [T([True, False], BOOL)], lambda x: x * 3, {"other": 3})
add("addScalar/bool_float", "addScalar", [T([True, False], BOOL)], lambda x: x + 0.5, {"other": 0.5})

# type promotion (tensor-tensor)
add("add/promote_int64_float32", "add", [RI((2, 3), -3, 3), x_(2, 3)], torch.add)
add("add/promote_int32_int64", "add", [RI((2, 3), -3, 3, I32), RI((2, 3), -3, 3)], torch.add)
add("add/promote_bool_int64", "add", [T([True, False, True], BOOL), T([1, 2, 3], I64)], torch.add)
add("add/promote_bool_bool", "add", [T([True, False, True], BOOL), T([True, False, False], BOOL)], torch.add)
add("add/promote_float32_float64", "add", [x_(2, 3), x_(2, 3, dtype=F64)], torch.add)
add("add/promote_0d_float64_with_float32", "add", [x_(dtype=F64), x_(2, 3)], torch.add)
add("add/promote_0d_float32_with_float64", "add", [x_(), x_(2, 3, dtype=F64)], torch.add)
add("add/promote_0d_float32_with_int64", "add", [x_(), RI((2, 3), -3, 3)], torch.add)
add("add/promote_0d_int64_with_int32", "add", [T(5, I64), RI((3,), -3, 3, I32)], torch.add)
add("mul/promote_int64_float32", "mul", [RI((3,), -3, 3), x_(2, 3)], torch.mul)
add("mul/promote_float64_int32", "mul", [x_(3, dtype=F64), RI((3,), -3, 3, I32)], torch.mul)
add("sub/promote_int32_float32", "sub", [RI((2, 3), -3, 3, I32), x_(3)], torch.sub)
add("sub/bool_error", "sub", [T([True], BOOL), T([False], BOOL)], torch.sub,
    error="Subtraction, the `-` operator, with two bool tensors is not supported")
add("div/promote_int64_float64", "div", [RI((3,), 1, 5), x_(3, dtype=F64)], torch.div)
add("maximum/promote_int64_float32", "maximum", [RI((2, 3), -2, 2), x_(2, 3)], torch.maximum)
add("add/broadcast_error", "add", [x_(2, 3, rg=False), x_(4, rg=False)], torch.add,
    error="The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1")
add("mul/broadcast_error_rank3", "mul", [x_(2, 3, 4, rg=False), x_(2, 4, rg=False)], torch.mul,
    error="The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1")

# ================================================================= unary ops

def dom(lo, hi):
    return lambda *shape: U(shape, lo, hi)


UNARY = [
    ("neg", torch.neg, R), ("abs", torch.abs, R), ("sign", torch.sign, R),
    ("exp", torch.exp, R), ("log", torch.log, dom(0.1, 3.0)), ("log1p", torch.log1p, dom(-0.9, 3.0)),
    ("expm1", torch.expm1, R), ("sqrt", torch.sqrt, dom(0.1, 4.0)), ("rsqrt", torch.rsqrt, dom(0.1, 4.0)),
    ("square", torch.square, R), ("reciprocal", torch.reciprocal, dom(0.5, 3.0)),
    ("sin", torch.sin, R), ("cos", torch.cos, R), ("tan", torch.tan, dom(-1.2, 1.2)),
    ("asin", torch.asin, dom(-0.95, 0.95)), ("acos", torch.acos, dom(-0.95, 0.95)), ("atan", torch.atan, R),
    ("sinh", torch.sinh, R), ("cosh", torch.cosh, R), ("tanh", torch.tanh, R),
    ("asinh", torch.asinh, R), ("acosh", torch.acosh, dom(1.05, 4.0)), ("atanh", torch.atanh, dom(-0.95, 0.95)),
    ("relu", torch.relu, R), ("sigmoid", torch.sigmoid, R),
    ("gelu", torch.nn.functional.gelu, R), ("silu", torch.nn.functional.silu, R),
    ("softplus", torch.nn.functional.softplus, R), ("elu", torch.nn.functional.elu, R),
    ("erf", torch.erf, R), ("floor", torch.floor, R), ("ceil", torch.ceil, R),
    ("round", torch.round, R), ("trunc", torch.trunc, R),
]
LOOSE = {"tan", "sinh", "cosh", "exp", "expm1", "acosh", "atanh", "asin", "acos", "rsqrt", "reciprocal"}
for op, fn, gen in UNARY:
    tol = {"atol": 1e-5, "rtol": 2e-4} if op in LOOSE else {}
    add(op + "/basic", op, [inp(gen(2, 3) * (3 if gen is R and op in ("floor", "ceil", "round", "trunc") else 1))], fn, **tol)
    add(op + "/noncontig", op, [inp(gen(4, 3), view=[("transpose", 0, 1), ("slice", 1, 0, 4, 2)])], fn, **tol)
    add(op + "/float64", op, [inp(gen(2, 3).to(F64))], fn)
    add(op + "/0d", op, [inp(gen())], fn, **tol)

# non-finite / special values
SPECIAL = T([0.0, -0.0, -1.0, 1.0, INF, -INF, NAN])
add("log/special", "log", [inp(SPECIAL, rg=False)], torch.log)
add("log/grad_at_zero", "log", [inp(T([0.0, 1.0, 2.0]))], torch.log)
add("sqrt/special", "sqrt", [inp(SPECIAL, rg=False)], torch.sqrt)
add("sqrt/grad_at_zero", "sqrt", [inp(T([0.0, 1.0, 4.0]))], torch.sqrt)
add("rsqrt/special", "rsqrt", [inp(SPECIAL, rg=False)], torch.rsqrt)
add("exp/special", "exp", [inp(T([100.0, -100.0, 88.0, 89.0, INF, -INF, NAN]), rg=False)], torch.exp)
add("exp/overflow_grad", "exp", [inp(T([100.0, -200.0, 0.0]))], torch.exp)
add("reciprocal/special", "reciprocal", [inp(SPECIAL, rg=False)], torch.reciprocal)
add("relu/special", "relu", [inp(SPECIAL, rg=False)], torch.relu)
add("relu/grad_at_zero", "relu", [inp(T([-1.0, 0.0, 1.0]))], torch.relu)
add("abs/grad_at_zero", "abs", [inp(T([-2.0, 0.0, 3.0]))], torch.abs)
add("sign/special", "sign", [inp(SPECIAL, rg=False)], torch.sign)
add("sigmoid/special", "sigmoid", [inp(T([-100.0, 100.0, 0.0, INF, -INF, NAN]))], torch.sigmoid)
add("tanh/special", "tanh", [inp(T([-100.0, 100.0, 0.0, INF, -INF, NAN]), rg=False)], torch.tanh)
add("log1p/special", "log1p", [inp(T([-1.0, -2.0, 1e-10, INF, NAN]), rg=False)], torch.log1p)
add("asin/out_of_domain", "asin", [inp(T([2.0, -1.5, 1.0]), rg=False)], torch.asin)
add("acosh/out_of_domain", "acosh", [inp(T([0.5, 1.0, INF]), rg=False)], torch.acosh)
add("atanh/special", "atanh", [inp(T([1.0, -1.0, 2.0]), rg=False)], torch.atanh)
add("round/half_to_even", "round", [inp(T([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, 3.7]))], torch.round)
add("trunc/negative", "trunc", [inp(T([-1.7, -0.2, 0.2, 1.7, INF, NAN]), rg=False)], torch.trunc)
add("floor/special", "floor", [inp(T([-1.5, -0.0, 0.5, INF, -INF, NAN]), rg=False)], torch.floor)
add("ceil/special", "ceil", [inp(T([-1.5, -0.5, 0.5, INF, -INF, NAN]), rg=False)], torch.ceil)
add("neg/int64", "neg", [RI((2, 3), -5, 5)], torch.neg)
add("abs/int64", "abs", [RI((2, 3), -5, 5)], torch.abs)
add("sign/int64", "sign", [T([-3, 0, 4], I64)], torch.sign)
add("exp/int64_promotes", "exp", [T([0, 1, 2], I64)], torch.exp)
add("sqrt/int64_promotes", "sqrt", [T([0, 1, 4], I64)], torch.sqrt)
add("relu/int64", "relu", [T([-3, 0, 4], I64)], torch.relu)
add("gelu/tanh", "gelu", [x_(2, 3)], lambda x: torch.nn.functional.gelu(x, approximate="tanh"), {"approximate": "tanh"})
add("gelu/tanh_float64", "gelu", [x_(2, 3, dtype=F64)], lambda x: torch.nn.functional.gelu(x, approximate="tanh"), {"approximate": "tanh"})
add("softplus/beta2", "softplus", [inp(R(2, 3) * 10)], lambda x: torch.nn.functional.softplus(x, beta=2.0), {"beta": 2.0})
add("softplus/threshold", "softplus", [inp(T([-30.0, 0.0, 19.0, 21.0, 50.0]))],
    lambda x: torch.nn.functional.softplus(x, beta=1.0, threshold=20.0), {"beta": 1.0, "threshold": 20.0})
add("softplus/large", "softplus", [inp(T([-100.0, 100.0, 5.0]))], torch.nn.functional.softplus)
for slope in (0.01, 0.2):
    add("leakyRelu/slope_%s" % str(slope).replace(".", "_"), "leakyRelu", [x_(2, 3)],
        (lambda s: lambda x: torch.nn.functional.leaky_relu(x, s))(slope), {"negativeSlope": slope})
add("leakyRelu/noncontig", "leakyRelu", [x_(3, 2, view=[("transpose", 0, 1)])],
    lambda x: torch.nn.functional.leaky_relu(x, 0.1), {"negativeSlope": 0.1})
add("leakyRelu/at_zero", "leakyRelu", [inp(T([-1.0, 0.0, 1.0]))],
    lambda x: torch.nn.functional.leaky_relu(x, 0.1), {"negativeSlope": 0.1})
add("elu/alpha_half", "elu", [x_(2, 3)], lambda x: torch.nn.functional.elu(x, alpha=0.5), {"alpha": 0.5})
add("gelu/special", "gelu", [inp(T([-INF, INF, NAN, -10.0, 10.0]), rg=False)], torch.nn.functional.gelu)
add("silu/special", "silu", [inp(T([-100.0, 100.0, NAN]), rg=False)], torch.nn.functional.silu)

# clamp
add("clamp/min_max", "clamp", [inp(R(2, 3) * 2)], lambda x: torch.clamp(x, -0.5, 0.5), {"min": -0.5, "max": 0.5})
add("clamp/min_only", "clamp", [inp(R(2, 3))], lambda x: torch.clamp(x, min=0.0), {"min": 0.0, "max": None})
add("clamp/max_only", "clamp", [inp(R(2, 3))], lambda x: torch.clamp(x, max=0.25), {"min": None, "max": 0.25})
add("clamp/boundary_grad", "clamp", [inp(T([-1.0, -0.5, 0.0, 0.5, 1.0]))], lambda x: torch.clamp(x, -0.5, 0.5), {"min": -0.5, "max": 0.5})
add("clamp/nan_and_inf", "clamp", [inp(T([NAN, INF, -INF, 0.3]), rg=False)], lambda x: torch.clamp(x, -1.0, 1.0), {"min": -1.0, "max": 1.0})
add("clamp/min_greater_than_max", "clamp", [inp(T([-2.0, 0.0, 2.0]))], lambda x: torch.clamp(x, 1.0, -1.0), {"min": 1.0, "max": -1.0})
add("clamp/noncontig", "clamp", [x_(3, 2, view=[("transpose", 0, 1)])], lambda x: torch.clamp(x, -0.3, 0.3), {"min": -0.3, "max": 0.3})
add("clamp/int64", "clamp", [T([-5, -1, 0, 3, 9], I64)], lambda x: torch.clamp(x, -2, 4), {"min": -2, "max": 4})
add("clamp/int64_float_bound", "clamp", [T([-5, -1, 0, 3, 9], I64)], lambda x: torch.clamp(x, -2.5, 4.5), {"min": -2.5, "max": 4.5})
add("clamp/float64", "clamp", [x_(2, 3, dtype=F64)], lambda x: torch.clamp(x, -0.5, 0.5), {"min": -0.5, "max": 0.5})

# ================================================================= reductions

def red(op, fn, args):
    a = dict(args)
    kw = {}
    if "dim" in a:
        kw["dim"] = a["dim"]
    if "keepdim" in a:
        kw["keepdim"] = a["keepdim"]
    return lambda x: fn(x, **kw)


RED_VARIANTS = [
    ("all", (2, 3), {}),
    ("all_rank3", (2, 3, 4), {}),
    ("dim0", (2, 3), {"dim": 0}),
    ("dim1_keepdim", (2, 3), {"dim": 1, "keepdim": True}),
    ("dim_neg1", (2, 3, 4), {"dim": -1}),
    ("dims_0_2", (2, 3, 4), {"dim": [0, 2]}),
    ("dims_neg_keepdim", (2, 3, 4), {"dim": [-1, -3], "keepdim": True}),
    ("0d", (), {}),
]
for op, fn in [("sum", torch.sum), ("mean", torch.mean), ("prod", torch.prod),
               ("amax", torch.amax), ("amin", torch.amin), ("logsumexp", torch.logsumexp)]:
    for vname, shape, args in RED_VARIANTS:
        if op in ("prod",) and isinstance(args.get("dim"), list):
            continue  # prod takes a single int dim
        if op == "logsumexp" and "dim" not in args:
            continue  # logsumexp requires dim in 1.13
        if op in ("amax", "amin") and "dim" not in args:
            fn2 = (lambda f: lambda x: f(x, dim=list(range(x.dim()))))(fn)
            add("%s/%s" % (op, vname), op, [x_(*shape)], fn2, dict(args))
            continue
        add("%s/%s" % (op, vname), op, [x_(*shape)], red(op, fn, args), args)
    add(op + "/noncontig", op, [x_(4, 3, view=[("transpose", 0, 1)])], red(op, fn, {"dim": 1}), {"dim": 1})
    add(op + "/float64", op, [x_(2, 3, dtype=F64)], red(op, fn, {"dim": 0}), {"dim": 0})
    add(op + "/dim_out_of_range", op, [x_(2, 3, rg=False)], red(op, fn, {"dim": 2}), {"dim": 2},
        error="Dimension out of range (expected to be in range of [-2, 1], but got 2)")

add("logsumexp/large_values", "logsumexp", [inp(T([[1000.0, 1000.0, 999.0], [-1000.0, -1001.0, -1000.0]]))],
    lambda x: torch.logsumexp(x, 1), {"dim": 1})
add("logsumexp/neg_inf", "logsumexp", [inp(T([[-INF, -INF], [-INF, 0.0]]), rg=False)], lambda x: torch.logsumexp(x, 1), {"dim": 1})
add("logsumexp/with_inf", "logsumexp", [inp(T([[INF, 0.0], [NAN, 0.0]]), rg=False)], lambda x: torch.logsumexp(x, 1), {"dim": 1})
add("sum/int64", "sum", [RI((2, 3), -5, 5)], lambda x: torch.sum(x, 1), {"dim": 1})
add("sum/int32_promotes_to_int64", "sum", [RI((2, 3), -5, 5, I32)], torch.sum)
add("sum/bool_counts", "sum", [T([[True, False, True], [True, True, True]], BOOL)], lambda x: torch.sum(x, 1), {"dim": 1})
add("sum/empty_dim0", "sum", [inp(torch.zeros(0, 3))], lambda x: torch.sum(x, 0), {"dim": 0})
add("sum/empty_all", "sum", [inp(torch.zeros(0, 3))], torch.sum)
add("sum/empty_dim1", "sum", [inp(torch.zeros(0, 3))], lambda x: torch.sum(x, 1), {"dim": 1})
add("sum/nan", "sum", [inp(T([1.0, NAN, 2.0]), rg=False)], torch.sum)
add("sum/inf_minus_inf", "sum", [inp(T([INF, -INF]), rg=False)], torch.sum)
add("sum/expanded_input", "sum", [x_(3, 1, view=[("expand", [3, 4])])], lambda x: torch.sum(x, 0), {"dim": 0})
add("sum/dim_empty_list_reduces_all", "sum", [x_(2, 3)], lambda x: torch.sum(x, []), {"dim": []})
add("mean/empty_all_nan", "mean", [inp(torch.zeros(0, 3), rg=False)], torch.mean)
add("mean/empty_dim0_nan", "mean", [inp(torch.zeros(0, 3), rg=False)], lambda x: torch.mean(x, 0), {"dim": 0})
add("mean/int64_error", "mean", [RI((2, 3), 0, 5)], torch.mean,
    error="mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long")
add("prod/with_one_zero", "prod", [inp(T([[2.0, 0.0, 3.0], [1.5, -2.0, 0.5]]))], lambda x: torch.prod(x, 1), {"dim": 1})
add("prod/with_two_zeros", "prod", [inp(T([[0.0, 0.0, 3.0], [1.5, -2.0, 0.5]]))], lambda x: torch.prod(x, 1), {"dim": 1})
add("prod/all_with_zero", "prod", [inp(T([[2.0, 0.0, 3.0], [1.5, -2.0, 0.5]]))], torch.prod)
add("prod/int64", "prod", [T([[2, 3, -1], [4, 5, 6]], I64)], lambda x: torch.prod(x, 1), {"dim": 1})
add("prod/empty", "prod", [inp(torch.zeros(0, 3))], lambda x: torch.prod(x, 0), {"dim": 0})
add("amax/ties_split_grad", "amax", [inp(T([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]))], lambda x: torch.amax(x, 1), {"dim": 1})
add("amin/ties_split_grad", "amin", [inp(T([[1.0, 1.0, 3.0], [2.0, -2.0, 2.0]]))], lambda x: torch.amin(x, 1), {"dim": 1})
add("amax/nan", "amax", [inp(T([[1.0, NAN, 3.0], [2.0, 5.0, 2.0]]), rg=False)], lambda x: torch.amax(x, 1), {"dim": 1})
add("amax/int64", "amax", [RI((2, 3), -5, 5)], lambda x: torch.amax(x, 0), {"dim": 0})
add("amax/empty_error", "amax", [inp(torch.zeros(0, 3), rg=False)], lambda x: torch.amax(x, 0), {"dim": 0},
    error="Expected reduction dim 0 to have non-zero size")

# max/min with and without dim
for op, fn in [("max", torch.max), ("min", torch.min)]:
    add(op + "/all", op, [x_(2, 3)], fn)
    add(op + "/all_0d", op, [x_()], fn)
    add(op + "/dim0", op, [x_(2, 3)], lambda x, f=fn: tuple(f(x, 0)), {"dim": 0})
    add(op + "/dim1_keepdim", op, [x_(2, 3)], lambda x, f=fn: tuple(f(x, 1, keepdim=True)), {"dim": 1, "keepdim": True})
    add(op + "/dim_neg1_rank3", op, [x_(2, 3, 4)], lambda x, f=fn: tuple(f(x, -1)), {"dim": -1})
    add(op + "/noncontig", op, [x_(4, 3, view=[("transpose", 0, 1)])], lambda x, f=fn: tuple(f(x, 1)), {"dim": 1})
    add(op + "/float64", op, [x_(2, 3, dtype=F64)], lambda x, f=fn: tuple(f(x, 1)), {"dim": 1})
    add(op + "/int64_dim", op, [T([[3, 1, 4], [1, 5, 9]], I64)], lambda x, f=fn: tuple(f(x, 1)), {"dim": 1})
    add(op + "/nan_dim", op, [inp(T([[1.0, NAN, 3.0], [2.0, 5.0, -1.0]]), rg=False)], lambda x, f=fn: tuple(f(x, 1)), {"dim": 1})
    add(op + "/nan_all", op, [inp(T([[1.0, NAN, 3.0], [2.0, 5.0, -1.0]]), rg=False)], fn)
    add(op + "/ties_all_grad", op, [inp(T([[4.0, 1.0, 4.0], [-4.0, 0.0, -4.0]]))], fn)
    add(op + "/ties_dim_first_index", op, [inp(T([[4.0, 1.0, 4.0], [-4.0, 0.0, -4.0]]))], lambda x, f=fn: tuple(f(x, 1)), {"dim": 1})
    add(op + "/empty_error", op, [inp(torch.zeros(0, 3), rg=False)], fn,
        error="Expected reduction dim to be specified for input.numel() == 0")
    add(op + "/dim_out_of_range", op, [x_(2, 3, rg=False)], lambda x, f=fn: f(x, -3), {"dim": -3},
        error="Dimension out of range (expected to be in range of [-2, 1], but got -3)")

for op, fn in [("argmax", torch.argmax), ("argmin", torch.argmin)]:
    add(op + "/all", op, [x_(2, 3)], fn)
    add(op + "/dim0", op, [x_(2, 3)], lambda x, f=fn: f(x, 0), {"dim": 0})
    add(op + "/dim1_keepdim", op, [x_(2, 3)], lambda x, f=fn: f(x, 1, keepdim=True), {"dim": 1, "keepdim": True})
    add(op + "/dim_neg2_rank3", op, [x_(2, 3, 4)], lambda x, f=fn: f(x, -2), {"dim": -2})
    add(op + "/noncontig_all", op, [x_(4, 3, view=[("transpose", 0, 1)])], fn)
    add(op + "/ties_first", op, [inp(T([[1.0, 3.0, 3.0], [-2.0, -2.0, 0.0]]), rg=False)], lambda x, f=fn: f(x, 1), {"dim": 1})
    add(op + "/nan", op, [inp(T([[1.0, NAN, 3.0], [2.0, 5.0, -1.0]]), rg=False)], lambda x, f=fn: f(x, 1), {"dim": 1})
    add(op + "/int64", op, [T([[3, 1, 4], [1, 5, 9]], I64)], lambda x, f=fn: f(x, 0), {"dim": 0})

# var / std
for op, fn in [("var", torch.var), ("std", torch.std)]:
    for vname, shape, args in [
        ("all", (2, 3), {}),
        ("all_biased", (2, 3), {"unbiased": False}),
        ("dim0", (3, 4), {"dim": 0}),
        ("dim1_biased_keepdim", (3, 4), {"dim": 1, "unbiased": False, "keepdim": True}),
        ("dims_list", (2, 3, 4), {"dim": [0, 2]}),
        ("dim_neg1_unbiased", (2, 3, 4), {"dim": -1, "unbiased": True}),
    ]:
        kw = {k: v for k, v in args.items()}
        add("%s/%s" % (op, vname), op, [x_(*shape)], (lambda f, kw: lambda x: f(x, **kw))(fn, kw), args, rtol=5e-4)
    add(op + "/noncontig", op, [x_(4, 3, view=[("transpose", 0, 1)])], lambda x, f=fn: f(x, 1), {"dim": 1}, rtol=5e-4)
    add(op + "/float64", op, [x_(3, 4, dtype=F64)], lambda x, f=fn: f(x, 0), {"dim": 0})
    add(op + "/single_element_unbiased_nan", op, [inp(T([[1.5], [2.0]]), rg=False)], lambda x, f=fn: f(x, 1), {"dim": 1})
    add(op + "/single_element_biased", op, [inp(T([[1.5], [2.0]]))], lambda x, f=fn: f(x, 1, unbiased=False), {"dim": 1, "unbiased": False})
    add(op + "/int64_error", op, [RI((2, 3), 0, 5)], fn, error="std and var only support floating point and complex dtypes")
add("std/constant_row_grad", "std", [inp(T([[2.0, 2.0, 2.0], [1.0, 2.0, 3.0]]))], lambda x: torch.std(x, 1), {"dim": 1})

# norm
for p in (1, 2, 3, "fro", INF, -INF):
    pname = {INF: "inf", -INF: "neginf"}.get(p, str(p))
    add("norm/p%s_all" % pname, "norm", [x_(2, 3)], (lambda p: lambda x: torch.norm(x, p))(p), {"p": p}, rtol=5e-4)
    if p != "fro":
        add("norm/p%s_dim1" % pname, "norm", [x_(2, 3)], (lambda p: lambda x: torch.norm(x, p, dim=1))(p), {"p": p, "dim": 1}, rtol=5e-4)
        add("norm/p%s_dim0_keepdim" % pname, "norm", [x_(3, 4, view=[("transpose", 0, 1)])],
            (lambda p: lambda x: torch.norm(x, p, dim=0, keepdim=True))(p), {"p": p, "dim": 0, "keepdim": True}, rtol=5e-4)
add("norm/pfro_dims", "norm", [x_(2, 3, 4)], lambda x: torch.norm(x, "fro", dim=[0, 2]), {"p": "fro", "dim": [0, 2]}, rtol=5e-4)
add("norm/p2_dims_list", "norm", [x_(2, 3, 4)], lambda x: torch.norm(x, 2, dim=[1, 2]), {"p": 2, "dim": [1, 2]}, rtol=5e-4)
add("norm/p2_float64", "norm", [x_(2, 3, dtype=F64)], lambda x: torch.norm(x, 2), {"p": 2})
add("norm/p2_zero_grad", "norm", [inp(torch.zeros(3))], lambda x: torch.norm(x, 2), {"p": 2})
add("norm/pinf_ties", "norm", [inp(T([3.0, -3.0, 1.0]))], lambda x: torch.norm(x, INF), {"p": INF})

# softmax / logSoftmax / cumsum
for op, fn in [("softmax", torch.softmax), ("logSoftmax", torch.log_softmax), ("cumsum", torch.cumsum)]:
    add(op + "/dim1", op, [x_(2, 3)], lambda x, f=fn: f(x, 1), {"dim": 1})
    add(op + "/dim0", op, [x_(2, 3)], lambda x, f=fn: f(x, 0), {"dim": 0})
    add(op + "/dim_neg1_rank3", op, [x_(2, 3, 4)], lambda x, f=fn: f(x, -1), {"dim": -1})
    add(op + "/dim1_rank3", op, [x_(2, 3, 4)], lambda x, f=fn: f(x, 1), {"dim": 1})
    add(op + "/noncontig", op, [x_(4, 3, view=[("transpose", 0, 1)])], lambda x, f=fn: f(x, 1), {"dim": 1})
    add(op + "/float64", op, [x_(2, 3, dtype=F64)], lambda x, f=fn: f(x, 1), {"dim": 1})
    add(op + "/0d", op, [x_()], lambda x, f=fn: f(x, 0), {"dim": 0})
    add(op + "/dim_out_of_range", op, [x_(2, 3, rg=False)], lambda x, f=fn: f(x, 2), {"dim": 2},
        error="Dimension out of range (expected to be in range of [-2, 1], but got 2)")
add("softmax/large_values", "softmax", [inp(T([[1000.0, 1001.0, 999.0], [-1000.0, -1000.0, -1000.0]]))], lambda x: torch.softmax(x, 1), {"dim": 1})
add("logSoftmax/large_values", "logSoftmax", [inp(T([[1000.0, 1001.0, 999.0], [-1000.0, -1000.0, -1000.0]]))], lambda x: torch.log_softmax(x, 1), {"dim": 1})
add("softmax/neg_inf_mask", "softmax", [inp(T([[0.0, -INF, 1.0], [-INF, -INF, -INF]]), rg=False)], lambda x: torch.softmax(x, 1), {"dim": 1})
add("logSoftmax/neg_inf_mask", "logSoftmax", [inp(T([[0.0, -INF, 1.0]]), rg=False)], lambda x: torch.log_softmax(x, 1), {"dim": 1})
add("cumsum/int64", "cumsum", [T([[1, 2, 3], [4, 5, 6]], I64)], lambda x: torch.cumsum(x, 1), {"dim": 1})
add("cumsum/bool_to_int64", "cumsum", [T([True, False, True, True], BOOL)], lambda x: torch.cumsum(x, 0), {"dim": 0})
add("cumsum/int32_to_int64", "cumsum", [T([1, 2, 3], I32)], lambda x: torch.cumsum(x, 0), {"dim": 0})
add("cumsum/nan_inf", "cumsum", [inp(T([1.0, INF, -INF, 2.0]), rg=False)], lambda x: torch.cumsum(x, 0), {"dim": 0})
add("softmax/int64_error", "softmax", [T([1, 2], I64)], lambda x: torch.softmax(x, 0), {"dim": 0},
    error='"softmax_lastdim_kernel_impl" not implemented for \'Long\'')

# ================================================================= matmul

MM_TOL = {"atol": 1e-4, "rtol": 2e-4}
add("matmul/1d_1d", "matmul", [x_(4), x_(4)], torch.matmul, **MM_TOL)
add("matmul/2d_1d", "matmul", [x_(3, 4), x_(4)], torch.matmul, **MM_TOL)
add("matmul/1d_2d", "matmul", [x_(3), x_(3, 4)], torch.matmul, **MM_TOL)
add("matmul/2d_2d", "matmul", [x_(2, 3), x_(3, 4)], torch.matmul, **MM_TOL)
add("matmul/3d_3d", "matmul", [x_(2, 3, 4), x_(2, 4, 5)], torch.matmul, **MM_TOL)
add("matmul/3d_2d", "matmul", [x_(2, 3, 4), x_(4, 5)], torch.matmul, **MM_TOL)
add("matmul/2d_3d", "matmul", [x_(3, 4), x_(2, 4, 5)], torch.matmul, **MM_TOL)
add("matmul/3d_1d", "matmul", [x_(2, 3, 4), x_(4)], torch.matmul, **MM_TOL)
add("matmul/1d_3d", "matmul", [x_(3), x_(2, 3, 4)], torch.matmul, **MM_TOL)
add("matmul/broadcast_batch", "matmul", [x_(2, 1, 3, 4), x_(5, 4, 2)], torch.matmul, **MM_TOL)
add("matmul/broadcast_batch_1", "matmul", [x_(1, 3, 4), x_(2, 4, 2)], torch.matmul, **MM_TOL)
add("matmul/transposed_lhs", "matmul", [x_(3, 2, view=[("transpose", 0, 1)]), x_(3, 4)], torch.matmul, **MM_TOL)
add("matmul/transposed_rhs", "matmul", [x_(2, 3), x_(4, 3, view=[("transpose", 0, 1)])], torch.matmul, **MM_TOL)
add("matmul/transposed_both", "matmul", [x_(3, 2, view=[("transpose", 0, 1)]), x_(4, 3, view=[("transpose", 0, 1)])], torch.matmul, **MM_TOL)
add("matmul/permuted_batch", "matmul", [x_(3, 2, 4, view=[("permute", [1, 0, 2])]), x_(2, 4, 3)], torch.matmul, **MM_TOL)
add("matmul/sliced", "matmul", [x_(2, 6, view=[("slice", 1, 0, 6, 2)]), x_(3, 2)], torch.matmul, **MM_TOL)
add("matmul/expanded", "matmul", [x_(1, 2, 3, view=[("expand", [4, 2, 3])]), x_(4, 3, 2)], torch.matmul, **MM_TOL)
add("matmul/float64", "matmul", [x_(2, 3, dtype=F64), x_(3, 4, dtype=F64)], torch.matmul)
add("matmul/int64", "matmul", [RI((2, 3), -3, 3), RI((3, 2), -3, 3)], torch.matmul)
add("matmul/0_inner_dim", "matmul", [inp(torch.zeros(2, 0)), inp(torch.zeros(0, 3))], torch.matmul)
add("matmul/shape_mismatch", "matmul", [x_(2, 3, rg=False), x_(4, 5, rg=False)], torch.matmul,
    error="mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)")
add("matmul/1d_mismatch", "matmul", [x_(3, rg=False), x_(4, rg=False)], torch.matmul,
    error="inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, but got 3 and 4 elements respectively")
add("matmul/0d_error", "matmul", [x_(rg=False), x_(3, rg=False)], torch.matmul,
    error="both arguments to matmul need to be at least 1D, but they are 0D and 1D")
add("matmul/dtype_mismatch", "matmul", [x_(2, 3, rg=False), x_(3, 2, dtype=F64, rg=False)], torch.matmul,
    error="expected scalar type Float but found Double")
add("mm/basic", "mm", [x_(2, 3), x_(3, 4)], torch.mm, **MM_TOL)
add("mm/transposed", "mm", [x_(3, 2, view=[("transpose", 0, 1)]), x_(4, 3, view=[("transpose", 0, 1)])], torch.mm, **MM_TOL)
add("mm/float64", "mm", [x_(3, 3, dtype=F64), x_(3, 2, dtype=F64)], torch.mm)
add("mm/shape_mismatch", "mm", [x_(2, 3, rg=False), x_(4, 5, rg=False)], torch.mm,
    error="mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)")
add("mm/1d_error", "mm", [x_(3, rg=False), x_(3, 2, rg=False)], torch.mm, error="self must be a matrix")
add("bmm/basic", "bmm", [x_(2, 3, 4), x_(2, 4, 5)], torch.bmm, **MM_TOL)
add("bmm/noncontig", "bmm", [x_(3, 2, 4, view=[("permute", [1, 0, 2])]), x_(2, 5, 4, view=[("transpose", 1, 2)])], torch.bmm, **MM_TOL)
add("bmm/float64", "bmm", [x_(2, 2, 3, dtype=F64), x_(2, 3, 2, dtype=F64)], torch.bmm)
add("bmm/batch_mismatch", "bmm", [x_(2, 3, 4, rg=False), x_(3, 4, 5, rg=False)], torch.bmm,
    error="Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [3, 4].")
add("bmm/2d_error", "bmm", [x_(3, 4, rg=False), x_(4, 5, rg=False)], torch.bmm, error="batch1 must be a 3D tensor")

# ================================================================= shape / view ops

add("view/flatten_all", "view", [x_(2, 3, 4)], lambda x: x.view(-1), {"shape": [-1]})
add("view/infer_dim", "view", [x_(2, 3, 4)], lambda x: x.view(4, -1), {"shape": [4, -1]})
add("view/to_rank3", "view", [x_(6, 4)], lambda x: x.view(2, 3, 4), {"shape": [2, 3, 4]})
add("view/0d_to_1", "view", [x_()], lambda x: x.view(1), {"shape": [1]})
add("view/1_to_0d", "view", [x_(1)], lambda x: x.view([]), {"shape": []})
add("view/float64", "view", [x_(2, 3, dtype=F64)], lambda x: x.view(3, 2), {"shape": [3, 2]})
add("view/int64", "view", [RI((2, 3), 0, 9)], lambda x: x.view(3, 2), {"shape": [3, 2]})
add("view/noncontig_error", "view", [x_(3, 2, rg=False, view=[("transpose", 0, 1)])], lambda x: x.view(6), {"shape": [6]},
    error="view size is not compatible with input tensor's size and stride")
add("view/noncontig_compatible", "view", [x_(2, 3, 4, view=[("slice", 0, 0, 2, 1), ("slice", 1, 0, 2, 1)])],
    lambda x: x.view(2, 2, 2, 2), {"shape": [2, 2, 2, 2]})
add("view/invalid_size", "view", [x_(2, 3, rg=False)], lambda x: x.view(4, 2), {"shape": [4, 2]},
    error="shape '[4, 2]' is invalid for input of size 6")
add("view/two_infer_error", "view", [x_(2, 3, rg=False)], lambda x: x.view(-1, -1), {"shape": [-1, -1]},
    error="only one dimension can be inferred")
add("reshape/infer", "reshape", [x_(2, 3, 4)], lambda x: x.reshape(-1, 6), {"shape": [-1, 6]})
add("reshape/noncontig", "reshape", [x_(3, 2, view=[("transpose", 0, 1)])], lambda x: x.reshape(6), {"shape": [6]})
add("reshape/noncontig_rank3", "reshape", [x_(2, 3, 4, view=[("permute", [2, 0, 1])])], lambda x: x.reshape(4, 6), {"shape": [4, 6]})
add("reshape/expanded", "reshape", [x_(3, 1, view=[("expand", [3, 2])])], lambda x: x.reshape(-1), {"shape": [-1]})
add("reshape/to_0d", "reshape", [x_(1, 1)], lambda x: x.reshape([]), {"shape": []})
add("reshape/invalid_size", "reshape", [x_(2, 3, rg=False)], lambda x: x.reshape(4, -1), {"shape": [4, -1]},
    error="shape '[4, -1]' is invalid for input of size 6")
for d in (0, 1, 2, -1, -3):
    add("unsqueeze/dim%s" % str(d).replace("-", "neg"), "unsqueeze", [x_(2, 3)], (lambda d: lambda x: x.unsqueeze(d))(d), {"dim": d})
add("unsqueeze/0d", "unsqueeze", [x_()], lambda x: x.unsqueeze(0), {"dim": 0})
add("unsqueeze/noncontig", "unsqueeze", [x_(3, 2, view=[("transpose", 0, 1)])], lambda x: x.unsqueeze(1), {"dim": 1})
add("unsqueeze/out_of_range", "unsqueeze", [x_(2, 3, rg=False)], lambda x: x.unsqueeze(3), {"dim": 3},
    error="Dimension out of range (expected to be in range of [-3, 2], but got 3)")
add("squeeze/all", "squeeze", [x_(1, 2, 1, 3, 1)], lambda x: x.squeeze(), {})
add("squeeze/dim", "squeeze", [x_(1, 2, 1, 3)], lambda x: x.squeeze(2), {"dim": 2})
add("squeeze/dim_neg", "squeeze", [x_(2, 3, 1)], lambda x: x.squeeze(-1), {"dim": -1})
add("squeeze/dim_not_1_noop", "squeeze", [x_(2, 3)], lambda x: x.squeeze(0), {"dim": 0})
add("squeeze/to_0d", "squeeze", [x_(1, 1)], lambda x: x.squeeze(), {})
add("squeeze/noncontig", "squeeze", [x_(3, 1, 2, view=[("transpose", 0, 2)])], lambda x: x.squeeze(1), {"dim": 1})
add("squeeze/out_of_range", "squeeze", [x_(2, 3, rg=False)], lambda x: x.squeeze(2), {"dim": 2},
    error="Dimension out of range (expected to be in range of [-2, 1], but got 2)")
add("permute/rank3", "permute", [x_(2, 3, 4)], lambda x: x.permute(2, 0, 1), {"dims": [2, 0, 1]})
add("permute/negative_dims", "permute", [x_(2, 3, 4)], lambda x: x.permute(-1, -3, -2), {"dims": [-1, -3, -2]})
add("permute/identity", "permute", [x_(2, 3)], lambda x: x.permute(0, 1), {"dims": [0, 1]})
add("permute/noncontig", "permute", [x_(2, 3, 4, view=[("transpose", 0, 2)])], lambda x: x.permute(1, 2, 0), {"dims": [1, 2, 0]})
add("permute/repeated_dim_error", "permute", [x_(2, 3, rg=False)], lambda x: x.permute(0, 0), {"dims": [0, 0]},
    error="permute(): duplicate dims are not allowed.")
add("permute/wrong_count_error", "permute", [x_(2, 3, rg=False)], lambda x: x.permute(0), {"dims": [0]},
    error="number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = 2 is not equal to len(dims) = 1")
add("transpose/01", "transpose", [x_(2, 3)], lambda x: x.transpose(0, 1), {"dim0": 0, "dim1": 1})
add("transpose/rank3_neg", "transpose", [x_(2, 3, 4)], lambda x: x.transpose(-1, 0), {"dim0": -1, "dim1": 0})
add("transpose/same_dim", "transpose", [x_(2, 3)], lambda x: x.transpose(1, 1), {"dim0": 1, "dim1": 1})
add("transpose/out_of_range", "transpose", [x_(2, 3, rg=False)], lambda x: x.transpose(0, 2), {"dim0": 0, "dim1": 2},
    error="Dimension out of range (expected to be in range of [-2, 1], but got 2)")
add("t/2d", "t", [x_(2, 3)], lambda x: x.t(), {})
add("t/1d", "t", [x_(3)], lambda x: x.t(), {})
add("t/noncontig", "t", [x_(3, 4, view=[("slice", 1, 1, 4, 2)])], lambda x: x.t(), {})
add("t/3d_error", "t", [x_(2, 3, 4, rg=False)], lambda x: x.t(), {}, error="t() expects a tensor with <= 2 dimensions, but self is 3D")
add("expand/row", "expand", [x_(3)], lambda x: x.expand(2, 3), {"shape": [2, 3]})
add("expand/keep_minus1", "expand", [x_(2, 1)], lambda x: x.expand(-1, 4), {"shape": [-1, 4]})
add("expand/new_leading_dims", "expand", [x_(1, 3)], lambda x: x.expand(2, 4, 3), {"shape": [2, 4, 3]})
add("expand/0d", "expand", [x_()], lambda x: x.expand(2, 2), {"shape": [2, 2]})
add("expand/noncontig", "expand", [x_(1, 3, view=[("transpose", 0, 1)])], lambda x: x.expand(3, 4), {"shape": [3, 4]})
add("expand/invalid", "expand", [x_(2, 3, rg=False)], lambda x: x.expand(4, 3), {"shape": [4, 3]},
    error="The expanded size of the tensor (4) must match the existing size (2) at non-singleton dimension 0.  Target sizes: [4, 3].  Tensor sizes: [2, 3]")
add("narrow/dim1", "narrow", [x_(2, 5)], lambda x: x.narrow(1, 1, 3), {"dim": 1, "start": 1, "length": 3})
add("narrow/dim0_neg_start", "narrow", [x_(4, 3)], lambda x: x.narrow(0, -2, 2), {"dim": 0, "start": -2, "length": 2})
add("narrow/noncontig", "narrow", [x_(3, 4, view=[("transpose", 0, 1)])], lambda x: x.narrow(1, 0, 2), {"dim": 1, "start": 0, "length": 2})
add("narrow/out_of_range", "narrow", [x_(2, 5, rg=False)], lambda x: x.narrow(1, 3, 3), {"dim": 1, "start": 3, "length": 3},
    error="start (3) + length (3) exceeds dimension size (5).")
add("select/dim0", "select", [x_(3, 4)], lambda x: x.select(0, 1), {"dim": 0, "index": 1})
add("select/dim_neg_index_neg", "select", [x_(2, 3, 4)], lambda x: x.select(-1, -1), {"dim": -1, "index": -1})
add("select/1d_to_0d", "select", [x_(4)], lambda x: x.select(0, 2), {"dim": 0, "index": 2})
add("select/out_of_range", "select", [x_(3, 4, rg=False)], lambda x: x.select(1, 4), {"dim": 1, "index": 4},
    error="select(): index 4 out of range for tensor of size [3, 4] at dimension 1")
add("flatten/all", "flatten", [x_(2, 3, 4)], lambda x: x.flatten(), {})
add("flatten/start1", "flatten", [x_(2, 3, 4)], lambda x: x.flatten(1), {"startDim": 1})
add("flatten/start0_end1", "flatten", [x_(2, 3, 4)], lambda x: x.flatten(0, 1), {"startDim": 0, "endDim": 1})
add("flatten/neg_dims", "flatten", [x_(2, 3, 4, 2)], lambda x: x.flatten(-3, -2), {"startDim": -3, "endDim": -2})
add("flatten/0d", "flatten", [x_()], lambda x: x.flatten(), {})
add("flatten/noncontig", "flatten", [x_(2, 3, 4, view=[("permute", [2, 0, 1])])], lambda x: x.flatten(1), {"startDim": 1})
add("unflatten/dim1", "unflatten", [x_(2, 12)], lambda x: x.unflatten(1, (3, 4)), {"dim": 1, "sizes": [3, 4]})
add("unflatten/infer", "unflatten", [x_(6, 2)], lambda x: x.unflatten(0, (2, -1)), {"dim": 0, "sizes": [2, -1]})
add("unflatten/neg_dim", "unflatten", [x_(2, 6)], lambda x: x.unflatten(-1, (3, 2)), {"dim": -1, "sizes": [3, 2]})
add("contiguous/already", "contiguous", [x_(2, 3)], lambda x: x.contiguous(), {})
add("contiguous/transposed", "contiguous", [x_(3, 2, view=[("transpose", 0, 1)])], lambda x: x.contiguous(), {})
add("contiguous/expanded", "contiguous", [x_(1, 3, view=[("expand", [2, 3])])], lambda x: x.contiguous(), {})


def slice_fn(dim, start, end, step):
    def f(x):
        idx = [slice(None)] * x.dim()
        idx[dim] = slice(start, end, step)
        return x[tuple(idx)]
    return f


for nm, shape, (dim, start, end, step) in [
    ("dim0", (4, 3), (0, 1, 3, 1)),
    ("dim1_step2", (2, 6), (1, 0, 6, 2)),
    ("neg_start", (2, 5), (1, -3, 5, 1)),
    ("neg_end", (5, 2), (0, 0, -1, 1)),
    ("end_past_size", (2, 4), (1, 1, 100, 2)),
    ("empty_result", (2, 4), (1, 3, 1, 1)),
    ("neg_dim_rank3", (2, 3, 6), (-1, 1, 6, 3)),
    ("middle_dim", (2, 5, 2), (1, 1, 4, 2)),
]:
    add("slice/" + nm, "slice", [x_(*shape)], slice_fn(dim, start, end, step), {"dim": dim, "start": start, "end": end, "step": step})
add("slice/noncontig", "slice", [x_(4, 3, view=[("transpose", 0, 1)])], slice_fn(1, 1, 4, 2), {"dim": 1, "start": 1, "end": 4, "step": 2})
add("slice/int64", "slice", [RI((6,), 0, 9)], slice_fn(0, 1, 5, 2), {"dim": 0, "start": 1, "end": 5, "step": 2})

add("cat/dim0", "cat", [x_(2, 3), x_(1, 3)], lambda a, b: torch.cat([a, b], 0), {"dim": 0})
add("cat/dim1_three", "cat", [x_(2, 1), x_(2, 3), x_(2, 2)], lambda a, b, c: torch.cat([a, b, c], 1), {"dim": 1})
add("cat/neg_dim_rank3", "cat", [x_(2, 3, 1), x_(2, 3, 2)], lambda a, b: torch.cat([a, b], -1), {"dim": -1})
add("cat/noncontig", "cat", [x_(3, 2, view=[("transpose", 0, 1)]), x_(2, 3)], lambda a, b: torch.cat([a, b], 0), {"dim": 0})
add("cat/single", "cat", [x_(2, 3)], lambda a: torch.cat([a], 1), {"dim": 1})
add("cat/mixed_grad", "cat", [x_(2, 3), x_(2, 3, rg=False)], lambda a, b: torch.cat([a, b], 1), {"dim": 1})
add("cat/promote_int_float", "cat", [RI((2,), 0, 5), x_(3)], lambda a, b: torch.cat([a, b], 0), {"dim": 0})
add("cat/with_empty", "cat", [x_(2, 3), inp(torch.zeros(0, 3))], lambda a, b: torch.cat([a, b], 0), {"dim": 0})
add("cat/int64", "cat", [RI((2, 2), 0, 5), RI((1, 2), 0, 5)], lambda a, b: torch.cat([a, b], 0), {"dim": 0})
add("cat/shape_mismatch", "cat", [x_(2, 3, rg=False), x_(3, 3, rg=False)], lambda a, b: torch.cat([a, b], 1), {"dim": 1},
    error="Sizes of tensors must match except in dimension 1. Expected size 2 but got size 3 for tensor number 1 in the list.")
add("cat/rank_mismatch", "cat", [x_(2, 3, rg=False), x_(3, rg=False)], lambda a, b: torch.cat([a, b], 0), {"dim": 0},
    error="Tensors must have same number of dimensions: got 2 and 1")
add("cat/0d_error", "cat", [x_(rg=False), x_(rg=False)], lambda a, b: torch.cat([a, b], 0), {"dim": 0},
    error="zero-dimensional tensor (at position 0) cannot be concatenated")
add("stack/dim0", "stack", [x_(2, 3), x_(2, 3)], lambda a, b: torch.stack([a, b], 0), {"dim": 0})
add("stack/dim1_three", "stack", [x_(2, 3), x_(2, 3), x_(2, 3)], lambda a, b, c: torch.stack([a, b, c], 1), {"dim": 1})
add("stack/dim_last_neg", "stack", [x_(2, 3), x_(2, 3)], lambda a, b: torch.stack([a, b], -1), {"dim": -1})
add("stack/0d", "stack", [x_(), x_()], lambda a, b: torch.stack([a, b], 0), {"dim": 0})
add("stack/noncontig", "stack", [x_(3, 2, view=[("transpose", 0, 1)]), x_(2, 3)], lambda a, b: torch.stack([a, b], 2), {"dim": 2})
add("stack/shape_mismatch", "stack", [x_(2, 3, rg=False), x_(3, 2, rg=False)], lambda a, b: torch.stack([a, b], 0), {"dim": 0},
    error="stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [3, 2] at entry 1")
add("split/size2_dim0", "split", [x_(5, 2)], lambda x: tuple(torch.split(x, 2, 0)), {"splitSize": 2, "dim": 0})
add("split/size_dim1", "split", [x_(2, 6)], lambda x: tuple(torch.split(x, 3, 1)), {"splitSize": 3, "dim": 1})
add("split/sizes_list", "split", [x_(2, 6)], lambda x: tuple(torch.split(x, [1, 2, 3], 1)), {"splitSize": [1, 2, 3], "dim": 1})
add("split/neg_dim", "split", [x_(2, 3, 4)], lambda x: tuple(torch.split(x, 3, -1)), {"splitSize": 3, "dim": -1})
add("split/noncontig", "split", [x_(4, 3, view=[("transpose", 0, 1)])], lambda x: tuple(torch.split(x, 2, 1)), {"splitSize": 2, "dim": 1})
add("split/sizes_mismatch", "split", [x_(2, 6, rg=False)], lambda x: tuple(torch.split(x, [1, 2], 1)), {"splitSize": [1, 2], "dim": 1},
    error="split_with_sizes expects split_sizes to sum exactly to 6 (input tensor's size at dimension 1), but got split_sizes=[1, 2]")
add("chunk/even", "chunk", [x_(6, 2)], lambda x: tuple(torch.chunk(x, 3, 0)), {"chunks": 3, "dim": 0})
add("chunk/uneven", "chunk", [x_(2, 5)], lambda x: tuple(torch.chunk(x, 3, 1)), {"chunks": 3, "dim": 1})
add("chunk/fewer_than_requested", "chunk", [x_(2, 6)], lambda x: tuple(torch.chunk(x, 4, 1)), {"chunks": 4, "dim": 1})
add("chunk/neg_dim", "chunk", [x_(2, 3, 4)], lambda x: tuple(torch.chunk(x, 2, -1)), {"chunks": 2, "dim": -1})
add("repeat/2d", "repeat", [x_(2, 3)], lambda x: x.repeat(2, 1), {"repeats": [2, 1]})
add("repeat/more_dims", "repeat", [x_(3)], lambda x: x.repeat(2, 2), {"repeats": [2, 2]})
add("repeat/rank3", "repeat", [x_(2, 1, 2)], lambda x: x.repeat(1, 3, 2), {"repeats": [1, 3, 2]})
add("repeat/noncontig", "repeat", [x_(3, 2, view=[("transpose", 0, 1)])], lambda x: x.repeat(2, 2), {"repeats": [2, 2]})
add("repeat/too_few_error", "repeat", [x_(2, 3, rg=False)], lambda x: x.repeat(2), {"repeats": [2]},
    error="Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
add("flip/dim0", "flip", [x_(3, 2)], lambda x: x.flip(0), {"dims": [0]})
add("flip/dims_all", "flip", [x_(2, 3, 2)], lambda x: x.flip(0, 2), {"dims": [0, 2]})
add("flip/neg_dim_noncontig", "flip", [x_(3, 4, view=[("transpose", 0, 1)])], lambda x: x.flip(-1), {"dims": [-1]})

# ================================================================= indexing

def IDX(data):
    return T(data, I64)


add("gather/dim1", "gather", [x_(2, 3), IDX([[0, 2], [1, 1]])], lambda x, i: torch.gather(x, 1, i), {"dim": 1})
add("gather/dim0_dup_grad_accum", "gather", [x_(3, 2), IDX([[0, 0], [2, 0], [0, 1]])], lambda x, i: torch.gather(x, 0, i), {"dim": 0})
add("gather/neg_dim_rank3", "gather", [x_(2, 3, 4), RI((2, 3, 2), 0, 4)], lambda x, i: torch.gather(x, -1, i), {"dim": -1})
add("gather/index_smaller_other_dims", "gather", [x_(3, 4), IDX([[3], [0]])], lambda x, i: torch.gather(x, 1, i), {"dim": 1})
add("gather/noncontig", "gather", [x_(3, 2, view=[("transpose", 0, 1)]), IDX([[2, 0, 1], [0, 0, 2]])], lambda x, i: torch.gather(x, 1, i), {"dim": 1})
add("gather/float64", "gather", [x_(2, 3, dtype=F64), IDX([[1], [2]])], lambda x, i: torch.gather(x, 1, i), {"dim": 1})
add("gather/int64_src", "gather", [RI((2, 3), 0, 9), IDX([[1, 0], [2, 2]])], lambda x, i: torch.gather(x, 1, i), {"dim": 1})
add("gather/index_out_of_bounds", "gather", [x_(2, 3, rg=False), IDX([[0, 5], [1, 1]])], lambda x, i: torch.gather(x, 1, i), {"dim": 1},
    error="index 5 is out of bounds for dimension 1 with size 3")
add("gather/index_negative", "gather", [x_(2, 3, rg=False), IDX([[0, -1], [1, 1]])], lambda x, i: torch.gather(x, 1, i), {"dim": 1},
    error="index -1 is out of bounds for dimension 1 with size 3")
add("gather/int32_index_error", "gather", [x_(2, 3, rg=False), T([[0], [1]], I32)], lambda x, i: torch.gather(x, 1, i), {"dim": 1},
    error="gather(): Expected dtype int64 for index")
add("scatter/dim0", "scatter", [x_(3, 4), IDX([[0, 2, 1, 0], [2, 0, 0, 1]]), x_(2, 4)], lambda x, i, s: torch.scatter(x, 0, i, s), {"dim": 0})
add("scatter/dim1", "scatter", [x_(2, 5), IDX([[4, 0], [1, 3]]), x_(2, 2)], lambda x, i, s: torch.scatter(x, 1, i, s), {"dim": 1})
add("scatter/neg_dim", "scatter", [x_(2, 4), IDX([[3, 1], [0, 2]]), x_(2, 2)], lambda x, i, s: torch.scatter(x, -1, i, s), {"dim": -1})
add("scatter/noncontig_self", "scatter", [x_(4, 2, view=[("transpose", 0, 1)]), IDX([[1], [3]]), x_(2, 1)],
    lambda x, i, s: torch.scatter(x, 1, i, s), {"dim": 1})
add("scatter/index_out_of_bounds", "scatter", [x_(2, 3, rg=False), IDX([[3], [0]]), x_(2, 1, rg=False)],
    lambda x, i, s: torch.scatter(x, 1, i, s), {"dim": 1}, error="index 3 is out of bounds for dimension 1 with size 3")
add("scatterValue/dim1", "scatterValue", [x_(2, 4), IDX([[0, 3], [2, 1]])], lambda x, i: torch.scatter(x, 1, i, 7.5), {"dim": 1, "value": 7.5})
add("scatterValue/dim0", "scatterValue", [x_(3, 2), IDX([[2, 0]])], lambda x, i: torch.scatter(x, 0, i, -1.0), {"dim": 0, "value": -1.0})
add("scatterValue/int64", "scatterValue", [RI((2, 3), 0, 9), IDX([[1], [0]])], lambda x, i: torch.scatter(x, 1, i, 5), {"dim": 1, "value": 5})
add("scatterValue/onehot_like", "scatterValue", [inp(torch.zeros(3, 4), rg=False), IDX([[1], [3], [0]])],
    lambda x, i: torch.scatter(x, 1, i, 1.0), {"dim": 1, "value": 1.0})
add("indexSelect/dim0", "indexSelect", [x_(4, 3), IDX([3, 0, 3])], lambda x, i: torch.index_select(x, 0, i), {"dim": 0})
add("indexSelect/dim1", "indexSelect", [x_(2, 5), IDX([4, 1])], lambda x, i: torch.index_select(x, 1, i), {"dim": 1})
add("indexSelect/neg_dim_rank3", "indexSelect", [x_(2, 3, 4), IDX([0, 0, 2])], lambda x, i: torch.index_select(x, -1, i), {"dim": -1})
add("indexSelect/noncontig", "indexSelect", [x_(3, 4, view=[("transpose", 0, 1)]), IDX([2, 1])], lambda x, i: torch.index_select(x, 1, i), {"dim": 1})
add("indexSelect/empty_index", "indexSelect", [x_(3, 2), T([], I64)], lambda x, i: torch.index_select(x, 0, i), {"dim": 0})
add("indexSelect/0d_index", "indexSelect", [x_(4, 2), T(2, I64)], lambda x, i: torch.index_select(x, 0, i), {"dim": 0})
add("indexSelect/out_of_range", "indexSelect", [x_(3, 2, rg=False), IDX([0, 3])], lambda x, i: torch.index_select(x, 0, i), {"dim": 0},
    error="index out of range in self")
add("where/same_shape", "where", [R(2, 3) > 0, x_(2, 3), x_(2, 3)], torch.where)
add("where/broadcast", "where", [T([True, False, True], BOOL), x_(2, 3), x_(2, 1)], torch.where)
add("where/broadcast_cond", "where", [T([[True], [False]], BOOL), x_(3), x_(2, 3)], torch.where)
add("where/0d_other", "where", [R(2, 3) > 0, x_(2, 3), x_()], torch.where)
add("where/promote_float32_float64", "where", [R(3) > 0, x_(3), x_(3, dtype=F64)], torch.where)
add("where/promote_int64_float32", "where", [T([True, False, True], BOOL), RI((3,), 0, 5), x_(3)], torch.where)
add("where/int64", "where", [T([True, False, True], BOOL), RI((3,), 0, 5), RI((3,), 0, 5)], torch.where)
add("where/noncontig", "where", [inp(R(3, 2) > 0, view=[("transpose", 0, 1)]), x_(3, 2, view=[("transpose", 0, 1)]), x_(2, 3)], torch.where)
add("where/nan_not_selected", "where", [T([True, False], BOOL), inp(T([1.0, NAN])), inp(T([NAN, 2.0]))], torch.where)
add("where/non_bool_cond_error", "where", [T([1, 0], I64), x_(2, rg=False), x_(2, rg=False)], torch.where,
    error="where expected condition to be a boolean tensor, but got a tensor with dtype Long")
add("maskedFill/basic", "maskedFill", [x_(2, 3), R(2, 3) > 0], lambda x, m: x.masked_fill(m, 0.0), {"value": 0.0})
add("maskedFill/neg_inf", "maskedFill", [x_(2, 3), T([[False, True, True], [False, False, True]], BOOL)],
    lambda x, m: x.masked_fill(m, -INF), {"value": -INF})
add("maskedFill/broadcast_mask", "maskedFill", [x_(2, 3), T([True, False, True], BOOL)], lambda x, m: x.masked_fill(m, 2.5), {"value": 2.5})
add("maskedFill/noncontig", "maskedFill", [x_(3, 2, view=[("transpose", 0, 1)]), R(2, 3) > 0], lambda x, m: x.masked_fill(m, -1.0), {"value": -1.0})
add("maskedFill/int64", "maskedFill", [RI((2, 3), 0, 9), T([[True, False, False], [False, True, False]], BOOL)],
    lambda x, m: x.masked_fill(m, -7), {"value": -7})
add("maskedFill/nan", "maskedFill", [x_(3), T([False, True, False], BOOL)], lambda x, m: x.masked_fill(m, NAN), {"value": NAN})
add("maskedFill/float64", "maskedFill", [x_(2, 2, dtype=F64), T([[True, False], [False, True]], BOOL)],
    lambda x, m: x.masked_fill(m, 3.0), {"value": 3.0})

# ================================================================= casting

CAST_SRC = T([[-2.7, -1.5, -0.5, 0.0], [0.4, 1.5, 2.9, 123.99]])
for dt in ("float32", "float64", "int64", "int32", "bool"):
    add("to/float32_to_" + dt, "to", [inp(CAST_SRC)], (lambda d: lambda x: x.to(NAME_TO_DTYPE[d]))(dt), {"dtype": dt})
    add("to/int64_to_" + dt, "to", [T([-3, 0, 2, 7], I64)], (lambda d: lambda x: x.to(NAME_TO_DTYPE[d]))(dt), {"dtype": dt})
    add("to/bool_to_" + dt, "to", [T([True, False], BOOL)], (lambda d: lambda x: x.to(NAME_TO_DTYPE[d]))(dt), {"dtype": dt})
add("to/float64_to_float32_grad", "to", [x_(2, 3, dtype=F64)], lambda x: x.to(F32), {"dtype": "float32"})
add("to/float64_to_float32_rounding", "to", [inp(T([0.1, 1e-50, 1e40, -1e40], F64), rg=False)], lambda x: x.to(F32), {"dtype": "float32"})
add("to/noncontig", "to", [x_(3, 2, view=[("transpose", 0, 1)])], lambda x: x.to(F64), {"dtype": "float64"})
add("to/same_dtype", "to", [x_(2, 2)], lambda x: x.to(F32), {"dtype": "float32"})
add("to/special_to_bool", "to", [inp(T([NAN, INF, -0.0, 1e-30]), rg=False)], lambda x: x.to(BOOL), {"dtype": "bool"})
add("float/from_int64", "float", [T([-3, 0, 2, 7], I64)], lambda x: x.float(), {})
add("float/from_float64_grad", "float", [x_(2, 3, dtype=F64)], lambda x: x.float(), {})
add("float/from_bool", "float", [T([True, False], BOOL)], lambda x: x.float(), {})
add("double/from_float32_grad", "double", [x_(2, 3)], lambda x: x.double(), {})
add("long/truncation", "long", [inp(CAST_SRC, rg=False)], lambda x: x.long(), {})
add("long/from_bool", "long", [T([True, False, True], BOOL)], lambda x: x.long(), {})
add("long/from_int32", "long", [T([-5, 6], I32)], lambda x: x.long(), {})
add("long/noncontig", "long", [inp(T([[1.9, -1.9], [2.5, -2.5], [0.1, -0.1]]), rg=False, view=[("transpose", 0, 1)])], lambda x: x.long(), {})
add("int/truncation", "int", [inp(CAST_SRC, rg=False)], lambda x: x.int(), {})
add("int/from_int64", "int", [T([-5, 6, 2 ** 20], I64)], lambda x: x.int(), {})
add("bool/from_float", "bool", [inp(CAST_SRC, rg=False)], lambda x: x.bool(), {})
add("bool/from_int64", "bool", [T([-1, 0, 2], I64)], lambda x: x.bool(), {})

# ================================================================= creation

for nm, (start, end, step) in [
    ("ints", (0, 5, 1)), ("ints_step", (1, 10, 3)), ("neg_step", (5, -3, -2)),
    ("float_step", (0, 1, 0.25)), ("float_start", (0.5, 3, 1)), ("float_nonexact", (0, 1, 0.1)),
    ("empty", (3, 3, 1)), ("neg_float", (-1.5, 1.5, 0.5)),
]:
    add("arange/" + nm, "arange", [], (lambda a, b, c: lambda: torch.arange(a, b, c))(start, end, step),
        {"start": start, "end": end, "step": step})
add("arange/zero_step_error", "arange", [], lambda: torch.arange(0, 5, 0), {"start": 0, "end": 5, "step": 0},
    error="step must be nonzero")
add("arange/wrong_sign_error", "arange", [], lambda: torch.arange(0, 5, -1), {"start": 0, "end": 5, "step": -1},
    error="upper bound and larger bound inconsistent with step sign")
for nm, (start, end, steps) in [("basic", (0, 1, 5)), ("neg", (-2, 2, 4)), ("one", (3, 7, 1)), ("zero", (0, 1, 0)),
                                ("descending", (1, -1, 5)), ("ints", (0, 10, 11))]:
    add("linspace/" + nm, "linspace", [], (lambda a, b, c: lambda: torch.linspace(a, b, c))(start, end, steps),
        {"start": start, "end": end, "steps": steps})
for n, m in [(3, None), (2, 4), (4, 2), (1, None), (0, None)]:
    add("eye/%d_%s" % (n, m), "eye", [], (lambda n, m: lambda: torch.eye(n) if m is None else torch.eye(n, m))(n, m),
        {"n": n, "m": m})
for nm, size, val, dt in [("float", [2, 3], 1.5, None), ("int", [2, 2], 7, None), ("bool", [3], True, None),
                          ("neg_inf", [2], -INF, None), ("0d", [], 2.5, None), ("empty", [0, 2], 1.5, None),
                          ("int_with_float_dtype", [2], 3, "float32"), ("float_with_int_dtype", [2], 3.7, "int64"),
                          ("float64", [2], 0.1, "float64")]:
    args = {"size": size, "fillValue": val}
    if dt:
        args["dtype"] = dt
    add("full/" + nm, "full", [],
        (lambda s, v, d: lambda: torch.full(s, v, dtype=NAME_TO_DTYPE[d]) if d else torch.full(s, v))(size, val, dt), args)

# ================================================================= write


def main():
    if PROBLEMS:
        sys.exit("\n".join(PROBLEMS))
    os.makedirs(os.path.dirname(OUT_PATH), exist_ok=True)
    head = json.dumps({"torch_version": torch.__version__})[:-1]
    lines = [json.dumps(c, separators=(",", ":"), allow_nan=False) for c in CASES]
    with open(OUT_PATH, "w") as f:
        f.write(head + ', "cases": [\n' + ",\n".join(lines) + "\n]}\n")
    groups = {}
    for c in CASES:
        groups[c["op"]] = groups.get(c["op"], 0) + 1
    print("%d cases, %d ops, %d error cases -> %s (%d bytes)" % (
        len(CASES), len(groups), sum(1 for c in CASES if "error" in c), os.path.normpath(OUT_PATH),
        os.path.getsize(OUT_PATH)))


if __name__ == "__main__":
    main()
