import { describe, expect, it } from 'vitest';
import { arange, nn } from '../../src';
import { expectClose, loadFixture } from '../helpers/fixtures';
import { forEachBackend } from '../helpers/backends';

const { cells } = loadFixture('seed-cells.json');

forEachBackend((backend) =>
  describe(`the lesson's BatchNorm1d cells (seed-cells.json) on ${backend}`, () => {
    const f = arange(9).reshape(3, 3);

    it('f = arange(9).reshape(3, 3)', () => expectClose(f, cells.f, 'f'));

    it('default parameters, train output and running stats after one batch', () => {
      const bn1 = new nn.BatchNorm1d(3);
      bn1.parameters().forEach((p, i) => expectClose(p, cells.params_init[i], `parameter ${i}`));
      expect(bn1.parameters()).toHaveLength(cells.params_init.length);
      expectClose(bn1.forward(f), cells.bn1_train, 'bn1(f)');
      expectClose(bn1.runningMean, cells.bn1_running_mean, 'running_mean');
      expectClose(bn1.runningVar, cells.bn1_running_var, 'running_var');
    });

    it('z-scores with unbiased and biased variance', () => {
      const centered = f.sub(f.mean(0));
      expectClose(centered.div(f.var(0).sqrt()), cells.zscore_unbiased_var, 'unbiased z-score');
      expectClose(centered.div(f.var(0, { unbiased: false }).sqrt()), cells.zscore_biased_var, 'biased z-score');
    });

    it('affine=false has no parameters and normalises the same', () => {
      const bn2 = new nn.BatchNorm1d(3, { affine: false });
      expect(bn2.parameters().length).toBe(cells.affine_false_params);
      expectClose(bn2.forward(f), cells.bn2_affine_false_train, 'bn2(f)');
    });

    it('a fresh layer in eval mode uses the initial running stats and leaves them', () => {
      const bn5 = new nn.BatchNorm1d(3).eval();
      expectClose(bn5.forward(f), cells.bn5_eval, 'bn5(f)');
      expectClose(bn5.runningMean, cells.bn5_running_mean_after_eval, 'running_mean');
      expectClose(bn5.runningVar, cells.bn5_running_var_after_eval, 'running_var');
      expect(bn5.numBatchesTracked).toBe(0);
    });

    it("prints PyTorch's repr", () => expect(new nn.BatchNorm1d(3).toString()).toBe(cells.repr));
  }),
);
