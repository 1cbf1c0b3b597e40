/**
 * Tensor lifetimes (src/tensor/lifetime.ts): reference counts over storages, dispose, tidy
 * scopes, keep, the backward sweep's own scope, and the rule that nothing else releases storage.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keep, manualSeed, nn, noGrad, randn, tensor, tidy, Tensor } from '../../src';

const FREED = /used after its values were freed/;

describe('dispose', () => {
  it('releases a storage when its last tensor goes: a view keeps its base readable', () => {
    const a = tensor([1, 2, 3, 4]);
    const v = a.reshape(2, 2);
    a.dispose();
    expect(a.isDisposed).toBe(true);
    expect(() => a.data).toThrow(FREED);
    expect(v.toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    v.dispose();
    expect(() => v.add(1)).toThrow(FREED);
  });

  it('a disposed tensor is unusable even while a view keeps its storage', () => {
    const a = tensor([1, 2, 3, 4]);
    const v = a.reshape(2, 2);
    a.dispose();
    expect(() => a.add(1)).toThrow(FREED);
    expect(() => a.sum()).toThrow(FREED);
    expect(() => a.matmul(a)).toThrow(FREED);
    expect(v.sum().item()).toBe(10);
  });

  it('is idempotent: a second dispose does not release a storage another tensor holds', () => {
    const a = tensor([1, 2, 3]);
    const d = a.detach();
    a.dispose();
    a.dispose();
    expect(Array.from(d.data)).toEqual([1, 2, 3]);
  });
});

describe('tidy', () => {
  it('frees the graph made inside it, keeps what it returns, what was kept, and what has no graph', () => {
    const w = randn(3, 3).requiresGrad_();
    let hidden: Tensor | null = null,
      kept: Tensor | null = null,
      plain: Tensor | null = null;
    const out = tidy(() => {
      hidden = w.mul(2);
      kept = keep(w.add(1));
      plain = noGrad(() => w.mul(3));
      const loss = hidden.sum().add(kept.sum());
      loss.backward();
      return loss;
    });
    expect(hidden!.isDisposed).toBe(true);
    expect(() => hidden!.data).toThrow(FREED);
    expect(kept!.isDisposed).toBe(false);
    expect(plain!.isDisposed).toBe(false);
    expect(out.isDisposed).toBe(false);
    expect(Array.from(w.grad!.data)).toEqual(new Array(9).fill(3));
    expect(Array.from(plain!.data)).toEqual(Array.from(w.data, (v) => Math.fround(v * 3)));
  });

  it('returns arrays and objects of tensors alive; an inner scope hands them to the outer one', () => {
    const w = randn(2).requiresGrad_();
    let inner: { a: Tensor; b: Tensor } | null = null;
    let pair: Tensor[] = [];
    tidy(() => {
      inner = tidy(() => ({ a: w.mul(2), b: w.mul(3) }));
      expect(inner.a.isDisposed).toBe(false);
      pair = tidy(() => [w.add(1), w.add(2)]);
      expect(pair.every((t) => !t.isDisposed)).toBe(true);
    });
    // The outer scope did not return them: they were its tensors, now freed.
    expect(inner!.a.isDisposed).toBe(true);
    expect(pair[1].isDisposed).toBe(true);
  });

  it('frees the graph when its function throws, and rethrows', () => {
    const w = randn(2).requiresGrad_();
    let t: Tensor | null = null;
    expect(() =>
      tidy(() => {
        t = w.exp();
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(t!.isDisposed).toBe(true);
  });
});

describe('backward', () => {
  it("frees the gradients it made between nodes, keeps each leaf's .grad, and accumulates as PyTorch", () => {
    manualSeed(3);
    const model = new nn.Sequential(new nn.Linear(4, 5), new nn.Tanh(), new nn.Linear(5, 1));
    const x = randn(6, 4);
    const first = model.forward(x).pow(2).mean();
    first.backward();
    const grads = model.parameters().map((p) => Array.from(p.grad!.data));
    const again = model.forward(x).pow(2).mean();
    again.backward();
    model.parameters().forEach((p, i) => {
      expect(p.grad!.isDisposed).toBe(false);
      // The same batch twice: every gradient doubles (x + x is exact).
      expect(Array.from(p.grad!.data)).toEqual(grads[i].map((v) => v * 2));
    });
  });

  it('leaves a gradient the caller passed in as it was', () => {
    const a = randn(3).requiresGrad_();
    const g = tensor([1, 2, 3]);
    a.mul(2).backward(g);
    expect(g.isDisposed).toBe(false);
    expect(Array.from(g.data)).toEqual([1, 2, 3]);
    expect(Array.from(a.grad!.data)).toEqual([2, 4, 6]);
  });
});

describe('one owner of release', () => {
  it('outside src/backend, only src/tensor/lifetime.ts hands storage back (K.release)', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) {
          if (path !== join('src', 'backend')) walk(path);
        } else if (path.endsWith('.ts') && path !== join('src', 'tensor', 'lifetime.ts')) {
          if (/\bK\.release\(/.test(readFileSync(path, 'utf8'))) offenders.push(path);
        }
      }
    };
    walk('src');
    walk('pipelines');
    expect(offenders).toEqual([]);
  });
});
