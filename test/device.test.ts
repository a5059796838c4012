/**
 * Devices: parsing with open device types, one backend instance per device, transfers (`to`, `cpu`, `cuda`,
 * cross-device `copy_`) with autograd flowing back to the source device, PyTorch's mixed-device errors,
 * `module.to` in place, and checkpoints that remember and remap devices. A second device type, `fake`, is the
 * portable CPU backend registered under another name, so every transfer below really changes backend instance.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from 'torchlet';
import type { Backend, Layout, Storage } from 'torchlet';
import { serializeEntries } from '../src/serialization.js';

const { nn } = torch;

/** The CPU backend, counting host reads and uploads so tests can see a transfer happen. */
class CountingBackend extends torch.CpuBackend {
  reads = 0;
  uploads = 0;
  constructor(readonly index: number) { super(); }
  override readSync(s: Storage, l: Layout) { this.reads++; return super.readSync(s, l); }
  override fromArray(dtype: torch.DType, data: ArrayLike<number>) { this.uploads++; return super.fromArray(dtype, data); }
}
const made: number[] = [];
torch.registerBackend('fake', (index) => { made.push(index); return new CountingBackend(index); }, { deviceCount: 3 });
const fake = (i = 0) => torch.getBackend(`fake:${i}`) as CountingBackend;

test('device(): open types, PyTorch errors, canonical tensor devices', () => {
  assert.equal(String(torch.device('fake:2')), 'fake:2');
  assert.equal(String(torch.device('fake', 1)), 'fake:1');
  assert.equal(torch.device('meta').type, 'meta');
  assert.equal(torch.device('cpu', 0).index, null);
  assert.deepEqual(torch.deviceTypes().slice(0, 3), ['cpu', 'cuda', 'meta']);
  assert.ok(torch.deviceTypes().includes('fake'));
  assert.throws(() => torch.device('tpu:0'), { message: `Expected one of ${torch.deviceTypes().join(', ')} device type at start of device string: tpu:0` });
  assert.throws(() => torch.device('cuda', -1), /Device index must not be negative/);
  assert.throws(() => torch.device('cuda:-1'), /Device index must not be negative/);
  assert.throws(() => torch.device('cpu:1'), /CPU device index must be -1 or zero, got 1/);
  assert.throws(() => torch.device('fake:1', 1), /must not include an index because index was passed explicitly/);
  // a tensor's device always carries its index, except on the index-less cpu and meta
  assert.equal(String(torch.zeros([1], { device: 'fake' }).device), 'fake:0');
  assert.equal(String(torch.zeros([1], { device: 'meta' }).device), 'meta');
  assert.equal(torch.zeros([1], { device: 'fake:2' }).getDevice(), 2);
  assert.equal(torch.zeros([1]).getDevice(), -1);
  assert.ok(torch.device('fake').equals(torch.device('fake:0')));
  assert.ok(!torch.device('fake:1').equals(torch.device('fake:0')));
});

test('backends are made per device by the factory, once, and bounded by deviceCount', () => {
  const a = fake(1), b = fake(1), c = fake(2);
  assert.equal(a, b);
  assert.notEqual(a, c);
  assert.equal(a.index, 1);
  assert.equal(c.index, 2);
  assert.equal(made.filter((i) => i === 1).length, 1);
  assert.equal(torch.getBackend('fake'), fake(0));
  assert.throws(() => torch.getBackend('fake:3'), /invalid device ordinal \(device 3, but only 3 fake device\(s\) are available\)/);
  assert.throws(() => torch.zeros([1], { device: 'fake:5' }), /invalid device ordinal/);
  const t = torch.ones([2], { device: 'fake:2' });
  assert.equal(t._backend, c);
  assert.equal(torch.hasBackend('fake'), true);
  assert.equal(torch.hasBackend('cuda'), false);
  assert.equal(torch.cuda.isAvailable(), false);
  assert.equal(torch.cuda.deviceCount(), 0);
});

test('to(): device, dtype, tensor and options forms; self when nothing changes; cpu() and cuda()', () => {
  const x = torch.tensor([[1.5, -2], [3, 4]]);
  assert.equal(x.to('cpu'), x);
  assert.equal(x.to('float32'), x);
  assert.equal(x.to({ device: 'cpu', dtype: 'float32', nonBlocking: true }), x);
  assert.equal(x.cpu(), x);
  assert.notEqual(x.to({ copy: true }), x);
  const reads = fake(1).reads;
  const y = x.to('fake:1');
  assert.equal(String(y.device), 'fake:1');
  assert.equal(y._backend, fake(1));
  assert.notEqual(y._s, x._s);
  assert.deepEqual(y.tolist(), [[1.5, -2], [3, 4]]);
  assert.equal(y.to('fake:1'), y);
  assert.equal(y.to(torch.device('fake', 1)), y);
  const z = y.to('fake:2', 'int64');
  assert.equal(z.dtype, 'int64');
  assert.equal(String(z.device), 'fake:2');
  assert.deepEqual(z.tolist(), [[1, -2], [3, 4]]);
  assert.ok(fake(1).reads > reads, 'a device→device move reads through the source backend');
  const w = x.to(z); // other's device and dtype
  assert.equal(String(w.device), 'fake:2');
  assert.equal(w.dtype, 'int64');
  assert.equal(x.t().to('fake:0').isContiguous(), true);
  assert.deepEqual(x.t().to('fake:0').tolist(), [[1.5, 3], [-2, 4]]);
  const back = y.cpu();
  assert.equal(String(back.device), 'cpu');
  assert.deepEqual(back.tolist(), x.tolist());
  assert.throws(() => x.cuda(), { message: 'Torch not compiled with CUDA enabled' });
  assert.throws(() => x.cuda(1), { message: 'Torch not compiled with CUDA enabled' });
  assert.throws(() => x.to('cuda:0'), { message: 'Torch not compiled with CUDA enabled' });
  assert.equal(String(y), "tensor([[ 1.5000, -2.0000],\n        [ 3.0000,  4.0000]], device='fake:1')");
});

test('copy_ across devices converts and broadcasts, through the backends', () => {
  const dst = torch.zeros([2, 3], { device: 'fake:1' });
  const uploads = fake(1).uploads;
  dst.copy_(torch.tensor([1, 2, 3], { dtype: 'int64' }));
  assert.ok(fake(1).uploads > uploads);
  assert.deepEqual(dst.tolist(), [[1, 2, 3], [1, 2, 3]]);
  const host = torch.zeros([3, 2], { dtype: 'float64' });
  host.t().copy_(dst);
  assert.deepEqual(host.tolist(), [[1, 1], [2, 2], [3, 3]]);
  // fake → fake on another index
  const other = torch.full([2, 3], 7, { device: 'fake:2' });
  other.copy_(dst.mul(2));
  assert.deepEqual(other.tolist(), [[2, 4, 6], [2, 4, 6]]);
});

test('a backend transfer hook replaces the host round trip', () => {
  let hooked = 0;
  class Hooked extends torch.CpuBackend {
    transfer(s: Storage, l: Layout, to: Backend): Storage | undefined {
      hooked++;
      return to.fromArray(s.dtype, this.readSync(s, l)); // a real device would copy device-to-device here
    }
  }
  torch.registerBackend('hooked', () => new Hooked());
  const x = torch.arange(4, { device: 'hooked' });
  const y = x.to('fake:0');
  assert.equal(hooked, 1);
  assert.deepEqual(y.tolist(), [0, 1, 2, 3]);
});

test('autograd through to(device): the gradient flows back to the source device (ToCopyBackward)', () => {
  const x = torch.tensor([1, 2, 3], { requiresGrad: true });
  const y = x.to('fake:1');
  assert.equal(y.gradFn?.name, 'toCopy');
  const loss = y.mul(torch.tensor([1, 10, 100], { device: 'fake:1' })).sum();
  loss.backward();
  assert.equal(String(x.grad!.device), 'cpu');
  assert.deepEqual(x.grad!.tolist(), [1, 10, 100]);
  // the other way, with a dtype change on the way
  const p = torch.tensor([0.5, -1], { device: 'fake:2', requiresGrad: true });
  p.to('cpu', 'float64').pow(2).sum().backward();
  assert.equal(String(p.grad!.device), 'fake:2');
  assert.equal(p.grad!.dtype, 'float32');
  assert.deepEqual(p.grad!.tolist(), [1, -2]);
  // copy_ from another device records the move too
  const src = torch.tensor([3, 4], { requiresGrad: true });
  const dst = torch.zeros([2], { device: 'fake:0' });
  dst.copy_(src);
  dst.mul(dst).sum().backward();
  assert.deepEqual(src.grad!.tolist(), [6, 8]);
});

test('ops mixing devices fail with PyTorch\'s message; 0-dim CPU tensors may join', () => {
  const a = torch.ones([2, 2], { device: 'fake:1' }), c = torch.ones([2, 2]);
  const msg = (x: string, y: string) => ({ message: `Expected all tensors to be on the same device, but found at least two devices, ${x} and ${y}!` });
  assert.throws(() => a.add(c), msg('fake:1', 'cpu'));
  assert.throws(() => c.mul(a), msg('cpu', 'fake:1'));
  assert.throws(() => a.add_(c), msg('fake:1', 'cpu'));
  assert.throws(() => a.matmul(c), msg('fake:1', 'cpu'));
  assert.throws(() => torch.cat([a, c]), msg('fake:1', 'cpu'));
  assert.throws(() => torch.stack([a, torch.ones([2, 2], { device: 'fake:2' })]), msg('fake:1', 'fake:2'));
  assert.throws(() => torch.where(c.gt(0), a, a), msg('cpu', 'fake:1'));
  assert.throws(() => a.gather(1, torch.zeros([2, 1], { dtype: 'int64' })), msg('fake:1', 'cpu'));
  assert.throws(() => a.indexSelect(0, torch.zeros([1], { dtype: 'int64' })), msg('fake:1', 'cpu'));
  assert.throws(() => a.scatter(1, torch.zeros([2, 1], { dtype: 'int64', device: 'fake:1' }), c), msg('fake:1', 'cpu'));
  assert.throws(() => torch.linear(c, a), msg('cpu', 'fake:1'));
  assert.throws(() => a.maskedFill(c.gt(0), 1), msg('fake:1', 'cpu'));
  assert.throws(() => a.copy_(c).add(torch.ones([2], { device: 'fake:2' })), msg('fake:1', 'fake:2'));
  // a 0-dim CPU tensor is a scalar to any device, as in PyTorch's TensorIterator
  const s = torch.tensor(3);
  assert.deepEqual(a.mul(s).tolist(), [[3, 3], [3, 3]]);
  const r = s.sub(a);
  assert.equal(String(r.device), 'fake:1');
  assert.deepEqual(r.tolist(), [[2, 2], [2, 2]]);
  assert.equal(String(torch.where(a.gt(0), s, 0).device), 'fake:1');
  a.add_(s);
  assert.deepEqual(a.tolist(), [[4, 4], [4, 4]]);
  assert.throws(() => s.add_(a), msg('fake:1', 'cpu')); // the output cannot move
  // ... but a 0-dim tensor on another device is not
  assert.throws(() => c.mul(torch.tensor(3, { device: 'fake:1' })), msg('cpu', 'fake:1'));
  // gradient of the scalar comes back to the CPU
  const k = torch.tensor(2, { requiresGrad: true });
  torch.ones([3], { device: 'fake:0' }).mul(k).sum().backward();
  assert.equal(String(k.grad!.device), 'cpu');
  assert.equal(k.grad!.item(), 3);
});

test('module.to moves parameters, buffers and grads in place; optimizers keep working', () => {
  torch.manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.Linear(4, 1));
  const params = model.parameters();
  const opt = new torch.optim.SGD(params, { lr: 0.1, momentum: 0.9 });
  const x = torch.randn([5, 3]);
  model.call(x).sum().backward();
  opt.step();
  const grads = params.map((p) => p.grad!);
  const before = params.map((p) => p.tolist());
  const gradVals = grads.map((g) => g.tolist());
  const ret = model.to('fake:1');
  assert.equal(ret, model);
  model.parameters().forEach((p, i) => {
    assert.equal(p, params[i], 'parameters keep their identity');
    assert.equal(p.grad, grads[i], 'gradients keep their identity');
    assert.equal(String(p.device), 'fake:1');
    assert.equal(String(p.grad!.device), 'fake:1');
    assert.deepEqual(p.tolist(), before[i]);
    assert.deepEqual(p.grad!.tolist(), gradVals[i]);
    assert.ok(p.requiresGrad && p.isLeaf);
  });
  for (const [, b] of model.namedBuffers()) assert.equal(String(b.device), 'fake:1');
  // a training step on the new device; optimizer state made on CPU must be moved by the user as in PyTorch, so
  // start a fresh optimizer
  const opt2 = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
  opt2.zeroGrad();
  const loss = model.call(x.to('fake:1')).pow(2).mean();
  loss.backward();
  opt2.step();
  assert.equal(String(loss.device), 'fake:1');
  assert.throws(() => model.call(x), /Expected all tensors to be on the same device/);
  model.cpu().double();
  for (const p of model.parameters()) { assert.equal(String(p.device), 'cpu'); assert.equal(p.dtype, 'float64'); }
  model.float();
  assert.equal(params[0]!.dtype, 'float32');
  assert.throws(() => model.cuda(), { message: 'Torch not compiled with CUDA enabled' });
  assert.throws(() => model.to('int64'), /only accepts floating point/);
});

test('device/dtype factory options on module constructors', () => {
  const opts = { device: 'fake:2', dtype: 'float64' as const };
  const mods: torch.nn.Module[] = [
    new nn.Linear(3, 4, opts), new nn.Bilinear(2, 3, 4, opts), new nn.Conv1d(2, 3, 3, opts), new nn.Conv2d(2, 3, 3, opts),
    new nn.ConvTranspose1d(2, 3, 3, opts), new nn.ConvTranspose2d(2, 3, 3, opts), new nn.BatchNorm1d(3, opts),
    new nn.BatchNorm2d(3, opts), new nn.LayerNorm(4, opts), new nn.GroupNorm(2, 4, opts), new nn.Embedding(5, 3, opts),
    new nn.MultiheadAttention(8, 2, opts), new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, ...opts }),
  ];
  for (const m of mods) {
    const ts = [...m.parameters(), ...m.buffers()];
    assert.ok(ts.length > 0);
    for (const t of ts) {
      assert.equal(String(t.device), 'fake:2', m.constructor.name);
      if (t.isFloatingPoint()) assert.equal(t.dtype, 'float64', m.constructor.name);
    }
  }
  const y = (mods[0] as torch.nn.Linear).call(torch.randn([2, 3], { device: 'fake:2', dtype: 'float64' }));
  assert.equal(String(y.device), 'fake:2');
});

test('save/load remember devices; mapLocation moves them (device, record, function)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'torchlet-dev-'));
  try {
    const file = join(dir, 'ck.safetensors');
    const a = torch.tensor([1, 2, 3], { device: 'fake:1' });
    const b = torch.tensor([[4, 5]], { dtype: 'int64' });
    const reads = fake(1).reads;
    torch.save({ a, b, step: 3 }, file);
    assert.ok(fake(1).reads > reads, 'save reads device tensors through their backend');
    const same = torch.load(file);
    assert.equal(String(same.a.device), 'fake:1');
    assert.equal(String(same.b.device), 'cpu');
    assert.deepEqual(same.a.tolist(), [1, 2, 3]);
    assert.equal(same.step, 3);
    const cpu = torch.load(file, { mapLocation: 'cpu' });
    assert.equal(String(cpu.a.device), 'cpu');
    assert.deepEqual(cpu.a.tolist(), [1, 2, 3]);
    const rec = torch.load(file, { mapLocation: { 'fake:1': 'fake:2' } });
    assert.equal(String(rec.a.device), 'fake:2');
    assert.equal(String(rec.b.device), 'cpu');
    const seen: string[] = [];
    const fn = torch.load(file, { mapLocation: (t: torch.Tensor, loc: string) => { seen.push(loc); return t.to('meta'); } });
    assert.deepEqual(seen.sort(), ['cpu', 'fake:1']);
    assert.ok(fn.a.isMeta && fn.b.isMeta);
    assert.deepEqual(fn.b.shape, [1, 2]);
    // a model saved from one device loads into a model on another
    const m = new nn.Linear(3, 2, { device: 'fake:1' });
    torch.save(m.stateDict(), file);
    const m2 = new nn.Linear(3, 2);
    m2.loadStateDict(torch.load(file, { mapLocation: torch.device('cpu') }));
    assert.deepEqual(m2.weight.tolist(), m.weight.tolist());
    // a checkpoint from a device this process lacks: PyTorch's message for CUDA, a hint to use mapLocation otherwise
    const bytes = (devs: Record<string, string>) => Buffer.concat(serializeEntries([{ name: 'a', t: torch.ones([2]) }], { format: 'pt', torchlet_devices: JSON.stringify(devs) }));
    assert.throws(() => torch.load(bytes({ a: 'cuda:0' })), /^Error: Attempting to deserialize object on a CUDA device but torch.cuda.is_available\(\) is False/);
    assert.throws(() => torch.load(bytes({ a: 'fake:7' })), /a tensor was saved on 'fake:7', which is not available here \(.*invalid device ordinal.*\); pass mapLocation/);
    assert.deepEqual(torch.load(bytes({ a: 'cuda:0' }), { mapLocation: 'cpu' }).a.tolist(), [1, 1]);
    assert.equal(String(torch.load(bytes({ a: 'fake:2' })).a.device), 'fake:2');
    // tensor names are keys of the device record too: '__proto__' must stay a plain key
    const proto = JSON.parse('{"__proto__": "fake:1"}');
    const pb = Buffer.concat(serializeEntries([{ name: '__proto__', t: torch.ones([1]) }, { name: 'x', t: torch.ones([1]) }], { format: 'pt', torchlet_devices: JSON.stringify(proto) }));
    const loaded = torch.load(pb);
    assert.equal(String(Object.getOwnPropertyDescriptor(loaded, '__proto__')!.value.device), 'fake:1');
    assert.equal(String(loaded.x.device), 'cpu');
    // CPU-only checkpoints carry no device record (byte-identical to the reference writer)
    torch.save({ b }, file);
    assert.equal(String(torch.load(file).b.device), 'cpu');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a full training step on another device gives the CPU\'s values exactly', () => {
  const make = () => new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Dropout(0.1),
    new nn.Flatten(), new nn.Linear(4 * 4 * 4, 10), new nn.LogSoftmax(1));
  const run = (dev: string) => {
    torch.manualSeed(1);
    const m = make().to(dev);
    const opt = new torch.optim.Adam(m.parameters(), { lr: 0.01 });
    const sched = new torch.optim.lrScheduler.StepLR(opt, 1);
    torch.manualSeed(2);
    const x = torch.randn([8, 1, 8, 8]).to(dev), y = torch.randint(0, 10, [8]).to(dev);
    const losses: number[] = [];
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      const l = nn.functional.nllLoss(m.call(x), y);
      l.backward();
      nn.utils.clipGradNorm_(m.parameters(), 1);
      opt.step();
      sched.step();
      assert.equal(String(l.device), dev === 'cpu' ? 'cpu' : dev);
      losses.push(l.item());
    }
    return { losses, params: m.parameters().map((p) => p.cpu().tolist()) };
  };
  assert.deepEqual(run('fake:1'), run('cpu'));
});
