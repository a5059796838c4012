/**
 * The async-only test backend itself (src/backend/testing/async_only.ts): it throws on readSync with a message
 * naming the call, counts host transfers by kind, forwards every other method (also optional kernels it does not
 * know about) with storages unwrapped and wrapped, and keeps storage identity (version counters live in the
 * frontend on main, behind bumpVersion/versionOf, so storages carry none).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';
import { asyncOnlyBackend, AsyncOnlyReadError, AsyncOnlyStorage } from '../src/backend/testing/async_only.js';
import type { Backend, Storage } from '../src/backend/types.js';

const contiguous = (n: number) => ({ shape: [n], strides: [1], offset: 0 });

test('readSync throws a clear error; read and fromArray are counted; reset clears', async () => {
  const b = asyncOnlyBackend(torch.getBackend('cpu'));
  const s = b.fromArray('float32', [1, 2, 3]);
  assert.ok(s instanceof AsyncOnlyStorage);
  assert.equal((s as any).data, undefined, 'no typed array is exposed above the backend');
  assert.deepEqual(b.transfers(), { read: 0, fromArray: 1, readSync: 0 });
  assert.throws(() => b.readSync(s, contiguous(3)), (e: Error) => {
    assert.ok(e instanceof AsyncOnlyReadError);
    assert.match(e.message, /^readSync of a float32 storage of 3 elements: this device reads asynchronously and cannot be read synchronously; call `await tensor.array\(\)` or `await tensor.typedArray\(\)` instead$/);
    return true;
  });
  assert.deepEqual(Array.from(await b.read(s, contiguous(3))), [1, 2, 3]);
  assert.deepEqual(b.transfers(), { read: 1, fromArray: 1, readSync: 1 });
  b.resetTransfers();
  assert.deepEqual(b.transfers(), { read: 0, fromArray: 0, readSync: 0 });
});

test('kernels are forwarded with storages unwrapped and results wrapped (identity kept)', async () => {
  const b = asyncOnlyBackend(torch.getBackend('cpu'));
  const x = b.fromArray('float32', [1, -2, 3]);
  const y = b.unary('neg', x, contiguous(3), 'float32');
  assert.ok(y instanceof AsyncOnlyStorage);
  assert.deepEqual(Array.from(await b.read(y, contiguous(3))), [-1, 2, -3]);
  // in place into `out`: the same wrapper comes back
  const r = b.binary('add', x, contiguous(3), y, contiguous(3), 'float32', x, contiguous(3));
  assert.equal(r, x, 'the same storage object for the same inner storage');
  assert.deepEqual(Array.from(await b.read(x, contiguous(3))), [0, 0, 0]);
  assert.equal(b.transfers().fromArray, 1, 'kernels are not transfers');
});

test('optional kernels of the inner backend are forwarded without being listed (arrays of storages too)', async () => {
  const inner = torch.getBackend('cpu');
  // An inner backend with an extra multi-tensor kernel, as the fused optimizer kernels will be.
  const extended = Object.assign(Object.create(inner) as Backend, {
    foreachScale(xs: Storage[], ls: { shape: number[]; strides: number[]; offset: number }[], alpha: number): Storage[] {
      // receives the inner (unwrapped) storages: the CPU kernels would fail on wrappers
      return xs.map((s, i) => inner.binary('mul', s, ls[i]!, inner.fromArray(s.dtype, [alpha]), { shape: ls[i]!.shape, strides: [0], offset: 0 }, s.dtype));
    },
  });
  (extended as any).negAsync = async (s: Storage, l: { shape: number[]; strides: number[]; offset: number }) => inner.unary('neg', s, l, s.dtype);
  const b = asyncOnlyBackend(extended) as typeof extended & ReturnType<typeof asyncOnlyBackend>;
  const a = b.fromArray('float64', [1, 2]), c = b.fromArray('float64', [3]);
  const out = b.foreachScale([a, c], [contiguous(2), contiguous(1)], 10);
  assert.ok(out.every((s) => s instanceof AsyncOnlyStorage));
  assert.deepEqual(Array.from(await b.read(out[0]!, contiguous(2))), [10, 20]);
  assert.deepEqual(Array.from(await b.read(out[1]!, contiguous(1))), [30]);
  assert.equal('foreachScale' in b, true);
  const n = await (b as any).negAsync(a, contiguous(2));
  assert.ok(n instanceof AsyncOnlyStorage, 'storages resolved by an asynchronous kernel are wrapped too');
  assert.deepEqual(Array.from(await b.read(n, contiguous(2))), [-1, -2]);
});

test('recordStacks keeps a short stack per transfer; allowSyncReads serves readSync for diagnostics', () => {
  const b = asyncOnlyBackend(torch.getBackend('cpu'), { recordStacks: true, stackDepth: 3 });
  const s = b.fromArray('int64', [7]);
  const log = b.transferLog();
  assert.equal(log.length, 1);
  assert.equal(log[0]!.kind, 'fromArray');
  assert.equal(log[0]!.dtype, 'int64');
  assert.ok(log[0]!.stack.split('\n').length <= 3 && log[0]!.stack.includes('async_only_backend.test'), log[0]!.stack);
  b.allowSyncReads(true);
  assert.deepEqual(Array.from(b.readSync(s, contiguous(1))), [7]);
  assert.equal(b.transfers().readSync, 1);
  b.allowSyncReads(false);
  assert.throws(() => b.readSync(s, contiguous(1)), AsyncOnlyReadError);
});

test('tensors on the async-only backend: typedArray() and array() work, dataSync()/item() throw', async () => {
  const prev = torch.getBackend('cpu');
  const b = asyncOnlyBackend(prev);
  torch.registerBackend('cpu', b);
  try {
    const t = torch.tensor([1.5, 2.5]).mul(2);
    assert.deepEqual(Array.from(await t.typedArray()), [3, 5]);
    assert.deepEqual(await t.array(), [3, 5]);
    assert.throws(() => t.dataSync(), AsyncOnlyReadError);
    assert.throws(() => t.sum().item(), /cannot be read synchronously; call `await tensor.array\(\)` or `await tensor.typedArray\(\)` instead/);
    assert.equal(b.transfers().read, 2); // typedArray() and array(): one read each
  } finally {
    torch.registerBackend('cpu', prev);
  }
});
