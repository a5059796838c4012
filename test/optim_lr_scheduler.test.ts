/**
 * torch.optim.lrScheduler against PyTorch: every scheduler's learning rates (and cycled momentum) for two groups
 * over 100 steps (test/fixtures/optim.json), the scheduler-before-optimizer warning, errors, resuming and
 * state-dict round trips.
 */
import { test, describe, itemOf, userRead } from './_harness.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as torch from 'torchlet';

const L = torch.optim.lrScheduler;
type Sched = InstanceType<typeof L.LRScheduler>;

interface SRun { name: string; cls: string; args: Record<string, any>; lrs: number[][]; momentum?: number[][] }
const fx = JSON.parse(readFileSync(new URL('../../test/fixtures/optim.json', import.meta.url), 'utf8'));
const S = fx.schedulers as { metrics: number[]; runs: SRun[]; closedForm: { args: any; epochs: number[]; lrs: number[][] } };

function makeOpt(kind: 'sgd' | 'adam' = 'sgd'): torch.optim.Optimizer {
  const a = torch.zeros([3], { requiresGrad: true }), b = torch.zeros([2], { requiresGrad: true });
  if (kind === 'adam') return new torch.optim.Adam([{ params: [a] }, { params: [b], lr: 0.05 }], { lr: 0.1 });
  return new torch.optim.SGD([{ params: [a] }, { params: [b], lr: 0.05 }], { lr: 0.1, momentum: 0.9 });
}

const LAMBDAS: Record<string, any> = {
  lambda: [(e: number) => 0.95 ** e, (e: number) => 1.0 / (1 + Math.floor(e / 10))],
  multiplicative: [() => 0.97, (e: number) => (e % 10 === 0 ? 0.9 : 1.0)],
  'cyclic-custom': (x: number) => 1 / (1 + 0.1 * x),
};

function makeSched(run: SRun, opt: torch.optim.Optimizer): Sched {
  const a = { ...run.args };
  delete a.optimizer; delete a.negate;
  switch (run.name) {
    case 'lambda': return new L.LambdaLR(opt, LAMBDAS.lambda);
    case 'multiplicative': return new L.MultiplicativeLR(opt, LAMBDAS.multiplicative);
    case 'cyclic-custom': return new L.CyclicLR(opt, { ...a, scaleFn: LAMBDAS['cyclic-custom'] });
    case 'sequential':
      return new L.SequentialLR(opt, [new L.LinearLR(opt, { startFactor: 0.1, totalIters: 5 }), new L.ExponentialLR(opt, 0.95),
        new L.StepLR(opt, 10, 0.5)], a.milestones);
    case 'sequential-warmup-cosine':
      return new L.SequentialLR(opt, { schedulers: [new L.ConstantLR(opt, { factor: 0.5, totalIters: 4 }), new L.CosineAnnealingLR(opt, 90, 0.001)], milestones: a.milestones });
    case 'chained':
      return new L.ChainedScheduler([new L.ConstantLR(opt, { factor: 0.1, totalIters: 2 }), new L.ExponentialLR(opt, 0.9)]);
    case 'chained-step-multistep':
      return new L.ChainedScheduler([new L.StepLR(opt, 10, 0.8), new L.MultiStepLR(opt, [25, 50], 0.5), new L.LinearLR(opt, 0.5, 1.0, 20)], opt);
  }
  const Cls = (L as any)[run.cls];
  return new Cls(opt, a);
}

function stepOnce(run: SRun, sched: Sched, t: number): void {
  if (run.cls === 'ReduceLROnPlateau') sched.step(run.args.negate ? -S.metrics[t]! : S.metrics[t]!);
  else if (run.name.startsWith('warm-restarts-fractional')) sched.step(Math.floor(t / 5) + (t % 5) / 5);
  else sched.step();
}

function momentumOf(opt: torch.optim.Optimizer): number[] {
  return opt.paramGroups.map((g) => (g.betas ? g.betas[0] : g.momentum));
}

function assertLrs(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (!(Math.abs(a - e) <= 1e-15 + 1e-12 * Math.abs(e))) assert.fail(`${what}[${i}]: got ${a}, expected ${e}`);
  }
}

function withWarnings<T>(fn: () => T): [T, string[]] {
  const seen: string[] = [];
  const orig = process.emitWarning;
  (process as any).emitWarning = (m: string | Error) => { seen.push(String(m)); };
  try { return [fn(), seen]; } finally { process.emitWarning = orig; }
}

describe('schedulers match PyTorch for two groups over 100 steps', () => {
  for (const run of S.runs) {
    test(`${run.cls} ${run.name}`, async () => {
      withWarnings(() => {
        const opt = makeOpt(run.args.optimizer ?? 'sgd');
        const sched = makeSched(run, opt);
        const lrs = [opt.paramGroups.map((g) => g.lr)];
        const moms = [momentumOf(opt)];
        for (let t = 0; t < 100; t++) {
          opt.step();
          stepOnce(run, sched, t);
          lrs.push(opt.paramGroups.map((g) => g.lr));
          moms.push(momentumOf(opt));
          assert.deepEqual(sched.getLastLr(), lrs[lrs.length - 1]);
        }
        lrs.forEach((l, i) => assertLrs(l, run.lrs[i]!, `lrs at step ${i}`));
        if (run.momentum) moms.forEach((m, i) => assertLrs(m, run.momentum![i]!, `momentum at step ${i}`));
      });
    });
  }

  test('CyclicLR cycles Adam\'s beta1 like SGD\'s momentum', async () => {
    const run = S.runs.find((r) => r.name === 'cyclic-triangular')!;
    const opt = makeOpt('adam');
    const sched = makeSched(run, opt);
    const betas = [opt.paramGroups.map((g) => g.betas[0])];
    for (let t = 0; t < 100; t++) { opt.step(); sched.step(); betas.push(opt.paramGroups.map((g) => g.betas[0])); }
    betas.forEach((b, i) => assertLrs(b, run.momentum![i]!, `beta1 at step ${i}`));
    assert.equal(opt.paramGroups[0]!.betas[1], 0.999);
  });

  test('step(epoch) uses the closed form and warns that epoch is deprecated', async () => {
    const cf = S.closedForm;
    const opt = makeOpt();
    const sched = new L.StepLR(opt, cf.args.stepSize, cf.args.gamma);
    const [lrs, warnings] = withWarnings(() => cf.epochs.map((e) => { opt.step(); sched.step(e); return opt.paramGroups.map((g) => g.lr); }));
    lrs.forEach((l, i) => assertLrs(l, cf.lrs[i]!, `closed form ${i}`));
    assert.equal(warnings.length, cf.epochs.length);
    assert.match(warnings[0]!, /The epoch parameter in `scheduler.step\(\)` was not necessary/);
  });
});

describe('scheduler API', () => {
  test('scheduler.step() before optimizer.step() warns once, in PyTorch\'s words', async () => {
    const opt = makeOpt();
    const sched = new L.StepLR(opt, 10);
    const [, warnings] = withWarnings(() => { sched.step(); sched.step(); opt.step(); sched.step(); });
    assert.deepEqual(warnings, ['Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you should call them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`.  Failure to do this will result in PyTorch skipping the first value of the learning rate schedule. See more details at https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate']);
    const opt2 = makeOpt();
    const sched2 = new L.ExponentialLR(opt2, 0.5);
    const [, none] = withWarnings(() => { opt2.step(); sched2.step(); sched2.step(); });
    assert.deepEqual(none, []);
  });

  test('overriding optimizer.step after the scheduler was built warns', async () => {
    const opt = makeOpt();
    const sched = new L.StepLR(opt, 10);
    opt.step = () => undefined;
    const [, warnings] = withWarnings(() => sched.step());
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^Seems like `optimizer.step\(\)` has been overridden after learning rate scheduler initialization/);
  });

  test('getLr() outside step() warns and points to getLastLr()', async () => {
    const sched = new L.StepLR(makeOpt(), 10);
    const [, warnings] = withWarnings(() => sched.getLr());
    assert.deepEqual(warnings, ['To get the last learning rate computed by the scheduler, please use `getLastLr()`.']);
  });

  test('each group keeps its own initialLr; the constructor takes the first step', async () => {
    const opt = makeOpt();
    const sched = new L.LinearLR(opt, { startFactor: 0.5, totalIters: 2 });
    assert.deepEqual(opt.paramGroups.map((g) => g.initialLr), [0.1, 0.05]);
    assert.deepEqual(sched.baseLrs, [0.1, 0.05]);
    assert.equal(sched.lastEpoch, 0);
    assert.deepEqual(sched.getLastLr(), [0.05, 0.025]);
  });

  test('positional arguments and a trailing options object are equivalent', async () => {
    const pairs: [(o: torch.optim.Optimizer) => Sched, (o: torch.optim.Optimizer) => Sched][] = [
      [(o) => new L.StepLR(o, 10, 0.1), (o) => new L.StepLR(o, 10, { gamma: 0.1 })],
      [(o) => new L.StepLR(o, 3, 0.5), (o) => new L.StepLR(o, { stepSize: 3, gamma: 0.5 })],
      [(o) => new L.CosineAnnealingLR(o, 20, 0.01), (o) => new L.CosineAnnealingLR(o, 20, { etaMin: 0.01 })],
      [(o) => new L.ReduceLROnPlateau(o, 'max', 0.5, 2), (o) => new L.ReduceLROnPlateau(o, { mode: 'max', factor: 0.5, patience: 2 })],
      [(o) => new L.OneCycleLR(o, 0.1, 50), (o) => new L.OneCycleLR(o, { maxLr: 0.1, totalSteps: 50 })],
      [(o) => new L.CyclicLR(o, 0.01, 0.1, 5), (o) => new L.CyclicLR(o, 0.01, 0.1, { stepSizeUp: 5 })],
    ];
    for (const [a, b] of pairs) {
      const oa = makeOpt(), ob = makeOpt();
      const sa = a(oa), sb = b(ob);
      for (let i = 0; i < 30; i++) {
        oa.step(); ob.step();
        if (sa instanceof L.ReduceLROnPlateau) { sa.step(i % 3); (sb as any).step(i % 3); } else { sa.step(); sb.step(); }
      }
      assert.deepEqual(sa.getLastLr(), sb.getLastLr());
    }
  });

  test('OneCycleLR throws past totalSteps', async () => {
    const opt = makeOpt();
    const sched = new L.OneCycleLR(opt, [0.1, 0.05], { totalSteps: 100 });
    for (let i = 0; i < 100; i++) { opt.step(); sched.step(); }
    assert.throws(() => sched.step(), { name: 'RangeError', message: 'Tried to step 101 times. The specified number of total steps is 100' });
    assert.throws(() => new L.OneCycleLR(opt, 0.1), { message: 'You must define either total_steps OR (epochs AND steps_per_epoch)' });
    assert.throws(() => new L.OneCycleLR(opt, 0.1, { totalSteps: 0 }), { message: 'Expected positive integer total_steps, but got 0' });
    assert.throws(() => new L.OneCycleLR(opt, 0.1, { totalSteps: 10, annealStrategy: 'exp' as any }),
      { message: "anneal_strategy must be one of 'cos' or 'linear', instead got exp" });
    assert.throws(() => new L.OneCycleLR(opt, [0.1], { totalSteps: 10 }),
      { message: 'max_lr must have the same length as optimizer.param_groups. max_lr has 1 values, param_groups has 2.' });
  });

  test('constructor errors', async () => {
    const opt = makeOpt();
    assert.throws(() => new L.StepLR({} as any, 3), { name: 'TypeError', message: 'Object is not an Optimizer' });
    assert.throws(() => new L.StepLR(opt, 3, { lastEpoch: 5 }),
      { message: "param 'initialLr' is not specified in paramGroups[0] when resuming an optimizer" });
    assert.throws(() => new L.LambdaLR(opt, [() => 1]), { message: 'Expected 2 lr_lambdas, but got 1' });
    assert.throws(() => new L.ConstantLR(opt, { factor: 2 }), { message: 'Constant multiplicative factor expected to be between 0 and 1.' });
    assert.throws(() => new L.LinearLR(opt, { startFactor: 0 }), { message: 'Starting multiplicative factor expected to be greater than 0 and less or equal to 1.' });
    assert.throws(() => new L.LinearLR(opt, { endFactor: 1.5 }), { message: 'Ending multiplicative factor expected to be between 0 and 1.' });
    assert.throws(() => new L.CosineAnnealingWarmRestarts(opt, 0), { message: 'Expected positive integer T_0, but got 0' });
    assert.throws(() => new L.CosineAnnealingWarmRestarts(opt, 5, 1.5), { message: 'Expected integer T_mult >= 1, but got 1.5' });
    assert.throws(() => new L.ReduceLROnPlateau(opt, { factor: 1.0 }), { message: 'Factor should be < 1.0.' });
    assert.throws(() => new L.ReduceLROnPlateau(opt, { mode: 'up' as any }), { message: 'mode up is unknown!' });
    assert.throws(() => new L.ReduceLROnPlateau(opt, { minLr: [0.1] }), { message: 'expected 2 min_lrs, got 1' });
    assert.throws(() => new L.CyclicLR(opt, 0.01, 0.1, { mode: 'zigzag' as any }), { message: 'mode is invalid and scale_fn is None' });
    const noMomentum = new torch.optim.Adagrad([torch.zeros([1], { requiresGrad: true })]);
    assert.throws(() => new L.CyclicLR(noMomentum, 0.01, 0.1), { message: 'optimizer must support momentum or beta1 with `cycle_momentum` option enabled' });
    const s1 = new L.StepLR(opt, 3);
    assert.throws(() => new L.SequentialLR(opt, [s1], [3]),
      { message: 'Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers 1 and the number of milestones to be equal to 1' });
    const other = new L.StepLR(makeOpt(), 3);
    assert.throws(() => new L.ChainedScheduler([s1, other]),
      { message: 'ChainedScheduler expects all schedulers to belong to the same optimizer, but got scheduler StepLR at index 1 has SGD, which is different from SGD.' });
    assert.throws(() => new L.ChainedScheduler([s1, new L.ReduceLROnPlateau(opt)]), /does not support `ReduceLROnPlateau` scheduler/);
    assert.throws(() => new L.SequentialLR(opt, [], []), { message: 'SequentialLR expects at least one scheduler, but got no scheduler.' });
  });

  test('ReduceLROnPlateau takes a tensor metric and honours per-group minLr', async () => {
    const opt = makeOpt();
    const sched = new L.ReduceLROnPlateau(opt, { patience: 0, factor: 0.1, minLr: [0.02, 0] });
    // a tensor metric is read on the host, as PyTorch's float(metrics)
    userRead(() => sched.step(torch.tensor(1.0)));
    userRead(() => sched.step(torch.tensor(1.0)));
    assert.deepEqual(sched.getLastLr().map((x) => +x.toPrecision(12)), [0.02, 0.005]);
    assert.equal(sched.inCooldown, false);
  });

  test('resuming with lastEpoch continues the schedule', async () => {
    for (const name of ['exponential', 'step']) {
      const run = S.runs.find((r) => r.name === name)!;
      const opt = makeOpt();
      const sched = makeSched(run, opt);
      for (let t = 0; t < 40; t++) { opt.step(); sched.step(); }
      // a fresh scheduler resuming at epoch 39 over the same (already scheduled) optimizer
      const resumed = name === 'exponential' ? new L.ExponentialLR(opt, run.args.gamma, { lastEpoch: 39 })
        : new L.StepLR(opt, run.args.stepSize, run.args.gamma, 39);
      assert.equal(resumed.lastEpoch, 40);
      assertLrs(opt.paramGroups.map((g) => g.lr), run.lrs[40]!, 'after resuming');
      for (let t = 40; t < 100; t++) { opt.step(); resumed.step(); assertLrs(opt.paramGroups.map((g) => g.lr), run.lrs[t + 1]!, `${name} step ${t + 1}`); }
    }
  });

  describe('state-dict round trip mid-run continues exactly like an uninterrupted run', () => {
    const names = ['lambda', 'step', 'multistep', 'cosine', 'polynomial', 'warm-restarts', 'warm-restarts-fractional', 'cyclic-triangular2',
      'cyclic-custom', 'onecycle-three-phase', 'onecycle-adam-beta1', 'plateau-min-rel', 'sequential', 'sequential-warmup-cosine',
      'chained-step-multistep'];
    for (const name of names) {
      test(name, async () => {
        withWarnings(() => {
          const run = S.runs.find((r) => r.name === name)!;
          const kind = run.args.optimizer ?? 'sgd';
          const opt = makeOpt(kind);
          const sched = makeSched(run, opt);
          for (let t = 0; t < 40; t++) { opt.step(); stepOnce(run, sched, t); }
          const saved = structuredClone({ opt: opt.stateDict(), sched: sched.stateDict() });
          // a fresh optimizer and scheduler, then load both states (PyTorch's recommended order)
          const opt2 = makeOpt(kind);
          const sched2 = makeSched(run, opt2);
          opt2.loadStateDict(saved.opt);
          sched2.loadStateDict(saved.sched);
          assertLrs(opt2.paramGroups.map((g) => g.lr), run.lrs[40]!, 'restored lr');
          for (let t = 40; t < 100; t++) {
            opt2.step();
            stepOnce(run, sched2, t);
            assertLrs(opt2.paramGroups.map((g) => g.lr), run.lrs[t + 1]!, `lrs at step ${t + 1}`);
            if (run.momentum) assertLrs(momentumOf(opt2), run.momentum[t + 1]!, `momentum at step ${t + 1}`);
          }
        });
      });
    }

    test('stateDict holds plain data (no optimizer, no functions)', async () => {
      const opt = makeOpt();
      const sd = new L.LambdaLR(opt, LAMBDAS.lambda).stateDict();
      assert.equal('optimizer' in sd, false);
      assert.deepEqual(sd.lrLambdas, [null, null]);
      assert.deepEqual(JSON.parse(JSON.stringify(sd)).baseLrs, [0.1, 0.05]);
    });
  });
});

describe('groups added after the scheduler was built, and restarts inside SequentialLR', () => {
  const S = torch.optim.lrScheduler;
  const params = () => [torch.ones([2]).requiresGrad_(), torch.ones([2]).requiresGrad_()];
  const stepAll = (o: torch.optim.Optimizer, s: { step(): void }, ps: torch.Tensor[], n: number) => {
    for (let i = 0; i < n; i++) { for (const p of ps) p.grad = torch.onesLike(p); o.step(); s.step(); }
  };

  test('CyclicLR leaves a later group alone (zip semantics), as PyTorch', async () => {
    const [a, b] = params();
    const o = new torch.optim.SGD([a!], { lr: 0.1, momentum: 0.9 });
    const s = new S.CyclicLR(o, 0.01, 0.1, { stepSizeUp: 4 });
    o.addParamGroup({ params: [b!], lr: 0.05 });
    stepAll(o, s, [a!, b!], 3);
    assert.equal(o.paramGroups[1]!.lr, 0.05);
    assert.equal(o.paramGroups[1]!.momentum, 0.9);
    assert.ok(await itemOf(b!.isfinite().all()));
  });

  test('CosineAnnealingWarmRestarts leaves a later group alone', async () => {
    const [a, b] = params();
    const o = new torch.optim.Adam([a!], { lr: 0.1 });
    const s = new S.CosineAnnealingWarmRestarts(o, 5);
    o.addParamGroup({ params: [b!], lr: 0.5 });
    stepAll(o, s, [a!, b!], 3);
    assert.equal(o.paramGroups[1]!.lr, 0.5);
    assert.ok(await itemOf(b!.isfinite().all()));
  });

  test('OneCycleLR refuses a later group without its keys instead of producing NaN', async () => {
    const [a, b] = params();
    const o = new torch.optim.SGD([a!], { lr: 0.1, momentum: 0.9 });
    const s = new S.OneCycleLR(o, 1.0, { totalSteps: 10 });
    o.addParamGroup({ params: [b!], lr: 0.05 });
    for (const p of [a!, b!]) p.grad = torch.onesLike(p);
    o.step();
    assert.throws(() => s.step(), /param group 1 has no 'initialLr'.*KeyError: 'initial_lr'/);
  });

  test('MultiplicativeLR restarted by SequentialLR at a milestone does not apply its factor early', async () => {
    const [p] = params();
    const o = new torch.optim.SGD([p!], { lr: 1 });
    const a = new S.ConstantLR(o, 0.5, 2);
    const b = new S.MultiplicativeLR(o, () => 0.9);
    const s = new S.SequentialLR(o, [a, b], [3]);
    const lrs: number[] = [];
    for (let i = 0; i < 6; i++) { o.step(); s.step(); lrs.push(o.paramGroups[0]!.lr as number); }
    // PyTorch 1.13, the lr after each of six steps: [0.5, 1.0, 1.0, 0.9, 0.81, 0.729]
    [0.5, 1.0, 1.0, 0.9, 0.81, 0.729].forEach((v, i) => assert.ok(Math.abs(lrs[i]! - v) < 1e-12, `lr[${i}] = ${lrs[i]}, expected ${v}`));
  });
});
