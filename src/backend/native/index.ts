/**
 * The native backend: the `Backend` kernels on libtorch's ATen, through the Node-API addon in `native/`
 * (built by `scripts/build-native.mjs` during `npm install` when libtorch is found).
 *
 * This file is the thin TypeScript glue: it loads the addon lazily (loading libtorch costs ~0.6 s and ~150 MB of
 * RSS, so nothing is loaded unless the native backend is selected or asked about), maps op names to the addon's
 * op codes, and passes layouts through one shared Float64Array (the addon reads it in order) instead of JS arrays.
 * Storages are `NativeStorage` objects holding the addon's handle to a 1-D at::Tensor; layouts become
 * `at::as_strided` views in C++. Memory is freed by `free`, or by the handle's finalizer when the storage is
 * collected (a FinalizationRegistry backstop), and reported to V8 as external memory so collections keep pace with it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { DType, TypedArray } from '../../dtype.js';
import { castScalar } from '../../dtype.js';
import type {
  ArgReduceOp, Backend, BinaryOp, ConvGeometry, Layout, OptimizerHyperparams, OptimizerKind, OptimizerSlot,
  RandomDistribution, RandomSource, ReduceOp, Storage, TensorRef, UnaryOp,
} from '../types.js';

/** A storage handle: a number the addon hands out (slot + generation, see native/src/addon.cc). */
type H = number;
type Triple = [H | null, H | null, H | null];

/** The addon's exports (native/src/addon.cc). Storage handles are numbers (`H`). */
interface Addon {
  unaryOps: string[];
  binaryOps: string[];
  setArgBuffer(a: Float64Array): void;
  alloc(dtype: number, length: number): H;
  fromArray(dtype: number, data: TypedArray): H;
  free(h: H, collected?: boolean): void;
  externalBytes(): number;
  read(h: H, dst: TypedArray): void;
  fill(h: H, value: number): void;
  copy(src: H, dst: H): void;
  unary(op: number, x: H, outDtype: number, param: number, out: H | null): H;
  binary(op: number, a: H, b: H, outDtype: number, param: number, out: H | null): H;
  where(c: H, a: H, b: H, outDtype: number): H;
  reduce(op: number, x: H, outDtype: number): H;
  argReduce(op: number, x: H, axis: number): H;
  cumsum(x: H, axis: number, outDtype: number): H;
  matmul(a: H, b: H, outDtype: number, c: H | null): H;
  gather(x: H, axis: number, idx: H): H;
  scatter(dst: H, axis: number, idx: H, src: H | null, value: number, add: boolean): void;
  im2col(x: H, padValue: number): H;
  col2im(cols: H): H;
  optimStep(kind: number, tensors: (H | null)[]): void;
  foreachNorm(tensors: H[], ord: number, outDtype: number): H;
  foreachMul(tensors: H[], scalar: H): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  torchVersion(): string;
  conv2d(x: H, w: H, b: H | null, groups: number): H;
  conv2dBackward(gy: H, x: H | null, w: H | null, groups: number): Triple;
  maxPool2d(x: H): [H, H];
  maxPool2dBackward(gy: H, idx: H): H;
  avgPool2d(x: H, countIncludePad: boolean, divisor: number): H;
  avgPool2dBackward(gy: H, countIncludePad: boolean, divisor: number): H;
  adaptiveAvgPool2d(x: H, oh: number, ow: number): H;
  adaptiveAvgPool2dBackward(gy: H, h: number, w: number): H;
  softmax(x: H, dim: number, log: boolean): H;
  softmaxBackward(gy: H, y: H, dim: number, log: boolean): H;
  batchNorm(x: H, w: H | null, b: H | null, rm: H | null, rv: H | null, training: boolean, momentum: number, eps: number): [H, H, H];
  batchNormBackward(gy: H, x: H, w: H | null, mean: H, invstd: H, training: boolean): Triple;
  layerNorm(x: H, n: number, w: H | null, b: H | null, eps: number): [H, H, H];
  layerNormBackward(gy: H, x: H, n: number, mean: H, rstd: H, w: H | null): Triple;
  groupNorm(x: H, groups: number, w: H | null, b: H | null, eps: number): [H, H, H];
  groupNormBackward(gy: H, x: H, groups: number, mean: H, rstd: H, w: H | null): Triple;
  nllLoss(x: H, t: H, w: H | null, reduction: number, ignoreIndex: number): [H, H];
  nllLossBackward(gy: H, t: H, w: H | null, reduction: number, ignoreIndex: number, totalWeight: H): H;
  embedding(w: H, idx: H): H;
  embeddingBackward(gy: H, idx: H, numWeights: number, paddingIdx: number, scaleGradByFreq: boolean): H;
  binaryCrossEntropy(x: H, t: H, w: H | null): H;
  binaryCrossEntropyBackward(gy: H, x: H, t: H, w: H | null): H;
  binaryScalar(op: number, a: H, value: number, outDtype: number, out: H | null): H;
  whereScalar(c: H, a: H | null, b: H | null, aValue: number, bValue: number, outDtype: number): H;
  random(dst: H, kind: number, p0: number, p1: number, seed: number, offset: number, p: H | null): void;
  cudaIsAvailable(): boolean;
  cudaDeviceCount(): number;
  builtWithCuda(): boolean;
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

/**
 * What the native addon's libtorch says about CUDA (`at::hasCUDA()`, `torch::cuda::is_available()`,
 * `torch::cuda::device_count()`), or null when the addon is not built. A CPU-only libtorch (Debian's
 * libtorch-dev) answers `{ builtWithCuda: false, available: false, deviceCount: 0 }`.
 */
export function nativeCudaInfo(): { builtWithCuda: boolean; available: boolean; deviceCount: number } | null {
  const a = load();
  if (a === null) return null;
  return { builtWithCuda: a.builtWithCuda(), available: a.cudaIsAvailable(), deviceCount: a.cudaDeviceCount() };
}

type Sweep = (this: FinalizationRegistry<any>) => void;
let sweepInstaller: ((fn: Sweep | null) => void) | null = null;
let sweepInstalled = false;

/** @internal index.ts passes the core's `installFinalizerSweep` here; the first NativeBackend calls it. */
export function setSweepInstaller(install: (fn: Sweep | null) => void): void { sweepInstaller = install; }

/**
 * `FinalizationRegistry.prototype.cleanupSome`, which lets the core free dropped storages inside a synchronous loop
 * (see `installFinalizerSweep` in src/tensor.ts), or null. V8 has it behind `--harmony-weak-refs-with-cleanup-some`;
 * the flag only affects contexts created while it is set, so it is set for the creation of one throwaway context
 * and cleared again. The method works on registries of any context (checked: a 200,000-object loop freed them
 * all synchronously after collections). Only on V8 11 (Node 20), where the flag is known to exist; elsewhere an
 * unknown flag would print an error, and freeing waits for the event loop instead.
 */
export function finalizerSweep(): Sweep | null {
  if (Number(process.versions.v8.split('.')[0]) !== 11 || process.env['TORCHLET_SYNC_FINALIZERS'] === '0') return null;
  try {
    setFlagsFromString('--harmony-weak-refs-with-cleanup-some');
    const fn = runInNewContext('FinalizationRegistry.prototype.cleanupSome') as unknown;
    return typeof fn === 'function' ? (fn as Sweep) : null;
  } catch {
    return null;
  } finally {
    setFlagsFromString('--no-harmony-weak-refs-with-cleanup-some');
  }
}

/** Whether the native backend can serve (loads libtorch on first call). */
export function isAvailable(): boolean { return load() !== null; }
/** Why the native backend is unavailable, with the command that fixes it; null when it is available. */
export function reason(): string | null { return load() === null ? loadError : null; }

const DTYPES: Record<DType, number> = { float32: 0, float64: 1, int64: 2, int32: 3, bool: 4, int16: 5, int8: 6, uint8: 7 };
const HOST: Record<DType, new (n: number) => TypedArray> = {
  float32: Float32Array, float64: Float64Array, int64: Float64Array, int32: Int32Array, bool: Uint8Array,
  int16: Int16Array, int8: Int8Array, uint8: Uint8Array,
};
const REDUCE: Record<ReduceOp, number> = { sum: 0, prod: 1, max: 2, min: 3, any: 4, all: 5 };
const REDUCTION = { none: 0, mean: 1, sum: 2 } as const;
const RANDOM_KIND = { uniform: 0, normal: 1, bernoulli: 2, bernoulliTensor: 3, randint: 4, permutation: 5 } as const;
const KINDS: Record<OptimizerKind, number> = { sgd: 0, adam: 1, adamax: 2, adadelta: 3, adagrad: 4, nadam: 5, radam: 6, rmsprop: 7 };

/** The addon's one argument buffer (see `NativeBackend`), registered with the addon by the first instance. */
const argState: { args: Float64Array; n: number; registered: boolean } = { args: new Float64Array(4096), n: 0, registered: false };

/**
 * The backstop for storages dropped without `free` (the frontend frees every storage it is done with; this catches
 * a path that forgets): when a `NativeStorage` is collected its handle is freed. `free` of a handle already freed
 * is a no-op in the addon (handles carry a generation), so the explicit path needs no `unregister` (~0.4 µs saved
 * per storage). Registering costs ~0.3 µs; the Napi::External this replaces cost ~4.5 µs.
 */
let backstop: FinalizationRegistry<H> | null = null;
let backstopSweep: Sweep | null | undefined;
let backstopCountdown = 64;

/**
 * The pressure valve. Reporting native bytes to V8 makes it start a collection, but in a synchronous loop that
 * allocates little on the JS heap, incremental marking of a large heap may not finish: measured, 3,000 dropped 1 MB
 * storages peaked at 250–350 MB with the library's own modules loaded but at 1.3–1.6 GB once a few more modules
 * (a bigger heap to mark) were loaded. So when native memory passes twice what was live after the last forced
 * collection (and at least 256 MB), one full collection runs at once, after which the sweep frees what it found.
 * `gc` comes from V8's `--expose-gc`, set only while one throwaway context is created (as `finalizerSweep` does);
 * it is null where the sweep is (no V8 11, or TORCHLET_SYNC_FINALIZERS=0): freeing then waits for the event loop.
 */
let pressureGc: (() => void) | null = null;
let pressureLimit = 256 * 2 ** 20;
const PRESSURE_FLOOR = 256 * 2 ** 20;

function exposeGc(): (() => void) | null {
  if (Number(process.versions.v8.split('.')[0]) !== 11 || process.env['TORCHLET_SYNC_FINALIZERS'] === '0') return null;
  try {
    setFlagsFromString('--expose-gc');
    const fn = runInNewContext('gc') as unknown;
    return typeof fn === 'function' ? (fn as () => void) : null;
  } catch {
    return null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

function relievePressure(a: Addon): void {
  pressureGc!();
  backstopSweep?.call(backstop!);
  pressureLimit = Math.max(PRESSURE_FLOOR, 2 * a.externalBytes());
}

/** A storage of the native backend: a handle to a 1-D at::Tensor. */
export class NativeStorage implements Storage {
  constructor(readonly dtype: DType, readonly length: number, readonly h: H) {}
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
  /**
   * Native memory is invisible to V8's heap accounting, so the frontend frees every storage as soon as its last
   * tensor is collected (and internal temporaries at once); the addon's own finalizer is the backstop.
   */
  readonly finalizeStorages = true;
  private readonly a: Addon;
  // The argument buffer belongs to the addon, not to an instance: every NativeBackend (selectCpuBackend makes
  // one per call) must write where the addon reads, so the buffer and its cursor are module state.
  private get args(): Float64Array { return argState.args; }
  private set args(a: Float64Array) { argState.args = a; }
  private get n(): number { return argState.n; }
  private set n(v: number) { argState.n = v; }
  private readonly unaryCode = new Map<string, number>();
  private readonly binaryCode = new Map<string, number>();

  constructor() {
    const a = load();
    if (a === null) throw new Error(`native backend unavailable: ${loadError}`);
    this.a = a;
    if (!argState.registered) { a.setArgBuffer(argState.args); argState.registered = true; }
    backstop ??= new FinalizationRegistry((h: H) => a.free(h, true));
    if (backstopSweep === undefined) { backstopSweep = finalizerSweep(); if (backstopSweep !== null) pressureGc = exposeGc(); }
    if (!sweepInstalled && sweepInstaller !== null) { sweepInstalled = true; sweepInstaller(finalizerSweep()); }
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

  private wrap(h: H, dtype: DType, length: number): NativeStorage {
    const s = new NativeStorage(dtype, length, h);
    backstop!.register(s, h);
    // the backstop's callbacks, like the core's, run inside a synchronous loop where cleanupSome exists
    if (backstopSweep && --backstopCountdown === 0) {
      backstopCountdown = 64;
      if (pressureGc !== null && this.a.externalBytes() > pressureLimit) relievePressure(this.a);
      backstopSweep.call(backstop!);
    }
    return s;
  }
  private static h(s: Storage): H { return (s as NativeStorage).h; }

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
    } else if (data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array
      || data instanceof Int16Array || data instanceof Int8Array || data instanceof Uint8Array) {
      host = data; // the addon converts from any of these
    } else {
      host = Host === Float32Array ? Float32Array.from(data) : Host === Int32Array ? Int32Array.from(data) : Float64Array.from(data);
    }
    return this.wrap(this.a.fromArray(DTYPES[dtype], host), dtype, data.length);
  }

  free(s: Storage, collected = false): void { this.a.free(NativeBackend.h(s), collected); }

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
        : dst.dtype === 'bool' ? (value !== 0 ? 1 : 0)
          : dst.dtype === 'int16' || dst.dtype === 'int8' || dst.dtype === 'uint8' ? castScalar(value, dst.dtype) : value;
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

  // ---- scalar operands and random fills

  binaryScalar(op: BinaryOp, a: Storage, al: Layout, value: number, outDtype: DType, out?: Storage, ol?: Layout): Storage {
    const code = this.binaryCode.get(op);
    if (code === undefined) throw new Error(`binary op '${op}' is not implemented in the native backend`);
    this.begin(); this.layout(al);
    if (out !== undefined) this.layout(ol!);
    const h = this.a.binaryScalar(code, NativeBackend.h(a), value, DTYPES[outDtype], out === undefined ? null : NativeBackend.h(out));
    return out ?? this.wrap(h, outDtype, numelOf(al.shape));
  }

  whereScalar(cond: Storage, cl: Layout, a: Storage | number, al: Layout | null, bs: Storage | number, bl: Layout | null, outDtype: DType): Storage {
    this.begin(); this.layout(cl);
    if (typeof a !== 'number') this.layout(al!);
    if (typeof bs !== 'number') this.layout(bl!);
    const h = this.a.whereScalar(NativeBackend.h(cond), typeof a === 'number' ? null : NativeBackend.h(a),
      typeof bs === 'number' ? null : NativeBackend.h(bs), typeof a === 'number' ? a : 0, typeof bs === 'number' ? bs : 0, DTYPES[outDtype]);
    return this.wrap(h, outDtype, numelOf(cl.shape));
  }

  /**
   * Draws with ATen's CPU generator (mt19937, PyTorch's CPU stream) seeded per call from the frontend's
   * counter-based stream (`philoxSeedOffset`): seeded programs are reproducible on this backend, but the values
   * differ from the portable backend's, as PyTorch's CUDA values differ from its CPU values.
   */
  random(dst: Storage, layout: Layout, dist: RandomDistribution, source: RandomSource): void {
    const n = numelOf(layout.shape);
    const { seed, offset } = source.philoxSeedOffset(n);
    this.begin(); this.layout(layout);
    let p0 = 0, p1 = 0, p: H | null = null;
    switch (dist.kind) {
      case 'uniform': p0 = dist.from; p1 = dist.to; break;
      case 'normal': p0 = dist.mean; p1 = dist.std; break;
      case 'bernoulli': p0 = dist.p; break;
      case 'bernoulliTensor': this.layout(dist.pl); p = NativeBackend.h(dist.p); break;
      case 'randint': p0 = dist.low; p1 = dist.high; break;
      case 'permutation': break;
    }
    this.a.random(NativeBackend.h(dst), RANDOM_KIND[dist.kind], p0, p1, seed, offset, p);
  }

  // ---- nn kernels (ATen's own: convolution through oneDNN/BLAS, pooling, norms, losses)

  private opt(s: Storage | null, l: Layout | null): H | null {
    if (s === null) return null;
    this.layout(l!);
    return NativeBackend.h(s);
  }
  private mask(m: readonly [boolean, boolean, boolean]): void { for (const v of m) this.push(v ? 1 : 0); }
  private wrapOpt(h: H | null, dtype: DType, n: number): NativeStorage | null { return h === null ? null : this.wrap(h, dtype, n); }

  conv2d(x: Storage, xl: Layout, w: Storage, wl: Layout, bs: Storage | null, bl: Layout | null, g: ConvGeometry, groups: number): Storage {
    this.begin(); this.layout(xl); this.layout(wl);
    const bh = this.opt(bs, bl);
    this.geometry(g);
    const h = this.a.conv2d(NativeBackend.h(x), NativeBackend.h(w), bh, groups);
    return this.wrap(h, x.dtype, xl.shape[0]! * wl.shape[0]! * g.outSize[0] * g.outSize[1]);
  }

  conv2dBackward(gy: Storage, gyl: Layout, x: Storage | null, xl: Layout | null, w: Storage | null, wl: Layout, g: ConvGeometry,
    groups: number, outputMask: readonly [boolean, boolean, boolean]): [Storage | null, Storage | null, Storage | null] {
    this.begin(); this.layout(gyl);
    const xh = this.opt(x, xl);
    this.layout(wl);
    this.geometry(g); this.mask(outputMask);
    const [gx, gw, gb] = this.a.conv2dBackward(NativeBackend.h(gy), xh, w === null ? null : NativeBackend.h(w), groups);
    const N = gyl.shape[0]!, O = wl.shape[0]!;
    return [this.wrapOpt(gx, gy.dtype, N * wl.shape[1]! * groups * g.inSize[0] * g.inSize[1]),
      this.wrapOpt(gw, gy.dtype, numelOf(wl.shape)), this.wrapOpt(gb, gy.dtype, O)];
  }

  maxPool2d(x: Storage, xl: Layout, g: ConvGeometry): [Storage, Storage] {
    this.begin(); this.layout(xl); this.geometry(g);
    const [v, i] = this.a.maxPool2d(NativeBackend.h(x));
    const n = xl.shape[0]! * xl.shape[1]! * g.outSize[0] * g.outSize[1];
    return [this.wrap(v, x.dtype, n), this.wrap(i, 'int64', n)];
  }

  maxPool2dBackward(gy: Storage, gyl: Layout, indices: Storage, il: Layout, g: ConvGeometry): Storage {
    this.begin(); this.layout(gyl); this.layout(il); this.geometry(g);
    return this.wrap(this.a.maxPool2dBackward(NativeBackend.h(gy), NativeBackend.h(indices)), gy.dtype,
      gyl.shape[0]! * gyl.shape[1]! * g.inSize[0] * g.inSize[1]);
  }

  avgPool2d(x: Storage, xl: Layout, g: ConvGeometry, countIncludePad: boolean, divisorOverride: number | null): Storage {
    this.begin(); this.layout(xl); this.geometry(g);
    return this.wrap(this.a.avgPool2d(NativeBackend.h(x), countIncludePad, divisorOverride ?? NaN), x.dtype,
      xl.shape[0]! * xl.shape[1]! * g.outSize[0] * g.outSize[1]);
  }

  avgPool2dBackward(gy: Storage, gyl: Layout, g: ConvGeometry, countIncludePad: boolean, divisorOverride: number | null): Storage {
    this.begin(); this.layout(gyl); this.geometry(g);
    return this.wrap(this.a.avgPool2dBackward(NativeBackend.h(gy), countIncludePad, divisorOverride ?? NaN), gy.dtype,
      gyl.shape[0]! * gyl.shape[1]! * g.inSize[0] * g.inSize[1]);
  }

  adaptiveAvgPool2d(x: Storage, xl: Layout, outSize: readonly [number, number]): Storage {
    this.begin(); this.layout(xl);
    return this.wrap(this.a.adaptiveAvgPool2d(NativeBackend.h(x), outSize[0], outSize[1]), x.dtype,
      xl.shape[0]! * xl.shape[1]! * outSize[0] * outSize[1]);
  }

  adaptiveAvgPool2dBackward(gy: Storage, gyl: Layout, inSize: readonly [number, number]): Storage {
    this.begin(); this.layout(gyl);
    return this.wrap(this.a.adaptiveAvgPool2dBackward(NativeBackend.h(gy), inSize[0], inSize[1]), gy.dtype,
      gyl.shape[0]! * gyl.shape[1]! * inSize[0] * inSize[1]);
  }

  softmax(x: Storage, xl: Layout, dim: number, log: boolean): Storage {
    this.begin(); this.layout(xl);
    return this.wrap(this.a.softmax(NativeBackend.h(x), dim, log), x.dtype, numelOf(xl.shape));
  }

  softmaxBackward(gy: Storage, gyl: Layout, y: Storage, yl: Layout, dim: number, log: boolean): Storage {
    this.begin(); this.layout(gyl); this.layout(yl);
    return this.wrap(this.a.softmaxBackward(NativeBackend.h(gy), NativeBackend.h(y), dim, log), y.dtype, numelOf(yl.shape));
  }

  batchNorm(x: Storage, xl: Layout, w: Storage | null, wl: Layout | null, bs: Storage | null, bl: Layout | null,
    runningMean: Storage | null, rml: Layout | null, runningVar: Storage | null, rvl: Layout | null,
    training: boolean, momentum: number, eps: number): [Storage, Storage, Storage] {
    this.begin(); this.layout(xl);
    const wh = this.opt(w, wl), bh = this.opt(bs, bl), mh = this.opt(runningMean, rml), vh = this.opt(runningVar, rvl);
    const [o, m, v] = this.a.batchNorm(NativeBackend.h(x), wh, bh, mh, vh, training, momentum, eps);
    const C = xl.shape[1]!;
    return [this.wrap(o, x.dtype, numelOf(xl.shape)), this.wrap(m, x.dtype, C), this.wrap(v, x.dtype, C)];
  }

  batchNormBackward(gy: Storage, gyl: Layout, x: Storage, xl: Layout, w: Storage | null, wl: Layout | null,
    saveMean: Storage, saveInvstd: Storage, training: boolean, outputMask: readonly [boolean, boolean, boolean]): [Storage | null, Storage | null, Storage | null] {
    this.begin(); this.layout(gyl); this.layout(xl);
    const wh = this.opt(w, wl);
    this.mask(outputMask);
    const [gx, gw, gb] = this.a.batchNormBackward(NativeBackend.h(gy), NativeBackend.h(x), wh, NativeBackend.h(saveMean),
      NativeBackend.h(saveInvstd), training);
    const C = xl.shape[1]!;
    return [this.wrapOpt(gx, x.dtype, numelOf(xl.shape)), this.wrapOpt(gw, x.dtype, C), this.wrapOpt(gb, x.dtype, C)];
  }

  layerNorm(x: Storage, xl: Layout, normalizedNumel: number, w: Storage | null, wl: Layout | null, bs: Storage | null,
    bl: Layout | null, eps: number): [Storage, Storage, Storage] {
    this.begin(); this.layout(xl);
    const wh = this.opt(w, wl), bh = this.opt(bs, bl);
    const [o, m, r] = this.a.layerNorm(NativeBackend.h(x), normalizedNumel, wh, bh, eps);
    const n = numelOf(xl.shape), M = normalizedNumel === 0 ? 0 : n / normalizedNumel;
    return [this.wrap(o, x.dtype, n), this.wrap(m, x.dtype, M), this.wrap(r, x.dtype, M)];
  }

  layerNormBackward(gy: Storage, gyl: Layout, x: Storage, xl: Layout, normalizedNumel: number, mean: Storage, rstd: Storage,
    w: Storage | null, wl: Layout | null, outputMask: readonly [boolean, boolean, boolean]): [Storage | null, Storage | null, Storage | null] {
    this.begin(); this.layout(gyl); this.layout(xl);
    const wh = this.opt(w, wl);
    this.mask(outputMask);
    const [gx, gw, gb] = this.a.layerNormBackward(NativeBackend.h(gy), NativeBackend.h(x), normalizedNumel, NativeBackend.h(mean),
      NativeBackend.h(rstd), wh);
    return [this.wrapOpt(gx, x.dtype, numelOf(xl.shape)), this.wrapOpt(gw, x.dtype, normalizedNumel), this.wrapOpt(gb, x.dtype, normalizedNumel)];
  }

  groupNorm(x: Storage, xl: Layout, groups: number, w: Storage | null, wl: Layout | null, bs: Storage | null, bl: Layout | null,
    eps: number): [Storage, Storage, Storage] {
    this.begin(); this.layout(xl);
    const wh = this.opt(w, wl), bh = this.opt(bs, bl);
    const [o, m, r] = this.a.groupNorm(NativeBackend.h(x), groups, wh, bh, eps);
    const NG = xl.shape[0]! * groups;
    return [this.wrap(o, x.dtype, numelOf(xl.shape)), this.wrap(m, x.dtype, NG), this.wrap(r, x.dtype, NG)];
  }

  groupNormBackward(gy: Storage, gyl: Layout, x: Storage, xl: Layout, groups: number, mean: Storage, rstd: Storage,
    w: Storage | null, wl: Layout | null, outputMask: readonly [boolean, boolean, boolean]): [Storage | null, Storage | null, Storage | null] {
    this.begin(); this.layout(gyl); this.layout(xl);
    const wh = this.opt(w, wl);
    this.mask(outputMask);
    const [gx, gw, gb] = this.a.groupNormBackward(NativeBackend.h(gy), NativeBackend.h(x), groups, NativeBackend.h(mean),
      NativeBackend.h(rstd), wh);
    const C = xl.shape[1]!;
    return [this.wrapOpt(gx, x.dtype, numelOf(xl.shape)), this.wrapOpt(gw, x.dtype, C), this.wrapOpt(gb, x.dtype, C)];
  }

  nllLoss(x: Storage, xl: Layout, target: Storage, tl: Layout, weight: Storage | null, wl: Layout | null,
    reduction: 'none' | 'mean' | 'sum', ignoreIndex: number): [Storage, Storage] {
    this.begin(); this.layout(xl); this.layout(tl);
    const wh = this.opt(weight, wl);
    const [o, tw] = this.a.nllLoss(NativeBackend.h(x), NativeBackend.h(target), wh, REDUCTION[reduction], ignoreIndex);
    return [this.wrap(o, x.dtype, reduction === 'none' ? numelOf(tl.shape) : 1), this.wrap(tw, x.dtype, 1)];
  }

  nllLossBackward(gy: Storage, gyl: Layout, xl: Layout, target: Storage, tl: Layout, weight: Storage | null, wl: Layout | null,
    reduction: 'none' | 'mean' | 'sum', ignoreIndex: number, totalWeight: Storage): Storage {
    this.begin(); this.layout(gyl); this.layout(xl); this.layout(tl);
    const wh = this.opt(weight, wl);
    return this.wrap(this.a.nllLossBackward(NativeBackend.h(gy), NativeBackend.h(target), wh, REDUCTION[reduction], ignoreIndex,
      NativeBackend.h(totalWeight)), gy.dtype, numelOf(xl.shape));
  }

  embedding(w: Storage, wl: Layout, indices: Storage, il: Layout): Storage {
    this.begin(); this.layout(wl); this.layout(il);
    return this.wrap(this.a.embedding(NativeBackend.h(w), NativeBackend.h(indices)), w.dtype, numelOf(il.shape) * wl.shape[1]!);
  }

  embeddingBackward(gy: Storage, gyl: Layout, indices: Storage, il: Layout, numWeights: number, paddingIdx: number | null,
    scaleGradByFreq: boolean): Storage {
    this.begin(); this.layout(gyl); this.layout(il);
    const dim = gyl.shape[gyl.shape.length - 1]!;
    return this.wrap(this.a.embeddingBackward(NativeBackend.h(gy), NativeBackend.h(indices), numWeights, paddingIdx ?? NaN, scaleGradByFreq),
      gy.dtype, numWeights * dim);
  }

  binaryCrossEntropy(x: Storage, xl: Layout, t: Storage, tl: Layout, w: Storage | null, wl: Layout | null): Storage {
    this.begin(); this.layout(xl); this.layout(tl);
    const wh = this.opt(w, wl);
    return this.wrap(this.a.binaryCrossEntropy(NativeBackend.h(x), NativeBackend.h(t), wh), x.dtype, numelOf(xl.shape));
  }

  binaryCrossEntropyBackward(gy: Storage, gyl: Layout, x: Storage, xl: Layout, t: Storage, tl: Layout, w: Storage | null, wl: Layout | null): Storage {
    this.begin(); this.layout(gyl); this.layout(xl); this.layout(tl);
    const wh = this.opt(w, wl);
    return this.wrap(this.a.binaryCrossEntropyBackward(NativeBackend.h(gy), NativeBackend.h(x), NativeBackend.h(t), wh), x.dtype, numelOf(xl.shape));
  }

  // ---- optimizer and clipping kernels: one addon call per step (see addon.cc for why not _foreach_/_fused_)

  fusedOptimizerStep<K extends OptimizerKind>(kind: K, slots: readonly OptimizerSlot[], hp: OptimizerHyperparams[K]): void {
    this.begin();
    for (const v of hyperparams(kind, hp)) this.push(v);
    const handles: (H | null)[] = [];
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

/** What serves `cpu` when TORCHLET_BACKEND is unset: the native backend when it is built, else the portable one. */
const DEFAULT_CPU_BACKEND: 'portable' | 'auto' = 'auto';

/**
 * The backend that serves `cpu`, from `TORCHLET_BACKEND`: `portable` (the TypeScript backend), `native` (libtorch;
 * throws with the reason when it is unavailable) or `auto` (native when built, portable otherwise). Unset or empty
 * means `auto`: native serves `cpu` whenever the addon is built.
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
