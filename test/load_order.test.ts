/**
 * Load order: every module of the library can be the FIRST one a program imports. `tensor.ts`, the op modules,
 * `autograd/rules.ts` and `nn/_kernels.ts` import each other (a cycle), which is only safe while no module does
 * load-time work that needs another module of the cycle (see `src/ops/registry.ts`); importing `ops.js` first
 * used to throw "Cannot access 'TensorOps' before initialization". Each module is imported in a fresh process
 * (modules are evaluated once per process, so one process cannot test two orders), then the library is used:
 * an op, a view, a reduction and a backward, which touch the methods installed on `Tensor.prototype` and the
 * rule table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join, relative } from 'node:path';

const srcDir = fileURLToPath(new URL('../src/', import.meta.url));
const rootDir = fileURLToPath(new URL('../../', import.meta.url));
const indexUrl = new URL('../src/index.js', import.meta.url).href;

function jsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...jsFiles(p));
    else if (e.name.endsWith('.js')) out.push(p);
  }
  return out.sort();
}

/** After the first import: the public API works (an op, a view, a reduction, a backward through recorded rules). */
const USE = `
const torch = await import(${JSON.stringify(indexUrl)});
const x = torch.tensor([[1, 2], [3, 4]], { requiresGrad: true });
const y = x.mul(2).t().reshape([-1]).softmax(0).sum();
y.backward();
if (x.grad === null || x.grad.shape.join() !== '2,2') throw new Error('no gradient');
if (torch.ones([3]).add(1).sum().item() !== 6) throw new Error('wrong value');
`;

interface Result { name: string; code: number | null; stderr: string }

function run(name: string, firstImport: string): Promise<Result> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(firstImport)});\n${USE}`],
      { cwd: rootDir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('close', (code) => resolve({ name, code, stderr }));
  });
}

/** Runs the jobs `width` at a time (a process each: about 0.1 s of startup and loading, so batches keep it short). */
async function inBatches(jobs: (() => Promise<Result>)[], width: number): Promise<Result[]> {
  const results: Result[] = [];
  let next = 0;
  const worker = async () => { while (next < jobs.length) results.push(await jobs[next++]!()); };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

test('every module under dist/src can be imported first, then the library works', async () => {
  const files = jsFiles(srcDir);
  assert.ok(files.length > 50, `expected the compiled library under ${srcDir}, found ${files.length} files`);
  for (const must of ['ops.js', 'tensor.js', join('autograd', 'rules.js'), join('autograd', 'engine.js'), join('nn', 'functional.js'), join('nn', '_kernels.js')]) {
    assert.ok(files.includes(join(srcDir, must)), `missing ${must}`);
  }
  const jobs = files.map((f) => () => run(relative(srcDir, f), new URL(`file://${f}`).href));
  // the package's own name, as users import it (resolved through package.json's `exports`)
  jobs.push(() => run("import * as torch from 'torchlet'", 'torchlet'));
  const results = await inBatches(jobs, Math.max(2, Math.min(16, availableParallelism())));
  const failed = results.filter((r) => r.code !== 0);
  assert.equal(results.length, files.length + 1);
  assert.deepEqual(failed.map((r) => `${r.name}: ${r.stderr.split('\n').find((l) => /Error/.test(l)) ?? r.stderr}`), []);
});
