/**
 * Every code block in README.md is run here, so the README cannot drift from the library:
 * - ```ts blocks are transpiled with TypeScript and executed with Node against the built package;
 * - ```python blocks (the PyTorch side of each tip) run with Debian's PyTorch (`/usr/bin/python3`) after a small
 *   prelude that defines the names they use (`model`, `net`, `loss`, ...); where PyTorch is not installed (CI) they
 *   are skipped with that reason, and a block needing a package PyTorch does not ship (torchsummary) is skipped
 *   naming it;
 * - the ```sh quick start is what CI itself runs (`.ci/run`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
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

const pyBlocks = [...readme.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]!);
const PY = '/usr/bin/python3';
const hasTorch = spawnSync(PY, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const PRELUDE = `
import torch, torch.nn as nn, torch.nn.functional as F, torch.optim as optim
from torch.optim import lr_scheduler
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(4))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(128, 10))
    def forward(self, x):
        return self.classifier(self.features(x))
net = model = Net()
x = torch.randn(4, 1, 28, 28)
optimizer = optim.SGD(model.parameters(), lr=0.1)
loss = model(x).pow(2).mean()
img = torch.rand(3, 32, 32)
batch_size, class_num, n_epochs = 4, 8, 3
label = torch.tensor([3, 4, 2, 1])
def train(*args):
    pass
`;

test('README has PyTorch blocks for the tips', () => assert.ok(pyBlocks.length >= 9, `found ${pyBlocks.length}`));

pyBlocks.forEach((code, i) => {
  const first = code.split('\n').find((l) => l.trim().length > 0) ?? '';
  const missing = [...code.matchAll(/^from (\w+) import|^import (\w+)/gm)].map((m) => m[1] ?? m[2]!)
    .find((mod) => mod !== 'torch' && spawnSync(PY, ['-c', `import ${mod}`], { stdio: 'ignore' }).status !== 0);
  const skip = !hasTorch ? 'PyTorch (python3-torch) is not installed here' : missing ? `the Python package '${missing}' is not installed here` : false;
  test(`README PyTorch block ${i + 1}: ${first.slice(0, 60)}`, { skip }, () => {
    const r = spawnSync(PY, ['-c', PRELUDE + code], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
  });
});
