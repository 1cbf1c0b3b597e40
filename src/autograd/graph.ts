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
}

/**
 * Reverse-mode sweep from `root` seeded with `seed`: visits nodes in reverse
 * topological order so each node's gradient is complete (summed over every
 * consumer with `add`) before its rule runs. Runs without recording a graph.
 */
export function backward<G>(root: Variable<G>, seed: G, add: (a: G, b: G) => G): void {
  if (!root.gradFn) {
    if (root.requiresGrad) root.accumulateGrad(seed);
    return;
  }
  const order = topologicalOrder(root.gradFn);
  const pending = new Map<GradFn<G>, G>([[root.gradFn, seed]]);
  noGrad(() => {
    for (const fn of order) {
      const g = pending.get(fn);
      if (g === undefined) continue;
      pending.delete(fn);
      const grads = fn.backward(g);
      fn.inputs.forEach((input, i) => {
        const gi = grads[i];
        if (!input || gi == null || !input.requiresGrad) return;
        if (input.gradFn) {
          const prev = pending.get(input.gradFn);
          pending.set(input.gradFn, prev === undefined ? gi : add(prev, gi));
        } else {
          input.accumulateGrad(gi);
        }
      });
    }
  });
}

/** Nodes reachable from `root`, each after every node that consumes it. Iterative: deep graphs must not overflow the stack. */
function topologicalOrder<G>(root: GradFn<G>): GradFn<G>[] {
  const post: GradFn<G>[] = [];
  const seen = new Set<GradFn<G>>([root]);
  const stack: [GradFn<G>, number][] = [[root, 0]];
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [fn, i] = top;
    if (i < fn.inputs.length) {
      top[1]++;
      const child = fn.inputs[i]?.gradFn;
      if (child && !seen.has(child)) {
        seen.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      post.push(fn);
    }
  }
  return post.reverse();
}
