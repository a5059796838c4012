/**
 * torch.summary: numbers against PyTorch (test/fixtures/summary/pytorch.json, from scripts/gen_summary_fixtures.py:
 * shapes, parameter counts, trainable counts, torchinfo's mult-adds, byte sizes, row order and depth indices computed
 * with forward hooks on the PyTorch twins of these models), the printed layout against golden files
 * (test/fixtures/summary/*.out; regenerate with UPDATE_GOLDEN=1 after checking the numbers), the model left untouched,
 * errors, and every option.
 */
import { test, toList, itemOf } from './_harness.js';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as torch from 'torchlet';
import type { Tensor, ModelStatistics, SummaryOptions } from 'torchlet';

const { nn } = torch;
const F = nn.functional;

// ---- the models (twins of scripts/gen_summary_fixtures.py) ----------------------------------------------------------

class LeNet5 extends nn.Module {
  conv1 = new nn.Conv2d(1, 6, 5, { padding: 2 });
  pool = new nn.MaxPool2d(2);
  conv2 = new nn.Conv2d(6, 16, 5);
  flatten = new nn.Flatten();
  fc1 = new nn.Linear(16 * 5 * 5, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);
  override forward(x: Tensor): Tensor {
    x = this.pool.call(F.relu(this.conv1.call(x)));
    x = this.pool.call(F.relu(this.conv2.call(x)));
    x = this.flatten.call(x);
    x = F.relu(this.fc1.call(x));
    x = F.relu(this.fc2.call(x));
    return this.fc3.call(x);
  }
}

class VGGish extends nn.Module {
  features = new nn.Sequential(
    new nn.Sequential(new nn.Conv2d(3, 16, 3, { padding: 1 }), new nn.BatchNorm2d(16), new nn.ReLU(),
      new nn.Conv2d(16, 16, 3, { padding: 1 }), new nn.BatchNorm2d(16), new nn.ReLU(), new nn.MaxPool2d(2)),
    new nn.Sequential(new nn.Conv2d(16, 32, 3, { padding: 1 }), new nn.BatchNorm2d(32), new nn.ReLU(), new nn.MaxPool2d(2)),
  );
  classifier = new nn.Sequential(new nn.Flatten(), new nn.Dropout(0.5), new nn.Linear(32 * 8 * 8, 64), new nn.ReLU(),
    new nn.Dropout(0.5), new nn.Linear(64, 10));
  override forward(x: Tensor): Tensor { return this.classifier.call(this.features.call(x)); }
}

function frozenVGG(): VGGish {
  const m = new VGGish();
  m.features.at(0).requiresGrad_(false);
  (m.classifier.at(5) as torch.nn.Linear).bias!.requiresGrad_(false);
  return m;
}

class TiedLM extends nn.Module {
  embed = new nn.Embedding(50, 16);
  proj = new nn.Linear(16, 16);
  decoder = new nn.Linear(16, 50);
  constructor() { super(); this.decoder.weight = this.embed.weight; }
  override forward(tokens: Tensor): Tensor {
    let h = this.embed.call(tokens);
    h = this.proj.call(h).tanh();
    h = this.proj.call(h).tanh();
    return this.decoder.call(h);
  }
}

class TwoInputNet extends nn.Module {
  fc_a = new nn.Linear(8, 16);
  fc_b = new nn.Linear(4, 16);
  head = new nn.Linear(32, 3);
  override forward(a: Tensor, b: Tensor): [Tensor, Tensor] {
    const h = torch.cat([F.relu(this.fc_a.call(a)), F.relu(this.fc_b.call(b))], 1);
    return [this.head.call(h), h];
  }
}

class TinyTransformer extends nn.Module {
  embed = new nn.Embedding(100, 32);
  encoder = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(32, 4, { dimFeedforward: 64, dropout: 0.1, batchFirst: true }), 2);
  head = new nn.Linear(32, 5);
  override forward(tokens: Tensor): Tensor { return this.head.call(this.encoder.call(this.embed.call(tokens)).mean(1)); }
}

// ---- helpers ---------------------------------------------------------------------------------------------------------

const FIX = new URL('../../test/fixtures/summary/', import.meta.url);
const fx = JSON.parse(readFileSync(new URL('pytorch.json', FIX), 'utf8')) as { cases: any[] };
const fixture = (name: string) => {
  const c = fx.cases.find((x) => x.name === name);
  assert.ok(c, `fixture case ${name}`);
  return c;
};

function golden(file: string, text: string): void {
  const url = new URL(file, FIX);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(url, `${text}\n`);
  assert.equal(`${text}\n`, readFileSync(url, 'utf8'), `golden ${file}`);
}

const quiet = (o: SummaryOptions = {}): SummaryOptions => ({ verbose: 0, ...o });

function checkAgainstPyTorch(stats: ModelStatistics, name: string): void {
  const c = fixture(name);
  assert.equal(stats.layers.length, c.layers.length, 'number of rows');
  stats.layers.forEach((l, i) => {
    const p = c.layers[i];
    const got = {
      name: l.name, varName: l.varName, type: l.type, depth: l.depth, index: l.index, inputShape: l.inputShape,
      outputShape: l.outputShape, numParams: l.numParams, trainableParams: l.trainableParams, multAdds: l.multAdds,
      isLeaf: l.isLeaf, isRecursive: l.isRecursive, executed: l.executed,
    };
    assert.deepEqual(got, p, `row ${i} (${p.name || 'model'})`);
  });
  const t = c.totals;
  assert.deepEqual({
    totalParams: stats.totalParams, trainableParams: stats.trainableParams, nonTrainableParams: stats.nonTrainableParams,
    totalMultAdds: stats.totalMultAdds, inputBytes: stats.inputBytes, forwardBackwardBytes: stats.forwardBackwardBytes,
    paramsBytes: stats.paramsBytes, totalBytes: stats.totalBytes,
  }, {
    totalParams: t.totalParams, trainableParams: t.trainableParams, nonTrainableParams: t.nonTrainableParams,
    totalMultAdds: t.totalMultAdds, inputBytes: t.inputBytes, forwardBackwardBytes: t.forwardBackwardBytes,
    paramsBytes: t.paramsBytes, totalBytes: t.totalBytes,
  }, 'totals');
}

// ---- numbers against PyTorch, layout against golden files -------------------------------------------------------------

test('LeNet-5 on [1, 28, 28]: numbers match PyTorch; default and all-column layouts', async () => {
  const m = new LeNet5();
  const s = torch.summary(m, [1, 28, 28], quiet());
  checkAgainstPyTorch(s, 'lenet');
  golden('lenet.out', s.toString());
  const all = torch.summary(m, [1, 28, 28], quiet({
    colNames: ['kernelSize', 'groups', 'inputSize', 'outputSize', 'numParams', 'paramsPercent', 'multAdds', 'trainable'], colWidth: 20,
  }));
  golden('lenet_all_cols.out', all.toString());
});

test('LeNet-5 with batchSize 4: real batch shown, counts for the whole batch', async () => {
  const s = torch.summary(new LeNet5(), [1, 28, 28], quiet({ batchSize: 4, colNames: ['inputSize', 'outputSize', 'numParams', 'multAdds'] }));
  checkAgainstPyTorch(s, 'lenet_batch4');
  assert.deepEqual(s.inputSize, [[4, 1, 28, 28]]);
  golden('lenet_batch4.out', s.toString());
});

test('VGG-style CNN with BatchNorm and Dropout on [3, 32, 32] at depths 1, 2 and 3', async () => {
  const m = new VGGish();
  for (const depth of [1, 2, 3]) {
    const s = torch.summary(m, [3, 32, 32], quiet({ depth, colNames: ['outputSize', 'numParams', 'multAdds'] }));
    checkAgainstPyTorch(s, 'vgg');
    golden(`vgg_depth${depth}.out`, s.toString());
  }
  // folding: at depth 1 the two Sequentials carry the counts of everything under them
  const d1 = torch.summary(m, [3, 32, 32], quiet({ depth: 1 })).toString();
  assert.match(d1, /├─Sequential: 1-1 +\[-1, 32, 8, 8\] +7,536\n/);
  assert.doesNotMatch(d1, /Conv2d/);
});

test('VGG-style CNN after freezing its first block: parentheses, False and Partial', async () => {
  const s = torch.summary(frozenVGG(), [3, 32, 32], quiet({ colNames: ['outputSize', 'numParams', 'trainable'] }));
  checkAgainstPyTorch(s, 'vgg_frozen');
  golden('vgg_frozen.out', s.toString());
  const text = s.toString();
  assert.match(text, /│    └─Sequential: 2-1 +\[-1, 16, 16, 16\] +-- +False\n/);
  assert.match(text, /│    │    └─Conv2d: 3-1 +\[-1, 16, 32, 32\] +\(448\) +False\n/);
  assert.match(text, /│    └─Linear: 2-8 +\[-1, 10\] +650 +Partial\n/);
  assert.match(text, /Non-trainable params: 2,842\n/);
  const d2 = torch.summary(frozenVGG(), [3, 32, 32], quiet({ depth: 2, colNames: ['numParams', 'trainable'] })).toString();
  assert.match(d2, /│    └─Sequential: 2-1 +\(2,832\) +False\n/);
});

test('tied weights are counted once; a module called twice is (recursive)', async () => {
  const s = torch.summary(new TiedLM(), [6], quiet({ dtypes: ['int64'], colNames: ['outputSize', 'numParams', 'multAdds'] }));
  checkAgainstPyTorch(s, 'tied');
  assert.equal(s.totalParams, 50 * 16 + 16 * 16 + 16 + 50);
  golden('tied.out', s.toString());
  assert.match(s.toString(), /├─Linear: 1-3 +\[-1, 6, 16\] +\(recursive\)/);
});

test('a model with two inputs and a tuple output', async () => {
  const s = torch.summary(new TwoInputNet(), [[8], [4]], quiet({ colNames: ['inputSize', 'outputSize', 'numParams'] }));
  checkAgainstPyTorch(s, 'two_input');
  assert.deepEqual(s.inputSize, [[-1, 8], [-1, 4]]);
  assert.deepEqual(s.layers[0]!.inputShapes, [[-1, 8], [-1, 4]]);
  golden('two_input.out', s.toString());
});

test('a small transformer encoder (ModuleList never called, attention not a leaf, depth folding)', async () => {
  const m = new TinyTransformer();
  const s = torch.summary(m, [12], quiet({ dtypes: ['int64'], colNames: ['outputSize', 'numParams', 'multAdds'] }));
  checkAgainstPyTorch(s, 'transformer');
  golden('transformer.out', s.toString());
  const d4 = torch.summary(m, [12], quiet({ dtypes: ['int64'], depth: 4, rowSettings: ['depth', 'varNames'] }));
  golden('transformer_depth4_varnames.out', d4.toString());
});

test("format: 'torchsummary' prints the classic flat table", async () => {
  const s = torch.summary(new LeNet5(), [1, 28, 28], quiet({ format: 'torchsummary' }));
  golden('lenet_torchsummary.out', s.toString());
  const v = torch.summary(frozenVGG(), [3, 32, 32], quiet({ format: 'torchsummary' }));
  golden('vgg_frozen_torchsummary.out', v.toString());
  assert.doesNotMatch(v.toString(), /Sequential-/); // torchsummary skips Sequential and ModuleList
  const t = torch.summary(new TwoInputNet(), [[8], [4]], quiet({ format: 'torchsummary' })).toString();
  // torchsummary hooks every module but Sequential, ModuleList and the model itself: no row for TwoInputNet
  assert.doesNotMatch(t, /TwoInputNet-/);
  assert.match(t, /Linear-3 +\[-1, 3\] +99\n/);
  // a layer returning several tensors lists every shape
  class Pair extends nn.Module { override forward(x: Tensor): [Tensor, Tensor] { return [x.mul(2), x.sum(1)]; } }
  class Wrap extends nn.Module { pair = new Pair(); override forward(x: Tensor) { return this.pair.call(x)[0]; } }
  assert.match(torch.summary(new Wrap(), [5], quiet({ format: 'torchsummary' })).toString(), /Pair-1 +\[\[-1, 5\], \[-1\]\] +0\n/);
});

test('rowSettings asciiOnly and varNames, verbose 2 (weight and bias rows), no input (parameters only)', async () => {
  const m = new LeNet5();
  let ascii: ModelStatistics | undefined;
  const asciiLogs = captureLog(() => {
    ascii = torch.summary(m, [1, 28, 28], { verbose: 2, rowSettings: ['varNames', 'asciiOnly'], colNames: ['kernelSize', 'numParams'] });
  });
  assert.deepEqual(asciiLogs, [ascii!.toString()]);
  golden('lenet_ascii_varnames_verbose2.out', ascii!.toString());
  const logs = captureLog(() => torch.summary(m, [1, 28, 28], { verbose: 2, colNames: ['kernelSize', 'numParams'] }));
  assert.equal(logs.length, 1);
  assert.match(logs[0]!, /│    └─weight +\[1, 6, 5, 5\] +├─150\n│    └─bias +\[6\] +└─6\n/);
  const none = torch.summary(m, null, quiet());
  golden('lenet_no_input.out', none.toString());
  assert.equal(none.totalParams, 61706);
  assert.deepEqual(none.inputSize, []);
  assert.throws(() => torch.summary(m, null, quiet({ colNames: ['outputSize'] })), /column 'outputSize' needs an input/);
});

function captureLog(fn: () => void): string[] {
  const out: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => { out.push(a.map(String).join(' ')); };
  try { fn(); } finally { console.log = orig; }
  return out;
}

// ---- the model is left exactly as it was ------------------------------------------------------------------------------

async function fullState(m: torch.nn.Module) {
  return {
    sd: Object.fromEntries(await Promise.all(Object.entries(m.stateDict()).map(async ([k, v]) => [k, await toList(v.clone())] as const))),
    ids: m.namedParameters().map(([k, p]) => [k, p] as const),
    bufIds: m.namedBuffers().map(([k, b]) => [k, b] as const),
    grads: await Promise.all(m.parameters().map((p) => (p.grad === null ? null : toList(p.grad.clone())))),
    gradObjs: m.parameters().map((p) => p.grad),
    requiresGrad: m.parameters().map((p) => p.requiresGrad),
    training: m.modules().map((x) => x.training),
    pre: m.modules().map((x) => [...(x as any)._forwardPreHooks.entries()]),
    post: m.modules().map((x) => [...(x as any)._forwardHooks.entries()]),
    rng: torch.defaultGenerator.getState(),
  };
}

function assertSameState(a: Awaited<ReturnType<typeof fullState>>, b: Awaited<ReturnType<typeof fullState>>): void {
  assert.deepEqual(b.sd, a.sd, 'parameter and buffer values');
  assert.equal(b.ids.length, a.ids.length);
  a.ids.forEach(([k, p], i) => { assert.equal(b.ids[i]![0], k); assert.equal(b.ids[i]![1], p, `parameter object ${k}`); });
  a.bufIds.forEach(([k, t], i) => { assert.equal(b.bufIds[i]![0], k); assert.equal(b.bufIds[i]![1], t, `buffer object ${k}`); });
  assert.deepEqual(b.grads, a.grads, 'gradients');
  a.gradObjs.forEach((g, i) => assert.equal(b.gradObjs[i], g, 'gradient objects'));
  assert.deepEqual(b.requiresGrad, a.requiresGrad, 'requiresGrad');
  assert.deepEqual(b.training, a.training, 'training flags');
  assert.equal(b.pre.length, a.pre.length);
  a.pre.forEach((h, i) => { assert.deepEqual(b.pre[i]!.map(([k]) => k), h.map(([k]) => k)); h.forEach(([, f], j) => assert.equal(b.pre[i]![j]![1], f)); });
  a.post.forEach((h, i) => { assert.deepEqual(b.post[i]!.map(([k]) => k), h.map(([k]) => k)); h.forEach(([, f], j) => assert.equal(b.post[i]![j]![1], f)); });
  assert.deepEqual(b.rng, a.rng, 'global random generator');
}

test('the model is left untouched: values, running stats, grads, modes, hooks, RNG; no graph recorded', async () => {
  const m = frozenVGG();
  // real gradients and moved running stats first
  m.call(torch.randn([4, 3, 32, 32])).sum().backward();
  m.classifier.eval(); // mixed modes: features train, classifier eval
  const seen: { grad: boolean; training: boolean }[] = [];
  const userPre = (mod: torch.nn.Module) => { void mod; };
  const userPost = (mod: torch.nn.Module, _a: any[], out: Tensor) => { seen.push({ grad: out.requiresGrad || out.gradFn !== null, training: mod.training }); };
  const conv = (m.features.at(1) as torch.nn.Sequential).at(0) as torch.nn.Conv2d;
  const h1 = conv.registerForwardPreHook(userPre);
  const h2 = conv.registerForwardHook(userPost);
  const before = await fullState(m);
  for (const mode of ['same', 'train', 'eval'] as const) {
    seen.length = 0;
    torch.summary(m, [3, 32, 32], quiet({ mode }));
    assertSameState(before, await fullState(m));
    assert.equal(seen.length, 1, 'user hooks still fire during the summary');
    assert.equal(seen[0]!.grad, false, 'no graph is recorded');
    assert.equal(seen[0]!.training, mode !== 'eval', `mode ${mode}`);
  }
  // BatchNorm in training mode really moved its statistics during the pass, and they were put back
  const bn = (m.features.at(0) as torch.nn.Sequential).at(1) as torch.nn.BatchNorm2d;
  const nbt = await itemOf(bn.num_batches_tracked!);
  torch.summary(m, [3, 32, 32], quiet({ mode: 'train' }));
  assert.equal(await itemOf(bn.num_batches_tracked!), nbt);
  h1.remove(); h2.remove();
  assert.equal((conv as any)._forwardHooks.size, 0);
  assert.equal(torch.isGradEnabled(), true);
});

test('a bad input names the layer where the forward failed and the shapes it received; the model is restored', async () => {
  const m = new VGGish();
  const before = await fullState(m);
  let err: any;
  try { torch.summary(m, [3, 28, 28], quiet()); } catch (e) { err = e; }
  assert.ok(err instanceof Error);
  assert.match(err.message, /^summary: the forward pass failed in layer 'classifier\.2' \(Linear: 2\), which received input shape \[2, 1568\]: /);
  assert.ok(err.cause instanceof Error, 'the original error is the cause');
  assertSameState(before, await fullState(m));
  const two = new TwoInputNet();
  assert.throws(() => torch.summary(two, [[8], [5]], quiet()), /layer 'fc_b' \(Linear: 1\), which received input shape \[2, 5\]/);
  assert.throws(() => torch.summary(two, [[8]], quiet()), /layer 'fc_b' \(Linear: 1\), which received no tensor argument/);
  class BadRoot extends nn.Module {
    fc = new nn.Linear(4, 2);
    override forward(x: Tensor): Tensor { return this.fc.call(x.reshape([7, -1])); }
  }
  assert.throws(() => torch.summary(new BadRoot(), [4], quiet()), /the forward pass failed in the model's own forward \(BadRoot\), which received input shape \[2, 4\]: /);
  assert.throws(() => torch.summary(m, [3, 0, 32], quiet()), /positive integer/);
  assert.throws(() => torch.summary(m, 'x' as any, quiet()), /inputSize must be one sample's shape/);
});

// ---- options --------------------------------------------------------------------------------------------------------

test('options: inputData, dtypes, verbose, colNames and rowSettings validation, hideRecursiveLayers', async () => {
  const m = new LeNet5();
  const s = torch.summary(m, null, quiet({ inputData: torch.randn([3, 1, 28, 28]) }));
  assert.deepEqual(s.inputSize, [[3, 1, 28, 28]]);
  assert.deepEqual(s.layers[1]!.outputShape, [3, 6, 28, 28]);
  assert.equal(s.totalMultAdds, 3 * 423038);
  assert.equal(s.inputBytes, 3 * 28 * 28 * 4);
  const two = torch.summary(new TwoInputNet(), null, quiet({ inputData: [torch.randn([5, 8]), torch.randn([5, 4])] }));
  assert.deepEqual(two.inputSize, [[5, 8], [5, 4]]);
  assert.throws(() => torch.summary(m, [1, 28, 28], quiet({ inputData: torch.randn([1, 1, 28, 28]) })), /either inputSize or options.inputData/);
  assert.throws(() => torch.summary(new TiedLM(), [6], quiet({ dtypes: ['int64', 'int64'] })), /dtypes has 2 entries for 1 inputs/);
  assert.throws(() => torch.summary(m, [1, 28, 28], quiet({ colNames: ['output_size' as any] })), /not a valid column name/);
  assert.throws(() => torch.summary(m, [1, 28, 28], quiet({ rowSettings: ['ascii' as any] })), /row setting 'ascii' is not valid/);
  assert.throws(() => torch.summary(m, [1, 28, 28], { verbose: 3 as any }), /verbose must be/);
  assert.throws(() => torch.summary(m, [1, 28, 28], quiet({ mode: 'test' as any })), /mode must be/);
  assert.throws(() => torch.summary(m, [1, 28, 28], quiet({ depth: -1 })), /depth must be/);
  assert.throws(() => torch.summary(m, [1, 28, 28], quiet({ batchSize: 0 })), /batchSize must be/);
  assert.throws(() => torch.summary(m, [1, 28, 28], quiet({ colWidth: 0 })), /colWidth/);
  assert.throws(() => torch.summary(m, [1, 28, 28], quiet({ input_size: 3 } as any)), /summary\(\) got an unexpected keyword argument 'input_size'/);
  assert.throws(() => torch.summary({} as any, [1]), /must be an nn.Module/);
  // verbose 0 prints nothing, 1 prints toString()
  assert.deepEqual(captureLog(() => torch.summary(m, [1, 28, 28], { verbose: 0 })), []);
  const printed = captureLog(() => torch.summary(m, [1, 28, 28]));
  assert.equal(printed.length, 1);
  assert.equal(printed[0], torch.summary(m, [1, 28, 28], quiet()).toString());
  // hideRecursiveLayers drops the second MaxPool2d call
  const hidden = torch.summary(m, [1, 28, 28], quiet({ rowSettings: ['depth', 'hideRecursiveLayers'] })).toString();
  assert.equal((hidden.match(/MaxPool2d/g) ?? []).length, 1);
  // depth 0 shows only the model, with every parameter
  assert.match(torch.summary(m, [1, 28, 28], quiet({ depth: 0 })).toString(), /\nLeNet5 +\[-1, 10\] +61,706\n=/);
});

test('object outputs, layers returning non-tensors, forwardArgs and per-layer records', async () => {
  class Counter extends nn.Module { override forward(x: Tensor): number { return x.dim(); } }
  class ObjNet extends nn.Module {
    fc = new nn.Linear(4, 6);
    counter = new Counter();
    override forward(x: Tensor, scale: number): { feats: Tensor; logits: Tensor } {
      const f = this.fc.call(x).mul(scale);
      void this.counter.call(f);
      return { feats: f, logits: f.sum(1, true) };
    }
  }
  const s = torch.summary(new ObjNet(), [4], quiet({ forwardArgs: [2], colNames: ['inputSize', 'outputSize', 'numParams', 'multAdds'] }));
  assert.deepEqual(s.layers.map((l) => [l.type, l.outputShape]), [['ObjNet', [-1, 1]], ['Linear', [-1, 6]], ['Counter', []]]);
  assert.match(s.toString(), /├─Counter: 1-2 +\[-1, 6\] +-- +-- +--\n/);
  const fc = s.layers[1]!;
  assert.equal(fc.name, 'fc'); assert.equal(fc.ownParams, 30); assert.equal(fc.trainable, 'True'); assert.equal(fc.multAdds, 30);
  assert.equal(fc.outputBytes, 24); assert.equal(s.forwardBackwardBytes, 48);
  assert.equal(s.layers[0]!.ownParams, 0);
});

test('number formatting: mult-adds units, Python rounding, column widths grow for long names', async () => {
  // units: K/M/G/T by size, none below 1,000 (Total mult-adds: 10)
  const tiny = torch.summary(new nn.Linear(4, 2), [4], quiet()).toString();
  assert.match(tiny, /\nTotal mult-adds: 10\n/);
  const vgg = torch.summary(new VGGish(), [3, 32, 32], quiet()).toString();
  assert.match(vgg, /\nTotal mult-adds \(M\): 4\.15\n/);
  assert.match(vgg, /\nInput size \(MB\): 0\.01\nForward\/backward pass size \(MB\): 0\.66\nParams size \(MB\): 0\.56\nEstimated Total Size \(MB\): 1\.23\n/);
  // a deep chain widens the name column to a multiple of 5 (all rows count, also hidden ones)
  let inner: torch.nn.Module = new nn.Linear(2, 2);
  for (let i = 0; i < 8; i++) inner = new nn.Sequential(inner);
  const deep = torch.summary(inner, [2], quiet({ depth: 1 })).toString();
  const width = deep.split('\n')[0]!.length;
  assert.equal(width, 2 * 25 + Math.ceil(('Linear: 8-1'.length + 8 * 5 + 1) / 5) * 5);
});
