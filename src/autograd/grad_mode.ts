/**
 * Grad mode: whether operations record a graph for autograd.
 *
 * `noGrad(fn)` runs `fn` with recording off, so results keep no graph and nothing of a validation pass stays
 * alive. It is independent of `model.eval()` (which switches Dropout/BatchNorm behaviour), exactly as in PyTorch.
 *
 * Scoping. PyTorch keeps grad mode per thread; JavaScript interleaves async tasks on one thread, so in Node the
 * mode is kept per async context with `AsyncLocalStorage`: each `noGrad`/`enableGrad`/`inferenceMode` call (sync
 * or async `fn`) opens a scope that covers `fn` and every continuation it awaits, and nothing else. Two overlapping
 * `await torch.noGrad(async () => ...)` evaluations leave grad mode exactly as it was, in any completion order, and
 * a training task running meanwhile keeps recording. A scope ends when `fn` returns (or its promise settles):
 * callbacks it scheduled without awaiting them (a `setTimeout`, a promise nobody awaits) that run later see the
 * mode of the code around the scope, as code after a Python `with` block does.
 *
 * Without `AsyncLocalStorage` (browsers) scopes form one process-wide list: the mode is that of the innermost open
 * scope, and a scope that ends removes itself wherever it is in the list, so overlapping async scopes still restore
 * the mode correctly once all have ended; while an async scope is open, other interleaved async work sees its mode.
 *
 * Cost (scripts/bench_grad_mode.mjs, Node 20, shared x86 host, min of 6 interleaved runs before/after): a tiny
 * `add` of 4 floats 1.74 → 2.06 µs untracked and 2.33 → 1.92 µs recorded, i.e. within run-to-run noise;
 * `isGradEnabled` 4 ns either way, since outside every scope it reads one field and inside one it adds an
 * `AsyncLocalStorage.getStore()` (8 ns); a sync `noGrad` adds `AsyncLocalStorage.run` (29 ns). An
 * `await noGrad(async () => ...)` costs about 1.4 µs more (0.57 → 1.95 µs) for the promise hooks that
 * AsyncLocalStorage enables in Node 20.
 */

/** One scope's mode. `closed` once its `fn` has returned (or its promise settled). */
interface Frame {
  enabled: boolean;
  inference: boolean;
  closed: boolean;
  parent: Frame | undefined;
}

interface Storage {
  getStore(): Frame | undefined;
  run<R>(store: Frame, fn: () => R): R;
}

/** The mode outside every scope: what `setGradEnabled` sets when no scope is open. */
const root: Frame = { enabled: true, inference: false, closed: false, parent: undefined };
/** Scopes not yet closed, in every async context together: 0 lets `isGradEnabled` skip the context lookup. */
let open = 0;
/** Node's AsyncLocalStorage, when the runtime has one. */
let storage: Storage | null = null;
/** Browser fallback: the open scopes in the order they were entered. */
const list: Frame[] = [];

type AlsModule = { AsyncLocalStorage: new () => Storage };

function install(m: AlsModule | undefined): void {
  // switching while a fallback scope is open would lose it: only install between scopes
  if (m?.AsyncLocalStorage !== undefined && storage === null && list.length === 0) storage = new m.AsyncLocalStorage();
}

{
  // `process.getBuiltinModule` (Node ≥ 20.16) loads it synchronously without an `import` that browser bundlers
  // would have to resolve; older Node loads it asynchronously (scopes entered before that use the fallback list).
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown; versions?: { node?: string } } }).process;
  if (typeof proc?.getBuiltinModule === 'function') {
    install(proc.getBuiltinModule('node:async_hooks') as AlsModule | undefined);
  } else if (proc?.versions?.node !== undefined) {
    const spec = 'node:async_hooks';
    import(/* webpackIgnore: true */ /* @vite-ignore */ spec).then((m: AlsModule) => install(m), () => undefined);
  }
}

/** The innermost open scope of the current async context, or the root. */
function current(): Frame {
  if (open === 0) return root;
  if (storage !== null) {
    let f = storage.getStore();
    while (f !== undefined && f.closed) f = f.parent;
    return f ?? root;
  }
  return list.length === 0 ? root : list[list.length - 1]!;
}

/**
 * True when operations record autograd history.
 * @example
 * torch.noGrad(() => torch.isGradEnabled()); // false
 */
export function isGradEnabled(): boolean {
  return open === 0 ? root.enabled : current().enabled;
}

/** True inside `inferenceMode`. */
export function isInferenceModeEnabled(): boolean {
  return open === 0 ? root.inference : current().inference;
}

function close(f: Frame): void {
  if (f.closed) return;
  f.closed = true;
  open--;
  if (storage === null) {
    const i = list.lastIndexOf(f);
    if (i >= 0) list.splice(i, 1);
  }
}

function withMode<T>(mode: boolean, fn: () => T, inf: boolean): T {
  if (typeof fn !== 'function') throw new TypeError(`expected a function to run, but got ${fn === null ? 'null' : typeof fn}`);
  const parent = current();
  const f: Frame = { enabled: mode, inference: inf || parent.inference, closed: false, parent: parent === root ? undefined : parent };
  open++;
  let r: T;
  try {
    if (storage !== null) r = storage.run(f, fn);
    else { list.push(f); r = fn(); }
  } catch (e) {
    close(f);
    throw e;
  }
  if (r instanceof Promise) return r.finally(() => close(f)) as unknown as T;
  close(f);
  return r;
}

/**
 * Sets grad mode (`torch.set_grad_enabled`). With a function, runs it in a scope like `noGrad`/`enableGrad` do
 * (PyTorch's `with torch.set_grad_enabled(mode):`). Without one, it changes the innermost scope of the current async
 * context until that scope ends, or, called outside every scope, the process-wide default that every context without
 * a scope of its own sees (as PyTorch's call changes the current thread's mode). Concurrent async tasks that need
 * different modes should each use a scope.
 * @example
 * torch.setGradEnabled(false); // ... evaluation ...
 * torch.setGradEnabled(true);
 * const y = torch.setGradEnabled(isTraining, () => model.call(x));
 */
export function setGradEnabled(mode: boolean): void;
export function setGradEnabled<T>(mode: boolean, fn: () => T): T;
export function setGradEnabled<T>(mode: boolean, fn?: () => T): T | void {
  if (typeof mode !== 'boolean') {
    throw new TypeError(`set_grad_enabled(): argument 'mode' must be bool, not ${mode === null || mode === undefined ? 'NoneType' : typeof mode === 'number' ? (Number.isInteger(mode) ? 'int' : 'float') : typeof mode === 'string' ? 'str' : typeof mode}`);
  }
  if (fn !== undefined) return withMode(mode, fn, false);
  current().enabled = mode;
}

/**
 * Runs `fn` without recording autograd history (`with torch.no_grad():`). An async `fn` keeps the mode across its
 * awaits without affecting other async work (see the module notes for browsers).
 * @example
 * const y = torch.noGrad(() => model.forward(x)); // y.requiresGrad === false
 * const acc = await torch.noGrad(async () => evaluate(model, loader));
 */
export function noGrad<T>(fn: () => T): T { return withMode(false, fn, false); }

/**
 * Runs `fn` with recording on, even inside `noGrad` (`with torch.enable_grad():`).
 * @example
 * torch.noGrad(() => torch.enableGrad(() => torch.isGradEnabled())); // true
 */
export function enableGrad<T>(fn: () => T): T { return withMode(true, fn, false); }

/**
 * Like `noGrad`, and tensors created inside are inference tensors: they can never require grad later.
 * Does not call `model.eval()`.
 * @example
 * const logits = torch.inferenceMode(() => model.forward(x));
 */
export function inferenceMode<T>(fn: () => T): T { return withMode(false, fn, true); }

/** @internal Which scoping the runtime got: `'async-context'` (AsyncLocalStorage) or `'global'` (the fallback list). */
export function gradModeScoping(): 'async-context' | 'global' { return storage !== null ? 'async-context' : 'global'; }

/** @internal Tests only: run with the browser fallback (no AsyncLocalStorage). Only between scopes. */
export function _useFallbackScoping(on: boolean): void {
  if (open !== 0) throw new Error('_useFallbackScoping: a grad-mode scope is open');
  if (on) { saved = storage ?? saved; storage = null; } else storage = saved;
}
let saved: Storage | null = null;
