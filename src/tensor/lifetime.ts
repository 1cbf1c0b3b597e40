/**
 * Who owns a tensor's storage, and when it goes back to the backend: the one module that
 * decides (the only caller of K.release).
 *
 * A Storage (src/backend/storage.ts) counts the tensors over it (`refs`: a view or a detached
 * tensor shares its base's storage). A storage is released when its count falls to zero by
 * {@link dispose}: explicitly (`t.dispose()`), by the end of a {@link tidy} scope, or by the
 * engine for a gradient that it proves dead during backward. Tensors never disposed keep their
 * storage until the collector takes it, as any JavaScript object: nothing is released on a guess.
 *
 * The training step (src/train/step.ts) runs in a tidy scope, so the activations its graph made
 * go back to the backend once backward and the optimizer have run, for the next step to reuse:
 * whatever the modules are, with no list of classes known to keep nothing. A module that keeps
 * an activation past the step says so with {@link keep} (or keeps `t.detach()`, which counts);
 * one that does not gets a clear error when it uses the freed tensor, never stale values.
 */
import { K } from '../backend/registry';
import type { Storage } from '../backend/storage';
import type { Tensor } from './tensor';

/** The mark every copy of rxnn's Tensor carries on its prototype (a registered symbol: isTensor in tensor.ts). */
export const TENSOR: unique symbol = Symbol.for('rxnn.tensor');

/** A tidy scope: the tensors that recorded an autograd node while it was the innermost. */
interface Scope {
  made: Tensor[];
}
const scopes: Scope[] = [];

/** The tensors made during the backward sweep running now (null outside one): see {@link sweepScope}. */
let sweepMade: Tensor[] | null = null;

/** Counts a new tensor `t` over its storage (the Tensor constructor); notes it when a backward sweep made it. */
export function retain(t: Tensor): void {
  t.storage.refs++;
  if (sweepMade !== null) sweepMade.push(t);
}

/**
 * Runs one backward sweep (Tensor.backward) and then disposes every tensor the sweep made
 * (gradients and the sums of gradients between nodes) except those that became a leaf's `.grad`
 * (accumulateGrad marks them with keep): no other code can hold one, as backward returns nothing.
 */
export function sweepScope(run: () => void): void {
  const outer = sweepMade;
  const made: Tensor[] = (sweepMade = []);
  try {
    run();
  } finally {
    sweepMade = outer;
    for (const t of made) if (!t.kept) dispose(t);
  }
}

/**
 * Gives up `t`'s reference to its storage; the storage goes back to the backend when no other
 * tensor holds it. Idempotent. After it, `t` may not be used: its values are gone once the
 * storage is reused, and a kernel given a released storage throws.
 */
export function dispose(t: Tensor): void {
  if (t.isDisposed) return;
  t.markDisposed();
  const s = t.storage;
  if (--s.refs === 0) K.release(s);
}

/** Marks `t` to outlive the tidy scope that made it (tfjs's `keep`); returns `t`. */
export function keep<T extends Tensor>(t: T): T {
  t.kept = true;
  return t;
}

/** Called by `result()` for each op output that recorded an autograd node: the innermost scope will free it. */
export function track(t: Tensor): void {
  const n = scopes.length;
  if (n !== 0) scopes[n - 1].made.push(t);
}

/**
 * Runs `fn` and then disposes every tensor that recorded an autograd node inside it (the graph's
 * activations and views), except the tensors `fn` returns (a tensor, or an array or object of
 * them) and those marked with {@link keep}. Backward must run inside the scope: the graph behind a
 * returned tensor is freed. Tensors made without a graph (under noGrad, or from inputs that need no
 * gradient: optimizer state, metrics) are left alone. Also disposes them when `fn` throws.
 * A returned tensor belongs to the enclosing scope, if any.
 *
 * @example
 * ```ts
 * import { tidy } from 'rxnn';
 * for (const [x, y] of loader) {
 *   const loss = tidy(() => {
 *     const l = criterion.forward(model.forward(x), y);
 *     optimizer.zeroGrad();
 *     l.backward();
 *     optimizer.step();
 *     return l;
 *   }); // the step's activations go back to the backend here, for the next step
 * }
 * ```
 */
export function tidy<T>(fn: () => T): T {
  const scope: Scope = { made: [] };
  scopes.push(scope);
  let out: T | undefined;
  try {
    out = fn();
    return out;
  } finally {
    scopes.pop();
    const returned = tensorsIn(out);
    const outer = scopes.length ? scopes[scopes.length - 1] : null;
    for (const t of scope.made) {
      if (returned.includes(t)) outer?.made.push(t);
      else if (!t.kept) dispose(t);
    }
  }
}

/** The tensors in a scope's result: itself, or the entries of an array or the values of a plain object. */
function tensorsIn(out: unknown): Tensor[] {
  if (out === null || typeof out !== 'object') return [];
  if (isTensor(out)) return [out];
  const values = Array.isArray(out) ? (out as unknown[]) : Object.values(out);
  return values.filter(isTensor);
}
const isTensor = (v: unknown): v is Tensor =>
  typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[TENSOR] === true;

/**
 * Runs `f` on a kernel result used only inside one op (a scratch storage: a sum on its way to a
 * mean), then releases it.
 */
export function scratch<R>(s: Storage, f: (s: Storage) => R): R {
  try {
    return f(s);
  } finally {
    if (s.refs === 0) K.release(s);
  }
}

/**
 * A gradient's ownership. Backward rules mark (Tensor.ownedGrad) a gradient whose storage a kernel
 * has just returned and nothing else holds. While set, exactly one holder has it, so a leaf's
 * first accumulateGrad may keep it rather than copy it (PyTorch's AccumulateGrad steals an
 * unshared gradient the same way), or, once the rule consuming it is done, it is disposed.
 *
 * settleGrads runs after each rule, with the gradient `g` it consumed and the gradients it returned:
 * a storage returned twice (the same tensor for two inputs, or two tensors over one storage) loses
 * its ownership, since two holders now read it; and `g`, when it was owned and the rule keeps no
 * reference to it (`dropped`), is disposed (a returned view of it holds its own reference, so its
 * storage then stays). Gradients from rules the engine did not build (`!dropped`) keep no ownership.
 */
export function settleGrads(g: Tensor, grads: readonly (Tensor | null | undefined)[], dropped: boolean): void {
  if (!dropped) {
    g.ownedGrad = false;
    for (let i = 0; i < grads.length; i++) {
      const gi = grads[i];
      if (gi) gi.ownedGrad = false;
    }
    return;
  }
  let recycle = g.ownedGrad;
  for (let i = 0; i < grads.length; i++) {
    const gi = grads[i];
    if (!gi) continue;
    if (gi === g) recycle = false;
    const d = gi.storage;
    for (let j = 0; j < i; j++) {
      const gj = grads[j];
      if (gj && gj.storage === d) {
        gi.ownedGrad = false;
        gj.ownedGrad = false;
      }
    }
  }
  if (recycle) {
    g.ownedGrad = false;
    dispose(g);
  }
}

/** Whether `g` is an owned gradient (see settleGrads) that no graph records: its one holder may keep or free it. */
export function isOwned(g: Tensor): boolean {
  return g.ownedGrad && g.requiresGrad === false && g.gradFn === null;
}

/** After a leaf added an incoming gradient into its own: the incoming one is dead when it was owned. */
export function consumed(g: Tensor): void {
  if (isOwned(g)) {
    g.ownedGrad = false;
    dispose(g);
  }
}
