/**
 * TensorFlow.js peers: the pure-JS 'cpu' backend and the 'wasm' backend
 * (XNNPACK, SIMD; threads only where the runtime offers them, reported).
 * Loaded lazily: they are devDependencies.
 */
import { medianMs } from '../stats';

/**
 * Why tfjs wasm runs on one thread here. tfjs-backend-wasm 4.22 reports WASM_HAS_MULTITHREAD_SUPPORT
 * false whenever IS_NODE (tensorflow/tfjs#3830), so Node gets the single-threaded SIMD binary.
 * Forcing the flag loads the threaded-SIMD binary only once its emscripten worker bootstrap is
 * patched (blob: URLs, which Node's Worker refuses, and the bundle's own globals), and even then
 * XNNPACK's pool comes up with getThreadsCount() === 1 and a 1024 matmul runs at the 1-thread speed.
 */
export const TFJS_THREADS_NOTE =
  'tfjs wasm runs single-threaded: tfjs-backend-wasm 4.22 turns threads off under Node (WASM_HAS_MULTITHREAD_SUPPORT is false when IS_NODE, tensorflow/tfjs#3830); forced on, its threaded-SIMD build still reports 1 thread (bench/README.md)';

type Tf = typeof import('@tensorflow/tfjs');
let tfMod: Tf | undefined;

async function tfOn(backend: 'cpu' | 'wasm'): Promise<Tf> {
  if (!tfMod) {
    // Silence the "install tfjs-node" banner.
    const { log, warn } = console;
    console.log = console.warn = () => undefined;
    try {
      // require, not import: synchronous, so that the console is restored right after loading.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      tfMod = require('@tensorflow/tfjs') as Tf;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('@tensorflow/tfjs-backend-wasm');
    } finally {
      Object.assign(console, { log, warn });
    }
  }
  const tf = tfMod;
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} did not start`);
  await tf.ready();
  return tf;
}

export async function tfjsInfo(backend: 'cpu' | 'wasm'): Promise<string> {
  const tf = await tfOn(backend);
  if (backend === 'cpu') return 'tfjs cpu (JS)';
  const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
  return `tfjs wasm (SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}, threads ${threads})`;
}

/** Median ms of one float32 [n, n] x [n, n] matmul, result read back. */
export async function tfjsMatmulMs(
  backend: 'cpu' | 'wasm',
  n: number,
  budgetMs: number,
  minReps: number,
  warmup: number,
): Promise<number> {
  const tf = await tfOn(backend);
  const a = tf.randomNormal([n, n]),
    b = tf.randomNormal([n, n]);
  const ms = await medianMs(
    async () => {
      const c = tf.matMul(a, b);
      await c.data();
      c.dispose();
    },
    { budgetMs, minReps, warmup },
  );
  a.dispose();
  b.dispose();
  return ms;
}

/**
 * W1 on tfjs, the lesson's shape: 700 training rows of 2 features (the lesson's quadratic
 * target), batch 10 (70 steps per epoch), Dense(4) -> BatchNormalization -> ReLU -> Dense(1),
 * MSE, SGD lr 0.03. BatchNormalization takes PyTorch's settings (momentum 0.1 is Keras's
 * 0.9, eps 1e-5). Each epoch does what rxnn's loader and trainBatch do: a fresh shuffle,
 * a gather of each batch, then forward, loss, backward and update (optimizer.minimize) in
 * a tidy scope; the graph runs eagerly (the cpu and wasm backends are synchronous). A
 * hand-written loop rather than model.fit, whose per-batch callbacks and event-loop yields
 * would dominate 10-row steps. Median ms per epoch over `epochs` epochs after `warmup`.
 */
export async function tfjsW1MsPerEpoch(backend: 'cpu' | 'wasm', epochs: number, warmup: number): Promise<number> {
  const tf = await tfOn(backend);
  const rows = 700,
    batch = 10;
  const x = tf.randomNormal([rows, 2]);
  const y = tf.tidy(() => tf.matMul(x.square(), tf.tensor2d([[2], [-1]])).add(tf.randomNormal([rows, 1], 0, 0.01)));
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 4, inputShape: [2] }));
  model.add(tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }));
  model.add(tf.layers.reLU());
  model.add(tf.layers.dense({ units: 1 }));
  const optimizer = tf.train.sgd(0.03);
  const epoch = () => {
    const order = tf.util.createShuffledIndices(rows);
    for (let b = 0; b < rows / batch; b++) {
      tf.tidy(() => {
        const idx = tf.tensor1d(Int32Array.from(order.subarray(b * batch, (b + 1) * batch)), 'int32');
        const xb = tf.gather(x, idx),
          yb = tf.gather(y, idx);
        optimizer.minimize(() =>
          tf.losses.meanSquaredError<import('@tensorflow/tfjs').Tensor, import('@tensorflow/tfjs').Scalar>(
            yb,
            model.apply(xb, { training: true }) as import('@tensorflow/tfjs').Tensor,
          ),
        );
      });
    }
  };
  const ms = await medianMs(epoch, { budgetMs: 0, minReps: epochs, warmup });
  x.dispose();
  y.dispose();
  model.dispose();
  return ms;
}

/** W2 on tfjs: Dense(256) -> BatchNorm -> ReLU x3 -> Dense(1), SGD 0.03, MSE; samples/s over `steps` batches of 256. */
export async function tfjsW2SamplesPerS(backend: 'cpu' | 'wasm', steps: number): Promise<number> {
  const tf = await tfOn(backend);
  const model = tf.sequential();
  for (let i = 0; i < 3; i++) {
    model.add(tf.layers.dense({ units: 256, inputShape: i === 0 ? [64] : undefined }));
    model.add(tf.layers.batchNormalization());
    model.add(tf.layers.reLU());
  }
  model.add(tf.layers.dense({ units: 1 }));
  model.compile({ optimizer: tf.train.sgd(0.03), loss: 'meanSquaredError' });
  const rows = steps * 256;
  const x = tf.randomNormal([rows, 64]);
  const y = tf.matMul(x, tf.randomNormal([64, 1])).mul(0.1);
  await model.fit(x.slice(0, 256), y.slice(0, 256), { batchSize: 256, epochs: 1, verbose: 0 });
  const ms = await medianMs(() => model.fit(x, y, { batchSize: 256, epochs: 1, shuffle: true, verbose: 0 }), {
    budgetMs: 0,
    minReps: 2,
    warmup: 0,
  });
  return rows / (ms / 1000);
}
