/**
 * Training against PyTorch (test/fixtures/nn_train.json): a small CNN (conv, batch norm, max pooling, linear) and
 * a small transformer encoder (embedding, two encoder layers, linear head) trained for 20 plain SGD steps from
 * PyTorch's initial weights must follow PyTorch's loss curve and end with the same weights (and BatchNorm running
 * statistics); BatchNorm running statistics over several steps and the eval output after them.
 */
import { test, itemOf } from './_harness.js';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';
import type { Tensor } from 'torchlet';
import { assertClose, loadFixture, mk, stateOf } from './nn-util.test.js';
import type { Value } from './nn-util.test.js';
import { MODES, inMode } from './nn_modes.test.js';

const { nn } = torch;
const F = nn.functional;

interface TrainRun {
  state: Record<string, Value>; x: Value; y: Value; lr: number; steps: number; losses: number[]; final: Record<string, Value>;
}
interface BnSteps { name: string; kwargs: Record<string, any>; inputs: Value[]; stats: Record<string, Value>[]; evalInput: Value; evalOut: Value }
const fx = loadFixture<{ cnn: TrainRun; transformer: TrainRun; bnSteps: BnSteps[] }>('nn_train.json');

class CNN extends nn.Module {
  features = new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(4, 8, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2));
  classifier = new nn.Sequential(new nn.Flatten(), new nn.Linear(8 * 2 * 2, 16), new nn.ReLU(), new nn.Linear(16, 10));
  override forward(x: Tensor): Tensor { return this.classifier.call(this.features.call(x)); }
}

class TinyTransformer extends nn.Module {
  embed = new nn.Embedding(12, 16);
  encoder = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(16, 4, { dimFeedforward: 32, dropout: 0, batchFirst: true }), 2);
  head = new nn.Linear(16, 3);
  override forward(tokens: Tensor): Tensor { return this.head.call(this.encoder.call(this.embed.call(tokens)).mean(1)); }
}

async function run(model: torch.nn.Module, r: TrainRun): Promise<number[]> {
  assert.deepEqual(Object.keys(model.stateDict()), Object.keys(r.state), 'state dict keys match PyTorch');
  model.loadStateDict(stateOf(r.state));
  model.train();
  const x = mk(r.x), y = mk(r.y);
  const losses: number[] = [];
  for (let s = 0; s < r.steps; s++) {
    model.zeroGrad();
    const loss = F.crossEntropy(model.call(x), y);
    loss.backward();
    torch.noGrad(() => { for (const p of model.parameters()) p.sub_(p.grad!, r.lr); });
    losses.push(await itemOf(loss));
  }
  return losses;
}

for (const mode of MODES) for (const [name, make] of [['cnn', () => new CNN()], ['transformer', () => new TinyTransformer()]] as const) {
  test(`training: ${name}, 20 SGD steps follow PyTorch (${mode})`, () => inMode(mode, async () => {
    const r = fx[name];
    const model = make();
    const losses = await run(model, r);
    losses.forEach((l, i) => assert.ok(Math.abs(l - r.losses[i]!) <= 1e-4 + 1e-4 * Math.abs(r.losses[i]!), `step ${i}: loss ${l} vs PyTorch ${r.losses[i]}`));
    assert.ok(losses[losses.length - 1]! < losses[0]!, 'the loss goes down');
    const sd = model.stateDict();
    for (const [k, v] of Object.entries(r.final)) await assertClose(sd[k]!, v, `final ${k}`, 1e-4, 1e-3);
  }));
}

for (const mode of MODES) for (const b of fx.bnSteps) {
  test(`BatchNorm2d running stats over several steps: ${b.name} (${mode})`, () => inMode(mode, async () => {
    const bn = new nn.BatchNorm2d(3, b.kwargs);
    for (const [i, x] of b.inputs.entries()) {
      bn.call(mk(x));
      for (const [k, v] of Object.entries(b.stats[i]!)) await assertClose(bn.getBuffer(k), v, `step ${i} ${k}`);
    }
    bn.eval();
    await assertClose(bn.call(mk(b.evalInput)), b.evalOut, 'eval output uses the running stats');
  }));
}
