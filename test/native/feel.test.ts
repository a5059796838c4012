// The "feel like PyTorch" suite (callable modules, tensor.data, iteration, full) on the native backend (see
// _select.ts); skipped with the reason when the addon is not built.
import { selectNative } from './_select.js';
if (selectNative('feel')) await import('../feel.test.js');
