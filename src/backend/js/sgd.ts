import type { Kernels } from '../kernels';

export const sgdUpdate: Kernels['sgdUpdate'] = (param, grad, buf, o) => {
  for (let i = 0; i < param.length; i++) {
    let d = Math.fround(grad[i] + o.weightDecay * param[i]);
    if (o.momentum !== 0 && buf) {
      buf[i] = o.first ? d : o.momentum * buf[i] + (1 - o.dampening) * d;
      d = o.nesterov ? Math.fround(d + o.momentum * buf[i]) : buf[i];
    }
    param[i] = param[i] - o.lr * d;
  }
};
