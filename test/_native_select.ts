/**
 * Runs a fixture suite with the native (libtorch) backend serving `cpu`: the `test/native_<suite>.test.ts` entry
 * files call {@link runOnNative} with a dynamic import of the suite, so `TORCHLET_BACKEND=native` is set before
 * torchlet's index module (which registers the `cpu` backend from it) is first evaluated in that process. When the
 * addon is not built, one skipped test says why and the suite is not loaded.
 */
import { test } from 'node:test';
import { isAvailable, reason } from '../src/backend/native/index.js';

/** Whether the suites in this process run on the native backend (read by suites that skip portable-only cases). */
export const onNative = (): boolean => process.env['TORCHLET_BACKEND'] === 'native';

export async function runOnNative(suite: string, load: () => Promise<unknown>): Promise<void> {
  if (!isAvailable()) {
    test(`${suite} on the native backend`, { skip: `native backend unavailable: ${reason()}` }, () => {});
    return;
  }
  process.env['TORCHLET_BACKEND'] = 'native';
  await load();
}
