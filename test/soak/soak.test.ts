/**
 * Soak suite (issue 11, "Long runs and faults"): skipped by the default `node --test dist/test/`; run with
 * `npm run soak` (long) or `npm run soak:ci` (CI size, ~1 minute). Knobs:
 *   TORCHLET_SOAK=1             enables it (set by the npm scripts)
 *   TORCHLET_SOAK_STEPS=10000   training steps per backend
 *   TORCHLET_SOAK_KILLS=50      kill -9 injections during save
 * Run under `node --expose-gc` so heap samples are taken after a full collection (the scripts do).
 *
 * 1. An MLP trains for STEPS steps (forward, cross-entropy, backward, Adam step, zeroGrad, a validation forward under
 *    noGrad every 50 steps) on the portable backend, and on the native backend when its addon is built. Heap (after
 *    gc) and RSS are sampled every 10% of the run; after a 10% warm-up, growth must stay under fixed bounds, and
 *    the median step time of the last decile must stay within 1.5x of the second decile's.
 * 2. A child process saves checkpoints in a loop (alternating two payloads of different sizes); it is SIGKILLed at
 *    random moments KILLS times. After each kill the destination must load and be exactly one complete checkpoint
 *    (the old or the new: its `step` names which payload, every tensor matches it); after the next save no temp file
 *    of the killed writers remains.
 * Figures are printed as `# soak: ...` lines (see docs/reliability.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from 'torchlet';
import { NativeBackend } from '../../src/backend/native/index.js';

const SOAK = process.env.TORCHLET_SOAK === '1';
const STEPS = Number(process.env.TORCHLET_SOAK_STEPS ?? 10000);
const KILLS = Number(process.env.TORCHLET_SOAK_KILLS ?? 50);
const skip = SOAK ? false : 'soak suite: run `npm run soak` or `npm run soak:ci` (TORCHLET_SOAK=1)';
const gc = (globalThis as { gc?: () => void }).gc;
const MB = 1024 * 1024;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * `heapBoundMb`: the allowed heap growth with --expose-gc. On native, the heap also holds the finalization records
 * of tensors a collection found dead but whose callbacks have not run yet (they run every 32 storages, or at a
 * turn); their number at a sample varies, so the heap measured after gc() moves by ~1 MB between samples with no
 * trend (measured over 6,000 steps: 10.1 -> 10.9 -> 11.0 -> 10.7 -> 11.0 -> 10.4 MB). A leak of one small tensor
 * per step would still exceed the bound many times over.
 */
function soakTraining(label: string, backend: torch.Backend, heapBoundMb = 2, baseSample = 0): void {
  const prev = torch.getBackend('cpu');
  torch.registerBackend('cpu', backend);
  try { soakTrainingOn(label, heapBoundMb, baseSample); } finally { torch.registerBackend('cpu', prev); }
}

/** `baseSample`: the decile sample growth is measured from (0: the end of the first decile). */
function soakTrainingOn(label: string, heapBoundMb: number, baseSample: number): void {
  torch.manualSeed(0);
  const model = new torch.nn.Sequential(new torch.nn.Linear(32, 64), new torch.nn.ReLU(), new torch.nn.Linear(64, 64), new torch.nn.ReLU(), new torch.nn.Linear(64, 10));
  const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = torch.randn([64, 32]), y = torch.randint(0, 10, [64]);
  const xv = torch.randn([256, 32]);
  const decile = Math.max(1, Math.floor(STEPS / 10));
  const times: number[] = [];
  const heap: number[] = [], rss: number[] = [];
  let first = NaN, last = NaN;
  for (let step = 1; step <= STEPS; step++) {
    const t0 = performance.now();
    opt.zeroGrad();
    const loss = torch.nn.functional.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    if (step % 50 === 0) torch.noGrad(() => model.forward(xv).argmax(1));
    const l = loss.item();
    if (step === 1) first = l;
    last = l;
    times.push(performance.now() - t0);
    if (step % decile === 0) {
      gc?.();
      const m = process.memoryUsage();
      heap.push(m.heapUsed); rss.push(m.rss);
    }
  }
  assert.ok(last < first, `${label}: training did not progress (loss ${first} -> ${last})`);
  // from the end of the warm-up decile to the end of the run
  const b = Math.min(baseSample, heap.length - 1);
  const heapGrowth = (heap[heap.length - 1]! - heap[b]!) / MB, rssGrowth = (rss[rss.length - 1]! - rss[b]!) / MB;
  const early = median(times.slice(decile, 2 * decile)), late = median(times.slice(-decile));
  console.log(`# soak: ${label}: ${STEPS} steps, loss ${first.toFixed(4)} -> ${last.toFixed(4)}, heap ${(heap[b]! / MB).toFixed(1)} -> ${(heap[heap.length - 1]! / MB).toFixed(1)} MB (${heapGrowth >= 0 ? '+' : ''}${heapGrowth.toFixed(2)}), rss ${(rss[b]! / MB).toFixed(1)} -> ${(rss[rss.length - 1]! / MB).toFixed(1)} MB (${rssGrowth >= 0 ? '+' : ''}${rssGrowth.toFixed(2)}) from step ${(b + 1) * decile}, rss per decile ${rss.map((r) => (r / MB).toFixed(0)).join(' ')}, median step ${early.toFixed(3)} -> ${late.toFixed(3)} ms${gc ? '' : ' (no --expose-gc: heap sampled without a collection)'}`);
  // bounds: a leak of one 64x64 float32 tensor per step would grow the heap/RSS by ~16 KB/step, 150 MB over 10k steps
  assert.ok(heapGrowth < (gc ? heapBoundMb : 16), `${label}: heap grew by ${heapGrowth.toFixed(2)} MB over ${STEPS} steps`);
  assert.ok(rssGrowth < 32, `${label}: RSS grew by ${rssGrowth.toFixed(2)} MB over ${STEPS} steps`);
  // and the whole climb, warm-up included, stays bounded (a plateau, not a slope)
  const rssTotal = (rss[rss.length - 1]! - rss[0]!) / MB;
  assert.ok(rssTotal < 96, `${label}: RSS grew by ${rssTotal.toFixed(2)} MB from step ${decile} to the end`);
  assert.ok(late <= 1.5 * early + 0.05, `${label}: median step time went from ${early.toFixed(3)} ms to ${late.toFixed(3)} ms`);
}

test(`training soak: flat heap, RSS and step time (portable backend)`, { skip }, () => {
  soakTraining('portable', new torch.CpuBackend());
});

// The loop is synchronous (no await): on native, dropped storages go back inside it (synchronous finalization,
// see docs/backends.md), so this also checks that RSS stays flat without the event loop turning.
test('training soak: flat heap, RSS and step time (native backend)', { skip: skip || (torch.backends.native.isAvailable() ? false : `native backend unavailable: ${torch.backends.native.reason()}`) }, () => {
  // Growth is measured from the second decile: native storages go back at major collections, which V8 starts when
  // the reported external memory has grown by ~64 MB, and freed blocks stay in the addon's allocator cache, so the
  // resident set climbs to a plateau (garbage between collections + the cache) during the first ~2,000 steps of this
  // model and then stays there (measured: 323 MB at step 1,000, 331 at 2,000, 328-331 to step 10,000). Where the
  // plateau is reached varies with collection timing (a fresh-clone CI run: 276 288 302 326 327 327 326 329 326 330 MB
  // per decile, the plateau at step 4,000), so growth is judged over the second half (a leak of 16 KB per step adds
  // 80 MB there) and the whole climb is bounded separately.
  soakTraining('native', new NativeBackend(), 6, 4);
});

test('kill -9 during save, many times: the destination is always one complete checkpoint; no temp files remain', { skip, timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'torchlet-soak-kill-'));
  const f = join(dir, 'ckpt.safetensors');
  // payload k: step k, a tensor of (k % 2 ? 1.5M : 0.5M) float32 elements all equal to k, and a nested structure
  const script = `import * as torch from 'torchlet';
    const f = ${JSON.stringify(f)};
    const big = torch.zeros([1500000]), small = torch.zeros([500000]);
    for (let step = Number(process.argv[1]); ; step++) {
      const w = (step % 2 ? big : small).fill_(step);
      torch.save({ step, w, meta: { lr: 0.1 * step, best: -Infinity, ids: torch.tensor([step, -step], { dtype: 'int64' }) } }, f);
      if (step === Number(process.argv[1])) console.log('saved');
    }`;
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  let step = 1;
  torch.save({ step: 0, w: torch.zeros([500000]), meta: { lr: 0, best: -Infinity, ids: torch.tensor([0, 0], { dtype: 'int64' }) } }, f);
  let leftoversSeen = 0, maxLeftovers = 0;
  const steps: number[] = [];
  for (let k = 0; k < KILLS; k++) {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, String(step)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`the saving child exited with ${code} before its first save`)));
    });
    await new Promise((r) => setTimeout(r, Math.random() * 60)); // a random moment within the next few saves
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const temps = readdirSync(dir).filter((n) => n.endsWith('.tmp'));
    if (temps.length > 0) leftoversSeen++;
    maxLeftovers = Math.max(maxLeftovers, temps.length);
    const ck = torch.load(f);
    const s = ck.step as number;
    assert.ok(Number.isInteger(s) && s >= step, `kill ${k}: loaded step ${s}, expected >= ${step}`);
    assert.equal(ck.w.shape[0], s % 2 ? 1500000 : 500000, `kill ${k}: tensor size of step ${s}`);
    assert.ok(ck.w.min().item() === s && ck.w.max().item() === s, `kill ${k}: tensor of step ${s} holds other values`);
    assert.ok(Object.is(ck.meta.best, -Infinity) && ck.meta.lr === 0.1 * s);
    assert.deepEqual(ck.meta.ids.tolist(), [s, -s]);
    steps.push(s);
    step = s + 1;
  }
  // the next save (here, in this process) removes every temp file of the killed writers
  torch.save({ step, w: torch.zeros([1]), meta: {} }, f);
  const after = readdirSync(dir);
  rmSync(dir, { recursive: true, force: true });
  console.log(`# soak: kill -9 during save: ${KILLS} kills, destination complete every time (steps ${steps[0]}..${steps[steps.length - 1]}), ` +
    `temp files found after ${leftoversSeen} kills (at most ${maxLeftovers} at once), ${after.length - 1} left after the next save`);
  assert.deepEqual(after, ['ckpt.safetensors']);
});
