/*
 * GEMM micro-benchmark (single thread).
 *   npx tsc -p tsconfig.json && node dist/bench/gemm-micro.js [--f64] [--quick]
 * Prints GFLOP/s (2*M*N*K / time) for square sizes, plain A@B, A^T@B and A@B^T
 * (transposes given as strided views, as the backward pass produces them),
 * plus a naive triple loop at 256 for reference.  Each figure is the best of
 * several timed runs after a warm-up, so background load on the box shows up
 * as lower, not higher, numbers.
 */
import { gemm, type FloatArray } from '../src/backend/cpu/gemm.js';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const dtypes: [string, Ctor][] = args.has('--f64') ? [['f32', Float32Array], ['f64', Float64Array]] : [['f32', Float32Array]];

function rand(ctor: Ctor, n: number): FloatArray {
  const x = new ctor(n);
  for (let i = 0; i < n; i++) x[i] = Math.random() * 2 - 1;
  return x;
}

function timeBest(fn: () => void, flops: number, minMs: number, trials: number): number {
  fn();
  let best = 0;
  for (let t = 0; t < trials; t++) {
    let reps = 0;
    const t0 = performance.now();
    let el = 0;
    do { fn(); reps++; el = performance.now() - t0; } while (el < minMs);
    best = Math.max(best, (flops * reps) / (el * 1e6));
  }
  return best;
}

function naive(n: number, a: FloatArray, b: FloatArray, c: FloatArray): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j];
      c[i * n + j] = s;
    }
  }
}

const sizes = quick ? [256, 512] : [256, 512, 1024];
const minMs = quick ? 150 : 300;
const trials = quick ? 3 : 5;

console.log('dtype  size      plain      A^T@B      A@B^T   (GFLOP/s, best of ' + trials + ')');
for (const [name, ctor] of dtypes) {
  for (const n of sizes) {
    const a = rand(ctor, n * n), b = rand(ctor, n * n), c = new ctor(n * n);
    const flops = 2 * n * n * n;
    const plain = timeBest(() => gemm(n, n, n, a, 0, n, 1, b, 0, n, 1, c, 0, n, false), flops, minMs, trials);
    const ta = timeBest(() => gemm(n, n, n, a, 0, 1, n, b, 0, n, 1, c, 0, n, false), flops, minMs, trials);
    const tb = timeBest(() => gemm(n, n, n, a, 0, n, 1, b, 0, 1, n, c, 0, n, false), flops, minMs, trials);
    console.log(`${name}    ${String(n).padStart(4)}  ${plain.toFixed(2).padStart(9)}  ${ta.toFixed(2).padStart(9)}  ${tb.toFixed(2).padStart(9)}`);
  }
}
{
  const n = 256;
  const a = rand(Float32Array, n * n), b = rand(Float32Array, n * n), c = new Float32Array(n * n);
  const g = timeBest(() => naive(n, a, b, c), 2 * n * n * n, minMs, trials);
  console.log(`naive  ${n}  ${g.toFixed(2).padStart(9)}   (f32 i-j-k triple loop)`);
}
