/**
 * Storage lifetime and version counters on the frontend: every in-place path bumps the version shared by a tensor
 * and its views, freed storages throw, and a backend with memory outside the JS heap gets its storages back when
 * the garbage collector drops the tensors (finalizers), measured with a backend that counts live bytes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as torch from 'torchlet';
import { Tensor, fromStorage, versionOf, bumpVersion } from '../src/tensor.js';
import { release } from '../src/ops.js';
import { CpuBackend } from '../src/backend/cpu/cpu.js';
import type { Storage } from '../src/backend/types.js';
import type { DType } from '../src/dtype.js';

/** Backend methods that return a storage (new ones are counted; `binary`/`unary` with `out` return that). */
const PRODUCERS = ['alloc', 'fromArray', 'unary', 'binary', 'where', 'reduce', 'argReduce', 'cumsum', 'matmul', 'gather',
  'im2col', 'col2im', 'random', 'binaryScalar'];

/**
 * A CPU backend that pretends its memory is external: it opts into finalizers and counts the bytes of the storages
 * it has handed out and not yet been given back (every storage-producing method is wrapped).
 */
class CountingBackend extends CpuBackend {
  readonly finalizeStorages = true;
  live = 0;
  frees = 0;
  private seen = new WeakSet<object>();
  constructor() {
    super();
    for (const name of PRODUCERS) {
      const f = (this as any)[name];
      if (typeof f !== 'function') continue;
      (this as any)[name] = (...args: unknown[]) => {
        const s = f.apply(this, args);
        if (s && !this.seen.has(s)) { this.seen.add(s); this.live += s.data.byteLength; }
        return s;
      };
    }
  }
  override free(s: Storage): void {
    if (this.seen.has(s)) { this.seen.delete(s); this.live -= (s as any).data.byteLength; }
    this.frees++;
    super.free(s);
  }
  externalBytes(): number { return this.live; }
}

function on(b: CpuBackend, values: number[], shape = [values.length]): Tensor {
  return fromStorage(b.fromArray('float32', values), shape, b);
}

test('every in-place path bumps the version shared by a tensor and its views', () => {
  const paths: [string, (w: Tensor) => unknown][] = [
    ['add_', (w) => w.add_(1)], ['sub_', (w) => w.sub_(1, 2)], ['mul_', (w) => w.mul_(2)], ['div_', (w) => w.div_(2)],
    ['pow_', (w) => w.pow_(2)], ['neg_', (w) => w.neg_()], ['clamp_', (w) => w.clamp_(0, 1)], ['relu_', (w) => w.relu_()],
    ['sqrt_', (w) => w.sqrt_()], ['fill_', (w) => w.fill_(3)], ['zero_', (w) => w.zero_()],
    ['copy_', (w) => w.copy_(torch.ones([4]))], ['maskedFill_', (w) => w.maskedFill_(torch.tensor([true, false, true, false]), 0)],
    ['scatter_', (w) => w.scatter_(0, torch.tensor([0, 1], { dtype: 'int64' }), torch.tensor([5, 6], { dtype: 'float32' }))],
    ['scatterAdd_', (w) => w.scatterAdd_(0, torch.tensor([0, 1], { dtype: 'int64' }), torch.tensor([5, 6], { dtype: 'float32' }))],
    ['addcmul_', (w) => w.addcmul_(torch.ones([4]), torch.ones([4]))], ['addcdiv_', (w) => w.addcdiv_(torch.ones([4]), torch.ones([4]))],
    ['lerp_', (w) => w.lerp_(torch.zeros([4]), 0.5)], ['uniform_', (w) => w.uniform_()], ['normal_', (w) => w.normal_()],
    ['bernoulli_', (w) => w.bernoulli_(0.5)],
  ];
  for (const [name, op] of paths) {
    for (const viaView of [false, true]) {
      const w = torch.tensor([1, 2, 3, 4], { dtype: 'float32' });
      const x = torch.ones([4], { requiresGrad: true });
      const y = x.mul(w); // saves w for x's gradient
      const target = viaView ? w.view([2, 2]).view([4]) : w;
      const v0 = versionOf(w);
      op(target);
      assert.ok(versionOf(w) > v0, `${name}${viaView ? ' through a view' : ''} did not bump the version`);
      assert.equal(versionOf(w.view([4])), versionOf(w), 'views share the counter');
      assert.throws(() => y.sum().backward(), /modified by an inplace operation/, `${name}${viaView ? ' via view' : ''}`);
    }
  }
  // in-place writes under autograd (writeWithHistory) bump too, and detach() shares the counter
  const a = torch.ones([3], { requiresGrad: true }).mul(1);
  const d = a.detach();
  const v = versionOf(a);
  a.mul_(2);
  assert.equal(versionOf(d), v + 1);
  bumpVersion(d);
  assert.equal(versionOf(a), v + 2);
});

test('kernels no longer carry versions: a backend storage has no version field', () => {
  const t = torch.ones([3]);
  assert.equal('version' in (t._s as object), false);
  t.add_(1);
  assert.equal('version' in (t._s as object), false);
});

test('using a freed storage throws instead of reading recycled memory', () => {
  const t = torch.ones([300]);
  const u = t.mul(2);
  release(u);
  assert.throws(() => u.add(1), /storage has been freed/);
  assert.throws(() => u.dataSync(), /storage has been freed/);
  assert.throws(() => u.fill_(0), /storage has been freed/);
  assert.throws(() => torch.ones([300]).copy_(u), /storage has been freed/);
  release(u); // freeing twice is harmless
  assert.equal(t.sum().item(), 300); // the live tensor is untouched
});

test('with finalizers, releasing a tensor keeps the storage while a view of it is alive', () => {
  const b = new CountingBackend();
  const t = on(b, Array.from({ length: 300 }, (_, i) => i));
  const view = t.view([10, 30]);
  const frees = b.frees;
  release(t); // an internal temporary, but a view escaped
  assert.equal(b.frees, frees, 'freed while a view is alive');
  assert.equal(view.sum().item(), (299 * 300) / 2);
  // without finalizers (the CPU backend) release frees at once, as before
  const c = torch.ones([300]);
  release(c);
  assert.throws(() => c.sum(), /storage has been freed/);
});

test('engine temporaries of a counting backend are freed when backward returns', () => {
  const b = new CountingBackend();
  const x = on(b, Array.from({ length: 256 }, (_, i) => i / 256), [16, 16]).requiresGrad_();
  const w = on(b, Array.from({ length: 256 }, (_, i) => (i % 7) / 7), [16, 16]).requiresGrad_();
  const loss = x.matmul(w).tanh().sum();
  const frees = b.frees;
  loss.backward(on(b, [1], []));
  assert.ok(b.frees > frees, 'backward freed its temporaries');
  assert.ok(x.grad !== null && w.grad !== null);
  assert.ok(Number.isFinite(x.grad.sum().item()));
});

const child = `
import { fromStorage } from ${JSON.stringify(new URL('../src/tensor.js', import.meta.url).href)};
import { CpuBackend } from ${JSON.stringify(new URL('../src/backend/cpu/cpu.js', import.meta.url).href)};
import * as torch from ${JSON.stringify(new URL('../src/index.js', import.meta.url).href)};
const PRODUCERS = ${JSON.stringify(PRODUCERS)};
class CountingBackend extends CpuBackend {
  finalizeStorages = true; live = 0; seen = new WeakSet();
  constructor() {
    super();
    for (const name of PRODUCERS) {
      const f = this[name];
      if (typeof f !== 'function') continue;
      this[name] = (...args) => {
        const s = f.apply(this, args);
        if (s && !this.seen.has(s)) { this.seen.add(s); this.live += s.data.byteLength; }
        return s;
      };
    }
  }
  free(s) { if (this.seen.has(s)) { this.seen.delete(s); this.live -= s.data.byteLength; } super.free(s); }
}
const b = new CountingBackend();
const settle = async () => { for (let k = 0; k < 12; k++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 5)); } };
await settle();
const baseline = b.live;
let peak = 0;
function step(i) {
  const x = fromStorage(b.fromArray('float32', new Float32Array(4096).fill(i)), [64, 64], b).requiresGrad_();
  const h = x.mul(2).add(1).view([4096]).relu();
  const loss = h.pow(2).sum();
  loss.backward();
  peak = Math.max(peak, b.live);
  return loss.item();
}
for (let i = 0; i < 20; i++) step(i);
const afterSteps = b.live;
await settle();
const final = b.live;
// autograd keeps what it saved: after gc the graph's saved tensors are still there until backward releases them
let loss = (() => {
  const x = fromStorage(b.fromArray('float32', new Float32Array(4096).fill(1)), [64, 64], b).requiresGrad_();
  return x.exp().mul(x.sin()).sum();
})();
await settle();
const graphHeld = b.live;
loss.backward();
loss = null;
await settle();
console.log(JSON.stringify({ baseline, afterSteps, peak, final, graphHeld, afterBackward: b.live }));
`;

test('finalizers give a dropped tensor\'s storage back to a backend with external memory (gc)', () => {
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', child], {
    encoding: 'utf8', cwd: fileURLToPath(new URL('.', import.meta.url)),
  });
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.ok(m.afterSteps > m.baseline, `tensors were alive before collection: ${r.stdout}`);
  assert.equal(m.final, m.baseline, `live bytes back to baseline after the tensors were dropped: ${r.stdout}`);
  assert.ok(m.graphHeld >= m.baseline + 3 * 4096 * 4, `saved tensors (x, exp(x), sin(x)) kept by the graph: ${r.stdout}`);
  assert.equal(m.afterBackward, m.baseline, `back to baseline once backward released the graph: ${r.stdout}`);
});

describe('zeroGrad gives an unreachable gradient\'s storage back at once (finalizing backends)', () => {
  /** A linear layer's weight on the counting backend, after one backward. */
  const setup = () => {
    const b = new CountingBackend();
    const w = on(b, Array.from({ length: 64 }, (_, i) => (i % 5) / 5), [8, 8]).requiresGrad_();
    const x = on(b, Array.from({ length: 32 }, (_, i) => i / 32), [4, 8]);
    const backward = () => x.matmul(w.t()).tanh().sum().backward(on(b, [1], []));
    backward();
    return { b, w, backward };
  };
  /** Whether the storage behind `g` has gone back to the backend. */
  const isFreed = (g: Tensor) => (g as any)._h.freed as boolean;

  test('a gradient that user code never received is freed by optimizer.zeroGrad and module.zeroGrad', () => {
    const { b, w, backward } = setup();
    const g = (w as any)._grad as Tensor; // internal read: does not count as handing it to the user
    const opt = new torch.optim.SGD([w], { lr: 0.1, momentum: 0.9 });
    opt.step(); // the optimizer reads it internally
    const frees = b.frees;
    opt.zeroGrad();
    assert.equal(w.grad, null);
    assert.ok(isFreed(g), 'freed at zeroGrad');
    assert.equal(b.frees, frees + 1);
    backward();
    const g2 = (w as any)._grad as Tensor;
    torch.nn.utils.clipGradNorm_([w], 0.5); // clipping reads it internally too
    opt.zeroGrad();
    assert.ok(isFreed(g2));
    // Module.zeroGrad
    class M extends torch.nn.Module {
      p = new torch.nn.Parameter(on(b, Array.from({ length: 8 }, (_, i) => i / 8)));
      override forward(): Tensor { return this.p.exp().sum(); }
    }
    const m = new M();
    m.forward().backward(on(b, [1], []));
    const g3 = (m.p as any)._grad as Tensor;
    m.zeroGrad();
    assert.equal(m.p.grad, null);
    assert.ok(isFreed(g3));
  });

  test('a gradient the user read through .grad stays valid after zeroGrad and the next backward', () => {
    const { w, backward } = setup();
    const kept = w.grad!;
    const values = [...kept.dataSync()];
    const opt = new torch.optim.Adam([w], { lr: 0.1 });
    opt.step();
    opt.zeroGrad();
    assert.equal(w.grad, null);
    assert.ok(!isFreed(kept));
    backward();
    assert.notEqual(w.grad, kept);
    assert.deepEqual([...kept.dataSync()], values, 'the user\'s tensor keeps its values');
  });

  test('a gradient assigned by the user, or with a view made of it, is not freed', () => {
    const { b, w, backward } = setup();
    const mine = on(b, new Array(64).fill(1), [8, 8]);
    w.grad = mine;
    const opt = new torch.optim.SGD([w], { lr: 0.1 });
    opt.zeroGrad();
    assert.ok(!isFreed(mine));
    assert.equal(mine.sum().item(), 64);
    backward();
    const view = ((w as any)._grad as Tensor).view([64]); // e.g. a flattening made internally
    opt.zeroGrad();
    assert.ok(!isFreed(view));
    assert.equal(view.shape[0], 64);
    assert.ok(Number.isFinite(view.sum().item()));
  });

  test('setToNone: false zeroes in place and keeps the storage', () => {
    const { w } = setup();
    const g = (w as any)._grad as Tensor;
    new torch.optim.SGD([w], { lr: 0.1 }).zeroGrad({ setToNone: false });
    assert.equal((w as any)._grad, g);
    assert.ok(!isFreed(g));
    assert.equal(g.abs().sum().item(), 0);
  });
});

describe('activations between built-in layers go back without the collector (finalizing backends)', () => {
  /** Runs `fn` with a counting backend serving 'cpu', so layers and tensors are made on it. */
  const onCounting = <T>(fn: (b: CountingBackend) => T): T => {
    const prev = torch.getBackend('cpu');
    const b = new CountingBackend();
    torch.registerBackend('cpu', b);
    try { return fn(b); } finally { torch.registerBackend('cpu', prev); }
  };
  const mlp = () => new torch.nn.Sequential(new torch.nn.Linear(32, 64), new torch.nn.ReLU(), new torch.nn.Linear(64, 64), new torch.nn.ReLU(), new torch.nn.Linear(64, 4));

  test('a training step leaves only parameters, optimizer state, gradients and the caller\'s tensors alive', () => onCounting((b) => {
    torch.manualSeed(0);
    const model = mlp();
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const x = torch.randn([16, 32]), y = torch.randint(0, 4, [16]);
    const bytes = (ts: Iterable<Tensor>) => [...ts].reduce((s, t) => s + t.numel() * 4, 0);
    let out: Tensor | null = null;
    const step = () => {
      const o = model.call(x);
      out = o;
      const loss = torch.nn.functional.crossEntropy(o, y);
      opt.zeroGrad(); loss.backward(); opt.step();
      return loss;
    };
    step(); step();
    const live0 = b.live;
    const loss = step();
    // live: x, y, the params, their momentum buffers and grads, the output and the loss (no activation of
    // [16, 64], which would add 4 KB each; before, all of them waited for the collector)
    const params = bytes(model.parameters());
    const expected = 16 * 32 * 4 + 16 * 8 + 3 * params + 16 * 4 * 4 + 4;
    assert.ok(b.live <= expected + 1024, `live ${b.live} vs expected ${expected}`); // small loss temporaries may wait for the collector
    // the step before left its output and loss to the collector (the caller dropped them): nothing else
    assert.ok(b.live - live0 <= 16 * 4 * 4 + 4, `a step left ${b.live - live0} bytes behind`);
    assert.ok(Number.isFinite(loss.item()) && Number.isFinite(out!.sum().item()), 'the caller\'s tensors are intact');
  }));

  test('a forward hook, or a layer of the user\'s own, sees tensors that stay valid', () => onCounting(() => {
    torch.manualSeed(0);
    const seen: Tensor[] = [];
    const model = mlp();
    model.at(1).registerForwardHook(((_m: unknown, _i: unknown, o: unknown) => { seen.push(o as Tensor); }) as any);
    class Keep extends torch.nn.Module {
      override forward(t: Tensor): Tensor { seen.push(t); return t.mul(2); }
    }
    const withUser = new torch.nn.Sequential(new torch.nn.Linear(32, 8), new Keep(), new torch.nn.ReLU(), new torch.nn.Linear(8, 2));
    const x = torch.randn([4, 32]);
    model.call(x).sum().backward();
    withUser.call(x).sum().backward();
    assert.equal(seen.length, 2);
    for (const t of seen) assert.ok(Number.isFinite(t.sum().item()), 'still readable after backward');
  }));

  test('saved activations stay until backward; retainGraph keeps them for a second backward', () => onCounting(() => {
    torch.manualSeed(0);
    const model = mlp();
    const x = torch.randn([4, 32]);
    const loss = model.call(x).pow(2).sum();
    loss.backward(undefined, { retainGraph: true });
    const g1 = [...model.parameters()].map((p) => [...p.grad!.dataSync()]);
    model.zeroGrad();
    loss.backward();
    [...model.parameters()].forEach((p, i) => assert.deepEqual([...p.grad!.dataSync()], g1[i]));
  }));
});

test('backward frees each gradient once the nodes that need it have run (finalizing backend)', () => {
  const b = new CountingBackend();
  const n = 256 * 256;
  const x = on(b, Array.from({ length: n }, (_, i) => (i % 17) / 17), [256, 256]).requiresGrad_();
  let h = x;
  for (let i = 0; i < 12; i++) h = h.mul(1.01).add(0.01);
  const loss = h.sum();
  const base = b.live;
  let peak = 0;
  const free = b.free.bind(b), binary = (b as any).binary.bind(b);
  (b as any).binary = (...a: unknown[]) => { const s = binary(...a); peak = Math.max(peak, b.live); return s; };
  loss.backward(on(b, [1], []));
  (b as any).binary = binary; void free;
  // 24 nodes each make one [256, 256] gradient; freed as the pass goes, at most a few are alive at once
  assert.ok(peak - base <= 4 * n * 4, `peak ${(peak - base) / (n * 4)} gradients alive`);
  assert.ok(Number.isFinite(x.grad!.sum().item()));
});

test('tensors that user code makes inside backward (hooks, a custom Function\'s backward) stay valid after it', () => {
  const b = new CountingBackend();
  const x = on(b, Array.from({ length: 9 }, (_, i) => i), [3, 3]).requiresGrad_();
  const kept: Tensor[] = [];
  const y = x.mul(on(b, [2], []));
  y.registerHook((g) => { kept.push(g.clone(), g.mul(3)); });
  x.registerHook((g) => { kept.push(g.add(1)); });
  class Twice extends torch.autograd.Function {
    static override forward(_ctx: any, t: Tensor): Tensor { return t.mul(2); }
    static override backward(_ctx: any, g: Tensor): Tensor { kept.push(g.mul(5)); return g.mul(2); }
  }
  (Twice.apply(y) as Tensor).sum().backward(on(b, [1], []));
  // y's gradient is 2 (through Twice), x's 4
  assert.deepEqual(kept.map((t) => t.sum().item()), [45, 18, 54, 45]);
});
