/**
 * `torch.setNumThreads` / `torch.getNumThreads`: the intra-op thread count of the backend serving `cpu`.
 * The native backend passes it to ATen's thread pool (`at::set_num_threads`; OpenBLAS keeps its own count, set by
 * `OPENBLAS_NUM_THREADS`). The portable backend computes on the JavaScript thread only, so it always has 1 thread
 * and `setNumThreads` validates its argument and changes nothing.
 *
 * @example
 * import * as torch from 'torchlet';
 * torch.setNumThreads(4);
 * torch.getNumThreads(); // 4 on the native backend, 1 on the portable one
 */
import { getBackend } from './tensor.js';

interface ThreadHooks { setNumThreads?(n: number): void; getNumThreads?(): number }

/** Sets the number of threads the `cpu` backend uses for one op; a positive integer, as in PyTorch. */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n <= 0) throw new Error(`set_num_threads expects a positive integer, got ${n}`);
  const b = getBackend('cpu') as unknown as ThreadHooks;
  b.setNumThreads?.(n);
}

/** The number of threads the `cpu` backend uses for one op (1 on the single-threaded portable backend). */
export function getNumThreads(): number {
  const b = getBackend('cpu') as unknown as ThreadHooks;
  return b.getNumThreads?.() ?? 1;
}
