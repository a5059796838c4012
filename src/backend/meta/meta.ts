/**
 * The `meta` device, as PyTorch's: tensors with shape, dtype and strides but no data. Every kernel returns a
 * storage of the right length and dtype without allocating element memory, so shape inference, model construction
 * and `torch.summary` of a large model cost no memory (a GPT-2-sized TransformerEncoder, 85M parameters, is
 * built and summarised with a few MB of heap; see test/meta.test.ts and docs/devices.md for the measurement).
 *
 * Writes (`fill`, `copy`, `scatter`, random fills) are no-ops; reading values (`readSync`, `read`) fails with
 * `Cannot read values of a meta tensor`. Frontend checks that need values (index bounds, integer division by zero)
 * are skipped for meta tensors, as PyTorch's meta kernels skip them.
 *
 * @example
 * import * as torch from 'torchlet';
 * const x = torch.zeros([2, 3], { device: 'meta' });
 * String(x.matmul(torch.zeros([3, 4], { device: 'meta' }))); // tensor(..., device='meta', size=(2, 4))
 */
import type { DType, TypedArray } from '../../dtype.js';
import type { ArgReduceOp, Backend, BinaryOp, ConvGeometry, Layout, RandomDistribution, RandomSource, ReduceOp, Storage, UnaryOp } from '../types.js';

/** A storage without element memory: only its dtype and length. */
export class MetaStorage implements Storage {
  constructor(public readonly dtype: DType, public readonly length: number) {}
}

function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** The error every value read of a meta tensor gives. */
export function metaReadError(what = 'readSync'): Error {
  return new Error(`Cannot read values of a meta tensor: meta tensors have a shape, a dtype and strides but no data (${what}). Move the model to a real device with module.toEmpty({ device }) and initialise it first.`);
}

export class MetaBackend implements Backend {
  readonly name = 'meta';

  alloc(dtype: DType, length: number): MetaStorage { return new MetaStorage(dtype, length); }
  fromArray(dtype: DType, data: ArrayLike<number>): MetaStorage { return new MetaStorage(dtype, data.length); }
  free(_s: Storage): void {}
  readSync(_s: Storage, _layout: Layout): TypedArray { throw metaReadError('readSync'); }
  read(_s: Storage, _layout: Layout): Promise<TypedArray> { return Promise.reject(metaReadError('read')); }

  fill(_dst: Storage, _layout: Layout, _value: number): void {}
  copy(_src: Storage, _sl: Layout, _dst: Storage, _dl: Layout): void {}

  unary(_op: UnaryOp, _x: Storage, xl: Layout, outDtype: DType, _param?: number, out?: Storage): Storage {
    return out ?? new MetaStorage(outDtype, numel(xl.shape));
  }
  binary(_op: BinaryOp, _a: Storage, al: Layout, _b: Storage, _bl: Layout, outDtype: DType, out?: Storage): Storage {
    return out ?? new MetaStorage(outDtype, numel(al.shape));
  }
  binaryScalar(_op: BinaryOp, _a: Storage, al: Layout, _value: number, outDtype: DType, out?: Storage): Storage {
    return out ?? new MetaStorage(outDtype, numel(al.shape));
  }
  whereScalar(_c: Storage, cl: Layout, _a: Storage | number, _al: Layout | null, _b: Storage | number, _bl: Layout | null, outDtype: DType): Storage {
    return new MetaStorage(outDtype, numel(cl.shape));
  }
  /** Draws nothing: no values, and the generator's state is left as it was. */
  random(_dst: Storage, _layout: Layout, _dist: RandomDistribution, _source: RandomSource): void {}
  where(_c: Storage, cl: Layout, _a: Storage, _al: Layout, _b: Storage, _bl: Layout, outDtype: DType): Storage {
    return new MetaStorage(outDtype, numel(cl.shape));
  }
  reduce(_op: ReduceOp, _x: Storage, xl: Layout, axes: readonly number[], outDtype: DType): Storage {
    return new MetaStorage(outDtype, numel(xl.shape.map((s, d) => (axes.includes(d) ? 1 : s))));
  }
  argReduce(_op: ArgReduceOp, _x: Storage, xl: Layout, axis: number): Storage {
    return new MetaStorage('int64', numel(xl.shape.map((s, d) => (d === axis ? 1 : s))));
  }
  cumsum(_x: Storage, xl: Layout, _axis: number, outDtype: DType): Storage {
    return new MetaStorage(outDtype, numel(xl.shape));
  }
  matmul(_a: Storage, al: Layout, _b: Storage, bl: Layout, outDtype: DType): Storage {
    const n = al.shape.length;
    return new MetaStorage(outDtype, numel(al.shape.slice(0, n - 1)) * bl.shape[n - 1]!);
  }
  gather(x: Storage, _xl: Layout, _axis: number, _idx: Storage, il: Layout): Storage {
    return new MetaStorage(x.dtype, numel(il.shape));
  }
  scatter(): void {}
  im2col(x: Storage, xl: Layout, g: ConvGeometry): Storage {
    return new MetaStorage(x.dtype, xl.shape[1]! * g.kernel[0] * g.kernel[1] * xl.shape[0]! * g.outSize[0] * g.outSize[1]);
  }
  col2im(cols: Storage, cl: Layout, g: ConvGeometry): Storage {
    const c = cl.shape[0]! / (g.kernel[0] * g.kernel[1]);
    return new MetaStorage(cols.dtype, cl.shape[1]! * c * g.inSize[0] * g.inSize[1]);
  }
}
