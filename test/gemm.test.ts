import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gemm, type FloatArray } from '../src/backend/cpu/gemm.js';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

// Deterministic PRNG so failures reproduce.
let seed = 12345;
function rnd(): number {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return ((seed >>> 8) / (1 << 24)) * 2 - 1;
}

function randArray(ctor: Ctor, n: number): FloatArray {
  const x = new ctor(n);
  for (let i = 0; i < n; i++) x[i] = rnd();
  return x;
}

interface Operand { data: FloatArray; off: number; rs: number; cs: number }

/** Lay out a rows x cols matrix (values from `src`, row-major) with an offset, optionally transposed in memory, with padding. */
function makeOperand(ctor: Ctor, rows: number, cols: number, transposed: boolean, off: number): { op: Operand; dense: Float64Array } {
  const dense = new Float64Array(rows * cols);
  for (let i = 0; i < dense.length; i++) dense[i] = rnd();
  // Leading dimension padded by 1 to catch stride mix-ups.
  const ld = (transposed ? rows : cols) + 1;
  const outer = transposed ? cols : rows;
  const data = new ctor(off + outer * ld + 3);
  for (let i = 0; i < data.length; i++) data[i] = 1e6; // poison: must never be read
  const rs = transposed ? 1 : ld, cs = transposed ? ld : 1;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[off + i * rs + j * cs] = dense[i * cols + j];
  // Read back so the reference uses exactly the (possibly f32-rounded) stored values.
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) dense[i * cols + j] = data[off + i * rs + j * cs];
  return { op: { data, off, rs, cs }, dense };
}

function naive(M: number, N: number, K: number, a: Float64Array, b: Float64Array): Float64Array {
  const c = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[i * K + k] * b[k * N + j];
      c[i * N + j] = s;
    }
  }
  return c;
}

/** sum_k |a_ik| |b_kj|: the natural scale for the rounding error of C[i,j]. */
function absScale(M: number, N: number, K: number, a: Float64Array, b: Float64Array): Float64Array {
  return naive(M, N, K, a.map(Math.abs), b.map(Math.abs));
}

interface Case { M: number; N: number; K: number; ta: boolean; tb: boolean; ctor: Ctor; accumulate: boolean; aOff: number; bOff: number; cOff: number; cPad: number }

function runCase(t: Case): void {
  const { M, N, K, ta, tb, ctor, accumulate, aOff, bOff, cOff, cPad } = t;
  const A = makeOperand(ctor, M, K, ta, aOff);
  const B = makeOperand(ctor, K, N, tb, bOff);
  const cRs = N + cPad;
  const c = new ctor(cOff + M * cRs + 2);
  for (let i = 0; i < c.length; i++) c[i] = rnd();
  // Without accumulate, C's old contents must be ignored entirely, even NaN.
  if (!accumulate) for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) c[cOff + i * cRs + j] = NaN;
  const before = Float64Array.from(c);
  gemm(M, N, K, A.op.data, A.op.off, A.op.rs, A.op.cs, B.op.data, B.op.off, B.op.rs, B.op.cs, c, cOff, cRs, accumulate);
  const ref = naive(M, N, K, A.dense, B.dense);
  const scale = absScale(M, N, K, A.dense, B.dense);
  const f32 = ctor === Float32Array;
  const label = `${f32 ? 'f32' : 'f64'} M=${M} N=${N} K=${K} ta=${ta} tb=${tb} acc=${accumulate} offs=${aOff},${bOff},${cOff} pad=${cPad}`;
  // Relative tolerance against sum_k |a||b| (+ |C_old| when accumulating): 1e-5 for f32, 1e-12 for f64.
  const rtol = f32 ? 1e-5 : 1e-12;
  for (let idx = 0; idx < c.length; idx++) {
    const rel = idx - cOff;
    const i = cRs > 0 ? Math.floor(rel / cRs) : M, j = rel - i * cRs;
    if (rel < 0 || i >= M || j >= N) {
      assert.equal(c[idx], before[idx], `${label}: wrote outside C at ${idx}`);
      continue;
    }
    const want = ref[i * N + j] + (accumulate ? before[idx] : 0);
    const tol = rtol * (scale[i * N + j] + (accumulate ? Math.abs(before[idx]) : 0)) + 1e-30;
    const got = c[idx];
    if (!(Math.abs(got - want) <= tol)) assert.fail(`${label}: C[${i},${j}] = ${got}, want ${want} (tol ${tol})`);
  }
}

const shapes: [number, number, number][] = [
  [1, 1, 1], [0, 3, 4], [3, 0, 4], [3, 4, 0], [0, 0, 0], [1, 7, 5], [7, 1, 5], [5, 7, 1],
  [2, 3, 4], [3, 5, 7], [4, 4, 4], [8, 9, 10], [17, 33, 65], [31, 29, 37], [64, 64, 64],
  [128, 300, 70], [65, 131, 257], [130, 770, 20], [3, 1000, 9], [257, 5, 300], [200, 2, 600],
  // matrix-vector shapes (gemv paths), K < 4 and K not a multiple of 4
  [1, 300, 3], [300, 1, 2], [1, 37, 41], [41, 1, 37], [1, 1, 50],
  // small K (outer products) and tiny direct-loop shapes
  [50, 60, 1], [33, 34, 2], [2, 2, 2], [3, 3, 3], [4, 4, 4],
  // several KC blocks along K
  [7, 9, 1100],
];

const ctors: [string, Ctor][] = [['f32', Float32Array], ['f64', Float64Array]];

for (const [name, ctor] of ctors) {
  test(`gemm ${name}: shapes x transposes x accumulate`, () => {
    for (const [M, N, K] of shapes) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          for (const accumulate of [false, true]) {
            runCase({ M, N, K, ta, tb, ctor, accumulate, aOff: 0, bOff: 0, cOff: 0, cPad: 0 });
          }
        }
      }
    }
  });

  test(`gemm ${name}: offsets and padded C rows`, () => {
    for (const [M, N, K] of [[3, 5, 7], [17, 33, 65], [128, 300, 70], [1, 9, 4], [40, 41, 300]] as [number, number, number][]) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          for (const accumulate of [false, true]) {
            runCase({ M, N, K, ta, tb, ctor, accumulate, aOff: 5, bOff: 11, cOff: 7, cPad: 3 });
          }
        }
      }
    }
  });
}

test('gemm: K = 0 zeroes C (or leaves it when accumulating), rows only', () => {
  const c = new Float32Array([1, 2, 9, 3, 4, 9]);
  gemm(2, 2, 0, new Float32Array(0), 0, 0, 1, new Float32Array(0), 0, 2, 1, c, 0, 3, true);
  assert.deepEqual(Array.from(c), [1, 2, 9, 3, 4, 9]);
  gemm(2, 2, 0, new Float32Array(0), 0, 0, 1, new Float32Array(0), 0, 2, 1, c, 0, 3, false);
  assert.deepEqual(Array.from(c), [0, 0, 9, 0, 0, 9]);
});

test('gemm: general (non-unit) strides on both operands', () => {
  // A viewed with aRs=3, aCs=7 inside a larger buffer; B with bRs=2, bCs=9.
  for (const ctor of [Float32Array, Float64Array] as Ctor[]) {
    for (const [M, N, K] of [[5, 6, 4], [20, 30, 40], [70, 9, 33]] as [number, number, number][]) {
      const aRs = 3, aCs = 3 * M + 1, bRs = 2, bCs = 2 * K + 1;
      const a = randArray(ctor, 2 + (M - 1) * aRs + (K - 1) * aCs + 1);
      const b = randArray(ctor, 1 + (K - 1) * bRs + (N - 1) * bCs + 1);
      const A = new Float64Array(M * K), B = new Float64Array(K * N);
      for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) A[i * K + k] = a[2 + i * aRs + k * aCs];
      for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) B[k * N + j] = b[1 + k * bRs + j * bCs];
      const c = new ctor(M * N);
      gemm(M, N, K, a, 2, aRs, aCs, b, 1, bRs, bCs, c, 0, N, false);
      const ref = naive(M, N, K, A, B), scale = absScale(M, N, K, A, B);
      const rtol = ctor === Float32Array ? 1e-5 : 1e-12;
      for (let i = 0; i < M * N; i++) {
        assert.ok(Math.abs(c[i] - ref[i]) <= rtol * scale[i], `M=${M} N=${N} K=${K} idx ${i}: ${c[i]} vs ${ref[i]}`);
      }
    }
  }
});

test('gemm: negative strides (flipped views)', () => {
  for (const ctor of [Float32Array, Float64Array] as Ctor[]) {
    for (const [M, N, K] of [[1, 9, 7], [9, 1, 7], [3, 4, 5], [23, 31, 270]] as [number, number, number][]) {
      // A flipped along rows (aRs < 0), B flipped along columns (bCs < 0).
      const a = randArray(ctor, M * K), b = randArray(ctor, K * N);
      const A = new Float64Array(M * K), B = new Float64Array(K * N);
      const aOff = (M - 1) * K, aRs = -K, aCs = 1, bOff = N - 1, bRs = N, bCs = -1;
      for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) A[i * K + k] = a[aOff + i * aRs + k * aCs];
      for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) B[k * N + j] = b[bOff + k * bRs + j * bCs];
      const c = new ctor(M * N);
      gemm(M, N, K, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, 0, N, false);
      const ref = naive(M, N, K, A, B), scale = absScale(M, N, K, A, B);
      const rtol = ctor === Float32Array ? 1e-5 : 1e-12;
      for (let i = 0; i < M * N; i++) {
        assert.ok(Math.abs(c[i] - ref[i]) <= rtol * scale[i], `M=${M} N=${N} K=${K} idx ${i}: ${c[i]} vs ${ref[i]}`);
      }
    }
  }
});

test('gemm: matrix-vector with more outputs than the gemv scratch holds', () => {
  for (const ctor of [Float32Array, Float64Array] as Ctor[]) {
    for (const ta of [false, true]) {
      runCase({ M: 1, N: 20000, K: 5, ta, tb: false, ctor, accumulate: true, aOff: 0, bOff: 3, cOff: 1, cPad: 0 });
      runCase({ M: 20000, N: 1, K: 6, ta, tb: ta, ctor, accumulate: false, aOff: 2, bOff: 0, cOff: 0, cPad: 2 });
    }
  }
});

test('gemm: mixed Float32Array / Float64Array operands', () => {
  const M = 37, N = 29, K = 300;
  const a = randArray(Float32Array, M * K), b = randArray(Float64Array, K * N);
  const c = new Float64Array(M * N);
  gemm(M, N, K, a, 0, K, 1, b, 0, N, 1, c, 0, N, false);
  const a64 = Float64Array.from(a), b64 = Float64Array.from(b);
  const ref = naive(M, N, K, a64, b64), scale = absScale(M, N, K, a64, b64);
  for (let i = 0; i < M * N; i++) assert.ok(Math.abs(c[i] - ref[i]) <= 1e-12 * scale[i], `idx ${i}: ${c[i]} vs ${ref[i]}`);
});

test('gemm: repeated calls with different shapes reuse scratch safely', () => {
  // Large then small then large again: stale packed data must never leak into results.
  for (const [M, N, K] of [[300, 800, 600], [5, 4, 3], [129, 769, 257], [2, 2, 2], [64, 10, 784]] as [number, number, number][]) {
    runCase({ M, N, K, ta: false, tb: true, ctor: Float32Array, accumulate: false, aOff: 1, bOff: 2, cOff: 3, cPad: 1 });
  }
});
