/**
 * @internal The worker threads of a `DataLoader` with `numWorkers > 0`. The main thread runs the sampler and sends
 * each batch's indices to the workers in turn (round robin, as PyTorch), keeping at most `prefetchFactor` batches
 * in flight per worker; results are yielded in sampler order, so the batches are the ones numWorkers 0 gives.
 */
import type { Worker as WorkerT } from 'node:worker_threads';
import { decode } from './_codec.js';
import type { DatasetSpec } from './_spec.js';
import type { FetchRequest, WorkerData } from './_worker.js';

interface Deferred { promise: Promise<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void }
function deferred(): Deferred {
  let resolve!: (v: unknown) => void, reject!: (e: unknown) => void;
  const promise = new Promise<unknown>((res, rej) => { resolve = res; reject = rej; });
  promise.catch(() => undefined); // rejections are observed when the batch is awaited
  return { promise, resolve, reject };
}

const ERRORS: Record<string, new (m: string) => Error> = { TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError };

/** PyTorch's re-raise of a worker's exception: same class, the worker's stack in the message. */
function workerError(id: number, f: { name: string; message: string; stack: string }): Error {
  const C = ERRORS[f.name] ?? Error;
  const e = new C(`Caught ${f.name} in DataLoader worker process ${id}.\nOriginal Traceback (most recent call last):\n${f.stack}`);
  if (!(f.name in ERRORS) && f.name !== 'Error') e.name = f.name;
  return e;
}

export interface PoolOptions {
  numWorkers: number; dataset: unknown; datasetSpec: (transfer: ArrayBuffer[]) => Promise<DatasetSpec>; baseSeed: number;
  initFn: WorkerData['initFn']; mode: WorkerData['mode']; timeout: number;
}

export class WorkerPool {
  private workers: WorkerT[] = [];
  private pending = new Map<number, Deferred>();
  private failure: Error | null = null;
  private closed = false;
  /** Request numbers never repeat, so a result of an abandoned epoch can never be taken for a later one. */
  private seq = 0;

  private constructor(private readonly o: PoolOptions) {}

  /** Starts the workers and waits until each has built its dataset and run `workerInitFn`. */
  static async start(o: PoolOptions): Promise<WorkerPool> {
    const { Worker } = await import('node:worker_threads');
    const pool = new WorkerPool(o);
    const ready: Promise<unknown>[] = [];
    for (let id = 0; id < o.numWorkers; id++) {
      const transfer: ArrayBuffer[] = [];
      const dataset = await o.datasetSpec(transfer);
      const data: WorkerData = { id, numWorkers: o.numWorkers, seed: o.baseSeed + id, dataset, initFn: o.initFn, mode: o.mode };
      const w = new Worker(new URL('./_worker.js', import.meta.url), { workerData: data, transferList: transfer });
      const up = deferred();
      ready.push(up.promise);
      w.on('message', (m: { type: string; seq?: number; value?: unknown; name?: string; message?: string; stack?: string }) => {
        if (m.type === 'ready') { up.resolve(undefined); return; }
        if (m.type === 'batch') { pool.pending.get(m.seq!)?.resolve(m.value); return; }
        if (m.type === 'error') {
          const e = workerError(id, m as { name: string; message: string; stack: string });
          if (m.seq === -1) up.reject(e); else pool.pending.get(m.seq!)?.reject(e);
        }
      });
      const died = (why: string): void => {
        if (pool.closed) return;
        const e = new Error(`DataLoader worker (thread id ${w.threadId}, worker ${id}) exited unexpectedly${why}`);
        pool.failure ??= e;
        up.reject(e);
        for (const d of pool.pending.values()) d.reject(e);
      };
      w.on('error', (e) => died(`: ${e instanceof Error ? e.stack ?? e.message : String(e)}`));
      w.on('exit', (code) => died(` with exit code ${code}`));
      pool.workers.push(w);
    }
    try { await Promise.all(ready); } catch (e) { await pool.close(); throw e; }
    return pool;
  }

  /** Keeps the process alive while an epoch runs; lets it exit between epochs (persistent workers). */
  ref(on: boolean): void { for (const w of this.workers) { if (on) w.ref(); else w.unref(); } }

  /** The batches for the index lists of `tasks`, in order; `collate` runs on each in the main thread. */
  async *run(tasks: Iterator<number[] | number>, prefetchFactor: number, collate: ((v: unknown) => unknown) | null): AsyncGenerator<unknown> {
    const n = this.workers.length;
    const order: number[] = []; // request numbers in sampler order
    let sent = 0, next = 0, exhausted = false;
    const dispatch = (): void => {
      while (!exhausted && sent - next < prefetchFactor * n) {
        const r = tasks.next();
        if (r.done) { exhausted = true; return; }
        const seq = this.seq++;
        this.pending.set(seq, deferred());
        order.push(seq);
        const req: FetchRequest = { type: 'fetch', seq, indices: r.value };
        this.workers[sent % n]!.postMessage(req); // round robin from worker 0 each epoch, as PyTorch
        sent++;
      }
    };
    this.ref(true);
    try {
      dispatch();
      while (next < sent) {
        if (this.failure !== null) throw this.failure;
        const seq = order[next]!;
        const value = await this.wait(this.pending.get(seq)!.promise);
        this.pending.delete(seq);
        next++;
        dispatch();
        const batch = decode(value);
        yield collate === null ? batch : collate(batch);
      }
    } finally {
      this.pending.clear();
      this.ref(false);
    }
  }

  private wait(p: Promise<unknown>): Promise<unknown> {
    const t = this.o.timeout;
    if (!(t > 0)) return p;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error(`DataLoader timed out after ${t} seconds`)), t * 1000); });
    return Promise.race([p, limit]).finally(() => clearTimeout(timer));
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }
}
