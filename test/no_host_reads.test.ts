/**
 * "No typed arrays above the backend" (issue 9): library code outside `src/backend/` must not import a concrete
 * backend (`backend/cpu/`, `CpuStorage`, `cpuAllocator`) nor read values to the host synchronously (`readSync(`,
 * `.dataSync(`, `.tolist(`, `.item(`), except in the user-facing readers of the allow-list below. The test greps
 * the sources (comments excluded) and names every offending file:line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(ROOT, 'src');

const PATTERNS: [RegExp, string][] = [
  [/backend\/cpu\//, 'imports the CPU backend'],
  [/from '[^']*backend\/(?!types\.js)[a-z]+\//, 'imports a concrete backend'],
  [/\bCpuStorage\b/, 'uses CpuStorage'],
  [/\bcpuAllocator\b/, 'uses cpuAllocator'],
  [/\breadSync\(/, 'reads synchronously (readSync)'],
  [/\.dataSync\(/, 'reads synchronously (dataSync)'],
  [/\.tolist\(/, 'reads synchronously (tolist)'],
  [/\.item\(/, 'reads synchronously (item)'],
];

/**
 * Allowed sites: a file and a fragment of the line (not a line number, which drifts), with the reason. These are
 * the readers a user calls on purpose, where PyTorch synchronises too.
 */
const ALLOW: { file: string; line: string; why: string }[] = [
  { file: 'src/index.ts', line: "import { CpuBackend } from './backend/cpu/cpu.js'", why: 'registers the default backend' },
  { file: 'src/tensor.ts', line: 'return this.dataSync()[0]!', why: 'Tensor.item' },
  { file: 'src/tensor.ts', line: "return nestValues(this.dataSync(), this._shape, this.dtype === 'bool')", why: 'Tensor.tolist' },
  { file: 'src/tensor.ts', line: 'dataSync(): TypedArray { return this._backend.readSync(', why: 'Tensor.dataSync' },
  { file: 'src/ops.ts', line: 'return this.eq(other).all().item() === 1', why: 'Tensor.equal returns a JS boolean (torch.equal)' },
  { file: 'src/ops.ts', line: 'return this.isclose(other, rtol, atol, equalNan).all().item() === 1', why: 'Tensor.allclose returns a JS boolean' },
  { file: 'src/ops.ts', line: 'const v = m.dataSync();', why: 'nonzero/maskedSelect: the output size depends on the values (PyTorch syncs too)' },
  { file: 'src/ops.ts', line: 'const data = t.dataSync();', why: 'format (printing)' },
  { file: 'src/ops.ts', line: 'const vals = x.dataSync();', why: 'torch.tensor(...) of tensors copies user values' },
  { file: 'src/ops.ts', line: '(args[0] as Tensor).dataSync()', why: 'a size given as a tensor' },
  { file: 'src/serialization.ts', line: 'const data = t.dataSync();', why: 'torch.save writes the bytes' },
  { file: 'src/optim/lr_scheduler.ts', line: 'metrics instanceof Tensor ? metrics.item()', why: "ReduceLROnPlateau's metric (the user's value)" },
  { file: 'src/autograd/gradcheck.ts', line: '', why: 'gradcheck is a user-facing numerical check on the host' },
  { file: 'src/optim/lbfgs.ts', line: 'function host(t: Tensor): number { return t.item(); }', why: "L-BFGS decides on the host by nature (PyTorch's float(closure()), `if ys > 1e-10`, line-search comparisons): every read goes through host()" },
  { file: 'src/index.ts', line: "import { MetaBackend } from './backend/meta/meta.js'", why: 'registers the meta device' },
  { file: 'src/index.ts', line: "import * as nativeMod from './backend/native/index.js'", why: 'selects the native backend for cpu when asked, and wires torch.cuda to it' },
  { file: 'src/index.ts', line: "export { MetaBackend, MetaStorage } from './backend/meta/meta.js'", why: 'the composition root re-exports the meta backend' },
  { file: 'src/index.ts', line: "export * as backends from './backend/native/backends.js'", why: 'torch.backends.native' },
  { file: 'src/index.ts', line: "export { CpuBackend, cpuAllocator } from './backend/cpu/cpu.js'", why: 'the composition root re-exports the default backend for users who construct or tune it' },
  { file: 'src/tensor.ts', line: "'Tensor.item() cannot be called on meta tensors'", why: "Tensor.item's meta message (a string, not a read)" },
  { file: 'src/nn/functional.ts', line: 'const v = tensor.dataSync();', why: 'oneHot with numClasses = -1 infers the class count from the largest label (PyTorch reads it too); with numClasses given the scatter kernel checks' },
  { file: 'src/nn/utils.ts', line: 'errorIfNonfinite && !Number.isFinite(total.item())', why: 'errorIfNonfinite: the one read PyTorch makes too, only when asked' },
  { file: 'src/ops.ts', line: "isMeta(value) || isMeta(this) ? 0 : value.item()", why: 'fill_ with a 0-dim value tensor on another device (a CPU scalar, as PyTorch reads it); same-device values are copied on the device' },
  { file: 'src/ops.ts', line: 'drawSamples(vals, dist, g, p === undefined ? undefined : p.expand(t._shape).dataSync())', why: 'random fills on a backend without the random kernel: the documented host-draw fallback' },
  { file: 'src/ops.ts', line: 'backend.fromArray(dt, src._backend.readSync(src._s, src.layout))', why: 'a move between devices without a transfer hook goes through the host' },
  { file: 'src/optim/_common.ts', line: 'const value = t.item();', why: 'a step counter the user wrote (the optimizer and torch.load keep their values known on the host)' },
  { file: 'src/utils/data/dataset.ts', line: 'indices instanceof Tensor ? Array.from(indices.reshape([-1]).dataSync())', why: 'Subset indices given as a tensor (user data, read once)' },
  { file: 'src/utils/data/sampler.ts', line: 'indices instanceof Tensor ? Array.from(indices.reshape([-1]).dataSync())', why: 'sampler indices given as a tensor (user data, read once)' },
  { file: 'src/utils/data/sampler.ts', line: 'weights instanceof Tensor ? weights.dataSync() : weights', why: 'sampler weights given as a tensor (user data, read once)' },
  { file: 'src/nn/utils/rnn.ts', line: 'return Array.from(t.reshape([-1]).dataSync(), Number);', why: 'sequence lengths / batch_sizes given as a tensor: host values PyTorch requires on the CPU and reads too' },
];

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { if (p !== join(SRC, 'backend')) out.push(...sources(p)); } else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** The code of a line without its comment parts (whole-line comments, trailing `//`, one-line `/* ... *\/`). */
function code(line: string, inBlock: { v: boolean }): string {
  let s = line;
  if (inBlock.v) { const e = s.indexOf('*/'); if (e < 0) return ''; s = s.slice(e + 2); inBlock.v = false; }
  s = s.replace(/\/\*.*?\*\//g, '');
  const b = s.indexOf('/*');
  if (b >= 0) { inBlock.v = true; s = s.slice(0, b); }
  const c = s.indexOf('//');
  return c >= 0 && !/['"`][^'"`]*\/\//.test(s.slice(0, c + 2)) ? s.slice(0, c) : s;
}

/** Every offending `file:line: what: code` outside the allow-list. */
export function offenders(): string[] {
  const found: string[] = [];
  for (const file of sources(SRC)) {
    const rel = relative(ROOT, file).split('\\').join('/');
    const inBlock = { v: false };
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      const c = code(line, inBlock);
      for (const [re, what] of PATTERNS) {
        if (!re.test(c)) continue;
        // an entry for src/ops.ts also covers the files split out of it under src/ops/
        if (ALLOW.some((a) => (a.file === rel || rel.startsWith(a.file.replace(/\.ts$/, '/'))) && c.includes(a.line))) continue;
        found.push(`${rel}:${i + 1}: ${what}: ${line.trim().slice(0, 110)}`);
        break;
      }
    });
  }
  return found;
}

/** Set to a reason to report the check as TODO (with the current list) instead of failing. */
const PENDING: string | false = false;

test('no typed arrays above the backend: no concrete backend imports, no synchronous reads in library code', { todo: PENDING }, (t) => {
  const found = offenders();
  if (found.length > 0) t.diagnostic(`${found.length} offending sites:\n${found.join('\n')}`);
  assert.ok(found.length === 0, `library code touches CPU storage or reads synchronously (${found.length} sites):\n${found.join("\n")}`);
});

test('the grep sees what it should (allow-list entries are live, patterns match)', () => {
  // Every allow-list entry still matches a line: a stale entry would silently allow a future offender.
  const all = sources(SRC).map((f) => ({ rel: relative(ROOT, f).split('\\').join('/'), text: readFileSync(f, 'utf8') }));
  for (const a of ALLOW) {
    const dir = a.file.replace(/\.ts$/, '/');
    const hit = all.some((f) => (f.rel === a.file || f.rel.startsWith(dir)) && f.text.includes(a.line));
    assert.ok(hit, `allow-list entry for ${a.file} no longer matches: ${JSON.stringify(a.line)}`);
  }
  assert.equal(code('  x.item(); // y.tolist()', { v: false }).includes('tolist'), false);
  assert.equal(code(' * @example t.tolist()', { v: true }), '');
  assert.ok(PATTERNS.some(([re]) => re.test('const v = t.dataSync();')));
});
