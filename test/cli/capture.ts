/**
 * Captures what a person sees of `rxnn run` in a real terminal (tmux) at a
 * given width, as text and as a PNG (the capture's colours as HTML, shot by
 * chromium). Writes docs/images/<name>-<columns>.txt and .png.
 *
 *   npm run build && npx ts-node test/cli/capture.ts
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { launchChromium } from '../helpers/chromium';

const ROOT = resolve(__dirname, '../..');
const OUT = join(ROOT, 'docs/images');

/** The escape character, built so that no regular expression literal holds a control character. */
const ESC = String.fromCharCode(27);
/** xterm's 256 colours as CSS. */
function xterm(n: number): string {
  const base = [
    '#000',
    '#c00',
    '#0a0',
    '#c80',
    '#00c',
    '#c0c',
    '#0aa',
    '#ccc',
    '#666',
    '#f44',
    '#4f4',
    '#ff4',
    '#66f',
    '#f4f',
    '#4ff',
    '#fff',
  ];
  if (n < 16) return base[n];
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  const c = (k: number): number => (k ? 55 + k * 40 : 0);
  return `rgb(${c(Math.floor(i / 36))},${c(Math.floor(i / 6) % 6)},${c(i % 6)})`;
}

/** A tmux capture with escape codes (SGR only) as HTML spans. */
export function ansiToHtml(text: string): string {
  let fg: string | undefined;
  let dim = false;
  let bold = false;
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  let html = '';
  for (const part of text.split(new RegExp(`(${ESC}\\[[0-9;]*m)`))) {
    const m = new RegExp(`^${ESC}\\[([0-9;]*)m$`).exec(part);
    if (!m) {
      if (!part) continue;
      const style = [fg ? `color:${fg}` : '', dim ? 'opacity:0.6' : '', bold ? 'font-weight:bold' : ''].filter(Boolean);
      html += style.length ? `<span style="${style.join(';')}">${esc(part)}</span>` : esc(part);
      continue;
    }
    const codes = (m[1] || '0').split(';').map(Number);
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i];
      if (c === 0) [fg, dim, bold] = [undefined, false, false];
      else if (c === 1) bold = true;
      else if (c === 2) dim = true;
      else if (c === 22) [dim, bold] = [false, false];
      else if (c === 39) fg = undefined;
      else if (c >= 30 && c <= 37) fg = xterm(c - 30);
      else if (c >= 90 && c <= 97) fg = xterm(c - 82);
      else if (c === 38 && codes[i + 1] === 5) {
        fg = xterm(codes[i + 2]);
        i += 2;
      } else if (c === 38 && codes[i + 1] === 2) {
        fg = `rgb(${codes[i + 2]},${codes[i + 3]},${codes[i + 4]})`;
        i += 4;
      }
    }
  }
  return html;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `args` in a tmux window `columns` wide; resolves to the capture with and without escape codes. */
async function capture(args: string, columns: number): Promise<{ plain: string; ansi: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'rxnn-capture-'));
  const session = `rxnn-capture-${process.pid}`;
  const done = join(dir, 'done');
  const shown = `$ rxnn ${args}`;
  const cmd = `printf '%s\\n' '${shown}'; node ${join(ROOT, 'bin/rxnn.js')} ${args}; touch ${done}; sleep 600`;
  execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', String(columns), '-y', '90', '-c', dir, cmd]);
  try {
    for (let i = 0; i < 600 && !existsSync(done); i++) await sleep(100);
    const grab = (e: boolean): string =>
      execFileSync('tmux', ['capture-pane', '-t', session, '-p', ...(e ? ['-e'] : []), '-S', '-', '-E', '-'], {
        encoding: 'utf8',
      }).replace(/\s+$/, '\n');
    return { plain: grab(false), ansi: grab(true) };
  } finally {
    execFileSync('tmux', ['kill-session', '-t', session]);
  }
}

async function main(): Promise<void> {
  const runs: [string, string][] = [
    ['bn-placement', 'run bn-placement'],
    ['bn-placement-400', 'run bn-placement --epochs 400'],
    ['bn-momentum', 'run bn-momentum'],
    ['bn-momentum-400', 'run bn-momentum --epochs 400'],
  ];
  const browser = await launchChromium();
  try {
    for (const columns of [80, 120]) {
      for (const [name, args] of runs) {
        const { plain, ansi } = await capture(args, columns);
        writeFileSync(join(OUT, `${name}-${columns}.txt`), plain);
        const page = await browser.newPage({ viewport: { width: 200, height: 100 } });
        await page.setContent(
          `<html><body style="margin:0;background:#1e1e1e"><pre id="t" style="display:inline-block;margin:0;padding:12px;color:#ddd;background:#1e1e1e;font:13px/1.25 'DejaVu Sans Mono',monospace;width:${columns}ch">${ansiToHtml(ansi)}</pre></body></html>`,
        );
        await page.locator('#t').screenshot({ path: join(OUT, `${name}-${columns}.png`) });
        await page.close();
        process.stdout.write(`${name}-${columns}: ${plain.split('\n').length} lines\n`);
      }
    }
  } finally {
    await browser.close();
  }
}

if (require.main === module) void main();
