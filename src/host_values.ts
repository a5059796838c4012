/**
 * @internal Values of one-element tensors that are known on the host without reading the device: written from the
 * host (an optimizer's `step` counter is only ever `fill_`ed), or read from a file by `torch.load`. Each entry
 * remembers the tensor's version when it was recorded, so a tensor written since (by the user, by an in-place op)
 * is not trusted and has to be read. This is what lets `optimizer.step()` and `loadStateDict()` of a checkpoint run
 * without a single device-to-host transfer (a read per parameter per step on a GPU).
 */
import type { Tensor } from './tensor.js';
import { versionOf } from './tensor.js';

const known = new WeakMap<Tensor, { value: number; version: number }>();

/** Records `value` as the current value of the one-element tensor `t` (as stored, in its dtype). */
export function rememberHostValue(t: Tensor, value: number): void {
  known.set(t, { value, version: versionOf(t) });
}

/** The value of `t` if the host knows it and `t` was not written since; otherwise undefined. */
export function knownHostValue(t: Tensor): number | undefined {
  const m = known.get(t);
  return m !== undefined && m.version === versionOf(t) ? m.value : undefined;
}
