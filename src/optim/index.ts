export { SGD } from './sgd';
export type { SGDOptions } from './sgd';
