// The rnn suite on the native backend (see _select.ts); skipped with the reason when the addon is not built.
import { selectNative } from './_select.js';
if (selectNative('rnn')) await import('../rnn.test.js');
