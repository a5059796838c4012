/** examples/time-sequence-prediction (pytorch/examples' LSTMCell model, ported) runs and its training loss falls. */
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
