/**
 * `npm run bench:compare -- <other build's dist/src/index.js> [label]`: this build of torchlet against another one
 * (for example the commit before a refactor, built in a git worktree), in ONE process, interleaved in rounds, on
 * the training steps that matter: the MLP step with Adam, a CNN step with SGD + momentum, conv2d forward+backward.
 * Medians over rounds; the ratio column is other/this (above 1 means this build is faster). The machine is shared
 * and noisy, so only ratios from one interleaved run mean anything.
 *
 * Writes the table to docs/benchmarks.md between `<!-- compare:start -->` and `<!-- compare:end -->` when
 * `--write` is given.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import * as self from 'torchlet';
import { median } from './mlp.js';

type Torch = typeof self;
const turn = () => new Promise<void>((r) => setImmediate(r));

/** MLP 784-512-256-10, batch 128, cross-entropy, Adam: forward, backward, step. */
export function mlpAdamStep(torch: Torch): () => void {
  const { nn, optim } = torch;
  torch.manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(784, 512), new nn.ReLU(), new nn.Linear(512, 256), new nn.ReLU(), new nn.Linear(256, 10));
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = torch.randn([128, 784]), y = torch.randint(0, 10, [128]);
  return () => {
    const loss = nn.functional.crossEntropy(model.call(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  };
}

/**
 * The CNN of issue 10's benchmark: conv3x3(3→32) ReLU maxpool2, conv3x3(32→64) ReLU maxpool2, linear 64·8·8→256
 * ReLU, linear 256→10; 3×32×32 images at batch 64; SGD with momentum 0.9.
 */
export function cnnSgdStep(torch: Torch): () => void {
  const { nn, optim } = torch;
  torch.manualSeed(0);
  const model = new nn.Sequential(
    new nn.Conv2d(3, 32, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(64 * 8 * 8, 256), new nn.ReLU(), new nn.Linear(256, 10),
  );
  const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = torch.randn([64, 3, 32, 32]), y = torch.randint(0, 10, [64]);
  return () => {
    const loss = nn.functional.crossEntropy(model.call(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  };
}

/** conv2d 64→64, 3×3, padding 1 on [32, 64, 16, 16]: forward and backward (input, weight and bias grads). */
export function conv2dFwdBwd(torch: Torch): () => void {
  torch.manualSeed(0);
  const x = torch.randn([32, 64, 16, 16], { requiresGrad: true });
  const w = torch.randn([64, 64, 3, 3], { requiresGrad: true }), b = torch.randn([64], { requiresGrad: true });
  return () => {
    x.grad = null; w.grad = null; b.grad = null;
    torch.nn.functional.conv2d(x, w, b, { padding: 1 }).sum().backward();
  };
}

async function timeMs(step: () => void, minMs: number, minIters: number): Promise<number> {
  step(); step();
  const times: number[] = [];
  const t0 = performance.now();
  while (times.length < minIters || performance.now() - t0 < minMs) {
    const s = performance.now();
    step();
    times.push(performance.now() - s);
    await turn();
  }
  return median(times);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const write = args.includes('--write');
  const pos = args.filter((a) => !a.startsWith('--'));
  if (pos.length < 1) throw new Error('usage: node dist/bench/compare.js <other dist/src/index.js> [label of the other build] [--write]');
  const other = (await import(pathToFileURL(pos[0]!).href)) as Torch;
  const label = pos[1] ?? 'other build';
  const cases: [string, (t: Torch) => () => void, number][] = [
    ['MLP 784-512-256-10 step, batch 128, Adam (ms)', mlpAdamStep, 1500],
    ['CNN step (conv 32/64, pool, linear 256/10), 3×32×32, batch 64, SGD momentum (ms)', cnnSgdStep, 4000],
    ['conv2d 64→64 3×3 on 32×64×16×16, forward + backward (ms)', conv2dFwdBwd, 2500],
  ];
  const rounds = 3;
  const acc = new Map<string, { self: number[]; other: number[] }>();
  for (let r = 0; r < rounds; r++) {
    for (const [name, make, ms] of cases) {
      const e = acc.get(name) ?? { self: [], other: [] };
      acc.set(name, e);
      // alternate which build goes first in each round
      const order: [Torch, number[]][] = r % 2 === 0 ? [[self, e.self], [other, e.other]] : [[other, e.other], [self, e.self]];
      for (const [t, into] of order) into.push(await timeMs(make(t), ms, 5));
      console.log(`round ${r + 1}: ${name}: this ${e.self.at(-1)!.toFixed(1)}, ${label} ${e.other.at(-1)!.toFixed(1)}`);
    }
  }
  const rows = [`| benchmark | this build | ${label} | ${label} / this |`, '|---|---|---|---|'];
  for (const [name, e] of acc) {
    const a = median(e.self), b = median(e.other);
    rows.push(`| ${name} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(b / a).toFixed(2)}× |`);
  }
  const table = rows.join('\n');
  console.log(table);
  if (write) {
    const url = new URL('../../docs/benchmarks.md', import.meta.url);
    const doc = readFileSync(url, 'utf8');
    const body = `<!-- compare:start -->\nWritten by \`npm run bench:compare\` on ${new Date().toISOString().slice(0, 10)} (${rounds} interleaved rounds, medians, single process):\n\n${table}\n<!-- compare:end -->`;
    const a = doc.indexOf('<!-- compare:start -->'), b = doc.indexOf('<!-- compare:end -->');
    writeFileSync(url, a >= 0 && b > a ? doc.slice(0, a) + body + doc.slice(b + '<!-- compare:end -->'.length) : `${doc}\n${body}\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
}
