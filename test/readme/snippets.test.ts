/**
 * Every TypeScript block in README.md runs against the built package (it imports
 * 'rxnn' as a user's code does), and where a ```text block follows it, that is
 * what it must print.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
// Inside the package folder, so that 'rxnn' resolves to this package through its exports.
const work = join(root, '.cache', 'readme-snippets');

interface Snippet {
  line: number;
  code: string;
  output?: string;
}

/** The ```ts blocks of a Markdown text, each with the ```text block right after it, if any. */
function snippets(markdown: string): Snippet[] {
  const blocks: { lang: string; line: number; body: string }[] = [];
  const fence = /^```(\w*)\n([\s\S]*?)^```\s*$/gm;
  for (let m = fence.exec(markdown); m; m = fence.exec(markdown)) {
    const line = markdown.slice(0, m.index).split('\n').length;
    blocks.push({ lang: m[1], line, body: m[2] });
  }
  const out: Snippet[] = [];
  blocks.forEach((b, i) => {
    if (b.lang !== 'ts' && b.lang !== 'typescript') return;
    const next = blocks[i + 1];
    const adjacent = next && next.lang === 'text' && next.line - (b.line + b.body.split('\n').length) <= 2;
    out.push({ line: b.line, code: b.body, output: adjacent ? next.body : undefined });
  });
  return out;
}

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const found = snippets(readme);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('README.md', () => {
  it('has TypeScript snippets, each with the output it prints', () => {
    expect(found.length).toBeGreaterThanOrEqual(2);
    for (const s of found) expect(s.output, `README.md line ${s.line}`).toBeDefined();
  });

  it.each(found.map((s) => [s.line, s] as const))('the snippet at line %i prints what the README shows', (line, s) => {
    mkdirSync(work, { recursive: true });
    const js = ts.transpileModule(s.code, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const file = join(work, `line-${line}.mjs`);
    writeFileSync(file, js);
    const stdout = execFileSync(process.execPath, [file], { cwd: root, encoding: 'utf8' });
    expect(stdout).toBe(s.output);
  });
});
