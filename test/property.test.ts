/**
 * Property-based suite (fast-check): drives the public tensor functions with random shapes (empty and 0-dim
 * included), dtypes, dims, indices, NaN/±inf values and wrong argument types, and asserts either PyTorch's result
 * (checked against invariants: broadcasting and reduction shape rules, reduction identities, view/copy
 * equivalence, values against a plain-JS reference) or an error of the documented classes (TypeError, RangeError,
 * Error) with a message that is not a JavaScript internal ("x is not a function", "Cannot read properties") —
 * never a non-Error throw, `undefined`, a hang or a silently wrong value.
 *
 * Bounded: PROPERTY_RUNS runs per property (default 150, a few seconds in total); the seed is fixed unless
 * PROPERTY_SEED is set, so a failure reproduces. The number of cases tried is printed at the end.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as torch from 'torchlet';
import type { Tensor } from 'torchlet';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 150);
const SEED = process.env.PROPERTY_SEED !== undefined ? Number(process.env.PROPERTY_SEED) : 20261201;
let cases = 0;
const params = { numRuns: RUNS, seed: SEED, endOnFailure: true };
after(() => { console.log(`# property suite: ${cases} cases tried (${RUNS} runs per property, seed ${SEED})`); });

type DT = 'float32' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';
const DTYPES: DT[] = ['float32', 'float64', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool'];
/** Each integer dtype's range (int64 as doubles); the small ones are drawn over their whole range. */
const RANGE: Partial<Record<DT, [number, number]>> = {
  int64: [-(2 ** 63), 2 ** 63], int32: [-(2 ** 31), 2 ** 31 - 1], int16: [-32768, 32767], int8: [-128, 127], uint8: [0, 255],
};
/** A JS integer as an integer dtype stores it (two's complement wrap; int64 values here stay below 2^53). */
function wrapTo(v: number, dt: DT): number {
  switch (dt) {
    case 'int32': return v | 0;
    case 'int16': return (v << 16) >> 16;
    case 'int8': return (v << 24) >> 24;
    case 'uint8': return v & 255;
    case 'bool': return v !== 0 ? 1 : 0;
    default: return v + 0; // no -0 in an integer (Math.floor(0 / -4) is -0)
  }
}
const INTERNAL = /is not a function|Cannot read propert|undefined is not|is not iterable|Invalid typed array length|is not a constructor|Maximum call stack|null is not|cannot be converted to a BigInt/;

/** Runs `f`; a throw must be a TypeError/RangeError/Error with a real message. Returns the value or the error. */
function guarded<T>(f: () => T): { ok: true; v: T } | { ok: false; e: Error } {
  try {
    const v = f();
    assert.notEqual(v, undefined, 'returned undefined');
    return { ok: true, v };
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    assert.ok(e instanceof Error, `threw a non-Error: ${String(e)}`);
    assert.ok(e instanceof TypeError || e instanceof RangeError || e.constructor === Error, `threw ${e.constructor.name}: ${e.message}`);
    assert.ok(e.message.length > 0, 'empty message');
    assert.doesNotMatch(e.message, INTERNAL, 'a JavaScript internal leaked');
    return { ok: false, e };
  }
}

const shapeArb = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 });
const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const special = fc.constantFrom(NaN, Infinity, -Infinity, -0, 0.5, -2.5, 3);
function valuesArb(dt: DT, n: number): fc.Arbitrary<number[]> {
  const el = dt === 'bool' ? fc.constantFrom(0, 1)
    : dt === 'int32' || dt === 'int64' ? fc.integer({ min: -50, max: 50 })
      : dt === 'int16' || dt === 'int8' || dt === 'uint8' ? fc.oneof(fc.integer({ min: RANGE[dt]![0], max: RANGE[dt]![1] }), fc.constantFrom(RANGE[dt]![0], RANGE[dt]![1], 0))
      : fc.oneof(fc.double({ min: -100, max: 100, noNaN: true }), special);
  return fc.array(el, { minLength: n, maxLength: n });
}
/** A random tensor: shape, dtype, values (NaN/±inf for floats). */
const tensorArb = fc.tuple(shapeArb, fc.constantFrom(...DTYPES)).chain(([shape, dt]) =>
  valuesArb(dt, numel(shape)).map((vals) => ({ shape, dt, vals })));
function make(t: { shape: number[]; dt: DT; vals: number[] }): Tensor {
  const flat = t.dt === 'bool' ? t.vals.map((v) => v !== 0) : t.vals;
  return torch.tensor(flat as number[], { dtype: t.dt }).reshape(t.shape);
}
/** Nested list → flat list of numbers (bools as 0/1). */
function flat(x: unknown): number[] {
  if (Array.isArray(x)) return x.flatMap(flat);
  return [typeof x === 'boolean' ? (x ? 1 : 0) : (x as number)];
}
const junk = fc.oneof(fc.constantFrom<unknown>(undefined, null, '1', 'abc', [], [1, 2], {}, { a: 1 }, NaN, 1.5, -1, true, () => 1),
  fc.string({ maxLength: 3 }), fc.double());
const sameNum = (a: number, b: number, tol = 0) => (Number.isNaN(a) && Number.isNaN(b)) || a === b || Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

test('binary ops follow broadcasting and match a plain-JS reference', () => {
  fc.assert(fc.property(tensorArb, tensorArb, fc.constantFrom('add', 'sub', 'mul', 'eq', 'lt', 'maximum'), (ta, tb, op) => {
    cases++;
    const a = make(ta), b = make(tb);
    const r = guarded(() => (a as any)[op](b) as Tensor);
    const na = ta.shape.length, nb = tb.shape.length, nd = Math.max(na, nb);
    const bshape: number[] = [];
    let broadcastable = true;
    for (let i = 0; i < nd; i++) {
      const x = ta.shape[i - (nd - na)] ?? 1, y = tb.shape[i - (nd - nb)] ?? 1;
      if (x !== y && x !== 1 && y !== 1) broadcastable = false;
      bshape.push(x === 1 ? y : x);
    }
    const boolSub = op === 'sub' && (ta.dt === 'bool' || tb.dt === 'bool');
    if (!broadcastable || boolSub) { assert.equal(r.ok, false, `${op} of ${ta.shape} and ${tb.shape} should fail`); return; }
    assert.ok(r.ok, `${op}: ${!r.ok ? r.e.message : ''}`);
    assert.deepEqual(r.v.shape, bshape);
    if (ta.dt === 'float64' && tb.dt === 'float64' && numel(bshape) > 0) {
      // reference: elementwise over the broadcast index
      const out = flat(r.v.tolist()), fa = ta.vals, fb = tb.vals;
      const idx = (shape: number[], k: number) => {
        let off = 0, stride = 1;
        for (let d = nd - 1, rem = k; d >= 0; d--) {
          const n = bshape[d]!, i = rem % n; rem = Math.floor(rem / n);
          const sd = d - (nd - shape.length);
          if (sd >= 0) { if (shape[sd] !== 1) off += i * stride; stride *= shape[sd]!; }
        }
        return off;
      };
      const f: Record<string, (x: number, y: number) => number> = {
        add: (x, y) => x + y, sub: (x, y) => x - y, mul: (x, y) => x * y, eq: (x, y) => (x === y ? 1 : 0), lt: (x, y) => (x < y ? 1 : 0),
        maximum: (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.max(x, y)),
      };
      out.forEach((v, k) => assert.ok(sameNum(v, f[op]!(fa[idx(ta.shape, k)]!, fb[idx(tb.shape, k)]!)), `${op} element ${k}`));
    }
  }), params);
});

test('reductions: shape rules (dim, keepdim), sum-of-sums identity, empty identities', () => {
  fc.assert(fc.property(tensorArb, fc.integer({ min: -4, max: 4 }), fc.boolean(), fc.constantFrom('sum', 'mean', 'prod', 'amax', 'all'), (ta, dim, keepdim, op) => {
    cases++;
    const x = make(ta), nd = ta.shape.length;
    const r = guarded(() => (x as any)[op](dim, keepdim) as Tensor);
    const lim = Math.max(nd, 1);
    if (dim < -lim || dim >= lim) { assert.equal(r.ok, false, `${op}(${dim}) of a ${nd}-d tensor was accepted`); return; }
    if (!r.ok) {
      // documented failures: mean of integers, amax over an empty dim
      assert.match(r.e.message, /mean\(\)|Expected reduction dim|not implemented|could not infer output dtype|empty|numel\(\) == 0|non-zero size/);
      return;
    }
    const d = nd === 0 ? 0 : (dim + nd) % nd;
    const expect = nd === 0 ? [] : keepdim ? ta.shape.map((s, i) => (i === d ? 1 : s)) : ta.shape.filter((_, i) => i !== d);
    assert.deepEqual(r.v.shape, expect);
    if (op === 'sum' && ta.dt === 'float64') {
      const total = x.sum().item(), viaDim = r.v.sum().item();
      assert.ok(sameNum(viaDim, total, 1e-9) || (Number.isNaN(total) && Number.isNaN(viaDim)), `sum identity ${viaDim} vs ${total}`);
    }
    if (numel(ta.shape) === 0 && (op === 'sum' || op === 'prod')) {
      assert.ok(flat(r.v.tolist()).every((v) => v === (op === 'sum' ? 0 : 1)));
    }
  }), params);
});

test('views equal their copies: select/narrow/slice/permute/reshape against tolist indexing', () => {
  fc.assert(fc.property(tensorArb.filter((t) => t.shape.length > 0), fc.integer({ min: -3, max: 3 }), fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(0.5, NaN, 1.5)),
    fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 3 }), (ta, dim, index, len, step) => {
      cases++;
      const x = make(ta), nd = ta.shape.length;
      const dimOk = dim >= -nd && dim < nd, d = (dim + nd) % nd, size = ta.shape[d] ?? 0;
      const intIndex = Number.isInteger(index);
      // select
      const s = guarded(() => x.select(dim, index));
      if (!intIndex) assert.ok(!s.ok && s.e instanceof TypeError, 'select with a non-integer index must be a TypeError');
      else if (!dimOk || index < -size || index >= size) assert.equal(s.ok, false);
      else {
        assert.ok(s.ok);
        const i = index < 0 ? index + size : index;
        // reference via tolist: move dim d to the front
        const order = [d, ...ta.shape.map((_, k) => k).filter((k) => k !== d)];
        const ref = (x.permute(order).tolist() as unknown[])[i];
        assert.deepEqual(flat(s.v.tolist()), flat(ref));
        assert.deepEqual(flat(s.v.clone().tolist()), flat(s.v.tolist()));
      }
      // narrow
      const n = guarded(() => x.narrow(dim, index, len));
      if (!intIndex) assert.ok(!n.ok && n.e instanceof TypeError);
      else if (dimOk && index >= -size && index <= size && (index < 0 ? index + size : index) + len <= size) {
        assert.ok(n.ok);
        const st = index < 0 ? index + size : index;
        assert.deepEqual(n.v.shape, ta.shape.map((v, k) => (k === d ? len : v)));
        const order = [d, ...ta.shape.map((_, k) => k).filter((k) => k !== d)];
        const ref = (x.permute(order).tolist() as unknown[]).slice(st, st + len);
        assert.deepEqual(flat(n.v.permute(order).tolist()), flat(ref));
      } else assert.equal(n.ok, false);
      // slice with a step
      const sl = guarded(() => x.slice(dim, intIndex ? index : 0, null, step));
      if (dimOk) {
        assert.ok(sl.ok);
        let st = intIndex ? index : 0; if (st < 0) st += size; st = Math.min(Math.max(st, 0), size);
        const order = [d, ...ta.shape.map((_, k) => k).filter((k) => k !== d)];
        const rows = (x.permute(order).tolist() as unknown[]).filter((_, k) => k >= st && (k - st) % step === 0);
        assert.deepEqual(flat(sl.v.permute(order).tolist()), flat(rows));
      }
      // reshape to flat and back is the identity
      assert.deepEqual(flat(x.reshape([-1]).reshape(ta.shape).tolist()), flat(x.tolist()));
    }), params);
});

test('factories: sizes, counts and fill values are checked; results have the asked shape and dtype', () => {
  const sizeEl = fc.oneof(fc.integer({ min: -2, max: 4 }), fc.constantFrom<unknown>(2.5, NaN, Infinity, '2', null, 1e10, 2 ** 40));
  fc.assert(fc.property(fc.array(sizeEl, { maxLength: 3 }), fc.constantFrom<unknown>(...DTYPES, 'float', 'float16', undefined),
    fc.oneof(fc.double(), fc.integer({ min: -5, max: 5 }), fc.constantFrom<unknown>(true, '3', undefined, NaN, 2 ** 31, 2 ** 63)),
    fc.constantFrom('zeros', 'ones', 'empty', 'full', 'rand', 'randn'), (size, dtype, fill, fn) => {
      cases++;
      const opts = dtype === undefined ? {} : { dtype };
      const r = guarded(() => (fn === 'full' ? torch.full(size as number[], fill as number, opts as any) : (torch as any)[fn](size, opts)) as Tensor);
      const valid = size.every((s) => typeof s === 'number' && Number.isInteger(s) && s >= 0);
      const big = valid && numel(size as number[]) > 2 ** 32;
      const goodDtype = dtype === undefined || DTYPES.includes(dtype as DT);
      if (!valid || !goodDtype || big) { assert.equal(r.ok, false, `${fn}(${JSON.stringify(size)}, ${String(dtype)}) should fail`); return; }
      if (fn === 'full') {
        // PyTorch's checked conversion: the integer dtype's range (uint8 also takes integers down to -255, which wrap)
        const idt = dtype as DT; // no dtype: the default float dtype, as torch.tensor's rule (any number fits)
        const rg = RANGE[idt];
        const lo = rg === undefined ? 0 : idt === 'uint8' && Number.isInteger(fill) ? -255 : rg[0];
        const fits = typeof fill === 'boolean' || (typeof fill === 'number' && (rg === undefined || (fill >= lo && (idt === 'int64' ? fill < rg[1] : fill <= rg[1]))));
        if (!fits) { assert.equal(r.ok, false, `full with ${String(fill)} as ${String(dtype)} should fail`); return; }
      }
      if ((fn === 'rand' || fn === 'randn') && dtype !== undefined && dtype !== 'float32' && dtype !== 'float64') return; // PyTorch: not implemented for ints
      assert.ok(r.ok, `${fn}: ${!r.ok ? r.e.message : ''}`);
      assert.deepEqual(r.v.shape, size);
      if (dtype !== undefined) assert.equal(r.v.dtype, dtype);
    }), params);
});

test('integer arithmetic over every pair of dtypes: PyTorch\'s promotion, C wrap-around, division by zero raises', () => {
  const ints: DT[] = ['int64', 'int32', 'int16', 'int8', 'uint8', 'bool'];
  const pair = fc.tuple(fc.constantFrom(...DTYPES), fc.constantFrom(...DTYPES), fc.integer({ min: 0, max: 5 })).chain(([da, db, n]) =>
    fc.tuple(fc.constant(da), fc.constant(db), valuesArb(da, n), valuesArb(db, n)));
  fc.assert(fc.property(pair, fc.constantFrom('add', 'sub', 'mul', 'floorDivide', 'remainder', 'maximum', 'eq', 'lt'), ([da, db, va, vb], op) => {
    cases++;
    const a = make({ shape: [va.length], dt: da, vals: va }), b = make({ shape: [vb.length], dt: db, vals: vb });
    const r = guarded(() => (a as any)[op](b) as Tensor);
    const dt = torch.promoteTypes(da, db) as DT;
    if (op === 'sub' && (da === 'bool' || db === 'bool')) { assert.equal(r.ok, false); return; }
    const intOut = ints.includes(dt) && dt !== 'bool';
    if ((op === 'floorDivide' || op === 'remainder') && intOut && vb.some((v) => v === 0)) {
      assert.ok(!r.ok && r.e instanceof RangeError && /ZeroDivisionError/.test(r.e.message), `${da} ${op} ${db} by zero: ${r.ok ? 'accepted' : r.e.message}`);
      return;
    }
    if (!r.ok) {
      // bool // bool and bool % bool are not implemented in PyTorch either
      assert.ok(dt === 'bool' && (op === 'floorDivide' || op === 'remainder'), `${da} ${op} ${db}: ${r.e.message}`);
      return;
    }
    assert.equal(r.v.dtype, op === 'eq' || op === 'lt' ? 'bool' : dt, `${da} ${op} ${db}`);
    if (!ints.includes(da) || !ints.includes(db)) return; // float values are covered by the reference test above
    const f: Record<string, (x: number, y: number) => number> = {
      add: (x, y) => x + y, sub: (x, y) => x - y, mul: (x, y) => x * y, floorDivide: (x, y) => Math.floor(x / y),
      remainder: (x, y) => { const m = x % y; return m !== 0 && (m < 0) !== (y < 0) ? m + y : m; },
      maximum: (x, y) => Math.max(x, y), eq: (x, y) => (x === y ? 1 : 0), lt: (x, y) => (x < y ? 1 : 0),
    };
    const got = flat(r.v.tolist());
    // both operands are converted to the promoted dtype first (exact: it holds both ranges), then the result wraps
    got.forEach((g, k) => {
      const x = wrapTo(va[k]!, dt), y = wrapTo(vb[k]!, dt), want = op === 'eq' || op === 'lt' ? f[op]!(x, y) : wrapTo(f[op]!(x, y), dt);
      assert.equal(g, want, `${da}(${va[k]}) ${op} ${db}(${vb[k]}) as ${dt}`);
    });
  }), params);
});

test('wrong argument types give TypeError/RangeError naming the call, never coercion or JS internals', () => {
  const calls: [string, (x: Tensor, j: any) => unknown][] = [
    ['add', (x, j) => x.add(j)], ['mul', (x, j) => x.mul(j)], ['div', (x, j) => x.div(j)], ['pow', (x, j) => x.pow(j)],
    ['eq', (x, j) => x.eq(j)], ['add_', (x, j) => x.clone().add_(j)], ['fill_', (x, j) => x.clone().fill_(j)],
    ['maskedFill', (x, j) => x.maskedFill(x.ne(x), j)], ['matmul', (x, j) => x.matmul(j)], ['copy_', (x, j) => x.clone().copy_(j)],
    ['equal', (x, j) => x.equal(j)], ['indexSelect', (x, j) => x.indexSelect(0, j)], ['cat', (x, j) => torch.cat([x, j])],
    ['stack', (x, j) => torch.stack([x, j])], ['select', (x, j) => x.select(0, j)], ['narrow', (x, j) => x.narrow(0, j, 1)],
    ['chunk', (x, j) => x.chunk(j)], ['split', (x, j) => x.split(j)], ['view', (x, j) => x.view(j)], ['expand', (x, j) => x.expand(j)],
    ['repeat', (x, j) => x.repeat(j)], ['sum', (x, j) => x.sum(j)], ['unsqueeze', (x, j) => x.unsqueeze(j)],
    ['transpose', (x, j) => x.transpose(0, j)], ['clamp', (x, j) => x.clamp(j)], ['where', (x, j) => torch.where(x.ne(x), x, j)],
    ['to', (x, j) => x.to(j)], ['backward', (_x, j) => torch.ones([2], { requiresGrad: true }).sum().backward(j)],
    ['gather', (x, j) => x.gather(0, j)], ['softmax', (x, j) => x.float().softmax(j)], ['flip', (x, j) => x.flip(j)],
    ['tensorOpts', (_x, j) => torch.tensor([1], j)], ['zerosLike', (x, j) => torch.zerosLike(x, j)], ['arange', (_x, j) => torch.arange(j)],
    ['eye', (_x, j) => torch.eye(j)], ['linspace', (_x, j) => torch.linspace(0, 1, j)], ['randperm', (_x, j) => torch.randperm(j)],
  ];
  fc.assert(fc.property(fc.constantFrom(...calls), junk, (call, j) => {
    cases++;
    const x = torch.tensor([[1, 2], [3, 4]]);
    const before = x.tolist();
    const r = guarded(() => call[1](x, j) ?? null);
    assert.deepEqual(x.tolist(), before, `${call[0]} changed its input`);
    // a string, an array or an object is never a valid operand or size: no coercion
    if (typeof j === 'string' || typeof j === 'function' || (Array.isArray(j) && !['view', 'expand', 'repeat', 'sum', 'flip', 'split', 'to', 'cat', 'stack'].includes(call[0]))) {
      if (!(call[0] === 'to' && typeof j === 'string')) assert.equal(r.ok, false, `${call[0]}(${JSON.stringify(j)}) was accepted`);
    }
    if (r.ok && r.v instanceof torch.Tensor && typeof j === 'number' && !Number.isNaN(j) && ['add', 'mul'].includes(call[0])) {
      assert.ok(flat(r.v.tolist()).every((v) => !Number.isNaN(v)), `${call[0]}(${j}) produced NaN`);
    }
  }), params);
});

test('unknown option keys are rejected on every function that takes options', () => {
  const key = fc.oneof(fc.constantFrom('requires_grad', 'keepDim', 'dtyp', 'device_', 'retain_graph', 'alpah', 'Dim'), fc.string({ minLength: 1, maxLength: 6 }));
  const calls: [(o: any) => unknown, string[]][] = [
    [(o) => torch.zeros([2], o), ['dtype', 'device', 'requiresGrad']], [(o) => torch.tensor([1], o), ['dtype', 'device', 'requiresGrad']],
    [(o) => torch.ones([2, 2]).sum(o), ['dim', 'keepdim', 'dtype']], [(o) => torch.ones([2, 2]).mean(o), ['dim', 'keepdim', 'dtype']],
    [(o) => torch.ones([2]).to(o), ['dtype', 'device', 'nonBlocking', 'copy']], [(o) => torch.ones([2]).add(1, o), ['alpha']],
    [(o) => torch.ones([2]).clamp(o), ['min', 'max']], [(o) => torch.arange(3, o), ['dtype', 'device', 'requiresGrad']],
    [(o) => torch.randn([2], o), ['dtype', 'device', 'requiresGrad', 'generator']], [(o) => torch.cat([torch.ones([1])], o), ['dim']],
    [(o) => torch.ones([2, 2]).var(o), ['dim', 'unbiased', 'correction', 'keepdim']], [(o) => torch.ones([2]).div(2, o), ['roundingMode']],
  ];
  fc.assert(fc.property(fc.constantFrom(...calls), key, ([call, known], k) => {
    cases++;
    if (known.includes(k) || k === '__proto__') return;
    const r = guarded(() => call({ [k]: 1 }) ?? null);
    assert.ok(!r.ok && r.e instanceof TypeError && r.e.message.includes(`unexpected keyword argument '${k}'`), `option '${k}' was not rejected`);
  }), params);
});

test('cat/stack follow the shape rule; unary ops keep the shape and NaN stays NaN', () => {
  fc.assert(fc.property(fc.array(tensorArb, { minLength: 1, maxLength: 3 }), fc.integer({ min: -3, max: 3 }),
    fc.constantFrom('exp', 'abs', 'neg', 'sqrt', 'sigmoid', 'floor', 'relu'), (ts, dim, uop) => {
      cases++;
      const xs = ts.map(make);
      const c = guarded(() => torch.cat(xs, dim));
      const parts = ts.filter((t) => !(t.shape.length === 1 && t.shape[0] === 0));
      if (c.ok) {
        if (parts.length > 0) {
          const nd = parts[0]!.shape.length, d = (dim + nd) % nd;
          assert.deepEqual(c.v.shape, parts[0]!.shape.map((s, k) => (k === d ? parts.reduce((a, t) => a + t.shape[d]!, 0) : s)));
          assert.equal(c.v.numel(), parts.reduce((a, t) => a + numel(t.shape), 0));
        }
      } else {
        const nd = parts[0]?.shape.length ?? 1;
        const sameRank = parts.every((t) => t.shape.length === nd);
        const d = (dim + nd) % nd;
        const fits = nd > 0 && dim >= -nd && dim < nd && sameRank && parts.every((t) => t.shape.every((s, k) => k === d || s === parts[0]!.shape[k]));
        assert.ok(!fits || parts.length === 0, `cat refused compatible tensors: ${c.e.message}`);
      }
      const s = guarded(() => torch.stack(xs, dim));
      const same = ts.every((t) => t.shape.length === ts[0]!.shape.length && t.shape.every((v, k) => v === ts[0]!.shape[k]));
      const nd1 = ts[0]!.shape.length + 1;
      if (same && dim >= -nd1 && dim < nd1) {
        assert.ok(s.ok, !s.ok ? s.e.message : '');
        const d = (dim + nd1) % nd1, exp = [...ts[0]!.shape]; exp.splice(d, 0, ts.length);
        assert.deepEqual(s.v.shape, exp);
      } else assert.equal(s.ok, false);
      const x = xs[0]!;
      const u = guarded(() => (x as any)[uop]() as Tensor);
      if (x.dtype === 'bool' && uop === 'neg') { assert.equal(u.ok, false); return; }
      if (!u.ok) return; // documented dtype refusals
      assert.deepEqual(u.v.shape, ts[0]!.shape);
      const inp = flat(x.tolist()), out = flat(u.v.tolist());
      inp.forEach((v, k) => { if (Number.isNaN(v)) assert.ok(Number.isNaN(out[k]!), `${uop}(NaN) gave ${out[k]}`); });
    }), params);
});
