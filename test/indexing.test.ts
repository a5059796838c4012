/**
 * Python indexing (`at`/`index` to read, `put_`/`indexPut_` to write) and the index-family ops (take, put_,
 * nonzero, maskedScatter, indexAdd, indexCopy, indexFill) against PyTorch (test/fixtures/indexing.json, written by
 * scripts/gen_index_fixtures.py): values, dtypes, shapes, whether a result is a view, gradients of the input and
 * of the assigned values, the grad_fn of assignments, and errors in PyTorch's words. Reads of masks (nonzero) are
 * the reads PyTorch makes too and run inside `userRead` (they are counted on the async-only backend).
 */
import { test, userRead, hasBackend, toList } from './_harness.js';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';
import type { Tensor } from 'torchlet';
import { assertClose, assertThrowsLike, loadFixture, mk, revive } from './nn-util.test.js';
import type { Input, Value } from './nn-util.test.js';

interface ReadCase { name: string; x: Value; expr: string; args: any[]; out: Value | null; gradOut: Value | null; grad: Value | null; view: boolean; hostRead: boolean; error: string | null }
interface WriteCase {
  name: string; x: Value; expr: string; args: any[]; value: Value | number | boolean; accumulate: boolean; out: Value | null;
  gradOut: Value | null; grad: Value | null; valueGrad: Value | null; gradFn: string | null; hostRead: boolean; error: string | null;
}
interface OpCase { name: string; method: string; inputs: Input[]; args: any[]; out: Value | Value[] | null; gradOut: Value | null; grads: (Value | null)[] | null; hostRead: boolean; error: string | null }

const fx = loadFixture<{ read: ReadCase[]; write: WriteCase[]; ops: OpCase[] }>('indexing.json');
const ZERO_DIM_TENSOR_INDEX = new Set(['tensor_0d', 'tensor_0d_both']);
const isFloat = (v: Value): boolean => v.dtype === 'float32' || v.dtype === 'float64';
const maybeRead = <T>(host: boolean, fn: () => T): T => (host ? userRead(fn) : fn());

async function assertValue(t: Tensor, v: Value, what: string): Promise<void> {
  assert.equal(t.dtype, v.dtype, `${what}: dtype`);
  await assertClose(t, v, what, 0, 0);
}

for (const c of fx.read) {
  test(`x[${c.expr}] (${c.name})`, async () => {
    const x = mk(c.x, isFloat(c.x));
    const args = revive(c.args);
    if (c.error !== null) { assertThrowsLike(() => maybeRead(true, () => x.at(c.expr, ...args)), c.error, c.name); return; }
    const out = maybeRead(c.hostRead, () => x.at(c.expr, ...args));
    await assertValue(out, c.out!, 'value');
    // a 0-dim integer tensor index: PyTorch reads its value and selects (a view); torchlet does not read device
    // values and indexes with it as a tensor (a copy, same values and gradients; see docs/porting.md)
    if (!ZERO_DIM_TENSOR_INDEX.has(c.name)) assert.equal(out.isSetTo(x), c.view, c.view ? 'basic indexing gives a view' : 'advanced indexing copies');
    if (c.grad !== null) {
      out.mul(mk(c.gradOut!)).sum().backward();
      await assertClose(x.grad!, c.grad, 'grad', 1e-6, 1e-6);
    }
  });
}

for (const c of fx.write) {
  test(`x[${c.expr}] = value${c.accumulate ? ' (accumulate)' : ''} (${c.name})`, async () => {
    const x = mk(c.x, isFloat(c.x));
    const y = isFloat(c.x) ? x.mul(1) : x.clone();
    const args = revive(c.args);
    const value = typeof c.value === 'object' ? mk(c.value, isFloat(c.value)) : c.value;
    const run = (): Tensor => (c.accumulate ? y.put_(c.expr, ...args, value, { accumulate: true }) : y.put_(c.expr, ...args, value));
    if (c.error !== null) { assertThrowsLike(() => maybeRead(true, run), c.error, c.name); return; }
    assert.equal(maybeRead(c.hostRead, run), y, 'put_ returns this tensor');
    await assertValue(y, c.out!, 'value');
    if (c.gradFn === 'IndexPutBackward0') assert.equal(String(y.gradFn), 'IndexPutBackward0');
    if (c.gradFn === 'CopySlices') assert.match(String(y.gradFn), /^CopySlices/);
    if (c.grad !== null) {
      y.mul(mk(c.gradOut!)).sum().backward();
      await assertClose(x.grad!, c.grad, 'grad of x', 1e-6, 1e-6);
      if (c.valueGrad !== null) await assertClose((value as Tensor).grad!, c.valueGrad, 'grad of value', 1e-6, 1e-6);
    }
  });
}

for (const c of fx.ops) {
  test(`${c.method} (${c.name})`, async () => {
    const ins = c.inputs.map((v) => mk(v, v.requiresGrad));
    const args = c.args.map((a) => (a !== null && typeof a === 'object' && 'input' in a ? ins[a.input] : a !== null && typeof a === 'object' && 'opts' in a ? a.opts : revive(a)));
    // in-place methods run on a copy of the input (Python: (x * 1).method_(...)) so the leaf gets a gradient
    const self = c.method.endsWith('_') ? (ins[0]!.requiresGrad ? ins[0]!.mul(1) : ins[0]!.clone()) : ins[0]!;
    const run = (): Tensor | Tensor[] => (self as any)[c.method](...args);
    if (c.error !== null) { assertThrowsLike(() => maybeRead(true, run), c.error, c.name); return; }
    const out = maybeRead(c.hostRead, run);
    if (Array.isArray(c.out)) {
      assert.ok(Array.isArray(out), 'a list of tensors');
      assert.equal(out.length, c.out.length);
      for (const [i, v] of c.out.entries()) await assertValue(out[i]!, v, `out[${i}]`);
      return;
    }
    const o = out as Tensor;
    if (c.method.endsWith('_')) assert.equal(o, self, 'in-place methods return this tensor');
    await assertValue(o, c.out!, 'value');
    if (c.grads !== null) {
      o.mul(mk(c.gradOut!)).sum().backward();
      for (const [i, g] of c.grads.entries()) {
        if (g === null) continue;
        await assertClose(ins[i]!.grad!, g, `grad of input ${i}`, 1e-6, 1e-6);
      }
    }
  });
}

test('structured form: index/indexPut_ with Slice, None, Ellipsis, numbers, arrays and tensors equals the compact form', async () => {
  const { Slice, Ellipsis, None } = torch.indexing;
  const x = torch.arange(24, { dtype: 'float32' }).view(2, 3, 4);
  const idx = torch.tensor([2, 0], { dtype: 'int64' });
  const pairs: [Tensor, Tensor][] = [
    [x.index([Slice(), Slice(0, null, 2)]), x.at(':, 0::2')],
    [x.index([Ellipsis, -1]), x.at('..., -1')],
    [x.index(['...', None, 1]), x.at('..., None, 1')],
    [x.index([1, Slice(1), idx]), x.at('1, 1:, ?', idx)],
    [x.index([[1, 0], Slice(null, 2)]), x.at('[1, 0], :2')],
    // a mask is read on the host (nonzero), as PyTorch synchronises
    userRead(() => [x.index([torch.Slice(), [true, false, true]]), x.at(':, [True, False, True]')] as [Tensor, Tensor]),
    [x.at(0, torch.Slice(1)), x.at('0, 1:')],
    [x.at('?:?, ?', 1, null, idx), x.at('1:, [2, 0]')],
  ];
  for (const [a, b] of pairs) assert.deepEqual(await toList(a), await toList(b));
  const pe = torch.zeros([3, 4]);
  pe.indexPut_([Slice(), Slice(0, null, 2)], torch.ones([2]));
  pe.indexPut_([idx.sub(1), 1], 5, { accumulate: true });
  pe.indexPut_([idx.sub(1), 1], 5, true);
  assert.deepEqual(await toList(pe), [[1, 0, 1, 0], [1, 10, 1, 0], [1, 10, 1, 0]]);
  assert.deepEqual(await toList(torch.indexPut(torch.zeros([3]), [[0, 2]], torch.tensor([1., 2.]))), [1, 0, 2]);
});

test('x[mask] = number outside autograd is a masked fill that reads nothing on the host', async () => {
  const x = torch.tensor([[1, -2], [-3, 4]]);
  x.put_('?', x.lt(0), 0); // not in userRead: on the async-only backend a host read would throw
  assert.deepEqual(await toList(x), [[1, 0], [0, 4]]);
  x.put_('?', torch.tensor([true, false]), 9);
  assert.deepEqual(await toList(x), [[9, 9], [0, 4]]);
  assert.deepEqual(await toList(userRead(() => x.at('?', x.gt(3)))), [9, 9, 4]);
});

test('basic indexing gives views sharing storage and the version counter; advanced indexing copies', async () => {
  const x = torch.zeros([3, 4]);
  const v = x.at('1:, ::2');
  v.fill_(7);
  assert.deepEqual(await toList(x), [[0, 0, 0, 0], [7, 0, 7, 0], [7, 0, 7, 0]]);
  const c = x.at('[1, 2]');
  c.fill_(-1);
  assert.equal((await toList(x))[1][0], 7, 'an advanced-index result is a copy');
  // a view's in-place write bumps the version counter autograd checks saved tensors against
  const w = torch.ones([3], { requiresGrad: true });
  const s = w.mul(1);
  const y = s.sigmoid(); // saves its output
  y.at('0').mul_(2);
  assert.throws(() => y.sum().backward(), /modified by an inplace operation/);
});

test('the positional-encoding pattern pe[:, 0::2] = sin(...), pe[:, 1::2] = cos(...) gives PyTorch values and gradients', async () => {
  const pos = torch.arange(4, { dtype: 'float32' }).unsqueeze(1);
  const div = torch.tensor([1, 0.1], { requiresGrad: true });
  const pe = torch.zeros([4, 4]);
  pe.put_(':, 0::2', pos.mul(div).sin());
  pe.put_(':, 1::2', pos.mul(div).cos());
  assert.match(String(pe.gradFn), /^CopySlices/);
  const want = [0, 1, 2, 3].map((p) => [Math.sin(p), Math.cos(p), Math.sin(p * 0.1), Math.cos(p * 0.1)]);
  const got = await toList(pe);
  got.forEach((row: number[], i: number) => row.forEach((v, j) => assert.ok(Math.abs(v - want[i]![j]!) < 1e-6)));
  pe.sum().backward();
  const g = await toList(div.grad!);
  const d = (k: number, f: number) => [0, 1, 2, 3].reduce((a, p) => a + p * (Math.cos(p * f) - Math.sin(p * f)), 0) * (k >= 0 ? 1 : 1);
  assert.ok(Math.abs(g[0] - d(0, 1)) < 1e-5 && Math.abs(g[1] - d(1, 0.1)) < 1e-5, `grad ${g}`);
});

test('index expressions: syntax errors, placeholder counts and non-integer items are reported', () => {
  const x = torch.zeros([3, 4]);
  assert.throws(() => x.at('1:2:3:4'), SyntaxError);
  assert.throws(() => x.at('a'), /invalid index expression 'a' at position 0/);
  assert.throws(() => x.at('?, ?', 1), /has 2 placeholder\(s\) '\?' but 1 value\(s\) were given/);
  assert.throws(() => x.at('0', 1), /no placeholder for 1 extra argument/);
  assert.throws(() => x.at('?:', 0.5), /slice indices must be integers or None/);
  assert.throws(() => x.at('?', 1.5), /only integers, slices .* are valid indices \(got float\)/);
  assert.throws(() => x.index([{}]), /are valid indices \(got Object\)/);
  assert.throws(() => x.put_(':', 1, 2), /expected the value to assign/);
  assert.throws(() => x.put_(':', 1, { accumulate: 1 }), /argument 'accumulate' must be bool/);
  assert.throws(() => x.indexPut_([0], 1, { acumulate: true } as any), /acumulate.*accumulate/s);
  // a leaf that requires grad cannot be written in place, as in PyTorch
  const w = torch.zeros([3], { requiresGrad: true });
  assert.throws(() => w.put_('[0]', 1), /leaf Variable that requires grad/);
});

test('indexing on the meta device gives shapes (no mask: its result size needs values)', { skip: !hasBackend('meta') }, () => {
  const x = torch.zeros([2, 3, 4], { device: 'meta' });
  const i = torch.tensor([0, 1, 1], { dtype: 'int64', device: 'meta' });
  assert.deepEqual(x.at('?, :, ?', i, i).shape, [3, 3]);
  assert.deepEqual(x.at(':, ?', i).shape, [2, 3, 4]);
  assert.deepEqual(x.at('None, ..., ::2').shape, [1, 2, 3, 2]);
  assert.deepEqual(x.take(i).shape, [3]);
  assert.throws(() => x.at('?', torch.zeros([2], { dtype: 'bool', device: 'meta' })), /meta tensor/);
});

test('torch.autograd.grad through advanced indexing with repeated indices', async () => {
  const x = torch.tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
  const idx = torch.tensor([0, 2, 2], { dtype: 'int64' });
  const y = x.at('?', idx).pow(2).sum();
  const [g] = torch.autograd.grad(y, [x], null, { retainGraph: true });
  assert.deepEqual(await toList(g!), [2, 0, 12]);
});

test('indexFill_ with a tensor value and a negative index differentiates (PyTorch 1.13 fails in this backward)', async () => {
  const v = torch.tensor(2, { dtype: 'float64', requiresGrad: true });
  const x = torch.zeros([3, 2], { dtype: 'float64' });
  const y = x.indexFill(0, torch.tensor([-1, 2], { dtype: 'int64' }), v); // both name row 2: counted once
  assert.deepEqual(await toList(y), [[0, 0], [0, 0], [2, 2]]);
  y.sum().backward();
  assert.equal(await toList(v.grad!), 2);
});

test('list indices must hold integers (or booleans) only', () => {
  const x = torch.zeros([3, 4]);
  assert.throws(() => x.at('?', [0, 1.5]), /tensors used as indices must be long, byte or bool tensors/);
  assert.throws(() => x.at('?', [true, 1]), /tensors used as indices must be long, byte or bool tensors/);
  assert.throws(() => x.at('?', [0, 'a']), /valid indices \(got string\)/);
});
