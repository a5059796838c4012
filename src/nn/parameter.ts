/**
 * `nn.Parameter`: a tensor that a `Module` registers as one of its parameters when it is assigned to a field.
 */
import { Tensor } from '../tensor.js';
import { zeros } from '../ops.js';

/**
 * A Tensor marked as a module parameter (`torch.nn.Parameter`). It shares storage with the tensor it wraps,
 * is a leaf, and requires grad by default (pass `false` to freeze it). Assigning one to a field of a `Module`
 * registers it under the field's name, so it shows up in `parameters()`, `namedParameters()` and `stateDict()`.
 * @example
 * import * as torch from 'torchlet';
 * class Scale extends torch.nn.Module {
 *   s = new torch.nn.Parameter(torch.ones([1]));
 *   override forward(x: torch.Tensor) { return x.mul(this.s); }
 * }
 * new Scale().namedParameters().map(([n]) => n); // ['s']
 */
export class Parameter extends Tensor {
  constructor(data?: Tensor | null, requiresGrad = true) {
    const t = data ?? zeros([0]);
    // t._h: the parameter shares t's storage record (lifetime, version counter); a second record over the same
    // storage would free it when t is collected (the native backend frees storages by finalizer)
    super(t._s, [...t._shape], [...t._strides], t._offset, t._backend, t.device, t._h);
    this._inference = t._inference;
    if (requiresGrad) this.requiresGrad_(true);
  }

  /** PyTorch's printout: `Parameter containing:` followed by the tensor. */
  override toString(): string { return `Parameter containing:\n${super.toString()}`; }
}
