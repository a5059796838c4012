/**
 * Recurrent layers: `RNN` (tanh or ReLU), `LSTM` (with `projSize`), `GRU`, and the cells `RNNCell`, `LSTMCell`,
 * `GRUCell`, with PyTorch's parameters (names, order, shapes, initialisation), inputs (padded [T, B, *] or
 * `batchFirst` [B, T, *], unbatched [T, *], or a `PackedSequence`), outputs and messages, so that state dicts load
 * from PyTorch and the numbers agree.
 *
 * Built from Tensor ops (linear, sigmoid, tanh, narrow, cat, stack), so they run on every backend and autograd is
 * the core's. As cuDNN-style implementations do, each layer and direction projects the inputs of all time steps in
 * one matmul (`linear` over the whole sequence, both biases folded in for RNN and LSTM); the loop over time then
 * does one [B, H]×[H, G] matmul and a few elementwise ops per step, with no host reads (all sizes are shapes).
 * A packed batch runs the same loop with the batch shrinking (forward direction) or growing (reverse direction)
 * at each step, as PyTorch's packed kernels do, so padding is never computed.
 *
 * @example
 * import * as torch from 'torchlet';
 * const lstm = new torch.nn.LSTM(10, 20, 2);
 * const [output, [hn, cn]] = lstm.forward(torch.randn([5, 3, 10]), [torch.randn([2, 3, 20]), torch.randn([2, 3, 20])]);
 * output.shape; // [5, 3, 20]
 * hn.shape;     // [2, 3, 20]
 */
import { Tensor } from '../../tensor.js';
import { cat, empty, stack, zeros } from '../../ops.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { isOptions, resolveArgs } from '../_args.js';
import type { FactoryOptions } from '../_args.js';
import { PackedSequence } from '../utils/rnn.js';
import { pyFloat, warn } from '../../optim/_access.js';

/** The recurrence of an `RNNBase`: PyTorch's mode strings. */
export type RNNMode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

/** Options shared by `RNN`, `LSTM` and `GRU` (PyTorch's keyword arguments in camelCase). */
export interface RNNBaseOptions extends FactoryOptions {
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Whether the layers have `bias_ih`/`bias_hh` (default true). */
  bias?: boolean;
  /** Input and output as [B, T, *] instead of [T, B, *] (default false; not the hidden state). */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training (default 0). */
  dropout?: number;
  /** A second direction reading the sequence backwards (default false). */
  bidirectional?: boolean;
}
/** Options of `RNN`: the shared ones and `nonlinearity` ('tanh' or 'relu'). */
export interface RNNOptions extends RNNBaseOptions { nonlinearity?: 'tanh' | 'relu' }
/** Options of `LSTM`: the shared ones and `projSize` (a projection of h to that size, 0 for none). */
export interface LSTMOptions extends RNNBaseOptions { projSize?: number }
/** Options of `GRU`. */
export type GRUOptions = RNNBaseOptions;

type Positional = number | boolean | RNNBaseOptions | RNNOptions | LSTMOptions | undefined;

/** The weights of one layer and direction (null where absent). */
interface LayerWeights { wih: Tensor; whh: Tensor; bih: Tensor | null; bhh: Tensor | null; whr: Tensor | null }

function checkSize(cls: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${cls}: ${name} should be of type int, got: ${typeof v === 'number' ? 'float' : typeof v}`);
  return v;
}

/** PyTorch's tuple printout `(2, 3, 20)`. */
const tup = (s: readonly number[]): string => `(${s.join(', ')}${s.length === 1 ? ',' : ''})`;
const lst = (s: readonly number[]): string => `[${s.join(', ')}]`;

// --------------------------------------------------------------------------------------------------------------------
// One time step of each recurrence, from the input part `xg` (x Wᵢₕᵀ + biases) and the hidden part `hg` (h Wₕₕᵀ,
// with b_hh for GRU, whose candidate gate needs it apart): the formulas of PyTorch's documentation.

function rnnStep(xg: Tensor, hg: Tensor, relu: boolean): Tensor {
  const pre = xg.add(hg);
  return relu ? pre.relu() : pre.tanh();
}

function lstmStep(xg: Tensor, hg: Tensor, c: Tensor, whr: Tensor | null): [Tensor, Tensor] {
  const [i, f, g, o] = xg.add(hg).chunk(4, 1) as [Tensor, Tensor, Tensor, Tensor];
  const c2 = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
  const h2 = o.sigmoid().mul(c2.tanh());
  return [whr === null ? h2 : F.linear(h2, whr), c2];
}

function gruStep(xg: Tensor, hg: Tensor, h: Tensor): Tensor {
  const [xr, xz, xn] = xg.chunk(3, 1) as [Tensor, Tensor, Tensor];
  const [hr, hz, hn] = hg.chunk(3, 1) as [Tensor, Tensor, Tensor];
  const r = xr.add(hr).sigmoid();
  const z = xz.add(hz).sigmoid();
  const n = xn.add(r.mul(hn)).tanh();
  // (1 − z)·n + z·h
  return n.add(z.mul(h.sub(n)));
}

/**
 * Views of the rows of each time step of `xp` (packed layout: step t has `bs[t]` rows). Two levels of narrow keep
 * the backward near-linear in T: a narrow's gradient is a zero-filled tensor of its base's size, so T narrows of
 * the whole projection would cost T·|xp| in backward; blocks of about √T steps cost about 2·√T·|xp|.
 */
function stepViews(xp: Tensor, bs: readonly number[]): Tensor[] {
  const T = bs.length;
  const offs = [0];
  for (const b of bs) offs.push(offs[offs.length - 1]! + b);
  const out: Tensor[] = [];
  const blk = T <= 8 ? T : Math.ceil(Math.sqrt(T));
  for (let s = 0; s < T; s += blk) {
    const e = Math.min(T, s + blk);
    const base = blk === T ? xp : xp.narrow(0, offs[s]!, offs[e]! - offs[s]!);
    for (let t = s; t < e; t++) out.push(base.narrow(0, offs[t]! - offs[s]!, bs[t]!));
  }
  return out;
}

/**
 * Runs one layer in one direction over packed data `x` [N, in] with batch sizes `bs`, from h0 [B, Hout] (and c0
 * [B, H] for LSTM). Returns the outputs [N, Hout] and the final states [B, ...] (each sequence's state after its
 * last step).
 */
function runDirection(mode: RNNMode, x: Tensor, bs: readonly number[], h0: Tensor, c0: Tensor | null, w: LayerWeights,
  reverse: boolean): { out: Tensor; h: Tensor; c: Tensor | null } {
  const T = bs.length;
  const gru = mode === 'GRU';
  // the input projection of every step in one matmul; for RNN/LSTM b_hh joins b_ih there (GRU needs b_hn apart)
  const inBias = gru ? w.bih : w.bih !== null && w.bhh !== null ? w.bih.add(w.bhh) : (w.bih ?? w.bhh);
  const hBias = gru ? w.bhh : null;
  const xs = stepViews(F.linear(x, w.wih, inBias), bs);
  const outs: Tensor[] = new Array(T);
  const step = (xg: Tensor, h: Tensor, c: Tensor | null): [Tensor, Tensor | null] => {
    const hg = F.linear(h, w.whh, hBias);
    if (mode === 'LSTM') return lstmStep(xg, hg, c!, w.whr);
    if (gru) return [gruStep(xg, hg, h), null];
    return [rnnStep(xg, hg, mode === 'RNN_RELU'), null];
  };
  if (!reverse) {
    let h = h0, c = c0;
    const doneH: Tensor[] = [], doneC: Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const b = bs[t]!, rows = h.shape[0]!;
      if (b < rows) {
        // sequences that ended at t−1 keep their state
        doneH.push(h.narrow(0, b, rows - b)); h = h.narrow(0, 0, b);
        if (c !== null) { doneC.push(c.narrow(0, b, rows - b)); c = c.narrow(0, 0, b); }
      }
      [h, c] = step(xs[t]!, h, c);
      outs[t] = h;
    }
    if (doneH.length > 0) {
      h = cat([h, ...doneH.reverse()], 0);
      if (c !== null) c = cat([c, ...doneC.reverse()], 0);
    }
    return { out: T === 0 ? zeros([0, h0.shape[1]!], { dtype: x.dtype, device: x.device }) : cat(outs, 0), h, c };
  }
  let h = T === 0 ? h0 : h0.narrow(0, 0, bs[T - 1]!);
  let c = c0 === null ? null : T === 0 ? c0 : c0.narrow(0, 0, bs[T - 1]!);
  for (let t = T - 1; t >= 0; t--) {
    const b = bs[t]!, rows = h.shape[0]!;
    if (b > rows) {
      // sequences that start (from the end) at t join with their initial state
      h = cat([h, h0.narrow(0, rows, b - rows)], 0);
      if (c !== null) c = cat([c, c0!.narrow(0, rows, b - rows)], 0);
    }
    [h, c] = step(xs[t]!, h, c);
    outs[t] = h;
  }
  return { out: T === 0 ? zeros([0, h0.shape[1]!], { dtype: x.dtype, device: x.device }) : cat(outs, 0), h, c };
}

/**
 * The base of `RNN`, `LSTM` and `GRU` (PyTorch's `RNNBase`): parameters `weight_ih_l{k}{_reverse}`,
 * `weight_hh_l{k}{_reverse}`, `bias_ih_l{k}{_reverse}`, `bias_hh_l{k}{_reverse}` (and `weight_hr_l{k}{_reverse}`
 * with `projSize`), in PyTorch's order, all initialised U(−1/√hidden, 1/√hidden).
 */
export class RNNBase extends Module {
  readonly mode: RNNMode;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bias: boolean;
  batchFirst: boolean;
  dropout: number;
  bidirectional: boolean;
  projSize: number;
  /** Parameter names per layer and direction (PyTorch's `_all_weights`). */
  readonly _allWeightNames: string[][] = [];
  declare weight_ih_l0: Parameter;
  declare weight_hh_l0: Parameter;

  constructor(mode: RNNMode, inputSize: number, hiddenSize: number, o: Required<Omit<LSTMOptions, 'device' | 'dtype'>> & FactoryOptions) {
    super();
    const cls = mode === 'LSTM' ? 'LSTM' : mode === 'GRU' ? 'GRU' : 'RNN';
    this.mode = mode;
    this.inputSize = checkSize(cls, 'input_size', inputSize);
    this.hiddenSize = checkSize(cls, 'hidden_size', hiddenSize);
    this.numLayers = checkSize(cls, 'num_layers', o.numLayers);
    this.projSize = checkSize(cls, 'proj_size', o.projSize);
    this.bias = o.bias; this.batchFirst = o.batchFirst; this.bidirectional = o.bidirectional;
    if (typeof o.dropout !== 'number' || !(o.dropout >= 0 && o.dropout <= 1)) {
      throw new RangeError('dropout should be a number in range [0, 1] representing the probability of an element being zeroed');
    }
    this.dropout = o.dropout;
    if (hiddenSize <= 0) throw new RangeError('hidden_size must be greater than zero');
    if (this.numLayers <= 0) throw new RangeError('num_layers must be greater than zero');
    if (inputSize < 0) throw new RangeError(`input_size must be non-negative, got ${inputSize}`);
    if (o.dropout > 0 && this.numLayers === 1) {
      warn(`dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects num_layers greater than 1, but got dropout=${pyFloat(o.dropout)} and num_layers=${this.numLayers}`);
    }
    if (this.projSize < 0) throw new RangeError('proj_size should be a positive integer or zero to disable projections');
    if (this.projSize >= hiddenSize) throw new RangeError('proj_size has to be smaller than hidden_size');
    const gate = mode === 'LSTM' ? 4 * hiddenSize : mode === 'GRU' ? 3 * hiddenSize : hiddenSize;
    const D = this.bidirectional ? 2 : 1;
    const realH = this.projSize > 0 ? this.projSize : hiddenSize;
    const f = { dtype: o.dtype, device: o.device };
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let dir = 0; dir < D; dir++) {
        const inSize = layer === 0 ? inputSize : realH * D;
        const sfx = `_l${layer}${dir === 1 ? '_reverse' : ''}`;
        const names: string[] = [];
        const add = (n: string, shape: number[]): void => { (this as any)[n + sfx] = new Parameter(empty(shape, f)); names.push(n + sfx); };
        add('weight_ih', [gate, inSize]);
        add('weight_hh', [gate, realH]);
        if (this.bias) { add('bias_ih', [gate]); add('bias_hh', [gate]); }
        if (this.projSize > 0) add('weight_hr', [this.projSize, hiddenSize]);
        this._allWeightNames.push(names);
      }
    }
    this.resetParameters();
  }

  /** Re-draws every parameter from U(−1/√hidden, 1/√hidden), as PyTorch. */
  resetParameters(): void {
    const stdv = this.hiddenSize > 0 ? 1 / Math.sqrt(this.hiddenSize) : 0;
    for (const p of this.parameters()) init.uniform_(p, -stdv, stdv);
  }

  /** The parameters per layer and direction (PyTorch's `all_weights`). */
  get allWeights(): Parameter[][] {
    return this._allWeightNames.map((ns) => ns.map((n) => (this as any)[n] as Parameter));
  }

  /** A no-op kept for ported code: the weights are used as they are (there is no cuDNN flat buffer). */
  flattenParameters(): void {}

  /** @internal The weights of one layer and direction. */
  _weights(layer: number, dir: number): LayerWeights {
    const sfx = `_l${layer}${dir === 1 ? '_reverse' : ''}`;
    const get = (n: string): Tensor | null => (this._parameters.get(n + sfx) ?? null);
    return { wih: get('weight_ih')!, whh: get('weight_hh')!, bih: get('bias_ih'), bhh: get('bias_hh'), whr: get('weight_hr') };
  }

  /** @internal PyTorch's `check_input`. */
  _checkInput(input: Tensor, packed: boolean): void {
    const want = packed ? 2 : 3;
    if (input.dim() !== want) throw new RangeError(`input must have ${want} dimensions, got ${input.dim()}`);
    if (input.shape[input.dim() - 1] !== this.inputSize) {
      throw new RangeError(`input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${input.shape[input.dim() - 1]}`);
    }
  }

  /**
   * @internal The shared forward: `input` (padded, unbatched or packed), initial states (already 3-D and in the
   * caller's batch order, or null), the LSTM flag. Returns the output in the input's form and the final states.
   */
  _run(input: Tensor | PackedSequence, hx: Tensor | null, cx: Tensor | null, unbatched: boolean): [Tensor | PackedSequence, Tensor, Tensor | null] {
    const lstm = this.mode === 'LSTM';
    const D = this.bidirectional ? 2 : 1;
    const realH = this.projSize > 0 ? this.projSize : this.hiddenSize;
    const packed = input instanceof PackedSequence;
    const x = packed ? input.data : input;
    let bs: readonly number[];
    if (packed) {
      bs = input._batchSizes;
    } else {
      this._checkInput(x, false);
      const T = x.shape[this.batchFirst ? 1 : 0]!, B = x.shape[this.batchFirst ? 0 : 1]!;
      bs = new Array<number>(T).fill(B);
    }
    if (packed) this._checkInput(x, true);
    const B = packed ? (bs[0] ?? 0) : x.shape[this.batchFirst ? 0 : 1]!;
    const sorted = packed ? input.sortedIndices : null;
    const hShape = [this.numLayers * D, B, realH], cShape = [this.numLayers * D, B, this.hiddenSize];
    const f = { dtype: x.dtype, device: x.device };
    let h0 = hx === null ? zeros(hShape, f) : sorted === null ? hx : hx.indexSelect(1, sorted);
    let c0 = !lstm ? null : cx === null ? zeros(cShape, f) : sorted === null ? cx : cx.indexSelect(1, sorted);
    const hMsg = lstm ? 'Expected hidden[0] size' : 'Expected hidden size';
    if (h0.dim() !== 3 || h0.shape.some((s, i) => s !== hShape[i])) throw new RangeError(`${hMsg} ${tup(hShape)}, got ${lst(h0.shape)}`);
    if (c0 !== null && (c0.dim() !== 3 || c0.shape.some((s, i) => s !== cShape[i]))) throw new RangeError(`Expected hidden[1] size ${tup(cShape)}, got ${lst(c0.shape)}`);
    if (h0.dtype !== x.dtype || (c0 !== null && c0.dtype !== x.dtype)) {
      throw new TypeError(`input and hidden tensors must have the same dtype, got input ${x.dtype} and hidden ${h0.dtype}${c0 !== null ? `/${c0.dtype}` : ''}`);
    }
    // time-major packed rows: [T·B, in] for a padded batch (every step has all B rows)
    let data = packed ? x : (this.batchFirst ? x.transpose(0, 1) : x).reshape([bs.length * B, this.inputSize]);
    const hs: Tensor[] = [], cs: Tensor[] = [];
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outs: Tensor[] = [];
      for (let dir = 0; dir < D; dir++) {
        const k = layer * D + dir;
        const r = runDirection(this.mode, data, bs, h0.select(0, k), c0 === null ? null : c0.select(0, k), this._weights(layer, dir), dir === 1);
        outs.push(r.out); hs.push(r.h); if (r.c !== null) cs.push(r.c);
      }
      data = D === 1 ? outs[0]! : cat(outs, 1);
      if (this.dropout > 0 && this.training && layer < this.numLayers - 1) data = F.dropout(data, this.dropout, true);
    }
    let hN = stack(hs, 0), cN = lstm ? stack(cs, 0) : null;
    if (packed) {
      const un = input.unsortedIndices;
      if (un !== null) { hN = hN.indexSelect(1, un); if (cN !== null) cN = cN.indexSelect(1, un); }
      const out = new PackedSequence(data, bs, input.sortedIndices, input.unsortedIndices)._withBatchSizes(input.batchSizes);
      return [out, hN, cN];
    }
    let out = data.reshape([bs.length, B, realH * D]);
    if (this.batchFirst) out = out.transpose(0, 1);
    if (unbatched) {
      out = out.squeeze(this.batchFirst ? 0 : 1);
      hN = hN.squeeze(1); if (cN !== null) cN = cN.squeeze(1);
    }
    return [out, hN, cN];
  }

  /** @internal the input after PyTorch's unbatched handling: [input, unbatched]. */
  _batchInput(input: Tensor | PackedSequence): [Tensor | PackedSequence, boolean] {
    if (input instanceof PackedSequence) return [input, false];
    if (!(input instanceof Tensor)) throw new TypeError(`${this._getName()}.forward: input must be a Tensor or a PackedSequence, got ${input === null ? 'null' : typeof input}`);
    if (input.dim() === 3) return [input, false];
    return [input.unsqueeze(this.batchFirst ? 0 : 1), true];
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize !== 0) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (this.bias !== true) s += `, bias=${this.bias ? 'True' : 'False'}`;
    if (this.batchFirst !== false) s += `, batch_first=${this.batchFirst ? 'True' : 'False'}`;
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional !== false) s += `, bidirectional=${this.bidirectional ? 'True' : 'False'}`;
    return s;
  }
}

const BASE_DEFAULTS = {
  numLayers: 1, bias: true, batchFirst: false, dropout: 0, bidirectional: false,
  device: undefined as FactoryOptions['device'], dtype: undefined as FactoryOptions['dtype'],
};

function hasKey(args: readonly unknown[], key: string): boolean {
  return args.some((a) => isOptions(a) && key in a);
}

/** RNN and GRU take no `projSize` (PyTorch's check, made before the other arguments are resolved). */
function rejectProjSize(args: readonly unknown[]): void {
  if (hasKey(args, 'projSize')) throw new RangeError('proj_size argument is only supported for LSTM, not RNN or GRU');
}

/** The forward of RNN and GRU (a hidden state, no cell state): `[output, hN]`, packed in → packed out. */
function forwardHiddenOnly<I extends Tensor | PackedSequence>(m: RNNBase, input: I, hx: Tensor | null): [I, Tensor] {
  const [x, unbatched] = m._batchInput(input);
  const h = hidden3d(hx, unbatched, x instanceof PackedSequence);
  const [out, hN] = m._run(x, h, null, unbatched);
  return [out as I, hN];
}

/** Hidden state of a batched/unbatched RNN or GRU: PyTorch's dimension checks, then 3-D. */
function hidden3d(hx: Tensor | null | undefined, unbatched: boolean, packed: boolean): Tensor | null {
  if (hx === null || hx === undefined) return null;
  if (!(hx instanceof Tensor)) throw new TypeError(`hx must be a Tensor, got ${typeof hx}`);
  if (packed) return hx;
  if (unbatched) {
    if (hx.dim() !== 2) throw new RangeError(`For unbatched 2-D input, hx should also be 2-D but got ${hx.dim()}-D tensor`);
    return hx.unsqueeze(1);
  }
  if (hx.dim() !== 3) throw new RangeError(`For batched 3-D input, hx should also be 3-D but got ${hx.dim()}-D tensor`);
  return hx;
}

/**
 * A multi-layer Elman RNN: hₜ = tanh(xₜ Wᵢₕᵀ + bᵢₕ + hₜ₋₁ Wₕₕᵀ + bₕₕ) (or ReLU with `nonlinearity: 'relu'`).
 * Arguments: (inputSize, hiddenSize, numLayers = 1, bias = true, batchFirst = false, dropout = 0,
 * bidirectional = false) or an options object. `forward(input, h0?)` returns `[output, hN]`: output
 * [T, B, D·H] (or [B, T, D·H], a PackedSequence for a packed input), hN [layers·D, B, H]; unbatched input [T, in]
 * gives [T, D·H] and [layers·D, H].
 * @example
 * const rnn = new torch.nn.RNN(10, 20, 2);
 * const [output, hn] = rnn.forward(torch.randn([5, 3, 10]), torch.randn([2, 3, 20]));
 * output.shape; // [5, 3, 20]
 */
export class RNN extends RNNBase {
  nonlinearity: 'tanh' | 'relu';
  constructor(inputSize: number, hiddenSize: number, numLayers?: number | RNNOptions, ...rest: Positional[]) {
    rejectProjSize([numLayers, ...rest]);
    const o = resolveArgs('RNN', [numLayers, ...rest], { ...BASE_DEFAULTS, nonlinearity: 'tanh' as 'tanh' | 'relu' });
    if (o.nonlinearity !== 'tanh' && o.nonlinearity !== 'relu') throw new RangeError(`Unknown nonlinearity '${String(o.nonlinearity)}'`);
    super(o.nonlinearity === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, { ...o, projSize: 0 });
    this.nonlinearity = o.nonlinearity;
  }
  /** `[output, hN]`; a PackedSequence input gives a PackedSequence output. */
  override forward<I extends Tensor | PackedSequence>(input: I, hx: Tensor | null = null): [I, Tensor] {
    return forwardHiddenOnly(this, input, hx);
  }
}

/**
 * A multi-layer gated recurrent unit (PyTorch's formulas; gates r, z, n in that order in the weights).
 * Arguments and outputs as `RNN` (without `nonlinearity`).
 * @example
 * const gru = new torch.nn.GRU(10, 20, { numLayers: 2, batchFirst: true });
 * const [output, hn] = gru.forward(torch.randn([3, 5, 10]));
 * hn.shape; // [2, 3, 20]
 */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, numLayers?: number | GRUOptions, ...rest: Positional[]) {
    rejectProjSize([numLayers, ...rest]);
    const o = resolveArgs('GRU', [numLayers, ...rest], BASE_DEFAULTS);
    super('GRU', inputSize, hiddenSize, { ...o, projSize: 0 });
  }
  /** `[output, hN]`; a PackedSequence input gives a PackedSequence output. */
  override forward<I extends Tensor | PackedSequence>(input: I, hx: Tensor | null = null): [I, Tensor] {
    return forwardHiddenOnly(this, input, hx);
  }
}

/**
 * A multi-layer long short-term memory RNN (gates i, f, g, o in that order in the weights); with `projSize` > 0 the
 * hidden state is projected by `weight_hr_l{k}` to that size. Arguments as `RNN` plus `projSize` (positional after
 * `bidirectional`). `forward(input, [h0, c0]?)` returns `[output, [hN, cN]]` with hN [layers·D, B, proj or H] and
 * cN [layers·D, B, H].
 * @example
 * const lstm = new torch.nn.LSTM(10, 20, { projSize: 5, bidirectional: true });
 * const [output, [hn, cn]] = lstm.forward(torch.randn([5, 3, 10]));
 * output.shape; // [5, 3, 10]
 * cn.shape;     // [2, 3, 20]
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, numLayers?: number | LSTMOptions, ...rest: Positional[]) {
    const { device, dtype, ...before } = BASE_DEFAULTS;
    // PyTorch's positional order: ..., bidirectional, proj_size, device, dtype
    const o = resolveArgs('LSTM', [numLayers, ...rest], { ...before, projSize: 0, device, dtype });
    super('LSTM', inputSize, hiddenSize, o);
  }
  /** `[output, [hN, cN]]`; a PackedSequence input gives a PackedSequence output. */
  override forward<I extends Tensor | PackedSequence>(input: I, hx: readonly [Tensor, Tensor] | null = null): [I, [Tensor, Tensor]] {
    const [x, unbatched] = this._batchInput(input);
    let h: Tensor | null = null, c: Tensor | null = null;
    if (hx !== null && hx !== undefined) {
      if (!Array.isArray(hx) || hx.length !== 2 || !(hx[0] instanceof Tensor) || !(hx[1] instanceof Tensor)) {
        throw new TypeError('LSTM: hx must be an array [h_0, c_0] of two Tensors');
      }
      [h, c] = hx;
      if (!(x instanceof PackedSequence)) {
        if (unbatched) {
          if (h.dim() !== 2 || c.dim() !== 2) throw new RangeError(`For unbatched 2-D input, hx and cx should also be 2-D but got (${h.dim()}-D, ${c.dim()}-D) tensors`);
          h = h.unsqueeze(1); c = c.unsqueeze(1);
        } else if (h.dim() !== 3 || c.dim() !== 3) {
          throw new RangeError(`For batched 3-D input, hx and cx should also be 3-D but got (${h.dim()}-D, ${c.dim()}-D) tensors`);
        }
      }
    }
    const [out, hN, cN] = this._run(x, h, c, unbatched);
    return [out as I, [hN, cN!]];
  }
}

// --------------------------------------------------------------------------------------------------------------------
// Cells

/** Options of the cells: `bias` (default true), `device`, `dtype` (and `nonlinearity` for `RNNCell`). */
export interface RNNCellOptions extends FactoryOptions { bias?: boolean; nonlinearity?: 'tanh' | 'relu' }
/** Options of `LSTMCell` and `GRUCell`. */
export interface CellOptions extends FactoryOptions { bias?: boolean }

/**
 * The base of the cells (PyTorch's `RNNCellBase`): `weight_ih` [G, in], `weight_hh` [G, H], `bias_ih`, `bias_hh`
 * [G], initialised U(−1/√H, 1/√H).
 */
export class RNNCellBase extends Module {
  inputSize: number;
  hiddenSize: number;
  bias: boolean;
  declare weight_ih: Parameter;
  declare weight_hh: Parameter;
  declare bias_ih: Parameter | null;
  declare bias_hh: Parameter | null;

  constructor(cls: string, inputSize: number, hiddenSize: number, bias: boolean, numChunks: number, f: FactoryOptions) {
    super();
    this.inputSize = checkSize(cls, 'input_size', inputSize);
    this.hiddenSize = checkSize(cls, 'hidden_size', hiddenSize);
    if (hiddenSize <= 0) throw new RangeError('hidden_size must be greater than zero');
    this.bias = bias;
    const o = { dtype: f.dtype, device: f.device };
    this.weight_ih = new Parameter(empty([numChunks * hiddenSize, inputSize], o));
    this.weight_hh = new Parameter(empty([numChunks * hiddenSize, hiddenSize], o));
    if (bias) {
      this.bias_ih = new Parameter(empty([numChunks * hiddenSize], o));
      this.bias_hh = new Parameter(empty([numChunks * hiddenSize], o));
    } else {
      this.registerParameter('bias_ih', null);
      this.registerParameter('bias_hh', null);
    }
    this.resetParameters();
  }

  /** Re-draws every parameter from U(−1/√hidden, 1/√hidden), as PyTorch. */
  resetParameters(): void {
    const stdv = this.hiddenSize > 0 ? 1 / Math.sqrt(this.hiddenSize) : 0;
    for (const p of this.parameters()) init.uniform_(p, -stdv, stdv);
  }

  /** @internal PyTorch's input checks; returns the input as [B, in] and whether it was unbatched. */
  _cellInput(input: Tensor): [Tensor, boolean] {
    if (!(input instanceof Tensor)) throw new TypeError(`${this._getName()}.forward: input must be a Tensor, got ${input === null ? 'null' : typeof input}`);
    if (input.dim() !== 1 && input.dim() !== 2) {
      throw new RangeError(`${this._getName()}: Expected input to be 1-D or 2-D but received ${input.dim()}-D tensor`);
    }
    const x = input.dim() === 1 ? input.unsqueeze(0) : input;
    if (x.shape[1] !== this.inputSize) throw new RangeError(`input has inconsistent input_size: got ${x.shape[1]} expected ${this.inputSize}`);
    return [x, input.dim() === 1];
  }

  /** @internal a hidden state given by the caller (or zeros), checked as PyTorch's cell kernels do. */
  _cellHidden(hx: Tensor | null | undefined, x: Tensor, unbatched: boolean, k: number): Tensor {
    if (hx === null || hx === undefined) return zeros([x.shape[0]!, this.hiddenSize], { dtype: x.dtype, device: x.device });
    if (!(hx instanceof Tensor)) throw new TypeError(`${this._getName()}: hx must be a Tensor`);
    const h = unbatched ? hx.unsqueeze(0) : hx;
    if (h.dim() !== 2) throw new RangeError(`${this._getName()}: Expected hidden to be 1-D or 2-D but received ${hx.dim()}-D tensor`);
    if (h.shape[0] !== x.shape[0]) throw new RangeError(`Input batch size ${x.shape[0]} doesn't match hidden${k} batch size ${h.shape[0]}`);
    if (h.shape[1] !== this.hiddenSize) throw new RangeError(`hidden${k} has inconsistent hidden_size: got ${h.shape[1]}, expected ${this.hiddenSize}`);
    return h;
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.bias !== true) s += `, bias=${this.bias ? 'True' : 'False'}`;
    const nl = (this as { nonlinearity?: string }).nonlinearity;
    if (nl !== undefined && nl !== 'tanh') s += `, nonlinearity=${nl}`;
    return s;
  }
}

/**
 * One step of an Elman RNN: h' = tanh(x Wᵢₕᵀ + bᵢₕ + h Wₕₕᵀ + bₕₕ) (or ReLU). Arguments: (inputSize, hiddenSize,
 * bias = true, nonlinearity = 'tanh') or options. `forward(input [B, in] or [in], hx?)` returns h' [B, H] or [H].
 * @example
 * const cell = new torch.nn.RNNCell(10, 20);
 * let hx = torch.randn([3, 20]);
 * for (const x of torch.randn([6, 3, 10]).unbind(0)) hx = cell.call(x, hx);
 */
export class RNNCell extends RNNCellBase {
  nonlinearity: 'tanh' | 'relu';
  constructor(inputSize: number, hiddenSize: number, bias?: boolean | RNNCellOptions, nonlinearity?: 'tanh' | 'relu' | RNNCellOptions, opts?: RNNCellOptions) {
    const o = resolveArgs('RNNCell', [bias, nonlinearity, opts], { bias: true, nonlinearity: 'tanh' as 'tanh' | 'relu', device: BASE_DEFAULTS.device, dtype: BASE_DEFAULTS.dtype });
    if (o.nonlinearity !== 'tanh' && o.nonlinearity !== 'relu') throw new RangeError(`Unknown nonlinearity: ${String(o.nonlinearity)}`);
    super('RNNCell', inputSize, hiddenSize, o.bias, 1, o);
    this.nonlinearity = o.nonlinearity;
  }
  override forward(input: Tensor, hx: Tensor | null = null): Tensor {
    const [x, unbatched] = this._cellInput(input);
    const h = this._cellHidden(hx, x, unbatched, 0);
    const out = rnnStep(F.linear(x, this.weight_ih, this.bias_ih), F.linear(h, this.weight_hh, this.bias_hh), this.nonlinearity === 'relu');
    return unbatched ? out.squeeze(0) : out;
  }
}

/**
 * One LSTM step: `forward(input, [h, c]?)` returns `[h', c']` (gates i, f, g, o in the weights' order).
 * Arguments: (inputSize, hiddenSize, bias = true) or options.
 * @example
 * const cell = new torch.nn.LSTMCell(10, 20);
 * let [h, c] = [torch.zeros([3, 20]), torch.zeros([3, 20])];
 * for (const x of torch.randn([6, 3, 10]).unbind(0)) [h, c] = cell.call(x, [h, c]);
 */
export class LSTMCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, bias?: boolean | CellOptions, opts?: CellOptions) {
    const o = resolveArgs('LSTMCell', [bias, opts], { bias: true, device: BASE_DEFAULTS.device, dtype: BASE_DEFAULTS.dtype });
    super('LSTMCell', inputSize, hiddenSize, o.bias, 4, o);
  }
  override forward(input: Tensor, hx: readonly [Tensor, Tensor] | null = null): [Tensor, Tensor] {
    const [x, unbatched] = this._cellInput(input);
    if (hx !== null && hx !== undefined && (!Array.isArray(hx) || hx.length !== 2)) throw new TypeError('LSTMCell: hx must be an array [h_0, c_0] of two Tensors');
    const h = this._cellHidden(hx?.[0], x, unbatched, 0);
    // PyTorch's cell kernel names both states hidden0 in its messages
    const c = this._cellHidden(hx?.[1], x, unbatched, 0);
    const [h2, c2] = lstmStep(F.linear(x, this.weight_ih, this.bias_ih), F.linear(h, this.weight_hh, this.bias_hh), c, null);
    return unbatched ? [h2.squeeze(0), c2.squeeze(0)] : [h2, c2];
  }
}

/**
 * One GRU step: `forward(input, hx?)` returns h' (gates r, z, n in the weights' order). Arguments: (inputSize,
 * hiddenSize, bias = true) or options.
 * @example
 * const cell = new torch.nn.GRUCell(10, 20);
 * cell.call(torch.randn([3, 10])).shape; // [3, 20]
 */
export class GRUCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, bias?: boolean | CellOptions, opts?: CellOptions) {
    const o = resolveArgs('GRUCell', [bias, opts], { bias: true, device: BASE_DEFAULTS.device, dtype: BASE_DEFAULTS.dtype });
    super('GRUCell', inputSize, hiddenSize, o.bias, 3, o);
  }
  override forward(input: Tensor, hx: Tensor | null = null): Tensor {
    const [x, unbatched] = this._cellInput(input);
    const h = this._cellHidden(hx, x, unbatched, 0);
    const out = gruStep(F.linear(x, this.weight_ih, this.bias_ih), F.linear(h, this.weight_hh, this.bias_hh), h);
    return unbatched ? out.squeeze(0) : out;
  }
}
