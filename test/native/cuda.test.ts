// torch.cuda and torch.setNumThreads with the native backend serving cpu (see _select.ts): the "libtorch built
// without CUDA" message and the thread count reaching ATen. Skipped with the reason when the addon is not built.
import { selectNative } from './_select.js';
if (selectNative('cuda')) await import('../cuda.test.js');
