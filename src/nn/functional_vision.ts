/**
 * Vision functionals of `torch.nn.functional`: `interpolate`, `gridSample`, `affineGrid`, `pixelShuffle`,
 * `pixelUnshuffle`, `instanceNorm`, `adaptiveMaxPool1d`/`2d`. Each is written with frontend ops (indexSelect,
 * gather, where, matmul, batchNorm), so every backend runs it and autograd differentiates it; the index tables
 * depend on shapes only and are built on the host (no device values are read). Re-exported by `nn/functional.ts`.
 */
import type { Tensor } from '../tensor.js';
import { isFloating } from '../dtype.js';
import { noGrad } from '../autograd/grad_mode.js';
import { tensor as makeTensor, linspace, ones, cat, where } from '../ops.js';
import { resolveArgs, listStr, sizeStr } from './_args.js';
import * as F from './functional.js';

// =====================================================================================================================
// interpolate

/** The modes of {@link interpolate}. */
export type InterpolateMode = 'nearest' | 'nearest-exact' | 'linear' | 'bilinear' | 'trilinear' | 'area' | 'bicubic';

/** Options of {@link interpolate} after `input`. */
export interface InterpolateOptions {
  size?: number | readonly number[] | null; scaleFactor?: number | readonly number[] | null; mode?: InterpolateMode;
  alignCorners?: boolean | null; recomputeScaleFactor?: boolean | null; antialias?: boolean;
}

const pyList = (v: readonly number[]): string => `[${v.join(', ')}]`;
const pyTuple = (v: readonly number[]): string => (v.length === 1 ? `(${v[0]},)` : `(${v.join(', ')})`);

/** `shape` with 1 everywhere but `dim`, which is `n` (a weight column broadcast along the other dims). */
function along(n: number, dim: number, ndim: number): number[] { return Array.from({ length: ndim }, (_, i) => (i === dim ? n : 1)); }

/** PyTorch's `nearest_idx` / `nearest_neighbor_exact_compute_source_index` in float32, as the CPU kernel computes them. */
function nearestIndex(inSize: number, outSize: number, scale: number | null, exact: boolean): number[] {
  const s = Math.fround(scale !== null && scale > 0 ? 1 / scale : inSize / outSize);
  const idx: number[] = [];
  for (let i = 0; i < outSize; i++) {
    if (!exact && outSize === inSize) idx.push(i);
    else if (!exact && outSize === 2 * inSize) idx.push(i >> 1);
    else idx.push(Math.min(Math.floor(Math.fround((exact ? i + 0.5 : i) * s)), inSize - 1));
  }
  return idx;
}

/** PyTorch's `area_pixel_compute_scale` + `area_pixel_compute_source_index` + `guard_index_and_lambda` (linear modes). */
function linearTable(inSize: number, outSize: number, scale: number | null, alignCorners: boolean): { i0: number[]; i1: number[]; l0: number[]; l1: number[] } {
  const s = alignCorners ? (outSize > 1 ? (inSize - 1) / (outSize - 1) : 0) : scale !== null && scale > 0 ? 1 / scale : inSize / outSize;
  const i0: number[] = [], i1: number[] = [], l0: number[] = [], l1: number[] = [];
  for (let i = 0; i < outSize; i++) {
    const src = alignCorners ? s * i : Math.max(s * (i + 0.5) - 0.5, 0);
    const a = Math.min(Math.floor(src), inSize - 1);
    const lam = Math.min(Math.max(src - a, 0), 1);
    i0.push(a); i1.push(a + (a < inSize - 1 ? 1 : 0)); l0.push(1 - lam); l1.push(lam);
  }
  return { i0, i1, l0, l1 };
}

/** PyTorch's bicubic taps (A = -0.75): indices floor(src) - 1 .. + 2 clamped to the input, and their weights. */
function cubicTable(inSize: number, outSize: number, scale: number | null, alignCorners: boolean): { idx: number[][]; w: number[][] } {
  const s = alignCorners ? (outSize > 1 ? (inSize - 1) / (outSize - 1) : 0) : scale !== null && scale > 0 ? 1 / scale : inSize / outSize;
  const A = -0.75;
  const cc1 = (x: number): number => ((A + 2) * x - (A + 3)) * x * x + 1;
  const cc2 = (x: number): number => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  const idx: number[][] = [[], [], [], []], w: number[][] = [[], [], [], []];
  for (let i = 0; i < outSize; i++) {
    const src = alignCorners ? s * i : s * (i + 0.5) - 0.5; // no clamp at 0 for cubic
    const f = Math.floor(src), t = src - f;
    const ws = [cc2(t + 1), cc1(t), cc1(1 - t), cc2(2 - t)];
    for (let k = 0; k < 4; k++) { idx[k]!.push(Math.min(Math.max(f - 1 + k, 0), inSize - 1)); w[k]!.push(ws[k]!); }
  }
  return { idx, w };
}

/**
 * Resizes the spatial dims of [N, C, *spatial] input (`torch.nn.functional.interpolate`) to `size` or by
 * `scaleFactor`. Modes: 'nearest' (PyTorch's legacy floor rule), 'nearest-exact', 'linear' (3-D input),
 * 'bilinear' (4-D), 'bicubic' (4-D, A = -0.75, may overshoot the input range as PyTorch's), 'trilinear' (5-D)
 * with `alignCorners` (default false), and 'area' (adaptive average pooling, 3-D/4-D). With `scaleFactor` the output size is floor(in · scale); the kernel then uses 1/scale as PyTorch does,
 * unless `recomputeScaleFactor` is true (then in/out). Positional order as PyTorch: (input, size, scaleFactor,
 * mode = 'nearest', alignCorners, recomputeScaleFactor, antialias = false), or an options object after `input`.
 * @example
 * F.interpolate(torch.randn([1, 3, 4, 4]), { scaleFactor: 2, mode: 'bilinear', alignCorners: false }).shape; // [1, 3, 8, 8]
 * F.interpolate(torch.arange(4, { dtype: 'float32' }).reshape([1, 1, 4]), { size: 2 }).tolist(); // [[[0, 2]]]
 */
export function interpolate(input: Tensor, size?: number | readonly number[] | null | InterpolateOptions, scaleFactor?: number | readonly number[] | null,
  mode?: InterpolateMode, alignCorners?: boolean | null, recomputeScaleFactor?: boolean | null, antialias?: boolean): Tensor {
  const o = resolveArgs('interpolate', [size, scaleFactor, mode, alignCorners, recomputeScaleFactor, antialias], {
    size: null as number | readonly number[] | null, scaleFactor: null as number | readonly number[] | null, mode: 'nearest' as InterpolateMode,
    alignCorners: null as boolean | null, recomputeScaleFactor: null as boolean | null, antialias: false,
  });
  const m = o.mode;
  const MODES = ['nearest', 'linear', 'bilinear', 'bicubic', 'trilinear', 'area', 'nearest-exact'];
  if (!MODES.includes(m)) {
    throw new RangeError(`Input Error: Only 3D, 4D and 5D input Tensors supported (got ${input.dim()}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${m})`);
  }
  const interpolating = m === 'linear' || m === 'bilinear' || m === 'bicubic' || m === 'trilinear';
  if (!interpolating && o.alignCorners !== null) {
    throw new RangeError('align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear');
  }
  const align = o.alignCorners ?? false;
  const dim = input.dim() - 2;
  if (dim < 1) {
    throw new RangeError(`Input Error: Only 3D, 4D and 5D input Tensors supported (got ${input.dim()}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${m})`);
  }
  const spatial = input.shape.slice(2);
  if (o.antialias && !((m === 'bilinear' || m === 'bicubic') && input.dim() === 4)) {
    throw new RangeError('Anti-alias option is restricted to bilinear and bicubic modes and requires a 4-D tensor as input');
  }
  if (o.antialias) throw new RangeError('interpolate(): antialias=True is not implemented in torchlet');
  let outSize: number[];
  let scales: (number | null)[];
  if (o.size !== null && o.scaleFactor !== null) throw new RangeError('only one of size or scale_factor should be defined');
  if (o.size !== null) {
    if (o.recomputeScaleFactor === true) throw new RangeError('recompute_scale_factor is not meaningful with an explicit size.');
    const sz = typeof o.size === 'number' ? new Array<number>(dim).fill(o.size) : [...o.size];
    if (sz.length !== dim) {
      throw new RangeError(`Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of ${pyList(spatial)} and output size of ${pyTuple(sz)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.`);
    }
    for (const s of sz) if (!Number.isInteger(s)) throw new TypeError(`interpolate(): size must be integers, got ${pyList(sz)}`);
    outSize = sz; scales = new Array<number | null>(dim).fill(null);
  } else if (o.scaleFactor !== null) {
    const sf = typeof o.scaleFactor === 'number' ? new Array<number>(dim).fill(o.scaleFactor) : [...o.scaleFactor];
    if (sf.length !== dim) {
      throw new RangeError(`Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of ${pyList(spatial)} and scale_factor of shape ${pyTuple(sf)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.`);
    }
    outSize = spatial.map((s, i) => Math.floor(s * sf[i]!));
    scales = o.recomputeScaleFactor === true ? new Array<number | null>(dim).fill(null) : sf;
  } else throw new RangeError('either size or scale_factor should be defined');
  for (const [i, s] of outSize.entries()) {
    if (s <= 0) throw new RangeError(`Input and output sizes should be greater than 0, but got input (${spatial.join(', ')}) output (${outSize.join(', ')})`);
    if (spatial[i] === 0) throw new RangeError(`Input and output sizes should be greater than 0, but got input (${spatial.join(', ')}) output (${outSize.join(', ')})`);
  }
  if (m === 'bicubic' && input.dim() !== 4) {
    throw new RangeError(`Input Error: Only 3D, 4D and 5D input Tensors supported (got ${input.dim()}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${m})`);
  }
  const need: Record<string, number> = { linear: 3, bilinear: 4, trilinear: 5 };
  if (need[m] !== undefined && input.dim() !== need[m]) {
    throw new RangeError(`Got ${input.dim()}D input, but ${m} mode needs ${need[m]}D input`);
  }
  if (input.dim() > 5) {
    throw new RangeError(`Input Error: Only 3D, 4D and 5D input Tensors supported (got ${input.dim()}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${m})`);
  }
  if (m === 'area') {
    if (dim === 1) return F.adaptiveAvgPool1d(input, outSize);
    if (dim === 2) return F.adaptiveAvgPool2d(input, outSize);
    throw new RangeError("interpolate(): mode 'area' on 5-D input (adaptive_avg_pool3d) is not implemented in torchlet");
  }
  if (!isFloating(input.dtype) && m !== 'nearest' && m !== 'nearest-exact') {
    throw new TypeError(`"upsample_${m}${dim}d_out_frame" not implemented for '${input.type()}'`);
  }
  const dev = input.device;
  const idx = (v: number[]): Tensor => makeTensor(v, { dtype: 'int64', device: dev });
  let x = input;
  for (let i = 0; i < dim; i++) {
    const d = i + 2, I = spatial[i]!, O = outSize[i]!;
    if (m === 'nearest' || m === 'nearest-exact') {
      const t = nearestIndex(I, O, scales[i]!, m === 'nearest-exact');
      if (!(O === I && t.every((v, k) => v === k))) x = x.indexSelect(d, idx(t));
      continue;
    }
    if (m === 'bicubic') {
      // separable cubic convolution, 4 taps with clamped indices (upsample_bicubic2d's coefficients and bounds)
      const { idx: taps, w } = cubicTable(I, O, scales[i]!, align);
      const shape = along(O, d, input.dim());
      let acc: Tensor | null = null;
      for (let k = 0; k < 4; k++) {
        const term = x.indexSelect(d, idx(taps[k]!)).mul(makeTensor(w[k]!, { dtype: input.dtype, device: dev }).reshape(shape));
        acc = acc === null ? term : acc.add(term);
      }
      x = acc!;
      continue;
    }
    const { i0, i1, l0, l1 } = linearTable(I, O, scales[i]!, align);
    const shape = along(O, d, input.dim());
    const w0 = makeTensor(l0, { dtype: input.dtype, device: dev }).reshape(shape);
    const w1 = makeTensor(l1, { dtype: input.dtype, device: dev }).reshape(shape);
    x = x.indexSelect(d, idx(i0)).mul(w0).add(x.indexSelect(d, idx(i1)).mul(w1));
  }
  return x === input ? input.clone() : x;
}

/**
 * PyTorch's deprecated `F.upsample`: {@link interpolate} (same arguments).
 * @example F.upsample(torch.randn([1, 1, 2, 2]), null, 2).shape // [1, 1, 4, 4]
 */
export function upsample(input: Tensor, size?: number | readonly number[] | null | InterpolateOptions, scaleFactor?: number | readonly number[] | null,
  mode?: InterpolateMode, alignCorners?: boolean | null): Tensor {
  return interpolate(input, size, scaleFactor, mode, alignCorners);
}

/**
 * PyTorch's deprecated `F.upsample_nearest`: nearest {@link interpolate}.
 * @example F.upsampleNearest(torch.randn([1, 1, 2, 2]), null, 2).shape // [1, 1, 4, 4]
 */
export function upsampleNearest(input: Tensor, size?: number | readonly number[] | null | { size?: number | readonly number[] | null; scaleFactor?: number | readonly number[] | null },
  scaleFactor?: number | readonly number[] | null): Tensor {
  const o = resolveArgs('upsample_nearest', [size, scaleFactor], { size: null as number | readonly number[] | null, scaleFactor: null as number | readonly number[] | null });
  return interpolate(input, { size: o.size, scaleFactor: o.scaleFactor, mode: 'nearest' });
}

/**
 * PyTorch's deprecated `F.upsample_bilinear`: bilinear {@link interpolate} with `alignCorners` true.
 * @example F.upsampleBilinear(torch.randn([1, 1, 2, 2]), [3, 3]).shape // [1, 1, 3, 3]
 */
export function upsampleBilinear(input: Tensor, size?: number | readonly number[] | null | { size?: number | readonly number[] | null; scaleFactor?: number | readonly number[] | null },
  scaleFactor?: number | readonly number[] | null): Tensor {
  const o = resolveArgs('upsample_bilinear', [size, scaleFactor], { size: null as number | readonly number[] | null, scaleFactor: null as number | readonly number[] | null });
  return interpolate(input, { size: o.size, scaleFactor: o.scaleFactor, mode: 'bilinear', alignCorners: true });
}

// =====================================================================================================================
// grid_sample / affine_grid

/** Options of {@link gridSample} after `input, grid`. */
export interface GridSampleOptions { mode?: 'bilinear' | 'nearest' | 'bicubic'; paddingMode?: 'zeros' | 'border' | 'reflection'; alignCorners?: boolean | null }

/** PyTorch's `clip_coordinates_set_grad`: clamps to [0, size − 1] with zero gradient at and beyond the bounds. */
function clipCoordinates(c: Tensor, size: number): Tensor {
  return where(c.gt(0).logicalAnd(c.lt(size - 1)), c, c.detach().clamp(0, size - 1));
}

/** PyTorch's `reflect_coordinates_set_grad`: reflects into [twiceLow/2, twiceHigh/2], the gradient's sign flipping per reflection. */
function reflectCoordinates(c: Tensor, twiceLow: number, twiceHigh: number): Tensor {
  if (twiceLow === twiceHigh) return c.mul(0);
  const lo = twiceLow / 2, span = (twiceHigh - twiceLow) / 2;
  const shifted = c.sub(lo);
  const a = shifted.mul(where(shifted.detach().lt(0), -1, 1)); // |c − lo| with PyTorch's gradient sign (+1 at 0)
  const flips = a.detach().div(span).floor();
  const extra = a.sub(flips.mul(span)); // fmod(a, span), differentiable in a
  const even = flips.sub(flips.div(2).floor().mul(2)).eq(0);
  return where(even, extra.add(lo), extra.neg().add(span + lo));
}

/** PyTorch's `grid_sampler_compute_source_index`: unnormalise, then pad (border/reflection). */
function sourceIndex(coord: Tensor, size: number, padding: string, align: boolean): Tensor {
  let c = align ? coord.add(1).div(2).mul(size - 1) : coord.add(1).mul(size).sub(1).div(2);
  if (padding === 'border') c = clipCoordinates(c, size);
  else if (padding === 'reflection') {
    c = align ? reflectCoordinates(c, 0, 2 * (size - 1)) : reflectCoordinates(c, -1, 2 * size - 1);
    c = clipCoordinates(c, size);
  }
  return c;
}

/**
 * Samples 4-D `input` [N, C, H, W] at the locations of `grid` [N, Ho, Wo, 2] (x, y in [-1, 1]; -1 is the left/top
 * edge: pixel centre with `alignCorners`, pixel corner without) → [N, C, Ho, Wo] (`torch.nn.functional.grid_sample`).
 * Modes 'bilinear' and 'bicubic' (differentiable in input and grid) and 'nearest' (round half to even, as PyTorch); padding
 * 'zeros', 'border' or 'reflection'. Positional order as PyTorch: (input, grid, mode = 'bilinear',
 * paddingMode = 'zeros', alignCorners = false), or an options object after `grid`.
 * @example
 * const theta = torch.tensor([[[1, 0, 0], [0, 1, 0]]]);
 * const grid = F.affineGrid(theta, [1, 1, 4, 4], { alignCorners: false });
 * F.gridSample(torch.randn([1, 1, 4, 4]), grid, { alignCorners: false }).shape; // [1, 1, 4, 4] (the identity)
 */
export function gridSample(input: Tensor, grid: Tensor, mode?: 'bilinear' | 'nearest' | 'bicubic' | GridSampleOptions,
  paddingMode?: 'zeros' | 'border' | 'reflection', alignCorners?: boolean | null): Tensor {
  const o = resolveArgs('grid_sample', [mode, paddingMode, alignCorners],
    { mode: 'bilinear' as string, paddingMode: 'zeros' as string, alignCorners: null as boolean | null });
  if (o.mode !== 'bilinear' && o.mode !== 'nearest' && o.mode !== 'bicubic') {
    throw new RangeError(`nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: '${o.mode}'`);
  }
  if (o.paddingMode !== 'zeros' && o.paddingMode !== 'border' && o.paddingMode !== 'reflection') {
    throw new RangeError(`nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or 'reflection', but got: '${o.paddingMode}'`);
  }
  if (input.dtype !== grid.dtype) {
    throw new TypeError(`grid_sampler(): expected input and grid to have same dtype, but input has ${input.type()} and grid has ${grid.type()}`);
  }
  if (input.dim() !== grid.dim() || (input.dim() !== 4 && input.dim() !== 5)) {
    throw new RangeError(`grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, but got input with sizes ${listStr(input.shape)} and grid with sizes ${listStr(grid.shape)}`);
  }
  if (input.shape[0] !== grid.shape[0]) {
    throw new RangeError(`grid_sampler(): expected grid and input to have same batch size, but got input with sizes ${listStr(input.shape)} and grid with sizes ${listStr(grid.shape)}`);
  }
  if (grid.shape[grid.dim() - 1] !== input.dim() - 2) {
    throw new RangeError(`grid_sampler(): expected grid to have size ${input.dim() - 2} in last dimension, but got grid with sizes ${listStr(grid.shape)}`);
  }
  for (let i = 2; i < input.dim(); i++) {
    if (input.shape[i] === 0) throw new RangeError(`grid_sampler(): expected input to have non-empty spatial dimensions, but input has sizes ${listStr(input.shape)} with dimension ${i} being empty`);
  }
  if (input.dim() === 5) throw new RangeError('grid_sample(): 5-D (volumetric) input is not implemented in torchlet');
  if (!isFloating(input.dtype)) throw new TypeError(`"grid_sampler_2d_cpu" not implemented for '${input.type()}'`);
  const align = o.alignCorners ?? false;
  const [N, C, H, W] = input.shape as [number, number, number, number];
  const Ho = grid.shape[1]!, Wo = grid.shape[2]!, P = Ho * Wo;
  const ix = sourceIndex(grid.select(3, 0), W, o.paddingMode, align); // [N, Ho, Wo]
  const iy = sourceIndex(grid.select(3, 1), H, o.paddingMode, align);
  const flat = input.reshape([N, C, H * W]);
  // the value of input at integer (x, y) [N, Ho, Wo] (as floats), 0 outside the image: [N, C, P]
  const at = (x: Tensor, y: Tensor): [Tensor, Tensor] => {
    const inside = x.ge(0).logicalAnd(x.le(W - 1)).logicalAnd(y.ge(0)).logicalAnd(y.le(H - 1));
    const lin = y.clamp(0, H - 1).mul(W).add(x.clamp(0, W - 1)).long().reshape([N, 1, P]).expand([N, C, P]);
    return [flat.gather(2, lin), inside.reshape([N, 1, P])];
  };
  let out: Tensor;
  if (o.mode === 'bicubic') {
    // PyTorch's bicubic grid sampling: 4×4 taps around the unnormalised (unpadded) point, each tap's integer
    // coordinates padded (border/reflection, no gradient) and read as 0 outside; the cubic weights (A = -0.75)
    // carry the gradient to grid
    const unnorm = (c: Tensor, size: number): Tensor => (align ? c.add(1).div(2).mul(size - 1) : c.add(1).mul(size).sub(1).div(2));
    const bx = unnorm(grid.select(3, 0), W), by = unnorm(grid.select(3, 1), H);
    const x0 = bx.detach().floor(), y0 = by.detach().floor();
    const A = -0.75;
    const cc1 = (t: Tensor): Tensor => t.mul(A + 2).sub(A + 3).mul(t).mul(t).add(1);
    const cc2 = (t: Tensor): Tensor => t.mul(A).sub(5 * A).mul(t).add(8 * A).mul(t).sub(4 * A);
    const weights = (t: Tensor): Tensor[] => [cc2(t.add(1)), cc1(t), cc1(t.neg().add(1)), cc2(t.neg().add(2))];
    const wx = weights(bx.sub(x0)), wy = weights(by.sub(y0));
    const padTap = (c: Tensor, size: number): Tensor => {
      if (o.paddingMode === 'border') return c.clamp(0, size - 1);
      if (o.paddingMode === 'reflection') return (align ? reflectCoordinates(c, 0, 2 * (size - 1)) : reflectCoordinates(c, -1, 2 * size - 1)).clamp(0, size - 1);
      return c;
    };
    let acc: Tensor | null = null;
    for (let i = 0; i < 4; i++) {
      const yc = padTap(y0.add(i - 1), H);
      for (let j = 0; j < 4; j++) {
        const [v, inside] = at(padTap(x0.add(j - 1), W), yc);
        const term = v.where(inside, 0).mul(wy[i]!.mul(wx[j]!).reshape([N, 1, P]));
        acc = acc === null ? term : acc.add(term);
      }
    }
    out = acc!;
  } else if (o.mode === 'nearest') {
    const [v, inside] = at(ix.detach().round(), iy.detach().round());
    out = v.where(inside, 0);
    // PyTorch's grid gradient is zeros in nearest mode (not None): a zero-valued link to grid with a zero gradient
    // (where-guarded so an infinite grid value cannot turn it into NaN)
    if (grid.requiresGrad) out = out.add(grid.mul(0).where(grid.isfinite(), 0).sum());
  } else {
    const x0 = ix.detach().floor(), y0 = iy.detach().floor();
    const x1 = x0.add(1), y1 = y0.add(1);
    const corners: [Tensor, Tensor, Tensor][] = [
      [x0, y0, x1.sub(ix).mul(y1.sub(iy))], // nw
      [x1, y0, ix.sub(x0).mul(y1.sub(iy))], // ne
      [x0, y1, x1.sub(ix).mul(iy.sub(y0))], // sw
      [x1, y1, ix.sub(x0).mul(iy.sub(y0))], // se
    ];
    let acc: Tensor | null = null;
    for (const [cx, cy, w] of corners) {
      const [v, inside] = at(cx, cy);
      const term = v.mul(w.reshape([N, 1, P])).where(inside, 0);
      acc = acc === null ? term : acc.add(term);
    }
    out = acc!;
  }
  return out.reshape([N, C, Ho, Wo]);
}

/** PyTorch's `linspace_from_neg_one`: `steps` points in [-1, 1], shrunk to pixel centres without `alignCorners`. */
function baseLine(steps: number, align: boolean, t: Tensor): Tensor {
  if (steps <= 1) return makeTensor([0], { dtype: t.dtype, device: t.device }).reshape([steps]);
  const r = linspace(-1, 1, steps, { dtype: t.dtype, device: t.device });
  return align ? r : r.mul((steps - 1) / steps);
}

/**
 * The sampling grid of the affine maps `theta` ([N, 2, 3] for a 4-D `size` [N, C, H, W] → grid [N, H, W, 2];
 * [N, 3, 4] for a 5-D size → [N, D, H, W, 3]), for {@link gridSample} (`torch.nn.functional.affine_grid`).
 * Differentiable in `theta`. Positional order as PyTorch: (theta, size, alignCorners = false).
 * @example F.affineGrid(torch.tensor([[[1, 0, 0], [0, 1, 0]]]), [1, 3, 2, 2], { alignCorners: true }).tolist()
 * // [[[[-1, -1], [1, -1]], [[-1, 1], [1, 1]]]]
 */
export function affineGrid(theta: Tensor, size: readonly number[], alignCorners?: boolean | null | { alignCorners?: boolean | null }): Tensor {
  const o = resolveArgs('affine_grid', [alignCorners], { alignCorners: null as boolean | null });
  const align = o.alignCorners ?? false;
  if (!isFloating(theta.dtype)) throw new TypeError(`Expected theta to have floating point type, but got torch.${theta.dtype}`);
  const ts = sizeStr(theta.shape), ss = listStr(size);
  if (size.length === 4) {
    if (theta.dim() !== 3 || theta.shape[1] !== 2 || theta.shape[2] !== 3) throw new RangeError(`Expected a batch of 2D affine matrices of shape Nx2x3 for size ${ss}. Got ${ts}.`);
    const spatial = size.slice(2);
    if (Math.min(...spatial) === 1 && !align) { /* PyTorch only warns here (the grid is then constant along that dim) */ }
  } else if (size.length === 5) {
    if (theta.dim() !== 3 || theta.shape[1] !== 3 || theta.shape[2] !== 4) throw new RangeError(`Expected a batch of 3D affine matrices of shape Nx3x4 for size ${ss}. Got ${ts}.`);
  } else {
    throw new RangeError(`affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, respectively. Got size ${ss}.`);
  }
  if (Math.min(...size) <= 0) throw new RangeError(`Expected non-zero, positive output size. Got ${listStr(size)}`);
  if (theta.shape[0] !== size[0]) {
    throw new RangeError(`affine_grid(): theta's batch size ${theta.shape[0]} does not match size[0] = ${size[0]}`);
  }
  const N = size[0]!;
  const sp = size.slice(2); // [H, W] or [D, H, W]
  const k = sp.length; // 2 or 3
  // base grid [..., k + 1]: (x along W, y along H, z along D, 1), as PyTorch's affine_grid_generator
  const cols: Tensor[] = [];
  for (let c = 0; c < k; c++) {
    const axis = k - 1 - c; // x varies along the last spatial dim
    const line = baseLine(sp[axis]!, align, theta);
    const shape = sp.map((s, i) => (i === axis ? s : 1));
    cols.push(line.reshape(shape).expand(sp).unsqueeze(-1));
  }
  cols.push(ones([...sp, 1], { dtype: theta.dtype, device: theta.device }));
  const base = cat(cols, -1).reshape([1, -1, k + 1]);
  const grid = base.matmul(theta.transpose(1, 2)); // [N, prod(sp), k]
  return grid.reshape([N, ...sp, k]);
}

// =====================================================================================================================
// pixel_shuffle

/**
 * Rearranges [*, C·r², H, W] into [*, C, H·r, W·r] (`torch.nn.functional.pixel_shuffle`).
 * @example F.pixelShuffle(torch.randn([1, 8, 3, 3]), 2).shape // [1, 2, 6, 6]
 */
export function pixelShuffle(input: Tensor, upscaleFactor: number | { upscaleFactor: number }): Tensor {
  const r = typeof upscaleFactor === 'number' ? upscaleFactor : upscaleFactor.upscaleFactor;
  if (input.dim() < 3) throw new RangeError(`pixel_shuffle expects input to have at least 3 dimensions, but got input with ${input.dim()} dimension(s)`);
  if (!Number.isInteger(r) || r <= 0) throw new RangeError(`pixel_shuffle expects a positive upscale_factor, but got ${r}`);
  const nd = input.dim(), c = input.shape[nd - 3]!, h = input.shape[nd - 2]!, w = input.shape[nd - 1]!;
  if (c % (r * r) !== 0) {
    throw new RangeError(`pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=${c} is not divisible by ${r * r}`);
  }
  const batch = input.shape.slice(0, nd - 3), oc = c / (r * r), b = batch.length;
  return input.reshape([...batch, oc, r, r, h, w])
    .permute([...batch.map((_, i) => i), b, b + 3, b + 1, b + 4, b + 2])
    .reshape([...batch, oc, h * r, w * r]);
}

/**
 * The inverse of {@link pixelShuffle}: [*, C, H·r, W·r] → [*, C·r², H, W] (`torch.nn.functional.pixel_unshuffle`).
 * @example F.pixelUnshuffle(torch.randn([1, 2, 6, 6]), 2).shape // [1, 8, 3, 3]
 */
export function pixelUnshuffle(input: Tensor, downscaleFactor: number | { downscaleFactor: number }): Tensor {
  const r = typeof downscaleFactor === 'number' ? downscaleFactor : downscaleFactor.downscaleFactor;
  if (input.dim() < 3) throw new RangeError(`pixel_unshuffle expects input to have at least 3 dimensions, but got input with ${input.dim()} dimension(s)`);
  if (!Number.isInteger(r) || r <= 0) throw new RangeError(`pixel_unshuffle expects a positive downscale_factor, but got ${r}`);
  const nd = input.dim(), c = input.shape[nd - 3]!, h = input.shape[nd - 2]!, w = input.shape[nd - 1]!;
  if (h % r !== 0) throw new RangeError(`pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)=${h} is not divisible by ${r}`);
  if (w % r !== 0) throw new RangeError(`pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)=${w} is not divisible by ${r}`);
  const batch = input.shape.slice(0, nd - 3), b = batch.length;
  return input.reshape([...batch, c, h / r, r, w / r, r])
    .permute([...batch.map((_, i) => i), b, b + 2, b + 4, b + 1, b + 3])
    .reshape([...batch, c * r * r, h / r, w / r]);
}

// =====================================================================================================================
// instance_norm

/** Options of {@link instanceNorm} after `input`. */
export interface InstanceNormOptions {
  runningMean?: Tensor | null; runningVar?: Tensor | null; weight?: Tensor | null; bias?: Tensor | null; useInputStats?: boolean; momentum?: number; eps?: number;
}

/**
 * Instance normalisation of [N, C, *] (`torch.nn.functional.instance_norm`): each (sample, channel) is normalised
 * over its spatial elements with the biased variance, then scaled by `weight` and shifted by `bias` ([C]). With
 * `useInputStats` (default) and running stats given, these move toward the per-instance statistics averaged over
 * the batch (unbiased variance, `momentum`), as PyTorch; without `useInputStats` the running stats are used.
 * Positional order as PyTorch: (input, runningMean, runningVar, weight, bias, useInputStats = true,
 * momentum = 0.1, eps = 1e-5), or an options object after `input`.
 * @example F.instanceNorm(torch.randn([2, 3, 8])).shape // [2, 3, 8]
 */
export function instanceNorm(input: Tensor, runningMean?: Tensor | null | InstanceNormOptions, runningVar?: Tensor | null, weight?: Tensor | null,
  bias?: Tensor | null, useInputStats?: boolean, momentum?: number, eps?: number): Tensor {
  const o = resolveArgs('instance_norm', [runningMean, runningVar, weight, bias, useInputStats, momentum, eps], {
    runningMean: null as Tensor | null, runningVar: null as Tensor | null, weight: null as Tensor | null, bias: null as Tensor | null,
    useInputStats: true, momentum: 0.1, eps: 1e-5,
  });
  if (input.dim() < 2) throw new RangeError(`instance_norm(): expected input with at least 2 dims (N, C, ...), got ${listStr(input.shape)}`);
  if (o.useInputStats) {
    let prod = 1;
    for (let i = 2; i < input.dim(); i++) prod *= input.shape[i]!;
    if (prod === 1) throw new RangeError(`Expected more than 1 spatial element when training, got input size ${sizeStr(input.shape)}`);
  }
  const [N, C] = input.shape as [number, number];
  const shapeB = [1, N * C, ...input.shape.slice(2)];
  const rm = o.runningMean === null ? null : o.runningMean.repeat(N);
  const rv = o.runningVar === null ? null : o.runningVar.repeat(N);
  const w = o.weight === null ? null : o.weight.repeat(N);
  const b = o.bias === null ? null : o.bias.repeat(N);
  const out = F.batchNorm(input.reshape(shapeB), rm, rv, { weight: w, bias: b, training: o.useInputStats, momentum: o.momentum, eps: o.eps });
  if (o.useInputStats) {
    // the per-instance running stats batchNorm updated, averaged over the batch (PyTorch's instance_norm)
    noGrad(() => {
      if (o.runningMean !== null && rm !== null) o.runningMean.copy_(rm.reshape([N, C]).mean(0));
      if (o.runningVar !== null && rv !== null) o.runningVar.copy_(rv.reshape([N, C]).mean(0));
    });
  }
  return out.reshape(input.shape);
}

// =====================================================================================================================
// adaptive max pooling

/** Window bounds of adaptive pooling (PyTorch's start_index / end_index). */
function windows(inSize: number, outSize: number): { start: number[]; len: number[]; k: number } {
  const start: number[] = [], len: number[] = [];
  let k = 0;
  for (let i = 0; i < outSize; i++) {
    const s = Math.floor((i * inSize) / outSize), e = Math.ceil(((i + 1) * inSize) / outSize);
    start.push(s); len.push(e - s); k = Math.max(k, e - s);
  }
  return { start, len, k };
}

/** [N, C, H, W] → values and flat (h·W + w) indices of each adaptive window's maximum. */
function adaptiveMax2d(x: Tensor, oh: number, ow: number): [Tensor, Tensor] {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const wh = windows(H, oh), ww = windows(W, ow);
  const K = wh.k * ww.k;
  const table: number[] = [];
  for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) {
    for (let a = 0; a < wh.k; a++) for (let b = 0; b < ww.k; b++) {
      // a window shorter than the widest repeats its last element, which leaves the maximum (and its first index) unchanged
      const h = wh.start[i]! + Math.min(a, wh.len[i]! - 1), w = ww.start[j]! + Math.min(b, ww.len[j]! - 1);
      table.push(h * W + w);
    }
  }
  const idx = makeTensor(table, { dtype: 'int64', device: x.device });
  const vals = x.reshape([N, C, H * W]).indexSelect(2, idx).reshape([N, C, oh, ow, K]);
  const { values, indices } = vals.max(-1);
  const flatIdx = idx.reshape([1, 1, oh, ow, K]).expand([N, C, oh, ow, K]).gather(4, indices.unsqueeze(-1)).squeeze(-1);
  return [values, flatIdx];
}

/**
 * Adaptive max pooling of [N, C, H, W] or [C, H, W] to `outputSize` (an int, or [h, w] where null keeps the input
 * size) (`torch.nn.functional.adaptive_max_pool2d`); with `returnIndices`, also the flat (h·W + w) index of each
 * maximum, as `MaxUnpool2d` takes. Window i spans [floor(i·in/out), ceil((i+1)·in/out)).
 * @example F.adaptiveMaxPool2d(torch.randn([2, 3, 7, 9]), [2, 3]).shape // [2, 3, 2, 3]
 */
export function adaptiveMaxPool2d(input: Tensor, outputSize: number | readonly (number | null)[], returnIndices?: false | { returnIndices?: false }): Tensor;
export function adaptiveMaxPool2d(input: Tensor, outputSize: number | readonly (number | null)[], returnIndices: true | { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool2d(input: Tensor, outputSize: number | readonly (number | null)[], returnIndices?: boolean | { returnIndices?: boolean }): Tensor | [Tensor, Tensor];
export function adaptiveMaxPool2d(input: Tensor, outputSize: number | readonly (number | null)[], returnIndices: boolean | { returnIndices?: boolean } = false): Tensor | [Tensor, Tensor] {
  const ri = typeof returnIndices === 'boolean' ? returnIndices : resolveArgs('adaptive_max_pool2d', [returnIndices], { returnIndices: false }).returnIndices;
  if (input.dim() !== 3 && input.dim() !== 4) throw new RangeError(`adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: ${listStr(input.shape)}`);
  for (let i = 1; i < input.dim(); i++) {
    if (input.shape[i] === 0) {
      throw new RangeError(`adaptive_max_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ${listStr(input.shape)} with dimension ${i} being empty`);
    }
  }
  const H = input.shape[input.dim() - 2]!, W = input.shape[input.dim() - 1]!;
  const os = typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize.length === 1 ? [outputSize[0] ?? null, outputSize[0] ?? null] : outputSize;
  if (os.length !== 2) throw new RangeError('adaptive_max_pool2d(): internal error: output_size.size() must be 2');
  const oh = os[0] ?? H, ow = os[1] ?? W;
  if (!Number.isInteger(oh) || !Number.isInteger(ow) || oh < 0 || ow < 0) throw new RangeError(`adaptive_max_pool2d(): output_size must be non-negative integers, got [${oh}, ${ow}]`);
  if (!isFloating(input.dtype)) throw new TypeError(`"adaptive_max_pool2d" not implemented for '${input.type()}'`);
  const unbatched = input.dim() === 3;
  let [v, i] = adaptiveMax2d(unbatched ? input.unsqueeze(0) : input, oh, ow);
  if (unbatched) { v = v.squeeze(0); i = i.squeeze(0); }
  return ri ? [v, i] : v;
}

/**
 * Adaptive max pooling of [N, C, L] or [C, L] to `outputSize` (`torch.nn.functional.adaptive_max_pool1d`); with
 * `returnIndices`, also the index of each maximum along L.
 * @example F.adaptiveMaxPool1d(torch.randn([2, 3, 7]), 3).shape // [2, 3, 3]
 */
export function adaptiveMaxPool1d(input: Tensor, outputSize: number | readonly number[], returnIndices?: false | { returnIndices?: false }): Tensor;
export function adaptiveMaxPool1d(input: Tensor, outputSize: number | readonly number[], returnIndices: true | { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool1d(input: Tensor, outputSize: number | readonly number[], returnIndices?: boolean | { returnIndices?: boolean }): Tensor | [Tensor, Tensor];
export function adaptiveMaxPool1d(input: Tensor, outputSize: number | readonly number[], returnIndices: boolean | { returnIndices?: boolean } = false): Tensor | [Tensor, Tensor] {
  const ri = typeof returnIndices === 'boolean' ? returnIndices : resolveArgs('adaptive_max_pool1d', [returnIndices], { returnIndices: false }).returnIndices;
  if (input.dim() !== 2 && input.dim() !== 3) throw new RangeError(`adaptive_max_pool1d(): Expected 2D or 3D tensor, but got: ${listStr(input.shape)}`);
  const os = typeof outputSize === 'number' ? [outputSize] : [...outputSize];
  if (os.length !== 1) throw new RangeError(`adaptive_max_pool1d(): argument 'output_size' should contain one int (got ${os.length})`);
  for (let i = 1; i < input.dim(); i++) {
    if (input.shape[i] === 0) {
      throw new RangeError(`adaptive_max_pool1d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ${listStr(input.shape)} with dimension ${i} being empty`);
    }
  }
  if (!isFloating(input.dtype)) throw new TypeError(`"adaptive_max_pool2d" not implemented for '${input.type()}'`);
  const unbatched = input.dim() === 2;
  const x = (unbatched ? input.unsqueeze(0) : input).unsqueeze(2);
  let [v, i] = adaptiveMax2d(x, 1, os[0]!);
  v = v.squeeze(2); i = i.squeeze(2);
  if (unbatched) { v = v.squeeze(0); i = i.squeeze(0); }
  return ri ? [v, i] : v;
}

