import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const req = createRequire(__filename);

/**
 * Starts a worker thread on the entry module `name` in folder `dir` (the caller's __dirname): the
 * compiled `name.js` there, as the package ships it; or, when rxnn runs from its TypeScript sources
 * (vitest, ts-node), `name.ts`, compiled on load by esbuild (a development dependency) through a
 * require hook that the worker installs first.
 */
export function startWorker(dir: string, name: string, options: WorkerOptions = {}): Worker {
  const js = join(dir, `${name}.js`);
  if (existsSync(js)) return new Worker(js, options);
  const ts = join(dir, `${name}.ts`);
  if (!existsSync(ts)) throw new Error(`startWorker: no worker entry '${name}' (.js or .ts) in ${dir}`);
  let esbuild: string;
  try {
    esbuild = req.resolve('esbuild');
  } catch {
    throw new Error(`startWorker: running ${ts} from source needs the development dependency 'esbuild'`);
  }
  const hook = [
    `const { transformSync } = require(${JSON.stringify(esbuild)});`,
    "const { readFileSync } = require('node:fs');",
    "require.extensions['.ts'] = (m, file) => m._compile(transformSync(readFileSync(file, 'utf8'),",
    "  { loader: 'ts', format: 'cjs', target: 'node20', sourcefile: file, sourcemap: 'inline' }).code, file);",
    `require(${JSON.stringify(ts)});`,
  ].join('\n');
  return new Worker(hook, { ...options, eval: true });
}
