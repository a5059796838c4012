/**
 * Functional forms of tensor methods (`torch.add(a, b)` ≡ `a.add(b)`), generated from the methods so the two
 * can never disagree. Each is documented on the method of the same name.
 */
import type { Tensor } from './tensor.js';
import { formMaker } from './_functional_form.js';
import type { TensorOps } from './ops.js';

const fn = formMaker<TensorOps>();

/** `torch.add(a, b, alpha?)`. @example torch.add(torch.ones([2]), 1) */
export const add = fn('add');
/** `torch.sub(a, b, alpha?)`. @example torch.sub(torch.ones([2]), 1) */
export const sub = fn('sub');
/** `torch.mul(a, b)`. @example torch.mul(torch.ones([2]), 3) */
export const mul = fn('mul');
/** `torch.div(a, b, roundingMode?)`. @example torch.div(torch.ones([2]), 2) */
export const div = fn('div');
export const trueDivide = fn('trueDivide');
export const floorDivide = fn('floorDivide');
export const remainder = fn('remainder');
export const fmod = fn('fmod');
/** `torch.pow(a, exponent)`. @example torch.pow(torch.tensor([2]), 3) */
export const pow = fn('pow');
export const rsub = fn('rsub');
/** `torch.maximum(a, b)`. @example torch.maximum(torch.tensor([1]), torch.tensor([2])) */
export const maximum = fn('maximum');
/** `torch.minimum(a, b)`. */
export const minimum = fn('minimum');
export const atan2 = fn('atan2');
export const eq = fn('eq');
export const ne = fn('ne');
export const lt = fn('lt');
export const le = fn('le');
export const gt = fn('gt');
export const ge = fn('ge');
export const logicalAnd = fn('logicalAnd');
export const logicalOr = fn('logicalOr');
export const logicalXor = fn('logicalXor');
export const logicalNot = fn('logicalNot');
export const isnan = fn('isnan');
export const isinf = fn('isinf');
export const isfinite = fn('isfinite');
/** `torch.equal(a, b)`: same shape and values. @example torch.equal(torch.ones([2]), torch.ones([2])) // true */
export const equal = fn('equal');
/** `torch.allclose(a, b, rtol?, atol?)`. */
export const allclose = fn('allclose');
export const isclose = fn('isclose');
export const neg = fn('neg');
export const abs = fn('abs');
export const sign = fn('sign');
/** `torch.exp(x)`. @example torch.exp(torch.zeros([1])) */
export const exp = fn('exp');
export const expm1 = fn('expm1');
/** `torch.log(x)`. */
export const log = fn('log');
export const log1p = fn('log1p');
export const log2 = fn('log2');
export const log10 = fn('log10');
export const sqrt = fn('sqrt');
export const rsqrt = fn('rsqrt');
export const square = fn('square');
export const reciprocal = fn('reciprocal');
export const sin = fn('sin');
export const cos = fn('cos');
export const tan = fn('tan');
export const asin = fn('asin');
export const acos = fn('acos');
export const atan = fn('atan');
export const sinh = fn('sinh');
export const cosh = fn('cosh');
/** `torch.tanh(x)`. */
export const tanh = fn('tanh');
export const asinh = fn('asinh');
export const acosh = fn('acosh');
export const atanh = fn('atanh');
export const erf = fn('erf');
/** `torch.relu(x)`. @example torch.relu(torch.tensor([-1, 1])) */
export const relu = fn('relu');
/** `torch.sigmoid(x)`. */
export const sigmoid = fn('sigmoid');
export const floor = fn('floor');
export const ceil = fn('ceil');
export const round = fn('round');
export const trunc = fn('trunc');
/** `torch.clamp(x, min, max)`. @example torch.clamp(torch.tensor([-2, 2]), -1, 1) */
export const clamp = fn('clamp');
export const clip = fn('clip');
export const maskedFill = fn('maskedFill');
/** `torch.sum(x, dim?, keepdim?)`. @example torch.sum(torch.ones([2, 3]), 1) */
export const sum = fn('sum');
/** `torch.mean(x, dim?, keepdim?)`. */
export const mean = fn('mean');
export const prod = fn('prod');
export const amax = fn('amax');
export const amin = fn('amin');
/** `torch.max(x)`, `torch.max(x, dim)` → [values, indices], `torch.max(a, b)` → maximum. */
export const max = fn('max');
/** `torch.min(x)`, `torch.min(x, dim)`, `torch.min(a, b)`. */
export const min = fn('min');
export const argmax = fn('argmax');
export const argmin = fn('argmin');
export const all = fn('all');
export const any = fn('any');
/** `torch.var(x, dim?, unbiased?)`. */
export const var_ = fn('var');
export const std = fn('std');
/** `torch.norm(x, p?, dim?, keepdim?)`. @example torch.norm(torch.tensor([3, 4])) // tensor(5.) */
export const norm = fn('norm');
export const logsumexp = fn('logsumexp');
/** `torch.softmax(x, dim)`. */
export const softmax = fn('softmax');
/** `torch.logSoftmax(x, dim)`. */
export const logSoftmax = fn('logSoftmax');
export const cumsum = fn('cumsum');
/** `torch.matmul(a, b)`. @example torch.matmul(torch.ones([2, 3]), torch.ones([3])) */
export const matmul = fn('matmul');
export const mm = fn('mm');
export const bmm = fn('bmm');
export const dot = fn('dot');
/** `torch.reshape(x, shape)`. */
export const reshape = fn('reshape');
/** `torch.unsqueeze(x, dim)`. @example torch.unsqueeze(torch.zeros([3, 8, 8]), 0).shape // [1, 3, 8, 8] */
export const unsqueeze = fn('unsqueeze');
export const squeeze = fn('squeeze');
export const permute = fn('permute');
export const transpose = fn('transpose');
export const swapaxes = fn('swapaxes');
export const t = fn('t');
export const narrow = fn('narrow');
export const select = fn('select');
/** `torch.flatten(x, startDim?, endDim?)`. */
export const flatten = fn('flatten');
export const unflatten = fn('unflatten');
export const split = fn('split');
export const chunk = fn('chunk');
export const unbind = fn('unbind');
export const flip = fn('flip');
export const clone = fn('clone');
/** `torch.gather(x, dim, index)`. */
export const gather = fn('gather');
/** `torch.scatter(x, dim, index, src | value)` (out of place). */
export const scatter = fn('scatter');
export const scatterAdd = fn('scatterAdd');
/** `torch.indexSelect(x, dim, index)`. */
export const indexSelect = fn('indexSelect');
export const maskedSelect = fn('maskedSelect');

// ---- sorting, order statistics, matrix-shaped and cumulative ops (issue 12; documented on the methods)
/** `torch.sort(x, dim?, descending?)` → `[values, indices]`. @example torch.sort(torch.tensor([3, 1, 2])).indices // tensor([1, 2, 0]) */
export const sort = fn('sort');
export const argsort = fn('argsort');
export const msort = fn('msort');
/** `torch.topk(x, k, dim?, largest?, sorted?)`. @example torch.topk(torch.tensor([1, 5, 3]), 1).values // tensor([5.]) */
export const topk = fn('topk');
export const kthvalue = fn('kthvalue');
/** `torch.median(x)` or `torch.median(x, dim, keepdim?)`. */
export const median = ((input: Tensor, ...args: unknown[]) => (fn('median') as (...a: unknown[]) => unknown)(input, ...args)) as {
  (input: Tensor): Tensor;
  (input: Tensor, dim: number | { dim: number; keepdim?: boolean }, keepdim?: boolean): import('./ops/reductions.js').ValuesIndices;
};
export const mode = fn('mode');
/** `torch.unique(x, sorted?, returnInverse?, returnCounts?, dim?)`. @example torch.unique(torch.tensor([2, 1, 2])) // tensor([1., 2.]) */
export const unique = fn('unique');
export const histc = fn('histc');
export const tril = fn('tril');
export const triu = fn('triu');
export const diagonal = fn('diagonal');
export const diag = fn('diag');
export const trace = fn('trace');
export const outer = fn('outer');
export const ger = fn('ger');
export const cross = fn('cross');
export const cumprod = fn('cumprod');
export const cummax = fn('cummax');
export const cummin = fn('cummin');
export const diff = fn('diff');
export const roll = fn('roll');
export const rot90 = fn('rot90');
export const clampMin = fn('clampMin');
export const clampMax = fn('clampMax');
/** `torch.lerp(start, end, weight)`. @example torch.lerp(torch.tensor([0]), torch.tensor([10]), 0.3) // tensor([3.]) */
export const lerp = fn('lerp');
export const nanToNum = fn('nanToNum');
/** `torch.multinomial(probs, numSamples, replacement?, { generator })`. */
export const multinomial = fn('multinomial');
/** `torch.bernoulli(probs, { generator })`: 0/1 draws with the given probabilities. */
export const bernoulli = fn('bernoulli');
