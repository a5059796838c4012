/**
 * nn.Module semantics (field discovery, names, hooks, modes, freezing, conversion, state dicts), containers,
 * Dropout's train/eval behaviour, and default initialisation checked statistically against PyTorch's formulas.
 */
import { test, describe, toList, itemOf, dataOf, equalOf, allcloseOf, userRead } from './_harness.js';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';
import type { Tensor } from 'torchlet';

const { nn } = torch;
const init = nn.init;

const names = (m: torch.nn.Module) => m.namedParameters().map(([n]) => n);

describe('field discovery and names', () => {
  test('children and parameters are found from fields in assignment order, with PyTorch names', async () => {
    class Net extends nn.Module {
      features = new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.ReLU(), new nn.Conv2d(2, 2, 3));
      classifier = new nn.Sequential(new nn.Flatten(), new nn.ReLU(), new nn.Linear(8, 3));
      scale = new nn.Parameter(torch.ones([1]));
      notAParam = torch.ones([2]);
      label = 'x';
      override forward(x: Tensor): Tensor { return this.classifier.call(this.features.call(x)).mul(this.scale); }
    }
    const net = new Net();
    assert.deepEqual(names(net), ['scale', 'features.0.weight', 'features.0.bias', 'features.2.weight', 'features.2.bias', 'classifier.2.weight', 'classifier.2.bias']);
    assert.deepEqual(Object.keys(net.stateDict()), names(net));
    assert.deepEqual(net.namedChildren().map(([n]) => n), ['features', 'classifier']);
    assert.deepEqual(net.namedModules().map(([n]) => n), ['', 'features', 'features.0', 'features.1', 'features.2', 'classifier', 'classifier.0', 'classifier.1', 'classifier.2']);
    assert.equal(net.modules().length, 9);
    assert.equal(net.children().length, 2);
    assert.ok(net.getSubmodule('features.2') instanceof nn.Conv2d);
    assert.equal(net.getParameter('classifier.2.bias').shape[0], 3);
    assert.throws(() => net.getSubmodule('features.9'), /Sequential has no attribute `9`/);
  });

  test('declared fields register in the order they are assigned (as PyTorch), not declared', async () => {
    class Net extends nn.Module {
      b!: torch.nn.Linear;
      a!: torch.nn.Linear;
      constructor() { super(); this.a = new nn.Linear(1, 1); this.b = new nn.Linear(1, 1); }
      override forward(x: Tensor): Tensor { return this.b.call(this.a.call(x)); }
    }
    assert.deepEqual(names(new Net()), ['a.weight', 'a.bias', 'b.weight', 'b.bias']);
  });

  test('reassignment keeps the position; null keeps the key; delete removes it', async () => {
    class Net extends nn.Module {
      fc1: torch.nn.Linear | null = new nn.Linear(2, 2);
      fc2 = new nn.Linear(2, 2);
      override forward(x: Tensor): Tensor { return x; }
    }
    const n = new Net();
    n.fc1 = new nn.Linear(2, 3);
    assert.deepEqual(names(n), ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
    assert.equal(n.fc1.outFeatures, 3);
    n.fc1 = null;
    assert.deepEqual(names(n), ['fc2.weight', 'fc2.bias']);
    assert.deepEqual(n.namedChildren().map(([k]) => k), ['fc2']);
    const lin = new nn.Linear(2, 2);
    lin.bias = null;
    assert.deepEqual(names(lin), ['weight']);
    assert.throws(() => { (lin as any).weight = torch.zeros([2, 2]); }, /cannot assign 'torch.FloatTensor' as parameter 'weight'/);
    delete (n as any).fc2;
    assert.deepEqual(names(n), []);
  });

  test('shared parameters and modules are listed once', async () => {
    const shared = new nn.Linear(2, 2);
    const seq = new nn.Sequential(shared, new nn.ReLU(), shared);
    assert.deepEqual(names(seq), ['0.weight', '0.bias']);
    assert.equal(seq.parameters().length, 2);
    assert.equal(seq.namedParameters({ removeDuplicate: false }).length, 4);
    assert.equal(seq.modules().length, 3);
  });

  test('parameters() is an array; filter works; recurse=false lists own parameters only', async () => {
    const m = new nn.Sequential(new nn.Linear(2, 2), new nn.Linear(2, 2));
    m[1]!.requiresGrad_(false);
    assert.equal(m.parameters().filter((p) => p.requiresGrad).length, 2);
    assert.equal(m.parameters(false).length, 0);
    assert.deepEqual(m.namedParameters('model').map(([n]) => n), ['model.0.weight', 'model.0.bias', 'model.1.weight', 'model.1.bias']);
  });

  test('buffers: persistent ones are in the state dict, non-persistent ones are not', async () => {
    class M extends nn.Module {
      constructor() {
        super();
        this.registerBuffer('steps', torch.zeros([1]));
        this.registerBuffer('cache', torch.zeros([2]), { persistent: false });
        this.registerParameter('w', new nn.Parameter(torch.ones([2])));
        this.registerModule('sub', new nn.BatchNorm1d(2));
      }
      override forward(x: Tensor): Tensor { return x; }
    }
    const m = new M();
    assert.deepEqual(m.namedBuffers().map(([n]) => n), ['steps', 'cache', 'sub.running_mean', 'sub.running_var', 'sub.num_batches_tracked']);
    assert.deepEqual(Object.keys(m.stateDict()), ['w', 'steps', 'sub.weight', 'sub.bias', 'sub.running_mean', 'sub.running_var', 'sub.num_batches_tracked']);
    assert.ok((m as any).steps instanceof torch.Tensor);
    (m as any).steps = torch.ones([1]);
    assert.equal(await itemOf(m.getBuffer('steps')), 1);
  });

  test('an array of modules must be a ModuleList', async () => {
    class Bad extends nn.Module {
      layers = [new nn.Linear(1, 1)];
      override forward(x: Tensor): Tensor { return x; }
    }
    assert.throws(() => new Bad(), /use nn.ModuleList/);
    class Good extends nn.Module {
      layers = new nn.ModuleList([new nn.Linear(1, 1), new nn.Linear(1, 1)]);
      override forward(x: Tensor): Tensor { for (const l of this.layers) x = l.call(x); return x; }
    }
    assert.deepEqual(names(new Good()), ['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias']);
  });

  test('Parameter is a Tensor that requires grad and shares storage', async () => {
    const t = torch.zeros([2]);
    const p = new nn.Parameter(t);
    assert.ok(p instanceof torch.Tensor);
    assert.ok(p.requiresGrad && p.isLeaf);
    assert.ok(p.isSetTo(t));
    assert.match(userRead(() => String(p)), /^Parameter containing:\ntensor\(\[0\., 0\.\], requires_grad=True\)$/);
    assert.equal(new nn.Parameter(torch.zeros([1]), false).requiresGrad, false);
  });

  test('options objects are equivalent to positional arguments', async () => {
    const a = new nn.Conv2d(3, 16, 3, { padding: 1 });
    const b = new nn.Conv2d(3, 16, 3, 1, 1);
    assert.equal(String(a), String(b));
    assert.equal(String(new nn.Linear(2, 3, false)), String(new nn.Linear(2, 3, { bias: false })));
    assert.throws(() => new nn.Linear(2, 3, { biass: false } as any), /unexpected keyword argument 'biass'/);
  });

  test('module printout', async () => {
    class Net extends nn.Module {
      conv = new nn.Conv2d(1, 6, 3);
      bn = new nn.BatchNorm2d(6);
      fc = new nn.Linear(2, 3);
      override forward(x: Tensor): Tensor { return x; }
    }
    assert.equal(String(new Net()), 'Net(\n  (conv): Conv2d(1, 6, kernel_size=(3, 3), stride=(1, 1))\n  (bn): BatchNorm2d(6, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)\n  (fc): Linear(in_features=2, out_features=3, bias=True)\n)');
  });
});

describe('calling and hooks', () => {
  class Net extends nn.Module {
    fc1 = new nn.Linear(3, 4);
    act = new nn.ReLU();
    fc2 = new nn.Linear(4, 2);
    // a parent that calls its children's forward directly: hooks must still fire
    override forward(x: Tensor): Tensor { return this.fc2.forward(this.act.call(this.fc1.forward(x))); }
  }

  test('call and forward give the same result and both run hooks, for the module and its children', async () => {
    const net = new Net();
    const x = torch.randn([5, 3]);
    const seen: string[] = [];
    const handles = net.namedModules().map(([n, m]) => m.registerForwardHook((_m, _a, out) => { seen.push(`${n || 'root'}:${out.shape.join('x')}`); }));
    const y1 = net.call(x);
    assert.deepEqual(seen, ['fc1:5x4', 'act:5x4', 'fc2:5x2', 'root:5x2']);
    seen.length = 0;
    const y2 = net.forward(x);
    assert.deepEqual(seen, ['fc1:5x4', 'act:5x4', 'fc2:5x2', 'root:5x2']);
    assert.ok(await equalOf(y1, y2));
    handles.forEach((h) => h.remove());
    seen.length = 0;
    net.call(x);
    assert.deepEqual(seen, []);
  });

  test('pre-hooks can replace the arguments and hooks the output', async () => {
    const lin = new nn.Linear(2, 2);
    const h1 = lin.registerForwardPreHook((_m, [x]) => [x.mul(0)]);
    const h2 = lin.registerForwardHook((_m, _args, out) => out.add(1));
    const y = lin.call(torch.ones([1, 2]));
    assert.ok(await allcloseOf(y, lin.bias!.detach().add(1).unsqueeze(0)));
    h1.remove(); h2.remove();
    assert.ok(await allcloseOf(lin.call(torch.zeros([1, 2])), lin.bias!.detach().unsqueeze(0)));
  });

  test('Sequential invokes its children through call', async () => {
    const seq = new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU());
    let n = 0;
    seq[1]!.registerForwardPreHook(() => { n++; });
    seq.forward(torch.ones([1, 2]));
    seq.call(torch.ones([1, 2]));
    assert.equal(n, 2);
  });

  test('forward as a class-field arrow function, and super.forward without double hooks', async () => {
    class Arrow extends nn.Module {
      override forward = (x: Tensor): Tensor => x.mul(2);
    }
    const a = new Arrow();
    let calls = 0;
    a.registerForwardHook(() => { calls++; });
    assert.deepEqual(await toList(a.forward(torch.ones([1]))), [2]);
    assert.deepEqual(await toList(a.call(torch.ones([1]))), [2]);
    assert.equal(calls, 2);
    class Base extends nn.Module { override forward(x: Tensor): Tensor { return x.add(1); } }
    class Derived extends Base { override forward(x: Tensor): Tensor { return super.forward(x).mul(10); } }
    const d = new Derived();
    let dc = 0;
    d.registerForwardHook(() => { dc++; });
    assert.deepEqual(await toList(d.call(torch.ones([1]))), [20]);
    assert.equal(dc, 1);
  });

  test('a module without forward fails with PyTorch\'s message', async () => {
    assert.throws(() => new nn.Module().call(), /Module \[Module\] is missing the required "forward" function/);
  });
});

describe('modes, freezing, gradients, conversion', () => {
  test('train()/eval() recurse; eval does not touch requiresGrad', async () => {
    const m = new nn.Sequential(new nn.Linear(2, 2), new nn.Sequential(new nn.Dropout(), new nn.BatchNorm1d(2)));
    m.eval();
    assert.ok(m.modules().every((x) => x.training === false));
    assert.ok(m.parameters().every((p) => p.requiresGrad));
    m.train();
    assert.ok(m.modules().every((x) => x.training === true));
    assert.equal(m.train(false), m);
  });

  test('requiresGrad_(false) freezes; frozen parameters keep grad null', async () => {
    const m = new nn.Sequential(new nn.Linear(3, 3), new nn.Linear(3, 1));
    m[0]!.requiresGrad_(false);
    m.call(torch.randn([4, 3])).sum().backward();
    assert.equal((m[0] as torch.nn.Linear).weight.grad, null);
    assert.ok((m[1] as torch.nn.Linear).weight.grad !== null);
  });

  test('zeroGrad sets grads to null (or zero with setToNone false)', async () => {
    const m = new nn.Linear(2, 1);
    m.call(torch.ones([1, 2])).sum().backward();
    m.zeroGrad(false);
    assert.deepEqual(await toList(m.weight.grad!), [[0, 0]]);
    m.zeroGrad();
    assert.equal(m.weight.grad, null);
  });

  test('apply visits children first, then the module', async () => {
    const m = new nn.Sequential(new nn.Linear(1, 1), new nn.ReLU());
    const order: string[] = [];
    m.apply((x) => order.push(x.constructor.name));
    assert.deepEqual(order, ['Linear', 'ReLU', 'Sequential']);
    m.apply((x) => { if (x instanceof nn.Linear) init.constant_(x.weight, 0.5); });
    assert.equal(await itemOf((m[0] as torch.nn.Linear).weight), 0.5);
  });

  test('to(dtype) / double() / float() convert floating parameters and buffers in place', async () => {
    const m = new nn.Sequential(new nn.Linear(2, 2), new nn.BatchNorm1d(2));
    const w = (m[0] as torch.nn.Linear).weight;
    m.double();
    assert.equal(w.dtype, 'float64');
    assert.equal((m[0] as torch.nn.Linear).weight, w, 'identity kept');
    assert.equal(m.getBuffer('1.running_mean').dtype, 'float64');
    assert.equal(m.getBuffer('1.num_batches_tracked').dtype, 'int64');
    const y = m.call(torch.randn([3, 2], { dtype: 'float64' }));
    assert.equal(y.dtype, 'float64');
    m.to({ dtype: 'float32' });
    assert.equal(w.dtype, 'float32');
    m.to('cpu');
    assert.throws(() => m.to('cuda'), /Torch not compiled with CUDA enabled/);
    assert.throws(() => m.to('int64'), /only accepts floating point/);
  });

  test('deepcopy makes independent parameters', async () => {
    const a = new nn.Linear(2, 2);
    const b = nn.deepcopy(a);
    assert.ok(await equalOf(b.weight, a.weight));
    assert.ok(!b.weight.isSetTo(a.weight));
    init.zeros_(b.weight);
    assert.ok(await itemOf(a.weight.abs().sum()) > 0);
    assert.deepEqual(names(b), ['weight', 'bias']);
  });
});

describe('state dicts', () => {
  const make = () => new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.BatchNorm2d(2), new nn.Flatten(), new nn.Linear(2 * 2 * 2, 3));

  test('round trip: loading a state dict reproduces the model', async () => {
    const a = make(), b = make();
    a.train();
    a.call(torch.randn([4, 1, 4, 4])); // moves the running stats
    const res = b.loadStateDict(a.stateDict());
    assert.deepEqual(res, { missingKeys: [], unexpectedKeys: [] });
    a.eval(); b.eval();
    const x = torch.randn([2, 1, 4, 4]);
    assert.ok(await equalOf(a.call(x), b.call(x)));
    assert.equal(await itemOf(b.getBuffer('1.num_batches_tracked')), 1);
  });

  test('BatchNorm: a state dict without num_batches_tracked loads it as 0 (PyTorch, no version metadata)', async () => {
    const bn = new nn.BatchNorm1d(2);
    bn.call(torch.randn([4, 2]));
    const sd = new nn.BatchNorm1d(2).stateDict();
    delete sd['num_batches_tracked'];
    assert.deepEqual(bn.loadStateDict(sd), { missingKeys: [], unexpectedKeys: [] });
    assert.equal(await itemOf(bn.numBatchesTracked!), 0);
  });

  test('state dict values are detached and share storage (keepVars gives the parameters)', async () => {
    const m = new nn.Linear(2, 2);
    const sd = m.stateDict();
    assert.equal(sd['weight']!.requiresGrad, false);
    assert.ok(sd['weight']!.isSetTo(m.weight));
    assert.equal(m.stateDict({ keepVars: true })['weight'], m.weight);
    assert.deepEqual(Object.keys(m.stateDict({ prefix: 'fc.' })), ['fc.weight', 'fc.bias']);
  });

  test('non-strict loading reports missing and unexpected keys', async () => {
    const m = make();
    const sd = make().stateDict();
    delete sd['3.bias'];
    sd['extra'] = torch.zeros([1]);
    sd['0.extra'] = torch.zeros([1]);
    const r = m.loadStateDict(sd, { strict: false });
    assert.deepEqual(r, { missingKeys: ['3.bias'], unexpectedKeys: ['extra', '0.extra'] });
    assert.deepEqual(m.loadStateDict(new Map(Object.entries(sd)), false), r);
  });

  test('strict loading throws one error listing every problem', async () => {
    const m = new nn.Sequential(new nn.Linear(30, 10));
    const sd = { '0.weight': torch.zeros([10, 20]), '0.foo': torch.zeros([1]) };
    assert.throws(() => m.loadStateDict(sd), (e: Error) => {
      assert.equal(e.message, 'Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict: "0.bias". \n\tUnexpected key(s) in state_dict: "0.foo". \n\tsize mismatch for 0.weight: copying a param with shape [10, 20] from checkpoint, the shape in current model is [10, 30].');
      return true;
    });
    // size mismatches are errors even when not strict
    assert.throws(() => m.loadStateDict(sd, { strict: false }), /size mismatch for 0\.weight/);
  });

  test('a failed load leaves matching tensors loaded, values are copied (not aliased)', async () => {
    const a = new nn.Linear(2, 2), b = new nn.Linear(2, 2);
    b.loadStateDict(a.stateDict());
    assert.ok(!b.weight.isSetTo(a.weight));
    assert.ok(await equalOf(b.weight, a.weight));
  });
});

describe('containers', () => {
  test('Sequential: indexing, length, append/insert/pop, slicing, iteration, named construction', async () => {
    const s = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU());
    assert.equal(s.length, 2);
    assert.ok(s[0] instanceof nn.Linear && s.at(-1) instanceof nn.ReLU);
    s.append(new nn.Linear(3, 1));
    s.insert(1, new nn.Tanh());
    assert.deepEqual([...s].map((m) => m.constructor.name), ['Linear', 'Tanh', 'ReLU', 'Linear']);
    assert.deepEqual(names(s), ['0.weight', '0.bias', '3.weight', '3.bias']);
    assert.ok(s.pop(1) instanceof nn.Tanh);
    assert.deepEqual(names(s), ['0.weight', '0.bias', '2.weight', '2.bias']);
    assert.equal(s.slice(0, 2).length, 2);
    assert.deepEqual(s.call(torch.ones([4, 2])).shape, [4, 1]);
    const named = new nn.Sequential({ conv: new nn.Conv2d(1, 1, 1), act: new nn.ReLU() });
    assert.deepEqual(names(named), ['conv.weight', 'conv.bias']);
  });

  test('ModuleList and ModuleDict', async () => {
    const l = new nn.ModuleList<torch.nn.Module>([new nn.Linear(1, 1)]);
    l.append(new nn.Linear(1, 1)).extend([new nn.ReLU()]);
    assert.equal(l.length, 3);
    assert.ok(l.at(-1) instanceof nn.ReLU);
    assert.deepEqual(names(l), ['0.weight', '0.bias', '1.weight', '1.bias']);
    const d = new nn.ModuleDict({ keys: new nn.Linear(1, 2), b: new nn.ReLU() });
    assert.deepEqual(d.keys(), ['keys', 'b']);
    assert.ok(d.get('keys') instanceof nn.Linear);
    d.set('c', new nn.Linear(2, 2));
    assert.deepEqual(names(d), ['keys.weight', 'keys.bias', 'c.weight', 'c.bias']);
    assert.deepEqual([...d], ['keys', 'b', 'c']);
    d.pop('b');
    assert.equal(d.length, 2);
  });
});

describe('Dropout train/eval', () => {
  test('training: zeroes about p of the elements and scales the rest by 1/(1-p); gradient uses the same mask', async () => {
    torch.manualSeed(0);
    const d = new nn.Dropout(0.3);
    const x = torch.ones([200, 100], { requiresGrad: true });
    const y = d.call(x);
    const v = await dataOf(y);
    let zeros = 0;
    for (const e of v) { if (e === 0) zeros++; else assert.ok(Math.abs(e - 1 / 0.7) < 1e-6); }
    assert.ok(Math.abs(zeros / v.length - 0.3) < 0.015, `zero fraction ${zeros / v.length}`);
    y.sum().backward();
    assert.ok(await equalOf(x.grad!, y.detach()));
  });

  test('eval: identity (same tensor); p = 0 and p = 1', async () => {
    const x = torch.randn([3, 4]);
    const d = new nn.Dropout(0.5).eval();
    assert.equal(d.call(x), x);
    assert.ok(await equalOf(new nn.Dropout(1).call(x), torch.zeros([3, 4])));
    assert.ok(await equalOf(new nn.Dropout(0).call(x), x));
  });

  test('Dropout2d zeroes whole channels', async () => {
    torch.manualSeed(1);
    const y = new nn.Dropout2d(0.5).call(torch.ones([8, 16, 3, 3]));
    const per = y.reshape([8 * 16, 9]);
    const s = await dataOf(per.sum(1));
    for (let i = 0; i < s.length; i++) assert.ok(s[i] === 0 || Math.abs(s[i]! - 18) < 1e-5);
    const nz = Array.from(s).filter((v) => v === 0).length;
    assert.ok(nz > 30 && nz < 98, `${nz} dropped channels of 128`);
  });
});

describe('default initialisation (statistics vs PyTorch\'s formulas)', () => {
  async function stats(t: Tensor): Promise<{ min: number; max: number; mean: number; variance: number }> {
    const v = await dataOf(t);
    let min = Infinity, max = -Infinity, s = 0, s2 = 0;
    for (const x of v) { min = Math.min(min, x); max = Math.max(max, x); s += x; s2 += x * x; }
    const mean = s / v.length;
    return { min, max, mean, variance: s2 / v.length - mean * mean };
  }
  async function checkUniform(t: Tensor, bound: number, what: string): Promise<void> {
    const st = await stats(t);
    const b32 = bound * (1 + 1e-6); // float32 rounding of the bound itself
    assert.ok(st.min >= -b32 && st.max <= b32, `${what}: within ±${bound}`);
    assert.ok(st.max > 0.9 * bound && st.min < -0.9 * bound, `${what}: fills ±${bound}`);
    assert.ok(Math.abs(st.mean) < 0.05 * bound, `${what}: mean ${st.mean}`);
    assert.ok(Math.abs(st.variance / (bound * bound / 3) - 1) < 0.06, `${what}: variance ${st.variance} vs ${bound * bound / 3}`);
  }

  test('Linear: kaiming-uniform(a=√5) weight and U(±1/√fan_in) bias', async () => {
    torch.manualSeed(0);
    const l = new nn.Linear(400, 300);
    await checkUniform(l.weight, 1 / Math.sqrt(400), 'weight');
    const b = await stats(l.bias!);
    assert.ok(b.min >= -1 / 20 && b.max <= 1 / 20);
  });

  test('Conv2d / Conv1d / ConvTranspose2d: fan_in from the weight shape', async () => {
    await checkUniform(new nn.Conv2d(16, 64, 5).weight, 1 / Math.sqrt(16 * 25), 'conv2d');
    await checkUniform(new nn.Conv1d(30, 200, 3).weight, 1 / Math.sqrt(90), 'conv1d');
    // transposed: weight [in, out/groups, k, k], fan_in = size(1)·k·k
    const ct = new nn.ConvTranspose2d(64, 32, 4);
    await checkUniform(ct.weight, 1 / Math.sqrt(32 * 16), 'convT');
    assert.ok((await stats(ct.bias!)).max <= 1 / Math.sqrt(32 * 16));
  });

  test('Bilinear, Embedding, norms, MultiheadAttention', async () => {
    await checkUniform(new nn.Bilinear(50, 20, 40).weight, 1 / Math.sqrt(50), 'bilinear');
    const e = new nn.Embedding(1000, 64, { paddingIdx: 3 });
    const st = await stats(e.weight);
    assert.ok(Math.abs(st.mean) < 0.02 && Math.abs(st.variance - 1) < 0.03, `embedding N(0,1): ${st.mean} ${st.variance}`);
    assert.equal(await itemOf(e.weight.select(0, 3).abs().sum()), 0);
    const bn = new nn.BatchNorm2d(5);
    assert.deepEqual(await toList(bn.weight!), [1, 1, 1, 1, 1]);
    assert.deepEqual(await toList(bn.bias!), [0, 0, 0, 0, 0]);
    assert.deepEqual(await toList(bn.runningVar!), [1, 1, 1, 1, 1]);
    assert.equal(await itemOf(bn.numBatchesTracked!), 0);
    assert.deepEqual(await toList(new nn.LayerNorm(3).weight!), [1, 1, 1]);
    assert.deepEqual(await toList(new nn.GroupNorm(1, 2).bias!), [0, 0]);
    const mha = new nn.MultiheadAttention(128, 4);
    await checkUniform(mha.in_proj_weight!, Math.sqrt(6 / (128 + 3 * 128)), 'in_proj_weight (xavier)');
    assert.equal(await itemOf(mha.in_proj_bias!.abs().sum()), 0);
    assert.equal(await itemOf(mha.out_proj.bias!.abs().sum()), 0);
    await checkUniform(mha.out_proj.weight, 1 / Math.sqrt(128), 'out_proj (Linear default)');
  });

  test('nn.init functions follow PyTorch\'s formulas', async () => {
    assert.equal(init.calculateGain('relu'), Math.SQRT2);
    assert.equal(init.calculateGain('tanh'), 5 / 3);
    assert.equal(init.calculateGain('leaky_relu'), Math.sqrt(2 / (1 + 0.01 ** 2)));
    assert.equal(init.calculateGain('leaky_relu', 0.2), Math.sqrt(2 / 1.04));
    assert.equal(init.calculateGain('selu'), 0.75);
    assert.equal(init.calculateGain('conv2d'), 1);
    assert.throws(() => init.calculateGain('foo'), /Unsupported nonlinearity foo/);
    assert.deepEqual(init.calculateFanInAndFanOut(torch.empty([16, 3, 5, 5])), [75, 400]);
    assert.throws(() => init.xavierUniform_(torch.empty([3])), /Fan in and fan out can not be computed for tensor with fewer than 2 dimensions/);
    const w = torch.empty([300, 200]);
    await checkUniform(init.xavierUniform_(w, 2), 2 * Math.sqrt(6 / 500), 'xavierUniform_');
    let st = await stats(init.xavierNormal_(w));
    assert.ok(Math.abs(st.variance / (2 / 500) - 1) < 0.05);
    await checkUniform(init.kaimingUniform_(w, { mode: 'fan_out', nonlinearity: 'relu' }), Math.sqrt(2) * Math.sqrt(3 / 300), 'kaimingUniform_ fan_out');
    st = await stats(init.kaimingNormal_(w, 0, 'fan_in', 'relu'));
    assert.ok(Math.abs(st.variance / (2 / 200) - 1) < 0.05);
    st = await stats(init.normal_(w, 1, 0.5));
    assert.ok(Math.abs(st.mean - 1) < 0.01 && Math.abs(st.variance - 0.25) < 0.01);
    await checkUniform(init.uniform_(w, -0.3, 0.3), 0.3, 'uniform_');
    st = await stats(init.truncNormal_(w, 0, 1, -0.5, 0.5));
    assert.ok(st.min >= -0.5 && st.max <= 0.5 && st.max > 0.49);
    assert.deepEqual(await toList(init.constant_(torch.empty([2]), 3)), [3, 3]);
    assert.deepEqual(await toList(init.ones_(torch.empty([2]))), [1, 1]);
    assert.deepEqual(await toList(init.zeros_(torch.ones([2]))), [0, 0]);
    assert.deepEqual(await toList(init.eye_(torch.empty([2, 3]))), [[1, 0, 0], [0, 1, 0]]);
    for (const shape of [[4, 6], [6, 4], [3, 2, 2]]) {
      const q = init.orthogonal_(torch.empty(shape), 2).reshape([shape[0]!, -1]);
      const small = Math.min(q.shape[0]!, q.shape[1]!);
      const gram = q.shape[0]! <= q.shape[1]! ? q.matmul(q.t()) : q.t().matmul(q);
      assert.ok(await allcloseOf(gram, torch.eye(small).mul(4), 1e-4, 1e-4), `orthogonal_ ${shape}`);
    }
    assert.throws(() => init.orthogonal_(torch.empty([3])), /Only tensors with 2 or more dimensions are supported/);
    // no autograd history is recorded
    const p = new nn.Parameter(torch.empty([3, 3]));
    init.kaimingUniform_(p);
    assert.ok(p.isLeaf && p.requiresGrad);
  });
});

test('forward assigned as an instance attribute in the constructor is called, with hooks', async () => {
  class A extends torch.nn.Module {
    l: torch.nn.Linear;
    constructor() {
      super();
      this.l = new torch.nn.Linear(2, 2);
      (this as any).forward = (x: torch.Tensor) => this.l.call(x).relu();
    }
  }
  const a = new A();
  let fired = 0;
  a.registerForwardHook(() => { fired++; });
  const x = torch.ones([1, 2]);
  const y1 = a.call(x), y2 = a.forward(x);
  assert.ok(await equalOf(y1, a.l.call(x).relu()));
  assert.ok(await equalOf(y2, y1));
  assert.equal(fired, 2);
  assert.deepEqual(a.namedParameters().map(([n]) => n), ['l.weight', 'l.bias']);
});
