/**
 * `torch.nn`. This release has the functional activations; modules, layers, losses, `init` and the
 * clipping utilities arrive with the nn and optim work (see the README's API map).
 * @example
 * import * as torch from 'torchlet';
 * torch.nn.functional.relu(torch.tensor([-1, 1]));
 */
export * as functional from './functional.js';
export * as utils from './utils.js';
