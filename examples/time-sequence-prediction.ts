/**
 * pytorch/examples' time_sequence_prediction, ported line by line: two stacked `LSTMCell`s and a `Linear` learn to
 * continue sine waves, then predict `future` steps past the input by feeding their own output back. The data are
 * made here (seeded, offline), smaller than the original (fewer and shorter waves) so that it runs in seconds.
 * The original trains with LBFGS; this port uses Adam (swap in `optim.LBFGS` with its closure where available).
 *
 * Run: npm run build && node dist/examples/time-sequence-prediction.js [--steps 15] [--length 100] [--future 20]
 */
import * as torch from 'torchlet';
import type { Tensor } from 'torchlet';

const { nn } = torch;

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

class Sequence extends nn.Module {
  lstm1 = new nn.LSTMCell(1, 51);
  lstm2 = new nn.LSTMCell(51, 51);
  linear = new nn.Linear(51, 1);

  override forward(input: Tensor, future = 0): Tensor {
    const outputs: Tensor[] = [];
    const opts = { dtype: 'float64' as const };
    let hT = torch.zeros([input.shape[0]!, 51], opts), cT = torch.zeros([input.shape[0]!, 51], opts);
    let hT2 = torch.zeros([input.shape[0]!, 51], opts), cT2 = torch.zeros([input.shape[0]!, 51], opts);
    let output!: Tensor;
    for (const inputT of input.split(1, 1)) {
      [hT, cT] = this.lstm1.call(inputT, [hT, cT]);
      [hT2, cT2] = this.lstm2.call(hT, [hT2, cT2]);
      output = this.linear.call(hT2);
      outputs.push(output);
    }
    for (let i = 0; i < future; i++) { // if we should predict the future
      [hT, cT] = this.lstm1.call(output, [hT, cT]);
      [hT2, cT2] = this.lstm2.call(hT, [hT2, cT2]);
      output = this.linear.call(hT2);
      outputs.push(output);
    }
    return torch.cat(outputs, 1);
  }
}

/** generate_sine_wave.py: N waves of length L, period 2πT, shifted by a random offset each. */
function sineWaves(N: number, L: number, T: number): Tensor {
  const shift = torch.randint(-4 * T, 4 * T, [N, 1]);
  return torch.arange(L).unsqueeze(0).add(shift).double().div(T).sin();
}

async function main(): Promise<void> {
  torch.manualSeed(0);
  const steps = arg('steps', 15), L = arg('length', 100), future = arg('future', 20);
  const data = sineWaves(24, L, 20);
  // load data and make training set
  const input = data.slice(0, 3).narrow(1, 0, L - 1);
  const target = data.slice(0, 3).narrow(1, 1, L - 1);
  const testInput = data.slice(0, 0, 3).narrow(1, 0, L - 1);
  const testTarget = data.slice(0, 0, 3).narrow(1, 1, L - 1);
  // build the model
  const seq = new Sequence().double();
  const criterion = new nn.MSELoss();
  const optimizer = new torch.optim.Adam(seq.parameters(), { lr: 0.01 });
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    optimizer.zeroGrad();
    const out = seq.call(input);
    const loss = criterion.call(out, target);
    const v = (await loss.typedArray())[0]!;
    losses.push(v);
    console.log(`STEP: ${i} loss: ${v.toFixed(6)}`);
    loss.backward();
    optimizer.step();
    // begin to predict, no need to track gradient here
    await torch.noGrad(async () => {
      const pred = seq.call(testInput, future);
      const testLoss = criterion.call(pred.narrow(1, 0, L - 1), testTarget);
      console.log(`test loss: ${(await testLoss.typedArray())[0]!.toFixed(6)}; predicted ${pred.shape[1]! - (L - 1)} future steps`);
    });
  }
  if (steps > 1 && !(losses[losses.length - 1]! < losses[0]!)) {
    console.error('training loss did not decrease');
    process.exit(1);
  }
}

await main();
