/**
 * `torch.save` / `torch.load` in the safetensors format (https://github.com/huggingface/safetensors):
 *
 *     [8 bytes: N, unsigned little-endian] [N bytes: JSON header, padded with spaces to a multiple of 8]
 *     [the tensors' raw little-endian bytes, back to back]
 *
 * The header maps each tensor name to `{ dtype, shape, data_offsets: [begin, end] }` (offsets relative to the
 * start of the data) and may hold `"__metadata__"`: a string → string map. torchlet writes the tensors as the
 * reference implementation does (sorted by dtype alignment, largest first, then by name; compact JSON; space
 * padding), so a state dict saved here is read by `safetensors.torch.load_file` as the same tensors, and a file
 * written by `safetensors.torch.save_file` loads here.
 *
 * Everything around the tensors (checkpoint objects: nested objects, arrays, numbers, strings, booleans, null) is
 * kept as JSON in `__metadata__["torchlet"]`; tensors are stored under their dotted path (`model.fc1.weight`,
 * `optimizer.state.0.exp_avg`). `__metadata__["format"]` is `"pt"` as in files written by Hugging Face tools.
 * `__metadata__["torchlet_file_crc32"]` holds a CRC-32 of the whole file (computed with its own 8 hex digits set to
 * '00000000'): `load` verifies it, so a flipped bit anywhere — header or data — gives a clear error instead of renamed
 * keys or garbage weights. Version-1 files (older torchlet) carry `torchlet_crc32`, a CRC of the data section only,
 * still verified; files from other writers have none. See docs/reliability.md.
 *
 * dtypes: float32 ↔ F32, float64 ↔ F64, int64 ↔ I64 (written as exact 64-bit integers), int32 ↔ I32, int16 ↔ I16,
 * int8 ↔ I8, uint8 ↔ U8, bool ↔ BOOL.
 * Other safetensors dtypes (F16, BF16, U16, ...) are refused with a clear error.
 */
import { accessSync, closeSync, constants as fsConstants, fchmodSync, fchownSync, fsyncSync, lstatSync, openSync, readFileSync, readdirSync, readlinkSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tensor, fromStorage, getBackend, hasBackend } from './tensor.js';
import { knownHostValue, rememberHostValue } from './host_values.js';
import type { DType } from './dtype.js';
import { Device } from './device.js';
import type { DeviceLike } from './device.js';
import { checkOptions } from './_options.js';

/** What `save` accepts: tensors inside nested plain objects / arrays of JSON values. */
export type Saveable = Tensor | number | string | boolean | null | undefined | readonly Saveable[] | { readonly [key: string]: Saveable };

const ST_DTYPE: Record<DType, string> = { float32: 'F32', float64: 'F64', int64: 'I64', int32: 'I32', int16: 'I16', int8: 'I8', uint8: 'U8', bool: 'BOOL' };
const FROM_ST: Record<string, DType> = { F32: 'float32', F64: 'float64', I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8', U8: 'uint8', BOOL: 'bool' };
const ST_SIZE: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, F8_E8M0: 1, F4: 1, F6_E2M3: 1, F6_E3M2: 1,
  I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8, C64: 8,
};
/** Order of the reference implementation's `Dtype` enum (increasing alignment); tensors are written largest first. */
const ST_RANK: Record<string, number> = { BOOL: 0, U8: 1, I8: 2, I16: 5, I32: 9, F32: 11, F64: 12, I64: 13 };
const MAX_HEADER = 100_000_000;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TWO53 = 9007199254740992;
const FORMAT_KEY = 'torchlet';
/** __metadata__ key recording the device of every tensor not saved from the CPU (`{ name: 'cuda:1' }`). */
const DEVICES_KEY = 'torchlet_devices';

/**
 * `torch.load`'s `mapLocation`, as PyTorch's `map_location`: a device (every tensor goes there), a record from saved
 * location to new location (`{ 'cuda:1': 'cpu' }`; unlisted locations stay), or a function given each tensor (read
 * onto the CPU) and its saved location, returning the tensor to use (`(t, loc) => t.to('meta')`). null/undefined:
 * every tensor goes back to the device it was saved from.
 */
export type MapLocation = DeviceLike | Record<string, DeviceLike> | ((t: Tensor, location: string) => Tensor) | null;
const RESERVED = new Set(['__tensor__', '__number__', '__undefined__', '__object__']);

function pathOf(f: string | URL): string { return f instanceof URL ? fileURLToPath(f) : f; }

function isPlain(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object') return false;
  const p = Object.getPrototypeOf(x);
  return p === Object.prototype || p === null;
}

/** Sets an own enumerable property (also for the key '__proto__', which plain assignment would turn into a prototype). */
function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function typeName(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object' || typeof x === 'function') return (x as any).constructor?.name ?? typeof x;
  return typeof x;
}

// ------------------------------------------------------------------------------------------------------------
// Encoding the structure

interface Entry { name: string; t: Tensor }

function encode(obj: unknown, plainStateDict: boolean): { root: unknown; entries: Entry[] } {
  const entries: Entry[] = [];
  const names = new Set<string>(['__metadata__']);
  const unique = (base: string): string => {
    let n = base === '' ? 'tensor' : base;
    if (names.has(n)) { let k = 1; while (names.has(`${n}#${k}`)) k++; n = `${n}#${k}`; }
    names.add(n);
    return n;
  };
  const stack = new Set<object>();
  const walk = (v: unknown, path: string[]): unknown => {
    const where = path.length === 0 ? 'the top level' : `'${path.join('.')}'`;
    if (v instanceof Tensor) {
      const name = unique(plainStateDict ? path[0]! : path.join('.'));
      entries.push({ name, t: v });
      return { __tensor__: name };
    }
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (v === undefined) return { __undefined__: true };
    if (typeof v === 'number') {
      if (Number.isNaN(v)) return { __number__: 'NaN' };
      if (v === Infinity) return { __number__: 'Infinity' };
      if (v === -Infinity) return { __number__: '-Infinity' };
      if (Object.is(v, -0)) return { __number__: '-0' };
      return v;
    }
    if (typeof v === 'object') {
      if (stack.has(v)) throw new TypeError(`torch.save: circular reference at ${where}`);
      if (Array.isArray(v)) {
        stack.add(v);
        const out = v.map((x, i) => walk(x, [...path, String(i)]));
        stack.delete(v);
        return out;
      }
      if (isPlain(v)) {
        stack.add(v);
        const out: Record<string, unknown> = {};
        let reserved = false;
        for (const [k, x] of Object.entries(v)) { setOwn(out, k, walk(x, [...path, k])); if (RESERVED.has(k)) reserved = true; }
        stack.delete(v);
        return reserved ? { __object__: out } : out;
      }
    }
    const hint = typeof (v as any)?.stateDict === 'function' ? ' (save its stateDict() instead)' : '';
    throw new TypeError(`torch.save: cannot save a value of type ${typeName(v)} at ${where}${hint}; checkpoints hold tensors, numbers, strings, booleans, null and plain objects/arrays of them`);
  };
  const root = walk(obj, []);
  return { root, entries };
}

function decode(v: unknown, tensors: Map<string, Tensor>, used: Set<string>, where: string): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x, i) => decode(x, tensors, used, `${where}.${i}`));
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1) {
    if (keys[0] === '__tensor__') {
      const name = o.__tensor__ as string;
      const t = tensors.get(name);
      if (t === undefined) throw new Error(`refers to tensor '${String(name)}' at ${where}, which the file does not contain`);
      if (used.has(name)) return t.clone();
      used.add(name);
      return t;
    }
    if (keys[0] === '__undefined__') return undefined;
    if (keys[0] === '__number__') {
      const s = o.__number__;
      if (s === 'NaN') return NaN;
      if (s === 'Infinity') return Infinity;
      if (s === '-Infinity') return -Infinity;
      if (s === '-0') return -0;
      throw new Error(`has an invalid number encoding ${JSON.stringify(s)} at ${where}`);
    }
    if (keys[0] === '__object__') return decodeObject(o.__object__, tensors, used, where);
  }
  return decodeObject(o, tensors, used, where);
}

function decodeObject(v: unknown, tensors: Map<string, Tensor>, used: Set<string>, where: string): Record<string, unknown> {
  if (!isPlain(v)) throw new Error(`has an invalid object encoding at ${where}`);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) setOwn(out, k, decode(x, tensors, used, `${where}.${k}`));
  return out;
}

// ------------------------------------------------------------------------------------------------------------
// Tensor bytes

function tensorBytes(t: Tensor, name: string): Uint8Array {
  const data = t.dataSync();
  const n = data.length;
  switch (t.dtype) {
    case 'float32': case 'float64': case 'int32': case 'int16': case 'int8': case 'uint8': case 'bool': {
      if (LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      const size = data.BYTES_PER_ELEMENT;
      const out = new Uint8Array(n * size);
      const dv = new DataView(out.buffer);
      for (let i = 0; i < n; i++) {
        const x = data[i]!;
        if (t.dtype === 'float32') dv.setFloat32(i * 4, x, true);
        else if (t.dtype === 'float64') dv.setFloat64(i * 8, x, true);
        else if (t.dtype === 'int32') dv.setInt32(i * 4, x, true);
        else if (t.dtype === 'int16') dv.setInt16(i * 2, x, true);
        else if (t.dtype === 'int8') dv.setInt8(i, x);
        else out[i] = x;
      }
      return out;
    }
    case 'int64': {
      const out = new Uint8Array(n * 8);
      const dv = new DataView(out.buffer);
      for (let i = 0; i < n; i++) {
        const x = data[i]!;
        if (!Number.isFinite(x) || !Number.isInteger(x)) throw new RangeError(`torch.save: int64 tensor '${name}' holds ${x} at element ${i}, not an integer`);
        // refused here rather than written into a file torch.load would then refuse: a float64 slot holds integers
        // exactly only up to 2^53, so a larger value is already rounded (2**53 + 1 reads as 2**53)
        if (x > TWO53 || x < -TWO53) {
          throw new RangeError(`torch.save: int64 tensor '${name}' holds ${BigInt(x)} at element ${i}, beyond ±2^53 (${TWO53}): torchlet's int64 holds integers exactly only up to 2^53, so it cannot be saved exactly (torch.load refuses such files)`);
        }
        dv.setBigInt64(i * 8, BigInt(x), true);
      }
      return out;
    }
  }
}

function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

// CRC-32 (IEEE 802.3, as zlib's crc32). Any single-bit error, and any burst of up to 32 flipped bits, changes it.
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
// node:zlib's native crc32 (Node >= 20.15) runs at memory speed; the table is the fallback for older Node 20
const nativeCrc = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
/** CRC-32 of `bytes` continuing from the CRC `prev` of the bytes before them (0 for none), as zlib's crc32(prev, buf). */
function crc32(bytes: Uint8Array, prev = 0): number {
  // Node 20's zlib.crc32 returns 0 for an empty typed array without a backing store (new Float32Array(0)): skip those
  if (bytes.length === 0) return prev;
  if (nativeCrc !== undefined) return nativeCrc(bytes, prev) >>> 0;
  let c = (prev ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
const hex8 = (crc: number): string => crc.toString(16).padStart(8, '0');

/**
 * `__metadata__` key of the whole-file CRC-32 (format version 2). Its value is the CRC-32 of every byte of the file
 * (length field, header, padding, data) computed with the 8 hex digits of this value replaced by '00000000'. So a
 * flipped bit anywhere is detected — in a tensor name, a shape, an offset, the checkpoint structure, `lr` — while
 * the file stays a plain safetensors file for other readers (metadata is a string → string map they pass through).
 */
const FILE_CRC_KEY = 'torchlet_file_crc32';
const FILE_CRC_PLACEHOLDER = '00000000';
/** Version-1 files (torchlet before issue 11) carry a CRC-32 of the data section only, under this key; still verified. */
const DATA_CRC_KEY = 'torchlet_crc32';
const FILE_CRC_PATTERN = Buffer.from(`"${FILE_CRC_KEY}":"`, 'utf8');

/** @internal The safetensors bytes of `entries` with string metadata, laid out as the reference implementation does;
 * with metadata, the whole-file CRC-32 is added under FILE_CRC_KEY. */
export function serializeEntries(entries: readonly { name: string; t: Tensor }[], metadata: Record<string, string> | null): Uint8Array[] {
  const sorted = [...entries].sort((a, b) => (ST_RANK[ST_DTYPE[b.t.dtype]]! - ST_RANK[ST_DTYPE[a.t.dtype]]!) || byteCompare(a.name, b.name));
  const parts: string[] = [];
  const chunks: Uint8Array[] = [];
  const tensorParts: string[] = [];
  let offset = 0;
  for (const { name, t } of sorted) {
    const bytes = tensorBytes(t, name);
    tensorParts.push(`${JSON.stringify(name)}:{"dtype":"${ST_DTYPE[t.dtype]}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${offset + bytes.length}]}`);
    offset += bytes.length;
    chunks.push(bytes);
  }
  if (metadata !== null) {
    const meta: Record<string, string> = { ...metadata, [FILE_CRC_KEY]: FILE_CRC_PLACEHOLDER };
    const keys = Object.keys(meta).sort(byteCompare);
    parts.push(`"__metadata__":{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(meta[k])}`).join(',')}}`);
  }
  parts.push(...tensorParts);
  let header = Buffer.from(`{${parts.join(',')}}`, 'utf8');
  const pad = (8 - (header.length % 8)) % 8;
  if (pad > 0) header = Buffer.concat([header, Buffer.alloc(pad, 0x20)]);
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(header.length), true);
  if (metadata !== null) {
    let crc = crc32(header, crc32(len));
    for (const c of chunks) crc = crc32(c, crc);
    // the only unescaped occurrence: inside metadata values quotes are escaped (\"), tensor entries are objects
    const at = header.indexOf(FILE_CRC_PATTERN) + FILE_CRC_PATTERN.length;
    header.write(hex8(crc), at, 'latin1');
  }
  return [len, header, ...chunks];
}

/**
 * Verifies the whole-file CRC-32 recorded as `value`: finds the one `"torchlet_file_crc32":"xxxxxxxx"` in the raw
 * header, and recomputes the CRC with those 8 bytes replaced by the placeholder.
 */
function verifyFileCrc(bytes: Uint8Array, dataStart: number, value: string): void {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = buf.subarray(0, dataStart);
  const first = header.indexOf(FILE_CRC_PATTERN);
  if (first < 0 || header.indexOf(FILE_CRC_PATTERN, first + 1) >= 0) {
    throw new FormatError(`the header must hold "${FILE_CRC_KEY}":"…" exactly once, found it ${first < 0 ? 'nowhere' : 'more than once'} (corrupted)`);
  }
  const at = first + FILE_CRC_PATTERN.length;
  const raw = header.toString('latin1', at, at + 8);
  if (!/^[0-9a-f]{8}$/.test(value) || raw !== value || header[at + 8] !== 0x22) {
    throw new FormatError(`__metadata__["${FILE_CRC_KEY}"] is ${JSON.stringify(value)}, not the 8 lowercase hex digits torchlet writes (corrupted)`);
  }
  let crc = crc32(buf.subarray(0, at));
  crc = crc32(Buffer.from(FILE_CRC_PLACEHOLDER, 'latin1'), crc);
  crc = crc32(buf.subarray(at + 8), crc);
  if (hex8(crc) !== value) {
    throw new FormatError(`the file is corrupted: its CRC-32 is ${hex8(crc)}, the header records ${value} (a flipped bit or a changed byte somewhere in its ${bytes.length} bytes)`);
  }
}

// ------------------------------------------------------------------------------------------------------------
// save

// Temporary files: `.${base}.${host}-${pid}.${random}.tmp` next to the destination. The host tag and pid say which
// process wrote it; a later save or load of the same destination removes those it can prove dead (see removeStaleTemps).
const HOST_TAG = hex8(crc32(Buffer.from(hostname(), 'utf8')));
const TEMP_RE = /^\.(.*)\.(?:([0-9a-f]{8})-)?(\d+)\.([0-9a-f]{12})\.tmp$/;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH'; // EPERM: it exists, owned by another user
  }
}

/**
 * Removes the temporary files that interrupted saves (a crash, kill -9, power loss) left next to `target`, when their
 * writer is provably dead: written on this host (same host tag; names from torchlet before the tag count as this
 * host's) by a pid that no longer exists. Files of live pids are kept, even old ones: a live pid may be a slow writer
 * (a stalled network filesystem), and age alone proves nothing. A reused pid keeps a stale file until that pid exits;
 * files from other hosts sharing the directory are never touched. Returns the names removed.
 */
function removeStaleTemps(target: string): string[] {
  const base = basename(target);
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dirname(target));
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = TEMP_RE.exec(name);
    if (m === null || m[1] !== base) continue;
    if (m[2] !== undefined && m[2] !== HOST_TAG) continue;
    const pid = Number(m[3]);
    if (pid === process.pid || pidAlive(pid)) continue;
    try {
      unlinkSync(join(dirname(target), name));
      removed.push(name);
    } catch { /* removed by another process meanwhile, or not ours to remove */ }
  }
  return removed;
}

/** The file `file` designates after following symlinks (also a dangling one: its target is what a write creates). */
function resolveTarget(file: string): string {
  let p = file;
  for (let hops = 0; hops < 40; hops++) {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      return p; // does not exist (yet)
    }
    if (!st.isSymbolicLink()) return p;
    const link = readlinkSync(p);
    p = isAbsolute(link) ? link : join(dirname(p), link);
  }
  throw new Error(`torch.save: cannot write '${file}': too many levels of symbolic links (ELOOP)`);
}

/** Whether the process may write the existing file `st` at `target`: the OS's answer, and for root the mode bits. */
function writable(target: string, mode: number): boolean {
  // root passes access(W_OK) on any file; a file with no write bit for anyone is still read-only by intent
  // (chmod 444 to protect a checkpoint), and a rename-based save would otherwise replace it silently
  if (process.getuid?.() === 0) return (mode & 0o222) !== 0;
  try {
    accessSync(target, fsConstants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Saves a state dict (`Record<string, Tensor>`) or a checkpoint object (nested plain objects / arrays holding
 * tensors, numbers, strings, booleans, null) to `f` in the safetensors format. The write is atomic: the bytes go to a
 * temporary file in the same directory, are flushed to disk (fsync), and the file is renamed over `f`, so a crash
 * mid-save leaves the previous file intact; the temp files of writers that died are removed by the next save or load
 * of `f`. A symlink `f` writes its target; an existing file keeps its permission bits; a read-only one is refused
 * (`File ... cannot be opened.`). An int64 value beyond ±2^53 is refused here, before anything is written.
 *
 * A state dict's tensors are stored under their keys, so `safetensors.torch.load_file(f)` in Python returns the same
 * tensors by name. Tensors are saved as data (no autograd history, no `requiresGrad`); a tensor that appears twice
 * is stored twice (sharing is not preserved). Class instances (modules, optimizers) are refused: save their
 * `stateDict()`.
 * @example
 * import * as torch from 'torchlet';
 * const model = new torch.nn.Linear(4, 2);
 * const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * torch.save({ model: model.stateDict(), optimizer: opt.stateDict(), epoch: 3 }, '/tmp/ckpt.safetensors');
 * const ckpt = torch.load('/tmp/ckpt.safetensors');
 * model.loadStateDict(ckpt.model);
 * opt.loadStateDict(ckpt.optimizer);
 */
export function save(obj: Saveable | Record<string, unknown>, f: string | URL): void {
  const file = pathOf(f);
  if (typeof file !== 'string' || file === '') throw new TypeError(`torch.save: expected a file path, got ${typeName(f)}`);
  const plainStateDict = isPlain(obj) && Object.values(obj).every((v) => v instanceof Tensor);
  const { root, entries } = encode(obj, plainStateDict);
  const meta: Record<string, string> = { format: 'pt', [FORMAT_KEY]: JSON.stringify({ version: 2, root }) };
  // Where each non-CPU tensor lived, so `load` puts it back there (PyTorch restores saved locations); absent when
  // everything is on the CPU, so CPU checkpoints stay byte-identical to the safetensors reference.
  const devices: Record<string, string> = {};
  for (const e of entries) if (e.t.device.type !== 'cpu') devices[e.name] = String(e.t.device);
  if (Object.keys(devices).length > 0) meta[DEVICES_KEY] = JSON.stringify(devices);
  const chunks = serializeEntries(entries, meta);
  // writes go to the symlink's target (PyTorch's open(f, 'wb') follows links), replacing it atomically in its directory
  const target = resolveTarget(file);
  let existing: ReturnType<typeof statSync> | null = null;
  try {
    existing = statSync(target);
  } catch { /* a new file */ }
  if (existing !== null && !existing.isFile()) throw new Error(`torch.save: cannot write '${file}': '${target}' is not a regular file`);
  if (existing !== null && !writable(target, Number(existing.mode))) {
    throw new Error(`File ${file} cannot be opened. (torch.save: '${target}' is read-only, mode ${(Number(existing.mode) & 0o7777).toString(8).padStart(4, '0')})`);
  }
  removeStaleTemps(target);
  const tmp = join(dirname(target), `.${basename(target)}.${HOST_TAG}-${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx');
    if (existing !== null) { // keep the destination's permission bits (and, where allowed, its owner)
      fchmodSync(fd, Number(existing.mode) & 0o7777);
      if (process.getuid?.() === 0 && (existing.uid !== process.getuid() || existing.gid !== process.getgid?.())) {
        try { fchownSync(fd, Number(existing.uid), Number(existing.gid)); } catch { /* e.g. a filesystem without owners */ }
      }
    }
    for (const c of chunks) {
      let off = 0;
      while (off < c.length) off += writeSync(fd, c, off, c.length - off);
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, target);
  } catch (e) {
    if (fd !== null) { try { closeSync(fd); } catch { /* already failing */ } }
    try { unlinkSync(tmp); } catch { /* not created */ }
    throw new Error(`torch.save: cannot write '${file}': ${(e as Error).message}`);
  }
  try { // make the rename itself durable
    const dfd = openSync(dirname(target), 'r');
    try { fsyncSync(dfd); } finally { closeSync(dfd); }
  } catch { /* directories cannot be fsynced on every platform */ }
}

// ------------------------------------------------------------------------------------------------------------
// load

interface Info { name: string; dtype: string; shape: number[]; begin: number; end: number }

class FormatError extends Error {}

function parseHeader(bytes: Uint8Array): { infos: Info[]; metadata: Record<string, string> | null; dataStart: number } {
  const bad = (msg: string): never => { throw new FormatError(msg); };
  if (bytes.length < 8) bad(`the file has ${bytes.length} bytes, fewer than the 8-byte header length (truncated or empty)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = dv.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER)) bad(`bad header length ${n64}: larger than the ${MAX_HEADER}-byte limit (corrupted, or not a safetensors file)`);
  const n = Number(n64);
  if (n < 2) bad(`bad header length ${n}: too small for a JSON header`);
  if (8 + n > bytes.length) bad(`bad header length ${n}: the file has only ${bytes.length - 8} bytes after the length field (truncated?)`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    return bad('the header is not valid UTF-8');
  }
  if (text[0] !== '{') bad(`the header does not start with '{' (got ${JSON.stringify(text.slice(0, 16))})`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return bad(`the header is invalid JSON: ${(e as Error).message}`);
  }
  if (!isPlain(header)) bad('the header is not a JSON object');
  const h = header as Record<string, unknown>;
  let metadata: Record<string, string> | null = null;
  const infos: Info[] = [];
  for (const [name, raw] of Object.entries(h)) {
    if (name === '__metadata__') {
      if (!isPlain(raw)) bad('"__metadata__" is not an object of strings');
      for (const [k, v] of Object.entries(raw as object)) if (typeof v !== 'string') bad(`"__metadata__" value of '${k}' is not a string`);
      metadata = raw as Record<string, string>;
      continue;
    }
    const t = `tensor '${name}'`;
    if (!isPlain(raw)) bad(`${t}: its header entry is not an object`);
    const { dtype, shape, data_offsets: offs } = raw as Record<string, unknown>;
    if (typeof dtype !== 'string') bad(`${t}: missing or non-string "dtype"`);
    const dt = dtype as string;
    if (!(dt in ST_SIZE)) bad(`${t}: unknown dtype '${dt}'`);
    if (!(dt in FROM_ST)) bad(`${t}: dtype '${dt}' is not supported by torchlet (supported: F32, F64, I64, I32, I16, I8, U8, BOOL)`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) bad(`${t}: "shape" must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((d) => Number.isSafeInteger(d) && d >= 0) || offs[0] > offs[1]) {
      bad(`${t}: "data_offsets" must be [begin, end] with 0 <= begin <= end, got ${JSON.stringify(offs)}`);
    }
    const [begin, end] = offs as number[];
    const numel = (shape as number[]).reduce((a, b) => a * b, 1);
    const need = numel * ST_SIZE[dt]!;
    if (!Number.isSafeInteger(need)) bad(`${t}: shape [${(shape as number[]).join(', ')}] is too large`);
    if (end! - begin! !== need) {
      bad(`${t}: shape [${(shape as number[]).join(', ')}] with dtype ${dt} needs ${need} bytes but data_offsets [${begin}, ${end}] span ${end! - begin!}`);
    }
    infos.push({ name, dtype: dt, shape: shape as number[], begin: begin!, end: end! });
  }
  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  for (const i of infos) {
    if (i.end > dataLen) {
      bad(`tensor '${i.name}': data_offsets [${i.begin}, ${i.end}] are out of range: the data section has ${dataLen} bytes (truncated?)`);
    }
  }
  const byOffset = [...infos].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  let prev: Info | null = null;
  for (const i of byOffset) {
    if (i.begin < pos) bad(`tensor '${i.name}': data_offsets [${i.begin}, ${i.end}] overlap tensor '${prev!.name}' [${prev!.begin}, ${prev!.end}]`);
    if (i.begin > pos) bad(`tensor '${i.name}': data_offsets [${i.begin}, ${i.end}] leave bytes ${pos}..${i.begin} of the data section unused`);
    pos = i.end;
    prev = i;
  }
  if (pos !== dataLen) bad(`the data section has ${dataLen - pos} bytes after the last tensor's data (the tensors cover ${pos} of ${dataLen})`);
  return { infos, metadata, dataStart };
}

function readTensor(bytes: Uint8Array, start: number, i: Info): Tensor {
  const raw = new Uint8Array(i.end - i.begin); // a copy, aligned at 0 (a Buffer's slice would be a view)
  raw.set(bytes.subarray(start + i.begin, start + i.end));
  const count = i.shape.reduce((a, b) => a * b, 1);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dtype = FROM_ST[i.dtype]!;
  let values: Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array;
  switch (i.dtype) {
    case 'F32':
      values = LITTLE_ENDIAN ? new Float32Array(raw.buffer, 0, count) : Float32Array.from({ length: count }, (_, k) => dv.getFloat32(4 * k, true));
      break;
    case 'F64':
      values = LITTLE_ENDIAN ? new Float64Array(raw.buffer, 0, count) : Float64Array.from({ length: count }, (_, k) => dv.getFloat64(8 * k, true));
      break;
    case 'I32':
      values = LITTLE_ENDIAN ? new Int32Array(raw.buffer, 0, count) : Int32Array.from({ length: count }, (_, k) => dv.getInt32(4 * k, true));
      break;
    case 'I16':
      values = LITTLE_ENDIAN ? new Int16Array(raw.buffer, 0, count) : Int16Array.from({ length: count }, (_, k) => dv.getInt16(2 * k, true));
      break;
    case 'I8':
      values = new Int8Array(raw.buffer, 0, count);
      break;
    case 'U8':
      values = raw;
      break;
    case 'BOOL':
      for (let k = 0; k < count; k++) {
        if (raw[k]! > 1) throw new FormatError(`tensor '${i.name}': BOOL element ${k} is byte ${raw[k]}, not 0 or 1`);
      }
      values = raw;
      break;
    default: { // I64
      const out = new Float64Array(count);
      for (let k = 0; k < count; k++) {
        const b = dv.getBigInt64(8 * k, true);
        if (b > 9007199254740992n || b < -9007199254740992n) {
          throw new FormatError(`tensor '${i.name}': I64 element ${k} is ${b}, beyond ±2^53 (${TWO53}): torchlet's int64 holds integers exactly only up to 2^53`);
        }
        out[k] = Number(b);
      }
      values = out;
    }
  }
  const cpu = getBackend('cpu');
  const t = fromStorage(cpu.fromArray(dtype, values), i.shape, cpu);
  // one-element tensors (an optimizer's `step`) keep their value known on the host, so loading a checkpoint into an
  // optimizer reads nothing back from the device
  if (count === 1) rememberHostValue(t, t.dtype === 'bool' ? (values[0] ? 1 : 0) : dtype === 'float32' ? Math.fround(values[0]!) : values[0]!);
  return t;
}

/** A tensor read onto the CPU, placed where `mapLocation` says for its saved location `loc`. */
function place(t: Tensor, loc: string, map: MapLocation): Tensor {
  if (typeof map === 'function') {
    const r = map(t, loc);
    if (!(r instanceof Tensor)) throw new TypeError(`torch.load: mapLocation returned ${typeName(r)} for a tensor saved on '${loc}', expected a Tensor`);
    return r;
  }
  let target: DeviceLike = loc;
  if (map === null) {
    // restoring the saved location: explain how to load elsewhere when that device is not available here
    if (loc.startsWith('cuda') && !hasBackend('cuda')) {
      throw new Error("Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. If you are running on a CPU-only machine, please use torch.load with map_location=torch.device('cpu') to map your storages to the CPU.");
    }
    try {
      getBackend(loc);
    } catch (e) {
      throw new Error(`torch.load: a tensor was saved on '${loc}', which is not available here (${(e as Error).message}); pass mapLocation (e.g. { mapLocation: 'cpu' }) to load it elsewhere`);
    }
  }
  if (typeof map === 'string' || map instanceof Device) target = map as DeviceLike;
  else if (map !== null && isPlain(map)) { const m = map as Record<string, DeviceLike>; target = (Object.prototype.hasOwnProperty.call(m, loc) ? m[loc] : undefined) ?? loc; }
  const moved = t.to(target);
  const known = knownHostValue(t);
  if (moved !== t && known !== undefined) rememberHostValue(moved, known);
  return moved;
}

/**
 * Loads what `save` wrote — or any safetensors file, e.g. one written by `safetensors.torch.save_file` — from a
 * path (or the file's bytes). A checkpoint object comes back with the same structure; a plain safetensors file comes
 * back as a `Record<string, Tensor>` with the names sorted (as Python's `load_file`). The file is validated
 * before anything is read from it: a truncated or corrupted file throws an Error naming the file and the problem
 * (bad header length, invalid JSON, unknown dtype, offsets out of range / overlapping / leaving gaps, shape and byte
 * size disagreeing, I64 values beyond ±2^53, ...). Tensors go back to the device they were saved from, unless
 * `mapLocation` (a device, a `{ saved: new }` record or a function, as PyTorch's `map_location`) says otherwise.
 * @example
 * import * as torch from 'torchlet';
 * const model = new torch.nn.Linear(4, 2);
 * torch.save(model.stateDict(), '/tmp/model.safetensors');  // loads in Python with safetensors.torch.load_file
 * const sd = torch.load('/tmp/model.safetensors');          // Record<string, Tensor>
 * model.loadStateDict(sd);
 * const same = torch.load('/tmp/model.safetensors', { mapLocation: 'cpu' });
 */
export function load(f: string | URL | Uint8Array, opts: { mapLocation?: MapLocation } = {}): any {
  checkOptions('load', opts, ['mapLocation']);
  let bytes: Uint8Array;
  let label: string;
  if (f instanceof Uint8Array) { bytes = f; label = '<bytes>'; } else {
    label = pathOf(f);
    try {
      bytes = readFileSync(label);
    } catch (e) {
      throw new Error(`torch.load: cannot read '${label}': ${(e as Error).message}`);
    }
    try { removeStaleTemps(resolveTarget(label)); } catch { /* cleanup is best effort; the load does not depend on it */ }
  }
  try {
    const { infos, metadata, dataStart } = parseHeader(bytes);
    // The checkpoint description is read first: its version says which checksum the file must carry.
    const structure = metadata?.[FORMAT_KEY];
    let doc: any;
    if (structure !== undefined) {
      try {
        doc = JSON.parse(structure);
      } catch (e) {
        throw new FormatError(`__metadata__["${FORMAT_KEY}"] is invalid JSON: ${(e as Error).message}`);
      }
      if (!isPlain(doc) || (doc.version !== 1 && doc.version !== 2) || !('root' in doc)) {
        throw new FormatError(`__metadata__["${FORMAT_KEY}"] is not a torchlet checkpoint description (version 1 or 2)`);
      }
    }
    // Two independent marks require the whole-file checksum (the key itself, and a version-2 description), so one
    // flipped bit cannot remove both: a file that loses either one is refused or fails the CRC.
    const fileCrc = metadata?.[FILE_CRC_KEY];
    if (fileCrc !== undefined) verifyFileCrc(bytes, dataStart, fileCrc);
    else if (doc?.version === 2) throw new FormatError(`__metadata__["${FILE_CRC_KEY}"] is missing from a version-2 torchlet checkpoint (corrupted)`);
    const dataCrc = metadata?.[DATA_CRC_KEY];
    if (fileCrc === undefined && dataCrc !== undefined) { // a version-1 file: the data section only
      const got = hex8(crc32(bytes.subarray(dataStart)));
      if (got !== dataCrc) throw new FormatError(`tensor data is corrupted: CRC-32 of the data section is ${got}, the header records ${dataCrc}`);
    }
    let saved: Record<string, unknown> = {};
    if (metadata?.[DEVICES_KEY] !== undefined) {
      try {
        saved = JSON.parse(metadata[DEVICES_KEY]!);
      } catch (e) {
        throw new FormatError(`__metadata__["${DEVICES_KEY}"] is invalid JSON: ${(e as Error).message}`);
      }
      if (!isPlain(saved) || Object.values(saved).some((v) => typeof v !== 'string')) throw new FormatError(`__metadata__["${DEVICES_KEY}"] is not a record of device strings`);
    }
    const tensors = new Map<string, Tensor>();
    for (const i of infos) {
      const loc = Object.prototype.hasOwnProperty.call(saved, i.name) ? saved[i.name] as string : 'cpu'; // names may be '__proto__'
      tensors.set(i.name, place(readTensor(bytes, dataStart, i), loc, opts.mapLocation ?? null));
    }
    if (structure === undefined) {
      const out: Record<string, Tensor> = {};
      for (const name of [...tensors.keys()].sort(byteCompare)) setOwn(out, name, tensors.get(name)!);
      return out;
    }
    try {
      return decode(doc.root, tensors, new Set(), 'root');
    } catch (e) {
      throw new FormatError(`__metadata__["${FORMAT_KEY}"] ${(e as Error).message}`);
    }
  } catch (e) {
    if (e instanceof FormatError) throw new Error(`torch.load: '${label}' is not a valid safetensors checkpoint: ${e.message}`);
    throw e;
  }
}
