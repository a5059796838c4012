/**
 * The native (libtorch) backend against the portable one and PyTorch itself (`/usr/bin/python3` with torch,
 * bench/pytorch_bench.py spawned once per round), on this machine, interleaved in rounds (PyTorch, native, portable
 * in each round; medians over rounds): float32 matmul n×n for n = 256..2048 (GFLOP/s), conv2d forward + backward,
 * the MLP step (784-512-256-10, batch 128, Adam) and the CNN step (bench/compare.ts), plus the per-op cost of a tiny
 * op split into the JavaScript layer and the backend call. PyTorch runs with ATen's thread count set to the native
 * backend's. Part of `npm run bench` ({@link nativeSection}); alone: `npm run bench:native`.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as torch from 'torchlet';
import type { Backend } from 'torchlet';
import { isAvailable, reason, NativeBackend } from '../src/backend/native/index.js';
import { median } from './mlp.js';
import { release } from '../src/ops.js';
import { mlpAdamStep, cnnSgdStep, conv2dFwdBwd } from './compare.js';

const turn = () => new Promise<void>((r) => setImmediate(r));
const SIZES = [256, 512, 1024, 2048] as const;
/** The portable backend is measured up to this matmul size (2048 takes seconds per product there). */
const PORTABLE_MAX_MM = 1024;

/** CPU milliseconds (all threads of this process) per iteration of the last `timeMs` call. */
let lastCpuMs = NaN;
/**
 * Wall milliseconds per iteration of the last `timeMs` call's whole timed loop: the garbage collections, the
 * finalizers and the event-loop turns between iterations included. The median leaves out the iterations a major
 * collection lands in; a training run pays for them, so this is the throughput figure.
 */
let lastLoopMs = NaN;

/**
 * Median wall milliseconds per call of `fn`; also sets `lastCpuMs`, the process CPU time per call (user + system,
 * all threads). Why both: this VM is shared, and under load wall times stretch by whatever the other tenants take,
 * while CPU time counts only the work done (it still grows somewhat with cache and SMT contention).
 */
async function timeMs(fn: () => void, minMs: number, minIters = 5, warmMs = 0): Promise<number> {
  fn(); fn();
  // warm-up, untimed (the same on PyTorch's side): the caching allocator grows to the loop's working set
  for (const w0 = performance.now(); performance.now() - w0 < warmMs;) { fn(); await turn(); }
  const times: number[] = [];
  let cpu = 0;
  const start = performance.now();
  while (times.length < minIters || performance.now() - start < minMs) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu += (c.user + c.system) / 1000;
    await turn(); // as a training loop's awaits do: lets finalizers of dropped native storages run
  }
  lastLoopMs = (performance.now() - start) / times.length;
  lastCpuMs = cpu / times.length;
  return median(times);
}

async function withBackend<T>(b: Backend, fn: () => Promise<T>): Promise<T> {
  const prev = torch.getBackend('cpu');
  torch.registerBackend('cpu', b);
  try { return await fn(); } finally { torch.registerBackend('cpu', prev); }
}

async function measure(b: Backend, portable: boolean): Promise<Record<string, number>> {
  return withBackend(b, async () => {
    const out: Record<string, number> = {};
    torch.manualSeed(0);
    for (const n of SIZES) {
      if (portable && n > PORTABLE_MAX_MM) continue;
      const x = torch.randn([n, n]), y = torch.randn([n, n]);
      out[`mm${n}`] = (2 * n ** 3) / ((await timeMs(() => { x.matmul(y); }, 400)) * 1e6);
    }
    out.conv = await timeMs(conv2dFwdBwd(torch), 1000); out.convCpu = lastCpuMs;
    out.mlp = await timeMs(mlpAdamStep(torch), 1500, 10, 1000); out.mlpCpu = lastCpuMs; out.mlpLoop = lastLoopMs;
    out.cnn = await timeMs(cnnSgdStep(torch), 3000, 5, 1500); out.cnnCpu = lastCpuMs; out.cnnLoop = lastLoopMs;
    // tiny op: the whole torchlet call, and the backend call alone (kernel + addon), on the same 1-element tensors
    const a = torch.ones([1]), c = torch.ones([1]);
    const N = 20000;
    out.tiny = ((await timeMs(() => { for (let i = 0; i < N; i++) a.add(c); }, 500)) * 1000) / N;
    out.tinyCpu = lastCpuMs * 1000 / N;
    const bk = torch.getBackend('cpu');
    const as = (a as any)._s, al = a.layout, cs = (c as any)._s, cl = c.layout;
    out.tinyBackend = ((await timeMs(() => { for (let i = 0; i < N; i++) bk.free(bk.binary('add', as, al, cs, cl, 'float32')); }, 500)) * 1000) / N;
    out.tinyBackendCpu = lastCpuMs * 1000 / N;
    // the torchlet op with its result freed at once (as PyTorch's refcount does), so it differs from `tinyBackend`
    // by the JavaScript layer alone, and from `tiny` by the cost of leaving the result to the collector
    out.tinyFreed = ((await timeMs(() => { for (let i = 0; i < N; i++) release(a.add(c)); }, 500)) * 1000) / N;
    out.tinyFreedCpu = lastCpuMs * 1000 / N;
    return out;
  });
}

function pytorch(threads: number): Record<string, number> | string {
  const script = fileURLToPath(new URL('../../bench/pytorch_bench.py', import.meta.url));
  const r = spawnSync('/usr/bin/python3', [script, String(threads)], { encoding: 'utf8', timeout: 600_000 });
  if (r.error) return `PyTorch not run: ${r.error.message}`;
  if (r.status !== 0) return `PyTorch not run: ${(r.stderr || '').trim().split('\n').pop()}`;
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
}

/** Where the system libblas.so.3 (which Debian's ATen and PyTorch call) points, from update-alternatives. */
function systemBlas(): string {
  const r = spawnSync('update-alternatives', ['--query', 'libblas.so.3-x86_64-linux-gnu'], { encoding: 'utf8' });
  const v = r.status === 0 ? /^Value: (.*)$/m.exec(r.stdout)?.[1] : undefined;
  return v ?? 'unknown (no update-alternatives entry)';
}

/** Markdown lines: the native / portable / PyTorch table with ratios, or why columns are missing. */
export async function nativeSection(rounds = Number(process.env['BENCH_ROUNDS'] ?? 3)): Promise<string[]> {
  const lines: string[] = [];
  const nativeOk = isAvailable();
  // one NativeBackend per process: its constructor points the addon's shared argument buffer at itself
  const serving = torch.getBackend('cpu');
  const native = nativeOk ? (serving instanceof NativeBackend ? serving : new NativeBackend()) : null;
  const portable = new torch.CpuBackend();
  const threads = native ? native.getNumThreads() : 1;
  const all: Record<'native' | 'portable' | 'pytorch', Record<string, number[]>> = { native: {}, portable: {}, pytorch: {} };
  const add = (who: keyof typeof all, r: Record<string, number>) => { for (const [k, v] of Object.entries(r)) if (typeof v === 'number') (all[who][k] ??= []).push(v); };
  let pyError = '', pyVersion = '';
  const loads: number[] = [];
  for (let r = 0; r < rounds; r++) {
    loads.push(loadavg()[0]!);
    const py = pytorch(threads);
    if (typeof py === 'string') pyError = py; else { add('pytorch', py); pyVersion = String((py as any).version ?? ''); }
    if (native) add('native', await measure(native, false));
    add('portable', await measure(portable, true));
    console.log(`native bench round ${r + 1}/${rounds}: ` + (['native', 'portable', 'pytorch'] as const)
      .map((w) => `${w} mlp ${all[w].mlp?.at(-1)?.toFixed(1) ?? '—'} cnn ${all[w].cnn?.at(-1)?.toFixed(1) ?? '—'}`).join(', '));
  }
  const med = (w: keyof typeof all, k: string) => { const v = all[w][k]; return v && v.length ? median(v) : undefined; };
  const f = (v: number | undefined, d: number) => (v === undefined ? '—' : v.toFixed(d));
  lines.push('## Native backend and PyTorch');
  lines.push('');
  lines.push(`PyTorch ${pyVersion || '(not run)'} through \`/usr/bin/python3\` (bench/pytorch_bench.py, one process per round), the native ` +
    `backend (${native ? `libtorch ${native.torchVersion}` : 'not built'}) and the portable backend, interleaved in ${rounds} rounds, medians. ` +
    `ATen threads ${threads} on both sides (PyTorch set to the native backend's count); BLAS: the system libblas.so.3 → ` +
    `\`${systemBlas()}\` (with the reference BLAS instead of libopenblas0-pthread, at::mm runs at 3–4 GFLOP/s on a 2-vCPU VM), ` +
    `OPENBLAS_NUM_THREADS=${process.env['OPENBLAS_NUM_THREADS'] ?? 'unset'}.`);
  if (!native) lines.push(`\nNative column skipped: ${reason()}`);
  if (pyError) lines.push(`\nPyTorch column skipped: ${pyError}`);
  lines.push('');
  lines.push('| benchmark | native | portable | PyTorch | native / PyTorch |');
  lines.push('|---|---|---|---|---|');
  const ratio = (k: string, higherBetter: boolean) => {
    const a = med('native', k), b = med('pytorch', k);
    return a === undefined || b === undefined ? '—' : `${(higherBetter ? b / a : a / b).toFixed(2)}×`;
  };
  for (const n of SIZES) {
    lines.push(`| matmul ${n}×${n} float32 (GFLOP/s; ratio = time) | ${f(med('native', `mm${n}`), 1)} | ${n > PORTABLE_MAX_MM ? 'not run' : f(med('portable', `mm${n}`), 1)} | ${f(med('pytorch', `mm${n}`), 1)} | ${ratio(`mm${n}`, true)} |`);
  }
  const row = (name: string, k: string, d: number) => {
    lines.push(`| ${name} | ${f(med('native', k), d)} | ${f(med('portable', k), d)} | ${f(med('pytorch', k), d)} | ${ratio(k, false)} |`);
  };
  row('conv2d 64→64 3×3 on 32×64×16×16, forward + backward (ms)', 'conv', 1);
  row('  same, CPU time (ms, all threads)', 'convCpu', 1);
  row('MLP 784-512-256-10 training step, batch 128, Adam (ms, median step)', 'mlp', 1);
  row('  same, whole loop per step (ms: collections and finalizers included)', 'mlpLoop', 1);
  row('  same, CPU time (ms, all threads)', 'mlpCpu', 1);
  row('CNN training step (conv 32/64, pool, linear 256/10), 3×32×32, batch 64, SGD momentum (ms, median step)', 'cnn', 1);
  row('  same, whole loop per step (ms: collections and finalizers included)', 'cnnLoop', 1);
  row('  same, CPU time (ms, all threads)', 'cnnCpu', 1);
  row('tiny op `x.add(y)`, 1 element, result left to the collector (µs per op)', 'tiny', 2);
  row('  same, CPU time (µs)', 'tinyCpu', 2);
  const d = (a: number | undefined, b: number | undefined) => f(a !== undefined && b !== undefined ? a - b : undefined, 2);
  lines.push('');
  lines.push('Per-op cost of a tiny op, split (µs per op, wall / CPU): ' +
    (['native', 'portable'] as const).map((w) => `${w}: JavaScript layer ${d(med(w, 'tinyFreed'), med(w, 'tinyBackend'))} / ` +
      `${d(med(w, 'tinyFreedCpu'), med(w, 'tinyBackendCpu'))} (torchlet op with its result freed at once, minus the same ` +
      `\`backend.binary\` + \`free\` alone), backend call ${f(med(w, 'tinyBackend'), 2)} / ${f(med(w, 'tinyBackendCpu'), 2)}, ` +
      `leaving the result to the collector ${d(med(w, 'tiny'), med(w, 'tinyFreed'))} / ${d(med(w, 'tinyCpu'), med(w, 'tinyFreedCpu'))}`).join('; ') +
    '. PyTorch frees a dropped result at once (reference counting); torchlet, like any JS library, frees it when V8 ' +
    'collects the tensor, so a tight loop of tiny ops pays for the allocations that pile up in between.');
  lines.push('');
  lines.push(`Goal: each training step within 1.25× of PyTorch's (last column). Machine load (1-minute load average over ` +
    `${cpus().length} CPUs) during the runs: ${loads.map((l) => l.toFixed(1)).join(', ')}. With the load above the CPU count, ` +
    'wall times stretch with the other tenants and the CPU-time rows are the better comparison.');
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  nativeSection().then((l) => { console.log(l.join('\n')); process.exit(0); }, (e) => { console.error(e); process.exit(1); });
}
