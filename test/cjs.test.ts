/**
 * CommonJS consumers: `require('torchlet')` loads the ES module on Node.js versions that can require ES modules
 * (the "module-sync" export condition), and otherwise fails with a message saying the package is ESM (the
 * "require" condition's stub). Run from a temporary directory whose node_modules/torchlet is this built package.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function withPackage(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'torchlet-cjs-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'torchlet'), 'dir');
    writeFileSync(join(dir, 'main.cjs'), "const torch = require('torchlet');\n"
      + "const m = new torch.nn.Linear(2, 1);\n"
      + "console.log(JSON.stringify([torch.tensor([1, 2]).sum().item(), m(torch.ones([3, 2])).shape]));\n");
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('require("torchlet") works where Node.js can require ES modules', { skip: !(process.features as any).require_module && 'this Node.js cannot require ES modules' }, () => {
  withPackage((dir) => {
    const out = execFileSync(process.execPath, ['main.cjs'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.deepEqual(JSON.parse(out.trim()), [3, [3, 1]]);
  });
});

test('require("torchlet") without require(esm) fails saying the package is ESM', () => {
  withPackage((dir) => {
    const r = spawnSync(process.execPath, ['--no-experimental-require-module', 'main.cjs'], { cwd: dir, encoding: 'utf8' });
    if (/bad option/.test(r.stderr)) return; // a Node.js without the flag cannot require ES modules at all: same stub
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /torchlet is an ES module package and this Node\.js \(v[\d.]+\) does not require\(\) ES modules\. Use `import \* as torch from 'torchlet'`/);
    // import keeps working
    const esm = spawnSync(process.execPath, ['--input-type=module', '-e', "import * as t from 'torchlet'; console.log(typeof t.tensor)"], { cwd: dir, encoding: 'utf8' });
    assert.equal(esm.stdout.trim(), 'function');
  });
});
