/**
 * `torch.nn.utils.rnn`: variable-length sequences for the recurrent layers — `padSequence`, `packPaddedSequence`,
 * `padPackedSequence`, `packSequence`, `unpadSequence`, `unpackSequence`, `invertPermutation` and the
 * `PackedSequence` type, with PyTorch's layouts, values, gradients and messages.
 *
 * A packed sequence stores the time steps one after another, each holding only the sequences still running
 * (`batchSizes[t]` rows, longest sequences first). Lengths and batch sizes are host values, as in PyTorch (where
 * they must be CPU tensors): the layouts are computed on the host and the data moves with one `indexSelect`
 * (one gather on the data's device, whose backward is one scatter-add), never one op per time step.
 *
 * @example
 * import * as torch from 'torchlet';
 * const { padSequence, packPaddedSequence, padPackedSequence } = torch.nn.utils.rnn;
 * const seqs = [torch.ones([3, 2]), torch.ones([1, 2]), torch.ones([2, 2])];
 * const padded = padSequence(seqs, { batchFirst: true });                // [3, 3, 2]
 * const packed = packPaddedSequence(padded, [3, 1, 2], { batchFirst: true, enforceSorted: false });
 * packed.batchSizes.tolist();                                              // [3, 2, 1]
 * const [back, lengths] = padPackedSequence(packed, { batchFirst: true }); // back equals padded; lengths [3, 1, 2]
 */
import { Tensor } from '../../tensor.js';
import { arange, cat, full, stack, tensor } from '../../ops.js';
import type { DType } from '../../dtype.js';
import type { DeviceLike } from '../../device.js';
import { checkOptions } from '../../_options.js';

/** A sequence length list: JavaScript numbers or a 1-D integer tensor (read on the host, as PyTorch does). */
export type Lengths = readonly number[] | Tensor;

const HOST = Symbol('torchlet.rnn.hostValues');
const i64 = (v: readonly number[], device?: DeviceLike): Tensor => tensor(v as number[], { dtype: 'int64', device });

/** Host values of a small integer tensor the caller gave as sizes (PyTorch requires these on the CPU and reads them). */
function hostInts(t: Tensor, what: string): number[] {
  if (t.dtype !== 'int64' && t.dtype !== 'int32') {
    throw new TypeError(`${what} must be an integer tensor, got dtype ${t.dtype}`);
  }
  if (t.dim() > 1) throw new RangeError(`${what} must be a 1-D tensor, got ${t.dim()}-D`);
  return Array.from(t.reshape([-1]).dataSync(), Number);
}

function lengthsOf(lengths: Lengths, fn: string): number[] {
  if (lengths instanceof Tensor) return hostInts(lengths, `${fn}: lengths`);
  if (!Array.isArray(lengths)) throw new TypeError(`${fn}: lengths must be an array of numbers or a 1-D integer tensor, got ${typeof lengths}`);
  return lengths.map((v, i) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${fn}: lengths[${i}] must be an integer, got ${String(v)}`);
    return v;
  });
}

/** Batch sizes per time step from lengths sorted in decreasing order. */
function batchSizesOf(sortedLengths: readonly number[]): number[] {
  const T = sortedLengths[0] ?? 0;
  const out: number[] = [];
  let b = sortedLengths.length;
  for (let t = 0; t < T; t++) {
    while (b > 0 && sortedLengths[b - 1]! <= t) b--;
    out.push(b);
  }
  return out;
}

/**
 * A batch of variable-length sequences packed time step after time step (what `packPaddedSequence` and
 * `packSequence` return and what `nn.RNN`/`LSTM`/`GRU` accept and return). Fields as PyTorch's named tuple:
 * `data` [sum of lengths, *], `batchSizes` (int64, CPU: the sequences running at each time step),
 * `sortedIndices`/`unsortedIndices` (the permutation applied to sort the batch by length, or null). It destructures
 * like the tuple: `const [data, batchSizes] = packed`.
 * @example
 * const p = torch.nn.utils.rnn.packSequence([torch.tensor([1, 2, 3]), torch.tensor([4, 5])]);
 * p.data.tolist();        // [1, 4, 2, 5, 3]
 * p.batchSizes.tolist();  // [2, 2, 1]
 */
export class PackedSequence {
  readonly data: Tensor;
  readonly batchSizes: Tensor;
  readonly sortedIndices: Tensor | null;
  readonly unsortedIndices: Tensor | null;
  /** @internal `batchSizes` as host numbers (they are host values in PyTorch too). */
  readonly _batchSizes: readonly number[];

  /**
   * Prefer `packPaddedSequence`/`packSequence`, as PyTorch says; direct construction is for data that is already
   * packed. `batchSizes` may be an int64 CPU tensor (PyTorch's form) or an array of numbers; `unsortedIndices`
   * defaults to the inverse of `sortedIndices`.
   */
  constructor(data: Tensor, batchSizes: Tensor | readonly number[], sortedIndices: Tensor | null = null, unsortedIndices: Tensor | null = null) {
    if (!(data instanceof Tensor)) throw new TypeError(`PackedSequence: data must be a Tensor, got ${typeof data}`);
    let host: number[];
    if (batchSizes instanceof Tensor) {
      if (batchSizes.device.type !== 'cpu') {
        throw new RangeError('batch_sizes should always be on CPU. Instances of PackedSequence should never be created manually. They should be instantiated by functions like pack_sequence and pack_padded_sequences in nn.utils.rnn. https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence');
      }
      host = hostInts(batchSizes, 'PackedSequence: batch_sizes');
    } else {
      host = [...batchSizes];
    }
    for (let t = 0; t < host.length; t++) {
      if (!Number.isInteger(host[t]) || host[t]! <= 0 || (t > 0 && host[t]! > host[t - 1]!)) {
        throw new RangeError(`PackedSequence: batch_sizes must be positive and non-increasing, got [${host.join(', ')}]`);
      }
    }
    const total = host.reduce((a, b) => a + b, 0);
    if (data.dim() < 1 || data.shape[0] !== total) {
      throw new RangeError(`PackedSequence: data has ${data.dim() < 1 ? 'no' : data.shape[0]} rows but batch_sizes sum to ${total}`);
    }
    this.data = data;
    this.batchSizes = batchSizes instanceof Tensor ? batchSizes : i64(host);
    this._batchSizes = host;
    this.sortedIndices = sortedIndices;
    if (unsortedIndices === null && sortedIndices !== null) {
      const hs = (sortedIndices as any)[HOST] as number[] | undefined;
      if (hs !== undefined) {
        const inv = invertHost(hs);
        unsortedIndices = withHostValues(i64(inv, sortedIndices.device), inv);
      } else {
        unsortedIndices = invertPermutation(sortedIndices);
      }
    }
    this.unsortedIndices = unsortedIndices;
  }

  /** `data`, `batchSizes`, `sortedIndices`, `unsortedIndices`, as PyTorch's named tuple unpacks. */
  *[Symbol.iterator](): IterableIterator<Tensor | null> {
    yield this.data; yield this.batchSizes; yield this.sortedIndices; yield this.unsortedIndices;
  }

  /**
   * The same sequence with `data` moved/cast (`batchSizes` stays on the CPU, the indices follow the data's device),
   * as PyTorch's `PackedSequence.to`.
   * @example packed.to('float64').data.dtype // 'float64'
   */
  to(arg: DType | DeviceLike | { device?: DeviceLike; dtype?: DType }): PackedSequence {
    const data = (this.data as any).to(arg) as Tensor;
    if (data === this.data) return this;
    const dev = data.device;
    const move = (t: Tensor | null): Tensor | null => {
      if (t === null) return null;
      const m = t.to(dev);
      const hv = (t as any)[HOST] as number[] | undefined;
      return hv === undefined || m === t ? m : withHostValues(m, hv);
    };
    return new PackedSequence(data, this._batchSizes, move(this.sortedIndices), move(this.unsortedIndices))._withBatchSizes(this.batchSizes);
  }

  /** @internal keeps the caller's batchSizes tensor object (PyTorch shares it between derived sequences). */
  _withBatchSizes(b: Tensor): PackedSequence { (this as { batchSizes: Tensor }).batchSizes = b; return this; }

  toString(): string {
    return `PackedSequence(data=${String(this.data)}, batch_sizes=${String(this.batchSizes)}, sorted_indices=${this.sortedIndices === null ? 'None' : String(this.sortedIndices)}, unsorted_indices=${this.unsortedIndices === null ? 'None' : String(this.unsortedIndices)})`;
  }
}

/**
 * The inverse of a permutation (`out[perm[i]] = i`), or null for null.
 * @example torch.nn.utils.rnn.invertPermutation(torch.tensor([2, 0, 1], { dtype: 'int64' }))!.tolist() // [1, 2, 0]
 */
export function invertPermutation(permutation: Tensor | null): Tensor | null {
  if (permutation === null) return null;
  const n = permutation.numel();
  return arange(n, { dtype: 'int64', device: permutation.device }).scatter(0, permutation.to('int64'), arange(n, { dtype: 'int64', device: permutation.device }));
}

function invertHost(p: readonly number[]): number[] {
  const out = new Array<number>(p.length);
  p.forEach((v, i) => { out[v] = i; });
  return out;
}

/** Options of `padSequence`. */
export interface PadSequenceOptions { batchFirst?: boolean; paddingValue?: number }

/**
 * Pads a list of [L_i, *] tensors to [T, B, *] (or [B, T, *] with `batchFirst`), T the longest length, with
 * `paddingValue` (default 0). Differentiable in every sequence.
 * @example
 * const { padSequence } = torch.nn.utils.rnn;
 * padSequence([torch.ones([25, 300]), torch.ones([22, 300]), torch.ones([15, 300])]).shape // [25, 3, 300]
 */
export function padSequence(sequences: readonly Tensor[] | Tensor, batchFirst: boolean | PadSequenceOptions = false, paddingValue = 0): Tensor {
  if (typeof batchFirst === 'object' && batchFirst !== null) {
    checkOptions('pad_sequence', batchFirst, ['batchFirst', 'paddingValue']);
    paddingValue = batchFirst.paddingValue ?? 0;
    batchFirst = batchFirst.batchFirst ?? false;
  }
  const seqs = sequences instanceof Tensor ? sequences.unbind(0) : sequences;
  if (seqs === null || seqs === undefined || typeof (seqs as any)[Symbol.iterator] !== 'function') {
    throw new TypeError(`pad_sequence: Expected iterable for input sequences, but got arg of type: ${typeof sequences}`);
  }
  const list = [...seqs];
  if (list.length === 0) throw new RangeError('received an empty list of sequences');
  list.forEach((s, i) => {
    if (!(s instanceof Tensor)) throw new TypeError(`pad_sequence: sequences[${i}] must be a Tensor`);
    if (s.dim() < 1) throw new RangeError(`pad_sequence: sequences[${i}] is 0-dimensional; each sequence needs a length dimension`);
  });
  const T = Math.max(...list.map((s) => s.shape[0]!));
  const trailing = list[0]!.shape.slice(1);
  const padded = list.map((s) => {
    const L = s.shape[0]!;
    if (L === T) return s;
    // the trailing dims must agree; cat checks them with PyTorch's wording
    const pad = full([T - L, ...s.shape.slice(1)], paddingValue, { dtype: s.dtype, device: s.device });
    return cat([s, pad], 0);
  });
  for (const [i, s] of padded.entries()) {
    if (s.dim() !== trailing.length + 1 || s.shape.slice(1).some((d, k) => d !== trailing[k])) {
      throw new RangeError(`The size of tensor a (${trailing[trailing.length - 1] ?? 0}) must match the size of tensor b (${s.shape[s.dim() - 1]}) at non-singleton dimension ${trailing.length}; pad_sequence: sequences[${i}] has shape [${s.shape.join(', ')}]`);
    }
  }
  return stack(padded, batchFirst ? 0 : 1);
}

/** Options of `packPaddedSequence`. */
export interface PackPaddedOptions { batchFirst?: boolean; enforceSorted?: boolean }

/**
 * Packs a padded batch [T, B, *] (or [B, T, *] with `batchFirst`) of sequences with the given `lengths` (an array or
 * a 1-D integer CPU tensor). With `enforceSorted` (default true) the lengths must be in decreasing order; with
 * false the batch is sorted here and `sortedIndices`/`unsortedIndices` record it. Differentiable in `input`.
 * @example
 * const x = torch.randn([5, 3, 2]);
 * const p = torch.nn.utils.rnn.packPaddedSequence(x, [5, 4, 2]);
 * p.batchSizes.tolist(); // [3, 3, 2, 2, 1]
 * p.data.shape;          // [11, 2]
 */
export function packPaddedSequence(input: Tensor, lengths: Lengths, batchFirst: boolean | PackPaddedOptions = false, enforceSorted = true): PackedSequence {
  if (typeof batchFirst === 'object' && batchFirst !== null) {
    checkOptions('pack_padded_sequence', batchFirst, ['batchFirst', 'enforceSorted']);
    enforceSorted = batchFirst.enforceSorted ?? true;
    batchFirst = batchFirst.batchFirst ?? false;
  }
  if (!(input instanceof Tensor)) throw new TypeError('pack_padded_sequence: input must be a Tensor');
  const lens = lengthsOf(lengths, 'pack_padded_sequence');
  if (input.dim() < 2) {
    throw new RangeError(`Dimension out of range (expected to be in range of [${-Math.max(input.dim(), 1)}, ${Math.max(input.dim(), 1) - 1}], but got 1)`);
  }
  const tDim = batchFirst ? 1 : 0, bDim = batchFirst ? 0 : 1;
  const T = input.shape[tDim]!, B = input.shape[bDim]!;
  if (lens.length !== B) throw new RangeError(`Expected \`len(lengths)\` to be equal to batch_size, but got ${lens.length} (batch_size=${B})`);
  let order: number[] | null = null;
  if (enforceSorted) {
    for (let i = 1; i < lens.length; i++) {
      if (lens[i]! > lens[i - 1]!) {
        throw new RangeError('`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this requirement if you do not need ONNX exportability.');
      }
    }
  } else {
    // a stable descending sort, as torch.sort(descending=True) on the CPU
    order = lens.map((_, i) => i).sort((a, b) => lens[b]! - lens[a]! || a - b);
  }
  const sorted = order === null ? lens : order.map((i) => lens[i]!);
  if (sorted.length > 0 && sorted[sorted.length - 1]! <= 0) {
    throw new RangeError("Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0");
  }
  if (sorted.length > 0 && sorted[0]! > T) {
    // PyTorch reads past the input here; a clear error instead
    throw new RangeError(`pack_padded_sequence: the longest length (${sorted[0]}) exceeds the input's sequence length (${T})`);
  }
  const bs = batchSizesOf(sorted);
  // row of [T·B, *] (time-major) for each packed row: step t, sorted batch entry b → original column order[b]
  const rows: number[] = [];
  for (let t = 0; t < bs.length; t++) for (let b = 0; b < bs[t]!; b++) rows.push(t * B + (order === null ? b : order[b]!));
  const tm = batchFirst ? input.transpose(0, 1) : input;
  const flat = tm.reshape([T * B, ...input.shape.slice(2)]);
  const data = flat.indexSelect(0, i64(rows, input.device));
  const sortedIndices = order === null ? null : withHostValues(i64(order, input.device), order);
  return new PackedSequence(data, bs, sortedIndices);
}

/** Options of `padPackedSequence`. */
export interface PadPackedOptions { batchFirst?: boolean; paddingValue?: number; totalLength?: number | null }

/**
 * The inverse of `packPaddedSequence`: [T, B, *] (or [B, T, *] with `batchFirst`) padded with `paddingValue`, T
 * the longest length or `totalLength`, in the original batch order, and the lengths (int64) — `[padded, lengths]`.
 * @example
 * const p = torch.nn.utils.rnn.packSequence([torch.ones([3, 2]), torch.ones([1, 2])]);
 * const [padded, lengths] = torch.nn.utils.rnn.padPackedSequence(p, { totalLength: 4 });
 * padded.shape;     // [4, 2, 2]
 * lengths.tolist(); // [3, 1]
 */
export function padPackedSequence(sequence: PackedSequence, batchFirst: boolean | PadPackedOptions = false, paddingValue = 0,
  totalLength: number | null = null): [Tensor, Tensor] {
  if (typeof batchFirst === 'object' && batchFirst !== null) {
    checkOptions('pad_packed_sequence', batchFirst, ['batchFirst', 'paddingValue', 'totalLength']);
    paddingValue = batchFirst.paddingValue ?? 0;
    totalLength = batchFirst.totalLength ?? null;
    batchFirst = batchFirst.batchFirst ?? false;
  }
  if (!(sequence instanceof PackedSequence)) throw new TypeError('pad_packed_sequence: sequence must be a PackedSequence');
  const bs = sequence._batchSizes;
  const maxLen = bs.length;
  let T = maxLen;
  if (totalLength !== null) {
    if (totalLength < maxLen) {
      throw new RangeError(`Expected total_length to be at least the length of the longest sequence in input, but got total_length=${totalLength} and max sequence length being ${maxLen}`);
    }
    T = totalLength;
  }
  const B = bs[0] ?? 0;
  const data = sequence.data;
  const N = data.shape[0]!;
  // sorted-order lengths from the batch sizes; rows of [data; padding row] for each (t, b) of the output
  const lensSorted = Array.from({ length: B }, (_, b) => bs.filter((n) => n > b).length);
  const unsorted = sequence.unsortedIndices === null ? null : hostPermutation(sequence.unsortedIndices);
  const offsets: number[] = [];
  let off = 0;
  for (const n of bs) { offsets.push(off); off += n; }
  const rows: number[] = [];
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < B; j++) {
      // output column j holds the original sequence j, which sits at sorted position unsorted[j]
      const b = unsorted === null ? j : unsorted[j]!;
      rows.push(t < maxLen && b < bs[t]! ? offsets[t]! + b : N);
    }
  }
  const pad = full([1, ...data.shape.slice(1)], paddingValue, { dtype: data.dtype, device: data.device });
  let out = cat([data, pad], 0).indexSelect(0, i64(rows, data.device)).reshape([T, B, ...data.shape.slice(1)]);
  if (batchFirst) out = out.transpose(0, 1);
  const lengths = unsorted === null ? lensSorted : unsorted.map((b) => lensSorted[b]!);
  return [out, i64(lengths)];
}

/** A permutation kept by a PackedSequence, on the host (it was made on the host, or given by the user). */
function hostPermutation(p: Tensor): number[] {
  const known = (p as any)[HOST] as number[] | undefined;
  return known ?? hostInts(p, 'PackedSequence: indices');
}

/**
 * Pads then packs a list of [L_i, *] sequences (`padSequence` then `packPaddedSequence`); with `enforceSorted`
 * (default true) they must be given longest first.
 * @example torch.nn.utils.rnn.packSequence([torch.ones([1]), torch.ones([3])], false).batchSizes.tolist() // [2, 1, 1]
 */
export function packSequence(sequences: readonly Tensor[], enforceSorted: boolean | { enforceSorted?: boolean } = true): PackedSequence {
  if (typeof enforceSorted === 'object' && enforceSorted !== null) {
    checkOptions('pack_sequence', enforceSorted, ['enforceSorted']);
    enforceSorted = enforceSorted.enforceSorted ?? true;
  }
  if (!Array.isArray(sequences) || sequences.length === 0) throw new RangeError('received an empty list of sequences');
  const lengths = sequences.map((s) => (s instanceof Tensor && s.dim() >= 1 ? s.shape[0]! : 0));
  return packPaddedSequence(padSequence(sequences), lengths, false, enforceSorted);
}

/**
 * Splits a padded batch back into its sequences (`lengths` as an array or a 1-D integer tensor).
 * @example torch.nn.utils.rnn.unpadSequence(torch.zeros([3, 2]), [3, 1]).map((s) => s.shape) // [[3], [1]]
 */
export function unpadSequence(paddedSequences: Tensor, lengths: Lengths, batchFirst: boolean | { batchFirst?: boolean } = false): Tensor[] {
  if (typeof batchFirst === 'object' && batchFirst !== null) {
    checkOptions('unpad_sequence', batchFirst, ['batchFirst']);
    batchFirst = batchFirst.batchFirst ?? false;
  }
  const lens = lengthsOf(lengths, 'unpad_sequence');
  const bm = batchFirst ? paddedSequences : paddedSequences.transpose(0, 1);
  if (lens.length !== bm.shape[0]) throw new RangeError(`unpad_sequence: got ${lens.length} lengths for a batch of ${bm.shape[0]}`);
  return lens.map((L, i) => bm.select(0, i).narrow(0, 0, L));
}

/**
 * The sequences of a packed batch, in their original order (the inverse of `packSequence`).
 * @example torch.nn.utils.rnn.unpackSequence(torch.nn.utils.rnn.packSequence([torch.ones([2]), torch.ones([1])])).map((s) => s.shape) // [[2], [1]]
 */
export function unpackSequence(packedSequences: PackedSequence): Tensor[] {
  const [padded, lengths] = padPackedSequence(packedSequences, true);
  return unpadSequence(padded, Array.from(lengthsHost(packedSequences, lengths)), true);
}

function lengthsHost(p: PackedSequence, _lengths: Tensor): number[] {
  const bs = p._batchSizes;
  const B = bs[0] ?? 0;
  const sortedLens = Array.from({ length: B }, (_, b) => bs.filter((n) => n > b).length);
  const unsorted = p.unsortedIndices === null ? null : hostPermutation(p.unsortedIndices);
  return unsorted === null ? sortedLens : unsorted.map((b) => sortedLens[b]!);
}

/** @internal Remembers the host values of an index tensor made from them (so reading them back needs no sync). */
export function withHostValues(t: Tensor, values: readonly number[]): Tensor {
  (t as any)[HOST] = values;
  return t;
}
