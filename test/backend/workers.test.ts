import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(__dirname, '../../src');
function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Worker threads start from entry modules (src/backend/start-worker.ts), never from function source text. */
describe('worker entry files', () => {
  it('no backend module ships a function as source text, and only startWorker starts a worker', () => {
    const found: string[] = [];
    for (const file of tsFiles(join(SRC, 'backend'))) {
      const text = readFileSync(file, 'utf8');
      const rel = relative(SRC, file);
      if (/\.toString\(\)\s*\)|\$\{\s*\w+\.toString\(\)\s*\}|f\.toString\(\)/.test(text))
        found.push(`${rel}: toString`);
      if (rel !== join('backend', 'start-worker.ts') && /new Worker\(/.test(text)) found.push(`${rel}: new Worker`);
    }
    expect(found).toEqual([]);
  });

  it('each worker has its entry module beside the module that starts it', () => {
    for (const [dir, name] of [
      ['backend/wasm', 'gemm-worker'],
      ['backend/gpu', 'webgpu-worker'],
    ]) {
      expect(statSync(join(SRC, dir, `${name}.ts`)).isFile()).toBe(true);
      expect(readFileSync(join(SRC, dir, name === 'gemm-worker' ? 'gemm.ts' : 'webgpu.ts'), 'utf8')).toContain(
        `startWorker(__dirname, '${name}'`,
      );
    }
  });
});
