/** Shape and stride arithmetic shared by the frontend. */

export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) { st[d] = s; s *= Math.max(shape[d]!, 1); }
  return st;
}

export function fmtShape(shape: readonly number[]): string { return `[${shape.join(', ')}]`; }

/** A value named in a message: numbers as they are, strings quoted, other values by their type. */
export function describe(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return `'${v}'`;
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an Array';
  const c = (v as object).constructor;
  return c !== undefined && c !== Object ? `a ${c.name}` : `an ${typeof v}`;
}

/** Wraps a possibly negative dim; PyTorch's error when out of range. */
export function normDim(dim: number, ndim: number, wrapScalar = true): number {
  if (typeof dim !== 'number' || !Number.isInteger(dim)) throw new TypeError(`dim must be an integer, got ${describe(dim)}`);
  let n = ndim;
  if (n <= 0) {
    if (!wrapScalar) throw new RangeError(`dimension specified as ${dim} but tensor has no dimensions`);
    n = 1;
  }
  const min = -n, max = n - 1;
  if (dim < min || dim > max) {
    throw new RangeError(`Dimension out of range (expected to be in range of [${min}, ${max}], but got ${dim})`);
  }
  return dim < 0 ? dim + n : dim;
}

/** Normalises a list of dims (sorted, unique check as PyTorch: "dim 0 appears multiple times in the list of dims"). */
export function normDims(dims: number | readonly number[] | null | undefined, ndim: number): number[] {
  if (dims === null || dims === undefined) return Array.from({ length: ndim }, (_, i) => i);
  if (typeof dims !== 'number' && !Array.isArray(dims)) {
    throw new TypeError(`dim must be an integer or a list of integers, got ${describe(dims)}`);
  }
  const list = typeof dims === 'number' ? [dims] : dims;
  if (list.length === 0) return Array.from({ length: ndim }, (_, i) => i);
  const out: number[] = [];
  for (const d of list) {
    const nd = normDim(d, ndim);
    if (out.includes(nd)) throw new RangeError(`dim ${nd} appears multiple times in the list of dims`);
    out.push(nd);
  }
  if (ndim === 0) return [];
  return out.sort((a, b) => a - b);
}

export function broadcastShapes(...shapes: (readonly number[])[]): number[] {
  const nd = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(nd).fill(1);
  for (let i = 0; i < shapes.length; i++) {
    const s = shapes[i]!;
    for (let k = 0; k < s.length; k++) {
      const d = nd - s.length + k;
      const a = out[d]!, b = s[k]!;
      if (a === b || b === 1) continue;
      if (a === 1) { out[d] = b; continue; }
      throw new RangeError(`The size of tensor a (${a}) must match the size of tensor b (${b}) at non-singleton dimension ${d}`);
    }
  }
  return out;
}

/** Strides that read a tensor of (shape, strides) as `target` (broadcast dims get stride 0). */
export function broadcastStrides(shape: readonly number[], strides: readonly number[], target: readonly number[]): number[] {
  const nd = target.length, off = nd - shape.length;
  const out = new Array<number>(nd).fill(0);
  for (let k = 0; k < shape.length; k++) out[k + off] = shape[k] === 1 && target[k + off] !== 1 ? 0 : strides[k]!;
  return out;
}

/**
 * Strides for viewing (shape, strides) as newShape without copying, or null when impossible
 * (PyTorch's `computeStride`).
 */
export function viewStrides(shape: readonly number[], strides: readonly number[], newShape: readonly number[]): number[] | null {
  const numel = numelOf(shape);
  const out = new Array<number>(newShape.length);
  if (numel === 0) return shape.length === newShape.length && shape.every((s, i) => s === newShape[i]) ? [...strides] : contiguousStrides(newShape);
  if (numel === 1 || shape.length === 0) return contiguousStrides(newShape);
  let viewD = newShape.length - 1;
  let chunkBase = strides[strides.length - 1] ?? 1;
  let tensorNumel = 1, viewNumel = 1;
  for (let tensorD = shape.length - 1; tensorD >= 0; tensorD--) {
    tensorNumel *= shape[tensorD]!;
    if (tensorD === 0 || (shape[tensorD - 1] !== 1 && strides[tensorD - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (tensorD > 0) {
        chunkBase = strides[tensorD - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return out;
}

/** Resolves a single -1 in a requested shape; PyTorch's errors. */
export function inferShape(shape: readonly number[], numel: number): number[] {
  let infer = -1, prod = 1;
  for (let i = 0; i < shape.length; i++) {
    const s = shape[i]!;
    if (s === -1) {
      if (infer >= 0) throw new RangeError('only one dimension can be inferred');
      infer = i;
    } else if (s < 0 || !Number.isInteger(s)) {
      throw new RangeError(`invalid shape dimension ${s}`);
    } else prod *= s;
  }
  const out = [...shape];
  if (infer >= 0) {
    if (prod === 0 || numel % prod !== 0) throw new RangeError(`shape '${fmtShape(shape)}' is invalid for input of size ${numel}`);
    out[infer] = numel / prod;
  } else if (prod !== numel) {
    throw new RangeError(`shape '${fmtShape(shape)}' is invalid for input of size ${numel}`);
  }
  return out;
}

export function checkShape(shape: readonly number[]): number[] {
  if (!Array.isArray(shape)) throw new TypeError(`size must be a sequence of integers, but got ${describe(shape)}`);
  shape.forEach((s, i) => {
    if (typeof s !== 'number' || !Number.isInteger(s)) {
      throw new TypeError(`size must be a sequence of integers, but found element ${String(s)} of type ${typeof s === 'number' ? 'float' : typeof s} at pos ${i}`);
    }
    if (s < 0) throw new RangeError(`Trying to create tensor with negative dimension ${s}: ${fmtShape(shape)}`);
  });
  return [...shape];
}

/**
 * Row-major `data` as nested arrays of `shape` (what `tolist()` returns): booleans for bool data, a bare value for
 * a 0-dim shape.
 */
export function nestValues(data: ArrayLike<number>, shape: readonly number[], isBool: boolean): any {
  let i = 0;
  const build = (d: number): any => {
    if (d === shape.length) { const v = data[i++]!; return isBool ? v !== 0 : v; }
    const out = new Array(shape[d]);
    for (let k = 0; k < shape[d]!; k++) out[k] = build(d + 1);
    return out;
  };
  return build(0);
}
