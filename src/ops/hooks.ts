/**
 * `Tensor.registerHook`: gradient hooks, kept by the autograd engine (on the leaf, or on the node of a non-leaf).
 */
import type { Tensor } from '../tensor.js';
import { installTensorMethods } from './registry.js';
import { addGradHook } from '../autograd/engine.js';
import type { GradHook } from '../autograd/engine.js';
import { refreshView } from './autograd.js';

/** What `registerHook` returns: `remove()` unregisters the hook (idempotent). */
export interface TensorHookHandle { readonly id: number; remove(): void }
let handleIds = 0;

export class HookOps {
  /**
   * Registers `hook(grad)`, called with this tensor's gradient each time it is computed; a returned tensor (of the
   * same shape) replaces the gradient, for the rest of the backward pass and for `.grad` (PyTorch's `register_hook`).
   * On a leaf the hook runs before the gradient is accumulated into `.grad`.
   * @example
   * const x = torch.tensor([1, 2], { requiresGrad: true });
   * const h = x.registerHook((g) => g.mul(2));
   * x.sum().backward(); // x.grad: [2, 2]
   * h.remove();
   */
  registerHook(this: Tensor, hook: GradHook): TensorHookHandle {
    if (typeof hook !== 'function') throw new TypeError(`register_hook(): hook must be a function, not ${typeof hook}`);
    refreshView(this);
    if (!this._requiresGrad) throw new Error("cannot register a hook on a tensor that doesn't require gradient");
    const remove = addGradHook(this, hook);
    return { id: handleIds++, remove };
  }
}
installTensorMethods(HookOps);
