/**
 * Linear algebra: `matmul` with PyTorch's dispatch over 1-D, 2-D and batched operands, all lowered to one batched
 * primitive (`bmmPrim`), the fused `linear`, and the im2col/col2im primitives behind convolution and pooling.
 */
import type { ConvGeometry } from '../backend/types.js';
import { isFloating } from '../dtype.js';
import { noGrad } from '../autograd/grad_mode.js';
import { Tensor } from '../tensor.js';
import { broadcastShapes, numelOf } from '../shape.js';
import { installTensorMethods } from './registry.js';
import { newTensor, bLayout, torchTypeName } from './common.js';
import type { Layout } from '../backend/types.js';
import { checkSameDevice, castTo } from './device.js';
import { record, needsGrad } from './autograd.js';
import { checkTensor } from './args.js';

/** PyTorch's matmul dispatch. */
export function matmul(a: Tensor, b: Tensor, fn = 'matmul'): Tensor {
  checkTensor(fn, 'input', 0, a);
  checkTensor(fn, fn === 'mm' || fn === 'bmm' ? 'mat2' : 'other', 1, b);
  checkSameDevice(a, b);
  const da = a.dim(), db = b.dim();
  if (da === 0 || db === 0) throw new RangeError(`both arguments to matmul need to be at least 1D, but they are ${da}D and ${db}D`);
  if (a.dtype !== b.dtype) throw new TypeError(`expected scalar type ${torchTypeName(a.dtype)} but found ${torchTypeName(b.dtype)}`);
  if (da === 1 && db === 1) {
    if (a._shape[0] !== b._shape[0]) {
      throw new RangeError(`inconsistent tensor size, expected tensor [${a._shape[0]}] and src [${b._shape[0]}] to have the same number of elements, but got ${a._shape[0]} and ${b._shape[0]} elements respectively`);
    }
    return bmmPrim(a.view([1, 1, -1]), b.view([1, -1, 1])).reshape([]);
  }
  if (da === 2 && db === 1) {
    if (a._shape[1] !== b._shape[0]) throw new RangeError(`size mismatch, got input (${a._shape[0]}), mat (${a._shape[0]}x${a._shape[1]}), vec (${b._shape[0]})`);
    return bmmPrim(a.unsqueeze(0), b.view([1, -1, 1])).view([a._shape[0]!]);
  }
  if (da === 1 && db === 2) {
    if (a._shape[0] !== b._shape[0]) throw new RangeError(`size mismatch, got input (${b._shape[1]}), mat (${b._shape[1]}x${b._shape[0]}), vec (${a._shape[0]})`);
    return bmmPrim(a.view([1, 1, -1]), b.unsqueeze(0)).view([b._shape[1]!]);
  }
  if (da === 2 && db === 2) {
    if (a._shape[1] !== b._shape[0]) {
      throw new RangeError(`mat1 and mat2 shapes cannot be multiplied (${a._shape[0]}x${a._shape[1]} and ${b._shape[0]}x${b._shape[1]})`);
    }
    return bmmPrim(a.unsqueeze(0), b.unsqueeze(0), [a._shape[0]!, b._shape[1]!]); // a fresh tensor, not a view
  }
  // batched, with broadcasting of batch dims; 1-D operands get a dim added and removed
  const A = da === 1 ? a.unsqueeze(0) : a, B = db === 1 ? b.unsqueeze(-1) : b;
  const M = A._shape[A.dim() - 2]!, K = A._shape[A.dim() - 1]!, K2 = B._shape[B.dim() - 2]!, N = B._shape[B.dim() - 1]!;
  if (K !== K2) {
    throw new RangeError(`Expected size for first two dimensions of batch2 tensor to be: [${numelOf(broadcastShapes(A._shape.slice(0, -2), B._shape.slice(0, -2)))}, ${K}] but got: [${numelOf(broadcastShapes(A._shape.slice(0, -2), B._shape.slice(0, -2)))}, ${K2}].`);
  }
  const batch = broadcastShapes(A._shape.slice(0, -2), B._shape.slice(0, -2));
  const out = bmmPrim(A.expand([...batch, M, K]), B.expand([...batch, K, N]));
  if (da === 1) return out.squeeze(-2);
  if (db === 1) return out.squeeze(-1);
  return out;
}

/** [...batch, M, K] @ [...batch, K, N] with equal batch dims; one autograd node. */
export function bmmPrim(a: Tensor, b: Tensor, outShape?: number[]): Tensor {
  const nd = a.dim();
  const shape = outShape ?? [...a._shape.slice(0, nd - 1), b._shape[nd - 1]!];
  let out: Tensor;
  if (isFloating(a.dtype)) {
    out = newTensor(a._backend.matmul(a._s, a.layout, b._s, b.layout, a.dtype), shape, a);
  } else {
    const r = noGrad(() => bmmPrim(a.double(), b.double(), shape));
    out = castTo(r, a.dtype);
  }
  return needsGrad(a, b) ? record('matmul', out, [a, b], [a, b]) : out;
}

/**
 * `input @ weight.T + bias` over the last dim of `input` (`torch.nn.functional.linear`): one fused kernel
 * (the bias initialises the output, the GEMM accumulates into it) and one autograd node.
 * @example torch.linear(torch.ones([4, 3]), torch.ones([2, 3]), torch.zeros([2])).shape // [4, 2]
 */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  checkTensor('linear', 'input', 1, input);
  checkTensor('linear', 'weight', 2, weight);
  if (bias !== null && bias !== undefined) checkTensor('linear', 'bias', 3, bias);
  if (input.dim() === 0) throw new RangeError('both arguments to linear need to be at least 1D, but they are 0D and 2D');
  if (weight.dim() !== 2 && weight.dim() !== 1) throw new RangeError(`linear(): weight must be 1-D or 2-D, got ${weight.dim()}-D`);
  checkSameDevice(input, weight);
  if (bias !== null) checkSameDevice(input, bias);
  if (weight.dim() === 1 || input.dim() === 1 || !isFloating(input.dtype) || input.dtype !== weight.dtype
    || (bias !== null && (bias.dtype !== input.dtype || bias.dim() > 1))) {
    const out = input.matmul(weight.t());
    return bias === null ? out : out.add(bias);
  }
  const inF = input._shape[input.dim() - 1]!, outF = weight._shape[0]!;
  if (weight._shape[1] !== inF) {
    throw new RangeError(`mat1 and mat2 shapes cannot be multiplied (${numelOf(input._shape.slice(0, -1))}x${inF} and ${weight._shape[1]}x${outF})`);
  }
  if (bias !== null && bias.numel() !== outF && bias.numel() !== 1) {
    throw new RangeError(`The size of tensor a (${outF}) must match the size of tensor b (${bias.numel()}) at non-singleton dimension ${input.dim() - 1}`);
  }
  // A 2-D input's [1, M, inF] layout is written directly rather than through reshape/unsqueeze views: views
  // count as tensors over the input's storage, and an activation a view was ever made of is not freed before
  // the garbage collector (Tensor._internal, Sequential.forward)
  let a: { _s: Tensor['_s']; layout: Layout };
  if (input.dim() === 2) {
    const [M0, s0, s1] = [input._shape[0]!, input._strides[0]!, input._strides[1]!];
    a = { _s: input._s, layout: { shape: [1, M0, inF], strides: [M0 * s0, s0, s1], offset: input._offset } };
  } else {
    a = input.reshape([-1, inF]).unsqueeze(0);
  }
  const M = a.layout.shape[1]!;
  const wt = weight.t().unsqueeze(0);
  const outShape = [1, M, outF];
  const s = input._backend.matmul(a._s, a.layout, wt._s, wt.layout, input.dtype,
    bias?._s, bias ? bLayout(bias, outShape) : undefined);
  const out = newTensor(s, [...input._shape.slice(0, -1), outF], input);
  if (!needsGrad(input, weight, bias)) return out;
  return record('linear', out, [input, weight, bias], [input._requiresGrad ? weight : null, weight._requiresGrad ? input : null]);
}

/**
 * im2col primitive behind convolution and pooling (`nn.functional.unfold` is built on it): `x` is [N, C, H, W];
 * the result is a contiguous [C·kh·kw, N, oh·ow] (see `Backend.im2col`). Positions outside the input read
 * `padValue` (0 for convolution, -inf for max pooling). Its backward is `col2im`.
 * @example torch.nn.functional.unfold(torch.ones([1, 1, 3, 3]), 2).shape // [1, 4, 4] (a permuted view of im2col's [4, 1, 4])
 */
export function im2col(x: Tensor, geom: ConvGeometry, padValue = 0): Tensor {
  if (x.dim() !== 4) throw new RangeError(`im2col: expected a 4-D input, got ${x.dim()}-D`);
  const [kh, kw] = geom.kernel, [oh, ow] = geom.outSize;
  const out = newTensor(x._backend.im2col(x._s, x.layout, geom, padValue), [x._shape[1]! * kh * kw, x._shape[0]!, oh * ow], x);
  return needsGrad(x) ? record('im2col', out, [x], [], { geom }) : out;
}

/**
 * col2im primitive (fold), the adjoint of `im2col`: `cols` is [C·kh·kw, N, oh·ow] (any strides); overlapping
 * windows add up. Returns [N, C, H, W] with [H, W] = `geom.inSize`. Its backward is `im2col`.
 * @example torch.nn.functional.fold(torch.ones([1, 4, 4]), [3, 3], 2).shape // [1, 1, 3, 3]
 */
export function col2im(cols: Tensor, geom: ConvGeometry): Tensor {
  const [kh, kw] = geom.kernel, [oh, ow] = geom.outSize;
  if (cols.dim() !== 3 || cols._shape[0]! % (kh * kw) !== 0 || cols._shape[2] !== oh * ow) {
    throw new RangeError(`col2im: expected columns of shape [C*${kh * kw}, N, ${oh * ow}], got [${cols._shape.join(', ')}]`);
  }
  const shape = [cols._shape[1]!, cols._shape[0]! / (kh * kw), geom.inSize[0], geom.inSize[1]];
  const out = newTensor(cols._backend.col2im(cols._s, cols.layout, geom), shape, cols);
  return needsGrad(cols) ? record('col2im', out, [cols], [], { geom }) : out;
}

/** The linear algebra methods of `Tensor` (installed on `Tensor.prototype`; typed through `interface Tensor`). */
export class LinalgOps {
  /**
   * Matrix product with PyTorch's rules: 1-D·1-D is a dot product, 1-D operands get a dimension added and
   * removed, batch dimensions broadcast.
   * @example torch.ones([2, 3]).matmul(torch.ones([3, 4])).shape // [2, 4]
   */
  matmul(this: Tensor, other: Tensor): Tensor { return matmul(this, other); }
  /** 2-D matrix product. */
  mm(this: Tensor, mat2: Tensor): Tensor {
    checkTensor('mm', 'mat2', 1, mat2);
    if (this.dim() !== 2) throw new RangeError('self must be a matrix');
    if (mat2.dim() !== 2) throw new RangeError('mat2 must be a matrix');
    return matmul(this, mat2);
  }
  /** Batched 3-D matrix product (no broadcasting). */
  bmm(this: Tensor, mat2: Tensor): Tensor {
    checkTensor('bmm', 'mat2', 1, mat2);
    if (this.dim() !== 3) throw new RangeError(`batch1 must be a 3D tensor`);
    if (mat2.dim() !== 3) throw new RangeError(`batch2 must be a 3D tensor`);
    if (this._shape[0] !== mat2._shape[0] || this._shape[2] !== mat2._shape[1]) {
      throw new RangeError(`Expected size for first two dimensions of batch2 tensor to be: [${this._shape[0]}, ${this._shape[2]}] but got: [${mat2._shape[0]}, ${mat2._shape[1]}].`);
    }
    return matmul(this, mat2);
  }
  /** Dot product of two 1-D tensors. */
  dot(this: Tensor, other: Tensor): Tensor {
    checkTensor('dot', 'other', 1, other);
    if (this.dim() !== 1 || other.dim() !== 1) throw new RangeError(`1D tensors expected, but got ${this.dim()}D and ${other.dim()}D tensors`);
    return matmul(this, other);
  }
}
installTensorMethods(LinalgOps);
