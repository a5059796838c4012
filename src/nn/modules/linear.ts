/** Linear layers: `Identity`, `Linear`, `Bilinear`. */
import type { Tensor } from '../../tensor.js';
import { empty } from '../../ops.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { resolveArgs } from '../_args.js';
import type { FactoryOptions } from '../_args.js';

/**
 * Returns its input unchanged (arguments are ignored), e.g. to replace a layer.
 * @example new torch.nn.Identity().call(torch.ones([2])).tolist() // [1, 1]
 */
export class Identity extends Module {
  constructor(..._args: unknown[]) { super(); }
  override forward(input: Tensor): Tensor { return input; }
}

/** Options of `Linear`: `bias` (default true), `device`, `dtype`. */
export interface LinearOptions extends FactoryOptions { bias?: boolean }

/**
 * y = x Aᵀ + b over the last dim. `weight` [out, in] and `bias` [out] start as PyTorch's: kaiming-uniform with
 * a = √5 (U(−1/√in, 1/√in)) and U(−1/√in, 1/√in).
 * @example
 * const fc = new torch.nn.Linear(20, 30);
 * fc.call(torch.randn([128, 20])).shape; // [128, 30]
 */
export class Linear extends Module {
  declare weight: Parameter;
  declare bias: Parameter | null;
  inFeatures: number;
  outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, bias?: boolean | LinearOptions, opts?: FactoryOptions) {
    super();
    const o = resolveArgs('Linear', [bias, opts], { bias: true, device: undefined as any, dtype: undefined as any });
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(empty([outFeatures, inFeatures], { dtype: o.dtype, device: o.device }));
    if (o.bias) this.bias = new Parameter(empty([outFeatures], { dtype: o.dtype, device: o.device }));
    else this.registerParameter('bias', null);
    this.resetParameters();
  }

  /** Re-draws the parameters with PyTorch's default initialisation. */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, Math.sqrt(5));
    if (this.bias !== null) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  override forward(input: Tensor): Tensor { return F.linear(input, this.weight, this.bias); }
  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias !== null ? 'True' : 'False'}`;
  }
}

/**
 * The `Linear` used for `MultiheadAttention.out_proj` (the name only matters for PyTorch's quantization).
 * @example new torch.nn.MultiheadAttention(8, 2).out_proj instanceof torch.nn.Linear // true
 */
export class NonDynamicallyQuantizableLinear extends Linear {}

/**
 * y = x1ᵀ A x2 + b with `weight` [out, in1, in2], both initialised U(−1/√in1, 1/√in1).
 * @example new torch.nn.Bilinear(20, 30, 40).call(torch.randn([128, 20]), torch.randn([128, 30])).shape // [128, 40]
 */
export class Bilinear extends Module {
  declare weight: Parameter;
  declare bias: Parameter | null;
  in1Features: number;
  in2Features: number;
  outFeatures: number;

  constructor(in1Features: number, in2Features: number, outFeatures: number, bias?: boolean | LinearOptions, opts?: FactoryOptions) {
    super();
    const o = resolveArgs('Bilinear', [bias, opts], { bias: true, device: undefined as any, dtype: undefined as any });
    this.in1Features = in1Features; this.in2Features = in2Features; this.outFeatures = outFeatures;
    this.weight = new Parameter(empty([outFeatures, in1Features, in2Features], { dtype: o.dtype, device: o.device }));
    if (o.bias) this.bias = new Parameter(empty([outFeatures], { dtype: o.dtype, device: o.device }));
    else this.registerParameter('bias', null);
    this.resetParameters();
  }

  /** Re-draws the parameters with PyTorch's default initialisation. */
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.weight.shape[1]!);
    init.uniform_(this.weight, -bound, bound);
    if (this.bias !== null) init.uniform_(this.bias, -bound, bound);
  }

  override forward(input1: Tensor, input2: Tensor): Tensor { return F.bilinear(input1, input2, this.weight, this.bias); }
  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${this.bias !== null ? 'True' : 'False'}`;
  }
}
