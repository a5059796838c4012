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

  constructor(
    readonly name: string,
    readonly rule: BoundRule,
    readonly edges: (Edge | null)[],
    readonly inputShapes: (readonly number[])[],
    readonly inputDtypes: string[],
    saved: (Tensor | null)[],
  ) {
    this.saved = saved.map((t) => (t === null ? null : { t, version: t._h.version }));
    this.hadSaved = saved.length > 0;
    this.needs = edges.map((e) => e !== null);
  }

  /** PyTorch's class-like name, e.g. `MulBackward0`. */
  toString(): string { return `${this.name[0]!.toUpperCase()}${this.name.slice(1)}Backward0`; }

  /** The next functions (`grad_fn.next_functions`): [node or 'AccumulateGrad' or null, inputIndex]. */
  get nextFunctions(): (Node | string | null)[] {
    return this.edges.map((e) => (e === null ? null : e.fn ?? 'AccumulateGrad'));
  }

  /** The saved tensors, null in the slots the forward left empty (checked against in-place writes since). */
  unpack(): (Tensor | null)[] {
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

  release(): void { this.saved = null; }
}

/** Storages (their frontend handles) allocated while a backward pass runs (see module comment). */
let scope: Set<StorageHandle> | null = null;
export function trackAllocation(h: StorageHandle): void {
  if (scope !== null) scope.add(h);
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
}

let ops: EngineOps;
export function setEngineOps(o: EngineOps): void { ops = o; }

function topoOrder(root: Node): Node[] {
  // Iterative DFS post-order; reversed it is a topological order (consumers before producers).
  const order: Node[] = [];
  const visited = new Set<Node>();
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
  return order.reverse();
}

/**
 * Runs backward from `root` with upstream gradient `grad`. Without `inputs`, gradients accumulate into the
 * leaves' `.grad` (and retained grads). With `inputs` (`torch.autograd.grad`), nothing's `.grad` is touched: the
 * gradients of exactly those tensors are returned, null for the ones the graph does not reach.
 */
export function runBackward(root: Tensor, grad: Tensor, retainGraph: boolean, inputs?: readonly Tensor[]): (Tensor | null)[] {
  const captured: (Tensor | null)[] = inputs ? inputs.map(() => null) : [];
  // an input listed twice gets its gradient once, at its first index (copied to the others at the end)
  const leafIndex = new Map<Tensor, number>(), nodeIndex = new Map<Node, number>();
  const firstOf = inputs ? inputs.map((t, i) => {
    const m = t._gradFn === null ? leafIndex : nodeIndex;
    const key: any = t._gradFn === null ? t : t._gradFn;
    if (!m.has(key)) m.set(key, i);
    return m.get(key)!;
  }) : [];
  const outer = scope;
  scope = new Set();
  const claimed = new Set<StorageHandle>();
  const keep = (t: Tensor): Tensor => {
    // A leaf's new .grad: adopt an engine temporary that nothing else holds, else copy.
    const h = t._h;
    if (scope!.has(h) && !claimed.has(h) && t.isContiguous() && t._offset === 0 && t._s.length === t.numel()) {
      claimed.add(h);
      return ops.detachedAlias(t);
    }
    const c = ops.clone(t);
    claimed.add(c._h);
    return c;
  };
  // Grads adopted during this pass may share storage with gradients still queued for other nodes (a rule such as
  // add's passes one tensor to several inputs), so they are never written in place while the pass runs: a second
  // contribution replaces them with a fresh sum. Grads that existed before the pass accumulate in place, as PyTorch.
  const adopted = new Set<Tensor>();
  const accumulate = (cur: Tensor | null, g: Tensor): Tensor => {
    if (cur === null) { const k = keep(g); adopted.add(k); return k; }
    if (!adopted.has(cur)) { ops.accumulateInto(cur, g); return cur; }
    adopted.delete(cur);
    claimed.delete(cur._h); // the superseded grad is an ordinary temporary again, freed below
    const sum = ops.add(cur, g);
    claimed.add(sum._h);
    adopted.add(sum);
    return sum;
  };
  const deliverLeaf = (leaf: Tensor, g: Tensor): void => {
    if (g.dtype !== leaf.dtype) g = ops.cast(g, leaf.dtype);
    if (inputs === undefined) { leaf.grad = accumulate(leaf.grad, g); return; }
    const k = leafIndex.get(leaf);
    if (k !== undefined) captured[k] = accumulate(captured[k]!, g);
  };
  try {
    ops.withNoGrad(() => {
      if (root._gradFn === null) {
        deliverLeaf(root, ops.sumToShape(grad, root.shape));
        return;
      }
      const order = topoOrder(root._gradFn);
      const pending = new Map<Node, Tensor>();
      pending.set(root._gradFn, grad);
      for (const node of order) {
        const g = pending.get(node);
        if (g === undefined) continue;
        pending.delete(node);
        if (inputs === undefined && node.retained !== null) {
          const r = node.retained;
          r.grad = accumulate(r.grad, g);
        }
        if (inputs !== undefined && nodeIndex.has(node)) {
          const k = nodeIndex.get(node)!;
          captured[k] = accumulate(captured[k]!, g);
        }
        const saved = node.unpack();
        const grads = node.rule(g, saved, node.needs, node);
        if (!retainGraph) node.release();
        for (let i = 0; i < node.edges.length; i++) {
          const e = node.edges[i];
          let gi = grads[i];
          if (!e || gi === null || gi === undefined) continue;
          const shape = node.inputShapes[i]!;
          gi = ops.sumToShape(gi, shape);
          if (gi.dtype !== node.inputDtypes[i]) gi = ops.cast(gi, node.inputDtypes[i]!);
          if (e.fn !== null) {
            const prev = pending.get(e.fn);
            pending.set(e.fn, prev === undefined ? gi : ops.add(prev, gi));
          } else {
            deliverLeaf(e.leaf!, gi);
          }
        }
      }
    });
  } finally {
    const temps = scope;
    scope = outer;
    for (const h of temps) {
      if (claimed.has(h)) { if (outer !== null) outer.add(h); continue; }
      ops.free(h);
    }
  }
  return captured.map((c, i) => (i === firstOf[i] ? c : captured[firstOf[i]!]!));
}
