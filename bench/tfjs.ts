// Reference side of the benchmark: TensorFlow.js (tfjs-core + the pure-JS
// 'cpu' backend or the WebAssembly 'wasm' backend), measured the same way as
// torchlet: float32 matmul GFLOP/s and the median time of one MLP training step.
//
// Only @tensorflow/tfjs-core and the two backend packages are used (not the
// full @tensorflow/tfjs bundle, not tfjs-node).

import { createRequire, register } from 'node:module';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu'; // registers the 'cpu' backend
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm'; // registers 'wasm'

export type TfBackendName = 'cpu' | 'wasm';

export interface TfBackendInfo {
  backend: string;
  /** wasm only: SIMD build in use (tfjs-backend-wasm-simd.wasm). */
  simd?: boolean;
  /** wasm only: multithreaded build in use (tfjs disables this under Node). */
  threads?: boolean;
  /** wasm only: XNNPACK thread-pool size (1 when threads are off). */
  threadsCount?: number;
  /** wasm only: directory the .wasm binaries were loaded from. */
  wasmDir?: string;
}

let info: TfBackendInfo | null = null;
let wasmPathsSet = false;

/** Directory holding the .wasm binaries, resolved from the installed package
 * (works from bench/ via tsx and from dist/bench/ alike; no network). */
function wasmDir(): string {
  const require = createRequire(import.meta.url);
  // package "main" is dist/tf-backend-wasm.node.js; the .wasm files sit next to it.
  const main = require.resolve('@tensorflow/tfjs-backend-wasm');
  return path.dirname(main) + path.sep; // setWasmPaths concatenates prefix + file name
}

// ---------------------------------------------------------------------------
// Gradients. tfjs-core's Node bundle (dist/tf-core.node.js, the package "main")
// ships NO kernel gradients: the full @tensorflow/tfjs package registers them by
// importing '@tensorflow/tfjs-core/dist/register_all_gradients', an ES-module
// tree with extensionless relative imports in a package without "type":"module",
// which plain Node cannot load. We load tfjs's own gradient code anyway through
// a tiny module hook that only touches URLs under tfjs-core/dist/ (append '.js',
// treat as ESM). Those modules share the global engine and gradient registry
// with the CJS copy (tfjs keeps them on globalThis), so tf.variableGrads then
// uses exactly the gradient rules the full tfjs package uses. Costs ~1 s once.
const GRAD_HOOKS = `
let dir = '';
export async function initialize(data) { dir = data.dir; }
export async function resolve(spec, ctx, next) {
  if (ctx.parentURL && ctx.parentURL.startsWith(dir) && spec.startsWith('.') && !spec.endsWith('.js')) {
    try { return await next(spec + '.js', ctx); } catch { return next(spec + '/index.js', ctx); }
  }
  return next(spec, ctx);
}
export async function load(url, ctx, next) {
  if (url.startsWith(dir) && url.endsWith('.js') && !url.endsWith('/tf-core.node.js')) {
    return next(url, { ...ctx, format: 'module' });
  }
  return next(url, ctx);
}`;

let gradientsLoading: Promise<void> | null = null;

function ensureGradients(): Promise<void> {
  gradientsLoading ??= (async () => {
    if (tf.getGradient('RealDiv') && tf.getGradient('BatchMatMul')) return; // already registered
    const require = createRequire(import.meta.url);
    const dir = pathToFileURL(path.dirname(require.resolve('@tensorflow/tfjs-core')) + path.sep).href;
    register('data:text/javascript,' + encodeURIComponent(GRAD_HOOKS), { data: { dir } });
    await import(dir + 'register_all_gradients.js');
    for (const k of ['BatchMatMul', 'Add', 'Relu', 'Sum', 'RealDiv']) {
      if (!tf.getGradient(k)) throw new Error(`tfjs: gradient for ${k} did not register`);
    }
  })();
  return gradientsLoading;
}

/** Register/select a tfjs backend and wait until it is initialized. */
export async function setupTf(name: TfBackendName): Promise<void> {
  tf.enableProdMode(); // silences the "install tfjs-node" / platform warnings; no numeric effect
  await ensureGradients();
  if (name === 'wasm' && !wasmPathsSet) {
    // Must happen before setBackend('wasm'). tfjs picks the file itself:
    // threaded-simd (never under Node), simd (if WebAssembly SIMD validates), or plain.
    setWasmPaths(wasmDir());
    wasmPathsSet = true;
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tfjs: failed to initialize backend '${name}'`);
  await tf.ready();
  if (tf.getBackend() !== name) {
    throw new Error(`tfjs: backend is '${tf.getBackend()}', expected '${name}'`);
  }
  if (name === 'wasm') {
    // Same flags backend_wasm.init() consulted to choose the binary.
    const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    const threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
    info = { backend: name, simd, threads, threadsCount: getThreadsCount(), wasmDir: wasmDir() };
  } else {
    info = { backend: name };
  }
}

/** What setupTf() ended up with (SIMD / threads for wasm). */
export function tfBackendInfo(): TfBackendInfo {
  if (info === null) throw new Error('tfjs: call setupTf() first');
  return { ...info };
}

export function tfBackendInfoString(): string {
  const i = tfBackendInfo();
  if (i.backend !== 'wasm') return `tfjs-${i.backend} (tfjs-core ${tf.version_core})`;
  return `tfjs-wasm (tfjs-core ${tf.version_core}; simd=${i.simd ? 'on' : 'off'}, ` +
    `threads=${i.threads ? `on x${i.threadsCount}` : 'off'})`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Fixed-seed uniform [lo, hi) Float32Array (mulberry32), so both backends
 * and repeated runs see the same data. */
function uniform(size: number, lo: number, hi: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = lo + (hi - lo) * r;
  }
  return out;
}

/** float32 n x n @ n x n on the current backend; GFLOP/s = 2n^3 / t, with t
 * the median time of one matMul + dataSync() after warm-up. The timed loop
 * runs until minMs has elapsed (and at least 3 iterations). */
export async function tfMatmulGflops(n: number, opts: { minMs?: number } = {}): Promise<number> {
  const minMs = opts.minMs ?? 1000;
  const a = tf.tensor2d(uniform(n * n, -1, 1, 1), [n, n], 'float32');
  const b = tf.tensor2d(uniform(n * n, -1, 1, 2), [n, n], 'float32');
  const once = (): void => {
    const c = tf.matMul(a, b);
    c.dataSync(); // force the computation and the read-back
    c.dispose();
  };
  try {
    // Warm-up: at least 2 runs and ~minMs/5 (JIT, wasm memory growth, caches).
    const w0 = performance.now();
    for (let i = 0; i < 2 || performance.now() - w0 < minMs / 5; i++) once();
    const times: number[] = [];
    const t0 = performance.now();
    while (times.length < 3 || performance.now() - t0 < minMs) {
      const s = performance.now();
      once();
      times.push(performance.now() - s);
    }
    const t = median(times) / 1000;
    return (2 * n * n * n) / t / 1e9;
  } finally {
    a.dispose();
    b.dispose();
  }
}

/** One SGD training step of an MLP 784-512-256-10 (ReLU), softmax cross-entropy
 * (mean over batch) on integer labels (one-hot inside the step, as tfjs needs),
 * batch 128, lr 0.01, tfjs autograd via optimizer.minimize. Returns the median
 * ms per step (forward + backward + update + loss read-back). */
export async function tfMlpStepMs(opts: { steps?: number; warmup?: number } = {}): Promise<number> {
  const steps = opts.steps ?? 20;
  const warmup = opts.warmup ?? 3;
  const B = 128;
  const sizes = [784, 512, 256, 10];

  // Weights as tf.variable, PyTorch-Linear-like init U(-1/sqrt(in), 1/sqrt(in)).
  const vars: tf.Variable[] = [];
  for (let l = 0; l < 3; l++) {
    const fin = sizes[l]!;
    const fout = sizes[l + 1]!;
    const k = 1 / Math.sqrt(fin);
    const w = tf.tensor2d(uniform(fin * fout, -k, k, 10 + l), [fin, fout]);
    const b = tf.tensor1d(uniform(fout, -k, k, 20 + l));
    vars.push(tf.variable(w, true), tf.variable(b, true)); // variables copy the data ref
    w.dispose();
    b.dispose();
  }
  const [w1, b1, w2, b2, w3, b3] = vars as [tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable];

  // Fixed random data.
  const x = tf.tensor2d(uniform(B * 784, 0, 1, 3), [B, 784]);
  const labelData = new Int32Array(B);
  const r = uniform(B, 0, 10, 4);
  for (let i = 0; i < B; i++) labelData[i] = Math.min(9, Math.floor(r[i]!));
  const labels = tf.tensor1d(labelData, 'int32');

  const opt = tf.train.sgd(0.01);
  const lossFn = (): tf.Scalar => {
    const h1 = tf.relu(tf.add(tf.matMul(x, w1), b1));
    const h2 = tf.relu(tf.add(tf.matMul(h1, w2), b2));
    const logits = tf.add(tf.matMul(h2, w3), b3);
    const onehot = tf.oneHot(labels, 10);
    return tf.losses.softmaxCrossEntropy(onehot, logits) as tf.Scalar; // mean over batch
  };
  const step = (): number => {
    // minimize() runs lossFn under tf.variableGrads (which tidies intermediates),
    // applies w -= lr * g and disposes the gradients.
    const loss = tf.tidy(() => opt.minimize(lossFn, true, vars)!);
    const v = loss.dataSync()[0]!; // make sure the step has really executed
    loss.dispose();
    return v;
  };

  try {
    for (let i = 0; i < warmup; i++) step();
    const before = tf.memory().numTensors;
    const times: number[] = [];
    let last = NaN;
    for (let i = 0; i < steps; i++) {
      const s = performance.now();
      last = step();
      times.push(performance.now() - s);
    }
    const leaked = tf.memory().numTensors - before;
    if (leaked !== 0) throw new Error(`tfjs MLP step leaks ${leaked} tensors over ${steps} steps`);
    if (!Number.isFinite(last)) throw new Error(`tfjs MLP loss is not finite: ${last}`);
    return median(times);
  } finally {
    opt.dispose();
    for (const v of vars) v.dispose();
    x.dispose();
    labels.dispose();
  }
}

// Self-check: node dist/bench/tfjs.js
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const name of ['cpu', 'wasm'] as const) {
    await setupTf(name);
    console.log(tfBackendInfoString());
    for (const n of [256, 512, 1024]) {
      const g = await tfMatmulGflops(n);
      console.log(`  matmul n=${n}: ${g.toFixed(2)} GFLOP/s`);
    }
    const ms = await tfMlpStepMs();
    console.log(`  MLP 784-512-256-10 step (batch 128): ${ms.toFixed(1)} ms (median)`);
    console.log(`  live tensors after: ${tf.memory().numTensors}`);
  }
}
