import { K } from '../backend/registry';
import { batchNorm } from '../functional/batch-norm';
import { full, Tensor, wrap } from '../tensor';
import { Module } from './module';
import { Parameter } from './parameter';
import { pyBool, pyFloat } from './repr';
import { formatShape } from '../backend/shape';

/** Options of {@link BatchNorm1d} and {@link BatchNorm2d}, as the keyword arguments of `torch.nn.BatchNorm1d`. */
export interface BatchNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Weight of the newest batch in the running averages; null: cumulative average (1 / numBatchesTracked). */
  momentum?: number | null;
  /** Learnable per-channel `weight` (init 1) and `bias` (init 0) (default true). */
  affine?: boolean;
  /** Keep running mean and variance for eval mode (default true); without them eval mode uses batch statistics. */
  trackRunningStats?: boolean;
}

/** BatchNorm.saveRunningStats's copy: `restore` writes it back, `discard` hands it to the backend (call one, once). */
export interface SavedRunningStats {
  restore(): void;
  discard(): void;
}

/**
 * State and policy of batch normalisation (PyTorch's _BatchNorm): which
 * statistics to use and how to update them; the math is F.batchNorm.
 * - train mode: batch statistics; with trackRunningStats the running mean and
 *   (unbiased) variance are updated and numBatchesTracked counts the batch.
 * - eval mode: running statistics, or batch statistics when trackRunningStats is false.
 * Subclasses only check the input's rank.
 */
export abstract class BatchNorm extends Module {
  /** Channels: the size of the input's dimension 1. */
  readonly numFeatures: number;
  /** Added to the variance before the square root. */
  readonly eps: number;
  /** Weight of the newest batch in the running averages; null: cumulative average. May be changed between steps. */
  momentum: number | null;
  /** Whether the layer has a learnable `weight` and `bias`. */
  readonly affine: boolean;
  /** Whether the layer keeps running statistics (buffers `running_mean`, `running_var`, `num_batches_tracked`). */
  readonly trackRunningStats: boolean;
  /** Per-channel scale (gamma), initialised to 1; null unless `affine`. */
  weight: Parameter | null;
  /** Per-channel shift (beta), initialised to 0; null unless `affine`. */
  bias: Parameter | null;
  /** Running mean per channel (buffer `running_mean`, initialised to 0); null unless `trackRunningStats`. */
  runningMean: Tensor | null;
  /**
   * Running unbiased variance per channel (buffer `running_var`, initialised to 1); null unless `trackRunningStats`.
   */
  runningVar: Tensor | null;
  /** Training batches seen (buffer `num_batches_tracked`); null unless `trackRunningStats`. */
  numBatchesTracked: number | null;
  /** Keep the last training batch's statistics in `batchStats` (rx.runningStats with `batch: true` sets it). */
  keepBatchStats = false;
  /** The last training batch's per-channel mean and biased variance, while `keepBatchStats`. */
  batchStats: {
    /** The batch mean per channel. */
    mean: Tensor;
    /** The batch variance per channel, biased (divisor N, or N * L): the one train mode normalises with. */
    varBiased: Tensor;
  } | null = null;

  /**
   * A layer for `numFeatures` channels, as `torch.nn.BatchNorm1d(num_features)` (or `BatchNorm2d`), with the same
   * defaults: eps 1e-5, momentum 0.1, affine and trackRunningStats true.
   */
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    const { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true } = opts;
    const name = this.constructor.name;
    if (!Number.isInteger(numFeatures) || numFeatures <= 0)
      throw new Error(`${name}: numFeatures must be a positive integer, got ${numFeatures}`);
    if (!(eps > 0)) throw new Error(`${name}: eps must be a positive number, got ${eps}`);
    if (momentum !== null && !(momentum >= 0 && momentum <= 1))
      throw new Error(`${name}: momentum must be in [0, 1] or null, got ${momentum}`);
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    this.weight = affine ? new Parameter(new Float32Array(numFeatures).fill(1), [numFeatures]) : null;
    this.bias = affine ? new Parameter(new Float32Array(numFeatures), [numFeatures]) : null;
    this.runningMean = trackRunningStats ? full([numFeatures], 0) : null;
    this.runningVar = trackRunningStats ? full([numFeatures], 1) : null;
    this.numBatchesTracked = trackRunningStats ? 0 : null;
    this.registerParameter('weight');
    this.registerParameter('bias');
    this.registerBuffer('running_mean', 'runningMean');
    this.registerBuffer('running_var', 'runningVar');
    this.registerBuffer('num_batches_tracked', 'numBatchesTracked');
  }

  /** Throws unless x has the rank this layer takes. */
  protected abstract checkInputDim(x: Tensor): void;

  /** Running statistics back to mean 0, variance 1, count 0 (PyTorch's reset_running_stats). */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    K.fill(this.runningMean!.storage, 0);
    K.fill(this.runningVar!.storage, 1);
    this.numBatchesTracked = 0;
  }

  /**
   * A copy of the running statistics and the batch count, to put back with `restore()` (a step
   * that failed after this layer's forward had moved them) or let go with `discard()`. Copied by
   * kernel: on a device backend the copies stay on the device.
   */
  saveRunningStats(): SavedRunningStats {
    const copy = (t: Tensor | null) => (t ? wrap(K.unary('copy', t.storage), t.shape) : null);
    const mean = copy(this.runningMean),
      variance = copy(this.runningVar),
      count = this.numBatchesTracked;
    const put = (t: Tensor | null, v: Tensor | null) => {
      if (t && v) t.data.set(v.data);
    };
    const discard = () => {
      mean?.dispose();
      variance?.dispose();
    };
    return {
      restore: () => {
        put(this.runningMean, mean);
        put(this.runningVar, variance);
        this.numBatchesTracked = count;
        discard();
      },
      discard,
    };
  }

  /**
   * Normalises each channel (dim 1) of `x`: `(x - mean) / sqrt(var + eps) * weight + bias`. In train mode mean and
   * biased variance are the batch's, and the running mean and unbiased variance move towards them
   * (`running = (1 - momentum) * running + momentum * batch`, momentum `1 / numBatchesTracked` when null);
   * in eval mode the running statistics are used. A throwing call changes no state.
   */
  forward(x: Tensor): Tensor {
    this.checkInputDim(x);
    if (x.shape[1] !== this.numFeatures) {
      throw new Error(
        `${this.constructor.name}: expected input with ${this.numFeatures} channels in dim 1, ` +
          `got ${x.shape[1]} (input shape ${formatShape(x.shape)})`,
      );
    }
    const updating = this.training && this.trackRunningStats;
    // The counter is written only after F.batchNorm succeeds, so a throwing call changes nothing.
    const count = updating ? this.numBatchesTracked! + 1 : this.numBatchesTracked;
    const factor = updating ? (this.momentum ?? 1 / count!) : 0;
    const useBatchStats = this.training || !this.trackRunningStats;
    const y = batchNorm(
      x,
      useBatchStats && !updating ? null : this.runningMean,
      useBatchStats && !updating ? null : this.runningVar,
      this.weight,
      this.bias,
      useBatchStats,
      factor,
      this.eps,
      this.keepBatchStats ? (mean, varBiased) => (this.batchStats = { mean, varBiased }) : undefined,
    );
    this.numBatchesTracked = count;
    return y;
  }

  override extraRepr(): string {
    return (
      `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${pyFloat(this.momentum)}, ` +
      `affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`
    );
  }
}

/**
 * Batch normalisation over [N, C] or [N, C, L] input.
 *
 * @example
 * ```ts
 * import { nn, randn } from 'rxnn';
 * const bn = new nn.BatchNorm1d(3, { momentum: 0.1 });
 * const y = bn.forward(randn(8, 3)); // train mode: batch statistics
 * bn.numBatchesTracked; // 1
 * bn.eval();
 * bn.forward(randn(2, 3)); // eval mode: runningMean and runningVar
 * ```
 */
export class BatchNorm1d extends BatchNorm {
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3) throw new Error(`expected 2D or 3D input (got ${x.ndim}D input)`);
  }
}

/** Batch normalisation over [N, C, H, W] input. */
export class BatchNorm2d extends BatchNorm {
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 4) throw new Error(`expected 4D input (got ${x.ndim}D input)`);
  }
}
