/**
 * The native backend: the `Backend` kernels on libtorch's ATen, through the Node-API addon in `native/`
 * (built by `scripts/build-native.mjs` during `npm install` when libtorch is found).
 *
 * This file is the thin TypeScript glue: it loads the addon lazily (loading libtorch costs ~0.6 s and ~150 MB of
 * RSS, so nothing is loaded unless the native backend is selected or asked about), maps op names to the addon's
 * op codes, and passes layouts through one shared Float64Array (the addon reads it in order) instead of JS arrays.
 * Storages are `NativeStorage` objects holding the addon's handle to a 1-D at::Tensor; layouts become
 * `at::as_strided` views in C++. Memory is freed by `free`, or by the handle's finalizer when the storage is
 * collected, and reported to V8 as external memory so collections keep pace with it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { DType, TypedArray } from '../../dtype.js';
import type {
  ArgReduceOp, Backend, BinaryOp, ConvGeometry, Layout, OptimizerHyperparams, OptimizerKind, OptimizerSlot, ReduceOp,
  Storage, TensorRef, UnaryOp,
} from '../types.js';

/** The addon's exports (native/src/addon.cc). Handles are opaque objects. */
interface Addon {
  unaryOps: string[];
  binaryOps: string[];
  setArgBuffer(a: Float64Array): void;
  alloc(dtype: number, length: number): object;
  fromArray(dtype: number, data: TypedArray): object;
  free(h: object): void;
  externalBytes(): number;
  read(h: object, dst: TypedArray): void;
  fill(h: object, value: number): void;
  copy(src: object, dst: object): void;
  unary(op: number, x: object, outDtype: number, param: number, out: object | null): object;
  binary(op: number, a: object, b: object, outDtype: number, param: number, out: object | null): object;
  where(c: object, a: object, b: object, outDtype: number): object;
  reduce(op: number, x: object, outDtype: number): object;
  argReduce(op: number, x: object, axis: number): object;
  cumsum(x: object, axis: number, outDtype: number): object;
  matmul(a: object, b: object, outDtype: number, c: object | null): object;
  gather(x: object, axis: number, idx: object): object;
  scatter(dst: object, axis: number, idx: object, src: object | null, value: number, add: boolean): void;
  im2col(x: object, padValue: number): object;
  col2im(cols: object): object;
  optimStep(kind: number, tensors: (object | null)[]): void;
  foreachNorm(tensors: object[], ord: number, outDtype: number): object;
  foreachMul(tensors: object[], scalar: object): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  torchVersion(): string;
}

const ADDON_PATH = fileURLToPath(new URL('../../../../native/build/Release/torchlet_native.node', import.meta.url));
const STATUS_PATH = fileURLToPath(new URL('../../../../native/build/status.json', import.meta.url));
/** The one command that builds the addon on Debian/Ubuntu. */
export const NATIVE_FIX = 'apt-get install libtorch-dev && npm run build:native';

let addon: Addon | null = null;
let loadError: string | null = null;

/** Loads the addon once; null (with `loadError` set) when it is not built or fails to load. */
function load(): Addon | null {
  if (addon !== null || loadError !== null) return addon;
  if (!existsSync(ADDON_PATH)) {
    let why = 'the native addon is not built', fix = NATIVE_FIX;
    try {
      // written by scripts/build-native.mjs at install time
      const st = JSON.parse(readFileSync(STATUS_PATH, 'utf8')) as { why?: string; fix?: string };
      if (st.why) { why = `the native addon was not built: ${st.why}`; fix = st.fix ?? fix; }
    } catch { /* no build attempted */ }
    loadError = `${why}; to get it: ${fix}`;
    return null;
  }
  try {
    addon = createRequire(import.meta.url)(ADDON_PATH) as Addon;
  } catch (e) {
    loadError = `the native addon failed to load (${(e as Error).message.split('\n')[0]}); to rebuild it: ${NATIVE_FIX}`;
  }
  return addon;
}

/** Whether the native backend can serve (loads libtorch on first call). */
export function isAvailable(): boolean { return load() !== null; }
/** Why the native backend is unavailable, with the command that fixes it; null when it is available. */
export function reason(): string | null { return load() === null ? loadError : null; }

const DTYPES: Record<DType, number> = { float32: 0, float64: 1, int64: 2, int32: 3, bool: 4 };
const HOST: Record<DType, new (n: number) => TypedArray> = {
  float32: Float32Array, float64: Float64Array, int64: Float64Array, int32: Int32Array, bool: Uint8Array,
};
const REDUCE: Record<ReduceOp, number> = { sum: 0, prod: 1, max: 2, min: 3, any: 4, all: 5 };
const KINDS: Record<OptimizerKind, number> = { sgd: 0, adam: 1, adamax: 2, adadelta: 3, adagrad: 4, nadam: 5, radam: 6, rmsprop: 7 };

/** A storage of the native backend: a handle to a 1-D at::Tensor. */
export class NativeStorage implements Storage {
  constructor(readonly dtype: DType, readonly length: number, readonly h: object) {}
}

function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

const b = (v: boolean): number => (v ? 1 : 0);

/** Hyperparameters in the order the addon's `optimStep` reads them (per kind). */
function hyperparams(kind: OptimizerKind, hp: OptimizerHyperparams[OptimizerKind]): number[] {
  switch (kind) {
    case 'sgd': { const h = hp as OptimizerHyperparams['sgd']; return [h.lr, h.momentum, h.dampening, h.weightDecay, b(h.nesterov), b(h.maximize)]; }
    case 'adam': { const h = hp as OptimizerHyperparams['adam']; return [h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, b(h.amsgrad), b(h.maximize), b(h.decoupledWeightDecay)]; }
    case 'adamax': { const h = hp as OptimizerHyperparams['adamax']; return [h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, b(h.maximize)]; }
    case 'adadelta': { const h = hp as OptimizerHyperparams['adadelta']; return [h.lr, h.rho, h.eps, h.weightDecay, b(h.maximize)]; }
    case 'adagrad': { const h = hp as OptimizerHyperparams['adagrad']; return [h.lr, h.lrDecay, h.eps, h.weightDecay, b(h.maximize)]; }
    case 'nadam': { const h = hp as OptimizerHyperparams['nadam']; return [h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, h.momentumDecay, b(h.decoupledWeightDecay), b(h.maximize)]; }
    case 'radam': { const h = hp as OptimizerHyperparams['radam']; return [h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, b(h.decoupledWeightDecay), b(h.maximize)]; }
    case 'rmsprop': { const h = hp as OptimizerHyperparams['rmsprop']; return [h.lr, h.alpha, h.eps, h.weightDecay, h.momentum, b(h.centered), b(h.maximize)]; }
    default: throw new RangeError(`fusedOptimizerStep: unknown optimizer kind '${String(kind)}'`);
  }
}

/**
 * The native backend. Construct it only when `isAvailable()`; the constructor throws `reason()` otherwise.
 * Kernels follow the `Backend` contract; where ATen's arithmetic differs from the portable backend's (float32
 * math in float32 rather than in doubles) results agree to float32 rounding.
 */
export class NativeBackend implements Backend {
  readonly name = 'cpu';
  private readonly a: Addon;
  private args = new Float64Array(4096);
  private n = 0;
  private readonly unaryCode = new Map<string, number>();
  private readonly binaryCode = new Map<string, number>();

  constructor() {
    const a = load();
    if (a === null) throw new Error(`native backend unavailable: ${loadError}`);
    this.a = a;
    a.setArgBuffer(this.args);
    a.unaryOps.forEach((op, i) => this.unaryCode.set(op, i));
    a.binaryOps.forEach((op, i) => this.binaryCode.set(op, i));
  }

  /** libtorch's version, e.g. "1.13.0". */
  get torchVersion(): string { return this.a.torchVersion(); }
  /** ATen's intra-op thread count (`at::set_num_threads`; OpenBLAS keeps its own, OPENBLAS_NUM_THREADS). */
  setNumThreads(n: number): void { this.a.setNumThreads(n); }
  getNumThreads(): number { return this.a.getNumThreads(); }
  /** Bytes held by live native storages (also reported to V8 as external memory). */
  externalBytes(): number { return this.a.externalBytes(); }

  // ---- argument buffer: every call starts at 0 (`begin`) and appends its numbers in the order the addon reads

  private begin(): void { this.n = 0; }
  private room(k: number): void {
    if (this.n + k <= this.args.length) return;
    let len = this.args.length * 2;
    while (len < this.n + k) len *= 2;
    const next = new Float64Array(len);
    next.set(this.args.subarray(0, this.n));
    this.args = next;
    this.a.setArgBuffer(next);
  }
  private push(v: number): void { this.room(1); this.args[this.n++] = v; }
  private layout(l: Layout): void {
    const nd = l.shape.length;
    this.room(2 * nd + 2);
    const A = this.args;
    let i = this.n;
    A[i++] = nd;
    for (let d = 0; d < nd; d++) A[i++] = l.shape[d]!;
    for (let d = 0; d < nd; d++) A[i++] = l.strides[d]!;
    A[i++] = l.offset;
    this.n = i;
  }
  private geometry(g: ConvGeometry): void {
    for (const pair of [g.kernel, g.stride, g.padding, g.dilation, g.inSize, g.outSize]) { this.push(pair[0]); this.push(pair[1]); }
  }

  private wrap(h: object, dtype: DType, length: number): NativeStorage { return new NativeStorage(dtype, length, h); }
  private static h(s: Storage): object { return (s as NativeStorage).h; }

  alloc(dtype: DType, length: number): NativeStorage {
    return this.wrap(this.a.alloc(DTYPES[dtype], length), dtype, length);
  }

  fromArray(dtype: DType, data: ArrayLike<number>): NativeStorage {
    const Host = HOST[dtype];
    let host: TypedArray;
    if (dtype === 'bool') {
      // JS truthiness (NaN is false), as the portable backend converts
      host = new Uint8Array(data.length);
      for (let i = 0; i < data.length; i++) host[i] = data[i] ? 1 : 0;
    } else if (data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array) {
      host = data; // the addon converts from any of these
    } else {
      host = Host === Float32Array ? Float32Array.from(data) : Host === Int32Array ? Int32Array.from(data) : Float64Array.from(data);
    }
    return this.wrap(this.a.fromArray(DTYPES[dtype], host), dtype, data.length);
  }

  free(s: Storage): void { this.a.free(NativeBackend.h(s)); }

  readSync(s: Storage, layout: Layout): TypedArray {
    const out = new HOST[s.dtype](numelOf(layout.shape));
    this.begin(); this.layout(layout);
    this.a.read(NativeBackend.h(s), out);
    return out;
  }

  async read(s: Storage, layout: Layout): Promise<TypedArray> { return this.readSync(s, layout); }

  fill(dst: Storage, layout: Layout, value: number): void {
    // the portable backend's conversions: int64 truncates (NaN/±inf become INT64_MIN, as x86 PyTorch), bool is ≠ 0
    const finite = value - value === 0;
    const v = dst.dtype === 'int64' ? (finite ? Math.trunc(value) : -9223372036854775808)
      : dst.dtype === 'int32' ? (finite ? Math.trunc(value) | 0 : 0)
        : dst.dtype === 'bool' ? (value !== 0 ? 1 : 0) : value;
    this.begin(); this.layout(layout);
    this.a.fill(NativeBackend.h(dst), v);

  }

  copy(src: Storage, srcLayout: Layout, dst: Storage, dstLayout: Layout): void {
    this.begin(); this.layout(srcLayout); this.layout(dstLayout);
    this.a.copy(NativeBackend.h(src), NativeBackend.h(dst));

  }

  unary(op: UnaryOp, x: Storage, xl: Layout, outDtype: DType, param?: number, out?: Storage, ol?: Layout): Storage {
    const code = this.unaryCode.get(op);
    if (code === undefined) throw new Error(`unary op '${op}' is not implemented in the native backend`);
    this.begin(); this.layout(xl);
    if (out !== undefined) { this.layout(ol!); }
    const h = this.a.unary(code, NativeBackend.h(x), DTYPES[outDtype], param ?? 1, out === undefined ? null : NativeBackend.h(out));
    return out ?? this.wrap(h, outDtype, numelOf(xl.shape));
  }

  binary(op: BinaryOp, a: Storage, al: Layout, bs: Storage, bl: Layout, outDtype: DType, out?: Storage, ol?: Layout, param?: number): Storage {
    const code = this.binaryCode.get(op);
    if (code === undefined) throw new Error(`binary op '${op}' is not implemented in the native backend`);
    this.begin(); this.layout(al); this.layout(bl);
    if (out !== undefined) { this.layout(ol!); }
    const h = this.a.binary(code, NativeBackend.h(a), NativeBackend.h(bs), DTYPES[outDtype], param ?? 1,
      out === undefined ? null : NativeBackend.h(out));
    return out ?? this.wrap(h, outDtype, numelOf(al.shape));
  }

  where(cond: Storage, cl: Layout, a: Storage, al: Layout, bs: Storage, bl: Layout, outDtype: DType): Storage {
    this.begin(); this.layout(cl); this.layout(al); this.layout(bl);
    return this.wrap(this.a.where(NativeBackend.h(cond), NativeBackend.h(a), NativeBackend.h(bs), DTYPES[outDtype]), outDtype, numelOf(cl.shape));
  }

  reduce(op: ReduceOp, x: Storage, xl: Layout, axes: readonly number[], outDtype: DType): Storage {
    this.begin(); this.layout(xl); this.push(axes.length);
    for (const ax of axes) this.push(ax);
    let n = 1;
    for (let d = 0; d < xl.shape.length; d++) if (!axes.includes(d)) n *= xl.shape[d]!;
    return this.wrap(this.a.reduce(REDUCE[op], NativeBackend.h(x), DTYPES[outDtype]), outDtype, n);
  }

  argReduce(op: ArgReduceOp, x: Storage, xl: Layout, axis: number): Storage {
    this.begin(); this.layout(xl);
    return this.wrap(this.a.argReduce(op === 'argmax' ? 0 : 1, NativeBackend.h(x), axis), 'int64', numelOf(xl.shape) / (xl.shape[axis] || 1));
  }

  cumsum(x: Storage, xl: Layout, axis: number, outDtype: DType): Storage {
    this.begin(); this.layout(xl);
    return this.wrap(this.a.cumsum(NativeBackend.h(x), axis, DTYPES[outDtype]), outDtype, numelOf(xl.shape));
  }

  matmul(a: Storage, al: Layout, bs: Storage, bl: Layout, outDtype: DType, c?: Storage, cl?: Layout): Storage {
    if (outDtype !== 'float32' && outDtype !== 'float64') throw new Error(`native matmul kernel expects a floating dtype, got ${outDtype}`);
    this.begin(); this.layout(al); this.layout(bl);
    if (c !== undefined) this.layout(cl!);
    const n = numelOf(al.shape.slice(0, -1)) * bl.shape[bl.shape.length - 1]!;
    return this.wrap(this.a.matmul(NativeBackend.h(a), NativeBackend.h(bs), DTYPES[outDtype], c === undefined ? null : NativeBackend.h(c)),
      outDtype, n);
  }

  gather(x: Storage, xl: Layout, axis: number, idx: Storage, il: Layout): Storage {
    this.begin(); this.layout(xl); this.layout(il);
    return this.wrap(this.a.gather(NativeBackend.h(x), axis, NativeBackend.h(idx)), x.dtype, numelOf(il.shape));
  }

  scatter(dst: Storage, dl: Layout, axis: number, idx: Storage, il: Layout,
    src: Storage | null, sl: Layout | null, value: number, reduce: 'none' | 'add'): void {
    this.begin(); this.layout(dl); this.layout(il);
    if (src !== null) this.layout(sl!);
    this.a.scatter(NativeBackend.h(dst), axis, NativeBackend.h(idx), src === null ? null : NativeBackend.h(src), value, reduce === 'add');

  }

  im2col(x: Storage, xl: Layout, g: ConvGeometry, padValue: number): Storage {
    this.begin(); this.layout(xl); this.geometry(g);
    const n = xl.shape[1]! * g.kernel[0] * g.kernel[1] * xl.shape[0]! * g.outSize[0] * g.outSize[1];
    return this.wrap(this.a.im2col(NativeBackend.h(x), padValue), x.dtype, n);
  }

  col2im(cols: Storage, cl: Layout, g: ConvGeometry): Storage {
    this.begin(); this.layout(cl); this.geometry(g);
    const C = cl.shape[0]! / (g.kernel[0] * g.kernel[1]);
    return this.wrap(this.a.col2im(NativeBackend.h(cols)), cols.dtype, cl.shape[1]! * C * g.inSize[0] * g.inSize[1]);
  }

  // ---- optimizer and clipping kernels: one addon call per step (see addon.cc for why not _foreach_/_fused_)

  fusedOptimizerStep<K extends OptimizerKind>(kind: K, slots: readonly OptimizerSlot[], hp: OptimizerHyperparams[K]): void {
    this.begin();
    for (const v of hyperparams(kind, hp)) this.push(v);
    const handles: (object | null)[] = [];
    for (const s of slots) {
      this.push(s.step); this.push(s.muProduct ?? 0);
      const refs = [s.param, s.grad, s.state[0] ?? null, s.state[1] ?? null, s.state[2] ?? null];
      for (const r of refs) {
        if (r !== null) this.layout(r.l);
        handles.push(r === null ? null : NativeBackend.h(r.s));
      }
    }
    this.a.optimStep(KINDS[kind], handles);
  }

  foreachNorm(tensors: readonly TensorRef[], ord: number, outDtype: DType): Storage {
    this.begin();
    for (const t of tensors) this.layout(t.l);
    return this.wrap(this.a.foreachNorm(tensors.map((t) => NativeBackend.h(t.s)), ord, DTYPES[outDtype]), outDtype, 1);
  }

  foreachMul_(tensors: readonly TensorRef[], scalar: TensorRef): void {
    this.begin();
    for (const t of tensors) this.layout(t.l);
    this.layout(scalar.l);
    this.a.foreachMul(tensors.map((t) => NativeBackend.h(t.s)), NativeBackend.h(scalar.s));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Selecting the backend that serves `cpu`

/** What serves `cpu` when TORCHLET_BACKEND is unset. Portable for now: the lead flips this once native is the default. */
const DEFAULT_CPU_BACKEND: 'portable' | 'auto' = 'portable';

/**
 * The backend that serves `cpu`, from `TORCHLET_BACKEND`: `portable` (the TypeScript backend), `native` (libtorch;
 * throws with the reason when it is unavailable) or `auto` (native when built, portable otherwise).
 */
export function selectCpuBackend(portable: () => Backend, env: Record<string, string | undefined> = process.env): Backend {
  const choice = env['TORCHLET_BACKEND'] || DEFAULT_CPU_BACKEND;
  switch (choice) {
    case 'portable': return portable();
    case 'native':
      if (!isAvailable()) throw new Error(`TORCHLET_BACKEND=native, but the native backend is unavailable: ${reason()}`);
      return new NativeBackend();
    case 'auto': return isAvailable() ? new NativeBackend() : portable();
    default: throw new Error(`TORCHLET_BACKEND must be one of portable, native, auto, got '${choice}'`);
  }
}
