/**
 * The autograd engine: one small reverse-mode engine in the style of micrograd, over PyTorch-shaped graphs.
 *
 * - Every differentiable primitive records a `Node` naming its rule in the single table of `rules.ts`,
 *   the edges to its inputs' nodes (or to leaf tensors, which accumulate into `.grad`), and saved tensors.
 * - `backward` sorts the graph topologically (iteratively, so deep graphs cannot overflow the stack), runs
 *   each node once with the sum of the gradients of its consumers (accumulated with add), and
 *   unbroadcasts once, here: a rule may return a gradient of the broadcast shape and the engine sums it down
 *   to the input's shape. Composite ops are built from primitives and need no rule of their own.
 * - Saved tensors carry the version (the frontend counter shared by a tensor and its views) they had; an in-place write in between is detected at backward
 *   time with PyTorch's message. Without `retainGraph` the saved tensors are dropped after use, and a second
 *   backward through such a node fails with PyTorch's message.
 * - Memory: every storage allocated while backward runs is an engine temporary. Gradients that end in a
 *   leaf's `.grad` (or a retained grad) are kept; every other temporary goes back to the backend's caching
 *   allocator when backward returns, so the next step reuses it instead of touching fresh pages.
 */
import type { StorageHandle, Tensor } from '../tensor.js';

export interface Edge {
  fn: Node | null;
  leaf: Tensor | null;
  /** Which output of `fn` the input was (multi-output nodes: custom `autograd.Function`s, module backward hooks). */
  index?: number;
}

/**
 * A gradient hook (`Tensor.registerHook`): called with the gradient of the tensor it was registered on; returning a
 * tensor replaces that gradient (for everything downstream and for `.grad`).
 */
export type GradHook = (grad: Tensor) => Tensor | void | undefined | null;

/** Which output of its node each output of a multi-output node is (absent: output 0). */
const outputNrs = new WeakMap<Tensor, number>();
/** @internal Marks `t` as output `i` of its (multi-output) node. */
export function setOutputNr(t: Tensor, i: number): void { outputNrs.set(t, i); }
/** @internal The output index of `t` in its node (0 for single-output nodes). */
export function outputNr(t: Tensor): number {
  return t._gradFn !== null && t._gradFn.numOutputs > 1 ? outputNrs.get(t) ?? 0 : 0;
}

/** Hooks registered on leaf tensors (a non-leaf's hooks live on its node, by output index). */
const leafHooks = new WeakMap<Tensor, Map<number, GradHook>>();
let hookIds = 0;

/**
 * Registers a gradient hook on `t` (see `Tensor.registerHook`) and returns the function that removes it. Hooks run
 * in registration order; each gets the previous one's result.
 */
export function addGradHook(t: Tensor, hook: GradHook): () => void {
  const id = hookIds++;
  let m: Map<number, GradHook>;
  if (t._gradFn === null) {
    m = leafHooks.get(t) ?? new Map();
    leafHooks.set(t, m);
  } else {
    const node = t._gradFn, i = outputNr(t);
    node.tensorHooks ??= new Map();
    m = node.tensorHooks.get(i) ?? new Map();
    node.tensorHooks.set(i, m);
  }
  m.set(id, hook);
  return () => { m.delete(id); };
}

function runHooks(hooks: Map<number, GradHook> | undefined, g: Tensor): Tensor {
  if (hooks === undefined || hooks.size === 0) return g;
  for (const h of [...hooks.values()]) {
    keepAlive(g);
    const r = untracked(() => h(g));
    if (r !== undefined && r !== null) {
      if (r.shape.length !== g.shape.length || r.shape.some((d, i) => d !== g.shape[i])) {
        throw new RangeError(`hook 'hook' has changed the size of value: expected [${g.shape.join(', ')}], got [${r.shape.join(', ')}]`);
      }
      keepAlive(r); // made by user code, which may hold it
      g = r;
    }
  }
  return g;
}

/**
 * A backward rule: the gradients of a primitive's inputs (null or undefined where not needed) from the upstream
 * gradient `g`, the tensors the forward saved (null in the slots it left empty), the node's context `ctx` (of the
 * type `RuleContexts` in `rules.ts` gives the rule's name) and which inputs need a gradient.
 */
export type Rule<C> = (g: Tensor, saved: (Tensor | null)[], ctx: C, needs: boolean[], node: Node) => (Tensor | null | undefined)[];

/** A rule with its node's context bound (what `record` stores, so the node needs no untyped context slot). */
export type BoundRule = (g: Tensor, saved: (Tensor | null)[], needs: boolean[], node: Node) => (Tensor | null | undefined)[];

interface Saved { t: Tensor; version: number }

export class Node {
  /** Tensors saved for backward (null once freed). */
  private saved: (Saved | null)[] | null;
  private hadSaved: boolean;
  /** A non-leaf output whose gradient should be kept (`retainGrad()`). */
  retained: Tensor | null = null;
  readonly needs: boolean[];
  /** How many outputs the node has (1 for every primitive; custom Functions may have more). */
  numOutputs = 1;
  /**
   * For a multi-output node, while its rule runs: the gradient of each output (null where an output got none); the
   * rule's `g` is then the first non-null one.
   */
  grads: (Tensor | null)[] | null = null;
  /** Gradient hooks of the node's outputs (`Tensor.registerHook` on a non-leaf), by output index. */
  tensorHooks: Map<number, Map<number, GradHook>> | null = null;
  /** Hooks run before the rule with the node's output gradients; may return replacements (module backward hooks). */
  preHooks: ((grads: (Tensor | null)[]) => (Tensor | null)[] | void)[] | null = null;

  constructor(
    readonly name: string,
    readonly rule: BoundRule,
    readonly edges: (Edge | null)[],
    readonly inputShapes: (readonly number[])[],
    readonly inputDtypes: string[],
    saved: (Tensor | null)[],
  ) {
    this.saved = saved.map((t) => {
      if (t === null) return null;
      t._saves++;
      return { t, version: t._h.version };
    });
    this.hadSaved = saved.length > 0;
    this.needs = edges.map((e) => e !== null);
  }

  /** PyTorch's class-like name, e.g. `MulBackward0`. */
  toString(): string { return `${this.name[0]!.toUpperCase()}${this.name.slice(1)}Backward0`; }

  /** The next functions (`grad_fn.next_functions`): [node or 'AccumulateGrad' or null, inputIndex]. */
  get nextFunctions(): (Node | string | null)[] {
    return this.edges.map((e) => (e === null ? null : e.fn ?? 'AccumulateGrad'));
  }

  /**
   * The saved tensors, null in the slots the forward left empty (checked against in-place writes since). They are
   * handed to the caller, so none of them is freed early any more (`Tensor._internal`).
   */
  unpack(): (Tensor | null)[] {
    const ts = this._unpackForRule();
    for (const t of ts) if (t !== null) t._internal = -1;
    return ts;
  }

  /** @internal `unpack` for the engine, which hands the tensors only to the node's own rule. */
  _unpackForRule(): (Tensor | null)[] {
    if (this.saved === null) {
      if (!this.hadSaved) return [];
      throw new Error('Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.');
    }
    return this.saved.map((sv, i) => {
      if (sv === null) return null;
      const { t, version } = sv;
      if (t._h.version !== version) {
        throw new Error(`one of the variables needed for gradient computation has been modified by an inplace operation: [${t.dtype} [${t.shape.join(', ')}]], which is saved tensor ${i} of ${this}, is at version ${t._h.version}; expected version ${version} instead.`);
      }
      return t;
    });
  }

  /**
   * Drops the saved tensors (after backward without `retainGraph`). Those a container marked internal
   * (`Tensor._internal`) go to `sink`, where the pass frees the ones no other node still holds.
   */
  release(sink?: Tensor[]): void {
    const saved = this.saved;
    this.saved = null;
    if (saved === null) return;
    for (const sv of saved) {
      if (sv === null) continue;
      sv.t._saves--;
      if (sv.t._internal !== -1 && sink !== undefined) sink.push(sv.t);
    }
  }
}

/** Storages (their frontend handles) allocated while a backward pass runs (see module comment). */
let scope: Set<StorageHandle> | null = null;
/** The running pass's storages that must outlive it (new .grad values, gradients handed to user code). */
let claimedNow: Set<StorageHandle> | null = null;

/**
 * @internal Keeps the storage of `t`, a gradient the running backward pass hands to user code (a hook, a custom
 * Function's backward), from going back to the allocator when the pass ends: the user may hold on to it.
 */
export function keepAlive(t: Tensor | null | undefined): void {
  if (claimedNow !== null && t !== null && t !== undefined) claimedNow.add(t._h);
}
export function trackAllocation(h: StorageHandle): void {
  if (scope !== null) { scope.add(h); if (recent !== null) recent.push(h); }
}
/** Storages allocated while the running pass processes one node (its hooks, rule and gradient routing). */
let recent: StorageHandle[] | null = null;

/**
 * @internal Runs user code inside a backward pass (hooks, a custom Function's backward) with allocation tracking off:
 * what user code makes is its own and may be kept (a hook that logs `g.clone()`), so the pass must not free it.
 */
export function untracked<T>(fn: () => T): T {
  const s = scope, r = recent;
  scope = null; recent = null;
  try { return fn(); } finally { scope = s; recent = r; }
}

export interface EngineOps {
  sumToShape(g: Tensor, shape: readonly number[]): Tensor;
  add(a: Tensor, b: Tensor): Tensor;
  cast(g: Tensor, dtype: string): Tensor;
  clone(g: Tensor): Tensor;
  accumulateInto(dst: Tensor, g: Tensor): void;
  detachedAlias(g: Tensor): Tensor;
  /** Gives an engine temporary's storage back to its backend (marks the handle freed). */
  free(h: StorageHandle): void;
  withNoGrad<T>(fn: () => T): T;
  withGrad<T>(fn: () => T): T;
}

let ops: EngineOps;
export function setEngineOps(o: EngineOps): void { ops = o; }

function topoOrder(roots: Node[]): Node[] {
  // Iterative DFS post-order; reversed it is a topological order (consumers before producers).
  const order: Node[] = [];
  const visited = new Set<Node>();
  for (const root of roots) {
    if (visited.has(root)) continue;
    const stack: [Node, number][] = [[root, 0]];
    visited.add(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [node, i] = top;
      if (i < node.edges.length) {
        top[1]++;
        const next = node.edges[i]?.fn;
        if (next && !visited.has(next)) { visited.add(next); stack.push([next, 0]); }
      } else {
        stack.pop();
        order.push(node);
      }
    }
  }
  return order.reverse();
}

/** Whether the running backward pass records its own computation (`createGraph`); rules read it through grad mode. */
let creating = false;
/** @internal True while a backward pass with `createGraph: true` runs its rules. */
export function isCreatingGraph(): boolean { return creating; }

/**
 * Runs backward from `roots` with upstream gradients `grads` (one per root). Without `inputs`, gradients accumulate
 * into the leaves' `.grad` (and retained grads). With `inputs` (`torch.autograd.grad`), nothing's `.grad` is touched:
 * the gradients of exactly those tensors are returned, null for the ones the graph does not reach.
 * With `createGraph` the rules run with grad mode on, so the gradients are recorded (double backward); nothing is
 * given back to the allocator then, since the new graph may hold any temporary.
 */
export function runBackward(roots: Tensor | readonly Tensor[], grads: Tensor | readonly Tensor[], retainGraph: boolean,
  inputs?: readonly Tensor[], createGraph = false): (Tensor | null)[] {
  const rootList: readonly Tensor[] = Array.isArray(roots) ? roots : [roots as Tensor];
  const gradList: readonly Tensor[] = Array.isArray(grads) ? grads : [grads as Tensor];
  const captured: (Tensor | null)[] = inputs ? inputs.map(() => null) : [];
  // an input listed twice gets its gradient once, at its first index (copied to the others at the end)
  const leafIndex = new Map<Tensor, number>(), nodeIndex = new Map<Node, Map<number, number>>();
  const firstOf = inputs ? inputs.map((t, i) => {
    if (t._gradFn === null) {
      if (!leafIndex.has(t)) leafIndex.set(t, i);
      return leafIndex.get(t)!;
    }
    const byOut = nodeIndex.get(t._gradFn) ?? new Map<number, number>();
    nodeIndex.set(t._gradFn, byOut);
    const k = outputNr(t);
    if (!byOut.has(k)) byOut.set(k, i);
    return byOut.get(k)!;
  }) : [];
  const releasedInternal: Tensor[] = [];
  const outer = scope, outerClaimed = claimedNow, outerRecent = recent;
  scope = new Set();
  recent = null;
  const claimed = new Set<StorageHandle>();
  claimedNow = claimed;
  // A gradient made here for a leaf's .grad: no user code holds it (see Tensor._gradOwner and dropGrad). The other
  // tensors over its storage are this pass's temporaries, dead when it returns.
  const owned = (t: Tensor): Tensor => { t._gradOwner = t._h.refs; return t; };
  const keep = (t: Tensor): Tensor => {
    // with createGraph the new .grad stays in the graph (PyTorch clones it, recorded)
    if (createGraph) return ops.clone(t);
    // A leaf's new .grad: adopt an engine temporary that nothing else holds, else copy.
    const h = t._h;
    if (scope!.has(h) && !claimed.has(h) && t.isContiguous() && t._offset === 0 && t._s.length === t.numel()) {
      claimed.add(h);
      return owned(ops.detachedAlias(t));
    }
    const c = ops.clone(t);
    claimed.add(c._h);
    return owned(c);
  };
  // Grads adopted during this pass may share storage with gradients still queued for other nodes (a rule such as
  // add's passes one tensor to several inputs), so they are never written in place while the pass runs: a second
  // contribution replaces them with a fresh sum. Grads that existed before the pass accumulate in place, as PyTorch
  // (out of place, recorded, with createGraph).
  const adopted = new Set<Tensor>();
  const accumulate = (cur: Tensor | null, g: Tensor): Tensor => {
    if (cur === null) { const k = keep(g); adopted.add(k); return k; }
    if (createGraph) return ops.add(cur, g);
    if (!adopted.has(cur)) { ops.accumulateInto(cur, g); return cur; }
    adopted.delete(cur);
    claimed.delete(cur._h); // the superseded grad is an ordinary temporary again, freed below
    const sum = owned(ops.add(cur, g));
    claimed.add(sum._h);
    adopted.add(sum);
    return sum;
  };
  const deliverLeaf = (leaf: Tensor, g: Tensor): void => {
    if (g.dtype !== leaf.dtype) g = ops.cast(g, leaf.dtype);
    g = runHooks(leafHooks.get(leaf), g);
    if (inputs === undefined) { leaf._grad = accumulate(leaf._grad, g); return; }
    const k = leafIndex.get(leaf);
    if (k !== undefined) captured[k] = accumulate(captured[k]!, g);
  };
  const outerCreating = creating;
  creating = createGraph;
  try {
    const body = (): void => {
      const pending = new Map<Node, (Tensor | null)[]>();
      const rootNodes: Node[] = [];
      // A gradient this pass made is freed as soon as no queued slot holds its storage and nothing claimed it, as
      // PyTorch's reference counts free it, rather than when the pass returns: the CNN step's backward otherwise held
      // ~30 MB of dead gradients at its peak, over V8's 64 MB external-memory step with the activations, so a
      // major collection ran every step (measured; docs/benchmarks.md). `uses`: queued slots per storage.
      const uses = new Map<StorageHandle, number>();
      const ref = (t: Tensor): void => { uses.set(t._h, (uses.get(t._h) ?? 0) + 1); };
      const unref = (t: Tensor): void => { const n = uses.get(t._h)! - 1; if (n === 0) uses.delete(t._h); else uses.set(t._h, n); };
      const drop = (h: StorageHandle): void => {
        if (!createGraph && !h.freed && scope!.has(h) && !claimed.has(h) && !uses.has(h)) ops.free(h);
      };
      const push = (fn: Node, index: number, gi: Tensor): void => {
        let slot = pending.get(fn);
        if (slot === undefined) { slot = new Array<Tensor | null>(fn.numOutputs).fill(null); pending.set(fn, slot); }
        const prev = slot[index];
        if (prev === null || prev === undefined) { slot[index] = gi; ref(gi); return; }
        const sum = ops.add(prev, gi);
        slot[index] = sum;
        ref(sum);
        unref(prev);
        // judged once the node's outputs are all routed (`settle`): gi may be going to another slot too
        superseded.push(prev._h, gi._h);
      };
      const superseded: StorageHandle[] = [];
      rootList.forEach((root, i) => {
        const g = gradList[i]!;
        if (root._gradFn === null) { deliverLeaf(root, ops.sumToShape(g, root.shape)); return; }
        rootNodes.push(root._gradFn);
        push(root._gradFn, outputNr(root), g);
      });
      if (rootNodes.length === 0) return;
      // what the previous node consumed and made: dead now unless queued or claimed (see `drop`)
      let consumed: (Tensor | null)[] = [];
      const made: StorageHandle[] = [];
      const settle = (): void => {
        for (const x of consumed) if (x !== null && x !== undefined) drop(x._h);
        for (const h of made) drop(h);
        for (const h of superseded) drop(h);
        consumed = [];
        made.length = 0;
        superseded.length = 0;
      };
      recent = made;
      for (const node of topoOrder(rootNodes)) {
        settle();
        let gs = pending.get(node);
        if (gs === undefined) continue;
        pending.delete(node);
        for (const x of gs) if (x !== null && x !== undefined) unref(x);
        consumed = gs;
        if (node.tensorHooks !== null) {
          for (const [k, hooks] of node.tensorHooks) if (gs[k] !== null && gs[k] !== undefined) gs[k] = runHooks(hooks, gs[k]!);
        }
        if (node.preHooks !== null) {
          for (const h of node.preHooks) {
            const cur: (Tensor | null)[] = gs;
            const r: (Tensor | null)[] | void = untracked(() => h(cur));
            if (r) { gs = r; for (const x of r) keepAlive(x); } // replacements made by user code
          }
        }
        if (inputs === undefined && node.retained !== null && gs[0] !== null) {
          const r = node.retained;
          r.grad = accumulate(r.grad, gs[0]!);
        }
        const byOut = inputs !== undefined ? nodeIndex.get(node) : undefined;
        if (byOut !== undefined) {
          for (const [out, k] of byOut) if (gs[out] !== null) captured[k] = accumulate(captured[k]!, gs[out]!);
        }
        const g = node.numOutputs === 1 ? gs[0]! : gs.find((x) => x !== null) ?? null;
        if (g === null) continue;
        node.grads = node.numOutputs === 1 ? null : gs;
        const saved = node._unpackForRule();
        // views a rule makes of an internal saved tensor are temporaries of this pass: not counted against freeing it
        let before: number[] | null = null;
        for (let i = 0; i < saved.length; i++) {
          const t = saved[i];
          if (t !== null && t !== undefined && t._internal !== -1) (before ??= new Array<number>(saved.length).fill(0))[i] = t._h.refs;
        }
        let out: (Tensor | null | undefined)[];
        try {
          out = node.rule(g, saved, node.needs, node);
        } finally {
          node.grads = null;
        }
        if (before !== null) {
          for (let i = 0; i < saved.length; i++) {
            const t = saved[i];
            if (t !== null && t !== undefined && t._internal !== -1) t._internal += t._h.refs - before[i]!;
          }
        }
        if (!retainGraph) node.release(createGraph ? undefined : releasedInternal);
        for (let i = 0; i < node.edges.length; i++) {
          const e = node.edges[i];
          let gi = out[i];
          if (!e || gi === null || gi === undefined) continue;
          const shape = node.inputShapes[i]!;
          gi = ops.sumToShape(gi, shape);
          if (gi.dtype !== node.inputDtypes[i]) gi = ops.cast(gi, node.inputDtypes[i]!);
          if (e.fn !== null) push(e.fn, e.index ?? 0, gi);
          else deliverLeaf(e.leaf!, gi);
        }
      }
      settle();
    };
    if (createGraph) ops.withGrad(body); else ops.withNoGrad(body);
  } finally {
    creating = outerCreating;
    claimedNow = outerClaimed;
    recent = outerRecent;
    const temps = scope;
    scope = outer;
    for (const h of temps) {
      if (createGraph) continue; // the recorded graph may hold any of them: left to the garbage collector
      if (claimed.has(h)) { if (outer !== null) outer.add(h); continue; }
      ops.free(h);
    }
    // internal activations whose last saving node this pass released, over which no other tensor was made
    for (const t of releasedInternal) {
      const h = t._h;
      if (t._saves === 0 && t._internal === h.refs && h.finalized && !claimed.has(h)) ops.free(h);
    }
  }
  return captured.map((c, i) => (i === firstOf[i] ? c : captured[firstOf[i]!]!));
}
