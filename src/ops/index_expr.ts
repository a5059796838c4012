/**
 * The index items of `Tensor.index` / `indexPut_` (libtorch's `TensorIndex`: `Slice`, `None`, `Ellipsis`, integers,
 * booleans, tensors) and the parser of the compact form (`x.at(':, 0::2')`), which turns the text that would stand
 * between Python's brackets into the same items. Nothing here touches tensors, so the module imports nothing from
 * the op modules (no load-order concerns).
 */

/** A Python slice `start:stop:step` (each part optional: null). Make one with {@link Slice}. */
export class SliceIndex {
  constructor(readonly start: number | null, readonly stop: number | null, readonly step: number | null) {}
  toString(): string { return `${this.start ?? ''}:${this.stop ?? ''}${this.step === null ? '' : `:${this.step}`}`; }
}

/**
 * `Slice(start?, stop?, step?)`: Python's `start:stop:step` as an index item (libtorch's `torch::indexing::Slice`);
 * null or omitted parts take Python's defaults.
 * @example x.index([torch.Slice(), torch.Slice(0, null, 2)]) // x[:, 0::2]
 */
export function Slice(start: number | null = null, stop: number | null = null, step: number | null = null): SliceIndex {
  return new SliceIndex(start ?? null, stop ?? null, step ?? null);
}

/** The type of {@link Ellipsis}. */
export class EllipsisIndex { toString(): string { return '...'; } }

/** Python's `...` as an index item (libtorch's `torch::indexing::Ellipsis`); the string `'...'` is accepted too. */
export const Ellipsis: EllipsisIndex = Object.freeze(new EllipsisIndex());

/** Python's `None` (a new dimension of size 1) as an index item: JavaScript's `null`. */
export const None = null;

/**
 * One index item: an integer (selects, removing the dimension), a {@link Slice}, `null` (None: a new dimension),
 * {@link Ellipsis} (or `'...'`), a boolean, an int64 or bool tensor, or a JavaScript array of integers or booleans
 * (read as an int64 index tensor or a bool mask, like Python's lists).
 */
export type IndexItem = number | boolean | null | SliceIndex | EllipsisIndex | '...' | object | readonly unknown[];

/** A placeholder `?` of the compact form, filled by the call's arguments in order. */
export class Placeholder { constructor(readonly n: number) {} }

/** A parsed item before placeholders are filled. */
type Parsed = number | null | EllipsisIndex | Placeholder | { slice: (number | null | Placeholder)[] } | { list: unknown[] } | { bool: boolean };

const cache = new Map<string, { items: Parsed[]; holes: number }>();

function syntaxError(expr: string, at: number, what: string): SyntaxError {
  return new SyntaxError(`invalid index expression '${expr}' at position ${at}: ${what}`);
}

/**
 * Parses the compact form: the text between Python's brackets (`':, 0::2'`, `'..., -1'`, `':, None'`,
 * `'[0, 2], :'`, `'?, 1:'`). Parsed expressions are cached (a loop re-parses nothing).
 */
function parse(expr: string): { items: Parsed[]; holes: number } {
  const hit = cache.get(expr);
  if (hit !== undefined) return hit;
  let i = 0, holes = 0;
  const ws = (): void => { while (i < expr.length && /\s/.test(expr[i]!)) i++; };
  const int = (): number | null => {
    ws();
    const m = /^[+-]?\d+/.exec(expr.slice(i));
    if (m === null) return null;
    i += m[0].length;
    return Number(m[0]);
  };
  const scalar = (): number | Placeholder | null => {
    ws();
    if (expr[i] === '?') { i++; return new Placeholder(holes++); }
    if (expr.startsWith('None', i)) { i += 4; return null; }
    const v = int();
    if (v === null) throw syntaxError(expr, i, 'expected an integer, None or ?');
    return v;
  };
  const list = (): unknown[] => {
    // a Python list literal of ints/booleans (possibly nested): an index tensor
    i++; // '['
    const out: unknown[] = [];
    ws();
    if (expr[i] === ']') { i++; return out; }
    for (;;) {
      ws();
      if (expr[i] === '[') out.push(list());
      else if (expr.startsWith('True', i)) { i += 4; out.push(true); }
      else if (expr.startsWith('False', i)) { i += 5; out.push(false); }
      else {
        const v = int();
        if (v === null) throw syntaxError(expr, i, 'expected an integer or a boolean in a list');
        out.push(v);
      }
      ws();
      if (expr[i] === ',') { i++; ws(); if (expr[i] === ']') { i++; return out; } continue; }
      if (expr[i] === ']') { i++; return out; }
      throw syntaxError(expr, i, "expected ',' or ']'");
    }
  };
  const item = (): Parsed => {
    ws();
    if (expr.startsWith('...', i)) { i += 3; return Ellipsis; }
    if (expr.startsWith('Ellipsis', i)) { i += 8; return Ellipsis; }
    if (expr[i] === '[') return { list: list() };
    // Python's x[True] / x[False]: a new dim of size 1 / 0
    if (/^(True|False)\b/.test(expr.slice(i))) { const t = expr.startsWith('True', i); i += t ? 4 : 5; return { bool: t }; }
    const parts: (number | null | Placeholder)[] = [];
    const part = (): number | null | Placeholder => { ws(); return expr[i] === ':' || expr[i] === ',' || i >= expr.length ? null : scalar(); };
    const start = i;
    parts.push(part());
    const empty = i === start;
    ws();
    if (expr[i] !== ':') {
      if (empty) throw syntaxError(expr, i, 'expected an index');
      return parts[0]!;
    }
    while (expr[i] === ':' && parts.length < 3) { i++; parts.push(part()); ws(); }
    return { slice: parts };
  };
  const items: Parsed[] = [];
  ws();
  if (i < expr.length) {
    for (;;) {
      items.push(item());
      ws();
      if (i >= expr.length) break;
      if (expr[i] !== ',') throw syntaxError(expr, i, `unexpected '${expr[i]}'`);
      i++;
      ws();
      if (i >= expr.length) break; // a trailing comma, as Python allows
    }
  }
  const r = { items, holes };
  if (cache.size > 1000) cache.clear();
  cache.set(expr, r);
  return r;
}

/**
 * The items of a compact expression with its `?` placeholders filled from `args` (in order). A placeholder in an
 * index position takes any index item (a number, a tensor, an array, null, a Slice); inside a slice it takes a
 * number or null. Returns the items and the arguments left over.
 */
export function parseIndexExpr(fn: string, expr: string, args: readonly unknown[]): { items: IndexItem[]; rest: unknown[] } {
  const { items, holes } = parse(expr);
  if (args.length < holes) {
    throw new TypeError(`${fn}(): the index expression '${expr}' has ${holes} placeholder(s) '?' but ${args.length} value(s) were given`);
  }
  const fill = (p: number | null | Placeholder): number | null => {
    if (!(p instanceof Placeholder)) return p;
    const v = args[p.n];
    if (v !== null && v !== undefined && !(typeof v === 'number' && Number.isInteger(v))) {
      throw new TypeError(`${fn}(): slice indices must be integers or None, got ${typeof v} for placeholder ${p.n + 1} of '${expr}'`);
    }
    return (v ?? null) as number | null;
  };
  const out: IndexItem[] = items.map((it) => {
    if (it instanceof Placeholder) return args[it.n] as IndexItem;
    if (it !== null && typeof it === 'object' && 'slice' in it) {
      const [a = null, b = null, c = null] = it.slice.map(fill);
      return new SliceIndex(a, b, c);
    }
    if (it !== null && typeof it === 'object' && 'list' in it) return it.list;
    if (it !== null && typeof it === 'object' && 'bool' in it) return it.bool;
    return it;
  });
  return { items: out, rest: args.slice(holes) };
}
