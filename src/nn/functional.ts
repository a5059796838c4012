/**
 * `torch.nn.functional`: the functional form of every layer and loss (the modules call these), activations,
 * padding and `oneHot`. Arguments follow PyTorch's positional order; optional ones may instead be given as one
 * trailing options object with camelCase keys (`F.conv2d(x, w, b, { padding: 1 })`).
 * @example
 * import * as torch from 'torchlet';
 * const F = torch.nn.functional;
 * F.relu(torch.tensor([-1, 2])); // tensor([0., 2.])
 * F.crossEntropy(torch.randn([4, 10]), torch.tensor([1, 0, 9, 3], { dtype: 'int64' }));
 */
import { Tensor, markInternal, freeIfUnused } from '../tensor.js';
import type { DType } from '../dtype.js';
import { isFloating } from '../dtype.js';
import { noGrad } from '../autograd/grad_mode.js';
import {
  where, cat, zeros, full, tensor as makeTensor, im2col, col2im, linear as linearOp,
} from '../ops.js';
import type { ConvGeometry } from '../backend/types.js';
import { isOptions, ntuple, resolveArgs, sizeStr, listStr } from './_args.js';
import * as K from './_kernels.js';
import { warn } from '../optim/_access.js';
import { pyTypeName } from './_args.js';
import { checkTensor } from '../ops/args.js';
import { checkOptions } from '../_options.js';

// =====================================================================================================================
// Activations

/** max(x, 0). @example F.relu(torch.tensor([-1, 2])) */
export function relu(input: Tensor, inplace: boolean | { inplace?: boolean } = false): Tensor {
  checkTensor('relu', 'input', 1, input); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  if (isOptions(inplace)) checkOptions('relu', inplace, ['inplace']);
  const ip = isOptions(inplace) ? inplace.inplace ?? false : inplace;
  return ip ? input.relu_() : input.relu();
}
/** Logistic sigmoid. @example F.sigmoid(torch.zeros([1])) // tensor([0.5000]) */
export function sigmoid(input: Tensor): Tensor { checkTensor('sigmoid', 'input', 1, input); return input.sigmoid(); }
/** Hyperbolic tangent. @example F.tanh(torch.zeros([1])) */
export function tanh(input: Tensor): Tensor { checkTensor('tanh', 'input', 1, input); return input.tanh(); }
/** GELU (exact, or `approximate: 'tanh'`). @example F.gelu(torch.ones([1])) */
export function gelu(input: Tensor, approximate: 'none' | 'tanh' | { approximate?: 'none' | 'tanh' } = 'none'): Tensor { checkTensor('gelu', 'input', 1, input); return input.gelu(approximate); }
/** SiLU / swish: x·sigmoid(x). @example F.silu(torch.ones([1])) */
export function silu(input: Tensor, inplace: boolean | { inplace?: boolean } = false): Tensor {
  checkTensor('silu', 'input', 1, input); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  if (isOptions(inplace)) checkOptions('silu', inplace, ['inplace']);
  const ip = isOptions(inplace) ? inplace.inplace ?? false : inplace;
  return ip ? inplaceResult(input, input.silu()) : input.silu();
}
/** Leaky ReLU. @example F.leakyRelu(torch.tensor([-1]), 0.1) // tensor([-0.1000]) */
export function leakyRelu(input: Tensor, negativeSlope: number | { negativeSlope?: number; inplace?: boolean } = 0.01, inplace = false): Tensor {
  checkTensor('leaky_relu', 'input', 1, input); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  if (isOptions(negativeSlope)) { checkOptions('leaky_relu', negativeSlope, ['negativeSlope', 'inplace']); inplace = negativeSlope.inplace ?? false; negativeSlope = negativeSlope.negativeSlope ?? 0.01; }
  const r = input.leakyRelu(negativeSlope);
  return inplace ? inplaceResult(input, r) : r;
}
/** ELU. @example F.elu(torch.tensor([-1])) */
export function elu(input: Tensor, alpha: number | { alpha?: number; inplace?: boolean } = 1, inplace = false): Tensor {
  checkTensor('elu', 'input', 1, input); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  if (isOptions(alpha)) { checkOptions('elu', alpha, ['alpha', 'inplace']); inplace = alpha.inplace ?? false; alpha = alpha.alpha ?? 1; }
  const r = input.elu(alpha);
  return inplace ? inplaceResult(input, r) : r;
}
/** Softplus. @example F.softplus(torch.zeros([1])) // tensor([0.6931]) */
export function softplus(input: Tensor, beta: number | { beta?: number; threshold?: number } = 1, threshold = 20): Tensor { checkTensor('softplus', 'input', 1, input); return input.softplus(beta, threshold); }
/** Softmax along `dim`. @example F.softmax(torch.zeros([2]), 0) */
export function softmax(input: Tensor, dim: number | { dim: number; dtype?: DType }, dtype?: DType): Tensor { checkTensor('softmax', 'input', 1, input); return input.softmax(dim, dtype); }
/** Log-softmax along `dim`. @example F.logSoftmax(torch.zeros([2]), 0) */
export function logSoftmax(input: Tensor, dim: number | { dim: number; dtype?: DType }, dtype?: DType): Tensor { checkTensor('log_softmax', 'input', 1, input); return input.logSoftmax(dim, dtype); }

/** Writes `r` into `input` (the `inplace=True` variants) and returns `input`. */
function inplaceResult(input: Tensor, r: Tensor): Tensor {
  if (input.requiresGrad && input.isLeaf) throw new Error('a leaf Variable that requires grad is being used in an in-place operation.');
  return input.copy_(r);
}

/** PyTorch's `_get_softmax_dim` for `dim=None` (legacy): 0 for 0-, 1- and 3-D inputs, else 1. @example F.legacySoftmaxDim(4) // 1 */
export function legacySoftmaxDim(ndim: number): number {
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

// =====================================================================================================================
// Linear

/**
 * `input @ weight.T + bias` over the last dim (one fused kernel).
 * @example F.linear(torch.ones([4, 3]), torch.ones([2, 3]), torch.zeros([2])).shape // [4, 2]
 */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  checkTensor('linear', 'input', 1, input); checkTensor('linear', 'weight', 2, weight); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  if (weight.dim() === 2 && input.dim() >= 1 && input.shape[input.dim() - 1] !== weight.shape[1]) {
    const lead = input.dim() === 1 ? 1 : input.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    throw new RangeError(`mat1 and mat2 shapes cannot be multiplied (${lead}x${input.shape[input.dim() - 1]} and ${weight.shape[1]}x${weight.shape[0]})`);
  }
  return linearOp(input, weight, bias);
}

/**
 * y = x1ᵀ A x2 + b for `weight` A of shape [out, in1, in2] (batch dims of the inputs are kept).
 * @example F.bilinear(torch.ones([5, 2]), torch.ones([5, 3]), torch.ones([4, 2, 3])).shape // [5, 4]
 */
export function bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  checkTensor('bilinear', 'input1', 1, input1); checkTensor('bilinear', 'input2', 2, input2); checkTensor('bilinear', 'weight', 3, weight); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  if (weight.dim() !== 3) throw new RangeError(`bilinear(): weight must be three-dimensional, but got ${weight.dim()}`);
  const [O, I1, I2] = weight.shape as [number, number, number];
  if (input1.dim() !== input2.dim()) throw new RangeError(`bilinear(): input dimensions do not match: got ${input1.dim()} and ${input2.dim()}`);
  for (let d = 0; d < input1.dim() - 1; d++) {
    if (input1.shape[d] !== input2.shape[d]) throw new RangeError(`bilinear(): input batch dimensions do not match: got ${listStr(input1.shape)} and ${listStr(input2.shape)}`);
  }
  if (input1.shape[input1.dim() - 1] !== I1) throw new RangeError(`bilinear(): input1 size does not match weight size: got ${input1.shape[input1.dim() - 1]} but expected ${I1}`);
  if (input2.shape[input2.dim() - 1] !== I2) throw new RangeError(`bilinear(): input2 size does not match weight size: got ${input2.shape[input2.dim() - 1]} but expected ${I2}`);
  const lead = input1.shape.slice(0, -1);
  const x1 = input1.reshape([-1, I1]), x2 = input2.reshape([-1, I2]);
  // t[n, o, j] = Σ_i x1[n, i] W[o, i, j]
  const t = x1.matmul(weight.permute(1, 0, 2).reshape([I1, O * I2])).reshape([-1, O, I2]);
  let out = t.mul(x2.unsqueeze(1)).sum(-1);
  if (bias !== null) out = out.add(bias);
  return out.reshape([...lead, O]);
}

// =====================================================================================================================
// Convolution

type IntOrPair = number | readonly number[];
type PaddingArg = number | readonly number[] | 'valid' | 'same';

/** Normalises conv arguments and checks shapes with PyTorch's messages; returns geometry for the 2-D core. */
function convSetup(name: string, nd: 1 | 2, input: Tensor, weight: Tensor, stride: IntOrPair, padding: PaddingArg,
  dilation: IntOrPair, groups: number): { x: Tensor; w: Tensor; geom: ConvGeometry; unbatched: boolean } {
  if (input.dim() !== nd + 1 && input.dim() !== nd + 2) {
    throw new RangeError(`Expected ${nd + 1}D (unbatched) or ${nd + 2}D (batched) input to ${name}, but got input of size: ${listStr(input.shape)}`);
  }
  if (!Number.isInteger(groups) || groups <= 0) throw new RangeError('non-positive groups is not supported');
  const unbatched = input.dim() === nd + 1;
  let x = unbatched ? input.unsqueeze(0) : input;
  if (weight.dim() !== nd + 2) throw new RangeError(`weight should have at least three dimensions`);
  const s = ntuple(stride, nd, 'stride'), d = ntuple(dilation, nd, 'dilation');
  const k = weight.shape.slice(2) as number[];
  const C = x.shape[1]!;
  if (C !== weight.shape[1]! * groups) {
    throw new RangeError(`Given groups=${groups}, weight of size ${listStr(weight.shape)}, expected input${listStr(x.shape)} to have ${weight.shape[1]! * groups} channels, but got ${C} channels instead`);
  }
  if (weight.shape[0]! % groups !== 0) {
    throw new RangeError(`Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size ${listStr(weight.shape)} instead`);
  }
  if (s.some((v) => v <= 0)) throw new RangeError('non-positive stride is not supported');
  if (d.some((v) => v <= 0)) throw new RangeError(`dilation should be greater than zero, but got ${listStr(d)}`);
  const spatial = x.shape.slice(2) as number[];
  const padLo: number[] = [], outSize: number[] = [];
  for (let i = 0; i < nd; i++) {
    const eff = d[i]! * (k[i]! - 1) + 1;
    let lo: number, total: number;
    if (padding === 'same') {
      if (s.some((v) => v !== 1)) throw new RangeError("padding='same' is not supported for strided convolutions");
      total = d[i]! * (k[i]! - 1); lo = Math.floor(total / 2);
    } else if (padding === 'valid') { lo = 0; total = 0; }
    else {
      const p = ntuple(padding as IntOrPair, nd, 'padding');
      if (p[i]! < 0) throw new RangeError('negative padding is not supported');
      lo = p[i]!; total = 2 * p[i]!;
    }
    padLo.push(lo);
    outSize.push(Math.floor((spatial[i]! + total - eff) / s[i]!) + 1);
  }
  const padded = spatial.map((v, i) => v + (padding === 'same' ? d[i]! * (k[i]! - 1) : padding === 'valid' ? 0 : 2 * ntuple(padding as IntOrPair, nd, 'padding')[i]!));
  const effK = k.map((v, i) => d[i]! * (v - 1) + 1);
  if (padded.some((v, i) => v < effK[i]!)) {
    throw new RangeError(`Calculated padded input size per channel: (${padded.join(' x ')}). Kernel size: (${effK.join(' x ')}). Kernel size can't be greater than actual input size`);
  }
  let w = weight;
  let geom: ConvGeometry;
  if (nd === 1) {
    x = x.unsqueeze(2); w = weight.unsqueeze(2);
    geom = { kernel: [1, k[0]!], stride: [1, s[0]!], padding: [0, padLo[0]!], dilation: [1, d[0]!], inSize: [1, spatial[0]!], outSize: [1, outSize[0]!] };
  } else {
    geom = { kernel: [k[0]!, k[1]!], stride: [s[0]!, s[1]!], padding: [padLo[0]!, padLo[1]!], dilation: [d[0]!, d[1]!], inSize: [spatial[0]!, spatial[1]!], outSize: [outSize[0]!, outSize[1]!] };
  }
  return { x, w, geom, unbatched };
}

/** The 2-D convolution core, one autograd node (the backend's conv kernel, else im2col + GEMM). x: [N,C,H,W], w: [O,C/g,kh,kw]. */
function conv2dCore(x: Tensor, w: Tensor, bias: Tensor | null, geom: ConvGeometry, groups: number): Tensor {
  return K.convolution(x, w, bias, geom, groups);
}

interface ConvOpts { stride?: IntOrPair; padding?: PaddingArg; dilation?: IntOrPair; groups?: number }
const CONV_DEFAULTS = { stride: 1 as IntOrPair, padding: 0 as PaddingArg, dilation: 1 as IntOrPair, groups: 1 };

/**
 * 2-D convolution (cross-correlation) over [N, C, H, W] (or unbatched [C, H, W]) with `weight`
 * [out, in/groups, kh, kw]: `stride`, `padding` (an int, a pair, `'valid'` or `'same'`), `dilation`, `groups`.
 * @example F.conv2d(torch.randn([1, 3, 8, 8]), torch.randn([16, 3, 3, 3]), null, { padding: 1 }).shape // [1, 16, 8, 8]
 */
export function conv2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, stride?: IntOrPair | ConvOpts,
  padding?: PaddingArg, dilation?: IntOrPair, groups?: number): Tensor {
  checkTensor('conv2d', 'input', 1, input); checkTensor('conv2d', 'weight', 2, weight); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  const o = resolveArgs('conv2d', [stride, padding, dilation, groups], CONV_DEFAULTS);
  const { x, w, geom, unbatched } = convSetup('conv2d', 2, input, weight, o.stride, o.padding, o.dilation, o.groups);
  const out = conv2dCore(x, w, bias, geom, o.groups);
  return unbatched ? out.squeeze(0) : out;
}

/**
 * 1-D convolution over [N, C, L] (or unbatched [C, L]) with `weight` [out, in/groups, k].
 * @example F.conv1d(torch.randn([2, 4, 10]), torch.randn([8, 4, 3])).shape // [2, 8, 8]
 */
export function conv1d(input: Tensor, weight: Tensor, bias: Tensor | null = null, stride?: IntOrPair | ConvOpts,
  padding?: PaddingArg, dilation?: IntOrPair, groups?: number): Tensor {
  checkTensor('conv1d', 'input', 1, input); checkTensor('conv1d', 'weight', 2, weight); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  const o = resolveArgs('conv1d', [stride, padding, dilation, groups], CONV_DEFAULTS);
  const { x, w, geom, unbatched } = convSetup('conv1d', 1, input, weight, o.stride, o.padding, o.dilation, o.groups);
  const out = conv2dCore(x, w, bias, geom, o.groups).squeeze(2);
  return unbatched ? out.squeeze(0) : out;
}

interface ConvTOpts { stride?: IntOrPair; padding?: IntOrPair; outputPadding?: IntOrPair; groups?: number; dilation?: IntOrPair }
const CONVT_DEFAULTS = { stride: 1 as IntOrPair, padding: 0 as IntOrPair, outputPadding: 0 as IntOrPair, groups: 1, dilation: 1 as IntOrPair };

function convTransposeNd(name: string, nd: 1 | 2, input: Tensor, weight: Tensor, bias: Tensor | null, o: typeof CONVT_DEFAULTS): Tensor {
  if (input.dim() !== nd + 1 && input.dim() !== nd + 2) {
    throw new RangeError(`Expected ${nd + 1}D (unbatched) or ${nd + 2}D (batched) input to ${name}, but got input of size: ${listStr(input.shape)}`);
  }
  const groups = o.groups;
  if (!Number.isInteger(groups) || groups <= 0) throw new RangeError('non-positive groups is not supported');
  const unbatched = input.dim() === nd + 1;
  let x = unbatched ? input.unsqueeze(0) : input;
  const s = ntuple(o.stride, nd, 'stride'), p = ntuple(o.padding, nd, 'padding'), op = ntuple(o.outputPadding, nd, 'output_padding');
  const d = ntuple(o.dilation, nd, 'dilation');
  if (s.some((v) => v <= 0)) throw new RangeError('non-positive stride is not supported');
  if (d.some((v) => v <= 0)) throw new RangeError(`dilation should be greater than zero, but got ${listStr(d)}`);
  if (p.some((v) => v < 0)) throw new RangeError('negative padding is not supported');
  const Cin = x.shape[1]!;
  if (weight.shape[0] !== Cin) {
    throw new RangeError(`Given transposed=1, weight of size ${listStr(weight.shape)}, expected input${listStr(x.shape)} to have ${weight.shape[0]} channels, but got ${Cin} channels instead`);
  }
  for (let i = 0; i < nd; i++) {
    if (!(op[i]! < s[i]! || op[i]! < d[i]!)) {
      const hw = nd === 2 ? ['height', 'width'] : ['width'];
      const parts = [hw.map((n, j) => `output_padding_${n}: ${op[j]}`).join(' '), hw.map((n, j) => `stride_${n}: ${s[j]}`).join(' '), hw.map((n, j) => `dilation_${n}: ${d[j]}`).join(' ')];
      throw new RangeError(`output padding must be smaller than either stride or dilation, but got ${parts.join(' ')}`);
    }
  }
  const k = weight.shape.slice(2) as number[];
  let w = weight;
  const spatial = x.shape.slice(2) as number[];
  const outSp = spatial.map((v, i) => (v - 1) * s[i]! - 2 * p[i]! + d[i]! * (k[i]! - 1) + op[i]! + 1);
  if (outSp.some((v) => v <= 0)) throw new RangeError(`Given input size per channel: (${spatial.join(' x ')}). Calculated output size per channel: (${outSp.join(' x ')}). Output size is too small`);
  let geom: ConvGeometry;
  if (nd === 1) {
    x = x.unsqueeze(2); w = weight.unsqueeze(2);
    geom = { kernel: [1, k[0]!], stride: [1, s[0]!], padding: [0, p[0]!], dilation: [1, d[0]!], inSize: [1, outSp[0]!], outSize: [1, spatial[0]!] };
  } else {
    geom = { kernel: [k[0]!, k[1]!], stride: [s[0]!, s[1]!], padding: [p[0]!, p[1]!], dilation: [d[0]!, d[1]!], inSize: [outSp[0]!, outSp[1]!], outSize: [spatial[0]!, spatial[1]!] };
  }
  // the input gradient of the convolution from the output's size to the input's (same kernels as conv backward)
  let out = K.convTranspose(x, w, bias, geom, groups);
  if (nd === 1) out = out.squeeze(2);
  return unbatched ? out.squeeze(0) : out;
}

/**
 * Transposed 2-D convolution ("deconvolution") with `weight` [in, out/groups, kh, kw]; the output size is
 * (H−1)·stride − 2·padding + dilation·(k−1) + outputPadding + 1. PyTorch's positional order:
 * (input, weight, bias, stride, padding, outputPadding, groups, dilation).
 * @example F.convTranspose2d(torch.randn([1, 4, 5, 5]), torch.randn([4, 2, 3, 3]), null, 2).shape // [1, 2, 11, 11]
 */
export function convTranspose2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, stride?: IntOrPair | ConvTOpts,
  padding?: IntOrPair, outputPadding?: IntOrPair, groups?: number, dilation?: IntOrPair): Tensor {
  checkTensor('conv_transpose2d', 'input', 1, input); checkTensor('conv_transpose2d', 'weight', 2, weight); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  const o = resolveArgs('conv_transpose2d', [stride, padding, outputPadding, groups, dilation], CONVT_DEFAULTS);
  return convTransposeNd('conv_transpose2d', 2, input, weight, bias, o);
}

/**
 * Transposed 1-D convolution with `weight` [in, out/groups, k].
 * @example F.convTranspose1d(torch.randn([1, 4, 5]), torch.randn([4, 2, 3])).shape // [1, 2, 7]
 */
export function convTranspose1d(input: Tensor, weight: Tensor, bias: Tensor | null = null, stride?: IntOrPair | ConvTOpts,
  padding?: IntOrPair, outputPadding?: IntOrPair, groups?: number, dilation?: IntOrPair): Tensor {
  checkTensor('conv_transpose1d', 'input', 1, input); checkTensor('conv_transpose1d', 'weight', 2, weight); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  const o = resolveArgs('conv_transpose1d', [stride, padding, outputPadding, groups, dilation], CONVT_DEFAULTS);
  return convTransposeNd('conv_transpose1d', 1, input, weight, bias, o);
}

interface UnfoldOpts { dilation?: IntOrPair; padding?: IntOrPair; stride?: IntOrPair }

/**
 * Extracts sliding blocks (im2col): [N, C, H, W] → [N, C·kh·kw, L].
 * @example F.unfold(torch.randn([1, 2, 4, 4]), 2).shape // [1, 8, 9]
 */
export function unfold(input: Tensor, kernelSize: IntOrPair, dilation?: IntOrPair | UnfoldOpts, padding?: IntOrPair, stride?: IntOrPair): Tensor {
  checkTensor('unfold', 'input', 1, input); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  const o = resolveArgs('unfold', [dilation, padding, stride], { dilation: 1 as IntOrPair, padding: 0 as IntOrPair, stride: 1 as IntOrPair });
  const unbatched = input.dim() === 3;
  if (input.dim() !== 4 && input.dim() !== 3) {
    throw new RangeError(`Input Error: Only 3D or 4D input Tensors are supported (got ${input.dim()}D)`);
  }
  const x = unbatched ? input.unsqueeze(0) : input;
  const k = ntuple(kernelSize, 2, 'kernel_size'), d = ntuple(o.dilation, 2, 'dilation'), p = ntuple(o.padding, 2, 'padding'), s = ntuple(o.stride, 2, 'stride');
  checkFoldGeometry(k, d, p, s);
  const H = x.shape[2]!, W = x.shape[3]!;
  const oh = Math.floor((H + 2 * p[0]! - d[0]! * (k[0]! - 1) - 1) / s[0]!) + 1;
  const ow = Math.floor((W + 2 * p[1]! - d[1]! * (k[1]! - 1) - 1) / s[1]!) + 1;
  if (oh < 1 || ow < 1) {
    throw new RangeError(`Given input with spatial size (${H}, ${W}), kernel_size=(${k.join(', ')}), dilation=(${d.join(', ')}), padding=(${p.join(', ')}), calculated shape of the array of sliding blocks as (${oh}, ${ow}), but its components must be at least one.`);
  }
  const geom: ConvGeometry = { kernel: [k[0]!, k[1]!], stride: [s[0]!, s[1]!], padding: [p[0]!, p[1]!], dilation: [d[0]!, d[1]!], inSize: [H, W], outSize: [oh, ow] };
  const r = im2col(x, geom, 0).permute(1, 0, 2);
  return unbatched ? r.squeeze(0) : r;
}

/**
 * Combines sliding blocks into an image (col2im; overlaps add up): [N, C·kh·kw, L] → [N, C, H, W].
 * @example F.fold(torch.ones([1, 4, 9]), [4, 4], 2).shape // [1, 1, 4, 4]
 */
export function fold(input: Tensor, outputSize: IntOrPair, kernelSize: IntOrPair, dilation?: IntOrPair | UnfoldOpts, padding?: IntOrPair, stride?: IntOrPair): Tensor {
  checkTensor('fold', 'input', 1, input); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  const o = resolveArgs('fold', [dilation, padding, stride], { dilation: 1 as IntOrPair, padding: 0 as IntOrPair, stride: 1 as IntOrPair });
  const unbatched = input.dim() === 2;
  if (input.dim() !== 3 && input.dim() !== 2) throw new RangeError(`Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got ${input.dim()}D)`);
  const x = unbatched ? input.unsqueeze(0) : input;
  const [H, W] = ntuple(outputSize, 2, 'output_size') as [number, number];
  const k = ntuple(kernelSize, 2, 'kernel_size'), d = ntuple(o.dilation, 2, 'dilation'), p = ntuple(o.padding, 2, 'padding'), s = ntuple(o.stride, 2, 'stride');
  checkFoldGeometry(k, d, p, s);
  const kk = k[0]! * k[1]!;
  if (x.shape[1]! % kk !== 0) {
    throw new RangeError(`Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)=${x.shape[1]} and kernel_size=(${k.join(', ')})`);
  }
  const oh = Math.floor((H + 2 * p[0]! - d[0]! * (k[0]! - 1) - 1) / s[0]!) + 1;
  const ow = Math.floor((W + 2 * p[1]! - d[1]! * (k[1]! - 1) - 1) / s[1]!) + 1;
  if (x.shape[2] !== oh * ow) {
    throw new RangeError(`Given output_size=(${H}, ${W}), kernel_size=(${k.join(', ')}), dilation=(${d.join(', ')}), padding=(${p.join(', ')}), stride=(${s.join(', ')}), expected size of input's dimension 2 to match the calculated number of sliding blocks ${oh} * ${ow} = ${oh * ow}, but got input.size(2)=${x.shape[2]}.`);
  }
  const geom: ConvGeometry = { kernel: [k[0]!, k[1]!], stride: [s[0]!, s[1]!], padding: [p[0]!, p[1]!], dilation: [d[0]!, d[1]!], inSize: [H, W], outSize: [oh, ow] };
  const r = col2im(x.permute(1, 0, 2), geom);
  return unbatched ? r.squeeze(0) : r;
}

// =====================================================================================================================
// Pooling

/** im2col/col2im's checks (PyTorch's `col2im_shape_check`): positive kernel, dilation and stride, non-negative padding. */
function checkFoldGeometry(k: number[], d: number[], p: number[], s: number[]): void {
  if (k.some((v) => v <= 0)) throw new RangeError(`kernel size should be greater than zero, but got kernel_height: ${k[0]} kernel_width: ${k[1]}`);
  if (d.some((v) => v <= 0)) throw new RangeError(`dilation should be greater than zero, but got dilation_height: ${d[0]} dilation_width: ${d[1]}`);
  if (s.some((v) => v <= 0)) throw new RangeError(`stride should be greater than zero, but got stride_height: ${s[0]} stride_width: ${s[1]}`);
  if (p.some((v) => v < 0)) throw new RangeError(`padding should be non-negative, but got pad_height: ${p[0]} pad_width: ${p[1]}`);
}

/** PyTorch's pooling_output_shape. */
function poolOut(inSize: number, k: number, pad: number, stride: number, dil: number, ceil: boolean): number {
  const num = inSize + 2 * pad - dil * (k - 1) - 1 + (ceil ? stride - 1 : 0);
  let out = Math.floor(num / stride) + 1;
  if (ceil && (out - 1) * stride >= inSize + pad) out--;
  return out;
}

function poolSetup(name: string, input: Tensor, kernelSize: IntOrPair, stride: IntOrPair | null, padding: IntOrPair,
  dilation: IntOrPair, ceilMode: boolean): { x: Tensor; geom: ConvGeometry; N: number; C: number; unbatched: boolean } {
  if ((input.dim() !== 3 && input.dim() !== 4) || input.numel() === 0) {
    throw new RangeError('non-empty 3D or 4D (batch mode) tensor expected for input');
  }
  void name;
  const unbatched = input.dim() === 3;
  const x4 = unbatched ? input.unsqueeze(0) : input;
  const k = ntuple(kernelSize, 2, 'kernel_size');
  const s = stride === null || (Array.isArray(stride) && stride.length === 0) ? k : ntuple(stride, 2, 'stride');
  const p = ntuple(padding, 2, 'padding'), d = ntuple(dilation, 2, 'dilation');
  // PyTorch's pool2d_shape_check, in its words; a zero stride used to loop forever in the kernel
  if (k.some((v) => v <= 0)) throw new RangeError(`kernel size should be greater than zero, but got kernelH: ${k[0]} kernelW: ${k[1]}`);
  if (s.some((v) => v === 0)) throw new RangeError('stride should not be zero');
  if (s.some((v) => v < 0)) throw new RangeError(`stride should be greater than zero, but got dH: ${s[0]} dW: ${s[1]}`);
  if (d.some((v) => v <= 0)) throw new RangeError(`dilation should be greater than zero, but got dilationH: ${d[0]} dilationW: ${d[1]}`);
  if (p.some((v) => v < 0)) throw new RangeError(`pad must be non-negative, but got pad: ${Math.min(...p)}`);
  for (let i = 0; i < 2; i++) {
    if (p[i]! > Math.floor(k[i]! / 2)) throw new RangeError(`pad should be at most half of kernel size, but got pad=${p[i]} and kernel_size=${k[i]}`);
  }
  const [N, C, H, W] = x4.shape as [number, number, number, number];
  const oh = poolOut(H, k[0]!, p[0]!, s[0]!, d[0]!, ceilMode), ow = poolOut(W, k[1]!, p[1]!, s[1]!, d[1]!, ceilMode);
  if (oh < 1 || ow < 1) {
    throw new RangeError(`Given input size: (${C}x${H}x${W}). Calculated output size: (${C}x${oh}x${ow}). Output size is too small`);
  }
  const geom: ConvGeometry = { kernel: [k[0]!, k[1]!], stride: [s[0]!, s[1]!], padding: [p[0]!, p[1]!], dilation: [d[0]!, d[1]!], inSize: [H, W], outSize: [oh, ow] };
  return { x: x4, geom, N, C, unbatched };
}

interface MaxPoolOpts { stride?: IntOrPair | null; padding?: IntOrPair; dilation?: IntOrPair; ceilMode?: boolean; returnIndices?: boolean }

/**
 * 2-D max pooling. PyTorch's order: (input, kernelSize, stride = kernelSize, padding, dilation, ceilMode,
 * returnIndices). With `returnIndices` returns `[output, indices]` (flat indices into each H×W plane).
 * @example F.maxPool2d(torch.randn([1, 3, 8, 8]), 2).shape // [1, 3, 4, 4]
 */
export function maxPool2d(input: Tensor, kernelSize: IntOrPair, stride?: IntOrPair | null | MaxPoolOpts, padding?: IntOrPair,
  dilation?: IntOrPair, ceilMode?: boolean, returnIndices?: boolean): any {
  checkTensor('max_pool2d', 'input', 1, input); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  const o = resolveArgs('max_pool2d', [stride, padding, dilation, ceilMode, returnIndices],
    { stride: null as IntOrPair | null, padding: 0 as IntOrPair, dilation: 1 as IntOrPair, ceilMode: false, returnIndices: false });
  const { x, geom, unbatched } = poolSetup('max_pool2d', input, kernelSize, o.stride, o.padding, o.dilation, o.ceilMode);
  let [out, idx] = K.maxPool2dWithIndices(x, geom);
  if (!o.returnIndices && !unbatched) {
    // the indices never reach the caller: freed now if backward does not need them, else once it has used them
    // (a CNN step's int64 indices are twice the pooled output's bytes)
    freeIfUnused(markInternal(idx));
  }
  if (unbatched) { out = out.squeeze(0); idx = idx.squeeze(0); }
  return o.returnIndices ? [out, idx] : out;
}

/**
 * 1-D max pooling over [N, C, L].
 * @example F.maxPool1d(torch.randn([1, 2, 8]), 2).shape // [1, 2, 4]
 */
export function maxPool1d(input: Tensor, kernelSize: number | readonly number[], stride?: number | readonly number[] | null | MaxPoolOpts, padding?: number | readonly number[],
  dilation?: number | readonly number[], ceilMode?: boolean, returnIndices?: boolean): any {
  checkTensor('max_pool1d', 'input', 1, input); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  const o = resolveArgs('max_pool1d', [stride, padding, dilation, ceilMode, returnIndices],
    { stride: null as IntOrPair | null, padding: 0 as IntOrPair, dilation: 1 as IntOrPair, ceilMode: false, returnIndices: false });
  if (input.dim() !== 2 && input.dim() !== 3) throw new RangeError(`max_pool1d() Expected 2D or 3D input tensor, but got ${listStr(input.shape)}`);
  const one = (v: IntOrPair, name: string): number[] => [1, ntuple(v, 1, name)[0]!];
  const r = maxPool2d(input.unsqueeze(-2), one(kernelSize, 'kernel_size'), o.stride === null ? null : one(o.stride, 'stride'), [0, ntuple(o.padding, 1, 'padding')[0]!],
    one(o.dilation, 'dilation'), o.ceilMode, o.returnIndices);
  return o.returnIndices ? [r[0].squeeze(-2), r[1].squeeze(-2)] : r.squeeze(-2);
}

interface AvgPoolOpts { stride?: IntOrPair | null; padding?: IntOrPair; ceilMode?: boolean; countIncludePad?: boolean; divisorOverride?: number | null }

/**
 * 2-D average pooling. PyTorch's order: (input, kernelSize, stride = kernelSize, padding, ceilMode,
 * countIncludePad = true, divisorOverride).
 * @example F.avgPool2d(torch.ones([1, 1, 4, 4]), 2).tolist() // [[[[1, 1], [1, 1]]]]
 */
export function avgPool2d(input: Tensor, kernelSize: IntOrPair, stride?: IntOrPair | null | AvgPoolOpts, padding?: IntOrPair,
  ceilMode?: boolean, countIncludePad?: boolean, divisorOverride?: number | null): Tensor {
  checkTensor('avg_pool2d', 'input', 1, input); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  const o = resolveArgs('avg_pool2d', [stride, padding, ceilMode, countIncludePad, divisorOverride],
    { stride: null as IntOrPair | null, padding: 0 as IntOrPair, ceilMode: false, countIncludePad: true, divisorOverride: null as number | null });
  if (o.divisorOverride !== null && o.divisorOverride === 0) throw new RangeError('divisor must be not zero');
  const { x, geom, unbatched } = poolSetup('avg_pool2d', input, kernelSize, o.stride, o.padding, 1, o.ceilMode);
  const out = K.avgPool2d(x, geom, o.countIncludePad, o.divisorOverride);
  return unbatched ? out.squeeze(0) : out;
}

/**
 * 1-D average pooling over [N, C, L].
 * @example F.avgPool1d(torch.ones([1, 1, 4]), 2).tolist() // [[[1, 1]]]
 */
export function avgPool1d(input: Tensor, kernelSize: number | readonly number[], stride?: number | readonly number[] | null | AvgPoolOpts, padding?: number | readonly number[],
  ceilMode?: boolean, countIncludePad?: boolean): Tensor {
  checkTensor('avg_pool1d', 'input', 1, input); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  const o = resolveArgs('avg_pool1d', [stride, padding, ceilMode, countIncludePad],
    { stride: null as IntOrPair | null, padding: 0 as IntOrPair, ceilMode: false, countIncludePad: true });
  if (input.dim() !== 2 && input.dim() !== 3) throw new RangeError(`avg_pool1d: Expected 2D or 3D input tensor, but got ${listStr(input.shape)}`);
  const one = (v: IntOrPair, name: string): number[] => [1, ntuple(v, 1, name)[0]!];
  return avgPool2d(input.unsqueeze(-2), one(kernelSize, 'kernel_size'), o.stride === null ? null : one(o.stride, 'stride'), [0, ntuple(o.padding, 1, 'padding')[0]!],
    o.ceilMode, o.countIncludePad).squeeze(-2);
}

/**
 * Adaptive average pooling to `outputSize` (an int, or [h, w] where null keeps the input size).
 * @example F.adaptiveAvgPool2d(torch.randn([2, 3, 7, 9]), 1).shape // [2, 3, 1, 1]
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: number | readonly (number | null)[]): Tensor {
  checkTensor('adaptive_avg_pool2d', 'input', 1, input); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  if (input.dim() !== 3 && input.dim() !== 4) throw new RangeError(`adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got ${listStr(input.shape)}`);
  const H = input.shape[input.dim() - 2]!, W = input.shape[input.dim() - 1]!;
  const os = typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize.length === 1 ? [outputSize[0], outputSize[0]] : outputSize;
  const oh = os[0] ?? H, ow = os[1] ?? W;
  // integer output sizes (PyTorch's parser refuses a float with "object of type 'float' has no len()"), non-negative
  for (const v of [oh, ow]) {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`adaptive_avg_pool2d(): argument 'output_size' must be tuple of ints, but got ${pyTypeName(v)} ${String(v)}`);
    if (v < 0) throw new RangeError(`adaptive_avg_pool2d(): elements of output_size must be greater than or equal to 0 but received {${oh}, ${ow}}`);
  }
  if (!isFloating(input.dtype)) throw new TypeError(`"adaptive_avg_pool2d" not implemented for '${input.type()}'`);
  const unbatched = input.dim() === 3;
  const out = K.adaptiveAvgPool2d(unbatched ? input.unsqueeze(0) : input, [oh, ow]);
  return unbatched ? out.squeeze(0) : out;
}

/**
 * Adaptive average pooling over [N, C, L] to `outputSize`.
 * @example F.adaptiveAvgPool1d(torch.randn([2, 3, 7]), 2).shape // [2, 3, 2]
 */
export function adaptiveAvgPool1d(input: Tensor, outputSize: number | readonly number[]): Tensor {
  checkTensor('adaptive_avg_pool1d', 'input', 1, input); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  if (input.dim() !== 2 && input.dim() !== 3) throw new RangeError(`adaptive_avg_pool1d(): Expected 2D or 3D tensor, but got ${listStr(input.shape)}`);
  const o = typeof outputSize === 'number' ? outputSize : outputSize[0]!;
  if (typeof o !== 'number' || !Number.isInteger(o)) throw new TypeError(`adaptive_avg_pool1d(): argument 'output_size' must be tuple of ints, but got ${pyTypeName(o)} ${String(o)}`);
  if (o < 0) throw new RangeError(`adaptive_avg_pool1d(): elements of output_size must be greater than or equal to 0 but received {${o}}`);
  if (!isFloating(input.dtype)) throw new TypeError(`"adaptive_avg_pool2d" not implemented for '${input.type()}'`);
  const unbatched = input.dim() === 2;
  const x = (unbatched ? input.unsqueeze(0) : input).unsqueeze(2);
  const out = K.adaptiveAvgPool2d(x, [1, o]).squeeze(2);
  return unbatched ? out.squeeze(0) : out;
}

// =====================================================================================================================
// Normalisation

interface BatchNormOpts { weight?: Tensor | null; bias?: Tensor | null; training?: boolean; momentum?: number | null; eps?: number }

/**
 * Batch normalisation over dim 1 of [N, C, *]. In training it normalises with the biased batch variance and,
 * when `runningMean`/`runningVar` are given, updates them in place with the unbiased one:
 * running = (1 − momentum)·running + momentum·batch. Otherwise it uses the running statistics.
 * @example F.batchNorm(torch.randn([8, 3]), null, null, null, null, true).shape // [8, 3]
 */
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, weight?: Tensor | null | BatchNormOpts,
  bias?: Tensor | null, training?: boolean, momentum?: number | null, eps?: number): Tensor {
  checkTensor('batch_norm', 'input', 1, input); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  const o = resolveArgs('batch_norm', [weight, bias, training, momentum, eps],
    { weight: null as Tensor | null, bias: null as Tensor | null, training: false, momentum: 0.1 as number | null, eps: 1e-5 });
  if (input.dim() < 2) throw new RangeError(`batch_norm(): expected input with at least 2 dims, got ${input.dim()}`);
  const C = input.shape[1]!;
  if (o.training) {
    const per = input.numel() / C;
    if (per <= 1) throw new RangeError(`Expected more than 1 value per channel when training, got input size ${sizeStr(input.shape)}`);
  }
  for (const [n, t] of [['running_mean', runningMean], ['running_var', runningVar], ['weight', o.weight], ['bias', o.bias]] as const) {
    if (t !== null && t !== undefined && t.numel() !== C) throw new RangeError(`${n} should contain ${C} elements not ${t.numel()}`);
  }
  return K.batchNorm(input, o.weight, o.bias, runningMean, runningVar, o.training, o.momentum ?? 0.1, o.eps);
}

/**
 * Layer normalisation over the trailing `normalizedShape` dims (biased variance).
 * @example F.layerNorm(torch.randn([2, 5]), [5]).shape // [2, 5]
 */
export function layerNorm(input: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null | { weight?: Tensor | null; bias?: Tensor | null; eps?: number },
  bias?: Tensor | null, eps?: number): Tensor {
  checkTensor('layer_norm', 'input', 1, input); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  const o = resolveArgs('layer_norm', [weight, bias, eps], { weight: null as Tensor | null, bias: null as Tensor | null, eps: 1e-5 });
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const nd = ns.length;
  const tail = input.shape.slice(input.dim() - nd);
  if (input.dim() < nd || tail.some((s, i) => s !== ns[i])) {
    throw new RangeError(`Given normalized_shape=${listStr(ns)}, expected input with shape [*, ${ns.join(', ')}], but got input of size${listStr(input.shape)}`);
  }
  return K.layerNorm(input, nd, o.weight, o.bias, o.eps);
}

/**
 * Group normalisation: channels of [N, C, *] split into `numGroups` groups, each normalised over its channels and
 * spatial positions; then a per-channel affine.
 * @example F.groupNorm(torch.randn([2, 4, 3]), 2).shape // [2, 4, 3]
 */
export function groupNorm(input: Tensor, numGroups: number, weight?: Tensor | null | { weight?: Tensor | null; bias?: Tensor | null; eps?: number },
  bias?: Tensor | null, eps?: number): Tensor {
  checkTensor('group_norm', 'input', 1, input); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  const o = resolveArgs('group_norm', [weight, bias, eps], { weight: null as Tensor | null, bias: null as Tensor | null, eps: 1e-5 });
  if (input.dim() < 2) throw new RangeError(`Expected at least 2 dimensions for input tensor but received ${input.dim()}`);
  const C = input.shape[1]!;
  if (C % numGroups !== 0) {
    throw new RangeError(`Expected number of channels in input to be divisible by num_groups, but got input of shape ${listStr(input.shape)} and num_groups=${numGroups}`);
  }
  return K.groupNorm(input, numGroups, o.weight, o.bias, o.eps);
}

// =====================================================================================================================
// Dropout

function checkP(p: number): void {
  if (p < 0 || p > 1) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
}

/** mask ~ Bernoulli(1 − p) of `shape`, divided by (1 − p) (PyTorch's order of operations). */
function dropoutNoise(like: Tensor, shape: readonly number[], p: number): Tensor {
  const noise = zeros([...shape], { dtype: like.dtype, device: like.device });
  noise.bernoulli_(1 - p);
  return p === 1 ? noise : noise.div_(1 - p);
}

function applyNoise(input: Tensor, noise: Tensor, inplace: boolean): Tensor {
  return inplace ? input.mul_(noise) : input.mul(noise);
}

/**
 * Zeroes elements with probability `p` and scales the rest by 1/(1−p) when `training`; identity otherwise.
 * @example F.dropout(torch.ones([4]), 0.5, false).tolist() // [1, 1, 1, 1]
 */
export function dropout(input: Tensor, p: number | { p?: number; training?: boolean; inplace?: boolean } = 0.5, training = true, inplace = false): Tensor {
  checkTensor('dropout', 'input', 1, input); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  if (isOptions(p)) { checkOptions('dropout', p, ['p', 'training', 'inplace']); training = p.training ?? true; inplace = p.inplace ?? false; p = p.p ?? 0.5; }
  checkP(p as number);
  if (!training || p === 0 || input.numel() === 0) return input;
  if (p === 1) return inplace ? input.mul_(0) : input.mul(zerosLikeShape(input));
  return applyNoise(input, dropoutNoise(input, input.shape, p as number), inplace);
}

function zerosLikeShape(t: Tensor): Tensor { return zeros([...t.shape], { dtype: t.dtype, device: t.device }); }

/**
 * Channel dropout (`Dropout2d`): zeroes whole channels (dims ≥ 2) of [N, C, H, W] (or [N, C, L], as PyTorch 1.13
 * treats 3-D input) with probability `p`, scaling the rest by 1/(1−p).
 * @example F.dropout2d(torch.ones([2, 3, 4, 4]), 0.5).shape // [2, 3, 4, 4]
 */
export function dropout2d(input: Tensor, p: number | { p?: number; training?: boolean; inplace?: boolean } = 0.5, training = true, inplace = false): Tensor {
  checkTensor('dropout2d', 'input', 1, input); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  if (isOptions(p)) { checkOptions('dropout2d', p, ['p', 'training', 'inplace']); training = p.training ?? true; inplace = p.inplace ?? false; p = p.p ?? 0.5; }
  checkP(p as number);
  if (!training || p === 0 || input.numel() === 0) return input;
  if (input.dim() < 2) throw new RangeError(`Feature dropout requires at least 2 dimensions in the input`);
  const shape = input.shape.map((s, i) => (i < 2 ? s : 1));
  if (p === 1) return inplace ? input.mul_(0) : input.mul(zerosLikeShape(input));
  return applyNoise(input, dropoutNoise(input, shape, p as number), inplace);
}

// =====================================================================================================================
// Embedding, padding, one-hot

interface EmbeddingOpts { paddingIdx?: number | null; maxNorm?: number | null; normType?: number; scaleGradByFreq?: boolean; sparse?: boolean }

/**
 * Looks up rows of `weight` for integer `input` (any shape) → [...input.shape, dim]. The row at `paddingIdx`
 * gets no gradient; `maxNorm` renormalises looked-up rows in place; `scaleGradByFreq` divides gradients by
 * the index frequency in the batch. `sparse` is accepted but gradients are always dense.
 * @example F.embedding(torch.tensor([[0, 2]], { dtype: 'int64' }), torch.randn([5, 3])).shape // [1, 2, 3]
 */
export function embedding(input: Tensor, weight: Tensor, paddingIdx?: number | null | EmbeddingOpts, maxNorm?: number | null,
  normType?: number, scaleGradByFreq?: boolean, sparse?: boolean): Tensor {
  checkTensor('embedding', 'input', 1, input); checkTensor('embedding', 'weight', 2, weight); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  const o = resolveArgs('embedding', [paddingIdx, maxNorm, normType, scaleGradByFreq, sparse],
    { paddingIdx: null as number | null, maxNorm: null as number | null, normType: 2, scaleGradByFreq: false, sparse: false });
  if (input.dtype !== 'int64' && input.dtype !== 'int32') {
    throw new TypeError(`Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got ${input.type()} instead (while checking arguments for embedding)`);
  }
  let pad = o.paddingIdx;
  const num = weight.shape[0]!;
  if (pad !== null) {
    if (pad > 0 && pad >= num) throw new RangeError('Padding_idx must be within num_embeddings');
    if (pad < 0) { if (pad < -num) throw new RangeError('Padding_idx must be within num_embeddings'); pad += num; }
  }
  if (o.maxNorm !== null) {
    // embedding_renorm_: looked-up rows whose norm exceeds maxNorm are scaled down in place, on the device
    const maxNorm = o.maxNorm, p = o.normType;
    noGrad(() => {
      const idx = input.reshape([-1, 1]).to('int64').expand([input.numel(), weight.shape[1]!]);
      const rows = weight.gather(0, idx);
      const n = rows.norm(p, 1, true);
      const scale = where(n.gt(maxNorm), n.add(1e-7).reciprocal().mul(maxNorm), 1);
      weight.scatter_(0, idx, rows.mul(scale));
    });
  }
  return K.embedding(weight, input, pad, o.scaleGradByFreq);
}

/**
 * Pads the last dims: `pad` = [left, right, top, bottom, ...] (pairs from the last dim backwards; negative values
 * crop). Modes: 'constant' (with `value`), 'reflect', 'replicate', 'circular'.
 * @example F.pad(torch.ones([1, 2, 2]), [1, 1]).shape // [1, 2, 4]
 */
export function pad(input: Tensor, padArg: readonly number[], mode: 'constant' | 'reflect' | 'replicate' | 'circular' | { mode?: string; value?: number } = 'constant', value = 0): Tensor {
  checkTensor('pad', 'input', 1, input); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  let m: string = mode as string;
  if (isOptions(mode)) { checkOptions('pad', mode, ['mode', 'value']); value = mode.value ?? 0; m = mode.mode ?? 'constant'; }
  if (padArg.length % 2 !== 0) throw new RangeError('Padding length must be divisible by 2');
  if (padArg.length / 2 > input.dim()) throw new RangeError('Padding length too large');
  if (m !== 'constant' && m !== 'reflect' && m !== 'replicate' && m !== 'circular') throw new RangeError(`Unrecognised padding mode ${m}`);
  let x = input;
  for (let i = 0; i < padArg.length / 2; i++) {
    const dim = input.dim() - 1 - i;
    const lo = padArg[2 * i]!, hi = padArg[2 * i + 1]!;
    if (lo === 0 && hi === 0) continue;
    const n = x.shape[dim]!;
    if (m === 'constant') {
      if (lo < 0) x = x.narrow(dim, -lo, x.shape[dim]! + lo);
      if (hi < 0) x = x.narrow(dim, 0, x.shape[dim]! + hi);
      const parts: Tensor[] = [];
      const mk = (len: number) => full(x.shape.map((s, k) => (k === dim ? len : s)), value, { dtype: x.dtype, device: x.device });
      if (lo > 0) parts.push(mk(lo));
      parts.push(x);
      if (hi > 0) parts.push(mk(hi));
      if (parts.length > 1) x = cat(parts, dim);
      continue;
    }
    if (m === 'reflect' && (lo >= n || hi >= n)) {
      throw new RangeError(`Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (${lo}, ${hi}) at dimension ${dim} of input ${listStr(input.shape)}`);
    }
    if (m === 'circular' && (lo > n || hi > n)) throw new RangeError('Padding value causes wrapping around more than once.');
    const idx: number[] = [];
    for (let j = -lo; j < n + hi; j++) {
      let k = j;
      if (m === 'reflect') { k = j < 0 ? -j : j >= n ? 2 * (n - 1) - j : j; }
      else if (m === 'replicate') k = Math.min(Math.max(j, 0), n - 1);
      else k = ((j % n) + n) % n;
      idx.push(k);
    }
    x = x.indexSelect(dim, makeTensor(idx, { dtype: 'int64', device: x.device }));
  }
  return x === input ? input.clone() : x;
}

/**
 * One-hot encoding (`F.one_hot`): int64 `tensor` → int64 [...tensor.shape, numClasses]; `numClasses = -1`
 * infers max + 1. PyTorch's errors for non-int64 input, negative classes, classes ≥ numClasses and an empty
 * input with nothing to infer from.
 * @example F.oneHot(torch.tensor([0, 2], { dtype: 'int64' }), 3).tolist() // [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(tensor: Tensor, numClasses: number | { numClasses?: number } = -1): Tensor {
  if (isOptions(numClasses)) checkOptions('one_hot', numClasses, ['numClasses']);
  const nc = isOptions(numClasses) ? numClasses.numClasses ?? -1 : numClasses;
  if (tensor.dtype !== 'int64') throw new TypeError('one_hot is only applicable to index tensor of type LongTensor.');
  if (tensor.numel() === 0) {
    if (nc <= 0) throw new RangeError('Can not infer total number of classes from empty tensor.');
    return zeros([...tensor.shape, nc], { dtype: 'int64', device: tensor.device });
  }
  let C = nc;
  if (C === -1) {
    // Inferring the number of classes needs the largest value on the host: PyTorch reads it back too.
    const v = tensor.dataSync();
    let mn = Infinity, mx = -Infinity;
    for (let i = 0; i < v.length; i++) { if (v[i]! < mn) mn = v[i]!; if (v[i]! > mx) mx = v[i]!; }
    if (mn < 0) throw new RangeError('Class values must be non-negative.');
    C = mx + 1;
  }
  // With numClasses given the values are checked by the scatter kernel on the device (as PyTorch's CUDA path
  // relies on scatter's device assert); its bounds error is translated into one_hot's messages. No host read.
  try {
    return zeros([...tensor.shape, C], { dtype: 'int64', device: tensor.device }).scatter_(-1, tensor.unsqueeze(-1), 1);
  } catch (e) {
    const m = /^index (-?\d+) is out of bounds/.exec((e as Error).message);
    if (m === null) throw e;
    throw new RangeError(Number(m[1]) < 0 ? 'Class values must be non-negative.' : 'Class values must be smaller than num_classes.');
  }
}

// =====================================================================================================================
// Losses

export type Reduction = 'none' | 'mean' | 'sum';

/** PyTorch's `_Reduction.legacy_get_string` for the deprecated `sizeAverage`/`reduce` arguments. @example F.legacyReduction(false, null) // 'sum' */
export function legacyReduction(sizeAverage: boolean | null | undefined, reduce: boolean | null | undefined): Reduction {
  const sa = sizeAverage ?? true, r = reduce ?? true;
  return sa && r ? 'mean' : r ? 'sum' : 'none';
}

function resolveReduction(o: { sizeAverage?: boolean | null; reduce?: boolean | null; reduction: string }): string {
  if ((o.sizeAverage !== null && o.sizeAverage !== undefined) || (o.reduce !== null && o.reduce !== undefined)) {
    return legacyReduction(o.sizeAverage, o.reduce);
  }
  return o.reduction === 'elementwise_mean' ? 'mean' : o.reduction;
}

function reduce(loss: Tensor, reduction: string): Tensor {
  if (reduction === 'none') return loss;
  if (reduction === 'mean') return loss.mean();
  if (reduction === 'sum') return loss.sum();
  throw new RangeError(`${reduction} is not a valid value for reduction`);
}

function checkReduction(reduction: string, extra: string[] = []): void {
  if (!['none', 'mean', 'sum', ...extra].includes(reduction)) throw new RangeError(`${reduction} is not a valid value for reduction`);
}

interface LegacyOpts { sizeAverage?: boolean | null; reduce?: boolean | null; reduction?: Reduction }
const LEGACY = { sizeAverage: null as boolean | null, reduce: null as boolean | null, reduction: 'mean' as string };

interface NllOpts extends LegacyOpts { weight?: Tensor | null; ignoreIndex?: number }

/** NLL over class dim 1 (or 0 for 1-D input) of log-probabilities. */
function nllCore(logp: Tensor, target: Tensor, weight: Tensor | null, ignoreIndex: number, reduction: string): Tensor {
  if (logp.dim() < 1) throw new RangeError(`Expected 1 or more dimensions (got ${logp.dim()})`);
  const classDim = logp.dim() === 1 ? 0 : 1;
  const C = logp.shape[classDim]!;
  if (logp.dim() === 1) {
    if (target.dim() > 1) throw new RangeError('0D or 1D target tensor expected, multi-target not supported');
  } else {
    if (logp.shape[0] !== target.shape[0]) {
      throw new RangeError(`Expected input batch_size (${logp.shape[0]}) to match target batch_size (${target.shape[0]}).`);
    }
    if (logp.dim() === 2 && target.dim() !== 1) throw new RangeError('0D or 1D target tensor expected, multi-target not supported');
    if (logp.dim() > 2) {
      const expect = [logp.shape[0]!, ...logp.shape.slice(2)];
      if (target.dim() !== expect.length || target.shape.some((s, i) => s !== expect[i])) {
        throw new RangeError(`Expected target size ${listStr(expect)}, got ${listStr(target.shape)}`);
      }
    }
  }
  if (weight !== null && weight.numel() !== C) {
    throw new RangeError(`weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${listStr(weight.shape)}`);
  }
  if (target.dtype !== 'int64') throw new TypeError(`expected scalar type Long but found ${target.type().replace(/^torch\.(\w+)Tensor$/, '$1')}`);
  checkReduction(reduction);
  // target values are checked by the backend's nll kernel (`Target t is out of bounds.`), never read back here
  return K.nllLoss(logp, target, weight, reduction as K.Reduction, ignoreIndex);
}

/**
 * Negative log-likelihood of class-index `target` under log-probabilities `input` ([N, C, *] or [C]).
 * PyTorch's order: (input, target, weight, sizeAverage, ignoreIndex = -100, reduce, reduction = 'mean').
 * @example F.nllLoss(torch.randn([3, 5]).logSoftmax(1), torch.tensor([1, 0, 4], { dtype: 'int64' }))
 */
export function nllLoss(input: Tensor, target: Tensor, weight?: Tensor | null | NllOpts, sizeAverage?: boolean | null,
  ignoreIndex?: number, reduce?: boolean | null, reduction?: Reduction): Tensor {
  checkTensor('nll_loss', 'input', 1, input); checkTensor('nll_loss', 'target', 2, target); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  const o = resolveArgs('nll_loss', [weight, sizeAverage, ignoreIndex, reduce, reduction],
    { weight: null as Tensor | null, sizeAverage: null as boolean | null, ignoreIndex: -100, reduce: null as boolean | null, reduction: 'mean' as string });
  return nllCore(input, target, o.weight, o.ignoreIndex, resolveReduction(o));
}

interface CrossEntropyOpts extends NllOpts { labelSmoothing?: number }

/**
 * Cross entropy of logits `input` ([N, C, *] or [C]) with class-index targets (int64, `ignoreIndex` skipped) or
 * class-probability targets (float, same shape as input), with `weight`, `reduction` and `labelSmoothing`,
 * exactly as PyTorch. Order: (input, target, weight, sizeAverage, ignoreIndex, reduce, reduction, labelSmoothing).
 * @example F.crossEntropy(torch.randn([3, 5]), torch.tensor([1, 0, 4], { dtype: 'int64' }), { labelSmoothing: 0.1 })
 */
export function crossEntropy(input: Tensor, target: Tensor, weight?: Tensor | null | CrossEntropyOpts, sizeAverage?: boolean | null,
  ignoreIndex?: number, reduce?: boolean | null, reduction?: Reduction, labelSmoothing?: number): Tensor {
  checkTensor('cross_entropy', 'input', 1, input); checkTensor('cross_entropy', 'target', 2, target); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  const o = resolveArgs('cross_entropy', [weight, sizeAverage, ignoreIndex, reduce, reduction, labelSmoothing],
    { weight: null as Tensor | null, sizeAverage: null as boolean | null, ignoreIndex: -100, reduce: null as boolean | null, reduction: 'mean' as string, labelSmoothing: 0 });
  const red = resolveReduction(o);
  checkReduction(red);
  if (input.dim() < 1) throw new RangeError(`Expected 1 or more dimensions (got ${input.dim()})`);
  const classDim = input.dim() === 1 ? 0 : 1;
  const C = input.shape[classDim]!;
  const ls = o.labelSmoothing;
  const w = o.weight;
  if (w !== null && w.numel() !== C) {
    throw new RangeError(`weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${listStr(w.shape)}`);
  }
  const sameShape = input.dim() === target.dim() && input.shape.every((s, i) => s === target.shape[i]);
  if (sameShape) {
    if (!isFloating(target.dtype)) throw new TypeError(`Expected floating point type for target with class probabilities, got ${target.dtype === 'int64' ? 'Long' : target.dtype}`);
    if (o.ignoreIndex >= 0) throw new RangeError('ignore_index is not supported for floating point target');
    if (ls < 0 || ls > 1) throw new RangeError(`label_smoothing must be between 0.0 and 1.0. Got: ${ls}`);
    const logp = input.logSoftmax(classDim);
    let t = target;
    if (ls > 0) t = t.mul(1 - ls).add(ls / C);
    let prod = logp.mul(t);
    if (w !== null) prod = prod.mul(w.reshape(input.shape.map((s, i) => (i === classDim ? s : 1))));
    if (red === 'none') return prod.sum(classDim).neg();
    if (red === 'sum') return prod.sum().neg();
    if (input.numel() === 0) return full([], NaN, { dtype: input.dtype, device: input.device });
    return prod.sum().neg().div(input.numel() / C);
  }
  if (ls > 0) {
    if (ls > 1) throw new RangeError(`label_smoothing must be between 0.0 and 1.0. Got: ${ls}`);
    const logp = input.logSoftmax(classDim);
    const nll = nllCore(logp, target, w, o.ignoreIndex, red);
    let smooth = w !== null ? logp.mul(w.reshape(input.shape.map((s, i) => (i === classDim ? s : 1)))).sum(classDim).neg() : logp.sum(classDim).neg();
    const ignored = target.eq(o.ignoreIndex);
    smooth = smooth.maskedFill(ignored, 0);
    let ret: Tensor;
    if (red === 'mean') {
      if (w !== null) {
        const safe = where(ignored, 0, target).reshape([-1]);
        const tw = where(ignored.reshape([-1]), 0, w.gather(0, safe));
        ret = smooth.sum().div(tw.sum());
      } else {
        ret = smooth.sum().div(ignored.logicalNot().sum().to(smooth.dtype));
      }
    } else if (red === 'sum') ret = smooth.sum();
    else ret = smooth;
    return nll.mul(1 - ls).add(ret.mul(ls / C));
  }
  // logp never reaches the caller: its storage goes back once backward has used it, or at once when nothing saved
  // it, rather than at a major collection (a language model's [tokens, vocabulary] log-probabilities are large)
  const logp = markInternal(input.logSoftmax(classDim));
  const loss = nllCore(logp, target, w, o.ignoreIndex, red);
  freeIfUnused(logp);
  return loss;
}

/**
 * Mean squared error. Order: (input, target, sizeAverage, reduce, reduction = 'mean').
 * @example F.mseLoss(torch.tensor([1, 2]), torch.tensor([1, 4])) // tensor(2.)
 */
export function mseLoss(input: Tensor, target: Tensor, sizeAverage?: boolean | null | LegacyOpts, reduce?: boolean | null, reduction?: Reduction): Tensor {
  checkTensor('mse_loss', 'input', 1, input); checkTensor('mse_loss', 'target', 2, target); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  const o = resolveArgs('mse_loss', [sizeAverage, reduce, reduction], LEGACY);
  const red = resolveReduction(o);
  checkReduction(red);
  warnSizeMismatch(input, target);
  const d = input.sub(target);
  return reduceLoss(d.mul(d), red);
}

/**
 * Mean absolute error. Order: (input, target, sizeAverage, reduce, reduction).
 * @example F.l1Loss(torch.tensor([1, 2]), torch.tensor([1, 4])) // tensor(1.)
 */
export function l1Loss(input: Tensor, target: Tensor, sizeAverage?: boolean | null | LegacyOpts, reduce?: boolean | null, reduction?: Reduction): Tensor {
  checkTensor('l1_loss', 'input', 1, input); checkTensor('l1_loss', 'target', 2, target); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  const o = resolveArgs('l1_loss', [sizeAverage, reduce, reduction], LEGACY);
  const red = resolveReduction(o);
  checkReduction(red);
  warnSizeMismatch(input, target);
  return reduceLoss(input.sub(target).abs(), red);
}

function reduceLoss(l: Tensor, red: string): Tensor { return reduce(l, red); }

/**
 * PyTorch's UserWarning when a pointwise regression loss would broadcast `target` against `input`
 * (`[4, 1]` vs `[4]` silently becomes a `[4, 4]` loss): the value is still computed, as in PyTorch.
 */
function warnSizeMismatch(input: Tensor, target: Tensor): void {
  if (!(input instanceof Tensor) || !(target instanceof Tensor)) return;
  const a = input.shape, b = target.shape;
  if (a.length === b.length && a.every((n, i) => n === b[i])) return;
  warn(`Using a target size (${sizeStr(b)}) that is different to the input size (${sizeStr(a)}). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.`);
}

/**
 * Smooth L1: 0.5·d²/β where |d| < β, else |d| − 0.5·β (β = 0 is L1). Order: (input, target, sizeAverage,
 * reduce, reduction, beta = 1).
 * @example F.smoothL1Loss(torch.tensor([0, 3]), torch.tensor([0.5, 0]))
 */
export function smoothL1Loss(input: Tensor, target: Tensor, sizeAverage?: boolean | null | (LegacyOpts & { beta?: number }), reduce?: boolean | null,
  reduction?: Reduction, beta?: number): Tensor {
  checkTensor('smooth_l1_loss', 'input', 1, input); checkTensor('smooth_l1_loss', 'target', 2, target); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  const o = resolveArgs('smooth_l1_loss', [sizeAverage, reduce, reduction, beta], { ...LEGACY, beta: 1 });
  const red = resolveReduction(o);
  checkReduction(red);
  if (o.beta < 0) throw new RangeError('smooth_l1_loss does not support negative values for beta.');
  warnSizeMismatch(input, target);
  const ad = input.sub(target).abs();
  if (o.beta === 0) return reduceLoss(ad, red);
  const l = where(ad.lt(o.beta), ad.mul(ad).mul(0.5 / o.beta), ad.sub(0.5 * o.beta));
  return reduceLoss(l, red);
}

/**
 * Huber loss: 0.5·d² where |d| ≤ δ, else δ·(|d| − 0.5·δ). Order: (input, target, reduction, delta = 1).
 * @example F.huberLoss(torch.tensor([0, 3]), torch.tensor([0.5, 0]), 'mean', 1)
 */
export function huberLoss(input: Tensor, target: Tensor, reduction: Reduction | { reduction?: Reduction; delta?: number } = 'mean', delta = 1): Tensor {
  checkTensor('huber_loss', 'input', 1, input); checkTensor('huber_loss', 'target', 2, target); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  if (isOptions(reduction)) { checkOptions('huber_loss', reduction, ['reduction', 'delta']); delta = reduction.delta ?? 1; reduction = reduction.reduction ?? 'mean'; }
  checkReduction(reduction as string);
  if (delta <= 0) throw new RangeError('huber_loss does not support non-positive values for delta.');
  warnSizeMismatch(input, target);
  const ad = input.sub(target).abs();
  const l = where(ad.le(delta), ad.mul(ad).mul(0.5), ad.sub(0.5 * delta).mul(delta));
  return reduceLoss(l, reduction as string);
}

/**
 * Binary cross entropy of probabilities `input` (in [0, 1]) and `target`, logs clamped at −100 as PyTorch.
 * Order: (input, target, weight, sizeAverage, reduce, reduction).
 * @example F.binaryCrossEntropy(torch.tensor([0.9, 0.2]), torch.tensor([1, 0]))
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, weight?: Tensor | null | (LegacyOpts & { weight?: Tensor | null }),
  sizeAverage?: boolean | null, reduce?: boolean | null, reduction?: Reduction): Tensor {
  checkTensor('binary_cross_entropy', 'input', 1, input); checkTensor('binary_cross_entropy', 'target', 2, target); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  const o = resolveArgs('binary_cross_entropy', [weight, sizeAverage, reduce, reduction], { weight: null as Tensor | null, ...LEGACY });
  const red = resolveReduction(o);
  checkReduction(red);
  if (target.dim() !== input.dim() || target.shape.some((s, i) => s !== input.shape[i])) {
    throw new RangeError(`Using a target size (${sizeStr(target.shape)}) that is different to the input size (${sizeStr(input.shape)}) is deprecated. Please ensure they have the same size.`);
  }
  // the range check of the input is the backend kernel's (`all elements of input should be between 0 and 1`)
  return reduceLoss(K.binaryCrossEntropy(input, target, o.weight), red);
}

/**
 * Binary cross entropy on logits, computed stably; `posWeight` weights the positive term per class.
 * Order: (input, target, weight, sizeAverage, reduce, reduction, posWeight).
 * @example F.binaryCrossEntropyWithLogits(torch.tensor([2, -1]), torch.tensor([1, 0]), { posWeight: torch.tensor([2]) })
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, weight?: Tensor | null | (LegacyOpts & { weight?: Tensor | null; posWeight?: Tensor | null }),
  sizeAverage?: boolean | null, reduce?: boolean | null, reduction?: Reduction, posWeight?: Tensor | null): Tensor {
  checkTensor('binary_cross_entropy_with_logits', 'input', 1, input); checkTensor('binary_cross_entropy_with_logits', 'target', 2, target); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  const o = resolveArgs('binary_cross_entropy_with_logits', [weight, sizeAverage, reduce, reduction, posWeight],
    { weight: null as Tensor | null, ...LEGACY, posWeight: null as Tensor | null });
  const red = resolveReduction(o);
  checkReduction(red);
  if (target.dim() !== input.dim() || target.shape.some((s, i) => s !== input.shape[i])) {
    throw new RangeError(`Target size (${sizeStr(target.shape)}) must be the same as input size (${sizeStr(input.shape)})`);
  }
  const maxVal = input.neg().clamp(0, null);
  const lse = maxVal.neg().exp().add(input.neg().sub(maxVal).exp()).log();
  let l: Tensor;
  if (o.posWeight !== null) {
    const logWeight = o.posWeight.sub(1).mul(target).add(1);
    l = target.neg().add(1).mul(input).add(logWeight.mul(lse.add(maxVal)));
  } else {
    l = target.neg().add(1).mul(input).add(maxVal).add(lse);
  }
  if (o.weight !== null) l = l.mul(o.weight);
  return reduceLoss(l, red);
}

/**
 * Kullback-Leibler divergence with log-probability `input`: target·(log target − input) (0 where target = 0), or
 * exp(target)·(target − input) with `logTarget`. Reductions: 'mean' (elementwise), 'batchmean' (sum / N),
 * 'sum', 'none'. Order: (input, target, sizeAverage, reduce, reduction, logTarget).
 * @example F.klDiv(torch.tensor([[-1, -2]]), torch.tensor([[0.5, 0.5]]), { reduction: 'batchmean' })
 */
export function klDiv(input: Tensor, target: Tensor, sizeAverage?: boolean | null | { sizeAverage?: boolean | null; reduce?: boolean | null; reduction?: Reduction | 'batchmean'; logTarget?: boolean },
  reduce?: boolean | null, reduction?: Reduction | 'batchmean', logTarget?: boolean): Tensor {
  checkTensor('kl_div', 'input', 1, input); checkTensor('kl_div', 'target', 2, target); // a Tensor, not an array or undefined (PyTorch's TypeError, not a JS internal)
  const o = resolveArgs('kl_div', [sizeAverage, reduce, reduction, logTarget], { ...LEGACY, logTarget: false });
  const red = resolveReduction(o);
  checkReduction(red, ['batchmean']);
  let l: Tensor;
  if (o.logTarget) l = target.exp().mul(target.sub(input));
  else {
    const xlogy = where(target.eq(0), 0, target.mul(target.log()));
    l = xlogy.sub(target.mul(input));
  }
  if (red === 'batchmean') return input.dim() !== 0 ? l.sum().div(input.shape[0]!) : l.sum();
  return reduceLoss(l, red);
}

// =====================================================================================================================
// Attention

export interface MultiHeadAttentionOpts {
  training?: boolean;
  keyPaddingMask?: Tensor | null;
  needWeights?: boolean;
  attnMask?: Tensor | null;
  useSeparateProjWeight?: boolean;
  qProjWeight?: Tensor | null;
  kProjWeight?: Tensor | null;
  vProjWeight?: Tensor | null;
  staticK?: Tensor | null;
  staticV?: Tensor | null;
  averageAttnWeights?: boolean;
}

/**
 * The functional core of `nn.MultiheadAttention` (sequence-first [L, N, E] or unbatched [L, E] inputs), with
 * PyTorch's packed/separate projections, `biasK`/`biasV`, `addZeroAttn`, boolean or float `attnMask` (2-D or
 * 3-D) and `keyPaddingMask`, attention dropout and head-averaged weights. Returns [output, weights | null].
 * @example
 * const [out] = F.multiHeadAttentionForward(q, q, q, 8, 2, inW, inB, null, null, false, 0, outW, outB, { needWeights: false });
 */
export function multiHeadAttentionForward(query: Tensor, key: Tensor, value: Tensor, embedDimToCheck: number, numHeads: number,
  inProjWeight: Tensor | null, inProjBias: Tensor | null, biasK: Tensor | null, biasV: Tensor | null, addZeroAttn: boolean,
  dropoutP: number, outProjWeight: Tensor, outProjBias: Tensor | null, opts: MultiHeadAttentionOpts = {}): [Tensor, Tensor | null] {
  const training = opts.training ?? true, needWeights = opts.needWeights ?? true, avg = opts.averageAttnWeights ?? true;
  let keyPaddingMask = opts.keyPaddingMask ?? null, attnMask = opts.attnMask ?? null;
  const batched = query.dim() === 3;
  if (query.dim() !== 3 && query.dim() !== 2) {
    throw new RangeError(`query should be unbatched 2D or batched 3D tensor but received ${query.dim()}-D query tensor`);
  }
  if (key.dim() !== query.dim() || value.dim() !== query.dim()) {
    throw new RangeError(`For ${batched ? 'batched (3-D)' : 'unbatched (2-D)'} \`query\`, expected \`key\` and \`value\` to be ${batched ? '3-D' : '2-D'} but found ${key.dim()}-D and ${value.dim()}-D tensors respectively`);
  }
  if (!batched) {
    query = query.unsqueeze(1); key = key.unsqueeze(1); value = value.unsqueeze(1);
    if (keyPaddingMask !== null) keyPaddingMask = keyPaddingMask.unsqueeze(0);
    if (attnMask !== null && attnMask.dim() === 3 && attnMask.shape[0] !== numHeads) {
      throw new RangeError(`Expected \`attn_mask\` shape to be ${listStr([numHeads, query.shape[0]!, key.shape[0]!])} but got ${listStr(attnMask.shape)}`);
    }
  }
  const [tgtLen, bsz, embedDim] = query.shape as [number, number, number];
  if (keyPaddingMask !== null && keyPaddingMask.dtype !== 'bool' && !isFloating(keyPaddingMask.dtype)) {
    throw new TypeError('only bool and floating types of key_padding_mask are supported');
  }
  if (embedDim !== embedDimToCheck) throw new RangeError(`was expecting embedding dimension of ${embedDimToCheck}, but got ${embedDim}`);
  const headDim = Math.floor(embedDim / numHeads);
  if (headDim * numHeads !== embedDim) throw new RangeError(`embed_dim ${embedDim} not divisible by num_heads ${numHeads}`);
  let q: Tensor, k: Tensor, v: Tensor;
  if (!opts.useSeparateProjWeight) {
    if (key.dim() !== value.dim() || key.shape.some((s, i) => s !== value.shape[i])) {
      throw new RangeError(`key shape ${sizeStr(key.shape)} does not match value shape ${sizeStr(value.shape)}`);
    }
    if (inProjWeight === null) throw new Error('use_separate_proj_weight is False but in_proj_weight is None');
    const E = embedDim;
    if (key === value && query === key) {
      [q, k, v] = linear(query, inProjWeight, inProjBias).chunk(3, -1) as [Tensor, Tensor, Tensor];
    } else if (key === value) {
      const [wq, wkv] = inProjWeight.split([E, 2 * E]) as [Tensor, Tensor];
      const [bq, bkv] = inProjBias === null ? [null, null] : inProjBias.split([E, 2 * E]) as [Tensor, Tensor];
      q = linear(query, wq, bq);
      [k, v] = linear(key, wkv, bkv).chunk(2, -1) as [Tensor, Tensor];
    } else {
      const [wq, wk, wv] = inProjWeight.chunk(3) as [Tensor, Tensor, Tensor];
      const [bq, bk, bv] = inProjBias === null ? [null, null, null] : inProjBias.chunk(3) as [Tensor, Tensor, Tensor];
      q = linear(query, wq, bq); k = linear(key, wk, bk); v = linear(value, wv, bv);
    }
  } else {
    if (opts.qProjWeight == null || opts.kProjWeight == null || opts.vProjWeight == null) {
      throw new Error('use_separate_proj_weight is True but q_proj_weight, k_proj_weight or v_proj_weight is None');
    }
    const [bq, bk, bv] = inProjBias === null ? [null, null, null] : inProjBias.chunk(3) as [Tensor, Tensor, Tensor];
    q = linear(query, opts.qProjWeight, bq); k = linear(key, opts.kProjWeight, bk); v = linear(value, opts.vProjWeight, bv);
  }
  if (attnMask !== null) {
    if (!isFloating(attnMask.dtype) && attnMask.dtype !== 'bool') {
      throw new TypeError(`Only float, byte, and bool types are supported for attn_mask, not ${attnMask.dtype}`);
    }
    const srcLen0 = key.shape[0]!;
    if (attnMask.dim() === 2) {
      if (attnMask.shape[0] !== tgtLen || attnMask.shape[1] !== srcLen0) {
        throw new RangeError(`The shape of the 2D attn_mask is ${sizeStr(attnMask.shape)}, but should be (${tgtLen}, ${srcLen0}).`);
      }
      attnMask = attnMask.unsqueeze(0);
    } else if (attnMask.dim() === 3) {
      if (attnMask.shape[0] !== bsz * numHeads || attnMask.shape[1] !== tgtLen || attnMask.shape[2] !== srcLen0) {
        throw new RangeError(`The shape of the 3D attn_mask is ${sizeStr(attnMask.shape)}, but should be (${bsz * numHeads}, ${tgtLen}, ${srcLen0}).`);
      }
    } else throw new RangeError(`attn_mask's dimension ${attnMask.dim()} is not supported`);
  }
  if (biasK !== null && biasV !== null) {
    k = cat([k, biasK.repeat(1, bsz, 1)]);
    v = cat([v, biasV.repeat(1, bsz, 1)]);
    if (attnMask !== null) attnMask = pad(attnMask, [0, 1]);
    if (keyPaddingMask !== null) keyPaddingMask = pad(keyPaddingMask, [0, 1]);
  }
  q = q.reshape([tgtLen, bsz * numHeads, headDim]).transpose(0, 1);
  if (opts.staticK != null) k = opts.staticK;
  else k = k.reshape([k.shape[0]!, bsz * numHeads, headDim]).transpose(0, 1);
  if (opts.staticV != null) v = opts.staticV;
  else v = v.reshape([v.shape[0]!, bsz * numHeads, headDim]).transpose(0, 1);
  if (addZeroAttn) {
    const zshape = [bsz * numHeads, 1, headDim];
    k = cat([k, zeros(zshape, { dtype: k.dtype, device: k.device })], 1);
    v = cat([v, zeros(zshape, { dtype: v.dtype, device: v.device })], 1);
    if (attnMask !== null) attnMask = pad(attnMask, [0, 1]);
    if (keyPaddingMask !== null) keyPaddingMask = pad(keyPaddingMask, [0, 1]);
  }
  const srcLen = k.shape[1]!;
  if (keyPaddingMask !== null) {
    if (keyPaddingMask.shape[0] !== bsz || keyPaddingMask.shape[1] !== srcLen) {
      throw new RangeError(`expecting key_padding_mask shape of (${bsz}, ${srcLen}), but got ${sizeStr(keyPaddingMask.shape)}`);
    }
    const kpm = keyPaddingMask.reshape([bsz, 1, 1, srcLen]).expand([-1, numHeads, -1, -1]).reshape([bsz * numHeads, 1, srcLen]);
    if (attnMask === null) attnMask = kpm;
    else if (attnMask.dtype === 'bool') attnMask = attnMask.logicalOr(kpm.dtype === 'bool' ? kpm : kpm.ne(0));
    else attnMask = kpm.dtype === 'bool' ? where(kpm, -Infinity, attnMask) : attnMask.add(kpm);
  }
  if (attnMask !== null && attnMask.dtype === 'bool') {
    attnMask = zeros([...attnMask.shape], { dtype: q.dtype, device: q.device }).maskedFill(attnMask, -Infinity);
  }
  const p = training ? dropoutP : 0;
  const qScaled = q.div(Math.sqrt(headDim));
  let scores = qScaled.matmul(k.transpose(-2, -1));
  if (attnMask !== null) scores = scores.add(attnMask);
  let attn = scores.softmax(-1);
  if (p > 0) attn = dropout(attn, p);
  let out = attn.matmul(v); // [B*H, L, hd]
  out = out.transpose(0, 1).reshape([tgtLen * bsz, embedDim]);
  out = linear(out, outProjWeight, outProjBias).reshape([tgtLen, bsz, outProjWeight.shape[0]!]);
  if (!needWeights) return [batched ? out : out.squeeze(1), null];
  let w = attn.reshape([bsz, numHeads, tgtLen, srcLen]);
  if (avg) w = w.sum(1).div(numHeads);
  if (!batched) { out = out.squeeze(1); w = w.squeeze(0); }
  return [out, w];
}


// Distance functions and embedding/ranking/likelihood losses (issue 12), defined in functional_distance.ts.
export {
  normalize, cosineSimilarity, pairwiseDistance, tripletMarginLoss, marginRankingLoss, hingeEmbeddingLoss,
  cosineEmbeddingLoss, multiMarginLoss, poissonNllLoss, gaussianNllLoss,
} from './functional_distance.js';
export type { TripletMarginOptions, MultiMarginOptions, PoissonNllOptions, GaussianNllOptions } from './functional_distance.js';
// Vision functionals (interpolate, gridSample, affineGrid, pixelShuffle, instanceNorm, adaptiveMaxPool) and
// scaledDotProductAttention live in their own files.
export * from './functional_vision.js';
export * from './functional_attention.js';
