/**
 * Grad mode: whether operations record a graph for autograd.
 *
 * `noGrad(fn)` runs `fn` with recording off, so results keep no graph and nothing of a validation pass stays
 * alive. It is independent of `model.eval()` (which switches Dropout/BatchNorm behaviour), exactly as in PyTorch.
 * For an async `fn` the mode is restored when its promise settles; other async work interleaved meanwhile also
 * runs without grad, so prefer a synchronous `fn` (JavaScript has no thread-local state to scope it).
 */
let enabled = true;
let inference = 0;

/**
 * True when operations record autograd history.
 * @example
 * torch.noGrad(() => torch.isGradEnabled()); // false
 */
export function isGradEnabled(): boolean { return enabled; }

/**
 * Turns recording on or off globally (`torch.set_grad_enabled`).
 * @example
 * torch.setGradEnabled(false); // ... evaluation ...
 * torch.setGradEnabled(true);
 */
export function setGradEnabled(mode: boolean): void { enabled = mode; }

/** True inside `inferenceMode`. */
export function isInferenceModeEnabled(): boolean { return inference > 0; }

function withMode<T>(mode: boolean, fn: () => T, inf = false): T {
  const prev = enabled;
  enabled = mode;
  if (inf) inference++;
  let async = false;
  try {
    const r = fn();
    if (r instanceof Promise) {
      async = true;
      return r.finally(() => { enabled = prev; if (inf) inference--; }) as unknown as T;
    }
    return r;
  } finally {
    if (!async) { enabled = prev; if (inf) inference--; }
  }
}

/**
 * Runs `fn` without recording autograd history (`with torch.no_grad():`).
 * @example
 * const y = torch.noGrad(() => model.forward(x)); // y.requiresGrad === false
 */
export function noGrad<T>(fn: () => T): T { return withMode(false, fn); }

/**
 * Runs `fn` with recording on, even inside `noGrad` (`with torch.enable_grad():`).
 * @example
 * torch.noGrad(() => torch.enableGrad(() => torch.isGradEnabled())); // true
 */
export function enableGrad<T>(fn: () => T): T { return withMode(true, fn); }

/**
 * Like `noGrad`, and tensors created inside are inference tensors: they can never require grad later.
 * Does not call `model.eval()`.
 * @example
 * const logits = torch.inferenceMode(() => model.forward(x));
 */
export function inferenceMode<T>(fn: () => T): T { return withMode(false, fn, true); }
