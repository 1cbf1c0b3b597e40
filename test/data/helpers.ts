/** Shared helpers for test/data and test/train: the generated lesson references and row-valued datasets. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { arange, data, type Tensor } from '../../src';
import type { FixtureTensor } from '../helpers/fixtures';

/** test/fixtures/data-lesson.json, written by tools/gen_data_fixtures.py from the lesson's PyTorch code. */
export function loadLesson(): any {
  return JSON.parse(readFileSync(resolve(__dirname, '../fixtures/data-lesson.json'), 'utf8'));
}

/** A TensorDataset whose row i holds the value i in both tensors, so a batch's values are its row ids. */
export function rowDataset(n: number): data.TensorDataset {
  const ids = arange(n).reshape(n, 1);
  return new data.TensorDataset(ids, ids.clone());
}

/** The row ids of each batch of one epoch (one `for ... of`), from the batches' X values. */
export function epochBatches(loader: Iterable<Tensor[]>): number[][] {
  const out: number[][] = [];
  for (const [x, y] of loader) {
    const ids = Array.from(x.data);
    if (Array.from(y.data).join() !== ids.join()) throw new Error('X and y rows of a batch differ');
    out.push(ids);
  }
  return out;
}

/** Float32 bits as the fixture's number (a float32 value printed as a double). */
export function f32(t: FixtureTensor): number[] {
  return t.data.map(Math.fround);
}
