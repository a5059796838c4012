/**
 * Functional forms of the index-family methods (`torch.take(x, idx)` ≡ `x.take(idx)`), generated from the methods
 * as `functional_forms.ts` does, plus `torch.Slice` / `torch.Ellipsis` for the structured index form.
 */
import type { Tensor } from './tensor.js';
import { Tensor as TensorClass } from './tensor.js';
import { typeName } from './ops/args.js';
import type { IndexingOps } from './ops/indexing.js';

export { Slice, Ellipsis } from './ops/index_expr.js';
export type { IndexItem } from './ops/index_expr.js';

type M = IndexingOps;
function fn<K extends keyof M>(k: K): (input: Tensor, ...args: Parameters<M[K] extends (...a: any[]) => any ? M[K] : never>) => ReturnType<M[K] extends (...a: any[]) => any ? M[K] : never> {
  const name = String(k).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return ((input: Tensor, ...args: unknown[]) => {
    if (!(input instanceof TensorClass)) throw new TypeError(`${name}(): argument 'input' (position 1) must be Tensor, not ${typeName(input)}`);
    return (input as any)[k](...args);
  }) as any;
}

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
