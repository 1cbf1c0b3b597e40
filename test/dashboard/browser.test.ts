import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nn } from '../../src/index';
import { compare$ } from '../../src/rx/compare';
import { runningStats } from '../../src/rx/running-stats';
import { serve, ServeHandle } from '../../src/rx/serve';
import { concat, concatMap, from, Subject, tap } from 'rxjs';
import { bnWarnings } from '../../src/rx/warnings';
import { bnPlacement } from '../../pipelines/bn-placement';
import { expected, launch, openPage, pageState, PageGlobals, resultsTable, rxnn, statsTables } from './browser';
import { waitFor } from './http';
import { stopAt } from '../faults/helpers';

// Each test runs one training and drives real chromium: generous limits for a loaded 2-core machine.
const TEST_MS = 120_000;
const readJsonl = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/**
 * The page shows bn-placement's whole run as `lines` (its events.jsonl) hold it: every event once
 * (ids 1..n, no gap, no repeat), each model's epochs and losses, the results and BatchNorm tables.
 */
async function expectWholeRun(page: Page, lines: Record<string, unknown>[]): Promise<void> {
  const want = expected(lines);
  const s = await pageState(page);
  expect({ lastId: s.lastId, gaps: s.gaps, duplicates: s.duplicates }).toEqual({
    lastId: lines.length,
    gaps: 0,
    duplicates: 0,
  });
  const order = ['none', 'pre', 'post'];
  expect(s.models.map((m) => m.name)).toEqual(order);
  expect(s.models.flatMap((m) => m.epochs)).toEqual(
    [...want.epochs].sort((a, b) => order.indexOf(a.model!) - order.indexOf(b.model!)),
  );
  expect(Object.fromEntries(s.models.map((m) => [m.name, m.losses]))).toEqual(want.losses);
  expect(await resultsTable(page)).toEqual(want.results);
  expect(Object.keys(want.stats)).toEqual(['pre/normalize1', 'post/normalize1']);
  expect(await statsTables(page)).toEqual(want.stats);
}

let browser: Browser;
let dir: string;
beforeAll(async () => {
  browser = await launch();
  dir = mkdtempSync(join(tmpdir(), 'rxnn-dashboard-'));
}, TEST_MS);
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the dashboard in chromium', () => {
  it(
    'rxnn run bn-placement --serve: epoch events arrive while it trains, and the page shows what events.jsonl holds',
    async () => {
      const out = join(dir, 'live');
      const run = rxnn(['run', 'bn-placement', '--serve', '--out', out, '--epochs', '60']);
      const errors: string[] = [];
      try {
        const page = await openPage(browser, await run.url(), errors);
        // The first epoch while the run is still going (the end event not yet seen), or the end: which came first.
        await page.waitForFunction(
          () => {
            const s = (globalThis as unknown as PageGlobals).rxnnDashboard.store;
            return s.end !== undefined || [...s.models.values()].some((m) => m.epochs.length > 0);
          },
          undefined,
          { timeout: 60_000, polling: 50 },
        );
        const live = await pageState(page);
        expect(live.end).toBeUndefined();
        expect(live.models.some((m) => m.epochs.length > 0)).toBe(true);
        expect(await page.textContent('#status')).toBe('live');

        await page.waitForSelector('body[data-ended="done"]', { timeout: 90_000 });
        await waitFor('the files', () => run.out().includes('serving the finished run'), 60_000);
        const lines = readJsonl(join(out, 'events.jsonl'));
        await expectWholeRun(page, lines);
        expect(await page.textContent('#status')).toBe('finished');
        expect(errors).toEqual([]);
      } finally {
        run.child.kill('SIGINT');
      }
      expect(await run.exit).toBe(0);
    },
    TEST_MS,
  );

  it(
    'rxnn run --resume DIR --serve: the page shows the interrupted part and the rest as one run, with no gap',
    async () => {
      const out = join(dir, 'resumed');
      const stopped = await stopAt(['run', 'bn-placement', '--epochs', '20', '--out', out], 700, 'SIGINT');
      expect(stopped.code, stopped.err).toBe(130);
      const before = readJsonl(join(out, 'events.jsonl')).length;
      const run = rxnn(['run', 'bn-placement', '--resume', out, '--serve']);
      const errors: string[] = [];
      try {
        const page = await openPage(browser, await run.url(), errors);
        await page.waitForSelector('body[data-ended="done"]', { timeout: 90_000 });
        await waitFor('the files', () => run.out().includes('serving the finished run'), 60_000);
        const lines = readJsonl(join(out, 'events.jsonl'));
        expect(lines.length).toBeGreaterThan(before);
        await expectWholeRun(page, lines);
        expect(errors).toEqual([]);
      } finally {
        run.child.kill('SIGINT');
      }
      expect(await run.exit).toBe(0);
    },
    TEST_MS,
  );

  it(
    'a connection killed server-side mid-run: the page reconnects with Last-Event-ID and catches up with no gap',
    async () => {
      // bn-placement's models, the 'post' one with a Keras user's momentum, so the page has a warning to show.
      const p = { ...bnPlacement.defaults, epochs: 20 };
      const [e] = await bnPlacement.setup(p);
      const post = e.models[2].modules().find((m): m is nn.BatchNorm1d => m instanceof nn.BatchNorm1d)!;
      post.momentum = 0.9;
      // Training starts once the page is connected. The server cuts the page's connection at the 300th
      // and the 2000th event, and holds the events after each cut until the page is back (they pile up
      // meanwhile), so both cuts happen mid-run on any machine.
      const go = new Subject<never>();
      let count = 0;
      let back: Promise<void> = Promise.resolve();
      const events$ = concat(
        go,
        compare$({ ...e, epochs: p.epochs, lr: p.lr }).pipe(
          bnWarnings({ models: e.models, names: e.names, train: e.train }),
          runningStats(e.models[1], { name: 'pre', batch: true }),
          runningStats(e.models[2], { name: 'post', batch: true }),
        ),
      ).pipe(
        // Each event waits for the page to be back (the projection runs as the event's turn comes).
        concatMap((ev) => from(back.then(() => ev))),
        tap(() => {
          if (++count !== 300 && count !== 2000) return;
          h.dropClients();
          back = waitFor('the page to reconnect', () => h.clients() > 0, 60_000);
        }),
      );
      const steps = p.epochs * 70;
      // eslint-disable-next-line prefer-const -- the stream's tap refers to the handle serve resolves to
      let h: ServeHandle;
      h = await serve(events$, {
        run: {
          pipeline: 'bn-placement',
          summary: `${bnPlacement.summary} ('post' with momentum 0.9)`,
          metric: 'MSE',
          backend: 'js',
          epochs: p.epochs,
          params: { ...p, momentum: 'post: 0.9' },
          models: e.names.map((name) => ({ name, steps })),
        },
      });
      const errors: string[] = [];
      try {
        const page = await openPage(browser, h.url, errors);
        await waitFor('the page to connect', () => h.clients() === 1, 30_000);
        go.complete();
        await page.waitForSelector('body[data-ended="done"]', { timeout: 90_000 });
        const s = await pageState(page);
        const res = await fetch(new URL('/events.jsonl', h.url));
        const lines = (await res.text())
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        expect({ lastId: s.lastId, gaps: s.gaps, duplicates: s.duplicates, connections: s.connections }).toEqual({
          lastId: lines.length,
          gaps: 0,
          duplicates: 0,
          connections: 3,
        });
        const want = expected(lines);
        expect(Object.fromEntries(s.models.map((m) => [m.name, m.losses]))).toEqual(want.losses);
        expect(await resultsTable(page)).toEqual(want.results);
        expect(await statsTables(page)).toEqual(want.stats);
        expect(s.warnings).toEqual([{ code: 'keras-momentum', layer: 'normalize1' }]);
        expect(await page.locator('#warnings .warning').count()).toBe(1);
        // Chromium logs each connection the server cut, and nothing else.
        const cut = /ERR_INCOMPLETE_CHUNKED_ENCODING/;
        expect(errors.filter((m) => !cut.test(m))).toEqual([]);
        expect(errors.filter((m) => cut.test(m)).length).toBe(2);

        // The finished dashboard, for the README.
        await page.waitForTimeout(400); // the last frame's charts settle after the final render
        const png = await page.screenshot({ fullPage: true });
        const images = join(__dirname, '..', '..', 'docs', 'images');
        mkdirSync(images, { recursive: true });
        writeFileSync(join(images, 'dashboard.png.tmp'), png);
        renameSync(join(images, 'dashboard.png.tmp'), join(images, 'dashboard.png'));
      } finally {
        await h.close();
      }
    },
    TEST_MS,
  );

  it(
    'three pages at once all show the whole run, equal to events.jsonl; rxnn serve DIR shows it again',
    async () => {
      const out = join(dir, 'three');
      const run = rxnn(['run', 'bn-placement', '--serve', '0', '--out', out, '--epochs', '6']);
      const errors: string[] = [];
      try {
        const url = await run.url();
        const pages = await Promise.all([0, 1, 2].map(() => openPage(browser, url, errors)));
        await Promise.all(pages.map((p) => p.waitForSelector('body[data-ended="done"]', { timeout: 90_000 })));
        await waitFor('the files', () => run.out().includes('serving the finished run'), 60_000);
        const lines = readJsonl(join(out, 'events.jsonl'));
        const want = expected(lines);
        for (const page of pages) {
          const s = await pageState(page);
          expect({ lastId: s.lastId, gaps: s.gaps, duplicates: s.duplicates }).toEqual({
            lastId: lines.length,
            gaps: 0,
            duplicates: 0,
          });
          expect(await resultsTable(page)).toEqual(want.results);
          expect(await statsTables(page)).toEqual(want.stats);
        }
        expect(errors).toEqual([]);
      } finally {
        run.child.kill('SIGINT');
      }
      expect(await run.exit).toBe(0);

      // rxnn serve DIR: the finished run from its folder, the same page.
      const again = rxnn(['serve', out]);
      try {
        const page = await openPage(browser, await again.url(), errors);
        await page.waitForSelector('body[data-ended="done"]', { timeout: 60_000 });
        const want = expected(readJsonl(join(out, 'events.jsonl')));
        expect((await pageState(page)).lastId).toBe(readJsonl(join(out, 'events.jsonl')).length);
        expect(await resultsTable(page)).toEqual(want.results);
        expect(await statsTables(page)).toEqual(want.stats);
        expect(await page.textContent('#title')).toBe('rxnn · bn-placement');
        expect(await page.textContent('#status')).toBe('finished');
        expect(errors).toEqual([]);
      } finally {
        again.child.kill('SIGINT');
      }
      expect(await again.exit).toBe(0);

      // A run that stopped before its end says so, and how to continue it.
      const stopped = join(dir, 'stopped');
      mkdirSync(stopped);
      for (const f of ['events.jsonl', 'metrics.csv']) writeFileSync(join(stopped, f), readFileSync(join(out, f)));
      const cp = JSON.parse(readFileSync(join(out, 'checkpoint.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(join(stopped, 'checkpoint.json'), JSON.stringify({ ...cp, finished: false }));
      const third = rxnn(['serve', stopped]);
      try {
        const page = await openPage(browser, await third.url(), errors);
        await page.waitForSelector('body[data-ended="done"]', { timeout: 60_000 });
        expect(await page.textContent('#status')).toBe(
          `interrupted: continue with rxnn run bn-placement --resume ${stopped}`,
        );
        expect(errors).toEqual([]);
      } finally {
        third.child.kill('SIGINT');
      }
      expect(await third.exit).toBe(0);
    },
    TEST_MS,
  );

  it(
    'served to other machines: the page works from the URL with its token, and without it gets 401',
    async () => {
      const evs = [1, 2, 3].map((i) => ({ kind: 'epoch', model: 'm', epoch: i, train: 1 / i, test: 2 / i }));
      const h = await serve(from(evs), { host: '0.0.0.0', run: { pipeline: 'tiny', epochs: 3 } });
      const errors: string[] = [];
      try {
        const local = `http://127.0.0.1:${h.port}/`;
        const page = await openPage(browser, `${local}?token=${h.token}`, errors);
        await page.waitForSelector('body[data-ended="done"]', { timeout: 30_000 });
        expect((await pageState(page)).lastId).toBe(3);
        expect(await resultsTable(page)).toEqual({ m: ['3', String(1 / 3), String(2 / 3)] });
        expect(errors).toEqual([]);
        const other = await browser.newPage();
        const res = await other.goto(local);
        expect(res?.status()).toBe(401);
        expect(await other.textContent('body')).toContain('needs its token');
        await other.close();
      } finally {
        await h.close();
      }
    },
    TEST_MS,
  );
});
