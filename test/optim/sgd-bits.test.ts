/**
 * SGD against PyTorch 1.13 bit for bit (test/fixtures/sgd-bits.json, made by
 * tools/gen_sgd_fixtures.py): plain, weight decay, momentum, dampening and
 * nesterov, at 7 parameters (the js loop) and 1025 (the wasm path without
 * momentum), with -0, tiny and large values; gradients are set by hand, so only
 * the optimizer's arithmetic is judged. A second parameter gets no gradient on
 * step 2: zeroGrad() zeroes it in place, as 1.13 does, so momentum and weight
 * decay still move it. Then the optimizer's argument checks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ones, optim, randn, tensor, Tensor, zeros } from '../../src';
import { forEachBackend } from '../helpers/backends';

interface Step {
  grad: number[];
  gradQ: number[] | null;
  param: number[];
  paramQ: number[];
  buf: number[] | null;
}
interface Case {
  n: number;
  options: Record<string, number | boolean>;
  init: [number[], number[]];
  steps: Step[];
}
const fixture = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'sgd-bits.json'), 'utf8')) as {
  cases: Case[];
};

const fromBits = (bits: number[]) => new Float32Array(Int32Array.from(bits).buffer);
const toBits = (f: Float32Array) => Array.from(new Int32Array(Float32Array.from(f).buffer));
const leaf = (bits: number[]) => new Tensor(fromBits(bits), [bits.length], true);

/** Backends whose SGD kernel runs on a device (the others run js's: src/backend/js/sgd.ts). */
const onDevice = (label: string) => label === 'gpu:webgpu';

/**
 * The update rule of kernels.ts with every multiply-add rounded twice (product, then sum): what
 * a device computes where WGSL's fma rounds its product, as the spec allows and lavapipe does.
 * (A GPU that fuses gives PyTorch's bits, the fixture's.)
 */
function unfusedChain(
  c: Case,
  opts: { lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean },
) {
  const f = Math.fround;
  const lr = f(opts.lr),
    wd = f(opts.weightDecay),
    mom = f(opts.momentum),
    keep = f(1 - opts.dampening);
  const p = [fromBits(c.init[0]), fromBits(c.init[1])];
  const bufs: (Float32Array | null)[] = [null, null];
  return c.steps.map((s) => {
    [s.grad, s.gradQ ?? new Array(s.grad.length).fill(0)].forEach((gBits, j) => {
      const g = fromBits(gBits),
        x = p[j];
      const first = mom !== 0 && !bufs[j];
      if (mom !== 0 && !bufs[j]) bufs[j] = new Float32Array(x.length);
      const buf = bufs[j];
      for (let i = 0; i < x.length; i++) {
        let d = wd !== 0 ? f(f(wd * x[i]) + g[i]) : g[i];
        if (mom !== 0 && buf) {
          buf[i] = first ? d : f(f(keep * d) + f(mom * buf[i]));
          d = opts.nesterov ? f(f(mom * buf[i]) + d) : buf[i];
        }
        x[i] = f(f(-lr * d) + x[i]);
      }
    });
    return { param: toBits(p[0]), paramQ: toBits(p[1]), buf: bufs[0] ? toBits(bufs[0]) : null };
  });
}

/** PyTorch's bits; on a device, each element either those or the twice-rounded rule's (never anything else). */
function expectBits(got: Float32Array, fused: number[], unfused: number[] | null, what: string): void {
  const g = toBits(got);
  if (!unfused) {
    expect(g, what).toEqual(fused);
    return;
  }
  const off = g.map((b, i) => [i, b, fused[i], unfused[i]]).filter(([, b, x, y]) => b !== x && b !== y);
  expect(off, `${what}: [index, got, PyTorch's bits, twice-rounded bits]`).toEqual([]);
}

forEachBackend((label) => {
  describe('SGD against PyTorch 1.13, bit for bit (on a device: or its twice-rounded multiply-adds)', () => {
    it('covers every case of the fixture', () => {
      expect(fixture.cases).toHaveLength(10);
    });
    for (const c of fixture.cases) {
      const o = c.options;
      const opts = {
        lr: o.lr as number,
        momentum: (o.momentum as number) ?? 0,
        dampening: (o.dampening as number) ?? 0,
        weightDecay: (o.weight_decay as number) ?? 0,
        nesterov: (o.nesterov as boolean) ?? false,
      };
      it(`${c.n} parameters, ${JSON.stringify(o)}`, () => {
        const p = leaf(c.init[0]),
          q = leaf(c.init[1]);
        const opt = new optim.SGD([p, q], opts);
        const twice = onDevice(label) ? unfusedChain(c, opts) : null;
        c.steps.forEach((s, k) => {
          opt.zeroGrad();
          p.grad = tensor(fromBits(s.grad));
          if (s.gradQ) q.grad = tensor(fromBits(s.gradQ));
          opt.step();
          expectBits(p.data, s.param, twice?.[k].param ?? null, `param after step ${k + 1}`);
          expectBits(q.data, s.paramQ, twice?.[k].paramQ ?? null, `unused-on-step-2 param after step ${k + 1}`);
          const buf = opt.stateDict().momentumBuffers[0];
          if (s.buf)
            expectBits(Float32Array.from(buf!), s.buf, twice?.[k].buf ?? null, `momentum buffer after step ${k + 1}`);
        });
      });
    }
  });
});

describe('SGD and gradients: what PyTorch refuses', () => {
  it('a non-leaf parameter is refused (it would never move)', () => {
    const w = randn(3).requiresGrad_().mul(0.1);
    expect(() => new optim.SGD([w], { lr: 0.5 })).toThrow(
      /can't optimize a non-leaf Tensor \(parameter 0, made by MulBackward0\)/,
    );
  });

  it('a gradient of another shape is refused on assignment, and the old one kept', () => {
    const p = ones(3).requiresGrad_();
    p.grad = tensor([1, 2, 3]);
    expect(() => {
      p.grad = tensor([1]);
    }).toThrow(/assigned grad has shape \[1\], expected a Tensor of the tensor's shape \[3\]/);
    expect(Array.from(p.grad.data)).toEqual([1, 2, 3]);
  });

  it('zeroGrad() zeroes in place (the same tensor); { setToNone: true } drops it, and step() then skips the parameter', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const opt = new optim.SGD([a], { lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
    a.mul(a).sum().backward();
    const g = a.grad!;
    opt.zeroGrad();
    expect(a.grad).toBe(g);
    expect(a.grad!.toString()).toBe('tensor([0., 0.])');
    opt.zeroGrad({ setToNone: true });
    expect(a.grad).toBeNull();
    const before = Array.from(a.data);
    opt.step();
    expect(Array.from(a.data)).toEqual(before);
  });

  it('backward after zeroGrad() gives the new gradient, not one added to stale values', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const opt = new optim.SGD([a], { lr: 0.1 });
    a.mul(3).sum().backward();
    opt.zeroGrad();
    a.mul(a).sum().backward();
    expect(Array.from(a.grad!.data)).toEqual([2, 4]);
    a.mul(a).sum().backward(); // no zeroGrad: accumulates, as in PyTorch
    expect(Array.from(a.grad!.data)).toEqual([4, 8]);
  });
});

describe('gradient accumulation, as PyTorch 1.13 (in place: a held .grad sees the sum)', () => {
  // The lines below are what PyTorch 1.13 prints for the same calls (tools/grad_accumulation.py)
  // (p, q zeros; c = [-0, 0.5, ...], d = [2, -0, ...]; rounded to 6 decimals, '-0' marked).
  const torchSays = [
    'A first -0,0.5',
    'A accum true -0,1 -0,1',
    'B zero true 0,0',
    'B zero+bw true 0,0.5 0,0.5',
    'B twice true 0,1 0,1',
    'C shared true 2,0.5 2,0.5',
    'C second true 4,1 4,1',
    'E none null',
    'E after -0,0.5',
    'F held 2,0 2,0 -1.122,0',
  ];
  const fmt = (t: Tensor) =>
    Array.from(t.data.slice(0, 2))
      .map((v) => (Object.is(v, -0) ? '-0' : Math.round(v * 1e6) / 1e6))
      .join(',');
  it.each([2, 1100])("%i values (the JS loop and the backend's add)", (n) => {
    const lines: string[] = [];
    const p = zeros(n).requiresGrad_(),
      q = zeros(n).requiresGrad_();
    const c = tensor(Array.from({ length: n }, (_, i) => (i % 2 ? 0.5 : -0)));
    const d = tensor(Array.from({ length: n }, (_, i) => (i % 2 ? -0 : 2)));
    let opt = new optim.SGD([p, q], { lr: 0.1 });
    p.mul(c).sum().backward();
    let g = p.grad!;
    lines.push(`A first ${fmt(p.grad!)}`);
    p.mul(c).sum().backward();
    lines.push(`A accum ${g === p.grad} ${fmt(g)} ${fmt(p.grad!)}`);
    opt.zeroGrad();
    lines.push(`B zero ${g === p.grad} ${fmt(g)}`);
    p.mul(c).sum().backward();
    lines.push(`B zero+bw ${g === p.grad} ${fmt(g)} ${fmt(p.grad!)}`);
    p.mul(c).sum().backward();
    lines.push(`B twice ${g === p.grad} ${fmt(g)} ${fmt(p.grad!)}`);
    opt.zeroGrad({ setToNone: true });
    p.mul(c).sum().add(q.mul(d).sum()).backward();
    q.grad = p.grad;
    opt.zeroGrad();
    p.mul(c).sum().add(q.mul(d).sum()).backward();
    lines.push(`C shared ${p.grad === q.grad} ${fmt(p.grad!)} ${fmt(q.grad!)}`);
    p.mul(c).sum().add(q.mul(d).sum()).backward();
    lines.push(`C second ${p.grad === q.grad} ${fmt(p.grad!)} ${fmt(q.grad!)}`);
    opt.zeroGrad({ setToNone: true });
    lines.push(`E none ${String(p.grad)}`);
    p.mul(c).sum().backward();
    lines.push(`E after ${fmt(p.grad!)}`);
    opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
    p.grad = null;
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      p.mul(p).mul(c).add(p.mul(d)).sum().backward();
      if (i === 0) g = p.grad!;
      opt.step();
    }
    lines.push(`F held ${fmt(g)} ${fmt(p.grad!)} ${fmt(p.detach())}`);
    expect(lines).toEqual(torchSays);
  });
});
