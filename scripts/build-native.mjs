#!/usr/bin/env node
/**
 * Builds the native backend (native/, a Node-API addon over libtorch's ATen) when libtorch can be found.
 *
 * Run by `npm install`/`npm ci` (the package's `install` script) and by `npm run build:native`. Without libtorch it
 * prints one line saying why and exits 0, so installing never fails: the portable backend then serves `cpu`. With
 * `--required` (npm run build:native) a missing libtorch or a failed compile exits 1.
 *
 * libtorch is looked for in this order (the first hit is used, a bad explicit setting is not skipped over):
 *   1. `LIBTORCH`: a libtorch directory (include/, lib/), as the Rust crate `tch` accepts;
 *      `LIBTORCH_CXX11_ABI=0|1` overrides the C++ ABI (default 1, as tch);
 *   2. a PyTorch installation found through `python3` (`TORCHLET_PYTHON` overrides), with its C++ ABI flag;
 *   3. Debian's `libtorch-dev` under /usr.
 * `TORCHLET_NATIVE=0` skips the build.
 *
 * The outcome is written to native/build/status.json, which `torch.backends.native.reason()` reads.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');
const buildDir = join(nativeDir, 'build');
const required = process.argv.includes('--required');
const FIX = 'apt-get install libtorch-dev && npm run build:native';

/** Prints one line and records the outcome; `why`/`fix` are what torch.backends.native.reason() reports. */
function finish(ok, message, extra = {}) {
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(join(buildDir, 'status.json'), JSON.stringify({ ok, message, ...extra }, null, 2) + '\n');
  console.log(`torchlet: ${message}`);
  process.exit(ok || !required ? 0 : 1);
}
const notBuilt = (why, fix = FIX, extra = {}) => finish(false, `native backend not built: ${why}; to get it: ${fix}`, { why, fix, ...extra });

const hasTorch = (inc, lib) => existsSync(join(inc, 'ATen', 'ATen.h')) && existsSync(join(lib, 'libtorch_cpu.so'));

/** { source, include: string[], lib: string, abi } or { error } */
function findLibtorch() {
  const env = process.env.LIBTORCH;
  if (env) {
    const inc = join(env, 'include'), lib = join(env, 'lib');
    if (!hasTorch(inc, lib)) return { error: `LIBTORCH=${env} is not a libtorch directory (no include/ATen/ATen.h and lib/libtorch_cpu.so)` };
    return { source: `LIBTORCH=${env}`, include: [inc, join(inc, 'torch', 'csrc', 'api', 'include')], lib, abi: process.env.LIBTORCH_CXX11_ABI ?? '1' };
  }
  const python = process.env.TORCHLET_PYTHON ?? 'python3';
  try {
    const out = execFileSync(python, ['-c',
      'import json, torch, torch.utils.cpp_extension as c\n' +
      'print(json.dumps({"include": c.include_paths(), "lib": c.library_paths(), "abi": int(torch._C._GLIBCXX_USE_CXX11_ABI), "version": torch.__version__}))'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 120_000 });
    const info = JSON.parse(out.trim().split('\n').pop());
    const lib = info.lib.find((d) => existsSync(join(d, 'libtorch_cpu.so')));
    if (lib && info.include.some((d) => existsSync(join(d, 'ATen', 'ATen.h')))) {
      return { source: `PyTorch ${info.version} (${python})`, include: info.include, lib, abi: String(info.abi) };
    }
  } catch { /* no python3 or no torch: try the system */ }
  let multiarch = [];
  try { multiarch = readdirSync('/usr/lib').map((d) => join('/usr/lib', d)).filter((d) => existsSync(join(d, 'libtorch_cpu.so'))); } catch { /* none */ }
  if (existsSync('/usr/include/ATen/ATen.h') && multiarch.length > 0) {
    return { source: 'libtorch-dev (/usr)', include: ['/usr/include', '/usr/include/torch/csrc/api/include'], lib: multiarch[0], abi: '1' };
  }
  return { error: 'libtorch not found (no LIBTORCH, no PyTorch for python3, no libtorch-dev)' };
}

function findNodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  try { candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js')); } catch { /* not installed */ }
  candidates.push(join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((c) => c && existsSync(c));
}

if (process.env.TORCHLET_NATIVE === '0') notBuilt('TORCHLET_NATIVE=0 was set', 'npm run build:native');
const torch = findLibtorch();
if (torch.error) notBuilt(torch.error, process.env.LIBTORCH ? 'point LIBTORCH at a libtorch directory (or unset it), then npm run build:native' : FIX);
try { createRequire(import.meta.url).resolve('node-addon-api'); } catch {
  notBuilt('node-addon-api is not installed', 'npm install --include=optional && npm run build:native');
}
const gyp = findNodeGyp();
if (!gyp) notBuilt('node-gyp not found', 'npm install -g node-gyp && npm run build:native');

// Debian's nodejs ships its headers in /usr/include/node; without --nodedir node-gyp downloads them (fails offline).
const nodeDir = ['/usr', dirname(dirname(process.execPath))].find((d) => existsSync(join(d, 'include', 'node', 'node_api.h')));
const args = [gyp, 'rebuild', ...(nodeDir ? [`--nodedir=${nodeDir}`] : []), `--jobs=max`];
const started = Date.now();
const r = spawnSync(process.execPath, args, {
  cwd: nativeDir, encoding: 'utf8',
  env: {
    ...process.env,
    TORCHLET_TORCH_INCLUDE: torch.include.join(' '),
    TORCHLET_TORCH_LIBDIR: torch.lib,
    TORCHLET_TORCH_CXX11_ABI: torch.abi,
  },
});
const log = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
mkdirSync(buildDir, { recursive: true });
writeFileSync(join(buildDir, 'build.log'), log);
const info = { libtorch: torch.source, include: torch.include, lib: torch.lib, cxx11Abi: torch.abi };
if (r.status !== 0) notBuilt(`compiling against ${torch.source} failed (log: native/build/build.log)`, 'npm run build:native (after fixing the error in the log)', info);
finish(true, `native backend built against ${torch.source} in ${((Date.now() - started) / 1000).toFixed(0)} s`, info);
