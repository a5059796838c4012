/**
 * A port of the PyTorch tutorial "PyTorch: Defining New autograd Functions"
 * (pytorch/tutorials, beginner_source/examples_autograd/polynomial_custom_function.py), line by line.
 *
 * Instead of y = a + b x + c x^2 + d x^3, the model is y = a + b P3(c + d x), with P3 the Legendre polynomial of
 * degree three, written as a custom autograd Function with its own forward and backward.
 *
 * Run: npm run build && node dist/examples/polynomial_custom_function.js
 */
import * as torch from 'torchlet';
import type { Tensor } from 'torchlet';

class LegendrePolynomial3 extends torch.autograd.Function {
  /**
   * In the forward pass we receive a Tensor containing the input and return a Tensor containing the output. ctx is a
   * context object that can be used to stash information for backward computation.
   */
  static override forward(ctx: torch.autograd.FunctionCtx, input: Tensor): Tensor {
    ctx.saveForBackward(input);
    return input.pow(3).mul(5).sub(input.mul(3)).mul(0.5);
  }

  /**
   * In the backward pass we receive a Tensor containing the gradient of the loss with respect to the output, and we
   * need to compute the gradient of the loss with respect to the input.
   */
  static override backward(ctx: torch.autograd.FunctionCtx, gradOutput: Tensor): Tensor {
    const [input] = ctx.savedTensors;
    return gradOutput.mul(1.5).mul(input!.pow(2).mul(5).sub(1));
  }
}

const dtype = 'float32';
// Create Tensors to hold input and outputs.
const x = torch.linspace(-Math.PI, Math.PI, 2000, { dtype });
const y = torch.sin(x);

// Create random Tensors for weights. For this example, we need 4 weights: y = a + b * P3(c + d * x); these weights
// need to be initialized not too far from the correct result to ensure convergence.
const a = torch.full([], 0.0, { dtype, requiresGrad: true });
const b = torch.full([], -1.0, { dtype, requiresGrad: true });
const c = torch.full([], 0.0, { dtype, requiresGrad: true });
const d = torch.full([], 0.3, { dtype, requiresGrad: true });

const learningRate = 5e-6;
for (let t = 0; t < 2000; t++) {
  // To apply our Function, we use Function.apply. We alias this as 'P3'.
  const P3 = LegendrePolynomial3.apply;

  // Forward pass: compute predicted y using operations; we compute P3 using our custom autograd operation.
  const yPred = a.add(b.mul(P3(c.add(d.mul(x)))));

  // Compute and print loss
  const loss = yPred.sub(y).pow(2).sum();
  if (t % 100 === 99) console.log(t, loss.item());

  // Use autograd to compute the backward pass.
  loss.backward();

  // Update weights using gradient descent
  torch.noGrad(() => {
    a.sub_(a.grad!.mul(learningRate));
    b.sub_(b.grad!.mul(learningRate));
    c.sub_(c.grad!.mul(learningRate));
    d.sub_(d.grad!.mul(learningRate));

    // Manually zero the gradients after updating weights
    a.grad = null;
    b.grad = null;
    c.grad = null;
    d.grad = null;
  });
}

console.log(`Result: y = ${a.item()} + ${b.item()} * P3(${c.item()} + ${d.item()} x)`);
