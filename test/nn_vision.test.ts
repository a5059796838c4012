/**
 * The vision functionals and their modules against PyTorch (test/fixtures/nn_vision.json,
 * scripts/gen_vision_fixtures.py): F.interpolate / nn.Upsample*, F.gridSample, F.affineGrid, F.pixelShuffle /
 * pixelUnshuffle, F.instanceNorm / nn.InstanceNorm1d/2d (running stats included), F.adaptiveMaxPool1d/2d (indices
 * included), the padding layers; values and gradients, with the nn kernels and with their fallbacks, and errors in
 * PyTorch's words.
 */
import { test, toList } from './_harness.js';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';
import type { Tensor } from 'torchlet';
import { assertThrowsLike, loadFixture } from './nn-util.test.js';
import { runFnCase, runLayerCase } from './nn-fixture-cases.test.js';
import type { FnCase, LayerCase } from './nn-fixture-cases.test.js';
import { MODES, inMode } from './nn_modes.test.js';

const { nn } = torch;
const F = nn.functional;
const fx = loadFixture<{ cases: LayerCase[]; funcs: FnCase[]; errors: { name: string; error: string }[] }>('nn_vision.json');

/** A spatial transformer: affineGrid then gridSample (gradients flow to the image and to theta). */
const stn = (img: Tensor, theta: Tensor): Tensor => F.gridSample(img, F.affineGrid(theta, img.shape, { alignCorners: false }), { alignCorners: false });

for (const mode of MODES) for (const c of fx.cases) {
  test(`nn.${c.name} (${mode})`, () => inMode(mode, () => runLayerCase(c, () => null)));
}
for (const mode of MODES) for (const c of fx.funcs) {
  test(`F.${c.name} (${mode})`, () => inMode(mode, () => runFnCase(c, { stn })));
}

test('vision errors in PyTorch\'s words', () => {
  const want = new Map(fx.errors.map((e) => [e.name, e.error]));
  const x4 = torch.randn([1, 2, 3, 4]);
  const cases: [string, () => unknown][] = [
    ['interpolate/both', () => F.interpolate(x4, { size: 3, scaleFactor: 2 })],
    ['interpolate/neither', () => F.interpolate(x4)],
    ['interpolate/align_nearest', () => F.interpolate(x4, { size: 3, alignCorners: true })],
    ['interpolate/bilinear_3d', () => F.interpolate(torch.randn([1, 2, 3]), { size: 3, mode: 'bilinear' })],
    ['interpolate/linear_4d', () => F.interpolate(x4, { size: 3, mode: 'linear' })],
    ['interpolate/size_len', () => F.interpolate(x4, { size: [1, 2, 3] })],
    ['interpolate/recompute_size', () => F.interpolate(x4, { size: 3, recomputeScaleFactor: true })],
    ['grid_sample/mode', () => F.gridSample(x4, torch.zeros([1, 2, 2, 2]), { mode: 'box' as any })],
    ['grid_sample/padding', () => F.gridSample(x4, torch.zeros([1, 2, 2, 2]), { paddingMode: 'wrap' as any })],
    ['grid_sample/batch', () => F.gridSample(x4, torch.zeros([2, 2, 2, 2]))],
    ['grid_sample/last_dim', () => F.gridSample(x4, torch.zeros([1, 2, 2, 3]))],
    ['affine_grid/theta_shape', () => F.affineGrid(torch.zeros([1, 3, 3]), [1, 1, 2, 2])],
    ['affine_grid/size', () => F.affineGrid(torch.zeros([1, 2, 3]), [1, 2, 3])],
    ['affine_grid/int_theta', () => F.affineGrid(torch.zeros([1, 2, 3], { dtype: 'int64' }), [1, 1, 2, 2])],
    ['pixel_shuffle/divisible', () => F.pixelShuffle(torch.randn([1, 6, 2, 2]), 2)],
    ['pixel_shuffle/dims', () => F.pixelShuffle(torch.randn([4, 2]), 2)],
    ['pixel_unshuffle/height', () => F.pixelUnshuffle(torch.randn([1, 1, 3, 4]), 2)],
    ['adaptive_max_pool2d/dims', () => F.adaptiveMaxPool2d(torch.randn([2, 3]), 2)],
    ['instance_norm/one_element', () => F.instanceNorm(torch.randn([2, 3, 1]))],
    ['InstanceNorm1d/dims', () => new nn.InstanceNorm1d(3).forward(torch.randn([2, 3, 4, 5]))],
  ];
  assert.equal(cases.length, want.size, 'every fixture error is checked');
  for (const [name, fn] of cases) assertThrowsLike(fn, want.get(name)!, name);
  // PyTorch 2.x's check (1.13 fails later, inside batch_norm)
  assertThrowsLike(() => new nn.InstanceNorm2d(3, { affine: true }).forward(torch.randn([2, 4, 5, 5])),
    "expected input's size at dim=1 to match num_features (3), but got: 4.", 'affine num_features');
  assertThrowsLike(() => F.interpolate(x4, { sizee: 3 } as any), "did you mean 'size'?", 'typo');
  assertThrowsLike(() => new nn.ReflectionPad2d(1).forward(torch.randn([2, 3])), 'ReflectionPad2d: expected 3D or 4D (batch mode) tensor for input, but got: [2, 3]', 'pad dims');
  assertThrowsLike(() => new nn.ZeroPad2d([1, 2, 3]), 'ZeroPad2d: padding must be an int or a tuple of 4 ints, got [1, 2, 3]', 'pad tuple');
});

test('interpolate and upsampling: module forms equal the functional, nearest keeps integer dtypes', async () => {
  const x = torch.randn([1, 2, 3, 4]);
  assert.deepEqual(await toList(new nn.Upsample(null, 2, 'bilinear').forward(x)), await toList(F.interpolate(x, null, 2, 'bilinear')));
  assert.deepEqual(await toList(new nn.UpsamplingBilinear2d({ size: [5, 6] }).forward(x)), await toList(F.interpolate(x, { size: [5, 6], mode: 'bilinear', alignCorners: true })));
  assert.deepEqual(await toList(F.upsample(x, null, 2, 'bilinear')), await toList(F.interpolate(x, { scaleFactor: 2, mode: 'bilinear' })));
  assert.deepEqual(await toList(F.upsampleNearest(x, [5, 7])), await toList(F.interpolate(x, { size: [5, 7] })));
  assert.deepEqual(await toList(F.upsampleBilinear(x, { scaleFactor: 2 })), await toList(F.interpolate(x, { scaleFactor: 2, mode: 'bilinear', alignCorners: true })));
  const xi = torch.tensor([[[1, 2, 3]]], { dtype: 'int64' });
  const up = F.interpolate(xi, { scaleFactor: 2 });
  assert.equal(up.dtype, 'int64');
  assert.deepEqual(await toList(up), [[[1, 1, 2, 2, 3, 3]]]);
});

test('padding layers: constant, zero, reflection, replication and circular in 1-D, 2-D and 3-D', async () => {
  const x = torch.tensor([[[1, 2, 3]]]);
  assert.deepEqual(await toList(new nn.ZeroPad1d([1, 2]).forward(x)), [[[0, 1, 2, 3, 0, 0]]]);
  assert.deepEqual(await toList(new nn.CircularPad1d(1).forward(x)), [[[3, 1, 2, 3, 1]]]);
  assert.deepEqual(await toList(new nn.ReflectionPad1d(2).forward(x)), [[[3, 2, 1, 2, 3, 2, 1]]]);
  assert.deepEqual(await toList(new nn.ReplicationPad1d([0, 2]).forward(x)), [[[1, 2, 3, 3, 3]]]);
  assert.deepEqual(new nn.ConstantPad3d(1, 2).forward(torch.zeros([1, 1, 1, 1, 1])).shape, [1, 1, 3, 3, 3]);
  assert.deepEqual(new nn.ReplicationPad3d([1, 0, 0, 0, 2, 0]).forward(torch.zeros([1, 2, 2, 2])).shape, [1, 4, 2, 3]);
  assert.equal(String(new nn.ConstantPad2d(1, 0.5)), 'ConstantPad2d(padding=(1, 1, 1, 1), value=0.5)');
});

test('gridSample through affineGrid with the identity reproduces the input (both alignCorners)', async () => {
  const x = torch.randn([2, 3, 4, 5]);
  const id = torch.tensor([[[1, 0, 0], [0, 1, 0]]]).expand([2, 2, 3]);
  for (const ac of [false, true]) {
    const y = F.gridSample(x, F.affineGrid(id, [2, 3, 4, 5], ac), { alignCorners: ac });
    assert.ok((await toList(y.sub(x).abs().max())) < 1e-5);
  }
});

test('instanceNorm: running stats averaged over the batch; eval uses them', async () => {
  const m = new nn.InstanceNorm1d(2, { trackRunningStats: true, momentum: 1 });
  const x = torch.tensor([[[1, 3], [0, 4]], [[5, 7], [2, 2]]]);
  m.forward(x);
  assert.deepEqual(await toList(m.runningMean!), [4, 2]); // means per (n, c): [2, 2], [6, 2]
  assert.deepEqual(await toList(m.runningVar!), [2, 4]); // unbiased vars: [2, 8], [2, 0]
  m.eval();
  const got = await toList(m.forward(x).select(0, 0)) as number[][];
  const want = [[(1 - 4) / Math.sqrt(2 + 1e-5), (3 - 4) / Math.sqrt(2 + 1e-5)], [(0 - 2) / Math.sqrt(4 + 1e-5), (4 - 2) / Math.sqrt(4 + 1e-5)]];
  got.flat().forEach((v, i) => assert.ok(Math.abs(v - want.flat()[i]!) < 1e-5, `${v} vs ${want.flat()[i]}`));
});

test('InstanceNorm state dicts: PyTorch buffer names; a missing num_batches_tracked loads as 0 (as _NormBase)', async () => {
  const m = new nn.InstanceNorm2d(3, { affine: true, trackRunningStats: true });
  assert.deepEqual(Object.keys(m.stateDict()), ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
  const sd = m.stateDict();
  delete sd['num_batches_tracked'];
  sd['running_mean'] = torch.ones([3]);
  m.loadStateDict(sd);
  assert.deepEqual(await toList(m.runningMean!), [1, 1, 1]);
  assert.deepEqual(Object.keys(new nn.InstanceNorm1d(3).stateDict()), []);
});
