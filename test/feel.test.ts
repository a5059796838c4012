/**
 * Issue 12, "Feel like PyTorch": callable modules (`model(x)`), `tensor.data` as PyTorch's detached alias,
 * `array()`/`typedArray()` readers, iteration over dim 0, tensors in template strings, and `torch.full`'s dtype rule.
 * The type-level checks (`@ts-expect-error`) are verified by the build's `tsc`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import * as torch from '../src/index.js';
import type { Tensor } from '../src/index.js';

const { nn } = torch;

class TwoHead extends nn.Module {
  trunk = new nn.Linear(3, 4);
  act = new nn.ReLU();
  a = new nn.Linear(4, 2);
  b = new nn.Linear(4, 1);
  override forward(x: Tensor, scale: number): [Tensor, Tensor] {
    const h = this.act(this.trunk(x)); // submodules are callable too
    return [this.a(h).mul(scale), this.b(h)];
  }
}

test('model(x): every Module subclass is callable, typed from forward', () => {
  torch.manualSeed(0);
  const lin = new nn.Linear(3, 2);
  const x = torch.randn([5, 3]);
  const y: Tensor = lin(x);
  assert.deepEqual(y.shape, [5, 2]);
  assert.ok(y.equal(lin.call(x)) && y.equal(lin.forward(x)));
  const m = new TwoHead();
  const [p, q] = m(x, 2);
  assert.deepEqual([p.shape, q.shape], [[5, 2], [5, 1]]);
  // @ts-expect-error forward takes (Tensor, number)
  assert.throws(() => m(3, 2));
  // @ts-expect-error Linear.forward takes one tensor
  void (() => lin('a'));
  const seq = new nn.Sequential(new nn.Linear(3, 3), new nn.Tanh(), new nn.Linear(3, 1));
  assert.deepEqual(seq(x).shape, [5, 1]);
  assert.equal(seq.length, 3); // the function object's own `length` does not shadow Sequential's getter
  const loss = new nn.MSELoss()(seq(x), torch.zeros([5, 1]));
  assert.deepEqual(loss.shape, []);
  // a forward given as a class field, and an untyped JS-style subclass
  class Arrow extends nn.Module { fc = new nn.Linear(3, 1); override forward = (t: Tensor): Tensor => this.fc(t).sigmoid(); }
  assert.deepEqual(new Arrow()(x).shape, [5, 1]);
});

test('callable modules keep instanceof, fields, discovery order, repr, JSON, keys, deepcopy, stateDict', () => {
  const m = new TwoHead();
  const kind: string = typeof m;
  assert.equal(kind, 'function'); // callable, as Python's callable(model)
  assert.ok(m instanceof TwoHead && m instanceof nn.Module && !((m as unknown) instanceof Function));
  assert.equal(m.constructor, TwoHead);
  assert.deepEqual(m.namedParameters().map(([n]) => n), ['trunk.weight', 'trunk.bias', 'a.weight', 'a.bias', 'b.weight', 'b.bias']);
  assert.deepEqual(Object.keys(m.stateDict()), ['trunk.weight', 'trunk.bias', 'a.weight', 'a.bias', 'b.weight', 'b.bias']);
  const keys = Object.keys(m);
  assert.ok(!keys.includes('name') && !keys.includes('length') && !keys.includes('forward'));
  assert.deepEqual(keys.slice(-4), ['trunk', 'act', 'a', 'b']);
  const repr = 'TwoHead(\n  (trunk): Linear(in_features=3, out_features=4, bias=True)\n  (act): ReLU()\n'
    + '  (a): Linear(in_features=4, out_features=2, bias=True)\n  (b): Linear(in_features=4, out_features=1, bias=True)\n)';
  assert.equal(String(m), repr);
  assert.equal(`${m}`, repr);
  assert.equal(inspect(m), repr); // console.log
  const json = JSON.parse(JSON.stringify(m));
  assert.equal(json.training, true);
  assert.deepEqual(Object.keys(json).slice(-4), ['trunk', 'act', 'a', 'b']);
  // user fields named like a function's own properties are plain fields
  class Named extends nn.Module { label = 'x'; override forward(t: Tensor) { return t; } }
  const nm = new Named();
  (nm as any).name = 'net';
  assert.equal((nm as any).name, 'net');
  assert.throws(() => new (m as any)(), /is not a constructor/);
  // deepcopy: a callable copy with new parameters
  const c = nn.deepcopy(m);
  const ckind: string = typeof c;
  assert.equal(ckind, 'function');
  assert.ok(c instanceof TwoHead && c !== m && c.trunk !== m.trunk && c.trunk.weight !== m.trunk.weight);
  const x = torch.randn([2, 3]);
  assert.ok(c(x, 1)[0].equal(m(x, 1)[0]));
  // stateDict round trip into a fresh instance
  const d = new TwoHead();
  d.loadStateDict(m.stateDict());
  assert.ok(d(x, 1)[1].equal(m(x, 1)[1]));
  // summary still runs its forward
  const s = torch.summary(new nn.Sequential(new nn.Linear(3, 2)), [3], { verbose: 0 });
  assert.equal(s.totalParams, 8);
});

test('hooks run the same for model(x), model.call(x) and model.forward(x)', () => {
  const lin = new nn.Linear(2, 2);
  const log: string[] = [];
  const h1 = lin.registerForwardPreHook((_m, args) => { log.push('pre'); return [args[0].mul(0)]; });
  const h2 = lin.registerForwardHook((_m, _a, out) => { log.push('post'); return out.add(1); });
  const x = torch.ones([1, 2]);
  const ys = [lin(x), lin.call(x), lin.forward(x)];
  assert.deepEqual(log, ['pre', 'post', 'pre', 'post', 'pre', 'post']);
  for (const y of ys) assert.ok(y.equal(lin.bias!.detach().add(1).reshape([1, 2])));
  h1.remove(); h2.remove();
  assert.ok(lin(x).equal(lin.call(x)));
});

test('tensor.data: detached alias sharing storage; assigning replaces the storage (set_data)', () => {
  const w = torch.ones([3], { requiresGrad: true });
  const d = w.data;
  assert.ok(d instanceof torch.Tensor && !(d instanceof nn.Parameter));
  assert.equal(d.requiresGrad, false);
  assert.equal(d.gradFn, null);
  assert.ok(d.isSetTo(w));
  // a manual SGD step
  w.mul(2).sum().backward();
  w.data.add_(w.grad!, { alpha: -0.5 });
  assert.deepEqual(w.tolist(), [0, 0, 0]);
  assert.equal(w.requiresGrad, true);
  assert.equal(w.isLeaf, true);
  // parameter data
  const lin = new nn.Linear(2, 2);
  lin.weight.data.fill_(3);
  assert.deepEqual(lin.weight.tolist(), [[3, 3], [3, 3]]);
  // the setter keeps identity, requiresGrad and grad, takes shape/dtype/storage
  const g = w.grad;
  const src = torch.arange(4, { dtype: 'float64' });
  w.data = src;
  assert.deepEqual(w.shape, [4]);
  assert.equal(w.dtype, 'float64');
  assert.equal(w.requiresGrad, true);
  assert.equal(w.grad, g);
  assert.ok(w.isSetTo(src));
  src.add_(1);
  assert.deepEqual(w.tolist(), [1, 2, 3, 4]);
  assert.throws(() => { (w as any).data = 3; }, /Variable data has to be a tensor, but got int/);
  assert.throws(() => { w.data = torch.zeros([2], { dtype: 'int64' }); }, /requires gradients must be floating point/);
  // a view of a view: data of a slice is a slice
  const base = torch.zeros([2, 3]);
  base.select(0, 1).data.fill_(5);
  assert.deepEqual(base.tolist(), [[0, 0, 0], [5, 5, 5]]);
  // model.to keeps parameter identity through the same mechanism
  const p = lin.weight;
  lin.to('float64');
  assert.equal(lin.weight, p);
  assert.equal(p.dtype, 'float64');
});

test('await t.array() / t.typedArray() read values; the old data() method is gone', async () => {
  const t = torch.tensor([[1, 2], [3, 4]]);
  assert.deepEqual(await t.array(), [[1, 2], [3, 4]]);
  assert.deepEqual(await t.t().array(), [[1, 3], [2, 4]]);
  const ta = await t.typedArray();
  assert.ok(ta instanceof Float32Array);
  assert.deepEqual([...ta], [1, 2, 3, 4]);
  assert.equal(await torch.tensor(2.5).array(), 2.5);
  assert.deepEqual(await torch.tensor([true, false]).array(), [true, false]);
  assert.equal(typeof (t as any).data, 'object');
});

test('for...of iterates over dim 0 (views with autograd); 0-d throws PyTorch\'s TypeError', () => {
  const t = torch.tensor([[1, 2], [3, 4], [5, 6]], { requiresGrad: true });
  const rows: number[][] = [];
  for (const row of t) rows.push(row.tolist());
  assert.deepEqual(rows, [[1, 2], [3, 4], [5, 6]]);
  const [a, , c] = t;
  a!.sum().add(c!.mul(2).sum()).backward();
  assert.deepEqual(t.grad!.tolist(), [[1, 1], [0, 0], [2, 2]]);
  assert.deepEqual([...torch.arange(3, { dtype: 'int64' })].map((v) => v.item()), [0, 1, 2]);
  assert.deepEqual([...torch.zeros([0, 2])], []);
  const base = torch.zeros([2, 2]);
  for (const r of base) r.fill_(1); // views
  assert.deepEqual(base.tolist(), [[1, 1], [1, 1]]);
  assert.throws(() => { for (const _ of torch.tensor(1)) void _; }, (e: Error) => e instanceof TypeError && e.message === 'iteration over a 0-d tensor');
});

test('tensors print in template strings as PyTorch\'s repr', () => {
  const t = torch.tensor([1, 2.5]);
  assert.equal(`${t}`, 'tensor([1.0000, 2.5000])');
  assert.equal(`x = ${torch.tensor(3, { dtype: 'int64' })}`, 'x = tensor(3)');
  assert.equal(`${torch.ones([1], { requiresGrad: true })}`, 'tensor([1.], requires_grad=True)');
});

test('torch.full / fullLike / fill_: JS numbers follow torch.tensor\'s rule; arange keeps the integer rule', () => {
  assert.equal(torch.full([2], 7).dtype, 'float32');
  assert.equal(torch.full([2], 7.5).dtype, 'float32');
  assert.equal(torch.full([2], true).dtype, 'bool');
  assert.equal(torch.full([2], 7, { dtype: 'int64' }).dtype, 'int64');
  const z = torch.full([], 0.0, { requiresGrad: true });
  assert.equal(z.requiresGrad, true);
  assert.equal(z.dtype, 'float32');
  torch.setDefaultDtype('float64');
  try { assert.equal(torch.full([1], 1).dtype, 'float64'); } finally { torch.setDefaultDtype('float32'); }
  assert.equal(torch.full([2], torch.tensor(3, { dtype: 'int64' })).dtype, 'int64');
  const i = torch.zeros([2], { dtype: 'int64' });
  assert.equal(torch.fullLike(i, 2.7).dtype, 'int64');
  assert.deepEqual(torch.fullLike(i, 2.7).tolist(), [2, 2]);
  assert.equal(torch.fullLike(i, 2.7, { dtype: 'float32' }).dtype, 'float32');
  assert.deepEqual(i.fill_(-2.7).tolist(), [-2, -2]); // fill_ keeps the tensor's dtype (truncation as PyTorch)
  assert.throws(() => torch.zeros([1], { dtype: 'int32' }).fill_(2 ** 31), /value cannot be converted to type int without overflow/);
  assert.equal(torch.arange(3).dtype, 'int64');
  assert.equal(torch.arange(0, 1, 0.5).dtype, 'float32');
});

test('newFull / newZeros / newOnes / newEmpty / newTensor take this tensor\'s dtype and device unless given', () => {
  const i = torch.zeros([2], { dtype: 'int64' });
  assert.equal(i.newFull([3], 7).dtype, 'int64');
  assert.deepEqual(i.newFull([3], 7.9).tolist(), [7, 7, 7]);
  assert.equal(i.newFull([1], 7, { dtype: 'float64' }).dtype, 'float64');
  const d = torch.zeros([1], { dtype: 'float64' });
  assert.deepEqual([d.newZeros(2, 3).dtype, [...d.newZeros(2, 3).shape]], ['float64', [2, 3]]);
  assert.deepEqual(d.newOnes([2]).tolist(), [1, 1]);
  assert.equal(d.newEmpty([2], { dtype: 'float32' }).dtype, 'float32');
  const t = d.newTensor([1, 2], { requiresGrad: true });
  assert.deepEqual([t.dtype, t.requiresGrad, t.tolist()], ['float64', true, [1, 2]]);
  const m = torch.zeros([2], { device: 'meta' });
  assert.equal(m.newFull([2], 1).device.type, 'meta');
  assert.throws(() => i.newFull([1], 2 ** 63), /Overflow when unpacking long/);
});
