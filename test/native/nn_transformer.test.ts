// The nn_transformer suite on the native backend (see _select.ts); skipped with the reason when the addon is not built.
import { selectNative } from './_select.js';
if (selectNative('nn_transformer')) await import('../nn_transformer.test.js');
