// The clip suite with the native backend serving cpu (see _native_select.ts); skipped when the addon is not built.
import { runOnNative } from './_native_select.js';

await runOnNative('clip', () => import('./clip.test.js'));
