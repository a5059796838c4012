/**
 * A small training run with torchlet's tensors and autograd: an MLP learns to classify three interleaved
 * spirals (data generated here, seeded). It shows the everyday loop — forward, cross-entropy, backward, an SGD
 * step under `noGrad`, `zero_` of the grads — and validation under `noGrad`.
 *
 * Run: npm run demo
 */
import * as torch from 'torchlet';
import type { Tensor } from 'torchlet';

torch.manualSeed(0);

function spirals(nPerClass: number, classes: number): { x: Tensor; y: Tensor } {
  const pts: number[][] = [];
  const labels: number[] = [];
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < nPerClass; i++) {
      const r = i / nPerClass;
      const t = (c * 4 + 4 * r) + torch.randn([1]).item() * 0.2;
      pts.push([r * Math.sin(t), r * Math.cos(t)]);
      labels.push(c);
    }
  }
  return { x: torch.tensor(pts), y: torch.tensor(labels, { dtype: 'int64' }) };
}

const { x, y } = spirals(300, 3);
const perm = torch.randperm(x.shape[0]!);
const X = x.indexSelect(0, perm), Y = y.indexSelect(0, perm);
const nTrain = 720;
const [xTrain, xVal] = [X.narrow(0, 0, nTrain), X.narrow(0, nTrain, X.shape[0]! - nTrain)];
const [yTrain, yVal] = [Y.narrow(0, 0, nTrain), Y.narrow(0, nTrain, Y.shape[0]! - nTrain)];

// Parameters with PyTorch's Linear initialisation: U(-1/sqrt(fanIn), 1/sqrt(fanIn))
function linear(fanIn: number, fanOut: number): [Tensor, Tensor] {
  const bound = 1 / Math.sqrt(fanIn);
  return [torch.rand([fanOut, fanIn]).mul(2 * bound).sub(bound).requiresGrad_(),
    torch.rand([fanOut]).mul(2 * bound).sub(bound).requiresGrad_()];
}
const layers = [linear(2, 64), linear(64, 64), linear(64, 3)];
const params = layers.flat();

function forward(inp: Tensor): Tensor {
  let h = inp;
  layers.forEach(([w, b], i) => {
    h = h.matmul(w.t()).add(b);
    if (i < layers.length - 1) h = h.relu();
  });
  return h;
}

function crossEntropy(logits: Tensor, target: Tensor): Tensor {
  return logits.logSoftmax(1).gather(1, target.view(-1, 1)).mean().neg();
}

const lr = 0.5, epochs = 300, batch = 120;
console.log(`torchlet ${torch.cuda.isAvailable() ? 'cuda' : 'cpu'} — MLP 2-64-64-3 on ${nTrain} spiral points`);
const t0 = performance.now();
for (let epoch = 1; epoch <= epochs; epoch++) {
  const order = torch.randperm(nTrain);
  let total = 0;
  for (let s = 0; s < nTrain; s += batch) {
    const idx = order.narrow(0, s, batch);
    const loss = crossEntropy(forward(xTrain.indexSelect(0, idx)), yTrain.indexSelect(0, idx));
    for (const p of params) p.grad = null;
    loss.backward();
    torch.noGrad(() => { for (const p of params) p.sub_(p.grad!, lr); });
    total += loss.item();
  }
  if (epoch % 50 === 0 || epoch === 1) {
    const acc = torch.noGrad(() => forward(xVal).argmax(1).eq(yVal).float().mean().item());
    console.log(`epoch ${String(epoch).padStart(3)}  train loss ${(total / (nTrain / batch)).toFixed(4)}  val acc ${(acc * 100).toFixed(1)}%`);
  }
}
const acc = torch.noGrad(() => forward(xVal).argmax(1).eq(yVal).float().mean().item());
console.log(`final validation accuracy ${(acc * 100).toFixed(1)}% in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
if (acc < 0.9) { console.error('accuracy below 90%: something is wrong'); process.exit(1); }
