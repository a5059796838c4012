/**
 * No host reads in ops: the integer checks, index_select's bounds check and fill_ with a tensor value run on the
 * backend (the kernel throws PyTorch's message), so the training path never calls readSync.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';
import { Tensor, fromStorage } from '../src/tensor.js';
import { CpuBackend } from '../src/backend/cpu/cpu.js';
import type { DType } from '../src/dtype.js';

class ReadCountingBackend extends CpuBackend {
  reads = 0;
  override readSync(...args: Parameters<CpuBackend['readSync']>) { this.reads++; return super.readSync(...args); }
}

function on(b: CpuBackend, dtype: DType, values: number[], shape = [values.length]): Tensor {
  return fromStorage(b.fromArray(dtype, values), shape, b);
}

test('integer pow and division checks are made by the kernel, with PyTorch\'s messages', () => {
  const b = new ReadCountingBackend();
  const i = on(b, 'int64', [1, 2, 3]);
  assert.throws(() => i.pow(on(b, 'int64', [1, -1, 2])), /Integers to negative integer powers are not allowed\./);
  assert.throws(() => i.floorDivide(on(b, 'int64', [1, 0, 2])), /ZeroDivisionError/);
  assert.throws(() => i.remainder(on(b, 'int64', [0, 1, 2])), /ZeroDivisionError/);
  assert.throws(() => i.fmod(on(b, 'int64', [2, 2, 0])), /ZeroDivisionError/);
  assert.throws(() => i.clone().pow_(on(b, 'int64', [-2, 1, 1])), /Integers to negative integer powers/);
  const ok = i.pow(on(b, 'int64', [2, 0, 1])).add(i.floorDivide(on(b, 'int64', [1, 2, 2]))).add(i.remainder(on(b, 'int64', [1, 2, 2])));
  assert.equal(b.reads, 0, 'no host read while checking');
  assert.deepEqual(ok.tolist(), [2, 2, 5]);
  // floats are unaffected: 0-division gives inf/nan, negative powers are fine
  assert.deepEqual(torch.tensor([2.0]).pow(torch.tensor([-1.0])).tolist(), [0.5]);
  assert.deepEqual(torch.tensor([1.0]).floorDivide(torch.tensor([0.0])).tolist(), [Infinity]);
});

test('indexSelect / embedding bounds come from the gather kernel: "index out of range in self", no host read', () => {
  const b = new ReadCountingBackend();
  const w = on(b, 'float32', Array.from({ length: 12 }, (_, k) => k), [4, 3]).requiresGrad_();
  const idx = on(b, 'int64', [3, 0, 3]);
  const out = w.indexSelect(0, idx);
  const e = torch.nn.functional.embedding(idx, w);
  const loss = out.sum().add(e.sum());
  loss.backward(on(b, 'float32', [1], []));
  assert.equal(b.reads, 0, 'no host read on the embedding path');
  assert.deepEqual(w.grad!.tolist(), [[2, 2, 2], [0, 0, 0], [0, 0, 0], [4, 4, 4]]);
  assert.throws(() => w.indexSelect(0, on(b, 'int64', [4])), /^RangeError: index out of range in self$/);
  assert.throws(() => w.indexSelect(0, on(b, 'int64', [-1])), /index out of range in self/);
  assert.throws(() => torch.nn.functional.embedding(torch.tensor([0, 7], { dtype: 'int64' }), torch.ones([4, 2])), /index out of range in self/);
  // flip and cumsum's backward go through indexSelect too
  const x = on(b, 'float32', [1, 2, 3]).requiresGrad_();
  const r = x.flip([0]).cumsum(0).sum();
  const reads = b.reads;
  r.backward(on(b, 'float32', [1], []));
  assert.equal(b.reads, reads);
  assert.deepEqual(x.grad!.tolist(), [1, 2, 3]); // sum(cumsum(flip(x))) = x0 + 2·x1 + 3·x2
});

test('fill_ with a 0-dim tensor value copies on the device, also under autograd', () => {
  const b = new ReadCountingBackend();
  const t = on(b, 'float32', [1, 2, 3, 4], [2, 2]);
  t.fill_(on(b, 'float64', [2.5], []));
  assert.equal(b.reads, 0);
  assert.deepEqual(t.tolist(), [[2.5, 2.5], [2.5, 2.5]]);
  t.t().fill_(on(b, 'int64', [7], []));
  assert.deepEqual(t.tolist(), [[7, 7], [7, 7]]);
  assert.throws(() => t.fill_(torch.ones([2])), /fill_ only supports 0-dimension value tensor but got tensor with 1 dimensions/);
  const x = torch.tensor([1, 2, 3], { requiresGrad: true });
  const y = x.mul(2);
  y.fill_(torch.tensor(5));
  y.sum().backward();
  assert.deepEqual(y.tolist(), [5, 5, 5]);
  assert.deepEqual(x.grad!.tolist(), [0, 0, 0]);
});
