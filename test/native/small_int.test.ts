// The small-integer dtype suite on the native backend (see _select.ts); skipped with the reason when the addon is not built.
import { selectNative } from './_select.js';
if (selectNative('small_int')) await import('../small_int.test.js');
