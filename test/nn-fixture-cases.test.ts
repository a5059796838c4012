/**
 * Shared runners of the fixture suites nn_layers, nn_transformer and nn_vision (scripts/gen_nn_fixtures.py,
 * scripts/gen_tfm_fixtures.py, scripts/gen_vision_fixtures.py): a layer case in the format of nn_layers.json (PyTorch's state dict loaded,
 * forward values, buffers after the forward, input and parameter gradients, the printout) and a functional
 * case (values and input gradients). A test file itself, with no tests, so that it is compiled alongside.
 */
import { itemOf } from './_harness.js';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';
import type { Tensor } from 'torchlet';
import { assertClose, mk, num, revive, stateOf } from './nn-util.test.js';
import type { Input, Value } from './nn-util.test.js';

export interface LayerCase {
  name: string; layer: string; args: any[]; kwargs: Record<string, any>; build?: string; mode: 'train' | 'eval';
  state: Record<string, Value>; inputs: Input[]; call: number[]; fwdArgs: any[]; fwdOpts: Record<string, any>;
  out: Value | (Value | null)[]; gradOut: Value | (Value | null)[] | null; inputGrads: (Value | null)[];
  paramGrads: Record<string, Value | null>; stateAfter: Record<string, Value | null>; repr: string; atol?: number; rtol?: number;
}

export interface FnCase {
  name: string; fn: string; inputs: Input[]; args: any[]; opts: Record<string, any>; out: Value | Value[];
  gradOut?: Value; inputGrads?: (Value | null)[];
}

const allZero = (v: Value): boolean => v.data.every((x) => num(x) === 0);

/** Runs one layer case: `build(c)` makes the module (null: `new nn[c.layer](...args, kwargs)`). */
export async function runLayerCase(c: LayerCase, build: (c: LayerCase) => torch.nn.Module | null, atolDefault = 1e-5, rtolDefault = 1e-4): Promise<void> {
  let m = build(c);
  if (m === null) {
    const Cls = (torch.nn as any)[c.layer];
    const args = revive(c.args);
    m = (Object.keys(c.kwargs).length > 0 ? new Cls(...args, revive(c.kwargs)) : new Cls(...args)) as torch.nn.Module;
  }
  assert.equal(String(m), c.repr, 'repr');
  m.loadStateDict(stateOf(c.state));
  m.train(c.mode === 'train');
  const ins = c.inputs.map((v) => mk(v, v.requiresGrad));
  const args: unknown[] = c.call.map((i) => ins[i]);
  const opts = revive(c.fwdOpts);
  if (Object.keys(opts).length > 0) {
    // ConvTranspose's forward takes output_size positionally
    if (c.layer.startsWith('ConvTranspose')) args.push(opts.outputSize);
    else args.push(opts);
  }
  const raw = m.call(...args);
  const outs: (Tensor | null)[] = Array.isArray(c.out) ? raw : [raw];
  const expOuts = Array.isArray(c.out) ? c.out : [c.out];
  const gos = Array.isArray(c.out) ? (c.gradOut as (Value | null)[]) : [c.gradOut as Value | null];
  const atol = c.atol ?? atolDefault, rtol = c.rtol ?? rtolDefault;
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
    if (v === null) continue;
    await assertClose(m.getBuffer(k), v, `buffer ${k} after forward`, atol, rtol);
  }
  if (total === null) return;
  total.backward();
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
}

/** Replaces `{ input: i }` markers by `ins[i]` (and revives `{ tensor }` markers). */
function withInputs(x: any, ins: Tensor[]): any {
  if (x === null || typeof x !== 'object') return x;
  if (Array.isArray(x)) return x.map((v) => withInputs(v, ins));
  if ('input' in x && Object.keys(x).length === 1) return ins[x.input];
  if ('tensor' in x && Object.keys(x).length === 1) return revive(x);
  const o: Record<string, any> = {};
  for (const [k, v] of Object.entries(x)) o[k] = withInputs(v, ins);
  return o;
}

/**
 * Runs one functional case: `fns[c.fn]` (default `F[c.fn]`) called with the case's args and, when it has any,
 * its options object; every input gradient PyTorch gives (zeros included) must be there.
 */
export async function runFnCase(c: FnCase, fns: Record<string, (...a: any[]) => any> = {}, atol = 1e-5, rtol = 1e-4): Promise<void> {
  const F = torch.nn.functional as any;
  const ins = c.inputs.map((v) => mk(v, v.requiresGrad));
  const args = withInputs(c.args, ins) as unknown[];
  const opts = withInputs(c.opts, ins) as Record<string, unknown>;
  if (Object.keys(opts).length > 0) args.push(opts);
  const fn = fns[c.fn] ?? F[c.fn];
  assert.equal(typeof fn, 'function', `no function ${c.fn}`);
  const raw = fn(...args);
  const outs: Tensor[] = Array.isArray(c.out) ? raw : [raw];
  const exp = Array.isArray(c.out) ? c.out : [c.out];
  assert.equal(outs.length, exp.length, 'number of outputs');
  for (const [i, e] of exp.entries()) {
    assert.equal(outs[i]!.dtype, e.dtype, `output ${i} dtype`);
    await assertClose(outs[i]!, e, `output ${i}`, atol, rtol);
  }
  if (c.gradOut === undefined || c.inputGrads === undefined) return;
  outs[0]!.mul(mk(c.gradOut)).sum().backward();
  for (const [i, g] of c.inputGrads.entries()) {
    if (g === null) continue;
    const got = ins[i]!.grad;
    assert.ok(got !== null, `input ${i} has no grad${allZero(g) ? ' (PyTorch gives zeros)' : ''}`);
    await assertClose(got, g, `grad of input ${i}`, atol * 2, rtol * 2);
  }
}
