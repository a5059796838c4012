#!/usr/bin/python3
"""PyTorch 1.13's answers for the small integer dtypes (uint8, int8, int16): writes test/fixtures/small_int.json.

Sections (read by test/small_int.test.ts):
- promote: torch.promote_types over every pair of dtypes;
- result: the dtype of `a + b` for tensor/0-dim/scalar operands of every category (PyTorch's result_type);
- ops: forward values of ops on the new dtypes: {name, op, args: [operand...], kwargs, out: {dtype, shape, values}}
  or {..., error: substring}; an operand is {tensor: {dtype, shape, values, transpose}} or {scalar: number|bool};
- casts: `.to(dtype)` of float/int64 sources holding out-of-range values (x86 PyTorch's wrap rules);
- errors: creation calls that must fail, with PyTorch's message;
- reprs: printed tensors.
Run: /usr/bin/python3 scripts/gen_small_int_fixtures.py
"""
import json, math, os
import torch

torch.manual_seed(0)
D = ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'float32', 'float64']
T = {d: getattr(torch, d) for d in D}
name = lambda dt: str(dt).replace('torch.', '')

def enc(v):
    if isinstance(v, float):
        if math.isnan(v): return 'nan'
        if math.isinf(v): return 'inf' if v > 0 else '-inf'
    return v

def out_of(t):
    return {'dtype': name(t.dtype), 'shape': list(t.shape), 'values': [enc(x) for x in t.reshape(-1).tolist()]}

promote = {a: {b: name(torch.promote_types(T[a], T[b])) for b in D} for a in D}

def sample(dt, shape):
    if dt == 'bool': return torch.rand(shape) > 0.5
    if dt == 'uint8': return torch.randint(0, 256, shape, dtype=torch.uint8)
    if dt == 'int8': return torch.randint(-128, 128, shape, dtype=torch.int8)
    if dt == 'int16': return torch.randint(-32768, 32768, shape, dtype=torch.int16)
    if dt in ('int32', 'int64'): return torch.randint(-1000, 1000, shape, dtype=T[dt])
    return (torch.randn(shape) * 50).to(T[dt])

result = []
for a in D:
    for b in D:
        for ka in ('dim', 'zero'):
            for kb in ('dim', 'zero'):
                x = sample(a, (2,) if ka == 'dim' else ()); y = sample(b, (2,) if kb == 'dim' else ())
                result.append({'a': [a, ka], 'b': [b, kb], 'out': name(torch.result_type(x, y))})
    for s in (5, -3, 2.5, True):
        x = sample(a, (2,))
        result.append({'a': [a, 'dim'], 'b': ['scalar', s], 'out': name(torch.result_type(x, s))})
        x0 = sample(a, ())
        result.append({'a': [a, 'zero'], 'b': ['scalar', s], 'out': name(torch.result_type(x0, s))})

def tens(t, transpose=False):
    src = t.t().contiguous() if transpose else t  # stored transposed, read back as t
    return {'tensor': {'dtype': name(t.dtype), 'shape': list(src.shape), 'values': [enc(x) for x in src.reshape(-1).tolist()], 'transpose': transpose}}

ops = []
def add(nm, op, args, fn, kwargs=None):
    kwargs = kwargs or {}
    case = {'name': nm, 'op': op, 'args': args, 'kwargs': kwargs}
    try:
        case['out'] = out_of(fn())
    except Exception as e:  # noqa
        case['error'] = str(e).split('\n')[0]
    ops.append(case)

BIN = {
    'add': lambda a, b: torch.add(a, b), 'sub': lambda a, b: torch.sub(a, b), 'mul': lambda a, b: torch.mul(a, b),
    'div': lambda a, b: torch.div(a, b),
    'divFloor': lambda a, b: torch.div(a, b, rounding_mode='floor'), 'divTrunc': lambda a, b: torch.div(a, b, rounding_mode='trunc'),
    'floorDivide': lambda a, b: torch.floor_divide(a, b),
    'remainder': torch.remainder, 'fmod': torch.fmod, 'maximum': torch.maximum, 'minimum': torch.minimum,
    'eq': torch.eq, 'lt': torch.lt, 'ge': torch.ge, 'pow': torch.pow,
}
PAIRS = [('uint8', 'uint8'), ('int8', 'int8'), ('int16', 'int16'), ('uint8', 'int8'), ('int8', 'int16'), ('uint8', 'int16'),
         ('uint8', 'int64'), ('int8', 'int32'), ('uint8', 'float32'), ('int16', 'float64'), ('int8', 'bool'), ('bool', 'uint8')]

def nonzero(t):
    return torch.where(t == 0, torch.ones_like(t), t)

for op, fn in BIN.items():
    for a, b in PAIRS:
        x = sample(a, (3, 4)); y = sample(b, (4,))
        if op in ('div', 'divFloor', 'divTrunc', 'floorDivide', 'remainder', 'fmod') and b != 'bool': y = nonzero(y)
        if op in ('divFloor', 'divTrunc', 'floorDivide', 'remainder', 'fmod') and b == 'bool': y = torch.ones_like(y)
        if op == 'pow':
            x = (x.abs() % 5 if a != 'bool' else x); y = (y.abs() % 4 if b != 'bool' else y)
            if b in ('float32', 'float64'): y = y.abs()
        add(f'{op}/{a}_{b}', op, [tens(x, transpose=(a == 'int8')), tens(y)], lambda: fn(x, y))
    for a in ('uint8', 'int8', 'int16'):
        x = sample(a, (5,))
        for s in (7, -3, 300, 2.5, True):
            if op in ('divFloor', 'divTrunc', 'floorDivide', 'remainder', 'fmod') and s is True: continue
            if op == 'pow' and (s == -3 or s == 300): continue
            xx = x.abs() % 5 if op == 'pow' else x
            add(f'{op}/{a}_scalar_{s}', op, [tens(xx), {'scalar': s}], lambda: fn(xx, s))

# integer division by zero raises in every rounding mode (and remainder/fmod)
for a in ('uint8', 'int8', 'int16'):
    x = sample(a, (3,)); z = torch.tensor([1, 0, 2], dtype=T[a])
    for op in ('divFloor', 'divTrunc', 'floorDivide', 'remainder', 'fmod'):
        add(f'{op}/{a}_by_zero', op, [tens(x), tens(z)], lambda: BIN[op](x, z))
        add(f'{op}/{a}_by_zero_scalar', op, [tens(x), {'scalar': 0}], lambda: BIN[op](x, 0))
    add(f'div/{a}_by_zero_true', 'div', [tens(x), tens(z)], lambda: torch.div(x, z))
    add(f'pow/{a}_negative', 'pow', [tens(x), {'scalar': -1}], lambda: torch.pow(x, -1))

UN = {'neg': torch.neg, 'abs': torch.abs, 'sign': torch.sign, 'sqrt': torch.sqrt, 'exp': torch.exp, 'relu': torch.relu,
      'floor': torch.floor, 'logicalNot': torch.logical_not, 'square': torch.square,
      'sum': torch.sum, 'prod': lambda t: torch.prod(t[:, 0]),  # one column: int64 holds the product exactly (no 2^63 wrap) 'max': torch.max, 'min': torch.min, 'amax0': lambda t: torch.amax(t, 0),
      'sum0': lambda t: torch.sum(t, 0), 'cumsum0': lambda t: torch.cumsum(t, 0), 'argmax': torch.argmax, 'argmin0': lambda t: torch.argmin(t, 0),
      'sumInt8': lambda t: torch.sum(t, dtype=torch.int8), 'mean': torch.mean, 'float': lambda t: t.float(),
      'bool': lambda t: t.bool(), 'long': lambda t: t.long(), 'clone': torch.clone, 'flip0': lambda t: torch.flip(t, [0]),
      'transpose': lambda t: t.t().contiguous(), 'clamp': lambda t: torch.clamp(t, -5, 100), 'clampMax': lambda t: torch.clamp(t, max=20)}
for a in ('uint8', 'int8', 'int16'):
    x = sample(a, (3, 4))
    x[0, 0] = torch.iinfo(T[a]).min; x[0, 1] = torch.iinfo(T[a]).max
    for op, fn in UN.items():
        add(f'{op}/{a}', op, [tens(x, transpose=True)], lambda: fn(x))
    add(f'clamp/{a}_overflow', 'clamp', [tens(x)], lambda: torch.clamp(x, 0, 300), {'min': 0, 'max': 300})
    add(f'fill/{a}_overflow', 'fill', [tens(x), {'scalar': 70000}], lambda: x.clone().fill_(70000))
    add(f'fill/{a}_minus1', 'fill', [tens(x), {'scalar': -1}], lambda: x.clone().fill_(-1))
    cond = x > 0 if a != 'uint8' else x > 100
    y8 = sample('int8', (3, 4))
    add(f'where/{a}_int8', 'where', [tens(cond), tens(x), tens(y8)], lambda: torch.where(cond, x, y8))
for a, b in (('uint8', 'int8'), ('int16', 'uint8'), ('int8', 'int64')):
    x = sample(a, (2, 3)); y = sample(b, (1, 3))
    add(f'cat/{a}_{b}', 'cat', [tens(x), tens(y)], lambda: torch.cat([x, y]))
x = sample('uint8', (2, 3)); y = sample('uint8', (3, 2))
add('matmul/uint8', 'matmul', [tens(x), tens(y)], lambda: torch.matmul(x, y))

casts = []
SRC = {
    'float32': [-3.7, 3.7, 300.2, 255.9, -129.7, -0.5, 65535.5, 70000.0, -33000.0, 3000000001.0, -3000000001.0, 1e10, 1e20, float('nan'), float('inf'), float('-inf')],
    'float64': [-3.7, 300.5, 3000000001.0, -3000000001.0, 2.0 ** 40 + 7, 2.0 ** 31 - 1, -2.0 ** 31, 2.0 ** 31, 1e300, float('nan')],
    'int64': [300, -1, 256, 70000, -129, 2 ** 40, 2 ** 40 + 300, -2 ** 35 - 1, 32768, -32769],
    'int32': [300, -1, 70000, -129, 2 ** 31 - 1, -2 ** 31],
    'uint8': [0, 1, 127, 128, 255], 'int8': [-128, -1, 0, 127], 'int16': [-32768, -129, 128, 255, 256, 32767], 'bool': [True, False],
}
for s, vals in SRC.items():
    src = torch.tensor(vals, dtype=T[s])
    for d in D:
        casts.append({'from': s, 'to': d, 'values': [enc(v) for v in src.tolist()], 'out': out_of(src.to(T[d]))})

errors = []
def err(nm, fn, js):
    try:
        fn(); errors.append({'name': nm, 'js': js, 'error': None})
    except Exception as e:  # noqa
        errors.append({'name': nm, 'js': js, 'error': str(e).split('\n')[0]})
for d, lo, hi in (('uint8', -256, 256), ('int8', -129, 128), ('int16', -32769, 32768)):
    err(f'tensor/{d}_high', lambda: torch.tensor([hi], dtype=T[d]), ['tensor', [hi], d])
    err(f'tensor/{d}_low', lambda: torch.tensor([lo], dtype=T[d]), ['tensor', [lo], d])
    err(f'tensor/{d}_low_ok', lambda: torch.tensor([lo + 1], dtype=T[d]), ['tensor', [lo + 1], d])
    err(f'tensor/{d}_nan', lambda: torch.tensor([float('nan')], dtype=T[d]), ['tensor', ['nan'], d])
    err(f'tensor/{d}_frac_neg', lambda: torch.tensor([-1.5], dtype=T[d]), ['tensor', [-1.5], d])
    err(f'full/{d}_high', lambda: torch.full([2], hi, dtype=T[d]), ['full', hi, d])
    err(f'full/{d}_low', lambda: torch.full([2], lo, dtype=T[d]), ['full', lo, d])
    err(f'fill/{d}_high', lambda: torch.zeros(2, dtype=T[d]).fill_(hi), ['fill', hi, d])
    err(f'tensor/{d}_2p63', lambda: torch.tensor([2 ** 63], dtype=T[d]), ['tensor', [2 ** 63], d])
err('tensor/int64_2p63', lambda: torch.tensor([2 ** 63], dtype=torch.int64), ['tensor', [2 ** 63], 'int64'])
err('tensor/int64_m2p63_1', lambda: torch.tensor([-2 ** 63 - 2 ** 11], dtype=torch.int64), ['tensor', [-2 ** 63 - 2 ** 11], 'int64'])
err('tensor/int64_m2p63', lambda: torch.tensor([-2 ** 63], dtype=torch.int64), ['tensor', [-2 ** 63], 'int64'])
err('full/int64_2p63', lambda: torch.full([1], 2 ** 63, dtype=torch.int64), ['full', 2 ** 63, 'int64'])
err('fill/int64_2p64', lambda: torch.zeros(1, dtype=torch.int64).fill_(2 ** 64), ['fill', 2 ** 64, 'int64'])
err('tensor/int32_high', lambda: torch.tensor([2 ** 31], dtype=torch.int32), ['tensor', [2 ** 31], 'int32'])
err('full/int32_high', lambda: torch.full([1], 2 ** 31, dtype=torch.int32), ['full', 2 ** 31, 'int32'])
err('tensor/int64_nan', lambda: torch.tensor([float('nan')], dtype=torch.int64), ['tensor', ['nan'], 'int64'])

reprs = []
for t in (torch.tensor([200, 3, 0], dtype=torch.uint8), torch.tensor([[-128, 5], [7, 127]], dtype=torch.int8),
          torch.tensor(-300, dtype=torch.int16), torch.tensor([], dtype=torch.uint8), torch.zeros(2, 0, dtype=torch.int8)):
    reprs.append({'in': out_of(t), 'repr': repr(t)})

path = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'small_int.json')
with open(path, 'w') as f:
    json.dump({'torch': torch.__version__, 'promote': promote, 'result': result, 'ops': ops, 'casts': casts, 'errors': errors, 'reprs': reprs}, f)
print(f'wrote {path}: {len(result)} result types, {len(ops)} op cases, {len(casts)} casts, {len(errors)} errors, {len(reprs)} reprs')
