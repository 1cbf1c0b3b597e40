/**
 * The gpu backend's contract beyond kernel values (kernels.test.ts checks those):
 * mode selection and its errors, the per-shape compile cache, the worker
 * bridge that webgpu uses, RXNN_BACKEND parsing, and availableBackends().
 */
import { afterAll, describe, expect, it } from 'vitest';
import { hostView } from '../helpers/host-view';
import { fromHost } from '../../src/backend/storage';
import { K, getBackend, setBackend } from '../../src/backend';
import { availableBackends } from '../../src/backend/available';
import { applyBackendEnv, parseBackendSpec } from '../../src/backend/env';
import { GPU_MODES, activeRunner, runnableModes } from '../../src/backend/gpu';
import { BridgeRunner } from '../../src/backend/gpu/webgpu';

const runnable = runnableModes();
const unavailable = GPU_MODES.filter((m) => !runnable.includes(m));
console.log(`gpu modes here: ${runnable.join(', ')}; not here: ${unavailable.join(', ') || 'none'}`);

afterAll(() => {
  setBackend('js');
});

/** What getBackend() reports for gpu in `mode`: webgpu also names its adapter. */
const info = (mode: string) =>
  mode === 'webgpu' ? { name: 'gpu', mode, device: expect.stringMatching(/\S/) } : { name: 'gpu', mode };

describe('gpu backend', () => {
  it('auto picks the first runnable mode in the order webgpu, headlessgl, webasm, cpu', () => {
    expect(runnable).toContain('cpu');
    expect(setBackend('gpu')).toEqual(info(runnable[0]));
    expect(getBackend()).toEqual(info(runnable[0]));
  });

  it.each(runnable)('mode %s is honoured and reported', (mode) => {
    expect(setBackend('gpu', { mode })).toEqual(info(mode));
    expect(getBackend()).toEqual(info(mode));
    const out = K.matmul(
      fromHost(Float32Array.of(1, 2, 3, 4)),
      fromHost(Float32Array.of(5, 6, 7, 8)),
      2,
      2,
      2,
      false,
      false,
    );
    expect(Array.from(K.read(out))).toEqual([19, 22, 43, 50]); // webgpu: the result lives on the device until read
  });

  it('a mode that cannot run here throws why and what runs, and keeps the previous backend', () => {
    setBackend('js');
    for (const mode of unavailable) {
      expect(() => setBackend('gpu', { mode })).toThrow(
        new RegExp(`${mode} cannot run here: .+Modes that run here: ${runnable.join(', ')}`),
      );
      expect(getBackend()).toEqual({ name: 'js' });
    }
    expect(() => setBackend('gpu', { mode: 'quantum' as never })).toThrow(/unknown mode 'quantum'/);
    expect(getBackend()).toEqual({ name: 'js' });
  });

  it('compiles once per kernel and shape: a repeated (last, smaller) batch does not recompile', () => {
    setBackend('gpu', { mode: runnable.includes('webasm') ? 'webasm' : 'cpu' });
    const r = activeRunner();
    const KH = hostView(K);
    const a = new Float32Array(10 * 3).fill(1),
      b = new Float32Array(3 * 4).fill(1);
    const tail = new Float32Array(7 * 3).fill(1);
    KH.matmul(a, b, 10, 3, 4, false, false);
    KH.matmul(tail, b, 7, 3, 4, false, false);
    const compiled = r.compiles;
    for (let epoch = 0; epoch < 3; epoch++) {
      expect(KH.matmul(a, b, 10, 3, 4, false, false)[0]).toBe(3);
      expect(KH.matmul(tail, b, 7, 3, 4, false, false)[0]).toBe(3);
    }
    expect(r.compiles).toBe(compiled);
    KH.matmul(b, tail, 4, 3, 7, true, true);
    expect(r.compiles).toBe(compiled + 1);
  });

  it('the worker bridge (how webgpu runs) gives the same answers synchronously', () => {
    const br = new BridgeRunner('webasm');
    const a = Float32Array.from({ length: 6 }, (_, i) => i + 1); // [2, 3]
    const b = Float32Array.from({ length: 12 }, (_, i) => i - 5); // [3, 4]
    const spec = {
      source: 'matmul' as const,
      key: 'mm',
      constants: { n: 4, k: 3, aRow: 3, aCol: 1, bRow: 4, bCol: 1 },
      output: 8,
      loopMax: 3,
    };
    const want = Array.from({ length: 8 }, (_, x) => {
      const i = Math.floor(x / 4),
        j = x % 4;
      return [0, 1, 2].reduce((s, p) => s + a[i * 3 + p] * b[p * 4 + j], 0);
    });
    expect(Array.from(br.run(spec, [a, b]))).toEqual(want);
    // Inputs larger than the first shared buffer (1 MiB) make it grow.
    const big = new Float32Array(400_000).fill(2);
    const spec2 = {
      source: 'bnForward' as const,
      key: 'bn',
      constants: { c: 1, s: 400_000 },
      output: 400_000,
      loopMax: 1,
    };
    const y = br.run(spec2, [
      big,
      new Float32Array([1]),
      new Float32Array([3]),
      new Float32Array([1]),
      new Float32Array([0.5]),
    ]);
    expect(y[0]).toBe(3.5);
    expect(y[399_999]).toBe(3.5);
    expect(br.compiles).toBe(2);
  });
});

describe('RXNN_BACKEND and availableBackends', () => {
  it('parses js, gpu and gpu:<mode>, and rejects the rest clearly', () => {
    expect(parseBackendSpec('js')).toEqual({ name: 'js' });
    expect(parseBackendSpec('gpu')).toEqual({ name: 'gpu' });
    expect(parseBackendSpec('gpu:webasm')).toEqual({ name: 'gpu', options: { mode: 'webasm' } });
    expect(() => parseBackendSpec('cuda')).toThrow(/unknown backend 'cuda'; expected one of js, gpu/);
    expect(() => parseBackendSpec('js:fast')).toThrow(/backend 'js' takes no mode/);
    expect(() => parseBackendSpec('gpu:')).toThrow(/expected 'js', 'gpu' or 'gpu:<mode>'/);
    expect(() => applyBackendEnv('gpu:quantum')).toThrow(/RXNN_BACKEND='gpu:quantum': .*unknown mode 'quantum'/);
  });

  it('applies a valid value', () => {
    applyBackendEnv('gpu:cpu');
    expect(getBackend()).toEqual({ name: 'gpu', mode: 'cpu' });
    applyBackendEnv('js');
    expect(getBackend()).toEqual({ name: 'js' });
  });

  it('lists js and each runnable gpu mode', () => {
    expect(availableBackends()).toEqual([
      { name: 'js', label: 'js' },
      ...runnable.map((mode) => ({ name: 'gpu', options: { mode }, label: `gpu:${mode}` })),
    ]);
  });
});
