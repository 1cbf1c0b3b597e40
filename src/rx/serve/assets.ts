import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The page's files by URL path: a fixed table, so no request ever names a file on disk. */
export const PAGE_FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard.js': { file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard.css': { file: 'dashboard.css', type: 'text/css; charset=utf-8' },
};

/** The built page (dist/dashboard) of the package this file belongs to, found by walking up to its package.json. */
export function defaultAssetsDir(from = __dirname): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'rxnn') {
      return join(dir, 'dist', 'dashboard');
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The page's files read once into memory; a file not built is left out (its path answers 503). */
export function loadAssets(dir: string | undefined): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  if (!dir) return files;
  for (const { file } of Object.values(PAGE_FILES)) {
    const path = join(dir, file);
    if (!files.has(file) && existsSync(path)) files.set(file, readFileSync(path));
  }
  return files;
}
