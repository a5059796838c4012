/**
 * Every layer against PyTorch (test/fixtures/nn_layers.json): PyTorch's weights are loaded with loadStateDict,
 * then the forward output, buffers after the forward (BatchNorm running stats), the gradients of the inputs and
 * of every parameter, and the module's printout must match, in train and eval mode.
 */
import { test } from './_harness.js';
import * as torch from 'torchlet';
import { loadFixture } from './nn-util.test.js';
import { runLayerCase } from './nn-fixture-cases.test.js';
import type { LayerCase } from './nn-fixture-cases.test.js';
import { MODES, inMode } from './nn_modes.test.js';

const { nn } = torch;

const fx = loadFixture<{ cases: LayerCase[] }>('nn_layers.json');

/** The one case built by hand; the others are `new nn[layer](...args, kwargs)` (the runner's default). */
function build(c: LayerCase): torch.nn.Module | null {
  if (c.build !== 'encoder') return null;
  const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0 });
  return new nn.TransformerEncoder(layer, 2, new nn.LayerNorm(8));
}

for (const mode of MODES) for (const c of fx.cases) {
  test(`nn.${c.name} (${mode})`, () => inMode(mode, () => runLayerCase(c, build)));
}
