/**
 * `torch.autograd`: `grad`, `gradcheck` and the grad-mode switches.
 * @example
 * const x = torch.tensor([2], { requiresGrad: true });
 * const [dx] = torch.autograd.grad(x.pow(3).sum(), [x]); // tensor([12.])
 */
export { grad } from '../ops.js';
export { gradcheck } from './gradcheck.js';
export { noGrad, enableGrad, inferenceMode, isGradEnabled, setGradEnabled } from './grad_mode.js';
export { Node } from './engine.js';
export { Function, FunctionCtx } from './function.js';
export * as functional from './functional.js';
export type { GradHook } from './engine.js';
export { backward } from './backward_fn.js';
