import { describe, expect, it } from 'vitest';
import { manualSeed, nn, optim, tensor, type Tensor } from '../../src';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expectClose, loadFixture, type FixtureTensor } from '../helpers/fixtures';
import { forEachBackend } from '../helpers/backends';

interface Case {
  id: string;
  seed?: number;
  repr?: string;
  model: {
    activation: 'relu' | 'sigmoid' | 'tanh';
    inFeatures: number;
    hidden: number[];
    outFeatures: number;
    bias: boolean;
    bn: 'none' | 'pre' | 'post';
    momentum: number;
  };
  task: 'reg' | 'cla';
  optimizer: { lr: number; momentum: number; weightDecay: number };
  init: Record<string, FixtureTensor | number>;
  batches: { x: FixtureTensor; y: FixtureTensor }[];
  after: { losses: number[]; state: Record<string, FixtureTensor | number> };
  eval: { x: FixtureTensor; yhat: FixtureTensor };
}

const { cases } = loadFixture<{ cases: Case[] }>('mlp.json');
/** More references made by tools/gen_extra_fixtures.py: deeper nets, tanh/sigmoid, SGD momentum and weight decay, classification, no bias. */
const extra = JSON.parse(readFileSync(resolve(__dirname, '../fixtures/mlp-extra.json'), 'utf8')).cases as Case[];
const t = (f: FixtureTensor) => tensor(f.data, { shape: f.shape });
/** The fixtures' seeds: gen_fixtures.py calls torch.manual_seed(seed) right before building each net. */
const SEEDS: Record<string, number> = {
  'mlp/seed-net_class1-bn-pre': 420,
  'mlp/seed-net_class1-bn-post': 421,
  'mlp/seed-net_class1-no-bn': 422,
};

function expectState(
  actual: Record<string, Tensor | number>,
  expected: Record<string, FixtureTensor | number>,
  what: string,
  atol?: number,
  rtol?: number,
) {
  expect(Object.keys(actual), `${what} keys`).toEqual(Object.keys(expected));
  for (const [k, v] of Object.entries(expected)) {
    if (typeof v === 'number') expect(actual[k], `${what} ${k}`).toBe(v);
    else expectClose(actual[k] as Tensor, v, `${what} ${k}`, atol, rtol);
  }
}

forEachBackend((backend) => {
  describe(`mlp.json on ${backend}`, () => {
    it('covers every case of the fixtures', () => expect([cases.length, extra.length]).toEqual([3, 4]));

    for (const c of [...cases, ...extra]) {
      it(`${c.id}: seeded init, per-step losses, final state, eval output`, () => {
        manualSeed(c.seed ?? SEEDS[c.id]);
        const net = new nn.MLP(c.model);
        // PyTorch names the lesson's class Net; the children's lines must match exactly.
        if (c.repr) expect(net.toString().replace(/^MLP\(/, 'Net(')).toBe(c.repr);
        // Same seed, same draws: PyTorch's initial weights to the bit.
        expectState(net.stateDict(), c.init, `${c.id} seeded init`, 0, 0);
        net.loadStateDict(c.init);
        const opt = new optim.SGD(net.parameters(), c.optimizer);
        const crit = c.task === 'reg' ? new nn.MSELoss() : new nn.CrossEntropyLoss();
        c.batches.forEach((b, i) => {
          net.train();
          const y = c.task === 'reg' ? t(b.y) : t(b.y).flatten();
          const loss = crit.forward(net.forward(t(b.x)), y);
          opt.zeroGrad();
          loss.backward();
          opt.step();
          expect(
            Math.abs(loss.item() - c.after.losses[i]),
            `${c.id} loss ${i}: ${loss.item()} vs ${c.after.losses[i]}`,
          ).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(c.after.losses[i]));
        });
        expectState(net.stateDict(), c.after.state, `${c.id} final state`);
        net.eval();
        expectClose(net.forward(t(c.eval.x)), c.eval.yhat, `${c.id} eval yhat`);
      });
    }
  });
});
