/**
 * A caching allocator for typed arrays, as PyTorch's CUDA/CPU caching allocators do for device memory.
 *
 * Why: on the machines we target, touching freshly allocated memory costs about 12 µs per 4 KiB page (page faults
 * plus zeroing), far more than the arithmetic of most elementwise ops. Buffers given back explicitly (by the
 * autograd engine for every temporary of a backward pass, and by composite ops for their internal temporaries)
 * are kept in per-dtype, per-length free lists and handed out again. Lengths are rounded up to size classes (multiples of 64 elements, then of 1/8 of the power of two
 * below) so that slightly different sizes share buffers; callers see an exact-length `subarray`.
 * The cache is bounded (`setCacheLimit`, default 1 GiB); past it, buffers are dropped to the garbage collector.
 */
import type { DType, TypedArray } from '../../dtype.js';
import { arrayCtor, itemSize } from '../../dtype.js';

/** Arrays below this many elements are cheap to allocate on V8's heap and are not cached. */
export const MIN_POOLED = 256;

export interface PoolStats {
  hits: number;
  misses: number;
  returned: number;
  /** Bytes handed out from the cache (memory already touched). */
  reusedBytes: number;
  /** Bytes allocated fresh from the JavaScript engine. */
  freshBytes: number;
  cachedBytes: number;
  enabled: boolean;
}

export function sizeClass(n: number): number {
  if (n <= 1024) return (n + 63) & ~63;
  const p = 2 ** Math.floor(Math.log2(n));
  const step = p / 8;
  return Math.ceil(n / step) * step;
}

export class CachingAllocator {
  private lists: Map<number, TypedArray[]>[] = [new Map(), new Map(), new Map(), new Map(), new Map(), new Map(), new Map()];
  private cachedBytes = 0;
  private limitBytes = 1 << 30;
  enabled = true;
  hits = 0;
  misses = 0;
  returned = 0;
  reusedBytes = 0;
  freshBytes = 0;

  private idx(dtype: DType): number {
    // one list per array type: bool and uint8 share Uint8Array buffers
    switch (dtype) {
      case 'float32': return 0; case 'float64': return 1; case 'int64': return 2; case 'int32': return 3;
      case 'int16': return 5; case 'int8': return 6; default: return 4;
    }
  }

  /** A buffer of at least `n` elements (its `length` is the size class) and the exact-length view to use. */
  take(dtype: DType, n: number): TypedArray {
    if (n < MIN_POOLED || !this.enabled) {
      this.misses++;
      this.freshBytes += n * itemSize(dtype);
      return new (arrayCtor(dtype))(n);
    }
    const cls = sizeClass(n);
    const list = this.lists[this.idx(dtype)]!.get(cls);
    if (list !== undefined && list.length > 0) {
      this.hits++;
      const buf = list.pop()!;
      this.reusedBytes += buf.length * itemSize(dtype);
      this.cachedBytes -= buf.length * itemSize(dtype);
      return n === cls ? buf : buf.subarray(0, n);
    }
    this.misses++;
    this.freshBytes += cls * itemSize(dtype);
    const buf = new (arrayCtor(dtype))(cls);
    return n === cls ? buf : buf.subarray(0, n);
  }

  /** Gives a buffer obtained from `take` back. */
  give(dtype: DType, arr: TypedArray): void {
    if (!this.enabled) return;
    const full = arr.length === arr.buffer.byteLength / arr.BYTES_PER_ELEMENT ? arr
      : (new (arrayCtor(dtype) as any)(arr.buffer) as TypedArray);
    const n = full.length;
    if (n < MIN_POOLED || sizeClass(n) !== n) return; // not one of ours
    const bytes = n * itemSize(dtype);
    if (this.cachedBytes + bytes > this.limitBytes) return;
    const m = this.lists[this.idx(dtype)]!;
    let list = m.get(n);
    if (list === undefined) { list = []; m.set(n, list); }
    list.push(full);
    this.cachedBytes += bytes;
    this.returned++;
  }

  /** Drops every cached buffer (like `torch.cuda.empty_cache()`). */
  emptyCache(): void {
    for (const m of this.lists) m.clear();
    this.cachedBytes = 0;
  }

  setCacheLimit(bytes: number): void {
    this.limitBytes = bytes;
    if (this.cachedBytes > bytes) this.emptyCache();
  }

  stats(): PoolStats {
    return {
      hits: this.hits, misses: this.misses, returned: this.returned, reusedBytes: this.reusedBytes,
      freshBytes: this.freshBytes, cachedBytes: this.cachedBytes, enabled: this.enabled,
    };
  }
}
