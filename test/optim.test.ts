/**
 * torch.optim against PyTorch: every optimizer for 50 steps on a small two-layer model with two parameter groups
 * (different lr and weight decay) and a frozen parameter, final parameters and state compared with
 * test/fixtures/optim.json (scripts/gen_optim_fixtures.py). Plus the Optimizer API: groups, defaults, errors,
 * zeroGrad, closures, stateDict round trips.
 */
import { test, describe, tensorsToLists, toList, itemOf, dataOf, OPTIM_MODES, inOptimMode } from './_harness.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as torch from 'torchlet';
import type { Tensor } from 'torchlet';

interface Run {
  name: string;
  cls: string;
  defaults: Record<string, any>;
  groups: Record<string, any>[];
  dtype: 'float32' | 'float64';
  losses: number[];
  params: number[][];
  state: Record<string, Record<string, number | number[]>>;
}
const fx = JSON.parse(readFileSync(new URL('../../test/fixtures/optim.json', import.meta.url), 'utf8'));
const O = fx.optimizers as { steps: number; paramNames: string[]; model: Record<string, { shape: number[]; data: number[] }>; runs: Run[] };

type Model = Record<string, Tensor>;

function makeModel(dtype: 'float32' | 'float64'): Model {
  const m: Model = {};
  for (const [k, v] of Object.entries(O.model)) m[k] = torch.tensor(v.data, { dtype }).reshape(v.shape);
  for (const k of ['w1', 'b1', 'w2', 'b2']) m[k]!.requiresGrad_();
  return m;
}

function lossOf(m: Model): Tensor {
  return m.x!.matmul(m.w1!.t()).add(m.b1!).tanh().matmul(m.w2!.t()).add(m.b2!).sub(m.y!).pow(2).mean();
}

function build(run: Run, m: Model): torch.optim.Optimizer {
  const Cls = (torch.optim as any)[run.cls];
  const groups = [
    { params: [m.w1!, m.b1!, m.frozen!], ...run.groups[0] },
    { params: [m.w2!, m.b2!], ...run.groups[1] },
  ];
  return new Cls(groups, run.defaults);
}

async function trainStep(opt: torch.optim.Optimizer, m: Model): Promise<number> {
  opt.zeroGrad();
  const loss = lossOf(m);
  loss.backward();
  opt.step();
  return await itemOf(loss);
}

function tol(dtype: string): { rtol: number; atol: number } {
  return dtype === 'float64' ? { rtol: 1e-9, atol: 1e-12 } : { rtol: 2e-4, atol: 2e-6 };
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, t: { rtol: number; atol: number }, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    const ok = Math.abs(a - e) <= t.atol + t.rtol * Math.abs(e) || (Number.isNaN(a) && Number.isNaN(e));
    if (!ok) assert.fail(`${what}[${i}]: got ${a}, expected ${e} (rtol ${t.rtol}, atol ${t.atol})`);
  }
}

async function flat(t: Tensor): Promise<number[]> { return Array.from(await dataOf(t)); }

/**
 * Every fixture runs twice: with the CPU backend's fused kernels (`fusedOptimizerStep`, `foreachNorm`,
 * `foreachMul_`) and with the frontend's Tensor-op fallback, forced by shadowing the kernels on the registered
 * backend instance with `undefined`, as a backend without them would look.
 */
const MODES = OPTIM_MODES;
const inMode = inOptimMode;

for (const mode of MODES) describe(`optimizers match PyTorch over 50 steps (two groups, frozen parameter) [${mode}]`, () => {
  for (const run of O.runs) {
    test(`${run.cls} ${run.name} (${run.dtype})`, () => inMode(mode, async () => {
      const m = makeModel(run.dtype);
      const opt = build(run, m);
      const losses: number[] = [];
      for (let s = 0; s < O.steps; s++) losses.push(await trainStep(opt, m));
      const t = tol(run.dtype);
      assertClose(losses, run.losses, t, 'losses');
      for (const [i, name] of O.paramNames.entries()) assertClose(await flat(m[name]!), run.params[i]!, t, `param ${name}`);
      const sd = opt.stateDict();
      assert.deepEqual(Object.keys(sd.state).sort(), Object.keys(run.state).sort(), 'parameters with state');
      for (const [idx, expected] of Object.entries(run.state)) {
        const st = sd.state[Number(idx)]!;
        assert.deepEqual(Object.keys(st).sort(), Object.keys(expected).sort(), `state keys of param ${idx}`);
        for (const [k, v] of Object.entries(expected)) {
          const got = st[k] as Tensor;
          assertClose(await flat(got), typeof v === 'number' ? [v] : v, k === 'muProduct' ? { rtol: 1e-7, atol: 0 } : t, `state[${idx}].${k}`);
        }
      }
      // the frozen parameter (grad null) is untouched and has no state
      assert.deepEqual(await flat(m.frozen!), Array.from(await dataOf(torch.tensor(O.model.frozen!.data, { dtype: run.dtype }))));
      assert.equal(opt.state.has(m.frozen!), '2' in run.state);
    }));
  }
});

for (const mode of MODES) describe(`state-dict round trip mid-run continues exactly like an uninterrupted run [${mode}]`, () => {
  const seen = new Set<string>();
  const picks = O.runs.filter((r) => r.dtype === 'float64' && !seen.has(r.cls) && (seen.add(r.cls), true));
  picks.push(O.runs.find((r) => r.name === 'adam-amsgrad')!, O.runs.find((r) => r.name === 'rmsprop-centered-momentum-maximize')!);
  for (const run of picks) {
    test(`${run.cls} ${run.name}`, () => inMode(mode, async () => {
      const full = makeModel(run.dtype);
      const optFull = build(run, full);
      for (let s = 0; s < O.steps; s++) await trainStep(optFull, full);

      const a = makeModel(run.dtype);
      const optA = build(run, a);
      for (let s = 0; s < 20; s++) await trainStep(optA, a);
      // checkpoint: parameter values and the optimizer state, through JSON (tensors as nested lists)
      const json = JSON.stringify(await tensorsToLists({
        params: O.paramNames.map((k) => a[k]!),
        opt: optA.stateDict(),
      }));
      const ck = JSON.parse(json);
      const b = makeModel(run.dtype);
      O.paramNames.forEach((k, i) => torch.noGrad(() => b[k]!.copy_(torch.tensor(ck.params[i], { dtype: run.dtype }))));
      const optB = build(run, b);
      optB.loadStateDict(ck.opt);
      for (let s = 20; s < O.steps; s++) await trainStep(optB, b);
      for (const k of O.paramNames) assert.deepEqual(await flat(b[k]!), await flat(full[k]!), `param ${k} after resuming`);
      for (const [i, name] of O.paramNames.entries()) assertClose(await flat(b[name]!), run.params[i]!, tol(run.dtype), `param ${name} vs PyTorch`);
    }));
  }

  test('in-memory stateDict/loadStateDict into a second optimizer (tensors are deep-copied on load)', () => inMode(mode, async () => {
    const run = O.runs.find((r) => r.name === 'sgd-nesterov')!;
    const a = makeModel('float64');
    const optA = build(run, a);
    for (let s = 0; s < 10; s++) await trainStep(optA, a);
    const sd = optA.stateDict();
    const b = makeModel('float64');
    for (const k of O.paramNames) torch.noGrad(() => b[k]!.copy_(a[k]!));
    const optB = build(run, b);
    optB.loadStateDict(sd);
    const bufA = optA.state.get(a.w1!)!.momentumBuffer as Tensor;
    const bufB = optB.state.get(b.w1!)!.momentumBuffer as Tensor;
    assert.notEqual(bufA, bufB);
    assert.deepEqual(await flat(bufA), await flat(bufB));
    for (let s = 0; s < 10; s++) { await trainStep(optA, a); await trainStep(optB, b); }
    for (const k of O.paramNames) assert.deepEqual(await flat(b[k]!), await flat(a[k]!));
  }));

  test('loadStateDict casts floating state to the parameter dtype (step stays float32)', async () => {
    const w64 = torch.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const opt64 = new torch.optim.Adam([w64], 0.1);
    w64.pow(2).sum().backward();
    opt64.step();
    const w32 = torch.tensor([1, 2], { requiresGrad: true });
    const opt32 = new torch.optim.Adam([w32], 0.1);
    opt32.loadStateDict(opt64.stateDict());
    const st = opt32.state.get(w32)!;
    assert.equal((st.expAvg as Tensor).dtype, 'float32');
    assert.equal((st.step as Tensor).dtype, 'float32');
    assert.equal(await itemOf((st.step as Tensor)), 1);
  });

  test('loadStateDict checks the group count and sizes', async () => {
    const [p, q, r] = [0, 1, 2].map(() => torch.zeros([2], { requiresGrad: true })) as [Tensor, Tensor, Tensor];
    const two = new torch.optim.SGD([{ params: [p] }, { params: [q, r] }], 0.1);
    const one = new torch.optim.SGD([p, q, r], 0.1);
    assert.throws(() => one.loadStateDict(two.stateDict()), { message: 'loaded state dict has a different number of parameter groups' });
    const twoOther = new torch.optim.SGD([{ params: [p, q] }, { params: [r] }], 0.1);
    assert.throws(() => twoOther.loadStateDict(two.stateDict()),
      { message: "loaded state dict contains a parameter group that doesn't match the size of optimizer's group" });
  });
});

describe('Optimizer API', () => {
  const P = (n = 2) => torch.ones([n], { requiresGrad: true });

  test('positional arguments and one trailing options object are equivalent', async () => {
    const cases: [() => torch.optim.Optimizer, () => torch.optim.Optimizer][] = [
      [() => new torch.optim.SGD([P()], 0.1), () => new torch.optim.SGD([P()], { lr: 0.1 })],
      [() => new torch.optim.SGD([P()], 0.1, 0.9, 0, 1e-4, true), () => new torch.optim.SGD([P()], { lr: 0.1, momentum: 0.9, weightDecay: 1e-4, nesterov: true })],
      [() => new torch.optim.SGD([P()], 0.1, { momentum: 0.9 }), () => new torch.optim.SGD([P()], { lr: 0.1, momentum: 0.9 })],
      [() => new torch.optim.Adam([P()], 0.01, [0.8, 0.9], 1e-6), () => new torch.optim.Adam([P()], { lr: 0.01, betas: [0.8, 0.9], eps: 1e-6 })],
      [() => new torch.optim.RMSprop([P()], 0.01, 0.9, { centered: true }), () => new torch.optim.RMSprop([P()], { lr: 0.01, alpha: 0.9, centered: true })],
    ];
    for (const [a, b] of cases) {
      const ga = a().paramGroups[0]!, gb = b().paramGroups[0]!;
      const strip = (g: any) => { const { params, ...rest } = g; void params; return rest; };
      assert.deepEqual(strip(ga), strip(gb));
    }
  });

  test('defaults fill in what each group leaves out (setdefault)', async () => {
    const a = P(), b = P();
    const opt = new torch.optim.Adam([{ params: a, lr: 0.01 }, { params: [b], lr: 0.001 }], { weightDecay: 1e-3 });
    assert.deepEqual(opt.paramGroups.map((g) => g.lr), [0.01, 0.001]);
    assert.deepEqual(opt.paramGroups.map((g) => g.weightDecay), [1e-3, 1e-3]);
    assert.deepEqual(opt.paramGroups.map((g) => g.betas), [[0.9, 0.999], [0.9, 0.999]]);
    assert.equal(opt.paramGroups[0]!.params[0], a);
    assert.equal(new torch.optim.AdamW([P()]).paramGroups[0]!.weightDecay, 1e-2);
    assert.equal(new torch.optim.Adadelta([P()]).paramGroups[0]!.lr, 1.0);
    assert.equal(new torch.optim.NAdam([P()]).paramGroups[0]!.momentumDecay, 4e-3);
  });

  test("PyTorch's errors", async () => {
    assert.throws(() => new torch.optim.SGD([P()], -1), { name: 'RangeError', message: 'Invalid learning rate: -1' });
    assert.throws(() => new torch.optim.Adam([P()], { lr: -0.5 }), { message: 'Invalid learning rate: -0.5' });
    assert.throws(() => new torch.optim.SGD([], 0.1), { message: 'optimizer got an empty parameter list' });
    assert.throws(() => new torch.optim.SGD([P()]), { message: "parameter group didn't specify a value of required optimization parameter lr" });
    assert.throws(() => new torch.optim.SGD([{ params: [P()] }, { params: [P()], lr: 0.1 }]),
      { message: "parameter group didn't specify a value of required optimization parameter lr" });
    const shared = P();
    assert.throws(() => new torch.optim.SGD([{ params: [shared] }, { params: [P(), shared] }], 0.1),
      { message: 'some parameters appear in more than one parameter group' });
    const nonLeaf = P().mul(2);
    assert.throws(() => new torch.optim.SGD([nonLeaf], 0.1), { message: "can't optimize a non-leaf Tensor" });
    assert.throws(() => new torch.optim.SGD(P() as any, 0.1),
      { name: 'TypeError', message: 'params argument given to the optimizer should be an iterable of Tensors or dicts, but got torch.FloatTensor' });
    assert.throws(() => new torch.optim.SGD([P()], 0.1, -0.9), { message: 'Invalid momentum value: -0.9' });
    assert.throws(() => new torch.optim.SGD([P()], { lr: 0.1, weightDecay: -1 }), { message: 'Invalid weight_decay value: -1' });
    assert.throws(() => new torch.optim.SGD([P()], { lr: 0.1, nesterov: true }), { message: 'Nesterov momentum requires a momentum and zero dampening' });
    assert.throws(() => new torch.optim.SGD([P()], { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }),
      { message: 'Nesterov momentum requires a momentum and zero dampening' });
    assert.throws(() => new torch.optim.Adam([P()], { betas: [1.0, 0.999] }), { message: 'Invalid beta parameter at index 0: 1' });
    assert.throws(() => new torch.optim.Adam([P()], { betas: [0.9, -0.1] }), { message: 'Invalid beta parameter at index 1: -0.1' });
    assert.throws(() => new torch.optim.Adam([P()], { eps: -1e-8 }), { message: 'Invalid epsilon value: -1e-08' });
    assert.throws(() => new torch.optim.RMSprop([P()], { alpha: -1 }), { message: 'Invalid alpha value: -1' });
    assert.throws(() => new torch.optim.Adagrad([P()], { lrDecay: -1 }), { message: 'Invalid lr_decay value: -1' });
    assert.throws(() => new torch.optim.Adagrad([P()], { initialAccumulatorValue: -1 }), { message: 'Invalid initial_accumulator_value value: -1' });
    assert.throws(() => new torch.optim.Adadelta([P()], { rho: 1.5 }), { message: 'Invalid rho value: 1.5' });
    assert.throws(() => new torch.optim.NAdam([P()], { momentumDecay: -1 }), { message: 'Invalid momentum_decay value: -1' });
    assert.throws(() => new torch.optim.SGD([P()], { lr: 0.1, weight_decay: 0.1 } as any),
      { name: 'TypeError', message: "SGD.__init__() got an unexpected keyword argument 'weight_decay'; did you mean 'weightDecay'?" });
    assert.throws(() => new torch.optim.SGD([{ params: [P(), 3 as any] }], 0.1),
      { name: 'TypeError', message: 'optimizer can only optimize Tensors, but one of the params is int' });
  });

  test("PyTorch's implementation switches are accepted; differentiable is refused", async () => {
    const opt = new torch.optim.Adam([P()], { lr: 0.01, foreach: true, fused: null, capturable: false });
    assert.equal('foreach' in opt.paramGroups[0]!, false);
    assert.throws(() => new torch.optim.SGD([P()], { lr: 0.1, differentiable: true }), /differentiable=True is not supported/);
  });

  test('a duplicate parameter inside one group warns', async () => {
    const warnings: string[] = [];
    const orig = process.emitWarning;
    (process as any).emitWarning = (m: string) => { warnings.push(m); };
    try {
      const p = P();
      new torch.optim.SGD([p, p], 0.1);
    } finally { process.emitWarning = orig; }
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /optimizer contains a parameter group with duplicate parameters/);
  });

  test('paramGroups is mutable: writing group.lr changes the next step', async () => {
    const w = torch.tensor([1.0], { requiresGrad: true });
    const opt = new torch.optim.SGD([w], 0.1);
    w.mul(1).sum().backward();
    opt.paramGroups[0]!.lr = 0.5;
    opt.step();
    assert.deepEqual(await toList(w), [0.5]);
  });

  test('addParamGroup unfreezes a layer later, with its own options', async () => {
    const a = torch.tensor([1.0], { requiresGrad: true }), b = torch.tensor([1.0], { requiresGrad: true });
    const opt = new torch.optim.SGD([a], { lr: 0.1, momentum: 0.5 });
    const step = () => { opt.zeroGrad(); a.add(b).sum().backward(); opt.step(); };
    step();
    assert.deepEqual(await toList(b), [1]);
    opt.addParamGroup({ params: b, lr: 0.01 });
    assert.equal(opt.paramGroups[1]!.momentum, 0.5);
    step();
    assert.ok(Math.abs(await itemOf(b) - 0.99) < 1e-7);
    assert.throws(() => opt.addParamGroup({ params: [a] }), { message: 'some parameters appear in more than one parameter group' });
    // Adagrad keeps its state from the constructor; parameters added later get theirs on first use
    const c = torch.tensor([2.0], { requiresGrad: true }), d = torch.tensor([2.0], { requiresGrad: true });
    const ada = new torch.optim.Adagrad([c], { lr: 0.1, initialAccumulatorValue: 0.5 });
    assert.equal(await itemOf((ada.state.get(c)!.sum as Tensor)), 0.5);
    ada.addParamGroup({ params: [d] });
    c.add(d).sum().backward();
    ada.step();
    assert.ok(Math.abs(await itemOf(d) - (2 - 0.1 / (Math.sqrt(1.5) + 1e-10))) < 1e-6);
  });

  test('zeroGrad sets grads to null by default, or zeros them', async () => {
    const w = P();
    const opt = new torch.optim.SGD([w], 0.1);
    w.sum().backward();
    opt.zeroGrad();
    assert.equal(w.grad, null);
    w.sum().backward();
    const gradOf = (t: Tensor): Tensor | null => t.grad;
    const g = gradOf(w)!;
    opt.zeroGrad({ setToNone: false });
    assert.equal(gradOf(w), g);
    assert.deepEqual(await toList(g), [0, 0]);
    opt.zeroGrad(false);
    assert.deepEqual(await toList(gradOf(w)!), [0, 0]);
  });

  test('parameters with a zero grad are stepped, those with a null grad are skipped', async () => {
    const a = torch.tensor([1.0], { requiresGrad: true }), b = torch.tensor([1.0], { requiresGrad: true });
    const opt = new torch.optim.Adam([a, b], { lr: 0.1, weightDecay: 0.1 });
    a.grad = torch.zeros([1]);
    opt.step();
    assert.notEqual(await itemOf(a), 1); // weight decay moves it
    assert.equal(await itemOf(b), 1);
    assert.equal(opt.state.has(b), false);
  });

  test('step(closure) evaluates the closure with grad enabled and returns its loss', async () => {
    const w = torch.tensor([3.0], { requiresGrad: true });
    const opt = new torch.optim.SGD([w], 0.1);
    const loss = torch.noGrad(() => opt.step(() => { opt.zeroGrad(); const l = w.pow(2).sum(); l.backward(); return l; }));
    assert.equal(await itemOf((loss as Tensor)), 9);
    assert.ok(Math.abs(await itemOf(w) - 2.4) < 1e-6);
  });

  test('the update is in place on the parameter storage and bumps its version', async () => {
    const w = torch.tensor([1.0, 2.0], { requiresGrad: true });
    const opt = new torch.optim.SGD([w], 0.1);
    const y = w.mul(w); // saves w for backward
    w.sum().backward();
    const storage = w._s;
    opt.step();
    assert.equal(w._s, storage);
    assert.throws(() => y.sum().backward(), /modified by an inplace operation/);
  });

  test('non-contiguous parameters are updated through a copy', async () => {
    const base = torch.tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const opt = new torch.optim.SGD([base], 0.5);
    base.grad = torch.tensor([[1, 1], [1, 1]]).t(); // a transposed (strided) grad
    opt.step();
    assert.deepEqual(await toList(base), [[0.5, 1.5], [2.5, 3.5]]);
  });

  test('Adam with decoupledWeightDecay is AdamW', async () => {
    const mk = () => torch.tensor([1.0, -2.0, 0.5], { dtype: 'float64', requiresGrad: true });
    const a = mk(), b = mk();
    const oa = new torch.optim.Adam([a], { lr: 0.05, weightDecay: 0.1, decoupledWeightDecay: true });
    const ob = new torch.optim.AdamW([b], { lr: 0.05, weightDecay: 0.1 });
    for (let i = 0; i < 5; i++) {
      for (const [p, o] of [[a, oa], [b, ob]] as const) { o.zeroGrad(); p.pow(3).sum().backward(); o.step(); }
    }
    assert.deepEqual(await toList(a), await toList(b));
  });

  test('toString prints the groups as PyTorch does', async () => {
    const opt = new torch.optim.SGD([P()], { lr: 0.1, momentum: 0.9 });
    assert.equal(String(opt), 'SGD (\nParameter Group 0\n    dampening: 0\n    lr: 0.1\n    maximize: False\n    momentum: 0.9\n    nesterov: False\n    weightDecay: 0\n)');
  });

  test('a custom optimizer built on Optimizer with a required option', async () => {
    class SignSGD extends torch.optim.Optimizer {
      constructor(params: Iterable<Tensor>, lr?: number) { super(params, { lr: lr ?? torch.optim.required }); }
      override step(): undefined {
        torch.noGrad(() => { for (const g of this.paramGroups) for (const p of g.params) if (p.grad) p.sub_(p.grad.sign(), g.lr); });
        return undefined;
      }
    }
    const w = torch.tensor([1.0, -1.0], { requiresGrad: true });
    assert.throws(() => new SignSGD([w]), { message: "parameter group didn't specify a value of required optimization parameter lr" });
    const opt = new SignSGD([w], 0.25);
    w.mul(torch.tensor([3, -5])).sum().backward();
    opt.step();
    assert.deepEqual(await toList(w), [0.75, -0.75]);
  });
});
