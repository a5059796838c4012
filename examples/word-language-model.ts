/**
 * pytorch/examples' word_language_model, ported line by line (model.py's `RNNModel` and main.py's training loop:
 * `batchify`, `getBatch` with BPTT, `repackageHidden`, gradient clipping and the manual SGD step), on a synthetic
 * corpus made here (seeded, offline: a noisy deterministic token chain) instead of Wikitext-2, and smaller.
 *
 * Run: npm run build && node dist/examples/word-language-model.js [--model LSTM|GRU|RNN_TANH|RNN_RELU] [--epochs 2] [--tokens 6000] [--tied]
 */
import * as torch from 'torchlet';
import type { Tensor } from 'torchlet';

const { nn } = torch;
const F = nn.functional;

type Hidden = Tensor | [Tensor, Tensor];
type RnnType = 'LSTM' | 'GRU' | 'RNN_TANH' | 'RNN_RELU';

/** Container module with an encoder, a recurrent module, and a decoder (model.py). */
class RNNModel extends nn.Module {
  ntoken: number;
  drop: torch.nn.Dropout;
  encoder: torch.nn.Embedding;
  rnn: torch.nn.LSTM | torch.nn.GRU | torch.nn.RNN;
  decoder: torch.nn.Linear;
  rnnType: RnnType;
  nhid: number;
  nlayers: number;

  constructor(rnnType: RnnType, ntoken: number, ninp: number, nhid: number, nlayers: number, dropout = 0.5, tieWeights = false) {
    super();
    this.ntoken = ntoken;
    this.drop = new nn.Dropout(dropout);
    this.encoder = new nn.Embedding(ntoken, ninp);
    if (rnnType === 'LSTM') this.rnn = new nn.LSTM(ninp, nhid, nlayers, { dropout });
    else if (rnnType === 'GRU') this.rnn = new nn.GRU(ninp, nhid, nlayers, { dropout });
    else this.rnn = new nn.RNN(ninp, nhid, nlayers, { nonlinearity: rnnType === 'RNN_TANH' ? 'tanh' : 'relu', dropout });
    this.decoder = new nn.Linear(nhid, ntoken);
    // "Using the Output Embedding to Improve Language Models" (Press & Wolf 2016)
    if (tieWeights) {
      if (nhid !== ninp) throw new RangeError('When using the tied flag, nhid must be equal to emsize');
      this.decoder.weight = this.encoder.weight;
    }
    this.initWeights();
    this.rnnType = rnnType;
    this.nhid = nhid;
    this.nlayers = nlayers;
  }

  initWeights(): void {
    const initrange = 0.1;
    nn.init.uniform_(this.encoder.weight, -initrange, initrange);
    nn.init.zeros_(this.decoder.bias!);
    nn.init.uniform_(this.decoder.weight, -initrange, initrange);
  }

  override forward(input: Tensor, hidden: Hidden): [Tensor, Hidden] {
    const emb = this.drop.call(this.encoder.call(input));
    const [output, next] = this.rnn instanceof nn.LSTM
      ? this.rnn.forward(emb, hidden as [Tensor, Tensor])
      : this.rnn.forward(emb, hidden as Tensor);
    const decoded = this.decoder.call(this.drop.call(output)).view(-1, this.ntoken);
    return [F.logSoftmax(decoded, 1), next];
  }

  initHidden(bsz: number): Hidden {
    const weight = this.parameters()[0]!;
    const z = (): Tensor => torch.zeros([this.nlayers, bsz, this.nhid], { dtype: weight.dtype, device: weight.device });
    return this.rnnType === 'LSTM' ? [z(), z()] : z();
  }
}

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}

/** A token chain with structure to learn: next = (3·prev + 1) mod ntoken, replaced by a random token 10% of the time. */
function corpus(n: number, ntoken: number): Tensor {
  const ids: number[] = [0];
  const noise = torch.rand([n]).tolist() as number[];
  const rnd = torch.randint(0, ntoken, [n]).tolist() as number[];
  for (let i = 1; i < n; i++) ids.push(noise[i]! < 0.1 ? rnd[i]! : (3 * ids[i - 1]! + 1) % ntoken);
  return torch.tensor(ids, { dtype: 'int64' });
}

/** Arranges the data into `bsz` columns (main.py's batchify), dropping what does not fit. */
function batchify(data: Tensor, bsz: number): Tensor {
  const nbatch = Math.floor(data.shape[0]! / bsz);
  return data.narrow(0, 0, nbatch * bsz).view(bsz, -1).t().contiguous();
}

/** Wraps hidden states in new Tensors, to detach them from their history. */
function repackageHidden(h: Hidden): Hidden {
  return Array.isArray(h) ? [h[0].detach(), h[1].detach()] : h.detach();
}

const bptt = 12;
function getBatch(source: Tensor, i: number): [Tensor, Tensor] {
  const seqLen = Math.min(bptt, source.shape[0]! - 1 - i);
  return [source.narrow(0, i, seqLen), source.narrow(0, i + 1, seqLen).reshape([-1])];
}

async function main(): Promise<void> {
  torch.manualSeed(1111);
  const ntokens = 20;
  const model = new RNNModel(arg('model', 'LSTM') as RnnType, ntokens, 32, 32, 2, 0.2, process.argv.includes('--tied'));
  const criterion = new nn.NLLLoss();
  const trainData = batchify(corpus(Number(arg('tokens', '6000')), ntokens), 10);
  const valData = batchify(corpus(600, ntokens), 10);
  let lr = 20; // main.py's default
  const evaluate = async (data: Tensor): Promise<number> => {
    model.eval();
    let total = 0;
    let hidden = model.initHidden(10);
    await torch.noGrad(async () => {
      for (let i = 0; i < data.shape[0]! - 1; i += bptt) {
        const [x, y] = getBatch(data, i);
        const [out, h] = model.call(x, hidden);
        hidden = repackageHidden(h);
        total += x.shape[0]! * (await criterion.call(out, y).typedArray())[0]!;
      }
    });
    return total / (data.shape[0]! - 1);
  };
  const epochs = Number(arg('epochs', '2'));
  let bestVal = Infinity;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    model.train();
    let hidden = model.initHidden(10);
    for (let i = 0; i < trainData.shape[0]! - 1; i += bptt) {
      const [x, y] = getBatch(trainData, i);
      // Starting each batch, we detach the hidden state from how it was previously produced.
      hidden = repackageHidden(hidden);
      model.zeroGrad();
      const [output, h] = model.call(x, hidden);
      hidden = h;
      const loss = criterion.call(output, y);
      loss.backward();
      // `clip_grad_norm` helps prevent the exploding gradient problem in RNNs / LSTMs.
      nn.utils.clipGradNorm_(model.parameters(), 0.25);
      torch.noGrad(() => { for (const p of model.parameters()) p.sub_(p.grad!.mul(lr)); });
    }
    const valLoss = await evaluate(valData);
    console.log(`| end of epoch ${epoch} | valid loss ${valLoss.toFixed(2)} | valid ppl ${Math.exp(valLoss).toFixed(2)}`);
    // Anneal the learning rate if no improvement has been seen in the validation dataset.
    if (valLoss < bestVal) bestVal = valLoss;
    else lr /= 4;
  }
}

await main();
