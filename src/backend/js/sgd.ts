import type { HostKernels } from '../kernels';
import { simd } from './simd';

/** Parameters at or above which (up to WASM_MAX_ELEMENTS) the no-momentum update runs in wasm (src/backend/wasm/sgd.ts; same bits). */
export const SGD_WASM_MIN = 1024;

/**
 * The rule of Kernels.sgdUpdate (kernels.ts). A float32 times a float32 is exact in
 * float64, so each sum below, computed in float64 and stored or fround-ed once, is
 * PyTorch's fused multiply-add (up to a double rounding, too rare to have been seen in
 * test/fixtures/sgd-bits.json).
 */
export const sgdUpdate: HostKernels['sgdUpdate'] = (param, grad, buf, o) => {
  const lr = Math.fround(o.lr),
    wd = Math.fround(o.weightDecay);
  if (param.length >= SGD_WASM_MIN && param.length <= simd.maxElements && !(o.momentum !== 0 && buf)) {
    simd.sgdPlain(param, grad, lr, wd);
    return;
  }
  const m = Math.fround(o.momentum),
    keep = Math.fround(1 - o.dampening);
  for (let i = 0; i < param.length; i++) {
    // PyTorch adds the decay only when it is non-zero (0 * Inf would be NaN).
    let d = wd !== 0 ? Math.fround(grad[i] + wd * param[i]) : grad[i];
    if (m !== 0 && buf) {
      buf[i] = o.first ? d : Math.fround(Math.fround(m * buf[i]) + keep * d);
      d = o.nesterov ? Math.fround(d + m * buf[i]) : buf[i];
    }
    param[i] = param[i] - lr * d;
  }
};
