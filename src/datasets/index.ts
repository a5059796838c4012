/**
 * Data sets shipped with torchlet (no downloads).
 * @example
 * import * as torch from 'torchlet';
 * const { images, labels } = torch.datasets.loadDigits();
 */
export { loadDigits, DIGITS_PATH } from './digits.js';
export type { Digits } from './digits.js';
