/**
 * Every ```ts code block in README.md is run here (transpiled with TypeScript, executed with Node against the
 * built package), so the README cannot drift from the library.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import ts from 'typescript';

const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const dir = new URL('dist/readme-blocks/', root);
mkdirSync(dir, { recursive: true });

test('README has code blocks', () => assert.ok(blocks.length >= 5, `found ${blocks.length}`));

blocks.forEach((code, i) => {
  const first = code.split('\n').find((l) => l.trim().length > 0) ?? '';
  test(`README block ${i + 1}: ${first.slice(0, 60)}`, () => {
    const js = ts.transpileModule(code, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const file = new URL(`block${i + 1}.mjs`, dir);
    writeFileSync(file, js);
    execFileSync(process.execPath, [file.pathname], { cwd: root.pathname, stdio: 'pipe', timeout: 120_000 });
  });
});
