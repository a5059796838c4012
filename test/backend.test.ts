/** The CPU backend's caching allocator and fused kernels. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';
import { CachingAllocator, sizeClass } from '../src/backend/cpu/pool.js';

test('size classes round up to shared buckets and are stable', () => {
  assert.equal(sizeClass(1), 64);
  assert.equal(sizeClass(1024), 1024);
  assert.equal(sizeClass(1025), 1152);
  assert.equal(sizeClass(65536), 65536);
  for (const n of [300, 5000, 123457]) {
    assert.ok(sizeClass(n) >= n);
    assert.equal(sizeClass(sizeClass(n)), sizeClass(n));
    assert.ok(sizeClass(n) <= n * 1.25 + 64);
  }
});

test('caching allocator recycles buffers by dtype and size class and respects its limit', () => {
  const a = new CachingAllocator();
  const x = a.take('float32', 5000);
  assert.equal(x.length, 5000);
  a.give('float32', x);
  const y = a.take('float32', 4990); // same size class
  assert.equal(y.buffer, x.buffer);
  assert.equal(a.stats().hits, 1);
  const z = a.take('float64', 4990); // other dtype: a miss
  assert.notEqual(z.buffer, x.buffer);
  a.give('float64', z);
  a.setCacheLimit(0);
  a.give('float32', y);
  assert.equal(a.stats().cachedBytes, 0);
  a.emptyCache();
});

test('composite ops return their temporaries to the cache', () => {
  const alloc = torch.cpuAllocator;
  const x = torch.randn([64, 128]);
  // the composite logSoftmax (the fallback used by backends without a softmax kernel)
  const b = torch.getBackend('cpu') as any;
  const saved = b.softmax;
  b.softmax = undefined;
  try {
    x.logSoftmax(1);
    const before = alloc.stats();
    x.logSoftmax(1);
    const after = alloc.stats();
    assert.ok(after.hits > before.hits, 'second logSoftmax should reuse the first one\'s temporaries');
  } finally { b.softmax = saved; }
});

test('fused linear matches matmul + add, forward and backward, for batched inputs', () => {
  torch.manualSeed(3);
  const x = torch.randn([2, 5, 7], { requiresGrad: true });
  const w = torch.randn([4, 7], { requiresGrad: true });
  const b = torch.randn([4], { requiresGrad: true });
  const g = torch.randn([2, 5, 4]);
  const y1 = torch.linear(x, w, b);
  y1.mul(g).sum().backward();
  const [gx, gw, gb] = [x.grad!, w.grad!, b.grad!];
  x.grad = null; w.grad = null; b.grad = null;
  const y2 = x.matmul(w.t()).add(b);
  y2.mul(g).sum().backward();
  assert.ok(y1.allclose(y2, 1e-5, 1e-5));
  assert.ok(gx.allclose(x.grad!, 1e-5, 1e-5));
  assert.ok(gw.allclose(w.grad!, 1e-4, 1e-5));
  assert.ok(gb.allclose(b.grad!, 1e-5, 1e-5));
  assert.ok(torch.autograd.gradcheck((xx, ww, bb) => torch.linear(xx, ww, bb),
    [x.double().detach().requiresGrad_(), w.double().detach().requiresGrad_(), b.double().detach().requiresGrad_()]));
  assert.throws(() => torch.linear(torch.ones([4, 3]), torch.ones([2, 5])), /mat1 and mat2 shapes cannot be multiplied \(4x3 and 5x2\)/);
});

test('matmul gradients of transposed operands come back contiguous', () => {
  const x = torch.randn([8, 6], { requiresGrad: true });
  const w = torch.randn([5, 6], { requiresGrad: true });
  x.matmul(w.t()).sum().backward();
  assert.ok(w.grad!.isContiguous());
  assert.ok(x.grad!.isContiguous());
  const ref = torch.ones([8, 5]).t().matmul(x.detach());
  assert.ok(w.grad!.allclose(ref, 1e-5, 1e-5));
});

test('in-place add_ with alpha writes without a temporary and matches add', () => {
  const p = torch.randn([300, 40]);
  const g = torch.randn([300, 40]);
  const expected = p.add(g, -0.1);
  torch.noGrad(() => p.add_(g, { alpha: -0.1 }));
  assert.ok(p.allclose(expected, 1e-6, 1e-7));
  const q = torch.ones([3]);
  q.sub_(torch.tensor([1, 2, 3]), 2);
  assert.deepEqual(q.tolist(), [-1, -3, -5]);
  assert.throws(() => torch.ones([2], { dtype: 'int64' }).add_(0.5), /result type Float can't be cast to the desired output type Long/);
});
