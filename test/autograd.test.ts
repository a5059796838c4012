import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';

test('gradients accumulate into leaves across backward calls', () => {
  const x = torch.tensor([1, 2, 3], { requiresGrad: true });
  x.mul(x).sum().backward();
  x.mul(3).sum().backward();
  assert.deepEqual(x.grad!.tolist(), [5, 7, 9]);
});

test('a leaf used twice gets the sum of both paths', () => {
  const x = torch.tensor([2], { requiresGrad: true });
  const y = x.mul(x).add(x); // dy/dx = 2x + 1
  y.backward();
  assert.deepEqual(x.grad!.tolist(), [5]);
});

test('second backward through a freed graph fails with PyTorch message; retainGraph keeps it', () => {
  const x = torch.tensor([1, 2], { requiresGrad: true });
  const y = x.exp().sum();
  y.backward({ retainGraph: true });
  y.backward();
  assert.throws(() => y.backward(), /Trying to backward through the graph a second time/);
  const expected = [2 * Math.exp(1), 2 * Math.exp(2)];
  x.grad!.tolist().forEach((v: number, i: number) => assert.ok(Math.abs(v - expected[i]!) < 1e-4));
});

test('backward on non-scalar needs a gradient; on no-grad tensors fails', () => {
  const x = torch.ones([2, 2], { requiresGrad: true });
  assert.throws(() => x.mul(2).backward(), /grad can be implicitly created only for scalar outputs/);
  x.mul(2).backward(torch.onesLike(x));
  assert.deepEqual(x.grad!.tolist(), [[2, 2], [2, 2]]);
  assert.throws(() => torch.ones([1]).backward(), /does not require grad and does not have a grad_fn/);
});

test('noGrad records nothing; enableGrad re-enables; isLeaf/gradFn/requiresGrad', () => {
  const w = torch.randn([3], { requiresGrad: true });
  const y = torch.noGrad(() => w.mul(2));
  assert.equal(y.requiresGrad, false);
  assert.equal(y.gradFn, null);
  assert.equal(torch.noGrad(() => torch.isGradEnabled()), false);
  assert.equal(torch.noGrad(() => torch.enableGrad(() => w.mul(2).requiresGrad)), true);
  assert.equal(torch.isGradEnabled(), true);
  const z = w.mul(2);
  assert.equal(z.isLeaf, false);
  assert.equal(String(z.gradFn), 'MulBackward0');
  assert.equal(w.isLeaf, true);
  const inf = torch.inferenceMode(() => torch.ones([2]));
  assert.throws(() => inf.requiresGrad_(), /inference tensor/);
  torch.setGradEnabled(false);
  assert.equal(w.mul(2).requiresGrad, false);
  torch.setGradEnabled(true);
});

test('requiresGrad rules: only floats, only leaves can turn it off', () => {
  assert.throws(() => torch.tensor([1], { dtype: 'int64', requiresGrad: true }), /only Tensors of floating point/);
  const x = torch.ones([1], { requiresGrad: true });
  const y = x.mul(2);
  assert.throws(() => { y.requiresGrad = false; }, /only change requires_grad flags of leaf variables/);
  assert.equal(x.mul(2).detach().requiresGrad, false);
});

test('in-place ops: leaf error, version counter detects modified saved tensors, rebase works', () => {
  const leaf = torch.ones([2], { requiresGrad: true });
  assert.throws(() => leaf.add_(1), /a leaf Variable that requires grad is being used in an in-place operation/);
  torch.noGrad(() => leaf.add_(1)); // fine under noGrad (optimizer updates)
  assert.deepEqual(leaf.tolist(), [2, 2]);

  const a = torch.tensor([1, 2], { requiresGrad: true });
  const e = a.exp();
  const s = e.sum();
  e.mul_(2); // modifies a tensor saved by exp
  assert.throws(() => s.backward(), /modified by an inplace operation/);

  const b = torch.tensor([1, 2], { requiresGrad: true });
  const h = b.mul(3);
  h.add_(1); // rebase: h = 3b + 1
  h.mul_(2); // h = 6b + 2
  h.sum().backward();
  assert.deepEqual(b.grad!.tolist(), [6, 6]);
});

test('retainGrad keeps non-leaf gradients; autograd.grad leaves .grad alone', () => {
  const x = torch.tensor([1, 2], { requiresGrad: true });
  const h = x.mul(2);
  h.retainGrad();
  h.pow(2).sum().backward();
  assert.deepEqual(h.grad!.tolist(), [4, 8]);
  assert.deepEqual(x.grad!.tolist(), [8, 16]);
  const y = torch.tensor([3], { requiresGrad: true });
  const [dy] = torch.autograd.grad(y.pow(3).sum(), [y]);
  assert.deepEqual(dy!.tolist(), [27]);
  assert.equal(y.grad, null);
});

test('broadcast gradients are summed down to input shapes (unbroadcast in the engine)', () => {
  const a = torch.ones([2, 3], { requiresGrad: true });
  const b = torch.ones([3], { requiresGrad: true });
  const c = torch.ones([2, 1], { requiresGrad: true });
  a.mul(b).add(c).sum().backward();
  assert.deepEqual(b.grad!.tolist(), [2, 2, 2]);
  assert.deepEqual(c.grad!.tolist(), [[3], [3]]);
});

test('leaf grads are independent buffers even when one gradient feeds two leaves', () => {
  const p = torch.ones([3], { requiresGrad: true });
  const q = torch.ones([3], { requiresGrad: true });
  p.add(q).sum().backward();
  torch.noGrad(() => p.grad!.mul_(10));
  assert.deepEqual(q.grad!.tolist(), [1, 1, 1]);
});

test('gradcheck in float64 through composite ops', () => {
  torch.manualSeed(1);
  const x = torch.randn([3, 4], { dtype: 'float64', requiresGrad: true });
  const w = torch.randn([4, 2], { dtype: 'float64', requiresGrad: true });
  assert.ok(torch.autograd.gradcheck((a, b) => a.matmul(b).tanh().logSoftmax(1).mul(a.sum(1, true)), [x, w]));
  assert.ok(torch.autograd.gradcheck((a) => a.std(1).add(a.logsumexp(0).sum()).add(a.norm(3)), [x]));
  assert.ok(torch.autograd.gradcheck((a) => a.t().reshape([2, 6]).slice(1, 1, 6, 2).cumsum(1).gelu(), [x]));
  assert.throws(() => torch.autograd.gradcheck((a) => a, [torch.ones([1], { requiresGrad: true })]), /float64/);
});

test('engine temporaries go back to the caching allocator after backward', () => {
  const alloc = torch.cpuAllocator;
  const x = torch.randn([64, 64], { requiresGrad: true });
  const w = torch.randn([64, 64], { requiresGrad: true });
  const step = () => { x.matmul(w).relu().matmul(w).sum().backward(); };
  step();
  const before = alloc.stats();
  for (let i = 0; i < 5; i++) step();
  const after = alloc.stats();
  // backward's own temporaries are recycled: later steps hit the cache
  assert.ok(after.hits - before.hits > 0, `expected cache hits, got ${JSON.stringify(after)}`);
  assert.ok(after.returned - before.returned > 0);
});

test('a gradient passed to a leaf and to a pending node is not corrupted by later accumulation', () => {
  // add's rule hands the same gradient to both inputs: `a` adopts it as .grad while it is still queued for b's node
  const x = torch.ones([3], { requiresGrad: true }), a = torch.ones([3], { requiresGrad: true });
  const b = x.mul(2);
  b.mul(3).sum().add(a.mul(7).sum()).add(a.add(b).mul(3).sum()).backward();
  assert.deepEqual(x.grad!.tolist(), [12, 12, 12]); // PyTorch 1.13
  assert.deepEqual(a.grad!.tolist(), [10, 10, 10]);
  const h = x.mul(1);
  h.retainGrad();
  h.add(h).sum().add(h.mul(4).sum()).backward();
  assert.deepEqual(h.grad!.tolist(), [6, 6, 6]);
});

test('in-place writes into views record CopySlices on the base (buf[i] = f(w))', () => {
  const w = torch.tensor([1, 2, 3], { requiresGrad: true });
  const buf = torch.zeros([3]);
  for (let i = 0; i < 3; i++) buf.select(0, i).copy_(w.select(0, i).mul(i + 1));
  assert.equal(buf.requiresGrad, true);
  buf.sum().backward();
  assert.deepEqual(buf.tolist(), [1, 4, 9]);
  assert.deepEqual(w.grad!.tolist(), [1, 2, 3]);
  const v = torch.ones([2], { requiresGrad: true });
  assert.throws(() => v.select(0, 0).mul_(2), /a view of a leaf Variable that requires grad is being used in an in-place operation/);
});

test('a view made before an in-place write to its base sees the base\'s new history', () => {
  const u = torch.ones([2], { requiresGrad: true }), w = torch.ones([2], { requiresGrad: true });
  const y = u.mul(1);
  const v = y.narrow(0, 0, 1);
  y.add_(w);
  v.mul(5).sum().backward();
  assert.deepEqual(w.grad!.tolist(), [5, 0]); // PyTorch 1.13
  assert.deepEqual(u.grad!.tolist(), [5, 0]);
});

test('in-place ops keep the original value for rules that need it, and check the broadcast shape', () => {
  const w = torch.tensor([1, 2], { requiresGrad: true }), v = torch.tensor([3, 4], { requiresGrad: true });
  const x = w.mul(1);
  x.mul_(v);
  x.sum().backward();
  assert.deepEqual(w.grad!.tolist(), [3, 4]);
  assert.deepEqual(v.grad!.tolist(), [1, 2]);
  const c = torch.tensor([-1, 0.5, 2], { requiresGrad: true });
  const y = c.mul(1);
  y.clamp_(0, 1);
  y.sum().backward();
  assert.deepEqual(c.grad!.tolist(), [0, 1, 0]);
  const z = torch.ones([2], { requiresGrad: true }).mul(1);
  assert.throws(() => z.add_(torch.arange(6).view([3, 2])), /output with shape \[2\] doesn't match the broadcast shape \[3, 2\]/);
  assert.throws(() => torch.tensor([1, 5], { dtype: 'int64' }).clamp_(1.5, 3.5), /result type Float can't be cast to the desired output type Long/);
});

test('autograd.grad returns the gradients of its inputs only and touches no .grad', () => {
  const x = torch.ones([2], { requiresGrad: true }), w = torch.tensor([2, 3], { requiresGrad: true });
  const h = x.mul(w);
  h.retainGrad();
  const [dx, dh] = torch.autograd.grad(h.mul(h).sum(), [x, h]);
  assert.deepEqual(dh!.tolist(), [4, 6]);       // 2h
  assert.deepEqual(dx!.tolist(), [8, 18]);      // 2h * w
  assert.equal(w.grad, null);
  assert.equal(x.grad, null);
  assert.equal(h.grad, null);
  const y = torch.ones([1], { requiresGrad: true });
  assert.throws(() => torch.autograd.grad(x.sum(), [y]), /appears to not have been used in the graph/);
  assert.deepEqual(torch.autograd.grad(x.sum(), [y], null, { allowUnused: true }), [null]);
});

test('views and in-place writes: offsets after cat, overlapping views, noGrad reads, detach_, requiresGrad_, layouts', () => {
  const T = (a: number[] | number[][], o = {}) => torch.tensor(a, o);
  // a written view whose gradient arrives as a slice of a larger gradient (cat's rule)
  const x = T([[1, 2, 3], [4, 5, 6]], { requiresGrad: true }), w = T([7, 8, 9], { requiresGrad: true });
  const b = x.mul(1);
  b.select(0, 0).copy_(w);
  torch.cat([T([[0, 0, 0]]), b]).mul(T([[10, 20, 30], [1, 2, 3], [4, 5, 6]])).sum().backward();
  assert.deepEqual(w.grad!.tolist(), [1, 2, 3]);
  assert.deepEqual(x.grad!.tolist(), [[0, 0, 0], [4, 5, 6]]);
  // an expanded view of a base written afterwards: its gradient is summed back
  const y = T([1, 2], { requiresGrad: true });
  const yb = y.mul(1), e = yb.expand([3, 2]);
  yb.mul_(2);
  e.sum().backward();
  assert.deepEqual(y.grad!.tolist(), [6, 6]);
  // reading a stale view under noGrad keeps its history
  const z = T([1, 2], { requiresGrad: true });
  const zb = z.mul(1), v = zb.slice(0, 0, 1);
  zb.mul_(2);
  assert.equal(torch.noGrad(() => v.requiresGrad), true);
  v.sum().backward();
  assert.deepEqual(z.grad!.tolist(), [2, 0]);
  // detach_ on a base leaves its views' history alone; views cannot be detached in place
  const q = T([1, 2], { requiresGrad: true }).mul(1);
  const qv = q.slice(0, 0, 1);
  q.detach_();
  assert.equal(qv.requiresGrad, true);
  assert.throws(() => qv.detach_(), /Can't detach views in-place/);
  // a view made before its base starts requiring grad follows the base
  const base = T([1, 2]);
  const bv = base.slice(0, 0, 1);
  base.requiresGrad_();
  assert.equal(bv.mul(2).requiresGrad, true);
  // a transposed base that owns its storage
  const u = T([1, 1], { requiresGrad: true });
  const d = T([[1, 2], [3, 4]]).t().detach();
  d.select(0, 0).copy_(u);
  d.sum().backward();
  assert.deepEqual(u.grad!.tolist(), [1, 1]);
  // autograd.grad with an input listed twice
  const r = T([1, 2], { requiresGrad: true });
  assert.deepEqual(torch.autograd.grad(r.pow(2).sum(), [r, r]).map((t) => t!.tolist()), [[2, 4], [2, 4]]);
});

test('fill_ under autograd writes the value even over NaN and passes a zero gradient back', () => {
  const w = torch.tensor([NaN, 1], { requiresGrad: true });
  const x = w.mul(1);
  x.fill_(2);
  assert.deepEqual(x.tolist(), [2, 2]);
  assert.equal(x.requiresGrad, true);
  x.sum().backward();
  assert.deepEqual(w.grad!.tolist(), [0, 0]);
});
