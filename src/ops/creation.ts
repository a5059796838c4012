/**
 * Tensor creation: `tensor` from nested arrays, typed arrays or tensors, and the factories (`zeros`, `ones`, `full`,
 * `arange`, `linspace`, `eye`, `*Like`), each made on the device of its options by that device's backend.
 */
import type { DType, TypedArray } from '../dtype.js';
import { getDefaultDtype, isIntegral } from '../dtype.js';
import { device as parseDevice } from '../device.js';
import { Tensor, fromStorage } from '../tensor.js';
import type { NestedArray } from '../tensor.js';
import { checkShape, contiguousStrides, numelOf } from '../shape.js';
import { TensorOptions, isPlainObject } from './common.js';
import { resolveDevice } from './device.js';
import { checkAlloc, allocError, checkDType, checkFits, checkInt, checkNumber, checkOptDType, typeName } from './args.js';
import { checkOptions } from '../_options.js';

/** The options every factory takes (`torch.zeros(..., dtype=, device=, requires_grad=)`). */
export const FACTORY_KEYS = ['dtype', 'device', 'requiresGrad'] as const;

/** Checks a factory's options: known keys only, a known dtype. */
export function checkFactoryOptions(fn: string, opts: unknown, extra: readonly string[] = []): TensorOptions {
  if (opts === undefined || opts === null) return {};
  if (!isPlainObject(opts)) throw new TypeError(`${fn}(): options must be an object, not ${typeName(opts)}`);
  checkOptions(fn, opts, [...FACTORY_KEYS, ...extra]);
  checkOptDType(fn, (opts as TensorOptions).dtype);
  const rg = (opts as TensorOptions).requiresGrad;
  if (rg !== undefined && typeof rg !== 'boolean') throw new TypeError(`${fn}(): argument 'requires_grad' must be bool, not ${typeName(rg)}`);
  return opts as TensorOptions;
}

/** Allocates on the device's backend, with PyTorch's message (bytes asked for) when the request cannot be met. */
function allocChecked(backend: import('../backend/types.js').Backend, dev: { type: string }, dt: DType, numel: number) {
  if (dev.type !== 'meta') checkAlloc(dt, numel);
  try {
    return backend.alloc(dt, numel);
  } catch (e) {
    if (e instanceof RangeError && /allocat|Invalid typed array length|Array buffer/i.test(e.message)) throw allocError(dt, numel);
    throw e;
  }
}

export function parseSize(args: any[]): { shape: number[]; opts: TensorOptions & Record<string, any> } {
  let opts: any = {};
  if (args.length > 0 && isPlainObject(args[args.length - 1])) opts = args.pop();
  if (args.length > 1 && args.some((a) => typeof a !== 'number')) {
    const bad = args.find((a) => typeof a !== 'number');
    throw new TypeError(`size must be a sequence of integers, but got ${typeName(bad)}`);
  }
  // a size given as a tensor is read on the host: a shape is host metadata (PyTorch reads it too)
  const shape = args.length === 1 && Array.isArray(args[0]) ? [...args[0]] : args.length === 1 && args[0] instanceof Tensor ? [...(args[0] as Tensor).dataSync()] : args;
  return { shape: checkShape(shape as number[]), opts };
}

export function finish(t: Tensor, opts: TensorOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

/** Whether a factory's options put the result on the meta device (random factories then draw nothing). */
export function onMetaDevice(opts: TensorOptions): boolean {
  return opts.device !== undefined && parseDevice(opts.device).type === 'meta';
}

export function filled(shape: readonly number[], value: number, opts: TensorOptions, defaultDt?: DType): Tensor {
  const { dev, backend } = resolveDevice(opts.device);
  const dt = opts.dtype ?? defaultDt ?? getDefaultDtype();
  checkFits(dt, value);
  const s = allocChecked(backend, dev, dt, numelOf(shape));
  backend.fill(s, { shape, strides: contiguousStrides(shape), offset: 0 }, value);
  return finish(fromStorage(s, shape, backend, dev), opts);
}

export function fromValues(shape: readonly number[], vals: ArrayLike<number>, opts: TensorOptions, defaultDt?: DType): Tensor {
  const { dev, backend } = resolveDevice(opts.device);
  const dt = opts.dtype ?? defaultDt ?? getDefaultDtype();
  if (dev.type !== 'meta') checkAlloc(dt, vals.length);
  return finish(fromStorage(backend.fromArray(dt, vals), shape, backend, dev), opts);
}

/**
 * A tensor from (nested) arrays, a typed array or a number. JavaScript numbers carry no int/float
 * distinction, so numbers give the default float dtype (`float32`) unless `dtype` says otherwise; booleans give
 * `bool`; a typed array keeps its values and element type (`Uint8Array`/`Uint8ClampedArray` → uint8, `Int8Array` →
 * int8, `Int16Array` → int16, `Int32Array` → int32, `Float64Array` → float64, see `typedArrayDType`).
 * @example
 * torch.tensor([[1, 2], [3, 4]]);                 // float32
 * torch.tensor([1, 2], { dtype: 'int64' });      // int64
 * torch.tensor(new Uint8ClampedArray([0, 128, 255])); // uint8 [0, 128, 255]
 */
export function tensor(data: NestedArray | Tensor, opts: TensorOptions = {}): Tensor {
  opts = checkFactoryOptions('tensor', opts);
  if (data instanceof Tensor) return finish(data.detach().to({ dtype: opts.dtype ?? data.dtype, device: opts.device ?? data.device, copy: true }), opts);
  const shape: number[] = [];
  let probe: any = data;
  while (Array.isArray(probe) || ArrayBuffer.isView(probe)) {
    shape.push((probe as ArrayLike<unknown>).length);
    if (!Array.isArray(probe)) break;
    if (probe.length === 0) break;
    probe = probe[0];
  }
  if (probe instanceof Tensor) shape.push(...probe.shape);
  const flat: number[] = [];
  let allBool = true, sawValue = false;
  let typedDt: DType | null = null;
  const walk = (x: any, d: number): void => {
    if (x instanceof Tensor) {
      // tensors inside the nested data, as PyTorch accepts (their elements are read as numbers)
      if (x.dim() + d !== shape.length || x.shape.some((s, k) => s !== shape[d + k])) {
        throw new RangeError(`expected sequence of length ${shape[d] ?? 'a scalar'} at dim ${d} (got a tensor of shape [${x.shape.join(', ')}])`);
      }
      const vals = x.dataSync(); // torch.tensor(data) builds from host values, as PyTorch's does
      for (let i = 0; i < vals.length; i++) flat.push(vals[i]!);
      if (x.dtype !== 'bool') allBool = false;
      sawValue = true;
      return;
    }
    if (d === shape.length) {
      if (Array.isArray(x) || ArrayBuffer.isView(x)) throw new RangeError(`too many dimensions in tensor data at dim ${d}`);
      if (typeof x === 'boolean') { flat.push(x ? 1 : 0); sawValue = true; return; }
      if (typeof x !== 'number') throw new TypeError(`Could not infer dtype of ${typeof x}`);
      allBool = false; sawValue = true; flat.push(x); return;
    }
    if (!(Array.isArray(x) || ArrayBuffer.isView(x)) || (x as ArrayLike<unknown>).length !== shape[d]) {
      const got = Array.isArray(x) || ArrayBuffer.isView(x) ? (x as ArrayLike<unknown>).length : 'a scalar';
      throw new RangeError(`expected sequence of length ${shape[d]} at dim ${d} (got ${got})`);
    }
    if (ArrayBuffer.isView(x)) {
      if (d !== shape.length - 1) throw new RangeError(`expected sequence of length ${shape[d]} at dim ${d}`);
      const ta = x as TypedArray;
      typedDt = typedArrayDType(ta);
      for (let i = 0; i < ta.length; i++) flat.push(ta[i]!);
      allBool = typedDt === 'bool'; sawValue = true;
      return;
    }
    for (const v of x as any[]) walk(v, d + 1);
  };
  walk(data, 0);
  const dt = opts.dtype ?? typedDt ?? (sawValue && allBool ? 'bool' : getDefaultDtype());
  if (isIntegral(dt)) for (const v of flat) checkFits(dt, v, 'scalarType');
  return fromValues(shape, flat, { ...opts, dtype: dt });
}

/**
 * The dtype `torch.tensor` gives a typed array, keeping every value (PyTorch's `torch.from_numpy` mapping):
 * `Uint8Array` and `Uint8ClampedArray` (image data) → uint8, `Int8Array` → int8, `Int16Array` → int16, `Int32Array`
 * → int32, `Float64Array` → float64; `Uint16Array`, `Uint32Array` → int32/int64 (PyTorch 1.13 has no unsigned
 * 16/32-bit types; int32 holds every uint16, int64 every uint32); `BigInt64Array` is refused (its values are
 * bigints) and `Float32Array` (and anything else) → float32.
 */
function typedArrayDType(ta: ArrayBufferView): DType {
  if (ta instanceof Float64Array) return 'float64';
  if (ta instanceof Int32Array) return 'int32';
  if (ta instanceof Int16Array) return 'int16';
  if (ta instanceof Int8Array) return 'int8';
  if (ta instanceof Uint8Array || ta instanceof Uint8ClampedArray) return 'uint8';
  if (ta instanceof Uint16Array) return 'int32';
  if (ta instanceof Uint32Array) return 'int64';
  if (ta instanceof BigInt64Array || ta instanceof BigUint64Array || ta instanceof DataView) {
    throw new TypeError(`tensor(): ${ta.constructor.name} is not supported (bigint elements); convert to a Float64Array or a number array`);
  }
  return 'float32';
}

/** Alias of `tensor` (PyTorch's `as_tensor`; always copies here). */
export const asTensorFn = tensor;

/**
 * A tensor of zeros: `zeros([2, 3])`, `zeros(2, 3)`, with options `{ dtype, device, requiresGrad }`.
 * @example torch.zeros([2, 3]).shape // [2, 3]
 */
export function zeros(...args: (number | readonly number[] | TensorOptions)[]): Tensor {
  const { shape, opts } = parseSize(args);
  return filled(shape, 0, checkFactoryOptions('zeros', opts));
}

/** A tensor of ones. @example torch.ones(2).tolist() // [1, 1] */
export function ones(...args: (number | readonly number[] | TensorOptions)[]): Tensor {
  const { shape, opts } = parseSize(args);
  return filled(shape, 1, checkFactoryOptions('ones', opts));
}

/** Uninitialised in PyTorch; zero-filled here. */
export function empty(...args: (number | readonly number[] | TensorOptions)[]): Tensor {
  const { shape, opts } = parseSize(args);
  return filled(shape, 0, checkFactoryOptions('empty', opts));
}

/**
 * A tensor filled with `fillValue`. Without `dtype`, a JavaScript number gives the default float dtype (as
 * `torch.tensor(7)` does: JavaScript cannot tell `7` from `7.0`, so `torch.full([], 0.0, { requiresGrad: true })`
 * must not become int64), a boolean gives bool, and a one-element tensor gives its own dtype (bool, int64 for
 * integer tensors, the default float dtype for float tensors). Pass `{ dtype: 'int64' }` for PyTorch's
 * `torch.full(size, 7)` (a Python int). `torch.arange` keeps PyTorch's integer rule.
 * @example
 * torch.full([2], 7).dtype                          // 'float32'
 * torch.full([2], 7, { dtype: 'int64' }).tolist()   // [7, 7]
 * torch.full([], 0, { requiresGrad: true })         // tensor(0., requires_grad=True)
 */
export function full(size: readonly number[] | number, fillValue: number | boolean | Tensor, opts: TensorOptions = {}): Tensor {
  opts = checkFactoryOptions('full', opts);
  const shape = checkShape(typeof size === 'number' ? [size] : Array.isArray(size) ? size : (() => { throw new TypeError(`full(): argument 'size' (position 1) must be tuple of ints, not ${typeName(size)}`); })());
  if (fillValue instanceof Tensor) {
    // PyTorch takes a one-element tensor as the fill value (its dtype then gives the result's dtype)
    if (fillValue.numel() !== 1) throw new RangeError(`full(): a Tensor fill_value must have one element, got a tensor with ${fillValue.numel()} elements`);
    // copied on the device, not read on the host: the value may live on an accelerator
    const dt = fillValue.dtype === 'bool' ? 'bool' : fillValue.dtype === 'float64' || fillValue.dtype === 'float32' ? undefined : 'int64';
    const t = filled(shape, 0, { ...opts, requiresGrad: false }, dt);
    t.copy_(fillValue.detach().reshape([]).expand(shape));
    return finish(t, opts);
  }
  checkNumber('full', 'fill_value', 2, fillValue);
  return filled(shape, Number(fillValue), opts, typeof fillValue === 'boolean' ? 'bool' : undefined);
}

/**
 * Values from `start` to `end` (exclusive) by `step`; all-integer arguments give int64, as in PyTorch.
 * @example torch.arange(5).tolist() // [0, 1, 2, 3, 4]
 */
export function arange(start: number, end?: number | TensorOptions, step?: number | TensorOptions, opts?: TensorOptions): Tensor {
  let o: TensorOptions = {};
  const nums: number[] = [start];
  for (const a of [end, step, opts]) { if (isPlainObject(a)) o = a as TensorOptions; else if (a !== undefined) nums.push(a as number); }
  checkFactoryOptions('arange', o);
  const names = nums.length === 1 ? ['end'] : ['start', 'end', 'step'];
  nums.forEach((v, i) => { if (typeof v !== 'number') throw new TypeError(`arange(): argument '${names[i]}' (position ${i + 1}) must be Number, not ${typeName(v)}`); });
  const [s, e, st] = nums.length === 1 ? [0, nums[0]!, 1] : nums.length === 2 ? [nums[0]!, nums[1]!, 1] : [nums[0]!, nums[1]!, nums[2]!];
  if (!Number.isFinite(s) || !Number.isFinite(e)) throw new RangeError(`unsupported range: ${pyNum(s)} -> ${pyNum(e)}`);
  if (!Number.isFinite(st)) throw new RangeError(`step must be finite, got ${pyNum(st)}`);
  if (st === 0) throw new RangeError('step must be nonzero');
  if ((st > 0 && e < s) || (st < 0 && e > s)) throw new RangeError('upper bound and larger bound inconsistent with step sign');
  const allInt = Number.isInteger(s) && Number.isInteger(e) && Number.isInteger(st);
  const n = Math.ceil((e - s) / st);
  checkAlloc(o.dtype ?? (allInt ? 'int64' : getDefaultDtype()), n);
  const vals = new Float64Array(n);
  for (let i = 0; i < n; i++) vals[i] = s + i * st;
  return fromValues([n], vals, o, allInt ? 'int64' : undefined);
}

/**
 * `steps` evenly spaced values from `start` to `end` inclusive.
 * @example torch.linspace(0, 1, 5).tolist() // [0, 0.25, 0.5, 0.75, 1]
 */
export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  opts = checkFactoryOptions('linspace', opts);
  checkNumber('linspace', 'start', 1, start);
  checkNumber('linspace', 'end', 2, end);
  checkInt('linspace', 'steps', 3, steps);
  if (steps < 0) throw new RangeError('number of steps must be non-negative');
  checkAlloc(opts.dtype ?? getDefaultDtype(), steps);
  const vals = new Float64Array(steps);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // PyTorch fills the first half from start and the second half from end
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) vals[i] = i < half ? start + step * i : end - step * (steps - 1 - i);
  if (steps === 1) vals[0] = start;
  return fromValues([steps], vals, opts);
}

/** Identity matrix n×m. @example torch.eye(2).tolist() // [[1, 0], [0, 1]] */
export function eye(n: number, m?: number | TensorOptions, opts: TensorOptions = {}): Tensor {
  if (isPlainObject(m)) { opts = m as TensorOptions; m = undefined; }
  opts = checkFactoryOptions('eye', opts);
  checkInt('eye', 'n', 1, n);
  if (m !== undefined && m !== null) checkInt('eye', 'm', 2, m);
  if (n < 0) throw new RangeError(`n must be greater or equal to 0, got ${n}`);
  const cols = (m as number | undefined) ?? n;
  if (cols < 0) throw new RangeError(`m must be greater or equal to 0, got ${cols}`);
  checkAlloc(opts.dtype ?? getDefaultDtype(), n * cols);
  const vals = new Float64Array(n * cols);
  for (let i = 0; i < Math.min(n, cols); i++) vals[i * cols + i] = 1;
  return fromValues([n, cols], vals, opts);
}

export const likeOpts = (t: Tensor, o: TensorOptions, fn = 'zeros_like'): TensorOptions => {
  if (!(t instanceof Tensor)) throw new TypeError(`${fn}(): argument 'input' (position 1) must be Tensor, not ${typeName(t)}`);
  o = checkFactoryOptions(fn, o);
  return { dtype: t.dtype, device: t.device, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) };
};

/** A number as Python prints it in messages (`nan`, `inf`). */
function pyNum(v: number): string { return v !== v ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : String(v); }

/** Zeros with another tensor's shape and dtype. */
export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor { return filled(t._shape, 0, likeOpts(t, opts)); }

/** Ones with another tensor's shape and dtype. */
export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor { return filled(t._shape, 1, likeOpts(t, opts, 'ones_like')); }

/** Zeros (PyTorch: uninitialised) like another tensor. */
export function emptyLike(t: Tensor, opts: TensorOptions = {}): Tensor { return filled(t._shape, 0, likeOpts(t, opts, 'empty_like')); }

/**
 * `fillValue` with another tensor's shape, dtype and device (PyTorch's rule: the dtype is `t`'s unless `dtype` is
 * given; a fractional value in an integer tensor is truncated toward zero, a value out of range throws).
 * @example torch.fullLike(torch.zeros([2], { dtype: 'int64' }), 2.7).tolist() // [2, 2]
 */
export function fullLike(t: Tensor, fillValue: number, opts: TensorOptions = {}): Tensor {
  const o = likeOpts(t, opts, 'full_like');
  return filled(t._shape, Number(checkNumber('full_like', 'fill_value', 2, fillValue)), o);
}
