/**
 * nn.Transformer, nn.TransformerDecoderLayer / TransformerDecoder, Transformer.generateSquareSubsequentMask and
 * F.scaledDotProductAttention against PyTorch (test/fixtures/nn_transformer.json, scripts/gen_tfm_fixtures.py):
 * PyTorch's state dicts load (same parameter names), forward values and the gradients of inputs and parameters
 * match, with the nn kernels and with their fallbacks. The SDPA fixtures come from PyTorch's documented reference
 * formula (python3-torch 1.13 predates the function; see the script).
 */
import { test, toList } from './_harness.js';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';
import { assertClose, assertThrowsLike, loadFixture, mk, revive } from './nn-util.test.js';
import type { Input, Value } from './nn-util.test.js';
import { runLayerCase } from './nn-fixture-cases.test.js';
import type { LayerCase } from './nn-fixture-cases.test.js';
import { MODES, inMode } from './nn_modes.test.js';

const { nn } = torch;
const F = nn.functional;

interface SdpaCase { name: string; inputs: Input[]; opts: Record<string, any>; out: Value; gradOut: Value; inputGrads: Value[] }
const fx = loadFixture<{ cases: LayerCase[]; sdpa: SdpaCase[]; masks: { sz: number; mask: Value }; errors: { name: string; error: string }[] }>('nn_transformer.json');

const E = 8;
function build(c: LayerCase): torch.nn.Module | null {
  switch (c.build) {
    case 'decoder': return new nn.TransformerDecoder(new nn.TransformerDecoderLayer(E, 2, { dimFeedforward: 16, dropout: 0 }), 2, new nn.LayerNorm(E));
    case 'decoder_layer_silu': return new nn.TransformerDecoderLayer(E, 2, { dimFeedforward: 16, dropout: 0, activation: F.silu });
    case 'transformer_custom': {
      const enc = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(E, 2, { dimFeedforward: 16, dropout: 0 }), 1);
      const dec = new nn.TransformerDecoder(new nn.TransformerDecoderLayer(E, 2, { dimFeedforward: 16, dropout: 0 }), 1);
      return new nn.Transformer(E, 2, { customEncoder: enc, customDecoder: dec, dropout: 0 });
    }
    case undefined: return null;
    default: throw new Error(`unknown builder ${c.build}`);
  }
}

for (const mode of MODES) for (const c of fx.cases) {
  test(`nn.${c.name} (${mode})`, () => inMode(mode, () => runLayerCase(c, build)));
}

for (const mode of MODES) for (const c of fx.sdpa) {
  test(`F.scaledDotProductAttention ${c.name} (${mode})`, () => inMode(mode, async () => {
    const [q, k, v] = c.inputs.map((x) => mk(x, true)) as [torch.Tensor, torch.Tensor, torch.Tensor];
    const opts = revive(c.opts);
    const out = Object.keys(opts).length > 0 ? F.scaledDotProductAttention(q, k, v, opts) : F.scaledDotProductAttention(q, k, v);
    await assertClose(out, c.out, 'output');
    out.mul(mk(c.gradOut)).sum().backward();
    for (const [i, t] of [q, k, v].entries()) await assertClose(t.grad!, c.inputGrads[i]!, `grad of input ${i}`, 2e-5, 2e-4);
  }));
}

test('Transformer.generateSquareSubsequentMask matches PyTorch (float, -inf above the diagonal)', async () => {
  const m = nn.Transformer.generateSquareSubsequentMask(fx.masks.sz);
  assert.equal(m.dtype, 'float32');
  await assertClose(m, fx.masks.mask, 'mask');
  const d = nn.Transformer.generateSquareSubsequentMask(2, { dtype: 'float64' });
  assert.equal(d.dtype, 'float64');
  assert.deepEqual(await toList(nn.Transformer.generateSquareSubsequentMask(0)), []);
});

test('Transformer errors in PyTorch\'s words', () => {
  const t = new nn.Transformer(8, 2, 1, 1, 16, 0);
  const want = new Map(fx.errors.map((e) => [e.name, e.error]));
  assertThrowsLike(() => t.forward(torch.randn([5, 2, 8]), torch.randn([4, 3, 8])), want.get('Transformer/batch_mismatch')!, 'batch');
  assertThrowsLike(() => t.forward(torch.randn([5, 2, 8]), torch.randn([4, 2, 6])), want.get('Transformer/feature_mismatch')!, 'feature');
  assertThrowsLike(() => new nn.TransformerDecoderLayer(8, 2, { activation: 'tanh' as any }), want.get('TransformerDecoderLayer/bad_activation')!, 'activation');
  // PyTorch 2.x: an is_causal hint needs the mask it describes
  assertThrowsLike(() => t.forward(torch.randn([5, 2, 8]), torch.randn([4, 2, 8]), { tgtIsCausal: true }), 'Need attn_mask if specifying the is_causal hint', 'hint');
  assertThrowsLike(() => t.forward(torch.randn([5, 2, 8]), torch.randn([4, 2, 8]), { tgtMaks: null } as any), "unexpected keyword argument 'tgtMaks'; did you mean 'tgtMask'?", 'typo');
});

test('an isCausal hint with its mask gives the result of the mask alone', async () => {
  torch.manualSeed(3);
  const t = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16, dropout: 0 });
  const src = torch.randn([5, 2, 8]), tgt = torch.randn([4, 2, 8]);
  const mask = nn.Transformer.generateSquareSubsequentMask(4);
  const a = t.forward(src, tgt, { tgtMask: mask });
  const b = t.forward(src, tgt, { tgtMask: mask, tgtIsCausal: true });
  assert.deepEqual(await toList(a), await toList(b));
});

test('Transformer: xavier-uniform init of every matrix, positional arguments, dropout active in training', async () => {
  torch.manualSeed(1);
  const t = new nn.Transformer(16, 4, 1, 2, 32, 0.5);
  assert.equal((t.decoder as any).layers.length, 2);
  const w = t.getParameter('decoder.layers.1.linear1.weight');
  const bound = Math.sqrt(6 / (16 + 32));
  const maxAbs = (await w.abs().max().typedArray())[0]!;
  assert.ok(maxAbs <= bound && maxAbs > bound * 0.8, `xavier bound ${bound}, got max ${maxAbs}`);
  const src = torch.randn([3, 2, 16]), tgt = torch.randn([2, 2, 16]);
  const y1 = await toList(t.forward(src, tgt)), y2 = await toList(t.forward(src, tgt));
  assert.notDeepEqual(y1, y2, 'dropout in training mode');
  t.eval();
  assert.deepEqual(await toList(t.forward(src, tgt)), await toList(t.forward(src, tgt)));
});

test('scaledDotProductAttention: errors, options and dropout', async () => {
  const q = torch.randn([2, 3, 4]), k = torch.randn([2, 5, 4]), v = torch.randn([2, 5, 6]);
  assertThrowsLike(() => F.scaledDotProductAttention(q, k, v, { attnMask: torch.zeros([3, 5], { dtype: 'bool' }), isCausal: true }),
    '_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True', 'causal + mask');
  assertThrowsLike(() => F.scaledDotProductAttention(q, k.double(), v), 'Expected query, key, and value to have the same dtype, but got query.dtype: float key.dtype: double and value.dtype: float instead.', 'dtype');
  assertThrowsLike(() => F.scaledDotProductAttention(q, k, v, { attnMask: torch.zeros([3, 5], { dtype: 'int64' }) }),
    'Expected attn_mask dtype to be bool or float or to match query dtype, but got attn_mask.dtype: long int and  query.dtype: float instead.', 'mask dtype');
  assertThrowsLike(() => F.scaledDotProductAttention(torch.randn([4]), k, v), 'Expected query, key, and value to all be  at least 2 dimensional', 'dims');
  assertThrowsLike(() => F.scaledDotProductAttention(q, k, v, { isCasual: true } as any), "did you mean 'isCausal'?", 'typo');
  // positional form = options form
  const m = torch.randn([3, 5]);
  assert.deepEqual(await toList(F.scaledDotProductAttention(q, k, v, m, 0, false, 0.5)), await toList(F.scaledDotProductAttention(q, k, v, { attnMask: m, scale: 0.5 })));
  // dropout: p = 1 drops everything; 0 < p < 1 keeps the expectation (scaled by 1/(1-p)) and changes the values
  assert.deepEqual(await toList(F.scaledDotProductAttention(q, k, v, { dropoutP: 1 }).abs().sum()), 0);
  const plain = await toList(F.scaledDotProductAttention(q, k, v));
  const dropped = await toList(F.scaledDotProductAttention(q, k, v, { dropoutP: 0.5 }));
  assert.notDeepEqual(plain, dropped);
});

test('bias: false (PyTorch 2.1) drops every bias and equals the biased model with zero biases', async () => {
  torch.manualSeed(5);
  const opts = { dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16, dropout: 0 };
  const nb = new nn.Transformer({ ...opts, bias: false });
  const names = [...nb.namedParameters()].map(([k]) => k);
  assert.ok(names.every((k) => !k.endsWith('bias')), names.join(' '));
  assert.ok(names.includes('decoder.layers.0.multihead_attn.in_proj_weight') && names.includes('encoder.norm.weight'));
  const wb = new nn.Transformer(opts);
  const sd = nb.stateDict();
  for (const [k, v] of Object.entries(wb.stateDict())) if (!(k in sd)) sd[k] = torch.zerosLike(v);
  wb.loadStateDict(sd);
  const src = torch.randn([5, 2, 8]), tgt = torch.randn([4, 2, 8]);
  const a = await toList(nb.forward(src, tgt)), b = await toList(wb.forward(src, tgt));
  assert.deepEqual(a, b);
  const layer = new nn.TransformerDecoderLayer(8, 2, 16, 0, 'relu', 1e-5, false, false, false);
  assert.ok([...layer.namedParameters()].every(([k]) => !k.endsWith('bias')));
});

test('scaledDotProductAttention: enableGqa repeats key/value heads (repeat_interleave), float32 masks with float64 queries', async () => {
  const q = torch.randn([2, 4, 3, 5]), k = torch.randn([2, 2, 6, 5]), v = torch.randn([2, 2, 6, 7]);
  const rep = (t: torch.Tensor) => torch.stack([t.select(1, 0), t.select(1, 0), t.select(1, 1), t.select(1, 1)], 1);
  const a = await toList(F.scaledDotProductAttention(q, k, v, { enableGqa: true, isCausal: true }));
  const b = await toList(F.scaledDotProductAttention(q, rep(k), rep(v), { isCausal: true }));
  assert.deepEqual(a, b);
  assertThrowsLike(() => F.scaledDotProductAttention(q, torch.randn([2, 3, 6, 5]), torch.randn([2, 3, 6, 5]), { enableGqa: true }),
    'Number of heads in key and value must divide the number of heads in', 'gqa heads');
  const qd = q.double();
  const out = F.scaledDotProductAttention(qd, rep(k).double(), rep(v).double(), { attnMask: torch.zeros([3, 6]) });
  assert.equal(out.dtype, 'float64');
});

