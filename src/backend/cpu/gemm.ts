/*
 * Packed, cache-blocked, register-blocked float GEMM in plain TypeScript.
 *
 *   C = A @ B   (or C += A @ B),  A: M x K, B: K x N, arbitrary element strides
 *   for A and B (so transposed views cost nothing extra), unit column stride
 *   and any row stride for C.  Float32Array or Float64Array, mixed freely.
 *
 * Structure (Goto / BLIS):
 *
 *   for jc in N step NC                      (B block: KC x NC, L2/L3)
 *     for pc in K step KC
 *       pack B[pc:pc+kc, jc:jc+nc]  -> B0,B1,B2   (NR=3 column slivers)
 *       for ic in M step MC                  (A block: MC x KC, L2)
 *         pack A[ic:ic+mc, pc:pc+kc] -> A0,A1    (MR=2 row slivers)
 *         for jr in nc step NR               (B sliver: KC x NR doubles = 12 KB, L1)
 *           for ir in mc step MR
 *             2x3 micro-kernel over kc -> T, then T stored / added into C
 *
 *   KC = 512, MC = 128, NC = 384, micro-kernel MR x NR = 2 x 3, packed
 *   buffers Float64Array.  Block sizes matter little because the kernel is
 *   bound by instruction issue, not memory: MC 64..256 and NC 384..1536 were
 *   within noise; KC = 384..512 beat KC = 256 by 3-4% (fewer C updates per
 *   flop; each micro-tile costs ~80 cycles of call/store overhead).  The A
 *   block (2 x 270 KB) fits L2, the B block (3 x 540 KB) L3.
 *
 * Why it looks like this (measured with Node 20 / V8 11.3 on the 2-core AMD
 * EPYC dev box, kernel-only numbers from a micro-benchmark of the inner loop):
 *
 * - Every typed-array load in optimized JS carries a bounds check (V8 keeps
 *   them even when the typer proves the index in range: "typer hardening"),
 *   and for arrays held in parameters or `let` variables TurboFan reloads the
 *   map, the length and the data pointer on every iteration (no LICM).  For
 *   module-level `const` arrays TurboFan instead embeds data pointer and
 *   length as constants.  A `let` buffer that "grows when needed" made the
 *   kernel 3x slower (3.7 vs 12 GFLOP/s), so the packing buffers are
 *   fixed-size module constants.  The blocking bounds what they must hold,
 *   so they never need to grow: 2 x 270 KB (A) + 3 x 540 KB (B), allocated
 *   once at module load and reused by every call.
 *
 * - The packed panels are split into one array per micro-kernel row of A (A0,
 *   A1) and one per micro-kernel column of B (B0, B1, B2), indexed by the
 *   same k offset.  Arrays of equal constant length indexed by the same value
 *   share ONE bounds check (V8 dedupes identical CheckBounds), so a kernel
 *   iteration costs 2 checks + 5 plain loads + 6 mul + 6 add, instead of 5
 *   checks and 5 index computations with the classic interleaved [k][MR]
 *   layout.  That took the kernel from ~6 to ~12 GFLOP/s (about 7.5
 *   instructions per cycle: the loop is issue-bound, not latency-bound; FP
 *   add latency here is 2 cycles).
 *
 * - Register blocking: x64 has 16 xmm registers, V8 keeps one as scratch,
 *   and its scheduler emits all multiplies of an iteration before all adds,
 *   so an MR x NR kernel needs about 2*MR*NR live doubles plus the loads.  2x3
 *   and 3x2 (6 accumulators) are the largest shapes that do not spill.
 *   Kernel-only GFLOP/s with this layout: 2x2 ~8, 2x3 / 3x2 ~12, 1x6 ~10.7,
 *   2x4 / 4x2 ~4.7, 3x3 ~5, 4x4 ~5.6, 4x6 / 6x4 ~5.6, 4x8 / 8x4 ~5.3 (spilled
 *   accumulators round-trip through the stack every iteration).  Unrolling k
 *   by 2 or 4 (with or without pairing products) re-introduced spills and
 *   was slower (~6).  With the classic layout every shape was 3.5 .. 6.
 *
 * - Packing into Float64Array, not Float32Array: a float32 load adds a
 *   conversion and the loop is issue-bound; measured 6 vs 12 GFLOP/s.  Packing
 *   also converts f32 inputs to doubles once.  All accumulation is in doubles;
 *   C is rounded only when stored (once per KC block of K).
 *
 * - Packing is what makes transposed operands as fast as plain ones: the
 *   kernel only ever sees the packed layout, and each pack loop walks
 *   whichever source dimension is contiguous.  Slivers are placed an odd
 *   number of cache lines apart (sliverStride) because with a power-of-two
 *   stride the strided-write pack order thrashed two L1 sets (6.7 vs 1.5 ns
 *   per element).  Edge tiles are zero-padded in the packs and computed by
 *   the same kernel; only the valid part of T is copied out.
 *
 * - The kernel writes its tile to the module-level T and never touches the
 *   caller's arrays, so its type feedback stays monomorphic: when it stored
 *   into C directly, mixing Float32Array and Float64Array calls sent its OSR
 *   code into a V8 deopt loop (>1000 deopts).  The remaining polymorphic
 *   functions are primed with both array types at module load (prewarm).
 *
 * - Matrix-vector shapes (M = 1 or N = 1) skip packing, which would touch
 *   every matrix element once for a single use: gemv() streams the matrix.
 *   Only trivial products (M*N*K <= 256) use the plain triple loop; packing
 *   already wins at 4x4x4.
 */

export type FloatArray = Float32Array | Float64Array;

const MR = 2;
const NR = 3;
const KC = 512;
const MC = 128; // multiple of MR
const NC = 384; // multiple of NR

const A_LEN = (MC / MR) * (KC + 16);
const B_LEN = (NC / NR) * (KC + 16);

// Packed A: row sliver r (rows ic+2r, ic+2r+1) occupies [r*ks, r*ks+kc) of A0 / A1.
const A0 = new Float64Array(A_LEN);
const A1 = new Float64Array(A_LEN);
// Packed B: column sliver s (cols jc+3s .. jc+3s+2) occupies [s*ks, s*ks+kc) of B0 / B1 / B2.
const B0 = new Float64Array(B_LEN);
const B1 = new Float64Array(B_LEN);
const B2 = new Float64Array(B_LEN);
// Micro-kernel output tile (row-major MR x NR).
const T = new Float64Array(16);

/** At or below this many multiply-adds use the plain triple loop (packing wins from about 4x4x4 up). */
const SMALL_WORK = 256;

/**
 * C = A @ B (or C += A @ B when accumulate is true), single matrix.
 * A is M x K: element (i,k) is a[aOff + i*aRs + k*aCs]  (any strides: transposed views come in with aRs=1,aCs=M etc.)
 * B is K x N: element (k,j) is b[bOff + k*bRs + j*bCs]
 * C is M x N: element (i,j) is c[cOff + i*cRs + j]   (rows may be padded: cRs >= N)
 * Strides may be negative.  C must not overlap A or B.  Float32Array and
 * Float64Array operands can be mixed; everything is accumulated in doubles.
 */
export function gemm(
  M: number, N: number, K: number,
  a: FloatArray, aOff: number, aRs: number, aCs: number,
  b: FloatArray, bOff: number, bRs: number, bCs: number,
  c: FloatArray, cOff: number, cRs: number, accumulate: boolean,
): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate) {
      for (let i = 0; i < M; i++) {
        const r = cOff + i * cRs;
        c.fill(0, r, r + N);
      }
    }
    return;
  }
  if (M === 1) {
    // Row vector times matrix: c[j] = sum_k a[k] * B[k, j].
    gemv(N, K, a, aOff, aCs, b, bOff, bRs, bCs, c, cOff, 1, accumulate);
    return;
  }
  if (N === 1) {
    // Matrix times column vector: c[i] = sum_k A[i, k] * b[k].
    gemv(M, K, b, bOff, bRs, a, aOff, aCs, aRs, c, cOff, cRs, accumulate);
    return;
  }
  if (M * N * K <= SMALL_WORK) {
    gemmDirect(M, N, K, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, cRs, accumulate);
    return;
  }
  for (let jc = 0; jc < N; jc += NC) {
    const nc = Math.min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc);
      const ks = sliverStride(kc);
      const beta = accumulate || pc > 0;
      packB(kc, nc, ks, b, bOff + pc * bRs + jc * bCs, bRs, bCs);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = Math.min(MC, M - ic);
        packA(mc, kc, ks, a, aOff + ic * aRs + pc * aCs, aRs, aCs);
        macroKernel(mc, nc, kc, ks, c, cOff + ic * cRs + jc, cRs, beta);
      }
    }
  }
}

function macroKernel(mc: number, nc: number, kc: number, ks: number, c: FloatArray, cBase: number, cRs: number, beta: boolean): void {
  for (let jr = 0, ob = 0; jr < nc; jr += NR, ob += ks) {
    const nr = nc - jr < NR ? nc - jr : NR;
    for (let ir = 0, oa = 0; ir < mc; ir += MR, oa += ks) {
      const mr = mc - ir < MR ? mc - ir : MR;
      microKernel(kc, oa, ob);
      const c0 = cBase + ir * cRs + jr;
      if (mr === MR && nr === NR) {
        const c1 = c0 + cRs;
        if (beta) {
          c[c0] += T[0]; c[c0 + 1] += T[1]; c[c0 + 2] += T[2];
          c[c1] += T[3]; c[c1 + 1] += T[4]; c[c1 + 2] += T[5];
        } else {
          c[c0] = T[0]; c[c0 + 1] = T[1]; c[c0 + 2] = T[2];
          c[c1] = T[3]; c[c1 + 1] = T[4]; c[c1 + 2] = T[5];
        }
      } else {
        for (let i = 0; i < mr; i++) {
          const r = c0 + i * cRs;
          for (let j = 0; j < nr; j++) c[r + j] = beta ? c[r + j] + T[i * NR + j] : T[i * NR + j];
        }
      }
    }
  }
}

/**
 * 2x3 register tile: T = A-sliver(oa) x B-sliver(ob)^T over kc, i.e.
 * T[i*3+j] = sum_k A_i[oa+k] * B_j[ob+k].  It touches only the module-level
 * buffers, so its type feedback is monomorphic and it never deoptimizes (an
 * earlier version stored straight into the caller's Float32Array/Float64Array
 * C and got stuck in a V8 deopt loop of its OSR code when both types were used).
 */
function microKernel(kc: number, oa: number, ob: number): void {
  let c00 = 0.0, c01 = 0.0, c02 = 0.0, c10 = 0.0, c11 = 0.0, c12 = 0.0;
  let qa = oa | 0, qb = ob | 0;
  const ea = (oa + kc) | 0;
  for (; qa < ea; qa = (qa + 1) | 0, qb = (qb + 1) | 0) {
    const a0 = A0[qa], a1 = A1[qa];
    const b0 = B0[qb], b1 = B1[qb], b2 = B2[qb];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2;
  }
  T[0] = c00; T[1] = c01; T[2] = c02;
  T[3] = c10; T[4] = c11; T[5] = c12;
}

/**
 * Distance between consecutive slivers in the packed arrays: kc rounded up to
 * a whole number of cache lines, made an odd number of lines.  With a
 * power-of-two sliver stride (kc = 256 doubles = 2 KB) the "walk k outer"
 * pack loops below write every sliver into the same two L1 sets and run 5x
 * slower (measured 6.7 vs 1.5 ns per element).
 */
function sliverStride(kc: number): number {
  let ks = (kc + 7) & ~7;
  if ((ks & 8) === 0) ks += 8;
  return ks;
}

/**
 * Pack the mc x kc block of A at a[base] (strides rs, cs) into row slivers:
 * sliver r holds rows 2r and 2r+1 in A0 / A1 at [r*ks, r*ks+kc).  An odd last
 * row is paired with zeros.  The loop order follows whichever source stride is
 * unit so reads stay sequential.
 */
function packA(mc: number, kc: number, ks: number, a: FloatArray, base: number, rs: number, cs: number): void {
  const full = mc - (mc % MR);
  if (cs === 1 || (rs !== 1 && Math.abs(cs) <= Math.abs(rs))) {
    // Row-major-ish A: copy each pair of rows.
    for (let i = 0, o = 0; i < full; i += MR, o += ks) {
      let s0 = base + i * rs, t1 = s0 + rs;
      for (let p = o, e = o + kc; p < e; p++, s0 += cs, t1 += cs) { A0[p] = a[s0]; A1[p] = a[t1]; }
    }
  } else {
    // Column-major-ish A (transposed view, aRs = 1): walk k outer, rows inner.
    for (let p = 0; p < kc; p++) {
      let s = base + p * cs;
      for (let i = 0, o = p; i < full; i += MR, o += ks, s += MR * rs) { A0[o] = a[s]; A1[o] = a[s + rs]; }
    }
  }
  if (full < mc) {
    const o = (full / MR) * ks;
    let s = base + full * rs;
    for (let p = o, e = o + kc; p < e; p++, s += cs) { A0[p] = a[s]; A1[p] = 0; }
  }
}

/**
 * Pack the kc x nc block of B at b[base] (strides rs, cs) into column slivers:
 * sliver s holds columns 3s..3s+2 in B0 / B1 / B2 at [s*ks, s*ks+kc); the last
 * sliver is zero-padded.
 */
function packB(kc: number, nc: number, ks: number, b: FloatArray, base: number, rs: number, cs: number): void {
  const full = nc - (nc % NR);
  if (cs === 1 || (rs !== 1 && Math.abs(cs) <= Math.abs(rs))) {
    // Row-major-ish B: walk k outer so each source row is read sequentially.
    for (let p = 0; p < kc; p++) {
      let s = base + p * rs;
      for (let j = 0, o = p; j < full; j += NR, o += ks, s += NR * cs) {
        B0[o] = b[s]; B1[o] = b[s + cs]; B2[o] = b[s + 2 * cs];
      }
    }
  } else {
    // Column-major-ish B (transposed view, bRs = 1): copy columns.
    for (let j = 0, o = 0; j < full; j += NR, o += ks) {
      let s0 = base + j * cs;
      let s1 = s0 + cs, s2 = s1 + cs;
      for (let p = o, e = o + kc; p < e; p++, s0 += rs, s1 += rs, s2 += rs) { B0[p] = b[s0]; B1[p] = b[s1]; B2[p] = b[s2]; }
    }
  }
  const rem = nc - full;
  if (rem > 0) {
    const o = (full / NR) * ks;
    let s = base + full * cs;
    for (let p = o, e = o + kc; p < e; p++, s += rs) {
      B0[p] = b[s];
      B1[p] = rem > 1 ? b[s + cs] : 0;
      B2[p] = 0;
    }
  }
}

/**
 * y[t*ys] (+)= sum_k x[xOff + k*xs] * m[mOff + k*mk + t*mt]  for t < L.
 * A matrix-vector product touches every matrix element once, so packing would
 * cost as much as the arithmetic.  When the matrix is contiguous along the
 * output index (mt = 1) use the axpy form, which streams the matrix row by
 * row into a double accumulator (the packing scratch A0); otherwise take one
 * dot product per output along k.
 */
function gemv(
  L: number, K: number,
  x: FloatArray, xOff: number, xs: number,
  m: FloatArray, mOff: number, mk: number, mt: number,
  y: FloatArray, yOff: number, ys: number, accumulate: boolean,
): void {
  if (mt === 1 && mk !== 1 && K >= 4) {
    const K4 = K - (K & 3);
    const mk2 = 2 * mk, mk3 = 3 * mk, mk4 = 4 * mk;
    for (let t0 = 0; t0 < L; t0 += A_LEN) {
      const len = Math.min(A_LEN, L - t0);
      A0.fill(0, 0, len);
      let ix = xOff, row = mOff + t0, k = 0;
      for (; k < K4; k += 4, ix += 4 * xs, row += mk4) {
        const x0 = x[ix], x1 = x[ix + xs], x2 = x[ix + 2 * xs], x3 = x[ix + 3 * xs];
        for (let t = 0, r = row; t < len; t++, r++) {
          A0[t] += x0 * m[r] + x1 * m[r + mk] + x2 * m[r + mk2] + x3 * m[r + mk3];
        }
      }
      for (; k < K; k++, ix += xs, row += mk) {
        const x0 = x[ix];
        for (let t = 0, r = row; t < len; t++, r++) A0[t] += x0 * m[r];
      }
      for (let t = 0, iy = yOff + t0 * ys; t < len; t++, iy += ys) y[iy] = accumulate ? y[iy] + A0[t] : A0[t];
    }
    return;
  }
  // Dot form, four outputs at a time so each x[k] load is shared.
  let t = 0;
  const mt2 = 2 * mt, mt3 = 3 * mt;
  for (; t + 4 <= L; t += 4) {
    let s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    let ix = xOff, im = mOff + t * mt;
    for (let k = 0; k < K; k++, ix += xs, im += mk) {
      const xv = x[ix];
      s0 += xv * m[im];
      s1 += xv * m[im + mt];
      s2 += xv * m[im + mt2];
      s3 += xv * m[im + mt3];
    }
    const iy = yOff + t * ys;
    if (accumulate) {
      y[iy] += s0; y[iy + ys] += s1; y[iy + 2 * ys] += s2; y[iy + 3 * ys] += s3;
    } else {
      y[iy] = s0; y[iy + ys] = s1; y[iy + 2 * ys] = s2; y[iy + 3 * ys] = s3;
    }
  }
  for (; t < L; t++) {
    let s0 = 0.0;
    let ix = xOff, im = mOff + t * mt;
    for (let k = 0; k < K; k++, ix += xs, im += mk) s0 += x[ix] * m[im];
    const iy = yOff + t * ys;
    y[iy] = accumulate ? y[iy] + s0 : s0;
  }
}

/**
 * Direct loop for tiny or vector-shaped products: one dot product per output,
 * k unrolled by 4 into independent sums (a single running sum is bound by
 * the add latency).  Accumulates in doubles.
 */
function gemmDirect(
  M: number, N: number, K: number,
  a: FloatArray, aOff: number, aRs: number, aCs: number,
  b: FloatArray, bOff: number, bRs: number, bCs: number,
  c: FloatArray, cOff: number, cRs: number, accumulate: boolean,
): void {
  const K4 = K - (K & 3);
  const aCs2 = 2 * aCs, aCs3 = 3 * aCs, aCs4 = 4 * aCs;
  const bRs2 = 2 * bRs, bRs3 = 3 * bRs, bRs4 = 4 * bRs;
  for (let i = 0; i < M; i++) {
    const ar = aOff + i * aRs, cr = cOff + i * cRs;
    for (let j = 0; j < N; j++) {
      let s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
      let ia = ar, ib = bOff + j * bCs, k = 0;
      for (; k < K4; k += 4, ia += aCs4, ib += bRs4) {
        s0 += a[ia] * b[ib];
        s1 += a[ia + aCs] * b[ib + bRs];
        s2 += a[ia + aCs2] * b[ib + bRs2];
        s3 += a[ia + aCs3] * b[ib + bRs3];
      }
      for (; k < K; k++, ia += aCs, ib += bRs) s0 += a[ia] * b[ib];
      const s = (s0 + s1) + (s2 + s3);
      c[cr + j] = accumulate ? c[cr + j] + s : s;
    }
  }
}

/**
 * Prime V8's type feedback at module load: run every code path (each pack
 * layout, edge tiles, accumulate on/off, both gemv forms, the direct loop, K=0)
 * on tiny problems with BOTH Float32Array and Float64Array, a few times so
 * the feedback vectors exist (one round was nearly enough, three is margin).  Without this the first optimized (often OSR)
 * code of a function sees only the dtype / branch of its first big call; the
 * other one later deoptimizes it, and V8 re-enters the cached OSR code and
 * deoptimizes again on every call for a while (measured: dozens of deopts of
 * packB, >1000 of the kernel, each costing microseconds; zero with this).
 * Costs a few milliseconds once, at import.
 */
function prewarm(): void {
  const ctors = [Float32Array, Float64Array];
  for (let rep = 0; rep < 3; rep++) {
    for (const ctor of ctors) {
      const a = new ctor(96), b = new ctor(96), c = new ctor(96);
      for (let i = 0; i < 96; i++) { a[i] = (i % 7) - 3; b[i] = (i % 5) - 2; }
      for (const acc of [false, true]) {
        for (const [M, N, K] of [[5, 7, 9], [4, 8, 10]]) { // odd M, N % 3 = 1; even M, N % 3 = 2
          gemm(M, N, K, a, 1, K, 1, b, 2, N, 1, c, 0, N, acc); // A @ B
          gemm(M, N, K, a, 1, 1, M, b, 2, N, 1, c, 0, N, acc); // A^T @ B
          gemm(M, N, K, a, 1, K, 1, b, 2, 1, K, c, 0, N, acc); // A @ B^T
          gemm(M, N, K, a, 1, 1, M, b, 2, 1, K, c, 0, N, acc); // A^T @ B^T
        }
        gemm(1, 9, 6, a, 0, 6, 1, b, 0, 9, 1, c, 0, 9, acc); // gemv, axpy form
        gemm(1, 9, 6, a, 0, 6, 1, b, 0, 1, 6, c, 0, 9, acc); // gemv, dot form
        gemm(9, 1, 6, a, 0, 6, 1, b, 0, 1, 1, c, 0, 1, acc); // gemv, dot form
        gemm(9, 1, 6, a, 0, 1, 9, b, 0, 1, 1, c, 0, 1, acc); // gemv, axpy form
        gemm(2, 3, 2, a, 0, 2, 1, b, 0, 3, 1, c, 0, 3, acc); // direct
        gemm(2, 3, 0, a, 0, 0, 1, b, 0, 3, 1, c, 0, 3, acc); // K = 0
      }
    }
  }
}
prewarm();
