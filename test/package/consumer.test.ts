/**
 * The package as a user gets it: `npm pack`, installed from the tarball into a
 * fresh project, then used from an ES module, a CommonJS script, a TypeScript
 * file checked with `tsc --strict`, and the `rxnn` command.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let dir = '';
let tarball = '';

/** Runs a command in the consumer project; a failure's error carries what it printed. */
function run(cmd: string, args: string[], cwd = dir): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw Object.assign(new Error(`${cmd} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`), {
      stdout,
      stderr,
    });
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rxnn-consumer-'));
  // --ignore-scripts: `npm test` has just built dist/ (pretest); prepack would build it again.
  const packed = JSON.parse(run(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], root)) as {
    filename: string;
    files: { path: string }[];
  }[];
  tarball = join(dir, packed[0].filename);
  const top = new Set(packed[0].files.map((f) => f.path.split('/')[0]));
  expect([...top].sort()).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'bin', 'dist', 'package.json']);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  run(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball]);
}, 240_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('rxnn installed from its tarball', () => {
  it('installs no optional peer (gpu.js, webgpu, bullmq) and no build tool', () => {
    const installed = readdirSync(join(dir, 'node_modules'));
    for (const heavy of ['gpu.js', 'webgpu', 'bullmq', 'typescript', 'ts-node']) expect(installed).not.toContain(heavy);
    expect(installed).toContain('rxjs');
  });

  it('imports from an ES module', () => {
    writeFileSync(
      join(dir, 'esm.mjs'),
      `import { tensor, nn } from 'rxnn';
import { bnPlacement } from 'rxnn/pipelines';
import { trainStep } from 'rxnn/rx';
const bn = new nn.BatchNorm1d(2);
const y = bn.forward(tensor([[1, 2], [3, 6]]));
console.log(JSON.stringify({ y: Array.from(y.data), rm: Array.from(bn.runningMean.data), pipeline: bnPlacement.name, op: typeof trainStep }));
`,
    );
    const out = JSON.parse(run(process.execPath, ['esm.mjs'])) as {
      y: number[];
      rm: number[];
      pipeline: string;
      op: string;
    };
    // BatchNorm1d in train mode: (x - mean) / sqrt(var + eps), var biased; running mean moves by momentum 0.1.
    expect(out.y.map((v) => +v.toFixed(4))).toEqual([-1, -1, 1, 1]);
    expect(out.rm.map((v) => +v.toFixed(4))).toEqual([0.2, 0.4]);
    expect(out.pipeline).toBe('bn-placement');
    expect(out.op).toBe('function');
  });

  it('requires from CommonJS, sharing one instance with the ES entry', () => {
    writeFileSync(
      join(dir, 'cjs.cjs'),
      `const rxnn = require('rxnn');
rxnn.manualSeed(0);
const a = Array.from(rxnn.randn(3).data);
import('rxnn').then((esm) => {
  esm.manualSeed(0);
  const b = Array.from(esm.randn(3).data);
  console.log(JSON.stringify({ a, same: esm.randn === rxnn.randn, equal: a.every((v, i) => v === b[i]) }));
});
`,
    );
    const out = JSON.parse(run(process.execPath, ['cjs.cjs'])) as { a: number[]; same: boolean; equal: boolean };
    // torch.manual_seed(0); torch.randn(3) -> [1.5410, -0.2934, -2.1788]
    expect(out.a.map((v) => +v.toFixed(4))).toEqual([1.541, -0.2934, -2.1788]);
    expect(out.same).toBe(true);
    expect(out.equal).toBe(true);
  });

  it('type-checks a strict TypeScript file against the public types, which then runs', () => {
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'ES2022',
          outDir: 'out',
          types: ['node'],
          typeRoots: [join(root, 'node_modules/@types')],
        },
        files: ['check.ts'],
      }),
    );
    writeFileSync(
      join(dir, 'check.ts'),
      `import { manualSeed, nn, rx, tensor, type Tensor } from 'rxnn';
import { Subject } from 'rxjs';
const options: nn.BatchNormOptions = { eps: 1e-5, momentum: 0.1 };
const bn: nn.BatchNorm1d = new nn.BatchNorm1d(2, options);
const y: Tensor = bn.forward(tensor([[1, 2], [3, 6]]));
const events = new Subject<rx.TrainEvent>();
const kinds: string[] = [];
events.subscribe((e) => kinds.push(e.kind));
events.next({ kind: 'epoch', model: 'm', epoch: 1, train: 0.5, test: 0.25 });
type Result = Awaited<ReturnType<typeof rx.modelComparison>>;
manualSeed(1);
const shape: readonly number[] = y.shape;
const r: Result | undefined = undefined;
console.log(JSON.stringify({ shape, kinds, r: r ?? null }));
`,
    );
    run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.']);
    expect(JSON.parse(run(process.execPath, ['out/check.js']))).toEqual({ shape: [2, 2], kinds: ['epoch'], r: null });
  });

  it('rejects a type error in strict mode (the types are real, not any)', () => {
    writeFileSync(
      join(dir, 'check.ts'),
      `import { nn } from 'rxnn';\nconst bn: nn.BatchNorm1d = new nn.BatchNorm1d('two');\n`,
    );
    let out = '';
    try {
      run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.']);
    } catch (e) {
      out = String((e as { stdout?: string }).stdout);
    }
    expect(out).toMatch(/check\.ts\(2,\d+\): error TS2345: Argument of type 'string' is not assignable/);
  });

  it('runs the command with npx', () => {
    const out = join(dir, 'run');
    const stdout = run(npm, ['exec', '--offline', '--', 'rxnn', 'run', 'bn-placement', '--epochs', '1', '--out', out]);
    expect(stdout).toContain('bn-placement');
    const csv = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/^model,epoch,/);
    expect(csv.length - 1).toBe(3); // none, pre, post: one epoch each
  });

  it('says what to install when the gpu backend is asked for without gpu.js', () => {
    let stderr = '';
    try {
      run(npm, [
        'exec',
        '--offline',
        '--',
        'rxnn',
        'run',
        'bn-placement',
        '--epochs',
        '1',
        '--backend',
        'gpu:webasm',
        '--out',
        join(dir, 'gpu'),
      ]);
    } catch (e) {
      stderr = String((e as { stderr?: string }).stderr);
    }
    expect(stderr).toContain('npm install gpu.js@2.24.1');
  });
});
