/**
 * torch.cuda with a CUDA backend registered (CPU kernels standing in for the GPU, with the optional hooks a CUDA
 * backend provides): device selection moves index-less `'cuda'` to the current device, invalid ordinals fail,
 * names/properties/memory counters/synchronize/seeding reach the backend of the right device. Own process, since it
 * registers `cuda`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';

const calls: string[] = [];
class FakeCuda extends torch.CpuBackend {
  constructor(readonly idx: number) { super(); }
  deviceName(): string { return `Fake GPU ${this.idx}`; }
  deviceProperties() { return { name: `Fake GPU ${this.idx}`, major: 9, minor: 0, totalMemory: 1 << 30, multiProcessorCount: 132 }; }
  memoryAllocated(): number { return 100 + this.idx; }
  maxMemoryAllocated(): number { return 200 + this.idx; }
  memoryReserved(): number { return 300 + this.idx; }
  emptyCache(): void { calls.push(`emptyCache:${this.idx}`); }
  synchronize(): void { calls.push(`synchronize:${this.idx}`); }
  manualSeed(seed: number): void { calls.push(`seed:${this.idx}:${seed}`); }
}
torch.registerBackend('cuda', (i) => new FakeCuda(i), { deviceCount: 2 });

test('a registered CUDA backend makes torch.cuda answer from it', () => {
  assert.equal(torch.cuda.isAvailable(), true);
  assert.equal(torch.cuda.deviceCount(), 2);
  assert.equal(torch.cuda.unavailableReason(), null);
  assert.equal(torch.cuda.currentDevice(), 0);
  assert.equal(torch.cuda.getDeviceName(), 'Fake GPU 0');
  assert.equal(torch.cuda.getDeviceName(1), 'Fake GPU 1');
  assert.deepEqual(torch.cuda.getDeviceProperties(1), { name: 'Fake GPU 1', major: 9, minor: 0, totalMemory: 1 << 30, multiProcessorCount: 132 });
  assert.equal(torch.cuda.memoryAllocated(1), 101);
  assert.equal(torch.cuda.maxMemoryAllocated(), 200);
  assert.equal(torch.cuda.memoryReserved(1), 301);
  assert.throws(() => torch.cuda.getDeviceName(2), /torch\.cuda\.getDeviceName\(2\): CUDA error: invalid device ordinal \(2 visible device\(s\)\)/);
  assert.throws(() => torch.cuda.setDevice(5), /invalid device ordinal/);
});

test('setDevice makes index-less cuda mean the current device; seeding and syncing reach each device', () => {
  assert.equal(torch.zeros([2], { device: 'cuda' }).device.toString(), 'cuda:0');
  torch.cuda.setDevice(1);
  assert.equal(torch.cuda.currentDevice(), 1);
  assert.equal(torch.zeros([2], { device: 'cuda' }).device.toString(), 'cuda:1');
  assert.equal(torch.cuda.getDeviceName(), 'Fake GPU 1');
  assert.equal(torch.cuda.memoryAllocated(), 101);
  torch.cuda.synchronize();
  torch.cuda.manualSeedAll(7);
  torch.cuda.emptyCache();
  assert.deepEqual(calls, ['synchronize:1', 'seed:0:7', 'seed:1:7', 'emptyCache:0', 'emptyCache:1']);
  torch.cuda.setDevice(0);
  assert.equal(torch.zeros([1], { device: 'cuda' }).device.toString(), 'cuda:0');
});
