/**
 * `torch.utils.data`: datasets, samplers, collation and the `DataLoader`.
 * @example
 * import * as torch from 'torchlet';
 * const { TensorDataset, DataLoader } = torch.utils.data;
 * const loader = new DataLoader(new TensorDataset(torch.randn([8, 2]), torch.arange(8)), 4, true);
 * for (const [x, y] of loader) console.log(x.shape, y.tolist());
 */
export { Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset, randomSplit } from './dataset.js';
export type { MapDataset } from './dataset.js';
export { Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler } from './sampler.js';
export type { RandomSamplerOptions } from './sampler.js';
export { defaultCollate, defaultConvert } from './collate.js';
export { DataLoader } from './dataloader.js';
export type { DataLoaderOptions, Collated } from './dataloader.js';
export { getWorkerInfo } from './_worker_info.js';
export type { WorkerInfo } from './_worker_info.js';
export type { WorkerRecipe } from './_spec.js';
