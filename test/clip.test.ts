/**
 * torch.nn.utils gradient clipping against PyTorch (test/fixtures/optim.json): clipGradNorm_ for norm types
 * 1, 2, 3.5, inf and 0.5 (returned norm and clipped grads, float32 and float64), clipGradValue_, plus getTotalNorm,
 * clipGradsWithNorm_, errorIfNonfinite, parametersToVector and vectorToParameters.
 */
import { test, test as testFn, describe, toList, itemOf, dataOf, userRead, OPTIM_MODES, inOptimMode } from './_harness.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as torch from 'torchlet';
import type { Tensor } from 'torchlet';

const U = torch.nn.utils;
const fx = JSON.parse(readFileSync(new URL('../../test/fixtures/optim.json', import.meta.url), 'utf8'));
const C = fx.clip as {
  shapes: number[][];
  grads: number[][];
  norm: { dtype: 'float32' | 'float64'; normType: number | 'inf'; maxNorm: number; total: number; totalDtype: string; clipped: number[][] }[];
  value: { clipValue: number; clipped: number[][] }[];
};

function params(dtype: 'float32' | 'float64'): Tensor[] {
  return C.shapes.map((s, i) => {
    const p = torch.zeros(s, { dtype, requiresGrad: true });
    p.grad = torch.tensor(C.grads[i]!, { dtype }).reshape(s);
    return p;
  });
}

function close(a: number, e: number, rtol: number, atol: number): boolean {
  return Math.abs(a - e) <= atol + rtol * Math.abs(e);
}

async function assertGrads(ps: Tensor[], expected: number[][], rtol: number, atol: number, what: string): Promise<void> {
  for (const [i, p] of ps.entries()) {
    const got = Array.from(await dataOf(p.grad!));
    got.forEach((v, j) => { if (!close(v, expected[i]![j]!, rtol, atol)) assert.fail(`${what}: grad ${i}[${j}] = ${v}, expected ${expected[i]![j]}`); });
  }
}

/**
 * Every case runs twice: with the CPU backend's multi-tensor kernels (`foreachNorm`, `foreachMul_`) and with the
 * frontend's Tensor-op fallback, forced by shadowing the kernels on the registered backend instance with `undefined`.
 */
const MODES = OPTIM_MODES;
const inMode = inOptimMode;

for (const mode of MODES) describe(`clipGradNorm_ matches PyTorch [${mode}]`, () => {
  for (const c of C.norm) {
    test(`normType ${c.normType}, maxNorm ${c.maxNorm}, ${c.dtype}`, () => inMode(mode, async () => {
      const ps = params(c.dtype);
      const frozen = torch.zeros([4], { dtype: c.dtype, requiresGrad: true }); // grad stays null: skipped
      const nt = c.normType === 'inf' ? Infinity : c.normType;
      const total = U.clipGradNorm_([ps[0]!, frozen, ...ps.slice(1)], c.maxNorm, nt);
      const [rtol, atol] = c.dtype === 'float64' ? [1e-13, 1e-15] : [2e-7, 1e-8];
      assert.equal(total.dtype, c.totalDtype);
      assert.equal(total.dim(), 0);
      assert.ok(close(await itemOf(total), c.total, rtol, 0), `total ${await itemOf(total)} vs ${c.total}`);
      await assertGrads(ps, c.clipped, rtol, atol, 'clipped');
      assert.equal(frozen.grad, null);
      // the same through getTotalNorm + clipGradsWithNorm_ (PyTorch's documented equivalence), 'inf' as a string
      const qs = params(c.dtype);
      const t2 = U.getTotalNorm(qs.map((q) => q.grad!), c.normType === 'inf' ? 'inf' : c.normType);
      assert.equal(await itemOf(t2), await itemOf(total));
      U.clipGradsWithNorm_(qs, c.maxNorm, t2);
      for (const [i, q] of qs.entries()) assert.deepEqual(Array.from(await dataOf(q.grad!)), Array.from(await dataOf(ps[i]!.grad!)));
    }));
  }
});

for (const mode of MODES) describe(`clipping API [${mode}]`, () => {
  const test = (name: string, fn: () => Promise<void>): void => { testFn(name, () => inMode(mode, fn)); };
  test('options object, a single tensor, and no gradients at all', async () => {
    const ps = params('float32');
    const qs = params('float32');
    // errorIfNonfinite reads the total norm back, as PyTorch does
    const a = userRead(() => U.clipGradNorm_(ps, 1.0, { normType: 1, errorIfNonfinite: true }));
    const b = userRead(() => U.clipGradNorm_(qs, 1.0, 1, true));
    assert.equal(await itemOf(a), await itemOf(b));
    const w = torch.zeros([3], { requiresGrad: true });
    w.grad = torch.tensor([3, 4, 0]);
    assert.equal(await itemOf(U.clipGradNorm_(w, 1.0)), 5);
    assert.ok(close(await itemOf(w.grad.norm()), 1, 1e-6, 0));
    const none = U.clipGradNorm_([torch.zeros([2], { requiresGrad: true })], 1.0);
    assert.equal(await itemOf(none), 0);
    assert.equal(none.dtype, 'float32');
  });

  test('the norm is global (norm of the per-parameter norms), not per tensor', async () => {
    const a = torch.zeros([1], { requiresGrad: true }), b = torch.zeros([1], { requiresGrad: true });
    a.grad = torch.tensor([3.0]);
    b.grad = torch.tensor([4.0]);
    const total = U.clipGradNorm_([a, b], 1.0);
    assert.equal(await itemOf(total), 5);
    assert.ok(close(await itemOf(a.grad), 0.6, 1e-6, 0) && close(await itemOf(b.grad), 0.8, 1e-6, 0));
  });

  test('errorIfNonfinite throws PyTorch\'s error; otherwise the grads are scaled by the non-finite coefficient', async () => {
    const mk = (v: number) => { const p = torch.zeros([2], { requiresGrad: true }); p.grad = torch.tensor([1, v]); return p; };
    assert.throws(() => userRead(() => U.clipGradNorm_([mk(NaN)], 1.0, 2, true)), {
      message: 'The total norm of order 2.0 for gradients from `parameters` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False`',
    });
    assert.throws(() => userRead(() => U.clipGradNorm_([mk(Infinity)], 1.0, Infinity, { errorIfNonfinite: true })), /The total norm of order inf for gradients/);
    assert.throws(() => userRead(() => U.clipGradNorm_([mk(Infinity)], 1.0, 3.5, true)), /The total norm of order 3.5 for gradients/);
    const p = mk(NaN);
    const total = U.clipGradNorm_([p], 1.0);
    assert.ok(Number.isNaN(await itemOf(total)));
    assert.ok((await toList(p.grad!)).every((x: number) => Number.isNaN(x)));
    const q = mk(Infinity);
    U.clipGradNorm_([q], 1.0);
    assert.deepEqual(await toList(q.grad!), [0, NaN]); // 1·(1/inf) = 0, inf·0 = NaN, as in PyTorch
  });

  test('float64 gradients give a float64 total norm; mixed dtypes promote', async () => {
    const a = torch.zeros([2], { dtype: 'float64', requiresGrad: true });
    a.grad = torch.tensor([1e-20, 1], { dtype: 'float64' });
    const b = torch.zeros([1], { requiresGrad: true });
    b.grad = torch.tensor([1]);
    assert.equal(U.getTotalNorm([a.grad, b.grad]).dtype, 'float64');
    assert.equal(await itemOf(U.getTotalNorm([])), 0);
    assert.equal(await itemOf(U.getTotalNorm(b.grad, 0)), 1); // p = 0 counts non-zero entries
  });

  test('non-contiguous gradients are clipped in place', async () => {
    const w = torch.zeros([2, 2], { requiresGrad: true });
    w.grad = torch.tensor([[3, 0], [4, 0]]).t();
    U.clipGradNorm_([w], 1.0);
    const expected = [[0.6, 0.8], [0, 0]];
    (await toList(w.grad)).flat().forEach((v: number, i: number) => assert.ok(close(v, expected.flat()[i]!, 1e-6, 1e-7)));
  });

  test('clipGradValue_ matches PyTorch and keeps NaN', async () => {
    for (const c of C.value) {
      const ps = params('float32');
      const r = U.clipGradValue_(ps, c.clipValue);
      assert.equal(r, undefined);
      await assertGrads(ps, c.clipped, 0, 0, `clipValue ${c.clipValue}`);
    }
    const p = torch.zeros([3], { requiresGrad: true });
    p.grad = torch.tensor([NaN, -5, 5]);
    U.clipGradValue_(p, 1);
    assert.deepEqual(await toList(p.grad), [NaN, -1, 1]);
  });

  test('parametersToVector and vectorToParameters', async () => {
    const a = torch.tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const b = torch.tensor([5, 6], { requiresGrad: true });
    const v = U.parametersToVector([a, b]);
    assert.deepEqual(await toList(v), [1, 2, 3, 4, 5, 6]);
    assert.equal(v.requiresGrad, true); // differentiable, as in PyTorch
    const vec = torch.tensor([10, 20, 30, 40, 50, 60]);
    U.vectorToParameters(vec, [a, b]);
    assert.deepEqual(await toList(a), [[10, 20], [30, 40]]);
    assert.deepEqual(await toList(b), [50, 60]);
    assert.deepEqual(a.shape, [2, 2]);
    // like `param.data = vec[...]`, the parameters now share memory with vec
    torch.noGrad(() => vec.mul_(2));
    assert.deepEqual(await toList(b), [100, 120]);
    assert.equal(a.requiresGrad, true);
    assert.throws(() => U.vectorToParameters([1, 2] as any, [a]), { name: 'TypeError', message: 'expected torch.Tensor, but got: Array' });
  });
});

for (const mode of MODES) testFn(`a float32 norm past FLT_MAX overflows to inf as PyTorch accumulates it in float32 [${mode}]`, () => inMode(mode, async () => {
  const p = torch.ones([2]).requiresGrad_();
  p.grad = torch.tensor([1e20, 1e20]);
  const n = U.clipGradNorm_([p], 1.0);
  assert.equal(await itemOf(n), Infinity); // PyTorch 1.13: tensor(inf), grads scaled by 0
  assert.deepEqual(await toList(p.grad!), [0, 0]);
  assert.throws(() => { p.grad = torch.tensor([1e20, 1e20]); userRead(() => U.clipGradNorm_([p], 1.0, 2, true)); }, /is non-finite/);
  const q = torch.ones([2], { dtype: 'float64' }).requiresGrad_();
  q.grad = torch.tensor([1e20, 1e20], { dtype: 'float64' });
  assert.ok(Math.abs(await itemOf(U.clipGradNorm_([q], 1.0)) / 1.4142135623730951e20 - 1) < 1e-12); // float64 does not overflow
}));
