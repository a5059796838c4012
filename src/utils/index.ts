/**
 * `torch.utils`: `torch.utils.data` (datasets, samplers, `DataLoader`).
 * @example
 * import * as torch from 'torchlet';
 * const loader = new torch.utils.data.DataLoader([1, 2, 3, 4, 5], 2);
 * [...loader].map((b) => b.tolist()); // [[1, 2], [3, 4], [5]]
 */
export * as data from './data/index.js';
