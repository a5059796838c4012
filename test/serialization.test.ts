/**
 * torch.save / torch.load (safetensors): round trips of state dicts and checkpoint objects, PyTorch interop both
 * ways with test/fixtures/ckpt (scripts/gen_checkpoint_fixtures.py), the reference byte layout, atomic writes, and a
 * clear error for every kind of truncated or corrupted file.
 *
 * TORCHLET_WRITE_CKPT_FIXTURES=1 rewrites the torchlet-side fixtures (torchlet_*.safetensors), which the python
 * script then checks against PyTorch.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from 'torchlet';
import type { Tensor } from 'torchlet';

const FX = fileURLToPath(new URL('../../test/fixtures/ckpt/', import.meta.url));
const expected = JSON.parse(readFileSync(join(FX, 'pytorch_expected.json'), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'torchlet-ckpt-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const tmp = (name = 'f.safetensors'): string => join(dir, `${counter++}-${name}`);

type Desc = { dtype: string; shape: number[]; values: (number | boolean | string)[] };
const num = (v: number | boolean | string): number => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === 'nan' ? NaN : Number(v));
function fromDesc(d: Desc): Tensor {
  const dtype = d.dtype as 'float32' | 'float64' | 'int64' | 'int32' | 'bool';
  const vals = d.values.map(num);
  return torch.tensor(dtype === 'float32' ? Float32Array.from(vals) : Float64Array.from(vals), { dtype }).reshape(d.shape);
}
function assertTensorEqual(a: Tensor, b: Tensor, what: string): void {
  assert.equal(a.dtype, b.dtype, `${what}: dtype`);
  assert.deepEqual([...a.shape], [...b.shape], `${what}: shape`);
  const x = a.dataSync(), y = b.dataSync();
  for (let i = 0; i < x.length; i++) assert.ok(Object.is(x[i], y[i]) || (x[i] === y[i]), `${what}[${i}]: ${x[i]} vs ${y[i]}`);
}

/** A safetensors file from a header object (written as given) and data bytes. */
function craft(header: unknown, data: Uint8Array = new Uint8Array(0), pad = true): Uint8Array {
  let h = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  if (pad && h.length % 8) h = Buffer.concat([h, Buffer.alloc(8 - (h.length % 8), 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  return Buffer.concat([len, h, data]);
}
function loadError(bytes: Uint8Array, name = 'bad.safetensors'): string {
  const f = tmp(name);
  writeFileSync(f, bytes);
  try {
    torch.load(f);
  } catch (e) {
    const msg = (e as Error).message;
    assert.ok(msg.includes(f), `error should name the file: ${msg}`);
    return msg;
  }
  assert.fail('expected torch.load to throw');
}

describe('round trips', () => {
  test('state dict of every dtype, 0-dim and empty tensors, key order kept', () => {
    const sd: Record<string, Tensor> = {
      'fc.weight': torch.randn([3, 4]),
      'fc.bias': torch.randn([3], { dtype: 'float64' }),
      'bn.num_batches_tracked': torch.tensor(9007199254740992, { dtype: 'int64' }),
      'idx': torch.tensor([-9007199254740992, -1, 0, 5], { dtype: 'int64' }),
      'i32': torch.tensor([2147483647, -2147483648], { dtype: 'int32' }),
      'mask': torch.tensor([true, false, true]),
      'empty': torch.zeros([0, 3]),
      '10': torch.ones([1]),
      'view': torch.arange(12, { dtype: 'float32' }).reshape([3, 4]).t(), // non-contiguous
    };
    const f = tmp();
    torch.save(sd, f);
    const back = torch.load(f) as Record<string, Tensor>;
    assert.deepEqual(Object.keys(back).sort(), Object.keys(sd).sort());
    for (const k of Object.keys(sd)) assertTensorEqual(back[k]!, sd[k]!, k);
    assert.equal(back['fc.weight']!.requiresGrad, false);
  });

  test('checkpoint object: nested structure, special numbers, reserved keys', () => {
    const w = torch.randn([2, 2]).requiresGrad_();
    const ck = {
      model: { 'layer.weight': w, layer: { weight: torch.ones([1]) } },
      optimizer: { state: { 0: { step: torch.tensor(3), expAvg: torch.zeros([2, 2]) } }, paramGroups: [{ lr: 0.01, betas: [0.9, 0.999], params: [0] }] },
      scheduler: { lastEpoch: 4, baseLrs: [0.1], bestScore: -Infinity, nan: NaN, inf: Infinity, negZero: -0, missing: undefined },
      epoch: 4, name: 'run "1"\n', done: false, nothing: null,
      list: [1, [2, torch.tensor([1, 2], { dtype: 'int64' })], { deep: [torch.tensor([true])] }],
      tricky: { __tensor__: 'not a tensor', other: 1 },
    };
    const f = tmp();
    torch.save(ck, f);
    const back = torch.load(f);
    assertTensorEqual(back.model['layer.weight'], w.detach(), 'model.layer.weight');
    assertTensorEqual(back.model.layer.weight, torch.ones([1]), 'model.layer.weight (nested)');
    assertTensorEqual(back.optimizer.state['0'].step, torch.tensor(3), 'step');
    assert.deepEqual(back.optimizer.paramGroups, ck.optimizer.paramGroups);
    assert.equal(back.scheduler.bestScore, -Infinity);
    assert.ok(Number.isNaN(back.scheduler.nan));
    assert.equal(back.scheduler.inf, Infinity);
    assert.ok(Object.is(back.scheduler.negZero, -0));
    assert.ok('missing' in back.scheduler && back.scheduler.missing === undefined);
    assert.equal(back.epoch, 4); assert.equal(back.name, 'run "1"\n'); assert.equal(back.done, false); assert.equal(back.nothing, null);
    assert.equal(back.list[0], 1); assert.equal(back.list[1][0], 2);
    assertTensorEqual(back.list[1][1], (ck.list[1] as any)[1], 'list.1.1');
    assertTensorEqual(back.list[2].deep[0], torch.tensor([true]), 'deep');
    assert.deepEqual(back.tricky, { __tensor__: 'not a tensor', other: 1 });
    // PyTorch-side names: the dotted paths
    const names = Object.keys(JSON.parse(readFileSync(f).subarray(8, 8 + Number(readFileSync(f).readBigUInt64LE(0))).toString()));
    assert.ok(names.includes('model.layer.weight') && names.includes('model.layer.weight#1') && names.includes('optimizer.state.0.expAvg'));
  });

  test('a tensor at the top level, an empty object, load from bytes, mapLocation', () => {
    const f = tmp();
    torch.save(torch.arange(3), f);
    assertTensorEqual(torch.load(f), torch.arange(3), 'top-level tensor');
    assertTensorEqual(torch.load(readFileSync(f)), torch.arange(3), 'from bytes');
    assertTensorEqual(torch.load(f, { mapLocation: 'cpu' }), torch.arange(3), 'mapLocation');
    torch.save({}, f);
    assert.deepEqual(torch.load(f), {});
  });

  test('unsaveable values give clear errors and write nothing', () => {
    const f = tmp();
    assert.throws(() => torch.save({ a: () => 1 } as any, f), /cannot save a value of type Function at 'a'/);
    assert.throws(() => torch.save({ m: new torch.nn.Linear(2, 2) } as any, f), /Linear at 'm' \(save its stateDict\(\) instead\)/);
    assert.throws(() => torch.save({ b: 1n } as any, f), /bigint/);
    const cyc: any = { x: 1 }; cyc.self = cyc;
    assert.throws(() => torch.save(cyc, f), /circular reference at 'self'/);
    assert.equal(existsSync(f), false);
  });

  test('nn modules: stateDict -> save -> load -> loadStateDict', () => {
    torch.manualSeed(1);
    const make = () => new torch.nn.Sequential(new torch.nn.Linear(4, 8), new torch.nn.BatchNorm1d(8), new torch.nn.ReLU(), new torch.nn.Linear(8, 3));
    const a = make(), b = make();
    a.train(); a.forward(torch.randn([16, 4])); a.eval(); b.eval();
    const f = tmp();
    torch.save({ model: a.stateDict(), epoch: 1 }, f);
    b.loadStateDict(torch.load(f).model);
    const x = torch.randn([5, 4]);
    assertTensorEqual(b.forward(x), a.forward(x), 'outputs');
  });
});

test('training resumes exactly from a checkpoint of model, optimizer and scheduler', () => {
  const setup = () => {
    torch.manualSeed(3);
    const model = new torch.nn.Sequential(new torch.nn.Linear(3, 4), new torch.nn.Tanh(), new torch.nn.Linear(4, 1));
    const opt = new torch.optim.Adam(model.parameters(), { lr: 0.01 });
    const sched = new torch.optim.lrScheduler.StepLR(opt, 2, 0.5);
    return { model, opt, sched };
  };
  const x = torch.randn([8, 3]), y = torch.randn([8, 1]);
  const step = (s: ReturnType<typeof setup>) => {
    s.opt.zeroGrad();
    s.model.forward(x).sub(y).pow(2).mean().backward();
    s.opt.step(); s.sched.step();
  };
  const a = setup();
  for (let i = 0; i < 3; i++) step(a);
  const f = tmp();
  torch.save({ model: a.model.stateDict(), optimizer: a.opt.stateDict(), scheduler: a.sched.stateDict(), epoch: 3 }, f);
  const b = setup();
  const ck = torch.load(f);
  b.model.loadStateDict(ck.model); b.opt.loadStateDict(ck.optimizer); b.sched.loadStateDict(ck.scheduler);
  assert.equal(ck.epoch, 3);
  for (let i = 0; i < 3; i++) { step(a); step(b); }
  const pa = a.model.parameters(), pb = b.model.parameters();
  pa.forEach((p: Tensor, i: number) => assertTensorEqual(pb[i]!.detach(), p.detach(), `param ${i}`));
  assert.deepEqual(b.opt.paramGroups.map((g: any) => g.lr), a.opt.paramGroups.map((g: any) => g.lr));
});

test('a tensor named __proto__ stays a key', () => {
  const f = tmp();
  const o: Record<string, Tensor> = {};
  Object.defineProperty(o, '__proto__', { value: torch.ones([1]), enumerable: true });
  torch.save(o, f);
  const back = torch.load(f);
  assert.deepEqual(Object.keys(back), ['__proto__']);
  assert.equal(Object.getPrototypeOf(back), Object.prototype);
});

describe('PyTorch -> torchlet', () => {
  test('a state dict written for safetensors.torch.load_file loads with equal tensors', () => {
    const sd = torch.load(join(FX, 'pytorch_mlp.safetensors')) as Record<string, Tensor>;
    assert.deepEqual(Object.keys(sd), [...expected.mlpKeys].sort());
    for (const [k, d] of Object.entries(expected.mlp as Record<string, Desc>)) assertTensorEqual(sd[k]!, fromDesc(d), k);
    assert.equal(sd['1.num_batches_tracked']!.dtype, 'int64');
    assert.equal(sd['1.num_batches_tracked']!.item(), 3);
  });

  test('the same model in torchlet gives PyTorch\'s outputs', () => {
    const sd = torch.load(join(FX, 'pytorch_mlp.safetensors')) as Record<string, Tensor>;
    const x = fromDesc(expected.input), y = fromDesc(expected.output);
    // raw ops
    let h = torch.linear(x, sd['0.weight']!, sd['0.bias']!);
    h = h.sub(sd['1.running_mean']!).div(sd['1.running_var']!.add(expected.bnEps).sqrt()).mul(sd['1.weight']!).add(sd['1.bias']!).relu();
    const out = torch.linear(h, sd['3.weight']!, sd['3.bias']!);
    assert.ok(torch.allclose(out, y, 1e-5, 1e-6), `raw ops: ${out} vs ${y}`);
    // nn modules
    const model = new torch.nn.Sequential(new torch.nn.Linear(4, 8), new torch.nn.BatchNorm1d(8), new torch.nn.ReLU(), new torch.nn.Linear(8, 3));
    model.loadStateDict(sd);
    model.eval();
    const out2 = torch.noGrad(() => model.forward(x));
    assert.ok(torch.allclose(out2, y, 1e-5, 1e-6), `nn: ${out2} vs ${y}`);
  });

  test('every dtype, inf, subnormals, int64 at +-2^53, 0-dim and empty tensors', () => {
    const sd = torch.load(join(FX, 'pytorch_dtypes.safetensors')) as Record<string, Tensor>;
    for (const [k, d] of Object.entries(expected.dtypes as Record<string, Desc>)) assertTensorEqual(sd[k]!, fromDesc(d), k);
    assert.deepEqual(sd.i64!.tolist().slice(2, 4), [2 ** 53, -(2 ** 53)]);
  });

  test('int64 beyond 2^53 is refused with a clear error', () => {
    const f = join(FX, 'pytorch_i64_overflow.safetensors');
    assert.throws(() => torch.load(f), (e: Error) => e.message.includes(f) && /tensor 'big': I64 element 1 is 9007199254740993, beyond ±2\^53/.test(e.message));
  });
});

describe('torchlet -> PyTorch', () => {
  const writeFixtures = process.env.TORCHLET_WRITE_CKPT_FIXTURES === '1';
  function pytorchTensors(): Record<string, Tensor> {
    return { ...torch.load(join(FX, 'pytorch_mlp.safetensors')), ...torch.load(join(FX, 'pytorch_dtypes.safetensors')) };
  }
  function checkOrWrite(name: string, obj: any): void {
    const f = tmp(name);
    torch.save(obj, f);
    const fixture = join(FX, name);
    if (writeFixtures) writeFileSync(fixture, readFileSync(f));
    assert.ok(existsSync(fixture), `${fixture} is missing: run with TORCHLET_WRITE_CKPT_FIXTURES=1, then scripts/gen_checkpoint_fixtures.py --check`);
    assert.ok(readFileSync(f).equals(readFileSync(fixture)), `${name}: torchlet now writes different bytes than the fixture PyTorch checked`);
  }

  test('a state dict: the bytes PyTorch checked (scripts/gen_checkpoint_fixtures.py --check)', () => {
    checkOrWrite('torchlet_state.safetensors', pytorchTensors());
  });

  test('a checkpoint object: the bytes PyTorch checked', () => {
    const sd = torch.load(join(FX, 'pytorch_mlp.safetensors')) as Record<string, Tensor>;
    checkOrWrite('torchlet_checkpoint.safetensors', {
      model: sd,
      optimizer: { state: { 0: { step: torch.tensor(7), exp_avg: torch.full([8, 4], 0.5) } }, paramGroups: [{ lr: 0.001, betas: [0.9, 0.999], params: [0, 1] }] },
      scheduler: { lastEpoch: 7, baseLrs: [0.001] },
      epoch: 7, note: 'digits', flags: [true, false, null],
    });
  });

  test('reference layout: padded header, __metadata__ first, sorted by dtype then name, contiguous offsets', () => {
    const f = tmp();
    torch.save({ b: torch.ones([2]), a: torch.ones([1], { dtype: 'int32' }), c: torch.ones([1], { dtype: 'int64' }), d: torch.ones([3]), m: torch.tensor([true]) }, f);
    const bytes = readFileSync(f);
    const n = Number(bytes.readBigUInt64LE(0));
    assert.equal(n % 8, 0);
    const text = bytes.subarray(8, 8 + n).toString('utf8');
    assert.ok(text.startsWith('{"__metadata__":{"format":"pt","torchlet":'));
    assert.match(text, /} *$/);
    const header = JSON.parse(text);
    const names = Object.keys(header).filter((k) => k !== '__metadata__');
    assert.deepEqual(names, ['c', 'b', 'd', 'a', 'm']); // I64, F32 (b, d), I32, BOOL
    assert.deepEqual(names.map((k) => header[k].data_offsets), [[0, 8], [8, 16], [16, 28], [28, 32], [32, 33]]);
    assert.equal(bytes.length, 8 + n + 33);
    // int64 written as exact 64-bit integers
    const c = new BigInt64Array(bytes.buffer.slice(bytes.byteOffset + 8 + n, bytes.byteOffset + 8 + n + 8));
    assert.equal(c[0], 1n);
    torch.save({ big: torch.tensor([2 ** 53, -(2 ** 53) + 1], { dtype: 'int64' }) }, f);
    const b2 = readFileSync(f), n2 = Number(b2.readBigUInt64LE(0));
    assert.equal(b2.readBigInt64LE(8 + n2), 9007199254740992n);
    assert.equal(b2.readBigInt64LE(8 + n2 + 8), -9007199254740991n);
  });
});

describe('atomic writes', () => {
  test('no temp files are left behind; a failed save keeps the previous file', () => {
    const sub = mkdtempSync(join(dir, 'atomic-'));
    const f = join(sub, 'model.safetensors');
    torch.save({ w: torch.ones([3]) }, f);
    torch.save({ w: torch.zeros([3]) }, f);
    assert.deepEqual(readdirSync(sub), ['model.safetensors']);
    assert.throws(() => torch.save({ w: torch.ones([3]), bad: Symbol('x') } as any, f), /cannot save/);
    assertTensorEqual(torch.load(f).w, torch.zeros([3]), 'previous file intact');
    assert.throws(() => torch.save({ w: torch.ones([1]) }, join(sub, 'missing-dir', 'x.safetensors')), /torch.save: cannot write '.*x.safetensors': ENOENT/);
    assert.deepEqual(readdirSync(sub), ['model.safetensors']);
  });

  test('a process killed while saving leaves the old or the new checkpoint, never a partial one', async () => {
    const sub = mkdtempSync(join(dir, 'kill-'));
    const f = join(sub, 'ckpt.safetensors');
    torch.save({ step: 0, w: torch.zeros([4]) }, f);
    const script = `import * as torch from 'torchlet';
      const w = torch.randn([2000000]);
      for (let step = 1; ; step++) { torch.save({ step, w }, ${JSON.stringify(f)}); if (step === 1) console.log('saved'); }`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('../../', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    await new Promise((r) => setTimeout(r, 150 + Math.random() * 100));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const ck = torch.load(f);
    assert.ok(ck.step >= 1 && ck.w.shape[0] === 2000000, `loaded step ${ck.step}`);
  });
});

describe('corrupted and truncated files', () => {
  const good = (): Uint8Array => { const f = tmp(); torch.save({ a: torch.arange(4, { dtype: 'float32' }), b: torch.tensor([1, 2], { dtype: 'int64' }) }, f); return readFileSync(f); };
  const f32 = (vals: number[]): Uint8Array => new Uint8Array(Float32Array.from(vals).buffer);

  test('missing file, empty file, fewer than 8 bytes', () => {
    assert.throws(() => torch.load(join(dir, 'nope.safetensors')), /torch.load: cannot read '.*nope.safetensors': ENOENT/);
    assert.match(loadError(new Uint8Array(0)), /has 0 bytes, fewer than the 8-byte header length/);
    assert.match(loadError(new Uint8Array(5)), /has 5 bytes/);
  });

  test('bad header length', () => {
    const b = Buffer.from(good());
    b.writeBigUInt64LE(1n << 40n, 0);
    assert.match(loadError(b), /bad header length 1099511627776: larger than the 100000000-byte limit/);
    const c = Buffer.from(good());
    c.writeBigUInt64LE(BigInt(c.length), 0);
    assert.match(loadError(c), /bad header length \d+: the file has only \d+ bytes after the length field \(truncated\?\)/);
    const g = good();
    assert.match(loadError(g.subarray(0, 40)), /bad header length/);
  });

  test('truncated data section', () => {
    const g = good();
    assert.match(loadError(g.subarray(0, g.length - 3)), /tensor 'a': data_offsets \[16, 32\] are out of range: the data section has 29 bytes \(truncated\?\)/);
  });

  test('header: invalid UTF-8, not starting with {, invalid JSON, not an object', () => {
    assert.match(loadError(craft(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('latin1'))), /(UTF-8|JSON)/);
    const raw = Buffer.concat([Buffer.from([8, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([0x7b, 0xc3, 0x28, 0x7d, 0x20, 0x20, 0x20, 0x20])]);
    assert.match(loadError(raw), /the header is not valid UTF-8/);
    assert.match(loadError(craft('  {"a":1}')), /the header does not start with '\{'/);
    assert.match(loadError(craft('{"a":{"dtype":"F32",')), /the header is invalid JSON/);
    const g = Buffer.from(good());
    g[20] = 0x22; // a stray quote inside the header
    assert.match(loadError(g), /invalid JSON|not an object|__metadata__/);
  });

  test('dtype unknown or unsupported', () => {
    assert.match(loadError(craft({ x: { dtype: 'F17', shape: [1], data_offsets: [0, 4] } }, f32([1]))), /tensor 'x': unknown dtype 'F17'/);
    assert.match(loadError(craft({ x: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, f32([1]))), /tensor 'x': dtype 'F16' is not supported by torchlet \(supported: F32, F64, I64, I32, I16, I8, U8, BOOL\)/);
    assert.match(loadError(craft({ x: { shape: [1], data_offsets: [0, 4] } }, f32([1]))), /tensor 'x': missing or non-string "dtype"/);
  });

  test('shape and byte size disagree; malformed shape / offsets', () => {
    assert.match(loadError(craft({ x: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 20] } }, new Uint8Array(20))),
      /tensor 'x': shape \[2, 3\] with dtype F32 needs 24 bytes but data_offsets \[0, 20\] span 20/);
    assert.match(loadError(craft({ x: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32([1]))), /"shape" must be an array of non-negative integers/);
    assert.match(loadError(craft({ x: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, f32([1]))), /"data_offsets" must be \[begin, end\]/);
  });

  test('offsets out of range, overlapping, leaving gaps; trailing bytes', () => {
    assert.match(loadError(craft({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, f32([1]))), /tensor 'x': data_offsets \[0, 8\] are out of range: the data section has 4 bytes/);
    assert.match(loadError(craft({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, y: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32([1, 2]))),
      /tensor 'y': data_offsets \[4, 8\] overlap tensor 'x' \[0, 8\]/);
    assert.match(loadError(craft({ x: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32([1, 2]))), /leave bytes 0\.\.4 of the data section unused/);
    assert.match(loadError(craft({ x: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32([1, 2]))), /the data section has 4 bytes after the last tensor's data/);
  });

  test('metadata and values', () => {
    assert.match(loadError(craft({ __metadata__: { format: 1 } })), /"__metadata__" value of 'format' is not a string/);
    assert.match(loadError(craft({ __metadata__: { torchlet: '{oops' } })), /__metadata__\["torchlet"\] is invalid JSON/);
    assert.match(loadError(craft({ __metadata__: { torchlet: '{"version":1,"root":{"w":{"__tensor__":"w"}}}' } })),
      /refers to tensor 'w' at root\.w, which the file does not contain/);
    assert.match(loadError(craft({ m: { dtype: 'BOOL', shape: [2], data_offsets: [0, 2] } }, new Uint8Array([1, 2]))), /tensor 'm': BOOL element 1 is byte 2, not 0 or 1/);
  });

  test('a valid hand-made file without padding or metadata still loads', () => {
    const f = tmp();
    writeFileSync(f, craft({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, f32([1.5, -2]), false));
    assertTensorEqual(torch.load(f).x, torch.tensor([1.5, -2]), 'x');
  });
});

test('a flipped bit in tensor data is detected by the whole-file CRC-32 torchlet records', () => {
  const dir = mkdtempSync(join(tmpdir(), 'torchlet-crc-'));
  const file = join(dir, 'm.safetensors');
  const model = new torch.nn.Linear(4, 3);
  torch.save(model.stateDict(), file);
  const bytes = readFileSync(file);
  bytes[bytes.length - 5] ^= 0x40; // inside the last tensor's data
  writeFileSync(file, bytes);
  assert.throws(() => torch.load(file), /the file is corrupted: its CRC-32 is [0-9a-f]{8}, the header records [0-9a-f]{8} \(a flipped bit or a changed byte somewhere in its \d+ bytes\)/);
});
