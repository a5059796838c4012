/**
 * Devices, as in PyTorch: `torch.device('cpu')`, `torch.device('cuda:1')`, `torch.device('cuda', 1)`.
 *
 * `CUDA_VISIBLE_DEVICES` filters and renumbers GPUs before a CUDA backend starts, as in PyTorch: with
 * `CUDA_VISIBLE_DEVICES=0,2` physical GPU 2 is `cuda:1`. This build ships the portable CPU backend only, so
 * `torch.cuda.isAvailable()` is false and moving a tensor to a CUDA device fails with PyTorch's message.
 *
 * @example
 * import * as torch from 'torchlet';
 * const dev = torch.cuda.isAvailable() ? torch.device('cuda:0') : torch.device('cpu');
 * const x = torch.zeros([2, 3], { device: dev });
 */
export type DeviceType = 'cpu' | 'cuda';

export class Device {
  constructor(public readonly type: DeviceType, public readonly index: number | null = null) {}
  toString(): string { return this.index === null ? this.type : `${this.type}:${this.index}`; }
  equals(o: Device): boolean { return this.type === o.type && (this.index ?? 0) === (o.index ?? 0); }
}

export type DeviceLike = Device | string;

/**
 * Parses a device string (`'cpu'`, `'cuda'`, `'cuda:1'`) or a type and an index.
 * @example
 * torch.device('cuda:1').index; // 1
 */
export function device(spec: DeviceLike, index?: number): Device {
  if (spec instanceof Device) return spec;
  const m = /^(cpu|cuda)(?::(\d+))?$/.exec(spec);
  if (m === null) {
    throw new Error(`Expected one of cpu, cuda device type at start of device string: ${spec}`);
  }
  const type = m[1] as DeviceType;
  const idx = m[2] !== undefined ? Number(m[2]) : index ?? null;
  if (idx !== null && (!Number.isInteger(idx) || idx < 0)) throw new Error(`Device index must not be negative, got ${idx}`);
  if (type === 'cpu' && idx !== null && idx !== 0) throw new Error(`CPU device index must be -1 or zero, got ${idx}`);
  return new Device(type, type === 'cpu' ? null : idx);
}

export const CPU = new Device('cpu');

/** GPU ids listed by `CUDA_VISIBLE_DEVICES`, in order (visible index i → physical id), or null when unset. */
export function visibleDevices(env: Record<string, string | undefined> = typeof process !== 'undefined' ? process.env : {}): number[] | null {
  const v = env['CUDA_VISIBLE_DEVICES'];
  if (v === undefined) return null;
  const out: number[] = [];
  for (const part of v.split(',')) {
    const t = part.trim();
    if (!/^\d+$/.test(t)) break; // CUDA stops at the first invalid entry
    out.push(Number(t));
  }
  return out;
}

/** Throws PyTorch's error for devices this build cannot run on. */
export function checkDeviceAvailable(d: Device): void {
  if (d.type === 'cuda') throw new Error('Torch not compiled with CUDA enabled');
}
