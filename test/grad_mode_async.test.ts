/**
 * Grad mode under async code (reliability probe 36, 37): scopes are per async context in Node, so overlapping
 * async `noGrad`/`enableGrad`/`inferenceMode` evaluations restore exactly and never touch a concurrent task; the
 * browser fallback (no AsyncLocalStorage) still restores correctly in any completion order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';
import { _useFallbackScoping, gradModeScoping } from '../src/autograd/grad_mode.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

test('Node scopes grad mode per async context', () => {
  assert.equal(gradModeScoping(), 'async-context');
});

test('probe 36: a concurrent training task is unaffected by an async noGrad / inferenceMode scope', async () => {
  const w = torch.tensor([1, 2], { requiresGrad: true });
  let inside: boolean[] = [];
  const evalTask = torch.noGrad(async () => {
    inside.push(torch.isGradEnabled());
    await sleep(30);
    inside.push(torch.isGradEnabled(), w.mul(2).requiresGrad);
  });
  const infTask = torch.inferenceMode(async () => {
    await sleep(20);
    inside.push(torch.isInferenceModeEnabled(), torch.zeros([1])._inference);
  });
  await sleep(5);
  // the other task: grad on, its tensors are normal tensors, backward works
  assert.equal(torch.isGradEnabled(), true);
  assert.equal(torch.isInferenceModeEnabled(), false);
  const t = torch.zeros([2]);
  assert.equal(t._inference, false);
  w.mul(3).sum().backward();
  assert.deepEqual(w.grad!.tolist(), [3, 3]);
  await Promise.all([evalTask, infTask]);
  assert.deepEqual(inside, [false, true, true, false, false]); // the inference task ends first
  assert.equal(torch.isGradEnabled(), true);
  assert.equal(torch.isInferenceModeEnabled(), false);
});

test('probe 37: overlapping noGrad evaluations leave grad mode on, in either completion order', async () => {
  const model = new torch.nn.Linear(2, 1);
  const evaluate = (ms: number) => torch.noGrad(async () => {
    const outs: boolean[] = [];
    for (let i = 0; i < 3; i++) { await sleep(ms); outs.push(model.call(torch.ones([1, 2])).requiresGrad); }
    return outs;
  });
  const [a, b] = await Promise.all([evaluate(7), evaluate(3)]);
  assert.deepEqual([a, b], [[false, false, false], [false, false, false]]);
  assert.equal(torch.isGradEnabled(), true);
  assert.equal(model.call(torch.ones([1, 2])).requiresGrad, true);
  // an enableGrad scope nested in one noGrad and a noGrad that ends first
  const outer = torch.noGrad(async () => {
    await sleep(10);
    const g = await torch.enableGrad(async () => { await sleep(5); return torch.isGradEnabled(); });
    return [g, torch.isGradEnabled()];
  });
  const short = torch.enableGrad(async () => { await sleep(1); return torch.isGradEnabled(); });
  assert.deepEqual(await outer, [true, false]);
  assert.equal(await short, true);
  assert.equal(torch.isGradEnabled(), true);
});

test('a rejected async scope still ends; a throwing sync scope restores; non-functions are a TypeError', async () => {
  await assert.rejects(torch.noGrad(async () => { await sleep(1); throw new Error('boom'); }), /boom/);
  assert.throws(() => torch.noGrad(() => { throw new Error('sync boom'); }), /sync boom/);
  assert.equal(torch.isGradEnabled(), true);
  assert.throws(() => torch.noGrad(5 as any), TypeError);
});

test('setGradEnabled: inside a scope it lasts until the scope ends; outside it sets the default; scoped form', async () => {
  const seen = await torch.enableGrad(async () => {
    torch.setGradEnabled(false);
    await sleep(1);
    return torch.isGradEnabled();
  });
  assert.equal(seen, false);
  assert.equal(torch.isGradEnabled(), true);
  torch.setGradEnabled(false);
  try {
    assert.equal(torch.isGradEnabled(), false);
    // a new async scope inherits nothing it does not set: enableGrad turns it on just for itself
    assert.equal(await torch.enableGrad(async () => { await sleep(1); return torch.isGradEnabled(); }), true);
    assert.equal(torch.isGradEnabled(), false);
  } finally {
    torch.setGradEnabled(true);
  }
  assert.equal(torch.setGradEnabled(false, () => torch.isGradEnabled()), false);
  assert.equal(torch.isGradEnabled(), true);
  assert.throws(() => torch.setGradEnabled('no' as any), /set_grad_enabled\(\): argument 'mode' must be bool, not str/);
});

test('a callback scheduled inside a sync scope, run after it ended, sees the mode around the scope', async () => {
  let seen: boolean | undefined;
  let done!: () => void;
  const p = new Promise<void>((r) => { done = r; });
  torch.noGrad(() => { setTimeout(() => { seen = torch.isGradEnabled(); done(); }, 1); });
  await p;
  assert.equal(seen, true);
});

test('browser fallback: overlapping async scopes restore in any completion order', async () => {
  _useFallbackScoping(true);
  try {
    assert.equal(gradModeScoping(), 'global');
    const a = torch.noGrad(async () => { await sleep(10); return torch.isGradEnabled(); });
    const b = torch.enableGrad(async () => { await sleep(2); return torch.isGradEnabled(); });
    // b ended first: the innermost open scope is a again
    await b;
    assert.equal(torch.isGradEnabled(), false); // documented: interleaved work sees an open scope's mode
    assert.equal(await a, false);
    assert.equal(torch.isGradEnabled(), true);
    const c = torch.inferenceMode(async () => { await sleep(2); });
    const d = torch.noGrad(async () => { await sleep(6); });
    await c;
    assert.equal(torch.isGradEnabled(), false); // d, entered inside c, is still open
    await d;
    assert.equal(torch.isGradEnabled(), true);
    assert.equal(torch.isInferenceModeEnabled(), false);
  } finally {
    await sleep(20); // let every scope of a failed assertion end before switching back
    _useFallbackScoping(false);
  }
  assert.equal(gradModeScoping(), 'async-context');
});
