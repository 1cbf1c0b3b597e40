import { describe, expect, it } from 'vitest';
import {
  comparisonLine,
  parseRunsCsv,
  rankingRows,
  runsCsv,
  summarize,
  summaryCsv,
  sweepReportSpec,
  type RunResult,
  type RunSpec,
} from '../../src/sweep';

const ref = { name: 'p', module: 'm', exportName: 'e' };
const spec = (id: string, seed: number, settingIndex = 0, setting: Record<string, unknown> = {}): RunSpec => ({
  id,
  rxnn: '0',
  pipeline: ref,
  params: {},
  seed,
  setting,
  settingIndex,
});

describe('sweep outputs', () => {
  // Three seeds, two models, two epochs; seed 2's 'b' diverged at epoch 2.
  const runs = [spec('r0', 0), spec('r1', 1), spec('r2', 2)];
  const results = new Map<string, RunResult>([
    [
      'r0',
      {
        rows: [
          ['a', 1, 3, 4],
          ['b', 1, 5, 6],
          ['a', 2, 1, 2],
          ['b', 2, 2, 3],
        ],
      },
    ],
    [
      'r1',
      {
        rows: [
          ['a', 1, 3, 4],
          ['b', 1, 5, 6],
          ['a', 2, 0.1 + 0.2, 1],
          ['b', 2, 2, 5],
        ],
      },
    ],
    [
      'r2',
      {
        rows: [
          ['a', 1, 3, 4],
          ['b', 1, 5, 6],
          ['a', 2, 1, 3],
          ['b', 2, 2, 'NaN'],
        ],
      },
    ],
  ]);

  it('runs.csv keeps every bit and reads back to the same results', () => {
    const csv = runsCsv(runs, results, [], 'MSE');
    expect(csv.split('\n')[0]).toBe('run,seed,model,epoch,train_mse,test_mse');
    expect(csv).toContain('r1,1,a,2,0.30000000000000004,1');
    expect(csv).toContain('r2,2,b,2,2,NaN');
    expect(parseRunsCsv(csv)).toEqual(results);
    const axes = [{ key: 'hidden', values: [[4, 4]] }];
    const withSetting = runsCsv([spec('r0', 0, 0, { hidden: [4, 4] })], results, axes, 'MSE');
    expect(withSetting.split('\n')[1]).toBe('r0,0,"[4,4]",a,1,3,4');
  });

  it('summary: per model and epoch over the seeds; ranking and paired comparison on the last epoch', () => {
    const s = summarize(runs, results, 'MSE');
    const bTest2 = s.epochs.find((e) => e.model === 'b' && e.epoch === 2 && e.split === 'test')!;
    expect(bTest2).toMatchObject({ n: 2, nonFinite: 1, mean: 4, median: 4 });
    expect(s.ranking[0].rows.map((r) => r.model)).toEqual(['a', 'b']);
    expect(s.comparisons).toHaveLength(1);
    expect(s.comparisons[0]).toMatchObject({ a: 'a', b: 'b', aBetter: 2, bBetter: 0, ties: 0 });
    expect(s.comparisons[0].diff.mean).toBe(-2.5);
    expect(comparisonLine(s.comparisons[0], 'MSE')).toMatch(
      /^a vs b, test MSE: −2\.500 \[−21\.56, 16\.56\], a better on 2 of 2 seeds$/,
    );
    expect(summaryCsv(s, []).split('\n')[0]).toBe('model,epoch,split,n,non_finite,mean,sd,median,ci95_low,ci95_high');
    expect(rankingRows(s, 'MSE')[2]).toEqual([
      '2',
      'b',
      '4.000 [−8.706, 16.71]',
      '1.414',
      '4.000',
      '2 (+1 non-finite)',
    ]);
    const acc = summarize(runs, results, 'accuracy');
    expect(acc.ranking[0].rows.map((r) => r.model)).toEqual(['b', 'a']);
  });

  it('the issue example reads as asked', () => {
    const c = {
      settingIndex: 0,
      a: 'pre',
      b: 'post',
      diff: { n: 30, nonFinite: 0, mean: -1.21, sd: 0, median: 0, ciLow: -1.63, ciHigh: -0.79 },
      aBetter: 27,
      bBetter: 3,
      ties: 0,
    };
    expect(comparisonLine(c, 'MSE')).toBe(
      'pre vs post, test MSE: −1.210 [−1.630, −0.7900], pre better on 27 of 30 seeds',
    );
    expect(comparisonLine({ ...c, aBetter: 15, bBetter: 15 })).toBe(
      'pre vs post: −1.210 [−1.630, −0.7900], each better on 15 of 30 seeds',
    );
  });

  it('report.svg spec: a band and a line per model, panels per setting and model group', () => {
    const grouped = new Map<string, RunResult>([
      [
        'r0',
        {
          rows: [
            ['g1/x', 1, 1, 2],
            ['g2/x', 1, 1, 3],
          ],
        },
      ],
    ]);
    const two = [spec('r0', 0, 0, { lr: 0.1 }), spec('r1', 0, 1, { lr: 0.2 })];
    const s = sweepReportSpec(summarize(two, grouped, 'MSE'), { title: 't', metric: 'MSE', seeds: 1 });
    expect(s.facet).toEqual({
      row: { field: 'setting', type: 'nominal', title: null, sort: ['lr=0.1', 'lr=0.2'] },
      column: { field: 'group', type: 'nominal', title: null, sort: ['g1', 'g2'] },
    });
    const layer = (s.spec as { layer: { mark: { type: string } }[] }).layer;
    expect(layer.map((l) => l.mark.type)).toEqual(['errorband', 'line']);
    expect((s.data as { values: unknown[] }).values).toEqual([
      { setting: 'lr=0.1', group: 'g1', model: 'x', epoch: 1, mean: 2, low: 2, high: 2 },
      { setting: 'lr=0.1', group: 'g2', model: 'x', epoch: 1, mean: 3, low: 3, high: 3 },
    ]);
  });
});
