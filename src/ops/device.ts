/**
 * Devices and transfers: the device of a factory's options, the device an op runs on (`commonDevice`, with
 * PyTorch's CPU-scalar exception) and moving operands there, the same-device check of ops without that exception,
 * and the conversion methods (`to`, `cpu`, `cuda`, `float`, ...), whose device moves and casts are recorded.
 */
import type { Backend, Storage } from '../backend/types.js';
import type { DType } from '../dtype.js';
import { isDType, itemSize } from '../dtype.js';
import { CPU, Device, canonicalDevice, device as parseDevice } from '../device.js';
import type { DeviceLike } from '../device.js';
import { noGrad } from '../autograd/grad_mode.js';
import { Tensor, fromStorage, getBackend } from '../tensor.js';
import { contiguousStrides } from '../shape.js';
import { installTensorMethods } from './registry.js';
import { isPlainObject, newTensor, torchTypeName, release } from './common.js';
import { checkDType, typeName } from './args.js';
import { checkOptions } from '../_options.js';
import { record, needsGrad } from './autograd.js';

/**
 * The device of a factory's `device` option (CPU when absent; `'cuda'` means `cuda:0`) and the backend instance
 * serving it. Fails with PyTorch's messages for unknown types and `Torch not compiled with CUDA enabled`.
 */
export function resolveDevice(d: DeviceLike | undefined): { dev: Device; backend: Backend } {
  const dev = d === undefined ? CPU : canonicalDevice(parseDevice(d));
  return { dev, backend: getBackend(dev) };
}

/** True for tensors on the meta device: shape-only, so checks that need values are skipped (as PyTorch's meta kernels do). */
export function isMeta(t: Tensor): boolean { return t.device.type === 'meta'; }

export function sameDeviceError(a: Device, b: Device): Error {
  return new Error(`Expected all tensors to be on the same device, but found at least two devices, ${a} and ${b}!`);
}

/** Operands of matmul, cat, gather/scatter, index ops and linear must share one device (no CPU-scalar exception). */
export function checkSameDevice(a: Tensor, b: Tensor): void {
  if (!a.device.equals(b.device) && !a._wrapped && !b._wrapped) throw sameDeviceError(a.device, b.device);
}

/** A 0-dim CPU tensor (or a wrapped scalar) may join an elementwise op on any device, as in PyTorch's TensorIterator. */
export function isCpuScalar(t: Tensor): boolean { return t._wrapped || (t.dim() === 0 && t.device.type === 'cpu'); }

/**
 * The device an elementwise op over `ts` runs on: the device of its non-scalar operands, which must agree
 * (PyTorch's message otherwise); 0-dim CPU tensors follow it. All CPU scalars: the first operand's device.
 */
export function commonDevice(ts: readonly Tensor[]): Device {
  let dev: Device | null = null;
  for (const t of ts) {
    if (isCpuScalar(t)) continue;
    if (dev === null) dev = t.device;
    else if (!dev.equals(t.device)) throw sameDeviceError(dev, t.device);
  }
  return dev ?? ts[0]!.device;
}

/** `t` on `dev` (a 0-dim CPU operand moved to the op's device; autograd flows back through the move). */
export function onDevice(t: Tensor, dev: Device): Tensor {
  if (t.device.equals(dev)) return t;
  const r = t.to(dev);
  r._wrapped = t._wrapped;
  return r;
}

/** Options of `Tensor.to`. */
export interface ToOptions { device?: DeviceLike | null; dtype?: DType | null; nonBlocking?: boolean; copy?: boolean }

/**
 * `x` moved to device `dev` (and converted to `dt`): the dtype conversion runs on the source device (so its
 * conversion rules apply), then the elements are transferred: to meta by allocating only, otherwise through the
 * source backend's `transfer` hook when it has one, else a host read (`readSync`) and an upload (`fromArray`).
 * Recorded as `toCopy`, whose backward moves the gradient back to `x`'s device.
 */
export function toDevice(x: Tensor, dev: Device, dt: DType): Tensor {
  const backend = getBackend(dev);
  const src = x.dtype === dt || isMeta(x) || dev.type === 'meta' ? x : noGrad(() => castTo(x, dt));
  let s: Storage;
  if (dev.type === 'meta') s = backend.alloc(dt, src.numel());
  else {
    if (isMeta(src)) throw new Error('Cannot copy out of meta tensor; no data!');
    const moved = src._backend.transfer?.(src._s, src.layout, backend);
    s = moved ?? backend.fromArray(dt, src._backend.readSync(src._s, src.layout));
  }
  const out = fromStorage(s, src._shape, backend, dev);
  if (src !== x) release(src);
  return needsGrad(x) ? record('toCopy', out, [x], [], { device: x.device }) : out;
}

export function castTo(x: Tensor, dt: DType): Tensor {
  const s = x._backend.alloc(dt, x.numel());
  x._backend.copy(x._s, x.layout, s, { shape: x._shape, strides: contiguousStrides(x._shape), offset: 0 });
  const out = newTensor(s, x._shape, x);
  return needsGrad(x) ? record('cast', out, [x]) : out;
}

/** The conversion and device methods of `Tensor` (installed on `Tensor.prototype`; typed through `interface Tensor`). */
export class DeviceOps {
  /**
   * Converts to a dtype and/or moves to a device, as PyTorch's `Tensor.to`: `to('float64')`, `to('cuda:1')`,
   * `to(device, 'float64')`, `to(other)` (other's device and dtype), `to({ device, dtype, nonBlocking, copy })`.
   * Returns this tensor when nothing changes (unless `copy`). A move to another device is recorded for autograd
   * (PyTorch's ToCopyBackward): the gradient flows back to the source device. `nonBlocking` is accepted for
   * compatibility; transfers complete before `to` returns.
   * @example torch.tensor([1.7, -1.7]).to('int64').tolist() // [1, -1]
   * @example torch.ones([2]).to('meta').isMeta // true
   */
  to(this: Tensor, arg?: DType | DeviceLike | Tensor | ToOptions | null, dtype?: DType | ToOptions | null, opts?: ToOptions): Tensor {
    let dt: DType | undefined, dev: DeviceLike | undefined, copy = false;
    const apply = (o: ToOptions) => {
      checkOptions('to', o, ['device', 'dtype', 'nonBlocking', 'copy']);
      if (o.dtype !== undefined && o.dtype !== null) checkDType('to', o.dtype);
      if (o.dtype !== undefined && o.dtype !== null) dt = o.dtype;
      if (o.device !== undefined && o.device !== null) dev = o.device;
      if (o.copy !== undefined) copy = o.copy;
    };
    if (arg instanceof Tensor) { dt = arg.dtype; dev = arg.device; }
    else if (arg instanceof Device) dev = arg;
    else if (isPlainObject(arg)) apply(arg as ToOptions);
    else if (typeof arg === 'string' && isDType(arg)) dt = arg;
    else if (typeof arg === 'string') dev = arg;
    else if (arg !== undefined && arg !== null) throw new TypeError(`to() received an invalid combination of arguments - got (${typeName(arg)})`);
    if (typeof dtype === 'string') dt = checkDType('to', dtype);
    else if (dtype !== undefined && dtype !== null && !isPlainObject(dtype)) throw new TypeError(`to(): argument 'dtype' must be a dtype name or options, not ${typeName(dtype)}`);
    else if (isPlainObject(dtype)) apply(dtype as ToOptions);
    if (opts !== undefined) apply(opts);
    const target = dev === undefined ? this.device : canonicalDevice(parseDevice(dev));
    const tdt = dt ?? this.dtype;
    if (!target.equals(this.device)) return toDevice(this, target, tdt);
    if (tdt === this.dtype && !copy) return this;
    return castTo(this, tdt);
  }
  /** `to('float32')`. */
  float(this: Tensor): Tensor { return this.to('float32'); }
  /** `to('float64')`. */
  double(this: Tensor): Tensor { return this.to('float64'); }
  /** `to('int64')` (truncates toward zero). */
  long(this: Tensor): Tensor { return this.to('int64'); }
  /** `to('int32')`. */
  int(this: Tensor): Tensor { return this.to('int32'); }
  /** `to('bool')` (non-zero → true). */
  bool(this: Tensor): Tensor { return this.to('bool'); }
  /** `to('int16')` (PyTorch's `short()`; integers wrap modulo 2^16). @example torch.tensor([70000], { dtype: 'int64' }).short().tolist() // [4464] */
  short(this: Tensor): Tensor { return this.to('int16'); }
  /** `to('int8')` (PyTorch's `char()`; integers wrap modulo 2^8). @example torch.tensor([200], { dtype: 'int64' }).char().tolist() // [-56] */
  char(this: Tensor): Tensor { return this.to('int8'); }
  /** `to('uint8')` (PyTorch's `byte()`; -1 becomes 255, floats truncate then wrap). @example torch.tensor([-1.5, 300.5]).byte().tolist() // [255, 44] */
  byte(this: Tensor): Tensor { return this.to('uint8'); }
  /** `to('cpu')`: this tensor when already on the CPU, else a copy there (reads through the source backend). */
  cpu(this: Tensor): Tensor { return this.to(CPU); }
  /**
   * Moves to CUDA device `index` (default 0). Fails with PyTorch's `Torch not compiled with CUDA enabled` when no
   * CUDA backend is registered (this build ships none).
   */
  cuda(this: Tensor, index?: number | Device | string | { device?: number | DeviceLike; nonBlocking?: boolean }): Tensor {
    if (isPlainObject(index)) checkOptions('cuda', index, ['device', 'nonBlocking']);
    const d: number | DeviceLike | undefined = isPlainObject(index) ? (index as { device?: number | DeviceLike }).device : index as number | DeviceLike | undefined;
    const dev = typeof d === 'number' || d === undefined ? parseDevice('cuda', d ?? null) : parseDevice(d);
    if (dev.type !== 'cuda') throw new Error(`Invalid device, must be cuda device`);
    return this.to(dev);
  }
  /** The type name, e.g. 'torch.FloatTensor'. */
  type(this: Tensor): string { return `torch.${torchTypeName(this.dtype)}Tensor`; }
  /** Number of bytes per element. */
  elementSize(this: Tensor): number { return itemSize(this.dtype); }
}
installTensorMethods(DeviceOps);
