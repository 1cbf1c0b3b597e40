/**
 * Model comparison, the lesson's `model_comparison`: three ReLU MLPs (no
 * BatchNorm, BatchNorm before and after the activation) on the same data.
 * First as a Promise of the lesson's result shape, then as a live stream that
 * reports which model leads after each epoch.
 *
 *   npx ts-node examples/06-model-comparison.ts
 */
import { filter, scan } from 'rxjs';
import { manualSeed, nn, optim, data, mseCal } from 'rxnn';
import { compare$, modelComparison } from 'rxnn/rx';

const names = ['none', 'pre', 'post'] as const;
function setup() {
  manualSeed(420);
  const [features, labels] = data.tensorGenReg({ w: [2, -1], bias: false, deg: 2 });
  const [train, test] = data.splitLoader(features, labels, { batchSize: 10 });
  // Same seed per model: all three start from the same Linear weights.
  const models = names.map((bn) => (manualSeed(24), new nn.MLP({ inFeatures: 2, hidden: [4], bn })));
  return { train, test, models };
}

async function main() {
  // 1. The Promise API: one row per model, one value per epoch.
  const a = setup();
  const result = await modelComparison({
    models: a.models,
    names: [...names],
    train: a.train,
    test: a.test,
    epochs: 10,
    criterion: new nn.MSELoss(),
    optimizer: optim.SGD,
    lr: 0.03,
    evaluate: mseCal,
  });
  console.log('test MSE per epoch (modelComparison)');
  console.log('epoch ' + names.map((n) => n.padStart(8)).join(''));
  result.test[0].forEach((_, e) =>
    console.log(String(e + 1).padStart(5) + ' ' + result.test.map((row) => row[e].toFixed(4).padStart(8)).join('')),
  );

  // 2. The same comparison, live: the leader by test MSE after every epoch.
  const b = setup();
  console.log('\nlive (compare$): the leader after each epoch');
  compare$({ models: b.models, names: [...names], train: b.train, test: b.test, epochs: 10 })
    .pipe(
      filter((e) => e.kind === 'epoch'),
      scan(
        (latest, e) => (e.kind === 'epoch' ? { ...latest, [e.model!]: e } : latest),
        {} as Record<string, { epoch: number; test: number }>,
      ),
      filter((latest) => names.every((n) => latest[n]?.epoch === latest.none?.epoch)),
    )
    .subscribe((latest) => {
      const best = [...names].sort((x, y) => latest[x].test - latest[y].test)[0];
      console.log(
        `epoch ${String(latest.none.epoch).padStart(2)}: ${best.padEnd(4)} leads with test MSE ${latest[best].test.toFixed(4)}`,
      );
    });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
