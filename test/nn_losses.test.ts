/**
 * Every loss with every option against PyTorch (test/fixtures/nn_losses.json): value and the gradients of the
 * input (and of float targets where PyTorch computes them), plus the module printout.
 */
import { test } from './_harness.js';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';
import { assertClose, loadFixture, mk, revive } from './nn-util.test.js';
import type { Input, Value } from './nn-util.test.js';
import { MODES, inMode } from './nn_modes.test.js';

const { nn } = torch;

interface LossCase {
  name: string; loss: string; args: any[]; kwargs: Record<string, any>; inputs: Input[];
  out: Value; gradOut: Value; inputGrads: (Value | null)[]; repr: string;
}

const fx = loadFixture<{ cases: LossCase[] }>('nn_losses.json');

for (const mode of MODES) for (const c of fx.cases) {
  test(`nn.${c.name} (${mode})`, () => inMode(mode, async () => {
    const Cls = (nn as any)[c.loss];
    const args = revive(c.args);
    const m = Object.keys(c.kwargs).length > 0 ? new Cls(...args, revive(c.kwargs)) : new Cls(...args);
    assert.equal(String(m), c.repr, 'repr');
    const ins = c.inputs.map((v) => mk(v, v.requiresGrad));
    const out = m.call(ins[0], ins[1]);
    await assertClose(out, c.out, 'loss');
    out.mul(mk(c.gradOut)).sum().backward();
    for (const [i, g] of c.inputGrads.entries()) {
      if (g === null) continue;
      assert.ok(ins[i]!.grad !== null, `input ${i} has no grad`);
      await assertClose(ins[i]!.grad!, g, `grad of input ${i}`, 2e-5, 2e-4);
    }
  }));
}
