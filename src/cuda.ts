/**
 * `torch.cuda`. This build has no CUDA backend, so `isAvailable()` is false and `deviceCount()` is 0; the
 * device-selection API still behaves as PyTorch's so code written for GPUs runs unchanged on the CPU.
 * `CUDA_VISIBLE_DEVICES` renumbers GPUs (see `visibleDevices`), read once when a CUDA backend starts.
 *
 * @example
 * import * as torch from 'torchlet';
 * const device = torch.device(torch.cuda.isAvailable() ? 'cuda:0' : 'cpu');
 */
import { visibleDevices } from './device.js';

/** Whether a CUDA device can be used. @example torch.cuda.isAvailable() // false in this build */
export function isAvailable(): boolean { return false; }
/** Number of visible CUDA devices. @example torch.cuda.deviceCount() // 0 */
export function deviceCount(): number { return 0; }
/** Index of the current CUDA device (PyTorch's error when CUDA is missing). */
export function currentDevice(): number { throw new Error('Torch not compiled with CUDA enabled'); }
/** Selects the current CUDA device; negative values are a no-op as in PyTorch. */
export function setDevice(d: number): void { if (d < 0) return; throw new Error('Torch not compiled with CUDA enabled'); }
/** Frees cached memory (a no-op without CUDA). */
export function emptyCache(): void {}
/** Physical GPU ids as filtered and renumbered by `CUDA_VISIBLE_DEVICES` (null when unset). */
export { visibleDevices };
