/**
 * Options objects checked like Python keyword arguments: an unknown key fails as Python's
 * `f() got an unexpected keyword argument 'k'`, with a "did you mean" hint when the key is close to a real one
 * (snake_case spelling of a camelCase key, other case, or one or two typos). Without this check a misspelt
 * option (`{ keepDim: true }`, `{ requires_grad: true }`) is silently ignored and the default applies.
 */

/** Levenshtein distance, capped: only small distances matter for a hint. */
function editDistance(a: string, b: string): number {
  const m = a.length, n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[n]!;
}

const squash = (s: string): string => s.replace(/_/g, '').toLowerCase();

/** The known key closest to `key` (same letters ignoring case and `_`, or at most 2 edits), or null. */
export function closestKey(key: string, known: readonly string[]): string | null {
  let best: string | null = null, bestD = Infinity;
  for (const k of known) {
    const d = squash(k) === squash(key) ? 0 : editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) { best = k; bestD = d; }
  }
  return bestD <= Math.min(2, Math.max(1, Math.floor(key.length / 3))) ? best : null;
}

/** The error for an unknown option `key` of `fn` (PyTorch's/Python's words plus a hint). */
export function unexpectedKeyword(fn: string, key: string, known: readonly string[]): TypeError {
  const hint = closestKey(key, known);
  return new TypeError(`${fn}() got an unexpected keyword argument '${key}'${hint !== null ? ` (did you mean '${hint}'?)` : ''}`);
}

/**
 * Throws a TypeError for the first key of `opts` that is not in `known` (keys whose value is `undefined` count
 * too: `{ dtyp: undefined }` is still a misspelling). Does nothing when `opts` is null or undefined.
 * @example checkOptions('sum', { dim: 1, keepDim: true }, ['dim', 'keepdim', 'dtype']);
 * // TypeError: sum() got an unexpected keyword argument 'keepDim' (did you mean 'keepdim'?)
 */
export function checkOptions(fn: string, opts: object | null | undefined, known: readonly string[]): void {
  if (opts === null || opts === undefined) return;
  for (const k of Object.keys(opts)) {
    if (!known.includes(k)) throw unexpectedKeyword(fn, k, known);
  }
}
