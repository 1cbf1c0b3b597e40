export { isGradEnabled, noGrad, enableGrad } from './grad-mode';
export { backward } from './graph';
export type { GradFn, Variable } from './graph';
