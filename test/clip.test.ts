/**
 * torch.nn.utils gradient clipping against PyTorch (test/fixtures/optim.json): clipGradNorm_ for norm types
 * 1, 2, 3.5, inf and 0.5 (returned norm and clipped grads, float32 and float64), clipGradValue_, plus getTotalNorm,
 * clipGradsWithNorm_, errorIfNonfinite, parametersToVector and vectorToParameters.
 */
import { test, test as testFn, describe } from 'node:test';
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

function assertGrads(ps: Tensor[], expected: number[][], rtol: number, atol: number, what: string): void {
  ps.forEach((p, i) => {
    const got = Array.from(p.grad!.dataSync());
    got.forEach((v, j) => { if (!close(v, expected[i]![j]!, rtol, atol)) assert.fail(`${what}: grad ${i}[${j}] = ${v}, expected ${expected[i]![j]}`); });
  });
}

/**
 * Every case runs twice: with the CPU backend's multi-tensor kernels (`foreachNorm`, `foreachMul_`) and with the
 * frontend's Tensor-op fallback, forced by shadowing the kernels on the registered backend instance with `undefined`.
 */
const MODES = ['fused', 'fallback'] as const;
type Mode = (typeof MODES)[number];
const KERNELS = ['fusedOptimizerStep', 'foreachNorm', 'foreachMul_'] as const;

function inMode<T>(mode: Mode, fn: () => T): T {
  if (mode === 'fused') return fn();
  const b = torch.getBackend('cpu') as any;
  const own = KERNELS.map((k) => Object.prototype.hasOwnProperty.call(b, k));
  const saved = KERNELS.map((k) => b[k]);
  for (const k of KERNELS) b[k] = undefined;
  try {
    return fn();
  } finally {
    KERNELS.forEach((k, i) => { if (own[i]) b[k] = saved[i]; else delete b[k]; });
  }
}

for (const mode of MODES) describe(`clipGradNorm_ matches PyTorch [${mode}]`, () => {
  for (const c of C.norm) {
    test(`normType ${c.normType}, maxNorm ${c.maxNorm}, ${c.dtype}`, () => inMode(mode, () => {
      const ps = params(c.dtype);
      const frozen = torch.zeros([4], { dtype: c.dtype, requiresGrad: true }); // grad stays null: skipped
      const nt = c.normType === 'inf' ? Infinity : c.normType;
      const total = U.clipGradNorm_([ps[0]!, frozen, ...ps.slice(1)], c.maxNorm, nt);
      const [rtol, atol] = c.dtype === 'float64' ? [1e-13, 1e-15] : [2e-7, 1e-8];
      assert.equal(total.dtype, c.totalDtype);
      assert.equal(total.dim(), 0);
      assert.ok(close(total.item(), c.total, rtol, 0), `total ${total.item()} vs ${c.total}`);
      assertGrads(ps, c.clipped, rtol, atol, 'clipped');
      assert.equal(frozen.grad, null);
      // the same through getTotalNorm + clipGradsWithNorm_ (PyTorch's documented equivalence), 'inf' as a string
      const qs = params(c.dtype);
      const t2 = U.getTotalNorm(qs.map((q) => q.grad!), c.normType === 'inf' ? 'inf' : c.normType);
      assert.equal(t2.item(), total.item());
      U.clipGradsWithNorm_(qs, c.maxNorm, t2);
      qs.forEach((q, i) => assert.deepEqual(Array.from(q.grad!.dataSync()), Array.from(ps[i]!.grad!.dataSync())));
    }));
  }
});

for (const mode of MODES) describe(`clipping API [${mode}]`, () => {
  const test = (name: string, fn: () => void): void => { testFn(name, () => inMode(mode, fn)); };
  test('options object, a single tensor, and no gradients at all', () => {
    const ps = params('float32');
    const qs = params('float32');
    const a = U.clipGradNorm_(ps, 1.0, { normType: 1, errorIfNonfinite: true });
    const b = U.clipGradNorm_(qs, 1.0, 1, true);
    assert.equal(a.item(), b.item());
    const w = torch.zeros([3], { requiresGrad: true });
    w.grad = torch.tensor([3, 4, 0]);
    assert.equal(U.clipGradNorm_(w, 1.0).item(), 5);
    assert.ok(close(w.grad.norm().item(), 1, 1e-6, 0));
    const none = U.clipGradNorm_([torch.zeros([2], { requiresGrad: true })], 1.0);
    assert.equal(none.item(), 0);
    assert.equal(none.dtype, 'float32');
  });

  test('the norm is global (norm of the per-parameter norms), not per tensor', () => {
    const a = torch.zeros([1], { requiresGrad: true }), b = torch.zeros([1], { requiresGrad: true });
    a.grad = torch.tensor([3.0]);
    b.grad = torch.tensor([4.0]);
    const total = U.clipGradNorm_([a, b], 1.0);
    assert.equal(total.item(), 5);
    assert.ok(close(a.grad.item(), 0.6, 1e-6, 0) && close(b.grad.item(), 0.8, 1e-6, 0));
  });

  test('errorIfNonfinite throws PyTorch\'s error; otherwise the grads are scaled by the non-finite coefficient', () => {
    const mk = (v: number) => { const p = torch.zeros([2], { requiresGrad: true }); p.grad = torch.tensor([1, v]); return p; };
    assert.throws(() => U.clipGradNorm_([mk(NaN)], 1.0, 2, true), {
      message: 'The total norm of order 2.0 for gradients from `parameters` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False`',
    });
    assert.throws(() => U.clipGradNorm_([mk(Infinity)], 1.0, Infinity, { errorIfNonfinite: true }), /The total norm of order inf for gradients/);
    assert.throws(() => U.clipGradNorm_([mk(Infinity)], 1.0, 3.5, true), /The total norm of order 3.5 for gradients/);
    const p = mk(NaN);
    const total = U.clipGradNorm_([p], 1.0);
    assert.ok(Number.isNaN(total.item()));
    assert.ok(p.grad!.tolist().every((x: number) => Number.isNaN(x)));
    const q = mk(Infinity);
    U.clipGradNorm_([q], 1.0);
    assert.deepEqual(q.grad!.tolist(), [0, NaN]); // 1·(1/inf) = 0, inf·0 = NaN, as in PyTorch
  });

  test('float64 gradients give a float64 total norm; mixed dtypes promote', () => {
    const a = torch.zeros([2], { dtype: 'float64', requiresGrad: true });
    a.grad = torch.tensor([1e-20, 1], { dtype: 'float64' });
    const b = torch.zeros([1], { requiresGrad: true });
    b.grad = torch.tensor([1]);
    assert.equal(U.getTotalNorm([a.grad, b.grad]).dtype, 'float64');
    assert.equal(U.getTotalNorm([]).item(), 0);
    assert.equal(U.getTotalNorm(b.grad, 0).item(), 1); // p = 0 counts non-zero entries
  });

  test('non-contiguous gradients are clipped in place', () => {
    const w = torch.zeros([2, 2], { requiresGrad: true });
    w.grad = torch.tensor([[3, 0], [4, 0]]).t();
    U.clipGradNorm_([w], 1.0);
    const expected = [[0.6, 0.8], [0, 0]];
    w.grad.tolist().flat().forEach((v: number, i: number) => assert.ok(close(v, expected.flat()[i]!, 1e-6, 1e-7)));
  });

  test('clipGradValue_ matches PyTorch and keeps NaN', () => {
    for (const c of C.value) {
      const ps = params('float32');
      const r = U.clipGradValue_(ps, c.clipValue);
      assert.equal(r, undefined);
      assertGrads(ps, c.clipped, 0, 0, `clipValue ${c.clipValue}`);
    }
    const p = torch.zeros([3], { requiresGrad: true });
    p.grad = torch.tensor([NaN, -5, 5]);
    U.clipGradValue_(p, 1);
    assert.deepEqual(p.grad.tolist(), [NaN, -1, 1]);
  });

  test('parametersToVector and vectorToParameters', () => {
    const a = torch.tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const b = torch.tensor([5, 6], { requiresGrad: true });
    const v = U.parametersToVector([a, b]);
    assert.deepEqual(v.tolist(), [1, 2, 3, 4, 5, 6]);
    assert.equal(v.requiresGrad, true); // differentiable, as in PyTorch
    const vec = torch.tensor([10, 20, 30, 40, 50, 60]);
    U.vectorToParameters(vec, [a, b]);
    assert.deepEqual(a.tolist(), [[10, 20], [30, 40]]);
    assert.deepEqual(b.tolist(), [50, 60]);
    assert.deepEqual(a.shape, [2, 2]);
    // like `param.data = vec[...]`, the parameters now share memory with vec
    torch.noGrad(() => vec.mul_(2));
    assert.deepEqual(b.tolist(), [100, 120]);
    assert.equal(a.requiresGrad, true);
    assert.throws(() => U.vectorToParameters([1, 2] as any, [a]), { name: 'TypeError', message: 'expected torch.Tensor, but got: Array' });
  });
});

for (const mode of MODES) testFn(`a float32 norm past FLT_MAX overflows to inf as PyTorch accumulates it in float32 [${mode}]`, () => inMode(mode, () => {
  const p = torch.ones([2]).requiresGrad_();
  p.grad = torch.tensor([1e20, 1e20]);
  const n = U.clipGradNorm_([p], 1.0);
  assert.equal(n.item(), Infinity); // PyTorch 1.13: tensor(inf), grads scaled by 0
  assert.deepEqual(p.grad!.tolist(), [0, 0]);
  assert.throws(() => { p.grad = torch.tensor([1e20, 1e20]); U.clipGradNorm_([p], 1.0, 2, true); }, /is non-finite/);
  const q = torch.ones([2], { dtype: 'float64' }).requiresGrad_();
  q.grad = torch.tensor([1e20, 1e20], { dtype: 'float64' });
  assert.ok(Math.abs(U.clipGradNorm_([q], 1.0).item() / 1.4142135623730951e20 - 1) < 1e-12); // float64 does not overflow
}));
