/**
 * `torch.cuda`, as in PyTorch. CUDA devices are served by a backend registered for the `cuda` device type (the
 * native backend does so when its libtorch has CUDA and a GPU is visible); without one, `isAvailable()` is false,
 * `deviceCount()` is 0, the memory counters are 0 and `emptyCache()` / `manualSeedAll()` do nothing (PyTorch's
 * answers on a build without CUDA), while the calls that need a device (`currentDevice`, `setDevice`,
 * `getDeviceName`, `getDeviceProperties`, `synchronize`) fail with {@link unavailableReason}: PyTorch's
 * `Torch not compiled with CUDA enabled` first, then what was found (no native addon, a libtorch built without
 * CUDA, no driver or no device) and how to get a CUDA-enabled libtorch.
 *
 * `CUDA_VISIBLE_DEVICES` hides and renumbers GPUs as in PyTorch (`0,2` makes physical GPU 2 `cuda:1`). It is read by
 * the CUDA runtime when CUDA is first initialized, so set it in the shell or in `process.env` (on the main thread)
 * before the first CUDA call; later changes have no effect. {@link visibleDevices} parses it the same way.
 *
 * @example
 * import * as torch from 'torchlet';
 * const device = torch.device(torch.cuda.isAvailable() ? 'cuda:0' : 'cpu');
 */
import { readFileSync } from 'node:fs';
import { visibleDevices, setCurrentDeviceIndex, currentDeviceIndex } from './device.js';
import { getBackend, hasBackend, registeredDeviceCount } from './tensor.js';

/** What the native addon reports about CUDA (`nativeCudaInfo()`), or null when the addon is not loaded. */
export interface NativeCudaInfo { builtWithCuda: boolean; available: boolean; deviceCount: number }

/** Properties of a CUDA device, as PyTorch's `torch.cuda.get_device_properties` (camelCase). */
export interface DeviceProperties {
  name: string;
  /** Compute capability. */
  major: number;
  minor: number;
  totalMemory: number;
  multiProcessorCount: number;
}

/** Optional methods a backend serving `cuda:N` may have; every one is looked up before use. */
interface CudaBackendHooks {
  deviceName?(): string;
  deviceProperties?(): DeviceProperties;
  memoryAllocated?(): number;
  maxMemoryAllocated?(): number;
  memoryReserved?(): number;
  emptyCache?(): void;
  synchronize?(): void;
  manualSeed?(seed: number): void;
}

/** How to get a CUDA-enabled libtorch for the native backend (the two sources the build script looks at first). */
export const CUDA_FIX =
  'to get a CUDA-enabled libtorch, point LIBTORCH at a CUDA build of libtorch (LIBTORCH=/path/to/libtorch npm run build:native), ' +
  'or install a CUDA build of PyTorch for python3 and run npm run build:native';

/**
 * @internal What the native backend can say about CUDA. `index.ts` (the composition root) wires it in, so this module
 * imports no backend: code above `src/backend/` stays device-generic.
 */
export interface NativeCudaProvider {
  isAvailable(): boolean;
  reason(): string | null;
  cudaInfo(): NativeCudaInfo | null;
  /** libtorch's version when `backend` is the native backend, else null. */
  torchVersion(backend: unknown): string | null;
}
let provider: NativeCudaProvider | null = null;
/** @internal */
export function setNativeCudaProvider(p: NativeCudaProvider | null): void { provider = p; }

/** @internal The native addon's CUDA report, or null when the addon is unavailable or has no such report. */
export function nativeCudaInfo(): NativeCudaInfo | null {
  if (provider === null || !provider.isAvailable()) return null;
  return provider.cudaInfo();
}

/** What was found when looking for CUDA: the input of {@link explainUnavailable}. */
export interface CudaFindings {
  /** Devices of the backend registered for `cuda`, or null when none is registered. */
  cudaBackendDevices: number | null;
  /** Why the native addon is unavailable, or null when it loaded. */
  nativeReason: string | null;
  /** The addon's CUDA report (null when it has none). */
  info: NativeCudaInfo | null;
  /** libtorch's version and source, when known. */
  libtorch: string | null;
  /** `CUDA_VISIBLE_DEVICES`, when set. */
  visible: string | undefined;
}

/**
 * The message for each way CUDA can be missing (pure, so every branch is testable without a GPU), or null when a
 * CUDA backend has a device. PyTorch's `Torch not compiled with CUDA enabled` comes first where it applies.
 */
export function explainUnavailable(f: CudaFindings): string | null {
  const cvd = f.visible === undefined ? '' : ` (CUDA_VISIBLE_DEVICES='${f.visible}')`;
  const lt = f.libtorch ? ` (${f.libtorch})` : '';
  if (f.cudaBackendDevices !== null) {
    return f.cudaBackendDevices > 0 ? null : `No CUDA GPUs are available: the CUDA backend found no visible device${cvd}.`;
  }
  const nc = 'Torch not compiled with CUDA enabled';
  if (f.nativeReason !== null) {
    return `${nc}. torchlet's native backend (libtorch) is not available: ${f.nativeReason}. The portable backend serves the CPU only; ${CUDA_FIX}.`;
  }
  if (f.info === null || !f.info.builtWithCuda) {
    return `${nc}. The native backend's libtorch${lt} was built without CUDA (CPU only); ${CUDA_FIX}.`;
  }
  if (!f.info.available || f.info.deviceCount === 0) {
    return `No CUDA GPUs are available: libtorch${lt} has CUDA but found no NVIDIA driver or no device${cvd}.`;
  }
  return `libtorch${lt} has CUDA and sees ${f.info.deviceCount} device(s), but no CUDA backend is registered in torchlet.`;
}

/**
 * Why CUDA cannot be used here, in the words the failing calls use, or null when a CUDA backend is registered and
 * has a device (see {@link explainUnavailable}).
 * @example torch.cuda.unavailableReason() // 'Torch not compiled with CUDA enabled. The native backend ...'
 */
export function unavailableReason(): string | null {
  const cuda = hasBackend('cuda');
  const nativeReason = cuda ? null : provider === null ? 'the native backend is not part of this build'
    : provider.isAvailable() ? null : provider.reason();
  return explainUnavailable({
    cudaBackendDevices: cuda ? deviceCount() : null,
    nativeReason,
    info: cuda || nativeReason !== null ? null : nativeCudaInfo(),
    libtorch: cuda || nativeReason !== null ? null : torchVersion(),
    visible: process.env['CUDA_VISIBLE_DEVICES'],
  });
}

/** "1.13.0 from libtorch-dev (/usr)": the serving native backend's version and where the build found libtorch. */
function torchVersion(): string | null {
  const cpu = getBackend('cpu');
  const version = provider === null ? null : provider.torchVersion(cpu);
  let source: string | null = null;
  try {
    source = (JSON.parse(readFileSync(new URL('../../native/build/status.json', import.meta.url), 'utf8')) as { libtorch?: string }).libtorch ?? null;
  } catch { /* no build status */ }
  if (version === null && source === null) return null;
  return [version, source === null ? null : `from ${source}`].filter((x) => x !== null).join(' ');
}

function requireCuda(): void {
  const why = unavailableReason();
  if (why !== null) throw new Error(why);
}

function checkIndex(fn: string, d: number | undefined): number {
  const i = d ?? currentDeviceIndex('cuda');
  if (!Number.isInteger(i) || i < 0 || i >= deviceCount()) {
    throw new Error(`torch.cuda.${fn}(${d}): CUDA error: invalid device ordinal (${deviceCount()} visible device(s))`);
  }
  return i;
}

function hooks(i: number): CudaBackendHooks { return getBackend(`cuda:${i}`) as unknown as CudaBackendHooks; }

/**
 * Whether a CUDA device can be used: a backend is registered for `cuda` and it sees at least one device.
 * @example torch.cuda.isAvailable() // false on a machine without a GPU
 */
export function isAvailable(): boolean { return hasBackend('cuda') && deviceCount() > 0; }
/**
 * Number of visible CUDA devices (after `CUDA_VISIBLE_DEVICES`): the `deviceCount` the CUDA backend registered
 * with (1 when it gave none), 0 without one.
 * @example torch.cuda.deviceCount() // 0
 */
export function deviceCount(): number { return hasBackend('cuda') ? registeredDeviceCount('cuda') ?? 1 : 0; }
/** Index of the current CUDA device, the one `'cuda'` without an index means (0 until `setDevice`). */
export function currentDevice(): number { requireCuda(); return currentDeviceIndex('cuda'); }
/**
 * Selects the current CUDA device: tensors created on `'cuda'` go there. Negative values are a no-op, as in PyTorch.
 * @example torch.cuda.setDevice(1); torch.zeros([2], { device: 'cuda' }).device.toString() // 'cuda:1'
 */
export function setDevice(d: number): void {
  if (d < 0) return;
  requireCuda();
  setCurrentDeviceIndex('cuda', checkIndex('setDevice', d));
}
/** The name of a CUDA device (the current one by default), e.g. `'NVIDIA H200'`. */
export function getDeviceName(d?: number): string {
  requireCuda();
  const i = checkIndex('getDeviceName', d);
  const h = hooks(i);
  return h.deviceName?.() ?? h.deviceProperties?.().name ?? `cuda:${i}`;
}
/** Name, compute capability, memory and multiprocessor count of a CUDA device (the current one by default). */
export function getDeviceProperties(d?: number): DeviceProperties {
  requireCuda();
  const i = checkIndex('getDeviceProperties', d);
  const p = hooks(i).deviceProperties?.();
  if (p === undefined) throw new Error(`torch.cuda.getDeviceProperties(${i}): the CUDA backend does not report device properties`);
  return p;
}

function counter(fn: 'memoryAllocated' | 'maxMemoryAllocated' | 'memoryReserved', d: number | undefined): number {
  // PyTorch answers 0 while CUDA is not initialized (and always without CUDA)
  if (!isAvailable()) return 0;
  return hooks(checkIndex(fn, d))[fn]?.() ?? 0;
}
/** Bytes of tensor storage currently allocated on a CUDA device (the current one by default); 0 without CUDA. */
export function memoryAllocated(d?: number): number { return counter('memoryAllocated', d); }
/** Peak of {@link memoryAllocated} since the program started; 0 without CUDA. */
export function maxMemoryAllocated(d?: number): number { return counter('maxMemoryAllocated', d); }
/** Bytes held by the caching allocator (allocated plus cached); 0 without CUDA. */
export function memoryReserved(d?: number): number { return counter('memoryReserved', d); }
/** Returns the allocator's cached, unused blocks to the driver; a no-op without CUDA, as in PyTorch. */
export function emptyCache(): void {
  if (!isAvailable()) return;
  for (let i = 0; i < deviceCount(); i++) hooks(i).emptyCache?.();
}
/** Waits for every kernel queued on a CUDA device (the current one by default) to finish. */
export function synchronize(d?: number): void {
  requireCuda();
  hooks(checkIndex('synchronize', d)).synchronize?.();
}
/**
 * Seeds the random generators of every CUDA device. Without CUDA this does nothing, as in PyTorch (which defers it
 * until CUDA is initialized); `torch.manualSeed` seeds the CPU generator.
 */
export function manualSeedAll(seed: number): void {
  if (!Number.isInteger(seed)) throw new TypeError(`manualSeedAll(): seed must be an integer, got ${seed}`);
  if (!isAvailable()) return;
  for (let i = 0; i < deviceCount(); i++) hooks(i).manualSeed?.(seed);
}
/** Physical GPU ids as filtered and renumbered by `CUDA_VISIBLE_DEVICES` (null when unset). */
export { visibleDevices };
