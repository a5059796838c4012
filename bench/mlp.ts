/**
 * The benchmark MLP (784-512-256-10, ReLU, cross-entropy, batch 128) built from raw tensors with PyTorch's
 * Linear initialisation, shared by the step and clipping benchmarks.
 */
import * as torch from 'torchlet';
import type { Tensor } from 'torchlet';

export interface Mlp { params: Tensor[]; x: Tensor; y: Tensor; loss: () => Tensor }

/** Seeded parameters and data; `loss()` runs the forward pass (torch.linear, as nn.Linear does). */
export function makeMlp(): Mlp {
  torch.manualSeed(0);
  const sizes = [784, 512, 256, 10];
  const params: Tensor[] = [];
  for (let i = 0; i < 3; i++) {
    const bound = 1 / Math.sqrt(sizes[i]!);
    params.push(torch.rand([sizes[i + 1]!, sizes[i]!]).mul(2 * bound).sub(bound).requiresGrad_());
    params.push(torch.rand([sizes[i + 1]!]).mul(2 * bound).sub(bound).requiresGrad_());
  }
  const x = torch.randn([128, 784]);
  const y = torch.randint(0, 10, [128]).view(-1, 1);
  const loss = (): Tensor => {
    let h = x;
    for (let i = 0; i < 3; i++) {
      h = torch.linear(h, params[2 * i]!, params[2 * i + 1]!);
      if (i < 2) h = h.relu();
    }
    return h.logSoftmax(1).gather(1, y).mean().neg();
  };
  return { params, x, y, loss };
}

export const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
