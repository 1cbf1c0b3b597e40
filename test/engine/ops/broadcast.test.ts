/** Broadcasting: result shapes, values against a float64 reference, and errors naming both shapes. */
import { describe, expect, it } from 'vitest';
import { tensor, Tensor } from '../../../src';
import { ops } from '../../../src/tensor';
import { binaryRef, normalValues, sizeOf } from '../../helpers/reference';

const make = (shape: number[], seed: number) => tensor(normalValues(sizeOf(shape), seed), { shape });
const vals = (t: Tensor) => Array.from(t.data);

describe('broadcasting', () => {
  const cases: [number[], number[], number[]][] = [
    [
      [3, 1],
      [1, 4],
      [3, 4],
    ],
    [[4], [2, 3, 4], [2, 3, 4]],
    [[2, 3, 4], [4], [2, 3, 4]],
    [
      [2, 1, 4],
      [3, 1],
      [2, 3, 4],
    ],
    [[], [2, 3], [2, 3]],
    [[2, 3], [], [2, 3]],
    [[1], [5], [5]],
    [
      [5, 1, 1],
      [1, 1],
      [5, 1, 1],
    ],
    [
      [0, 3],
      [1, 3],
      [0, 3],
    ],
    [
      [2, 0],
      [2, 1],
      [2, 0],
    ],
  ];
  for (const [a, b, out] of cases) {
    it(`[${a}] op [${b}] -> [${out}]`, () => {
      const ta = make(a, 1),
        tb = make(b, 2);
      for (const op of ['add', 'sub', 'mul', 'div'] as const) {
        const f = {
          add: (x: number, y: number) => x + y,
          sub: (x: number, y: number) => x - y,
          mul: (x: number, y: number) => x * y,
          div: (x: number, y: number) => x / y,
        }[op];
        const r = ta[op](tb);
        expect(r.shape).toEqual(out);
        expect(vals(r)).toEqual(binaryRef(vals(ta), a, vals(tb), b, f).map(Math.fround));
      }
    });
  }

  it('a number operand broadcasts as a 0-d tensor, on either side', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(vals(x.add(1))).toEqual([2, 3, 4, 5]);
    expect(vals(ops.sub(10, x))).toEqual([9, 8, 7, 6]);
    expect(vals(ops.div(1, x))).toEqual([1, 0.5, 1 / 3, 0.25].map(Math.fround));
    expect(ops.mul(2, 3).shape).toEqual([]);
  });

  it('the repeated values are the source values (an outer sum and product)', () => {
    const col = tensor([[1], [2], [3]]),
      row = tensor([[10, 20, 30, 40]]);
    expect(col.add(row).toArray()).toEqual([
      [11, 21, 31, 41],
      [12, 22, 32, 42],
      [13, 23, 33, 43],
    ]);
    expect(col.mul(row).toArray()).toEqual([
      [10, 20, 30, 40],
      [20, 40, 60, 80],
      [30, 60, 90, 120],
    ]);
  });

  it('shapes that do not broadcast throw naming both shapes and the failing dimension', () => {
    expect(() => make([2, 3], 1).add(make([4], 2))).toThrow(
      'shapes [2, 3] and [4] cannot be broadcast together (dimension -1 is 3 vs 4)',
    );
    expect(() => make([2, 3, 4], 1).mul(make([3, 3, 1], 2))).toThrow(
      'shapes [2, 3, 4] and [3, 3, 1] cannot be broadcast together (dimension -3 is 2 vs 3)',
    );
    expect(() => make([3], 1).sub(make([2], 2))).toThrow(/shapes \[3\] and \[2\] cannot be broadcast/);
    expect(() => make([2, 1], 1).div(make([3, 3], 2))).toThrow(/shapes \[2, 1\] and \[3, 3\]/);
    expect(() => make([2], 1).gt(make([3], 2))).toThrow(/shapes \[2\] and \[3\]/);
  });

  it('expand (ops.expand) repeats size-1 and missing leading axes', () => {
    const x = tensor([[1], [2]]);
    const e = ops.expand(x, [3, 2, 2]);
    expect(e.shape).toEqual([3, 2, 2]);
    expect(e.toArray()).toEqual([
      [
        [1, 1],
        [2, 2],
      ],
      [
        [1, 1],
        [2, 2],
      ],
      [
        [1, 1],
        [2, 2],
      ],
    ]);
  });

  it('expand to a shape the input does not broadcast to throws, naming both shapes (never NaN padding)', () => {
    // torch.tensor([1., 2.]).expand(3) -> RuntimeError: The expanded size of the tensor (3) must match the existing size (2) ...
    expect(() => ops.expand(tensor([1, 2]), [3])).toThrow(/\[2\].*\[3\]/);
    expect(() =>
      ops.expand(
        tensor([
          [1, 2, 3],
          [4, 5, 6],
        ]),
        [2, 3, 3],
      ),
    ).toThrow(/\[2, 3\].*\[2, 3, 3\]/);
    expect(() =>
      ops.expand(
        tensor([
          [1, 2, 3],
          [4, 5, 6],
        ]),
        [3],
      ),
    ).toThrow(/\[2, 3\].*\[3\]/);
  });
});
