/**
 * Finite-difference gradient check in float64 (`torch.autograd.gradcheck`): compares the analytical
 * gradient of `sum(fn(...inputs) * v)` for a random `v` with central differences.
 */
import type { Tensor } from '../tensor.js';
import { grad, randn, zerosLike } from '../ops.js';
import { noGrad } from './grad_mode.js';
import { checkOptions } from '../_options.js';

export interface GradcheckOptions { eps?: number; atol?: number; rtol?: number; raiseException?: boolean }
const GRADCHECK_KEYS = ['eps', 'atol', 'rtol', 'raiseException'];

/**
 * True when analytical and numerical gradients agree for every float64 input that requires grad.
 * @example
 * const x = torch.randn([3], { dtype: 'float64', requiresGrad: true });
 * torch.autograd.gradcheck((a) => a.sin().mul(a), [x]); // true
 */
export function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): boolean {
  checkOptions('gradcheck', opts, GRADCHECK_KEYS);
  const eps = opts.eps ?? 1e-6, atol = opts.atol ?? 1e-5, rtol = opts.rtol ?? 1e-3;
  for (const x of inputs) {
    if (x.requiresGrad && x.dtype !== 'float64') {
      throw new Error(`gradcheck expects float64 inputs that require grad, got ${x.dtype}`);
    }
  }
  const out0 = fn(...inputs);
  const v = randn([...out0.shape], { dtype: 'float64' });
  const diff = inputs.filter((x) => x.requiresGrad);
  const analytical = grad(out0.mul(v).sum(), diff, null, { allowUnused: true });
  for (let k = 0; k < diff.length; k++) {
    const x = diff[k]!;
    const a = analytical[k] ?? zerosLike(x);
    const av = a.dataSync();
    const n = x.numel();
    const xv = x.detach();
    const elem = (i: number): Tensor => {
      // a view of element i (row-major), valid for any strides
      let t = xv, rest = i;
      const sizes = [...x.shape];
      for (let d = 0; d < sizes.length; d++) {
        const inner = sizes.slice(d + 1).reduce((p, q) => p * q, 1);
        t = t.select(0, Math.floor(rest / inner));
        rest %= inner;
      }
      return t;
    };
    for (let i = 0; i < n; i++) {
      const e = elem(i);
      const orig = e.item();
      // fn runs with grad mode as the caller has it: a gradgradcheck's fn calls autograd.grad itself
      const f = (val: number): number => {
        noGrad(() => e.fill_(val));
        return fn(...inputs).detach().mul(v).sum().item();
      };
      const num = (f(orig + eps) - f(orig - eps)) / (2 * eps);
      noGrad(() => e.fill_(orig));
      const an = av[i]!;
      if (!(Math.abs(an - num) <= atol + rtol * Math.abs(num))) {
        if (opts.raiseException ?? true) {
          throw new Error(`Jacobian mismatch for output 0 with respect to input ${inputs.indexOf(x)}, element ${i}: numerical ${num} vs analytical ${an}`);
        }
        return false;
      }
    }
  }
  return true;
}
