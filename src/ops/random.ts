/**
 * Random numbers: the in-place fills (`uniform_`, `normal_`, `bernoulli_`) and the random factories (`rand`,
 * `randn`, `randint`, `randperm`, ...), drawn on the tensor's device by `Backend.random` when the backend has it,
 * else on the host and uploaded.
 */
import type { RandomDistribution } from '../backend/types.js';
import type { DType } from '../dtype.js';
import { getDefaultDtype, isFloating } from '../dtype.js';
import { isGradEnabled } from '../autograd/grad_mode.js';
import { Tensor, bumpVersion, fromStorage } from '../tensor.js';
import { broadcastShapes, checkShape, contiguousStrides, fmtShape, numelOf } from '../shape.js';
import { defaultGenerator, drawSamples, Generator } from '../random.js';
import { installTensorMethods } from './registry.js';
import { TensorOptions, isPlainObject, bLayout } from './common.js';
import { resolveDevice, isMeta } from './device.js';
import { parseSize, finish, onMetaDevice, filled, fromValues, likeOpts, emptyLike } from './creation.js';
import { checkFactoryOptions } from './creation.js';
import { checkAlloc, checkInt, typeName } from './args.js';
import { checkOptions } from '../_options.js';

/** Random fills on meta write nothing; the leaf-write check still applies. */
export function checkLeafWrite(t: Tensor): Tensor {
  if (t._gradFn === null && t._requiresGrad && isGradEnabled()) throw new Error('a leaf Variable that requires grad is being used in an in-place operation.');
  return t;
}

/**
 * Fills `t` with samples on its backend (`Backend.random`, handed the generator). Backends without the kernel get
 * the samples drawn on the host and uploaded: the same values, but one transfer per fill (slow on a device).
 */
export function randomFill(t: Tensor, dist: RandomDistribution, g: Generator, p?: Tensor): Tensor {
  const k = t._backend.random;
  if (k === undefined || (p !== undefined && p._backend !== t._backend)) {
    const vals = new Float64Array(t.numel());
    drawSamples(vals, dist, g, p === undefined ? undefined : p.expand(t._shape).dataSync());
    return writeValues(t, vals);
  }
  if (t._gradFn === null && t._requiresGrad && isGradEnabled()) throw new Error('a leaf Variable that requires grad is being used in an in-place operation.');
  k.call(t._backend, t._s, t.layout, dist, g);
  bumpVersion(t);
  return t;
}

/** A new tensor of samples (rand, randn, randint, randperm), made on its device by `Backend.random` when it has it. */
export function randomTensor(shape: readonly number[], opts: TensorOptions & { generator?: Generator }, dist: RandomDistribution, defaultDt?: DType): Tensor {
  const g: Generator = opts.generator ?? defaultGenerator;
  const { dev, backend } = resolveDevice(opts.device);
  const n = numelOf(shape);
  if (dev.type !== 'meta') checkAlloc(opts.dtype ?? defaultDt ?? getDefaultDtype(), n);
  if (backend.random === undefined) {
    const vals = new Float64Array(n);
    drawSamples(vals, dist, g);
    return fromValues(shape, vals, opts, defaultDt);
  }
  const s = backend.alloc(opts.dtype ?? defaultDt ?? getDefaultDtype(), n);
  backend.random(s, { shape, strides: contiguousStrides(shape), offset: 0 }, dist, g);
  return finish(fromStorage(s, shape, backend, dev), opts);
}

export function writeValues(t: Tensor, vals: Float64Array): Tensor {
  if (t._gradFn === null && t._requiresGrad && isGradEnabled()) throw new Error('a leaf Variable that requires grad is being used in an in-place operation.');
  const src = t._backend.fromArray('float64', vals);
  t._backend.copy(src, { shape: t._shape, strides: contiguousStrides(t._shape), offset: 0 }, t._s, t.layout);
  t._backend.free(src);
  bumpVersion(t);
  return t;
}

/** Uniform [0, 1) samples from the default generator (or `opts.generator`). */
export function rand(...args: (number | readonly number[] | (TensorOptions & { generator?: Generator }))[]): Tensor {
  const { shape, opts } = parseSize(args);
  checkFactoryOptions('rand', opts, ['generator']);
  if (onMetaDevice(opts)) return filled(shape, 0, opts); // no values to draw (and no generator state consumed)
  return randomTensor(shape, opts, { kind: 'uniform', from: 0, to: 1 });
}

/** Standard normal samples. @example torch.manualSeed(0); torch.randn([2, 3]) */
export function randn(...args: (number | readonly number[] | (TensorOptions & { generator?: Generator }))[]): Tensor {
  const { shape, opts } = parseSize(args);
  checkFactoryOptions('randn', opts, ['generator']);
  if (onMetaDevice(opts)) return filled(shape, 0, opts); // no values to draw (and no generator state consumed)
  return randomTensor(shape, opts, { kind: 'normal', mean: 0, std: 1 });
}

/**
 * Integers uniform in [low, high) (int64): `randint(high, size)` or `randint(low, high, size)`.
 * @example torch.randint(0, 10, [5])
 */
export function randint(a: number, b: number | readonly number[], c?: readonly number[] | (TensorOptions & { generator?: Generator }), d?: TensorOptions & { generator?: Generator }): Tensor {
  let low = 0, high: number, size: readonly number[], opts: any = {};
  if (Array.isArray(b)) { high = a; size = b as number[]; opts = c ?? {}; } else { low = a; high = b as number; size = c as number[]; opts = d ?? {}; }
  opts = checkFactoryOptions('randint', opts, ['generator']);
  checkInt('randint', 'low', 1, low);
  checkInt('randint', 'high', 2, high);
  if (!Array.isArray(size)) throw new TypeError(`randint(): argument 'size' must be tuple of ints, not ${typeName(size)}`);
  if (high <= low) throw new RangeError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  return randomTensor(checkShape(size), opts, { kind: 'randint', low, high }, 'int64');
}

/** A random permutation of 0..n-1 (int64). */
export function randperm(n: number, opts: TensorOptions & { generator?: Generator } = {}): Tensor {
  opts = checkFactoryOptions('randperm', opts, ['generator']);
  checkInt('randperm', 'n', 1, n);
  checkShape([n]); // PyTorch: "Trying to create tensor with negative dimension -1: [-1]"
  return randomTensor([n], opts, { kind: 'permutation' }, 'int64');
}

/** Standard normal samples with another tensor's shape and dtype. */
export function randnLike(t: Tensor, opts: TensorOptions = {}): Tensor { return randn([...t._shape], likeOpts(t, opts, 'randn_like')); }

/** Uniform samples with another tensor's shape and dtype. */
export function randLike(t: Tensor, opts: TensorOptions = {}): Tensor { return rand([...t._shape], likeOpts(t, opts, 'rand_like')); }

/**
 * A `generator` argument: a Generator, undefined/null (the default generator), or `{ generator }` (PyTorch's keyword,
 * checked for unknown keys). Anything else is PyTorch's TypeError instead of failing inside the sampler.
 */
function generatorArg(fn: string, g: unknown): Generator {
  if (g === undefined || g === null) return defaultGenerator;
  if (g instanceof Generator) return g;
  if (isPlainObject(g)) {
    checkOptions(fn, g, ['generator']);
    return generatorArg(fn, (g as { generator?: unknown }).generator);
  }
  throw new TypeError(`${fn}(): argument 'generator' must be torch.Generator, not ${typeName(g)}`);
}

/** A number argument of a random fill (`from`, `to`, `mean`, `std`, `p`): no string or undefined coerced to NaN. */
function numArg(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`${fn}(): argument '${name}' must be float, not ${typeName(v)}`);
  return v;
}

/** The random methods of `Tensor` (installed on `Tensor.prototype`; typed through `interface Tensor`). */
export class RandomOps {
  /** Fills in place with U(from, to). */
  uniform_(this: Tensor, from: number | { from?: number; to?: number; generator?: Generator } = 0, to = 1, generator?: Generator | { generator?: Generator }): Tensor {
    if (isMeta(this)) return checkLeafWrite(this);
    if (isPlainObject(from)) { checkOptions('uniform_', from, ['from', 'to', 'generator']); to = from.to ?? 1; generator = from.generator; from = from.from ?? 0; }
    const g = generatorArg('uniform_', generator);
    return randomFill(this, { kind: 'uniform', from: numArg('uniform_', 'from', from), to: numArg('uniform_', 'to', to) }, g);
  }
  /** Fills in place with N(mean, std²). */
  normal_(this: Tensor, mean: number | { mean?: number; std?: number; generator?: Generator } = 0, std = 1, generator?: Generator | { generator?: Generator }): Tensor {
    if (isMeta(this)) return checkLeafWrite(this);
    if (isPlainObject(mean)) { checkOptions('normal_', mean, ['mean', 'std', 'generator']); std = mean.std ?? 1; generator = mean.generator; mean = mean.mean ?? 0; }
    const g = generatorArg('normal_', generator);
    return randomFill(this, { kind: 'normal', mean: numArg('normal_', 'mean', mean), std: numArg('normal_', 'std', std) }, g);
  }
  /**
   * Fills in place with 0/1 draws of probability `p`: a number, or a tensor of probabilities that broadcasts to
   * this shape (one draw per element).
   * @example torch.zeros([4]).bernoulli_(0.5)
   */
  bernoulli_(this: Tensor, p: number | Tensor = 0.5, generator?: Generator | { generator?: Generator }): Tensor {
    const g = generatorArg('bernoulli_', generator);
    if (!(p instanceof Tensor)) numArg('bernoulli_', 'p', p);
    if (!(p instanceof Tensor)) return randomFill(this, { kind: 'bernoulli', p }, g);
    const bs = broadcastShapes(this._shape, p._shape);
    if (bs.length !== this.dim() || bs.some((d, i) => d !== this._shape[i])) {
      throw new RangeError(`output with shape ${fmtShape(this._shape)} doesn't match the broadcast shape ${fmtShape(bs)}`);
    }
    const pf = isFloating(p.dtype) ? p.detach() : p.detach().to('float64');
    return randomFill(this, { kind: 'bernoulliTensor', p: pf._s, pl: bLayout(pf, this._shape) }, g, pf);
  }
  /**
   * A tensor of 0/1 draws with `this` as the probabilities (`torch.bernoulli(input)`), of this shape and dtype.
   * @example torch.bernoulli(torch.full([3], 0.5))
   */
  bernoulli(this: Tensor, opts: { generator?: Generator } | Generator = {}): Tensor {
    return emptyLike(this).bernoulli_(this, generatorArg('bernoulli', opts));
  }
}
installTensorMethods(RandomOps);
