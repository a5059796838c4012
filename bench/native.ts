/**
 * The native (libtorch) backend against the portable one and PyTorch itself (`/usr/bin/python3`, Debian's
 * python3-torch), on this machine: float32 matmul n×n (GFLOP/s) and the benchmark MLP's training step
 * (784-512-256-10, ReLU, cross-entropy, batch 128, Adam; median ms per step), plus the per-op overhead of a tiny op.
 * PyTorch runs with ATen's thread count set to the native backend's. Not part of `npm run bench` yet:
 * `npm run bench:native` (or `node dist/bench/native.js`). Prints a Markdown table.
 */
import { spawnSync } from 'node:child_process';
import * as torch from 'torchlet';
import type { Backend } from 'torchlet';
import { isAvailable, reason, NativeBackend } from '../src/backend/native/index.js';
import { makeMlp, median } from './mlp.js';

function timeIt(fn: () => void, minMs: number, minIters = 5): number {
  for (let i = 0; i < 3; i++) fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minIters || performance.now() - start < minMs) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

function withBackend<T>(b: Backend, fn: () => T): T {
  const prev = torch.getBackend('cpu');
  torch.registerBackend('cpu', b);
  try { return fn(); } finally { torch.registerBackend('cpu', prev); }
}

function matmulGflops(b: Backend, n: number): number {
  // (shorter runs per round: the rounds give the repetitions)
  return withBackend(b, () => {
    torch.manualSeed(0);
    const x = torch.randn([n, n]), y = torch.randn([n, n]);
    const ms = timeIt(() => { x.matmul(y); }, 800);
    return (2 * n ** 3) / (ms * 1e6);
  });
}

function mlpStepMs(b: Backend, minMs = 1500): number {
  return withBackend(b, () => {
    const { params, loss } = makeMlp();
    const opt = new torch.optim.Adam(params, { lr: 1e-3 });
    return timeIt(() => { const l = loss(); opt.zeroGrad(); l.backward(); opt.step(); }, minMs, 10);
  });
}

/** µs per `a.add(b)` of two 1-element tensors: the JS layer plus one kernel call. */
function tinyOpUs(b: Backend): number {
  return withBackend(b, () => {
    const x = torch.ones([1]), y = torch.ones([1]);
    const n = 20000;
    const ms = timeIt(() => { for (let i = 0; i < n; i++) x.add(y); }, 1000);
    return (ms * 1000) / n;
  });
}

const PY = `
import json, sys, time, torch
torch.set_num_threads(int(sys.argv[1]))
def t(fn, min_s, min_iters=5):
    for _ in range(3): fn()
    ts = []; start = time.perf_counter()
    while len(ts) < min_iters or time.perf_counter() - start < min_s:
        t0 = time.perf_counter(); fn(); ts.append(time.perf_counter() - t0)
    ts.sort(); return ts[len(ts) // 2] * 1000
out = {}
torch.manual_seed(0)
for n in (512, 1024):
    a, b = torch.randn(n, n), torch.randn(n, n)
    out['mm%d' % n] = 2 * n ** 3 / (t(lambda: a @ b, 0.8) * 1e6)
sizes = [784, 512, 256, 10]
layers = [torch.nn.Linear(sizes[i], sizes[i + 1]) for i in range(3)]
params = [p for l in layers for p in l.parameters()]
x, y = torch.randn(128, 784), torch.randint(0, 10, (128,))
opt = torch.optim.Adam(params, lr=1e-3)
def step():
    h = x
    for i, l in enumerate(layers):
        h = l(h)
        if i < 2: h = h.relu()
    loss = torch.nn.functional.cross_entropy(h, y)
    opt.zero_grad(); loss.backward(); opt.step()
out['mlp'] = t(step, 1.5, 10)
a1, b1 = torch.ones(1), torch.ones(1)
def tiny():
    for _ in range(20000): a1.add(b1)
out['tiny'] = t(tiny, 1) * 1000 / 20000
print(json.dumps(out))
`;

function pytorch(threads: number): Record<string, number> | string {
  const r = spawnSync('/usr/bin/python3', ['-c', PY, String(threads)], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) return `PyTorch run failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
}

if (!isAvailable()) {
  console.log(`native backend unavailable: ${reason()}`);
} else {
  const native = new NativeBackend();
  const portable = new torch.CpuBackend();
  const threads = native.getNumThreads();
  const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
  const keys = ['mm512', 'mm1024', 'mlp', 'tiny'] as const;
  const all: Record<'native' | 'portable' | 'pytorch', Record<string, number[]>> = { native: {}, portable: {}, pytorch: {} };
  const add = (who: keyof typeof all, k: string, v: number | undefined) => { if (v !== undefined) (all[who][k] ??= []).push(v); };
  let pyError = '';
  // This machine is shared and noisy: rounds interleave the three (PyTorch, native, portable) and the table gives
  // each figure's median over the rounds.
  for (let r = 0; r < rounds; r++) {
    const py = pytorch(threads);
    if (typeof py === 'string') pyError = py; else for (const k of keys) add('pytorch', k, py[k]);
    for (const [who, bk] of [['native', native], ['portable', portable]] as const) {
      add(who, 'mm512', matmulGflops(bk, 512));
      add(who, 'mm1024', matmulGflops(bk, 1024));
      add(who, 'mlp', mlpStepMs(bk));
      add(who, 'tiny', tinyOpUs(bk));
    }
  }
  const med = (who: keyof typeof all, k: string, d: number) => { const v = all[who][k]; return v && v.length ? median(v).toFixed(d) : 'n/a'; };
  console.log(`Node ${process.version}, ATen threads ${threads} (PyTorch set to the same), OPENBLAS_NUM_THREADS=${process.env['OPENBLAS_NUM_THREADS'] ?? 'unset'}, ` +
    `libtorch ${native.torchVersion}, median of ${rounds} interleaved rounds`);
  if (pyError) console.log(pyError);
  console.log('\n| measure | native | portable | PyTorch |\n|---|---|---|---|');
  const rows: [string, string, number][] = [
    ['mm512', 'matmul 512×512 float32 (GFLOP/s)', 1], ['mm1024', 'matmul 1024×1024 float32 (GFLOP/s)', 1],
    ['mlp', 'MLP step 784-512-256-10, batch 128, Adam (ms)', 1], ['tiny', 'tiny op x.add(y), 1 element (µs per op)', 2],
  ];
  for (const [k, name, d] of rows) console.log(`| ${name} | ${med('native', k, d)} | ${med('portable', k, d)} | ${med('pytorch', k, d)} |`);
}
