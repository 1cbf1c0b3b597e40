/**
 * Composing a training pipeline from rxnn's operators and subscribing to its
 * live metrics: the lesson's data (`source` + `split`), one pass per epoch
 * (`batches` + `epochs`), `trainStep`, `evaluate` — then ordinary RxJS to
 * filter, throttle and print.
 *
 *   npx ts-node examples/04-compose-pipeline.ts
 */
import { concatMap, filter, map, share, throttleTime, merge, tap } from 'rxjs';
import { manualSeed, nn, optim, mseCal } from 'rxnn';
import { batches, epochs, evaluate, source, split, trainStep } from 'rxnn/rx';

manualSeed(420); // the lesson's data seed; source draws on subscription, so seed first
const training$ = source({ kind: 'reg', w: [2, -1], bias: false, deg: 2 }).pipe(
  split({ batchSize: 10, rate: 0.7 }),
  concatMap(({ train, test }) => {
    manualSeed(24); // the lesson's model seed
    const model = new nn.MLP({ inFeatures: 2, hidden: [4], bn: 'pre' });
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.03 });
    return batches(train).pipe(
      epochs(20),
      trainStep({ model, criterion: new nn.MSELoss(), optimizer }),
      evaluate({ model, loaders: { train, test }, metric: mseCal }),
    );
  }),
  share(), // one training run, several views of it
);

// View 1: the loss at most every 25 ms while it trains (throttled: a UI would redraw at this rate).
const losses$ = training$.pipe(
  filter((e) => e.kind === 'step'),
  throttleTime(25),
  map(
    (e) =>
      `  step  epoch ${String(e.epoch).padStart(2)} batch ${String(e.step).padStart(2)}  loss ${e.loss.toFixed(4)}`,
  ),
);

// View 2: every fifth epoch's train/test MSE, in eval mode.
const epochs$ = training$.pipe(
  filter((e) => e.kind === 'epoch' && e.epoch % 5 === 0),
  map((e) =>
    e.kind === 'epoch'
      ? `epoch ${String(e.epoch).padStart(2)}  train MSE ${e.train.toFixed(4)}  test MSE ${e.test.toFixed(4)}`
      : '',
  ),
);

let steps = 0;
const counted$ = training$.pipe(
  tap((e) => e.kind === 'step' && steps++),
  filter(() => false),
);
// Training starts on the next turn of the event loop, so all three views see every event.
merge(losses$, epochs$, counted$).subscribe({
  next: (line) => console.log(line),
  complete: () => console.log(`done: ${steps} steps`),
});
