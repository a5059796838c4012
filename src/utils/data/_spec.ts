/**
 * @internal How a dataset reaches a `DataLoader` worker thread. Worker threads share no objects with the main
 * thread, so each worker builds its own copy of the dataset (as PyTorch's forked worker processes each hold a copy):
 * - a dataset with a `workerRecipe()` method is rebuilt in the worker from the module that exports its class (or a
 *   factory function) and the constructor arguments the recipe gives (structured-clonable values and tensors);
 * - a plain `TensorDataset`, `Subset` or `ConcatDataset` of such datasets, or an array of structured-clonable values
 *   and tensors, is copied to the worker.
 * Anything else cannot be sent: the `DataLoader` says so when it is constructed.
 */
import { pathToFileURL } from 'node:url';
import { isAbsolute } from 'node:path';
import { ConcatDataset, Subset, TensorDataset, describe } from './dataset.js';
import type { MapDataset } from './dataset.js';
import { decode, encode } from './_codec.js';

/**
 * How a worker thread rebuilds a dataset (returned by a dataset's `workerRecipe()` method): `module` is the URL or
 * absolute path of an ES module (in the dataset's module, `import.meta.url`), `exportName` the export to use (a class
 * is constructed with `new`, a function is called and may return a promise), `args` its arguments.
 */
export interface WorkerRecipe { module: string | URL; exportName: string; args?: readonly unknown[] }

/** A dataset as sent to a worker. */
export type DatasetSpec =
  | { kind: 'recipe'; module: string; exportName: string; args: unknown }
  | { kind: 'tensors'; tensors: unknown }
  | { kind: 'subset'; dataset: DatasetSpec; indices: number[] }
  | { kind: 'concat'; datasets: DatasetSpec[] }
  | { kind: 'array'; items: unknown };

function moduleUrl(m: string | URL): string {
  if (m instanceof URL) return m.href;
  if (typeof m !== 'string') throw new TypeError(`workerRecipe().module must be a URL or an absolute path, got ${describe(m)}`);
  if (/^[a-z][a-z0-9+.-]*:/i.test(m) && !/^[a-z]:[\\/]/i.test(m)) return m;
  if (!isAbsolute(m)) throw new TypeError(`workerRecipe().module must be a URL or an absolute path (use import.meta.url), got '${m}'`);
  return pathToFileURL(m).href;
}

function recipeOf(ds: unknown): WorkerRecipe | null {
  const f = (ds as { workerRecipe?: unknown } | null)?.workerRecipe;
  if (typeof f !== 'function') return null;
  const r = f.call(ds) as WorkerRecipe;
  if (r === null || typeof r !== 'object' || typeof r.exportName !== 'string') {
    throw new TypeError(`${describe(ds)}.workerRecipe() must return { module, exportName, args? }`);
  }
  return r;
}

const plain = (ds: object, C: Function): boolean => Object.getPrototypeOf(ds) === C.prototype;

/** Why `ds` cannot be sent to workers, or null when it can. Checked when the `DataLoader` is constructed. */
export function unsendable(ds: unknown): string | null {
  if (recipeOf(ds) !== null) return null;
  if (Array.isArray(ds)) return null; // element types are checked when they are cloned
  if (ds instanceof TensorDataset && plain(ds, TensorDataset)) return null;
  if (ds instanceof Subset && plain(ds, Subset)) return unsendable(ds.dataset);
  if (ds instanceof ConcatDataset && plain(ds, ConcatDataset)) {
    for (const d of ds.datasets) { const why = unsendable(d); if (why !== null) return why; }
    return null;
  }
  return `${describe(ds)} has no workerRecipe()`;
}

/** The spec of `ds` (tensors encoded; their buffers added to `transfer`). */
export async function datasetSpec(ds: unknown, transfer: ArrayBuffer[]): Promise<DatasetSpec> {
  const r = recipeOf(ds);
  if (r !== null) return { kind: 'recipe', module: moduleUrl(r.module), exportName: r.exportName, args: await encode([...(r.args ?? [])], transfer) };
  if (Array.isArray(ds)) return { kind: 'array', items: await encode(ds, transfer) };
  if (ds instanceof TensorDataset) return { kind: 'tensors', tensors: await encode([...(ds.tensors as readonly unknown[])], transfer) };
  if (ds instanceof Subset) return { kind: 'subset', dataset: await datasetSpec(ds.dataset, transfer), indices: [...ds.indices] };
  if (ds instanceof ConcatDataset) {
    const datasets: DatasetSpec[] = [];
    for (const d of ds.datasets) datasets.push(await datasetSpec(d, transfer));
    return { kind: 'concat', datasets };
  }
  throw new TypeError(`cannot send ${describe(ds)} to DataLoader workers`);
}

/** Builds the worker's copy of a dataset. */
export async function buildDataset(spec: DatasetSpec): Promise<MapDataset> {
  switch (spec.kind) {
    case 'array': return decode(spec.items) as unknown[];
    case 'tensors': return new TensorDataset(...(decode(spec.tensors) as any[]));
    case 'subset': return new Subset(await buildDataset(spec.dataset), spec.indices);
    case 'concat': { const ds: MapDataset[] = []; for (const d of spec.datasets) ds.push(await buildDataset(d)); return new ConcatDataset(ds); }
    case 'recipe': {
      const mod = await import(spec.module) as Record<string, unknown>;
      const f = mod[spec.exportName];
      if (typeof f !== 'function') throw new TypeError(`module ${spec.module} has no export '${spec.exportName}' that is a class or function`);
      const args = decode(spec.args) as unknown[];
      const isClass = /^class\b/.test(Function.prototype.toString.call(f));
      return (isClass ? new (f as new (...a: unknown[]) => MapDataset)(...args) : await (f as (...a: unknown[]) => MapDataset)(...args));
    }
  }
}
