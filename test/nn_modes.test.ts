/**
 * The two ways the nn primitives run (nn/_kernels.ts): with the backend's optional nn kernels (the CPU backend has
 * them all) and with the fallbacks built from primitive ops that a backend without those kernels gets. The nn
 * fixture suites run every case in both modes; the fallback mode shadows the kernels on the registered CPU
 * backend instance for the duration of one case.
 */
import { test, flatOf, withoutKernels } from './_harness.js';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';

/** Every optional nn kernel of `Backend` (the block at the end of src/backend/types.ts). */
export const NN_KERNELS = [
  'conv2d', 'conv2dBackward', 'maxPool2d', 'maxPool2dBackward', 'avgPool2d', 'avgPool2dBackward',
  'adaptiveAvgPool2d', 'adaptiveAvgPool2dBackward', 'softmax', 'softmaxBackward', 'batchNorm', 'batchNormBackward',
  'layerNorm', 'layerNormBackward', 'groupNorm', 'groupNormBackward', 'nllLoss', 'nllLossBackward',
  'embedding', 'embeddingBackward', 'binaryCrossEntropy', 'binaryCrossEntropyBackward',
] as const;

export type Mode = 'kernels' | 'fallbacks';
export const MODES: readonly Mode[] = ['kernels', 'fallbacks'];

/**
 * Runs `fn` with the CPU backend's nn kernels present ('kernels') or hidden ('fallbacks'). Promise-aware: for an
 * async `fn` the kernels stay hidden until its promise settles (the suites' awaited reads run inside it), and are
 * restored even when `fn` throws synchronously or its promise rejects. Kernels that were own properties of the
 * backend instance are put back, not deleted.
 */
export function inMode<T>(mode: Mode, fn: () => T): T {
  return mode === 'kernels' ? fn() : withoutKernels(NN_KERNELS, fn);
}

test('the CPU backend implements every optional nn kernel, and inMode hides and restores them', () => {
  const b = torch.getBackend('cpu') as any;
  for (const k of NN_KERNELS) assert.equal(typeof b[k], 'function', k);
  inMode('fallbacks', () => { for (const k of NN_KERNELS) assert.equal(b[k], undefined, k); });
  for (const k of NN_KERNELS) assert.equal(typeof b[k], 'function', k);
});

test('fallback and kernel agree on a conv + pool + norm + loss graph, values and gradients', async () => {
  const run = (mode: Mode) => inMode(mode, async () => {
    torch.manualSeed(7);
    const x = torch.randn([2, 4, 9, 9], { requiresGrad: true });
    const w = torch.randn([6, 2, 3, 3], { requiresGrad: true });
    const b = torch.randn([6], { requiresGrad: true });
    const F = torch.nn.functional;
    let y = F.conv2d(x, w, b, { stride: 2, padding: [1, 2], dilation: [1, 2], groups: 2 });
    y = F.groupNorm(y, 3);
    y = F.maxPool2d(y, 2, { stride: 1, padding: 1, ceilMode: true });
    y = F.avgPool2d(y, 3, { padding: 1, ceilMode: true, countIncludePad: false });
    y = F.adaptiveAvgPool2d(y, [2, 3]).reshape([2, -1]);
    const t = torch.tensor([1, -100], { dtype: 'int64' });
    const loss = F.crossEntropy(y, t, { weight: torch.rand([y.shape[1]!]), ignoreIndex: -100 });
    loss.backward();
    const outs: number[][] = [];
    for (const v of [loss, x.grad!, w.grad!, b.grad!]) outs.push(await flatOf(v));
    return outs;
  });
  // one after the other: each mode shadows kernels on the shared backend instance until its reads are done
  const k = await run('kernels');
  const f = await run('fallbacks');
  k.forEach((a, i) => a.forEach((v, j) => assert.ok(Math.abs(v - f[i]![j]!) <= 1e-4 + 1e-4 * Math.abs(v), `${i}[${j}]: ${v} vs ${f[i]![j]}`)));
});

test('each nn primitive is one autograd node, named as ATen\'s, in both modes', () => {
  const F = torch.nn.functional;
  for (const mode of MODES) inMode(mode, () => {
    const x = torch.randn([2, 4, 6, 6], { requiresGrad: true });
    const w = torch.randn([4, 4, 3, 3], { requiresGrad: true });
    const names: [torch.Tensor, string][] = [
      [F.conv2d(x, w), 'ConvolutionBackward0'],
      [F.convTranspose2d(x, w), 'ConvolutionBackward0'],
      [F.maxPool2d(x, 2), 'MaxPool2DWithIndicesBackward0'],
      [F.avgPool2d(x, 2), 'AvgPool2DBackward0'],
      [F.adaptiveAvgPool2d(x, 2), 'AdaptiveAvgPool2DBackward0'],
      [F.batchNorm(x, null, null, null, null, true), 'NativeBatchNormBackward0'],
      [F.layerNorm(x, [6]), 'NativeLayerNormBackward0'],
      [F.groupNorm(x, 2), 'NativeGroupNormBackward0'],
      [x.softmax(1), 'SoftmaxBackward0'],
      [x.logSoftmax(1), 'LogSoftmaxBackward0'],
      [F.nllLoss(x.reshape([8, 36]).logSoftmax(1), torch.tensor([0, 1, 2, 3, 4, 5, 6, 7], { dtype: 'int64' })), 'NllLossBackward0'],
      [F.embedding(torch.tensor([1, 0], { dtype: 'int64' }), w.reshape([16, 9])), 'EmbeddingBackward0'],
    ];
    for (const [t, n] of names) assert.equal(String(t.gradFn), n, `${mode}: ${n}`);
    const bce = F.binaryCrossEntropy(x.sigmoid(), torch.rand([2, 4, 6, 6]), null, null, null, 'none');
    assert.equal(String(bce.gradFn), 'BinaryCrossEntropyBackward0', mode);
  });
});

test('forward and backward through every nn primitive read nothing back to the host, in both modes', () => {
  const F = torch.nn.functional;
  const { nn } = torch;
  torch.manualSeed(1);
  const bn = new nn.BatchNorm2d(4), bnCum = new nn.BatchNorm1d(6, { momentum: null });
  const ln = new nn.LayerNorm([5]), gn = new nn.GroupNorm(2, 4), emb = new nn.Embedding(7, 5, { paddingIdx: 0, maxNorm: 1 });
  const x = torch.randn([2, 4, 8, 8], { requiresGrad: true });
  const w = torch.randn([4, 2, 3, 3], { requiresGrad: true });
  const wt = torch.randn([4, 4, 3, 3], { requiresGrad: true });
  const w1 = torch.randn([6, 4, 3], { requiresGrad: true });
  const ids = torch.tensor([[1, 0, 3], [6, 2, 2]], { dtype: 'int64' });
  const target = torch.tensor([1, -100], { dtype: 'int64' });
  const b = torch.getBackend('cpu') as any;
  for (const mode of MODES) inMode(mode, () => {
    let reads = 0;
    b.readSync = (...a: unknown[]) => { reads++; return Object.getPrototypeOf(b).readSync.apply(b, a); };
    try {
      let y = F.conv2d(x, w, null, { padding: 1, groups: 2 });
      y = gn.call(bn.call(y));
      y = F.convTranspose2d(F.maxPool2d(y, 2), wt, null, 2);
      y = F.adaptiveAvgPool2d(F.avgPool2d(y, 2, { ceilMode: true }), [2, 3]);
      const z = bnCum.call(F.conv1d(x.reshape([2, 4, 64]), w1, null, 4));
      const e = ln.call(emb.call(ids)).reshape([2, 15]);
      const logits = torch.cat([y.reshape([2, 24]), z.reshape([2, -1]), e], 1);
      const loss = F.crossEntropy(F.dropout(logits, 0.1), target, { weight: torch.rand([logits.shape[1]!]), labelSmoothing: 0.1 })
        .add(F.binaryCrossEntropy(logits.sigmoid(), torch.rand(logits.shape)))
        .add(F.nllLoss(logits.logSoftmax(1), target, { reduction: 'sum' }));
      loss.backward();
    } finally { delete b.readSync; }
    assert.equal(reads, 0, `${mode}: host reads`);
  });
});

test('kernels and fallbacks agree on strided (non-contiguous) inputs and float64', async () => {
  const F = torch.nn.functional;
  for (const dtype of ['float32', 'float64'] as const) {
    const run = (mode: Mode) => inMode(mode, async () => {
      torch.manualSeed(11);
      // channels-last storage seen as [N, C, H, W], and a transposed weight
      const x = torch.randn([2, 7, 6, 4], { dtype }).permute(0, 3, 1, 2).requiresGrad_();
      const w = torch.randn([3, 3, 4, 6], { dtype }).permute(3, 2, 0, 1).requiresGrad_();
      const lnw = torch.randn([6, 7], { dtype }).t().requiresGrad_();
      const outs = [
        F.conv2d(x, w, null, { padding: 1, stride: [1, 2] }),
        F.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }),
        F.avgPool2d(x, 2, { ceilMode: true, padding: 1, countIncludePad: false }),
        F.adaptiveAvgPool2d(x, [3, 2]),
        x.softmax(2), x.logSoftmax(1),
        F.batchNorm(x, null, null, null, null, true),
        F.layerNorm(x, [7, 6], lnw),
        F.groupNorm(x, 2),
      ];
      outs.reduce((a, o) => a.add(o.mul(o).sum()), torch.zeros([], { dtype })).backward();
      const got: number[][] = [];
      for (const t of [...outs, x.grad!, w.grad!, lnw.grad!]) got.push(await flatOf(t));
      return got;
    });
    const k = await run('kernels');
    const f = await run('fallbacks');
    const tol = dtype === 'float64' ? 1e-10 : 2e-4;
    k.forEach((a, i) => a.forEach((v, j) => assert.ok(Math.abs(v - f[i]![j]!) <= tol * (1 + Math.abs(v)), `${dtype} ${i}[${j}]: ${v} vs ${f[i]![j]}`)));
  }
});
