/**
 * The same training run on every backend this machine has: js (typed arrays and
 * WebAssembly SIMD) and each gpu.js mode that runs here (webgpu on a GPU, or on
 * Mesa's lavapipe where no GPU is; headlessgl under xvfb-run; webasm; cpu).
 * Each run starts from the same seed, so the losses agree to float32 rounding
 * (GPU arithmetic is not bit-identical to the CPU's), while the time differs.
 * Run: npx ts-node examples/08-backends.ts   (or: xvfb-run -a npx ts-node ... for headlessgl)
 */
import { availableBackends, data, fit, getBackend, manualSeed, mseCal, nn, optim, setBackend } from 'rxnn';

async function run(): Promise<{ test: number; ms: number }> {
  manualSeed(420);
  const [features, labels] = data.tensorGenReg({ w: [2, -1], bias: false, deg: 2 });
  const [train, test] = data.splitLoader(features, labels);
  manualSeed(24);
  const model = new nn.MLP({ bn: 'pre' });
  const t0 = performance.now();
  await fit({
    model,
    criterion: new nn.MSELoss(),
    optimizer: new optim.SGD(model.parameters(), { lr: 0.03 }),
    loader: train,
    epochs: 5,
  });
  const ms = performance.now() - t0;
  model.eval(); // BatchNorm's running statistics, as the lesson evaluates
  return { test: mseCal(test, model).item(), ms };
}

async function main(): Promise<void> {
  let reference: number | undefined;
  for (const b of availableBackends()) {
    setBackend(b.name, b.options);
    const info = getBackend();
    const { test, ms } = await run();
    reference ??= test;
    const where = info.mode ? `${info.name} (${info.mode}${info.device ? `, ${info.device}` : ''})` : info.name;
    console.log(
      `${b.label.padEnd(16)} test MSE ${test.toFixed(6)}  (${(test - reference).toExponential(1)} from js)  ` +
        `5 epochs in ${ms.toFixed(0)} ms  on ${where}`,
    );
  }
  setBackend('js');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
