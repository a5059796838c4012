/**
 * `torch.summary(model, inputSize, options?)`: a torchinfo-style model summary (and torchsummary's classic table with
 * `format: 'torchsummary'`). One forward pass with hooks on every module records, for each module call, the input
 * and output shapes, the parameters under it, how many of them are trainable, the kernel shape and the mult-adds;
 * the model is then put back exactly as it was.
 *
 * The text follows torchinfo 1.8 byte for byte where torchinfo defines it (see `summary` for the list of the few
 * places where torchlet deliberately differs).
 */
import { Tensor, versionOf } from '../tensor.js';
import { noGrad } from '../autograd/grad_mode.js';
import { rand } from '../ops.js';
import type { DType } from '../dtype.js';
import { isDType } from '../dtype.js';
import { device as parseDevice } from '../device.js';
import type { Device, DeviceLike } from '../device.js';
import { defaultGenerator } from '../random.js';
import { Module } from '../nn/module.js';
import type { RemovableHandle } from '../nn/module.js';
import type { Parameter } from '../nn/parameter.js';
import { unexpectedKeyword } from '../_options.js';

// ---- public types ----------------------------------------------------------------------------------------------

/** A column of the torchinfo table (torchinfo's `col_names`, camelCased). */
export type ColumnName =
  | 'inputSize' | 'outputSize' | 'numParams' | 'paramsPercent' | 'kernelSize' | 'groups' | 'multAdds' | 'trainable';

/** A row setting (torchinfo's `row_settings`): show `: depth-index`, `(var_name)`, ASCII tree, hide repeated calls. */
export type RowSetting = 'depth' | 'varNames' | 'asciiOnly' | 'hideRecursiveLayers';

/** Options of `summary`. Every field is optional. */
export interface SummaryOptions {
  /**
   * Batch size of the forward pass. Without it the pass runs with batch 2 (so BatchNorm works in training mode),
   * shapes show the batch dimension as -1 and every count (mult-adds, bytes) is per sample. With it, shapes show
   * this batch and counts are for the whole batch.
   */
  batchSize?: number;
  /** Deepest nesting level shown (default 3); deeper rows are folded into their parent at this depth. */
  depth?: number;
  /** Columns, in order (default `['outputSize', 'numParams']`; `['numParams']` when there is no input). */
  colNames?: readonly ColumnName[];
  /** Width of each column (default 25). */
  colWidth?: number;
  /** Row settings (default `['depth']`). */
  rowSettings?: readonly RowSetting[];
  /** Dtype of each input made from `inputSize` (default float32). Integer inputs are zeros (as torchinfo). */
  dtypes?: readonly DType[];
  /** Device for the inputs made from `inputSize` (default: the device of the model's first parameter, else CPU). */
  device?: DeviceLike;
  /** Mode of the forward pass: `'train'`, `'eval'` or `'same'` (default; the model's current modes). */
  mode?: 'train' | 'eval' | 'same';
  /** 0: silent; 1 (default): print the summary; 2: also print a row per weight and bias. */
  verbose?: 0 | 1 | 2;
  /** Real inputs instead of `inputSize` (a tensor, or an array of the forward's arguments); shapes are shown as is. */
  inputData?: Tensor | readonly unknown[];
  /** Extra arguments passed to `forward` after the inputs (masks, option objects, ...). */
  forwardArgs?: readonly unknown[];
  /** `'torchinfo'` (default): the tree; `'torchsummary'`: the classic flat `Layer (type) / Output Shape / Param #` table. */
  format?: 'torchinfo' | 'torchsummary';
}

/** One row of the summary: one call of a module (or a container that holds called modules). */
export interface LayerSummary {
  /** Dotted path from the model (`'features.0'`); `''` for the model itself. */
  name: string;
  /** The attribute name under its parent (torchinfo's `var_name`); the class name for the model itself. */
  varName: string;
  /** Class name (`'Conv2d'`). */
  type: string;
  /** Nesting depth: 0 for the model, 1 for its children, ... */
  depth: number;
  /** Position among the rows of the same depth, from 1 (the `1-3` in `Conv2d: 1-3`). */
  index: number;
  /** Shape of the first tensor argument (-1 for the batch when no batch size was given); `[]` if none. */
  inputShape: number[];
  /** Shapes of every tensor argument. */
  inputShapes: number[][];
  /** Shape of the output (the first tensor of an array output, the last value of an object output); `[]` if none. */
  outputShape: number[];
  /** Parameters under this module, each counted once (its own and its descendants'). */
  numParams: number;
  /** Of those, the ones with `requiresGrad`. */
  trainableParams: number;
  /** Parameters registered directly on this module (`parameters(false)`). */
  ownParams: number;
  /** `'True'`, `'False'`, `'Partial'` or `'--'` (no parameters). */
  trainable: 'True' | 'False' | 'Partial' | '--';
  /** `kernelSize` of the module (Conv, pooling), else null. */
  kernelSize: number | number[] | null;
  /** `groups` of the module (Conv), else null. */
  groups: number | null;
  /** Mult-adds of this call (a leaf layer's own; a container's: the sum over the leaf layers under it). */
  multAdds: number;
  /** Bytes of the output (per sample when no batch size was given). */
  outputBytes: number;
  /** True when the module has no child modules. */
  isLeaf: boolean;
  /** True when this module was already listed (a module called twice, or shared). */
  isRecursive: boolean;
  /** False for a container that was never called itself (a ModuleList) and is listed to show the hierarchy. */
  executed: boolean;
}

// ---- internal layer record -------------------------------------------------------------------------------------

class LayerInfo {
  readonly type: string;
  readonly isLeaf: boolean;
  numParams = 0;
  trainableParams = 0;
  ownParams = 0;
  paramBytes = 0;
  params: Set<Parameter> = new Set();
  innerLayers: [string, string, string][] = []; // [name, kernel shape, count] for verbose 2
  kernelSize: number | number[] | null;
  groups: number | null;
  index = 0;
  children: LayerInfo[] = [];
  isRecursive = false;
  executed = false;
  inputShape: number[] = [];
  inputShapes: number[][] = [];
  realInputShapes: number[][] = [];
  outputShape: number[] = [];
  outputBytes = 0;
  /** torchinfo's `macs`: a leaf's mult-adds; for a container only a "has parameters" signal. */
  rawMacs = 0;
  /** For the torchsummary layout: the shapes of every output tensor, and their bytes. */
  outputShapes: number[][] = [];
  outputIsArray = false;
  allOutputBytes = 0;

  constructor(readonly name: string, readonly varName: string, readonly module: Module, readonly depth: number,
    readonly parent: LayerInfo | null) {
    this.type = module._getName();
    this.isLeaf = module.children().length === 0;
    const k = (module as any).kernelSize;
    this.kernelSize = Array.isArray(k) ? [...k] : typeof k === 'number' ? k : null;
    const g = (module as any).groups;
    this.groups = typeof g === 'number' ? g : null;
    this.countParams();
  }

  countParams(): void {
    this.numParams = 0; this.trainableParams = 0; this.paramBytes = 0; this.params = new Set();
    this.innerLayers = [];
    const named = this.module.namedParameters();
    for (const [pname, p] of named) {
      const n = p.numel();
      this.params.add(p);
      this.numParams += n;
      this.paramBytes += n * p.elementSize();
      if (p.requiresGrad) this.trainableParams += n;
      if (this.parent !== null || !pname.includes('.')) {
        const ks = [...p.shape];
        if (pname === 'weight' && ks.length > 1) [ks[0], ks[1]] = [ks[1]!, ks[0]!];
        this.innerLayers.push([pname, pyList(ks), `├─${commas(n)}`]);
      }
    }
    if (this.innerLayers.length > 0) {
      const last = this.innerLayers[this.innerLayers.length - 1]!;
      last[2] = `└─${last[2].slice(2)}`;
    }
    this.ownParams = this.module.parameters(false).reduce((s, p) => s + p.numel(), 0);
  }

  get trainable(): 'True' | 'False' | 'Partial' | '--' {
    if (this.numParams === 0) return '--';
    if (this.trainableParams === 0) return 'False';
    if (this.numParams === this.trainableParams) return 'True';
    return 'Partial';
  }

  /** Parameters under this module not shown in a (non-recursive) row below it, counted by identity. */
  leftoverParams(trainableOnly = false): number {
    const covered = new Set<Parameter>();
    for (const c of this.children) {
      if (c.isRecursive) continue;
      for (const p of c.params) covered.add(p);
    }
    let n = 0;
    for (const p of this.params) if (!covered.has(p) && (!trainableOnly || p.requiresGrad)) n += p.numel();
    return n;
  }

  layerName(showVarName: boolean, showDepth: boolean): string {
    let s = this.type;
    if (showVarName && this.varName) s += ` (${this.varName})`;
    if (showDepth && this.depth > 0) s += `: ${this.depth}-${this.index}`;
    return s;
  }

  multAdds(): number {
    if (this.isLeaf) return this.rawMacs;
    let s = 0;
    for (const c of this.children) if (c.isLeaf) s += c.rawMacs;
    return s;
  }
}

// ---- number and text helpers (Python's formatting) ----------------------------------------------------------------

function commas(n: number): string {
  const neg = n < 0;
  const s = String(Math.abs(Math.trunc(n)));
  const out = s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return neg ? `-${out}` : out;
}

/** Python's `f"{x:.2f}"` (round half to even on the exact binary value; toFixed rounds exact ties up). */
function fixed2(x: number): string {
  const exact = Math.abs(x).toFixed(40);
  const dot = exact.indexOf('.');
  const rest = exact.slice(dot + 3);
  if (/^50*$/.test(rest)) {
    const base = exact.slice(0, dot + 3);
    const lastDigit = Number(base[base.length - 1]);
    const down = Number(base);
    const v = lastDigit % 2 === 0 ? down : down + 0.01;
    return (x < 0 ? '-' : '') + v.toFixed(2);
  }
  return x.toFixed(2);
}

/** Python's `f"{x:,.2f}"`. */
function commasFixed2(x: number): string {
  const s = fixed2(x);
  const [i, f] = s.split('.');
  const neg = i!.startsWith('-');
  const int = commas(Number(neg ? i!.slice(1) : i));
  return `${neg ? '-' : ''}${int}.${f}`;
}

function pyList(xs: readonly unknown[]): string {
  return `[${xs.map((x) => (Array.isArray(x) ? pyList(x) : String(x))).join(', ')}]`;
}

function str_(v: unknown): string {
  if (v === null || v === undefined || v === 0 || v === '' || (Array.isArray(v) && v.length === 0)) return '--';
  return Array.isArray(v) ? pyList(v) : String(v);
}

/** torchinfo's unit choice for mult-adds: T, G, M, K by size, none below 1,000. */
function readable(num: number): [string, number] {
  if (num >= 1e12) return ['T', num / 1e12];
  if (num >= 1e9) return ['G', num / 1e9];
  if (num >= 1e6) return ['M', num / 1e6];
  if (num >= 1e3) return ['K', num / 1e3];
  return ['', num];
}

function formatOutputNum(num: number): string {
  const [unit, v] = readable(num);
  const shown = Number.isInteger(v) ? commas(v) : commasFixed2(v);
  return `${unit === '' ? '' : ` (${unit})`}: ${shown}`;
}

// ---- ModelStatistics -----------------------------------------------------------------------------------------------

interface Formatting {
  maxDepth: number; verbose: 0 | 1 | 2; colNames: readonly ColumnName[]; colWidth: number;
  asciiOnly: boolean; showVarName: boolean; showDepth: boolean; hideRecursive: boolean; layerNameWidth: number;
}

const HEADER_TITLES: Record<ColumnName, string> = {
  kernelSize: 'Kernel Shape', groups: 'Groups', inputSize: 'Input Shape', outputSize: 'Output Shape', numParams: 'Param #',
  paramsPercent: 'Param %', multAdds: 'Mult-Adds', trainable: 'Trainable',
};

/**
 * What `summary` returns: the totals, one record per row (`layers`), and `toString()`, the printed table.
 * @example
 * const stats = torch.summary(new torch.nn.Linear(4, 2), [4], { verbose: 0 });
 * stats.totalParams;      // 10
 * stats.layers[0].outputShape; // [-1, 2]
 * console.log(String(stats));
 */
export class ModelStatistics {
  /** Every parameter of the model, each counted once (shared/tied parameters once). */
  readonly totalParams: number;
  /** Parameters with `requiresGrad`. */
  readonly trainableParams: number;
  /** `totalParams - trainableParams`. */
  readonly nonTrainableParams: number;
  /** Mult-adds of the forward pass: the sum over every call of a leaf layer (torchinfo's rules). */
  readonly totalMultAdds: number;
  /** Bytes of the inputs. */
  readonly inputBytes: number;
  /** 2 x the output bytes of every call of a leaf layer that has parameters (activations and their gradients). */
  readonly forwardBackwardBytes: number;
  /** Bytes of the parameters, each once. */
  readonly paramsBytes: number;
  /** `inputBytes + forwardBackwardBytes + paramsBytes`. */
  readonly totalBytes: number;
  /** One record per row, in call order (all of them, also those deeper than `depth`). */
  readonly layers: LayerSummary[];
  /** Input shapes as shown (-1 for the batch when no batch size was given); empty when no forward pass ran. */
  readonly inputSize: number[][];
  /** `'torchinfo'` or `'torchsummary'`: the layout of `toString()`. */
  readonly format: 'torchinfo' | 'torchsummary';

  /** @internal */ private readonly _list: LayerInfo[];
  /** @internal */ private readonly _fmt: Formatting;
  /** @internal */ private readonly _calls: LayerInfo[];

  /** @internal */
  constructor(list: LayerInfo[], calls: LayerInfo[], model: Module, inputSize: number[][], inputBytes: number,
    fmt: Formatting, format: 'torchinfo' | 'torchsummary') {
    this._list = list; this._fmt = fmt; this._calls = calls; this.format = format;
    this.inputSize = inputSize;
    const params = model.parameters();
    this.totalParams = params.reduce((s, p) => s + p.numel(), 0);
    this.trainableParams = params.reduce((s, p) => s + (p.requiresGrad ? p.numel() : 0), 0);
    this.nonTrainableParams = this.totalParams - this.trainableParams;
    this.paramsBytes = params.reduce((s, p) => s + p.numel() * p.elementSize(), 0);
    let macs = 0, out = 0;
    for (const l of list) {
      if (!l.isLeaf) continue;
      macs += l.rawMacs;
      if (l.numParams > 0) out += 2 * l.outputBytes;
    }
    this.totalMultAdds = macs;
    this.forwardBackwardBytes = out;
    this.inputBytes = inputBytes;
    this.totalBytes = this.inputBytes + this.forwardBackwardBytes + this.paramsBytes;
    this.layers = list.map((l) => ({
      name: l.name, varName: l.varName, type: l.type, depth: l.depth, index: l.index,
      inputShape: [...l.inputShape], inputShapes: l.inputShapes.map((s) => [...s]), outputShape: [...l.outputShape],
      numParams: l.numParams, trainableParams: l.trainableParams, ownParams: l.ownParams, trainable: l.trainable,
      kernelSize: Array.isArray(l.kernelSize) ? [...l.kernelSize] : l.kernelSize, groups: l.groups,
      multAdds: l.multAdds(), outputBytes: l.outputBytes, isLeaf: l.isLeaf, isRecursive: l.isRecursive, executed: l.executed,
    }));
    // torchinfo's set_layer_name_width: every row counts, also the hidden deeper ones
    let maxLen = 0;
    for (const l of list) maxLen = Math.max(maxLen, l.layerName(fmt.showVarName, fmt.showDepth).length + l.depth * 5 + 1);
    if (maxLen >= fmt.layerNameWidth) fmt.layerNameWidth = Math.ceil(maxLen / 5) * 5;
  }

  /** The summary table (torchinfo's layout, or torchsummary's with `format: 'torchsummary'`). */
  toString(): string {
    return this.format === 'torchsummary' ? this._torchsummary() : this._torchinfo();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string { return this.toString(); }

  private _formatRow(name: string, values: Partial<Record<ColumnName, string>>): string {
    const f = this._fmt;
    let line = `${name.padEnd(f.layerNameWidth)} `;
    for (const c of f.colNames) line += `${(values[c] ?? '').padEnd(f.colWidth)} `;
    return `${line.trimEnd()}\n`;
  }

  private _startStr(depth: number): string {
    const a = this._fmt.asciiOnly;
    if (depth === 0) return '';
    if (depth === 1) return a ? '+ ' : '├─';
    return (a ? '|    ' : '│    ').repeat(depth - 1) + (a ? '+ ' : '└─');
  }

  private _numParamsStr(l: LayerInfo, atMax: boolean): string {
    if (l.numParams === 0) return '--';
    if (l.isRecursive) return '(recursive)';
    if (atMax || l.isLeaf) {
      const s = commas(l.numParams);
      return l.trainableParams > 0 ? s : `(${s})`;
    }
    const left = l.leftoverParams();
    return left > 0 ? commas(left) : '--';
  }

  private _percentStr(l: LayerInfo, atMax: boolean): string {
    const zero = `${' '.repeat(5)}--`;
    if (this.totalParams === 0) return zero;
    if (l.isRecursive) return '(recursive)';
    const p = atMax || l.isLeaf ? l.numParams : l.leftoverParams();
    if (p <= 0) return zero;
    return `${fixed2((p / this.totalParams) * 100)}%`.padStart(7);
  }

  private _macsStr(l: LayerInfo, atMax: boolean): string {
    if (l.rawMacs <= 0) return '--';
    if (l.isLeaf) return commas(l.rawMacs);
    if (atMax) return commas(l.multAdds());
    return '--';
  }

  private _torchinfo(): string {
    const f = this._fmt;
    const width = f.colNames.length * f.colWidth + f.layerNameWidth;
    const divider = '='.repeat(width);
    let header = '';
    if (f.showVarName) header += ' (var_name)';
    if (f.showDepth) header += ':depth-idx';
    let rows = '';
    for (const l of this._list) {
      if (l.depth > f.maxDepth || (f.hideRecursive && l.isRecursive)) continue;
      const atMax = l.depth === f.maxDepth;
      const values: Record<ColumnName, string> = {
        kernelSize: str_(l.kernelSize), groups: str_(l.groups), inputSize: str_(l.inputShape), outputSize: str_(l.outputShape),
        numParams: this._numParamsStr(l, atMax), paramsPercent: this._percentStr(l, atMax), multAdds: this._macsStr(l, atMax),
        trainable: str_(l.trainable),
      };
      rows += this._formatRow(`${this._startStr(l.depth)}${l.layerName(f.showVarName, f.showDepth)}`, values);
      if (f.verbose === 2) {
        for (const [n, k, c] of l.innerLayers) rows += this._formatRow(`${this._startStr(l.depth + 1)}${n}`, { kernelSize: k, numParams: c });
      }
    }
    let s = `${divider}\n${this._formatRow(`Layer (type${header})`, HEADER_TITLES)}${divider}\n${rows}${divider}\n`
      + `Total params: ${commas(this.totalParams)}\n`
      + `Trainable params: ${commas(this.trainableParams)}\n`
      + `Non-trainable params: ${commas(this.nonTrainableParams)}\n`;
    if (this.inputSize.length > 0) {
      const mb = (b: number) => fixed2(b / 1e6);
      s += `Total mult-adds${formatOutputNum(this.totalMultAdds)}\n${divider}\n`
        + `Input size (MB): ${mb(this.inputBytes)}\n`
        + `Forward/backward pass size (MB): ${mb(this.forwardBackwardBytes)}\n`
        + `Params size (MB): ${mb(this.paramsBytes)}\n`
        + `Estimated Total Size (MB): ${mb(this.totalBytes)}\n`;
    }
    return s + divider;
  }

  private _torchsummary(): string {
    const dash = '-'.repeat(64), eq = '='.repeat(64);
    const row = (a: string, b: string, c: string) => `${a.padStart(20)}  ${b.padStart(25)} ${c.padStart(15)}\n`;
    let s = `${dash}\n${row('Layer (type)', 'Output Shape', 'Param #')}${eq}\n`;
    let outBytes = 0;
    // torchsummary hooks every module except Sequential, ModuleList and the model itself
    this._calls.filter((l) => l.depth > 0).forEach((l, i) => {
      const n = l.isLeaf ? l.numParams : l.ownParams;
      const shape = l.outputShapes.length === 1 && !l.outputIsArray ? pyList(l.outputShapes[0]!) : pyList(l.outputShapes);
      s += row(`${l.type}-${i + 1}`, shape, commas(n));
      outBytes += l.allOutputBytes;
    });
    const mib = (b: number) => fixed2(b / 1024 ** 2);
    const fwd = 2 * outBytes;
    s += `${eq}\nTotal params: ${commas(this.totalParams)}\nTrainable params: ${commas(this.trainableParams)}\n`
      + `Non-trainable params: ${commas(this.nonTrainableParams)}\n${dash}\n`
      + `Input size (MB): ${mib(this.inputBytes)}\nForward/backward pass size (MB): ${mib(fwd)}\n`
      + `Params size (MB): ${mib(this.paramsBytes)}\nEstimated Total Size (MB): ${mib(this.inputBytes + fwd + this.paramsBytes)}\n${dash}`;
    return s;
  }
}

// ---- shapes -----------------------------------------------------------------------------------------------------------

interface ShapeCtx { runBatch: number; showBatch: boolean }

function shown(shape: readonly number[], ctx: ShapeCtx): number[] {
  const s = [...shape];
  if (!ctx.showBatch && s.length > 0 && s[0] === ctx.runBatch) s[0] = -1;
  return s;
}

const effective = (s: readonly number[]) => s.map((d) => (d === -1 ? 1 : d));
const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** torchinfo's `nested_list_size`: the first tensor of arrays, the last value of objects. */
function firstTensor(x: unknown): Tensor | null {
  if (x instanceof Tensor) return x;
  if (Array.isArray(x)) return x.length > 0 ? firstTensor(x[0]) : null;
  if (x instanceof Map) return x.size > 0 ? firstTensor([...x.values()][x.size - 1]) : null;
  if (x !== null && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) {
    const v = Object.values(x);
    return v.length > 0 ? firstTensor(v[v.length - 1]) : null;
  }
  return null;
}

function allTensors(x: unknown, out: Tensor[] = [], seen = new Set<unknown>()): Tensor[] {
  if (x instanceof Tensor) { out.push(x); return out; }
  if (x === null || typeof x !== 'object' || seen.has(x)) return out;
  seen.add(x);
  if (Array.isArray(x)) for (const v of x) allTensors(v, out, seen);
  else if (x instanceof Map) for (const v of x.values()) allTensors(v, out, seen);
  else if (Object.getPrototypeOf(x) === Object.prototype) for (const v of Object.values(x)) allTensors(v, out, seen);
  return out;
}

function shapeStr(t: Tensor): string { return pyList([...t.shape]); }

// ---- torchinfo's mult-adds rule -------------------------------------------------------------------------------------

function rawMacs(info: LayerInfo, eff: readonly number[]): number {
  if (eff.length === 0) return 0;
  let macs = 0;
  for (const [name, p] of info.module.namedParameters()) {
    const n = p.numel();
    if (name === 'weight' || name === 'bias') {
      macs += info.type.includes('Conv') ? n * prod([eff[0]!, ...eff.slice(2)]) : eff[0]! * n;
    } else if (name.includes('weight') || name.includes('bias')) {
      macs += prod(eff.slice(0, 2)) * n;
    }
  }
  return macs;
}

// ---- the model's state ------------------------------------------------------------------------------------------------

interface Snapshot {
  restore(): void;
}

/** Everything a forward pass can touch: modes, buffers (values and identity), parameter slots, hooks, the RNG. */
function snapshot(model: Module): Snapshot {
  const mods = model.namedModules(null, '', false).map(([, m]) => m);
  const uniq = [...new Set(mods)];
  const training = uniq.map((m) => m.training);
  const bufSlots = uniq.map((m) => new Map(m._buffers));
  const bufValues = new Map<Tensor, Tensor>();
  noGrad(() => {
    for (const slots of bufSlots) for (const b of slots.values()) if (b !== null && !bufValues.has(b)) bufValues.set(b, b.clone());
  });
  const paramSlots = uniq.map((m) => new Map(m._parameters));
  // Parameter values too: a forward may write a parameter in place (Embedding's maxNorm renorm). Copies are
  // restored only where the storage version shows a write.
  const paramValues = new Map<Tensor, { copy: Tensor; version: number }>();
  noGrad(() => {
    for (const slots of paramSlots) {
      for (const p of slots.values()) if (p && !paramValues.has(p)) paramValues.set(p, { copy: p.detach().clone(), version: versionOf(p) });
    }
  });
  const modSlots = uniq.map((m) => new Map(m._modules));
  const pre = uniq.map((m) => new Map(m._forwardPreHooks));
  const post = uniq.map((m) => new Map(m._forwardHooks));
  const rng = defaultGenerator.getState();
  return {
    restore(): void {
      uniq.forEach((m, i) => {
        m.training = training[i]!;
        const pairs: [Map<string, unknown>, Map<string, unknown>][] = [[bufSlots[i]!, m._buffers], [paramSlots[i]!, m._parameters], [modSlots[i]!, m._modules]];
        for (const [slots, live] of pairs) {
          let same = slots.size === live.size;
          if (same) for (const [k, v] of slots) if (live.get(k) !== v) { same = false; break; }
          if (same) continue;
          // the forward re-assigned a buffer, parameter or child: put the original objects back in their slots
          live.clear();
          for (const [k, v] of slots) {
            live.set(k, v);
            Object.defineProperty(rawOf(m), k, { value: v, writable: true, enumerable: true, configurable: true });
          }
        }
        m._forwardPreHooks.clear(); for (const [k, v] of pre[i]!) m._forwardPreHooks.set(k, v);
        m._forwardHooks.clear(); for (const [k, v] of post[i]!) m._forwardHooks.set(k, v);
      });
      noGrad(() => {
        for (const [b, v] of bufValues) {
          if (b.shape.length === v.shape.length && b.shape.every((d, j) => d === v.shape[j])) b.copy_(v);
        }
        for (const [p, { copy, version }] of paramValues) {
          if (versionOf(p) !== version) p.detach().copy_(copy);
        }
      });
      defaultGenerator.setState(rng);
    },
  };
}

/** The object behind a Module's Proxy (field writes on the proxy would re-run registration). */
function rawOf(m: Module): object {
  for (const s of Object.getOwnPropertySymbols(m)) {
    if (s.description === 'torchlet.nn.Module.target') return (m as any)[s];
  }
  return m;
}

// ---- summary -------------------------------------------------------------------------------------------------------------

const COLUMNS: readonly ColumnName[] = ['inputSize', 'outputSize', 'numParams', 'paramsPercent', 'kernelSize', 'groups', 'multAdds', 'trainable'];
const ROWS: readonly RowSetting[] = ['depth', 'varNames', 'asciiOnly', 'hideRecursiveLayers'];

function isShape(x: unknown): x is number[] {
  return Array.isArray(x) && x.every((d) => typeof d === 'number');
}

function parseInputSize(inputSize: unknown): number[][] {
  let sizes: unknown[];
  if (isShape(inputSize)) sizes = [inputSize];
  else if (Array.isArray(inputSize) && inputSize.length > 0 && inputSize.every(isShape)) sizes = inputSize;
  else throw new TypeError(`summary: inputSize must be one sample's shape (e.g. [3, 32, 32]) or an array of shapes for several inputs, got ${JSON.stringify(inputSize)}`);
  for (const s of sizes as number[][]) {
    if (s.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new RangeError(`summary: every size in inputSize must be a positive integer, got [${s.join(', ')}]`);
    }
  }
  return sizes as number[][];
}

function formatError(info: LayerInfo): string {
  const where = info.depth === 0 ? `the model's own forward (${info.type})` : `layer '${info.name}' (${info.type}: ${info.depth})`;
  const n = info.realInputShapes.length;
  if (n === 0) return `${where}, which received no tensor argument`;
  return `${where}, which received input shape${n === 1 ? '' : 's'} ${info.realInputShapes.map(pyList).join(', ')}`;
}

/**
 * Prints and returns a summary of `model`: one row per layer call with its output shape and parameter count (and
 * optionally input shape, kernel shape, groups, mult-adds, share of the parameters and trainability), then the totals:
 * parameters (shared ones once), trainable and frozen parameters, mult-adds, and estimated memory. Runs one forward
 * pass with `inputSize` (one sample's shape without the batch dimension, or an array of shapes for several inputs)
 * under `noGrad`, and leaves the model exactly as it was: parameters, buffers (BatchNorm's running statistics),
 * gradients, every module's `training` flag, registered hooks, and the global random generator. If the forward pass
 * throws, the error names the innermost layer that was running and the shapes it received (the original error is its
 * `cause`).
 *
 * The layout is torchinfo 1.8's (`format: 'torchsummary'` gives the classic sksq96/torchsummary table). Where
 * torchlet differs from torchinfo:
 * - `inputSize` excludes the batch dimension (as torchsummary). Unless `batchSize` is given, the pass runs with
 *   batch 2, a shape whose first dimension is that batch is shown with -1 there, and mult-adds and sizes are per sample.
 * - Shared (tied) parameters are counted once in the totals and in the sizes, and a container's own parameters are
 *   found by identity (torchinfo subtracts counts, which goes negative with tied weights); the params size covers
 *   every parameter, also those owned by containers (torchinfo sums leaf layers only).
 * - The mult-adds unit is chosen among K, M, G, T and none (torchinfo's current rule; 1.8 always used at least M).
 * - The model is not moved to `device`; only the generated inputs are placed there. Modes are restored module by
 *   module (torchinfo only restores the root's flag) and running statistics are put back.
 * - In the torchsummary layout, totals count each parameter once (torchsummary counts only `.weight`/`.bias` and
 *   shared ones twice), a row shows the parameters its module owns directly (all of them for a layer), sizes use the
 *   real element sizes, and array outputs show every tensor's shape.
 *
 * A model built on the `meta` device (`new nn.Linear(4096, 4096, { device: 'meta' })`) is summarised on shapes only,
 * with no parameter or activation memory and no arithmetic, and gives the same table as on a real device (the inputs
 * follow the first parameter's device). A GPT-2-sized TransformerEncoder (85M parameters) takes about 0.3 s and 1 MB
 * of heap (docs/devices.md).
 *
 * @example
 * import * as torch from 'torchlet';
 * const { nn } = torch;
 * const model = new nn.Sequential(new nn.Conv2d(1, 6, 5), new nn.ReLU(), new nn.Flatten(), new nn.Linear(6 * 24 * 24, 10));
 * const stats = torch.summary(model, [1, 28, 28]);             // prints the table
 * stats.totalParams;                                           // 34726
 * torch.summary(model, [1, 28, 28], { colNames: ['inputSize', 'outputSize', 'numParams', 'multAdds', 'trainable'], verbose: 0 }).toString();
 * torch.summary(model, [1, 28, 28], { format: 'torchsummary' }); // the classic table
 */
export function summary(model: Module, inputSize?: readonly number[] | readonly (readonly number[])[] | null, options: SummaryOptions = {}): ModelStatistics {
  if (!(model instanceof Module)) throw new TypeError('summary: model must be an nn.Module');
  const o = options;
  for (const k of Object.keys(o)) {
    const known = ['batchSize', 'depth', 'colNames', 'colWidth', 'rowSettings', 'dtypes', 'device', 'mode', 'verbose', 'inputData', 'forwardArgs', 'format'];
    if (!known.includes(k)) {
      throw unexpectedKeyword('summary', k, known); // Python's words, with a did-you-mean hint
    }
  }
  const verbose = o.verbose ?? 1;
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new RangeError('summary: verbose must be either 0 (quiet), 1 (default), or 2 (verbose)');
  const hasSize = inputSize !== undefined && inputSize !== null;
  const hasData = o.inputData !== undefined;
  if (hasSize && hasData) throw new TypeError('summary: give either inputSize or options.inputData, not both');
  const withInput = hasSize || hasData;
  const depth = o.depth ?? 3;
  if (!Number.isInteger(depth) || depth < 0) throw new RangeError(`summary: depth must be a non-negative integer, got ${depth}`);
  const colWidth = o.colWidth ?? 25;
  if (!Number.isInteger(colWidth) || colWidth <= 0) throw new RangeError(`summary: colWidth must be a positive integer, got ${colWidth}`);
  const colNames = o.colNames ?? (withInput ? ['outputSize', 'numParams'] : ['numParams']);
  for (const c of colNames) {
    if (!COLUMNS.includes(c)) throw new RangeError(`summary: column '${c}' is not a valid column name (one of ${COLUMNS.join(', ')})`);
    if (!withInput && c !== 'numParams' && c !== 'kernelSize' && c !== 'groups') {
      throw new TypeError(`summary: column '${c}' needs an input: pass inputSize or options.inputData`);
    }
  }
  const rowSettings = o.rowSettings ?? ['depth'];
  for (const r of rowSettings) if (!ROWS.includes(r)) throw new RangeError(`summary: row setting '${r}' is not valid (one of ${ROWS.join(', ')})`);
  const mode = o.mode ?? 'same';
  if (mode !== 'train' && mode !== 'eval' && mode !== 'same') throw new RangeError(`summary: mode must be 'train', 'eval' or 'same', got '${mode}'`);
  const format = o.format ?? 'torchinfo';
  if (format !== 'torchinfo' && format !== 'torchsummary') throw new RangeError(`summary: format must be 'torchinfo' or 'torchsummary', got '${format}'`);
  if (format === 'torchsummary' && !withInput) throw new TypeError("summary: format 'torchsummary' needs an input: pass inputSize or options.inputData");
  if (o.batchSize !== undefined && (!Number.isInteger(o.batchSize) || o.batchSize <= 0)) throw new RangeError(`summary: batchSize must be a positive integer, got ${o.batchSize}`);

  const snap = snapshot(model);
  // ---- inputs
  let args: unknown[] = [];
  let shownInputs: number[][] = [];
  let inputBytes = 0;
  const ctx: ShapeCtx = { runBatch: o.batchSize ?? 2, showBatch: o.batchSize !== undefined };
  if (hasSize) {
    const sizes = parseInputSize(inputSize);
    const dtypes = o.dtypes ?? sizes.map(() => 'float32' as DType);
    if (dtypes.length !== sizes.length) throw new RangeError(`summary: dtypes has ${dtypes.length} entries for ${sizes.length} inputs`);
    for (const d of dtypes) if (!isDType(d)) throw new TypeError(`summary: unknown dtype '${String(d)}'`);
    let dev: Device;
    if (o.device !== undefined) dev = parseDevice(o.device);
    else { const p = model.parameters()[0]; dev = p !== undefined ? p.device : parseDevice('cpu'); }
    args = sizes.map((s, i) => {
      const t = rand([ctx.runBatch, ...s], { device: dev });
      return t.dtype === dtypes[i] ? t : t.to(dtypes[i]!); // integer inputs become zeros, as torchinfo's
    });
    shownInputs = (args as Tensor[]).map((t) => shown(t.shape, ctx));
    inputBytes = (args as Tensor[]).reduce((s, t) => s + t.elementSize() * prod(effective(shown(t.shape, ctx))), 0);
  } else if (hasData) {
    ctx.showBatch = true;
    args = o.inputData instanceof Tensor ? [o.inputData] : [...(o.inputData as readonly unknown[])];
    const ts = allTensors(args);
    if (ts.length === 0) throw new TypeError('summary: options.inputData holds no tensor');
    shownInputs = ts.map((t) => [...t.shape]);
    inputBytes = ts.reduce((s, t) => s + t.elementSize() * t.numel(), 0);
  }
  args.push(...(o.forwardArgs ?? []));

  // ---- hooks (torchinfo's apply_hooks: depth-first, the last path to a shared module wins)
  const list: LayerInfo[] = [];
  const calls: LayerInfo[] = [];
  const seenIds = new Set<Module>();
  const current = new Map<Module, LayerInfo>();
  const active: LayerInfo[] = [];
  const handles = new Map<Module, [RemovableHandle, RemovableHandle]>();
  const stack: [string, string, Module, number, LayerInfo | null][] = [['', model._getName(), model, 0, null]];
  while (stack.length > 0) {
    const [name, varName, mod, d, parent] = stack.pop()!;
    const fallback = new LayerInfo(name, varName, mod, d, parent);
    const preHook = (m: Module, a: any[]): void => {
      const info = new LayerInfo(name, varName, m, d, parent);
      if (seenIds.has(m)) info.isRecursive = true;
      info.realInputShapes = allTensors(a).map((t) => [...t.shape]);
      list.push(info);
      seenIds.add(m);
      current.set(m, info);
      active.push(info);
    };
    if (!withInput) {
      preHook(mod, []);
    } else {
      const old = handles.get(mod);
      if (old !== undefined) { old[0].remove(); old[1].remove(); }
      const hook = (m: Module, a: any[], out: any): void => {
        const info = current.get(m)!;
        const i = active.lastIndexOf(info);
        if (i >= 0) active.splice(i, 1);
        const inT = firstTensor(a);
        info.inputShape = inT === null ? [] : shown(inT.shape, ctx);
        info.inputShapes = allTensors(a).map((t) => shown(t.shape, ctx));
        const outT = firstTensor(out);
        info.outputShape = outT === null ? [] : shown(outT.shape, ctx);
        const eff = effective(info.outputShape);
        info.outputBytes = outT === null ? 0 : outT.elementSize() * prod(eff);
        info.executed = true;
        info.rawMacs = rawMacs(info, eff);
        const outs = allTensors(out);
        info.outputShapes = outs.map((t) => shown(t.shape, ctx));
        info.outputIsArray = !(out instanceof Tensor);
        info.allOutputBytes = outs.reduce((s, t) => s + t.elementSize() * prod(effective(shown(t.shape, ctx))), 0);
        if (m._getName() !== 'Sequential' && m._getName() !== 'ModuleList') calls.push(info);
      };
      handles.set(mod, [mod.registerForwardPreHook(preHook), mod.registerForwardHook(hook)]);
    }
    const kids = [...mod._modules].filter(([, c]) => c !== null) as [string, Module][];
    for (let i = kids.length - 1; i >= 0; i--) {
      const [cn, c] = kids[i]!;
      stack.push([name === '' ? cn : `${name}.${cn}`, cn, c, d + 1, fallback]);
    }
  }

  // ---- the forward pass
  if (withInput) {
    try {
      if (mode === 'train') model.train(); else if (mode === 'eval') model.eval();
      noGrad(() => (model as any).call(...args));
    } catch (e) {
      const failed = active[active.length - 1];
      const err = new Error(failed === undefined
        ? `summary: the forward pass failed: ${(e as Error)?.message ?? String(e)}`
        : `summary: the forward pass failed in ${formatError(failed)}: ${(e as Error)?.message ?? String(e)}`,
      { cause: e });
      err.name = 'RuntimeError';
      throw err;
    } finally {
      for (const [a, b] of handles.values()) { a.remove(); b.remove(); }
      snap.restore();
    }
  }

  // ---- torchinfo's add_missing_container_layers and set_children_layers
  const ids = new Set(list.map((l) => l.module));
  const now = new Map<number, LayerInfo>();
  for (let i = 0; i < list.length;) {
    const layer = list[i]!;
    const chain = new Map<number, LayerInfo>();
    for (let p = layer.parent; p !== null && p.depth > 0; p = p.parent) chain.set(p.depth, p);
    let rel = 0;
    for (let d = 1; d < layer.depth; d++) {
      const c = chain.get(d)!;
      const cur = now.get(d);
      if ((cur === undefined || cur.module !== c.module) && c !== list[i + rel - 1]) {
        c.countParams();
        if (ids.has(c.module)) c.isRecursive = true;
        list.splice(i + rel, 0, c);
        ids.add(c.module);
        now.set(d, c);
        rel++;
      }
    }
    now.set(layer.depth, layer);
    i += rel + 1;
  }
  const counters = new Map<number, number>();
  list.forEach((l, k) => {
    const n = (counters.get(l.depth) ?? 0) + 1;
    counters.set(l.depth, n);
    l.index = n;
    const kids: LayerInfo[] = [];
    for (let j = k + 1; j < list.length && list[j]!.depth > l.depth; j++) kids.push(list[j]!);
    l.children = kids;
  });

  const fmt: Formatting = {
    maxDepth: depth, verbose, colNames: [...colNames], colWidth,
    asciiOnly: rowSettings.includes('asciiOnly'), showVarName: rowSettings.includes('varNames'), showDepth: rowSettings.includes('depth'),
    hideRecursive: rowSettings.includes('hideRecursiveLayers'), layerNameWidth: 40,
  };
  const stats = new ModelStatistics(list, calls, model, withInput ? shownInputs : [], inputBytes, fmt, format);
  if (verbose > 0) console.log(stats.toString());
  return stats;
}
