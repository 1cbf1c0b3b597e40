/**
 * Pipelines side by side in one process. What must hold: with each pipeline's
 * loaders on its own generator (splitLoader's `generator`), pipelines that
 * train interleaved, batch by batch, give every epoch bit-identical to each
 * one alone; and unsubscribing mid-run stops between steps, leaving the model
 * exactly as after its last whole step.
 */
import { describe, expect, it } from 'vitest';
import { filter, lastValueFrom, map, merge, Observable, take, toArray } from 'rxjs';
import { Generator, manualSeed, nn, rx } from '../../src/index';
import { splitLoader, tensorGenReg } from '../../src/data';
import type { TrainEvent } from '../../src/rx/events';

/** The lesson's data and 'pre' model, with the loaders on Generator(seed): built synchronously, trained lazily. */
function pipeline(seed: number): { model: nn.MLP; run$: Observable<TrainEvent> } {
  manualSeed(seed);
  const [features, labels] = tensorGenReg({ numExamples: 200, w: [2, -1], bias: false, deg: 2 });
  const [train, test] = splitLoader(features, labels, { batchSize: 10, generator: new Generator(seed) });
  manualSeed(24);
  const model = new nn.MLP({ inFeatures: 2, hidden: [4], outFeatures: 1, bn: 'pre', activation: 'relu' });
  return { model, run$: rx.trainTest$({ model, train, test, epochs: 3 }) };
}

const epochs = (events: TrainEvent[]): string[] =>
  events.filter((e) => e.kind === 'epoch').map((e) => JSON.stringify(e));

/** The model's state dict as plain numbers, for exact comparison. */
const state = (m: nn.MLP): Record<string, number[] | number> =>
  Object.fromEntries(
    Object.entries(m.stateDict()).map(([k, v]) => [k, typeof v === 'number' ? v : Array.from(v.data)]),
  );

describe('pipelines side by side', () => {
  it('8 interleaved pipelines, each on its own generator, match each alone to the bit', async () => {
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8];
    const alone: string[][] = [];
    for (const s of seeds) alone.push(epochs(await lastValueFrom(pipeline(s).run$.pipe(toArray()))));
    const runs = seeds.map((s) => pipeline(s));
    const tagged = await lastValueFrom(
      merge(...runs.map((r, i) => r.run$.pipe(map((e): [number, TrainEvent] => [i, e])))).pipe(toArray()),
    );
    // They did interleave: the first pipeline's last event comes after others' first ones.
    expect(tagged.findIndex(([i]) => i === 1)).toBeLessThan(tagged.map(([i]) => i).lastIndexOf(0));
    seeds.forEach((_, i) => expect(epochs(tagged.filter(([j]) => j === i).map(([, e]) => e))).toEqual(alone[i]));
  });

  it.each([5, 40, 150])(
    'an unsubscribe after %i ms leaves the model exactly as after its last whole step',
    async (ms) => {
      const a = pipeline(1);
      let steps = 0;
      await new Promise<void>((resolve) => {
        const sub = a.run$.subscribe((e) => {
          if (e.kind === 'step') steps++;
        });
        setTimeout(() => {
          sub.unsubscribe();
          resolve();
        }, ms);
      });
      const b = pipeline(1);
      if (steps > 0)
        await lastValueFrom(
          b.run$.pipe(
            filter((e) => e.kind === 'step'),
            take(steps),
            toArray(),
          ),
        );
      expect(state(a.model)).toEqual(state(b.model));
    },
  );
});
