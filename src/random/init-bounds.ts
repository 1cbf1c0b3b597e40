/**
 * The uniform bounds `nn.Linear` uses for its default init in PyTorch 1.13, computed in
 * double exactly as torch/nn/init.py does, because the float32 cast of a bound that is
 * off by one double ulp could change the drawn weights.
 */

/**
 * `kaiming_uniform_(weight, a)` with leaky_relu gain: gain = sqrt(2 / (1 + a^2)),
 * std = gain / sqrt(fanIn), bound = sqrt(3) * std. Linear uses a = sqrt(5).
 */
export function kaimingUniformBound(fanIn: number, a = Math.sqrt(5)): number {
  const gain = Math.sqrt(2.0 / (1 + a ** 2));
  const std = gain / Math.sqrt(fanIn);
  return Math.sqrt(3.0) * std;
}

/** Linear's bias bound: 1 / sqrt(fanIn), or 0 when fanIn is 0. */
export function linearBiasBound(fanIn: number): number {
  return fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
}
