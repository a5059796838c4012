/**
 * Functional forms of the index-family methods (`torch.take(x, idx)` ≡ `x.take(idx)`), generated from the methods
 * as `functional_forms.ts` does, plus `torch.Slice` / `torch.Ellipsis` for the structured index form.
 */
import type { Tensor } from './tensor.js';
import { formMaker } from './_functional_form.js';
import type { IndexingOps } from './ops/indexing.js';

export { Slice, Ellipsis } from './ops/index_expr.js';
export type { IndexItem } from './ops/index_expr.js';

const fn = formMaker<IndexingOps>();

/** `torch.take(input, index)`. @example torch.take(torch.tensor([[4, 3], [5, 7]]), torch.tensor([0, 3], { dtype: 'int64' })) // tensor([4., 7.]) */
export const take = fn('take');
/** `torch.put(input, index, source, accumulate?)`. */
export const put = fn('put');
/**
 * `torch.nonzero(input, { asTuple? })`.
 * @example torch.nonzero(torch.tensor([0, 3, 0, 5])) // tensor([[1], [3]])
 */
export function nonzero(input: Tensor): Tensor;
export function nonzero(input: Tensor, opts: { asTuple: true }): Tensor[];
export function nonzero(input: Tensor, opts?: { asTuple?: boolean }): Tensor | Tensor[];
export function nonzero(input: Tensor, opts?: { asTuple?: boolean }): Tensor | Tensor[] { return fn('nonzero')(input, opts); }
/** `torch.index_put(input, indices, values, accumulate?)`. */
export const indexPut = fn('indexPut');
/** `torch.index_add(input, dim, index, source, alpha?)`. */
export const indexAdd = fn('indexAdd');
/** `torch.index_copy(input, dim, index, source)`. */
export const indexCopy = fn('indexCopy');
/** `torch.index_fill(input, dim, index, value)`. */
export const indexFill = fn('indexFill');
/** `torch.masked_scatter(input, mask, source)`. */
export const maskedScatter = fn('maskedScatter');
