import { describe, it, expect } from 'vitest';
import { range, take } from 'rxjs';
import { operate, relay } from '../../src/rx/operate';
import { marbles } from './marbles';

/** A test operator written the house way: only its logic. */
const halveEven = () =>
  operate<number, number>((source, out) =>
    source.subscribe(
      relay(out, (v) => {
        if (v % 2) throw new Error(`odd ${v}`);
        out.next(v / 2);
      }),
    ),
  );

describe('operate and relay', () => {
  it('relay turns a throw in the logic into an error notification and unsubscribes the source', () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('-a-b-c|', { a: 2, b: 3, c: 4 });
      expectObservable(src.pipe(halveEven())).toBe('-x-#', { x: 1 }, new Error('odd 3'));
      expectSubscriptions(src.subscriptions).toBe('^--!');
    });
  });

  it('complete and error pass through; a complete hook can flush first', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a|', { a: 4 }).pipe(halveEven())).toBe('-x|', { x: 2 });
      expectObservable(cold<number>('-#').pipe(halveEven())).toBe('-#');
      const withLast = operate<number, number>((source, out) => {
        let sum = 0;
        return source.subscribe(
          relay(
            out,
            (v) => (sum += v),
            () => (out.next(sum), out.complete()),
          ),
        );
      });
      expectObservable(cold('-a-b|', { a: 1, b: 2 }).pipe(withLast)).toBe('----(s|)', { s: 3 });
    });
  });

  it('downstream stopping closes a synchronous source at once', () => {
    let produced = 0;
    const seen: number[] = [];
    range(0, 1000)
      .pipe(
        operate<number, number>((s, out) => s.subscribe(relay(out, (v) => (produced++, out.next(v * 2))))),
        take(3),
      )
      .subscribe((v) => seen.push(v));
    expect(seen).toEqual([0, 2, 4]);
    expect(produced).toBe(3);
  });
});
