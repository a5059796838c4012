// Grad-mode overhead on the hot path: µs per tiny op outside/inside scopes, and per sync noGrad call.
// Usage: npm run build && node scripts/bench_grad_mode.mjs   (median of 7 runs of N ops each)
import * as torch from '../dist/src/index.js';

const N = 200_000;
const a = torch.tensor([1, 2, 3, 4]), b = torch.tensor([5, 6, 7, 8]);
const w = torch.tensor([1, 2, 3, 4], { requiresGrad: true });
function time(fn) {
  const runs = [];
  for (let r = 0; r < 7; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) fn();
    runs.push(Number(process.hrtime.bigint() - t0) / 1e3 / N);
  }
  return runs.sort((x, y) => x - y)[3].toFixed(3);
}
for (let i = 0; i < N; i++) a.add(b); // warm up
const out = {
  'add, no grad needed (us/op)': time(() => a.add(b)),
  'add, recorded (us/op)': time(() => w.add(b)),
  'noGrad(() => add) (us/call)': time(() => torch.noGrad(() => w.add(b))),
  'isGradEnabled (us/call)': time(() => torch.isGradEnabled()),
};
out['add inside an async noGrad scope (us/op)'] = await torch.noGrad(async () => { await null; return time(() => w.add(b)); });
const t0 = process.hrtime.bigint();
for (let i = 0; i < N; i++) await torch.noGrad(async () => { await null; });
out['await noGrad(async) (us/call)'] = (Number(process.hrtime.bigint() - t0) / 1e3 / N).toFixed(3);
console.log(JSON.stringify(out, null, 1));
