import { Code, I32, V128, moduleBytes } from './asm';
import { WA, type WasmMemory } from './api';

/**
 * SGD without momentum (PyTorch's rule with momentum 0, or no buffer yet) in
 * f64x2, two parameters at a time, with the js kernel's roundings:
 *   d = f32(grad + weightDecay * param) (d = grad when weightDecay is 0);   param = f32(param - lr * d)
 * (each product and sum in float64, as js/sgd.ts computes them), so the same
 * bits. The parameter is updated in place: copied in, swept, copied back.
 *
 * sgdPlain(p, g, n, k), sgdNoDecay(p, g, n, k): p and g float32 arrays of n (even) elements, k -> [lr, weightDecay] as float64.
 */

function sgdPlainFunc(decay: boolean) {
  const [p, g, n, k] = [0, 1, 2, 3];
  const [off, bytes] = [4, 5];
  const [lr, wd, pv] = [6, 7, 8];
  const c = new Code();
  c.get(k).v128Load64Splat(0).set(lr);
  c.get(k).v128Load64Splat(8).set(wd);
  c.get(n).i32(4).mul().set(bytes);
  c.for(
    off,
    () => c.i32(0),
    () => c.get(bytes),
    8,
    () => {
      c.get(p).get(off).add().v128Load64Zero().f64x2PromoteLowF32x4().set(pv);
      c.get(p).get(off).add(); // store address
      c.get(pv);
      c.get(lr);
      // d = f32(g + wd * p), back in float64; d = g without decay (PyTorch skips it: 0 * Inf is NaN)
      c.get(g).get(off).add().v128Load64Zero().f64x2PromoteLowF32x4();
      if (decay) {
        c.get(wd).get(pv).f64x2Mul().f64x2Add();
        c.f32x4DemoteF64x2Zero().f64x2PromoteLowF32x4();
      }
      c.f64x2Mul().f64x2Sub();
      c.f32x4DemoteF64x2Zero().v128Store64Lane0();
    },
  );
  return {
    name: decay ? 'sgdPlain' : 'sgdNoDecay',
    params: 4,
    locals: [
      [2, I32],
      [3, V128],
    ] as [number, number][],
    code: c,
  };
}

const PAGE = 65536,
  MAX_PAGES = 16384;
let mem: WasmMemory | undefined;
let ex: Record<string, (...a: number[]) => void> | undefined;

/**
 * In place: param[i] = f32(param[i] - lr * d), d = f32(grad[i] + weightDecay * param[i]), or
 * d = grad[i] when weightDecay is 0. The caller passes PyTorch's float32 scalars (js/sgd.ts).
 */
export function wasmSgdPlain(param: Float32Array, grad: Float32Array, lr: number, weightDecay: number): void {
  const n = param.length,
    n2 = n + (n & 1);
  const gOff = 16 + Math.ceil(n2 / 4) * 16,
    end = gOff + n2 * 4;
  if (!mem) {
    mem = new WA.Memory({ initial: 1, maximum: MAX_PAGES });
    ex = new WA.Instance(new WA.Module(moduleBytes([sgdPlainFunc(true), sgdPlainFunc(false)], 1, MAX_PAGES, false)), {
      env: { mem },
    }).exports as Record<string, (...a: number[]) => void>;
  }
  const have = mem.buffer.byteLength;
  if (end > have) mem.grow(Math.ceil((end - have) / PAGE));
  const f32 = new Float32Array(mem.buffer),
    f64 = new Float64Array(mem.buffer, 0, 2);
  f64[0] = lr;
  f64[1] = weightDecay;
  f32.set(param, 4);
  f32.set(grad, gOff / 4);
  (ex as Record<string, (...a: number[]) => void>)[weightDecay !== 0 ? 'sgdPlain' : 'sgdNoDecay'](16, gOff, n2, 0);
  param.set(f32.subarray(4, 4 + n));
}
