import { describe, expect, it } from 'vitest';
import { nn, tensor, type Tensor } from '../../src';
import { expectClose, loadFixture, type FixtureTensor } from '../helpers/fixtures';
import { forEachBackend } from '../helpers/backends';

interface Step {
  mode: 'train' | 'eval';
  input: FixtureTensor;
  error?: string;
  output?: FixtureTensor;
  gradOutput?: FixtureTensor;
  gradInput?: FixtureTensor;
  gradWeight?: FixtureTensor | null;
  gradBias?: FixtureTensor | null;
  runningMean?: FixtureTensor | null;
  runningVar?: FixtureTensor | null;
  numBatchesTracked?: number | null;
}
interface Case {
  id: string;
  layer: 'BatchNorm1d' | 'BatchNorm2d';
  options: { numFeatures: number; eps: number; momentum: number | null; affine: boolean; trackRunningStats: boolean };
  init: { weight?: FixtureTensor; bias?: FixtureTensor };
  steps: Step[];
}

const { cases } = loadFixture<{ cases: Case[] }>('batchnorm.json');
const t = (f: FixtureTensor, requiresGrad = false) => tensor(f.data, { shape: f.shape, requiresGrad });
const snapshot = (bn: nn.BatchNorm) =>
  JSON.stringify([
    bn.weight?.toArray(),
    bn.bias?.toArray(),
    bn.runningMean?.toArray(),
    bn.runningVar?.toArray(),
    bn.numBatchesTracked,
  ]);

forEachBackend((backend) => {
  describe(`batchnorm.json on ${backend}`, () => {
    it('covers every case of the fixture', () => expect(cases.length).toBe(8));

    for (const c of cases) {
      it(c.id, () => {
        const Layer = c.layer === 'BatchNorm1d' ? nn.BatchNorm1d : nn.BatchNorm2d;
        const { numFeatures, ...opts } = c.options;
        const bn = new Layer(numFeatures, opts);
        if (c.init.weight) bn.weight!.data.set(c.init.weight.data);
        if (c.init.bias) bn.bias!.data.set(c.init.bias.data);
        c.steps.forEach((s, i) => {
          const what = `${c.id} step ${i} (${s.mode})`;
          bn.train(s.mode === 'train');
          const x = t(s.input, true);
          if (s.error) {
            const before = snapshot(bn);
            expect(() => bn.forward(x)).toThrow(s.error.split(', got input size')[0]);
            expect(snapshot(bn), `${what}: state after the throw`).toBe(before);
            return;
          }
          if (bn.weight) {
            bn.weight.grad = null;
            bn.bias!.grad = null;
          }
          const y: Tensor = bn.forward(x);
          expectClose(y, s.output, `${what} output`);
          y.backward(t(s.gradOutput!));
          expectClose(x.grad, s.gradInput, `${what} gradInput`);
          expectClose(bn.weight?.grad, s.gradWeight, `${what} gradWeight`);
          expectClose(bn.bias?.grad, s.gradBias, `${what} gradBias`);
          expectClose(bn.runningMean, s.runningMean, `${what} runningMean`);
          expectClose(bn.runningVar, s.runningVar, `${what} runningVar`);
          expect(bn.numBatchesTracked, `${what} numBatchesTracked`).toBe(s.numBatchesTracked);
        });
      });
    }
  });
});
