import { noGrad } from './grad-mode';

/**
 * The autograd graph, independent of what a value is: a tensor implements
 * `Variable`, and each differentiable op attaches a `GradFn` holding its inputs
 * and its backward rule (written beside the op's forward in src/tensor/ops).
 */
export interface Variable<G> {
  requiresGrad: boolean;
  gradFn: GradFn<G> | null;
  /** Leaf accumulation: `.grad += g`, as PyTorch does for leaves. */
  accumulateGrad(g: G): void;
}

export interface GradFn<G> {
  /** PyTorch's node name, e.g. 'AddmmBackward0'; shown by toString. */
  name: string;
  inputs: readonly (Variable<G> | null)[];
  /** Gradients w.r.t. each input (null where the input needs none). */
  backward(gradOutput: G): readonly (G | null)[];
  /**
   * The engine's bookkeeping during one backward sweep, kept on the node rather than in
   * per-sweep Maps and Sets: the id of the last sweep that reached it, and the gradient
   * summed so far from its consumers (undefined outside a sweep). Create nodes with 0 and undefined.
   */
  mark: number;
  pending: G | undefined;
  /**
   * True when `backward` keeps no reference to its gradOutput once it returns (every node
   * the engine builds): the gradient is then dead afterwards unless it was passed on.
   */
  dropsGrad: boolean;
  /**
   * False for rules that keep none of the forward's tensors (add, sum, reshape, ...): such a
   * node may run again after a backward, as in PyTorch. Any other node is marked `freed`
   * by a backward that does not retain the graph, and a later sweep through it throws.
   */
  saves?: boolean;
  freed?: boolean;
}

/** PyTorch's message for a second backward through freed saved tensors. */
export const SECOND_BACKWARD =
  'Trying to backward through the graph a second time (or directly access saved tensors ' +
  'after they have already been freed). Saved intermediate values of the graph are freed when you call .backward(). ' +
  'Specify retainGraph: true if you need to backward through the graph a second time.';

/**
 * Called after each rule with the gradient it consumed and the gradients it returned,
 * before they are handed on: lets the value type settle who owns which buffer
 * (src/tensor/lifetime.ts disposes `g` when `dropped` and nothing returned shares it).
 */
export type SettleGrads<G> = (g: G, grads: readonly (G | null | undefined)[], dropped: boolean) => void;

let sweeps = 0;

/**
 * Reverse-mode sweep from `root` seeded with `seed`: visits nodes in reverse
 * topological order so each node's gradient is complete (summed over every
 * consumer with `add`) before its rule runs. Runs without recording a graph.
 * Unless `retainGraph`, the graph's saving nodes are freed afterwards, as PyTorch
 * frees saved tensors; a sweep that would run a freed node throws before any
 * gradient is written.
 */
export function backward<G>(
  root: Variable<G>,
  seed: G,
  add: (a: G, b: G) => G,
  settle?: SettleGrads<G>,
  retainGraph = false,
): void {
  if (!root.gradFn) {
    if (root.requiresGrad) root.accumulateGrad(seed);
    return;
  }
  const order = topologicalOrder(root.gradFn, ++sweeps);
  for (let k = 0; k < order.length; k++) if (order[k].freed) throw new Error(SECOND_BACKWARD);
  root.gradFn.pending = seed;
  try {
    noGrad(() => {
      for (let k = 0; k < order.length; k++) {
        const fn = order[k];
        const g = fn.pending;
        if (g === undefined) continue;
        fn.pending = undefined;
        const grads = fn.backward(g);
        if (settle) settle(g, grads, fn.dropsGrad === true);
        const inputs = fn.inputs;
        for (let i = 0; i < inputs.length; i++) {
          const input = inputs[i];
          const gi = grads[i];
          if (!input || gi == null || !input.requiresGrad) continue;
          const child = input.gradFn;
          if (child) child.pending = child.pending === undefined ? gi : add(child.pending, gi);
          else input.accumulateGrad(gi);
        }
      }
    });
  } finally {
    // A rule that threw leaves no gradient behind on the graph.
    for (let k = 0; k < order.length; k++) order[k].pending = undefined;
  }
  if (!retainGraph) for (let k = 0; k < order.length; k++) if (order[k].saves !== false) order[k].freed = true;
}

/**
 * Nodes reachable from `root`, each after every node that consumes it, marked with
 * `sweep`. Iterative: deep graphs must not overflow the stack.
 */
function topologicalOrder<G>(root: GradFn<G>, sweep: number): GradFn<G>[] {
  const post: GradFn<G>[] = [];
  const nodes: GradFn<G>[] = [root];
  const next: number[] = [0];
  root.mark = sweep;
  while (nodes.length) {
    const top = nodes.length - 1;
    const fn = nodes[top];
    const i = next[top];
    if (i < fn.inputs.length) {
      next[top] = i + 1;
      const child = fn.inputs[i]?.gradFn;
      if (child && child.mark !== sweep) {
        child.mark = sweep;
        nodes.push(child);
        next.push(0);
      }
    } else {
      nodes.pop();
      next.pop();
      post.push(fn);
    }
  }
  return post.reverse();
}
