/**
 * `torch.autograd.backward(tensors, gradTensors, { retainGraph, createGraph })`: one backward pass from several roots
 * (each with its upstream gradient), accumulating into the leaves' `.grad`.
 */
import { Tensor } from '../tensor.js';
import { runBackward } from './engine.js';
import { checkBackward } from '../ops/autograd.js';
import { checkOptions } from '../_options.js';

/**
 * Computes the sum of the gradients of `tensors` (weighted by `gradTensors`, null for one-element tensors) w.r.t. the
 * graph leaves, in one pass, as `torch.autograd.backward`.
 * @example
 * const x = torch.tensor([1, 2], { requiresGrad: true });
 * torch.autograd.backward([x.mul(2).sum(), x.pow(2)], [null, torch.ones([2])]); // x.grad: [4, 6]
 */
export function backward(tensors: Tensor | readonly Tensor[], gradTensors?: Tensor | readonly (Tensor | null)[] | null,
  opts: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
  const ts: Tensor[] = tensors instanceof Tensor ? [tensors] : [...tensors];
  if (ts.length === 0) throw new RangeError('backward(): expected at least one tensor');
  ts.forEach((t, i) => { if (!(t instanceof Tensor)) throw new TypeError(`backward(): tensors[${i}] must be a Tensor`); });
  const gs: (Tensor | null)[] = gradTensors === undefined || gradTensors === null ? ts.map(() => null)
    : gradTensors instanceof Tensor ? [gradTensors] : [...gradTensors];
  if (gs.length !== ts.length) throw new RangeError(`grad_tensors has ${gs.length} elements but tensors has ${ts.length}`);
  checkOptions('backward', opts, ['retainGraph', 'createGraph']);
  const create = opts.createGraph ?? false;
  const roots = ts.map((t, i) => checkBackward(t, gs[i]!, create, i));
  runBackward(ts, roots, opts.retainGraph ?? create, undefined, create);
}
