/**
 * Tensor arguments checked as PyTorch checks them (issue 11, probe rows 1–15, 17, 22): ints where PyTorch takes
 * an int, Tensors or numbers where it takes them, known dtypes and option keys, values that fit the dtype,
 * allocation sizes. Messages follow PyTorch 1.13's wording (taken from /usr/bin/python3 -c "import torch; ...").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';

const L = (a: number[]) => torch.tensor(a, { dtype: 'int64' });
const any = (x: unknown): any => x;

test('allocation failures say how many bytes were asked for, before allocating (row 1)', () => {
  assert.throws(() => torch.zeros([1e10]), /can't allocate memory: you tried to allocate 40000000000 bytes/);
  assert.throws(() => torch.randn([1e10]), /you tried to allocate 40000000000 bytes/);
  assert.throws(() => torch.full([1e10], 1.5), /you tried to allocate 40000000000 bytes/);
  assert.throws(() => torch.empty(1e5, 1e5, { dtype: 'float64' }), /you tried to allocate 80000000000 bytes/);
  // the meta device allocates nothing: PyTorch makes such a tensor
  assert.deepEqual(torch.zeros([1e10], { device: 'meta' }).shape, [1e10]);
});

test('factory counts: arange NaN/inf, linspace/eye/randperm ints, negative sizes (rows 2–4)', () => {
  assert.throws(() => torch.arange(NaN), /unsupported range: 0 -> nan/);
  assert.throws(() => torch.arange(0, Infinity), /unsupported range: 0 -> inf/);
  assert.throws(() => torch.linspace(0, 1, 2.5), { name: 'TypeError', message: "linspace(): argument 'steps' (position 3) must be int, not float" });
  assert.throws(() => torch.eye(2.5), { name: 'TypeError', message: "eye(): argument 'n' (position 1) must be int, not float" });
  assert.throws(() => torch.eye(-1), /n must be greater or equal to 0, got -1/);
  assert.throws(() => torch.eye(2, -1), /m must be greater or equal to 0, got -1/);
  assert.throws(() => torch.randperm(2.5), { name: 'TypeError', message: "randperm(): argument 'n' (position 1) must be int, not float" });
  assert.throws(() => torch.randperm(-1), /negative dimension -1/);
  assert.throws(() => torch.ones([1]).expand(2.5), { name: 'TypeError', message: "expand(): argument 'size' (position 1) must be tuple of ints, not float" });
  assert.throws(() => torch.ones([1]).expand(-2), /negative dimension -2/);
  assert.throws(() => torch.zeros([2.5]), TypeError);
  assert.throws(() => torch.zeros([NaN]), TypeError);
  assert.throws(() => torch.zeros(any('2'), 3), TypeError);
});

test('select/narrow/slice/chunk/split/repeat take ints; select(0, 1.5) writes nothing (rows 5–7, 17)', () => {
  const x = torch.arange(12).float().view(3, 4);
  assert.throws(() => x.select(0, 1.5).fill_(99), { name: 'TypeError', message: "select(): argument 'index' (position 2) must be int, not float" });
  assert.deepEqual(x.tolist(), torch.arange(12).float().view(3, 4).tolist());
  assert.throws(() => x.select(0, NaN), TypeError);
  assert.throws(() => x.narrow(1, 0.5, 2), { name: 'TypeError', message: "narrow(): argument 'start' (position 2) must be int, not float" });
  assert.throws(() => x.narrow(0, NaN, 1), TypeError);
  assert.throws(() => x.narrow(0, 0, 1.5), TypeError);
  assert.throws(() => x.slice(0, 2.5, 3), { name: 'TypeError', message: "slice(): argument 'start' (position 2) must be int, not float" });
  assert.throws(() => x.chunk(2.5), { name: 'TypeError', message: "chunk(): argument 'chunks' (position 1) must be int, not float" });
  assert.throws(() => x.split(-1), /split expects split_size be non-negative, but got split_size=-1/);
  assert.throws(() => x.split(1.5), TypeError);
  assert.throws(() => torch.arange(6).repeat(2, -1), /Trying to create tensor with negative dimension -6: \[2, -6\]/);
  assert.throws(() => x.reshape(any(['2', '6'])), { name: 'TypeError', message: "reshape(): argument 'shape' (position 1) must be tuple of ints, not str" });
  assert.throws(() => x.view(1.5, 8), TypeError);
  assert.throws(() => x.unsqueeze(1.5), /dim must be an integer, got 1.5/);
  assert.throws(() => x.sum(any(torch.tensor(1))), { name: 'TypeError', message: /dim must be an integer or a list of integers, got a Tensor/ });
  assert.throws(() => x.indexSelect(1.5, L([0])), TypeError);
});

test('unknown option keys fail like an unexpected keyword argument, with a hint (row 8)', () => {
  assert.throws(() => torch.tensor([1], any({ requires_grad: true })), { name: 'TypeError', message: "tensor() got an unexpected keyword argument 'requires_grad' (did you mean 'requiresGrad'?)" });
  assert.throws(() => torch.ones([2, 2]).sum(any({ dim: 1, keepDim: true })), { name: 'TypeError', message: "sum() got an unexpected keyword argument 'keepDim' (did you mean 'keepdim'?)" });
  assert.throws(() => torch.zeros([2], any({ dtyp: 'int64' })), { name: 'TypeError', message: "zeros() got an unexpected keyword argument 'dtyp' (did you mean 'dtype'?)" });
  assert.throws(() => torch.ones([2]).to(any({ dtyp: 'int64' })), /to\(\) got an unexpected keyword argument 'dtyp' \(did you mean 'dtype'\?\)/);
  const w = torch.ones([2], { requiresGrad: true });
  assert.throws(() => w.sum().backward(undefined, any({ retain_graph: true })), /backward\(\) got an unexpected keyword argument 'retain_graph' \(did you mean 'retainGraph'\?\)/);
  assert.throws(() => torch.randn([2], any({ generatr: null })), /unexpected keyword argument 'generatr' \(did you mean 'generator'\?\)/);
  assert.throws(() => torch.ones([2]).mean(any({ foo: 1 })), { name: 'TypeError', message: "mean() got an unexpected keyword argument 'foo'" });
  assert.throws(() => torch.cat([torch.ones([1])], any({ axis: 0 })), /cat\(\) got an unexpected keyword argument 'axis'/);
  assert.throws(() => torch.ones([2]).clamp(any({ mn: 0 })), /unexpected keyword argument 'mn' \(did you mean 'min'\?\)/);
});

test('unknown dtypes name the valid ones (row 9)', () => {
  for (const d of ['float', 'float16', 'float17']) {
    assert.throws(() => torch.tensor([1], any({ dtype: d })), { name: 'TypeError', message: new RegExp(`argument 'dtype' must be one of 'float32', 'float64', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool', not '${d}'`) });
  }
  assert.throws(() => torch.zeros([2], any({ dtype: 'float16' })), TypeError);
  assert.throws(() => torch.ones([2]).to('float32', any('half')), TypeError);
});

test('operands must be Tensors or numbers: no coercion of strings, undefined, null, arrays, objects (rows 10, 13)', () => {
  const x = torch.tensor([0, 1, 2]);
  assert.throws(() => x.add(any('1')), { name: 'TypeError', message: "add(): argument 'other' (position 1) must be Tensor or Number, not str" });
  for (const bad of [undefined, null, [1, 2, 3], {}]) {
    assert.throws(() => x.add(any(bad)), TypeError);
    assert.throws(() => x.mul(any(bad)), TypeError);
    assert.throws(() => x.add_(any(bad)), TypeError);
  }
  assert.throws(() => any(x).div(), /div\(\): argument 'other' \(position 1\) must be Tensor or Number, not undefined/);
  assert.throws(() => x.eq(any([0, 1, 2])), /eq\(\): argument 'other'/);
  assert.throws(() => x.fill_(any('3')), /fill_\(\): argument 'value'/);
  assert.throws(() => x.maskedFill(x.gt(0), any(undefined)), /masked_fill\(\): argument 'value' \(position 2\) must be Tensor or Number, not undefined/);
  assert.throws(() => torch.cat(any([1, 2])), { name: 'TypeError', message: 'expected Tensor as element 0 in argument 0, but got int' });
  assert.throws(() => torch.stack(any([x, 1])), { name: 'TypeError', message: 'expected Tensor as element 1 in argument 0, but got int' });
  const m = torch.ones([2, 3]);
  assert.throws(() => m.matmul(any(3)), { name: 'TypeError', message: "matmul(): argument 'other' (position 1) must be Tensor, not int" });
  assert.throws(() => m.matmul(any([[1], [2], [3]])), { name: 'TypeError', message: "matmul(): argument 'other' (position 1) must be Tensor, not Array" });
  assert.throws(() => m.indexSelect(0, any([0, 1])), { name: 'TypeError', message: "index_select(): argument 'index' (position 2) must be Tensor, not Array" });
  assert.throws(() => m.copy_(any([1, 2, 3])), { name: 'TypeError', message: "copy_(): argument 'src' (position 1) must be Tensor, not Array" });
  assert.throws(() => m.equal(any([1])), { name: 'TypeError', message: "equal(): argument 'other' (position 1) must be Tensor, not Array" });
  assert.throws(() => m.gather(1, any([[0]])), TypeError);
  assert.throws(() => torch.where(m.gt(0), m, any('1')), TypeError);
  assert.throws(() => torch.add(any(1), m), { name: 'TypeError', message: "add(): argument 'input' (position 1) must be Tensor, not int" });
  assert.throws(() => torch.linear(m, any([[1, 2, 3]])), TypeError);
});

test('clamp and full take tensors as PyTorch does (row 11)', () => {
  assert.deepEqual(torch.full([2, 2], 2.5).clamp(torch.tensor(3)).tolist(), [[3, 3], [3, 3]]);
  assert.deepEqual(torch.full([2, 2], 2.5).clamp({ max: torch.tensor(1) }).tolist(), [[1, 1], [1, 1]]);
  assert.deepEqual(torch.tensor([0, 5, 10]).clamp(torch.tensor([1, 1, 1]), torch.tensor(6)).tolist(), [1, 5, 6]);
  const y = torch.tensor([0, 5, 10]);
  y.clamp_(torch.tensor(2), 7);
  assert.deepEqual(y.tolist(), [2, 5, 7]);
  const f = torch.full([2], torch.tensor(3, { dtype: 'int64' }));
  assert.deepEqual([f.tolist(), f.dtype], [[3, 3], 'int64']);
  assert.equal(torch.full([2], torch.tensor(0.5)).dtype, 'float32');
  // clamp with a tensor bound differentiates like maximum/minimum
  const w = torch.tensor([0, 5, 10], { requiresGrad: true });
  w.clamp(torch.tensor(2), torch.tensor(7)).sum().backward();
  assert.deepEqual(w.grad!.tolist(), [0, 1, 0]);
});

test('backward(2) is a TypeError (row 12)', () => {
  const w = torch.ones([2], { requiresGrad: true });
  assert.throws(() => w.sum().backward(any(2)), { name: 'TypeError', message: "backward(): argument 'gradient' (position 1) must be Tensor, not int" });
  assert.throws(() => w.sum().backward(undefined, any({ retainGraph: 'yes' })), TypeError);
  w.sum().backward(undefined, { retainGraph: true });
  assert.deepEqual(w.grad!.tolist(), [1, 1]);
});

test('values that do not fit the dtype fail (rows 14, 15)', () => {
  assert.throws(() => torch.tensor([2 ** 31], { dtype: 'int32' }), /value cannot be converted to type int32 without overflow/);
  assert.throws(() => torch.tensor([-(2 ** 31) - 1], { dtype: 'int32' }), /without overflow/);
  assert.equal(torch.tensor([2 ** 31 - 1], { dtype: 'int32' }).item(), 2 ** 31 - 1);
  assert.throws(() => torch.tensor([2 ** 63], { dtype: 'int64' }), /^RangeError: Overflow when unpacking long$/); // PyTorch's words for a Python int ≥ 2^63
  assert.throws(() => torch.full([2], NaN, { dtype: 'int64' }), /value cannot be converted to type int64_t without overflow/);
  assert.throws(() => torch.full([2], 2 ** 31, { dtype: 'int32' }), /value cannot be converted to type int without overflow/); // full names the C type
  assert.throws(() => L([1]).fill_(Infinity), /without overflow/);
});

test('integer division by zero raises in every rounding mode, scalar and tensor divisors (row 22)', () => {
  for (const rm of [undefined, 'trunc', 'floor'] as const) {
    if (rm === undefined) continue; // true division gives float inf, as PyTorch
    assert.throws(() => L([1, 2]).div(0, { roundingMode: rm }), /ZeroDivisionError/);
    assert.throws(() => L([1, 2]).div(L([0, 1]), { roundingMode: rm }), /ZeroDivisionError/);
    assert.throws(() => torch.tensor([1, 2], { dtype: 'int32' }).div(torch.tensor([1, 0], { dtype: 'int32' }), rm), /ZeroDivisionError/);
  }
  assert.deepEqual(L([7, -7]).div(L([2, 2]), { roundingMode: 'trunc' }).tolist(), [3, -3]);
  assert.deepEqual(L([1, 2]).div(0).tolist(), [Infinity, Infinity]);
  assert.throws(() => L([1]).div(1, any({ roundingMode: 'round' })), /rounding_mode to be one of None, 'trunc', or 'floor'/);
});

test('defects the property suite found: bool subtraction, empty parts in cat/stack, null options', () => {
  assert.throws(() => torch.tensor(false).sub(torch.tensor([[1, 2]])), /with a bool tensor is not supported/);
  assert.throws(() => torch.tensor([1.5]).sub(true), /with a bool tensor is not supported/);
  assert.throws(() => torch.tensor([true]).sub(torch.tensor([true])), /with two bool tensors is not supported/);
  assert.deepEqual(torch.stack([torch.zeros([0]), torch.zeros([0])], -2).shape, [2, 0]);
  assert.deepEqual(torch.cat([torch.zeros([4, 0]), torch.zeros([1, 0])], 0).shape, [5, 0]);
  assert.deepEqual(torch.tensor([1], any(null)).tolist(), [1]);
});
