/**
 * Memory on the native backend (issue 10, "Memory"), in the default suite; the 10,000-step version is the soak
 * suite (test/soak/soak.test.ts). Skipped with the reason when the addon is not built.
 *
 * - a validation loop under `noGrad` keeps nothing alive past its batch: after each batch (a collection and an
 *   event-loop turn), the bytes of live native storages are back to the level before the loop, exactly;
 * - the same loop run synchronously (no await, no explicit collection) stays bounded: dropped storages go back
 *   inside the loop (external-memory reports make V8 collect; synchronous finalization frees them);
 * - a short synchronous training loop keeps RSS and native bytes flat.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isAvailable, reason, NativeBackend, finalizerSweep } from '../../src/backend/native/index.js';

const skip = isAvailable() ? false : `native backend unavailable: ${reason()}`;
const MB = 2 ** 20;

if (!isAvailable()) {
  test('native memory', { skip }, () => {});
} else {
  process.env['TORCHLET_BACKEND'] = 'native';
  const torch = await import('torchlet');
  const nb = torch.getBackend('cpu') as NativeBackend;
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const turn = () => new Promise<void>((r) => setImmediate(r));
  const settle = async () => { for (let i = 0; i < 3; i++) { gc(); await turn(); } };
  const { nn } = torch;

  const mlp = () => {
    torch.manualSeed(0);
    return new nn.Sequential(new nn.Linear(64, 256), new nn.ReLU(), new nn.Linear(256, 256), new nn.ReLU(), new nn.Linear(256, 10));
  };

  test('native serves cpu here, and synchronous finalization is available on this Node', () => {
    assert.ok(nb instanceof NativeBackend);
    // Node 20 (V8 11): cleanupSome is obtainable; elsewhere the sync-loop tests below are skipped
    if (process.versions.v8.startsWith('11.')) assert.equal(typeof finalizerSweep(), 'function');
  });

  test('a validation loop under noGrad keeps nothing alive past its batch', async () => {
    const model = mlp();
    model.eval();
    const batches = Array.from({ length: 8 }, () => [torch.randn([512, 64]), torch.randint(0, 10, [512])] as const);
    await settle();
    const base = nb.externalBytes();
    let correct = 0;
    for (const [x, y] of batches) {
      torch.noGrad(() => {
        const out = model.call(x);
        const loss = nn.functional.crossEntropy(out, y);
        assert.ok(Number.isFinite(loss.item()));
        correct += out.argmax(1).eq(y).sum().item();
      });
      await settle();
      // every activation, logit, loss and comparison of the batch has gone back: exactly the level before it
      assert.equal(nb.externalBytes(), base, `after a batch: ${nb.externalBytes() - base} bytes still held`);
    }
    assert.ok(correct >= 0);
  });

  test('the same validation loop run synchronously stays bounded (no await, no explicit gc)', { skip: finalizerSweep() === null ? 'no cleanupSome on this V8: freeing waits for the event loop' : false }, async () => {
    const model = mlp();
    const x = torch.randn([1024, 64]);
    await settle();
    const base = nb.externalBytes();
    let peak = 0;
    // each batch makes ~2.2 MB of activations: 400 batches would hold ~880 MB without synchronous freeing
    for (let i = 0; i < 400; i++) {
      torch.noGrad(() => model.call(x).argmax(1));
      peak = Math.max(peak, nb.externalBytes() - base);
    }
    await settle();
    assert.equal(nb.externalBytes(), base);
    assert.ok(peak < 256 * MB, `peak ${(peak / MB).toFixed(0)} MB above the baseline`);
  });

  test('a synchronous training loop keeps RSS and native bytes flat', { skip: finalizerSweep() === null ? 'no cleanupSome on this V8: freeing waits for the event loop' : false }, async () => {
    const model = mlp();
    const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
    const x = torch.randn([256, 64]), y = torch.randint(0, 10, [256]);
    const step = () => {
      opt.zeroGrad();
      const loss = nn.functional.crossEntropy(model.call(x), y);
      loss.backward();
      opt.step();
      return loss;
    };
    for (let i = 0; i < 50; i++) step(); // warm-up: optimizer state, allocator cache, V8 heap
    await settle();
    const rss0 = process.memoryUsage().rss, ext0 = nb.externalBytes();
    let first = NaN, last = NaN, peakExt = 0;
    for (let i = 0; i < 400; i++) {
      const l = step();
      if (i === 0) first = l.item();
      if (i === 399) last = l.item();
      peakExt = Math.max(peakExt, nb.externalBytes() - ext0);
    }
    await settle();
    const rssGrowth = (process.memoryUsage().rss - rss0) / MB;
    assert.ok(last < first, `loss ${first} -> ${last}`);
    // one step's garbage is ~1.3 MB: without synchronous freeing 400 steps would hold ~500 MB
    assert.ok(peakExt < 256 * MB, `native bytes peaked ${(peakExt / MB).toFixed(0)} MB above the start`);
    // (the last step's 4-byte loss may still be referenced from this frame)
    assert.ok(nb.externalBytes() - ext0 <= 64, `${nb.externalBytes() - ext0} bytes more than at the start`);
    assert.ok(rssGrowth < 64, `RSS grew by ${rssGrowth.toFixed(1)} MB over 400 steps`);
  });
}
