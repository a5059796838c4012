/**
 * `torch.nn.functional`: functional forms of layers, activations and losses.
 * @example
 * import * as torch from 'torchlet';
 * const F = torch.nn.functional;
 * F.relu(torch.tensor([-1, 2])); // tensor([0., 2.])
 */
import type { Tensor } from '../tensor.js';
import type { DType } from '../dtype.js';

/** max(x, 0). @example F.relu(torch.tensor([-1, 2])) */
export function relu(input: Tensor): Tensor { return input.relu(); }
/** Logistic sigmoid. @example F.sigmoid(torch.zeros([1])) // tensor([0.5000]) */
export function sigmoid(input: Tensor): Tensor { return input.sigmoid(); }
/** Hyperbolic tangent. @example F.tanh(torch.zeros([1])) */
export function tanh(input: Tensor): Tensor { return input.tanh(); }
/** GELU (exact, or `approximate: 'tanh'`). @example F.gelu(torch.ones([1])) */
export function gelu(input: Tensor, approximate: 'none' | 'tanh' | { approximate?: 'none' | 'tanh' } = 'none'): Tensor { return input.gelu(approximate); }
/** SiLU / swish: x·sigmoid(x). @example F.silu(torch.ones([1])) */
export function silu(input: Tensor): Tensor { return input.silu(); }
/** Leaky ReLU. @example F.leakyRelu(torch.tensor([-1]), 0.1) // tensor([-0.1000]) */
export function leakyRelu(input: Tensor, negativeSlope: number | { negativeSlope?: number } = 0.01): Tensor { return input.leakyRelu(negativeSlope); }
/** ELU. @example F.elu(torch.tensor([-1])) */
export function elu(input: Tensor, alpha: number | { alpha?: number } = 1): Tensor { return input.elu(alpha); }
/** Softplus. @example F.softplus(torch.zeros([1])) // tensor([0.6931]) */
export function softplus(input: Tensor, beta: number | { beta?: number; threshold?: number } = 1, threshold = 20): Tensor { return input.softplus(beta, threshold); }
/** Softmax along `dim`. @example F.softmax(torch.zeros([2]), 0) */
export function softmax(input: Tensor, dim: number | { dim: number; dtype?: DType }, dtype?: DType): Tensor { return input.softmax(dim, dtype); }
/** Log-softmax along `dim`. @example F.logSoftmax(torch.zeros([2]), 0) */
export function logSoftmax(input: Tensor, dim: number | { dim: number; dtype?: DType }, dtype?: DType): Tensor { return input.logSoftmax(dim, dtype); }
