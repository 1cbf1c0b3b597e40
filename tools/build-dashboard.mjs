// Bundles the dashboard page (src/dashboard) into dist/dashboard: index.html, dashboard.js
// (the page and uPlot, one file) and dashboard.css. Self-contained: the page loads
// nothing from elsewhere, since the machines it runs on may be offline.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src', 'dashboard');
const out = join(root, 'dist', 'dashboard');
const tmp = `${out}.tmp`;

rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
await build({
  entryPoints: { dashboard: join(src, 'main.ts'), 'dashboard-style': join(src, 'style.css') },
  outdir: tmp,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome100', 'firefox100', 'safari15'],
  legalComments: 'eof',
  logLevel: 'warning',
});
renameSync(join(tmp, 'dashboard-style.css'), join(tmp, 'dashboard.css'));
copyFileSync(join(src, 'index.html'), join(tmp, 'index.html'));
// Each file renamed into place whole, so a server reading them never sees half a file.
mkdirSync(out, { recursive: true });
for (const f of ['index.html', 'dashboard.js', 'dashboard.css']) renameSync(join(tmp, f), join(out, f));
rmSync(tmp, { recursive: true, force: true });
