import '../backend';
import { K } from '../backend/registry';
import { fromHost, releasedError, Storage } from '../backend/storage';
import { backward as runBackward, isGradEnabled } from '../autograd';
import type { GradFn, Variable } from '../autograd';
import { formatShape, sizeOf } from '../backend/shape';
import { formatTensor } from './format';
import { consumed, dispose, isOwned, keep, retain, settleGrads, sweepScope, TENSOR, track } from './lifetime';
import * as ew from './ops/elementwise';
import * as lin from './ops/matmul';
import * as red from './ops/reduce';
import * as sh from './ops/shape';
import * as sm from './ops/softmax';

export type Operand = Tensor | number;
/** A tensor's values as nested arrays, one level per dimension (Tensor.toArray). */
export type NestedNumbers = number | NestedNumbers[];

/**
 * A float32, row-major, contiguous tensor of `size` values; views (reshape) share their base's
 * storage.
 *
 * `storage` is an opaque handle to the values as the backend holds them (src/backend/storage.ts):
 * on a device backend (gpu in webgpu mode) they live on the device only. Reading `data` is a read
 * that may copy: it brings them to the host first (one readback when they were on the device), so
 * `data` is always current when read; hold the tensor, not its array, across operations that a
 * device backend runs. `dispose()` gives the storage back early; a training step does that for the
 * activations its graph made (src/tensor/lifetime.ts).
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
  /** The backend's handle to the values: kernel arguments and identity (read the values with `data`). */
  readonly storage: Storage;
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
   * A gradient whose storage a kernel has just returned and nothing else holds (see
   * settleGrads in lifetime.ts). Cleared when the gradient is kept or disposed.
   * @internal
   */
  ownedGrad = false;
  /**
   * Set by keep(): the tidy scope that made this tensor leaves it alone.
   * @internal
   */
  kept = false;
  private disposed = false;

  /**
   * A tensor over `data` (a Float32Array, owned by the tensor from now on: on a device backend
   * its values go to the device at first use) with `shape`. `trusted` is for the engine only (wrap).
   */
  constructor(data: Float32Array | Storage, shape: readonly number[], requiresGrad = false, trusted?: symbol) {
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
    this.storage = data instanceof Float32Array ? fromHost(data) : data;
    retain(this);
    this.requiresGrad = requiresGrad;
  }

  /** Whether `dispose()` has been called (by you, or by the tidy scope or training step that made the tensor). */
  get isDisposed(): boolean {
    return this.disposed;
  }
  /** @internal For lifetime.ts's dispose. */
  markDisposed(): void {
    this.disposed = true;
  }
  /**
   * Gives this tensor's storage back to the backend once no other tensor (a view) shares it, as
   * tfjs's `dispose`. Optional: the collector frees what nothing holds. Using the tensor afterwards throws.
   */
  dispose(): void {
    dispose(this);
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
    if (this.disposed) throw releasedError();
    return K.read(this.storage);
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
      K.accumulate(old.storage, g.storage);
      if (g.storage !== old.storage) consumed(g);
    } else if (isOwned(g)) {
      g.ownedGrad = false;
      this.grad_ = keep(g);
    } else {
      this.grad_ = keep(wrap(K.unary('copy', g.storage), g.shape));
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
    const seed = grad ?? wrap(fromHost(Float32Array.of(1)), this.shape);
    sweepScope(() => runBackward<Tensor>(this, seed, ew.add, settleGrads, opts.retainGraph === true));
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
  data: Storage,
  shape: readonly number[],
  name: string,
  inputs: readonly Tensor[],
  backward: (g: Tensor) => readonly (Tensor | null)[],
  saves = true,
): Tensor {
  // A disposed input whose storage a view still holds would compute; as tfjs, it is an error.
  for (let i = 0; i < inputs.length; i++) if (inputs[i].isDisposed) throw releasedError();
  const out = wrap(data, shape);
  if (isGradEnabled()) {
    for (let i = 0; i < inputs.length; i++) {
      if (inputs[i].requiresGrad) {
        out.requiresGrad = true;
        out.gradFn = { name, inputs, backward, mark: 0, pending: undefined, dropsGrad: true, saves, freed: false };
        track(out);
        break;
      }
    }
  }
  return out;
}

(Tensor.prototype as unknown as Record<symbol, boolean>)[TENSOR] = true;

/**
 * Whether `v` is a tensor of any copy of rxnn loaded in this process (a pipeline may come with its
 * own copy): this class, or else the registered symbol every copy's Tensor carries.
 */
export function isTensor(v: unknown): v is Tensor {
  return (
    v instanceof Tensor || (typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[TENSOR] === true)
  );
}

/** wrap()'s token: a shape taken as is. */
const TRUSTED = Symbol('trusted shape');

/**
 * A tensor over `data` with `shape` taken as is: no size check, no copy. For the
 * engine only, where `shape` is another tensor's shape or an array made for this
 * tensor (shapes are never written to once a tensor holds them) and
 * `data.length` is known to fit.
 */
export function wrap(data: Storage, shape: readonly number[]): Tensor {
  return new Tensor(data, shape, false, TRUSTED);
}

/** A gradient over `data` that a kernel has just returned and nothing else references (see Tensor.ownedGrad). */
export function ownedGrad(data: Storage, shape: readonly number[]): Tensor {
  const t = wrap(data, shape);
  t.ownedGrad = true;
  return t;
}
