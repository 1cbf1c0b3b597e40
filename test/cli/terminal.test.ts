import { describe, it, expect } from 'vitest';
import { PassThrough } from 'node:stream';
import { chart, finalTable, jsonView, plainView, ttyView, RunInfo } from '../../src/cli/terminal';
import { emptyRecords, record } from '../../src/cli/records';

const info: RunInfo = {
  pipeline: 'p',
  summary: 's',
  backend: 'js',
  metric: 'MSE',
  epochs: 3,
  out: 'o',
  models: [
    { name: 'a', steps: 6, done: 0 },
    { name: 'b', steps: 6, done: 0 },
  ],
};
function recs() {
  const rec = emptyRecords();
  [
    [1, 2],
    [0.5, 1.5],
    [0.25, 1.25],
  ].forEach(([a, b], i) => {
    record(rec, { kind: 'epoch', model: 'a', epoch: i + 1, train: a, test: a * 2 });
    record(rec, { kind: 'epoch', model: 'b', epoch: i + 1, train: b, test: b * 2 });
  });
  return rec;
}

describe('terminal views', () => {
  it('final table: latest train/test metric per model', () => {
    expect(finalTable(recs(), 'MSE')).toBe(
      'model  epoch  train MSE  test MSE\na      3      0.2500     0.5000\nb      3      1.2500     2.5000',
    );
  });

  it('plain view: one line per epoch, no escape codes, one uncoloured chart per model', () => {
    let out = '';
    const v = plainView((s) => (out += s));
    v.start(info);
    v.event({ kind: 'step', model: 'a', epoch: 1, step: 1, loss: 1, batchSize: 2 });
    v.event({ kind: 'epoch', model: 'a', epoch: 1, train: 1, test: 2 });
    v.finish(recs(), {});
    expect(out).not.toMatch(/\x1b/);
    expect(out).toContain('a            epoch 1/3  train MSE 1.0000  test MSE 2.0000\n');
    expect(out).not.toContain('step');
    expect(out).toContain('test MSE per epoch: a\n');
    expect(out).toContain('test MSE per epoch: b\n');
  });

  it('json view: every event and a start and end event, one JSON value per line', () => {
    let out = '';
    const v = jsonView((s) => (out += s));
    v.start(info);
    v.event({ kind: 'step', model: 'a', epoch: 1, step: 1, loss: 1, batchSize: 2 });
    v.finish(recs(), { status: 'done', out: 'o' });
    const lines = out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.kind)).toEqual(['start', 'step', 'end']);
  });

  it('tty view: progress bars carrying the latest numbers, then a coloured chart', () => {
    const stream = Object.assign(new PassThrough(), {
      isTTY: true,
      columns: 160,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    }) as any;
    let out = '';
    stream.on('data', (d: Buffer) => (out += d));
    const v = ttyView(stream);
    v.start(info);
    v.event({ kind: 'step', model: 'a', epoch: 1, step: 1, loss: 0.75, batchSize: 2 });
    v.event({ kind: 'epoch', model: 'a', epoch: 1, train: 1, test: 2 });
    v.finish(recs(), {});
    expect(out).toContain('model  epoch  train MSE  test MSE');
    expect(chart(recs(), 'MSE', true)).toMatch(/\x1b\[34m/);
    expect(out).toContain('test MSE per epoch\n');
  });
});
