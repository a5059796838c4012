import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';

test('dtypes: defaults, inference from data, int64 exact to 2^53', () => {
  assert.equal(torch.tensor([1, 2]).dtype, 'float32');
  assert.equal(torch.tensor([true, false]).dtype, 'bool');
  assert.equal(torch.tensor([1, 2], { dtype: 'int64' }).dtype, 'int64');
  assert.equal(torch.tensor(new Float64Array([1])).dtype, 'float64');
  assert.equal(torch.arange(3).dtype, 'int64');
  assert.equal(torch.arange(0, 1, 0.25).dtype, 'float32');
  const big = 2 ** 53;
  const t = torch.tensor([big - 1, big], { dtype: 'int64' });
  assert.deepEqual(t.tolist(), [big - 1, big]);
  assert.equal(t.sub(1).tolist()[1], big - 1);
  assert.equal(torch.tensor([-1.7, 1.7]).long().tolist().join(), '-1,1');
  assert.equal(torch.tensor([3], { dtype: 'int32' }).add(torch.tensor([1], { dtype: 'int64' })).dtype, 'int64');
  assert.equal(torch.tensor([3], { dtype: 'int32' }).add(torch.tensor(1, { dtype: 'int64' })).dtype, 'int32');
  assert.equal(torch.tensor([1], { dtype: 'int64' }).div(2).dtype, 'float32');
  assert.equal(torch.tensor([true]).add(1).dtype, 'int64');
  assert.equal(torch.promoteTypes('int64', 'float32'), 'float32');
});

test('views share storage and never copy; writes through views are visible in the base', () => {
  const base = torch.zeros([3, 4]);
  const v = base.t();
  assert.ok(v.isSetTo(base));
  assert.equal(v.isContiguous(), false);
  v.select(0, 1).fill_(7); // column 1 of base
  assert.deepEqual(base.tolist()[2], [0, 7, 0, 0]);
  base.narrow(0, 0, 1).view(-1).copy_(torch.tensor([1, 2, 3, 4]));
  assert.deepEqual(base.tolist()[0], [1, 2, 3, 4]);
  const s = base.slice(1, 0, 4, 2);
  assert.deepEqual([...s.shape], [3, 2]);
  assert.deepEqual([...s.stride()], [4, 2]);
  assert.ok(base.unsqueeze(0).isSetTo(base));
  assert.ok(base.reshape(12).isSetTo(base)); // no copy when possible
  assert.ok(!v.reshape(12).isSetTo(base)); // copies when it must
  assert.equal(v.contiguous().isContiguous(), true);
  assert.throws(() => v.view(12), /view size is not compatible/);
  const e = torch.ones([3, 1]).expand(3, 4);
  assert.deepEqual([...e.stride()], [1, 0]);
  assert.throws(() => e.add_(1), /more than one element of the written-to tensor/);
});

test('unsqueeze(0) adds a batch dimension as a view; valid dims', () => {
  const img = torch.rand([3, 32, 32]);
  const batch = img.unsqueeze(0);
  assert.deepEqual([...batch.shape], [1, 3, 32, 32]);
  assert.ok(batch.isSetTo(img));
  assert.deepEqual([...img.unsqueeze(-1).shape], [3, 32, 32, 1]);
  assert.throws(() => img.unsqueeze(4), /Dimension out of range \(expected to be in range of \[-4, 3\], but got 4\)/);
});

test('reading: item, tolist, array(), typedArray(), dataSync, size, numel, dim', async () => {
  const t = torch.tensor([[1, 2, 3], [4, 5, 6]]);
  assert.equal(t.numel(), 6);
  assert.equal(t.dim(), 2);
  assert.equal(t.size(-1), 3);
  assert.deepEqual([...t.size()], [2, 3]);
  assert.equal(t.sum().item(), 21);
  assert.throws(() => t.item(), /a Tensor with 6 elements cannot be converted to Scalar/);
  const d = await t.typedArray();
  assert.deepEqual(await t.array(), [[1, 2, 3], [4, 5, 6]]);
  assert.equal(await torch.tensor(7).array(), 7);
  assert.deepEqual(await torch.tensor([true, false]).array(), [true, false]);
  assert.ok(d instanceof Float32Array);
  assert.deepEqual([...d], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual([...t.t().dataSync()], [1, 4, 2, 5, 3, 6]);
  assert.deepEqual(torch.tensor([true, false]).tolist(), [true, false]);
  assert.throws(() => torch.tensor([[1, 2], [3]]), /expected sequence of length 2 at dim 1 \(got 1\)/);
});

test('manualSeed makes every random function reproducible', () => {
  const draw = () => [torch.rand([3]), torch.randn([3]), torch.randint(0, 10, [3]), torch.randperm(5), torch.randnLike(torch.zeros([2]))].map((t) => t.tolist());
  torch.manualSeed(123);
  const a = draw();
  torch.manualSeed(123);
  assert.deepEqual(draw(), a);
  torch.manualSeed(124);
  assert.notDeepEqual(draw(), a);
  const g = new torch.Generator(7);
  const r1 = torch.rand([2], { generator: g }).tolist();
  assert.deepEqual(torch.rand([2], { generator: new torch.Generator(7) }).tolist(), r1);
  torch.manualSeed(0);
  const n = torch.randn([20000]);
  assert.ok(Math.abs(n.mean().item()) < 0.03);
  assert.ok(Math.abs(n.std().item() - 1) < 0.03);
  const p = (torch.randperm(50).tolist() as number[]).sort((x, y) => x - y);
  assert.deepEqual(p, Array.from({ length: 50 }, (_, i) => i));
});

test('one-hot via zeros.scatter_(1, label, 1) as in the seed', () => {
  const label = torch.tensor([3, 4, 2, 1], { dtype: 'int64' }).view(-1, 1);
  const onehot = torch.zeros([4, 8]).scatter_(1, label, 1);
  assert.deepEqual(onehot.argmax(1).tolist(), [3, 4, 2, 1]);
  assert.deepEqual(onehot.sum(1).tolist(), [1, 1, 1, 1]);
  assert.throws(() => torch.zeros([4, 8]).scatter_(1, torch.tensor([[8]], { dtype: 'int64' }), 1), /index 8 is out of bounds for dimension 1 with size 8/);
});

test('devices: parsing, CUDA unavailable with PyTorch message, CUDA_VISIBLE_DEVICES renumbering', () => {
  assert.equal(String(torch.device('cuda:1')), 'cuda:1');
  assert.equal(torch.device('cuda', 2).index, 2);
  assert.equal(String(torch.zeros([1]).device), 'cpu');
  assert.equal(torch.cuda.isAvailable(), false);
  assert.throws(() => torch.zeros([1], { device: 'cuda:0' }), /Torch not compiled with CUDA enabled/);
  assert.throws(() => torch.zeros([1]).to('cuda'), /Torch not compiled with CUDA enabled/);
  assert.throws(() => torch.device('tpu'), /Expected one of cpu, cuda/);
  assert.deepEqual(torch.cuda.visibleDevices({ CUDA_VISIBLE_DEVICES: '0,2' }), [0, 2]);
  assert.equal(torch.cuda.visibleDevices({}), null);
});

test('printing looks like PyTorch', () => {
  assert.equal(String(torch.tensor([1, 2])), 'tensor([1., 2.])');
  assert.equal(String(torch.tensor([1.5, 2], { requiresGrad: true })), 'tensor([1.5000, 2.0000], requires_grad=True)');
  assert.equal(String(torch.arange(3)), 'tensor([0, 1, 2])');
  assert.equal(String(torch.ones([1], { requiresGrad: true }).mul(2)), 'tensor([2.], grad_fn=<MulBackward0>)');
});

test('functional forms match methods; options objects match positional args', () => {
  const x = torch.tensor([[1, 2], [3, 4]]);
  assert.deepEqual(torch.sum(x, 1).tolist(), x.sum(1).tolist());
  assert.deepEqual(x.sum(1, true).tolist(), x.sum({ dim: 1, keepdim: true }).tolist());
  assert.deepEqual(x.sum(1, { keepdim: true }).tolist(), [[3], [7]]);
  assert.deepEqual(torch.max(x, 1).values.tolist(), [2, 4]);
  const [vals, idx] = torch.max(x, 0);
  assert.deepEqual([vals!.tolist(), idx!.tolist()], [[3, 4], [1, 1]]);
  assert.equal(x.var().item(), x.var({ unbiased: true }).item());
  assert.ok(Math.abs(x.var(null, false).item() - 1.25) < 1e-6);
});

test('int64 never holds NaN or infinity; tensors nest in tensor(); sizes must be integers', () => {
  assert.deepEqual(torch.tensor([NaN, Infinity, -2.7]).long().tolist(), [-(2 ** 63), -(2 ** 63), -2]);
  assert.throws(() => torch.tensor([NaN], { dtype: 'int64' }), /value cannot be converted to type int64 without overflow/);
  assert.deepEqual(torch.tensor([torch.tensor(1), torch.tensor(2)]).tolist(), [1, 2]);
  assert.deepEqual([...torch.tensor([torch.ones([2]), torch.zeros([2])]).shape], [2, 2]);
  assert.throws(() => torch.zeros([1.5]), /size must be a sequence of integers, but found element 1.5 of type float at pos 0/);
});
