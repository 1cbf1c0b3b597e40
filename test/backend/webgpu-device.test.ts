/**
 * The gpu backend's webgpu mode on this machine's own WebGPU device (Dawn's
 * binding, npm 'webgpu'): on a GPU, or on Mesa's lavapipe (software Vulkan),
 * which is what CI installs (.ci/run). wgsl-matmul.test.ts checks the WGSL
 * kernel by emulation; this runs it for real, through K, for the four
 * transpose combinations at shapes that leave partial tiles on every edge,
 * with and without a bias (addmm), against a float64 product.
 *
 * It also holds the resident mode to its point: a training step on the device
 * reads back nothing but what the program reads (the loss), the tensors it
 * keeps there (parameters, gradients, momentum buffers) hold no host array
 * until one is read, and values come back whole when another backend takes over.
 *
 * Where no WebGPU adapter answers, the suite is reported as skipped, with the
 * reason in its title: never counted as passed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainingProblem } from '../helpers/training-problem';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, lastValueFrom, toArray } from 'rxjs';
import { fit, rx } from '../../src';
import { K, getBackend, setBackend } from '../../src/backend';
import { fromHost, Storage } from '../../src/backend/storage';
import { probeMode } from '../../src/backend/gpu/modes';
import { activeRunner } from '../../src/backend/gpu/ops';
import { BridgeRunner } from '../../src/backend/gpu/webgpu';
import { errorVsBound, referenceMatmul } from '../../src/backend/gpu/wgsl/matmul';

const probe = probeMode('webgpu');

function rand(len: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(len);
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** A kernel's result on the host (in resident mode it lives on the device until read: one readback). */
function host(s: Storage): Float32Array {
  return K.read(s);
}

/** A storage over a copy of `a` (the storage owns its array; the test keeps `a` for the reference). */
const st = (a: Float32Array) => fromHost(a.slice());

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [7, 13, 5],
  [65, 33, 129],
  [130, 257, 67],
];
const TRANSPOSES: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];

describe.skipIf(!probe.ok)(`webgpu on this machine's device${probe.ok ? '' : ` (skipped: ${probe.why})`}`, () => {
  let previous = getBackend();
  beforeAll(() => {
    previous = getBackend();
    setBackend('gpu', { mode: 'webgpu' });
  });
  afterAll(() => {
    setBackend(previous.name, previous.mode ? { mode: previous.mode } : undefined);
  });

  it("names its adapter in getBackend(), as the command's header line shows it", () => {
    const b = getBackend();
    expect(b).toMatchObject({ name: 'gpu', mode: 'webgpu' });
    expect(b.device).toBe((activeRunner() as BridgeRunner).adapter);
    expect(b.device?.length).toBeGreaterThan(0);
  });

  it('runs matmul on the tiled WGSL kernel', () => {
    const r = activeRunner();
    expect(r).toBeInstanceOf(BridgeRunner);
    expect((r as BridgeRunner).matmulEngine).toBe('wgsl');
  });

  for (const [m, k, n] of SHAPES) {
    for (const [transA, transB] of TRANSPOSES) {
      it(`${m}x${k}x${n} transA=${transA} transB=${transB}: within the float32 bound of a float64 product`, () => {
        const a = rand(m * k, m * 7 + k),
          b = rand(k * n, n * 13 + k);
        const got = host(K.matmul(st(a), st(b), m, k, n, transA, transB));
        expect(got.length).toBe(m * n);
        const { worst, at } = errorVsBound(got, referenceMatmul(a, b, { m, k, n, transA, transB }), k);
        expect(worst, `worst error / bound at ${at}`).toBeLessThanOrEqual(1);
      });
    }
  }

  it('addmm: adds the bias to the float32 sum, every row', () => {
    const [m, k, n] = [65, 33, 129];
    const a = rand(m * k, 1),
      b = rand(k * n, 2),
      bias = rand(n, 3);
    const plain = host(K.matmul(st(a), st(b), m, k, n, false, true));
    const withBias = host(K.matmul(st(a), st(b), m, k, n, false, true, st(bias)));
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) expect(withBias[i * n + j]).toBe(Math.fround(plain[i * n + j] + bias[j]));
    }
  });

  it('BatchNorm then matmul on the device agree with js', () => {
    const [rows, c] = [40, 24];
    const x = rand(rows * c, 9),
      w = rand(c, 10),
      bia = rand(c, 11);
    const xs = st(x);
    const stats = K.batchNormStats(xs, rows, c, 1, 1e-5);
    const yS = K.batchNormForward(xs, rows, c, 1, stats.mean, stats.invstd, st(w), st(bia));
    const out = host(K.matmul(yS, st(rand(c * 8, 12)), rows, c, 8, false, false));
    const y = host(yS);
    setBackend('js');
    const xj = st(x);
    const stJ = K.batchNormStats(xj, rows, c, 1, 1e-5);
    const yJS = K.batchNormForward(xj, rows, c, 1, stJ.mean, stJ.invstd, st(w), st(bia));
    const outJ = K.read(K.matmul(yJS, st(rand(c * 8, 12)), rows, c, 8, false, false));
    const yJ = K.read(yJS);
    setBackend('gpu', { mode: 'webgpu' });
    for (let i = 0; i < y.length; i++)
      expect(Math.abs(y[i] - yJ[i])).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(yJ[i]));
    for (let i = 0; i < out.length; i++)
      expect(Math.abs(out[i] - outJ[i])).toBeLessThanOrEqual(1e-4 + 1e-5 * Math.abs(outJ[i]));
  });

  const problem = (seed: number) => trainingProblem(seed, { samples: 128, inFeatures: 8, hidden: [16, 16] });

  it('resident: a training step reads back only its loss (rx trainStep), fit reads back nothing', async () => {
    const runner = activeRunner() as BridgeRunner;
    const res = runner.residency!;
    expect(res).not.toBeNull();
    const p = problem(3);
    await fit({ ...p, epochs: 1 }); // warm: every array the loop uses now lives on the device
    let reads = res.reads;
    await fit({ ...p, epochs: 2 });
    expect(res.reads - reads).toBe(0);
    const steps = 2 * p.loader.length;
    reads = res.reads;
    const events = await lastValueFrom(
      rx.batches(p.loader, { scheduler: null }).pipe(
        rx.epochs(2),
        rx.trainStep({ model: p.model, criterion: p.criterion, optimizer: p.optimizer }),
        filter((e) => e.kind === 'step'),
        toArray(),
      ),
    );
    expect(events).toHaveLength(steps);
    expect(res.reads - reads).toBe(steps);
    expect(events.every((e) => e.kind === 'step' && Number.isFinite(e.loss))).toBe(true);
  });

  it('resident: the same training as js, within float32 accumulation, and js reads current values afterwards', async () => {
    const train = async (backend: () => void) => {
      backend();
      const p = problem(11);
      await fit({ ...p, epochs: 3 });
      setBackend('js'); // from webgpu: every value on the device comes back first
      return p.model.stateDict();
    };
    const onDevice = await train(() => setBackend('gpu', { mode: 'webgpu' }));
    const onJs = await train(() => setBackend('js'));
    setBackend('gpu', { mode: 'webgpu' });
    expect(Object.keys(onDevice)).toEqual(Object.keys(onJs));
    for (const [key, v] of Object.entries(onJs)) {
      const d = onDevice[key];
      if (typeof v === 'number') {
        expect(d, key).toBe(v);
        continue;
      }
      const a = Array.from((d as typeof v).data),
        b = Array.from(v.data);
      const worst = Math.max(...a.map((x, i) => Math.abs(x - b[i]) / (1e-4 + 1e-3 * Math.abs(b[i]))));
      expect(worst, `${key}: worst |device - js| / (1e-4 + 1e-3 |js|)`).toBeLessThanOrEqual(1);
    }
  });

  it('resident: a training loop holds no host copies of its tensors; reading one weight makes exactly one', async () => {
    const res = (activeRunner() as BridgeRunner).residency!;
    expect(res).not.toBeNull();
    const w2 = (seed: number) => trainingProblem(seed);

    const p = w2(21);
    await fit({ ...p, epochs: 2 }); // warm
    const before = res.hostArrays;
    await fit({ ...p, epochs: 3 });
    expect(res.hostArrays - before, 'host arrays allocated by 3 epochs of fit').toBe(0);
    const params = p.model.parameters();
    expect(params.length).toBe(10);
    for (const [name, q] of p.model.namedParameters()) {
      expect(q.storage.host, name).toBeNull();
      expect(res.isOnDevice(q.storage), name).toBe(true);
      expect(q.grad, `${name}.grad`).not.toBeNull();
      expect(q.grad!.storage.host, `${name}.grad`).toBeNull();
    }
    const momentum = (p.optimizer as unknown as { buffers: Map<unknown, Storage> }).buffers;
    expect(momentum.size).toBe(params.length);
    for (const b of momentum.values()) expect(b.host, 'momentum buffer').toBeNull();

    const w = params[0];
    const got = Array.from(w.data);
    expect(res.hostArrays - before, 'host arrays after reading one weight').toBe(1);

    // The same seed on js (leaving webgpu reads every device value back first).
    setBackend('js');
    const q = w2(21);
    await fit({ ...q, epochs: 2 });
    await fit({ ...q, epochs: 3 });
    const want = Array.from(q.model.parameters()[0].data);
    setBackend('gpu', { mode: 'webgpu' });
    expect(got.length).toBe(want.length);
    const worst = Math.max(...got.map((x, i) => Math.abs(x - want[i]) / (1e-4 + 1e-3 * Math.abs(want[i]))));
    expect(worst, `first weight: worst |device - js| / (1e-4 + 1e-3 |js|)`).toBeLessThanOrEqual(1);
  });

  it('a process that exits with device work queued or running exits cleanly (Dawn aborted it before)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxnn-exit-'));
    const script = join(dir, 'exit.ts');
    writeFileSync(
      script,
      [
        `import { K, setBackend } from ${JSON.stringify(join(__dirname, '..', '..', 'src', 'backend'))};`,
        `import { fromHost } from ${JSON.stringify(join(__dirname, '..', '..', 'src', 'backend', 'storage'))};`,
        "setBackend('gpu', { mode: 'webgpu' });",
        'const a = fromHost(new Float32Array(128 * 128).fill(0.5));',
        'let x = K.matmul(a, a, 128, 128, 128, false, false);',
        // More calls than one batch: some submitted to the device, some still queued at exit.
        "for (let i = 0; i < 100; i++) x = K.unary('relu', K.matmul(x, a, 128, 128, 128, false, false));",
        "process.stdout.write('queued\\n');",
        'process.exit(0);',
      ].join('\n'),
    );
    // execFileSync throws on a non-zero exit or a signal (SIGABRT), with the child's output.
    const out = execFileSync(process.execPath, ['-r', 'ts-node/register', script], {
      encoding: 'utf8',
      cwd: join(__dirname, '..', '..'),
      timeout: 120_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toBe('queued\n');
  }, 130_000);
});
