import { concat, defer, map, of, range, concatMap, OperatorFunction } from 'rxjs';
import type { EpochEndEvent } from './events';
import { operate } from './operate';

/** Options of {@link epochs}. */
export interface EpochsOptions {
  /** The first epoch's number (default 1); a resumed run starts after its checkpoint. */
  from?: number;
}

/**
 * Repeats the source once per epoch (resubscribing, so a `batches` source
 * reshuffles), attaches the 1-based `epoch` to every value, and emits an
 * `{kind: 'epochEnd', epoch, steps}` marker after each pass, before the next
 * one starts: `evaluate` hooks the end-of-epoch metrics there, in the order the
 * lesson computes them.
 *
 * @example
 * batches(train).pipe(epochs(20), trainStep({ model, criterion, optimizer }))
 */
export function epochs<T extends object>(
  n: number,
  options: EpochsOptions = {},
): OperatorFunction<
  T,
  | (T & {
      /** The 1-based epoch the value belongs to. */
      epoch: number;
    })
  | EpochEndEvent
> {
  const from = options.from ?? 1;
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`epochs: n must be a non-negative integer, got ${n}`);
  }
  if (!Number.isInteger(from) || from < 1) {
    throw new RangeError(`epochs: options.from must be an integer >= 1, got ${from}`);
  }
  return operate((source, out) =>
    range(from, Math.max(0, n - from + 1))
      .pipe(
        concatMap((epoch) => {
          let steps = 0;
          return concat(
            source.pipe(
              map((v) => {
                steps++;
                return { ...v, epoch };
              }),
            ),
            defer(() => of<EpochEndEvent>({ kind: 'epochEnd', epoch, steps })),
          );
        }),
      )
      .subscribe(out),
  );
}
