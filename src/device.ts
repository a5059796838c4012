/**
 * Devices, as in PyTorch: `torch.device('cpu')`, `torch.device('cuda:1')`, `torch.device('cuda', 1)`,
 * `torch.device('meta')`.
 *
 * Device types are open: `cpu`, `cuda` and `meta` are always known, and every type a backend registers
 * (`torch.registerBackend('fake', (index) => new MyBackend(index))`) becomes parseable. A device is a type plus an
 * index; a backend instance serves exactly one device (see `registerBackend` in `tensor.ts`), so the device of a
 * storage is the device of the backend instance that allocated it and a tensor carries both (`t.device`,
 * `t._backend`).
 *
 * `CUDA_VISIBLE_DEVICES` filters and renumbers GPUs before a CUDA backend starts, as in PyTorch: with
 * `CUDA_VISIBLE_DEVICES=0,2` physical GPU 2 is `cuda:1`. No CUDA backend ships yet (`cpu` is served by the portable
 * or the native backend, `meta` by the shape-only one), so `torch.cuda.isAvailable()` is false and moving a tensor to
 * a CUDA device fails with PyTorch's message (`Torch not compiled with CUDA enabled`) until a CUDA backend is
 * registered; `torch.cuda.unavailableReason()` says what was found. `'cuda'` without an index means the current
 * device (`torch.cuda.setDevice`).
 *
 * @example
 * import * as torch from 'torchlet';
 * const dev = torch.cuda.isAvailable() ? torch.device('cuda:0') : torch.device('cpu');
 * const x = torch.zeros([2, 3], { device: dev });
 */

/** A device type name: `'cpu'`, `'cuda'`, `'meta'` or any type a backend registered. */
export type DeviceType = string;

/** The types known before any backend registers (PyTorch knows CUDA's name even when not compiled with it). */
const BUILTIN_TYPES = ['cpu', 'cuda', 'meta'];
const knownTypes = new Set<string>(BUILTIN_TYPES);

/** @internal Makes a device type parseable (called by `registerBackend`). */
export function registerDeviceType(type: string): void {
  if (!/^[a-z_][a-z0-9_]*$/.test(type)) throw new Error(`Invalid device type name '${type}': expected lowercase letters, digits and '_'`);
  knownTypes.add(type);
}

/** The device types that `torch.device` accepts, built-in ones first. */
export function deviceTypes(): string[] { return [...knownTypes]; }

/** Device types with a single device whose tensors print and compare without an index, as in PyTorch. */
const INDEXLESS = new Set(['cpu', 'meta']);

export class Device {
  constructor(public readonly type: DeviceType, public readonly index: number | null = null) {}
  /** `'cpu'`, `'cuda'`, `'cuda:1'`, as PyTorch's `str(device)`. */
  toString(): string { return this.index === null ? this.type : `${this.type}:${this.index}`; }
  /** Same type and index (an unspecified index counts as 0, the current device). */
  equals(o: Device): boolean { return this.type === o.type && (this.index ?? 0) === (o.index ?? 0); }
}

export type DeviceLike = Device | string;

/**
 * Parses a device string (`'cpu'`, `'cuda'`, `'cuda:1'`, `'meta'`, a registered type) or a type and an index.
 * Unknown types fail with PyTorch's message listing the known ones.
 * @example
 * torch.device('cuda:1').index; // 1
 * torch.device('cuda', 1).toString(); // 'cuda:1'
 */
export function device(spec: DeviceLike, index?: number | null): Device {
  if (spec instanceof Device) return spec;
  if (typeof spec !== 'string') throw new TypeError(`device(): argument 'type' must be str, not ${typeof spec}`);
  if (index === undefined || index === null) {
    // factories parse the same few strings over and over; types are only ever added, so a parse stays valid
    const hit = parsed.get(spec);
    if (hit !== undefined) return hit;
    const d = parseDevice(spec, null);
    if (parsed.size < 256) parsed.set(spec, d);
    return d;
  }
  return parseDevice(spec, index);
}

const parsed = new Map<string, Device>();

function parseDevice(spec: string, index: number | null): Device {
  const m = /^([a-z_][a-z0-9_]*)(?::(-?\d+))?$/.exec(spec);
  if (m === null || !knownTypes.has(m[1]!)) {
    throw new Error(`Expected one of ${[...knownTypes].join(', ')} device type at start of device string: ${spec}`);
  }
  const type = m[1]!;
  if (m[2] !== undefined && index !== undefined && index !== null) {
    throw new Error(`type (string) must not include an index because index was passed explicitly: ${spec}`);
  }
  const idx = m[2] !== undefined ? Number(m[2]) : index ?? null;
  if (idx !== null && (!Number.isInteger(idx) || idx < 0)) throw new Error(`Device index must not be negative`);
  if (type === 'cpu' && idx !== null && idx !== 0) throw new Error(`CPU device index must be -1 or zero, got ${idx}`);
  return new Device(type, type === 'cpu' ? null : idx);
}

/**
 * @internal The device a tensor reports for a requested device: `cpu` and `meta` have no index, other types resolve
 * an unspecified index to 0 (PyTorch's current device), so `zeros(2, { device: 'cuda' }).device` is `cuda:0`.
 */
export function canonicalDevice(d: Device): Device {
  if (INDEXLESS.has(d.type) ? d.index === null : d.index !== null) return d;
  let c = canonical.get(d);
  if (c === undefined) {
    c = new Device(d.type, INDEXLESS.has(d.type) ? null : currentDeviceIndex(d.type));
    canonical.set(d, c);
  }
  return c;
}
let canonical = new WeakMap<Device, Device>();

/** Current device index per type (`torch.cuda.setDevice`); absent means 0. */
const currentIndex = new Map<string, number>();
/** @internal The device index that a device of `type` without an index means (0 until set). */
export function currentDeviceIndex(type: string): number { return currentIndex.get(type) ?? 0; }
/** @internal Sets the current device of `type` (`torch.cuda.setDevice`); index-less devices resolve to it from now on. */
export function setCurrentDeviceIndex(type: string, index: number): void {
  if (currentDeviceIndex(type) === index) return;
  currentIndex.set(type, index);
  canonical = new WeakMap(); // resolutions made for the previous current device are stale
}

export const CPU = new Device('cpu');
export const META = new Device('meta');

/**
 * GPU ids listed by `CUDA_VISIBLE_DEVICES`, in order (visible index i → physical id), or null when unset. The CUDA
 * runtime reads the variable once, when CUDA is first initialized: set it before the first CUDA call.
 */
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
