/**
 * Buffer reuse across training steps (src/tensor/lifetime.ts): a training step runs in a tidy
 * scope, so on the js backend a training loop allocates no new arrays in its steady state apart
 * from the loader's batches, whatever its modules, criterion and optimizer are; values are
 * unchanged by the reuse; and a module that keeps an activation past the step either says so
 * (keep, detach) and keeps its values, or gets a clear error, never stale values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastValueFrom } from 'rxjs';
import { fit, keep, manualSeed, nn, randn, rx, setBackend, getBackend, tidy, Tensor } from '../../src';
import { poolStats } from '../../src/backend/js/pool';
import { TrainingStep } from '../../src/train/step';
import { trainingProblem } from '../helpers/training-problem';

const problem = (seed: number, make?: () => nn.Module) => trainingProblem(seed, { targetScale: 0.1, make });

/** A user's own module: a residual block with a BatchNorm, written against the public API only. */
class Residual extends nn.Module {
  readonly inner: nn.Linear;
  readonly norm: nn.BatchNorm1d;
  constructor(width: number) {
    super();
    this.inner = new nn.Linear(width, width);
    this.norm = new nn.BatchNorm1d(width);
    this.registerModule('inner', this.inner);
    this.registerModule('norm', this.norm);
  }
  forward(x: Tensor): Tensor {
    return x.add(this.norm.forward(this.inner.forward(x)).tanh());
  }
}
/** A user's own model around it, and a user's own criterion (mean absolute error, from ops). */
class Net extends nn.Module {
  readonly input = new nn.Linear(16, 32);
  readonly block = new Residual(32);
  readonly output = new nn.Linear(32, 1);
  constructor() {
    super();
    this.registerModule('input', this.input);
    this.registerModule('block', this.block);
    this.registerModule('output', this.output);
  }
  forward(x: Tensor): Tensor {
    return this.output.forward(this.block.forward(this.input.forward(x).relu()));
  }
}
const meanAbsolute = { forward: (yhat: Tensor, y: Tensor) => yhat.sub(y).abs().mean() };

/** Every value of every entry of a state dict, as bits. */
function bits(model: nn.Module): Record<string, number[] | number> {
  const out: Record<string, number[] | number> = {};
  for (const [k, v] of Object.entries(model.stateDict()))
    out[k] = typeof v === 'number' ? v : Array.from(new Uint32Array(Float32Array.from(v.data).buffer));
  return out;
}

describe('training steps reuse their buffers (js backend)', () => {
  let previous = getBackend();
  beforeAll(() => {
    previous = getBackend();
    setBackend('js');
  });
  afterAll(() => {
    setBackend(previous.name, previous.mode ? { mode: previous.mode } : undefined);
  });

  it("fit: after two warm-up epochs, a step allocates one array: the loader's new X batch", async () => {
    const p = problem(1);
    await fit({ ...p, epochs: 2 });
    const before = poolStats().allocated;
    await fit({ ...p, epochs: 3 });
    // 3 epochs x 3 steps. The loader gathers X [32, 16] (a new batch the caller may keep) and
    // y [32, 1], which reuses a 32-float array the step before released; the step itself allocates nothing.
    expect(poolStats().allocated - before).toBe(3 * 3);
  });

  it("a user's own modules and criterion get the same reuse: no list of known classes", async () => {
    const p = problem(11, () => new Net());
    await fit({ ...p, criterion: meanAbsolute, epochs: 2 });
    const before = poolStats().allocated;
    await fit({ ...p, criterion: meanAbsolute, epochs: 3 });
    expect(poolStats().allocated - before).toBe(3 * 3);
  });

  it("a user's own loop gets it with tidy", () => {
    const p = problem(12, () => new Net());
    const epoch = () => {
      for (const [x, y] of p.loader)
        tidy(() => {
          const loss = meanAbsolute.forward(p.model.forward(x), y);
          p.optimizer.zeroGrad();
          loss.backward();
          p.optimizer.step();
        });
    };
    epoch();
    epoch();
    const before = poolStats().allocated;
    for (let e = 0; e < 3; e++) epoch();
    expect(poolStats().allocated - before).toBe(3 * 3);
  });

  it('reuse changes no value: the same run without it gives the same weights, bit for bit', async () => {
    const a = problem(2, () => new Net());
    await fit({ ...a, epochs: 4 });
    const b = problem(2, () => new Net()); // reseeds: the same initial weights and shuffles
    const step = new TrainingStep(b.model, b.criterion, b.optimizer, { recycle: false });
    for (let e = 0; e < 4; e++) for (const [x, y] of b.loader) step.run(x, y);
    expect(bits(b.model)).toEqual(bits(a.model));
  });

  it('rx trainStep reuses them too', async () => {
    const p = problem(3);
    const run = (epochs: number) =>
      lastValueFrom(rx.batches(p.loader, { scheduler: null }).pipe(rx.epochs(epochs), rx.trainStep(p)));
    await run(2);
    const before = poolStats().allocated;
    await run(2);
    expect(poolStats().allocated - before).toBe(2 * 3);
  });

  it("a batch that an op made (not a leaf) is the caller's: fit never hands it back (PyTorch leaves X as it was)", async () => {
    manualSeed(5);
    const raw = randn(32, 16).requiresGrad_();
    const X = raw.sub(1); // SubBackward0 saves nothing: PyTorch lets the graph above X run again
    const y = randn(32, 1);
    const before = Array.from(X.data);
    const { model, optimizer, criterion } = problem(6);
    await fit({ model, optimizer, criterion, loader: [[X, y]], epochs: 3 });
    expect(Array.from(X.data)).toEqual(before);
    expect(X.isDisposed).toBe(false);
  });

  describe('a module that keeps an activation past the step', () => {
    class Keeping extends nn.Linear {
      last: Tensor | null = null;
      seen: number[] = [];
      constructor(readonly how: 'plain' | 'keep' | 'detach') {
        super(16, 1);
      }
      override forward(x: Tensor): Tensor {
        const out = super.forward(x);
        this.last = this.how === 'keep' ? keep(out) : this.how === 'detach' ? out.detach() : out;
        this.seen = Array.from(out.data);
        return out;
      }
    }
    const train = async (how: 'plain' | 'keep' | 'detach') => {
      const p = problem(7, () => new Keeping(how));
      await fit({ ...p, epochs: 1 });
      return p.model as Keeping;
    };

    it('with keep(t) or t.detach(), keeps its values', async () => {
      for (const how of ['keep', 'detach'] as const) {
        const m = await train(how);
        expect(m.last!.isDisposed, how).toBe(false);
        expect(Array.from(m.last!.data), how).toEqual(m.seen);
      }
    });

    it('without, gets an error naming the cause at its next use, never stale values', async () => {
      const m = await train('plain');
      expect(m.last!.isDisposed).toBe(true);
      expect(() => m.last!.data).toThrow(/used after its values were freed.*training step.*keep\(t\)/);
      expect(() => m.last!.add(1)).toThrow(/used after its values were freed/);
    });
  });
});
