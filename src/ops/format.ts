/**
 * Printing: PyTorch's rendering of a tensor (`tensor([1., 2.], requires_grad=True)`), also for meta tensors.
 */
import type { DType } from '../dtype.js';
import { getDefaultDtype, isFloating } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { isMeta } from './device.js';

export function fmtNum(v: number, dtype: DType, fixed: number | null): string {
  if (dtype === 'bool') return v ? 'True' : 'False';
  if (!isFloating(dtype)) return String(v);
  if (v !== v) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (fixed === null) return Number.isInteger(v) ? `${v}.` : String(v);
  return v.toFixed(fixed);
}

/** Python's tuple rendering of a shape: `()`, `(3,)`, `(2, 3)`. */
export function pyTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

export function autogradSuffix(t: Tensor): string[] {
  if (t._gradFn !== null) return [`grad_fn=<${t._gradFn}>`];
  return t._requiresGrad ? ['requires_grad=True'] : [];
}

export function format(t: Tensor): string {
  if (isMeta(t)) {
    // PyTorch: `tensor(..., device='meta', size=(2, 3))`, the dtype shown whenever it is not the default
    const extras = [`device='meta'`, `size=${pyTuple(t._shape)}`];
    if (t.dtype !== getDefaultDtype()) extras.push(`dtype=torch.${t.dtype}`);
    return `tensor(...${[...extras, ...autogradSuffix(t)].map((e) => ', ' + e).join('')})`;
  }
  const data = t.dataSync();
  const isF = isFloating(t.dtype);
  let fixed: number | null = null;
  let sci = false;
  if (isF) {
    let allInt = true, maxAbs = 0, minAbs = Infinity;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (!Number.isFinite(v)) continue;
      if (!Number.isInteger(v)) allInt = false;
      const a = Math.abs(v);
      maxAbs = Math.max(maxAbs, a);
      if (a > 0) minAbs = Math.min(minAbs, a);
    }
    if (!allInt) fixed = 4;
    if (maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs > 0 && !allInt) || (maxAbs / minAbs > 1000 && !allInt && minAbs < 1e-2)) sci = true;
  }
  const strs = Array.from(data, (v) => (sci && Number.isFinite(v) ? v.toExponential(4) : fmtNum(v, t.dtype, fixed)));
  const width = Math.max(0, ...strs.map((s) => s.length));
  const shape = t._shape;
  let i = 0;
  const indent = 'tensor('.length;
  const build = (d: number): string => {
    if (d === shape.length) return strs[i++]!.padStart(width);
    const parts: string[] = [];
    for (let k = 0; k < shape[d]!; k++) parts.push(build(d + 1));
    const sep = d === shape.length - 1 ? ', ' : ',' + '\n'.repeat(shape.length - 1 - d) + ' '.repeat(indent + d + 1);
    return `[${parts.join(sep)}]`;
  };
  let body = shape.length === 0 ? strs[0]! : build(0);
  if (t.numel() === 0) body = '[]';
  const extras: string[] = [];
  if (t.device.type !== 'cpu') extras.push(`device='${t.device}'`);
  if (t.numel() === 0 && shape.length > 1) extras.push(`size=(${shape.join(', ')})`);
  if (t.dtype !== getDefaultDtype() && t.dtype !== 'int64' && t.dtype !== 'bool') extras.push(`dtype=torch.${t.dtype}`);
  if (t._gradFn !== null) extras.push(`grad_fn=<${t._gradFn}>`);
  else if (t._requiresGrad) extras.push('requires_grad=True');
  return `tensor(${body}${extras.map((e) => ', ' + e).join('')})`;
}
