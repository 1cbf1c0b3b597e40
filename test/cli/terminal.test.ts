import { describe, it, expect } from 'vitest';
import { PassThrough } from 'node:stream';
import stringWidth from 'string-width';
import { chart, finalTable, jsonView, plainView, progressFormat, ttyView, RunInfo } from '../../src/cli/terminal';
import { emptyRecords, record } from '../../src/cli/records';
import { useColor } from '../../src/cli/color';

/** The escape character, built so that no regular expression literal holds a control character. */
const ESC = String.fromCharCode(27);
const ANSI = new RegExp(`${ESC}\\[[0-9;]*m`, 'g');
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
/** A fake terminal of `columns` columns that collects what is written. */
function terminal(columns: number) {
  const stream = Object.assign(new PassThrough(), {
    isTTY: true,
    columns,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  });
  const out = { text: '' };
  stream.on('data', (d: Buffer) => (out.text += String(d)));
  return { stream: stream as unknown as NodeJS.WriteStream, out };
}

describe('terminal views', () => {
  it('final table: latest train/test metric per model', () => {
    expect(finalTable(recs(), 'MSE')).toBe(
      'model  epoch  train MSE  test MSE\na      3      0.2500     0.5000\nb      3      1.2500     2.5000',
    );
  });

  it('plain view: one line per epoch padded to the longest model name, no escape codes, a chart', () => {
    let out = '';
    const long = { ...info, models: [...info.models, { name: 'batch100/m=0.01', steps: 6, done: 0 }] };
    const v = plainView((s) => (out += s), { width: 80, color: false });
    v.start(long);
    v.event({ kind: 'step', model: 'a', epoch: 1, step: 1, loss: 1, batchSize: 2 });
    v.event({ kind: 'epoch', model: 'a', epoch: 1, train: 1, test: 2 });
    v.event({ kind: 'epoch', model: 'batch100/m=0.01', epoch: 1, train: 1, test: 2 });
    v.finish(recs(), {});
    expect(out).not.toContain(ESC);
    expect(out).toContain('a                epoch 1/3  train MSE 1.0000  test MSE 2.0000\n');
    expect(out).toContain('batch100/m=0.01  epoch 1/3  train MSE 1.0000  test MSE 2.0000\n');
    expect(out).not.toContain('step');
    expect(out).toContain('test MSE per epoch\n');
    expect(out).toContain('● a   ○ b');
    for (const line of out.split('\n')) expect(stringWidth(line)).toBeLessThanOrEqual(80);
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

  it('tty view: progress lines with the numbers before the bar, then a coloured chart as wide as the terminal', () => {
    const { stream, out } = terminal(100);
    const v = ttyView(stream, {});
    v.start(info);
    v.event({ kind: 'step', model: 'a', epoch: 1, step: 1, loss: 0.75, batchSize: 2 });
    v.event({ kind: 'epoch', model: 'a', epoch: 1, train: 1, test: 2 });
    v.finish(recs(), {});
    expect(out.text).toMatch(
      / a {6}epoch 1\/3 {2}loss {2}0\.7500 {2}train {2}1\.0000 {2}test {2}2\.0000 {2}█+░+ {2}16%/,
    );
    expect(out.text).toContain('model  epoch  train MSE  test MSE');
    expect(out.text).toMatch(new RegExp(`${ESC}\\[38;5;\\d+m●`));
    expect(out.text).toContain('test MSE per epoch\n');
    const chartLines = out.text.slice(out.text.indexOf('test MSE per epoch')).split('\n');
    for (const line of chartLines) expect(stringWidth(line.replace(ANSI, ''))).toBeLessThanOrEqual(100);
    expect(Math.max(...chartLines.map((l) => stringWidth(l.replace(ANSI, ''))))).toBeGreaterThan(90);
  });

  it('tty view honours NO_COLOR, and FORCE_COLOR overrides it', () => {
    const { stream, out } = terminal(80);
    const v = ttyView(stream, { NO_COLOR: '1' });
    v.start(info);
    v.finish(recs(), {});
    expect(out.text.slice(out.text.indexOf('model  epoch'))).not.toContain(ESC);
    expect(useColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColor({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(useColor({ isTTY: false }, {})).toBe(false);
    expect(useColor({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColor({ isTTY: false }, { FORCE_COLOR: '', NO_COLOR: '1' })).toBe(true);
    expect(useColor({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
    expect(useColor({ isTTY: true }, { FORCE_COLOR: 'false' })).toBe(false);
    expect(useColor({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });

  it('progress lines: at 80 columns the numbers of the longest bn-momentum model fit, the bar comes last', () => {
    const names = ['batch10/m=0.01', 'batch100/m=0.01', 'batch100/m=0.9'];
    const i = { ...info, epochs: 400, models: names.map((name) => ({ name, steps: 1, done: 0 })) };
    const { format, barsize } = progressFormat(i, 80);
    expect(format.indexOf('{bar}')).toBeGreaterThan(format.indexOf('{test}'));
    const line = format
      .replace('{name}', 'batch100/m=0.01')
      .replace('{epoch}', '400')
      .replace(/\{(loss|train|test)\}/g, '49.0659');
    expect(stringWidth(line.slice(0, line.indexOf('{bar}')).trimEnd())).toBeLessThanOrEqual(80);
    expect(barsize).toBeGreaterThanOrEqual(6);
    expect(progressFormat(i, 200).barsize).toBe(30);
  });

  it('tty view: a note longer than the terminal is wrapped, not cut', () => {
    const { stream, out } = terminal(40);
    const v = ttyView(stream, { NO_COLOR: '1' });
    v.start(info);
    v.note('rxnn: warning: batch10/m=0.9 layer normalize1: momentum 0.9 weighs each new batch heavily');
    v.finish(recs(), {});
    const text = out.text.replace(new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]`, 'g'), '');
    expect(text).toContain('rxnn: warning: batch10/m=0.9 layer\n');
    // Written over the bars, every line clears what is left of the bar line it replaces.
    expect(out.text).toContain(
      `rxnn: warning: batch10/m=0.9 layer${ESC}[0K\nnormalize1: momentum 0.9 weighs each new${ESC}[0K\n`,
    );
    expect(text).toContain('normalize1: momentum 0.9 weighs each new\nbatch heavily\n');
  });

  it('chart: one per group of models (bn-momentum by batch size), each model under its own name', () => {
    const rec = emptyRecords();
    for (const g of ['batch10', 'batch100'])
      for (const m of ['m=0.1', 'm=0.9'])
        for (let e = 1; e <= 5; e++)
          record(rec, { kind: 'epoch', model: `${g}/${m}`, epoch: e, train: 1, test: e * (m === 'm=0.1' ? 1 : 2) });
    const c = chart(rec, 'MSE', { width: 80, color: false });
    expect(c).toMatch(/test MSE per epoch: batch10( \(log scale\))?\n/);
    expect(c).toMatch(/test MSE per epoch: batch100( \(log scale\))?\n/);
    expect(c.match(/● m=0\.1 {3}○ m=0\.9/g)).toHaveLength(2);
  });
});
