import { describe, it, expect } from 'vitest';
import { epochs } from '../../src/rx/epochs';
import { marbles } from './marbles';

const v = (name: string) => ({ name });

describe('epochs', () => {
  it('repeats the source per epoch, tags the epoch and marks each end before the next pass', () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('-a-b|', { a: v('a'), b: v('b') });
      expectObservable(src.pipe(epochs(2))).toBe('-a-bxA-B(y|)', {
        a: { name: 'a', epoch: 1 },
        b: { name: 'b', epoch: 1 },
        x: { kind: 'epochEnd', epoch: 1, steps: 2 },
        A: { name: 'a', epoch: 2 },
        B: { name: 'b', epoch: 2 },
        y: { kind: 'epochEnd', epoch: 2, steps: 2 },
      });
      expectSubscriptions(src.subscriptions).toBe(['^---!', '----^---!']);
    });
  });

  it('starts at options.from (a resumed run) and emits nothing for n = 0', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('a|', { a: v('a') });
      expectObservable(src.pipe(epochs(3, { from: 3 }))).toBe('a(x|)', {
        a: { name: 'a', epoch: 3 },
        x: { kind: 'epochEnd', epoch: 3, steps: 1 },
      });
      expectObservable(src.pipe(epochs(0))).toBe('|');
    });
  });

  it('passes an error through and stops repeating', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('a#', { a: v('a') }, new Error('boom'));
      expectObservable(src.pipe(epochs(3))).toBe('a#', { a: { name: 'a', epoch: 1 } }, new Error('boom'));
    });
  });

  it('unsubscribing mid-epoch stops the repetition', () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('a-b-|', { a: v('a'), b: v('b') });
      expectObservable(src.pipe(epochs(5)), '--!').toBe('a-', { a: { name: 'a', epoch: 1 } });
      expectSubscriptions(src.subscriptions).toBe('^-!');
    });
  });

  it('rejects a bad count, naming the argument and value', () => {
    expect(() => epochs(2.5)).toThrow('epochs: n must be a non-negative integer, got 2.5');
    expect(() => epochs(2, { from: 0 })).toThrow('options.from must be an integer >= 1, got 0');
  });
});
