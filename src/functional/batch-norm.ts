import { K } from '../backend/registry';
import { ownedGrad, result, wrap, type Tensor } from '../tensor';
import { fromHost, type Storage } from '../backend/storage';
import { formatShape } from '../backend/shape';

/**
 * The math of batch normalisation, as PyTorch's F.batch_norm; the module
 * (nn/batch-norm.ts) holds the state and the policy.
 *
 * Input is viewed as [N, C, S]. With `training` the statistics are the batch's:
 *   y = (x - mean_B) / sqrt(var_B + eps) * weight + bias,  var_B biased (divisor N*S);
 * and the running statistics given (either or both) are updated in place:
 *   running_mean = (1 - momentum) * running_mean + momentum * mean_B
 *   running_var  = (1 - momentum) * running_var  + momentum * var_B * M / (M - 1)   (unbiased, M = N*S)
 * Otherwise y = (x - running_mean) / sqrt(running_var + eps) * weight + bias.
 * Every argument is checked before anything is written, so a throwing call changes nothing.
 * `onBatchStats`, in training, receives the batch's mean and biased variance as tensors over the
 * backend's storages (read them with `data`), so a caller can watch them at no extra computation.
 */
export function batchNorm(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  training = false,
  momentum = 0.1,
  eps = 1e-5,
  onBatchStats?: (mean: Tensor, varBiased: Tensor) => void,
): Tensor {
  if (input.ndim < 2)
    throw new Error(
      `batchNorm: expected input with at least 2 dims [N, C, ...], got shape ${formatShape(input.shape)}`,
    );
  const n = input.shape[0],
    c = input.shape[1];
  const s = input.size / Math.max(n * c, 1);
  const perChannel = (name: string, t: Tensor | null) => {
    if (t && t.size !== c) {
      throw new Error(
        `batchNorm: ${name} should contain ${c} elements (one per channel of input shape ${formatShape(input.shape)}), got ${t.size}`,
      );
    }
  };
  perChannel('runningMean', runningMean);
  perChannel('runningVar', runningVar);
  perChannel('weight', weight);
  perChannel('bias', bias);
  if (!training && (!runningMean || !runningVar)) {
    throw new Error('batchNorm: running_mean and running_var must be given when training is false');
  }
  if (training && n * s <= 1) {
    throw new Error(`Expected more than 1 value per channel when training, got input size ${formatShape(input.shape)}`);
  }
  if (!(eps > 0) || !(momentum >= 0 && momentum <= 1)) {
    throw new Error(`batchNorm: expected eps > 0 and 0 <= momentum <= 1, got eps=${eps}, momentum=${momentum}`);
  }
  let mean: Storage, invstd: Storage;
  if (training) {
    const stats = K.batchNormStats(input.storage, n, c, s, eps);
    mean = stats.mean;
    invstd = stats.invstd;
    onBatchStats?.(wrap(mean, [c]), wrap(stats.varBiased, [c]));
    // Each running statistic given is updated, the other may be absent (as in PyTorch).
    if (runningMean || runningVar) {
      K.batchNormUpdateStats(
        runningMean?.storage ?? null,
        runningVar?.storage ?? null,
        mean,
        stats.varBiased,
        momentum,
        n * s,
      );
    }
  } else {
    // Eval: the running statistics are constants of this call, copied (the module may update them later).
    mean = fromHost(Float32Array.from(runningMean!.data));
    invstd = fromHost(Float32Array.from(runningVar!.data, (v) => 1 / Math.sqrt(v + eps)));
  }
  const y = K.batchNormForward(input.storage, n, c, s, mean, invstd, weight?.storage ?? null, bias?.storage ?? null);
  const inputs = weight && bias ? [input, weight, bias] : weight ? [input, weight] : bias ? [input, bias] : [input];
  return result(y, input.shape, 'NativeBatchNormBackward0', inputs, (g) => {
    const needAffine = !!(weight?.requiresGrad || bias?.requiresGrad);
    const grads = K.batchNormBackward(
      g.storage,
      input.storage,
      n,
      c,
      s,
      mean,
      invstd,
      weight?.storage ?? null,
      training,
      needAffine,
    );
    const out: (Tensor | null)[] = [ownedGrad(grads.gradInput, input.shape)];
    if (weight) out.push(grads.gradWeight ? ownedGrad(grads.gradWeight, weight.shape) : null);
    if (bias) out.push(grads.gradBias ? ownedGrad(grads.gradBias, bias.shape) : null);
    return out;
  });
}
