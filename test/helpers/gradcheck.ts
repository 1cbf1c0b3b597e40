/**
 * A float64 finite-difference gradient checker for rxnn.
 *
 * rxnn is float32-only, so finite differences of rxnn itself would drown in
 * rounding. Instead each check pairs the rxnn function with a REFERENCE
 * implementation of the same math in plain float64 JS numbers:
 *   1. forward: rxnn's output must match the reference on the same
 *      (float32-representable) inputs;
 *   2. backward: the output is reduced to a scalar loss = sum(out * w) with fixed
 *      pseudo-random weights w (so every output element's gradient path is
 *      exercised with a distinct weight), rxnn's analytic gradients come from
 *      `.backward()`, and the reference's come from central differences
 *      (L(x + h) - L(x - h)) / 2h in float64, h = 1e-6.
 * The truncation error of the central difference is O(h^2 f''') ~ 1e-12 and its
 * rounding error ~ 1e-16 |L| / h ~ 1e-10 |L|, far below float32's 6e-8, so the
 * tolerance only has to absorb rxnn's float32 rounding.
 * Failures name the worst element: check, input index, flat index (and
 * coordinates), analytic and numeric values.
 */
import { Tensor, tensor } from '../../src';
import { awayFromZero, unravel } from './reference';

export interface Tol {
  atol?: number;
  rtol?: number;
}

/** An input: fresh values (made float32) and a shape, or an existing leaf such as a module Parameter. */
export type GradInput =
  { values: ArrayLike<number>; shape: readonly number[]; requiresGrad?: boolean } | { tensor: Tensor };

export interface GradcheckSpec {
  name: string;
  inputs: readonly GradInput[];
  /** The op under test, on leaf tensors built from `inputs` (in order). */
  rxnn: (ts: Tensor[]) => Tensor;
  /** The same function in float64: flat row-major input values in, flat output values out. */
  ref: (xs: number[][]) => number[] | number;
  /** When given, the rxnn output must have exactly this shape. */
  outShape?: readonly number[];
  /** Gradient tolerance: |analytic - numeric| <= atol + rtol * |numeric|. Default 1e-5, 1e-4. */
  tol?: Tol;
  /** Forward tolerance against the reference. Default atol 1e-6, rtol 1e-5. */
  forwardTol?: Tol;
  /** Finite-difference step (float64). Default 1e-6. */
  h?: number;
  /** Seed of the loss weights w. */
  seed?: number;
}

export interface GradcheckReport {
  /** The rxnn output. */
  out: Tensor;
  /** Per input: rxnn's gradient (null where the input takes none), and the float64 numeric gradient. */
  analytic: (number[] | null)[];
  numeric: (number[] | null)[];
  /** Number of gradient elements compared. */
  checked: number;
}

interface Worst {
  ratio: number;
  message: string;
}

const fmtShape = (s: readonly number[]) => `[${s.join(', ')}]`;
const g = (v: number) => (Number.isFinite(v) ? v.toPrecision(9) : String(v));

/** |a - b| measured against atol + rtol * |b|; NaN against anything but NaN is infinitely bad. */
function excess(a: number, b: number, tol: Required<Tol>): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return 0;
  return Math.abs(a - b) / (tol.atol + tol.rtol * Math.abs(b));
}

/**
 * Compares `actual` with `expected` elementwise (|a - b| <= atol + rtol * |b|);
 * throws naming the worst element, its coordinates in `shape`, and how many failed.
 */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tol,
  what: string,
  shape?: readonly number[],
): void {
  const t = { atol: tol.atol ?? 0, rtol: tol.rtol ?? 0 };
  if (actual.length !== expected.length) {
    throw new Error(`${what}: got ${actual.length} values, expected ${expected.length}`);
  }
  let worst = -1,
    worstRatio = 0,
    bad = 0;
  for (let i = 0; i < expected.length; i++) {
    const r = excess(actual[i], expected[i], t);
    if (r > 1) bad++;
    if (r > worstRatio) {
      worstRatio = r;
      worst = i;
    }
  }
  if (worstRatio > 1) {
    const where = shape ? ` ${fmtShape(unravel(worst, shape))}` : '';
    throw new Error(
      `${what}: ${bad} of ${expected.length} values out of tolerance (atol ${t.atol}, rtol ${t.rtol}); ` +
        `worst at flat index ${worst}${where}: got ${g(actual[worst])}, expected ${g(expected[worst])}, ` +
        `|diff| ${g(Math.abs(actual[worst] - expected[worst]))}`,
    );
  }
}

function asArray(v: number[] | number): number[] {
  return typeof v === 'number' ? [v] : v;
}

/** Runs the check; throws (naming the worst element) when forward or gradients disagree with the reference. */
export function gradcheck(spec: GradcheckSpec): GradcheckReport {
  const { name, h = 1e-6 } = spec;
  const tol = { atol: spec.tol?.atol ?? 1e-5, rtol: spec.tol?.rtol ?? 1e-4 };
  const ftol = { atol: spec.forwardTol?.atol ?? 1e-6, rtol: spec.forwardTol?.rtol ?? 1e-5 };

  // Leaves: fresh float32 tensors, or the given ones (their .grad is cleared first).
  const leaves: Tensor[] = spec.inputs.map((inp, i) => {
    if ('tensor' in inp) {
      inp.tensor.grad = null;
      return inp.tensor;
    }
    if (inp.values.length !== inp.shape.reduce((p, d) => p * d, 1)) {
      throw new Error(
        `gradcheck '${name}': input ${i} has ${inp.values.length} values for shape ${fmtShape(inp.shape)}`,
      );
    }
    return tensor(Array.from(inp.values, Math.fround), { shape: inp.shape, requiresGrad: inp.requiresGrad ?? true });
  });
  // The reference sees exactly the float32 values rxnn sees, in float64.
  const xs = leaves.map((t) => Array.from(t.data));

  // Forward.
  const out = spec.rxnn(leaves);
  if (!(out instanceof Tensor)) throw new Error(`gradcheck '${name}': rxnn function did not return a Tensor`);
  if (spec.outShape && out.shape.join() !== spec.outShape.join()) {
    throw new Error(`gradcheck '${name}': output shape ${fmtShape(out.shape)}, expected ${fmtShape(spec.outShape)}`);
  }
  const expected = asArray(spec.ref(xs));
  assertClose(out.data, expected, ftol, `gradcheck '${name}' forward`, out.shape);

  // Analytic gradients of loss = sum(out * w).
  const w = awayFromZero(out.size, spec.seed ?? 1234, 0.5, 1.5);
  if (!out.requiresGrad) throw new Error(`gradcheck '${name}': output does not require grad (no graph recorded)`);
  out
    .mul(tensor(w, { shape: out.shape }))
    .sum()
    .backward();

  const loss = (vals: number[][]) => {
    const y = asArray(spec.ref(vals));
    let s = 0;
    for (let k = 0; k < y.length; k++) s += y[k] * w[k];
    return s;
  };

  const analytic: (number[] | null)[] = [];
  const numeric: (number[] | null)[] = [];
  let worst: Worst = { ratio: 0, message: '' };
  let bad = 0,
    checked = 0;
  leaves.forEach((t, i) => {
    if (!t.requiresGrad) {
      if (t.grad !== null) throw new Error(`gradcheck '${name}': input ${i} does not require grad but got a .grad`);
      analytic.push(null);
      numeric.push(null);
      return;
    }
    if (t.grad && t.grad.shape.join() !== t.shape.join()) {
      throw new Error(
        `gradcheck '${name}': input ${i} has shape ${fmtShape(t.shape)} but its grad has shape ${fmtShape(t.grad.shape)}`,
      );
    }
    // No .grad at all means the input is not in the graph: its gradient is zero.
    const a = t.grad ? Array.from(t.grad.data) : new Array<number>(t.size).fill(0);
    const n = xs[i].map((x0, j) => {
      const plus = xs.map((v, k) => (k === i ? v.slice() : v));
      const minus = xs.map((v, k) => (k === i ? v.slice() : v));
      plus[i][j] = x0 + h;
      minus[i][j] = x0 - h;
      return (loss(plus) - loss(minus)) / (2 * h);
    });
    analytic.push(a);
    numeric.push(n);
    n.forEach((nv, j) => {
      checked++;
      const r = excess(a[j], nv, tol);
      if (r > 1) bad++;
      if (r > worst.ratio) {
        worst = {
          ratio: r,
          message:
            `input ${i} (shape ${fmtShape(t.shape)}) flat index ${j} ${fmtShape(unravel(j, t.shape))}: ` +
            `analytic ${g(a[j])}, numeric ${g(nv)}, |diff| ${g(Math.abs(a[j] - nv))}`,
        };
      }
    });
  });
  if (worst.ratio > 1) {
    throw new Error(
      `gradcheck '${name}': ${bad} of ${checked} gradient elements out of tolerance ` +
        `(atol ${tol.atol}, rtol ${tol.rtol}); worst at ${worst.message}`,
    );
  }
  return { out, analytic, numeric, checked };
}
