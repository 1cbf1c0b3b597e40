import { lastValueFrom, merge, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { bnMomentum } from '../../pipelines/bn-momentum';
import { bnPlacement } from '../../pipelines/bn-placement';
import { run$ } from '../../src/experiments';
import { defaultGenerator } from '../../src/random';
import type { TrainEvent } from '../../src/rx/events';

/** Each model's epoch metrics, in order: what a run computed. */
function metrics(events: TrainEvent[]): string[] {
  return events.flatMap((e) => (e.kind === 'epoch' ? [`${e.model} ${e.epoch} ${e.train} ${e.test}`] : []));
}

describe('named pipelines running side by side in one process', () => {
  it('each draws its batches from its own stream, so each computes what it computes alone', async () => {
    const alone = {
      placement: metrics(await lastValueFrom(run$(bnPlacement, { epochs: 3 }).pipe(toArray()))),
      momentum: metrics(await lastValueFrom(run$(bnMomentum, { epochs: 2, seed: 7 }).pipe(toArray()))),
    };
    expect(alone.placement).toHaveLength(9);
    expect(alone.momentum).toHaveLength(16);

    // Interleaved at batch granularity (each yields to the event loop between batches), while
    // something else draws from the global generator between their steps.
    const noise = setInterval(() => defaultGenerator.randomInt64(), 0);
    try {
      const both = await lastValueFrom(
        merge(run$(bnPlacement, { epochs: 3 }), run$(bnMomentum, { epochs: 2, seed: 7 })).pipe(toArray()),
      );
      const all = metrics(both);
      const names = new Set(['none', 'pre', 'post']);
      expect(all.filter((l) => names.has(l.split(' ')[0]))).toEqual(alone.placement);
      expect(all.filter((l) => !names.has(l.split(' ')[0]))).toEqual(alone.momentum);
    } finally {
      clearInterval(noise);
    }
  });
});
