/**
 * `npm run bench`: torchlet's portable CPU backend side by side with TensorFlow.js (tfjs-backend-cpu and
 * tfjs-backend-wasm) in one run, on this machine, then the native (libtorch) backend against PyTorch itself
 * (bench/native.ts; its columns are skipped with the reason when the addon is not built or PyTorch is absent).
 * Writes the tables to docs/benchmarks.md.
 *
 * - matmul: float32 n×n, GFLOP/s = 2n³ / median time (also Aᵀ·B, which backward needs, for torchlet).
 * - MLP step: 784-512-256-10, ReLU, cross-entropy, batch 128, SGD; forward + backward + update, each library
 *   with its own autograd; median ms per step. torchlet is measured with its caching allocator on and off.
 * - clipping: clipGradNorm_'s share of that step (when the optim module is present).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import * as torch from 'torchlet';
import { makeMlp, median } from './mlp.js';

const turn = () => new Promise<void>((r) => setImmediate(r));

async function timeIt(fn: () => void | Promise<void>, minMs: number, minIters = 3): Promise<number> {
  for (let i = 0; i < 2; i++) await fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minIters || performance.now() - start < minMs) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

export async function torchMatmulGflops(n: number, transposeA = false, minMs = 1000): Promise<number> {
  torch.manualSeed(0);
  const a0 = torch.randn([n, n]), b = torch.randn([n, n]);
  const a = transposeA ? a0.t() : a0;
  const ms = await timeIt(() => { a.matmul(b); }, minMs);
  return (2 * n ** 3) / (ms * 1e6);
}

/** One training step (forward, backward, SGD update) of the benchmark MLP; returns a function that runs a step. */
export function makeTorchMlp(): () => number {
  const { params, loss: forward } = makeMlp();
  return () => {
    const loss = forward();
    for (const p of params) p.grad = null;
    loss.backward();
    torch.noGrad(() => { for (const p of params) p.sub_(p.grad!, 0.01); });
    return loss.item();
  };
}

export async function torchMlpStepMs(minMs = 3000): Promise<number> {
  const step = makeTorchMlp();
  return timeIt(async () => { step(); await turn(); }, minMs, 10);
}

/** Fresh and reused megabytes per MLP step (deterministic, unlike times on a shared machine). */
export function torchMlpMemory(steps = 10): { freshMB: number; reusedMB: number } {
  const step = makeTorchMlp();
  step(); step();
  const a = torch.cpuAllocator.stats();
  for (let i = 0; i < steps; i++) step();
  const b = torch.cpuAllocator.stats();
  return { freshMB: (b.freshBytes - a.freshBytes) / steps / 2 ** 20, reusedMB: (b.reusedBytes - a.reusedBytes) / steps / 2 ** 20 };
}

async function main(): Promise<void> {
  const rows: string[] = [];
  const log = (s: string) => { console.log(s); rows.push(s); };
  const sizes = [256, 512, 1024];
  const tl: Record<string, number> = {};
  const tf: Record<string, Record<string, number>> = {};
  let tfInfo = '';
  let tfb: typeof import('./tfjs.js') | null = null;
  try {
    tfb = await import('./tfjs.js');
    await tfb.setupTf('wasm');
    tfInfo += `wasm: ${tfb.tfBackendInfoString()}; `;
    tf.wasm = {};
  } catch (e) {
    console.log(`tfjs not available (${(e as Error).message}); install dev dependencies to compare`);
  }
  // The machine is shared and has bursts of slowness lasting seconds: torchlet and tfjs-wasm are measured
  // interleaved, in rounds, and each figure is the median over the rounds.
  const rounds = 3;
  const acc: Record<string, number[]> = {};
  const put = (k: string, v: number) => { (acc[k] ??= []).push(v); };
  const alloc = torch.cpuAllocator;
  for (let r = 0; r < rounds; r++) {
    for (const n of sizes) {
      put(`tl.mm${n}`, await torchMatmulGflops(n, false, 400));
      put(`tl.mmT${n}`, await torchMatmulGflops(n, true, 400));
      if (tfb) put(`wasm.mm${n}`, await tfb.tfMatmulGflops(n, { minMs: 400 }));
    }
    alloc.enabled = true;
    put('tl.mlp', await torchMlpStepMs(1500));
    alloc.enabled = false; alloc.emptyCache();
    put('tl.mlpNoPool', await torchMlpStepMs(1500));
    alloc.enabled = true;
    if (tfb) put('wasm.mlp', await tfb.tfMlpStepMs({ steps: 12 }));
    console.log(`round ${r + 1}/${rounds}: ${Object.entries(acc).map(([k, v]) => `${k} ${v[v.length - 1]!.toFixed(1)}`).join(', ')}`);
  }
  for (const [k, v] of Object.entries(acc)) {
    const [lib, name] = k.split('.') as [string, string];
    if (lib === 'tl') tl[name] = median(v); else tf[lib]![name] = median(v);
  }
  const memOn = torchMlpMemory();
  alloc.enabled = false; alloc.emptyCache();
  const memOff = torchMlpMemory();
  alloc.enabled = true;
  console.log(`torchlet MLP step: ${tl.mlp!.toFixed(1)} ms (${memOn.freshMB.toFixed(2)} MB fresh, ${memOn.reusedMB.toFixed(2)} MB reused per step); ` +
    `without the caching allocator ${tl.mlpNoPool!.toFixed(1)} ms (${memOff.freshMB.toFixed(2)} MB fresh)`);

  let clip: { stepMs: number; clipMs: number; share: number } | null = null;
  try {
    const mod = await import('./clip.js' as string);
    clip = await mod.clipShare({ steps: 40 });
    console.log(`clipGradNorm_ share of an MLP step: ${(clip!.share * 100).toFixed(2)}%`);
  } catch (e) {
    console.log(`clipping benchmark not available: ${(e as Error).message.split('\n')[0]}`);
  }

  let data: { loadMsPerBatch: number; stepMsPerBatch: number; share: number; loadGenericMsPerBatch: number; shareGeneric: number } | null = null;
  try {
    const mod = await import('./data.js' as string);
    data = await mod.dataLoaderShare();
    console.log(`DataLoader share of a digits CNN epoch: ${(data!.share * 100).toFixed(2)}%`);
  } catch (e) {
    console.log(`data-loading benchmark not available: ${(e as Error).message.split('\n')[0]}`);
  }

  if (tfb) {
    // tfjs-cpu is far slower; one pass is enough to place it.
    await tfb.setupTf('cpu');
    tfInfo += `cpu: ${tfb.tfBackendInfoString()}; `;
    const r: Record<string, number> = {};
    for (const n of sizes) r[`mm${n}`] = await tfb.tfMatmulGflops(n, { minMs: n === 1024 ? 300 : 600 });
    r.mlp = await tfb.tfMlpStepMs({ steps: 8 });
    tf.cpu = r;
    console.log(`tfjs-cpu: ${JSON.stringify(r)}`);
  }

  const f = (v: number | undefined, d = 2) => (v === undefined ? '—' : v.toFixed(d));
  const cpus = os.cpus();
  log('# Benchmarks');
  log('');
  log(`Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ` +
    `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}. All run in one process, ` +
    `single-threaded; torchlet and tfjs-wasm are interleaved in ${rounds} rounds (medians shown), tfjs-cpu runs once at the end. ` +
    'Compare ratios, not absolute times: the machine is shared.');
  log('');
  log('| benchmark | torchlet (portable CPU) | tfjs-backend-wasm | tfjs-backend-cpu | torchlet vs wasm |');
  log('|---|---|---|---|---|');
  for (const n of sizes) {
    log(`| matmul ${n}×${n} float32 (GFLOP/s) | ${f(tl[`mm${n}`])} (Aᵀ·B ${f(tl[`mmT${n}`])}) | ${f(tf.wasm?.[`mm${n}`])} | ${f(tf.cpu?.[`mm${n}`])} | ${tf.wasm ? (tl[`mm${n}`]! / tf.wasm[`mm${n}`]!).toFixed(2) + '×' : '—'} |`);
  }
  log(`| MLP 784-512-256-10 training step, batch 128 (ms, lower is better) | ${f(tl.mlp, 1)} | ${f(tf.wasm?.mlp, 1)} | ${f(tf.cpu?.mlp, 1)} | ${tf.wasm ? (tf.wasm.mlp! / tl.mlp!).toFixed(2) + '× faster' : '—'} |`);
  log('');
  log(`Caching allocator: with it, each MLP step takes ${memOn.freshMB.toFixed(2)} MB of fresh memory and reuses ` +
    `${memOn.reusedMB.toFixed(2)} MB (every temporary of the backward pass and of composite ops); without it, ${memOff.freshMB.toFixed(2)} MB ` +
    `per step is fresh. Step time with it ${f(tl.mlp, 1)} ms, without it ${f(tl.mlpNoPool, 1)} ms ` +
    `(${(tl.mlpNoPool! / tl.mlp!).toFixed(2)}×; medians of three alternating runs each).`);
  if (clip) log(`Gradient clipping: \`clipGradNorm_\` over the MLP's parameters takes ${clip.clipMs.toFixed(2)} ms, ${(clip.share * 100).toFixed(2)}% of a ${clip.stepMs.toFixed(1)} ms step (goal: under 5%).`);
  if (data) log(`Data loading: a digits batch of 64 from \`DataLoader\` takes ${data.loadMsPerBatch.toFixed(2)} ms (${data.loadGenericMsPerBatch.toFixed(2)} ms through a custom collateFn) against ${data.stepMsPerBatch.toFixed(1)} ms for the demo-sized CNN's training step: ${(data.share * 100).toFixed(1)}% of an epoch (${(data.shareGeneric * 100).toFixed(1)}% on the generic path).`);
  if (tfInfo) log(`\nTensorFlow.js settings: ${tfInfo.trim()}`);
  // the native backend and PyTorch: docs/benchmarks.md only (the README links to it)
  const nativeLines = await (await import('./native.js')).nativeSection();
  console.log(nativeLines.join('\n'));
  mkdirSync(new URL('../../docs/', import.meta.url), { recursive: true });
  // keep the before/after section that `npm run bench:compare -- ... --write` maintains
  const docUrl = new URL('../../docs/benchmarks.md', import.meta.url);
  let kept = '';
  try {
    const prev = readFileSync(docUrl, 'utf8');
    const a = prev.indexOf('<!-- compare:start -->'), b = prev.indexOf('<!-- compare:end -->');
    // with the heading right above the markers, when there is one
    const h = prev.lastIndexOf('\n## ', a);
    const start = h >= 0 && prev.slice(prev.indexOf('\n', h + 1), a).trim() === '' ? h + 1 : a;
    if (a >= 0 && b > a) kept = '\n' + prev.slice(start, b + '<!-- compare:end -->'.length) + '\n';
  } catch { /* first run */ }
  writeFileSync(docUrl, rows.join('\n') + '\n\n' + nativeLines.join('\n') + '\n' + kept);
  // The README shows the same table between its bench markers.
  const readmeUrl = new URL('../../README.md', import.meta.url);
  const readme = readFileSync(readmeUrl, 'utf8');
  const a = readme.indexOf('<!-- bench:start -->'), b = readme.indexOf('<!-- bench:end -->');
  if (a >= 0 && b > a) {
    const body = rows.slice(rows.findIndex((r) => r.startsWith('Written by'))).join('\n');
    writeFileSync(readmeUrl, `${readme.slice(0, a)}<!-- bench:start -->\n${body}\n${readme.slice(b)}`);
  }
  console.log('wrote docs/benchmarks.md');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
}
