/**
 * Shared helpers of the nn tests: reading the PyTorch fixtures written by scripts/gen_nn_fixtures.py and
 * comparing tensors with tolerances. (A test file itself, with no tests, so that it is compiled alongside.)
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as torch from 'torchlet';
import type { Tensor, DType } from 'torchlet';

export interface Value { shape: number[]; dtype: DType; data: (number | string | boolean)[] }
export interface Input extends Value { requiresGrad: boolean }

export function loadFixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

export const num = (v: number | string | boolean): number =>
  v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : typeof v === 'boolean' ? (v ? 1 : 0) : (v as number);

/** A tensor from a fixture VALUE. */
export function mk(v: Value, requiresGrad = false): Tensor {
  const t = torch.tensor(v.data.map(num), { dtype: v.dtype }).reshape(v.shape);
  return requiresGrad ? t.requiresGrad_() : t;
}

/** Replaces `{ tensor: VALUE }` markers (and nested arrays/objects) by tensors. */
export function revive(x: any): any {
  if (x === null || typeof x !== 'object') return x;
  if (Array.isArray(x)) return x.map(revive);
  if ('tensor' in x && Object.keys(x).length === 1) return mk(x.tensor);
  const o: Record<string, any> = {};
  for (const [k, v] of Object.entries(x)) o[k] = revive(v);
  return o;
}

/** A state dict of tensors from fixture values. */
export function stateOf(sd: Record<string, Value>): Record<string, Tensor> {
  const o: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(sd)) o[k] = mk(v);
  return o;
}

/** Asserts (read with the asynchronous `typedArray()`, so it works on every backend) |a − e| ≤ atol + rtol·|e| elementwise (NaN matches NaN, ±inf exactly) and equal shapes. */
export async function assertClose(actual: Tensor, expected: Value, what: string, atol = 1e-5, rtol = 1e-4): Promise<void> {
  assert.deepEqual([...actual.shape], expected.shape, `${what}: shape ${JSON.stringify(actual.shape)} vs ${JSON.stringify(expected.shape)}`);
  const a = await actual.typedArray();
  const e = expected.data.map(num);
  let worst = -1, worstErr = 0;
  for (let i = 0; i < e.length; i++) {
    const x = a[i]!, y = e[i]!;
    if (Number.isNaN(y)) { if (!Number.isNaN(x)) { worst = i; worstErr = Infinity; break; } continue; }
    if (!Number.isFinite(y)) { if (x !== y) { worst = i; worstErr = Infinity; break; } continue; }
    const err = Math.abs(x - y) - (atol + rtol * Math.abs(y));
    if (!(err <= 0) && (worst < 0 || err > worstErr)) { worst = i; worstErr = err; }
  }
  if (worst >= 0) {
    assert.fail(`${what}: element ${worst} is ${a[worst]}, expected ${e[worst]} (atol ${atol}, rtol ${rtol}); ` +
      `actual ${JSON.stringify(Array.from(a).slice(0, 12))} expected ${JSON.stringify(e.slice(0, 12))}`);
  }
}

/** Asserts that `fn` throws an error whose message contains PyTorch's (a trailing period aside). */
export function assertThrowsLike(fn: () => unknown, expected: string, what: string): void {
  let msg: string | null = null;
  try { fn(); } catch (e) { msg = (e as Error).message; }
  assert.notEqual(msg, null, `${what}: expected an error containing ${JSON.stringify(expected)}`);
  const want = expected.replace(/\.\s*$/, '');
  assert.ok(msg!.includes(want), `${what}: error ${JSON.stringify(msg)} does not contain ${JSON.stringify(want)}`);
}
