/**
 * readCsv on temporary files: header and headerless files, the target by name and by
 * index, and the errors for ragged rows, non-numeric cells (with the line number),
 * unknown targets and missing files.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { data } from '../../src';

const dir = mkdtempSync(join(tmpdir(), 'rxnn-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;
function csv(text: string): string {
  const path = join(dir, `t${count++}.csv`);
  writeFileSync(path, text);
  return path;
}

const values = (t: { data: Float32Array }) => Array.from(t.data);

describe('readCsv', () => {
  const withHeader = 'x1,y,x2\n1,10,2\n3,30,4\n-0.5,50,1e-3\n';

  it('reads a file with a header, the target by name: features keep the other columns in order', async () => {
    const [x, y] = await data.readCsv(csv(withHeader), { target: 'y' });
    expect(x.shape).toEqual([3, 2]);
    expect(y.shape).toEqual([3, 1]);
    expect(values(x)).toEqual([1, 2, 3, 4, -0.5, Math.fround(1e-3)]);
    expect(values(y)).toEqual([10, 30, 50]);
  });

  it('takes the target by index with a header too (header is the default)', async () => {
    const [x, y] = await data.readCsv(csv(withHeader), { target: 2 });
    expect(values(x)).toEqual([1, 10, 3, 30, -0.5, 50]);
    expect(values(y)).toEqual([2, 4, Math.fround(1e-3)]);
  });

  it('reads a headerless file with the target by index; blank lines, spaces and CRLF are fine', async () => {
    const path = csv('1, 2 ,3\r\n\r\n4,5,6\r\n7,8,9');
    const [x, y] = await data.readCsv(path, { target: 0, header: false });
    expect(x.shape).toEqual([3, 2]);
    expect(values(x)).toEqual([2, 3, 5, 6, 8, 9]);
    expect(values(y)).toEqual([1, 4, 7]);
  });

  it('ignores a UTF-8 byte order mark before the header', async () => {
    const [, y] = await data.readCsv(csv('\ufeffy,x\n1,2\n'), { target: 'y' });
    expect(values(y)).toEqual([1]);
  });

  it('a ragged row is an error naming the line and the cell counts', async () => {
    const path = csv('a,b,y\n1,2,3\n4,5\n6,7,8\n');
    await expect(data.readCsv(path, { target: 'y' })).rejects.toThrow(`${path} line 3 has 2 cells, expected 3`);
    const long = csv('1,2\n3,4,5\n');
    await expect(data.readCsv(long, { target: 1, header: false })).rejects.toThrow(
      `${long} line 2 has 3 cells, expected 2`,
    );
  });

  it.each([['abc'], [''], ['0x10'], ['Infinity'], ['1;5'], ['NaN']])(
    'a non-numeric cell %j is an error naming line, column and cell',
    async (cell) => {
      const path = csv(`a,b,y\n1,2,3\n4,${cell},6\n`);
      await expect(data.readCsv(path, { target: 'y' })).rejects.toThrow(
        `${path} line 3, column "b": ${JSON.stringify(cell)} is not a number`,
      );
    },
  );

  it.each([['1e400'], ['-1e39'], ['3.5e38']])(
    'a cell %j past the float32 range is an error naming line, column and cell',
    async (cell) => {
      const path = csv(`a,b,y\n1,2,3\n4,${cell},6\n`);
      await expect(data.readCsv(path, { target: 'y' })).rejects.toThrow(
        `${path} line 3, column "b": ${JSON.stringify(cell)} is outside the float32 range`,
      );
      const bare = csv(`1,2\n${cell},4\n`);
      await expect(data.readCsv(bare, { target: 1, header: false })).rejects.toThrow(
        `${bare} line 2, column 0: ${JSON.stringify(cell)} is outside the float32 range`,
      );
    },
  );

  it('the largest float32 and values that round to it or to zero are accepted', async () => {
    const [x] = await data.readCsv(csv('x,y\n3.4028234e38,1\n-3.40282356e38,2\n1e-50,3\n'), { target: 'y' });
    const max = Math.fround(3.4028234663852886e38);
    expect(values(x)).toEqual([max, -max, 0]);
  });

  it('in a headerless file the column is named by its index', async () => {
    const path = csv('1,2\n3,x\n');
    await expect(data.readCsv(path, { target: 0, header: false })).rejects.toThrow(
      `${path} line 2, column 1: "x" is not a number`,
    );
  });

  it('an unknown target column, and a target index past the last column', async () => {
    const path = csv(withHeader);
    await expect(data.readCsv(path, { target: 'label' })).rejects.toThrow('target column "label" not found');
    await expect(data.readCsv(path, { target: 3 })).rejects.toThrow('target column 3 not found');
    await expect(data.readCsv(csv('1,2\n'), { target: 2, header: false })).rejects.toThrow(
      'target must be a column index below 2',
    );
  });

  it('bad options: a target name without a header, a negative or fractional index', async () => {
    const path = csv(withHeader);
    await expect(data.readCsv(path, { target: 'y', header: false })).rejects.toThrow(
      'target "y" is a column name, but header is false',
    );
    await expect(data.readCsv(path, { target: -1 })).rejects.toThrow(
      'target must be a column name or a 0-based column index, got -1',
    );
    await expect(data.readCsv(path, { target: 1.5 })).rejects.toThrow('got 1.5');
  });

  it('a file with a header and no rows, and an empty file, are errors', async () => {
    const head = csv('a,y\n');
    await expect(data.readCsv(head, { target: 'y' })).rejects.toThrow(`${head} has no data rows`);
    const empty = csv('');
    await expect(data.readCsv(empty, { target: 0, header: false })).rejects.toThrow(`${empty} has no data rows`);
  });

  it('a missing file rejects with ENOENT (the process does not crash)', async () => {
    await expect(data.readCsv(join(dir, 'missing.csv'), { target: 0 })).rejects.toThrow(/ENOENT/);
  });

  it('a large file streams through and feeds the loaders', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `${i},${i % 3}`).join('\n');
    const [x, y] = await data.readCsv(csv(`f,c\n${rows}\n`), { target: 'c' });
    expect(x.shape).toEqual([5000, 1]);
    expect(x.data[4999]).toBe(4999);
    expect(y.data[4999]).toBe(4999 % 3);
    const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 1000 });
    expect([...loader].length).toBe(5);
  });
});
