import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { tensor, type Tensor } from '../tensor';

export interface ReadCsvOptions {
  /** The label column: its header name (with `header`) or its 0-based index. */
  target: string | number;
  header?: boolean;
}

/**
 * Reads a numeric CSV file into [features [N, k], labels [N, 1]], streaming it
 * through csv-parse. Ragged rows and non-numeric cells are errors naming the
 * line; nothing is skipped silently.
 */
export async function readCsv(path: string, opts: ReadCsvOptions): Promise<[Tensor, Tensor]> {
  const { target, header = true } = opts ?? ({} as ReadCsvOptions);
  if (typeof target !== 'string' && !(Number.isInteger(target) && (target as number) >= 0)) {
    throw new Error(`readCsv: target must be a column name or a 0-based column index, got ${JSON.stringify(target)}`);
  }
  const parser = createReadStream(path).pipe(parse({ relax_column_count: true, skip_empty_lines: true, trim: true, info: true }));
  let columns: string[] | null = null;
  let targetIndex = -1;
  const features: number[] = [];
  const labels: number[] = [];
  let width = -1;
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    const line = info.lines;
    if (header && !columns) {
      columns = record;
      targetIndex = typeof target === 'number' ? target : record.indexOf(target);
      if (targetIndex < 0 || targetIndex >= record.length) {
        throw new Error(`readCsv: target column ${JSON.stringify(target)} not found in ${path}; columns are ${record.map((c) => JSON.stringify(c)).join(', ')}`);
      }
      width = record.length;
      continue;
    }
    if (width < 0) {
      width = record.length;
      targetIndex = target as number;
      if (typeof target !== 'number' || targetIndex >= width) {
        throw new Error(`readCsv: without a header, target must be a column index below ${width}, got ${JSON.stringify(target)}`);
      }
    }
    if (record.length !== width) throw new Error(`readCsv: ${path} line ${line} has ${record.length} cells, expected ${width}`);
    record.forEach((cell, j) => {
      const v = cell === '' ? NaN : Number(cell);
      if (!Number.isFinite(v)) {
        throw new Error(`readCsv: ${path} line ${line}, column ${columns ? JSON.stringify(columns[j]) : j}: ${JSON.stringify(cell)} is not a number`);
      }
      if (j === targetIndex) labels.push(v);
      else features.push(v);
    });
  }
  if (labels.length === 0) throw new Error(`readCsv: ${path} has no data rows`);
  return [tensor(features, { shape: [labels.length, width - 1] }), tensor(labels, { shape: [labels.length, 1] })];
}
