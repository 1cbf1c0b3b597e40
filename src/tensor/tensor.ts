import '../backend';
import { K } from '../backend/registry';
import { backward as runBackward, isGradEnabled } from '../autograd';
import type { GradFn, Variable } from '../autograd';
import { formatShape, sizeOf } from '../backend/shape';
import { formatTensor } from './format';
import * as ew from './ops/elementwise';
import * as lin from './ops/matmul';
import * as red from './ops/reduce';
import * as sh from './ops/shape';
import * as sm from './ops/softmax';

export type Operand = Tensor | number;
/** A tensor's values as nested arrays, one level per dimension (Tensor.toArray). */
export type NestedNumbers = number | NestedNumbers[];

/**
 * A float32, row-major, contiguous tensor. `data` always holds exactly
 * `size` values in row-major order; views (reshape) share it.
 *
 * `storage` is the same array as the backend holds it: on a device backend
 * (gpu in webgpu mode) its values may live on the device only. Reading `data`
 * brings them to the host first (K.sync, one readback when they were on the
 * device), so `data` is always current when read; hold the tensor, not its
 * array, across operations that a device backend runs.
 *
 * @example
 * ```ts
 * import { tensor } from 'rxnn';
 * const a = tensor([[1, 2], [3, 4]]);
 * a.matmul(a.T).toArray(); // [[5, 11], [11, 25]]
 * a.add(1).mean().item(); // 3.5
 * a.sum(1, { keepdim: true }).shape; // [2, 1]
 * ```
 */
export class Tensor implements Variable<Tensor> {
  /** The backend's array: identity and kernel arguments. Its values are current only after K.sync (see `data`). */
  readonly storage: Float32Array;
  /** The size of each dimension, as `torch.Tensor.shape` (`[]` for a 0-d tensor). */
  readonly shape: readonly number[];
  /** Whether operations on this tensor are recorded for backward, as PyTorch's `requires_grad`. */
  requiresGrad: boolean;
  private grad_: Tensor | null = null;
  /**
   * The backward node that made this tensor (null for a leaf), as PyTorch's `grad_fn`; its `name` is PyTorch's, e.g.
   * `AddBackward0`.
   */
  gradFn: GradFn<Tensor> | null = null;

  /**
   * Set by backward rules on a gradient whose `data` a kernel has just returned and nothing
   * else references. While set, exactly one holder has it (the engine clears the flag when
   * it is handed out twice: settleGrads), so a leaf's first accumulateGrad may keep it
   * rather than copy it (PyTorch's AccumulateGrad steals an unshared gradient the same
   * way), or the rule consuming it may hand its buffer back for reuse (K.release).
   * Cleared when taken either way.
   */
  ownedGrad = false;

  /** `trusted` is for the engine only (wrap): a token no caller outside this module holds. */
  constructor(data: Float32Array, shape: readonly number[], requiresGrad = false, trusted?: symbol) {
    if (trusted === TRUSTED) {
      // From wrap(): the engine vouches that shape fits and is never written to.
      this.shape = shape;
    } else {
      let size = 1;
      for (let i = 0; i < shape.length; i++) size *= shape[i];
      if (size !== data.length) {
        throw new Error(`Tensor: shape ${formatShape(shape)} needs ${size} values, got ${data.length}`);
      }
      // A private copy (callers may reuse their array); readonly in the type, not frozen: freezing costs on every op.
      this.shape = shape.slice();
    }
    this.storage = data;
    this.requiresGrad = requiresGrad;
  }

  /** The accumulated gradient (a leaf's, after backward); null until then. Assigning checks the shape, as PyTorch does. */
  get grad(): Tensor | null {
    return this.grad_;
  }
  /** Sets or clears (null) the gradient; throws unless `g` is a Tensor of this tensor's shape. */
  set grad(g: Tensor | null) {
    if (
      g !== null &&
      (!(g instanceof Tensor) || g.shape.length !== this.shape.length || g.shape.some((d, i) => d !== this.shape[i]))
    ) {
      throw new Error(
        `grad: assigned grad has shape ${g instanceof Tensor ? formatShape(g.shape) : String(g)}, ` +
          `expected a Tensor of the tensor's shape ${formatShape(this.shape)}`,
      );
    }
    this.grad_ = g;
  }

  /**
   * The values, on the host: a read that may copy (a device backend reads them back first, one
   * readback when they were on the device only). The array may be written; hold the tensor, not
   * this array, across operations a device backend runs.
   */
  get data(): Float32Array {
    K.sync(this.storage);
    return this.storage;
  }

  /** Number of elements, as `torch.Tensor.numel()`. */
  get size(): number {
    return this.storage.length;
  }
  /** Number of dimensions, as `torch.Tensor.ndim`. */
  get ndim(): number {
    return this.shape.length;
  }
  /** True for tensors created by the user (no recorded history), as PyTorch's is_leaf. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** Turns on gradient tracking for a leaf (PyTorch's requires_grad_). */
  requiresGrad_(flag = true): this {
    if (!this.isLeaf) throw new Error('requiresGrad_: only leaf tensors can change requiresGrad; use detach() first');
    this.requiresGrad = flag;
    return this;
  }

  accumulateGrad(g: Tensor): void {
    const old = this.grad_;
    if (old) {
      // In place, as PyTorch 1.13 does (variable.grad += new_grad, grad mode being off): a
      // reference to .grad sees the sum, and after zeroGrad nothing is allocated (0 + g also
      // turns a -0 into +0, as there).
      const d = old.storage,
        s = g.storage;
      K.accumulate(d, s);
      if (s !== d && g.ownedGrad && g.requiresGrad === false && g.gradFn === null) {
        g.ownedGrad = false;
        K.release(s);
      }
    } else if (g.ownedGrad && g.requiresGrad === false && g.gradFn === null) {
      g.ownedGrad = false;
      this.grad_ = g;
    } else {
      this.grad_ = wrap(K.unary('copy', g.storage), g.shape);
    }
  }

  /**
   * Backpropagate from this tensor. Without `grad` the tensor must hold one
   * value (a loss), as in PyTorch; gradients accumulate into leaves' `.grad`.
   * The graph is freed afterwards unless `retainGraph` (PyTorch's retain_graph):
   * a second backward through it throws PyTorch's error.
   */
  backward(grad?: Tensor | null | { retainGraph?: boolean }, opts: { retainGraph?: boolean } = {}): void {
    // backward({ retainGraph: true }) reads as backward(undefined, { retainGraph: true }).
    if (grad != null && !(grad instanceof Tensor)) {
      if (typeof grad !== 'object' || Array.isArray(grad)) {
        throw new Error(
          `backward: grad must be a Tensor of shape ${formatShape(this.shape)} (or options), got ${typeof grad}`,
        );
      }
      return this.backward(undefined, grad);
    }
    if (!this.requiresGrad) throw new Error('backward: tensor does not require grad and has no grad_fn');
    if (!grad && this.size !== 1) {
      throw new Error(
        `backward: grad can be implicitly created only for scalar outputs (shape ${formatShape(this.shape)})`,
      );
    }
    if (grad && grad.shape.join() !== this.shape.join()) {
      throw new Error(
        `backward: grad shape ${formatShape(grad.shape)} does not match tensor shape ${formatShape(this.shape)}`,
      );
    }
    // A gradient the caller passes in stays the caller's: never kept by a leaf nor recycled.
    if (grad) grad.ownedGrad = false;
    const seed = grad ?? wrap(Float32Array.of(1), this.shape);
    runBackward<Tensor>(this, seed, ew.add, settleGrads, opts.retainGraph === true);
  }

  /** A tensor sharing data but cut from the graph. */
  detach(): Tensor {
    return wrap(this.storage, this.shape);
  }
  /** A copy with its own data, as `torch.Tensor.clone`; differentiable (the gradient flows back to this tensor). */
  clone(): Tensor {
    return sh.clone(this);
  }

  /** The single value of a one-element tensor as a number, as `torch.Tensor.item`; throws for any other size. */
  item(): number {
    if (this.size !== 1) throw new Error(`item: tensor with ${this.size} elements cannot be converted to a number`);
    return this.data[0];
  }

  /** Nested arrays (a number for a 0-d tensor). */
  toArray(): NestedNumbers {
    const d = this.data;
    const build = (dim: number, offset: number): NestedNumbers => {
      if (dim === this.shape.length) return d[offset];
      const stride = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /** PyTorch's repr with default print options, e.g. `tensor([1., 2.], requires_grad=True)`. */
  toString(): string {
    return formatTensor(this);
  }

  /** As `torch.Tensor.add`: elementwise `this + o`, broadcasting shapes (a number is a 0-d tensor). */
  add(o: Operand): Tensor {
    return ew.add(this, o);
  }
  /** As `torch.Tensor.sub`: elementwise `this - o`, with broadcasting. */
  sub(o: Operand): Tensor {
    return ew.sub(this, o);
  }
  /** As `torch.Tensor.mul`: elementwise `this * o`, with broadcasting. */
  mul(o: Operand): Tensor {
    return ew.mul(this, o);
  }
  /** As `torch.Tensor.div`: elementwise `this / o` (true division), with broadcasting. */
  div(o: Operand): Tensor {
    return ew.div(this, o);
  }
  /** As `torch.Tensor.pow` with a number exponent: elementwise `this ** exponent`. */
  pow(exponent: number): Tensor {
    return ew.pow(this, exponent);
  }
  /** Elementwise `-this`, as `torch.Tensor.neg`. */
  neg(): Tensor {
    return ew.neg(this);
  }
  /** Elementwise `e ** this`, as `torch.Tensor.exp`. */
  exp(): Tensor {
    return ew.exp(this);
  }
  /** Elementwise natural logarithm, as `torch.Tensor.log` (NaN below 0, -Infinity at 0). */
  log(): Tensor {
    return ew.log(this);
  }
  /** Elementwise square root, as `torch.Tensor.sqrt` (NaN below 0). */
  sqrt(): Tensor {
    return ew.sqrt(this);
  }
  /** Elementwise `max(this, 0)`, as `torch.relu`; the gradient is 0 where `this <= 0`. */
  relu(): Tensor {
    return ew.relu(this);
  }
  /** Elementwise `1 / (1 + exp(-this))`, as `torch.sigmoid`. */
  sigmoid(): Tensor {
    return ew.sigmoid(this);
  }
  /** Elementwise hyperbolic tangent, as `torch.tanh`. */
  tanh(): Tensor {
    return ew.tanh(this);
  }
  /** |x| elementwise; its gradient is sign(x) (0 at 0), as PyTorch's. */
  abs(): Tensor {
    return ew.abs(this);
  }
  /** 1 where this > other, else 0; not differentiable. */
  gt(o: Operand): Tensor {
    return ew.gt(this, o);
  }

  /**
   * Matrix product `this @ o` of 1-D or 2-D tensors, as `torch.matmul` (a 1-D operand's axis is dropped from the
   * result).
   */
  matmul(o: Tensor): Tensor {
    return lin.matmul(this, o);
  }

  /**
   * Sum over `dim` (one or several dims; all of them when omitted), as `torch.sum`; `keepdim` keeps reduced dims as
   * size 1.
   */
  sum(dim?: number | number[], opts?: { keepdim?: boolean }): Tensor {
    return red.sum(this, dim, opts?.keepdim);
  }
  /**
   * Mean over `dim` (all dims when omitted): the sum divided by the count, as `torch.mean`; `keepdim` as in {@link
   * Tensor.sum}.
   */
  mean(dim?: number | number[], opts?: { keepdim?: boolean }): Tensor {
    return red.mean(this, dim, opts?.keepdim);
  }
  /** Variance; `unbiased` (default true) divides by n - 1, as torch.var. */
  var(dim?: number | number[], opts?: { unbiased?: boolean; keepdim?: boolean }): Tensor {
    return red.variance(this, dim, opts?.unbiased ?? true, opts?.keepdim);
  }
  /**
   * The largest values over `dim` (the whole tensor when omitted), as the values of `torch.max`; not differentiable:
   * call it on a detached tensor or under {@link noGrad}.
   */
  max(dim?: number, opts?: { keepdim?: boolean }): Tensor {
    return red.max(this, dim, opts?.keepdim);
  }
  /**
   * Index of the largest value along `dim` (over the flattened tensor when omitted), as `torch.argmax`; the indices
   * are float32 values.
   */
  argmax(dim?: number, opts?: { keepdim?: boolean }): Tensor {
    return red.argmax(this, dim, opts?.keepdim);
  }
  /**
   * As `torch.softmax`: `exp(x - m) / sum(exp(x - m))` along `dim`, with `m` the max along `dim` (for overflow only).
   */
  softmax(dim: number): Tensor {
    return sm.softmax(this, dim);
  }
  /** As `torch.log_softmax`: `(x - m) - log(sum(exp(x - m)))` along `dim`, with `m` the max along `dim`. */
  logSoftmax(dim: number): Tensor {
    return sm.logSoftmax(this, dim);
  }

  /** As `torch.Tensor.reshape`: the same data under a new shape (given as numbers or one array; one -1 is inferred). */
  reshape(...shape: (number | number[])[]): Tensor {
    return sh.reshape(this, shape.flat());
  }
  /** Alias of reshape: every tensor is contiguous, so every view is allowed. */
  view(...shape: (number | number[])[]): Tensor {
    return sh.view(this, shape.flat());
  }
  /** One dimension; a 1-D tensor is returned as is, as PyTorch's flatten does. */
  flatten(): Tensor {
    return this.ndim === 1 ? this : sh.reshape(this, [this.size]);
  }
  /**
   * As `torch.Tensor.transpose`: swaps dims `dim0` and `dim1` (a copy; a tensor of fewer than 2 dims is returned as
   * is).
   */
  transpose(dim0 = 0, dim1 = 1): Tensor {
    return sh.transpose(this, dim0, dim1);
  }
  /** As `torch.Tensor.permute`: reorders the dims, e.g. `permute(1, 0)` transposes a matrix (a copy). */
  permute(...dims: (number | number[])[]): Tensor {
    return sh.permute(this, dims.flat());
  }
  /** All dims reversed, as PyTorch's .T (a plain transpose for 2-D). */
  get T(): Tensor {
    return this.ndim < 2
      ? this
      : sh.permute(
          this,
          this.shape.map((_, i) => this.ndim - 1 - i),
        );
  }
  /** Rows (entries of dim 0) at `index`, in that order: batching by an index list. */
  indexSelect(index: readonly number[]): Tensor {
    return sh.indexSelect(this, index);
  }
}

/**
 * Builds an op's output. The node is recorded only when grad mode is on and an
 * input requires grad, so inference under noGrad allocates no graph. `saves`
 * false marks a rule that keeps none of the forward's tensors (see GradFn.saves).
 */
export function result(
  data: Float32Array,
  shape: readonly number[],
  name: string,
  inputs: readonly Tensor[],
  backward: (g: Tensor) => readonly (Tensor | null)[],
  saves = true,
): Tensor {
  const out = wrap(data, shape);
  if (isGradEnabled()) {
    for (let i = 0; i < inputs.length; i++) {
      if (inputs[i].requiresGrad) {
        out.requiresGrad = true;
        out.gradFn = { name, inputs, backward, mark: 0, pending: undefined, dropsGrad: true, saves, freed: false };
        break;
      }
    }
  }
  return out;
}

/**
 * After a rule consumed `g` and returned `grads`: a gradient array returned twice (the
 * same tensor for two inputs, or two tensors over one array) loses its ownership, since
 * two holders now read it; and `g` itself, when it was owned, the rule keeps no reference
 * to it (`dropped`) and nothing returned shares its array, is dead: its array goes back to
 * the backend for reuse (K.release). A `g` passed on as is keeps its flag: its one holder
 * is now the next node. The engine's rules share arrays only as whole objects (views are
 * `result(x.storage, ...)`, never subarrays), so identity of `storage` decides; comparing
 * `.buffer` would also make V8 move every small on-heap array off its heap. Gradients from
 * rules the engine did not build (`!dropped`) keep no ownership at all.
 */
function settleGrads(g: Tensor, grads: readonly (Tensor | null | undefined)[], dropped: boolean): void {
  if (!dropped) {
    g.ownedGrad = false;
    for (let i = 0; i < grads.length; i++) {
      const gi = grads[i];
      if (gi) gi.ownedGrad = false;
    }
    return;
  }
  let recycle = g.ownedGrad;
  const gData = g.storage;
  for (let i = 0; i < grads.length; i++) {
    const gi = grads[i];
    if (!gi) continue;
    const d = gi.storage;
    if (d === gData) recycle = false;
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
    K.release(gData);
  }
}

/** wrap()'s token: a shape taken as is. */
const TRUSTED = Symbol('trusted shape');

/**
 * A tensor over `data` with `shape` taken as is: no size check, no copy. For the
 * engine only, where `shape` is another tensor's shape or an array made for this
 * tensor (shapes are never written to once a tensor holds them) and
 * `data.length` is known to fit.
 */
export function wrap(data: Float32Array, shape: readonly number[]): Tensor {
  return new Tensor(data, shape, false, TRUSTED);
}

/** A gradient over `data` that a kernel has just returned and nothing else references (see Tensor.ownedGrad). */
export function ownedGrad(data: Float32Array, shape: readonly number[]): Tensor {
  const t = wrap(data, shape);
  t.ownedGrad = true;
  return t;
}
