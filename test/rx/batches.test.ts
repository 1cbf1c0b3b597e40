import { describe, it, expect } from 'vitest';
import { lastValueFrom, take, toArray } from 'rxjs';
import { batches } from '../../src/rx/batches';
import { epochs } from '../../src/rx/epochs';
import { marbles } from './marbles';

/** A loader stand-in that counts its iterations, as a shuffling loader draws a seed per iteration. */
function fakeLoader(n: number) {
  const loader = {
    iterations: 0,
    *[Symbol.iterator](): Generator<[string, number]> {
      const it = ++loader.iterations;
      for (let i = 0; i < n; i++) yield [`x${it}.${i}`, i];
    },
  };
  return loader;
}

const b = (epoch: number, step: number, X: string, y: number) => ({ kind: 'batch', epoch, step, X, y });

describe('batches', () => {
  it('emits one epoch of tagged batches, one scheduled turn each', () => {
    const s = marbles();
    s.run(({ expectObservable }) => {
      const loader = fakeLoader(3);
      expectObservable(batches(loader, { scheduler: s })).toBe('(abc|)', {
        a: b(0, 1, 'x1.0', 0),
        b: b(0, 2, 'x1.1', 1),
        c: b(0, 3, 'x1.2', 2),
      });
    });
  });

  it('is cold: each subscription (each epoch) iterates the loader afresh', async () => {
    const loader = fakeLoader(2);
    const src = batches(loader);
    expect(loader.iterations).toBe(0);
    const all = await lastValueFrom(src.pipe(epochs(2), toArray()));
    expect(loader.iterations).toBe(2);
    expect(all).toEqual([
      b(1, 1, 'x1.0', 0),
      b(1, 2, 'x1.1', 1),
      { kind: 'epochEnd', epoch: 1, steps: 2 },
      b(2, 1, 'x2.0', 0),
      b(2, 2, 'x2.1', 1),
      { kind: 'epochEnd', epoch: 2, steps: 2 },
    ]);
  });

  it('yields to the event loop between batches, so timers run mid-epoch', async () => {
    const seen: string[] = [];
    await new Promise<void>((done) =>
      batches(fakeLoader(3)).subscribe({
        next: (x) => {
          seen.push(String(x.X));
          if (x.step === 1) setImmediate(() => seen.push('timer'));
        },
        complete: done,
      }),
    );
    expect(seen).toEqual(['x1.0', 'timer', 'x1.1', 'x1.2']);
  });

  it('synchronous mode (scheduler: null) emits the epoch at once', () => {
    const seen: string[] = [];
    batches(fakeLoader(3), { scheduler: null }).subscribe((x) => seen.push(String(x.X)));
    expect(seen).toEqual(['x1.0', 'x1.1', 'x1.2']);
  });

  it('unsubscribing stops before the next batch is taken', async () => {
    let taken = 0;
    const loader = {
      *[Symbol.iterator]() {
        for (let i = 0; i < 100; i++) {
          taken++;
          yield [i, i] as [number, number];
        }
      },
    };
    const got = await lastValueFrom(batches(loader).pipe(take(3), toArray()));
    await new Promise((r) => setTimeout(r, 5));
    expect(got.map((x) => x.step)).toEqual([1, 2, 3]);
    expect(taken).toBe(3);
  });

  it('a throwing loader ends the stream with its error', async () => {
    const loader = {
      *[Symbol.iterator](): Generator<[number, number]> {
        yield [1, 1];
        throw new Error('bad row');
      },
    };
    await expect(lastValueFrom(batches(loader))).rejects.toThrow('bad row');
  });
});

describe('batches with sliceMs', () => {
  it('takes several batches per turn, still yields, and still stops when unsubscribed', async () => {
    const seen: string[] = [];
    await new Promise<void>((done) =>
      batches(fakeLoader(3), { sliceMs: 1000 }).subscribe({
        next: (x) => {
          seen.push(String(x.X));
          if (x.step === 1) setImmediate(() => seen.push('timer'));
        },
        complete: done,
      }),
    );
    await new Promise((r) => setImmediate(r));
    // The whole (fast) epoch fits in one slice: the timer runs after it, not between batches.
    expect(seen).toEqual(['x1.0', 'x1.1', 'x1.2', 'timer']);
    const taken: string[] = [];
    const sub = batches(fakeLoader(5), { sliceMs: 1000 }).subscribe((x) => {
      taken.push(String(x.X));
      if (x.step === 2) sub.unsubscribe();
    });
    await new Promise((r) => setImmediate(r));
    expect(taken).toEqual(['x1.0', 'x1.1']);
    expect(() => batches(fakeLoader(1), { sliceMs: -1 })).toThrow(
      'batches: options.sliceMs must be a number >= 0, got -1',
    );
  });
});
