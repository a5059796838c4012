/**
 * Gradient clipping's share of a training step: an MLP 784-512-256-10 (ReLU, cross-entropy via logSoftmax +
 * gather, batch 128) built from raw tensors, trained with `torch.optim.SGD`, with
 * `torch.nn.utils.clipGradNorm_(params, 1.0)` between backward and the optimizer step. Reports the median time
 * of a whole step (forward + backward + clip + update), the median time of the clipping call within it, and their
 * ratio. Goal: under 5%.
 *
 * Run alone: `node dist/bench/clip.js`; `npm run bench` includes it.
 */
import * as torch from 'torchlet';
import type { Tensor } from 'torchlet';

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
const turn = () => new Promise<void>((r) => setImmediate(r));

/**
 * Measures `clipGradNorm_`'s share of an MLP training step.
 * @example
 * const { stepMs, clipMs, share } = await clipShare();
 */
export async function clipShare(opts: { steps?: number; warmup?: number; maxNorm?: number } = {}): Promise<{ stepMs: number; clipMs: number; share: number }> {
  const steps = opts.steps ?? 20, warmup = opts.warmup ?? 3, maxNorm = opts.maxNorm ?? 1.0;
  torch.manualSeed(0);
  const sizes = [784, 512, 256, 10];
  const params: Tensor[] = [];
  for (let i = 0; i < 3; i++) {
    const bound = 1 / Math.sqrt(sizes[i]!);
    params.push(torch.rand([sizes[i + 1]!, sizes[i]!]).mul(2 * bound).sub(bound).requiresGrad_());
    params.push(torch.rand([sizes[i + 1]!]).mul(2 * bound).sub(bound).requiresGrad_());
  }
  const x = torch.randn([128, 784]);
  const y = torch.randint(0, 10, [128]).view(-1, 1);
  const opt = new torch.optim.SGD(params, { lr: 0.01, momentum: 0.9 });

  const stepTimes: number[] = [], clipTimes: number[] = [];
  for (let s = 0; s < warmup + steps; s++) {
    const t0 = performance.now();
    opt.zeroGrad();
    let h = x;
    for (let i = 0; i < 3; i++) {
      h = h.matmul(params[2 * i]!.t()).add(params[2 * i + 1]!);
      if (i < 2) h = h.relu();
    }
    const loss = h.logSoftmax(1).gather(1, y).mean().neg();
    loss.backward();
    const c0 = performance.now();
    torch.nn.utils.clipGradNorm_(params, maxNorm);
    const c1 = performance.now();
    opt.step();
    loss.item();
    const t1 = performance.now();
    if (s >= warmup) { stepTimes.push(t1 - t0); clipTimes.push(c1 - c0); }
    await turn();
  }
  const stepMs = median(stepTimes), clipMs = median(clipTimes);
  return { stepMs, clipMs, share: clipMs / stepMs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await clipShare();
  console.log(`MLP 784-512-256-10, batch 128: step ${r.stepMs.toFixed(1)} ms, clipGradNorm_ ${r.clipMs.toFixed(3)} ms, share ${(r.share * 100).toFixed(2)}%`);
}
