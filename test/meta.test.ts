/**
 * The meta device: tensors with shape, dtype and strides but no data. Every layer, loss and backward runs on it
 * (shapes only), reading values fails clearly, `torch.summary` of a meta model matches the same model's summary on
 * the CPU, and `toEmpty` + `resetParameters` materialise it.
 *
 * Measured (Node 20, this container): a GPT-2-sized TransformerEncoder (d_model 768, 12 heads, 12 layers,
 * dim_feedforward 3072, batchFirst; 85,054,464 parameters) summarised at input [1, 1024, 768]:
 *   meta: model built in 5-14 ms, summary 245-280 ms, whole process 0.9-1.05 s wall, max RSS 63 MB, heap growth
 *         1.3 MB, ArrayBuffer growth 0 MB.
 *   cpu (for comparison, at a 64x smaller input [1, 16, 768]): built in 4.3 s (init draws 85M values), summary
 *         6.5 s, 11.7 s wall, max RSS 807 MB (392 MB of ArrayBuffers).
 * (script: docs/devices.md, "The meta device".)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';

const { nn } = torch;
const M = { device: 'meta' } as const;
const r = (...s: number[]) => torch.randn(s, { device: 'meta', requiresGrad: true });
const ids = (...s: number[]) => torch.zeros(s, { dtype: 'int64', device: 'meta' });

test('meta tensors: factories, views and ops keep shape/dtype/strides; printing as PyTorch', () => {
  const x = torch.zeros([2, 3], M);
  assert.ok(x.isMeta);
  assert.equal(String(x.device), 'meta');
  assert.equal(String(x), "tensor(..., device='meta', size=(2, 3))");
  assert.equal(String(torch.ones([3], { device: 'meta', dtype: 'int64' })), "tensor(..., device='meta', size=(3,), dtype=torch.int64)");
  assert.equal(String(torch.tensor(1.5, M)), "tensor(..., device='meta', size=())");
  assert.equal(String(torch.zeros([2], { device: 'meta', requiresGrad: true })), "tensor(..., device='meta', size=(2,), requires_grad=True)");
  const y = r(2, 3).mul(2);
  assert.equal(String(y), "tensor(..., device='meta', size=(2, 3), grad_fn=<MulBackward0>)");
  const t = x.t();
  assert.deepEqual(t.shape, [3, 2]);
  assert.deepEqual(t.stride(), [1, 3]);
  assert.ok(t.isSetTo(x));
  const m = torch.randn([4, 5, 6], M).matmul(torch.randn([6, 7], M));
  assert.deepEqual(m.shape, [4, 5, 7]);
  assert.equal(torch.arange(5, M).dtype, 'int64');
  assert.deepEqual(torch.cat([x, torch.ones([1, 3], M)]).shape, [3, 3]);
  assert.deepEqual(x.sum(1, true).shape, [2, 1]);
  assert.deepEqual(torch.randn([3, 4], M).max(1).indices.shape, [3]);
  assert.equal(torch.randn([3, 4], M).argmax(1).dtype, 'int64');
  assert.deepEqual(torch.randn([3, 4], M).cumsum(1).shape, [3, 4]);
  assert.deepEqual(torch.randn([3, 4], M).gather(1, ids(3, 2)).shape, [3, 2]);
  assert.deepEqual(torch.zeros([3, 4], M).scatterAdd_(1, ids(3, 2), torch.ones([3, 2], M)).shape, [3, 4]);
  assert.deepEqual(torch.randn([5, 2], M).indexSelect(0, ids(7)).shape, [7, 2]);
  assert.deepEqual(torch.randn([3], M).flip(0).shape, [3]);
  assert.equal(torch.ones([2], { device: 'meta', dtype: 'int64' }).floorDivide(ids(2)).dtype, 'int64'); // no value check
  assert.deepEqual(torch.where(torch.ones([2, 1], M).gt(0), torch.zeros([3], M), 1).shape, [2, 3]);
  // fills and random fills are no-ops that still return the tensor
  const f = torch.empty([4], M);
  assert.equal(f.uniform_(), f);
  assert.equal(f.normal_(), f);
  assert.equal(f.fill_(3), f);
  assert.equal(f.copy_(torch.ones([4])).isMeta, true); // a CPU source is accepted; nothing is written
  assert.equal(torch.ones([3]).to('meta').isMeta, true);
});

test('meta tensors cannot be read: item, tolist, dataSync, data, cpu(), mixing with real devices', async () => {
  const x = torch.zeros([2, 3], M);
  assert.throws(() => torch.zeros([1], M).item(), { message: 'Tensor.item() cannot be called on meta tensors' });
  assert.throws(() => x.tolist(), /^Error: Cannot read values of a meta tensor/);
  assert.throws(() => x.dataSync(), /Cannot read values of a meta tensor: meta tensors have a shape, a dtype and strides but no data/);
  await assert.rejects(x.typedArray(), /Cannot read values of a meta tensor/);
  assert.throws(() => x.cpu(), { message: 'Cannot copy out of meta tensor; no data!' });
  assert.throws(() => torch.zeros([2, 3]).copy_(x), { message: 'Cannot copy out of meta tensor; no data!' });
  assert.throws(() => x.add(torch.zeros([2, 3])), { message: 'Expected all tensors to be on the same device, but found at least two devices, meta and cpu!' });
  assert.throws(() => torch.save({ x }, '/tmp/never-written.safetensors'), /Cannot read values of a meta tensor/);
  assert.deepEqual(x.add(torch.tensor(2)).shape, [2, 3]); // a CPU scalar still joins
});

/** Every layer, forward and backward, on meta: outputs and all gradients are meta tensors of the right shapes. */
type Callable = { call(...a: any[]): torch.Tensor; parameters(): torch.Tensor[] };
const LAYERS: Record<string, () => [Callable, ...torch.Tensor[]]> = {
  Linear: () => [new nn.Linear(3, 4, M), r(2, 3)],
  Bilinear: () => [new nn.Bilinear(3, 5, 4, M), r(2, 3), r(2, 5)],
  Conv1d: () => [new nn.Conv1d(2, 4, 3, M), r(2, 2, 8)],
  Conv2d: () => [new nn.Conv2d(2, 4, 3, { padding: 1, stride: 2, ...M }), r(2, 2, 8, 8)],
  Conv2dReflect: () => [new nn.Conv2d(2, 4, 3, { padding: 1, paddingMode: 'reflect', ...M }), r(2, 2, 8, 8)],
  Conv2dGroups: () => [new nn.Conv2d(4, 4, 3, { groups: 2, dilation: 2, ...M }), r(1, 4, 9, 9)],
  ConvTranspose1d: () => [new nn.ConvTranspose1d(2, 4, 3, M), r(2, 2, 8)],
  ConvTranspose2d: () => [new nn.ConvTranspose2d(2, 4, 3, { stride: 2, ...M }), r(2, 2, 5, 5)],
  MaxPool1d: () => [new nn.MaxPool1d(2), r(2, 3, 8)],
  MaxPool2d: () => [new nn.MaxPool2d(2), r(2, 3, 8, 8)],
  AvgPool1d: () => [new nn.AvgPool1d(2), r(2, 3, 8)],
  AvgPool2d: () => [new nn.AvgPool2d(3, { stride: 2, padding: 1 }), r(2, 3, 8, 8)],
  AdaptiveAvgPool1d: () => [new nn.AdaptiveAvgPool1d(3), r(2, 3, 8)],
  AdaptiveAvgPool2d: () => [new nn.AdaptiveAvgPool2d([3, 2]), r(2, 3, 8, 7)],
  BatchNorm1d: () => [new nn.BatchNorm1d(3, M), r(4, 3)],
  BatchNorm2d: () => [new nn.BatchNorm2d(3, M), r(4, 3, 5, 5)],
  LayerNorm: () => [new nn.LayerNorm(5, M), r(4, 3, 5)],
  GroupNorm: () => [new nn.GroupNorm(2, 4, M), r(4, 4, 5)],
  Dropout: () => [new nn.Dropout(0.5), r(4, 5)],
  Dropout2d: () => [new nn.Dropout2d(0.5), r(4, 3, 5, 5)],
  Embedding: () => [new nn.Embedding(10, 4, M), ids(2, 3)],
  EmbeddingPaddingIdx: () => [new nn.Embedding(10, 4, { paddingIdx: 0, ...M }), ids(2, 3)],
  Flatten: () => [new nn.Flatten(), r(2, 3, 4)],
  Unflatten: () => [new nn.Unflatten(1, [2, 2]), r(2, 4)],
  ReLU: () => [new nn.ReLU(), r(3)], LeakyReLU: () => [new nn.LeakyReLU(), r(3)], ELU: () => [new nn.ELU(), r(3)],
  GELU: () => [new nn.GELU(), r(3)], SiLU: () => [new nn.SiLU(), r(3)], Sigmoid: () => [new nn.Sigmoid(), r(3)],
  Tanh: () => [new nn.Tanh(), r(3)], Softplus: () => [new nn.Softplus(), r(3)],
  Softmax: () => [new nn.Softmax(1), r(2, 3)], LogSoftmax: () => [new nn.LogSoftmax(1), r(2, 3)],
  Identity: () => [new nn.Identity(), r(3)],
  MultiheadAttention: () => {
    const m = new nn.MultiheadAttention(8, 2, { addBiasKv: true, addZeroAttn: true, ...M });
    const mask = torch.zeros([2, 5], { dtype: 'bool', device: 'meta' });
    return [{ call: (x: torch.Tensor) => m.call(x, x, x, { keyPaddingMask: mask })[0], parameters: () => m.parameters() }, r(5, 2, 8)];
  },
  TransformerEncoderLayer: () => [new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, normFirst: true, ...M }), r(5, 2, 8)],
  TransformerEncoder: () => [new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true, ...M }), 2), r(2, 5, 8)],
  Sequential: () => [new nn.Sequential(new nn.Conv2d(1, 2, 3, M), new nn.ReLU(), new nn.Flatten(), new nn.Linear(2 * 6 * 6, 3, M)), r(2, 1, 8, 8)],
};
const EXPECTED_SHAPES: Record<string, number[]> = {
  Linear: [2, 4], Bilinear: [2, 4], Conv1d: [2, 4, 6], Conv2d: [2, 4, 4, 4], Conv2dReflect: [2, 4, 8, 8], Conv2dGroups: [1, 4, 5, 5],
  ConvTranspose1d: [2, 4, 10], ConvTranspose2d: [2, 4, 11, 11], MaxPool1d: [2, 3, 4], MaxPool2d: [2, 3, 4, 4], AvgPool1d: [2, 3, 4],
  AvgPool2d: [2, 3, 4, 4], AdaptiveAvgPool1d: [2, 3, 3], AdaptiveAvgPool2d: [2, 3, 3, 2], Embedding: [2, 3, 4],
  EmbeddingPaddingIdx: [2, 3, 4], Flatten: [2, 12], Unflatten: [2, 2, 2], MultiheadAttention: [5, 2, 8],
  TransformerEncoderLayer: [5, 2, 8], TransformerEncoder: [2, 5, 8], Sequential: [2, 3],
};

for (const [name, make] of Object.entries(LAYERS)) {
  test(`meta: ${name} forward and backward`, () => {
    const [m, ...xs] = make();
    const y = m.call(...xs);
    assert.ok(y.isMeta, `output on ${y.device}`);
    if (EXPECTED_SHAPES[name]) assert.deepEqual(y.shape, EXPECTED_SHAPES[name]);
    y.sum().backward();
    for (const p of m.parameters()) {
      assert.ok(p.isMeta);
      assert.ok(p.grad !== null && p.grad.isMeta, `${name}: a parameter without a meta gradient`);
      assert.deepEqual(p.grad.shape, p.shape);
    }
    for (const x of xs) {
      if (!x.isFloatingPoint()) continue;
      assert.ok(x.grad !== null && x.grad.isMeta);
      assert.deepEqual(x.grad.shape, x.shape);
    }
  });
}

test('meta: every loss forward and backward', () => {
  const t = (...s: number[]) => torch.zeros(s, M);
  const cases: [torch.nn.Module, torch.Tensor, torch.Tensor][] = [
    [new nn.L1Loss(), r(4, 3), t(4, 3)], [new nn.MSELoss(), r(4, 3), t(4, 3)],
    [new nn.NLLLoss(), r(4, 3), ids(4)], [new nn.NLLLoss({ weight: torch.ones([3], M), ignoreIndex: 1 }), r(4, 3), ids(4)],
    [new nn.CrossEntropyLoss(), r(4, 3), ids(4)], [new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }), r(4, 3), ids(4)],
    [new nn.CrossEntropyLoss(), r(4, 3, 5), ids(4, 5)], [new nn.CrossEntropyLoss(), r(4, 3), t(4, 3)],
    [new nn.BCELoss(), r(4, 3), t(4, 3)], [new nn.BCEWithLogitsLoss({ posWeight: torch.ones([3], M) }), r(4, 3), t(4, 3)],
    [new nn.KLDivLoss({ reduction: 'batchmean' }), r(4, 3), t(4, 3)], [new nn.SmoothL1Loss(), r(4, 3), t(4, 3)],
    [new nn.HuberLoss({ reduction: 'sum' }), r(4, 3), t(4, 3)], [new nn.MSELoss({ reduction: 'none' }), r(4, 3), t(4, 3)],
  ];
  for (const [loss, input, target] of cases) {
    const l = loss.call(input, target);
    assert.ok(l.isMeta, loss.constructor.name);
    l.sum().backward();
    assert.ok(input.grad !== null && input.grad.isMeta, loss.constructor.name);
    assert.deepEqual(input.grad.shape, input.shape);
  }
});

test('meta: a training step (forward, loss, backward, zeroGrad) runs on shapes only', () => {
  const model = new nn.Sequential(new nn.Linear(4, 8, M), new nn.ReLU(), new nn.Linear(8, 2, M));
  for (let step = 0; step < 2; step++) {
    model.zeroGrad();
    const loss = nn.functional.crossEntropy(model.call(torch.randn([5, 4], M)), ids(5));
    loss.backward();
    for (const p of model.parameters()) assert.ok(p.isMeta && p.grad!.isMeta);
  }
});

function smallGpt(device: string) {
  return new nn.TransformerEncoder(new nn.TransformerEncoderLayer(64, 4, { dimFeedforward: 256, batchFirst: true, device }), 3);
}

test('torch.summary of a meta model equals the CPU summary, and builds no data', () => {
  const cpu = torch.summary(smallGpt('cpu'), [[16, 64]], { verbose: 0, batchSize: 1 });
  const before = process.memoryUsage().arrayBuffers;
  const meta = torch.summary(smallGpt('meta'), [[16, 64]], { verbose: 0, batchSize: 1 });
  assert.equal(meta.totalParams, 149_952); // 3 × (in-proj 12,480 + out-proj 4,160 + FFN 33,088 + 2 LayerNorms 256)
  assert.equal(meta.totalParams, cpu.totalParams);
  assert.equal(meta.toString(), cpu.toString());
  // GPT-2 sized on meta: 85M parameters, no element memory, well under a few seconds (measured ~0.3 s, see above)
  const t0 = performance.now();
  const big = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(768, 12, { dimFeedforward: 3072, batchFirst: true, device: 'meta' }), 12);
  const s = torch.summary(big, [[1024, 768]], { verbose: 0, batchSize: 1 });
  const ms = performance.now() - t0;
  assert.equal(s.totalParams, 85_054_464);
  assert.ok(ms < 10_000, `GPT-2-sized meta summary took ${ms.toFixed(0)} ms`);
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.ok(grown < 32 * 2 ** 20, `meta model and summary allocated ${(grown / 2 ** 20).toFixed(1)} MB of ArrayBuffers`);
});

test('toEmpty materialises a meta model; resetParameters initialises it; parameters keep identity', () => {
  torch.manualSeed(1);
  const model = new nn.Sequential(new nn.Conv2d(1, 4, 3, M), new nn.BatchNorm2d(4, M), new nn.ReLU(), new nn.Flatten(), new nn.Linear(4 * 6 * 6, 3, M));
  const params = model.parameters();
  assert.equal(model.toEmpty({ device: 'cpu' }), model);
  model.parameters().forEach((p, i) => { assert.equal(p, params[i]); assert.equal(String(p.device), 'cpu'); assert.ok(p.requiresGrad); });
  for (const b of model.buffers()) assert.equal(String(b.device), 'cpu');
  for (const m of model.modules()) (m as any).resetParameters?.();
  const w = (model.at(4) as torch.nn.Linear).weight;
  const bound = 1 / Math.sqrt(4 * 6 * 6);
  assert.ok(w.abs().max().item() <= bound && w.abs().max().item() > 0);
  assert.deepEqual((model.at(1) as torch.nn.BatchNorm2d).weight!.tolist(), [1, 1, 1, 1]);
  const y = model.call(torch.randn([2, 1, 8, 8]));
  y.sum().backward();
  assert.deepEqual(y.shape, [2, 3]);
  assert.ok(Number.isFinite(y.sum().item()));
  // and back: a CPU model moved to meta keeps its structure without data
  model.to('meta');
  assert.ok(model.parameters().every((p) => p.isMeta && p.grad!.isMeta));
  assert.ok(model.call(torch.randn([2, 1, 8, 8], M)).isMeta);
  // toEmpty also accepts a bare device; gradients keep their identity and move too
  const lin = new nn.Linear(2, 2, M);
  lin.call(torch.randn([3, 2], M)).sum().backward();
  const g = lin.weight.grad!;
  lin.toEmpty('cpu');
  assert.equal(lin.weight.grad, g);
  assert.equal(String(g.device), 'cpu');
  assert.deepEqual(g.shape, [2, 2]);
});

test('a whole training step runs on meta for every optimizer: forward, loss, backward, clipping, step, scheduler', () => {
  const { nn, optim } = torch;
  const m = new nn.Sequential(new nn.Conv2d(3, 8, 3, { device: 'meta' }), new nn.BatchNorm2d(8, { device: 'meta' }),
    new nn.ReLU(), new nn.Flatten(), new nn.Linear(8 * 6 * 6, 10, { device: 'meta' }));
  const kinds = [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop, optim.Adagrad, optim.Adadelta, optim.Adamax, optim.NAdam, optim.RAdam];
  for (const Opt of kinds) {
    const opt = new Opt(m.parameters(), { lr: 0.1, ...(Opt === optim.SGD ? { momentum: 0.9 } : {}) });
    const sched = new optim.lrScheduler.StepLR(opt, 1, 0.5);
    const x = torch.randn([4, 3, 8, 8], { device: 'meta' }), y = torch.randint(0, 10, [4], { device: 'meta' });
    const loss = nn.functional.crossEntropy(m.call(x), y);
    opt.zeroGrad();
    loss.backward();
    const total = nn.utils.clipGradNorm_(m.parameters(), 1.0);
    opt.step();
    sched.step();
    assert.equal(String(total.device), 'meta', Opt.name);
    assert.deepEqual(total.shape, [], Opt.name);
    for (const p of m.parameters()) {
      assert.equal(String(p.grad!.device), 'meta', Opt.name);
      for (const v of Object.values(opt.state.get(p) ?? {})) {
        if (v instanceof torch.Tensor) assert.equal(String(v.device), 'meta', `${Opt.name} state`);
      }
    }
    assert.equal(opt.paramGroups[0]!.lr, 0.05, Opt.name);
  }
});
