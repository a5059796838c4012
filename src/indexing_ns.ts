/**
 * `torch.indexing`: libtorch's `torch::indexing` names for the structured index form,
 * `x.index([Slice(), Slice(0, None, 2)])` ≡ Python's `x[:, 0::2]`.
 */
export { Slice, None, Ellipsis, SliceIndex, EllipsisIndex } from './ops/index_expr.js';
export type { IndexItem } from './ops/index_expr.js';
