/**
 * nn kernel benchmark: conv2d forward+backward and one training step of a small CNN (3x32x32 images, batch 64:
 * conv 3→32 3x3 + ReLU + 2x2 max pool, conv 32→64 3x3 + ReLU + 2x2 max pool, linear 4096→256 + ReLU, linear
 * 256→10, cross entropy, SGD with momentum). Prints median milliseconds (wall and CPU) as JSON.
 *
 * `node dist/bench/nn.js [path/to/dist/src/index.js] [--fallbacks]`: the optional path benchmarks another build
 * (for before/after comparisons, run alternately); `--fallbacks` hides the backend's nn kernels so the primitive
 * fallbacks run.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const args = process.argv.slice(2);
const path = args.find((a) => !a.startsWith('--'));
const torch: typeof import('torchlet') = path ? await import(pathToFileURL(resolve(path)).href) : await import('torchlet');
if (args.includes('--fallbacks')) {
  const b = torch.getBackend('cpu') as any;
  for (const k of Object.getOwnPropertyNames(Object.getPrototypeOf(b))) {
    if (/^(conv2d|maxPool2d|avgPool2d|adaptiveAvgPool2d|softmax|batchNorm|layerNorm|groupNorm|nllLoss|embedding|binaryCrossEntropy)/.test(k)) b[k] = undefined;
  }
}
const { nn } = torch;
const F = nn.functional;

/**
 * Median wall-clock and CPU milliseconds per call. The work is single-threaded, so on a shared, loaded machine the
 * process CPU time (user + system) is the steadier of the two.
 */
function median(fn: () => void, warmup: number, iters: number): { wall: number; cpu: number } {
  for (let i = 0; i < warmup; i++) fn();
  const wall: number[] = [], cpu: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    wall.push(performance.now() - t0); cpu.push((c.user + c.system) / 1000);
  }
  const mid = (a: number[]) => +a.sort((x, y) => x - y)[Math.floor(a.length / 2)]!.toFixed(1);
  return { wall: mid(wall), cpu: mid(cpu) };
}

torch.manualSeed(0);
const x = torch.randn([64, 32, 16, 16], { requiresGrad: true });
const w = torch.randn([64, 32, 3, 3], { requiresGrad: true });
const b = torch.randn([64], { requiresGrad: true });
const convMs = median(() => {
  x.grad = null; w.grad = null; b.grad = null;
  F.conv2d(x, w, b, { padding: 1 }).sum().backward();
}, 2, 7);

class Cnn extends nn.Module {
  c1 = new nn.Conv2d(3, 32, 3, { padding: 1 });
  c2 = new nn.Conv2d(32, 64, 3, { padding: 1 });
  f1 = new nn.Linear(64 * 8 * 8, 256);
  f2 = new nn.Linear(256, 10);
  override forward(t: import('torchlet').Tensor) {
    t = F.maxPool2d(F.relu(this.c1.call(t)), 2);
    t = F.maxPool2d(F.relu(this.c2.call(t)), 2);
    return this.f2.call(F.relu(this.f1.call(t.flatten(1))));
  }
}
const model = new Cnn();
const opt = new torch.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
const imgs = torch.randn([64, 3, 32, 32]);
const labels = torch.randint(0, 10, [64]);
const stepMs = median(() => {
  opt.zeroGrad();
  const loss = F.crossEntropy(model.call(imgs), labels);
  loss.backward();
  opt.step();
}, 2, 5);

console.log(JSON.stringify({ build: path ?? 'this', fallbacks: args.includes('--fallbacks'), conv2dFwdBwdMs: convMs, cnnStepMs: stepMs }));
