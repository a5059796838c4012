/**
 * Selects the native (libtorch) backend for the suites re-run from this folder, as test/async_only/_select.ts does
 * for the async-only backend: each entry file awaits {@link selectNative} and then imports its suite, so that
 * `TORCHLET_BACKEND=native` is set before torchlet's index module registers what serves `cpu`. When the addon is
 * not built the entry file registers one skipped test carrying the reason instead (installing never requires
 * libtorch, so neither do the tests).
 *
 * Cases that fail on native only because a kernel is not implemented there yet are listed in `./_todo.ts` and run
 * as `todo` (their assertions unchanged), naming the missing kernel.
 */
import { test } from 'node:test';
import { isAvailable, reason } from '../../src/backend/native/index.js';
import { NATIVE_TODO } from './_todo.js';

/** True (after selecting native) when the suite should load; false after registering the skip with its reason. */
export function selectNative(suite: string): boolean {
  if (!isAvailable()) {
    test(`${suite} on the native backend`, { skip: `native backend unavailable: ${reason()}` }, () => {});
    return false;
  }
  process.env['TORCHLET_BACKEND'] = 'native';
  (globalThis as any).__torchletTodos = NATIVE_TODO;
  return true;
}
