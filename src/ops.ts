/**
 * Tensor operations. Each method is installed on `Tensor.prototype`; `index.ts` exposes the functional forms
 * (`torch.add(a, b)`). Primitives call one backend kernel and record one autograd node whose rule lives in
 * `autograd/rules.ts`; composite operations are written with primitives and record nothing themselves.
 */
import type { Backend, BinaryOp, ConvGeometry, Layout, RandomDistribution, Storage, UnaryOp, ReduceOp } from './backend/types.js';
import type { DType, TypedArray } from './dtype.js';
import { castScalar, category, getDefaultDtype, isDType, isFloating, isIntegral, promoteTypes } from './dtype.js';
import { CPU, Device, canonicalDevice, device as parseDevice } from './device.js';
import type { DeviceLike } from './device.js';
import { Node, runBackward, setEngineOps } from './autograd/engine.js';
import type { Edge } from './autograd/engine.js';
import { isGradEnabled, noGrad } from './autograd/grad_mode.js';
import { RULES } from './autograd/rules.js';
import { softmaxForward } from './nn/_kernels.js';
import { Tensor, bumpVersion, freeHandle, fromStorage, getBackend, makeView, releaseTensor } from './tensor.js';
import type { NestedArray, Scalar } from './tensor.js';
import {
  broadcastShapes, broadcastStrides, checkShape, contiguousStrides, fmtShape, inferShape, normDim, normDims,
  numelOf, viewStrides,
} from './shape.js';
import { defaultGenerator, drawSamples, Generator } from './random.js';
import { installTensorMethods } from './ops/registry.js';

export const wrapDim = normDim;

export interface TensorOptions {
  dtype?: DType;
  device?: DeviceLike;
  requiresGrad?: boolean;
}

type TensorLike = Tensor | number | boolean;

export function isPlainObject(x: unknown): x is Record<string, any> {
  return x !== null && typeof x === 'object' && !(x instanceof Tensor) && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

// ------------------------------------------------------------------------------------------------------------
// Construction helpers

function cpu(): Backend { return getBackend('cpu'); }

/**
 * The device of a factory's `device` option (CPU when absent; `'cuda'` means `cuda:0`) and the backend instance
 * serving it. Fails with PyTorch's messages for unknown types and `Torch not compiled with CUDA enabled`.
 */
export function resolveDevice(d: DeviceLike | undefined): { dev: Device; backend: Backend } {
  const dev = d === undefined ? CPU : canonicalDevice(parseDevice(d));
  return { dev, backend: getBackend(dev) };
}

/** True for tensors on the meta device: shape-only, so checks that need values are skipped (as PyTorch's meta kernels do). */
export function isMeta(t: Tensor): boolean { return t.device.type === 'meta'; }
/** The dtype a JS scalar has when wrapped (a Python bool, int or float). */
function scalarDType(v: number | boolean): DType {
  return typeof v === 'boolean' ? 'bool' : Number.isInteger(v) ? 'int64' : 'float64';
}

/**
 * A scalar operand converted to `dt` exactly as storing it in a storage of that dtype would (what `fromArray`
 * does): float32 rounds to nearest, int64 truncates (NaN and ±inf become INT64_MIN, as PyTorch on x86), int32
 * wraps, bool is 0/1. Kernels given the scalar as a parameter therefore compute bit for bit what they computed
 * when the scalar was a one-element storage.
 */
export function scalarAs(v: number | boolean, dt: DType): number {
  const x = typeof v === 'boolean' ? (v ? 1 : 0) : v;
  switch (dt) {
    case 'float32': return Math.fround(x);
    case 'float64': return x;
    case 'int64': return x - x === 0 ? Math.trunc(x) : -9223372036854775808;
    case 'int32': return x | 0;
    case 'bool': return x ? 1 : 0;
  }
}

/** Wraps a JS scalar as a 0-dim tensor that takes part in type promotion as a Python number would. */
function wrapScalar(v: number | boolean, like: Tensor, dtype?: DType): Tensor {
  const dt: DType = dtype ?? scalarDType(v);
  const t = fromStorage(like._backend.fromArray(dt, [typeof v === 'boolean' ? (v ? 1 : 0) : v]), [], like._backend, like.device);
  t._wrapped = true;
  return t;
}

function asTensor(x: TensorLike, like: Tensor): Tensor {
  return x instanceof Tensor ? x : wrapScalar(x, like);
}

function newTensor(s: Storage, shape: readonly number[], like: Tensor): Tensor {
  return fromStorage(s, shape, like._backend, like.device);
}

/** PyTorch's result_type over tensors and wrapped scalars (dimensioned > zero-dim > scalars, by category). */
export function resultType(...xs: Tensor[]): DType {
  return resultTypeOf(xs, []);
}

/** `resultType(a, wrapScalar(v))` without making the wrapped tensor. */
function resultTypeScalar(a: Tensor, v: number | boolean): DType {
  return resultTypeOf([a], [scalarDType(v)]);
}

function resultTypeOf(xs: readonly Tensor[], scalars: readonly DType[]): DType {
  let dimR: DType | null = null, zeroR: DType | null = null, wrapR: DType | null = null;
  const up = (cur: DType | null, d: DType): DType => (cur === null ? d : promoteTypes(cur, d));
  for (const t of xs) {
    if (t._wrapped) {
      const d = isFloating(t.dtype) ? getDefaultDtype() : t.dtype;
      wrapR = up(wrapR, d);
    } else if (t.dim() === 0) zeroR = up(zeroR, t.dtype);
    else dimR = up(dimR, t.dtype);
  }
  for (const sc of scalars) wrapR = up(wrapR, isFloating(sc) ? getDefaultDtype() : sc);
  const combine = (higher: DType | null, lower: DType | null): DType | null => {
    if (higher !== null && isFloating(higher)) return higher;
    if (higher === 'bool' || (lower !== null && isFloating(lower))) {
      if (higher === null) return lower;
      if (lower === null) return higher;
      return promoteTypes(higher, lower);
    }
    if (higher !== null) return higher;
    return lower;
  };
  return combine(dimR, combine(zeroR, wrapR)) ?? getDefaultDtype();
}

function sameDeviceError(a: Device, b: Device): Error {
  return new Error(`Expected all tensors to be on the same device, but found at least two devices, ${a} and ${b}!`);
}

/** Operands of matmul, cat, gather/scatter, index ops and linear must share one device (no CPU-scalar exception). */
export function checkSameDevice(a: Tensor, b: Tensor): void {
  if (!a.device.equals(b.device) && !a._wrapped && !b._wrapped) throw sameDeviceError(a.device, b.device);
}

/** A 0-dim CPU tensor (or a wrapped scalar) may join an elementwise op on any device, as in PyTorch's TensorIterator. */
function isCpuScalar(t: Tensor): boolean { return t._wrapped || (t.dim() === 0 && t.device.type === 'cpu'); }

/**
 * The device an elementwise op over `ts` runs on: the device of its non-scalar operands, which must agree
 * (PyTorch's message otherwise); 0-dim CPU tensors follow it. All CPU scalars: the first operand's device.
 */
export function commonDevice(ts: readonly Tensor[]): Device {
  let dev: Device | null = null;
  for (const t of ts) {
    if (isCpuScalar(t)) continue;
    if (dev === null) dev = t.device;
    else if (!dev.equals(t.device)) throw sameDeviceError(dev, t.device);
  }
  return dev ?? ts[0]!.device;
}

/** `t` on `dev` (a 0-dim CPU operand moved to the op's device; autograd flows back through the move). */
function onDevice(t: Tensor, dev: Device): Tensor {
  if (t.device.equals(dev)) return t;
  const r = t.to(dev);
  r._wrapped = t._wrapped;
  return r;
}

function bLayout(t: Tensor, shape: readonly number[]): Layout {
  return { shape, strides: broadcastStrides(t._shape, t._strides, shape), offset: t._offset };
}

// ------------------------------------------------------------------------------------------------------------
// Autograd recording

export function record(name: string, out: Tensor, inputs: (Tensor | null)[], saved: (Tensor | null)[] = [], ctx: any = null, force = false): Tensor {
  if ((!force && !isGradEnabled()) || !isFloating(out.dtype)) return out;
  let any = false;
  const edges: (Edge | null)[] = inputs.map((t) => {
    if (t === null || !t._requiresGrad) return null;
    any = true;
    return { fn: t._gradFn, leaf: t._gradFn === null ? t : null };
  });
  if (!any) return out;
  const rule = RULES[name];
  if (rule === undefined) throw new Error(`internal: no backward rule for ${name}`);
  out._gradFn = new Node(name, rule, edges, inputs.map((t) => (t ? t._shape : [])), inputs.map((t) => (t ? t.dtype : 'float32')), saved, ctx);
  out._requiresGrad = true;
  return out;
}

export function needsGrad(...ts: (Tensor | null)[]): boolean {
  if (!isGradEnabled()) return false;
  for (const t of ts) {
    if (t === null) continue;
    if (t._base !== null && t._base._historyVersion !== t._viewBaseVersion) refreshView(t);
    if (t._requiresGrad) return true;
  }
  return false;
}

/**
 * Where a view sits in its base: the base's shape and strides (relative to the base's first element) and the view's
 * shape, strides and offset in the same terms. `zerosInLayout` makes a tensor laid out like the base and
 * `applyView` takes the same view of it, which is what the backward of a view or of a write into a view needs, for
 * any base layout (transposed, strided, with gaps).
 */
export interface ViewGeom {
  baseShape: number[]; baseStrides: number[]; extent: number;
  shape: number[]; strides: number[]; offset: number;
  /** several view elements share one base element (an expanded view) */
  overlap: boolean;
}

function viewGeom(v: Tensor, base: Tensor): ViewGeom {
  let extent = 1;
  for (let d = 0; d < base.dim(); d++) extent += (base._shape[d]! - 1) * base._strides[d]!;
  if (base.numel() === 0) extent = 0;
  return {
    baseShape: [...base._shape], baseStrides: [...base._strides], extent,
    shape: [...v._shape], strides: [...v._strides], offset: v._offset - base._offset,
    overlap: v._strides.some((st, d) => st === 0 && v._shape[d]! > 1),
  };
}

/** Zeros laid out like the base of `geo` (same strides), of `like`'s dtype or `dtype`. */
export function zerosInLayout(geo: ViewGeom, like: Tensor, dtype: DType = like.dtype): Tensor {
  const flat = zeros([geo.extent], { dtype, device: like.device });
  return makeView(flat, [...geo.baseShape], [...geo.baseStrides], 0);
}

/** The view of `geo` taken of `z`, a tensor laid out like the base (from `zerosInLayout`). */
export function applyView(geo: ViewGeom, z: Tensor): Tensor {
  return makeView(z, [...geo.shape], [...geo.strides], z._offset + geo.offset);
}

/** Backward of a view of its base: the gradient lands in the view's place (summed where the view overlaps). */
export function viewOfBaseBackward(g: Tensor, geo: ViewGeom): Tensor {
  if (!geo.overlap) {
    const z = zerosInLayout(geo, g);
    applyView(geo, z).copy_(g);
    return z;
  }
  const n = numelOf(geo.baseShape);
  const pos = zerosInLayout(geo, g, 'int64');
  pos.copy_(arange(n, { device: g.device }).view(geo.baseShape));
  const acc = zeros([n], { dtype: g.dtype, device: g.device });
  acc.scatterAdd_(0, applyView(geo, pos).reshape([-1]), g.reshape([-1]));
  return acc.view(geo.baseShape);
}

/**
 * A view whose base was written in place (or switched requiresGrad) after the view was made gets its history
 * regenerated from the base's current history, as PyTorch regenerates a view's grad_fn, so gradients through the
 * view reach what was written into the base. Runs whatever the grad mode: reading a view under noGrad must not
 * strip its history.
 */
export function refreshView(t: Tensor): void {
  const base = t._base;
  if (base === null || base._historyVersion === t._viewBaseVersion) return;
  t._viewBaseVersion = base._historyVersion;
  t._gradFn = null;
  t._requiresGrad = false;
  if (base._requiresGrad) record('viewOfBase', t, [base], [], { geo: viewGeom(t, base) }, true);
}

// ------------------------------------------------------------------------------------------------------------
// Primitive kernels (also used raw by backward rules)

const FLOAT_UNARY = new Set<UnaryOp>(['exp', 'log', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'reciprocal', 'sin', 'cos', 'tan',
  'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh', 'sigmoid', 'gelu', 'geluTanh', 'erf',
  'softplus', 'silu', 'reluMask', 'sigmoidGrad', 'geluGrad', 'geluTanhGrad', 'erfGrad', 'siluGrad']);

/** Applies a unary kernel without recording (rules use it for derivatives). */
export function unaryRaw(op: UnaryOp, x: Tensor, param?: number, outDtype?: DType): Tensor {
  let dt = outDtype ?? x.dtype;
  if (outDtype === undefined && FLOAT_UNARY.has(op) && !isFloating(x.dtype)) dt = getDefaultDtype();
  return newTensor(x._backend.unary(op, x._s, x.layout, dt, param), x._shape, x);
}

function unary(op: UnaryOp, x: Tensor, save: 'x' | 'out' | 'none', param?: number, ctx?: any, rule: string = op): Tensor {
  if (x.dtype === 'bool' && (op === 'neg')) {
    throw new TypeError('Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.');
  }
  const out = unaryRaw(op, x, param);
  if (!needsGrad(x)) return out;
  return record(rule, out, [x], save === 'x' ? [x] : save === 'out' ? [out] : [], ctx);
}

/** Applies a binary kernel with broadcasting, without recording. */
export function binaryRaw(op: BinaryOp, a: Tensor, b: Tensor, outDtype?: DType): Tensor {
  const shape = broadcastShapes(a._shape, b._shape);
  const dt = outDtype ?? resultType(a, b);
  return newTensor(a._backend.binary(op, a._s, bLayout(a, shape), b._s, bLayout(b, shape), dt), shape, a);
}

type BinKind = 'arith' | 'div' | 'cmp' | 'logical';

function prepBinary(aIn: Tensor, bIn: TensorLike, kind: BinKind, inPlace = false): { a: Tensor; b: Tensor; dt: DType; common: DType } {
  let a = aIn, b: Tensor;
  if (bIn instanceof Tensor) {
    b = bIn;
    if (!a.device.equals(b.device)) {
      const dev = commonDevice([a, b]);
      if (inPlace && !a.device.equals(dev)) throw sameDeviceError(dev, a.device); // self is the output: it cannot move
      a = onDevice(a, dev); b = onDevice(b, dev);
    }
  } else b = wrapScalar(bIn, a);
  let common = resultType(a, b);
  if (!(bIn instanceof Tensor) && b.dtype !== common) b = wrapScalar(bIn, a, common); // scalar in the op's dtype
  let dt = common;
  if (kind === 'div' && !isFloating(common)) dt = getDefaultDtype();
  if (kind === 'cmp' || kind === 'logical') dt = 'bool';
  return { a, b, dt, common };
}

/** What each binary rule needs saved, given which inputs need a gradient (so in-place updates of an input that no gradient needs stay legal). */
function savedFor(op: BinaryOp, a: Tensor, b: Tensor, out: Tensor, save: 'ab' | 'none' | 'abo'): (Tensor | null)[] {
  if (save === 'none') return [];
  const ga = a._requiresGrad, gb = b._requiresGrad;
  if (op === 'mul') return [gb ? a : null, ga ? b : null];
  if (op === 'div') return [gb ? a : null, b];
  return save === 'abo' ? [a, b, out] : [a, b];
}

/** The dtypes of op(a, scalar): `common` (the scalar is converted to it) and the output's. */
function scalarTypes(a: Tensor, v: number | boolean, kind: BinKind): { dt: DType; common: DType } {
  const common = resultTypeScalar(a, v);
  let dt = common;
  if (kind === 'div' && !isFloating(common)) dt = getDefaultDtype();
  if (kind === 'cmp' || kind === 'logical') dt = 'bool';
  return { dt, common };
}

/**
 * The checks PyTorch makes on integer operands, done in the kernel's place: with a scalar operand the frontend
 * knows the value; with a tensor operand the backend's kernel throws (no host read of device values here).
 */
function checkIntegerScalar(op: BinaryOp, dt: DType, value: number): void {
  if (!isIntegral(dt)) return;
  if (op === 'pow' && value < 0) throw new RangeError('Integers to negative integer powers are not allowed.');
  if ((op === 'floorDivide' || op === 'remainder' || op === 'fmod') && value === 0) throw new RangeError('ZeroDivisionError');
}

/**
 * op(a, scalar) with the scalar passed to the kernel as a parameter (`Backend.binaryScalar`): no storage is
 * allocated or uploaded for it. Returns null when the backend has no such kernel (callers then wrap the scalar).
 * Under autograd the rules that need the scalar as a tensor get a wrapped one, made only then.
 */
function binaryWithScalar(op: BinaryOp, a: Tensor, v: number | boolean, kind: BinKind, save: 'ab' | 'none' | 'abo', ctx: any, rule: string): Tensor | null {
  const k = a._backend.binaryScalar;
  if (k === undefined || op === 'addScaled') return null;
  const { dt, common } = scalarTypes(a, v, kind);
  if (op === 'sub' && a.dtype === 'bool' && typeof v === 'boolean') {
    throw new TypeError('Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.');
  }
  const value = scalarAs(v, common);
  checkIntegerScalar(op, dt, value);
  const out = newTensor(k.call(a._backend, op, a._s, a.layout, value, dt), a._shape, a);
  if (kind === 'cmp' || kind === 'logical' || !needsGrad(a)) return out;
  if (save === 'none') return record(rule, out, [a, null], [], ctx);
  const b = wrapScalar(v, a, common);
  return record(rule, out, [a, b], savedFor(op, a, b, out, save), ctx);
}

function binary(op: BinaryOp, aIn: Tensor, bIn: TensorLike, kind: BinKind, save: 'ab' | 'none' | 'abo' = 'ab', ctx: any = null, rule: string = op): Tensor {
  if (!(bIn instanceof Tensor)) {
    const r = binaryWithScalar(op, aIn, bIn, kind, save, ctx, rule);
    if (r !== null) return r;
  }
  const { a, b, dt } = prepBinary(aIn, bIn, kind);
  if (op === 'sub' && (a.dtype === 'bool' || b.dtype === 'bool') && !(b._wrapped && b.dtype !== 'bool')) {
    if (a.dtype === 'bool' && b.dtype === 'bool') {
      throw new TypeError('Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.');
    }
  }
  // Integer pow with a negative exponent and integer division by zero are checked by the backend's kernel
  // (`Backend.binary`), which throws PyTorch's errors: no host read of b's values here.
  const out = binaryRaw(op, a, b, dt);
  if (kind === 'cmp' || kind === 'logical' || !needsGrad(a, b)) return out;
  return record(rule, out, [a, b], savedFor(op, a, b, out, save), ctx);
}

// ------------------------------------------------------------------------------------------------------------
// Reductions helpers

function reduceAxes(x: Tensor, dim: number | readonly number[] | null | undefined): number[] {
  return normDims(dim, x.dim());
}

function reducedShape(shape: readonly number[], axes: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (axes.includes(d)) { if (keepdim) out.push(1); } else out.push(shape[d]!);
  }
  return out;
}

/** Views a reduced tensor (keepdim or not) as the keepdim shape and expands it to `shape`. */
export function expandReduced(g: Tensor, shape: readonly number[], axes: readonly number[], keepdim: boolean): Tensor {
  const kd = shape.map((s, d) => (axes.includes(d) ? 1 : s));
  let t = g;
  if (!keepdim) t = t.reshape(kd);
  return t.expand(shape);
}

function reduceRaw(op: ReduceOp, x: Tensor, axes: number[], keepdim: boolean, outDtype: DType): Tensor {
  const s = x._backend.reduce(op, x._s, x.layout, axes, outDtype);
  return newTensor(s, reducedShape(x._shape, axes, keepdim), x);
}

export type DimArg = number | readonly number[] | null | undefined;
export interface ReduceOpts { dim?: DimArg; keepdim?: boolean; dtype?: DType }

/** Parses (dim?, keepdim?, opts?) in PyTorch's positional order or as one trailing options object. */
function parseReduce(a?: DimArg | ReduceOpts, b?: boolean | ReduceOpts, c?: ReduceOpts): Required<Pick<ReduceOpts, 'keepdim'>> & ReduceOpts {
  let dim: DimArg = undefined, keepdim = false, dtype: DType | undefined;
  const apply = (o: ReduceOpts) => { if (o.dim !== undefined) dim = o.dim; if (o.keepdim !== undefined) keepdim = o.keepdim; if (o.dtype !== undefined) dtype = o.dtype; };
  if (isPlainObject(a)) apply(a as ReduceOpts); else dim = a as DimArg;
  if (isPlainObject(b)) apply(b as ReduceOpts); else if (b !== undefined) keepdim = b as boolean;
  if (c !== undefined) apply(c);
  return { dim, keepdim, dtype };
}

export type ValuesIndices = [Tensor, Tensor] & { values: Tensor; indices: Tensor };
function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  return Object.assign([values, indices] as [Tensor, Tensor], { values, indices });
}

// ------------------------------------------------------------------------------------------------------------
// In-place machinery

function canCast(from: DType, to: DType): boolean {
  return category(from) <= category(to);
}

function checkWritable(t: Tensor): void {
  for (let d = 0; d < t._shape.length; d++) {
    if (t._strides[d] === 0 && t._shape[d]! > 1) {
      throw new Error('unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.');
    }
  }
}

/**
 * Runs an in-place op: under autograd the out-of-place result is computed (recording a node) and written
 * back, and `self` takes over its history; otherwise `fast` writes directly into self's storage.
 */
function inplace(self: Tensor, others: (Tensor | null)[], outDtype: DType, compute: (src: Tensor) => Tensor, fast: () => void): Tensor {
  checkWritable(self);
  if (!canCast(outDtype, self.dtype)) {
    throw new TypeError(`result type ${torchTypeName(outDtype)} can't be cast to the desired output type ${torchTypeName(self.dtype)}`);
  }
  for (const o of others) {
    if (o === null) continue;
    const bs = broadcastShapes(self._shape, o._shape);
    if (bs.length !== self.dim() || bs.some((d, i) => d !== self._shape[i])) {
      throw new RangeError(`output with shape ${fmtShape(self._shape)} doesn't match the broadcast shape ${fmtShape(bs)}`);
    }
  }
  if (needsGrad(self, ...others)) {
    // The op runs out of place on a snapshot of self (so a rule that saves the original value keeps it), then
    // the result is written into self's storage and self takes over the new history.
    const r = compute(self.clone());
    writeWithHistory(self, r.to(self.dtype));
    return self;
  }
  fast();
  bumpVersion(self);
  return self;
}

/**
 * Writes `r` (self's shape) into self's storage and gives self (and, for a view, its base) the history of `r`.
 * For a view this is PyTorch's CopySlices: the base's new node routes the gradient of the written region to `r`
 * and the rest to the base's previous history.
 */
function writeWithHistory(self: Tensor, r: Tensor): void {
  if (self._gradFn === null && self._requiresGrad) {
    throw new Error('a leaf Variable that requires grad is being used in an in-place operation.');
  }
  const base = self._base;
  if (base !== null && base._gradFn === null && base._requiresGrad) {
    throw new Error('a view of a leaf Variable that requires grad is being used in an in-place operation.');
  }
  self._backend.copy(r._s, r.layout, self._s, self.layout);
  bumpVersion(self);
  if (base === null) {
    self._gradFn = r._gradFn;
    self._requiresGrad = r._requiresGrad;
    self._historyVersion++; // views of self made earlier regenerate their history
    return;
  }
  if (r._requiresGrad || base._requiresGrad) {
    const old = detach(base);
    old._gradFn = base._gradFn;
    old._requiresGrad = base._requiresGrad;
    base._gradFn = null;
    record('copySlices', base, [old, r], [], { geo: viewGeom(self, base) }, true);
    base._historyVersion++;
  }
  refreshView(self);
}

function torchTypeName(d: DType): string {
  return { float32: 'Float', float64: 'Double', int64: 'Long', int32: 'Int', bool: 'Bool' }[d];
}

/**
 * In-place op(self, scalar) outside autograd with the scalar as a kernel parameter (no storage for it); null when
 * the backend has no `binaryScalar` or a gradient is needed (the callers' general path handles those). `alpha`
 * (add_/sub_) is folded into the scalar: a + alpha·b is evaluated as a + (alpha·b) in doubles either way.
 */
function scalarInplace(self: Tensor, op: 'add' | 'sub' | 'mul' | 'div' | 'pow', v: number | boolean, kind: BinKind, alpha = 1): Tensor | null {
  const k = self._backend.binaryScalar;
  if (k === undefined || needsGrad(self)) return null;
  const { dt, common } = scalarTypes(self, v, kind);
  let value = scalarAs(v, common);
  checkIntegerScalar(op, dt, value);
  let kop: BinaryOp = op;
  if (alpha !== 1) { kop = 'add'; value = (op === 'sub' ? -alpha : alpha) * value; }
  return inplace(self, [], dt, () => { throw new Error('internal: scalarInplace under autograd'); },
    () => { k.call(self._backend, kop, self._s, self.layout, value, self.dtype, self._s, self.layout); });
}

/**
 * Writes op(self, other) into self directly (no autograd); `addScaled` computes self + param·other. Called from
 * `inplace`, which has already checked that `b` broadcasts to self's shape.
 */
function binaryInto(op: BinaryOp, self: Tensor, b: Tensor, param?: number): void {
  const shape = self._shape;
  let src = b;
  if (b._s === self._s && (b._offset !== self._offset || b._strides.some((s, i) => s !== self._strides[i + self.dim() - b.dim()]))) {
    src = b.clone();
  }
  self._backend.binary(op, self._s, self.layout, src._s, bLayout(src, shape), self.dtype, self._s, self.layout, param);
}

// ------------------------------------------------------------------------------------------------------------
// The methods

export class TensorOps {
  // ---- elementwise arithmetic
  /**
   * Elementwise `this + alpha * other` with broadcasting and type promotion.
   * @example torch.tensor([1, 2]).add(torch.tensor([10, 20])) // tensor([11., 22.])
   */
  add(this: Tensor, other: TensorLike, alpha: number | { alpha?: number } = 1): Tensor {
    const al = typeof alpha === 'number' ? alpha : alpha.alpha ?? 1;
    if (al === 1) return binary('add', this, other, 'arith', 'none', { alpha: 1 });
    const { b } = prepBinary(this, other, 'arith');
    return binary('add', this, b.mul(al), 'arith', 'none', { alpha: 1 });
  }
  /** Elementwise `this - alpha * other`. @example torch.tensor([3]).sub(1) // tensor([2.]) */
  sub(this: Tensor, other: TensorLike, alpha: number | { alpha?: number } = 1): Tensor {
    const al = typeof alpha === 'number' ? alpha : alpha.alpha ?? 1;
    if (al === 1) return binary('sub', this, other, 'arith', 'none', { alpha: 1 });
    const { b } = prepBinary(this, other, 'arith');
    return binary('sub', this, b.mul(al), 'arith', 'none', { alpha: 1 });
  }
  /** Elementwise product. @example torch.tensor([2, 3]).mul(2) // tensor([4., 6.]) */
  mul(this: Tensor, other: TensorLike): Tensor { return binary('mul', this, other, 'arith'); }
  /**
   * Elementwise true division (integers give the default float dtype); `roundingMode` 'trunc' or 'floor'.
   * @example torch.tensor([1, 2], { dtype: 'int64' }).div(2) // tensor([0.5000, 1.0000])
   */
  div(this: Tensor, other: TensorLike, roundingMode?: 'trunc' | 'floor' | null | { roundingMode?: 'trunc' | 'floor' | null }): Tensor {
    const rm = isPlainObject(roundingMode) ? roundingMode.roundingMode : roundingMode;
    if (rm === 'floor') return this.floorDivide(other);
    if (rm === 'trunc') {
      const { a, b, common } = prepBinary(this, other, 'arith');
      return binaryRaw('div', a, b, isFloating(common) ? common : 'float64').trunc().to(common);
    }
    return binary('div', this, other, 'div');
  }
  /** Alias of `div`. */
  trueDivide(this: Tensor, other: TensorLike): Tensor { return this.div(other); }
  /** Floor of the quotient (`//`). @example torch.tensor([-7]).floorDivide(2) // tensor([-4.]) */
  floorDivide(this: Tensor, other: TensorLike): Tensor { return binary('floorDivide', this, other, 'arith', 'none'); }
  /** Python's modulo (sign of the divisor). */
  remainder(this: Tensor, other: TensorLike): Tensor { return binary('remainder', this, other, 'arith', 'none'); }
  /** C's fmod (sign of the dividend). */
  fmod(this: Tensor, other: TensorLike): Tensor { return binary('fmod', this, other, 'arith', 'none'); }
  /** Elementwise power. @example torch.tensor([2, 3]).pow(2) // tensor([4., 9.]) */
  pow(this: Tensor, exponent: TensorLike): Tensor { return binary('pow', this, exponent, 'arith', 'abo'); }
  /** `other - this`, i.e. PyTorch's `rsub`. */
  rsub(this: Tensor, other: TensorLike): Tensor { return asTensor(other, this).sub(this); }
  /** Elementwise maximum (NaN propagates). @example torch.tensor([1, 5]).maximum(torch.tensor([3, 2])) // tensor([3., 5.]) */
  maximum(this: Tensor, other: Tensor): Tensor { return binary('maximum', this, other, 'arith'); }
  /** Elementwise minimum (NaN propagates). */
  minimum(this: Tensor, other: Tensor): Tensor { return binary('minimum', this, other, 'arith'); }
  /** Elementwise atan2(this, other). */
  atan2(this: Tensor, other: Tensor): Tensor { return binary('atan2', this, other, 'div'); }

  // ---- comparisons and logic (bool results)
  /** Elementwise `==` (bool). @example torch.tensor([1, 2]).eq(2) // tensor([false, true]) */
  eq(this: Tensor, other: TensorLike): Tensor { return binary('eq', this, other, 'cmp'); }
  /** Elementwise `!=`. */
  ne(this: Tensor, other: TensorLike): Tensor { return binary('ne', this, other, 'cmp'); }
  /** Elementwise `<`. */
  lt(this: Tensor, other: TensorLike): Tensor { return binary('lt', this, other, 'cmp'); }
  /** Elementwise `<=`. */
  le(this: Tensor, other: TensorLike): Tensor { return binary('le', this, other, 'cmp'); }
  /** Elementwise `>`. */
  gt(this: Tensor, other: TensorLike): Tensor { return binary('gt', this, other, 'cmp'); }
  /** Elementwise `>=`. */
  ge(this: Tensor, other: TensorLike): Tensor { return binary('ge', this, other, 'cmp'); }
  /** Elementwise logical and. */
  logicalAnd(this: Tensor, other: TensorLike): Tensor { return binary('logicalAnd', this, other, 'logical'); }
  /** Elementwise logical or. */
  logicalOr(this: Tensor, other: TensorLike): Tensor { return binary('logicalOr', this, other, 'logical'); }
  /** Elementwise logical xor. */
  logicalXor(this: Tensor, other: TensorLike): Tensor { return binary('logicalXor', this, other, 'logical'); }
  /** Elementwise logical not. */
  logicalNot(this: Tensor): Tensor { return unaryRaw('logicalNot', this, undefined, 'bool'); }
  /** True where NaN. */
  isnan(this: Tensor): Tensor { return unaryRaw('isnan', this, undefined, 'bool'); }
  /** True where ±inf. */
  isinf(this: Tensor): Tensor { return unaryRaw('isinf', this, undefined, 'bool'); }
  /** True where finite. */
  isfinite(this: Tensor): Tensor { return this.isnan().logicalOr(this.isinf()).logicalNot(); }
  /**
   * True when both have the same shape and values (`torch.equal`).
   * @example torch.ones([2]).equal(torch.ones([2])) // true
   */
  equal(this: Tensor, other: Tensor): boolean {
    if (this._shape.length !== other._shape.length || this._shape.some((s, i) => s !== other._shape[i])) return false;
    return this.eq(other).all().item() === 1;
  }
  /**
   * `|this - other| <= atol + rtol * |other|` everywhere (`torch.allclose`).
   * @example torch.tensor([1]).allclose(torch.tensor([1.000001])) // true
   */
  allclose(this: Tensor, other: Tensor, rtol: number | { rtol?: number; atol?: number; equalNan?: boolean } = 1e-5, atol = 1e-8, equalNan = false): boolean {
    return this.isclose(other, rtol, atol, equalNan).all().item() === 1;
  }
  /** Elementwise closeness (`torch.isclose`). */
  isclose(this: Tensor, other: Tensor, rtol: number | { rtol?: number; atol?: number; equalNan?: boolean } = 1e-5, atol = 1e-8, equalNan = false): Tensor {
    if (isPlainObject(rtol)) { atol = rtol.atol ?? 1e-8; equalNan = rtol.equalNan ?? false; rtol = rtol.rtol ?? 1e-5; }
    return noGrad(() => {
      const a = this.double(), b = other.double();
      let close = a.sub(b).abs().le(b.abs().mul(rtol as number).add(atol)).logicalOr(a.eq(b));
      if (equalNan) close = close.logicalOr(a.isnan().logicalAnd(b.isnan()));
      return close;
    });
  }

  // ---- unary math
  /** Elementwise negation. @example torch.tensor([1, -2]).neg() // tensor([-1., 2.]) */
  neg(this: Tensor): Tensor { return unary('neg', this, 'none'); }
  /** Elementwise absolute value. */
  abs(this: Tensor): Tensor { return unary('abs', this, 'x'); }
  /** Sign (-1, 0, 1; NaN stays NaN); zero gradient. */
  sign(this: Tensor): Tensor { return unary('sign', this, 'none', undefined, null, 'zeroGrad'); }
  /** e^x. @example torch.tensor([0]).exp() // tensor([1.]) */
  exp(this: Tensor): Tensor { return unary('exp', this, 'out'); }
  /** e^x - 1, accurate near 0. */
  expm1(this: Tensor): Tensor { return unary('expm1', this, 'out'); }
  /** Natural logarithm. */
  log(this: Tensor): Tensor { return unary('log', this, 'x'); }
  /** log(1 + x), accurate near 0. */
  log1p(this: Tensor): Tensor { return unary('log1p', this, 'x'); }
  /** Base-2 logarithm. */
  log2(this: Tensor): Tensor { return this.log().div(Math.LN2); }
  /** Base-10 logarithm. */
  log10(this: Tensor): Tensor { return this.log().div(Math.LN10); }
  /** Square root. */
  sqrt(this: Tensor): Tensor { return unary('sqrt', this, 'out'); }
  /** 1 / sqrt(x). */
  rsqrt(this: Tensor): Tensor { return unary('rsqrt', this, 'out'); }
  /** x * x. */
  square(this: Tensor): Tensor { return unary('square', this, 'x'); }
  /** 1 / x. */
  reciprocal(this: Tensor): Tensor { return unary('reciprocal', this, 'out'); }
  sin(this: Tensor): Tensor { return unary('sin', this, 'x'); }
  cos(this: Tensor): Tensor { return unary('cos', this, 'x'); }
  tan(this: Tensor): Tensor { return unary('tan', this, 'out'); }
  asin(this: Tensor): Tensor { return unary('asin', this, 'x'); }
  acos(this: Tensor): Tensor { return unary('acos', this, 'x'); }
  atan(this: Tensor): Tensor { return unary('atan', this, 'x'); }
  sinh(this: Tensor): Tensor { return unary('sinh', this, 'x'); }
  cosh(this: Tensor): Tensor { return unary('cosh', this, 'x'); }
  /** Hyperbolic tangent. */
  tanh(this: Tensor): Tensor { return unary('tanh', this, 'out'); }
  asinh(this: Tensor): Tensor { return unary('asinh', this, 'x'); }
  acosh(this: Tensor): Tensor { return unary('acosh', this, 'x'); }
  atanh(this: Tensor): Tensor { return unary('atanh', this, 'x'); }
  /** Gauss error function. */
  erf(this: Tensor): Tensor { return unary('erf', this, 'x'); }
  /** max(x, 0) (NaN stays NaN). @example torch.tensor([-1, 2]).relu() // tensor([0., 2.]) */
  relu(this: Tensor): Tensor { return unary('relu', this, 'out'); }
  /** 1 / (1 + e^-x), computed stably. */
  sigmoid(this: Tensor): Tensor { return unary('sigmoid', this, 'out'); }
  /**
   * GELU: x·Φ(x) (`approximate: 'none'`), or the tanh approximation (`'tanh'`).
   * @example torch.tensor([1]).gelu() // tensor([0.8413])
   */
  gelu(this: Tensor, approximate: 'none' | 'tanh' | { approximate?: 'none' | 'tanh' } = 'none'): Tensor {
    const a = isPlainObject(approximate) ? approximate.approximate ?? 'none' : approximate;
    return a === 'tanh' ? unary('geluTanh', this, 'x') : unary('gelu', this, 'x');
  }
  /** x·sigmoid(x). */
  silu(this: Tensor): Tensor { return unary('silu', this, 'x'); }
  /** log(1 + e^(βx))/β, linear past `threshold`. */
  softplus(this: Tensor, beta: number | { beta?: number; threshold?: number } = 1, threshold = 20): Tensor {
    if (isPlainObject(beta)) { threshold = beta.threshold ?? 20; beta = beta.beta ?? 1; }
    if (threshold !== 20) {
      const b = beta as number;
      const z = this.mul(b);
      return where(z.gt(threshold), this, z.exp().log1p().div(b));
    }
    return unary('softplus', this, 'x', beta as number, { beta, threshold });
  }
  /** x for x > 0, else negativeSlope·x. */
  leakyRelu(this: Tensor, negativeSlope: number | { negativeSlope?: number } = 0.01): Tensor {
    const s = isPlainObject(negativeSlope) ? negativeSlope.negativeSlope ?? 0.01 : negativeSlope;
    const out = noGrad(() => where(this.gt(0), this, this.mul(s)));
    return needsGrad(this) ? record('leakyRelu', out, [this], [this], { slope: s }) : out;
  }
  /** x for x > 0, else α(e^x − 1). */
  elu(this: Tensor, alpha: number | { alpha?: number } = 1): Tensor {
    const a = isPlainObject(alpha) ? alpha.alpha ?? 1 : alpha;
    const out = noGrad(() => where(this.gt(0), this, this.expm1().mul(a)));
    return needsGrad(this) ? record('elu', out, [this], [this, out], { alpha: a }) : out;
  }
  /** Rounds down. */
  floor(this: Tensor): Tensor { return isIntegral(this.dtype, true) ? this.clone() : unary('floor', this, 'none', undefined, null, 'zeroGrad'); }
  /** Rounds up. */
  ceil(this: Tensor): Tensor { return isIntegral(this.dtype, true) ? this.clone() : unary('ceil', this, 'none', undefined, null, 'zeroGrad'); }
  /** Rounds half to even, as PyTorch. */
  round(this: Tensor): Tensor { return isIntegral(this.dtype, true) ? this.clone() : unary('round', this, 'none', undefined, null, 'zeroGrad'); }
  /** Rounds toward zero. */
  trunc(this: Tensor): Tensor { return isIntegral(this.dtype, true) ? this.clone() : unary('trunc', this, 'none', undefined, null, 'zeroGrad'); }
  /**
   * Limits values to [min, max] (either may be null); gradient 1 inside the range, 0 outside.
   * @example torch.tensor([-2, 0.5, 3]).clamp(0, 1) // tensor([0.0000, 0.5000, 1.0000])
   */
  clamp(this: Tensor, min?: number | null | { min?: number | null; max?: number | null }, max?: number | null): Tensor {
    let lo: number | null = null, hi: number | null = null;
    if (isPlainObject(min)) { lo = min.min ?? null; hi = min.max ?? null; } else { lo = min ?? null; hi = max ?? null; }
    if (lo === null && hi === null) throw new Error("torch.clamp: At least one of 'min' or 'max' must not be None");
    const out = noGrad(() => {
      let r: Tensor = this;
      if (lo !== null) r = where(r.lt(lo), wrapScalar(lo, this, resultTypeScalar(this, lo)), r);
      if (hi !== null) r = where(r.gt(hi), wrapScalar(hi, this, resultTypeScalar(this, hi)), r);
      if (r === this) r = this.clone();
      return r;
    });
    return needsGrad(this) ? record('clamp', out, [this], [this], { min: lo, max: hi }) : out;
  }
  /** Alias of `clamp`. */
  clip(this: Tensor, min?: number | null | { min?: number | null; max?: number | null }, max?: number | null): Tensor { return this.clamp(min, max); }

  /**
   * Picks `this` where `condition` is true, else `other` (`Tensor.where`).
   * @example torch.tensor([1, 2]).where(torch.tensor([true, false]), 0) // tensor([1., 0.])
   */
  where(this: Tensor, condition: Tensor, other: TensorLike): Tensor { return where(condition, this, other); }
  /**
   * Copy with `value` where `mask` is true.
   * @example torch.zeros([3]).maskedFill(torch.tensor([true, false, true]), 5) // tensor([5., 0., 5.])
   */
  maskedFill(this: Tensor, mask: Tensor, value: number | Tensor): Tensor {
    if (mask.dtype !== 'bool') throw new TypeError(`masked_fill_ only supports boolean masks, but got mask with dtype ${mask.dtype}`);
    if (value instanceof Tensor && value.dim() !== 0) {
      throw new RangeError(`masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value.dim()} dimension(s).`);
    }
    const dev = commonDevice(value instanceof Tensor ? [this, mask, value] : [this, mask]); // self first, as PyTorch names them
    const v = value instanceof Tensor ? onDevice(value, dev).to(this.dtype) : wrapScalar(value, this, this.dtype);
    // out of place, self and mask broadcast together as in PyTorch
    return where(mask, v, this);
  }

  // ---- reductions
  /**
   * Sum over `dim` (all dims when omitted); integers and bools sum to int64.
   * @example torch.ones([2, 3]).sum(1) // tensor([3., 3.])
   */
  sum(this: Tensor, dim?: DimArg | ReduceOpts, keepdim?: boolean | ReduceOpts, opts?: ReduceOpts): Tensor {
    const p = parseReduce(dim, keepdim, opts);
    const axes = reduceAxes(this, p.dim);
    const dt = p.dtype ?? (isFloating(this.dtype) ? this.dtype : 'int64');
    const out = reduceRaw('sum', this, axes, p.keepdim, dt);
    if (!needsGrad(this)) return out;
    return record('sum', out, [this], [], { shape: this._shape, axes, keepdim: p.keepdim });
  }
  /**
   * Mean over `dim`; floating dtypes only, as PyTorch.
   * @example torch.tensor([1, 2, 3, 4]).mean() // tensor(2.5000)
   */
  mean(this: Tensor, dim?: DimArg | ReduceOpts, keepdim?: boolean | ReduceOpts, opts?: ReduceOpts): Tensor {
    const p = parseReduce(dim, keepdim, opts);
    const dt = p.dtype ?? this.dtype;
    if (!isFloating(dt)) {
      throw new TypeError(`mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${torchTypeName(this.dtype)}`);
    }
    const axes = reduceAxes(this, p.dim);
    let n = 1;
    for (const a of axes) n *= this._shape[a]!;
    const x = this.dtype === dt ? this : this.to(dt);
    return x.sum(axes, p.keepdim).div(n);
  }
  /** Product over `dim`. */
  prod(this: Tensor, dim?: number | { dim?: number; keepdim?: boolean; dtype?: DType }, keepdim?: boolean | ReduceOpts, opts?: ReduceOpts): Tensor {
    const p = parseReduce(dim as DimArg, keepdim, opts);
    const axes = reduceAxes(this, p.dim);
    const dt = p.dtype ?? (isFloating(this.dtype) ? this.dtype : 'int64');
    const out = reduceRaw('prod', this, axes, p.keepdim, dt);
    if (!needsGrad(this)) return out;
    return record('prod', out, [this], [this, out], { shape: this._shape, axes, keepdim: p.keepdim });
  }
  /** Maximum over dims (gradient split evenly between ties). @example torch.tensor([[1, 5], [7, 2]]).amax(0) // tensor([7., 5.]) */
  amax(this: Tensor, dim?: DimArg | ReduceOpts, keepdim?: boolean | ReduceOpts): Tensor { return this._extreme('max', dim, keepdim); }
  /** Minimum over dims. */
  amin(this: Tensor, dim?: DimArg | ReduceOpts, keepdim?: boolean | ReduceOpts): Tensor { return this._extreme('min', dim, keepdim); }
  /** @internal */
  _extreme(this: Tensor, op: 'max' | 'min', dim?: DimArg | ReduceOpts, keepdim?: boolean | ReduceOpts): Tensor {
    const p = parseReduce(dim, keepdim);
    const axes = reduceAxes(this, p.dim);
    for (const a of axes) {
      if (this._shape[a] === 0) throw new RangeError(`${op}(): Expected reduction dim ${a} to have non-zero size.`);
    }
    if (this.numel() === 0 && this.dim() === 0) throw new RangeError(`${op}(): Expected reduction dim to be specified for input.numel() == 0.`);
    const out = reduceRaw(op, this, axes, p.keepdim, this.dtype);
    if (!needsGrad(this)) return out;
    return record(op === 'max' ? 'amax' : 'amin', out, [this], [this, out], { shape: this._shape, axes, keepdim: p.keepdim });
  }
  /**
   * Without `dim`: the maximum element. With `dim`: `[values, indices]` (also `.values`, `.indices`).
   * With a tensor: elementwise `maximum`.
   * @example const { values, indices } = torch.tensor([[1, 5], [7, 2]]).max(1);
   */
  max(this: Tensor, dim?: number | Tensor | { dim?: number; keepdim?: boolean }, keepdim?: boolean | { keepdim?: boolean }): any {
    return this._maxmin('max', dim, keepdim);
  }
  /** Like `max`, for the minimum. */
  min(this: Tensor, dim?: number | Tensor | { dim?: number; keepdim?: boolean }, keepdim?: boolean | { keepdim?: boolean }): any {
    return this._maxmin('min', dim, keepdim);
  }
  /** @internal */
  _maxmin(this: Tensor, op: 'max' | 'min', dim?: number | Tensor | { dim?: number; keepdim?: boolean }, keepdim?: boolean | { keepdim?: boolean }): any {
    if (dim instanceof Tensor) return op === 'max' ? this.maximum(dim) : this.minimum(dim);
    const p = parseReduce(dim as DimArg, keepdim as boolean);
    if (p.dim === undefined || p.dim === null) {
      if (this.numel() === 0) throw new RangeError(`${op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`);
      return this._extreme(op, null, false);
    }
    if (typeof p.dim !== 'number') throw new TypeError(`${op}(): dim must be a single integer`);
    const d = normDim(p.dim, this.dim());
    if (this.dim() > 0 && this._shape[d] === 0) throw new RangeError(`${op}(): Expected reduction dim ${d} to have non-zero size.`);
    const indices = this.argmax === undefined ? null : (op === 'max' ? this.argmax(d, true) : this.argmin(d, true));
    const values = this.dim() === 0 ? this.clone() : this.gather(d, indices!);
    if (p.keepdim || this.dim() === 0) return valuesIndices(values, this.dim() === 0 ? indices!.reshape([]) : indices!);
    return valuesIndices(values.squeeze(d), indices!.squeeze(d));
  }
  /** Index of the maximum (over the flattened tensor when `dim` is omitted). */
  argmax(this: Tensor, dim?: number | null | { dim?: number | null; keepdim?: boolean }, keepdim?: boolean): Tensor { return this._arg('argmax', dim, keepdim); }
  /** Index of the minimum. */
  argmin(this: Tensor, dim?: number | null | { dim?: number | null; keepdim?: boolean }, keepdim?: boolean): Tensor { return this._arg('argmin', dim, keepdim); }
  /** @internal */
  _arg(this: Tensor, op: 'argmax' | 'argmin', dim?: number | null | { dim?: number | null; keepdim?: boolean }, keepdim?: boolean): Tensor {
    const p = parseReduce(dim as DimArg, keepdim);
    if (p.dim === undefined || p.dim === null) {
      if (this.numel() === 0) throw new RangeError(`${op}(): Expected reduction dim to be specified for input.numel() == 0.`);
      const flat = this.reshape([-1]);
      const r = newTensor(this._backend.argReduce(op, flat._s, flat.layout, 0), [1], this);
      return p.keepdim ? r.reshape(this._shape.map(() => 1)) : r.reshape([]);
    }
    const d = normDim(p.dim as number, this.dim());
    if (this.dim() === 0) return zeros([], { dtype: 'int64', device: this.device });
    if (this._shape[d] === 0) throw new RangeError(`${op}(): Expected reduction dim ${d} to have non-zero size.`);
    const r = newTensor(this._backend.argReduce(op, this._s, this.layout, d), this._shape.map((s, i) => (i === d ? 1 : s)), this);
    return p.keepdim ? r : r.squeeze(d);
  }
  /** True if all elements are non-zero. */
  all(this: Tensor, dim?: DimArg | ReduceOpts, keepdim?: boolean): Tensor {
    const p = parseReduce(dim, keepdim);
    return reduceRaw('all', this, reduceAxes(this, p.dim), p.keepdim, 'bool');
  }
  /** True if any element is non-zero. */
  any(this: Tensor, dim?: DimArg | ReduceOpts, keepdim?: boolean): Tensor {
    const p = parseReduce(dim, keepdim);
    return reduceRaw('any', this, reduceAxes(this, p.dim), p.keepdim, 'bool');
  }
  /**
   * Variance with Bessel's correction by default: Σ(x − x̄)² / (N − correction), correction = 1 (`unbiased`).
   * @example torch.tensor([1, 2, 3, 4]).var() // tensor(1.6667)
   */
  var(this: Tensor, dim?: DimArg | { dim?: DimArg; unbiased?: boolean; correction?: number; keepdim?: boolean }, unbiased?: boolean | { unbiased?: boolean; correction?: number; keepdim?: boolean }, keepdim?: boolean): Tensor {
    let d: DimArg = undefined, corr = 1, kd = false;
    const apply = (o: any) => { if (o.dim !== undefined) d = o.dim; if (o.unbiased !== undefined) corr = o.unbiased ? 1 : 0; if (o.correction !== undefined) corr = o.correction; if (o.keepdim !== undefined) kd = o.keepdim; };
    if (isPlainObject(dim)) apply(dim); else d = dim as DimArg;
    if (isPlainObject(unbiased)) apply(unbiased); else if (unbiased !== undefined) corr = unbiased ? 1 : 0;
    if (keepdim !== undefined) kd = keepdim;
    if (!isFloating(this.dtype)) throw new TypeError(`std and var only support floating point and complex dtypes, got ${torchTypeName(this.dtype)}`);
    const axes = reduceAxes(this, d);
    let n = 1;
    for (const a of axes) n *= this._shape[a]!;
    const mu = this.mean(axes, true);
    const dev = this.sub(mu);
    return dev.mul(dev).sum(axes, kd).div(Math.max(0, n - corr));
  }
  /** Standard deviation: sqrt of `var` (same arguments). */
  std(this: Tensor, dim?: DimArg | { dim?: DimArg; unbiased?: boolean; correction?: number; keepdim?: boolean }, unbiased?: boolean | { unbiased?: boolean; correction?: number; keepdim?: boolean }, keepdim?: boolean): Tensor {
    const v = this.var(dim, unbiased, keepdim);
    return unary('sqrt', v, 'out', undefined, null, 'sqrtMasked');
  }
  /**
   * Vector p-norm over `dim` (all elements by default): (Σ|x|^p)^(1/p); p = Infinity gives max|x|, 'fro' is 2.
   * @example torch.tensor([3, 4]).norm() // tensor(5.)
   */
  norm(this: Tensor, p: number | 'fro' | { p?: number | 'fro'; dim?: DimArg; keepdim?: boolean } = 2, dim?: DimArg, keepdim = false): Tensor {
    let pp: number | 'fro' = 2, d: DimArg = dim;
    if (isPlainObject(p)) { pp = p.p ?? 2; d = p.dim; keepdim = p.keepdim ?? false; } else pp = p;
    const pn = pp === 'fro' ? 2 : pp;
    if (!isFloating(this.dtype)) throw new TypeError(`linalg.vector_norm: Expected a floating point or complex tensor as input. Got ${torchTypeName(this.dtype)}`);
    const axes = reduceAxes(this, d);
    const out = noGrad(() => {
      const a = this.abs();
      if (pn === Infinity) return a.numel() === 0 ? zeros(reducedShape(this._shape, axes, keepdim), { dtype: this.dtype, device: this.device }) : a.amax(axes, keepdim);
      if (pn === -Infinity) return a.amin(axes, keepdim);
      if (pn === 0) return a.ne(0).sum(axes, keepdim).to(this.dtype);
      if (pn === 1) return a.sum(axes, keepdim);
      if (pn === 2) return a.mul(a).sum(axes, keepdim).sqrt();
      return a.pow(pn).sum(axes, keepdim).pow(1 / pn);
    });
    if (!needsGrad(this)) return out;
    return record('norm', out, [this], [this, out], { p: pn, shape: this._shape, axes, keepdim });
  }
  /**
   * log Σ exp(x) over `dim`, computed stably (max-shifted).
   * @example torch.tensor([0, 0]).logsumexp(0) // tensor(0.6931)
   */
  logsumexp(this: Tensor, dim: DimArg | { dim?: DimArg; keepdim?: boolean }, keepdim = false): Tensor {
    let d: DimArg = dim as DimArg;
    if (isPlainObject(dim)) { const o = dim as { dim?: DimArg; keepdim?: boolean }; d = o.dim; keepdim = o.keepdim ?? false; }
    const axes = reduceAxes(this, d);
    const x = isFloating(this.dtype) ? this : this.to(getDefaultDtype());
    if (x.numel() === 0) return x.exp().sum(axes, keepdim).log();
    const m = noGrad(() => { const mm = x.amax(axes, true); return where(mm.isinf(), 0, mm); });
    const r = x.sub(m).exp().sum(axes, true).log().add(m);
    return keepdim ? r : r.squeeze(axes);
  }
  /**
   * Softmax along `dim`: exp(x − max) / Σ exp(x − max).
   * @example torch.tensor([1, 1]).softmax(0) // tensor([0.5000, 0.5000])
   */
  softmax(this: Tensor, dim: number | { dim: number; dtype?: DType }, dtype?: DType): Tensor {
    return softmaxImpl(this, dim, dtype, false);
  }
  /** log(softmax(x)) along `dim`, computed as x − logsumexp(x) for stability. */
  logSoftmax(this: Tensor, dim: number | { dim: number; dtype?: DType }, dtype?: DType): Tensor {
    return softmaxImpl(this, dim, dtype, true);
  }
  /** Cumulative sum along `dim`. @example torch.tensor([1, 2, 3]).cumsum(0) // tensor([1., 3., 6.]) */
  cumsum(this: Tensor, dim: number | { dim: number; dtype?: DType }, dtype?: DType): Tensor {
    let d = dim as number;
    if (isPlainObject(dim)) { d = dim.dim; dtype = dim.dtype; }
    const nd = normDim(d, this.dim());
    const dt = dtype ?? (isFloating(this.dtype) ? this.dtype : 'int64');
    if (this.dim() === 0) return this.to(dt).clone();
    const out = newTensor(this._backend.cumsum(this._s, this.layout, nd, dt), this._shape, this);
    return needsGrad(this) ? record('cumsum', out, [this], [], { dim: nd }) : out;
  }

  // ---- linear algebra
  /**
   * Matrix product with PyTorch's rules: 1-D·1-D is a dot product, 1-D operands get a dimension added and
   * removed, batch dimensions broadcast.
   * @example torch.ones([2, 3]).matmul(torch.ones([3, 4])).shape // [2, 4]
   */
  matmul(this: Tensor, other: Tensor): Tensor { return matmul(this, other); }
  /** 2-D matrix product. */
  mm(this: Tensor, mat2: Tensor): Tensor {
    if (this.dim() !== 2) throw new RangeError('self must be a matrix');
    if (mat2.dim() !== 2) throw new RangeError('mat2 must be a matrix');
    return matmul(this, mat2);
  }
  /** Batched 3-D matrix product (no broadcasting). */
  bmm(this: Tensor, mat2: Tensor): Tensor {
    if (this.dim() !== 3) throw new RangeError(`batch1 must be a 3D tensor`);
    if (mat2.dim() !== 3) throw new RangeError(`batch2 must be a 3D tensor`);
    if (this._shape[0] !== mat2._shape[0] || this._shape[2] !== mat2._shape[1]) {
      throw new RangeError(`Expected size for first two dimensions of batch2 tensor to be: [${this._shape[0]}, ${this._shape[2]}] but got: [${mat2._shape[0]}, ${mat2._shape[1]}].`);
    }
    return matmul(this, mat2);
  }
  /** Dot product of two 1-D tensors. */
  dot(this: Tensor, other: Tensor): Tensor {
    if (this.dim() !== 1 || other.dim() !== 1) throw new RangeError(`1D tensors expected, but got ${this.dim()}D and ${other.dim()}D tensors`);
    return matmul(this, other);
  }

  // ---- views
  /**
   * A view with a new shape (one dim may be -1); fails when the strides make that impossible.
   * @example torch.arange(6).view(2, 3).shape // [2, 3]
   */
  view(this: Tensor, ...shape: (number | readonly number[])[]): Tensor {
    const s = inferShape(flatShape(shape), this.numel());
    const st = viewStrides(this._shape, this._strides, s);
    if (st === null) {
      throw new RangeError("view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.");
    }
    return viewOp(this, s, st, this._offset, 'view', { shape: this._shape });
  }
  /** Like `view`, copying only when the layout requires it. @example torch.arange(6).reshape([3, -1]) */
  reshape(this: Tensor, ...shape: (number | readonly number[])[]): Tensor {
    const s = inferShape(flatShape(shape), this.numel());
    const st = viewStrides(this._shape, this._strides, s);
    if (st !== null) return viewOp(this, s, st, this._offset, 'view', { shape: this._shape });
    return this.contiguous().view(s);
  }
  /** `view` to another tensor's shape. */
  viewAs(this: Tensor, other: Tensor): Tensor { return this.view(other._shape); }
  /** `reshape` to another tensor's shape. */
  reshapeAs(this: Tensor, other: Tensor): Tensor { return this.reshape(other._shape); }
  /**
   * Inserts a dimension of size 1 at `dim` (a view); `x.unsqueeze(0)` adds a batch dimension.
   * Valid dims: [-dim()-1, dim()].
   * @example torch.zeros([3, 32, 32]).unsqueeze(0).shape // [1, 3, 32, 32]
   */
  unsqueeze(this: Tensor, dim: number): Tensor {
    const d = normDim(dim, this.dim() + 1);
    const shape = [...this._shape], strides = [...this._strides];
    const st = d < this.dim() ? this._strides[d]! * this._shape[d]! : 1;
    shape.splice(d, 0, 1);
    strides.splice(d, 0, st);
    return viewOp(this, shape, strides, this._offset, 'view', { shape: this._shape });
  }
  /**
   * Removes dimensions of size 1 (all, or the given ones; others are left alone).
   * @example torch.zeros([1, 3, 1]).squeeze().shape // [3]
   */
  squeeze(this: Tensor, dim?: number | readonly number[]): Tensor {
    const dims = dim === undefined ? this._shape.map((_, i) => i) : normDims(dim, this.dim());
    const shape: number[] = [], strides: number[] = [];
    for (let d = 0; d < this.dim(); d++) {
      if (dims.includes(d) && this._shape[d] === 1) continue;
      shape.push(this._shape[d]!); strides.push(this._strides[d]!);
    }
    return viewOp(this, shape, strides, this._offset, 'view', { shape: this._shape });
  }
  /**
   * Reorders dimensions (a view).
   * @example torch.zeros([2, 3, 4]).permute(2, 0, 1).shape // [4, 2, 3]
   */
  permute(this: Tensor, ...dims: (number | readonly number[])[]): Tensor {
    const ds = flatShape(dims);
    if (ds.length !== this.dim()) {
      throw new RangeError(`permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${this.dim()} is not equal to len(dims) = ${ds.length}`);
    }
    const nd = ds.map((d) => normDim(d, this.dim()));
    if (new Set(nd).size !== nd.length) throw new RangeError('permute(): duplicate dims are not allowed.');
    const inverse = new Array<number>(nd.length);
    nd.forEach((d, i) => { inverse[d] = i; });
    return viewOp(this, nd.map((d) => this._shape[d]!), nd.map((d) => this._strides[d]!), this._offset, 'permute', { inverse });
  }
  /** Swaps two dimensions (a view). */
  transpose(this: Tensor, dim0: number, dim1: number): Tensor {
    if (this.dim() === 0) return this.view([]);
    const a = normDim(dim0, this.dim()), b = normDim(dim1, this.dim());
    const order = this._shape.map((_, i) => i);
    order[a] = b; order[b] = a;
    return this.permute(order);
  }
  /** Alias of `transpose`. */
  swapaxes(this: Tensor, dim0: number, dim1: number): Tensor { return this.transpose(dim0, dim1); }
  /** Transpose of a ≤2-D tensor. */
  t(this: Tensor): Tensor {
    if (this.dim() > 2) throw new RangeError(`t() expects a tensor with <= 2 dimensions, but self is ${this.dim()}D`);
    return this.dim() < 2 ? this.view(this._shape) : this.transpose(0, 1);
  }
  /** `t()` as a property, like PyTorch's `.T` for ≤2-D tensors. */
  get T(): Tensor { const self = this as unknown as Tensor; return self.dim() <= 2 ? self.t() : self.permute(self._shape.map((_, i) => self.dim() - 1 - i)); }
  /**
   * Broadcasts size-1 dims to `sizes` without copying (-1 keeps a size).
   * @example torch.zeros([3, 1]).expand(3, 4).shape // [3, 4]
   */
  expand(this: Tensor, ...sizes: (number | readonly number[])[]): Tensor {
    const target = flatShape(sizes);
    if (target.length < this.dim()) {
      throw new RangeError(`expand(${this.dtype}{[${this._shape.join(', ')}]}, size=[${target.join(', ')}]): the number of sizes provided (${target.length}) must be greater or equal to the number of dimensions in the tensor (${this.dim()})`);
    }
    const off = target.length - this.dim();
    const shape: number[] = [], strides: number[] = [];
    for (let d = 0; d < target.length; d++) {
      const k = d - off;
      let t = target[d]!;
      if (k < 0) {
        if (t === -1) throw new RangeError(`The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension ${d}`);
        shape.push(t); strides.push(0); continue;
      }
      const s = this._shape[k]!;
      if (t === -1) t = s;
      if (s !== t) {
        if (s !== 1) {
          throw new RangeError(`The expanded size of the tensor (${t}) must match the existing size (${s}) at non-singleton dimension ${d}.  Target sizes: [${target.join(', ')}].  Tensor sizes: [${this._shape.join(', ')}]`);
        }
        shape.push(t); strides.push(0);
      } else { shape.push(s); strides.push(this._strides[k]!); }
    }
    if (shape.length === this.dim() && shape.every((s, i) => s === this._shape[i])) return viewOp(this, shape, strides, this._offset, 'view', { shape: this._shape });
    return viewOp(this, shape, strides, this._offset, 'expand', null);
  }
  /** `expand` to another tensor's shape. */
  expandAs(this: Tensor, other: Tensor): Tensor { return this.expand(other._shape); }
  /**
   * `length` elements of `dim` from `start` (a view).
   * @example torch.arange(10).narrow(0, 2, 3).tolist() // [2, 3, 4]
   */
  narrow(this: Tensor, dim: number, start: number, length: number): Tensor {
    if (this.dim() === 0) throw new RangeError('narrow() cannot be applied to a 0-dim tensor.');
    const d = normDim(dim, this.dim());
    const size = this._shape[d]!;
    if (start < -size || start > size) throw new RangeError(`start out of range (expected to be in range of [${-size}, ${size}], but got ${start})`);
    const st = start < 0 ? start + size : start;
    if (length < 0 || st + length > size) throw new RangeError(`start (${st}) + length (${length}) exceeds dimension size (${size}).`);
    return this.slice(d, st, st + length);
  }
  /**
   * Python slicing along one dim: `x[..., start:end:step]` (a view; out-of-range bounds are clamped).
   * @example torch.arange(10).slice(0, 1, 8, 3).tolist() // [1, 4, 7]
   */
  slice(this: Tensor, dim: number, start: number | null = null, end: number | null = null, step = 1): Tensor {
    const d = normDim(dim, this.dim());
    const size = this._shape[d]!;
    if (step <= 0) throw new RangeError('slice step must be positive');
    let s = start ?? 0, e = end ?? size;
    if (s < 0) s += size;
    if (e < 0) e += size;
    s = Math.min(Math.max(s, 0), size);
    e = Math.min(Math.max(e, s), size);
    const len = Math.ceil((e - s) / step);
    const shape = [...this._shape], strides = [...this._strides];
    shape[d] = len;
    strides[d] = this._strides[d]! * step;
    const ss = s;
    return viewOp(this, shape, strides, this._offset + ss * this._strides[d]!, 'viewSlice',
      { shape: this._shape, apply: (z: Tensor) => z.slice(d, ss, e, step) });
  }
  /**
   * Index `index` of `dim`, removing that dim (a view).
   * @example torch.tensor([[1, 2], [3, 4]]).select(0, 1).tolist() // [3, 4]
   */
  select(this: Tensor, dim: number, index: number): Tensor {
    if (this.dim() === 0) throw new RangeError('select() cannot be applied to a 0-dim tensor.');
    const d = normDim(dim, this.dim());
    const size = this._shape[d]!;
    if (index < -size || index >= size) throw new RangeError(`select(): index ${index} out of range for tensor of size [${this._shape.join(', ')}] at dimension ${d}`);
    const i = index < 0 ? index + size : index;
    const shape = [...this._shape], strides = [...this._strides];
    shape.splice(d, 1); strides.splice(d, 1);
    return viewOp(this, shape, strides, this._offset + i * this._strides[d]!, 'viewSlice',
      { shape: this._shape, apply: (z: Tensor) => z.select(d, i) });
  }
  /**
   * Flattens dims startDim..endDim into one (a view when possible).
   * @example torch.zeros([2, 3, 4]).flatten(1).shape // [2, 12]
   */
  flatten(this: Tensor, startDim: number | { startDim?: number; endDim?: number } = 0, endDim = -1): Tensor {
    if (isPlainObject(startDim)) { endDim = startDim.endDim ?? -1; startDim = startDim.startDim ?? 0; }
    if (this.dim() === 0) return this.reshape([1]);
    const s = normDim(startDim as number, this.dim()), e = normDim(endDim, this.dim());
    if (s > e) throw new RangeError('flatten() has invalid args: start_dim cannot come after end_dim');
    const shape = [...this._shape.slice(0, s), numelOf(this._shape.slice(s, e + 1)), ...this._shape.slice(e + 1)];
    return this.reshape(shape);
  }
  /**
   * Splits `dim` into `sizes` (one may be -1).
   * @example torch.zeros([2, 12]).unflatten(1, [3, 4]).shape // [2, 3, 4]
   */
  unflatten(this: Tensor, dim: number, sizes: readonly number[]): Tensor {
    const d = normDim(dim, this.dim());
    const inner = inferShape(sizes, this._shape[d]!);
    return this.view([...this._shape.slice(0, d), ...inner, ...this._shape.slice(d + 1)]);
  }
  /** Splits into pieces of `splitSize` (or of the listed sizes) along `dim` (views). */
  split(this: Tensor, splitSize: number | readonly number[], dim = 0): Tensor[] {
    const d = normDim(dim, this.dim());
    const size = this._shape[d]!;
    const out: Tensor[] = [];
    if (typeof splitSize === 'number') {
      if (splitSize <= 0 && size > 0) throw new RangeError(`split_size can only be 0 if dimension size is 0, but got dimension size of ${size}`);
      for (let s = 0; s < size || (s === 0 && size === 0 && out.length === 0); s += splitSize) {
        out.push(this.narrow(d, s, Math.min(splitSize, size - s)));
        if (size === 0) break;
      }
      return out;
    }
    const total = splitSize.reduce((a, b) => a + b, 0);
    if (total !== size) throw new RangeError(`split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension ${d}), but got split_sizes=[${splitSize.join(', ')}]`);
    let s = 0;
    for (const len of splitSize) { out.push(this.narrow(d, s, len)); s += len; }
    return out;
  }
  /** Splits into `chunks` pieces along `dim` (the last may be smaller). */
  chunk(this: Tensor, chunks: number, dim = 0): Tensor[] {
    if (chunks <= 0) throw new RangeError('chunk expects `chunks` to be greater than 0, got: ' + chunks);
    const d = normDim(dim, this.dim());
    const size = this._shape[d]!;
    return this.split(Math.max(1, Math.ceil(size / chunks)), d);
  }
  /** Separate views along `dim`. */
  unbind(this: Tensor, dim = 0): Tensor[] {
    const d = normDim(dim, this.dim());
    return Array.from({ length: this._shape[d]! }, (_, i) => this.select(d, i));
  }
  /** Reverses the order along `dims` (copies, as PyTorch). */
  flip(this: Tensor, dims: number | readonly number[]): Tensor {
    let r: Tensor = this;
    for (const d of normDims(typeof dims === 'number' ? [dims] : dims, this.dim())) {
      const n = this._shape[d]!;
      r = r.indexSelect(d, arange(n - 1, -1, -1, { device: this.device }));
    }
    return r === this ? this.clone() : r;
  }
  /** Tiles the tensor (`Tensor.repeat`). @example torch.tensor([1, 2]).repeat(2).tolist() // [1, 2, 1, 2] */
  repeat(this: Tensor, ...sizes: (number | readonly number[])[]): Tensor {
    const reps = flatShape(sizes);
    if (reps.length < this.dim()) throw new RangeError('Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor');
    const pad = reps.length - this.dim();
    const shape = [...new Array<number>(pad).fill(1), ...this._shape];
    // view as [1, s0, 1, s1, ...], expand to [r0, s0, r1, s1, ...], reshape
    const inter: number[] = [], exp: number[] = [];
    shape.forEach((s, i) => { inter.push(1, s); exp.push(reps[i]!, s); });
    return this.reshape(inter).expand(exp).reshape(shape.map((s, i) => s * reps[i]!));
  }
  /**
   * A contiguous tensor with the same values (this tensor itself if already contiguous).
   * @example x.t().contiguous().isContiguous() // true
   */
  contiguous(this: Tensor): Tensor { return this.isContiguous() ? this : this.clone(); }
  /** A copy with its own storage (gradient flows back to this tensor). */
  clone(this: Tensor): Tensor {
    const s = this._backend.alloc(this.dtype, this.numel());
    this._backend.copy(this._s, this.layout, s, { shape: this._shape, strides: contiguousStrides(this._shape), offset: 0 });
    const out = newTensor(s, this._shape, this);
    return needsGrad(this) ? record('clone', out, [this]) : out;
  }

  // ---- indexing
  /**
   * out[i][j] = this[i][index[i][j]] for dim 1 (generalised to any dim).
   * @example torch.tensor([[1, 2], [3, 4]]).gather(1, torch.tensor([[1], [0]], { dtype: 'int64' })).tolist() // [[2], [3]]
   */
  gather(this: Tensor, dim: number, index: Tensor): Tensor {
    checkIndex('gather', this, dim, index);
    checkSameDevice(this, index);
    const d = this.dim() === 0 ? 0 : normDim(dim, this.dim());
    const x = this.dim() === 0 ? this.reshape([1]) : this;
    const idx = index.dim() === 0 ? index.reshape([1]) : index;
    const out = newTensor(this._backend.gather(x._s, x.layout, d, idx._s, idx.layout), index._shape, this);
    return needsGrad(this) ? record('gather', out, [this, null], [index], { dim: d, shape: this._shape }) : out;
  }
  /**
   * Out-of-place scatter: a copy with `src` (a tensor or a scalar value) written at `index` along `dim`.
   * @example torch.zeros([2, 4]).scatter(1, torch.tensor([[1], [3]], { dtype: 'int64' }), 1)
   */
  scatter(this: Tensor, dim: number, index: Tensor, src: Tensor | number | { value?: number; src?: Tensor; reduce?: 'add' }): Tensor {
    return scatterImpl(this.clone(), dim, index, src, false, 'scatter');
  }
  /**
   * In-place scatter (`scatter_`): `zeros.scatter_(1, label, 1)` one-hot encodes `label` of shape [N, 1].
   * @example torch.zeros([4, 8]).scatter_(1, labels.view(-1, 1), 1)
   */
  scatter_(this: Tensor, dim: number, index: Tensor, src: Tensor | number | { value?: number; src?: Tensor; reduce?: 'add' }): Tensor {
    return scatterImpl(this, dim, index, src, true, 'scatter');
  }
  /** Out-of-place scatter with addition at repeated indices. */
  scatterAdd(this: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
    return scatterImpl(this.clone(), dim, index, src, false, 'scatterAdd');
  }
  /** In-place scatter with addition at repeated indices. */
  scatterAdd_(this: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
    return scatterImpl(this, dim, index, src, true, 'scatterAdd');
  }
  /**
   * Entries of `index` (1-D int64/int32) along `dim`.
   * @example torch.arange(5).indexSelect(0, torch.tensor([4, 0], { dtype: 'int64' })).tolist() // [4, 0]
   */
  indexSelect(this: Tensor, dim: number, index: Tensor): Tensor {
    if (index.dim() > 1) throw new RangeError('index_select(): Index is supposed to be a vector');
    if (index.dtype !== 'int64' && index.dtype !== 'int32') throw new TypeError(`index_select(): Expected dtype int32 or int64 for index`);
    const x = this.dim() === 0 ? this.reshape([1]) : this;
    const d = normDim(dim, x.dim());
    const n = index.numel();
    const size = x._shape[d]!;
    checkSameDevice(this, index);
    const idxShape = x._shape.map((_, k) => (k === d ? n : 1));
    const outShape = x._shape.map((s, k) => (k === d ? n : s));
    if (size === 0 && n > 0) throw new RangeError('index out of range in self');
    // The bounds are checked by the gather kernel (no host read of the indices); its error is given
    // index_select's wording, as PyTorch's.
    let r: Tensor;
    try { r = x.gather(d, index.to('int64').reshape(idxShape).expand(outShape)); }
    catch (e) {
      if (e instanceof RangeError && /out of bounds/.test(e.message)) throw new RangeError('index out of range in self');
      throw e;
    }
    return this.dim() === 0 ? r.reshape(index.dim() === 0 ? [] : [n]) : r;
  }
  /** Elements where `mask` is true, as a 1-D tensor. */
  maskedSelect(this: Tensor, mask: Tensor): Tensor {
    const shape = broadcastShapes(this._shape, mask._shape);
    const dev = commonDevice([this, mask]);
    if (dev.type === 'meta') throw new Error('masked_select: the output size depends on the mask values, which a meta tensor does not have');
    const m = onDevice(mask, dev).expand(shape).reshape([-1]);
    const idx = nonzeroFlat(m);
    return onDevice(this, dev).expand(shape).reshape([-1]).indexSelect(0, idx);
  }

  // ---- in-place
  /** In place `this += alpha * other`. */
  add_(this: Tensor, other: TensorLike, alpha: number | { alpha?: number } = 1): Tensor {
    const al = typeof alpha === 'number' ? alpha : alpha.alpha ?? 1;
    if (!(other instanceof Tensor)) { const r = scalarInplace(this, 'add', other, 'arith', al); if (r !== null) return r; }
    const { b, dt } = prepBinary(this, other, 'arith', true);
    return inplace(this, [b], dt, (src) => src.add(b, al), () => (al === 1 ? binaryInto('add', this, b) : binaryInto('addScaled', this, b, al)));
  }
  /** In place `this -= alpha * other`. */
  sub_(this: Tensor, other: TensorLike, alpha: number | { alpha?: number } = 1): Tensor {
    const al = typeof alpha === 'number' ? alpha : alpha.alpha ?? 1;
    if (!(other instanceof Tensor)) { const r = scalarInplace(this, 'sub', other, 'arith', al); if (r !== null) return r; }
    const { b, dt } = prepBinary(this, other, 'arith', true);
    return inplace(this, [b], dt, (src) => src.sub(b, al), () => (al === 1 ? binaryInto('sub', this, b) : binaryInto('addScaled', this, b, -al)));
  }
  /** In place `this *= other`. */
  mul_(this: Tensor, other: TensorLike): Tensor {
    if (!(other instanceof Tensor)) { const r = scalarInplace(this, 'mul', other, 'arith'); if (r !== null) return r; }
    const { b, dt } = prepBinary(this, other, 'arith', true);
    return inplace(this, [b], dt, (src) => src.mul(b), () => binaryInto('mul', this, b));
  }
  /** In place `this /= other`. */
  div_(this: Tensor, other: TensorLike): Tensor {
    if (!(other instanceof Tensor)) { const r = scalarInplace(this, 'div', other, 'div'); if (r !== null) return r; }
    const { b, dt } = prepBinary(this, other, 'div', true);
    return inplace(this, [b], dt, (src) => src.div(b), () => binaryInto('div', this, b));
  }
  /** In place power. */
  pow_(this: Tensor, exponent: TensorLike): Tensor {
    if (!(exponent instanceof Tensor)) { const r = scalarInplace(this, 'pow', exponent, 'arith'); if (r !== null) return r; }
    const { b, dt } = prepBinary(this, exponent, 'arith', true);
    return inplace(this, [b], dt, (src) => src.pow(b), () => binaryInto('pow', this, b));
  }
  /** In place `this += value * t1 * t2`. */
  addcmul_(this: Tensor, t1: Tensor, t2: Tensor, value: number | { value?: number } = 1): Tensor {
    const v = typeof value === 'number' ? value : value.value ?? 1;
    if (needsGrad(this, t1, t2)) return this.add_(t1.mul(t2), v);
    const tmp = noGrad(() => t1.mul(t2));
    this.add_(tmp, v);
    release(tmp);
    return this;
  }
  /** In place `this += value * t1 / t2`. */
  addcdiv_(this: Tensor, t1: Tensor, t2: Tensor, value: number | { value?: number } = 1): Tensor {
    const v = typeof value === 'number' ? value : value.value ?? 1;
    if (needsGrad(this, t1, t2)) return this.add_(t1.div(t2), v);
    const tmp = noGrad(() => t1.div(t2));
    this.add_(tmp, v);
    release(tmp);
    return this;
  }
  /** In place linear interpolation `this += weight * (end - this)`. */
  lerp_(this: Tensor, end: Tensor, weight: number): Tensor {
    return this.add_(noGradIf(this, () => end.sub(this)), weight);
  }
  /** In place clamp. */
  clamp_(this: Tensor, min?: number | null | { min?: number | null; max?: number | null }, max?: number | null): Tensor {
    let lo: number | null = null, hi: number | null = null;
    if (isPlainObject(min)) { lo = min.min ?? null; hi = min.max ?? null; } else { lo = min ?? null; hi = max ?? null; }
    let dt = this.dtype;
    for (const v of [lo, hi]) if (v !== null) dt = resultTypeScalar(this, v);
    return inplace(this, [], dt, (src) => src.clamp(min, max), () => {
      const r = this.clamp(min, max);
      this._backend.copy(r._s, r.layout, this._s, this.layout);
      release(r);
    });
  }
  /** In place ReLU. */
  relu_(this: Tensor): Tensor {
    return inplace(this, [], this.dtype, (src) => src.relu(), () => { this._backend.unary('relu', this._s, this.layout, this.dtype, undefined, this._s, this.layout); });
  }
  /** In place negation. */
  neg_(this: Tensor): Tensor { return this.mul_(-1); }
  /** In place square root. */
  sqrt_(this: Tensor): Tensor {
    return inplace(this, [], this.dtype, (src) => src.sqrt(), () => { this._backend.unary('sqrt', this._s, this.layout, this.dtype, undefined, this._s, this.layout); });
  }
  /** Fills with zeros in place. @example w.grad!.zero_() */
  zero_(this: Tensor): Tensor { return this.fill_(0); }
  /** Fills with `value` in place. */
  fill_(this: Tensor, value: number | boolean | Tensor): Tensor {
    if (value instanceof Tensor) {
      if (value.dim() !== 0) throw new RangeError(`fill_ only supports 0-dimension value tensor but got tensor with ${value.dim()} dimensions.`);
      if (value._backend === this._backend) {
        // copied on the device (a broadcast read of the one element): no host read of the value
        const vb = value.detach();
        return inplace(this, [], this.dtype,
          (src) => record('zeroGrad', vb.to(src.dtype).expand(src._shape).clone(), [src]),
          () => this._backend.copy(vb._s, bLayout(vb, this._shape), this._s, this.layout));
      }
    }
    const v = value instanceof Tensor ? (isMeta(value) || isMeta(this) ? 0 : value.item()) : Number(value);
    return inplace(this, [], this.dtype, (src) => record('zeroGrad', fullLike(src, v), [src]) /* NaN-safe; history kept with a zero gradient, as FillBackward */, () => this._backend.fill(this._s, this.layout, v));
  }
  /**
   * Copies `src` (broadcast to this shape, converted to this dtype, any device) into this tensor in place.
   * @example torch.zeros([2, 2]).copy_(torch.tensor([1, 2]))
   */
  copy_(this: Tensor, src: Tensor): Tensor {
    const shape = broadcastShapes(this._shape, src._shape);
    if (shape.length !== this.dim() || shape.some((s, i) => s !== this._shape[i])) {
      throw new RangeError(`The size of tensor a (${this._shape[this.dim() - 1] ?? 1}) must match the size of tensor b (${src._shape[src.dim() - 1] ?? 1}) at non-singleton dimension ${Math.max(0, this.dim() - 1)}`);
    }
    checkWritable(this);
    // Across devices the source is first moved here (a device→host read and an upload, or the source backend's
    // `transfer` hook); the move is recorded, so a gradient reaches `src` on its own device.
    if (!src.device.equals(this.device)) src = src.to(this.device);
    if (needsGrad(this, src)) {
      writeWithHistory(this, src.to(this.dtype).expand(this._shape).clone());
      return this;
    }
    this._backend.copy(src._s, bLayout(src, this._shape), this._s, this.layout);
    bumpVersion(this);
    return this;
  }
  /** In-place `maskedFill`. */
  maskedFill_(this: Tensor, mask: Tensor, value: number): Tensor {
    const bs = broadcastShapes(this._shape, mask._shape);
    if (bs.length !== this.dim() || bs.some((s, i) => s !== this._shape[i])) {
      throw new RangeError(`The expanded size of the tensor (${this._shape[this.dim() - 1] ?? 1}) must match the existing size (${mask._shape[mask.dim() - 1] ?? 1}) at non-singleton dimension ${Math.max(0, this.dim() - 1)}.  Target sizes: [${this._shape.join(', ')}].  Tensor sizes: [${mask._shape.join(', ')}]`);
    }
    const r = this.maskedFill(mask, value);
    return inplace(this, [], this.dtype, () => r, () => this._backend.copy(r._s, r.layout, this._s, this.layout));
  }
  /** Fills in place with U(from, to). */
  uniform_(this: Tensor, from: number | { from?: number; to?: number; generator?: Generator } = 0, to = 1, generator?: Generator): Tensor {
    if (isMeta(this)) return checkLeafWrite(this);
    if (isPlainObject(from)) { to = from.to ?? 1; generator = from.generator; from = from.from ?? 0; }
    return randomFill(this, { kind: 'uniform', from: from as number, to }, generator ?? defaultGenerator);
  }
  /** Fills in place with N(mean, std²). */
  normal_(this: Tensor, mean: number | { mean?: number; std?: number; generator?: Generator } = 0, std = 1, generator?: Generator): Tensor {
    if (isMeta(this)) return checkLeafWrite(this);
    if (isPlainObject(mean)) { std = mean.std ?? 1; generator = mean.generator; mean = mean.mean ?? 0; }
    return randomFill(this, { kind: 'normal', mean: mean as number, std }, generator ?? defaultGenerator);
  }
  /**
   * Fills in place with 0/1 draws of probability `p`: a number, or a tensor of probabilities that broadcasts to
   * this shape (one draw per element).
   * @example torch.zeros([4]).bernoulli_(0.5)
   */
  bernoulli_(this: Tensor, p: number | Tensor = 0.5, generator?: Generator): Tensor {
    const g = generator ?? defaultGenerator;
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
    const g = opts instanceof Generator ? opts : opts.generator;
    return emptyLike(this).bernoulli_(this, g);
  }

  // ---- conversion
  /**
   * Converts to a dtype and/or moves to a device, as PyTorch's `Tensor.to`: `to('float64')`, `to('cuda:1')`,
   * `to(device, 'float64')`, `to(other)` (other's device and dtype), `to({ device, dtype, nonBlocking, copy })`.
   * Returns this tensor when nothing changes (unless `copy`). A move to another device is recorded for autograd
   * (PyTorch's ToCopyBackward): the gradient flows back to the source device. `nonBlocking` is accepted for
   * compatibility; transfers complete before `to` returns.
   * @example torch.tensor([1.7, -1.7]).to('int64').tolist() // [1, -1]
   * @example torch.ones([2]).to('meta').isMeta // true
   */
  to(this: Tensor, arg?: DType | DeviceLike | Tensor | ToOptions | null, dtype?: DType | ToOptions | null, opts?: ToOptions): Tensor {
    let dt: DType | undefined, dev: DeviceLike | undefined, copy = false;
    const apply = (o: ToOptions) => {
      if (o.dtype !== undefined && o.dtype !== null) dt = o.dtype;
      if (o.device !== undefined && o.device !== null) dev = o.device;
      if (o.copy !== undefined) copy = o.copy;
    };
    if (arg instanceof Tensor) { dt = arg.dtype; dev = arg.device; }
    else if (arg instanceof Device) dev = arg;
    else if (isPlainObject(arg)) apply(arg as ToOptions);
    else if (typeof arg === 'string' && isDType(arg)) dt = arg;
    else if (typeof arg === 'string') dev = arg;
    if (typeof dtype === 'string') dt = dtype;
    else if (isPlainObject(dtype)) apply(dtype as ToOptions);
    if (opts !== undefined) apply(opts);
    const target = dev === undefined ? this.device : canonicalDevice(parseDevice(dev));
    const tdt = dt ?? this.dtype;
    if (!target.equals(this.device)) return toDevice(this, target, tdt);
    if (tdt === this.dtype && !copy) return this;
    return castTo(this, tdt);
  }
  /** `to('float32')`. */
  float(this: Tensor): Tensor { return this.to('float32'); }
  /** `to('float64')`. */
  double(this: Tensor): Tensor { return this.to('float64'); }
  /** `to('int64')` (truncates toward zero). */
  long(this: Tensor): Tensor { return this.to('int64'); }
  /** `to('int32')`. */
  int(this: Tensor): Tensor { return this.to('int32'); }
  /** `to('bool')` (non-zero → true). */
  bool(this: Tensor): Tensor { return this.to('bool'); }
  /** `to('cpu')`: this tensor when already on the CPU, else a copy there (reads through the source backend). */
  cpu(this: Tensor): Tensor { return this.to(CPU); }
  /**
   * Moves to CUDA device `index` (default 0). Fails with PyTorch's `Torch not compiled with CUDA enabled` when no
   * CUDA backend is registered (this build ships none).
   */
  cuda(this: Tensor, index?: number | Device | string | { device?: number | DeviceLike; nonBlocking?: boolean }): Tensor {
    const d: number | DeviceLike | undefined = isPlainObject(index) ? (index as { device?: number | DeviceLike }).device : index as number | DeviceLike | undefined;
    const dev = typeof d === 'number' || d === undefined ? parseDevice('cuda', d ?? null) : parseDevice(d);
    if (dev.type !== 'cuda') throw new Error(`Invalid device, must be cuda device`);
    return this.to(dev);
  }
  /** The type name, e.g. 'torch.FloatTensor'. */
  type(this: Tensor): string { return `torch.${torchTypeName(this.dtype)}Tensor`; }
  /** Number of bytes per element. */
  elementSize(this: Tensor): number { return { float32: 4, float64: 8, int64: 8, int32: 4, bool: 1 }[this.dtype]; }
}

/**
 * Gives the storages of internal temporaries back to the caching allocator right away. Only for tensors a
 * function created itself, that own their storage and that nothing else can reference (no graph, not returned).
 */
export function release(...ts: Tensor[]): void {
  for (const t of ts) {
    if (t._base === null && t._gradFn === null && !t._requiresGrad) releaseTensor(t);
  }
}

function noGradIf(self: Tensor, fn: () => Tensor): Tensor {
  return needsGrad(self) ? fn() : noGrad(fn);
}

/** Random fills on meta write nothing; the leaf-write check still applies. */
function checkLeafWrite(t: Tensor): Tensor {
  if (t._gradFn === null && t._requiresGrad && isGradEnabled()) throw new Error('a leaf Variable that requires grad is being used in an in-place operation.');
  return t;
}

/**
 * Fills `t` with samples on its backend (`Backend.random`, handed the generator). Backends without the kernel get
 * the samples drawn on the host and uploaded: the same values, but one transfer per fill (slow on a device).
 */
function randomFill(t: Tensor, dist: RandomDistribution, g: Generator, p?: Tensor): Tensor {
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
function randomTensor(shape: readonly number[], opts: TensorOptions & { generator?: Generator }, dist: RandomDistribution, defaultDt?: DType): Tensor {
  const g: Generator = opts.generator ?? defaultGenerator;
  const { dev, backend } = resolveDevice(opts.device);
  const n = numelOf(shape);
  if (backend.random === undefined) {
    const vals = new Float64Array(n);
    drawSamples(vals, dist, g);
    return fromValues(shape, vals, opts, defaultDt);
  }
  const s = backend.alloc(opts.dtype ?? defaultDt ?? getDefaultDtype(), n);
  backend.random(s, { shape, strides: contiguousStrides(shape), offset: 0 }, dist, g);
  return finish(fromStorage(s, shape, backend, dev), opts);
}

function writeValues(t: Tensor, vals: Float64Array): Tensor {
  if (t._gradFn === null && t._requiresGrad && isGradEnabled()) throw new Error('a leaf Variable that requires grad is being used in an in-place operation.');
  const src = t._backend.fromArray('float64', vals);
  t._backend.copy(src, { shape: t._shape, strides: contiguousStrides(t._shape), offset: 0 }, t._s, t.layout);
  t._backend.free(src);
  bumpVersion(t);
  return t;
}

/** Options of `Tensor.to`. */
export interface ToOptions { device?: DeviceLike | null; dtype?: DType | null; nonBlocking?: boolean; copy?: boolean }

/**
 * `x` moved to device `dev` (and converted to `dt`): the dtype conversion runs on the source device (so its
 * conversion rules apply), then the elements are transferred: to meta by allocating only, otherwise through the
 * source backend's `transfer` hook when it has one, else a host read (`readSync`) and an upload (`fromArray`).
 * Recorded as `toCopy`, whose backward moves the gradient back to `x`'s device.
 */
function toDevice(x: Tensor, dev: Device, dt: DType): Tensor {
  const backend = getBackend(dev);
  const src = x.dtype === dt || isMeta(x) || dev.type === 'meta' ? x : noGrad(() => castTo(x, dt));
  let s: Storage;
  if (dev.type === 'meta') s = backend.alloc(dt, src.numel());
  else {
    if (isMeta(src)) throw new Error('Cannot copy out of meta tensor; no data!');
    const moved = src._backend.transfer?.(src._s, src.layout, backend);
    s = moved ?? backend.fromArray(dt, src._backend.readSync(src._s, src.layout));
  }
  const out = fromStorage(s, src._shape, backend, dev);
  if (src !== x) release(src);
  return needsGrad(x) ? record('toCopy', out, [x], [], { device: x.device }) : out;
}

function castTo(x: Tensor, dt: DType): Tensor {
  const s = x._backend.alloc(dt, x.numel());
  x._backend.copy(x._s, x.layout, s, { shape: x._shape, strides: contiguousStrides(x._shape), offset: 0 });
  const out = newTensor(s, x._shape, x);
  return needsGrad(x) ? record('cast', out, [x]) : out;
}

function flatShape(args: readonly (number | readonly number[])[]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return [...(args[0] as number[])];
  return args as number[];
}

function viewOp(x: Tensor, shape: number[], strides: number[], offset: number, rule: string, ctx: any): Tensor {
  const out = makeView(x, shape, strides, offset);
  return needsGrad(x) ? record(rule, out, [x], [], ctx) : out;
}

function checkIndex(name: string, x: Tensor, dim: number, index: Tensor): void {
  if (index.dtype !== 'int64') throw new TypeError(`${name}(): Expected dtype int64 for index`);
  const xd = Math.max(x.dim(), 1), id = Math.max(index.dim(), 1);
  if (xd !== id && !(index.numel() === 0)) {
    throw new RangeError(`Index tensor must have the same number of dimensions as ${name === 'gather' ? 'input' : 'self'} tensor`);
  }
  const d = normDim(dim, x.dim());
  for (let k = 0; k < index.dim(); k++) {
    if (k === d) continue;
    if (index._shape[k]! > (x._shape[k] ?? 1)) {
      throw new RangeError(`Size does not match at dimension ${k} expected index [${index._shape.join(', ')}] to be smaller than self [${x._shape.join(', ')}] apart from dimension ${d}`);
    }
  }
}

function scatterImpl(self: Tensor, dim: number, index: Tensor, srcArg: Tensor | number | { value?: number; src?: Tensor; reduce?: 'add' }, inPlace: boolean, kind: 'scatter' | 'scatterAdd'): Tensor {
  let src: Tensor | null = null, value = 0, reduce: 'none' | 'add' = kind === 'scatterAdd' ? 'add' : 'none';
  if (srcArg instanceof Tensor) src = srcArg;
  else if (isPlainObject(srcArg)) { src = srcArg.src ?? null; value = srcArg.value ?? 0; if (srcArg.reduce === 'add') reduce = 'add'; }
  else value = srcArg;
  checkIndex(kind === 'scatter' ? 'scatter' : 'scatter_add', self, dim, index);
  checkSameDevice(self, index);
  if (src !== null) checkSameDevice(self, src);
  const d = normDim(dim, self.dim());
  if (src !== null) {
    if (src.dtype !== self.dtype) throw new TypeError(`scatter(): Expected self.dtype to be equal to src.dtype`);
    for (let k = 0; k < index.dim(); k++) {
      if (index._shape[k]! > (src._shape[k] ?? 1)) {
        throw new RangeError(`Size does not match at dimension ${k} expected index [${index._shape.join(', ')}] to be smaller than src [${src._shape.join(', ')}]`);
      }
    }
  }
  const run = (dst: Tensor) => {
    const x = dst.dim() === 0 ? dst.reshape([1]) : dst;
    const idx = index.dim() === 0 ? index.reshape([1]) : index;
    const s = src === null ? null : src.dim() === 0 ? src.reshape([1]) : src;
    x._backend.scatter(x._s, x.layout, d, idx._s, idx.layout, s ? s._s : null, s ? s.layout : null, value, reduce);
    bumpVersion(x);
  };
  if (needsGrad(self, src)) {
    if (inPlace && self._gradFn === null && self._requiresGrad) throw new Error('a leaf Variable that requires grad is being used in an in-place operation.');
    const base = inPlace ? self.clone() : self;
    const out = noGrad(() => base.detach());
    run(out);
    const r = record(reduce === 'add' ? 'scatterAdd' : 'scatter', out, [base, null, src], [index], { dim: d });
    if (!inPlace) return r;
    writeWithHistory(self, r);
    return self;
  }
  checkWritable(self);
  run(self);
  return self;
}

function softmaxImpl(x: Tensor, dimArg: number | { dim: number; dtype?: DType }, dtype: DType | undefined, log: boolean): Tensor {
  let dim = dimArg as number;
  if (isPlainObject(dimArg)) { dim = dimArg.dim; dtype = dimArg.dtype; }
  if (dim === undefined || dim === null) throw new TypeError(`${log ? 'log_softmax' : 'softmax'}() missing required argument 'dim'`);
  let input = x;
  if (dtype !== undefined) input = x.to(dtype);
  if (!isFloating(input.dtype)) throw new TypeError(`"${log ? 'log_softmax' : 'softmax'}_lastdim_kernel_impl" not implemented for '${torchTypeName(input.dtype)}'`);
  const d = normDim(dim, input.dim());
  // the backend's softmax kernel when it has one, else the max-shifted composite (nn/_kernels.ts)
  const out = softmaxForward(input, d, log);
  return needsGrad(input) ? record(log ? 'logSoftmax' : 'softmax', out, [input], [out], { dim: d }) : out;
}

/** Gradient of the p-norm (0 where the norm is 0, as PyTorch). */
export function normBackward(g: Tensor, x: Tensor, out: Tensor, ctx: any): Tensor {
  const p = ctx.p as number;
  const gE = expandReduced(g, ctx.shape, ctx.axes, ctx.keepdim);
  const nE = expandReduced(out, ctx.shape, ctx.axes, ctx.keepdim);
  if (p === 0) return zerosLike(x);
  if (p === 1) return gE.mul(x.sign());
  if (p === Infinity || p === -Infinity) {
    const mask = x.abs().eq(nE);
    const count = mask.sum(ctx.axes, true);
    return where(mask, gE.mul(x.sign()).div(count), 0);
  }
  if (p === 2) return where(nE.eq(0), 0, gE.mul(x).div(nE));
  // g * x * |x|^(p-2) / norm^(p-1)
  return where(nE.eq(0), 0, gE.mul(x).mul(x.abs().pow(p - 2)).div(nE.pow(p - 1)));
}

/**
 * Flat indices of the non-zero elements. Reads the mask on the host: the number of results decides the output's
 * shape, so nonzero/maskedSelect need the values before anything can be allocated (PyTorch synchronises here too).
 */
function nonzeroFlat(m: Tensor): Tensor {
  const v = m.dataSync();
  const idx: number[] = [];
  for (let i = 0; i < v.length; i++) if (v[i]) idx.push(i);
  return tensor(idx, { dtype: 'int64', device: m.device });
}

// ------------------------------------------------------------------------------------------------------------
// Functions that are not methods

/**
 * `condition ? input : other`, broadcasting all three; scalars allowed for input/other.
 * @example torch.where(torch.tensor([true, false]), 1, 0) // tensor([1, 0]) (int64)
 */
export function where(condition: Tensor, input: TensorLike, other: TensorLike): Tensor {
  if (condition.dtype !== 'bool') throw new TypeError(`where expected condition to be a boolean tensor, but got a tensor with dtype ${torchTypeName(condition.dtype)}`);
  const dev = commonDevice([condition, input, other].filter((x): x is Tensor => x instanceof Tensor));
  condition = onDevice(condition, dev);
  if (input instanceof Tensor) input = onDevice(input, dev);
  if (other instanceof Tensor) other = onDevice(other, dev);
  const dt = resultTypeOf([input, other].filter((x): x is Tensor => x instanceof Tensor),
    [input, other].filter((x): x is number | boolean => !(x instanceof Tensor)).map(scalarDType));
  const k = condition._backend.whereScalar;
  if (k !== undefined && (!(input instanceof Tensor) || !(other instanceof Tensor))) {
    // scalar operands go to the kernel as parameters (no storage, no upload), converted to the result dtype
    const ta = input instanceof Tensor ? input : null, tb = other instanceof Tensor ? other : null;
    const shape = broadcastShapes(condition._shape, ta?._shape ?? [], tb?._shape ?? []);
    const s = k.call(condition._backend, condition._s, bLayout(condition, shape),
      ta ? ta._s : scalarAs(input as number | boolean, dt), ta ? bLayout(ta, shape) : null,
      tb ? tb._s : scalarAs(other as number | boolean, dt), tb ? bLayout(tb, shape) : null, dt);
    const out = newTensor(s, shape, condition);
    if (!needsGrad(ta, tb)) return out;
    return record('where', out, [null, ta, tb], [condition]);
  }
  let a = asTensor(input, condition), b = asTensor(other, condition);
  if (!(input instanceof Tensor)) a = wrapScalar(input, condition, dt);
  if (!(other instanceof Tensor)) b = wrapScalar(other, condition, dt);
  const shape = broadcastShapes(condition._shape, a._shape, b._shape);
  const s = condition._backend.where(condition._s, bLayout(condition, shape), a._s, bLayout(a, shape), b._s, bLayout(b, shape), dt);
  const out = newTensor(s, shape, condition);
  if (!needsGrad(a, b)) return out;
  return record('where', out, [null, a, b], [condition]);
}

/** PyTorch's matmul dispatch. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkSameDevice(a, b);
  const da = a.dim(), db = b.dim();
  if (da === 0 || db === 0) throw new RangeError(`both arguments to matmul need to be at least 1D, but they are ${da}D and ${db}D`);
  if (a.dtype !== b.dtype) throw new TypeError(`expected scalar type ${torchTypeName(a.dtype)} but found ${torchTypeName(b.dtype)}`);
  if (da === 1 && db === 1) {
    if (a._shape[0] !== b._shape[0]) {
      throw new RangeError(`inconsistent tensor size, expected tensor [${a._shape[0]}] and src [${b._shape[0]}] to have the same number of elements, but got ${a._shape[0]} and ${b._shape[0]} elements respectively`);
    }
    return bmmPrim(a.view([1, 1, -1]), b.view([1, -1, 1])).reshape([]);
  }
  if (da === 2 && db === 1) {
    if (a._shape[1] !== b._shape[0]) throw new RangeError(`size mismatch, got input (${a._shape[0]}), mat (${a._shape[0]}x${a._shape[1]}), vec (${b._shape[0]})`);
    return bmmPrim(a.unsqueeze(0), b.view([1, -1, 1])).view([a._shape[0]!]);
  }
  if (da === 1 && db === 2) {
    if (a._shape[0] !== b._shape[0]) throw new RangeError(`size mismatch, got input (${b._shape[1]}), mat (${b._shape[1]}x${b._shape[0]}), vec (${a._shape[0]})`);
    return bmmPrim(a.view([1, 1, -1]), b.unsqueeze(0)).view([b._shape[1]!]);
  }
  if (da === 2 && db === 2) {
    if (a._shape[1] !== b._shape[0]) {
      throw new RangeError(`mat1 and mat2 shapes cannot be multiplied (${a._shape[0]}x${a._shape[1]} and ${b._shape[0]}x${b._shape[1]})`);
    }
    return bmmPrim(a.unsqueeze(0), b.unsqueeze(0), [a._shape[0]!, b._shape[1]!]); // a fresh tensor, not a view
  }
  // batched, with broadcasting of batch dims; 1-D operands get a dim added and removed
  const A = da === 1 ? a.unsqueeze(0) : a, B = db === 1 ? b.unsqueeze(-1) : b;
  const M = A._shape[A.dim() - 2]!, K = A._shape[A.dim() - 1]!, K2 = B._shape[B.dim() - 2]!, N = B._shape[B.dim() - 1]!;
  if (K !== K2) {
    throw new RangeError(`Expected size for first two dimensions of batch2 tensor to be: [${numelOf(broadcastShapes(A._shape.slice(0, -2), B._shape.slice(0, -2)))}, ${K}] but got: [${numelOf(broadcastShapes(A._shape.slice(0, -2), B._shape.slice(0, -2)))}, ${K2}].`);
  }
  const batch = broadcastShapes(A._shape.slice(0, -2), B._shape.slice(0, -2));
  const out = bmmPrim(A.expand([...batch, M, K]), B.expand([...batch, K, N]));
  if (da === 1) return out.squeeze(-2);
  if (db === 1) return out.squeeze(-1);
  return out;
}

/** [...batch, M, K] @ [...batch, K, N] with equal batch dims; one autograd node. */
function bmmPrim(a: Tensor, b: Tensor, outShape?: number[]): Tensor {
  const nd = a.dim();
  const shape = outShape ?? [...a._shape.slice(0, nd - 1), b._shape[nd - 1]!];
  let out: Tensor;
  if (isFloating(a.dtype)) {
    out = newTensor(a._backend.matmul(a._s, a.layout, b._s, b.layout, a.dtype), shape, a);
  } else {
    const r = noGrad(() => bmmPrim(a.double(), b.double(), shape));
    out = castTo(r, a.dtype);
  }
  return needsGrad(a, b) ? record('matmul', out, [a, b], [a, b]) : out;
}

/**
 * `input @ weight.T + bias` over the last dim of `input` (`torch.nn.functional.linear`): one fused kernel
 * (the bias initialises the output, the GEMM accumulates into it) and one autograd node.
 * @example torch.linear(torch.ones([4, 3]), torch.ones([2, 3]), torch.zeros([2])).shape // [4, 2]
 */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (input.dim() === 0) throw new RangeError('both arguments to linear need to be at least 1D, but they are 0D and 2D');
  if (weight.dim() !== 2 && weight.dim() !== 1) throw new RangeError(`linear(): weight must be 1-D or 2-D, got ${weight.dim()}-D`);
  checkSameDevice(input, weight);
  if (bias !== null) checkSameDevice(input, bias);
  if (weight.dim() === 1 || input.dim() === 1 || !isFloating(input.dtype) || input.dtype !== weight.dtype
    || (bias !== null && (bias.dtype !== input.dtype || bias.dim() > 1))) {
    const out = input.matmul(weight.t());
    return bias === null ? out : out.add(bias);
  }
  const inF = input._shape[input.dim() - 1]!, outF = weight._shape[0]!;
  if (weight._shape[1] !== inF) {
    throw new RangeError(`mat1 and mat2 shapes cannot be multiplied (${numelOf(input._shape.slice(0, -1))}x${inF} and ${weight._shape[1]}x${outF})`);
  }
  if (bias !== null && bias.numel() !== outF && bias.numel() !== 1) {
    throw new RangeError(`The size of tensor a (${outF}) must match the size of tensor b (${bias.numel()}) at non-singleton dimension ${input.dim() - 1}`);
  }
  const x2 = input.reshape([-1, inF]);
  const M = x2._shape[0]!;
  const a = x2.unsqueeze(0), wt = weight.t().unsqueeze(0);
  const outShape = [1, M, outF];
  const s = input._backend.matmul(a._s, a.layout, wt._s, wt.layout, input.dtype,
    bias?._s, bias ? bLayout(bias, outShape) : undefined);
  const out = newTensor(s, [...input._shape.slice(0, -1), outF], input);
  if (!needsGrad(input, weight, bias)) return out;
  return record('linear', out, [input, weight, bias], [input._requiresGrad ? weight : null, weight._requiresGrad ? input : null]);
}

/**
 * im2col primitive behind convolution and pooling (`nn.functional.unfold` is built on it): `x` is [N, C, H, W];
 * the result is a contiguous [C·kh·kw, N, oh·ow] (see `Backend.im2col`). Positions outside the input read
 * `padValue` (0 for convolution, -inf for max pooling). Its backward is `col2im`.
 * @example torch.nn.functional.unfold(torch.ones([1, 1, 3, 3]), 2).shape // [1, 4, 4] (a permuted view of im2col's [4, 1, 4])
 */
export function im2col(x: Tensor, geom: ConvGeometry, padValue = 0): Tensor {
  if (x.dim() !== 4) throw new RangeError(`im2col: expected a 4-D input, got ${x.dim()}-D`);
  const [kh, kw] = geom.kernel, [oh, ow] = geom.outSize;
  const out = newTensor(x._backend.im2col(x._s, x.layout, geom, padValue), [x._shape[1]! * kh * kw, x._shape[0]!, oh * ow], x);
  return needsGrad(x) ? record('im2col', out, [x], [], { geom }) : out;
}

/**
 * col2im primitive (fold), the adjoint of `im2col`: `cols` is [C·kh·kw, N, oh·ow] (any strides); overlapping
 * windows add up. Returns [N, C, H, W] with [H, W] = `geom.inSize`. Its backward is `im2col`.
 * @example torch.nn.functional.fold(torch.ones([1, 4, 4]), [3, 3], 2).shape // [1, 1, 3, 3]
 */
export function col2im(cols: Tensor, geom: ConvGeometry): Tensor {
  const [kh, kw] = geom.kernel, [oh, ow] = geom.outSize;
  if (cols.dim() !== 3 || cols._shape[0]! % (kh * kw) !== 0 || cols._shape[2] !== oh * ow) {
    throw new RangeError(`col2im: expected columns of shape [C*${kh * kw}, N, ${oh * ow}], got [${cols._shape.join(', ')}]`);
  }
  const shape = [cols._shape[1]!, cols._shape[0]! / (kh * kw), geom.inSize[0], geom.inSize[1]];
  const out = newTensor(cols._backend.col2im(cols._s, cols.layout, geom), shape, cols);
  return needsGrad(cols) ? record('col2im', out, [cols], [], { geom }) : out;
}

/**
 * Concatenates along `dim` (all other dims must match; dtypes promote).
 * @example torch.cat([torch.zeros([2, 3]), torch.ones([1, 3])]).shape // [3, 3]
 */
export function cat(tensors: readonly Tensor[], dim: number | { dim?: number } = 0): Tensor {
  const dd = typeof dim === 'number' ? dim : dim.dim ?? 0;
  if (tensors.length === 0) throw new RangeError('torch.cat(): expected a non-empty list of Tensors');
  // legacy: 1-D empty tensors are skipped
  const parts = tensors.filter((t) => !(t.dim() === 1 && t._shape[0] === 0));
  if (parts.length === 0) return tensors[0]!.clone();
  const ref = parts[0]!;
  if (ref.dim() === 0) throw new RangeError('zero-dimensional tensor (at position 0) cannot be concatenated');
  const d = normDim(dd, ref.dim());
  let dt = ref.dtype;
  parts.forEach((t, i) => {
    if (t.dim() === 0) throw new RangeError(`zero-dimensional tensor (at position ${i}) cannot be concatenated`);
    if (t.dim() !== ref.dim()) throw new RangeError(`Tensors must have same number of dimensions: got ${ref.dim()} and ${t.dim()}`);
    for (let k = 0; k < ref.dim(); k++) {
      if (k !== d && t._shape[k] !== ref._shape[k]) {
        throw new RangeError(`Sizes of tensors must match except in dimension ${d}. Expected size ${ref._shape[k]} but got size ${t._shape[k]} for tensor number ${tensors.indexOf(t)} in the list.`);
      }
    }
    checkSameDevice(ref, t);
    dt = promoteTypes(dt, t.dtype);
  });
  const shape = [...ref._shape];
  shape[d] = parts.reduce((a, t) => a + t._shape[d]!, 0);
  const s = ref._backend.alloc(dt, numelOf(shape));
  const strides = contiguousStrides(shape);
  let off = 0;
  for (const t of parts) {
    ref._backend.copy(t._s, t.layout, s, { shape: t._shape, strides, offset: off * strides[d]! });
    off += t._shape[d]!;
  }
  const out = newTensor(s, shape, ref);
  return needsGrad(...parts) ? record('cat', out, [...parts], [], { dim: d, sizes: parts.map((t) => t._shape[d]!) }) : out;
}

/**
 * Stacks equal-shaped tensors along a new dim.
 * @example torch.stack([torch.zeros([3]), torch.ones([3])], 1).shape // [3, 2]
 */
export function stack(tensors: readonly Tensor[], dim: number | { dim?: number } = 0): Tensor {
  const dd = typeof dim === 'number' ? dim : dim.dim ?? 0;
  if (tensors.length === 0) throw new RangeError('stack expects a non-empty TensorList');
  const ref = tensors[0]!;
  tensors.forEach((t, i) => {
    if (t._shape.length !== ref._shape.length || t._shape.some((s, k) => s !== ref._shape[k])) {
      throw new RangeError(`stack expects each tensor to be equal size, but got [${ref._shape.join(', ')}] at entry 0 and [${t._shape.join(', ')}] at entry ${i}`);
    }
  });
  const d = normDim(dd, ref.dim() + 1);
  return cat(tensors.map((t) => t.unsqueeze(d)), d);
}

// ------------------------------------------------------------------------------------------------------------
// Creation

function parseSize(args: any[]): { shape: number[]; opts: TensorOptions & Record<string, any> } {
  let opts: any = {};
  if (args.length > 0 && isPlainObject(args[args.length - 1])) opts = args.pop();
  // a size given as a tensor is read on the host: a shape is host metadata (PyTorch reads it too)
  const shape = args.length === 1 && Array.isArray(args[0]) ? [...args[0]] : args.length === 1 && args[0] instanceof Tensor ? [...(args[0] as Tensor).dataSync()] : args;
  return { shape: checkShape(shape as number[]), opts };
}

function finish(t: Tensor, opts: TensorOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

/** Whether a factory's options put the result on the meta device (random factories then draw nothing). */
function onMetaDevice(opts: TensorOptions): boolean {
  return opts.device !== undefined && parseDevice(opts.device).type === 'meta';
}

function filled(shape: readonly number[], value: number, opts: TensorOptions, defaultDt?: DType): Tensor {
  const { dev, backend } = resolveDevice(opts.device);
  const dt = opts.dtype ?? defaultDt ?? getDefaultDtype();
  const s = backend.alloc(dt, numelOf(shape));
  backend.fill(s, { shape, strides: contiguousStrides(shape), offset: 0 }, value);
  return finish(fromStorage(s, shape, backend, dev), opts);
}

function fromValues(shape: readonly number[], vals: ArrayLike<number>, opts: TensorOptions, defaultDt?: DType): Tensor {
  const { dev, backend } = resolveDevice(opts.device);
  const dt = opts.dtype ?? defaultDt ?? getDefaultDtype();
  return finish(fromStorage(backend.fromArray(dt, vals), shape, backend, dev), opts);
}

/**
 * A tensor from (nested) arrays, a typed array or a number. JavaScript numbers carry no int/float
 * distinction, so numbers give the default float dtype (`float32`) unless `dtype` says otherwise; booleans give
 * `bool`; an `Int32Array` gives int32, a `Float64Array` float64.
 * @example
 * torch.tensor([[1, 2], [3, 4]]);                 // float32
 * torch.tensor([1, 2], { dtype: 'int64' });      // int64
 */
export function tensor(data: NestedArray | Tensor, opts: TensorOptions = {}): Tensor {
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
      typedDt = ta instanceof Float64Array ? 'float64' : ta instanceof Int32Array ? 'int32' : ta instanceof Uint8Array ? 'bool' : 'float32';
      for (let i = 0; i < ta.length; i++) flat.push(ta[i]!);
      allBool = typedDt === 'bool'; sawValue = true;
      return;
    }
    for (const v of x as any[]) walk(v, d + 1);
  };
  walk(data, 0);
  const dt = opts.dtype ?? typedDt ?? (sawValue && allBool ? 'bool' : getDefaultDtype());
  if (dt === 'int64' || dt === 'int32') {
    for (const v of flat) {
      if (!Number.isFinite(v)) throw new RangeError(`value cannot be converted to type ${dt === 'int64' ? 'int64_t' : 'int32_t'} without overflow: ${v}`);
    }
  }
  return fromValues(shape, flat, { ...opts, dtype: dt });
}

/** Alias of `tensor` (PyTorch's `as_tensor`; always copies here). */
export const asTensorFn = tensor;

/**
 * A tensor of zeros: `zeros([2, 3])`, `zeros(2, 3)`, with options `{ dtype, device, requiresGrad }`.
 * @example torch.zeros([2, 3]).shape // [2, 3]
 */
export function zeros(...args: (number | readonly number[] | TensorOptions)[]): Tensor {
  const { shape, opts } = parseSize(args);
  return filled(shape, 0, opts);
}
/** A tensor of ones. @example torch.ones(2).tolist() // [1, 1] */
export function ones(...args: (number | readonly number[] | TensorOptions)[]): Tensor {
  const { shape, opts } = parseSize(args);
  return filled(shape, 1, opts);
}
/** Uninitialised in PyTorch; zero-filled here. */
export function empty(...args: (number | readonly number[] | TensorOptions)[]): Tensor {
  const { shape, opts } = parseSize(args);
  return filled(shape, 0, opts);
}
/**
 * A tensor filled with `fillValue`; the dtype follows the value as in PyTorch: boolean → bool, an integer → int64,
 * otherwise the default float dtype.
 * @example torch.full([2], 7).tolist() // [7, 7]
 */
export function full(size: readonly number[], fillValue: number | boolean, opts: TensorOptions = {}): Tensor {
  return filled(checkShape(size), Number(fillValue), opts, typeof fillValue === 'boolean' ? 'bool' : Number.isInteger(fillValue) ? 'int64' : undefined);
}
/**
 * Values from `start` to `end` (exclusive) by `step`; all-integer arguments give int64, as in PyTorch.
 * @example torch.arange(5).tolist() // [0, 1, 2, 3, 4]
 */
export function arange(start: number, end?: number | TensorOptions, step?: number | TensorOptions, opts?: TensorOptions): Tensor {
  let o: TensorOptions = {};
  const nums: number[] = [start];
  for (const a of [end, step, opts]) { if (isPlainObject(a)) o = a as TensorOptions; else if (a !== undefined) nums.push(a as number); }
  let [s, e, st] = nums.length === 1 ? [0, nums[0]!, 1] : nums.length === 2 ? [nums[0]!, nums[1]!, 1] : [nums[0]!, nums[1]!, nums[2]!];
  if (st === 0) throw new RangeError('step must be nonzero');
  if ((st > 0 && e < s) || (st < 0 && e > s)) throw new RangeError('upper bound and larger bound inconsistent with step sign');
  const allInt = Number.isInteger(s) && Number.isInteger(e) && Number.isInteger(st);
  const n = Math.ceil((e - s) / st);
  const vals = new Float64Array(n);
  for (let i = 0; i < n; i++) vals[i] = s + i * st;
  return fromValues([n], vals, o, allInt ? 'int64' : undefined);
}
/**
 * `steps` evenly spaced values from `start` to `end` inclusive.
 * @example torch.linspace(0, 1, 5).tolist() // [0, 0.25, 0.5, 0.75, 1]
 */
export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  if (steps < 0) throw new RangeError('number of steps must be non-negative');
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
  const cols = (m as number | undefined) ?? n;
  const vals = new Float64Array(n * cols);
  for (let i = 0; i < Math.min(n, cols); i++) vals[i * cols + i] = 1;
  return fromValues([n, cols], vals, opts);
}
/** Uniform [0, 1) samples from the default generator (or `opts.generator`). */
export function rand(...args: (number | readonly number[] | (TensorOptions & { generator?: Generator }))[]): Tensor {
  const { shape, opts } = parseSize(args);
  if (onMetaDevice(opts)) return filled(shape, 0, opts); // no values to draw (and no generator state consumed)
  return randomTensor(shape, opts, { kind: 'uniform', from: 0, to: 1 });
}
/** Standard normal samples. @example torch.manualSeed(0); torch.randn([2, 3]) */
export function randn(...args: (number | readonly number[] | (TensorOptions & { generator?: Generator }))[]): Tensor {
  const { shape, opts } = parseSize(args);
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
  if (high <= low) throw new RangeError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  return randomTensor(checkShape(size), opts, { kind: 'randint', low, high }, 'int64');
}
/** A random permutation of 0..n-1 (int64). */
export function randperm(n: number, opts: TensorOptions & { generator?: Generator } = {}): Tensor {
  return randomTensor([n], opts, { kind: 'permutation' }, 'int64');
}
const likeOpts = (t: Tensor, o: TensorOptions): TensorOptions => ({ dtype: t.dtype, device: t.device, ...o });
/** Zeros with another tensor's shape and dtype. */
export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor { return filled(t._shape, 0, likeOpts(t, opts)); }
/** Ones with another tensor's shape and dtype. */
export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor { return filled(t._shape, 1, likeOpts(t, opts)); }
/** Zeros (PyTorch: uninitialised) like another tensor. */
export function emptyLike(t: Tensor, opts: TensorOptions = {}): Tensor { return filled(t._shape, 0, likeOpts(t, opts)); }
/** `fillValue` with another tensor's shape and dtype. */
export function fullLike(t: Tensor, fillValue: number, opts: TensorOptions = {}): Tensor { return filled(t._shape, fillValue, likeOpts(t, opts)); }
/** Standard normal samples with another tensor's shape and dtype. */
export function randnLike(t: Tensor, opts: TensorOptions = {}): Tensor { return randn([...t._shape], likeOpts(t, opts)); }
/** Uniform samples with another tensor's shape and dtype. */
export function randLike(t: Tensor, opts: TensorOptions = {}): Tensor { return rand([...t._shape], likeOpts(t, opts)); }

// ------------------------------------------------------------------------------------------------------------
// Autograd entry points

export function detach(t: Tensor): Tensor {
  const d = new Tensor(t._s, t._shape, t._strides, t._offset, t._backend, t.device, t._h);
  d._inference = t._inference;
  return d;
}

export function backward(t: Tensor, gradient?: Tensor | null | { retainGraph?: boolean }, options?: { retainGraph?: boolean }): void {
  let g: Tensor | null = null, retain = false;
  if (gradient instanceof Tensor) g = gradient;
  else if (isPlainObject(gradient)) retain = gradient.retainGraph ?? false;
  if (options?.retainGraph !== undefined) retain = options.retainGraph;
  runBackward(t, checkBackward(t, g), retain);
}

/** The upstream gradient for a backward from `t` (ones for a scalar), with PyTorch's errors. */
function checkBackward(t: Tensor, g: Tensor | null): Tensor {
  refreshView(t);
  if (!t._requiresGrad) throw new Error('element 0 of tensors does not require grad and does not have a grad_fn');
  if (g === null) {
    if (t.numel() !== 1) throw new Error('grad can be implicitly created only for scalar outputs');
    return onesLike(t);
  }
  if (g._shape.length !== t._shape.length || g._shape.some((s, i) => s !== t._shape[i])) {
    throw new RangeError(`Mismatch in shape: grad_output[0] has a shape of [${g._shape.join(', ')}] and output[0] has a shape of [${t._shape.join(', ')}].`);
  }
  return g.detach();
}

setEngineOps({
  sumToShape(g, shape) {
    if (g._shape.length === shape.length && g._shape.every((s, i) => s === shape[i])) return g;
    const lead = g.dim() - shape.length;
    const axes: number[] = [];
    for (let d = 0; d < g.dim(); d++) if (d < lead || (shape[d - lead] === 1 && g._shape[d] !== 1)) axes.push(d);
    const s = axes.length > 0 ? g.sum(axes, true) : g;
    return s.reshape(shape);
  },
  add: (a, b) => a.add(b),
  cast: (g, dtype) => g.to(dtype as DType),
  clone: (g) => g.clone(),
  accumulateInto(dst, g) { dst.add_(g); },
  detachedAlias: (g) => detach(g),
  free: freeHandle,
  withNoGrad: noGrad,
});

/**
 * Gradients of `outputs` w.r.t. `inputs` without touching `.grad` (`torch.autograd.grad`, first order only).
 * @example const [dx] = torch.autograd.grad(y, [x]);
 */
export function grad(outputs: Tensor, inputs: Tensor[], gradOutputs?: Tensor | null, opts: { retainGraph?: boolean; allowUnused?: boolean } = {}): (Tensor | null)[] {
  const g = checkBackward(outputs, gradOutputs ?? null);
  inputs.forEach((t, i) => {
    if (!t._requiresGrad) throw new Error(`One of the differentiated Tensors does not require grad (input ${i})`);
  });
  const res = runBackward(outputs, g, opts.retainGraph ?? false, inputs);
  res.forEach((r, i) => {
    if (r === null && !opts.allowUnused) {
      throw new Error(`One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior. (input ${i})`);
    }
  });
  return res;
}

// ------------------------------------------------------------------------------------------------------------
// Printing

function fmtNum(v: number, dtype: DType, fixed: number | null): string {
  if (dtype === 'bool') return v ? 'True' : 'False';
  if (!isFloating(dtype)) return String(v);
  if (v !== v) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (fixed === null) return Number.isInteger(v) ? `${v}.` : String(v);
  return v.toFixed(fixed);
}

/** Python's tuple rendering of a shape: `()`, `(3,)`, `(2, 3)`. */
function pyTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

function autogradSuffix(t: Tensor): string[] {
  if (t._gradFn !== null) return [`grad_fn=<${t._gradFn}>`];
  return t._requiresGrad ? ['requires_grad=True'] : [];
}

export function format(t: Tensor): string {
  if (isMeta(t)) {
    // PyTorch: `tensor(..., device='meta', size=(2, 3))`, the dtype shown whenever it is not the default
    const extras = [`device='meta'`, `size=${pyTuple(t._shape)}`];
    if (t.dtype !== getDefaultDtype()) extras.push(`dtype=torch.${t.dtype}`);
    return `tensor(...${[...extras, ...autogradSuffix(t)].map((e) => ', ' + e).join('')})`;
  }
  const data = t.dataSync();
  const isF = isFloating(t.dtype);
  let fixed: number | null = null;
  let sci = false;
  if (isF) {
    let allInt = true, maxAbs = 0, minAbs = Infinity;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (!Number.isFinite(v)) continue;
      if (!Number.isInteger(v)) allInt = false;
      const a = Math.abs(v);
      maxAbs = Math.max(maxAbs, a);
      if (a > 0) minAbs = Math.min(minAbs, a);
    }
    if (!allInt) fixed = 4;
    if (maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs > 0 && !allInt) || (maxAbs / minAbs > 1000 && !allInt && minAbs < 1e-2)) sci = true;
  }
  const strs = Array.from(data, (v) => (sci && Number.isFinite(v) ? v.toExponential(4) : fmtNum(v, t.dtype, fixed)));
  const width = Math.max(0, ...strs.map((s) => s.length));
  const shape = t._shape;
  let i = 0;
  const indent = 'tensor('.length;
  const build = (d: number): string => {
    if (d === shape.length) return strs[i++]!.padStart(width);
    const parts: string[] = [];
    for (let k = 0; k < shape[d]!; k++) parts.push(build(d + 1));
    const sep = d === shape.length - 1 ? ', ' : ',' + '\n'.repeat(shape.length - 1 - d) + ' '.repeat(indent + d + 1);
    return `[${parts.join(sep)}]`;
  };
  let body = shape.length === 0 ? strs[0]! : build(0);
  if (t.numel() === 0) body = '[]';
  const extras: string[] = [];
  if (t.device.type !== 'cpu') extras.push(`device='${t.device}'`);
  if (t.numel() === 0 && shape.length > 1) extras.push(`size=(${shape.join(', ')})`);
  if (t.dtype !== getDefaultDtype() && t.dtype !== 'int64' && t.dtype !== 'bool') extras.push(`dtype=torch.${t.dtype}`);
  if (t._gradFn !== null) extras.push(`grad_fn=<${t._gradFn}>`);
  else if (t._requiresGrad) extras.push('requires_grad=True');
  return `tensor(${body}${extras.map((e) => ', ' + e).join('')})`;
}

// ------------------------------------------------------------------------------------------------------------

export interface TensorMethods extends TensorOps {}
installTensorMethods(TensorOps);

export { castScalar, Generator };
