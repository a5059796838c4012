/**
 * The nn primitives: convolution, pooling, normalisation, nll loss, embedding and binary cross entropy, each one
 * recorded autograd node. The forward calls the backend's optional kernel (`Backend.conv2d`, ...) when it has one
 * and otherwise a fallback built from primitive tensor ops (im2col/col2im, matmul, gather/scatter, reductions), so a
 * new backend can start with the primitives alone. Backward rules (in `autograd/rules.ts`) call the `*Backward`
 * functions here, which make the same choice. Nothing here reads values back to the host: checks that need values
 * happen in the kernels (or, in the fallbacks, in the primitives' own kernels, e.g. gather's index check), and every
 * tensor made here is created on the input's device.
 */
import { Tensor, fromStorage, bumpVersion } from '../tensor.js';
import type { Backend, ConvGeometry, Layout, Storage } from '../backend/types.js';
import { avgPoolDivisors } from '../backend/geometry.js';
import { noGrad } from '../autograd/grad_mode.js';
import { isCreatingGraph } from '../autograd/engine.js';
import type { RulePart } from '../autograd/rules.js';
import { record, needsGrad, release, where, im2col, col2im, zeros, zerosLike, tensor as makeTensor } from '../ops.js';

type Mask = [boolean, boolean, boolean];
export type Reduction = 'none' | 'mean' | 'sum';

function wrap(s: Storage, shape: readonly number[], like: Tensor): Tensor {
  return fromStorage(s, shape, like._backend, like.device);
}
function wrapN(s: Storage | null, shape: readonly number[], like: Tensor): Tensor | null {
  return s === null ? null : wrap(s, shape, like);
}
const sOf = (t: Tensor | null): Storage | null => (t === null ? null : t._s);
const lOf = (t: Tensor | null): Layout | null => (t === null ? null : t.layout);
/** A fallback's result as a fresh tensor (not a view whose base could regenerate history), so one node owns it. */
function own(t: Tensor): Tensor { return t._base === null ? t : t.clone(); }
function be(t: Tensor): Backend { return t._backend; }

// =====================================================================================================================
// Convolution. `x` is [N, C, H, W] and `w` [O, C/groups, kh, kw] (1-d convolution is the kh = 1 case); `g`
// describes the windows of the (non-transposed) convolution from an image of g.inSize to g.outSize positions.

/** conv2d forward without autograd: kernel or im2col + matmul. */
export function convForward(x: Tensor, w: Tensor, b: Tensor | null, g: ConvGeometry, groups: number): Tensor {
  const N = x.shape[0]!, O = w.shape[0]!;
  const [oh, ow] = g.outSize;
  const k = be(x);
  if (k.conv2d !== undefined) return wrap(k.conv2d(x._s, x.layout, w._s, w.layout, sOf(b), lOf(b), g, groups), [N, O, oh, ow], x);
  return noGrad(() => {
    const L = oh * ow;
    const cols = im2col(x, g, 0); // [C*kh*kw, N, L]
    const ckk = cols.shape[0]!;
    const per = ckk / groups;
    let out = w.reshape([groups, O / groups, per]).matmul(cols.reshape([groups, per, N * L])).reshape([O, N, oh, ow]).permute(1, 0, 2, 3);
    if (b !== null) out = out.add(b.reshape([1, O, 1, 1]));
    return own(out.contiguous());
  });
}

/**
 * conv2d backward without autograd (ATen's `convolution_backward`): gradients of input (needs `w`), weight
 * (needs `x`) and bias, as `mask` asks. `wShape` is the weight's shape; the input is [N, wShape[1]·groups, ...g.inSize].
 */
export function convBackward(gy: Tensor, x: Tensor | null, w: Tensor | null, wShape: readonly number[], g: ConvGeometry, groups: number,
  mask: Mask): [Tensor | null, Tensor | null, Tensor | null] {
  const [N, O] = gy.shape as [number, number];
  const C = wShape[1]! * groups;
  const k = be(gy);
  if (k.conv2dBackward !== undefined) {
    const wl: Layout = w !== null ? w.layout : { shape: wShape, strides: [], offset: 0 };
    const [gx, gw, gb] = k.conv2dBackward(gy._s, gy.layout, sOf(x), lOf(x), sOf(w), wl, g, groups, mask);
    return [wrapN(gx, [N, C, g.inSize[0], g.inSize[1]], gy), wrapN(gw, wShape, gy), wrapN(gb, [O], gy)];
  }
  return noGrad(() => {
    const L = g.outSize[0] * g.outSize[1], kk = g.kernel[0] * g.kernel[1];
    const og = O / groups, per = wShape[1]! * kk;
    const gyr = gy.reshape([N, groups, og, L]).permute(1, 2, 0, 3).reshape([groups, og, N * L]);
    const gb = mask[2] ? gy.sum([0, 2, 3]) : null;
    let gw: Tensor | null = null, gx: Tensor | null = null;
    if (mask[1]) {
      const cols = im2col(x!, g, 0).reshape([groups, per, N * L]);
      gw = gyr.matmul(cols.transpose(1, 2)).reshape([...wShape]);
    }
    if (mask[0]) {
      const cols = w!.reshape([groups, og, per]).transpose(1, 2).matmul(gyr).reshape([C * kk, N, L]);
      gx = col2im(cols, g);
    }
    return [gx, gw, gb];
  });
}

/** Convolution as one autograd node ('convolution'); `x` [N, C, H, W]. */
export function convolution(x: Tensor, w: Tensor, b: Tensor | null, g: ConvGeometry, groups: number): Tensor {
  const out = convForward(x, w, b, g, groups);
  return needsGrad(x, w, b) ? record('convolution', out, [x, w, b], [x, w], { g, groups, transposed: false }) : out;
}

export function convolutionBackward(gy: Tensor, saved: (Tensor | null)[], ctx: { g: ConvGeometry; groups: number; transposed: boolean }, needs: boolean[]): (Tensor | null)[] {
  if (ctx.transposed) return convTransposeBackward(gy, saved, ctx, needs);
  const [x, w] = saved;
  if (isCreatingGraph()) return convBackwardRecorded(gy, x!, w!, ctx.g, ctx.groups, needs);
  return convBackward(gy, needs[1] ? x! : null, needs[0] ? w! : null, w!.shape, ctx.g, ctx.groups, [needs[0]!, needs[1]!, needs[2] ?? false]);
}

/**
 * Transposed convolution as one node ('convolution' with `transposed`, as ATen's): it is the input gradient of the convolution `g` describes
 * (from the output's size g.inSize to the input's g.outSize), so it runs through the same kernels.
 */
export function convTranspose(x: Tensor, w: Tensor, b: Tensor | null, g: ConvGeometry, groups: number): Tensor {
  let out = convBackward(x, null, w, w.shape, g, groups, [true, false, false])[0]!;
  if (b !== null) out = noGrad(() => out.add(b.reshape([1, b.numel(), 1, 1])));
  return needsGrad(x, w, b) ? record('convolution', out, [x, w, b], [x, w], { g, groups, transposed: true }) : out;
}

export function convTransposeBackward(gy: Tensor, [x, w]: (Tensor | null)[], ctx: { g: ConvGeometry; groups: number }, needs: boolean[]): (Tensor | null)[] {
  if (isCreatingGraph()) {
    // double backward: the input gradient is a recorded convolution, the weight gradient the recorded composite
    return [needs[0] ? convolution(gy, w!, null, ctx.g, ctx.groups) : null,
      needs[1] ? convWeightGradRecorded(x!, gy, w!.shape, ctx.g, ctx.groups) : null, needs[2] ? gy.sum([0, 2, 3]) : null];
  }
  const gx = needs[0] ? convForward(gy, w!, null, ctx.g, ctx.groups) : null;
  // the weight gradient of the forward convolution whose input is gy and whose output gradient is x
  const gw = needs[1] ? convBackward(x!, gy, null, w!.shape, ctx.g, ctx.groups, [false, true, false])[1] : null;
  const gb = needs[2] ? noGrad(() => gy.sum([0, 2, 3])) : null;
  return [gx, gw, gb];
}

/**
 * Convolution backward in recorded ops (a backward with createGraph): the input gradient is a recorded transposed
 * convolution of `gy`, the weight gradient the im2col/matmul composite, so both can be differentiated again.
 */
function convBackwardRecorded(gy: Tensor, x: Tensor, w: Tensor, g: ConvGeometry, groups: number, needs: boolean[]): (Tensor | null)[] {
  return [needs[0] ? convTranspose(gy, w, null, g, groups) : null, needs[1] ? convWeightGradRecorded(gy, x, w.shape, g, groups) : null,
    needs[2] ? gy.sum([0, 2, 3]) : null];
}

/** The weight gradient of the convolution of `x` whose output gradient is `gy`, in recorded ops. */
function convWeightGradRecorded(gy: Tensor, x: Tensor, wShape: readonly number[], g: ConvGeometry, groups: number): Tensor {
  const [N, O] = gy.shape as [number, number];
  const L = g.outSize[0] * g.outSize[1], kk = g.kernel[0] * g.kernel[1];
  const og = O / groups, per = wShape[1]! * kk;
  const gyr = gy.reshape([N, groups, og, L]).permute(1, 2, 0, 3).reshape([groups, og, N * L]);
  const cols = im2col(x, g, 0).reshape([groups, per, N * L]);
  return gyr.matmul(cols.transpose(1, 2)).reshape([...wShape]);
}

// =====================================================================================================================
// Pooling. `x` is [N, C, H, W]; `g` the windows (symmetric padding, ceil mode already in g.outSize).

/** Max pooling as one node ('maxPool2DWithIndices'): [values, indices] (indices flat into each H×W plane). */
export function maxPool2dWithIndices(x: Tensor, g: ConvGeometry): [Tensor, Tensor] {
  const [N, C] = x.shape as [number, number];
  const [oh, ow] = g.outSize;
  const k = be(x);
  let out: Tensor, idx: Tensor;
  if (k.maxPool2d !== undefined) {
    const [o, i] = k.maxPool2d(x._s, x.layout, g);
    out = wrap(o, [N, C, oh, ow], x); idx = wrap(i, [N, C, oh, ow], x);
  } else {
    [out, idx] = noGrad(() => {
      const [H, W] = g.inSize;
      const cols = im2col(x.reshape([N * C, 1, H, W]), g, -Infinity); // [kk, N*C, L]
      const { values, indices } = cols.max(0);
      // flat input position = window origin + the offset of window element k (a table looked up with gather,
      // so no integer division, whose zero check would read back to the host)
      const [kh, kw] = g.kernel, [sh, sw] = g.stride, [ph, pw] = g.padding, [dh, dw] = g.dilation;
      const offs = new Float64Array(kh * kw), origin = new Float64Array(oh * ow);
      for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) offs[i * kw + j] = i * dh * W + j * dw;
      for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) origin[y * ow + xx] = (y * sh - ph) * W + xx * sw - pw;
      const dev = { dtype: 'int64' as const, device: x.device };
      const idx = makeTensor(offs, dev).gather(0, indices.reshape([-1])).reshape([N * C, oh * ow]).add(makeTensor(origin, dev));
      return [own(values.reshape([N, C, oh, ow])), own(idx.reshape([N, C, oh, ow]))] as [Tensor, Tensor];
    });
  }
  if (needsGrad(x)) record('maxPool2DWithIndices', out, [x], [idx], { g });
  return [out, idx];
}

export function maxPool2dBackward(gy: Tensor, [idx]: (Tensor | null)[], ctx: { g: ConvGeometry }): Tensor[] {
  const g = ctx.g;
  const [N, C] = gy.shape as [number, number];
  const [H, W] = g.inSize;
  const k = be(gy);
  const creating = isCreatingGraph();
  if (k.maxPool2dBackward !== undefined && !creating) return [wrap(k.maxPool2dBackward(gy._s, gy.layout, idx!._s, idx!.layout, g), [N, C, H, W], gy)];
  const L = g.outSize[0] * g.outSize[1];
  const z = zeros([N * C, H * W], { dtype: gy.dtype, device: gy.device });
  return [(creating ? z.scatterAdd.bind(z) : z.scatterAdd_.bind(z))(1, idx!.reshape([N * C, L]), gy.reshape([N * C, L])).reshape([N, C, H, W])];
}

/** PyTorch's avg_pool2d divisors as a [L] tensor on `like`'s device (made from the geometry alone). */
function avgDivisors(g: ConvGeometry, cip: boolean, div: number | null, like: Tensor): Tensor {
  return makeTensor(avgPoolDivisors(g, cip, div), { dtype: like.dtype, device: like.device });
}

export interface AvgCtx { g: ConvGeometry; cip: boolean; div: number | null }

/** Average pooling as one node ('avgPool2D'). */
export function avgPool2d(x: Tensor, g: ConvGeometry, cip: boolean, div: number | null): Tensor {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [oh, ow] = g.outSize;
  const k = be(x);
  const out = k.avgPool2d !== undefined
    ? wrap(k.avgPool2d(x._s, x.layout, g, cip, div), [N, C, oh, ow], x)
    : noGrad(() => own(im2col(x.reshape([N * C, 1, H, W]), g, 0).sum(0).div(avgDivisors(g, cip, div, x)).reshape([N, C, oh, ow])));
  return needsGrad(x) ? record('avgPool2D', out, [x], [], { g, cip, div } satisfies AvgCtx) : out;
}

export function avgPool2dBackward(gy: Tensor, ctx: AvgCtx): Tensor[] {
  const { g, cip, div } = ctx;
  const [N, C] = gy.shape as [number, number];
  const [H, W] = g.inSize;
  const k = be(gy);
  if (k.avgPool2dBackward !== undefined && !isCreatingGraph()) return [wrap(k.avgPool2dBackward(gy._s, gy.layout, g, cip, div), [N, C, H, W], gy)];
  const L = g.outSize[0] * g.outSize[1], kk = g.kernel[0] * g.kernel[1];
  const cols = gy.reshape([1, N * C, L]).div(avgDivisors(g, cip, div, gy)).expand([kk, N * C, L]);
  return [col2im(cols, g).reshape([N, C, H, W])];
}

/** The [out, in] matrix averaging PyTorch's adaptive windows [floor(i·in/out), ceil((i+1)·in/out)). */
function adaptiveMatrix(inSize: number, outSize: number, like: Tensor): Tensor {
  const m = new Float64Array(outSize * inSize);
  for (let i = 0; i < outSize; i++) {
    const s = Math.floor((i * inSize) / outSize), e = Math.ceil(((i + 1) * inSize) / outSize);
    for (let j = s; j < e; j++) m[i * inSize + j] = 1 / (e - s);
  }
  return makeTensor(m, { dtype: like.dtype, device: like.device }).reshape([outSize, inSize]);
}

/** Adaptive average pooling of [N, C, H, W] to [oh, ow], one node ('adaptiveAvgPool2D'). */
export function adaptiveAvgPool2d(x: Tensor, outSize: readonly [number, number]): Tensor {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const k = be(x);
  const out = k.adaptiveAvgPool2d !== undefined
    ? wrap(k.adaptiveAvgPool2d(x._s, x.layout, outSize), [N, C, outSize[0], outSize[1]], x)
    : noGrad(() => own(adaptiveMatrix(H, outSize[0], x).matmul(x.matmul(adaptiveMatrix(W, outSize[1], x).t()))));
  return needsGrad(x) ? record('adaptiveAvgPool2D', out, [x], [], { inSize: [H, W] as [number, number] }) : out;
}

export function adaptiveAvgPool2dBackward(gy: Tensor, ctx: { inSize: [number, number] }): Tensor[] {
  const [N, C, oh, ow] = gy.shape as [number, number, number, number];
  const [H, W] = ctx.inSize;
  const k = be(gy);
  if (k.adaptiveAvgPool2dBackward !== undefined && !isCreatingGraph()) return [wrap(k.adaptiveAvgPool2dBackward(gy._s, gy.layout, ctx.inSize), [N, C, H, W], gy)];
  return [adaptiveMatrix(H, oh, gy).t().matmul(gy).matmul(adaptiveMatrix(W, ow, gy))];
}

// =====================================================================================================================
// Softmax (the forward lives in ops.ts's softmaxImpl, which calls `softmaxForward`)

/** softmax / logSoftmax along `d` without autograd: kernel or the max-shifted composite. */
export function softmaxForward(input: Tensor, d: number, log: boolean): Tensor {
  const k = be(input);
  if (k.softmax !== undefined && input.dim() > 0) return wrap(k.softmax(input._s, input.layout, d, log), input.shape, input);
  return noGrad(() => {
    if (input.numel() === 0) return input.clone();
    const m0 = input.amax(d, true);
    const inf = m0.isinf();
    const m = where(inf, 0, m0);
    const shifted = input.sub(m);
    const e = shifted.exp();
    const se = e.sum(d, true);
    const lse = log ? se.log() : null;
    const r = log ? shifted.sub(lse!) : e.div(se);
    // the temporaries go straight back to the backend's cache
    release(m0, inf, m, shifted, e, se, ...(lse ? [lse] : []));
    return own(r);
  });
}

export function softmaxBackward(gy: Tensor, y: Tensor, dim: number, log: boolean): Tensor {
  const k = be(gy);
  // (a backward with createGraph takes the recorded formula: the kernel records nothing)
  if (k.softmaxBackward !== undefined && !isCreatingGraph()) return wrap(k.softmaxBackward(gy._s, gy.layout, y._s, y.layout, dim, log), gy.shape, gy);
  return log ? gy.sub(y.exp().mul(gy.sum(dim, true))) : y.mul(gy.sub(gy.mul(y).sum(dim, true)));
}

// =====================================================================================================================
// Normalisation

export interface BnCtx { training: boolean; axes: number[]; bshape: number[] }

/**
 * Batch norm over dim 1 as one node ('nativeBatchNorm'). Training (or no running stats) uses batch statistics and
 * updates the running ones in place when given; otherwise the running statistics.
 */
export function batchNorm(x: Tensor, w: Tensor | null, b: Tensor | null, rm: Tensor | null, rv: Tensor | null,
  training: boolean, momentum: number, eps: number): Tensor {
  const C = x.shape[1]!;
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const bshape = x.shape.map((s, i) => (i === 1 ? s : 1));
  const useBatch = training || rm === null || rv === null;
  const k = be(x);
  let out: Tensor, mean: Tensor, invstd: Tensor;
  if (k.batchNorm !== undefined) {
    const [o, m, s] = k.batchNorm(x._s, x.layout, sOf(w), lOf(w), sOf(b), lOf(b), training ? sOf(rm) : (useBatch ? null : rm!._s),
      training ? lOf(rm) : (useBatch ? null : rm!.layout), training ? sOf(rv) : (useBatch ? null : rv!._s),
      training ? lOf(rv) : (useBatch ? null : rv!.layout), useBatch, momentum, eps);
    out = wrap(o, x.shape, x); mean = wrap(m, [C], x); invstd = wrap(s, [C], x);
    if (training && rm !== null) bumpVersion(rm);
    if (training && rv !== null) bumpVersion(rv);
  } else {
    [out, mean, invstd] = noGrad(() => {
      let mu: Tensor, is: Tensor;
      if (useBatch) {
        mu = x.mean(axes, true);
        const xc = x.sub(mu);
        const v = xc.mul(xc).mean(axes, true);
        is = v.add(eps).rsqrt();
        if (training && rm !== null && rv !== null) {
          const n = x.numel() / C;
          rm.mul_(1 - momentum).add_(mu.reshape([C]).to(rm.dtype), momentum);
          rv.mul_(1 - momentum).add_(v.reshape([C]).mul(n / (n - 1)).to(rv.dtype), momentum);
        }
      } else {
        mu = rm!.reshape(bshape).to(x.dtype);
        is = rv!.reshape(bshape).add(eps).rsqrt().to(x.dtype);
      }
      let y = x.sub(mu).mul(is);
      if (w !== null) y = y.mul(w.reshape(bshape));
      if (b !== null) y = y.add(b.reshape(bshape));
      return [own(y), own(mu.reshape([C])), own(is.reshape([C]))] as [Tensor, Tensor, Tensor];
    });
  }
  return needsGrad(x, w, b) ? record('nativeBatchNorm', out, [x, w, b], [x, w, mean, invstd], { training: useBatch, axes, bshape } satisfies BnCtx) : out;
}

export function batchNormBackward(gy: Tensor, [x, w, mean, invstd]: (Tensor | null)[], ctx: BnCtx, needs: boolean[]): (Tensor | null)[] {
  const mask: Mask = [needs[0]!, needs[1]!, needs[2] ?? false];
  const k = be(gy);
  const C = x!.shape[1]!;
  const creating = isCreatingGraph();
  // the saved batch statistics were computed unrecorded: exact only when they do not depend on a graph input
  if (creating && ctx.training && x!._requiresGrad) throw new Error('NativeBatchNormBackward0 (batch norm in training mode) does not support double backward in torchlet (create_graph=True with an input that requires grad)');
  if (k.batchNormBackward !== undefined && !creating) {
    const [gx, gw, gb] = k.batchNormBackward(gy._s, gy.layout, x!._s, x!.layout, sOf(w ?? null), lOf(w ?? null), mean!._s, invstd!._s, ctx.training, mask);
    return [wrapN(gx, x!.shape, gy), wrapN(gw, [C], gy), wrapN(gb, [C], gy)];
  }
  const { axes, bshape } = ctx;
  const M = x!.numel() / C;
  const is = invstd!.reshape(bshape);
  const xhat = x!.sub(mean!.reshape(bshape)).mul(is);
  const sg = gy.sum(axes, true), sgx = gy.mul(xhat).sum(axes, true);
  let gx: Tensor | null = null;
  if (mask[0]) {
    const a = w ? is.mul(w.reshape(bshape)) : is;
    gx = ctx.training ? a.mul(gy.sub(sg.div(M)).sub(xhat.mul(sgx.div(M)))) : a.mul(gy);
  }
  return [gx, mask[1] ? sgx.reshape([C]) : null, mask[2] ? sg.reshape([C]) : null];
}

export interface RowNormCtx { kind: 'layer' | 'group'; D: number; axes: number[]; groups: number; wShape: number[] }

/** Layer norm over the trailing `nd` dims as one node ('nativeLayerNorm'). */
export function layerNorm(x: Tensor, nd: number, w: Tensor | null, b: Tensor | null, eps: number): Tensor {
  const axes = Array.from({ length: nd }, (_, i) => x.dim() - nd + i);
  const D = axes.reduce((a, d) => a * x.shape[d]!, 1);
  const statShape = x.shape.map((s, i) => (i < x.dim() - nd ? s : 1));
  const k = be(x);
  let out: Tensor, mean: Tensor, rstd: Tensor;
  if (k.layerNorm !== undefined) {
    const [wf, bf] = noGrad(() => [w?.reshape([-1]) ?? null, b?.reshape([-1]) ?? null]);
    const [o, m, r] = k.layerNorm(x._s, x.layout, D, sOf(wf), lOf(wf), sOf(bf), lOf(bf), eps);
    out = wrap(o, x.shape, x); mean = wrap(m, statShape, x); rstd = wrap(r, statShape, x);
  } else {
    [out, mean, rstd] = noGrad(() => {
      const mu = x.mean(axes, true);
      const xc = x.sub(mu);
      const is = xc.mul(xc).mean(axes, true).add(eps).rsqrt();
      let y = xc.mul(is);
      if (w !== null) y = y.mul(w);
      if (b !== null) y = y.add(b);
      return [own(y), own(mu), own(is)] as [Tensor, Tensor, Tensor];
    });
  }
  const ctx: RowNormCtx = { kind: 'layer', D, axes, groups: 0, wShape: w ? [...w.shape] : [] };
  return needsGrad(x, w, b) ? record('nativeLayerNorm', out, [x, w, b], [x, w, mean, rstd], ctx) : out;
}

/** Group norm of [N, C, *] as one node ('nativeGroupNorm'). */
export function groupNorm(x: Tensor, groups: number, w: Tensor | null, b: Tensor | null, eps: number): Tensor {
  const [N, C] = x.shape as [number, number];
  const D = x.numel() / (N * groups);
  const bshape = x.shape.map((s, i) => (i === 1 ? s : 1));
  const k = be(x);
  let out: Tensor, mean: Tensor, rstd: Tensor;
  if (k.groupNorm !== undefined) {
    const [o, m, r] = k.groupNorm(x._s, x.layout, groups, sOf(w), lOf(w), sOf(b), lOf(b), eps);
    out = wrap(o, x.shape, x); mean = wrap(m, [N, groups, 1], x); rstd = wrap(r, [N, groups, 1], x);
  } else {
    [out, mean, rstd] = noGrad(() => {
      const xg = x.reshape([N, groups, -1]);
      const mu = xg.mean(2, true);
      const xc = xg.sub(mu);
      const is = xc.mul(xc).mean(2, true).add(eps).rsqrt();
      let y = xc.mul(is).reshape(x.shape);
      if (w !== null) y = y.mul(w.reshape(bshape));
      if (b !== null) y = y.add(b.reshape(bshape));
      return [own(y), own(mu), own(is)] as [Tensor, Tensor, Tensor];
    });
  }
  const ctx: RowNormCtx = { kind: 'group', D, axes: [2], groups, wShape: [C] };
  return needsGrad(x, w, b) ? record('nativeGroupNorm', out, [x, w, b], [x, w, mean, rstd], ctx) : out;
}

export function rowNormBackward(gy: Tensor, [x, w, mean, rstd]: (Tensor | null)[], ctx: RowNormCtx, needs: boolean[]): (Tensor | null)[] {
  const mask: Mask = [needs[0]!, needs[1]!, needs[2] ?? false];
  const k = be(gy);
  const wv = w ?? null;
  const creating = isCreatingGraph();
  if (creating && x!._requiresGrad) {
    throw new Error(`${ctx.kind === 'layer' ? 'NativeLayerNormBackward0' : 'NativeGroupNormBackward0'} does not support double backward in torchlet (create_graph=True with an input that requires grad)`);
  }
  if (creating) { /* the composite below, recorded: exact, since mean and rstd are constants here */ } else if (ctx.kind === 'layer' && k.layerNormBackward !== undefined) {
    const wf = noGrad(() => wv?.reshape([-1]) ?? null);
    const [gx, gw, gb] = k.layerNormBackward(gy._s, gy.layout, x!._s, x!.layout, ctx.D, mean!._s, rstd!._s, sOf(wf), lOf(wf), mask);
    return [wrapN(gx, x!.shape, gy), wrapN(gw, ctx.wShape, gy), wrapN(gb, ctx.wShape, gy)];
  }
  if (ctx.kind === 'group' && k.groupNormBackward !== undefined && !creating) {
    const [gx, gw, gb] = k.groupNormBackward(gy._s, gy.layout, x!._s, x!.layout, ctx.groups, mean!._s, rstd!._s, sOf(wv), lOf(wv), mask);
    return [wrapN(gx, x!.shape, gy), wrapN(gw, ctx.wShape, gy), wrapN(gb, ctx.wShape, gy)];
  }
  // composite: blocks of D elements share (mean, rstd); gx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = g·w
  const N = x!.shape[0]!;
  const block = (t: Tensor): Tensor => (ctx.kind === 'group' ? t.reshape([N, ctx.groups, -1]) : t);
  const bshape = x!.shape.map((s, i) => (i === 1 ? s : 1));
  const wB = wv === null ? null : ctx.kind === 'group' ? wv.reshape(bshape) : wv;
  const xhat = block(x!).sub(mean!).mul(rstd!);
  const xhatF = xhat.reshape(x!.shape);
  let gx: Tensor | null = null;
  if (mask[0]) {
    const gh = block(wB !== null ? gy.mul(wB) : gy);
    const m1 = gh.mean(ctx.axes, true), m2 = gh.mul(xhat).mean(ctx.axes, true);
    gx = gh.sub(m1).sub(xhat.mul(m2)).mul(rstd!).reshape(x!.shape);
  }
  // per-channel (group) or per-element (layer) sums of g·x̂ and g over everything else
  const reduceTo = (t: Tensor): Tensor => {
    if (ctx.kind === 'group') return t.sum(x!.shape.map((_, i) => i).filter((i) => i !== 1));
    const lead = x!.dim() - ctx.axes.length;
    return lead > 0 ? t.sum(Array.from({ length: lead }, (_, i) => i)) : t;
  };
  return [gx, mask[1] ? reduceTo(gy.mul(xhatF)).reshape(ctx.wShape) : null, mask[2] ? reduceTo(gy).reshape(ctx.wShape) : null];
}

// =====================================================================================================================
// NLL loss, embedding, binary cross entropy

export interface NllCtx { reduction: Reduction; ignoreIndex: number; classDim: number; xShape: number[] }

/**
 * NLL of class-index `target` (int64) under log-probabilities `logp` ([N, C, *] or [C]) as one node ('nllLoss').
 * Shapes are checked by the caller; target values are checked by the kernel (or by gather in the fallback).
 */
export function nllLoss(logp: Tensor, target: Tensor, weight: Tensor | null, reduction: Reduction, ignoreIndex: number): Tensor {
  const classDim = logp.dim() === 1 ? 0 : 1;
  const k = be(logp);
  let out: Tensor, tw: Tensor;
  if (k.nllLoss !== undefined) {
    const [o, t] = k.nllLoss(logp._s, logp.layout, target._s, target.layout, sOf(weight), lOf(weight), reduction, ignoreIndex);
    out = wrap(o, reduction === 'none' ? target.shape : [], logp); tw = wrap(t, [], logp);
  } else {
    [out, tw] = noGrad(() => {
      const { safe, w } = nllWeights(logp, target, weight, ignoreIndex);
      const picked = logp.gather(classDim, safe.unsqueeze(classDim)).squeeze(classDim);
      const loss = picked.neg().mul(w);
      const total = w.sum();
      // 'mean' with every target ignored is 0/0 = nan, as PyTorch
      const r = reduction === 'none' ? loss : reduction === 'sum' ? loss.sum() : loss.sum().div(total);
      return [own(r), total] as [Tensor, Tensor];
    });
  }
  const ctx: NllCtx = { reduction, ignoreIndex, classDim, xShape: [...logp.shape] };
  return needsGrad(logp) ? record('nllLoss', out, [logp], [target, weight, tw], ctx) : out;
}

/** Targets with ignored ones replaced by 0, and each target's weight (0 where ignored), on the input's device. */
function nllWeights(logp: Tensor, target: Tensor, weight: Tensor | null, ignoreIndex: number): { safe: Tensor; w: Tensor } {
  const ignored = target.eq(ignoreIndex);
  const safe = where(ignored, 0, target);
  const w = weight !== null
    ? weight.to(logp.dtype).gather(0, safe.reshape([-1])).reshape(safe.shape)
    : zerosLike(safe, { dtype: logp.dtype }).add(1);
  return { safe, w: where(ignored, 0, w) };
}

export function nllLossBackward(gy: Tensor, [target, weight, tw]: (Tensor | null)[], ctx: NllCtx): Tensor[] {
  const k = be(gy);
  const wv = weight ?? null;
  const creating = isCreatingGraph();
  if (k.nllLossBackward !== undefined && !creating) {
    const xl: Layout = { shape: ctx.xShape, strides: [], offset: 0 };
    return [wrap(k.nllLossBackward(gy._s, gy.layout, xl, target!._s, target!.layout, sOf(wv), lOf(wv), ctx.reduction, ctx.ignoreIndex, tw!._s), ctx.xShape, gy)];
  }
  const like = zeros(ctx.xShape, { dtype: gy.dtype, device: gy.device });
  const { safe, w } = nllWeights(like, target!, wv, ctx.ignoreIndex);
  const scale = ctx.reduction === 'mean' ? gy.div(tw!) : gy;
  const contrib = where(w.eq(0), 0, w.neg().mul(scale));
  return [(creating ? like.scatter.bind(like) : like.scatter_.bind(like))(ctx.classDim, safe.unsqueeze(ctx.classDim), contrib.unsqueeze(ctx.classDim))];
}

export interface EmbCtx { num: number; pad: number | null; scale: boolean }

/** Rows of `weight` [num, dim] for integer `indices` as one node ('embedding'); the row `pad` gets no gradient. */
export function embedding(weight: Tensor, indices: Tensor, pad: number | null, scaleGradByFreq: boolean): Tensor {
  const [num, D] = weight.shape as [number, number];
  const k = be(weight);
  const out = k.embedding !== undefined
    ? wrap(k.embedding(weight._s, weight.layout, indices._s, indices.layout), [...indices.shape, D], weight)
    : noGrad(() => {
      const flat = indices.reshape([-1, 1]).to('int64');
      return own(weight.gather(0, flat.expand([flat.shape[0]!, D])).reshape([...indices.shape, D]));
    });
  return needsGrad(weight) ? record('embedding', out, [weight], [indices], { num, pad, scale: scaleGradByFreq } satisfies EmbCtx) : out;
}

export function embeddingBackward(gy: Tensor, [indices]: (Tensor | null)[], ctx: EmbCtx): Tensor[] {
  const k = be(gy);
  const D = gy.shape[gy.dim() - 1]!;
  const creating = isCreatingGraph();
  if (k.embeddingBackward !== undefined && !creating) {
    return [wrap(k.embeddingBackward(gy._s, gy.layout, indices!._s, indices!.layout, ctx.num, ctx.pad, ctx.scale), [ctx.num, D], gy)];
  }
  const flat = indices!.reshape([-1]).to('int64');
  let g = gy.reshape([-1, D]);
  let sc: Tensor | null = null;
  if (ctx.pad !== null) sc = where(flat.eq(ctx.pad), 0, 1).to(gy.dtype);
  if (ctx.scale) {
    const counts = zeros([ctx.num], { dtype: gy.dtype, device: gy.device }).scatterAdd_(0, flat, zerosLike(flat, { dtype: gy.dtype }).add(1));
    const inv = counts.gather(0, flat).reciprocal();
    sc = sc === null ? inv : sc.mul(inv);
  }
  if (sc !== null) g = g.mul(sc.unsqueeze(1));
  const z = zeros([ctx.num, D], { dtype: gy.dtype, device: gy.device });
  return [(creating ? z.scatterAdd.bind(z) : z.scatterAdd_.bind(z))(0, flat.unsqueeze(1).expand([flat.shape[0]!, D]), g)];
}

/**
 * Elementwise binary cross entropy as one node ('binaryCrossEntropy'); `t` has x's shape and `w` broadcasts to it.
 * The range check of `x` is the kernel's (a fallback without a kernel cannot check without reading the values).
 */
export function binaryCrossEntropy(x: Tensor, t: Tensor, w: Tensor | null): Tensor {
  const wE = w === null ? null : noGrad(() => w.expand([...x.shape]));
  const k = be(x);
  const out = k.binaryCrossEntropy !== undefined
    ? wrap(k.binaryCrossEntropy(x._s, x.layout, t._s, t.layout, sOf(wE), lOf(wE)), x.shape, x)
    : noGrad(() => {
      const l = t.sub(1).mul(x.neg().log1p().clamp(-100, null)).sub(t.mul(x.log().clamp(-100, null)));
      return own(wE !== null ? l.mul(wE) : l);
    });
  return needsGrad(x) ? record('binaryCrossEntropy', out, [x], [x, t, wE], null) : out;
}

export function binaryCrossEntropyBackward(gy: Tensor, [x, t, wE]: (Tensor | null)[]): Tensor[] {
  const k = be(gy);
  const wv = wE ?? null;
  if (k.binaryCrossEntropyBackward !== undefined && !isCreatingGraph()) {
    const g = gy.expand([...x!.shape]);
    return [wrap(k.binaryCrossEntropyBackward(g._s, g.layout, x!._s, x!.layout, t!._s, t!.layout, sOf(wv), lOf(wv)), x!.shape, gy)];
  }
  // PyTorch's gradient, finite at 0 and 1: (x − t) / max((1 − x)·x, 1e-12) · w
  const c = x!.sub(t!).div(x!.neg().add(1).mul(x!).clamp(1e-12, null));
  return [gy.mul(wv !== null ? c.mul(wv) : c)];
}

// =====================================================================================================================
// Backward rules (this module's part of the table in `autograd/rules.ts`)

/** The context each nn primitive's rule gets from its forward (null: none). */
export interface NnRuleContexts {
  softmax: { dim: number }; logSoftmax: { dim: number };
  convolution: { g: ConvGeometry; groups: number; transposed: boolean };
  maxPool2DWithIndices: { g: ConvGeometry };
  avgPool2D: AvgCtx;
  adaptiveAvgPool2D: { inSize: [number, number] };
  nativeBatchNorm: BnCtx;
  nativeLayerNorm: RowNormCtx; nativeGroupNorm: RowNormCtx;
  nllLoss: NllCtx;
  embedding: EmbCtx;
  binaryCrossEntropy: null;
}

/** Each calls the backend's backward kernel when it has one, else a composite. */
export const nnRules: RulePart<NnRuleContexts> = {
  softmax: (g, [y], ctx) => [softmaxBackward(g, y!, ctx.dim, false)],
  logSoftmax: (g, [y], ctx) => [softmaxBackward(g, y!, ctx.dim, true)],
  // names as ATen's nodes (ConvolutionBackward0 also for transposed convolution, NativeBatchNormBackward0, ...)
  convolution: (g, saved, ctx, needs) => convolutionBackward(g, saved, ctx, needs),
  maxPool2DWithIndices: (g, saved, ctx) => maxPool2dBackward(g, saved, ctx),
  avgPool2D: (g, _s, ctx) => avgPool2dBackward(g, ctx),
  adaptiveAvgPool2D: (g, _s, ctx) => adaptiveAvgPool2dBackward(g, ctx),
  nativeBatchNorm: (g, saved, ctx, needs) => batchNormBackward(g, saved, ctx, needs),
  nativeLayerNorm: (g, saved, ctx, needs) => rowNormBackward(g, saved, ctx, needs),
  nativeGroupNorm: (g, saved, ctx, needs) => rowNormBackward(g, saved, ctx, needs),
  nllLoss: (g, saved, ctx) => nllLossBackward(g, saved, ctx),
  embedding: (g, saved, ctx) => embeddingBackward(g, saved, ctx),
  binaryCrossEntropy: (g, saved) => binaryCrossEntropyBackward(g, saved),
};
