/**
 * The test harness behind "one suite, every backend" (issue 9, item 7).
 *
 * `TORCHLET_TEST_BACKEND` picks the backend that serves the `cpu` device for the suites that import this module
 * (conformance, nn, optim, clipping, summary, data); `npm test` runs them once per backend:
 * - `portable` (default): the portable CPU backend as registered by `src/index.ts`;
 * - `async-only`: the portable backend wrapped by `src/backend/testing/async_only.ts` (throws on `readSync`,
 *   counts host transfers).
 * The `meta` device is exercised by shape-only cases guarded by {@link hasBackend}`('meta')`.
 *
 * The suites read results only through the awaited helpers below (`toList`, `itemOf`, `dataOf`, `equalOf`,
 * `allcloseOf`), which use the asynchronous read (`await t.typedArray()`), so they work for devices that cannot read
 * synchronously.
 *
 * On the async-only backend a synchronous read by library code fails the test (`readSync` throws): library code
 * never reads device values on its own. Reads that PyTorch makes too, because the user asked for a value
 * (printing, a tensor passed as a metric or as indices, `errorIfNonfinite`, `oneHot` inferring its class count),
 * are wrapped in `userRead(() => ...)` in the tests, which allows and counts them. For diagnostics,
 * `TORCHLET_TOLERATE_SYNC_READS=1` reports tests that failed after a sync read as TODO (with the count) instead.
 */
import * as nodeTest from 'node:test';
import * as torch from 'torchlet';
import type { Tensor } from 'torchlet';
import { asyncOnlyBackend } from '../src/backend/testing/async_only.js';
import { nestValues } from '../src/shape.js';
import type { AsyncOnlyBackend } from '../src/backend/testing/async_only.js';

/** The backend this process's suites run on. */
export type TestBackend = 'portable' | 'async-only';

const requested = (process.env['TORCHLET_TEST_BACKEND'] ?? 'portable').trim();
if (requested !== 'portable' && requested !== 'async-only') {
  throw new Error(`TORCHLET_TEST_BACKEND must be 'portable' or 'async-only', got '${requested}'`);
}
/** The backend serving `cpu` in this run. */
export const testBackend: TestBackend = requested;
/** Whether tolerated sync-read failures are hard failures (see the module comment). */
export const strictAsync = process.env['TORCHLET_TOLERATE_SYNC_READS'] !== '1';

let asyncOnly: AsyncOnlyBackend | null = null;
if (testBackend === 'async-only') {
  asyncOnly = asyncOnlyBackend(torch.getBackend('cpu'));
  torch.registerBackend('cpu', asyncOnly);
}

/** The async-only backend when this run uses it, else null. */
export function asyncBackend(): AsyncOnlyBackend | null { return asyncOnly; }

/**
 * The async-only backend, installed for `cpu` in this process if the run did not select it (for tests that are
 * about the async-only backend itself, such as the host-transfer counts, and run in every run).
 */
export function installAsyncOnly(): AsyncOnlyBackend {
  if (asyncOnly === null) {
    asyncOnly = asyncOnlyBackend(torch.getBackend('cpu'));
    torch.registerBackend('cpu', asyncOnly);
  }
  return asyncOnly;
}

/**
 * Runs `fn`, which makes a read PyTorch makes too, because the user asked for a value (printing a tensor, `item()` of
 * a tensor passed as a metric or as indices, `errorIfNonfinite`, `oneHot` inferring its class count). On the
 * async-only backend its synchronous reads are allowed (and counted) while it runs; elsewhere it just runs `fn`.
 */
export function userRead<T>(fn: () => T): T {
  if (asyncOnly === null) return fn();
  asyncOnly.allowSyncReads(true);
  try { return fn(); } finally { asyncOnly.allowSyncReads(false); }
}

/**
 * Runs `fn` with the optional kernels `names` hidden on the backend serving `cpu` (set to `undefined`, as a backend
 * without them looks), so the frontend's fallbacks run; the fixture suites use it to run every case both ways.
 * Promise-aware: for an async `fn` the kernels stay hidden until its promise settles (the awaited reads run inside
 * it), and they are restored even when `fn` throws or its promise rejects; own properties are put back, not deleted.
 */
export function withoutKernels<T>(names: readonly string[], fn: () => T): T {
  const b = torch.getBackend('cpu') as any;
  const own = names.map((k) => Object.prototype.hasOwnProperty.call(b, k));
  const saved = names.map((k) => b[k]);
  for (const k of names) b[k] = undefined;
  const restore = (): void => { names.forEach((k, i) => { if (own[i]) b[k] = saved[i]; else delete b[k]; }); };
  let r: T;
  try {
    r = fn();
  } catch (e) {
    restore();
    throw e;
  }
  if (r instanceof Promise) return r.finally(restore) as T;
  restore();
  return r;
}

/** The optimizer and clipping kernels (`fusedOptimizerStep`, `foreachNorm`, `foreachMul_`) and their two modes. */
export const OPTIM_KERNELS = ['fusedOptimizerStep', 'foreachNorm', 'foreachMul_'] as const;
export const OPTIM_MODES = ['fused', 'fallback'] as const;
export type OptimMode = (typeof OPTIM_MODES)[number];
/** Runs `fn` with the optimizer/clipping kernels ('fused') or with the Tensor-op fallbacks ('fallback'). */
export function inOptimMode<T>(mode: OptimMode, fn: () => T): T {
  return mode === 'fused' ? fn() : withoutKernels(OPTIM_KERNELS, fn);
}

/** Whether a backend is registered for `deviceType` (the meta backend is being written in parallel). */
export function hasBackend(deviceType: string): boolean {
  try { torch.getBackend(deviceType); return true; } catch { return false; }
}

// ---------------------------------------------------------------------------------------------------------------
// Awaited readers (the suites never read synchronously)

/** The elements as a contiguous typed array (`await t.typedArray()`). */
export function dataOf(t: Tensor): ReturnType<Tensor["typedArray"]> { return t.typedArray(); }

/** `t.tolist()` through the asynchronous read: nested arrays, booleans for bool tensors, a number for 0-dim. */
export async function toList(t: Tensor): Promise<any> {
  return nestValues(await t.typedArray(), t.shape, t.dtype === 'bool');
}

/** `t.item()` through the asynchronous read (bool → 0/1). */
export async function itemOf(t: Tensor): Promise<number> {
  const n = t.numel();
  if (n !== 1) throw new Error(`a Tensor with ${n} elements cannot be converted to Scalar`);
  return (await t.typedArray())[0]!;
}

/** The elements as a flat array of numbers (`Array.from(t.dataSync())`, awaited). */
export async function flatOf(t: Tensor): Promise<number[]> { return Array.from(await t.typedArray()); }

/** `a.equal(b)` (same shape and values) with the asynchronous read. */
export async function equalOf(a: Tensor, b: Tensor): Promise<boolean> {
  if (a.shape.length !== b.shape.length || a.shape.some((s, i) => s !== b.shape[i])) return false;
  return (await itemOf(a.eq(b).all())) === 1;
}

/** `a.allclose(b, rtol, atol, equalNan)` with the asynchronous read. */
export async function allcloseOf(a: Tensor, b: Tensor, rtol = 1e-5, atol = 1e-8, equalNan = false): Promise<boolean> {
  return (await itemOf(a.isclose(b, rtol, atol, equalNan).all())) === 1;
}

// ---------------------------------------------------------------------------------------------------------------
// test / it / describe

type Fn = (t: nodeTest.TestContext) => unknown;

function guard(fn: Fn): Fn {
  if (asyncOnly === null || strictAsync) return fn;
  const b = asyncOnly;
  return async (t) => {
    const before = b.transfers().readSync;
    try {
      await fn(t);
    } catch (e) {
      const n = b.transfers().readSync - before;
      if (n > 0) t.todo(`async-only: library code attempted ${n} synchronous read(s) (issue 9 removes them); without TORCHLET_TOLERATE_SYNC_READS=1 this is a failure`);
      throw e;
    }
  };
}

function wrapRunner<R>(run: (...a: any[]) => R): (...a: any[]) => R {
  return (...a: any[]): R => {
    const i = a.findIndex((x) => typeof x === 'function');
    if (i >= 0) a[i] = guard(a[i]);
    return run(...a);
  };
}

/** node:test's `test`, tolerant of hidden sync reads on the async-only backend (see the module comment). */
// Wrapped only where the tolerance applies: node:test reports a test's location as the caller of test(), which a
// wrapper would turn into this file.
const tolerant = asyncOnly !== null && !strictAsync;
/**
 * Test name → reason, set by an entry file before its suite loads (test/native/_select.ts): those cases run as
 * `todo` with that reason (a kernel the backend lacks), assertions unchanged.
 */
const todos = (globalThis as any).__torchletTodos as Map<string, string> | undefined;
function withTodos<R>(run: (...a: any[]) => R): (...a: any[]) => R {
  if (todos === undefined || todos.size === 0) return run;
  return (...a: any[]): R => {
    const why = typeof a[0] === 'string' ? todos.get(a[0]) : undefined;
    if (why !== undefined) {
      if (typeof a[1] === 'object' && a[1] !== null) a[1] = { ...a[1], todo: why };
      else a.splice(1, 0, { todo: why });
    }
    return run(...a);
  };
}
const wrapped = tolerant || (todos !== undefined && todos.size > 0);
export const test: typeof nodeTest.test = wrapped ? Object.assign(withTodos(tolerant ? wrapRunner(nodeTest.test) : nodeTest.test), nodeTest.test) as typeof nodeTest.test : nodeTest.test;
/** node:test's `it`, tolerant like `test`. */
export const it: typeof nodeTest.it = wrapped ? Object.assign(withTodos(tolerant ? wrapRunner(nodeTest.it) : nodeTest.it), nodeTest.it) as typeof nodeTest.it : nodeTest.it;
export const describe = nodeTest.describe;
export const before = nodeTest.before;
export const after = nodeTest.after;
export const beforeEach = nodeTest.beforeEach;
export const afterEach = nodeTest.afterEach;

/** `ts.map((t) => t.tolist())`, awaited. */
export function toLists(ts: readonly Tensor[]): Promise<any[]> { return Promise.all(ts.map(toList)); }

/** `x` with every tensor (inside arrays and plain objects, at any depth) replaced by its `tolist()`, awaited. */
export async function tensorsToLists(x: unknown): Promise<any> {
  if (x instanceof torch.Tensor) return toList(x);
  if (Array.isArray(x)) return Promise.all(x.map(tensorsToLists));
  if (typeof x === 'object' && x !== null && Object.getPrototypeOf(x) === Object.prototype) {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) o[k] = await tensorsToLists(v);
    return o;
  }
  return x;
}
