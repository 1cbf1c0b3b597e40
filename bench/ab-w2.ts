/**
 * In-process A/B of gemm's spin settings on W2 (bench/run.ts's workload, through `fit`):
 * the configurations take turns epoch by epoch, so the shared machine's drift hits them alike.
 * Prints each one's median samples/s and range over AB_ROUNDS rounds (default 15).
 * Run: npx ts-node bench/ab-w2.ts
 */
import { setBackend } from '../src/backend';
import { tuneGemm } from '../src/backend/wasm/gemm';
import { median } from './stats';
import { w2Training } from './w2';

const STEPS = 17;
const ROUNDS = Number(process.env.AB_ROUNDS) || 15;
const CONFIGS: Record<string, { barrierSpin: number; spinUs: number }> = {
  'barrier spin 2k turns (the default)': { barrierSpin: 2000, spinUs: 0 },
  'no barrier spin': { barrierSpin: 0, spinUs: 0 },
  'barrier spin 20k turns': { barrierSpin: 20_000, spinUs: 0 },
  'barrier spin 20k + worker spins 300 us': { barrierSpin: 20_000, spinUs: 300 },
};

async function main(): Promise<void> {
  setBackend('js');
  const { epoch } = w2Training(STEPS);
  for (let i = 0; i < 3; i++) await epoch();
  const sps = new Map<string, number[]>(Object.keys(CONFIGS).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, cfg] of Object.entries(CONFIGS)) {
      tuneGemm(cfg);
      await epoch(); // one untimed epoch after each switch
      const t0 = performance.now();
      await epoch();
      sps.get(name)?.push((STEPS * 256) / ((performance.now() - t0) / 1000));
    }
  }
  for (const [name, v] of sps) {
    console.log(
      `${name.padEnd(38)} median ${Math.round(median(v))} samples/s, range ${Math.round(Math.min(...v))}-${Math.round(Math.max(...v))}`,
    );
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
