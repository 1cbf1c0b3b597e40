/**
 * Memory: what a training step gives back to the backend, and how code that keeps a tensor past
 * the step says so.
 *
 * A training step (fit, trainBatch, rx.trainStep) runs in a tidy scope: once the optimizer has
 * stepped, the activations its autograd graph made go back to the backend for the next step to
 * reuse, whatever the modules are. A module that keeps an activation (a probe, a hook, a cache)
 * marks it with keep(t) or keeps t.detach(); the one below keeps one of each, and a third without
 * either, which is an error at its next use, never stale values. Your own loop gets the same reuse
 * by wrapping each step in tidy().
 * Run: npx ts-node examples/09-memory.ts
 */
import { data, fit, keep, manualSeed, nn, optim, tidy, type Tensor } from 'rxnn';

/** A Linear layer that keeps its last output three ways. */
class Probe extends nn.Linear {
  kept: Tensor | null = null;
  detached: Tensor | null = null;
  plain: Tensor | null = null;
  override forward(x: Tensor): Tensor {
    const y = super.forward(x);
    this.kept = keep(y.relu()); // marked: outlives the step
    this.detached = y.detach(); // a second tensor over y's storage: outlives the step too
    this.plain = y.tanh(); // part of the step's graph: freed when the step ends
    return y;
  }
}

async function main(): Promise<void> {
  manualSeed(420);
  const [features, labels] = data.tensorGenReg({ w: [2, -1], bias: false, deg: 2 });
  const [train] = data.splitLoader(features, labels);
  manualSeed(24);
  const probe = new Probe(4, 1);
  const model = new nn.Sequential(new nn.Linear(2, 4), new nn.ReLU(), probe);
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.03 });
  const criterion = new nn.MSELoss();

  await fit({ model, criterion, optimizer, loader: train, epochs: 2 });
  const first = (t: Tensor | null) => Array.from(t!.data.slice(0, 3), (v) => v.toFixed(4)).join(', ');
  console.log(`kept with keep():    ${first(probe.kept)}, ...`);
  console.log(`kept as t.detach():  ${first(probe.detached)}, ...`);
  try {
    first(probe.plain);
  } catch (err) {
    console.log(`kept as it was:      ${(err as Error).message.split(':')[0]}`);
  }

  // Your own loop: each step in tidy(), which returns the loss and frees the rest of the graph.
  for (let epoch = 3; epoch <= 5; epoch++) {
    let sum = 0,
      n = 0;
    for (const [x, y] of train) {
      const loss = tidy(() => {
        const l = criterion.forward(model.forward(x), y);
        optimizer.zeroGrad();
        l.backward();
        optimizer.step();
        return l;
      });
      sum += loss.item();
      n++;
    }
    console.log(`epoch ${epoch}: mean train loss ${(sum / n).toFixed(4)}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
