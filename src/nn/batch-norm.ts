import { K } from '../backend/registry';
import { batchNorm } from '../functional/batch-norm';
import { full, Tensor } from '../tensor';
import { Module } from './module';
import { Parameter } from './parameter';
import { pyBool, pyFloat } from './repr';
import { formatShape } from '../backend/shape';

export interface BatchNormOptions {
  eps?: number;
  /** Weight of the newest batch in the running averages; null: cumulative average (1 / numBatchesTracked). */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
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
  readonly numFeatures: number;
  readonly eps: number;
  momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  runningMean: Tensor | null;
  runningVar: Tensor | null;
  numBatchesTracked: number | null;

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

/** Batch normalisation over [N, C] or [N, C, L] input. */
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
