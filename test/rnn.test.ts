/**
 * Recurrent layers and nn.utils.rnn against PyTorch (test/fixtures/rnn.json, from scripts/gen_rnn_fixtures.py):
 * PyTorch's state dict is loaded with loadStateDict (so names, order and shapes must be PyTorch's), then the
 * outputs (padded, unbatched or packed), the final states, and the gradients of the input, of the initial states
 * and of every parameter must match; the printout too. Then the utilities' values and gradients, the errors in
 * PyTorch's words, and the properties that fixtures cannot pin (initialisation range, dropout in training,
 * option checking, summary shapes, the meta device).
 */
import { test, itemOf, toList, userRead, hasBackend } from './_harness.js';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';
import type { Tensor } from 'torchlet';
import { assertClose, assertThrowsLike, loadFixture, mk, stateOf } from './nn-util.test.js';
import type { Value } from './nn-util.test.js';

const { nn } = torch;
const U = nn.utils.rnn;

interface LayerCase {
  name: string; kind: string; args: number[]; kwargs: Record<string, any>; mode: 'train' | 'eval'; repr: string;
  state: Record<string, Value>; input: Value; packed: { lengths: number[]; batchFirst: boolean; enforceSorted: boolean } | null;
  hx: Value | Value[] | null; outs: Value[]; gradOuts: Value[]; inputGrad: Value; hxGrads: Value[];
  paramGrads: Record<string, Value>; batchSizes?: number[]; atol?: number; rtol?: number;
}
interface UtilCase {
  name: string; fn: string; inputs: Value[]; kwargs: Record<string, any>; outs: Record<string, any>; gradOut: Value; inputGrads: Value[];
}
const fx = loadFixture<{ layers: LayerCase[]; utils: UtilCase[]; errors: { name: string; error: string }[] }>('rnn.json');

function build(c: LayerCase): torch.nn.Module {
  const Cls = (nn as any)[c.kind];
  return Object.keys(c.kwargs).length > 0 ? new Cls(...c.args, c.kwargs) : new Cls(...c.args);
}

for (const c of fx.layers) {
  test(`nn.${c.name}`, async () => {
    const m = build(c);
    assert.equal(String(m), c.repr, 'repr');
    m.loadStateDict(stateOf(c.state));
    m.train(c.mode === 'train');
    const x = mk(c.input, true);
    const arg = c.packed === null ? x : U.packPaddedSequence(x, c.packed.lengths, { batchFirst: c.packed.batchFirst, enforceSorted: c.packed.enforceSorted });
    const hx = c.hx === null ? null : Array.isArray(c.hx) ? c.hx.map((v) => mk(v, true)) : mk(c.hx, true);
    const res = hx === null ? m.call(arg) : m.call(arg, hx);
    let outs: Tensor[];
    if (c.kind.endsWith('Cell')) outs = Array.isArray(res) ? res : [res];
    else {
      const [out, h] = res as [Tensor | torch.nn.utils.rnn.PackedSequence, Tensor | [Tensor, Tensor]];
      if (c.packed !== null) {
        assert.ok(out instanceof U.PackedSequence, 'a packed input gives a PackedSequence');
        assert.deepEqual(await toList(out.batchSizes), c.batchSizes, 'batch sizes');
      }
      outs = [out instanceof U.PackedSequence ? out.data : out, ...(Array.isArray(h) ? h : [h])];
    }
    assert.equal(outs.length, c.outs.length, 'number of outputs');
    const atol = c.atol ?? 2e-5, rtol = c.rtol ?? 1e-4;
    let loss: Tensor | null = null;
    for (const [i, e] of c.outs.entries()) {
      assert.equal(outs[i]!.dtype, e.dtype, `output ${i} dtype`);
      await assertClose(outs[i]!, e, `output ${i}`, atol, rtol);
      const term = outs[i]!.mul(mk(c.gradOuts[i]!)).sum();
      loss = loss === null ? term : loss.add(term);
    }
    loss!.backward();
    await assertClose(x.grad!, c.inputGrad, 'grad of input', atol * 2, rtol * 2);
    const hs = hx === null ? [] : Array.isArray(hx) ? hx : [hx];
    for (const [i, g] of c.hxGrads.entries()) await assertClose(hs[i]!.grad!, g, `grad of hx[${i}]`, atol * 2, rtol * 2);
    const params = new Map(m.namedParameters());
    assert.deepEqual([...params.keys()], Object.keys(c.paramGrads), 'parameter names and order');
    for (const [k, g] of Object.entries(c.paramGrads)) {
      assert.ok(params.get(k)!.grad !== null, `${k} has no grad`);
      await assertClose(params.get(k)!.grad!, g, `grad of ${k}`, atol * 2, rtol * 2);
    }
  });
}

for (const c of fx.utils) {
  test(`nn.utils.rnn.${c.name}`, async () => {
    const ins = c.inputs.map((v) => mk(v, true));
    const kw = c.kwargs;
    let out: Tensor;
    if (c.fn === 'padSequence') {
      out = Object.keys(kw).length > 0 ? U.padSequence(ins, kw) : U.padSequence(ins);
    } else if (c.fn === 'packPaddedSequence') {
      const p = U.packPaddedSequence(ins[0]!, kw.lengths, { batchFirst: kw.batchFirst, enforceSorted: kw.enforceSorted });
      out = p.data;
      assert.deepEqual(await toList(p.batchSizes), c.outs.batchSizes, 'batchSizes');
      assert.equal(p.batchSizes.dtype, 'int64');
      assert.deepEqual(p.sortedIndices === null ? null : await toList(p.sortedIndices), c.outs.sortedIndices, 'sortedIndices');
      assert.deepEqual(p.unsortedIndices === null ? null : await toList(p.unsortedIndices), c.outs.unsortedIndices, 'unsortedIndices');
    } else {
      const p = U.packSequence(ins, { enforceSorted: kw.enforceSorted ?? true });
      assert.deepEqual(await toList(p.batchSizes), c.outs.batchSizes, 'batchSizes');
      const [o, lengths] = U.padPackedSequence(p, { batchFirst: kw.batchFirst, paddingValue: kw.paddingValue, totalLength: kw.totalLength });
      assert.deepEqual(await toList(lengths), c.outs.lengths, 'lengths');
      assert.equal(lengths.dtype, 'int64');
      out = o;
    }
    await assertClose(out, c.outs.out, 'output', 1e-12, 1e-7); // exact copies (the fixture's decimals round-trip float32)
    out.mul(mk(c.gradOut)).sum().backward();
    for (const [i, g] of c.inputGrads.entries()) await assertClose(ins[i]!.grad!, g, `grad of input ${i}`, 1e-6, 1e-6);
  });
}

const ERRORS: Record<string, () => unknown> = {
  rnn_input_size: () => new nn.RNN(10, 20, 2).call(torch.randn([5, 3, 7])),
  rnn_hidden_size: () => new nn.RNN(10, 20, 2).call(torch.randn([5, 3, 10]), torch.randn([1, 3, 20])),
  rnn_batched_2d_hx: () => new nn.RNN(10, 20, 2).call(torch.randn([5, 3, 10]), torch.randn([3, 20])),
  rnn_1d_input: () => new nn.RNN(10, 20, 2).call(torch.randn([10])),
  rnn_unbatched_3d_hx: () => new nn.RNN(10, 20, 2).call(torch.randn([5, 10]), torch.randn([2, 1, 20])),
  rnn_4d_input: () => new nn.RNN(10, 20, 2).call(torch.randn([4, 5, 3, 10])),
  lstm_hidden0_size: () => new nn.LSTM(10, 20, { projSize: 5 }).call(torch.randn([5, 3, 10]), [torch.randn([1, 3, 20]), torch.randn([1, 3, 20])]),
  lstm_hidden1_size: () => new nn.LSTM(10, 20, { projSize: 5 }).call(torch.randn([5, 3, 10]), [torch.randn([1, 3, 5]), torch.randn([1, 3, 5])]),
  lstm_batched_2d_hx: () => new nn.LSTM(10, 20, { projSize: 5 }).call(torch.randn([5, 3, 10]), [torch.randn([3, 5]), torch.randn([3, 20])]),
  lstm_unbatched_3d_hx: () => new nn.LSTM(10, 20, { projSize: 5 }).call(torch.randn([5, 10]), [torch.randn([1, 3, 5]), torch.randn([1, 3, 20])]),
  lstm_proj_too_big: () => new nn.LSTM(10, 20, { projSize: 20 }),
  lstm_proj_negative: () => new nn.LSTM(10, 20, { projSize: -1 }),
  gru_proj: () => new nn.GRU(10, 20, { projSize: 2 } as any),
  rnn_proj: () => new nn.RNN(10, 20, { projSize: 2 } as any),
  rnn_nonlinearity: () => new nn.RNN(10, 20, { nonlinearity: 'sigmoid' as any }),
  rnn_dropout_range: () => new nn.RNN(10, 20, { dropout: 1.5 }),
  cell_input_size: () => new nn.RNNCell(10, 20).call(torch.randn([3, 5])),
  cell_batch: () => new nn.RNNCell(10, 20).call(torch.randn([3, 10]), torch.randn([2, 20])),
  cell_hidden_size: () => new nn.RNNCell(10, 20).call(torch.randn([3, 10]), torch.randn([3, 7])),
  cell_3d_input: () => new nn.RNNCell(10, 20).call(torch.randn([3, 3, 10])),
  lstmcell_hidden1_batch: () => new nn.LSTMCell(10, 20).call(torch.randn([3, 10]), [torch.randn([3, 20]), torch.randn([2, 20])]),
  lstmcell_hidden1_size: () => new nn.LSTMCell(10, 20).call(torch.randn([3, 10]), [torch.randn([3, 20]), torch.randn([3, 7])]),
  pack_unsorted: () => U.packPaddedSequence(torch.randn([5, 3, 2]), [3, 4, 2]),
  pack_zero_length: () => U.packPaddedSequence(torch.randn([5, 3, 2]), [5, 4, 0]),
  pack_lengths_count: () => U.packPaddedSequence(torch.randn([5, 3, 2]), [5, 4]),
  pad_packed_total_length: () => U.padPackedSequence(U.packPaddedSequence(torch.randn([5, 3, 2]), [5, 4, 2]), { totalLength: 3 }),
  pad_sequence_empty: () => U.padSequence([]),
  pack_sequence_empty: () => U.packSequence([]),
  pack_1d_input: () => U.packPaddedSequence(torch.randn([5]), [5]),
  rnn_packed_input_size: () => new nn.RNN(10, 20, 2).call(U.packPaddedSequence(torch.randn([5, 3, 2]), [5, 4, 2])),
};

for (const e of fx.errors) {
  test(`rnn error: ${e.name}`, () => {
    const fn = ERRORS[e.name];
    assert.ok(fn !== undefined, `no mapping for error case ${e.name}`);
    assertThrowsLike(fn, e.error, e.name);
  });
}

test('RNN layers: PyTorch initialisation U(-1/sqrt(hidden), 1/sqrt(hidden)) for every parameter, PyTorch shapes', async () => {
  const lstm = new nn.LSTM(7, 16, 2, { bidirectional: true, projSize: 4 });
  const bound = 1 / Math.sqrt(16);
  const shapes: Record<string, number[]> = {};
  for (const [n, p] of lstm.namedParameters()) {
    shapes[n] = [...p.shape];
    assert.ok((await itemOf(p.abs().max())) <= bound, `${n} within the bound`);
    assert.ok((await itemOf(p.abs().max())) > bound / 2, `${n} spread over the range`);
  }
  assert.deepEqual(shapes['weight_ih_l0'], [64, 7]);
  assert.deepEqual(shapes['weight_hh_l0'], [64, 4]);
  assert.deepEqual(shapes['weight_hr_l0_reverse'], [4, 16]);
  assert.deepEqual(shapes['weight_ih_l1'], [64, 8]);
  assert.equal(lstm.allWeights.length, 4);
  assert.deepEqual(lstm.allWeights[1]!.map((p) => p.shape[0]), [64, 64, 64, 64, 4]);
  const cell = new nn.GRUCell(3, 9);
  assert.deepEqual(cell.namedParameters().map(([n, p]) => [n, [...p.shape]]), [
    ['weight_ih', [27, 3]], ['weight_hh', [27, 9]], ['bias_ih', [27]], ['bias_hh', [27]],
  ]);
  assert.deepEqual(new nn.RNNCell(3, 4, false).namedParameters().map(([n]) => n), ['weight_ih', 'weight_hh']);
});

test('RNN layers: options in PyTorch order or as an object; unknown keys error with a hint', () => {
  const a = new nn.GRU(3, 4, 2, false, true, 0, true);
  assert.equal(String(a), 'GRU(3, 4, num_layers=2, bias=False, batch_first=True, bidirectional=True)');
  assert.equal(String(new nn.LSTM(3, 4, 1, true, false, 0, false, 2)), 'LSTM(3, 4, proj_size=2)');
  assert.throws(() => new nn.LSTM(3, 4, { projsize: 2 } as any), /unexpected keyword argument 'projsize'; did you mean 'projSize'/);
  assert.throws(() => new nn.RNN(3, 4, { num_layers: 2 } as any), /did you mean 'numLayers'/);
  assert.throws(() => new nn.LSTMCell(3, 4, { bias: false, nonlinearity: 'relu' } as any), /unexpected keyword argument 'nonlinearity'/);
  assert.throws(() => U.padSequence([torch.ones([2])], { batch_first: true } as any), /did you mean 'batchFirst'/);
  assert.throws(() => U.packPaddedSequence(torch.ones([2, 1]), [2], { enforce_sorted: false } as any), /did you mean 'enforceSorted'/);
  assert.throws(() => new nn.RNN(3, 4.5), /hidden_size should be of type int/);
  assert.throws(() => new nn.RNN(3, 0), /hidden_size must be greater than zero/);
  assert.throws(() => new nn.LSTM(3, 4, 0), /num_layers must be greater than zero/);
  assert.throws(() => U.packPaddedSequence(torch.ones([3, 2]), [4, 1]), /exceeds the input's sequence length \(3\)/);
});

test('RNN dropout: between layers in training only, with the UserWarning for one layer', async () => {
  torch.manualSeed(0);
  const rnn = new nn.RNN(4, 8, 2, { dropout: 0.5 });
  const x = torch.randn([6, 3, 4]);
  rnn.eval();
  const [e1] = rnn.forward(x);
  const [e2] = rnn.forward(x);
  assert.ok(await itemOf(e1.eq(e2).all()), 'eval is deterministic');
  rnn.train();
  const [t1] = rnn.forward(x);
  assert.ok(!(await itemOf(t1.eq(e1).all())), 'training applies dropout');
  // the first layer's output is not dropped: a one-layer RNN sharing layer 0 gives the same hN for layer 0
  const one = new nn.RNN(4, 8, 1);
  one.loadStateDict({ weight_ih_l0: rnn.weight_ih_l0, weight_hh_l0: rnn.weight_hh_l0, bias_ih_l0: (rnn as any).bias_ih_l0, bias_hh_l0: (rnn as any).bias_hh_l0 });
  const [, h1] = rnn.forward(x);
  const [, ho] = one.forward(x);
  await assertClose(h1.select(0, 0), { shape: [3, 8], dtype: 'float32', data: await toList(ho.select(0, 0)).then((v: number[][]) => v.flat()) }, 'layer-0 state unaffected', 1e-6, 1e-6);
  const warnings: string[] = [];
  const orig = process.emitWarning;
  (process as any).emitWarning = (m: string) => { warnings.push(String(m)); };
  try { void new nn.LSTM(3, 4, { dropout: 0.2 }); } finally { (process as any).emitWarning = orig; }
  assert.deepEqual(warnings, ['dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects num_layers greater than 1, but got dropout=0.2 and num_layers=1']);
});

test('packed sequences: tensor lengths, destructuring, round trips, padded vs packed agreement', async () => {
  const seqs = [torch.randn([2, 3]), torch.randn([4, 3]), torch.randn([1, 3])];
  const padded = U.padSequence(seqs, { batchFirst: true });
  const lens = torch.tensor([2, 4, 1], { dtype: 'int64' });
  const p = userRead(() => U.packPaddedSequence(padded, lens, { batchFirst: true, enforceSorted: false }));
  const [data, batchSizes, sortedIndices, unsortedIndices] = p;
  assert.equal(data, p.data);
  assert.deepEqual(await toList(batchSizes!), [3, 2, 1, 1]);
  assert.deepEqual(await toList(sortedIndices!), [1, 0, 2]);
  assert.deepEqual(await toList(unsortedIndices!), [1, 0, 2]);
  const back = U.unpackSequence(p);
  for (const [i, s] of seqs.entries()) assert.ok(await itemOf(back[i]!.eq(s).all()), `sequence ${i} round trip`);
  const unp = U.unpadSequence(padded, [2, 4, 1], true);
  assert.deepEqual(unp.map((s) => s.shape), [[2, 3], [4, 3], [1, 3]]);
  // each sequence through a packed GRU equals that sequence alone through the GRU
  const gru = new nn.GRU(3, 5, { bidirectional: true });
  const [out, hN] = gru.forward(U.packSequence(seqs, false)); // forward: typed by the generic (runs hooks too)
  const [outPad, outLens] = U.padPackedSequence(out);
  assert.deepEqual(await toList(outLens), [2, 4, 1]);
  for (const [i, s] of seqs.entries()) {
    const [o1, h1] = gru.forward(s.unsqueeze(1));
    const L = s.shape[0]!;
    assert.ok(await itemOf(outPad.narrow(0, 0, L).select(1, i).isclose(o1.squeeze(1), 1e-5, 1e-6).all()), `output of sequence ${i}`);
    assert.ok(await itemOf(hN.select(1, i).isclose(h1.squeeze(1), 1e-5, 1e-6).all()), `final state of sequence ${i}`);
    if (L < 4) assert.ok(await itemOf(outPad.narrow(0, L, 4 - L).select(1, i).eq(0).all()), `padding of sequence ${i}`);
  }
  assert.match(userRead(() => String(U.packSequence([torch.tensor([1, 2], { dtype: 'int64' }), torch.tensor([3], { dtype: 'int64' })]))), /^PackedSequence\(data=tensor\(\[1, 3, 2\]\), batch_sizes=tensor\(\[2, 1\]\), sorted_indices=None, unsorted_indices=None\)$/);
  const made = userRead(() => new U.PackedSequence(torch.ones([3, 2]), torch.tensor([2, 1], { dtype: 'int64' })));
  assert.deepEqual(made._batchSizes, [2, 1]);
  assert.throws(() => new U.PackedSequence(torch.ones([4, 2]), [2, 1]), /batch_sizes sum to 3/);
  assert.equal(p.to('float64').data.dtype, 'float64');
});

test('RNN layers under summary: tuple outputs show the output shape, parameters counted', () => {
  class Seq extends nn.Module {
    lstm = new nn.LSTM(8, 16, { numLayers: 2, batchFirst: true });
    head = new nn.Linear(16, 4);
    override forward(x: Tensor): Tensor {
      const [out] = this.lstm.forward(x);
      return this.head.call(out.select(1, -1));
    }
  }
  const s = torch.summary(new Seq(), [5, 8], { verbose: 0, batchSize: 3 });
  const row = s.layers.find((l) => l.type === 'LSTM')!;
  assert.deepEqual(row.outputShape, [3, 5, 16]);
  assert.equal(row.numParams, 4 * 16 * (8 + 16 + 2) + 4 * 16 * (16 + 16 + 2));
  assert.deepEqual(s.layers.find((l) => l.type === 'Linear')!.outputShape, [3, 4]);
  assert.match(s.toString(), /LSTM: 1-1\s+\[3, 5, 16\]\s+3,840/);
});

test('RNN layers on the meta device: shapes only', { skip: !hasBackend('meta') }, () => {
  const lstm = new nn.LSTM(3, 6, 2, { device: 'meta', bidirectional: true, projSize: 2 });
  const [out, [h, c]] = lstm.forward(torch.empty([7, 4, 3], { device: 'meta' }));
  assert.deepEqual([out.shape, h.shape, c.shape], [[7, 4, 4], [4, 4, 2], [4, 4, 6]]);
  assert.equal(out.device.type, 'meta');
});
