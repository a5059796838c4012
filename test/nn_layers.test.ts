/**
 * Every layer against PyTorch (test/fixtures/nn_layers.json): PyTorch's weights are loaded with loadStateDict,
 * then the forward output, buffers after the forward (BatchNorm running stats), the gradients of the inputs and
 * of every parameter, and the module's printout must match, in train and eval mode.
 */
import { test, itemOf } from './_harness.js';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';
import type { Tensor } from 'torchlet';
import { assertClose, loadFixture, mk, revive, stateOf } from './nn-util.test.js';
import type { Input, Value } from './nn-util.test.js';
import { MODES, inMode } from './nn_modes.test.js';

const { nn } = torch;

interface LayerCase {
  name: string; layer: string; args: any[]; kwargs: Record<string, any>; build?: string; mode: 'train' | 'eval';
  state: Record<string, Value>; inputs: Input[]; call: number[]; fwdArgs: any[]; fwdOpts: Record<string, any>;
  out: Value | (Value | null)[]; gradOut: Value | (Value | null)[] | null; inputGrads: (Value | null)[];
  paramGrads: Record<string, Value | null>; stateAfter: Record<string, Value | null>; repr: string; atol?: number; rtol?: number;
}

const fx = loadFixture<{ cases: LayerCase[] }>('nn_layers.json');

function build(c: LayerCase): torch.nn.Module {
  if (c.build === 'encoder') {
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0 });
    return new nn.TransformerEncoder(layer, 2, new nn.LayerNorm(8));
  }
  const Cls = (nn as any)[c.layer];
  const args = revive(c.args);
  return Object.keys(c.kwargs).length > 0 ? new Cls(...args, revive(c.kwargs)) : new Cls(...args);
}

for (const mode of MODES) for (const c of fx.cases) {
  test(`nn.${c.name} (${mode})`, () => inMode(mode, async () => {
    const m = build(c);
    assert.equal(String(m), c.repr, 'repr');
    m.loadStateDict(stateOf(c.state));
    m.train(c.mode === 'train');
    const ins = c.inputs.map((v) => mk(v, v.requiresGrad));
    const args: unknown[] = c.call.map((i) => ins[i]);
    const opts = revive(c.fwdOpts);
    if (Object.keys(opts).length > 0) {
      if (c.layer.startsWith('ConvTranspose')) args.push(opts.outputSize);
      else args.push(opts);
    }
    const raw = m.call(...args);
    const outs: (Tensor | null)[] = Array.isArray(c.out) ? raw : [raw];
    const expOuts = Array.isArray(c.out) ? c.out : [c.out];
    const gos = Array.isArray(c.out) ? (c.gradOut as (Value | null)[]) : [c.gradOut as Value | null];
    const atol = c.atol ?? 1e-5, rtol = c.rtol ?? 1e-4;
    let total: Tensor | null = null;
    for (const [i, e] of expOuts.entries()) {
      const o = outs[i]!;
      if (e === null) { assert.equal(o, null, `output ${i} should be null`); continue; }
      assert.equal(o.dtype, e.dtype, `output ${i} dtype`);
      await assertClose(o, e, `output ${i}`, atol, rtol);
      const go = gos[i];
      if (go) { const term = o.mul(mk(go)).sum(); total = total === null ? term : total.add(term); }
    }
    for (const [k, v] of Object.entries(c.stateAfter)) {
      const b = m.getBuffer(k);
      if (v === null) continue;
      await assertClose(b, v, `buffer ${k} after forward`, atol, rtol);
    }
    if (total === null) return;
    (total as Tensor).backward();
    for (const [i, g] of c.inputGrads.entries()) {
      if (g === null) continue;
      assert.ok(ins[i]!.grad !== null, `input ${i} has no grad`);
      await assertClose(ins[i]!.grad!, g, `grad of input ${i}`, atol * 2, rtol * 2);
    }
    const params = new Map(m.namedParameters());
    assert.deepEqual([...params.keys()], Object.keys(c.paramGrads), 'parameter names');
    for (const [k, g] of Object.entries(c.paramGrads)) {
      const p = params.get(k)!;
      if (g === null) { assert.ok(p.grad === null || (await itemOf(p.grad.abs().sum())) === 0, `${k} should have no gradient`); continue; }
      assert.ok(p.grad !== null, `${k} has no grad`);
      await assertClose(p.grad!, g, `grad of ${k}`, atol * 2, rtol * 2);
    }
  }));
}
