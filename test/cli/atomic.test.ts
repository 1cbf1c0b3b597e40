import { describe, it, expect } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/cli/atomic';
import { metricsCsv, eventsJsonl, emptyRecords, record, curvePoints, seriesByModel } from '../../src/cli/records';

describe('writeFileAtomic', () => {
  it('creates folders, replaces the file whole and leaves no temp file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxnn-atomic-'));
    const path = join(dir, 'a', 'b', 'f.txt');
    writeFileAtomic(path, 'first');
    writeFileAtomic(path, 'second, longer');
    expect(readFileSync(path, 'utf8')).toBe('second, longer');
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['f.txt']);
  });
});

describe('records', () => {
  const rec = emptyRecords();
  record(rec, { kind: 'step', model: 'pre', epoch: 1, step: 1, loss: 2.5, batchSize: 10 });
  record(rec, { kind: 'epoch', model: 'pre', epoch: 1, train: 0.5, test: 0.75 });
  record(rec, { kind: 'epoch', model: 'a,b', epoch: 1, train: 1, test: 2 });
  record(rec, { kind: 'epoch', model: 'pre', epoch: 2, train: 0.25, test: 0.5 });

  it('metrics.csv has one row per model and epoch, quoting where needed', () => {
    expect(metricsCsv(rec, 'mse')).toBe(
      'model,epoch,train_mse,test_mse\npre,1,0.5,0.75\n"a,b",1,1,2\npre,2,0.25,0.5\n',
    );
  });

  it('events.jsonl has one JSON event per line', () => {
    const lines = eventsJsonl(rec)
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toEqual({ kind: 'step', model: 'pre', epoch: 1, step: 1, loss: 2.5, batchSize: 10 });
  });

  it('curves: a train and a test point per model and epoch; series by model', () => {
    expect(curvePoints(rec)).toHaveLength(6);
    expect([...seriesByModel(rec, 'test')]).toEqual([
      ['pre', [0.75, 0.5]],
      ['a,b', [2]],
    ]);
  });
});
