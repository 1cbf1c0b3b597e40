import { spawn, ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Store } from '../../src/dashboard/store';
import type { EpochEvent, RunningStatsEvent } from '../../src/rx/events';
import { launchChromium } from '../helpers/chromium';
import { waitFor } from './http';

/** Debian's chromium, headless, as CI runs it (no browser download). */
export const launch = launchChromium;

/** The little of the DOM the checks below use in the page (the tests compile without the DOM library). */
interface El {
  dataset: Record<string, string | undefined>;
  querySelectorAll(selector: string): Iterable<El>;
}
export type PageGlobals = { document: El; rxnnDashboard: { store: Store } };

/** What the page holds, as plain data (read through window.rxnnDashboard). */
export interface PageState {
  lastId: number;
  gaps: number;
  duplicates: number;
  connections: number;
  end?: { status: string };
  models: { name: string; losses: number[]; epochs: EpochEvent[] }[];
  warnings: { code: string; layer: string }[];
}

export async function pageState(page: Page): Promise<PageState> {
  return page.evaluate(() => {
    const s = (globalThis as unknown as PageGlobals).rxnnDashboard.store;
    return {
      lastId: s.lastId,
      gaps: s.gaps,
      duplicates: s.duplicates,
      connections: s.connections,
      end: s.end,
      models: [...s.models.values()].map((m) => ({ name: m.name, losses: m.losses, epochs: m.epochs })),
      warnings: s.warnings.map((w) => ({ code: w.code, layer: w.layer })),
    };
  });
}

/** Opens `url` and fails the test on any error the page logs. */
export async function openPage(browser: Browser, url: string, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url);
  return page;
}

/** The `rxnn` command (built: dist/), with its output gathered and the dashboard's URL once printed. */
export function rxnn(args: string[]): {
  child: ChildProcess;
  out: () => string;
  url: () => Promise<string>;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, [join(__dirname, '..', '..', 'bin', 'rxnn.js'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = async () => {
    await waitFor(`the dashboard URL in rxnn's output:\n${out}`, () => / at http:\/\/\S+/.test(out), 30_000);
    return / at (http:\/\/\S+)/.exec(out)![1];
  };
  return { child, out: () => out, url, exit };
}

/** The page's final table: per model, the data-value of its epoch, train and test cells. */
export async function resultsTable(page: Page): Promise<Record<string, string[]>> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as PageGlobals).document;
    return Object.fromEntries(
      [...doc.querySelectorAll('table.results tr[data-model]')].map((tr) => [
        tr.dataset.model!,
        [...tr.querySelectorAll('td[data-value]')].map((td) => td.dataset.value!),
      ]),
    );
  });
}

/** The page's BatchNorm tables: per "model/layer", the data-values of each channel's row. */
export async function statsTables(page: Page): Promise<Record<string, string[][]>> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as PageGlobals).document;
    return Object.fromEntries(
      [...doc.querySelectorAll('.bn-card')].map((card) => [
        `${card.dataset.model}/${card.dataset.layer}`,
        [...card.querySelectorAll('table.stats tr')]
          .map((tr) => [...tr.querySelectorAll('td[data-value]')].map((td) => td.dataset.value!))
          .filter((r) => r.length),
      ]),
    );
  });
}

/** What events.jsonl says the page should show: last epoch per model, last BatchNorm statistics per layer. */
export function expected(lines: Record<string, unknown>[]) {
  const epochs = lines.filter((e): e is EpochEvent & Record<string, unknown> => e.kind === 'epoch');
  const results: Record<string, string[]> = {};
  for (const e of epochs) results[e.model!] = [String(e.epoch), String(e.train), String(e.test)];
  const stats: Record<string, string[][]> = {};
  for (const e of lines.filter((x): x is RunningStatsEvent & Record<string, unknown> => x.kind === 'runningStats')) {
    for (const l of e.layers) {
      stats[`${e.model}/${l.name}`] = l.runningMean!.map((_, c) =>
        [l.batchMean![c], l.runningMean![c], l.batchVar![c], l.runningVar![c]].map(String),
      );
    }
  }
  const losses: Record<string, number[]> = {};
  for (const e of lines) if (e.kind === 'step') (losses[String(e.model)] ??= []).push(e.loss as number);
  return { epochs, results, stats, losses };
}
