/**
 * The small integer dtypes (uint8, int8, int16) against PyTorch 1.13: test/fixtures/small_int.json, written by
 * scripts/gen_small_int_fixtures.py. Checks torch.promote_types over every pair, the result type of `a + b` over
 * tensor / 0-dim / scalar operands of every category, forward values of elementwise ops, reductions and casts on the
 * new dtypes (wrap-around, integer division, division by zero, out-of-range float casts), the overflow errors of the
 * creation paths, printing, typed-array inputs and checkpoints. Reads go through the harness's awaited helpers, so
 * the suite re-runs on the native and async-only backends (test/native/, test/async_only/).
 */
import { test, describe, flatOf, userRead } from './_harness.js';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from 'torchlet';
import type { Tensor, DType } from 'torchlet';

type V = number | boolean | string;
interface Out { dtype: DType; shape: number[]; values: V[] }
type Operand = { tensor: { dtype: DType; shape: number[]; values: V[]; transpose: boolean } } | { scalar: number | boolean };
interface OpCase { name: string; op: string; args: Operand[]; kwargs: Record<string, number>; out?: Out; error?: string }
interface Fixtures {
  torch: string;
  promote: Record<DType, Record<DType, DType>>;
  result: { a: [DType, 'dim' | 'zero']; b: [DType | 'scalar', 'dim' | 'zero' | number | boolean]; out: DType }[];
  ops: OpCase[];
  casts: { from: DType; to: DType; values: V[]; out: Out }[];
  errors: { name: string; js: [string, any, DType]; error: string | null }[];
  reprs: { in: Out; repr: string }[];
}
const F = JSON.parse(readFileSync(new URL('../../test/fixtures/small_int.json', import.meta.url), 'utf8')) as Fixtures;

const num = (v: V): number | boolean => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v as number | boolean);
const make = (dtype: DType, shape: number[], values: V[]): Tensor => torch.tensor(values.map(num) as number[], { dtype }).reshape(shape);
const operand = (o: Operand): Tensor | number | boolean => {
  if ('scalar' in o) return o.scalar;
  const t = make(o.tensor.dtype, o.tensor.shape, o.tensor.values);
  return o.tensor.transpose ? t.t() : t;
};

const OPS: Record<string, (x: (Tensor | number | boolean)[], kw: Record<string, number>) => Tensor> = {
  add: ([a, b]) => (a as Tensor).add(b!), sub: ([a, b]) => (a as Tensor).sub(b!), mul: ([a, b]) => (a as Tensor).mul(b!),
  div: ([a, b]) => (a as Tensor).div(b!),
  divFloor: ([a, b]) => (a as Tensor).div(b!, { roundingMode: 'floor' }), divTrunc: ([a, b]) => (a as Tensor).div(b!, { roundingMode: 'trunc' }),
  floorDivide: ([a, b]) => (a as Tensor).floorDivide(b!), remainder: ([a, b]) => (a as Tensor).remainder(b!),
  fmod: ([a, b]) => (a as Tensor).fmod(b!), pow: ([a, b]) => (a as Tensor).pow(b!),
  maximum: ([a, b]) => (a as Tensor).maximum(b as Tensor), minimum: ([a, b]) => (a as Tensor).minimum(b as Tensor),
  eq: ([a, b]) => (a as Tensor).eq(b!), lt: ([a, b]) => (a as Tensor).lt(b!), ge: ([a, b]) => (a as Tensor).ge(b!),
  neg: ([a]) => (a as Tensor).neg(), abs: ([a]) => (a as Tensor).abs(), sign: ([a]) => (a as Tensor).sign(),
  sqrt: ([a]) => (a as Tensor).sqrt(), exp: ([a]) => (a as Tensor).exp(), relu: ([a]) => (a as Tensor).relu(),
  floor: ([a]) => (a as Tensor).floor(), logicalNot: ([a]) => (a as Tensor).logicalNot(), square: ([a]) => (a as Tensor).square(),
  sum: ([a]) => (a as Tensor).sum(), prod: ([a]) => (a as Tensor).select(1, 0).prod(), max: ([a]) => (a as Tensor).max() as Tensor,
  min: ([a]) => (a as Tensor).min() as Tensor, amax0: ([a]) => (a as Tensor).amax(0), sum0: ([a]) => (a as Tensor).sum(0),
  cumsum0: ([a]) => (a as Tensor).cumsum(0), argmax: ([a]) => (a as Tensor).argmax(), argmin0: ([a]) => (a as Tensor).argmin(0),
  sumInt8: ([a]) => (a as Tensor).sum({ dtype: 'int8' }), mean: ([a]) => (a as Tensor).mean(),
  float: ([a]) => (a as Tensor).float(), bool: ([a]) => (a as Tensor).bool(), long: ([a]) => (a as Tensor).long(),
  clone: ([a]) => (a as Tensor).clone(), flip0: ([a]) => (a as Tensor).flip([0]), transpose: ([a]) => (a as Tensor).t().contiguous(),
  clamp: ([a], kw) => (a as Tensor).clamp(kw['min'] ?? -5, kw['max'] ?? 100), clampMax: ([a]) => (a as Tensor).clamp({ max: 20 }),
  fill: ([a, v]) => (a as Tensor).clone().fill_(v as number),
  where: ([c, a, b]) => torch.where(c as Tensor, a as Tensor, b as Tensor),
  cat: ([a, b]) => torch.cat([a as Tensor, b as Tensor]), matmul: ([a, b]) => (a as Tensor).matmul(b as Tensor),
};

/**
 * torchlet counts argument positions after `self` (`x.maximum(3)`: "argument 'other' (position 1)"), PyTorch's
 * Python binding counts `self` too ("(position 2)"): the position is left out of the comparison.
 */
const unposition = (m: string): string => m.replace(/ \(position \d+\)/, '');

async function expectOut(t: Tensor, out: Out, label: string): Promise<void> {
  assert.equal(t.dtype, out.dtype, `${label}: dtype`);
  assert.deepEqual(t.shape, out.shape, `${label}: shape`);
  const got = await flatOf(t);
  const want = out.values.map(num).map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
  assert.equal(got.length, want.length, `${label}: numel`);
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!, g = got[i]!;
    if (out.dtype === 'float32' || out.dtype === 'float64') {
      if (Number.isNaN(w)) { assert.ok(Number.isNaN(g), `${label}[${i}]: ${g} vs nan`); continue; }
      const tol = out.dtype === 'float32' ? 1e-6 : 1e-12;
      assert.ok(g === w || Math.abs(g - w) <= tol * Math.abs(w), `${label}[${i}]: ${g} vs ${w}`);
    } else {
      assert.equal(g, w, `${label}[${i}]`);
    }
  }
}

describe('small integer dtypes vs PyTorch (' + F.torch + ')', () => {
  test('promote_types over every pair of the 8 dtypes', () => {
    let n = 0;
    for (const [a, row] of Object.entries(F.promote)) {
      for (const [b, want] of Object.entries(row)) { assert.equal(torch.promoteTypes(a as DType, b as DType), want, `${a}, ${b}`); n++; }
    }
    assert.equal(n, 64);
  });

  test('result type of a + b: tensors, 0-dim tensors and scalars of every category', () => {
    const mk = (dt: DType, kind: 'dim' | 'zero'): Tensor => torch.zeros(kind === 'dim' ? [2] : [], { dtype: dt });
    for (const r of F.result) {
      const a = mk(r.a[0], r.a[1]);
      const b = r.b[0] === 'scalar' ? r.b[1] as number | boolean : mk(r.b[0], r.b[1] as 'dim' | 'zero');
      if (typeof b === 'object') assert.equal(torch.resultType(a, b), r.out, `resultType ${JSON.stringify(r.a)}, ${JSON.stringify(r.b)}`);
      assert.equal(a.add(b).dtype, r.out, `add ${JSON.stringify(r.a)} + ${JSON.stringify(r.b)}`);
    }
    assert.ok(F.result.length >= 300);
  });

  test(`forward values of ${F.ops.length} op cases (wrap-around, integer division, division by zero, casts)`, async () => {
    for (const c of F.ops) {
      const f = OPS[c.op];
      assert.ok(f !== undefined, `no mapping for op ${c.op}`);
      const args = c.args.map(operand);
      if (c.error !== undefined) {
        await assert.rejects(async () => { const r = f(args, c.kwargs); await flatOf(r); }, (e: Error) => {
          assert.ok(e instanceof TypeError || e instanceof RangeError, `${c.name}: ${e.constructor.name} ${e.message}`);
          assert.ok(unposition(e.message).includes(unposition(c.error!)), `${c.name}: '${e.message}' does not contain PyTorch's '${c.error}'`);
          return true;
        }, c.name);
        continue;
      }
      await expectOut(f(args, c.kwargs), c.out!, c.name);
    }
  });

  test(`${F.casts.length} casts between every dtype, out-of-range float → small int as x86 PyTorch`, async () => {
    for (const c of F.casts) {
      const src = torch.tensor(c.values.map(num) as number[], { dtype: c.from });
      await expectOut(src.to(c.to), c.out, `${c.from} → ${c.to}`);
    }
  });

  test('creation overflow errors in PyTorch\'s words (tensor: scalar type name; full/fill: C type name)', () => {
    for (const e of F.errors) {
      const [kind, v, dtype] = e.js;
      const run = (): unknown => kind === 'tensor' ? torch.tensor((v as V[]).map(num) as number[], { dtype })
        : kind === 'full' ? torch.full([2], v as number, { dtype }) : torch.zeros(2, { dtype }).fill_(v as number);
      if (e.error === null) { run(); continue; }
      assert.throws(run, (err: Error) => {
        assert.ok(err instanceof RangeError, `${e.name}: ${err.constructor.name}`);
        assert.ok(err.message.includes(e.error!), `${e.name}: '${err.message}' does not contain '${e.error}'`);
        return true;
      }, e.name);
    }
  });

  test('printing', () => {
    for (const r of F.reprs) assert.equal(userRead(() => String(make(r.in.dtype, r.in.shape, r.in.values))), r.repr);
  });
});

describe('small integer dtypes: typed arrays, names, checkpoints', () => {
  test('torch.tensor keeps the values and element type of every integer typed array', async () => {
    const cases: [ArrayLike<number>, DType, number[]][] = [
      [new Uint8Array([0, 2, 255]), 'uint8', [0, 2, 255]],
      [new Uint8ClampedArray([0, 128, 255]), 'uint8', [0, 128, 255]],
      [new Int8Array([-128, 0, 127]), 'int8', [-128, 0, 127]],
      [new Int16Array([-32768, 7, 32767]), 'int16', [-32768, 7, 32767]],
      [new Int32Array([-(2 ** 31), 5]), 'int32', [-(2 ** 31), 5]],
      [new Uint16Array([65535, 1]), 'int32', [65535, 1]],
      [new Uint32Array([2 ** 32 - 1, 1]), 'int64', [2 ** 32 - 1, 1]],
    ];
    for (const [arr, dt, vals] of cases) {
      const t = torch.tensor(arr as any);
      assert.equal(t.dtype, dt, arr.constructor.name);
      assert.deepEqual(await flatOf(t), vals, arr.constructor.name);
    }
    // nested: rows of image data
    const img = torch.tensor([new Uint8ClampedArray([1, 255]), new Uint8ClampedArray([3, 4])] as any);
    assert.equal(img.dtype, 'uint8');
    assert.deepEqual(img.shape, [2, 2]);
    assert.deepEqual(await flatOf(img.float().div(255).mul(255).round()), [1, 255, 3, 4]);
    // an explicit dtype converts with the overflow check
    assert.throws(() => torch.tensor(new Uint8Array([255]), { dtype: 'int8' }), /value cannot be converted to type int8 without overflow/);
    assert.throws(() => torch.tensor(new BigInt64Array([1n]) as any), /BigInt64Array is not supported/);
  });

  test('dtype names, casts by name, element sizes, requires_grad refused', () => {
    assert.equal(torch.uint8, 'uint8'); assert.equal(torch.int8, 'int8'); assert.equal(torch.int16, 'int16'); assert.equal(torch.short, 'int16');
    const x = torch.tensor([-1.5, 300.5]);
    assert.equal(x.byte().dtype, 'uint8'); assert.equal(x.char().dtype, 'int8'); assert.equal(x.short().dtype, 'int16');
    assert.equal(x.byte().elementSize(), 1); assert.equal(x.short().elementSize(), 2);
    assert.equal(x.byte().type(), 'torch.ByteTensor'); assert.equal(x.char().type(), 'torch.CharTensor'); assert.equal(x.short().type(), 'torch.ShortTensor');
    assert.throws(() => torch.zeros(2, { dtype: 'uint8' }).requiresGrad_(), /only Tensors of floating point/);
    assert.throws(() => torch.zeros(2, { dtype: 'float17' as DType }), /'uint8'/); // the valid list names the new dtypes
  });

  test('a float computation on uint8 image data trains end to end (gradient reaches the weights, not the data)', async () => {
    const img = torch.tensor(new Uint8ClampedArray([0, 64, 128, 255, 32, 16]) as any).reshape([2, 3]);
    const w = torch.ones([3, 1], { requiresGrad: true });
    const y = img.div(255).matmul(w).sum();
    y.backward();
    assert.deepEqual((await flatOf(w.grad!)).map((v) => Math.round(v * 255)), [255, 96, 144]);
  });

  test('save/load round-trips uint8, int8 and int16 (safetensors U8, I8, I16) with their extreme values', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'small-int-'));
    try {
      const f = join(dir, 'c.safetensors');
      const sd = {
        u: torch.tensor(new Uint8Array([0, 1, 255])), c: torch.tensor(new Int8Array([-128, 0, 127])).reshape([3, 1]),
        s: torch.tensor(new Int16Array([-32768, 5, 32767])), strided: torch.tensor(new Int16Array([1, 2, 3, 4])).reshape([2, 2]).t(),
      };
      userRead(() => torch.save(sd, f));
      const back = torch.load(f) as Record<string, Tensor>;
      for (const [k, t] of Object.entries(sd)) {
        assert.equal(back[k]!.dtype, t.dtype, k);
        assert.deepEqual(back[k]!.shape, t.shape, k);
        assert.deepEqual(await flatOf(back[k]!), await flatOf(t), k);
      }
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});

describe('scalar operands that PyTorch refuses or converts', () => {
  test('an integer scalar ≥ 2^63 with an integer result: Overflow when unpacking long (in place too)', () => {
    const i = torch.tensor([1, 2], { dtype: 'int64' }), u = torch.tensor(new Uint8Array([1, 2]));
    assert.throws(() => i.add(2 ** 63), /^RangeError: Overflow when unpacking long$/);
    assert.throws(() => u.mul(-(2 ** 64)), /Overflow when unpacking long/);
    assert.throws(() => i.clone().add_(2 ** 63), /Overflow when unpacking long/);
    assert.throws(() => i.eq(2 ** 70), /Overflow when unpacking long/);
    // a float result takes the number as a float (JS cannot tell 2**63 from 2.0**63)
    assert.equal(torch.tensor([1]).add(2 ** 63).dtype, 'float32');
    assert.equal(i.div(2 ** 63).dtype, 'float32');
  });

  test('uint8.pow_(-1) refuses the negative exponent before converting it (it would become 255)', () => {
    assert.throws(() => torch.tensor(new Uint8Array([2])).pow_(-1), /Integers to negative integer powers are not allowed/);
    assert.throws(() => torch.tensor(new Int8Array([2])).pow(-1), /Integers to negative integer powers are not allowed/);
  });
});
