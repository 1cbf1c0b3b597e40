/**
 * Buffer reuse across training steps (src/train/recycle.ts): on the js backend a
 * training loop of rxnn's own modules, loss and SGD allocates no new arrays in
 * its steady state, apart from the loader's batches; values are unchanged by the
 * reuse; and a custom module, criterion or optimizer turns it off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastValueFrom } from 'rxjs';
import { data, fit, manualSeed, nn, optim, randn, rx, setBackend, getBackend, type Tensor } from '../../src';
import { poolStats } from '../../src/backend/js/pool';
import { StepRecycler, recyclable } from '../../src/train/recycle';

function problem(seed: number) {
  manualSeed(seed);
  const x = randn(96, 16);
  const y = x.matmul(randn(16, 1)).mul(0.1);
  const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 32, shuffle: true });
  const model = new nn.MLP({ inFeatures: 16, hidden: [32, 32], outFeatures: 1, bn: 'pre' });
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  return { loader, model, optimizer, criterion: new nn.MSELoss() };
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

  it('reuse changes no value: the same run with a custom (non-recycling) criterion gives the same weights, bit for bit', async () => {
    class SameMSE {
      forward(a: Tensor, b: Tensor) {
        return new nn.MSELoss().forward(a, b);
      }
    }
    const a = problem(2);
    await fit({ ...a, epochs: 4 });
    const b = problem(2); // reseeds: the same shuffles
    expect(new StepRecycler(b.model, new SameMSE(), b.optimizer).enabled).toBe(false);
    await fit({ ...b, criterion: new SameMSE(), epochs: 4 });
    const sa = a.model.stateDict(),
      sb = b.model.stateDict();
    for (const k of Object.keys(sa)) {
      const va = sa[k],
        vb = sb[k];
      if (typeof va === 'number') expect(vb).toBe(va);
      else expect(Array.from((vb as Tensor).data), k).toEqual(Array.from(va.data));
    }
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
  });

  it('is off for anything that might keep a tensor: custom modules, subclasses, activation functions, criteria, optimizers', () => {
    const { model, optimizer, criterion } = problem(4);
    expect(recyclable(model, criterion, optimizer)).toBe(true);
    class Keeping extends nn.Linear {
      last: Tensor | null = null;
      override forward(x: Tensor) {
        this.last = x;
        return super.forward(x);
      }
    }
    expect(recyclable(new nn.Sequential(new Keeping(2, 2)), criterion, optimizer)).toBe(false);
    expect(recyclable(new nn.MLP({ activation: (t) => t.relu() }), criterion, optimizer)).toBe(false);
    expect(recyclable(model, { forward: criterion.forward.bind(criterion) }, optimizer)).toBe(false);
    expect(recyclable(model, criterion, { zeroGrad() {}, step() {} })).toBe(false);
    // An instance's own forward (a stand-in for a hook that keeps activations).
    const patched = new nn.MLP({ bn: 'pre' });
    const relu = new nn.ReLU();
    const kept: Tensor[] = [];
    relu.forward = (x: Tensor) => {
      const out = x.relu();
      kept.push(out);
      return out;
    };
    expect(recyclable(new nn.Sequential(new nn.Linear(2, 2), relu), criterion, optimizer)).toBe(false);
    const mse = new nn.MSELoss();
    mse.forward = (a: Tensor, b: Tensor) => new nn.MSELoss().forward(a, b);
    expect(recyclable(patched, mse, optimizer)).toBe(false);
  });
});
