// The nn_vision suite on the native backend (see _select.ts); skipped with the reason when the addon is not built.
import { selectNative } from './_select.js';
if (selectNative('nn_vision')) await import('../nn_vision.test.js');
