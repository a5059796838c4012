/**
 * torchlet: PyTorch's training API in TypeScript.
 *
 * @example
 * import * as torch from 'torchlet';
 * const x = torch.tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const y = x.matmul(x).sum();
 * y.backward();
 * console.log(x.grad!.tolist());
 */
import { CpuBackend } from './backend/cpu/cpu.js';
import { MetaBackend } from './backend/meta/meta.js';
import { registerBackend, installFinalizerSweep } from './tensor.js';
import * as nativeMod from './backend/native/index.js';
import { setNativeCudaProvider } from './cuda.js';

// TORCHLET_BACKEND=portable|native|auto picks what serves `cpu` (src/backend/native/index.ts); the meta device
// (shape-only) has one instance.
// (set before any NativeBackend exists: the first one installs synchronous finalization in the core)
nativeMod.setSweepInstaller(installFinalizerSweep);
registerBackend('cpu', nativeMod.selectCpuBackend(() => new CpuBackend()));
// torch.cuda asks the native backend what it knows about CUDA through this provider (cuda.ts imports no backend)
setNativeCudaProvider({
  isAvailable: () => nativeMod.isAvailable(),
  reason: () => nativeMod.reason(),
  cudaInfo: () => nativeMod.nativeCudaInfo(),
  torchVersion: (b) => (b instanceof nativeMod.NativeBackend ? b.torchVersion : null),
});
registerBackend('meta', new MetaBackend());

export { Tensor, registerBackend, getBackend, hasBackend } from './tensor.js';
export type { BackendFactory } from './tensor.js';
export type { NestedArray, Scalar } from './tensor.js';
export type { DType, TypedArray } from './dtype.js';
export { promoteTypes, getDefaultDtype, setDefaultDtype, isFloating as isFloatingDtype } from './dtype.js';
export { Device, device, deviceTypes } from './device.js';
export type { DeviceLike, DeviceType } from './device.js';
export { Generator, manualSeed, initialSeed, defaultGenerator } from './random.js';
export { noGrad, enableGrad, inferenceMode, isGradEnabled, setGradEnabled, isInferenceModeEnabled } from './autograd/grad_mode.js';
export {
  tensor, zeros, ones, empty, full, arange, linspace, eye, rand, randn, randint, randperm,
  zerosLike, onesLike, emptyLike, fullLike, randnLike, randLike, where, cat, stack, resultType, linear,
} from './ops.js';
export type { TensorOptions, ValuesIndices, ToOptions } from './ops.js';
export { searchsorted, bucketize, einsum, meshgrid, cdist } from './ops.js';
export type { UniqueOptions, SearchsortedOptions } from './ops.js';
export * from './functional_forms.js';
export { var_ as var } from './functional_forms.js';
export type { Backend, Layout, Storage } from './backend/types.js';
export type { OptimizerKind, OptimizerSlot, OptimizerHyperparams, TensorRef } from './backend/types.js';
export { CpuBackend, cpuAllocator } from './backend/cpu/cpu.js';
export { MetaBackend, MetaStorage } from './backend/meta/meta.js';
export * as cuda from './cuda.js';
export { setNumThreads, getNumThreads } from './threads.js';
/** `torch.backends.native.isAvailable()` / `reason()`: the libtorch backend (see README, "Native backend"). */
export * as backends from './backend/native/backends.js';
export * as nn from './nn/index.js';
export * as autograd from './autograd/index.js';

/** Shorthand dtype names as in PyTorch (`torch.float32`, `torch.long`, ...). */
export const float32 = 'float32', float = 'float32', float64 = 'float64', double = 'float64',
  int64 = 'int64', long = 'int64', int32 = 'int32', int = 'int32', bool = 'bool';
/** The small integer dtypes (`torch.uint8`, `torch.int8`, `torch.int16` and PyTorch's aliases). */
export const uint8 = 'uint8', int8 = 'int8', int16 = 'int16', short = 'int16';
export * as optim from './optim/index.js';
export * as utils from './utils/index.js';
export { save, load } from './serialization.js';
export type { MapLocation } from './serialization.js';
export * as datasets from './datasets/index.js';
export { summary, ModelStatistics } from './summary/index.js';
export type { SummaryOptions, LayerSummary, ColumnName, RowSetting } from './summary/index.js';
// Python indexing (issue 12): torch.indexing.{Slice, None, Ellipsis}, torch.Slice/Ellipsis and the index-family functional forms
export * as indexing from './indexing_ns.js';
export * from './indexing_forms.js';
