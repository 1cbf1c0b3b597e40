import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const script = join(__dirname, '../../tools/check-layers.py');
const check = (root?: string) => spawnSync('python3', root ? [script, root] : [script], { encoding: 'utf8' });

describe('tools/check-layers.py', () => {
  const root = mkdtempSync(join(tmpdir(), 'rxnn-layers-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const put = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  it('the repository has no upward import', () => {
    const r = check();
    expect(r.stdout + r.stderr).toContain('check-layers: no upward imports');
    expect(r.status).toBe(0);
  });

  it('lists each upward import with its file and line, and exits 1', () => {
    put('src/tensor/index.ts', "import { nn } from '../nn';\nimport type { Module } from '../nn/module';\n");
    put('src/nn/index.ts', "export const nn = require('../tensor');\n");
    put('src/nn/module.ts', 'export class Module {}\n');
    put('src/backend/js/a.ts', "import { gemm } from '../wasm/gemm';\n");
    put('src/backend/wasm/gemm.ts', "import { take } from '../js/a';\nexport const gemm = 1;\n");
    put('src/dashboard/main.ts', "import type { Tensor } from '../tensor';\nimport { nn } from '../nn';\n");
    put('src/cli/main.ts', "import { registry } from '../../pipelines';\n");
    put('pipelines/index.ts', "import { main } from '../src/cli/main';\nexport const registry = {};\n");
    const r = check(root);
    expect(r.status).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual([
      'pipelines/index.ts:1: imports ../src/cli/main (src/cli/main.ts): pipelines/ may not import src/cli',
      'src/backend/js/a.ts:1: imports ../wasm/gemm (src/backend/wasm/gemm.ts): src/backend/js/ may not import src/backend/wasm/ (compose them in src/backend/index.ts)',
      'src/dashboard/main.ts:2: imports ../nn (src/nn/index.ts): src/dashboard is browser code: it may import only types from src/',
      'src/tensor/index.ts:1: imports ../nn (src/nn/index.ts): src/tensor (layer 2) imports src/nn (layer 4), a higher layer',
      'src/tensor/index.ts:2: imports ../nn/module (src/nn/module.ts): src/tensor (layer 2) imports src/nn (layer 4), a higher layer',
    ]);
    expect(r.stderr).toContain('check-layers: 5 upward import(s)');
  });
});
