/**
 * Random fills as a backend kernel (`Backend.random`): seeded streams are the values of the host loops they
 * replaced, the fallback for backends without the kernel draws the same values, and no values are uploaded when
 * the kernel exists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';
import { Tensor, fromStorage } from '../src/tensor.js';
import { CpuBackend } from '../src/backend/cpu/cpu.js';
import { Generator } from '../src/random.js';

/** The loops the kernel replaced, written out: the reference for "seeded streams unchanged". */
const old = {
  rand: (g: Generator, n: number) => Array.from({ length: n }, () => g.random()),
  randn: (g: Generator, n: number) => Array.from({ length: n }, () => g.normal()),
  uniform: (g: Generator, n: number, a: number, b: number) => Array.from({ length: n }, () => a + (b - a) * g.random()),
  normal: (g: Generator, n: number, m: number, s: number) => Array.from({ length: n }, () => m + s * g.normal()),
  bernoulli: (g: Generator, n: number, p: number) => Array.from({ length: n }, () => (g.random() < p ? 1 : 0)),
  randint: (g: Generator, n: number, lo: number, hi: number) => Array.from({ length: n }, () => g.randint(lo, hi)),
  randperm: (g: Generator, n: number) => {
    const v = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) { const j = g.randint(0, i + 1); [v[i], v[j]] = [v[j]!, v[i]!]; }
    return v;
  },
};

const f32 = (a: number[]) => [...Float32Array.from(a)];

test('seeded streams are the values of the former host loops, in the same order', () => {
  torch.manualSeed(7);
  const r = torch.rand([3, 5]), n = torch.randn([4, 3]), i = torch.randint(-3, 9, [11]), p = torch.randperm(13);
  const u = torch.empty([6]).uniform_(-2, 5), m = torch.empty([7]).normal_(1.5, 0.25), b = torch.empty([9]).bernoulli_(0.3);
  const d = torch.empty([5], { dtype: 'float64' }).normal_();
  const g = new Generator(7);
  assert.deepEqual([...r.dataSync()], f32(old.rand(g, 15)));
  assert.deepEqual([...n.dataSync()], f32(old.randn(g, 12)));
  assert.deepEqual([...i.dataSync()], old.randint(g, 11, -3, 9));
  assert.equal(i.dtype, 'int64');
  assert.deepEqual([...p.dataSync()], old.randperm(g, 13));
  assert.deepEqual([...u.dataSync()], f32(old.uniform(g, 6, -2, 5)));
  assert.deepEqual([...m.dataSync()], f32(old.normal(g, 7, 1.5, 0.25)));
  assert.deepEqual([...b.dataSync()], old.bernoulli(g, 9, 0.3));
  assert.deepEqual([...d.dataSync()], old.normal(g, 5, 0, 1));
  // explicit generators, *Like, and non-contiguous destinations (row-major order of the view)
  const g1 = new Generator(99), g2 = new Generator(99);
  const t = torch.zeros([3, 4]).t();
  t.uniform_(0, 1, g1);
  assert.deepEqual(t.tolist().flat(), f32(old.uniform(g2, 12, 0, 1)));
  torch.manualSeed(1);
  const rl = torch.randLike(torch.zeros([2, 2], { dtype: 'float64' })), nl = torch.randnLike(torch.zeros([3]));
  const g3 = new Generator(1);
  assert.deepEqual([...rl.dataSync()], old.rand(g3, 4));
  assert.deepEqual([...nl.dataSync()], f32(old.randn(g3, 3)));
});

test('a backend without the random kernel falls back to host draws with the same values', () => {
  class NoRandom extends CpuBackend { override random = undefined as unknown as CpuBackend['random']; }
  class Counting extends CpuBackend {
    uploads = 0; randoms = 0;
    override fromArray(...a: Parameters<CpuBackend['fromArray']>) { this.uploads++; return super.fromArray(...a); }
    override random(...a: Parameters<CpuBackend['random']>) { this.randoms++; return super.random(...a); }
  }
  const mk = (b: CpuBackend) => fromStorage(b.alloc('float32', 20), [4, 5], b);
  const nr = new NoRandom(), c = new Counting();
  const x = mk(nr), y = mk(c);
  const ga = new Generator(5), gb = new Generator(5);
  x.normal_(0, 2, ga).t().uniform_(1, 3, ga);
  x.bernoulli_(0.5, ga);
  y.normal_(0, 2, gb).t().uniform_(1, 3, gb);
  y.bernoulli_(0.5, gb);
  assert.deepEqual([...x.dataSync()], [...y.dataSync()]);
  assert.equal(c.randoms, 3);
  assert.equal(c.uploads, 0, 'the kernel path uploads nothing');
  // tensor p: kernel and fallback agree; p = 0 and p = 1 are exact
  const p = fromStorage(c.fromArray('float32', [0, 1, 0.5, 0, 1]), [5], c);
  const q = fromStorage(nr.fromArray('float32', [0, 1, 0.5, 0, 1]), [5], nr);
  const a = fromStorage(c.alloc('float32', 10), [2, 5], c).bernoulli_(p, new Generator(3));
  const bq = fromStorage(nr.alloc('float32', 10), [2, 5], nr).bernoulli_(q, new Generator(3));
  assert.deepEqual([...a.dataSync()], [...bq.dataSync()]);
  const av = [...a.dataSync()];
  for (const k of [0, 3, 5, 8]) assert.equal(av[k], 0);
  for (const k of [1, 4, 6, 9]) assert.equal(av[k], 1);
});

test('bernoulli with tensor probabilities; torch.bernoulli-style method; shape and leaf checks', () => {
  torch.manualSeed(0);
  const probs = torch.tensor([0.1, 0.9, 0.5, 0.5]);
  const s = probs.bernoulli();
  assert.deepEqual(s.shape, [4]);
  assert.equal(s.dtype, 'float32');
  const g = new Generator(0);
  assert.deepEqual([...s.dataSync()], [0.1, 0.9, 0.5, 0.5].map((pv) => (g.random() < Math.fround(pv) ? 1 : 0)));
  // statistics: 20000 draws at p = 0.25 (mean within 5 standard errors)
  const big = torch.full([20000], 0.25).bernoulli();
  assert.ok(Math.abs(big.mean().item() - 0.25) < 5 * Math.sqrt(0.25 * 0.75 / 20000));
  assert.throws(() => torch.zeros([3]).bernoulli_(torch.ones([2, 3])), /doesn't match the broadcast shape/);
  const leaf = torch.zeros([3], { requiresGrad: true });
  assert.throws(() => leaf.uniform_(), /a leaf Variable that requires grad is being used in an in-place operation/);
  torch.noGrad(() => leaf.uniform_());
});

test('the generator\'s counter-based stream for device kernels: seed and offset, reset by manualSeed, in getState', () => {
  const g = new Generator(42);
  assert.deepEqual(g.philoxSeedOffset(10), { seed: 42, offset: 0 });
  assert.deepEqual(g.philoxSeedOffset(3), { seed: 42, offset: 12 });
  const st = g.getState();
  assert.deepEqual(g.philoxSeedOffset(1), { seed: 42, offset: 16 });
  g.setState(st);
  assert.deepEqual(g.philoxSeedOffset(1), { seed: 42, offset: 16 });
  g.manualSeed(42);
  assert.deepEqual(g.philoxSeedOffset(1), { seed: 42, offset: 0 });
  // the sequential stream is not disturbed by reservations
  const a = new Generator(8), b = new Generator(8);
  a.philoxSeedOffset(100);
  assert.equal(a.random(), b.random());
});

test('random tensors keep options: dtype, requiresGrad, generator', () => {
  const t = torch.randn([2, 3], { dtype: 'float64', requiresGrad: true, generator: new Generator(4) } as any);
  assert.equal(t.dtype, 'float64');
  assert.equal(t.requiresGrad, true);
  assert.deepEqual([...t.dataSync()], old.randn(new Generator(4), 6));
  const r = torch.randint(5, [100]);
  assert.ok([...r.dataSync()].every((v) => Number.isInteger(v) && v >= 0 && v < 5));
  assert.deepEqual([...torch.randperm(50).dataSync()].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  assert.ok(t instanceof Tensor);
});
