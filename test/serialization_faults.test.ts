/**
 * Checkpoints that cannot lie (issue 11): the whole-file CRC-32 catches every flipped bit of the header and data,
 * files of older torchlet (data-only CRC) still load, stale temp files of interrupted saves are removed once their
 * writer is provably dead, saves follow symlinks / keep permission bits / refuse read-only files, special numbers
 * round-trip and int64 beyond ±2^53 is refused at save time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import * as torch from 'torchlet';
import type { Tensor } from 'torchlet';

const FX = fileURLToPath(new URL('../../test/fixtures/ckpt/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'torchlet-faults-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const sub = (): string => mkdtempSync(join(dir, `${counter++}-`));

/** Deep equality of loaded checkpoints: tensors by dtype, shape and bits; numbers with Object.is. */
function same(a: unknown, b: unknown): boolean {
  if (a instanceof torch.Tensor || b instanceof torch.Tensor) {
    if (!(a instanceof torch.Tensor && b instanceof torch.Tensor)) return false;
    if (a.dtype !== b.dtype || a.shape.join() !== b.shape.join()) return false;
    const x = a.dataSync(), y = b.dataSync();
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  const ka = Object.keys(a), kb = Object.keys(b as object);
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
  return ka.every((k) => same((a as any)[k], (b as any)[k]));
}

test('every single-bit flip of the header and of sampled data bits: an error or an identical load', () => {
  torch.manualSeed(0);
  const model = new torch.nn.Sequential(new torch.nn.Linear(3, 4), new torch.nn.ReLU(), new torch.nn.Linear(4, 2));
  const opt = new torch.optim.Adam(model.parameters(), { lr: 0.01 });
  model.forward(torch.randn([5, 3])).sum().backward();
  opt.step();
  const f = join(sub(), 'ck.safetensors');
  torch.save({ model: model.stateDict(), optimizer: opt.stateDict(), epoch: 3, best: -Infinity }, f);
  const good = readFileSync(f);
  const ref = torch.load(good);
  const headerEnd = 8 + Number(good.readBigUInt64LE(0));
  let errors = 0, identical = 0, bits = 0;
  const flip = (byte: number, bit: number): void => {
    const b = Buffer.from(good);
    b[byte] ^= 1 << bit;
    bits++;
    let back: unknown;
    try {
      back = torch.load(b);
    } catch {
      errors++;
      return;
    }
    assert.ok(same(back, ref), `flipping bit ${bit} of byte ${byte} loaded a different checkpoint`);
    identical++;
  };
  for (let byte = 0; byte < headerEnd; byte++) for (let bit = 0; bit < 8; bit++) flip(byte, bit);
  const headerBits = bits;
  for (let byte = headerEnd; byte < good.length; byte += 7) flip(byte, byte % 8); // one bit in every 7th data byte
  assert.equal(headerBits, headerEnd * 8);
  assert.ok(headerBits > 20000, `the header has ${headerBits} bits`); // 20,160 bits (2,520 bytes) and 47 data bits; see docs/reliability.md
  assert.equal(errors + identical, bits);
  // CRC-32 detects every single-bit error: none loads, not even as "identical"
  assert.equal(errors, bits, `${identical} of ${bits} flips loaded`);
});

test('a file written by torchlet before issue 11 (data-only CRC, version 1) still loads, and its data CRC is checked', () => {
  const f = join(FX, 'torchlet_v1_checkpoint.safetensors');
  const v1 = readFileSync(f);
  assert.ok(v1.includes('"torchlet_crc32":"') && !v1.includes('torchlet_file_crc32'));
  const old = torch.load(f), now = torch.load(join(FX, 'torchlet_checkpoint.safetensors'));
  assert.ok(same(old, now), 'the v1 and v2 fixtures hold the same checkpoint');
  assert.equal(old.epoch, 7);
  const b = Buffer.from(v1);
  b[b.length - 1] ^= 1;
  assert.throws(() => torch.load(b), /tensor data is corrupted: CRC-32 of the data section is [0-9a-f]{8}, the header records [0-9a-f]{8}/);
});

test('a version-2 file that lost its checksum key is refused', () => {
  const f = join(sub(), 'x.safetensors');
  torch.save({ w: torch.ones([2]) }, f);
  const b = readFileSync(f);
  const at = b.indexOf('torchlet_file_crc32');
  b[at] = 'T'.charCodeAt(0); // the key renamed: the description (version 2) still demands it
  assert.throws(() => torch.load(b), /__metadata__\["torchlet_file_crc32"\] is missing from a version-2 torchlet checkpoint/);
});

test('stale temp files of dead writers are removed by the next save and load; live and foreign ones are kept', () => {
  const d = sub();
  const f = join(d, 'm.safetensors');
  torch.save({ w: torch.ones([3]) }, f);
  // a pid that has exited: a finished child's
  const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!;
  const host = (crc32(Buffer.from(hostname(), 'utf8')) >>> 0).toString(16).padStart(8, '0');
  const stale = [`.m.safetensors.${host}-${dead}.0123456789ab.tmp`, `.m.safetensors.${dead}.0123456789ac.tmp`]; // current and pre-tag names
  const keep = [
    `.m.safetensors.${host}-${process.ppid}.0123456789ad.tmp`, // a live pid (our parent)
    `.m.safetensors.ffffffff-${dead}.0123456789ae.tmp`, // another host (maybe a shared filesystem): never proven dead here
    `.other.safetensors.${host}-${dead}.0123456789af.tmp`, // another destination
  ];
  for (const n of [...stale, ...keep]) writeFileSync(join(d, n), 'partial');
  torch.save({ w: torch.zeros([3]) }, f);
  assert.deepEqual(readdirSync(d).sort(), ['m.safetensors', ...keep].sort());
  writeFileSync(join(d, stale[0]!), 'partial');
  torch.load(f);
  assert.deepEqual(readdirSync(d).sort(), ['m.safetensors', ...keep].sort());
});

test('saving onto a symlink writes its target; the link stays a link', () => {
  const d = sub();
  const target = join(d, 'real.safetensors');
  const link = join(d, 'latest.safetensors');
  torch.save({ step: 1 }, target);
  symlinkSync('real.safetensors', link);
  torch.save({ step: 2 }, link);
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.equal(readlinkSync(link), 'real.safetensors');
  assert.equal(torch.load(target).step, 2);
  // a dangling link: the target is created
  const dangling = join(d, 'dangling.safetensors');
  symlinkSync('made.safetensors', dangling);
  torch.save({ step: 3 }, dangling);
  assert.ok(lstatSync(dangling).isSymbolicLink());
  assert.equal(torch.load(join(d, 'made.safetensors')).step, 3);
  assert.deepEqual(readdirSync(d).sort(), ['dangling.safetensors', 'latest.safetensors', 'made.safetensors', 'real.safetensors']);
});

test('saving keeps the destination\'s permission bits', () => {
  const f = join(sub(), 'secret.safetensors');
  torch.save({ w: torch.ones([1]) }, f);
  for (const mode of [0o600, 0o640, 0o604]) {
    chmodSync(f, mode);
    torch.save({ w: torch.zeros([1]) }, f);
    assert.equal(statSync(f).mode & 0o777, mode, `mode ${mode.toString(8)}`);
  }
});

test('a read-only destination is refused as PyTorch does ("File ... cannot be opened."), the file unchanged', () => {
  const d = sub();
  const f = join(d, 'frozen.safetensors');
  torch.save({ step: 1 }, f);
  chmodSync(f, 0o444);
  // as root (these tests' usual user) access(W_OK) always passes: torchlet then checks the mode bits itself
  assert.throws(() => torch.save({ step: 2 }, f), (e: Error) => e.message.startsWith(`File ${f} cannot be opened.`) && /read-only, mode 0444/.test(e.message));
  assert.equal(torch.load(f).step, 1);
  assert.equal(statSync(f).mode & 0o777, 0o444);
  // through a symlink too
  const link = join(d, 'link.safetensors');
  symlinkSync(f, link);
  assert.throws(() => torch.save({ step: 2 }, link), /File .*link\.safetensors cannot be opened\./);
  assert.deepEqual(readdirSync(d).sort(), ['frozen.safetensors', 'link.safetensors']);
  // as a non-root user the OS's answer is used: run the same save as 'nobody' when we are root
  if (process.getuid?.() === 0) {
    const d2 = mkdtempSync(join(tmpdir(), 'torchlet-ro-'));
    chmodSync(d2, 0o777);
    const g = join(d2, 'theirs.safetensors');
    torch.save({ step: 1 }, g);
    chmodSync(g, 0o644); // root's file, writable only by root
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const r = spawnSync(process.execPath, ['--input-type=module', '-e',
      `import * as torch from 'torchlet'; try { torch.save({ step: 2 }, ${JSON.stringify(g)}); console.log('saved'); } catch (e) { console.log(e.message); }`],
    { cwd: root, uid: 65534, gid: 65534, encoding: 'utf8' });
    rmSync(d2, { recursive: true, force: true });
    if (r.status === 0) assert.match(r.stdout, /^File .*theirs\.safetensors cannot be opened\. \(torch\.save: .* is read-only, mode 0644\)/);
    else assert.match(r.stderr, /EACCES|Cannot find|ERR_MODULE_NOT_FOUND/); // 'nobody' cannot read this checkout: nothing to check
  }
});

test('special numbers round-trip everywhere in a checkpoint', () => {
  const f = join(sub(), 'n.safetensors');
  const ck = { best: Infinity, worst: -Infinity, a: NaN, c: -0, list: [NaN, -0, Infinity, 1e308, 5e-324, -Number.MAX_VALUE], nested: { lr: [-Infinity] } };
  torch.save(ck, f);
  assert.ok(same(torch.load(f), ck));
  for (const v of [NaN, -0, Infinity, -Infinity]) {
    torch.save(v as any, f);
    assert.ok(Object.is(torch.load(f), v), String(v));
  }
});

test('int64 beyond ±2^53 is refused at save time, naming the tensor, element and value; nothing is written', () => {
  const d = sub();
  const f = join(d, 'big.safetensors');
  assert.throws(() => torch.save({ x: torch.tensor([1, 2 ** 60], { dtype: 'int64' }) }, f),
    /torch\.save: int64 tensor 'x' holds 1152921504606846976 at element 1, beyond ±2\^53 \(9007199254740992\)/);
  assert.throws(() => torch.save({ opt: { state: { 0: { n: torch.tensor([-(2 ** 54)], { dtype: 'int64' }) } } } }, f),
    /int64 tensor 'opt\.state\.0\.n' holds -18014398509481984 at element 0/);
  assert.equal(existsSync(f), false);
  assert.deepEqual(readdirSync(d), []);
  torch.save({ x: torch.tensor([2 ** 53, -(2 ** 53)], { dtype: 'int64' }) }, f); // the limits themselves load
  assert.deepEqual(torch.load(f).x.tolist(), [2 ** 53, -(2 ** 53)]);
});

test('optimizer loadStateDict checks state shapes against the parameters and names the parameter', () => {
  const make = (shapes: number[][], Opt: any, o: Record<string, unknown>) => {
    const ps = shapes.map((s) => torch.zeros(s).requiresGrad_());
    const opt = new Opt(ps, o);
    for (const p of ps) p.grad = torch.ones(p.shape);
    opt.step();
    return opt;
  };
  const small = make([[3], [2]], torch.optim.Adam, { lr: 0.1 });
  const big = make([[3], [5]], torch.optim.Adam, { lr: 0.1 });
  const before = big.stateDict().state[1].expAvg.tolist();
  assert.throws(() => big.loadStateDict(small.stateDict()),
    (e: Error) => e instanceof RangeError && e.message === "Adam.loadStateDict: state 'expAvg' of parameter 1 (group 0, index 1 in the group) has shape [2], but the parameter has shape [5]");
  assert.deepEqual(big.stateDict().state[1].expAvg.tolist(), before, 'a refused load changes nothing');
  // SGD momentum, two groups: the index within the group is named
  const sgdA = new torch.optim.SGD([{ params: [torch.zeros([4]).requiresGrad_()] }, { params: [torch.zeros([2, 2]).requiresGrad_()] }], { lr: 0.1, momentum: 0.9 });
  const sgdB = new torch.optim.SGD([{ params: [torch.zeros([4]).requiresGrad_()] }, { params: [torch.zeros([4]).requiresGrad_()] }], { lr: 0.1, momentum: 0.9 });
  for (const g of sgdA.paramGroups) for (const p of g.params) p.grad = torch.ones(p.shape);
  sgdA.step();
  assert.throws(() => sgdB.loadStateDict(sgdA.stateDict()), /SGD\.loadStateDict: state 'momentumBuffer' of parameter 1 \(group 1, index 0 in the group\) has shape \[2, 2\], but the parameter has shape \[4\]/);
  // after a checkpoint round trip too (state arrives as tensors read from the file)
  const f = join(sub(), 'opt.safetensors');
  torch.save(small.stateDict() as any, f);
  assert.throws(() => big.loadStateDict(torch.load(f)), /state 'expAvgSq' of parameter 1|state 'expAvg' of parameter 1/);
  // a matching state still loads and training continues to the same values
  const twin = make([[3], [2]], torch.optim.Adam, { lr: 0.1 });
  twin.loadStateDict(small.stateDict());
  assert.deepEqual(twin.stateDict().state[1].expAvg.tolist(), small.stateDict().state[1].expAvg.tolist());
});

test('optimizer state from another optimizer type fails naming both', () => {
  const p = torch.zeros([2]).requiresGrad_();
  const sgd = new torch.optim.SGD([p], { lr: 0.1, momentum: 0.9 });
  p.grad = torch.ones([2]);
  sgd.step();
  const adam = new torch.optim.Adam([p], { lr: 0.1 });
  assert.throws(() => adam.loadStateDict(sgd.stateDict()),
    (e: Error) => e.name === 'KeyError' && e.message === "Adam.loadStateDict: the state dict comes from SGD, not Adam: parameter group 0 has options [dampening, lr, maximize, momentum, nesterov, weightDecay] and lacks Adam's 'betas', 'eps', 'amsgrad', 'decoupledWeightDecay'");
  const rms = new torch.optim.RMSprop([p], { lr: 0.1 });
  assert.throws(() => rms.loadStateDict(adam.stateDict()), /RMSprop\.loadStateDict: the state dict comes from Adam\/AdamW, not RMSprop: .* lacks RMSprop's ('alpha'|'momentum'|'centered'|, )+$/);
  assert.throws(() => adam.loadStateDict({ state: {} } as any), /Adam\.loadStateDict: expected \{ state, paramGroups \} as returned by stateDict\(\), got an object with keys \[state\]/);
  // an older checkpoint of the same type without a later option takes the default, as PyTorch's setdefault
  const sd = adam.stateDict();
  delete (sd.paramGroups[0] as any).decoupledWeightDecay;
  adam.loadStateDict(sd);
  assert.equal(adam.paramGroups[0]!.decoupledWeightDecay, false);
  assert.equal(adam.paramGroups[0]!.lr, 0.1);
});
