import { defer, from, Observable, of } from 'rxjs';
import { readCsv, tensorGenCla, tensorGenReg } from '../data';
import type { Tensor } from '../tensor';
import { describe } from './options';

/** What `source` builds a dataset from. */
export type SourceSpec =
  | ({
      /** The lesson's regression data; the other fields are `tensorGenReg`'s options. */
      kind: 'reg';
    } & NonNullable<Parameters<typeof tensorGenReg>[0]>)
  | ({
      /** The lesson's classification data; the other fields are `tensorGenCla`'s options. */
      kind: 'cla';
    } & NonNullable<Parameters<typeof tensorGenCla>[0]>)
  | {
      /** A numeric CSV file, read with `readCsv`. */
      kind: 'csv';
      /** The file's path. */
      path: string;
      /** The label column: its header name or its 0-based index. */
      target: string | number;
      /** Whether the first row names the columns (default true). */
      header?: boolean;
    }
  | {
      /** Tensors you already have. */
      kind: 'tensors';
      /** The features, [N, k]. */
      features: Tensor;
      /** The labels, one row per row of `features` (e.g. [N, 1]). */
      labels: Tensor;
    };

/** A spec's generator options: everything but `kind`. */
function withoutKind<T extends { kind: string }>(spec: T): Omit<T, 'kind'> {
  const opts: Partial<T> = { ...spec };
  delete opts.kind;
  return opts as Omit<T, 'kind'>;
}

/**
 * A dataset as a one-value stream of `[features, labels]`: the lesson's
 * generators (`tensorGenReg`, `tensorGenCla`), a CSV file, or tensors you have.
 * Cold: the data is drawn (from the global generator) or read when you
 * subscribe, so `manualSeed(420)` just before subscribing gives the lesson's
 * data.
 *
 * @example
 * source({ kind: 'reg', w: [2, -1], bias: false, deg: 2 }).pipe(split({ batchSize: 10 }))
 * source('iris.csv', { target: 'species' })
 */
export function source(
  spec: SourceSpec | string,
  csv?: { target: string | number; header?: boolean },
): Observable<[Tensor, Tensor]> {
  return defer((): Observable<[Tensor, Tensor]> => {
    const s: SourceSpec =
      typeof spec === 'string'
        ? { kind: 'csv', path: spec, target: csv?.target as string | number, header: csv?.header }
        : spec;
    switch (s?.kind) {
      // The generators take their options only (they refuse unknown keys): `kind` stays here.
      case 'reg':
        return of(tensorGenReg(withoutKind(s)));
      case 'cla':
        return of(tensorGenCla(withoutKind(s)));
      case 'csv':
        if (typeof s.target !== 'string' && typeof s.target !== 'number')
          throw new TypeError(
            `source: a CSV source needs options.target (the label column), got ${describe(s.target)}`,
          );
        return from(readCsv(s.path, { target: s.target, header: s.header ?? true }));
      case 'tensors':
        return of([s.features, s.labels] as [Tensor, Tensor]);
      default:
        throw new TypeError(
          `source: expected a CSV path or {kind: 'reg' | 'cla' | 'csv' | 'tensors', …}, got ${describe(spec)}`,
        );
    }
  });
}
