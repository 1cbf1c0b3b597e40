import { describe, it, expect } from 'vitest';
import { firstValueFrom, interval, lastValueFrom, take, timer, toArray } from 'rxjs';
import { immediateScheduler } from '../../src/rx/immediate';

/** Real time: setTimeout may fire up to ~1 ms early by the clock, hence the small margins. */
describe('immediateScheduler', () => {
  it('delay 0 runs on the next turn of the event loop, before immediates queued after it', async () => {
    const seen: string[] = [];
    await new Promise<void>((done) => {
      immediateScheduler.schedule(() => seen.push('work'));
      setImmediate(() => {
        seen.push('later');
        done();
      });
      seen.push('sync');
    });
    expect(seen).toEqual(['sync', 'work', 'later']);
  });

  it('honours a delay: timer(50) does not fire before ~50 ms', async () => {
    const t0 = performance.now();
    expect(await firstValueFrom(timer(50, immediateScheduler))).toBe(0);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(48);
  });

  it('interval(20) waits between ticks, and unsubscribing stops it', async () => {
    const t0 = performance.now();
    expect(await lastValueFrom(interval(20, immediateScheduler).pipe(take(3), toArray()))).toEqual([0, 1, 2]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(57);
    let runs = 0;
    const sub = immediateScheduler.schedule(function () {
      runs++;
      this.schedule(undefined, 5);
    }, 5);
    await new Promise((r) => setTimeout(r, 12));
    sub.unsubscribe();
    const stopped = runs;
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBeGreaterThanOrEqual(1);
    expect(runs).toBe(stopped);
  });
});
