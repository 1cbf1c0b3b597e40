import { describe, expect, it } from 'vitest';
import { expandGrid, parseSeeds, parseSet, settingLabel } from '../../src/sweep';

const defaults = { epochs: 20, seed: 420, lr: 0.03, batchSize: 10, momentum: 0.1, hidden: [4], bn: 'pre', flag: false };
const keys = Object.keys(defaults).filter((k) => k !== 'seed');

describe('sweep grid', () => {
  it('seeds: ranges, lists and both', () => {
    expect(parseSeeds('0..3')).toEqual([0, 1, 2, 3]);
    expect(parseSeeds('5')).toEqual([5]);
    expect(parseSeeds('0..2,10, 12')).toEqual([0, 1, 2, 10, 12]);
  });

  it('malformed seeds name the argument, the value and what is expected', () => {
    for (const bad of ['', '3..1', 'a..b', '0...3', '-1', '1,1', '0..4294967296', '1.5']) {
      expect(() => parseSeeds(bad)).toThrow(`--seeds '${bad}'`);
    }
    expect(() => parseSeeds('3..1')).toThrow(/runs backwards; expected a range like 0..29/);
    expect(() => parseSeeds('1,2,1')).toThrow(/seed 1 is given twice/);
  });

  it('--set values are typed like the defaults and checked against declared bounds', () => {
    expect(parseSet('momentum=0.01,0.1, 0.5', defaults, keys)).toEqual({ key: 'momentum', values: [0.01, 0.1, 0.5] });
    expect(parseSet('hidden=[4],[8,8]', defaults, keys)).toEqual({ key: 'hidden', values: [[4], [8, 8]] });
    expect(parseSet('bn=pre,post', defaults, keys).values).toEqual(['pre', 'post']);
    expect(parseSet('flag=true,false', defaults, keys).values).toEqual([true, false]);
    expect(parseSet('batch-size=10,100', defaults, keys).key).toBe('batchSize');
    expect(() => parseSet('momentum=0.1,fast', defaults, keys)).toThrow("--set momentum: 'fast' is not a number");
    expect(() => parseSet('batchSize=0', defaults, keys, { batchSize: { doc: '', integer: true, min: 1 } })).toThrow(
      "'0' is not an integer ≥ 1",
    );
    expect(() => parseSet('hidden=[4.5]', defaults, keys, { hidden: { doc: '', integer: true, min: 1 } })).toThrow(
      /array like \[4,4\], each item an integer ≥ 1/,
    );
    expect(() => parseSet('bn=mid', defaults, keys, { bn: { doc: '', choices: ['pre', 'post'] } })).toThrow(
      /one of pre, post/,
    );
  });

  it('an unknown key names the keys the pipeline takes; no values is an empty grid', () => {
    expect(() => parseSet('momentun=0.1', defaults, keys)).toThrow(
      "--set 'momentun=0.1': unknown parameter 'momentun'; expected one of epochs, lr, batchSize, momentum, hidden, bn, flag",
    );
    expect(() => parseSet('momentum=', defaults, keys)).toThrow(/no values; expected momentum=v1,v2/);
    expect(() => parseSet('momentum=0.1,0.1', defaults, keys)).toThrow(/given twice/);
  });

  it('the grid is the product of the axes, first axis slowest', () => {
    const g = expandGrid([
      { key: 'a', values: [1, 2] },
      { key: 'b', values: ['x', 'y'] },
    ]);
    expect(g).toEqual([
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 2, b: 'x' },
      { a: 2, b: 'y' },
    ]);
    expect(expandGrid([])).toEqual([{}]);
    expect(() => expandGrid([{ key: 'a', values: [] }])).toThrow(/grid is empty/);
    expect(settingLabel({ momentum: 0.1, hidden: [4, 4] })).toBe('momentum=0.1 hidden=[4,4]');
    expect(settingLabel({})).toBe('default');
  });
});
