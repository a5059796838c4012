/**
 * Where a training step's time goes on the native backend: every addon entry point is wrapped with a counter and
 * a timer, then the MLP step and the CNN step (bench/compare.ts) run. Prints, per step, the wall time, the number
 * of addon calls and the time inside them by entry point; the rest is the JavaScript layer (autograd, ops,
 * layouts) and GC. `node dist/bench/profile-native.js [mlp|cnn] [steps]`.
 */
import * as torch from 'torchlet';
import { NativeBackend } from '../src/backend/native/index.js';
import { mlpAdamStep, cnnSgdStep } from './compare.js';

const which = process.argv[2] ?? 'mlp';
const steps = Number(process.argv[3] ?? 50);
const prev = torch.getBackend('cpu');
const nb = prev instanceof NativeBackend ? prev : new NativeBackend();
torch.registerBackend('cpu', nb);
if (process.env['THREADS']) nb.setNumThreads(Number(process.env['THREADS']));
const addon = (nb as any).a as Record<string, unknown>;
const stats = new Map<string, { n: number; ms: number }>();
let counting = false;
for (const [k, v] of Object.entries(addon)) {
  if (typeof v !== 'function') continue;
  const f = v as (...a: unknown[]) => unknown;
  const s = { n: 0, ms: 0 };
  stats.set(k, s);
  addon[k] = (...args: unknown[]) => {
    if (!counting) return f(...args);
    const t0 = performance.now();
    // unary/binary/binaryScalar: counted per op code too (first argument)
    const sub = k === 'unary' || k === 'binary' || k === 'binaryScalar' ? `${k}:${(k === 'unary' ? (addon['unaryOps'] as string[]) : (addon['binaryOps'] as string[]))[args[0] as number]}` : null;
    try { return f(...args); } finally {
      const dt = performance.now() - t0;
      s.n++; s.ms += dt;
      if (sub !== null) { const q = stats.get(sub) ?? { n: 0, ms: 0 }; stats.set(sub, q); q.n++; q.ms += dt; }
    }
  };
}
const step = (which === 'cnn' ? cnnSgdStep : mlpAdamStep)(torch);
for (let i = 0; i < 5; i++) step();
const turn = () => new Promise<void>((r) => setImmediate(r));
const times: number[] = [];
const cpu0 = process.cpuUsage();
counting = true;
for (let i = 0; i < steps; i++) {
  const t0 = performance.now(); step(); times.push(performance.now() - t0);
  await turn();
}
counting = false;
const cpu = process.cpuUsage(cpu0);
times.sort((a, b) => a - b);
let calls = 0, inside = 0;
for (const [k, s] of stats) if (!k.includes(':')) { calls += s.n; inside += s.ms; }
console.log(`${which}: median step ${times[times.length >> 1]!.toFixed(2)} ms, ${(calls / steps).toFixed(0)} addon calls/step, ` +
  `${(inside / steps).toFixed(2)} ms/step inside the addon (timed), CPU time ${((cpu.user + cpu.system) / 1000 / steps).toFixed(2)} ms/step, ` +
  `ATen threads ${nb.getNumThreads()}, load ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`);
for (const [k, s] of [...stats.entries()].filter(([, s]) => s.n > 0).sort((a, b) => b[1].ms - a[1].ms)) {
  console.log(`  ${k.padEnd(22)} ${(s.n / steps).toFixed(1).padStart(6)} calls/step ${(s.ms / steps).toFixed(3).padStart(8)} ms/step ${((s.ms / s.n) * 1000).toFixed(1).padStart(8)} µs/call`);
}
