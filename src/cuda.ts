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
import { hasBackend, registeredDeviceCount } from './tensor.js';

/**
 * Whether a CUDA device can be used: true once a backend is registered for `cuda` (none in this build).
 * @example torch.cuda.isAvailable() // false in this build
 */
export function isAvailable(): boolean { return hasBackend('cuda') && deviceCount() > 0; }
/**
 * Number of visible CUDA devices: the `deviceCount` the CUDA backend registered with (1 when it gave none), 0 without one.
 * @example torch.cuda.deviceCount() // 0
 */
export function deviceCount(): number { return hasBackend('cuda') ? registeredDeviceCount('cuda') ?? 1 : 0; }
/** Index of the current CUDA device (always 0 here: `'cuda'` means `cuda:0`; PyTorch's error when CUDA is missing). */
export function currentDevice(): number { if (!hasBackend('cuda')) throw new Error('Torch not compiled with CUDA enabled'); return 0; }
/** Selects the current CUDA device; negative values are a no-op as in PyTorch. Only device 0 can be current here. */
export function setDevice(d: number): void {
  if (d < 0) return;
  if (!hasBackend('cuda')) throw new Error('Torch not compiled with CUDA enabled');
  if (d !== 0) throw new Error(`torch.cuda.setDevice(${d}): selecting a current device other than 0 is not supported; pass the device explicitly (\`cuda:${d}\`)`);
}
/** Frees cached memory (a no-op without CUDA). */
export function emptyCache(): void {}
/** Physical GPU ids as filtered and renumbered by `CUDA_VISIBLE_DEVICES` (null when unset). */
export { visibleDevices };
