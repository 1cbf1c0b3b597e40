export { isGradEnabled, noGrad, enableGrad } from './grad-mode';
export { backward } from './graph';
export type { GradFn, SettleGrads, Variable } from './graph';
