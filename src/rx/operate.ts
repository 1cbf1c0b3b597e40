import { Observable, OperatorFunction, Subscriber, TeardownLogic } from 'rxjs';

/**
 * The one helper every rx operator is built with, after RxJS's own internal
 * `operate`: the operator writes only its logic (`init` gets the source and the
 * downstream subscriber), while subscription and teardown stay in one place.
 *
 * @example
 * const double = () => operate<number, number>((source, out) =>
 *   source.subscribe(relay(out, (v) => out.next(2 * v))));
 */
export function operate<T, R>(
  init: (source: Observable<T>, subscriber: Subscriber<R>) => TeardownLogic,
): OperatorFunction<T, R> {
  return (source) => new Observable<R>((subscriber) => init(source, subscriber));
}

/**
 * A subscriber that relays a source into `subscriber`: `next` holds the
 * operator's logic; anything it throws becomes an error notification (never an
 * exception escaping into the producer), and error/complete pass through unless
 * `complete` is given (e.g. to flush a last value first). It is chained to
 * `subscriber`, so when downstream stops (unsubscribe, error, `take`) the
 * source sees `closed` at once, even in the middle of a synchronous epoch.
 */
export function relay<T, R>(subscriber: Subscriber<R>, next: (value: T) => void, complete?: () => void): Subscriber<T> {
  const inner = new Subscriber<T>({
    next: (value: T) => {
      try {
        next(value);
      } catch (err) {
        subscriber.error(err);
      }
    },
    error: (err: unknown) => subscriber.error(err),
    complete: () => {
      try {
        if (complete) complete();
        else subscriber.complete();
      } catch (err) {
        subscriber.error(err);
      }
    },
  });
  subscriber.add(inner);
  return inner;
}
