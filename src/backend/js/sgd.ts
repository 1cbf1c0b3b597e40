import type { Kernels } from '../kernels';
import { WASM_MAX_ELEMENTS } from '../wasm/limits';
import { wasmSgdPlain } from '../wasm/sgd';

/** Parameters at or above which (up to WASM_MAX_ELEMENTS) the no-momentum update runs in wasm (src/backend/wasm/sgd.ts; same bits). */
export const SGD_WASM_MIN = 1024;

export const sgdUpdate: Kernels['sgdUpdate'] = (param, grad, buf, o) => {
  if (param.length >= SGD_WASM_MIN && param.length <= WASM_MAX_ELEMENTS && !(o.momentum !== 0 && buf)) {
    wasmSgdPlain(param, grad, o.lr, o.weightDecay);
    return;
  }
  for (let i = 0; i < param.length; i++) {
    let d = Math.fround(grad[i] + o.weightDecay * param[i]);
    if (o.momentum !== 0 && buf) {
      buf[i] = o.first ? d : o.momentum * buf[i] + (1 - o.dampening) * d;
      d = o.nesterov ? Math.fround(d + o.momentum * buf[i]) : buf[i];
    }
    param[i] = param[i] - o.lr * d;
  }
};
