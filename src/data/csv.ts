import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { parse } from 'csv-parse';
import { tensor, type Tensor } from '../tensor';
import { check, expect, is, options } from '../validate';

const csvOptions = {
  target: expect<string | number>(
    'a column name or a 0-based column index',
    (v) => typeof v === 'string' || is.nonNegativeInt.test(v),
  ),
  header: is.boolean,
};

/** Options of {@link readCsv}. */
export interface ReadCsvOptions {
  /** The label column: its header name (with `header`) or its 0-based index. */
  target: string | number;
  /** Whether the first row names the columns (default true). */
  header?: boolean;
}

/** A decimal number as a CSV cell writes it: 12, -0.5, .5, 1e-3 (no hex, no "Infinity", no blanks). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Reads a numeric CSV file into [features [N, k], labels [N, 1]], streaming it
 * through csv-parse. Ragged rows, non-numeric cells and numbers too large for
 * float32 (1e39) are errors naming the file, the line and the column; nothing
 * is skipped silently except empty lines. A UTF-8 byte order mark is ignored. A missing or unreadable file
 * rejects the promise with the file system's error.
 *
 * @example
 * ```ts
 * import { data } from 'rxnn';
 * // houses.csv: "area,rooms,price" then one numeric row per house
 * const [features, labels] = await data.readCsv('houses.csv', { target: 'price' });
 * features.shape; // [N, 2]: area and rooms
 * labels.shape; // [N, 1]: price
 * ```
 */
export async function readCsv(path: string, opts: ReadCsvOptions): Promise<[Tensor, Tensor]> {
  check(
    'readCsv',
    'path',
    path,
    expect<string>('a file path', (v) => typeof v === 'string' && v !== ''),
  );
  check(
    'readCsv',
    'opts',
    opts,
    expect<object>('an options object with a target', (v) => typeof v === 'object' && v !== null),
  );
  const { target, header = true } = options('readCsv', 'opts', opts, csvOptions);
  if (target === undefined) {
    throw new Error('readCsv: opts.target must be a column name or a 0-based column index, got undefined');
  }
  if (!header && typeof target === 'string') {
    throw new Error(
      `readCsv: target ${JSON.stringify(target)} is a column name, but header is false; give a 0-based column index`,
    );
  }
  const parser = parse({ relax_column_count: true, skip_empty_lines: true, trim: true, bom: true, info: true });
  // pipeline forwards a read error (ENOENT, EISDIR...) to the parser, so the loop below rejects
  // instead of the process dying of an unhandled 'error' event, and leaving the loop early closes the file.
  pipeline(createReadStream(path), parser, () => {});
  let columns: string[] | null = null;
  let targetIndex = -1;
  const features: number[] = [];
  const labels: number[] = [];
  let width = -1;
  const records = parser as AsyncIterable<{ record: string[]; info: { lines: number } }>;
  for await (const { record, info } of named(records, path)) {
    const line = info.lines;
    if (header && !columns) {
      columns = record;
      targetIndex = typeof target === 'number' ? target : record.indexOf(target);
      const also = typeof target === 'string' ? record.indexOf(target, targetIndex + 1) : -1;
      if (targetIndex >= 0 && also >= 0) {
        throw new Error(
          `readCsv: target column ${JSON.stringify(target)} appears more than once in ${path} (columns ${targetIndex} and ${also}); expected a unique name, or give the 0-based index`,
        );
      }
      if (targetIndex < 0 || targetIndex >= record.length) {
        throw new Error(
          `readCsv: target column ${JSON.stringify(target)} not found in ${path}; columns are ${record.map((c) => JSON.stringify(c)).join(', ')}`,
        );
      }
      width = record.length;
      continue;
    }
    if (width < 0) {
      width = record.length;
      targetIndex = target as number;
      if (targetIndex >= width) {
        throw new Error(
          `readCsv: target must be a column index below ${width} (the columns of ${path} line ${line}), got ${targetIndex}`,
        );
      }
    }
    if (record.length !== width)
      throw new Error(`readCsv: ${path} line ${line} has ${record.length} cells, expected ${width}`);
    record.forEach((cell, j) => {
      const where = `readCsv: ${path} line ${line}, column ${columns ? JSON.stringify(columns[j]) : j}`;
      if (!DECIMAL.test(cell)) throw new Error(`${where}: ${JSON.stringify(cell)} is not a number`);
      const v = Number(cell);
      // Tensors are float32: 1e39 (or 1e400, past a double) would become Infinity there.
      if (!Number.isFinite(Math.fround(v))) {
        throw new Error(
          `${where}: ${JSON.stringify(cell)} is outside the float32 range (magnitude up to 3.4028234663852886e38)`,
        );
      }
      if (j === targetIndex) labels.push(v);
      else features.push(v);
    });
  }
  if (labels.length === 0) throw new Error(`readCsv: ${path} has no data rows`);
  return [tensor(features, { shape: [labels.length, width - 1] }), tensor(labels, { shape: [labels.length, 1] })];
}

/** The parser's own errors (an unclosed quote) with the file named, as the other errors here. */
async function* named<T>(records: AsyncIterable<T>, path: string): AsyncGenerator<T> {
  try {
    yield* records;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code?.startsWith('CSV_')) throw new Error(`readCsv: ${path}: ${e.message}`, { cause: err });
    throw err;
  }
}
