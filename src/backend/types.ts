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
  /** Bumped by every in-place write; autograd uses it to detect modified saved tensors. */
  version: number;
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

export interface Backend {
  /** Device type this backend serves, e.g. 'cpu'. */
  readonly name: string;

  /** A storage of `length` elements with unspecified contents (may be recycled memory). */
  alloc(dtype: DType, length: number): Storage;
  /** A storage holding a copy of `data` converted to `dtype`. */
  fromArray(dtype: DType, data: ArrayLike<number>): Storage;
  /** Gives memory back to the backend's caching allocator. The storage must not be used afterwards. */
  free(s: Storage): void;
  /** A contiguous copy of the elements described by `layout`. Throws on devices that can only read asynchronously. */
  readSync(s: Storage, layout: Layout): TypedArray;
  /** A contiguous copy of the elements described by `layout`, for any device. */
  read(s: Storage, layout: Layout): Promise<TypedArray>;

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
