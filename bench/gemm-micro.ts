/*
 * GEMM micro-benchmark (single thread).
 *   npx tsc -p tsconfig.json && node dist/bench/gemm-micro.js [--f64] [--quick]
 * Prints GFLOP/s (2*M*N*K / time) for square sizes: plain A@B, A^T@B and A@B^T
 * (the transposes passed as strided views, the way the backward pass produces
 * them), plus a naive triple loop at 256 for reference.
 *
 * Timing: after a warm-up, every configuration is timed in short slices taken
 * round-robin over the whole run, and the best slice is reported.  On a shared
 * 2-vCPU box, a neighbour's burst then costs some slices of every row instead
 * of all slices of a few rows (bursts were seen to cut throughput to ~60% for
 * several seconds).
 */
import { gemm, type FloatArray } from '../src/backend/cpu/gemm.js';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const dtypes: [string, Ctor][] = args.has('--f64') ? [['f32', Float32Array], ['f64', Float64Array]] : [['f32', Float32Array]];
const sizes = quick ? [256, 512] : [256, 512, 1024];
const rounds = quick ? 3 : 6;
const sliceMs = quick ? 100 : 200;

function rand(ctor: Ctor, n: number): FloatArray {
  const x = new ctor(n);
  for (let i = 0; i < n; i++) x[i] = Math.random() * 2 - 1;
  return x;
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

interface Config { row: string; col: number; flops: number; run: () => void; best: number }

const configs: Config[] = [];
for (const [name, ctor] of dtypes) {
  for (const n of sizes) {
    const a = rand(ctor, n * n), b = rand(ctor, n * n), c = new ctor(n * n);
    const flops = 2 * n * n * n, row = `${name}    ${String(n).padStart(4)}`;
    configs.push({ row, col: 0, flops, best: 0, run: () => gemm(n, n, n, a, 0, n, 1, b, 0, n, 1, c, 0, n, false) });
    configs.push({ row, col: 1, flops, best: 0, run: () => gemm(n, n, n, a, 0, 1, n, b, 0, n, 1, c, 0, n, false) });
    configs.push({ row, col: 2, flops, best: 0, run: () => gemm(n, n, n, a, 0, n, 1, b, 0, 1, n, c, 0, n, false) });
  }
}
{
  const n = 256;
  const a = rand(Float32Array, n * n), b = rand(Float32Array, n * n), c = new Float32Array(n * n);
  configs.push({ row: `naive   ${n}`, col: 0, flops: 2 * n * n * n, best: 0, run: () => naive(n, a, b, c) });
}

for (const cfg of configs) { cfg.run(); cfg.run(); }
for (let r = 0; r < rounds; r++) {
  for (const cfg of configs) {
    let reps = 0, el = 0;
    const t0 = performance.now();
    do { cfg.run(); reps++; el = performance.now() - t0; } while (el < sliceMs);
    cfg.best = Math.max(cfg.best, (cfg.flops * reps) / (el * 1e6));
  }
}

console.log(`GFLOP/s, best ${sliceMs} ms slice of ${rounds} (round-robin)`);
console.log('dtype  size      plain      A^T@B      A@B^T');
const rows = new Map<string, string[]>();
for (const cfg of configs) {
  const cells = rows.get(cfg.row) ?? [];
  cells[cfg.col] = cfg.best.toFixed(2).padStart(9);
  rows.set(cfg.row, cells);
}
for (const [row, cells] of rows) {
  console.log(`${row}  ${cells.join('  ')}${row.startsWith('naive') ? '   (f32 i-j-k triple loop)' : ''}`);
}
