/**
 * The optimizer and clipping hot path inside the backend: the CPU backend's `fusedOptimizerStep`, `foreachNorm`
 * and `foreachMul_` serve every optimizer and clipping call, the frontend fallback (Tensor ops) agrees with them,
 * a step and a clip read nothing back to the host in either mode, writes bump versions (autograd's in-place check),
 * and the host-side step mirror follows loads and user writes of the `step` tensors.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';
import type { Tensor } from 'torchlet';
import { OPTIM_MODES, inOptimMode } from './_harness.js';

const MODES = OPTIM_MODES;
const inMode = inOptimMode;

/** Counts calls of the backend methods `names` while `fn` runs (the methods still run). */
function countCalls<T>(names: readonly string[], fn: () => T): { result: T; calls: Record<string, number> } {
  const b = torch.getBackend('cpu') as any;
  const calls: Record<string, number> = {};
  const own = names.map((k) => Object.prototype.hasOwnProperty.call(b, k));
  const saved = names.map((k) => b[k]);
  names.forEach((k, i) => {
    calls[k] = 0;
    const orig = saved[i];
    if (typeof orig === 'function') b[k] = function (this: unknown, ...args: unknown[]) { calls[k]!++; return orig.apply(this, args); };
  });
  try {
    return { result: fn(), calls };
  } finally {
    names.forEach((k, i) => { if (own[i]) b[k] = saved[i]; else delete b[k]; });
  }
}

/** Every optimizer, with the options that select each branch of its update rule. */
const CONFIGS: [string, Record<string, any>][] = [
  ['SGD', { lr: 0.1 }],
  ['SGD', { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01, maximize: true }],
  ['SGD', { lr: 0.1, momentum: 0.9, nesterov: true }],
  ['Adam', { lr: 0.01, weightDecay: 0.1 }],
  ['Adam', { lr: 0.01, amsgrad: true, maximize: true }],
  ['AdamW', { lr: 0.01, weightDecay: 0.1 }],
  ['Adamax', { lr: 0.01, weightDecay: 0.1 }],
  ['Adadelta', { lr: 0.5, weightDecay: 0.1, maximize: true }],
  ['Adagrad', { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1, weightDecay: 0.1 }],
  ['NAdam', { lr: 0.01, weightDecay: 0.1 }],
  ['NAdam', { lr: 0.01, weightDecay: 0.1, decoupledWeightDecay: true }],
  ['RAdam', { lr: 0.01, weightDecay: 0.1 }],
  ['RAdam', { lr: 0.01, weightDecay: 0.1, decoupledWeightDecay: true }],
  ['RMSprop', { lr: 0.01, weightDecay: 0.1 }],
  ['RMSprop', { lr: 0.01, centered: true, momentum: 0.9, maximize: true }],
];

function model(dtype: 'float32' | 'float64'): Tensor[] {
  torch.manualSeed(7);
  return [torch.randn([5, 3], { dtype }).requiresGrad_(), torch.randn([5], { dtype }).requiresGrad_()];
}

function lossOf(ps: Tensor[], x: Tensor): Tensor {
  return x.matmul(ps[0]!.t()).add(ps[1]!).tanh().pow(2).mean();
}

/** Runs `steps` training steps (forward and backward outside the measured region, then clip + step inside it). */
function train(cls: string, opts: Record<string, any>, dtype: 'float32' | 'float64', steps: number,
  inside: (fn: () => void) => void = (fn) => fn()): Tensor[] {
  const ps = model(dtype);
  const x = torch.linspace(-2, 2, 12, { dtype }).reshape([4, 3]);
  const opt = new (torch.optim as any)[cls](ps, opts) as torch.optim.Optimizer;
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    lossOf(ps, x).backward();
    inside(() => {
      torch.nn.utils.clipGradNorm_(ps, 0.5);
      opt.step();
    });
  }
  return ps;
}

describe('fused kernels and the Tensor-op fallback', () => {
  for (const [cls, opts] of CONFIGS) {
    const name = `${cls} ${JSON.stringify(opts)}`;
    test(`${name}: one fused call per group in fused mode, none in fallback mode; both agree`, () => {
      const fused = countCalls(['fusedOptimizerStep', 'foreachNorm', 'foreachMul_'], () => train(cls, opts, 'float64', 8));
      assert.equal(fused.calls.fusedOptimizerStep, 8);
      assert.equal(fused.calls.foreachNorm, 8);
      const fb = inMode('fallback', () => train(cls, opts, 'float64', 8));
      fused.result.forEach((p, i) => {
        const a = p.tolist().flat() as number[], e = fb[i]!.tolist().flat() as number[];
        a.forEach((v, j) => assert.ok(Math.abs(v - e[j]!) <= 1e-12 + 1e-10 * Math.abs(e[j]!), `param ${i}[${j}]: fused ${v}, fallback ${e[j]}`));
      });
    });
  }
});

describe('no host reads in a step', () => {
  for (const mode of MODES) {
    for (const [cls, opts] of CONFIGS) {
      test(`${cls} ${JSON.stringify(opts)} + clipGradNorm_ [${mode}]`, () => inMode(mode, () => {
        train(cls, opts, 'float32', 3, (fn) => {
          assert.deepEqual(countCalls(['readSync', 'read'], fn).calls, { readSync: 0, read: 0 });
        });
      }));
    }
  }

  test('clipGradValue_ and clipGradsWithNorm_ with a number read nothing [both modes]', () => {
    for (const mode of MODES) {
      inMode(mode, () => {
        const p = torch.zeros([3], { requiresGrad: true });
        p.grad = torch.tensor([3, -4, 12]);
        const { calls } = countCalls(['readSync', 'read'], () => {
          torch.nn.utils.clipGradValue_(p, 5);
          torch.nn.utils.clipGradsWithNorm_([p], 1, 13);
        });
        assert.deepEqual(calls, { readSync: 0, read: 0 }, mode);
        const g = p.grad.tolist() as number[];
        [3 / 13, -4 / 13, 5 / 13].forEach((e, i) => assert.ok(Math.abs(g[i]! - e) < 1e-6, `${mode}: ${g[i]} vs ${e}`));
      });
    }
  });
});

describe('versions, state placement and the host-side step mirror', () => {
  for (const mode of MODES) {
    for (const cls of ['SGD', 'Adam', 'RMSprop']) {
      test(`a parameter modified by ${cls}.step() after being saved for backward raises autograd's error [${mode}]`, () => inMode(mode, () => {
        const w = torch.tensor([1.0, 2.0], { requiresGrad: true });
        const opt = new (torch.optim as any)[cls]([w], cls === 'SGD' ? { lr: 0.1, momentum: 0.9 } : { lr: 0.1 }) as torch.optim.Optimizer;
        const y = w.mul(w); // saves w for backward
        w.sum().backward();
        const storage = w._s;
        opt.step();
        assert.equal(w._s, storage, 'updated in place');
        assert.throws(() => y.sum().backward(), /modified by an inplace operation/);
      }));
    }

    test(`state buffers written by a step bump their versions too [${mode}]`, () => inMode(mode, () => {
      const w = torch.tensor([1.0, 2.0], { requiresGrad: true });
      const opt = new torch.optim.Adam([w], 0.1);
      w.sum().backward();
      opt.step();
      const m = opt.state.get(w)!.expAvg as Tensor;
      const saved = m.mul(m); // a graph that saved the state buffer
      void saved;
      const before = (m as any)._h.version as number;
      opt.step();
      assert.ok((m as any)._h.version > before);
    }));

    test(`non-contiguous parameters and gradients [${mode}]`, () => inMode(mode, () => {
      for (const cls of ['SGD', 'Adam']) {
        const base = torch.tensor([[1, 2], [3, 4]], { requiresGrad: true });
        const opt = new (torch.optim as any)[cls]([base], { lr: 0.5 }) as torch.optim.Optimizer;
        base.grad = torch.tensor([[1, 1], [1, 1]]).t();
        opt.step();
        // Adam's first step moves every element by lr (m̂/√v̂ = ±1, up to eps and float32 rounding); SGD by lr·g
        const got = base.tolist().flat() as number[];
        [0.5, 1.5, 2.5, 3.5].forEach((e, i) => assert.ok(Math.abs(got[i]! - e) < 1e-6, `${cls}[${i}]: ${got[i]} vs ${e}`));
      }
      const t = torch.tensor([[1, 2, 3], [4, 5, 6]]).t().requiresGrad_(); // a transposed leaf: strided parameter
      const opt = new torch.optim.SGD([t], { lr: 1, momentum: 0.5 });
      t.grad = torch.ones([3, 2]);
      opt.step();
      opt.step();
      assert.deepEqual(t.tolist(), [[-1.5, 1.5], [-0.5, 2.5], [0.5, 3.5]]);
    }));

    test(`state is created on the parameter's device with its dtype; step is a float32 0-dim tensor [${mode}]`, () => inMode(mode, () => {
      const w = torch.tensor([1.0, 2.0], { dtype: 'float64', requiresGrad: true });
      const opt = new torch.optim.NAdam([w], 0.1);
      w.sum().backward();
      opt.step();
      opt.step();
      const st = opt.state.get(w)!;
      for (const k of ['expAvg', 'expAvgSq']) {
        assert.equal((st[k] as Tensor).dtype, 'float64', k);
        assert.ok((st[k] as Tensor).device.equals(w.device), k);
      }
      assert.equal((st.step as Tensor).dtype, 'float32');
      assert.equal((st.step as Tensor).dim(), 0);
      assert.equal((st.step as Tensor).item(), 2);
      const mu = (t: number) => 0.9 * (1 - 0.5 * 0.96 ** (t * 4e-3));
      assert.equal((st.muProduct as Tensor).item(), Math.fround(Math.fround(mu(1)) * Math.fround(mu(2))));
    }));

    test(`loadStateDict reads the step once; a step after it reads nothing and counts on [${mode}]`, () => inMode(mode, () => {
      const a = torch.tensor([1.0, -1.0], { requiresGrad: true });
      const optA = new torch.optim.Adam([a], 0.1);
      for (let i = 0; i < 3; i++) { optA.zeroGrad(); a.pow(2).sum().backward(); optA.step(); }
      const b = torch.tensor([1.0, -1.0], { requiresGrad: true });
      const optB = new torch.optim.Adam([b], 0.1);
      optB.loadStateDict(JSON.parse(JSON.stringify(optA.stateDict(), (_k, v) => (v instanceof torch.Tensor ? v.tolist() : v))));
      b.pow(2).sum().backward();
      const { calls } = countCalls(['readSync', 'read'], () => optB.step());
      assert.deepEqual(calls, { readSync: 0, read: 0 });
      assert.equal((optB.state.get(b)!.step as Tensor).item(), 4);
    }));

    test(`a step tensor written by the user is honoured (the mirror follows its version) [${mode}]`, () => inMode(mode, () => {
      const w = torch.tensor([1.0], { requiresGrad: true });
      const opt = new torch.optim.Adagrad([w], { lr: 1, lrDecay: 1 });
      w.sum().backward();
      opt.step();
      const st = opt.state.get(w)!;
      (st.step as Tensor).fill_(9);
      const before = w.item();
      const s = (st.sum as Tensor).item();
      opt.step();
      assert.equal((st.step as Tensor).item(), 10);
      // clr = lr / (1 + (10 − 1)·lrDecay) = 0.1; sum ← sum + 1
      const expected = Math.fround(before - 0.1 * (1 / (Math.sqrt(Math.fround(s + 1)) + 1e-10)));
      assert.ok(Math.abs(w.item() - expected) < 1e-6, `${w.item()} vs ${expected}`);
    }));
  }
});
