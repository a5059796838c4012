// The ops2 suite (issue 12's ops) on the native backend (see _select.ts): the sort/scan fallbacks run there.
import { selectNative } from './_select.js';
if (selectNative('ops2')) await import('../ops2.test.js');
