/**
 * The ports of pytorch/examples' recurrent programs run and learn: examples/time-sequence-prediction (LSTMCell) and
 * examples/word-language-model (RNNModel over nn.LSTM/GRU/RNN, BPTT with detached hidden states).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const script = new URL('../examples/time-sequence-prediction.js', import.meta.url).pathname;

test('time_sequence_prediction port: trains (loss falls) and predicts future steps', () => {
  const r = spawnSync(process.execPath, [script, '--steps', '3', '--length', '40', '--future', '5'],
    { encoding: 'utf8', timeout: 300_000, env: { ...process.env, TORCHLET_BACKEND: '' } });
  assert.equal(r.status, 0, r.stderr);
  const losses = [...r.stdout.matchAll(/STEP: \d+ loss: (\d+\.\d+)/g)].map((m) => Number(m[1]));
  assert.equal(losses.length, 3);
  assert.ok(losses[2]! < losses[0]!, `loss should fall: ${losses.join(', ')}`);
  assert.match(r.stdout, /predicted 5 future steps/);
});

const wlm = new URL('../examples/word-language-model.js', import.meta.url).pathname;
for (const model of ['LSTM', 'GRU']) {
  test(`word_language_model port (${model}): learns in two epochs (validation loss well below uniform guessing, ln 20 ≈ 3.0)`, () => {
    const r = spawnSync(process.execPath, [wlm, '--model', model, '--epochs', '2', '--tokens', '4000', ...(model === 'GRU' ? ['--tied'] : [])],
      { encoding: 'utf8', timeout: 300_000, env: { ...process.env, TORCHLET_BACKEND: '' } });
    assert.equal(r.status, 0, r.stderr);
    const losses = [...r.stdout.matchAll(/valid loss (\d+\.\d+)/g)].map((m) => Number(m[1]));
    assert.equal(losses.length, 2);
    // 2.6: the default backend (native when built) draws dropout masks from ATen's generator; measured 2.41 there (below 2.4 on portable)
    assert.ok(losses[1]! < 2.6, `validation loss should end below 2.6: ${losses.join(", ")}`);
  });
}
