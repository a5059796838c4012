/**
 * Is data loading the bottleneck? Times one epoch of the digits training set (1437 samples, batch 64, shuffled)
 * through `DataLoader` alone, and the same epoch with a training step of a small CNN (the demo's size:
 * conv 1→16 3×3, ReLU, max-pool, conv 16→32 3×3, ReLU, max-pool, linear 128→10, cross-entropy, SGD) per batch.
 *
 * `node dist/bench/data.js` prints the numbers; `dataLoaderShare()` returns them.
 */
import * as torch from 'torchlet';

export interface DataLoaderShare {
  /** Milliseconds per batch spent producing batches (`for await` over the DataLoader, nothing else). */
  loadMsPerBatch: number;
  /** The same through a user `collateFn` (so the generic fetch-and-stack path, not the TensorDataset fast path). */
  loadGenericMsPerBatch: number;
  /** Milliseconds per batch of forward + backward + optimizer step. */
  stepMsPerBatch: number;
  /** loadMsPerBatch / (loadMsPerBatch + stepMsPerBatch). */
  share: number;
  /** The same share with the generic path. */
  shareGeneric: number;
  batches: number;
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };

/** Measures the share of a training epoch spent in the DataLoader (median of `epochs` epochs after one warm-up). */
export async function dataLoaderShare(epochs = 5): Promise<DataLoaderShare> {
  const { images, labels } = torch.datasets.loadDigits();
  const [train] = torch.utils.data.randomSplit(new torch.utils.data.TensorDataset(images, labels), [0.8, 0.2], new torch.Generator(0));
  const loader = new torch.utils.data.DataLoader(train!, { batchSize: 64, shuffle: true, generator: new torch.Generator(1) });
  const generic = new torch.utils.data.DataLoader(train!, { batchSize: 64, shuffle: true, generator: new torch.Generator(1),
    collateFn: (s: any[]) => torch.utils.data.defaultCollate(s) });
  const nn = torch.nn;
  torch.manualSeed(0);
  const model = new nn.Sequential(
    new nn.Conv2d(1, 16, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(16, 32, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(32 * 2 * 2, 10));
  const lossFn = new nn.CrossEntropyLoss();
  const opt = new torch.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });

  const loadOnly = async (l: typeof loader): Promise<number> => {
    const t0 = performance.now();
    let n = 0;
    for await (const [x, y] of l) { n += x!.shape[0]! + y!.shape[0]!; }
    void n;
    return performance.now() - t0;
  };
  const trainEpoch = async (): Promise<number> => {
    const t0 = performance.now();
    for await (const [x, y] of loader) {
      opt.zeroGrad();
      const loss = lossFn.forward(model.forward(x!), y!);
      loss.backward();
      opt.step();
    }
    return performance.now() - t0;
  };
  const load: number[] = [], loadG: number[] = [], full: number[] = [];
  for (let e = 0; e <= epochs; e++) {
    const a = await loadOnly(loader), b = await loadOnly(generic), c = await trainEpoch();
    if (e > 0) { load.push(a); loadG.push(b); full.push(c); }
  }
  const batches = loader.length;
  const loadMs = median(load) / batches, loadGenericMs = median(loadG) / batches;
  const stepMs = Math.max(0, median(full) / batches - loadMs);
  return {
    loadMsPerBatch: loadMs,
    loadGenericMsPerBatch: loadGenericMs,
    stepMsPerBatch: stepMs,
    share: loadMs / (loadMs + stepMs),
    shareGeneric: loadGenericMs / (loadGenericMs + stepMs),
    batches,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  dataLoaderShare().then((r) => {
    console.log(`digits train epoch: ${r.batches} batches of 64`);
    console.log(`  DataLoader (TensorDataset fast path): ${r.loadMsPerBatch.toFixed(3)} ms/batch`);
    console.log(`  DataLoader (fetch each sample + defaultCollate): ${r.loadGenericMsPerBatch.toFixed(3)} ms/batch`);
    console.log(`  CNN training step: ${r.stepMsPerBatch.toFixed(3)} ms/batch`);
    console.log(`  loading share of the epoch: ${(100 * r.share).toFixed(2)}% (generic path: ${(100 * r.shareGeneric).toFixed(2)}%)`);
  }, (e) => { console.error(e); process.exit(1); });
}
