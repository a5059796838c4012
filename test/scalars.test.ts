/**
 * Scalar operands go to kernels as parameters (`Backend.binaryScalar`): no storage is allocated or uploaded for
 * them, and results are bit for bit those of the old path that wrapped the scalar in a 0-dim storage (kept as the
 * fallback for backends without the kernel).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';
import { Tensor, fromStorage } from '../src/tensor.js';
import { CpuBackend } from '../src/backend/cpu/cpu.js';
import type { DType } from '../src/dtype.js';

/** Counts the calls that make a storage (alloc/fromArray and every kernel returning a fresh storage). */
class CountingBackend extends CpuBackend {
  calls: string[] = [];
  constructor() {
    super();
    for (const name of ['alloc', 'fromArray', 'unary', 'binary', 'binaryScalar', 'where', 'whereScalar', 'reduce']) {
      const f = (this as any)[name];
      (this as any)[name] = (...args: any[]) => {
        const outArg = name === 'binary' ? args[6] : name === 'binaryScalar' ? args[5] : name === 'unary' ? args[5] : undefined;
        if (outArg === undefined) this.calls.push(name);
        return f.apply(this, args);
      };
    }
  }
}

/** The old path: no scalar kernel, so the frontend wraps scalars in storages. */
class NoScalarBackend extends CpuBackend {
  override binaryScalar = undefined as unknown as CpuBackend['binaryScalar'];
  override whereScalar = undefined as unknown as CpuBackend['whereScalar'];
}

function on(b: CpuBackend, dtype: DType, values: number[]): Tensor {
  return fromStorage(b.fromArray(dtype, values), [values.length], b);
}

test('a scalar operand allocates no storage: only the result is made, in-place ops make none', () => {
  const b = new CountingBackend();
  const x = on(b, 'float32', [1, 2, 3, 4]);
  b.calls.length = 0;
  const y = x.mul(0.5).add(1).sub(2).div(3).pow(2).gt(0.1);
  assert.deepEqual(b.calls, ['binaryScalar', 'binaryScalar', 'binaryScalar', 'binaryScalar', 'binaryScalar', 'binaryScalar']);
  assert.equal(y.dtype, 'bool');
  b.calls.length = 0;
  x.add_(1).mul_(2).sub_(0.5, 2).div_(4).pow_(2);
  assert.deepEqual(b.calls, []);
  // under autograd, rules that need the scalar get a wrapped one; add/sub need none
  const w = on(b, 'float32', [1, 2]).requiresGrad_();
  b.calls.length = 0;
  w.add(3).sub(1);
  assert.deepEqual(b.calls, ['binaryScalar', 'binaryScalar']);
  const l = w.mul(3).sum();
  l.backward(torch.tensor(1));
  assert.deepEqual(w.grad!.tolist(), [3, 3]);
});

test('scalar kernels match the wrapped-scalar path bit for bit (float32 rounding, int64, bool, promotion)', () => {
  const fast = new CpuBackend(), slow = new NoScalarBackend();
  const f32 = [0.1, -1.5, 3.3333333, 1e-7, 0, -0, 1e30, Infinity, NaN, 7];
  const inputs: [DType, number[]][] = [['float32', f32], ['float64', f32], ['int64', [-7, -1, 0, 1, 2, 5, 100, 3]],
    ['bool', [0, 1, 1, 0]], ['int32', [-3, 0, 4, 9]]];
  const scalars: (number | boolean)[] = [0.1, 1 / 3, -2, 3, 0.5, 1e-8, 2 ** 40 + 0.5, true, false, -0.75, 1e39];
  const ops: [string, (t: Tensor, s: number | boolean) => Tensor][] = [
    ['add', (t, s) => t.add(s)], ['sub', (t, s) => t.sub(s)], ['mul', (t, s) => t.mul(s)], ['div', (t, s) => t.div(s)],
    ['pow', (t, s) => t.pow(s)], ['maximum', (t, s) => t.maximum(torch.tensor(s as number))],
    ['fmod', (t, s) => t.fmod(s)], ['remainder', (t, s) => t.remainder(s)], ['floorDivide', (t, s) => t.floorDivide(s)],
    ['eq', (t, s) => t.eq(s)], ['lt', (t, s) => t.lt(s)], ['ge', (t, s) => t.ge(s)], ['ne', (t, s) => t.ne(s)],
  ];
  let compared = 0;
  for (const [dt, vals] of inputs) {
    for (const s of scalars) {
      for (const [name, op] of ops) {
        const run = (b: CpuBackend): { v?: number[]; dtype?: string; err?: string } => {
          try { const r = op(on(b, dt, vals), s); return { v: [...r.dataSync()], dtype: r.dtype }; }
          catch (e) { return { err: (e as Error).message }; }
        };
        const a = run(fast), c = run(slow);
        const what = `${dt} ${name} ${s}`;
        assert.equal(a.err, c.err, what);
        if (a.err !== undefined) continue;
        assert.equal(a.dtype, c.dtype, what);
        a.v!.forEach((x, i) => assert.ok(Object.is(x, c.v![i]), `${what}: element ${i} ${x} vs ${c.v![i]}`));
        compared++;
      }
      // in place, with alpha
      for (const alpha of [1, 0.3, -2]) {
        const runIn = (b: CpuBackend) => { try { const t = on(b, dt, vals); t.add_(s, alpha); t.sub_(s, alpha); t.mul_(s); return [...t.dataSync()]; } catch (e) { return (e as Error).message; } };
        const a = runIn(fast), c = runIn(slow);
        if (typeof a === 'string' || typeof c === 'string') { assert.equal(a, c, `${dt} in place ${s}`); continue; }
        a.forEach((x, i) => assert.ok(Object.is(x, c[i]), `${dt} in place ${s} alpha ${alpha}: ${x} vs ${c[i]}`));
      }
    }
  }
  assert.ok(compared > 400, `compared ${compared}`);
});

test('integer checks with a scalar operand raise PyTorch\'s errors without reading device values', () => {
  const i = torch.tensor([1, 2, 3], { dtype: 'int64' });
  assert.throws(() => i.pow(-1), /Integers to negative integer powers are not allowed/);
  assert.throws(() => i.pow_(-2), /Integers to negative integer powers are not allowed/);
  assert.throws(() => i.floorDivide(0), /ZeroDivisionError/);
  assert.throws(() => i.remainder(0), /ZeroDivisionError/);
  assert.throws(() => i.fmod(0), /ZeroDivisionError/);
  assert.deepEqual(i.pow(2).tolist(), [1, 4, 9]);
  assert.deepEqual(i.floorDivide(2).tolist(), [0, 1, 1]);
  assert.throws(() => torch.tensor([true]).sub(true), /Subtraction, the `-` operator, with two bool tensors/);
  assert.deepEqual(i.div(2).tolist(), [0.5, 1, 1.5]); // true division promotes
});

test('where with scalar operands: no storage for the scalars, same values and dtypes as the wrapped path', () => {
  const b = new CountingBackend();
  const c = fromStorage(b.fromArray('bool', [1, 0, 1, 0]), [4], b);
  const x = on(b, 'float32', [1.5, -2, 3, NaN]);
  b.calls.length = 0;
  const r = torch.where(c, x, 0.1);
  const r2 = torch.where(c, 7, x);
  const r3 = torch.where(c, 1, 2.5);
  assert.deepEqual(b.calls, ['whereScalar', 'whereScalar', 'whereScalar']);
  const fast = [r, r2, r3].map((t) => [t.dtype, [...t.dataSync()]]);
  const nb = new NoScalarBackend();
  const c2 = fromStorage(nb.fromArray('bool', [1, 0, 1, 0]), [4], nb), x2 = on(nb, 'float32', [1.5, -2, 3, NaN]);
  const slow = [torch.where(c2, x2, 0.1), torch.where(c2, 7, x2), torch.where(c2, 1, 2.5)].map((t) => [t.dtype, [...t.dataSync()]]);
  assert.deepEqual(fast, slow);
  const ints = [torch.where(c, 1, 2), torch.where(c, true, false), torch.where(c, on(b, 'int64', [1, 2, 3, 4]), 0.5)];
  const ints2 = [torch.where(c2, 1, 2), torch.where(c2, true, false), torch.where(c2, on(nb, 'int64', [1, 2, 3, 4]), 0.5)];
  assert.deepEqual(ints.map((t) => [t.dtype, t.tolist()]), ints2.map((t) => [t.dtype, t.tolist()]));
  assert.deepEqual(ints.map((t) => t.dtype), ['int64', 'bool', 'float32']);
  // gradient through the tensor operand only
  const w = torch.tensor([1, 2, 3, 4], { requiresGrad: true });
  torch.where(torch.tensor([true, false, true, false]), w, 0).sum().backward();
  assert.deepEqual(w.grad!.tolist(), [1, 0, 1, 0]);
});
