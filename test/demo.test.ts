/** The demo (`npm run demo`) end to end on a short run: every tip shows in its output and its files are written. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAvailable, reason } from '../src/backend/native/index.js';

const demo = new URL('../examples/demo.js', import.meta.url).pathname;
// The portable backend unless a test asks for another, so these runs do not depend on the addon being built.
const run = (...args: string[]) => spawnSync(process.execPath, [demo, ...(args.includes('--backend') ? [] : ['--backend', 'portable']), ...args],
  { encoding: 'utf8', timeout: 120_000, env: { ...process.env, TORCHLET_BACKEND: '' } });
const nativeSkip = isAvailable() ? false : `native backend unavailable: ${reason()}`;

test('a short demo run shows all nine tips and writes its checkpoint, CSV and SVG', () => {
  const out = mkdtempSync(join(tmpdir(), 'torchlet-demo-'));
  const r = run('--epochs', '2', '--pretrain-epochs', '1', '--unfreeze-epoch', '2', '--min-accuracy', '0', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  const o = r.stdout;
  for (const marker of [
    /running on cpu .*CUDA_VISIBLE_DEVICES/, // 1
    /backend: portable \(TypeScript kernels\)/,
    /Layer \(type:depth-idx\)[\s\S]*Trainable[\s\S]*DigitNet .*Partial[\s\S]*Conv2d: 2-1 .*\(160\) +False/, // 2, frozen counts in parentheses
    /grad norm \d+\.\d+ \(clip 20\)/, // 3
    /unsqueeze\(0\) → \[1, 1, 8, 8\]; predicted \d/, // 4
    /cross-entropy on class indices/, // 5
    /val loss \d+\.\d+ acc \d+\.\d%/, // 6
    /scheduler: StepLR/, // 7
    /name: features\.0\.weight +grad: false/, // 8
    /unfroze 6 feature tensors with opt\.addParamGroup[\s\S]*lr 0\.0500\/0\.00500/, // 9
  ]) assert.match(o, marker);
  for (const f of ['pretrained.safetensors', 'metrics.csv', 'metrics.svg']) assert.ok(existsSync(join(out, f)), f);
  assert.equal(readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n').length, 3);
  assert.match(readFileSync(join(out, 'metrics.svg'), 'utf8'), /^<svg[\s\S]*polyline[\s\S]*<\/svg>\n$/);
});

test('the MSE variant trains on one-hot targets', () => {
  const out = mkdtempSync(join(tmpdir(), 'torchlet-demo-'));
  const r = run('--loss', 'mse', '--epochs', '1', '--pretrain-epochs', '1', '--min-accuracy', '0', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /MSE on one-hot targets/);
});

test('--help lists every option; bad options and devices get a clear message', () => {
  const h = run('--help');
  assert.equal(h.status, 0);
  for (const opt of ['--device', '--epochs', '--loss', '--scheduler', '--max-norm', '--pretrained', '--out']) assert.match(h.stdout, new RegExp(opt));
  const bad = run('--loss', 'hinge');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--loss must be 'ce' or 'mse', got 'hinge'/);
  const unknown = run('--bogus');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /Unknown option '--bogus'/);
  const dev = run('--device', 'cuda:1');
  assert.equal(dev.status, 2);
  assert.match(dev.stderr, /Torch not compiled with CUDA enabled/);
});

test('a short demo run on the native backend trains to the same tips', { skip: nativeSkip }, () => {
  const out = mkdtempSync(join(tmpdir(), 'torchlet-demo-'));
  const r = run('--backend', 'native', '--epochs', '2', '--pretrain-epochs', '1', '--unfreeze-epoch', '2', '--min-accuracy', '0', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /backend: native \(libtorch ATen kernels\)/);
  assert.match(r.stdout, /val loss \d+\.\d+ acc \d+\.\d%/);
  assert.match(r.stdout, /unfroze 6 feature tensors/);
  for (const f of ['pretrained.safetensors', 'metrics.csv', 'metrics.svg']) assert.ok(existsSync(join(out, f)), f);
});

test('--backend: without it the demo uses native when built; bad values and an unavailable native fail clearly', () => {
  const h = spawnSync(process.execPath, [demo, '--help'], { encoding: 'utf8', env: { ...process.env, TORCHLET_BACKEND: '' } });
  assert.equal(h.status, 0);
  assert.match(h.stdout, /--backend +'native' \(libtorch's ATen kernels\) or 'portable'/);
  const bad = run('--backend', 'gpu');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--backend must be 'native' or 'portable', got 'gpu'/);
  // the default: section 1 prints the serving backend before the (here missing) checkpoint stops the run
  const d = spawnSync(process.execPath, [demo, '--pretrained', '/nonexistent/ckpt.safetensors'], { encoding: 'utf8', env: { ...process.env, TORCHLET_BACKEND: '' } });
  assert.match(d.stderr, /--pretrained: no such file/);
  assert.match(d.stdout, isAvailable() ? /backend: native \(libtorch ATen kernels\)/ : /backend: portable \(TypeScript kernels\); native not serving: .*to get it: /);
  if (!isAvailable()) {
    const n = run('--backend', 'native', '--help');
    assert.equal(n.status, 2);
    assert.match(n.stderr, /--backend native: the native backend is unavailable: .*to get it: /);
  }
});
