import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FLAG_NAMES, flagsMarkdown, parseFlag } from '../../src/config/flags';

describe('RXNN_* flags (src/config/flags.ts)', () => {
  it('docs/configuration.md holds the table of every variable', () => {
    const doc = readFileSync(join(__dirname, '../../docs/configuration.md'), 'utf8');
    expect(doc).toContain(flagsMarkdown());
    for (const n of FLAG_NAMES) expect(doc).toContain(`\`${n}\``);
  });

  it('parses each value, and takes the default when unset or blank', () => {
    expect(parseFlag('RXNN_THREADS', '4')).toBe(4);
    expect(parseFlag('RXNN_THREADS', undefined)).toBeUndefined();
    expect(parseFlag('RXNN_EW_WASM_MIN', ' ')).toBe(1024);
    expect(parseFlag('RXNN_SPIN_US', '2.5')).toBe(2.5);
    expect(parseFlag('RXNN_WASM_FMA', '0')).toBe(false);
    expect(parseFlag('RXNN_WEBGPU_RESIDENT', '1')).toBe(true);
    expect(parseFlag('RXNN_WEBGPU_MATMUL', 'gpujs')).toBe('gpujs');
    expect(parseFlag('RXNN_BACKEND', 'gpu:webasm')).toEqual({ name: 'gpu', mode: 'webasm' });
  });

  it('rejects a bad value naming the variable, the value and what was expected', () => {
    expect(() => parseFlag('RXNN_THREADS', '0')).toThrow("RXNN_THREADS='0': expected a positive integer");
    expect(() => parseFlag('RXNN_WASM_MIN_MACS', 'lots')).toThrow(
      "RXNN_WASM_MIN_MACS='lots': expected a positive integer",
    );
    expect(() => parseFlag('RXNN_SPIN_US', '-1')).toThrow("RXNN_SPIN_US='-1': expected a non-negative number");
    expect(() => parseFlag('RXNN_WASM_FMA', 'yes')).toThrow("RXNN_WASM_FMA='yes': expected '1' or '0'");
    expect(() => parseFlag('RXNN_BACKEND', 'gpu:')).toThrow(
      "RXNN_BACKEND='gpu:': expected 'js', 'gpu' or 'gpu:<mode>'",
    );
  });
});

describe('RXNN_BACKEND is applied at the first call that needs a backend, not on import', () => {
  const saved = process.env.RXNN_BACKEND;
  afterEach(() => {
    if (saved === undefined) delete process.env.RXNN_BACKEND;
    else process.env.RXNN_BACKEND = saved;
    vi.resetModules();
  });

  it('a bad value imports cleanly and throws at the first kernel call, every call, until setBackend', async () => {
    vi.resetModules();
    process.env.RXNN_BACKEND = 'foo';
    const rxnn = await import('../../src/index.js');
    const msg = "RXNN_BACKEND='foo': unknown backend 'foo'; expected one of js, gpu";
    expect(() => rxnn.tensor([1, 2]).add(1)).toThrow(msg);
    expect(() => rxnn.getBackend()).toThrow(msg);
    rxnn.setBackend('js');
    expect(Array.from(rxnn.tensor([1, 2]).add(1).data)).toEqual([2, 3]);
    expect(rxnn.getBackend()).toEqual({ name: 'js' });
  });

  it('a good value is the backend of the first call', async () => {
    vi.resetModules();
    process.env.RXNN_BACKEND = 'gpu:cpu';
    const rxnn = await import('../../src/index.js');
    expect(Array.from(rxnn.tensor([1, 2]).mul(2).data)).toEqual([2, 4]);
    expect(rxnn.getBackend()).toEqual({ name: 'gpu', mode: 'cpu' });
    rxnn.setBackend('js');
  });
});
