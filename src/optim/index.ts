/**
 * `torch.optim`: optimizers with parameter groups (`SGD`, `Adam`, `AdamW`, `RMSprop`, `Adagrad`, `Adadelta`,
 * `Adamax`, `NAdam`, `RAdam`) and the learning-rate schedulers (`torch.optim.lrScheduler`), with PyTorch's
 * semantics: per-group hyperparameters, `zeroGrad`, `step(closure?)`, `stateDict`/`loadStateDict`, and
 * PyTorch's errors.
 *
 * @example
 * import * as torch from 'torchlet';
 * const w = torch.randn([3, 2], { requiresGrad: true }), b = torch.zeros([3], { requiresGrad: true });
 * const opt = new torch.optim.AdamW([{ params: [w] }, { params: [b], weightDecay: 0 }], { lr: 1e-3 });
 * const sched = new torch.optim.lrScheduler.CosineAnnealingLR(opt, 100);
 * for (let step = 0; step < 100; step++) {
 *   opt.zeroGrad();
 *   const loss = torch.randn([8, 2]).matmul(w.t()).add(b).pow(2).mean();
 *   loss.backward();
 *   torch.nn.utils.clipGradNorm_([w, b], 1.0);
 *   opt.step();
 *   sched.step();
 * }
 */
export { Optimizer, required } from './optimizer.js';
export type { ParamGroup, ParamGroupInput, ParamsT, Closure, OptimizerStateDict, OptimizerHints } from './optimizer.js';
export { SGD } from './sgd.js';
export type { SGDOptions } from './sgd.js';
export { Adam, AdamW } from './adam.js';
export type { AdamOptions } from './adam.js';
export { RMSprop } from './rmsprop.js';
export type { RMSpropOptions } from './rmsprop.js';
export { Adagrad } from './adagrad.js';
export type { AdagradOptions } from './adagrad.js';
export { Adadelta } from './adadelta.js';
export type { AdadeltaOptions } from './adadelta.js';
export { Adamax } from './adamax.js';
export type { AdamaxOptions } from './adamax.js';
export { NAdam } from './nadam.js';
export type { NAdamOptions } from './nadam.js';
export { RAdam } from './radam.js';
export type { RAdamOptions } from './radam.js';
export * as lrScheduler from './lr_scheduler.js';
export { LBFGS } from './lbfgs.js';
export type { LBFGSOptions } from './lbfgs.js';
export { Rprop } from './rprop.js';
export type { RpropOptions } from './rprop.js';
export { ASGD } from './asgd.js';
export type { ASGDOptions } from './asgd.js';
