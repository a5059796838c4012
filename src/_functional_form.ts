/**
 * The maker of functional forms (`torch.add(a, b)` ≡ `a.add(b)`) from tensor methods, shared by
 * `functional_forms.ts` and `indexing_forms.ts` so every functional form checks its input the same way.
 */
import type { Tensor } from './tensor.js';
import { Tensor as TensorClass } from './tensor.js';
import { typeName } from './ops/args.js';

type Method<F> = F extends (...a: any[]) => any ? F : never;

/**
 * A function making functional forms of the methods of `M` (a method class such as `TensorOps`):
 * `formMaker<M>()('take')` is `(input, ...args) => input.take(...args)`, typed from the method.
 */
export function formMaker<M>(): <K extends keyof M>(k: K) => (input: Tensor, ...args: Parameters<Method<M[K]>>) => ReturnType<Method<M[K]>> {
  return (k) => {
    const name = String(k).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    return ((input: Tensor, ...args: unknown[]) => {
      // a non-tensor input would otherwise fail as "input[k] is not a function"
      if (!(input instanceof TensorClass)) throw new TypeError(`${name}(): argument 'input' (position 1) must be Tensor, not ${typeName(input)}`);
      return (input as any)[k](...args);
    }) as any;
  };
}
