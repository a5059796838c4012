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
import { makeMlp, median } from './mlp.js';

const turn = () => new Promise<void>((r) => setImmediate(r));

/**
 * Measures `clipGradNorm_`'s share of an MLP training step.
 * @example
 * const { stepMs, clipMs, share } = await clipShare();
 */
export async function clipShare(opts: { steps?: number; warmup?: number; maxNorm?: number } = {}): Promise<{ stepMs: number; clipMs: number; share: number }> {
  const steps = opts.steps ?? 20, warmup = opts.warmup ?? 3, maxNorm = opts.maxNorm ?? 1.0;
  const { params, loss: forward } = makeMlp();
  const opt = new torch.optim.SGD(params, { lr: 0.01, momentum: 0.9 });

  const stepTimes: number[] = [], clipTimes: number[] = [];
  for (let s = 0; s < warmup + steps; s++) {
    const t0 = performance.now();
    opt.zeroGrad();
    const loss = forward();
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
