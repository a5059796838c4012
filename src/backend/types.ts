/**
 * The `Backend` interface: primitive kernels over storage + layout.
 *
 * A backend owns memory (`Storage`) and runs kernels. It knows nothing of autograd, broadcasting rules or
 * type promotion: the frontend (`Tensor`) resolves those and hands the backend fully specified layouts.
 * A `Layout` describes how a logical n-d array sits in a storage: `shape`, `strides` (in elements, may be 0
 * for broadcast dimensions, never negative) and `offset`. Views (transpose, slicing, expand, ...) are new
 * layouts over the same storage, so they never copy.
 *
 * Every kernel that produces a new array returns a fresh, contiguous (row-major) storage of the requested dtype.
 * The conformance suite in `test/conformance.test.ts` runs the same cases against every registered backend.
 */
import type { DType, TypedArray } from '../dtype.js';

export interface Layout {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

export interface Storage {
  readonly dtype: DType;
  /** Number of elements. */
  readonly length: number;
}

export type UnaryOp =
  | 'neg' | 'abs' | 'sign' | 'exp' | 'log' | 'log1p' | 'expm1' | 'sqrt' | 'rsqrt' | 'square' | 'reciprocal'
  | 'sin' | 'cos' | 'tan' | 'asin' | 'acos' | 'atan' | 'sinh' | 'cosh' | 'tanh' | 'asinh' | 'acosh' | 'atanh'
  | 'relu' | 'sigmoid' | 'gelu' | 'geluTanh' | 'erf' | 'floor' | 'ceil' | 'round' | 'trunc' | 'logicalNot'
  | 'isnan' | 'isinf' | 'softplus' | 'silu'
  // derivative helpers used by backward rules
  | 'reluMask' | 'sigmoidGrad' | 'geluGrad' | 'geluTanhGrad' | 'erfGrad' | 'siluGrad';

export type BinaryOp =
  | 'add' | 'addScaled' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'fmod' | 'remainder' | 'floorDivide'
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'logicalAnd' | 'logicalOr' | 'logicalXor' | 'atan2'
  // backward helpers
  | 'reluBackward' | 'tanhBackward' | 'sigmoidBackward';

export type ReduceOp = 'sum' | 'prod' | 'max' | 'min' | 'any' | 'all';
export type ArgReduceOp = 'argmax' | 'argmin';

/**
 * A distribution for `Backend.random`; values are written to the destination in row-major order of its layout
 * and converted to its dtype as `copy` converts float64 values.
 */
export type RandomDistribution =
  | { readonly kind: 'uniform'; readonly from: number; readonly to: number }
  | { readonly kind: 'normal'; readonly mean: number; readonly std: number }
  | { readonly kind: 'bernoulli'; readonly p: number }
  /** p per element: `p`/`pl` is a float storage and a layout of the destination's shape (may broadcast) */
  | { readonly kind: 'bernoulliTensor'; readonly p: Storage; readonly pl: Layout }
  /** integers uniform in [low, high) */
  | { readonly kind: 'randint'; readonly low: number; readonly high: number }
  /** a random permutation of 0..n−1 into a 1-D destination */
  | { readonly kind: 'permutation' };

/**
 * The random state a `Backend.random` kernel draws from: the frontend's `Generator`. A backend uses one of two
 * streams. The portable stream (`random`/`normal`/`randint`, xoshiro128**) is sequential: the CPU backend draws
 * from it, so seeded values are those of the host. A device backend should use the counter-based stream, as
 * CUDA's generator does: `philoxSeedOffset(n)` reserves n values and returns (seed, offset), and the kernel
 * computes value i from Philox4x32-10 keyed by seed at counter offset + i, in parallel and reproducibly.
 */
export interface RandomSource {
  /** Uniform in [0, 1) with 53 random bits (advances the portable stream). */
  random(): number;
  /** Standard normal (advances the portable stream). */
  normal(): number;
  /** Integer uniform in [low, high) (advances the portable stream). */
  randint(low: number, high: number): number;
  /** Reserves `count` counter-based values: the seed and the first offset to use (advances the offset). */
  philoxSeedOffset(count: number): { seed: number; offset: number };
}

/**
 * A backend instance serves one device (a type and an index): `registerBackend('cuda', (index) => new
 * CudaBackend(index))` makes one instance per device on first use, so `alloc` needs no device argument and the
 * device of a storage is the device of the backend that allocated it (tensors carry both `device` and `_backend`).
 */
export interface Backend {
  /** Device type this backend serves, e.g. 'cpu'. */
  readonly name: string;

  /** A storage of `length` elements with unspecified contents (may be recycled memory). */
  alloc(dtype: DType, length: number): Storage;
  /** A storage holding a copy of `data` converted to `dtype`. */
  fromArray(dtype: DType, data: ArrayLike<number>): Storage;
  /**
   * Gives memory back to the backend's caching allocator. The storage must not be used afterwards: every kernel
   * given a freed storage must throw (an error naming "storage has been freed"), never read recycled memory.
   * The frontend frees each storage at most once. `collected`: the frontend's finalizer frees it (the garbage
   * collector found its tensors dead) rather than an explicit free; a backend that reports its memory to the
   * collector may count the two differently (the native one does).
   */
  free(s: Storage, collected?: boolean): void;

  // --- lifetime hooks (optional) -------------------------------------------------------------------------------
  /**
   * Opt-in: when true, the frontend registers every storage's record (shared by the tensors over it) with a
   * `FinalizationRegistry` and frees the storage (`free`) once the garbage collector has dropped the last tensor
   * over it, as well as freeing internal temporaries explicitly. Backends whose memory lives outside the
   * JavaScript heap (native, GPU) need this, since V8 cannot see that memory. The CPU backend leaves it off: its
   * arrays are V8 memory and are reclaimed with the storage (see `cpu.ts` for why recycling them through
   * finalizers was rejected).
   */
  readonly finalizeStorages?: boolean;
  /**
   * Bytes of live memory held outside the JavaScript heap. A native backend should also report changes to V8
   * (`napi_adjust_external_memory`) so that collections, and with them finalizers, keep pace with device memory
   * rather than with the small JS wrapper objects; this getter lets tests and memory statistics read the total.
   */
  externalBytes?(): number;
  /** A contiguous copy of the elements described by `layout`. Throws on devices that can only read asynchronously. */
  readSync(s: Storage, layout: Layout): TypedArray;
  /** A contiguous copy of the elements described by `layout`, for any device. */
  read(s: Storage, layout: Layout): Promise<TypedArray>;
  /**
   * Optional: a new contiguous storage of backend `to` (another device) holding the elements of `s` at `layout`,
   * same dtype, without a host round trip (device-to-device copies, or devices that only read asynchronously).
   * Return undefined to let the frontend fall back to `readSync` here and `to.fromArray` there.
   */
  transfer?(s: Storage, layout: Layout, to: Backend): Storage | undefined;

  /** dst[layout] = value (converted to dst's dtype). */
  fill(dst: Storage, layout: Layout, value: number): void;
  /** dst[dstLayout] = src[srcLayout] with conversion; both layouts have the same shape. */
  copy(src: Storage, srcLayout: Layout, dst: Storage, dstLayout: Layout): void;

  /** Elementwise f(x) → new contiguous storage of `x.shape` and dtype `outDtype` (computed in doubles). */
  unary(op: UnaryOp, x: Storage, xl: Layout, outDtype: DType, param?: number, out?: Storage, ol?: Layout): Storage;
  /**
   * Elementwise f(a, b); `al` and `bl` already carry the output shape (broadcast dims have stride 0).
   * With `out`/`ol` the result is written there (in-place ops); `out` may alias an input with the same layout.
   * `param` is the scalar of parameterised ops (`addScaled`: a + param·b).
   */
  binary(op: BinaryOp, a: Storage, al: Layout, b: Storage, bl: Layout, outDtype: DType, out?: Storage, ol?: Layout, param?: number): Storage;
  /**
   * Optional: elementwise f(a, value) with a scalar second operand passed as a parameter, so a scalar operand
   * (`x.mul(0.5)`, `x.add_(1)`) needs no storage and no upload. `value` has already been converted by the frontend
   * to the op's common dtype (float32 rounded, int64 truncated, ...), so the result must equal `binary` with a
   * one-element storage of that dtype holding `value`, bit for bit. With `out`/`ol` the result is written there.
   * Integer `pow` with a negative exponent and integer division by zero are checked by the frontend. Without
   * this kernel the frontend uploads the scalar as a 0-dim storage. (`addScaled` is never passed here.)
   */
  binaryScalar?(op: BinaryOp, a: Storage, al: Layout, value: number, outDtype: DType, out?: Storage, ol?: Layout): Storage;
  /**
   * Optional: fills dst[layout] with samples of `dist` drawn from `source` on the device (no host values, no
   * upload). Without it the frontend draws on the host and uploads the values (slow for device backends: one
   * transfer per random fill).
   */
  random?(dst: Storage, layout: Layout, dist: RandomDistribution, source: RandomSource): void;
  /**
   * Optional: `where` where `a` and/or `b` is a number (its layout null) passed as a parameter instead of a
   * storage, already converted to `outDtype` by the frontend. Without it scalars are uploaded as 0-dim storages.
   */
  whereScalar?(cond: Storage, cl: Layout, a: Storage | number, al: Layout | null, b: Storage | number, bl: Layout | null, outDtype: DType): Storage;
  /** cond ? a : b with all three layouts of the output shape. */
  where(cond: Storage, cl: Layout, a: Storage, al: Layout, b: Storage, bl: Layout, outDtype: DType): Storage;

  /** Reduces `axes` (sorted, unique) of `xl`; the result has the keepdim shape (reduced axes of size 1). */
  reduce(op: ReduceOp, x: Storage, xl: Layout, axes: readonly number[], outDtype: DType): Storage;
  /** Index (int64) of the max/min along `axis` (first occurrence; NaN counts as the max/min, as in PyTorch). Keepdim shape. */
  argReduce(op: ArgReduceOp, x: Storage, xl: Layout, axis: number): Storage;
  /** Inclusive prefix sum along `axis`. */
  cumsum(x: Storage, xl: Layout, axis: number, outDtype: DType): Storage;

  /**
   * Batched matrix product: `al` is [...batch, M, K], `bl` is [...batch, K, N] (same batch dims, any strides,
   * broadcast batch dims have stride 0). Returns contiguous [...batch, M, N]. Float dtypes only.
   * With `c`/`cl` (a layout of the output shape, typically a broadcast bias) the result is c + a·b (addmm).
   */
  matmul(a: Storage, al: Layout, b: Storage, bl: Layout, outDtype: DType, c?: Storage, cl?: Layout): Storage;

  /** out[i][j][k] = x[i][idx[i][j][k]][k] for axis 1 (generalised); out has idx's shape. Indices are checked. */
  gather(x: Storage, xl: Layout, axis: number, idx: Storage, il: Layout): Storage;
  /**
   * In place: dst[i][idx[i][j][k]][k] = src[i][j][k] (or += with reduce 'add') for axis 1, generalised.
   * `src` null means the scalar `value`. Indices are checked against dst's size along `axis`.
   */
  scatter(dst: Storage, dl: Layout, axis: number, idx: Storage, il: Layout,
    src: Storage | null, sl: Layout | null, value: number, reduce: 'none' | 'add'): void;

  /**
   * im2col (the unfold behind convolution and pooling): `xl` is [N, C, H, W] (any strides). Returns a contiguous
   * [C·kh·kw, N, oh·ow]: row (c, i, j), column (n, y, x) holds x[n, c, y·sh − ph + i·dh, x·sw − pw + j·dw], or
   * `padValue` where that position lies outside the input (so asymmetric padding is just a larger `outSize`).
   */
  im2col(x: Storage, xl: Layout, g: ConvGeometry, padValue: number): Storage;
  /**
   * col2im (fold), the adjoint of `im2col`: `cl` is [C·kh·kw, N, oh·ow] (any strides); every column value is
   * added into its input position (positions outside the input are dropped). Returns a contiguous [N, C, H, W].
   */
  col2im(cols: Storage, cl: Layout, g: ConvGeometry): Storage;

  // ===================================================================================================================
  // Optional nn kernels (issue 9). Each has a frontend fallback built from the primitives above, so a backend may
  // leave any of them out; a backend with cuDNN/oneDNN/ATen implements them natively. All are storage + layout
  // based (no Tensor, no autograd); the frontend records one autograd node per call and calls the matching
  // `*Backward` kernel in its backward rule. Inputs may have any strides; outputs are fresh contiguous storages.
  // Kernels check values that only they can see (targets, indices) and throw PyTorch's messages.
  // Each names the ATen op it maps to, so a libtorch backend is a thin mapping.

  /**
   * 2-D convolution (cross-correlation), ATen `convolution(transposed=false)`: `xl` [N, C, H, W], `wl`
   * [O, C/groups, kh, kw], optional bias [O]. `g.inSize` is [H, W]; `g.outSize` the output size, so asymmetric
   * padding is a larger `outSize` (positions past the input read 0). 1-D convolution is the kh = 1 case.
   * Returns [N, O, oh, ow].
   */
  conv2d?(x: Storage, xl: Layout, w: Storage, wl: Layout, b: Storage | null, bl: Layout | null, g: ConvGeometry, groups: number): Storage;
  /**
   * Backward of `conv2d`, ATen `convolution_backward` with `outputMask` [input, weight, bias]: `gyl` is
   * [N, O, oh, ow]; returns [gradInput [N, C, H, W] with C = wl.shape[1]·groups, gradWeight (wl's shape),
   * gradBias [O]], null where not asked. `x` is needed only for gradWeight, `w` only for gradInput.
   * Transposed convolution is this kernel's gradInput (forward) and `conv2d`/gradWeight (backward).
   */
  conv2dBackward?(gy: Storage, gyl: Layout, x: Storage | null, xl: Layout | null, w: Storage | null, wl: Layout, g: ConvGeometry,
    groups: number, outputMask: readonly [boolean, boolean, boolean]): [Storage | null, Storage | null, Storage | null];

  /**
   * Max pooling, ATen `max_pool2d_with_indices`: `xl` [N, C, H, W]; windows of `g` (padding is symmetric; positions
   * outside the input never win; ceil mode is in `g.outSize`). Returns [values [N, C, oh, ow], indices (int64,
   * flat into each H×W plane; NaN wins as in PyTorch)].
   */
  maxPool2d?(x: Storage, xl: Layout, g: ConvGeometry): [Storage, Storage];
  /** ATen `max_pool2d_with_indices_backward`: scatters `gy` [N, C, oh, ow] to the saved indices; returns [N, C, H, W] (H, W = g.inSize). */
  maxPool2dBackward?(gy: Storage, gyl: Layout, indices: Storage, il: Layout, g: ConvGeometry): Storage;
  /**
   * Average pooling, ATen `avg_pool2d`: windows clipped to the padded input [−p, H + p); the divisor is
   * `divisorOverride`, else the clipped window size (`countIncludePad`) or the in-input count. Returns [N, C, oh, ow].
   */
  avgPool2d?(x: Storage, xl: Layout, g: ConvGeometry, countIncludePad: boolean, divisorOverride: number | null): Storage;
  /** ATen `avg_pool2d_backward`: `gy` [N, C, oh, ow] → [N, C, H, W]. */
  avgPool2dBackward?(gy: Storage, gyl: Layout, g: ConvGeometry, countIncludePad: boolean, divisorOverride: number | null): Storage;
  /** ATen `_adaptive_avg_pool2d`: `xl` [N, C, H, W] → [N, C, oh, ow], window i = [⌊i·H/oh⌋, ⌈(i+1)·H/oh⌉). */
  adaptiveAvgPool2d?(x: Storage, xl: Layout, outSize: readonly [number, number]): Storage;
  /** ATen `_adaptive_avg_pool2d_backward`: `gy` [N, C, oh, ow] → [N, C, ...inSize]. */
  adaptiveAvgPool2dBackward?(gy: Storage, gyl: Layout, inSize: readonly [number, number]): Storage;

  /** ATen `_softmax` / `_log_softmax` along `dim` (float input); returns `xl.shape` in `x.dtype`. */
  softmax?(x: Storage, xl: Layout, dim: number, log: boolean): Storage;
  /** ATen `_softmax_backward_data` / `_log_softmax_backward_data` from the forward output `y`. */
  softmaxBackward?(gy: Storage, gyl: Layout, y: Storage, yl: Layout, dim: number, log: boolean): Storage;

  /**
   * ATen `native_batch_norm` over dim 1 of `xl` [N, C, *]. Training: batch statistics (biased variance) and, when
   * given, running stats updated in place: r = (1 − momentum)·r + momentum·batch (unbiased variance). Eval: the
   * running stats. Returns [out, saveMean [C], saveInvstd [C]] (the statistics used).
   */
  batchNorm?(x: Storage, xl: Layout, w: Storage | null, wl: Layout | null, b: Storage | null, bl: Layout | null,
    runningMean: Storage | null, rml: Layout | null, runningVar: Storage | null, rvl: Layout | null,
    training: boolean, momentum: number, eps: number): [Storage, Storage, Storage];
  /** ATen `native_batch_norm_backward` (training form: saved statistics are the ones used): [gx, gw [C], gb [C]]. */
  batchNormBackward?(gy: Storage, gyl: Layout, x: Storage, xl: Layout, w: Storage | null, wl: Layout | null,
    saveMean: Storage, saveInvstd: Storage, training: boolean, outputMask: readonly [boolean, boolean, boolean]): [Storage | null, Storage | null, Storage | null];
  /**
   * ATen `native_layer_norm`: normalises each of the M = numel / `normalizedNumel` trailing blocks of `xl`;
   * w, b have `normalizedNumel` elements. Returns [out, mean [M], rstd [M]].
   */
  layerNorm?(x: Storage, xl: Layout, normalizedNumel: number, w: Storage | null, wl: Layout | null, b: Storage | null,
    bl: Layout | null, eps: number): [Storage, Storage, Storage];
  /** ATen `native_layer_norm_backward`: [gx, gw, gb] (null where not asked). */
  layerNormBackward?(gy: Storage, gyl: Layout, x: Storage, xl: Layout, normalizedNumel: number, mean: Storage, rstd: Storage,
    w: Storage | null, wl: Layout | null, outputMask: readonly [boolean, boolean, boolean]): [Storage | null, Storage | null, Storage | null];
  /** ATen `native_group_norm`: `xl` [N, C, *], `groups` groups of C/groups channels; per-channel w, b. Returns [out, mean [N·G], rstd [N·G]]. */
  groupNorm?(x: Storage, xl: Layout, groups: number, w: Storage | null, wl: Layout | null, b: Storage | null, bl: Layout | null,
    eps: number): [Storage, Storage, Storage];
  /** ATen `native_group_norm_backward`: [gx, gw [C], gb [C]]. */
  groupNormBackward?(gy: Storage, gyl: Layout, x: Storage, xl: Layout, groups: number, mean: Storage, rstd: Storage,
    w: Storage | null, wl: Layout | null, outputMask: readonly [boolean, boolean, boolean]): [Storage | null, Storage | null, Storage | null];

  /**
   * ATen `nll_loss_forward` / `nll_loss2d_forward`: `xl` log-probabilities [N, C, *] or [C], `tl` int64 targets
   * [N, *] or []; class weights [C] optional; targets equal to `ignoreIndex` count 0. Throws `Target t is out of
   * bounds.` for other targets outside [0, C). Returns [out (per element for 'none', else 0-dim), totalWeight (0-dim)];
   * 'mean' divides by totalWeight (0/0 = nan when every target is ignored, as PyTorch).
   */
  nllLoss?(x: Storage, xl: Layout, target: Storage, tl: Layout, weight: Storage | null, wl: Layout | null,
    reduction: 'none' | 'mean' | 'sum', ignoreIndex: number): [Storage, Storage];
  /** ATen `nll_loss_backward`: gradient of `x` (xl's shape) from `gy` (per element for 'none', else 0-dim). */
  nllLossBackward?(gy: Storage, gyl: Layout, xl: Layout, target: Storage, tl: Layout, weight: Storage | null, wl: Layout | null,
    reduction: 'none' | 'mean' | 'sum', ignoreIndex: number, totalWeight: Storage): Storage;

  /** ATen `embedding`: rows of `w` [num, dim] for int `indices` (any shape) → [...indices.shape, dim]; throws `index out of range in self`. */
  embedding?(w: Storage, wl: Layout, indices: Storage, il: Layout): Storage;
  /**
   * ATen `embedding_dense_backward`: sums `gy` [...indices.shape, dim] rows into [numWeights, dim]; the row
   * `paddingIdx` (or none when null) gets 0; `scaleGradByFreq` divides by each index's count in the batch.
   */
  embeddingBackward?(gy: Storage, gyl: Layout, indices: Storage, il: Layout, numWeights: number, paddingIdx: number | null,
    scaleGradByFreq: boolean): Storage;

  /**
   * ATen `binary_cross_entropy` elementwise ('none' reduction; the frontend reduces): −w·(t·log x + (1−t)·log(1−x))
   * with logs clamped at −100. Throws `all elements of input should be between 0 and 1`. `tl`, `wl` carry x's shape.
   */
  binaryCrossEntropy?(x: Storage, xl: Layout, t: Storage, tl: Layout, w: Storage | null, wl: Layout | null): Storage;
  /** ATen `binary_cross_entropy_backward` ('none'): gy·w·(x − t) / max((1 − x)·x, 1e-12). All layouts carry x's shape. */
  binaryCrossEntropyBackward?(gy: Storage, gyl: Layout, x: Storage, xl: Layout, t: Storage, tl: Layout, w: Storage | null, wl: Layout | null): Storage;

  // Optional sorting and scan kernels (issue 12). Fallbacks: src/ops/sorting.ts, src/ops/special.ts.
  /**
   * ATen `sort(stable=true)`'s indices: the int64 permutation (xl's shape, contiguous) that sorts `x` along `axis`,
   * stable (equal elements keep their order), NaN sorting as larger than every number. The frontend gathers the values.
   */
  sort?(x: Storage, xl: Layout, axis: number, descending: boolean): Storage;
  /**
   * ATen `cumprod` ('prod': the running product in `outDtype`) and the indices of `cummax`/`cummin` ('max'/'min':
   * int64, the last position of the running extreme; NaN wins and each later NaN takes the index). xl's shape.
   */
  scan?(op: 'prod' | 'max' | 'min', x: Storage, xl: Layout, axis: number, outDtype: DType): Storage;
  // ===================================================================================================================
}

/** The geometry of a 2-D sliding window (convolution, pooling, unfold/fold); all pairs are [height, width]. */
export interface ConvGeometry {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  /** Zero positions added before the input (top, left); the bottom/right extent follows from `outSize`. */
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
  /** Spatial size of the image side ([H, W]). */
  readonly inSize: readonly [number, number];
  /** Number of window positions ([oh, ow]). */
  readonly outSize: readonly [number, number];
}

// ===============================================================================================================
// Optimizer and clipping kernels (optional; issue 9, "the training hot path inside the backend").
//
// Modelled on PyTorch's `_fused_adam_`/`_fused_sgd_` and `_foreach_*` ops: multi-tensor, in place, with scalar
// hyperparameters as numbers and step counts kept on the host, so a step never reads device memory back. A
// libtorch backend maps `fusedOptimizerStep` onto `_fused_adam_`/`_fused_adamw_`/`_fused_sgd_` or `_foreach_*`
// sequences and `foreachNorm`/`foreachMul_` onto `_foreach_norm` + `linalg.vector_norm` and `_foreach_mul_`; a
// WebGPU one onto one shader per kind. A backend without them gets the frontend's fallback, built from the
// primitive kernels above (src/optim/_fallback.ts, src/nn/utils.ts). These kernels never bump storage versions:
// the frontend bumps every tensor it hands over for writing.

/** A tensor argument of a multi-tensor kernel: its storage and its layout there (any strides). */
export interface TensorRef {
  readonly s: Storage;
  readonly l: Layout;
}

/** The update rules `fusedOptimizerStep` serves (AdamW is `'adam'` with `decoupledWeightDecay`). */
export type OptimizerKind = 'sgd' | 'adam' | 'adamax' | 'adadelta' | 'adagrad' | 'nadam' | 'radam' | 'rmsprop';

/** One parameter of a fused optimizer step. All tensors of a slot have the parameter's number of elements. */
export interface OptimizerSlot {
  /** The parameter, updated in place. */
  readonly param: TensorRef;
  /** Its gradient (read only; its dtype may differ from the parameter's). */
  readonly grad: TensorRef;
  /**
   * The state buffers, updated in place, in the order the kind's hyperparameter type documents; `null` where an
   * option leaves a buffer out (SGD without momentum, Adam without AMSGrad, ...).
   */
  readonly state: readonly (TensorRef | null)[];
  /**
   * The step number of this update, counting from 1 (the frontend keeps the count on the host and writes the
   * `step` state tensors itself). SGD has no step: 1 means its momentum buffer was just created and is set to the
   * gradient (PyTorch's first step), any larger number that it is updated.
   */
  readonly step: number;
  /** NAdam only: Πₜ, the product of the momentum coefficients μ₁…μₜ including this step, as stored (float32). */
  readonly muProduct?: number;
}

/** `'sgd'`; state `[momentumBuffer | null]` (null when momentum is 0). */
export interface SgdHyperparams { lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean; maximize: boolean }
/** `'adam'` (Adam, AdamW); state `[expAvg, expAvgSq, maxExpAvgSq | null]` (the last with AMSGrad). */
export interface AdamHyperparams {
  lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; amsgrad: boolean; maximize: boolean;
  decoupledWeightDecay: boolean;
}
/** `'adamax'`; state `[expAvg, expInf]`. */
export interface AdamaxHyperparams { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; maximize: boolean }
/** `'adadelta'`; state `[squareAvg, accDelta]`. */
export interface AdadeltaHyperparams { lr: number; rho: number; eps: number; weightDecay: number; maximize: boolean }
/** `'adagrad'`; state `[sum]`. */
export interface AdagradHyperparams { lr: number; lrDecay: number; eps: number; weightDecay: number; maximize: boolean }
/** `'nadam'`; state `[expAvg, expAvgSq]`; each slot carries `muProduct`. */
export interface NAdamHyperparams {
  lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; momentumDecay: number;
  decoupledWeightDecay: boolean; maximize: boolean;
}
/** `'radam'`; state `[expAvg, expAvgSq]`. */
export interface RAdamHyperparams {
  lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; decoupledWeightDecay: boolean; maximize: boolean;
}
/** `'rmsprop'`; state `[squareAvg, momentumBuffer | null, gradAvg | null]` (momentum > 0; centered). */
export interface RMSpropHyperparams {
  lr: number; alpha: number; eps: number; weightDecay: number; momentum: number; centered: boolean; maximize: boolean;
}
/** The hyperparameters of each optimizer kind, as one parameter group holds them. */
export interface OptimizerHyperparams {
  sgd: SgdHyperparams;
  adam: AdamHyperparams;
  adamax: AdamaxHyperparams;
  adadelta: AdadeltaHyperparams;
  adagrad: AdagradHyperparams;
  nadam: NAdamHyperparams;
  radam: RAdamHyperparams;
  rmsprop: RMSpropHyperparams;
}

export interface Backend {
  /**
   * Optional. One optimizer step of one parameter group, every slot updated in place with the update rule of
   * `kind` as PyTorch's `torch.optim` defines it (the formulas are on the optimizer classes). The step-dependent
   * scalars (bias corrections, NAdam's μ, RAdam's rectification, Adagrad's decayed lr) are derived from each
   * slot's `step`. Throws nothing for valid input; the frontend has checked shapes and hyperparameters.
   */
  fusedOptimizerStep?<K extends OptimizerKind>(kind: K, slots: readonly OptimizerSlot[], hp: OptimizerHyperparams[K]): void;
  /**
   * Optional. The `ord`-norm of all elements of `tensors` taken together, computed as PyTorch's `get_total_norm`:
   * the norm of the per-tensor norms, each per-tensor norm rounded to its tensor's dtype (so a float32 norm past
   * FLT_MAX is inf). `ord` is any p ≥ 0 or ±Infinity; `tensors` is not empty. Returns a one-element storage of
   * `outDtype`. Throws PyTorch's error for the -inf norm of an empty tensor.
   */
  foreachNorm?(tensors: readonly TensorRef[], ord: number, outDtype: DType): Storage;
  /**
   * Optional. `t *= scalar` in place for every tensor (PyTorch's `_foreach_mul_(tensors, scalar_tensor)`): `scalar`
   * is a one-element storage on this device, read by the kernel, never by the host. Products are computed in
   * double precision and stored in each tensor's dtype.
   */
  foreachMul_?(tensors: readonly TensorRef[], scalar: TensorRef): void;
}
