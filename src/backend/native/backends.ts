/**
 * `torch.backends`: what optional backends this installation has, as PyTorch's `torch.backends.mps`.
 *
 * @example
 * import * as torch from 'torchlet';
 * if (!torch.backends.native.isAvailable()) console.log(torch.backends.native.reason());
 */
import { isAvailable, reason } from './index.js';

/**
 * The native backend (libtorch's ATen through the addon in `native/`). `isAvailable()` loads the addon on first
 * call (about 0.6 s); `reason()` says why it is unavailable and the command that fixes it, or null.
 */
export const native = { isAvailable, reason } as const;
