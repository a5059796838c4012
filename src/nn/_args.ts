/**
 * Argument helpers shared by the nn layers and functions: PyTorch's positional order, or one trailing options
 * object with camelCase keys (`new nn.Conv2d(3, 16, 3, { padding: 1 })` ≡ `new nn.Conv2d(3, 16, 3, 1, 1)`).
 * @internal
 */
import { Tensor } from '../tensor.js';
import type { DType } from '../dtype.js';
import type { DeviceLike } from '../device.js';

/** True for `{...}` literals (not tensors, arrays, modules or other class instances). */
export function isOptions(x: unknown): x is Record<string, any> {
  if (x === null || typeof x !== 'object' || x instanceof Tensor || Array.isArray(x)) return false;
  const p = Object.getPrototypeOf(x);
  return p === Object.prototype || p === null;
}

/**
 * Resolves `positional` (PyTorch's order after the required arguments) against `names`/`defaults`: values are
 * taken by position until the first options object, whose keys then override. Unknown option keys throw.
 */
export function resolveArgs<T extends Record<string, any>>(fn: string, positional: readonly unknown[], defaults: T): T {
  const names = Object.keys(defaults);
  const out: Record<string, any> = { ...defaults };
  for (let i = 0; i < positional.length; i++) {
    const v = positional[i];
    if (isOptions(v)) {
      for (const [k, val] of Object.entries(v)) {
        if (!(k in defaults)) throw unexpectedKeyword(fn, k, names);
        if (val !== undefined) out[k] = val;
      }
      if (i !== positional.length - 1 && positional.slice(i + 1).some((x) => x !== undefined)) {
        throw new TypeError(`${fn}(): the options object must be the last argument`);
      }
      break;
    }
    if (i >= names.length) throw new TypeError(`${fn}() takes at most ${names.length} optional positional arguments`);
    if (v !== undefined) out[names[i]!] = v;
  }
  return out as T;
}

/** Edit distance (insertions, deletions, substitutions), case-insensitive, for "did you mean" hints. */
function editDistance(a: string, b: string): number {
  a = a.toLowerCase(); b = b.toLowerCase();
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The known name closest to `key` when it is a plausible typo: within 2 edits (1 for short names), or the same
 * name written snake_case (`requires_grad` → `requiresGrad`).
 */
export function didYouMean(key: string, known: readonly string[]): string | null {
  const camel = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  if (camel !== key && known.includes(camel)) return camel;
  let best: string | null = null, bestD = Infinity;
  for (const k of known) {
    const d = editDistance(key, k);
    if (d < bestD) { best = k; bestD = d; }
  }
  return best !== null && bestD <= (key.length <= 4 ? 1 : 2) ? best : null;
}

/** Python's `TypeError: f() got an unexpected keyword argument 'stric'`, with a "did you mean" hint when one fits. */
export function unexpectedKeyword(fn: string, key: string, known: readonly string[]): TypeError {
  const hint = didYouMean(key, known);
  return new TypeError(`${fn}() got an unexpected keyword argument '${key}'${hint !== null ? `; did you mean '${hint}'?` : ''}`);
}

/**
 * Checks an int-or-tuple layer argument (kernel size, stride, padding, dilation): every entry an integer (a
 * TypeError naming the argument otherwise, as PyTorch's argument parser gives for `stride=1.5`), and `ok(v)` true,
 * else a RangeError with `msg(value)`.
 */
export function checkIntArg(fn: string, name: string, v: unknown, ok: (x: number) => boolean, msg: (x: number) => string): void {
  const vals = typeof v === 'number' ? [v] : Array.isArray(v) ? v : null;
  if (vals === null || vals.length === 0 || vals.some((x) => typeof x !== 'number' || !Number.isInteger(x))) {
    throw new TypeError(`${fn}(): argument '${name}' must be an int or a tuple of ints, but got ${Array.isArray(v) ? `(${v.join(', ')})` : typeof v === 'number' ? pyNum(v) : pyTypeName(v)}`);
  }
  for (const x of vals as number[]) if (!ok(x)) throw new RangeError(msg(x));
}

/** Expands an int or a pair/tuple to `n` ints (PyTorch's `_pair`, `_single`). */
export function ntuple(v: number | readonly number[], n: number, name = 'argument'): number[] {
  // every entry an integer, as PyTorch's argument parser requires (`F.conv2d(x, w, { stride: 1.5 })`, a NaN padding,
  // a string: TypeError naming the argument instead of a fractional or NaN geometry)
  if (typeof v !== 'number' && !Array.isArray(v)) throw new TypeError(`argument '${name}' must be tuple of ints, not ${pyTypeName(v)}`);
  if (typeof v === 'number' && !Number.isInteger(v)) throw new TypeError(`argument '${name}' must be tuple of ints, not ${typeof v === 'number' && Number.isNaN(v) ? 'float (nan)' : pyTypeName(v)}`);
  if (Array.isArray(v)) {
    const bad = v.findIndex((x) => typeof x !== 'number' || !Number.isInteger(x));
    if (bad >= 0) throw new TypeError(`argument '${name}' must be tuple of ints, but found element of type ${pyTypeName(v[bad])} at pos ${bad + 1}`);
  }
  if (typeof v === 'number') return new Array<number>(n).fill(v);
  if (v.length === 1 && n > 1) return new Array<number>(n).fill(v[0]!);
  if (v.length !== n) throw new RangeError(`${name} must be an int or a tuple of ${n} ints, got [${v.join(', ')}]`);
  return [...v];
}

/** `{ device, dtype }` factory options accepted by every layer with parameters. */
export interface FactoryOptions { device?: DeviceLike; dtype?: DType }

/** PyTorch's `torch.Size([..])` rendering, used in messages. */
export function sizeStr(shape: readonly number[]): string { return `torch.Size([${shape.join(', ')}])`; }

/** `[a, b]` rendering, used in messages. */
export function listStr(shape: readonly number[]): string { return `[${shape.join(', ')}]`; }

/** Python-style type name of a value for TypeErrors (`torch.FloatTensor`, `int`, `str`, ...). */
export function pyTypeName(v: unknown): string {
  if (v instanceof Tensor) return v.type();
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'list';
  return (v as object).constructor?.name ?? typeof v;
}

/** Formats a number the way Python prints it in reprs (1 → 1, 1e-5 → 1e-05, 0.1 → 0.1). */
export function pyNum(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return String(v);
  if (!Number.isFinite(v)) return v !== v ? 'nan' : v > 0 ? 'inf' : '-inf';
  const [mant, expS] = v.toExponential().split('e') as [string, string];
  const exp = Number(expS);
  if (exp < -4 || exp >= 16) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(v);
}

/** Python-style float rendering for reprs (1 → 1.0). */
export function pyFloat(v: number): string {
  return Number.isInteger(v) ? `${v}.0` : pyNum(v);
}

/** Python tuple rendering: (3, 3), (1,). */
export function pyTuple(v: readonly number[]): string {
  return v.length === 1 ? `(${v[0]},)` : `(${v.join(', ')})`;
}
