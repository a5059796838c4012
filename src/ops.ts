/**
 * Tensor operations, one module per concern under `ops/`; this module re-exports what the rest of the library
 * uses. Each op module defines a class of methods that `ops/registry.ts` installs on `Tensor.prototype` (typed
 * through `interface Tensor extends TensorMethods` in `tensor.ts`); `index.ts` exposes the functional forms
 * (`torch.add(a, b)`). Primitives call one backend kernel and record one autograd node whose rule lives in
 * `autograd/rules.ts`; composite operations are written with primitives and record nothing themselves.
 *
 * - `ops/creation.ts`     tensor, zeros, ones, full, arange, linspace, eye, *Like
 * - `ops/elementwise.ts`  unary and binary primitives (tensor and scalar operands), where, arithmetic, comparisons, math
 * - `ops/reductions.ts`   sum, mean, prod, max/min, argmax, var/std, norm, logsumexp, softmax, cumsum
 * - `ops/views.ts`        view, reshape, permute, expand, slice, select, ..., clone, cat, stack
 * - `ops/indexing.ts`     gather, scatter, indexSelect, maskedFill, maskedSelect
 * - `ops/linalg.ts`       matmul, mm, bmm, dot, linear, im2col/col2im
 * - `ops/inplace.ts`      the in-place machinery (inplace, writeWithHistory, checkWritable) and the `*_` methods
 * - `ops/autograd.ts`     record, needsGrad, view geometry and refreshView, backward/grad/detach, the engine's ops
 * - `ops/device.ts`       commonDevice/onDevice, checkSameDevice, resolveDevice, to/cpu/cuda and dtype casts
 * - `ops/random.ts`       uniform_/normal_/bernoulli_ and rand, randn, randint, randperm
 * - `ops/format.ts`       PyTorch-style printing
 * - `ops/common.ts`       options, scalar operands, type promotion, release
 * - `ops/registry.ts`     where `Tensor.prototype` and the method classes meet (import-free, see there)
 */
// Loading each method module installs its methods (two of them export nothing re-exported here).
import './ops/elementwise.js';
import './ops/reductions.js';
import './ops/linalg.js';
import './ops/views.js';
import './ops/indexing.js';
import './ops/inplace.js';
import './ops/random.js';
import './ops/device.js';
import './ops/sorting.js';
import './ops/special.js';
import './ops/hooks.js';
import type { DeviceOps } from './ops/device.js';
import type { ElementwiseOps } from './ops/elementwise.js';
import type { IndexingOps } from './ops/indexing.js';
import type { InplaceOps } from './ops/inplace.js';
import type { LinalgOps } from './ops/linalg.js';
import type { RandomOps } from './ops/random.js';
import type { ReductionOps } from './ops/reductions.js';
import type { ViewOps } from './ops/views.js';
import type { SortingOps } from './ops/sorting.js';
import type { SpecialOps } from './ops/special.js';

export { wrapDim, isPlainObject, scalarAs, resultType, release } from './ops/common.js';
export type { TensorOptions } from './ops/common.js';
export { resolveDevice, isMeta, checkSameDevice, commonDevice } from './ops/device.js';
export type { ToOptions } from './ops/device.js';
export {
  record, needsGrad, zerosInLayout, applyView, viewOfBaseBackward, refreshView, detach, backward, grad,
} from './ops/autograd.js';
export type { ViewGeom } from './ops/autograd.js';
export { unaryRaw, binaryRaw, where } from './ops/elementwise.js';
export { expandReduced, normBackward } from './ops/reductions.js';
export type { DimArg, ReduceOpts, ValuesIndices } from './ops/reductions.js';
export { matmul, linear, im2col, col2im } from './ops/linalg.js';
export { cat, stack } from './ops/views.js';
export {
  tensor, asTensorFn, zeros, ones, empty, full, arange, linspace, eye, zerosLike, onesLike, emptyLike, fullLike,
} from './ops/creation.js';
export { rand, randn, randint, randperm, randnLike, randLike } from './ops/random.js';
export { format } from './ops/format.js';
export { castScalar } from './dtype.js';
export { Generator } from './random.js';
export { searchsorted, bucketize } from './ops/sorting.js';
export type { UniqueOptions, SearchsortedOptions } from './ops/sorting.js';
export { einsum, meshgrid, cdist } from './ops/special.js';

/** Every method the op modules install on `Tensor.prototype`. */
export interface TensorOps extends ElementwiseOps, ReductionOps, LinalgOps, ViewOps, IndexingOps, InplaceOps, RandomOps, DeviceOps,
  SortingOps, SpecialOps {}
export interface TensorMethods extends TensorOps {}
import './ops/new_factories.js';
import type { NewOps } from './ops/new_factories.js';
export interface TensorMethods extends NewOps {}
export interface TensorMethods extends HookOps {}
import type { HookOps } from './ops/hooks.js';
