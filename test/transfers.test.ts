/**
 * Zero host transfers per training step (issue 9, item 4): on the async-only backend, a full step (forward, loss,
 * backward, clipGradNorm_, optimizer step, scheduler step) must neither read values to the host nor upload any.
 * The data batch is uploaded before the counters are reset; a warm-up step comes first (lazily created optimizer
 * state may be uploaded once). The async-only backend is installed for `cpu` in this file whatever the run.
 *
 * Each case first measures the step with synchronous reads allowed and counted (a diagnostic printed with the
 * sites), then runs it strictly and asserts 0 transfers of every kind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';
import type { Tensor } from 'torchlet';
import { installAsyncOnly, itemOf } from './_harness.js';
import type { TransferCounts } from '../src/backend/testing/async_only.js';

const { nn, optim } = torch;
const F = nn.functional;
const backend = installAsyncOnly();

// On this branch library code still reads and uploads during a step (optimizers, clipping, nn kernels, scalars,
// random fills are being moved down in parallel, issue 9): the cases are TODO with the current counts printed.
// The lead turns them on after merging by setting this to false.
const PENDING: string | false = false;

interface Setup {
  model: torch.nn.Module;
  opt: torch.optim.Optimizer;
  sched: { step(): void };
  x: Tensor;
  y: Tensor;
  loss(out: Tensor, y: Tensor): Tensor;
}

function step(s: Setup): Tensor {
  s.opt.zeroGrad();
  const loss = s.loss(s.model.call(s.x), s.y);
  loss.backward();
  nn.utils.clipGradNorm_(s.model.parameters(), 1.0);
  s.opt.step();
  s.sched.step();
  return loss;
}

const STEPS = 3;

/** Transfers per step over STEPS steps after a warm-up; with `allowSync`, synchronous reads are served and counted. */
function measure(make: () => Setup, allowSync: boolean): { perStep: TransferCounts; sites: string[]; loss: Tensor } {
  torch.manualSeed(0);
  backend.allowSyncReads(allowSync);
  backend.recordStacks(allowSync);
  try {
    const s = make(); // model, optimizer and the data batch are created (uploaded) here
    step(s); // warm-up
    backend.resetTransfers();
    let loss: Tensor | null = null;
    for (let i = 0; i < STEPS; i++) loss = step(s);
    const c = backend.transfers();
    const sites = new Map<string, number>();
    for (const r of backend.transferLog()) {
      // the first frame above the tensor/ops layer is the interesting one
      const frames = r.stack.split('\n').filter((f) => !/async_only|tensor\.js/.test(f));
      const key = `${r.kind} ← ${(frames[0] ?? '?').replace(/^at /, '').replace(/file:\/\/\/.*\/dist\//, '')}`;
      sites.set(key, (sites.get(key) ?? 0) + 1);
    }
    return {
      perStep: { read: c.read / STEPS, fromArray: c.fromArray / STEPS, readSync: c.readSync / STEPS },
      sites: [...sites].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${(n / STEPS).toFixed(1)}/step ${k}`),
      loss: loss!,
    };
  } finally {
    backend.allowSyncReads(false);
    backend.recordStacks(false);
    backend.resetTransfers();
  }
}

const ZERO: TransferCounts = { read: 0, fromArray: 0, readSync: 0 };

const CASES: [string, () => Setup][] = [
  ['MLP, Adam, cross-entropy', () => {
    const model = new nn.Sequential(new nn.Linear(20, 32), new nn.ReLU(), new nn.Linear(32, 32), new nn.Tanh(), new nn.Linear(32, 5));
    const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
    return { model, opt, sched: new optim.lrScheduler.StepLR(opt, 2, 0.5), x: torch.randn([16, 20]), y: torch.randint(0, 5, [16]), loss: (o, y) => F.crossEntropy(o, y) };
  }],
  ['CNN (conv, max pool, batch norm, dropout, linear), SGD momentum, StepLR', () => {
    const model = new nn.Sequential(
      new nn.Conv2d(3, 8, 3, { padding: 1 }), new nn.BatchNorm2d(8), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Dropout(0.25), new nn.Flatten(), new nn.Linear(8 * 4 * 4, 10));
    const opt = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    return { model, opt, sched: new optim.lrScheduler.StepLR(opt, 2, 0.5), x: torch.randn([4, 3, 8, 8]), y: torch.randint(0, 10, [4]), loss: (o, y) => F.crossEntropy(o, y) };
  }],
  ['MLP, SGD, MSE on one-hot targets', () => {
    const model = new nn.Sequential(new nn.Linear(6, 16), new nn.ReLU(), new nn.Linear(16, 4));
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    return { model, opt, sched: new optim.lrScheduler.StepLR(opt, 2, 0.5), x: torch.randn([8, 6]), y: torch.randint(0, 4, [8]), loss: (o, y) => F.mseLoss(o, F.oneHot(y, 4).float()) };
  }],
];

for (const [name, make] of CASES) {
  test(`zero host transfers per training step: ${name}`, { todo: PENDING }, async (t) => {
    const diag = measure(make, true);
    t.diagnostic(`${name}: per step ${JSON.stringify(diag.perStep)}`);
    for (const site of diag.sites) t.diagnostic(`  ${site}`);
    assert.ok(Number.isFinite(await itemOf(diag.loss)), 'the loss is finite');
    const strict = measure(make, false);
    assert.deepEqual(strict.perStep, ZERO, `host transfers per step (diagnostic run: ${JSON.stringify(diag.perStep)})`);
    // the user's own read of the loss is the one transfer, and it is asynchronous
    assert.ok(Number.isFinite(await itemOf(strict.loss)));
    assert.equal(backend.transfers().read, 1);
  });
}

test('the counter sees a step\'s transfers (a user .item() inside the step is counted)', () => {
  const r = measure(() => {
    const s = CASES[2]![1]();
    return { ...s, loss: (o, y) => { const l = F.mseLoss(o, F.oneHot(y, 4).float()); l.item(); return l; } };
  }, true);
  assert.ok(r.perStep.readSync >= 1, JSON.stringify(r.perStep));
  assert.ok(r.sites.some((s) => s.startsWith('1.0/step readSync')), r.sites.join('\n'));
});
