/**
 * @internal The meeting point of the Tensor class and the classes of methods the op modules define. It imports
 * nothing, so it is fully initialised before any module that uses it, whatever module a program imports first:
 * `tensor.ts` hands over `Tensor.prototype`, each op module hands over its method class, and whichever side
 * arrives second does the install. Neither side touches the other at load time, which is what lets
 * `tensor.ts`, the op modules, `autograd/rules.ts` and `nn/_kernels.ts` import each other (a cycle) and still be
 * imported first in any order.
 */

let target: object | null = null;
const pending: (abstract new (...args: never[]) => unknown)[] = [];

function copyMethods(proto: object, cls: abstract new (...args: never[]) => unknown): void {
  for (const name of Object.getOwnPropertyNames(cls.prototype)) {
    if (name === 'constructor') continue;
    Object.defineProperty(proto, name, Object.getOwnPropertyDescriptor(cls.prototype, name)!);
  }
}

/** @internal Installs the methods (and accessors) of `cls` on `Tensor.prototype`, now or once it is registered. */
export function installTensorMethods(cls: abstract new (...args: never[]) => unknown): void {
  if (target !== null) copyMethods(target, cls);
  else pending.push(cls);
}

/** @internal Called once by `tensor.ts` with `Tensor.prototype`: installs every method class handed over so far. */
export function registerTensorPrototype(proto: object): void {
  target = proto;
  for (const cls of pending.splice(0)) copyMethods(proto, cls);
}
