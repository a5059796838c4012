/**
 * The portable CPU backend: TypeScript over typed arrays, runs wherever JavaScript runs.
 *
 * Elementwise and reduction kernels are specialised per operation by generating a small loop function once
 * (`new Function`) and caching it: the loop over a coalesced strided iteration space is shared, and the
 * operation's expression is pasted into the innermost loop so the JIT sees straight-line arithmetic.
 * Layouts are first coalesced (adjacent dimensions that are contiguous for every operand are merged, size-1
 * dimensions dropped), so contiguous and most broadcast cases run as one flat loop.
 * Matrix products go to the packed, register-blocked GEMM in `gemm.ts`.
 */
import type { DType, TypedArray } from '../../dtype.js';
import { isFloating, isIntegral } from '../../dtype.js';
import type { ArgReduceOp, Backend, BinaryOp, ConvGeometry, Layout, RandomDistribution, RandomSource, ReduceOp, Storage, UnaryOp } from '../types.js';
import { CachingAllocator } from './pool.js';
import { gemm } from './gemm.js';
import * as optimKernels from './optim.js';
import type { OptimizerHyperparams, OptimizerKind, OptimizerSlot, TensorRef } from '../types.js';
import { drawSamples } from '../../random.js';
import * as NN from './nn.js';

export class CpuStorage implements Storage {
  /** The elements; null once the storage has been freed. */
  private _data: TypedArray | null;
  private readonly _length: number;
  constructor(public readonly dtype: DType, data: TypedArray) { this._data = data; this._length = data.length; }
  /**
   * The elements. Every kernel reaches memory through this getter, so using a freed storage throws instead of
   * reading recycled memory. V8 inlines the getter; the check is one compare per kernel call, not per element
   * (no measurable change on the MLP step, see the commit that added it).
   */
  get data(): TypedArray {
    const d = this._data;
    if (d === null) throw new Error(`storage has been freed: a ${this.dtype} storage of ${this._length} elements was given back to the allocator and cannot be used (a tensor was released while still referenced)`);
    return d;
  }
  get length(): number { return this._length; }
  /** True once `free` has given the memory back. */
  get freed(): boolean { return this._data === null; }
  /** @internal Detaches the memory (for `free`); later accesses throw. */
  _take(): TypedArray | null { const d = this._data; this._data = null; return d; }
}

export const cpuAllocator = new CachingAllocator();

/**
 * Memory comes from the caching allocator. Storages are given back explicitly (`free`): by the autograd engine
 * for every temporary of a backward pass, and by composite operations for their internal temporaries. Storages
 * that may still be referenced by user code (forward activations, results) are left to the garbage collector.
 * Recycling those through a `FinalizationRegistry` was measured and rejected: the registry keeps each array
 * alive until V8 runs the finalizer, which only happens when the event loop turns, so a synchronous training loop
 * held every activation (memory growth) and the extra GC work made steps slower, not faster. The frontend's
 * finalizer path (`Backend.finalizeStorages`, in `tensor.ts`) is therefore opt-in and left off here; backends whose
 * memory V8 cannot see turn it on. A freed storage throws on every later access (`data`), so a tensor used after
 * its storage went back to the cache fails loudly instead of reading another tensor's values.
 */
function newStorage(dtype: DType, n: number): CpuStorage {
  return new CpuStorage(dtype, cpuAllocator.take(dtype, n));
}

// ---------------------------------------------------------------------------------------------------------------
// Iteration plans

interface Plan {
  shape: number[];
  strides: number[][];
  offsets: number[];
  numel: number;
}

/** Coalesces dims for several operands sharing one shape. */
export function makePlan(shape: readonly number[], layouts: readonly { strides: readonly number[]; offset: number }[]): Plan {
  let numel = 1;
  for (const s of shape) numel *= s;
  const dims: number[] = [];
  const strides: number[][] = layouts.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0) {
      let mergeable = true;
      for (let k = 0; k < layouts.length; k++) {
        if (strides[k]![last] !== layouts[k]!.strides[d]! * shape[d]!) { mergeable = false; break; }
      }
      if (mergeable) {
        dims[last] = dims[last]! * shape[d]!;
        for (let k = 0; k < layouts.length; k++) strides[k]![last] = layouts[k]!.strides[d]!;
        continue;
      }
    }
    dims.push(shape[d]!);
    for (let k = 0; k < layouts.length; k++) strides[k]!.push(layouts[k]!.strides[d]!);
  }
  if (dims.length === 0) { dims.push(1); for (const s of strides) s.push(0); }
  return { shape: dims, strides, offsets: layouts.map((l) => l.offset), numel };
}

/**
 * Generates `fn(out, o0, x0, x1..., plan)` looping over a plan with `nIn` inputs. `expr` uses a0, a1, ... for
 * the inputs' values and writes the result expression; `outStrided` lets the output be strided too (used for
 * copy/fill into views and for reductions that accumulate into `out`).
 */
const kernelCache = new Map<string, Function>();
function kernel(nIn: number, expr: string, accumulate = false): Function {
  const key = `${nIn}|${accumulate}|${expr}`;
  let f = kernelCache.get(key);
  if (f !== undefined) return f;
  const ins = Array.from({ length: nIn }, (_, k) => k);
  const read = (k: number, idx: string) => `const a${k} = x${k}[${idx}];`;
  const body = `
    const shape = plan.shape, nd = shape.length, n = plan.numel;
    if (n === 0) return;
    const os = plan.strides[0];
    ${ins.map((k) => `const x${k} = xs[${k}]; const s${k} = plan.strides[${k + 1}];`).join('\n')}
    const inner = shape[nd - 1];
    const oi = os[nd - 1];
    ${ins.map((k) => `const i${k} = s${k}[nd - 1];`).join('\n')}
    let o = plan.offsets[0];
    ${ins.map((k) => `let p${k} = plan.offsets[${k + 1}];`).join('\n')}
    const outer = n / inner;
    const idx = new Int32Array(nd);
    const contiguous = oi === 1 ${ins.map((k) => `&& i${k} === 1`).join(' ')};
    for (let r = 0; r < outer; r++) {
      if (contiguous) {
        for (let j = 0; j < inner; j++) {
          ${ins.map((k) => read(k, `p${k} + j`)).join(' ')}
          ${accumulate ? `const acc = out[o + j]; out[o + j] = ${expr};` : `out[o + j] = ${expr};`}
        }
      } else if (oi === 0) {
        let acc = out[o];
        for (let j = 0; j < inner; j++) {
          ${ins.map((k) => read(k, `p${k} + j * i${k}`)).join(' ')}
          acc = ${accumulate ? expr : expr};
        }
        out[o] = acc;
      } else {
        for (let j = 0; j < inner; j++) {
          ${ins.map((k) => read(k, `p${k} + j * i${k}`)).join(' ')}
          ${accumulate ? `const acc = out[o + j * oi]; out[o + j * oi] = ${expr};` : `out[o + j * oi] = ${expr};`}
        }
      }
      for (let d = nd - 2; d >= 0; d--) {
        idx[d]++;
        o += os[d];
        ${ins.map((k) => `p${k} += s${k}[d];`).join(' ')}
        if (idx[d] < shape[d]) break;
        o -= os[d] * shape[d];
        ${ins.map((k) => `p${k} -= s${k}[d] * shape[d];`).join(' ')}
        idx[d] = 0;
      }
    }`;
  // One compiled copy per combination of array types, so every copy stays monomorphic for the JIT.
  const variants = new Map<string, Function>();
  const tag = (a: TypedArray): string => (a instanceof Float32Array ? 'f' : a instanceof Float64Array ? 'd' : a instanceof Int32Array ? 'i'
    : a instanceof Int16Array ? 's' : a instanceof Int8Array ? 'c' : 'b');
  const bound = (out: TypedArray, xs: TypedArray[], plan: Plan, p?: number) => {
    let sig = tag(out);
    for (let k = 0; k < xs.length; k++) sig += tag(xs[k]!);
    let g = variants.get(sig);
    if (g === undefined) { g = new Function('out', 'xs', 'plan', 'P', 'H', body); variants.set(sig, g); }
    return g(out, xs, plan, p, H);
  };
  f = bound;
  kernelCache.set(key, f);
  return f;
}

/**
 * erf(x) to double precision: a positive-term series for |x| < 3 (no cancellation),
 * the Laplace continued fraction for erfc beyond (evaluated with the modified Lentz method).
 */
export function erf(x: number): number {
  if (x !== x) return x;
  const ax = Math.abs(x);
  if (ax < 3) {
    // erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n 2^n x^(2n+1) / (1*3*...*(2n+1))
    let term = ax, sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    const r = 1.1283791670955126 * Math.exp(-x2) * sum;
    return x < 0 ? -r : r;
  }
  if (ax > 6) return x < 0 ? -1 : 1;
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
  const tiny = 1e-300;
  let f = ax, c = ax, d = 0;
  for (let k = 1; k < 300; k++) {
    const a = k / 2;
    d = ax + a * d; d = d === 0 ? tiny : d; d = 1 / d;
    c = ax + a / c; c = c === 0 ? tiny : c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / (f * 1.7724538509055159);
  return x < 0 ? erfc - 1 : 1 - erfc;
}

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** Helpers the generated kernels call as `H.name(...)`. */
const H = {
  erf,
  sigmoid,
  sigmoidGrad: (x: number): number => { const s = sigmoid(x); return s * (1 - s); },
  gelu: (x: number): number => 0.5 * x * (1 + erf(x * 0.7071067811865476)),
  geluGrad: (x: number): number => 0.5 * (1 + erf(x * 0.7071067811865476)) + x * 0.3989422804014327 * Math.exp(-0.5 * x * x),
  geluTanhGrad: (x: number): number => {
    const k = 0.7978845608028654, c = 0.044715;
    const t = Math.tanh(k * (x + c * x * x * x));
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * c * x * x);
  },
  silu: (x: number): number => x * sigmoid(x),
  siluGrad: (x: number): number => { const s = sigmoid(x); return s * (1 + x * (1 - s)); },
  remainder: (a: number, b: number): number => { const r = a % b; return r !== 0 && (r < 0) !== (b < 0) ? r + b : r; },
  /** float → int64 as x86 PyTorch does: truncation, and INT64_MIN for NaN, ±inf and |x| ≥ 2^63. */
  // + 0: no -0 in an integer; out of range (|a| ≥ 2^63, NaN, ±inf) gives INT64_MIN, as x86's cvttsd2si
  toInt64: (a: number): number => (a >= -9223372036854775808 && a < 9223372036854775808 ? Math.trunc(a) + 0 : -9223372036854775808),
  /**
   * float → int16 or int8 as x86 PyTorch does: through int32, so |x| ≥ 2^31 (and NaN, ±inf) give 0; the typed
   * array's store then wraps modulo 2^16 / 2^8. (uint8 needs no helper: x86 goes through int64, whose low byte is
   * exactly what the Uint8Array store keeps.)
   */
  viaInt32: (a: number): number => (a > -2147483649 && a < 2147483648 ? a : 0),
  /** float → int32 as x86 PyTorch: out of range (and NaN, ±inf) gives INT32_MIN (the Int32Array store would wrap). */
  toInt32: (a: number): number => (a > -2147483649 && a < 2147483648 ? a : -2147483648),
  /**
   * Integer power of a 32-bit-or-narrower integer type, wrapping modulo 2^32 at every product as C's integer
   * arithmetic does (the typed array's store then wraps to 16 or 8 bits): `Math.pow` would round beyond 2^53.
   */
  ipow: (a: number, b: number): number => {
    let r = 1, base = a | 0, e = b;
    while (e > 0) {
      if (e % 2 === 1) r = Math.imul(r, base);
      base = Math.imul(base, base);
      e = Math.floor(e / 2);
    }
    return r;
  },
  negativePower: (): never => { throw new RangeError('Integers to negative integer powers are not allowed.'); },
  zeroDivision: (): never => { throw new RangeError('ZeroDivisionError'); },
  round: (a: number): number => (Math.abs(a - Math.trunc(a)) === 0.5 ? 2 * Math.round(a / 2) : Math.round(a)),
};

const UNARY: Record<UnaryOp, string> = {
  neg: '-a0',
  abs: 'Math.abs(a0)',
  sign: '(a0 > 0 ? 1 : a0 < 0 ? -1 : 0)', // sign(NaN) is 0 in PyTorch 1.13
  exp: 'Math.exp(a0)',
  log: 'Math.log(a0)',
  log1p: 'Math.log1p(a0)',
  expm1: 'Math.expm1(a0)',
  sqrt: 'Math.sqrt(a0)',
  rsqrt: '1 / Math.sqrt(a0)',
  square: 'a0 * a0',
  reciprocal: '1 / a0',
  sin: 'Math.sin(a0)', cos: 'Math.cos(a0)', tan: 'Math.tan(a0)',
  asin: 'Math.asin(a0)', acos: 'Math.acos(a0)', atan: 'Math.atan(a0)',
  sinh: 'Math.sinh(a0)', cosh: 'Math.cosh(a0)', tanh: 'Math.tanh(a0)',
  asinh: 'Math.asinh(a0)', acosh: 'Math.acosh(a0)', atanh: 'Math.atanh(a0)',
  relu: '(a0 > 0 ? a0 : a0 === a0 ? 0 : a0)',
  sigmoid: 'H.sigmoid(a0)',
  gelu: 'H.gelu(a0)',
  geluTanh: '(0.5 * a0 * (1 + Math.tanh(0.7978845608028654 * (a0 + 0.044715 * a0 * a0 * a0))))',
  erf: 'H.erf(a0)',
  floor: 'Math.floor(a0)', ceil: 'Math.ceil(a0)',
  // round half to even, as PyTorch (nearbyint)
  round: 'H.round(a0)',
  trunc: 'Math.trunc(a0)',
  logicalNot: '(a0 === 0 ? 1 : 0)',
  isnan: '(a0 !== a0 ? 1 : 0)',
  isinf: '(a0 === Infinity || a0 === -Infinity ? 1 : 0)',
  // softplus(beta=param) with PyTorch's threshold 20
  softplus: '(a0 * P > 20 ? a0 : Math.log1p(Math.exp(a0 * P)) / P)',
  silu: 'H.silu(a0)',
  reluMask: '(a0 > 0 ? 1 : 0)',
  sigmoidGrad: 'H.sigmoidGrad(a0)',
  geluGrad: 'H.geluGrad(a0)',
  geluTanhGrad: 'H.geluTanhGrad(a0)',
  erfGrad: '(1.1283791670955126 * Math.exp(-a0 * a0))',
  siluGrad: 'H.siluGrad(a0)',
};

const BINARY: Record<BinaryOp, string> = {
  add: 'a0 + a1', sub: 'a0 - a1', mul: 'a0 * a1', div: 'a0 / a1',
  addScaled: 'a0 + P * a1',
  pow: 'Math.pow(a0, a1)',
  maximum: '(a0 !== a0 || a1 !== a1 ? NaN : a0 > a1 ? a0 : a1)',
  minimum: '(a0 !== a0 || a1 !== a1 ? NaN : a0 < a1 ? a0 : a1)',
  fmod: 'a0 % a1',
  remainder: 'H.remainder(a0, a1)',
  floorDivide: 'Math.floor(a0 / a1)',
  eq: '(a0 === a1 ? 1 : 0)', ne: '(a0 !== a1 ? 1 : 0)',
  lt: '(a0 < a1 ? 1 : 0)', le: '(a0 <= a1 ? 1 : 0)', gt: '(a0 > a1 ? 1 : 0)', ge: '(a0 >= a1 ? 1 : 0)',
  logicalAnd: '(a0 !== 0 && a1 !== 0 ? 1 : 0)', logicalOr: '(a0 !== 0 || a1 !== 0 ? 1 : 0)',
  logicalXor: '((a0 !== 0) !== (a1 !== 0) ? 1 : 0)',
  atan2: 'Math.atan2(a0, a1)',
  reluBackward: '(a1 > 0 ? a0 : 0)',
  tanhBackward: 'a0 * (1 - a1 * a1)',
  sigmoidBackward: 'a0 * a1 * (1 - a1)',
};

/**
 * Integer ops whose operand PyTorch checks: the check is part of the kernel's expression (one compare per element,
 * only in the integer variants), so the frontend never reads values to raise these errors.
 */
const INT_CHECKED: Partial<Record<BinaryOp, string>> = {
  pow: '(a1 < 0 ? H.negativePower() : Math.pow(a0, a1))',
  floorDivide: '(a1 === 0 ? H.zeroDivision() : Math.floor(a0 / a1))',
  remainder: '(a1 === 0 ? H.zeroDivision() : H.remainder(a0, a1))',
  fmod: '(a1 === 0 ? H.zeroDivision() : a0 % a1)',
};

function binaryExpr(op: BinaryOp, outDtype: DType): string {
  if (op === 'pow' && isIntDtype(outDtype) && outDtype !== 'int64') return '(a1 < 0 ? H.negativePower() : H.ipow(a0, a1))';
  return isIntDtype(outDtype) ? INT_CHECKED[op] ?? BINARY[op] : BINARY[op];
}

function isIntDtype(d: DType): boolean {
  return isIntegral(d);
}

/** BINARY with the second operand a kernel parameter (`binaryScalar`); `addScaled` has no scalar form. */
const BINARY_SCALAR = Object.fromEntries(Object.entries(BINARY).map(([k, e]) => [k, e.replace(/\ba1\b/g, 'P')])) as Record<BinaryOp, string>;

/**
 * Wraps an expression so the stored value matches the output dtype (int64 truncation, bool 0/1). The other dtypes
 * need nothing: the typed array's store truncates and wraps as C's integer arithmetic does.
 */
function castExpr(expr: string, dtype: DType): string {
  if (dtype === 'int64') return `H.toInt64(${expr})`;
  if (dtype === 'bool') return `((${expr}) !== 0 ? 1 : 0)`;
  return expr;
}

/**
 * A cast from a floating storage (`copy`): castExpr plus x86 PyTorch's out-of-range rules for int32 (INT32_MIN),
 * int16 and int8 (0). Not for integer arithmetic into int32/int16, which wraps (castExpr).
 */
function floatCastExpr(expr: string, dtype: DType): string {
  if (dtype === 'int32') return `H.toInt32(${expr})`;
  if (dtype === 'int16' || dtype === 'int8') return `H.viaInt32(${expr})`;
  return castExpr(expr, dtype);
}

function contiguousLayout(shape: readonly number[]): Layout {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) { strides[d] = s; s *= shape[d]!; }
  return { shape, strides, offset: 0 };
}

function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

const REDUCE_INIT: Record<ReduceOp, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity, any: 0, all: 1 };
const REDUCE_EXPR: Record<ReduceOp, string> = {
  sum: 'acc + a0',
  prod: 'acc * a0',
  max: '(a0 > acc || a0 !== a0 ? a0 : acc)',
  min: '(a0 < acc || a0 !== a0 ? a0 : acc)',
  any: '(acc !== 0 || a0 !== 0 ? 1 : 0)',
  all: '(acc !== 0 && a0 !== 0 ? 1 : 0)',
};

export class CpuBackend implements Backend {
  readonly name = 'cpu';
  readonly allocator = cpuAllocator;

  alloc(dtype: DType, length: number): CpuStorage {
    return newStorage(dtype, length);
  }

  fromArray(dtype: DType, data: ArrayLike<number>): CpuStorage {
    const s = newStorage(dtype, data.length);
    const d = s.data;
    if (dtype === 'int64') for (let i = 0; i < data.length; i++) d[i] = H.toInt64(data[i]!);
    else if (dtype === 'bool') for (let i = 0; i < data.length; i++) d[i] = data[i] ? 1 : 0;
    else if (ArrayBuffer.isView(data) && (data as TypedArray).constructor === d.constructor) d.set(data as any);
    else for (let i = 0; i < data.length; i++) d[i] = data[i]!;
    return s;
  }

  free(s: Storage): void {
    const d = (s as CpuStorage)._take();
    if (d !== null && d.length > 0) cpuAllocator.give(s.dtype, d);
  }

  readSync(s: Storage, layout: Layout): TypedArray {
    const cs = s as CpuStorage;
    const n = numelOf(layout.shape);
    const out = new (cs.data.constructor as any)(n) as TypedArray;
    const plan = makePlan(layout.shape, [contiguousLayout(layout.shape), layout]);
    if (plan.shape.length === 1 && plan.strides[1]![0] === 1) {
      out.set(cs.data.subarray(layout.offset, layout.offset + n));
    } else {
      (kernel(1, 'a0') as any)(out, [cs.data], plan);
    }
    return out;
  }

  async read(s: Storage, layout: Layout): Promise<TypedArray> {
    return this.readSync(s, layout);
  }

  fill(dst: Storage, layout: Layout, value: number): void {
    const d = (dst as CpuStorage).data;
    const plan = makePlan(layout.shape, [layout]);
    if (plan.shape.length === 1 && plan.strides[0]![0] === 1) {
      d.fill(castFill(value, dst.dtype), layout.offset, layout.offset + plan.numel);
    } else {
      const src = new Float64Array([castFill(value, dst.dtype)]);
      (kernel(1, 'a0') as any)(d, [src], makePlan(layout.shape, [layout, { strides: layout.strides.map(() => 0), offset: 0 }]));
    }
  }

  copy(src: Storage, srcLayout: Layout, dst: Storage, dstLayout: Layout): void {
    const sd = (src as CpuStorage).data, dd = (dst as CpuStorage).data;
    const plan = makePlan(dstLayout.shape, [dstLayout, srcLayout]);
    const fromFloat = isFloating(src.dtype);
    const needsCast = dst.dtype !== src.dtype && (dst.dtype === 'int64' || dst.dtype === 'bool' || (fromFloat && (dst.dtype === 'int16' || dst.dtype === 'int8' || dst.dtype === 'int32')));
    const cast = (e: string): string => (!needsCast ? e : fromFloat ? floatCastExpr(e, dst.dtype) : castExpr(e, dst.dtype));
    if (!needsCast && plan.shape.length === 1 && plan.strides[0]![0] === 1 && plan.strides[1]![0] === 1 && sd !== dd) {
      dd.set(sd.subarray(srcLayout.offset, srcLayout.offset + plan.numel), dstLayout.offset);
    } else if (sd === dd && overlaps(srcLayout, dstLayout)) {
      const tmp = this.readSync(src, srcLayout);
      (kernel(1, cast('a0')) as any)(dd, [tmp], makePlan(dstLayout.shape, [dstLayout, contiguousLayout(dstLayout.shape)]));
    } else {
      (kernel(1, cast('a0')) as any)(dd, [sd], plan);
    }
  }

  unary(op: UnaryOp, x: Storage, xl: Layout, outDtype: DType, param?: number, into?: Storage, ol?: Layout): CpuStorage {
    const n = numelOf(xl.shape);
    const out = (into as CpuStorage | undefined) ?? newStorage(outDtype, n);
    const plan = makePlan(xl.shape, [ol ?? contiguousLayout(xl.shape), xl]);
    (kernel(1, castExpr(UNARY[op], outDtype)) as any)(out.data, [(x as CpuStorage).data], plan, param ?? 1);
    return out;
  }

  binary(op: BinaryOp, a: Storage, al: Layout, b: Storage, bl: Layout, outDtype: DType, into?: Storage, ol?: Layout, param?: number): CpuStorage {
    const shape = al.shape;
    const out = (into as CpuStorage | undefined) ?? newStorage(outDtype, numelOf(shape));
    const plan = makePlan(shape, [ol ?? contiguousLayout(shape), al, bl]);
    (kernel(2, castExpr(binaryExpr(op, outDtype), outDtype)) as any)(out.data, [(a as CpuStorage).data, (b as CpuStorage).data], plan, param ?? 1);
    return out;
  }

  binaryScalar(op: BinaryOp, a: Storage, al: Layout, value: number, outDtype: DType, into?: Storage, ol?: Layout): CpuStorage {
    const shape = al.shape;
    const out = (into as CpuStorage | undefined) ?? newStorage(outDtype, numelOf(shape));
    const plan = makePlan(shape, [ol ?? contiguousLayout(shape), al]);
    // the scalar is the kernel parameter P in place of the second operand's element
    (kernel(1, castExpr(isIntDtype(outDtype) ? binaryExpr(op, outDtype).replace(/\ba1\b/g, 'P') : BINARY_SCALAR[op], outDtype)) as any)(out.data, [(a as CpuStorage).data], plan, value);
    return out;
  }

  /**
   * Random fills from the generator's sequential stream, drawn in row-major order of `layout`: the same values,
   * in the same order, as the host loops this kernel replaced, so seeded streams are unchanged. The samples are
   * made in doubles and stored with `copy`'s conversion.
   */
  random(dst: Storage, layout: Layout, dist: RandomDistribution, g: RandomSource): void {
    const n = numelOf(layout.shape);
    const tmp = newStorage('float64', n);
    const v = tmp.data;
    drawSamples(v as Float64Array, dist, g, dist.kind === 'bernoulliTensor' ? this.readSync(dist.p, dist.pl) : undefined);
    this.copy(tmp, contiguousLayout(layout.shape), dst, layout);
    this.free(tmp);
  }

  where(cond: Storage, cl: Layout, a: Storage, al: Layout, b: Storage, bl: Layout, outDtype: DType): CpuStorage {
    const shape = cl.shape;
    const out = newStorage(outDtype, numelOf(shape));
    const plan = makePlan(shape, [contiguousLayout(shape), cl, al, bl]);
    (kernel(3, '(a0 !== 0 ? a1 : a2)') as any)(out.data,
      [(cond as CpuStorage).data, (a as CpuStorage).data, (b as CpuStorage).data], plan);
    return out;
  }

  whereScalar(cond: Storage, cl: Layout, a: Storage | number, al: Layout | null, b: Storage | number, bl: Layout | null, outDtype: DType): CpuStorage {
    const shape = cl.shape;
    const out = newStorage(outDtype, numelOf(shape));
    const xs: TypedArray[] = [(cond as CpuStorage).data];
    const layouts: Layout[] = [contiguousLayout(shape), cl];
    const operand = (v: Storage | number, l: Layout | null, k: number): string => {
      if (typeof v === 'number') return `P[${k}]`;
      xs.push((v as CpuStorage).data); layouts.push(l!);
      return `a${xs.length - 1}`;
    };
    const ea = operand(a, al, 0), eb = operand(b, bl, 1);
    (kernel(xs.length, `(a0 !== 0 ? ${ea} : ${eb})`) as any)(out.data, xs, makePlan(shape, layouts),
      [typeof a === 'number' ? a : 0, typeof b === 'number' ? b : 0]);
    return out;
  }

  reduce(op: ReduceOp, x: Storage, xl: Layout, axes: readonly number[], outDtype: DType): CpuStorage {
    const outShape = xl.shape.map((s, d) => (axes.includes(d) ? 1 : s));
    const nOut = numelOf(outShape);
    const acc = cpuAllocator.take('float64', nOut) as Float64Array;
    acc.fill(REDUCE_INIT[op]);
    // Iterate over the input; the accumulator has stride 0 along reduced axes.
    const accStrides = contiguousLayout(outShape).strides.map((s, d) => (axes.includes(d) ? 0 : s));
    const plan = makePlan(xl.shape, [{ strides: accStrides, offset: 0 }, xl]);
    (kernel(1, REDUCE_EXPR[op], true) as any)(acc, [(x as CpuStorage).data], plan);
    const out = newStorage(outDtype, nOut);
    const od = out.data;
    if (outDtype === 'int64') for (let i = 0; i < nOut; i++) od[i] = Math.trunc(acc[i]!);
    else od.set(acc);
    cpuAllocator.give('float64', acc);
    return out;
  }

  argReduce(op: ArgReduceOp, x: Storage, xl: Layout, axis: number): CpuStorage {
    const xd = (x as CpuStorage).data;
    const outShape = xl.shape.map((s, d) => (d === axis ? 1 : s));
    const nOut = numelOf(outShape);
    const out = newStorage('int64', nOut);
    const len = xl.shape[axis]!;
    const st = xl.strides[axis]!;
    const isMax = op === 'argmax';
    forEachOuter(outShape, xl, (o, base) => {
      let best = xd[base]!, bi = 0;
      if (best === best) {
        for (let j = 1; j < len; j++) {
          const v = xd[base + j * st]!;
          if (v !== v) { bi = j; break; }
          if (isMax ? v > best : v < best) { best = v; bi = j; }
        }
      }
      out.data[o] = bi;
    });
    return out;
  }

  cumsum(x: Storage, xl: Layout, axis: number, outDtype: DType): CpuStorage {
    const xd = (x as CpuStorage).data;
    const shape = xl.shape;
    const out = newStorage(outDtype, numelOf(shape));
    const outStrides = contiguousLayout(shape).strides;
    const outShape = shape.map((s, d) => (d === axis ? 1 : s));
    const len = shape[axis]!, st = xl.strides[axis]!, ost = outStrides[axis]!;
    const od = out.data;
    forEachOuter(outShape, xl, (_o, base, oBase) => {
      let acc = 0;
      for (let j = 0; j < len; j++) { acc += xd[base + j * st]!; od[oBase + j * ost] = acc; }
    }, outStrides);
    return out;
  }

  /** Optional kernel `sort`: the stable permutation that sorts along `axis` (NaN as the largest value). */
  sort(x: Storage, xl: Layout, axis: number, descending: boolean): CpuStorage {
    const xd = (x as CpuStorage).data;
    const shape = xl.shape;
    const out = newStorage('int64', numelOf(shape));
    const outStrides = contiguousLayout(shape).strides;
    const len = shape[axis]!, st = xl.strides[axis]!, ost = outStrides[axis]!;
    const od = out.data;
    const vals = new Float64Array(len);
    const order = Array.from({ length: len }, (_, i) => i);
    // ascending: a before b when a < b or b is NaN (and a not); ties keep their order (Array.prototype.sort is stable)
    const asc = (i: number, j: number) => { const a = vals[i]!, b = vals[j]!; return a < b || (a === a && b !== b) ? -1 : b < a || (b === b && a !== a) ? 1 : 0; };
    const desc = (i: number, j: number) => asc(j, i);
    const radix = len >= RADIX_MIN ? new RadixSorter(len) : null;
    forEachOuter(shape.map((s, d) => (d === axis ? 1 : s)), xl, (_o, base, oBase) => {
      for (let j = 0; j < len; j++) { vals[j] = xd[base + j * st]!; order[j] = j; }
      if (radix !== null) {
        const ord = radix.order(vals, descending);
        for (let j = 0; j < len; j++) od[oBase + j * ost] = ord[j]!;
        return;
      }
      order.sort(descending ? desc : asc);
      for (let j = 0; j < len; j++) od[oBase + j * ost] = order[j]!;
    }, outStrides);
    return out;
  }

  /**
   * Optional kernel `scan`: the running product along `axis` ('prod', in `outDtype`), or the int64 index of the
   * running max/min (the last occurrence of the extreme so far; NaN wins, later NaNs move the index), as ATen's
   * cumprod/cummax/cummin.
   */
  scan(op: 'prod' | 'max' | 'min', x: Storage, xl: Layout, axis: number, outDtype: DType): CpuStorage {
    const xd = (x as CpuStorage).data;
    const shape = xl.shape;
    const out = newStorage(op === 'prod' ? outDtype : 'int64', numelOf(shape));
    const outStrides = contiguousLayout(shape).strides;
    const len = shape[axis]!, st = xl.strides[axis]!, ost = outStrides[axis]!;
    const od = out.data;
    forEachOuter(shape.map((s, d) => (d === axis ? 1 : s)), xl, (_o, base, oBase) => {
      if (op === 'prod') {
        let acc = 1;
        for (let j = 0; j < len; j++) { acc *= xd[base + j * st]!; od[oBase + j * ost] = acc; }
        return;
      }
      let best = 0, bi = 0;
      for (let j = 0; j < len; j++) {
        const v = xd[base + j * st]!;
        if (j === 0 || v !== v || (best === best && (op === 'max' ? v >= best : v <= best))) { best = v; bi = j; }
        od[oBase + j * ost] = bi;
      }
    }, outStrides);
    return out;
  }

  matmul(a: Storage, al: Layout, b: Storage, bl: Layout, outDtype: DType, c?: Storage, cl?: Layout): CpuStorage {
    if (!isFloating(outDtype)) throw new Error(`cpu matmul kernel expects a floating dtype, got ${outDtype}`);
    const nd = al.shape.length;
    const M = al.shape[nd - 2]!, K = al.shape[nd - 1]!, N = bl.shape[nd - 1]!;
    const batchShape = al.shape.slice(0, nd - 2);
    const nb = numelOf(batchShape);
    const out = newStorage(outDtype, nb * M * N);
    const accumulate = c !== undefined;
    if (c !== undefined) this.copy(c, cl!, out, contiguousLayout([...batchShape, M, N]));
    const ad = (a as CpuStorage).data as Float32Array, bd = (b as CpuStorage).data as Float32Array;
    const od = out.data as Float32Array;
    const idx = new Array<number>(batchShape.length).fill(0);
    for (let bi = 0; bi < nb; bi++) {
      let ao = al.offset, bo = bl.offset;
      for (let d = 0; d < batchShape.length; d++) { ao += idx[d]! * al.strides[d]!; bo += idx[d]! * bl.strides[d]!; }
      gemm(M, N, K, ad, ao, al.strides[nd - 2]!, al.strides[nd - 1]!, bd, bo, bl.strides[nd - 2]!, bl.strides[nd - 1]!,
        od, bi * M * N, N, accumulate);
      for (let d = batchShape.length - 1; d >= 0; d--) { if (++idx[d]! < batchShape[d]!) break; idx[d] = 0; }
    }
    return out;
  }

  gather(x: Storage, xl: Layout, axis: number, idx: Storage, il: Layout): CpuStorage {
    const xd = (x as CpuStorage).data, id = (idx as CpuStorage).data;
    const n = numelOf(il.shape);
    const out = newStorage(x.dtype, n);
    const od = out.data;
    const size = xl.shape[axis]!, st = xl.strides[axis]!;
    let o = 0;
    forEachIndex(il.shape, [il, { strides: xl.strides.map((s, d) => (d === axis ? 0 : s)), offset: xl.offset }], (ip, xp) => {
      const k = id[ip]!;
      if (k < 0 || k >= size) throw new RangeError(`index ${k} is out of bounds for dimension ${axis} with size ${size}`);
      od[o++] = xd[xp + k * st]!;
    });
    return out;
  }

  scatter(dst: Storage, dl: Layout, axis: number, idx: Storage, il: Layout,
    src: Storage | null, sl: Layout | null, value: number, reduce: 'none' | 'add'): void {
    const dd = (dst as CpuStorage).data, id = (idx as CpuStorage).data;
    const size = dl.shape[axis]!, st = dl.strides[axis]!;
    const dLayout = { strides: dl.strides.map((s, d) => (d === axis ? 0 : s)), offset: dl.offset };
    const check = (k: number): number => {
      if (k < 0 || k >= size) throw new RangeError(`index ${k} is out of bounds for dimension ${axis} with size ${size}`);
      return k;
    };
    const isInt = isIntegral(dst.dtype);
    if (src === null) {
      const v = isInt ? Math.trunc(value) : value;
      forEachIndex(il.shape, [il, dLayout], (ip, dp) => {
        const p = dp + check(id[ip]!) * st;
        dd[p] = reduce === 'add' ? dd[p]! + v : v;
      });
    } else {
      const sd = (src as CpuStorage).data;
      forEachIndex(il.shape, [il, dLayout, sl!], (ip, dp, sp) => {
        const p = dp + check(id[ip]!) * st;
        dd[p] = reduce === 'add' ? dd[p]! + sd[sp!]! : sd[sp!]!;
      });
    }
  }

  im2col(x: Storage, xl: Layout, g: ConvGeometry, padValue: number): CpuStorage {
    const [N, C] = xl.shape as [number, number];
    const [H, W] = g.inSize, [kh, kw] = g.kernel, [sh, sw] = g.stride, [ph, pw] = g.padding, [dh, dw] = g.dilation;
    const [oh, ow] = g.outSize;
    const [sn, sc, sy, sx] = xl.strides as [number, number, number, number];
    const out = newStorage(x.dtype, C * kh * kw * N * oh * ow);
    const od = out.data, xd = (x as CpuStorage).data;
    const pad = castFill(padValue, x.dtype);
    let o = 0;
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          // output columns whose input column lies inside [0, W)
          const shift = j * dw - pw;
          const x0 = Math.min(ow, Math.max(0, Math.ceil(-shift / sw)));
          const x1 = Math.max(x0, Math.min(ow, Math.floor((W - 1 - shift) / sw) + 1));
          for (let n = 0; n < N; n++) {
            const base = xl.offset + n * sn + c * sc;
            for (let y = 0; y < oh; y++) {
              const iy = y * sh - ph + i * dh;
              if (iy < 0 || iy >= H) { od.fill(pad, o, o + ow); o += ow; continue; }
              if (x0 > 0) od.fill(pad, o, o + x0);
              let p = base + iy * sy + (x0 * sw + shift) * sx;
              const step = sw * sx;
              for (let xx = x0; xx < x1; xx++, p += step) od[o + xx] = xd[p]!;
              if (x1 < ow) od.fill(pad, o + x1, o + ow);
              o += ow;
            }
          }
        }
      }
    }
    return out;
  }

  col2im(cols: Storage, cl: Layout, g: ConvGeometry): CpuStorage {
    const [H, W] = g.inSize, [kh, kw] = g.kernel, [sh, sw] = g.stride, [ph, pw] = g.padding, [dh, dw] = g.dilation;
    const [oh, ow] = g.outSize;
    const C = cl.shape[0]! / (kh * kw), N = cl.shape[1]!;
    const [sr, sn, sl] = cl.strides as [number, number, number];
    const out = newStorage(cols.dtype, N * C * H * W);
    const od = out.data, cd = (cols as CpuStorage).data;
    od.fill(0);
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const r = (c * kh + i) * kw + j;
          const shift = j * dw - pw;
          const x0 = Math.min(ow, Math.max(0, Math.ceil(-shift / sw)));
          const x1 = Math.max(x0, Math.min(ow, Math.floor((W - 1 - shift) / sw) + 1));
          for (let n = 0; n < N; n++) {
            const obase = (n * C + c) * H * W;
            const cbase = cl.offset + r * sr + n * sn;
            for (let y = 0; y < oh; y++) {
              const iy = y * sh - ph + i * dh;
              if (iy < 0 || iy >= H) continue;
              let q = obase + iy * W + x0 * sw + shift;
              let p = cbase + (y * ow + x0) * sl;
              for (let xx = x0; xx < x1; xx++, q += sw, p += sl) od[q] = od[q]! + cd[p]!;
            }
          }
        }
      }
    }
    return out;
  }

  // ---- Optimizer and clipping kernels (optional Backend methods; the loops live in optim.ts)
  fusedOptimizerStep<K extends OptimizerKind>(kind: K, slots: readonly OptimizerSlot[], hp: OptimizerHyperparams[K]): void {
    optimKernels.fusedOptimizerStep(this, kind, slots, hp);
  }
  foreachNorm(tensors: readonly TensorRef[], ord: number, outDtype: DType): CpuStorage {
    return optimKernels.foreachNorm(this, tensors, ord, outDtype) as CpuStorage;
  }
  foreachMul_(tensors: readonly TensorRef[], scalar: TensorRef): void {
    optimKernels.foreachMul_(this, tensors, scalar);
  }
  // ===================================================================================================================
  // Optional nn kernels (see `Backend`), implemented in nn.ts
  private readonly _im2col = (x: CpuStorage, xl: Layout, g: ConvGeometry, pad: number): CpuStorage => this.im2col(x, xl, g, pad);
  private readonly _col2im = (c: CpuStorage, cl: Layout, g: ConvGeometry): CpuStorage => this.col2im(c, cl, g);
  conv2d(x: Storage, xl: Layout, w: Storage, wl: Layout, b: Storage | null, bl: Layout | null, g: ConvGeometry, groups: number): CpuStorage {
    return NN.conv2d(this._im2col, x as CpuStorage, xl, w as CpuStorage, wl, b as CpuStorage | null, bl, g, groups);
  }
  conv2dBackward(gy: Storage, gyl: Layout, x: Storage | null, xl: Layout | null, w: Storage | null, wl: Layout, g: ConvGeometry,
    groups: number, outputMask: readonly [boolean, boolean, boolean]): [CpuStorage | null, CpuStorage | null, CpuStorage | null] {
    return NN.conv2dBackward(this._im2col, this._col2im, gy as CpuStorage, gyl, x as CpuStorage | null, xl, w as CpuStorage | null, wl, g, groups, outputMask);
  }
  maxPool2d(x: Storage, xl: Layout, g: ConvGeometry): [CpuStorage, CpuStorage] { return NN.maxPool2d(x as CpuStorage, xl, g); }
  maxPool2dBackward(gy: Storage, gyl: Layout, indices: Storage, il: Layout, g: ConvGeometry): CpuStorage {
    return NN.maxPool2dBackward(gy as CpuStorage, gyl, indices as CpuStorage, il, g);
  }
  avgPool2d(x: Storage, xl: Layout, g: ConvGeometry, countIncludePad: boolean, divisorOverride: number | null): CpuStorage {
    return NN.avgPool2d(x as CpuStorage, xl, g, countIncludePad, divisorOverride);
  }
  avgPool2dBackward(gy: Storage, gyl: Layout, g: ConvGeometry, countIncludePad: boolean, divisorOverride: number | null): CpuStorage {
    return NN.avgPool2dBackward(gy as CpuStorage, gyl, g, countIncludePad, divisorOverride);
  }
  adaptiveAvgPool2d(x: Storage, xl: Layout, outSize: readonly [number, number]): CpuStorage { return NN.adaptiveAvgPool2d(x as CpuStorage, xl, outSize); }
  adaptiveAvgPool2dBackward(gy: Storage, gyl: Layout, inSize: readonly [number, number]): CpuStorage {
    return NN.adaptiveAvgPool2dBackward(gy as CpuStorage, gyl, inSize);
  }
  softmax(x: Storage, xl: Layout, dim: number, log: boolean): CpuStorage { return NN.softmax(x as CpuStorage, xl, dim, log); }
  softmaxBackward(gy: Storage, gyl: Layout, y: Storage, yl: Layout, dim: number, log: boolean): CpuStorage {
    return NN.softmaxBackward(gy as CpuStorage, gyl, y as CpuStorage, yl, dim, log);
  }
  batchNorm(x: Storage, xl: Layout, w: Storage | null, wl: Layout | null, b: Storage | null, bl: Layout | null,
    rm: Storage | null, rml: Layout | null, rv: Storage | null, rvl: Layout | null, training: boolean, momentum: number, eps: number): [CpuStorage, CpuStorage, CpuStorage] {
    return NN.batchNorm(x as CpuStorage, xl, w as CpuStorage | null, wl, b as CpuStorage | null, bl, rm as CpuStorage | null, rml,
      rv as CpuStorage | null, rvl, training, momentum, eps);
  }
  batchNormBackward(gy: Storage, gyl: Layout, x: Storage, xl: Layout, w: Storage | null, wl: Layout | null, saveMean: Storage, saveInvstd: Storage,
    training: boolean, outputMask: readonly [boolean, boolean, boolean]): [CpuStorage | null, CpuStorage | null, CpuStorage | null] {
    return NN.batchNormBackward(gy as CpuStorage, gyl, x as CpuStorage, xl, w as CpuStorage | null, wl, saveMean as CpuStorage, saveInvstd as CpuStorage, training, outputMask);
  }
  layerNorm(x: Storage, xl: Layout, normalizedNumel: number, w: Storage | null, wl: Layout | null, b: Storage | null, bl: Layout | null, eps: number): [CpuStorage, CpuStorage, CpuStorage] {
    return NN.layerNorm(x as CpuStorage, xl, normalizedNumel, w as CpuStorage | null, wl, b as CpuStorage | null, bl, eps);
  }
  layerNormBackward(gy: Storage, gyl: Layout, x: Storage, xl: Layout, normalizedNumel: number, mean: Storage, rstd: Storage, w: Storage | null,
    wl: Layout | null, outputMask: readonly [boolean, boolean, boolean]): [CpuStorage | null, CpuStorage | null, CpuStorage | null] {
    return NN.layerNormBackward(gy as CpuStorage, gyl, x as CpuStorage, xl, normalizedNumel, mean as CpuStorage, rstd as CpuStorage, w as CpuStorage | null, wl, outputMask);
  }
  groupNorm(x: Storage, xl: Layout, groups: number, w: Storage | null, wl: Layout | null, b: Storage | null, bl: Layout | null, eps: number): [CpuStorage, CpuStorage, CpuStorage] {
    return NN.groupNorm(x as CpuStorage, xl, groups, w as CpuStorage | null, wl, b as CpuStorage | null, bl, eps);
  }
  groupNormBackward(gy: Storage, gyl: Layout, x: Storage, xl: Layout, groups: number, mean: Storage, rstd: Storage, w: Storage | null,
    wl: Layout | null, outputMask: readonly [boolean, boolean, boolean]): [CpuStorage | null, CpuStorage | null, CpuStorage | null] {
    return NN.groupNormBackward(gy as CpuStorage, gyl, x as CpuStorage, xl, groups, mean as CpuStorage, rstd as CpuStorage, w as CpuStorage | null, wl, outputMask);
  }
  nllLoss(x: Storage, xl: Layout, target: Storage, tl: Layout, weight: Storage | null, wl: Layout | null, reduction: 'none' | 'mean' | 'sum',
    ignoreIndex: number): [CpuStorage, CpuStorage] {
    return NN.nllLoss(x as CpuStorage, xl, target as CpuStorage, tl, weight as CpuStorage | null, wl, reduction, ignoreIndex);
  }
  nllLossBackward(gy: Storage, gyl: Layout, xl: Layout, target: Storage, tl: Layout, weight: Storage | null, wl: Layout | null,
    reduction: 'none' | 'mean' | 'sum', ignoreIndex: number, totalWeight: Storage): CpuStorage {
    return NN.nllLossBackward(gy as CpuStorage, gyl, xl, target as CpuStorage, tl, weight as CpuStorage | null, wl, reduction, ignoreIndex, totalWeight as CpuStorage);
  }
  embedding(w: Storage, wl: Layout, indices: Storage, il: Layout): CpuStorage { return NN.embedding(w as CpuStorage, wl, indices as CpuStorage, il); }
  embeddingBackward(gy: Storage, gyl: Layout, indices: Storage, il: Layout, numWeights: number, paddingIdx: number | null, scaleGradByFreq: boolean): CpuStorage {
    return NN.embeddingBackward(gy as CpuStorage, gyl, indices as CpuStorage, il, numWeights, paddingIdx, scaleGradByFreq);
  }
  binaryCrossEntropy(x: Storage, xl: Layout, t: Storage, tl: Layout, w: Storage | null, wl: Layout | null): CpuStorage {
    return NN.binaryCrossEntropy(x as CpuStorage, xl, t as CpuStorage, tl, w as CpuStorage | null, wl);
  }
  binaryCrossEntropyBackward(gy: Storage, gyl: Layout, x: Storage, xl: Layout, t: Storage, tl: Layout, w: Storage | null, wl: Layout | null): CpuStorage {
    return NN.binaryCrossEntropyBackward(gy as CpuStorage, gyl, x as CpuStorage, xl, t as CpuStorage, tl, w as CpuStorage | null, wl);
  }
  // ===================================================================================================================
}


function castFill(v: number, dtype: DType): number {
  return dtype === 'int64' ? H.toInt64(v) : dtype === 'bool' ? (v !== 0 ? 1 : 0) : v;
}

function overlaps(a: Layout, b: Layout): boolean {
  const ext = (l: Layout): [number, number] => {
    let hi = l.offset;
    for (let d = 0; d < l.shape.length; d++) if (l.shape[d]! > 0) hi += (l.shape[d]! - 1) * l.strides[d]!;
    return [l.offset, hi];
  };
  const [a0, a1] = ext(a), [b0, b1] = ext(b);
  return a0 <= b1 && b0 <= a1;
}

/** Calls fn(outIndex, baseOffsetInX, baseOffsetInOut) for each position of `outerShape` (the reduced axis has size 1). */
function forEachOuter(outerShape: readonly number[], xl: Layout, fn: (o: number, base: number, oBase: number) => void,
  outStrides?: readonly number[]): void {
  const nd = outerShape.length;
  const n = numelOf(outerShape);
  const idx = new Array<number>(nd).fill(0);
  let base = xl.offset, ob = 0;
  for (let o = 0; o < n; o++) {
    fn(o, base, ob);
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      base += xl.strides[d]!;
      if (outStrides) ob += outStrides[d]!;
      if (idx[d]! < outerShape[d]!) break;
      base -= xl.strides[d]! * outerShape[d]!;
      if (outStrides) ob -= outStrides[d]! * outerShape[d]!;
      idx[d] = 0;
    }
  }
}

/** Iterates a shape, giving fn the offsets of up to three layouts at each position (row-major order). */
function forEachIndex(shape: readonly number[], layouts: { strides: readonly number[]; offset: number }[],
  fn: (p0: number, p1: number, p2?: number) => void): void {
  const nd = shape.length, n = numelOf(shape);
  if (n === 0) return;
  const idx = new Array<number>(nd).fill(0);
  const p = layouts.map((l) => l.offset);
  const three = layouts.length === 3;
  for (let i = 0; i < n; i++) {
    if (three) fn(p[0]!, p[1]!, p[2]!); else fn(p[0]!, p[1]!);
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      for (let k = 0; k < layouts.length; k++) p[k]! += layouts[k]!.strides[d]!;
      if (idx[d]! < shape[d]!) break;
      for (let k = 0; k < layouts.length; k++) p[k]! -= layouts[k]!.strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

/** Rows at least this long are sorted by `RadixSorter` (a comparison sort with closures is ~20x slower there). */
const RADIX_MIN = 256;

/**
 * A stable LSD radix sort of float64 keys (4 passes of 16 bits; passes whose digit is constant are skipped).
 * Keys map to unsigned integers ordered as the numbers: −0 as +0 (so they stay in input order, as a comparison
 * sort leaves them), every NaN as one value above +inf; descending complements the keys, which keeps stability.
 */
class RadixSorter {
  private readonly f = new Float64Array(1);
  private readonly u = new Uint32Array(this.f.buffer);
  private readonly hi: Uint32Array;
  private readonly lo: Uint32Array;
  private a: Uint32Array;
  private b: Uint32Array;
  private readonly counts = new Uint32Array(65536);
  constructor(private readonly n: number) {
    this.hi = new Uint32Array(n); this.lo = new Uint32Array(n); this.a = new Uint32Array(n); this.b = new Uint32Array(n);
  }
  order(vals: Float64Array, descending: boolean): Uint32Array {
    const { n, f, u, hi, lo } = this;
    for (let i = 0; i < n; i++) {
      const v = vals[i]!;
      f[0] = v !== v ? NaN : v === 0 ? 0 : v;
      let h = u[1]!, l = u[0]!;
      if (v !== v) { h = 0x7ff80000; l = 0; }
      if (h & 0x80000000) { h = ~h >>> 0; l = ~l >>> 0; } else h = (h | 0x80000000) >>> 0;
      if (descending) { h = ~h >>> 0; l = ~l >>> 0; }
      hi[i] = h; lo[i] = l;
    }
    let a = this.a, b = this.b;
    for (let i = 0; i < n; i++) a[i] = i;
    const counts = this.counts;
    for (let pass = 0; pass < 4; pass++) {
      const keys = pass < 2 ? lo : hi, shift = (pass & 1) * 16;
      counts.fill(0);
      for (let i = 0; i < n; i++) counts[(keys[i]! >>> shift) & 0xffff]!++;
      if (counts[(keys[0]! >>> shift) & 0xffff] === n) continue; // one digit value: the order stands
      let sum = 0;
      for (let d = 0; d < 65536; d++) { const c = counts[d]!; counts[d] = sum; sum += c; }
      for (let i = 0; i < n; i++) { const e = a[i]!; b[counts[(keys[e]! >>> shift) & 0xffff]!++] = e; }
      const t = a; a = b; b = t;
    }
    this.a = a; this.b = b;
    return a;
  }
}
