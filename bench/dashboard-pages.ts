/**
 * What watching costs the training: bn-placement (100 epochs, BatchNorm
 * statistics on) served by rx.serve, timed with no page open and with three
 * dashboard pages in Debian's chromium following it live. Alternating rounds;
 * medians. The pages draw on the same cores as the training, so on a small
 * machine this is an upper bound.
 *
 *   npx ts-node bench/dashboard-pages.ts [rounds] [epochs]
 */
import type { Page } from 'playwright-core';
import { concat, firstValueFrom, Subject, tap } from 'rxjs';
import { bnPlacement } from '../pipelines/bn-placement';
import { compare$, runningStats, serve } from '../src/rx';
import { fmt, median } from './stats';
import { launchChromium } from '../test/helpers/chromium';

const ROUNDS = Number(process.argv[2] ?? 3);
const EPOCHS = Number(process.argv[3] ?? 100);

/** One training served live: ms from its first step to its last event, with `pages` following it. */
async function once(pages: Page[]): Promise<number> {
  const p = { ...bnPlacement.defaults, epochs: EPOCHS };
  const [e] = await bnPlacement.setup(p);
  const go = new Subject<never>();
  let t0 = 0,
    t1 = 0;
  const done = new Subject<void>();
  const events$ = concat(
    go,
    compare$({ ...e, epochs: p.epochs, lr: p.lr }).pipe(
      runningStats(e.models[1], { name: 'pre', batch: true }),
      runningStats(e.models[2], { name: 'post', batch: true }),
      tap({ subscribe: () => (t0 = performance.now()), complete: () => ((t1 = performance.now()), done.next()) }),
    ),
  );
  const finished = firstValueFrom(done);
  const h = await serve(events$, { run: { pipeline: 'bn-placement', epochs: p.epochs } });
  await Promise.all(pages.map((pg) => pg.goto(h.url)));
  while (h.clients() < pages.length) await new Promise((r) => setTimeout(r, 20));
  go.complete();
  await finished;
  await Promise.all(pages.map((pg) => pg.waitForSelector('body[data-ended]', { timeout: 120_000 })));
  await h.close();
  return t1 - t0;
}

async function main(): Promise<void> {
  const browser = await launchChromium();
  const pages = await Promise.all([0, 1, 2].map(() => browser.newPage({ viewport: { width: 1280, height: 900 } })));
  await once([]); // warm-up
  const none: number[] = [],
    three: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    none.push(await once([]));
    three.push(await once(pages));
  }
  await browser.close();
  const a = median(none),
    b = median(three);
  console.log(
    `bn-placement, ${EPOCHS} epochs, served (median of ${ROUNDS}): no page ${fmt(a)} ms, three pages ${fmt(b)} ms (+${fmt(100 * (b / a - 1), 2)}%)`,
  );
}

void main().then(() => process.exit(0));
