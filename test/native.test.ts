/**
 * The native (libtorch) backend. Skipped, with the reason, when the addon is not built (no libtorch, or
 * TORCHLET_NATIVE=0 at install time).
 *
 * - every conformance case (test/fixtures/ops.json, the case runner of conformance.test.ts) with the native
 *   backend serving `cpu`: this file sets TORCHLET_BACKEND=native before it loads torchlet, then loads the
 *   conformance suite, so its cases run here against native;
 * - an MLP trained with Adam (and one with SGD + momentum and clipping) gives the portable backend's parameters to 1e-5;
 * - addon-level behaviour: errors are JS errors without libtorch's backtrace, freed storages throw, external
 *   memory is reported, the arg buffer grows, unmapped ops fail with a clear message.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isAvailable, reason, NativeBackend, selectCpuBackend, nativeCudaInfo } from '../src/backend/native/index.js';
import { CpuBackend } from '../src/backend/cpu/cpu.js';

const available = isAvailable();
const skip = available ? false : `native backend unavailable: ${reason()}`;

describe('TORCHLET_BACKEND selects what serves cpu', () => {
  const portable = () => new CpuBackend();
  test('unset (or empty) gives native exactly when it is built; portable gives the portable backend', () => {
    assert.equal(selectCpuBackend(portable, {}) instanceof NativeBackend, available);
    assert.equal(selectCpuBackend(portable, { TORCHLET_BACKEND: '' }) instanceof NativeBackend, available);
    assert.ok(selectCpuBackend(portable, { TORCHLET_BACKEND: 'portable' }) instanceof CpuBackend);
  });
  test('auto gives native exactly when it is available', () => {
    assert.equal(selectCpuBackend(portable, { TORCHLET_BACKEND: 'auto' }) instanceof NativeBackend, available);
  });
  test('native fails with the reason when unavailable; an unknown value is refused', () => {
    if (available) assert.ok(selectCpuBackend(portable, { TORCHLET_BACKEND: 'native' }) instanceof NativeBackend);
    else assert.throws(() => selectCpuBackend(portable, { TORCHLET_BACKEND: 'native' }), /native backend is unavailable: .*to get it: /);
    assert.throws(() => selectCpuBackend(portable, { TORCHLET_BACKEND: 'gpu' }), /TORCHLET_BACKEND must be one of portable, native, auto, got 'gpu'/);
  });
  test('nativeCudaInfo() is null without the addon; a CPU-only libtorch reports no CUDA', () => {
    const info = nativeCudaInfo();
    if (!available) { assert.equal(info, null); return; }
    assert.ok(info !== null);
    assert.equal(typeof info.builtWithCuda, 'boolean');
    // Debian's libtorch-dev is CPU-only: no CUDA build, so nothing available and no device
    if (!info.builtWithCuda) assert.deepEqual(info, { builtWithCuda: false, available: false, deviceCount: 0 });
    else assert.equal(info.available, info.deviceCount > 0);
  });
  test('reason() is null exactly when available, and otherwise names a command', () => {
    if (available) assert.equal(reason(), null);
    else assert.match(reason()!, /to get it: .*npm run build:native/);
  });
});

if (!available) {
  test('native backend', { skip }, () => {});
} else {
  // Before torchlet's index module is evaluated: it registers the backend that serves `cpu` from this variable.
  process.env['TORCHLET_BACKEND'] = 'native';
  const torch = await import('torchlet');
  const { CpuBackend } = torch;
  const native = torch.getBackend('cpu');
  const portable = new CpuBackend();

  test('TORCHLET_BACKEND=native makes the native backend serve cpu', () => {
    assert.ok(native instanceof NativeBackend);
    assert.equal(torch.backends.native.isAvailable(), true);
    assert.equal(torch.backends.native.reason(), null);
    assert.equal(torch.zeros([2]).dataSync().constructor, Float32Array);
  });

  describe('native addon', () => {
    test('c10 errors become JS errors with PyTorch\'s message and no backtrace', () => {
      const a = torch.zeros([2, 3]);
      const nb = native as NativeBackend;
      assert.throws(() => nb.matmul(a._s, a.layout, a._s, a.layout, 'float32'), (e: Error) => {
        assert.match(e.message, /mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)/);
        assert.ok(!e.message.includes('Exception raised from'), e.message);
        return true;
      });
    });
    test('a freed storage throws instead of reading freed memory', () => {
      const s = native.fromArray('float32', [1, 2, 3]);
      native.free(s);
      assert.throws(() => native.readSync(s, { shape: [3], strides: [1], offset: 0 }), /storage has been freed/);
    });
    test('external memory is reported per live storage and given back by free', () => {
      const nb = native as NativeBackend;
      const before = nb.externalBytes();
      const s = native.alloc('float64', 1000);
      assert.equal(nb.externalBytes() - before, 8000);
      native.free(s);
      assert.equal(nb.externalBytes(), before);
    });
    test('storages dropped in a synchronous loop are finalized by the backstop inside the loop, so memory stays bounded', () => {
      // 3000 × 1 MB with no free and no turn of the event loop: without external-memory reporting (which makes V8
      // collect) and synchronous finalization (cleanupSome, Node 20) this held all 3 GB (reference notes §3)
      const nb = native as NativeBackend;
      let peak = 0;
      for (let i = 0; i < 3000; i++) {
        native.alloc('float32', 262144);
        if (i % 50 === 0) peak = Math.max(peak, nb.externalBytes());
      }
      assert.ok(peak < 512 * 2 ** 20, `peak external memory ${(peak / 2 ** 20).toFixed(0)} MB`);
    });
    test('layouts: strided, broadcast (stride 0) and offset views are read and written in place', () => {
      const s = native.fromArray('float32', [0, 1, 2, 3, 4, 5]);
      assert.deepEqual([...native.readSync(s, { shape: [3, 2], strides: [1, 3], offset: 0 })], [0, 3, 1, 4, 2, 5]);
      assert.deepEqual([...native.readSync(s, { shape: [2, 2], strides: [0, 1], offset: 4 })], [4, 5, 4, 5]);
      native.fill(s, { shape: [3], strides: [2], offset: 1 }, 9);
      assert.deepEqual([...native.readSync(s, { shape: [6], strides: [1], offset: 0 })], [0, 9, 2, 9, 4, 9]);
      // overlapping copy within one storage (ATen refuses it; the Backend contract allows it)
      native.copy(s, { shape: [4], strides: [1], offset: 0 }, s, { shape: [4], strides: [1], offset: 2 });
      assert.deepEqual([...native.readSync(s, { shape: [6], strides: [1], offset: 0 })], [0, 9, 0, 9, 2, 9]);
    });
    test('int64 and bool round-trip with the portable conversions', () => {
      const i = native.fromArray('int64', [1.7, -2.5, NaN]);
      assert.deepEqual([...native.readSync(i, { shape: [3], strides: [1], offset: 0 })], [1, -2, -9223372036854775808]);
      const b = native.fromArray('bool', [0, 2, NaN]);
      assert.deepEqual([...native.readSync(b, { shape: [3], strides: [1], offset: 0 })], [0, 1, 0]);
    });
    test('the argument buffer grows for large multi-tensor calls', () => {
      const ts = Array.from({ length: 600 }, (_, k) => torch.full([2, 3], k + 1, { dtype: 'float32' }).t());
      const norm = (native as NativeBackend).foreachNorm(ts.map((t) => ({ s: t._s, l: t.layout })), 1, 'float32');
      assert.equal(native.readSync(norm, { shape: [1], strides: [1], offset: 0 })[0], (6 * 600 * 601) / 2);
    });
    test('ops the addon does not map fail with a clear message', () => {
      const x = torch.ones([2]);
      assert.throws(() => native.unary('noSuchOp' as never, x._s, x.layout, 'float32'), /not implemented in the native backend/);
    });
    test('im2col/col2im with asymmetric padding agree with the portable kernels', () => {
      const g = { kernel: [3, 2], stride: [2, 1], padding: [1, 0], dilation: [1, 2], inSize: [5, 6], outSize: [3, 4] } as const;
      const data = Array.from({ length: 2 * 3 * 5 * 6 }, (_, k) => Math.sin(k));
      const l = { shape: [2, 3, 5, 6], strides: [90, 30, 6, 1], offset: 0 };
      const cn = native.im2col(native.fromArray('float32', data), l, g, -1);
      const cp = portable.im2col(portable.fromArray('float32', data), l, g, -1);
      const cl = { shape: [18, 2, 12], strides: [24, 12, 1], offset: 0 };
      assert.deepEqual([...native.readSync(cn, cl)], [...portable.readSync(cp, cl)]);
      const fn = native.col2im(cn, cl, g), fp = portable.col2im(cp, cl, g);
      const a = native.readSync(fn, l), b = portable.readSync(fp, l);
      for (let k = 0; k < a.length; k++) assert.ok(Math.abs(a[k]! - b[k]!) < 1e-5, `col2im[${k}]: ${a[k]} vs ${b[k]}`);
    });
  });


  describe('native kernels beyond the primitives', () => {
    const nb = native as NativeBackend;
    const flat = (n: number) => ({ shape: [n], strides: [1], offset: 0 });
    test('setNumThreads reaches ATen\'s intra-op pool', () => {
      const before = nb.getNumThreads();
      try {
        nb.setNumThreads(1);
        assert.equal(nb.getNumThreads(), 1);
      } finally { nb.setNumThreads(before); }
      assert.equal(nb.getNumThreads(), before);
    });
    test('finalizeStorages: a training step\'s storages go back once collected, without waiting for the addon\'s finalizers', async () => {
      assert.equal(nb.finalizeStorages, true);
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as () => void;
      const x = torch.randn([64, 256], { requiresGrad: true });
      const w = torch.randn([256, 128], { requiresGrad: true });
      const step = (): void => { x.grad = null; w.grad = null; x.matmul(w).relu().sum().backward(); };
      step();
      gc(); await new Promise((r) => setImmediate(r));
      const level = nb.externalBytes();
      for (let i = 0; i < 20; i++) step();
      // the FinalizationRegistry frees every dropped storage: only the two gradients' replacements remain. Its
      // callbacks run in a task after the collection; on a loaded machine (the full suite runs files in parallel)
      // one turn of the event loop was not always enough, so collect and turn a few times before judging.
      for (let k = 0; k < 10 && nb.externalBytes() > level + 4096; k++) { gc(); await new Promise((r) => setTimeout(r, 10)); }
      assert.ok(nb.externalBytes() <= level + 4096, `${nb.externalBytes()} vs ${level}`);
    });
    test('binaryScalar equals binary with a one-element storage of the value, bit for bit', () => {
      const data = Array.from({ length: 50 }, (_, k) => Math.sin(k) * 10);
      const a = native.fromArray('float32', data);
      const l = flat(50);
      for (const [op, v] of [['add', 0.1], ['sub', 3], ['mul', 0.7], ['div', 3], ['pow', 2], ['maximum', 0], ['lt', 0.5], ['remainder', 2.5]] as const) {
        const s = native.fromArray('float32', [Math.fround(v)]);
        const viaStorage = native.readSync(native.binary(op, a, l, s, { shape: [50], strides: [0], offset: 0 }, op === 'lt' ? 'bool' : 'float32'), l);
        const viaScalar = native.readSync(nb.binaryScalar(op, a, l, Math.fround(v), op === 'lt' ? 'bool' : 'float32'), l);
        assert.deepEqual([...viaScalar], [...viaStorage], op);
      }
      const i = native.fromArray('int64', [3, -4, 5]);
      assert.deepEqual([...native.readSync(nb.binaryScalar('eq', i, flat(3), 5, 'bool'), flat(3))], [0, 0, 1]);
      assert.deepEqual([...native.readSync(nb.binaryScalar('floorDivide', i, flat(3), 2, 'int64'), flat(3))], [1, -2, 2]);
    });
    test('whereScalar takes numbers for either branch', () => {
      const c = native.fromArray('bool', [1, 0, 1]);
      const a = native.fromArray('float32', [1, 2, 3]);
      assert.deepEqual([...native.readSync(nb.whereScalar(c, flat(3), a, flat(3), -1, null, 'float32'), flat(3))], [1, -1, 3]);
      assert.deepEqual([...native.readSync(nb.whereScalar(c, flat(3), 7, null, 8, null, 'float32'), flat(3))], [7, 8, 7]);
    });
    test('random fills are reproducible under manualSeed, independent per call, and have the asked distribution', () => {
      torch.manualSeed(123);
      const a = Array.from(torch.randn([4000]).dataSync());
      const a2 = torch.rand([8]).dataSync();
      torch.manualSeed(123);
      assert.deepEqual(Array.from(torch.randn([4000]).dataSync()), a);
      assert.deepEqual([...torch.rand([8]).dataSync()], [...a2]);
      assert.notDeepEqual([...a.slice(0, 8)], [...a2]);
      const mean = a.reduce((s, v) => s + v, 0) / a.length;
      const variance = a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length;
      assert.ok(Math.abs(mean) < 0.1 && Math.abs(variance - 1) < 0.1, `mean ${mean}, var ${variance}`);
      const u = torch.empty([1000]).uniform_(2, 3).dataSync();
      assert.ok(u.every((v) => v >= 2 && v < 3));
      const r = torch.randint(-3, 4, [1000]).dataSync();
      assert.ok(r.every((v) => Number.isInteger(v) && v >= -3 && v < 4));
      assert.equal(new Set(r).size, 7);
      const p = torch.randperm(50).dataSync();
      assert.deepEqual([...p].sort((x, y) => x - y), Array.from({ length: 50 }, (_, k) => k));
      const bern = torch.zeros([4]).bernoulli_(torch.tensor([0, 1, 0, 1])).dataSync();
      assert.deepEqual([...bern], [0, 1, 0, 1]);
    });
    test('conv2d with asymmetric padding (padding "same", even kernel) agrees with the portable kernels', () => {
      const x = Array.from({ length: 2 * 3 * 7 * 6 }, (_, k) => Math.cos(k));
      const w = Array.from({ length: 4 * 3 * 2 * 4 }, (_, k) => Math.sin(k) / 5);
      const g = { kernel: [2, 4], stride: [1, 1], padding: [0, 1], dilation: [1, 1], inSize: [7, 6], outSize: [7, 6] } as const;
      const xl = { shape: [2, 3, 7, 6], strides: [126, 42, 6, 1], offset: 0 };
      const wl = { shape: [4, 3, 2, 4], strides: [24, 8, 4, 1], offset: 0 };
      const yl = { shape: [2, 4, 7, 6], strides: [168, 42, 6, 1], offset: 0 };
      const yn = native.readSync(native.conv2d!(native.fromArray('float32', x), xl, native.fromArray('float32', w), wl, null, null, g, 1), yl);
      const yp = portable.readSync(portable.conv2d!(portable.fromArray('float32', x), xl, portable.fromArray('float32', w), wl, null, null, g, 1), yl);
      for (let k = 0; k < yp.length; k++) assert.ok(Math.abs(yn[k]! - yp[k]!) < 1e-5, `y[${k}]`);
      const gy = Array.from({ length: 2 * 4 * 7 * 6 }, (_, k) => Math.sin(3 * k));
      const bn = native.conv2dBackward!(native.fromArray('float32', gy), yl, native.fromArray('float32', x), xl, native.fromArray('float32', w), wl, g, 1, [true, true, true]);
      const bp = portable.conv2dBackward!(portable.fromArray('float32', gy), yl, portable.fromArray('float32', x), xl, portable.fromArray('float32', w), wl, g, 1, [true, true, true]);
      const ls = [xl, wl, flat(4)];
      for (let i = 0; i < 3; i++) {
        const n = native.readSync(bn[i]!, ls[i]!), p = portable.readSync(bp[i]!, ls[i]!);
        for (let k = 0; k < p.length; k++) assert.ok(Math.abs(n[k]! - p[k]!) < 1e-4, `grad ${i}[${k}]: ${n[k]} vs ${p[k]}`);
      }
    });
    test('kernels throw PyTorch\'s messages for bad targets, indices and probabilities', () => {
      const x = torch.randn([2, 5]).logSoftmax(1);
      assert.throws(() => torch.nn.functional.nllLoss(x, torch.tensor([1, 5], { dtype: 'int64' })), /Target 5 is out of bounds\./);
      const emb = new torch.nn.Embedding(5, 3);
      assert.throws(() => emb.forward(torch.tensor([0, 5], { dtype: 'int64' })), /index out of range in self/);
      assert.throws(() => torch.nn.functional.binaryCrossEntropy(torch.tensor([0.5, 1.5]), torch.tensor([0, 1])),
        /all elements of input should be between 0 and 1/);
    });
  });

  /** Trains the same MLP on a backend; returns the loss history and final parameters. */
  function train(backend: typeof native, opt: 'adam' | 'sgd', steps: number): { losses: number[]; params: Float32Array[] } {
    torch.registerBackend('cpu', backend);
    try {
      torch.manualSeed(0);
      const sizes = [64, 48, 32, 10];
      // The native `random` kernel draws from ATen's generator (its stream differs from the portable one's, as
      // CUDA's from CPU's), so the initial values are drawn by the frontend's host fallback on both backends.
      const own = Object.getOwnPropertyDescriptor(backend, 'random');
      Object.defineProperty(backend, 'random', { value: undefined, configurable: true, writable: true });
      let layers: InstanceType<typeof torch.nn.Linear>[], x: InstanceType<typeof torch.Tensor>, y: InstanceType<typeof torch.Tensor>;
      try {
        layers = [0, 1, 2].map((i) => new torch.nn.Linear(sizes[i]!, sizes[i + 1]!));
        x = torch.randn([16, 64]);
        y = torch.randint(0, 10, [16]);
      } finally {
        if (own) Object.defineProperty(backend, 'random', own); else delete (backend as { random?: unknown }).random;
      }
      const params = layers.flatMap((l) => [...l.parameters()]);
      const optimizer = opt === 'adam'
        ? new torch.optim.Adam(params, { lr: 1e-2 })
        : new torch.optim.SGD(params, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 });
      const losses: number[] = [];
      for (let s = 0; s < steps; s++) {
        let h = x;
        layers.forEach((l, i) => { h = l.forward(h); if (i < 2) h = h.relu(); });
        const loss = torch.nn.functional.crossEntropy(h, y);
        optimizer.zeroGrad();
        loss.backward();
        if (opt === 'sgd') torch.nn.utils.clipGradNorm_(params, 0.5);
        optimizer.step();
        losses.push(loss.item());
      }
      return { losses, params: params.map((p) => p.dataSync() as Float32Array) };
    } finally {
      torch.registerBackend('cpu', native);
    }
  }

  for (const opt of ['adam', 'sgd'] as const) {
    test(`MLP training (${opt}${opt === 'sgd' ? ', momentum, clipGradNorm_' : ''}) matches the portable backend to 1e-5`, () => {
      const p = train(portable, opt, 5), n = train(native, opt, 5);
      assert.ok(p.losses[4]! < p.losses[0]!, 'the loss goes down');
      p.losses.forEach((l, i) => assert.ok(Math.abs(l - n.losses[i]!) <= 1e-5, `loss ${i}: ${n.losses[i]} vs ${l}`));
      p.params.forEach((pp, i) => {
        const np = n.params[i]!;
        assert.equal(np.length, pp.length);
        for (let k = 0; k < pp.length; k++) assert.ok(Math.abs(pp[k]! - np[k]!) <= 1e-5, `param ${i}[${k}]: ${np[k]} vs ${pp[k]}`);
      });
    });
  }

  // The conformance cases, run by conformance.test.ts's own runner with `cpu` served by the native backend.
  await import('./conformance.test.js');
}
