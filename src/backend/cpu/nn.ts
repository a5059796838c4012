/**
 * The portable CPU backend's nn kernels (the optional block of `Backend`): convolution through im2col and the
 * packed GEMM of `gemm.ts`, pooling, softmax, normalisation, nll loss, embedding and binary cross entropy as
 * direct loops. Everything is accumulated in doubles and stored in the input's dtype. These are the frontend's
 * former composites moved below the interface: one pass over memory instead of several tensor ops, and no
 * host reads above the backend (checks on targets and indices happen here, with PyTorch's messages).
 */
import type { DType, TypedArray } from '../../dtype.js';
import type { ConvGeometry, Layout } from '../types.js';
import { avgPoolDivisors } from '../geometry.js';
import { gemm } from './gemm.js';
import type { FloatArray } from './gemm.js';
import { CpuStorage, cpuAllocator } from './cpu.js';

type Red = 'none' | 'mean' | 'sum';

function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

function alloc(dtype: DType, n: number): CpuStorage {
  return new CpuStorage(dtype, cpuAllocator.take(dtype, n));
}

function zerosOf(dtype: DType, n: number): CpuStorage {
  const s = alloc(dtype, n);
  s.data.fill(0);
  return s;
}

function isContiguous(l: Layout): boolean {
  let st = 1;
  for (let d = l.shape.length - 1; d >= 0; d--) {
    if (l.shape[d]! !== 1 && l.strides[d] !== st) return false;
    st *= l.shape[d]!;
  }
  return true;
}

/** The elements of `l` as a dense row-major array plus its start offset (no copy when already contiguous). */
function dense(s: CpuStorage, l: Layout): { d: TypedArray; o: number } {
  if (isContiguous(l)) return { d: s.data, o: l.offset };
  const n = numel(l.shape);
  const out = new (s.data.constructor as any)(n) as TypedArray;
  const nd = l.shape.length;
  const idx = new Array<number>(nd).fill(0);
  let p = l.offset;
  for (let i = 0; i < n; i++) {
    out[i] = s.data[p]!;
    for (let k = nd - 1; k >= 0; k--) {
      idx[k]!++; p += l.strides[k]!;
      if (idx[k]! < l.shape[k]!) break;
      p -= l.strides[k]! * l.shape[k]!; idx[k] = 0;
    }
  }
  return { d: out, o: 0 };
}

/** Visits every position of `shape`, giving the offsets of each layout there (row-major order). */
function walk(shape: readonly number[], ls: readonly (Layout | null)[], fn: (i: number, p: number[]) => void): void {
  const n = numel(shape), nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  const p = ls.map((l) => (l === null ? 0 : l.offset));
  for (let i = 0; i < n; i++) {
    fn(i, p);
    for (let k = nd - 1; k >= 0; k--) {
      idx[k]!++;
      for (let j = 0; j < ls.length; j++) if (ls[j] !== null) p[j]! += ls[j]!.strides[k]!;
      if (idx[k]! < shape[k]!) break;
      for (let j = 0; j < ls.length; j++) if (ls[j] !== null) p[j]! -= ls[j]!.strides[k]! * shape[k]!;
      idx[k] = 0;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Convolution: out[n] = W @ cols[:, n, :] per image (and per group), written straight into the contiguous
// [N, O, oh, ow] result, so no transposed copy of the output is needed afterwards.

export type Im2col = (x: CpuStorage, xl: Layout, g: ConvGeometry, pad: number) => CpuStorage;
export type Col2im = (cols: CpuStorage, cl: Layout, g: ConvGeometry) => CpuStorage;

export function conv2d(im2col: Im2col, x: CpuStorage, xl: Layout, w: CpuStorage, wl: Layout, b: CpuStorage | null,
  bl: Layout | null, g: ConvGeometry, groups: number): CpuStorage {
  const N = xl.shape[0]!, O = wl.shape[0]!;
  const L = g.outSize[0] * g.outSize[1];
  const cols = im2col(x, xl, g, 0); // [CKK, N, L]
  const ckk = cols.length / (N * L);
  const per = ckk / groups, og = O / groups;
  const wd = dense(w, wl);
  const out = alloc(x.dtype, N * O * L);
  const od = out.data as FloatArray;
  const acc = b !== null;
  if (acc) {
    const bd = b!.data;
    for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) {
      const v = bd[bl!.offset + o * (bl!.strides[0] ?? 0)]!;
      od.fill(v, (n * O + o) * L, (n * O + o + 1) * L);
    }
  }
  const cd = cols.data as FloatArray;
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < groups; gi++) {
      gemm(og, L, per, wd.d as FloatArray, wd.o + gi * og * per, per, 1, cd, gi * per * N * L + n * L, N * L, 1,
        od, (n * O + gi * og) * L, L, acc);
    }
  }
  cpuAllocator.give(cols.dtype, cols.data);
  return out;
}

export function conv2dBackward(im2col: Im2col, col2im: Col2im, gy: CpuStorage, gyl: Layout, x: CpuStorage | null, xl: Layout | null,
  w: CpuStorage | null, wl: Layout, g: ConvGeometry, groups: number, mask: readonly [boolean, boolean, boolean]): [CpuStorage | null, CpuStorage | null, CpuStorage | null] {
  const [N, O] = gyl.shape as [number, number];
  const L = g.outSize[0] * g.outSize[1];
  const kk = g.kernel[0] * g.kernel[1];
  const cg = wl.shape[1]!, C = cg * groups, per = cg * kk, og = O / groups, ckk = C * kk;
  const dt = gy.dtype;
  const gd = dense(gy, gyl);
  const gdd = gd.d as FloatArray;
  let gx: CpuStorage | null = null, gw: CpuStorage | null = null, gb: CpuStorage | null = null;
  if (mask[2]) {
    gb = alloc(dt, O);
    for (let o = 0; o < O; o++) {
      let s = 0;
      for (let n = 0; n < N; n++) { const p = gd.o + (n * O + o) * L; for (let l = 0; l < L; l++) s += gdd[p + l]!; }
      gb.data[o] = s;
    }
  }
  if (mask[1]) {
    // gW[g] = Σ_n gy[n, g] [og, L] @ cols[g, n]ᵀ [L, per]
    const cols = im2col(x!, xl!, g, 0);
    const cd = cols.data as FloatArray;
    gw = alloc(dt, O * per);
    const wd = gw.data as FloatArray;
    for (let gi = 0; gi < groups; gi++) {
      for (let n = 0; n < N; n++) {
        gemm(og, per, L, gdd, gd.o + (n * O + gi * og) * L, L, 1, cd, gi * per * N * L + n * L, 1, N * L,
          wd, gi * og * per, per, n > 0);
      }
    }
    cpuAllocator.give(cols.dtype, cols.data);
  }
  if (mask[0]) {
    // cols[g, :, n, :] = W[g]ᵀ [per, og] @ gy[n, g] [og, L], then folded back (col2im)
    const wd = dense(w!, wl);
    const cols = alloc(dt, ckk * N * L);
    const cd = cols.data as FloatArray;
    for (let gi = 0; gi < groups; gi++) {
      for (let n = 0; n < N; n++) {
        gemm(per, L, og, wd.d as FloatArray, wd.o + gi * og * per, 1, per, gdd, gd.o + (n * O + gi * og) * L, L, 1,
          cd, gi * per * N * L + n * L, N * L, false);
      }
    }
    gx = col2im(cols, { shape: [ckk, N, L], strides: [N * L, L, 1], offset: 0 }, g);
    cpuAllocator.give(cols.dtype, cols.data);
  }
  return [gx, gw, gb];
}

// ---------------------------------------------------------------------------------------------------------------
// Pooling

export function maxPool2d(x: CpuStorage, xl: Layout, g: ConvGeometry): [CpuStorage, CpuStorage] {
  const [N, C, H, W] = xl.shape as [number, number, number, number];
  const [sn, sc, sy, sx] = xl.strides as [number, number, number, number];
  const [oh, ow] = g.outSize, [kh, kw] = g.kernel, [sh, sw] = g.stride, [ph, pw] = g.padding, [dh, dw] = g.dilation;
  const out = alloc(x.dtype, N * C * oh * ow), idx = alloc('int64', N * C * oh * ow);
  const xd = x.data, od = out.data, id = idx.data;
  let o = 0;
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
    const base = xl.offset + n * sn + c * sc;
    for (let y = 0; y < oh; y++) {
      const y0 = y * sh - ph;
      for (let xx = 0; xx < ow; xx++, o++) {
        const x0 = xx * sw - pw;
        let best = -Infinity, bi = -1;
        for (let i = 0; i < kh; i++) {
          const iy = y0 + i * dh;
          if (iy < 0 || iy >= H) continue;
          for (let j = 0; j < kw; j++) {
            const ix = x0 + j * dw;
            if (ix < 0 || ix >= W) continue;
            const v = xd[base + iy * sy + ix * sx]!;
            // PyTorch's rule: a larger value or any NaN takes over (so the last NaN of a window wins)
            if (bi < 0 || v > best || v !== v) { best = v; bi = iy * W + ix; }
          }
        }
        od[o] = best; id[o] = bi;
      }
    }
  }
  return [out, idx];
}

export function maxPool2dBackward(gy: CpuStorage, gyl: Layout, ind: CpuStorage, il: Layout, g: ConvGeometry): CpuStorage {
  const [N, C] = gyl.shape as [number, number];
  const HW = g.inSize[0] * g.inSize[1], L = g.outSize[0] * g.outSize[1];
  const gx = zerosOf(gy.dtype, N * C * HW);
  const xd = gx.data, gd = dense(gy, gyl), idd = dense(ind, il);
  for (let p = 0; p < N * C; p++) {
    const ob = p * HW;
    for (let l = 0; l < L; l++) {
      const k = idd.d[idd.o + p * L + l]!;
      xd[ob + k] = xd[ob + k]! + gd.d[gd.o + p * L + l]!;
    }
  }
  return gx;
}


export function avgPool2d(x: CpuStorage, xl: Layout, g: ConvGeometry, countIncludePad: boolean, divisorOverride: number | null): CpuStorage {
  const [N, C, H, W] = xl.shape as [number, number, number, number];
  const [sn, sc, sy, sx] = xl.strides as [number, number, number, number];
  const [oh, ow] = g.outSize, [kh, kw] = g.kernel, [sh, sw] = g.stride, [ph, pw] = g.padding;
  const div = avgPoolDivisors(g, countIncludePad, divisorOverride);
  const out = alloc(x.dtype, N * C * oh * ow);
  const xd = x.data, od = out.data;
  let o = 0;
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
    const base = xl.offset + n * sn + c * sc;
    for (let y = 0; y < oh; y++) {
      const ys = Math.max(y * sh - ph, 0), ye = Math.min(y * sh - ph + kh, H);
      for (let xx = 0; xx < ow; xx++, o++) {
        const xs = Math.max(xx * sw - pw, 0), xe = Math.min(xx * sw - pw + kw, W);
        let s = 0;
        for (let iy = ys; iy < ye; iy++) for (let ix = xs; ix < xe; ix++) s += xd[base + iy * sy + ix * sx]!;
        od[o] = s / div[y * ow + xx]!;
      }
    }
  }
  return out;
}

export function avgPool2dBackward(gy: CpuStorage, gyl: Layout, g: ConvGeometry, countIncludePad: boolean, divisorOverride: number | null): CpuStorage {
  const [N, C] = gyl.shape as [number, number];
  const [H, W] = g.inSize, [oh, ow] = g.outSize, [kh, kw] = g.kernel, [sh, sw] = g.stride, [ph, pw] = g.padding;
  const div = avgPoolDivisors(g, countIncludePad, divisorOverride);
  const gx = zerosOf(gy.dtype, N * C * H * W);
  const xd = gx.data, gd = dense(gy, gyl);
  let o = gd.o;
  for (let p = 0; p < N * C; p++) {
    const base = p * H * W;
    for (let y = 0; y < oh; y++) {
      const ys = Math.max(y * sh - ph, 0), ye = Math.min(y * sh - ph + kh, H);
      for (let xx = 0; xx < ow; xx++, o++) {
        const xs = Math.max(xx * sw - pw, 0), xe = Math.min(xx * sw - pw + kw, W);
        const v = gd.d[o]! / div[y * ow + xx]!;
        for (let iy = ys; iy < ye; iy++) for (let ix = xs; ix < xe; ix++) xd[base + iy * W + ix] = xd[base + iy * W + ix]! + v;
      }
    }
  }
  return gx;
}

const aStart = (i: number, inS: number, outS: number): number => Math.floor((i * inS) / outS);
const aEnd = (i: number, inS: number, outS: number): number => Math.ceil(((i + 1) * inS) / outS);

export function adaptiveAvgPool2d(x: CpuStorage, xl: Layout, outSize: readonly [number, number]): CpuStorage {
  const [N, C, H, W] = xl.shape as [number, number, number, number];
  const [sn, sc, sy, sx] = xl.strides as [number, number, number, number];
  const [oh, ow] = outSize;
  const out = alloc(x.dtype, N * C * oh * ow);
  const xd = x.data, od = out.data;
  let o = 0;
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
    const base = xl.offset + n * sn + c * sc;
    for (let y = 0; y < oh; y++) {
      const ys = aStart(y, H, oh), ye = aEnd(y, H, oh);
      for (let xx = 0; xx < ow; xx++, o++) {
        const xs = aStart(xx, W, ow), xe = aEnd(xx, W, ow);
        let s = 0;
        for (let iy = ys; iy < ye; iy++) for (let ix = xs; ix < xe; ix++) s += xd[base + iy * sy + ix * sx]!;
        od[o] = s / ((ye - ys) * (xe - xs));
      }
    }
  }
  return out;
}

export function adaptiveAvgPool2dBackward(gy: CpuStorage, gyl: Layout, inSize: readonly [number, number]): CpuStorage {
  const [N, C, oh, ow] = gyl.shape as [number, number, number, number];
  const [H, W] = inSize;
  const gx = zerosOf(gy.dtype, N * C * H * W);
  const xd = gx.data, gd = dense(gy, gyl);
  let o = gd.o;
  for (let p = 0; p < N * C; p++) {
    const base = p * H * W;
    for (let y = 0; y < oh; y++) {
      const ys = aStart(y, H, oh), ye = aEnd(y, H, oh);
      for (let xx = 0; xx < ow; xx++, o++) {
        const xs = aStart(xx, W, ow), xe = aEnd(xx, W, ow);
        const v = gd.d[o]! / ((ye - ys) * (xe - xs));
        for (let iy = ys; iy < ye; iy++) for (let ix = xs; ix < xe; ix++) xd[base + iy * W + ix] = xd[base + iy * W + ix]! + v;
      }
    }
  }
  return gx;
}

// ---------------------------------------------------------------------------------------------------------------
// Softmax

function contiguousStrides(shape: readonly number[]): number[] {
  const st: number[] = [];
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) { st[d] = acc; acc *= shape[d]!; }
  return st;
}

/** Calls fn(xBase, outBase) for every line along `dim` (out is contiguous of xl's shape). */
function lines(xl: Layout, dim: number, fn: (xb: number, ob: number) => void): void {
  const shape = xl.shape;
  const outerShape = shape.map((s, d) => (d === dim ? 1 : s));
  walk(outerShape, [xl, { shape, strides: contiguousStrides(shape), offset: 0 }], (_i, p) => fn(p[0]!, p[1]!));
}

export function softmax(x: CpuStorage, xl: Layout, dim: number, log: boolean): CpuStorage {
  const n = numel(xl.shape);
  const out = alloc(x.dtype, n);
  if (n === 0) return out;
  const K = xl.shape[dim]!, xs = xl.strides[dim]!;
  const os = numel(xl.shape.slice(dim + 1));
  const xd = x.data, od = out.data;
  lines(xl, dim, (xb, ob) => {
    let m = -Infinity;
    for (let k = 0; k < K; k++) { const v = xd[xb + k * xs]!; if (v > m || v !== v) m = v; }
    if (m === Infinity || m === -Infinity) m = 0;
    let s = 0;
    for (let k = 0; k < K; k++) s += Math.exp(xd[xb + k * xs]! - m);
    if (log) {
      const ls = Math.log(s);
      for (let k = 0; k < K; k++) od[ob + k * os] = xd[xb + k * xs]! - m - ls;
    } else {
      for (let k = 0; k < K; k++) od[ob + k * os] = Math.exp(xd[xb + k * xs]! - m) / s;
    }
  });
  return out;
}

export function softmaxBackward(gy: CpuStorage, gyl: Layout, y: CpuStorage, yl: Layout, dim: number, log: boolean): CpuStorage {
  const n = numel(gyl.shape);
  const out = alloc(gy.dtype, n);
  if (n === 0) return out;
  const K = gyl.shape[dim]!;
  const gd = dense(gy, gyl), yd = dense(y, yl);
  const os = numel(gyl.shape.slice(dim + 1));
  const od = out.data;
  const contig: Layout = { shape: gyl.shape, strides: contiguousStrides(gyl.shape), offset: 0 };
  lines(contig, dim, (_xb, ob) => {
    let s = 0;
    if (log) {
      for (let k = 0; k < K; k++) s += gd.d[gd.o + ob + k * os]!;
      for (let k = 0; k < K; k++) { const p = ob + k * os; od[p] = gd.d[gd.o + p]! - Math.exp(yd.d[yd.o + p]!) * s; }
    } else {
      for (let k = 0; k < K; k++) { const p = ob + k * os; s += gd.d[gd.o + p]! * yd.d[yd.o + p]!; }
      for (let k = 0; k < K; k++) { const p = ob + k * os; od[p] = yd.d[yd.o + p]! * (gd.d[gd.o + p]! - s); }
    }
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Normalisation. Every form is "blocks of elements sharing one (mean, invstd)" with a per-channel affine; the
// kernels below walk a dense copy as [outer, C, inner] (batch norm) or [rows, D] (layer/group norm).

function at(s: CpuStorage | null, l: Layout | null, i: number, dflt: number): number {
  return s === null ? dflt : s.data[l!.offset + i * (l!.strides[0] ?? 0)]!;
}

export function batchNorm(x: CpuStorage, xl: Layout, w: CpuStorage | null, wl: Layout | null, b: CpuStorage | null, bl: Layout | null,
  rm: CpuStorage | null, rml: Layout | null, rv: CpuStorage | null, rvl: Layout | null,
  training: boolean, momentum: number, eps: number): [CpuStorage, CpuStorage, CpuStorage] {
  const N = xl.shape[0]!, C = xl.shape[1]!, S = numel(xl.shape.slice(2)), M = N * S;
  const xd = dense(x, xl);
  const out = alloc(x.dtype, N * C * S), mean = alloc(x.dtype, C), invstd = alloc(x.dtype, C);
  for (let c = 0; c < C; c++) {
    let mu: number, is: number;
    if (training) {
      let s = 0;
      for (let n = 0; n < N; n++) { const p = xd.o + (n * C + c) * S; for (let k = 0; k < S; k++) s += xd.d[p + k]!; }
      mu = s / M;
      let v = 0;
      for (let n = 0; n < N; n++) { const p = xd.o + (n * C + c) * S; for (let k = 0; k < S; k++) { const d = xd.d[p + k]! - mu; v += d * d; } }
      is = 1 / Math.sqrt(v / M + eps);
      if (rm !== null) { const p = rml!.offset + c * (rml!.strides[0] ?? 0); rm.data[p] = (1 - momentum) * rm.data[p]! + momentum * mu; }
      if (rv !== null) { const p = rvl!.offset + c * (rvl!.strides[0] ?? 0); rv.data[p] = (1 - momentum) * rv.data[p]! + momentum * (v / (M - 1)); }
    } else {
      mu = at(rm, rml, c, 0);
      is = 1 / Math.sqrt(at(rv, rvl, c, 1) + eps);
    }
    mean.data[c] = mu; invstd.data[c] = is;
    const a = at(w, wl, c, 1) * is, bb = at(b, bl, c, 0);
    for (let n = 0; n < N; n++) {
      const p = (n * C + c) * S;
      for (let k = 0; k < S; k++) out.data[p + k] = (xd.d[xd.o + p + k]! - mu) * a + bb;
    }
  }
  return [out, mean, invstd];
}

export function batchNormBackward(gy: CpuStorage, gyl: Layout, x: CpuStorage, xl: Layout, w: CpuStorage | null, wl: Layout | null,
  saveMean: CpuStorage, saveInvstd: CpuStorage, training: boolean, mask: readonly [boolean, boolean, boolean]): [CpuStorage | null, CpuStorage | null, CpuStorage | null] {
  const N = xl.shape[0]!, C = xl.shape[1]!, S = numel(xl.shape.slice(2)), M = N * S;
  const xd = dense(x, xl), gd = dense(gy, gyl);
  const gx = mask[0] ? alloc(gy.dtype, N * C * S) : null;
  const gw = mask[1] ? alloc(gy.dtype, C) : null, gb = mask[2] ? alloc(gy.dtype, C) : null;
  for (let c = 0; c < C; c++) {
    const mu = saveMean.data[c]!, is = saveInvstd.data[c]!;
    let sg = 0, sgx = 0;
    for (let n = 0; n < N; n++) {
      const p = (n * C + c) * S;
      for (let k = 0; k < S; k++) { const g = gd.d[gd.o + p + k]!; sg += g; sgx += g * (xd.d[xd.o + p + k]! - mu) * is; }
    }
    if (gw !== null) gw.data[c] = sgx;
    if (gb !== null) gb.data[c] = sg;
    if (gx !== null) {
      const a = at(w, wl, c, 1) * is;
      for (let n = 0; n < N; n++) {
        const p = (n * C + c) * S;
        for (let k = 0; k < S; k++) {
          const g = gd.d[gd.o + p + k]!;
          gx.data[p + k] = training ? a * (g - sg / M - (xd.d[xd.o + p + k]! - mu) * is * sgx / M) : a * g;
        }
      }
    }
  }
  return [gx, gw, gb];
}

/**
 * Shared by layer and group norm: `rows` blocks of `D` elements, each normalised on its own; the affine index of
 * element j of row r is `chan(r, j)`.
 */
function rowNorm(x: CpuStorage, xl: Layout, rows: number, D: number, chan: (r: number, j: number) => number,
  w: CpuStorage | null, wl: Layout | null, b: CpuStorage | null, bl: Layout | null, eps: number): [CpuStorage, CpuStorage, CpuStorage] {
  const xd = dense(x, xl);
  const out = alloc(x.dtype, rows * D), mean = alloc(x.dtype, rows), rstd = alloc(x.dtype, rows);
  for (let r = 0; r < rows; r++) {
    const p = xd.o + r * D;
    let s = 0;
    for (let j = 0; j < D; j++) s += xd.d[p + j]!;
    const mu = s / D;
    let v = 0;
    for (let j = 0; j < D; j++) { const d = xd.d[p + j]! - mu; v += d * d; }
    const is = 1 / Math.sqrt(v / D + eps);
    mean.data[r] = mu; rstd.data[r] = is;
    for (let j = 0; j < D; j++) {
      const ch = chan(r, j);
      out.data[r * D + j] = (xd.d[p + j]! - mu) * is * at(w, wl, ch, 1) + at(b, bl, ch, 0);
    }
  }
  return [out, mean, rstd];
}

function rowNormBackward(gy: CpuStorage, gyl: Layout, x: CpuStorage, xl: Layout, rows: number, D: number, nChan: number,
  chan: (r: number, j: number) => number, mean: CpuStorage, rstd: CpuStorage, w: CpuStorage | null, wl: Layout | null,
  mask: readonly [boolean, boolean, boolean]): [CpuStorage | null, CpuStorage | null, CpuStorage | null] {
  const xd = dense(x, xl), gd = dense(gy, gyl);
  const gx = mask[0] ? alloc(gy.dtype, rows * D) : null;
  const gwA = new Float64Array(nChan), gbA = new Float64Array(nChan);
  for (let r = 0; r < rows; r++) {
    const mu = mean.data[r]!, is = rstd.data[r]!;
    const px = xd.o + r * D, pg = gd.o + r * D;
    let s1 = 0, s2 = 0;
    for (let j = 0; j < D; j++) {
      const ch = chan(r, j), g = gd.d[pg + j]!, xh = (xd.d[px + j]! - mu) * is;
      gwA[ch] += g * xh; gbA[ch] += g;
      const gh = g * at(w, wl, ch, 1);
      s1 += gh; s2 += gh * xh;
    }
    if (gx !== null) {
      for (let j = 0; j < D; j++) {
        const ch = chan(r, j), xh = (xd.d[px + j]! - mu) * is;
        const gh = gd.d[pg + j]! * at(w, wl, ch, 1);
        gx.data[r * D + j] = is * (gh - s1 / D - xh * s2 / D);
      }
    }
  }
  let gw: CpuStorage | null = null, gb: CpuStorage | null = null;
  if (mask[1]) { gw = alloc(gy.dtype, nChan); for (let c = 0; c < nChan; c++) gw.data[c] = gwA[c]!; }
  if (mask[2]) { gb = alloc(gy.dtype, nChan); for (let c = 0; c < nChan; c++) gb.data[c] = gbA[c]!; }
  return [gx, gw, gb];
}

export function layerNorm(x: CpuStorage, xl: Layout, D: number, w: CpuStorage | null, wl: Layout | null, b: CpuStorage | null,
  bl: Layout | null, eps: number): [CpuStorage, CpuStorage, CpuStorage] {
  return rowNorm(x, flatLayout(xl, D), D === 0 ? 0 : numel(xl.shape) / D, D, (_r, j) => j, w, flatW(wl), b, flatW(bl), eps);
}

export function layerNormBackward(gy: CpuStorage, gyl: Layout, x: CpuStorage, xl: Layout, D: number, mean: CpuStorage, rstd: CpuStorage,
  w: CpuStorage | null, wl: Layout | null, mask: readonly [boolean, boolean, boolean]): [CpuStorage | null, CpuStorage | null, CpuStorage | null] {
  const rows = D === 0 ? 0 : numel(xl.shape) / D;
  return rowNormBackward(gy, gyl, x, xl, rows, D, D, (_r, j) => j, mean, rstd, w, flatW(wl), mask);
}

/** Layer norm's weight may be n-d (normalized_shape); a contiguous one is read as flat. */
function flatW(l: Layout | null): Layout | null {
  if (l === null || l.shape.length === 1) return l;
  if (!isContiguous(l)) throw new Error('cpu layerNorm: expected a contiguous weight/bias');
  return { shape: [numel(l.shape)], strides: [1], offset: l.offset };
}
function flatLayout(l: Layout, _D: number): Layout { return l; }

export function groupNorm(x: CpuStorage, xl: Layout, G: number, w: CpuStorage | null, wl: Layout | null, b: CpuStorage | null,
  bl: Layout | null, eps: number): [CpuStorage, CpuStorage, CpuStorage] {
  const N = xl.shape[0]!, C = xl.shape[1]!, S = numel(xl.shape.slice(2)), cg = C / G;
  return rowNorm(x, xl, N * G, cg * S, (r, j) => (r % G) * cg + Math.floor(j / S), w, wl, b, bl, eps);
}

export function groupNormBackward(gy: CpuStorage, gyl: Layout, x: CpuStorage, xl: Layout, G: number, mean: CpuStorage, rstd: CpuStorage,
  w: CpuStorage | null, wl: Layout | null, mask: readonly [boolean, boolean, boolean]): [CpuStorage | null, CpuStorage | null, CpuStorage | null] {
  const N = xl.shape[0]!, C = xl.shape[1]!, S = numel(xl.shape.slice(2)), cg = C / G;
  return rowNormBackward(gy, gyl, x, xl, N * G, cg * S, C, (r, j) => (r % G) * cg + Math.floor(j / S), mean, rstd, w, wl, mask);
}

// ---------------------------------------------------------------------------------------------------------------
// Losses and embedding

/** x as [N, C, S] (1-D input: N = 1, S = 1), targets as [N·S]. */
function nllDims(xl: Layout): [number, number, number] {
  if (xl.shape.length === 1) return [1, xl.shape[0]!, 1];
  return [xl.shape[0]!, xl.shape[1]!, numel(xl.shape.slice(2))];
}

export function nllLoss(x: CpuStorage, xl: Layout, t: CpuStorage, tl: Layout, w: CpuStorage | null, wl: Layout | null,
  reduction: Red, ignoreIndex: number): [CpuStorage, CpuStorage] {
  const [N, C, S] = nllDims(xl);
  const xd = dense(x, xl), td = dense(t, tl);
  const out = alloc(x.dtype, reduction === 'none' ? N * S : 1), tw = alloc(x.dtype, 1);
  let sum = 0, wsum = 0;
  for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) {
    const k = td.d[td.o + n * S + s]!;
    let l = 0;
    if (k !== ignoreIndex) {
      if (k < 0 || k >= C) throw new RangeError(`Target ${k} is out of bounds.`);
      const wt = at(w, wl, k, 1);
      l = -xd.d[xd.o + (n * C + k) * S + s]! * wt;
      wsum += wt;
    }
    if (reduction === 'none') out.data[n * S + s] = l;
    else sum += l;
  }
  if (reduction === 'sum') out.data[0] = sum;
  else if (reduction === 'mean') out.data[0] = sum / wsum;
  tw.data[0] = wsum;
  return [out, tw];
}

export function nllLossBackward(gy: CpuStorage, gyl: Layout, xl: Layout, t: CpuStorage, tl: Layout, w: CpuStorage | null, wl: Layout | null,
  reduction: Red, ignoreIndex: number, totalWeight: CpuStorage): CpuStorage {
  const [N, C, S] = nllDims(xl);
  const gx = zerosOf(gy.dtype, N * C * S);
  const td = dense(t, tl), gd = dense(gy, gyl);
  const tw = totalWeight.data[0]!;
  for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) {
    const k = td.d[td.o + n * S + s]!;
    if (k === ignoreIndex) continue;
    if (k < 0 || k >= C) throw new RangeError(`Target ${k} is out of bounds.`);
    const wt = at(w, wl, k, 1);
    if (wt === 0) continue;
    const g = reduction === 'none' ? gd.d[gd.o + n * S + s]! : reduction === 'mean' ? gd.d[gd.o]! / tw : gd.d[gd.o]!;
    gx.data[(n * C + k) * S + s] = -wt * g;
  }
  return gx;
}

export function embedding(w: CpuStorage, wl: Layout, ind: CpuStorage, il: Layout): CpuStorage {
  const num = wl.shape[0]!, D = wl.shape[1]!;
  const n = numel(il.shape);
  const out = alloc(w.dtype, n * D);
  const wd = w.data, od = out.data, [s0, s1] = wl.strides as [number, number];
  walk(il.shape, [il], (i, p) => {
    const k = ind.data[p[0]!]!;
    if (k < 0 || k >= num) throw new RangeError('index out of range in self');
    const base = wl.offset + k * s0;
    for (let j = 0; j < D; j++) od[i * D + j] = wd[base + j * s1]!;
  });
  return out;
}

export function embeddingBackward(gy: CpuStorage, gyl: Layout, ind: CpuStorage, il: Layout, numWeights: number, paddingIdx: number | null,
  scaleGradByFreq: boolean): CpuStorage {
  const n = numel(il.shape);
  const D = n === 0 ? gyl.shape[gyl.shape.length - 1]! : numel(gyl.shape) / n;
  const gw = zerosOf(gy.dtype, numWeights * D);
  const gd = dense(gy, gyl), id = dense(ind, il);
  let counts: Float64Array | null = null;
  if (scaleGradByFreq) {
    counts = new Float64Array(numWeights);
    for (let i = 0; i < n; i++) counts[id.d[id.o + i]!]!++;
  }
  const out = gw.data;
  for (let i = 0; i < n; i++) {
    const k = id.d[id.o + i]!;
    if (k === paddingIdx) continue;
    if (k < 0 || k >= numWeights) throw new RangeError('index out of range in self');
    const sc = counts !== null ? 1 / counts[k]! : 1;
    const gb = gd.o + i * D, ob = k * D;
    for (let j = 0; j < D; j++) out[ob + j] = out[ob + j]! + gd.d[gb + j]! * sc;
  }
  return gw;
}

export function binaryCrossEntropy(x: CpuStorage, xl: Layout, t: CpuStorage, tl: Layout, w: CpuStorage | null, wl: Layout | null): CpuStorage {
  const out = alloc(x.dtype, numel(xl.shape));
  const xd = x.data, td = t.data, wd = w?.data, od = out.data;
  walk(xl.shape, [xl, tl, wl], (i, p) => {
    const v = xd[p[0]!]!, tv = td[p[1]!]!;
    if (!(v >= 0 && v <= 1)) throw new RangeError('all elements of input should be between 0 and 1');
    const l = (tv - 1) * Math.max(Math.log1p(-v), -100) - tv * Math.max(Math.log(v), -100);
    od[i] = wd !== undefined ? l * wd[p[2]!]! : l;
  });
  return out;
}

export function binaryCrossEntropyBackward(gy: CpuStorage, gyl: Layout, x: CpuStorage, xl: Layout, t: CpuStorage, tl: Layout,
  w: CpuStorage | null, wl: Layout | null): CpuStorage {
  const out = alloc(gy.dtype, numel(xl.shape));
  const gd = gy.data, xd = x.data, td = t.data, wd = w?.data, od = out.data;
  walk(xl.shape, [gyl, xl, tl, wl], (i, p) => {
    const v = xd[p[1]!]!;
    const c = (v - td[p[2]!]!) / Math.max((1 - v) * v, 1e-12);
    od[i] = gd[p[0]!]! * (wd !== undefined ? c * wd[p[3]!]! : c);
  });
  return out;
}
