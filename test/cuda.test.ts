/**
 * torch.cuda and torch.setNumThreads without a GPU: PyTorch's answers on a build without CUDA (false, 0, no-ops),
 * the failures that say what was found and how to get a CUDA-enabled libtorch, and — through a CUDA backend
 * registered from a CPU backend with optional hooks — device selection, the memory counters and seeding.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';
import { isAvailable as nativeAvailable } from '../src/backend/native/index.js';

const NOT_COMPILED = /^Torch not compiled with CUDA enabled\. /;

describe('torch.cuda without a CUDA backend', () => {
  test('answers as PyTorch on a build without CUDA', () => {
    assert.equal(torch.cuda.isAvailable(), false);
    assert.equal(torch.cuda.deviceCount(), 0);
    assert.equal(torch.cuda.memoryAllocated(), 0);
    assert.equal(torch.cuda.memoryAllocated(0), 0);
    assert.equal(torch.cuda.maxMemoryAllocated(), 0);
    assert.equal(torch.cuda.memoryReserved(), 0);
    assert.equal(torch.cuda.emptyCache(), undefined);
    assert.equal(torch.cuda.manualSeedAll(1), undefined);
    assert.equal(torch.cuda.setDevice(-1), undefined); // negative: a no-op, as in PyTorch
    assert.throws(() => torch.cuda.manualSeedAll(1.5), /manualSeedAll\(\): seed must be an integer, got 1.5/);
  });

  test('calls that need a device fail with PyTorch\'s first sentence, what was found and the fix', () => {
    const why = torch.cuda.unavailableReason()!;
    assert.match(why, NOT_COMPILED);
    assert.match(why, /LIBTORCH=\/path\/to\/libtorch npm run build:native/);
    assert.match(why, /CUDA build of PyTorch for python3/);
    if (nativeAvailable()) assert.match(why, /native backend's libtorch.* was built without CUDA \(CPU only\)/);
    else assert.match(why, new RegExp(`native backend \\(libtorch\\) is not available: ${escape(torch.backends.native.reason()!)}`));
    for (const f of [
      () => torch.cuda.currentDevice(), () => torch.cuda.setDevice(0), () => torch.cuda.getDeviceName(0),
      () => torch.cuda.getDeviceName(), () => torch.cuda.getDeviceProperties(0), () => torch.cuda.synchronize(),
    ]) assert.throws(f, { message: why });
  });

  test('visibleDevices parses CUDA_VISIBLE_DEVICES as the CUDA runtime does', () => {
    assert.deepEqual(torch.cuda.visibleDevices({ CUDA_VISIBLE_DEVICES: '0,2' }), [0, 2]);
    assert.deepEqual(torch.cuda.visibleDevices({ CUDA_VISIBLE_DEVICES: '' }), []);
    assert.deepEqual(torch.cuda.visibleDevices({ CUDA_VISIBLE_DEVICES: '1,x,3' }), [1]);
    assert.equal(torch.cuda.visibleDevices({}), null);
  });
});

describe('torch.setNumThreads / getNumThreads', () => {
  test('validates as PyTorch and reaches the serving backend', () => {
    assert.throws(() => torch.setNumThreads(0), /set_num_threads expects a positive integer, got 0/);
    assert.throws(() => torch.setNumThreads(1.5), /set_num_threads expects a positive integer/);
    const b = torch.getBackend('cpu') as any;
    if (typeof b.setNumThreads === 'function') {
      const before = torch.getNumThreads();
      torch.setNumThreads(1);
      assert.equal(torch.getNumThreads(), 1);
      torch.setNumThreads(before);
      assert.equal(torch.getNumThreads(), before);
    } else {
      torch.setNumThreads(4); // the portable backend is single-threaded: accepted, nothing changes
      assert.equal(torch.getNumThreads(), 1);
    }
  });
});

function escape(s: string): string { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }

describe('explainUnavailable: every way CUDA can be missing', () => {
  const base = { cudaBackendDevices: null, nativeReason: null, info: null, libtorch: '1.13.0 from libtorch-dev (/usr)', visible: undefined };
  const fix = /to get a CUDA-enabled libtorch, point LIBTORCH at a CUDA build of libtorch \(LIBTORCH=\/path\/to\/libtorch npm run build:native\), or install a CUDA build of PyTorch for python3/;
  test('no native addon: PyTorch\'s sentence, the addon\'s reason, the fix', () => {
    const m = torch.cuda.explainUnavailable({ ...base, nativeReason: 'the native addon is not built; to get it: apt-get install libtorch-dev && npm run build:native', libtorch: null })!;
    assert.match(m, /^Torch not compiled with CUDA enabled\. torchlet's native backend \(libtorch\) is not available: the native addon is not built; to get it: apt-get install libtorch-dev/);
    assert.match(m, fix);
  });
  test('a libtorch without CUDA (no report, or builtWithCuda false)', () => {
    for (const info of [null, { builtWithCuda: false, available: false, deviceCount: 0 }]) {
      const m = torch.cuda.explainUnavailable({ ...base, info })!;
      assert.match(m, /^Torch not compiled with CUDA enabled\. The native backend's libtorch \(1\.13\.0 from libtorch-dev \(\/usr\)\) was built without CUDA \(CPU only\)/);
      assert.match(m, fix);
    }
  });
  test('CUDA libtorch without driver or device names CUDA_VISIBLE_DEVICES when set', () => {
    const m = torch.cuda.explainUnavailable({ ...base, info: { builtWithCuda: true, available: false, deviceCount: 0 }, visible: '' })!;
    assert.equal(m, "No CUDA GPUs are available: libtorch (1.13.0 from libtorch-dev (/usr)) has CUDA but found no NVIDIA driver or no device (CUDA_VISIBLE_DEVICES='').");
  });
  test('devices but no CUDA backend; a CUDA backend with or without devices', () => {
    assert.match(torch.cuda.explainUnavailable({ ...base, info: { builtWithCuda: true, available: true, deviceCount: 2 } })!, /sees 2 device\(s\), but no CUDA backend is registered/);
    assert.equal(torch.cuda.explainUnavailable({ ...base, cudaBackendDevices: 1 }), null);
    assert.equal(torch.cuda.explainUnavailable({ ...base, cudaBackendDevices: 0, visible: '5' }), "No CUDA GPUs are available: the CUDA backend found no visible device (CUDA_VISIBLE_DEVICES='5').");
  });
});
