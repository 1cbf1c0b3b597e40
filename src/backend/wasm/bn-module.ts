import { Code, FuncDef, I32, V128, moduleBytes } from './asm';

/**
 * BatchNorm over [N, C] (S = 1) as row sweeps with f64x2 SIMD: each row's
 * channels are taken two at a time, float32 values promoted to float64, and
 * per-channel float64 accumulators kept in memory. Every channel still sums
 * over b = 0, 1, ..., N-1 in order with the same float64 operations as the
 * scalar js kernels (src/backend/js/batchnorm.ts), so results are bitwise
 * identical; only the order across channels, which nothing depends on, differs.
 *
 * Pointers are bytes. Float32 tensors are [n, c] row-major; per-channel arrays
 * are float64 with room for an even number of channels. For odd c the last
 * pair reads one float past the row (into the next row or the caller's slack)
 * and writes it: rows are swept in order, so the next row overwrites it.
 *
 *   colSum(x, n, c, acc)                              acc[ch] += x
 *   colSqDev(x, n, c, mean, acc)                      acc[ch] += (x - mean[ch])^2
 *   colGradSums(gy, x, n, c, m, is, accG, accGX)      accG[ch] += g;  accGX[ch] += (g * (x - m[ch])) * is[ch]
 *   affine(x, y, n, c, alpha, beta)                   y = f32(x * alpha[ch] + beta[ch])
 *   scale(x, y, n, c, alpha)                          y = f32(x * alpha[ch])
 *   bwdTrain(gy, x, gx, n, c, m, is, sc, k2, k3)      gx = f32(sc[ch] * ((g - k2[ch]) - ((x - m[ch]) * is[ch]) * k3[ch]))
 */
interface Sweep {
  name: string;
  /** Float32 [n, c] tensors read or written, then per-channel float64 arrays; `n` and `c` follow the tensors. */
  tensors: string[];
  channels: string[];
  /** Emits the body for one pair; `t(name)` pushes the promoted pair, `ch(name)` the address of a channel pair. */
  body: (c: Code, t: (name: string) => void, chAddr: (name: string) => void, tAddr: (name: string) => void) => void;
}

function sweep({ name, tensors, channels, body }: Sweep): FuncDef {
  const params = [...tensors, 'n', 'c', ...channels];
  const idx = new Map(params.map((p, i) => [p, i]));
  let next = params.length;
  const local = () => next++;
  const b = local(),
    q = local(),
    cEven = local(),
    off = local(),
    dq = local();
  const code = new Code();
  const P = (p: string) => idx.get(p) as number;
  // cEven = c rounded up to even: (c + 1) - ((c + 1) & 1)
  code.get(P('c')).i32(1).add().set(cEven);
  code.get(cEven).get(cEven).i32(1).and_().sub().set(cEven);
  // off: byte offset of the current pair within the tensors, dq: within the channel arrays.
  code.for(
    b,
    () => code.i32(0),
    () => code.get(P('n')),
    1,
    () => {
      code.get(b).get(P('c')).mul().i32(4).mul().set(off);
      code.i32(0).set(dq);
      code.for(
        q,
        () => code.i32(0),
        () => code.get(cEven),
        2,
        () => {
          body(
            code,
            (t) => code.get(P(t)).get(off).add().v128Load64Zero().f64x2PromoteLowF32x4(),
            (ch) => code.get(P(ch)).get(dq).add(),
            (t) => code.get(P(t)).get(off).add(),
          );
          code.inc(off, 8).inc(dq, 16);
        },
      );
    },
  );
  return { name, params: params.length, locals: [[next - params.length, I32]], code };
}

/** acc[ch] += value, where `value` pushes an f64x2. */
function accumulate(c: Code, chAddr: (n: string) => void, acc: string, value: () => void): void {
  chAddr(acc);
  chAddr(acc);
  c.v128Load();
  value();
  c.f64x2Add().v128Store();
}

/**
 * The same sweeps taken a block of 2P channels at a time, down all n rows, for
 * c a multiple of 2P: the block's per-channel constants and float64 accumulators
 * stay in registers (P f64x2 each) instead of a load and a store per pair and
 * row, and the loop runs once per 2P values rather than per 2. Each channel is
 * still summed over b = 0, 1, ..., N-1 in order, from 0, with the same float64
 * operations: the same bits. Named `<name>_p<P>`.
 *
 * `body` gets, for pair q of the block at the current row: t(name) pushes the
 * promoted pair of a tensor, r(name) the register of a channel array, st(name, v)
 * stores f32(v) into a tensor, acc(name, v) adds v into an accumulator register.
 */
interface ColSweep {
  name: string;
  tensors: string[];
  channels: string[];
  /** Channel arrays written back after the block (accumulators); the others are read-only. */
  accs: string[];
  body: (
    c: Code,
    q: number,
    h: {
      t: (name: string) => void;
      r: (name: string) => void;
      st: (name: string, v: () => void) => void;
      acc: (name: string, v: () => void) => void;
    },
  ) => void;
}

function colSweep({ name, tensors, channels, accs, body }: ColSweep, pairs: number): FuncDef {
  const params = [...tensors, 'n', 'c', ...channels];
  const idx = new Map(params.map((p, i) => [p, i]));
  const P = (p: string) => idx.get(p) as number;
  let next = params.length;
  const cb = next++,
    b = next++,
    off = next++,
    rowBytes = next++,
    chOff = next++;
  const nI32 = next - params.length;
  const regs = new Map<string, number>();
  for (const ch of channels) {
    regs.set(ch, next);
    next += pairs;
  }
  const nV128 = next - params.length - nI32;
  const code = new Code();
  const reg = (ch: string, q: number) => (regs.get(ch) as number) + q;
  code.get(P('c')).i32(4).mul().set(rowBytes);
  code.for(
    cb,
    () => code.i32(0),
    () => code.get(P('c')),
    2 * pairs,
    () => {
      // chOff: byte offset of the block in the float64 channel arrays; off: in the float32 tensors.
      code.get(cb).i32(8).mul().set(chOff);
      for (const ch of channels) {
        for (let q = 0; q < pairs; q++)
          code
            .get(P(ch))
            .get(chOff)
            .add()
            .v128Load(q * 16)
            .set(reg(ch, q));
      }
      code.get(cb).i32(4).mul().set(off);
      code.for(
        b,
        () => code.i32(0),
        () => code.get(P('n')),
        1,
        () => {
          for (let q = 0; q < pairs; q++) {
            body(code, q, {
              t: (t) =>
                code
                  .get(P(t))
                  .get(off)
                  .add()
                  .v128Load64Zero(q * 8)
                  .f64x2PromoteLowF32x4(),
              r: (ch) => code.get(reg(ch, q)),
              st: (t, v) => {
                code.get(P(t)).get(off).add();
                v();
                code.f32x4DemoteF64x2Zero().v128Store64Lane0(q * 8);
              },
              acc: (ch, v) => {
                code.get(reg(ch, q));
                v();
                code.f64x2Add().set(reg(ch, q));
              },
            });
          }
          code.inc(off, () => code.get(rowBytes));
        },
      );
      for (const ch of accs) {
        for (let q = 0; q < pairs; q++)
          code
            .get(P(ch))
            .get(chOff)
            .add()
            .get(reg(ch, q))
            .v128Store(q * 16);
      }
    },
  );
  return {
    name: `${name}_p${pairs}`,
    params: params.length,
    locals: [
      [nI32, I32],
      [nV128, V128],
    ],
    code,
  };
}

/** The column-block sweeps and the pair counts each is built with (register budget: 16 xmm). */
export const COL_SWEEPS: [ColSweep, number[]][] = [
  [
    {
      name: 'colSum',
      tensors: ['x'],
      channels: ['acc'],
      accs: ['acc'],
      body: (c, q, { t, acc }) => acc('acc', () => t('x')),
    },
    [2, 4],
  ],
  [
    {
      name: 'colSqDev',
      tensors: ['x'],
      channels: ['mean', 'acc'],
      accs: ['acc'],
      body: (c, q, { t, r, acc }) =>
        acc('acc', () => {
          t('x');
          r('mean');
          c.f64x2Sub();
          t('x');
          r('mean');
          c.f64x2Sub().f64x2Mul();
        }),
    },
    [2, 4],
  ],
  [
    {
      name: 'colGradSums',
      tensors: ['gy', 'x'],
      channels: ['m', 'is', 'accG', 'accGX'],
      accs: ['accG', 'accGX'],
      body: (c, q, { t, r, acc }) => {
        acc('accG', () => t('gy'));
        acc('accGX', () => {
          t('gy');
          t('x');
          r('m');
          c.f64x2Sub().f64x2Mul();
          r('is');
          c.f64x2Mul();
        });
      },
    },
    [2],
  ],
  [
    {
      name: 'affine',
      tensors: ['x', 'y'],
      channels: ['alpha', 'beta'],
      accs: [],
      body: (c, q, { t, r, st }) =>
        st('y', () => {
          t('x');
          r('alpha');
          c.f64x2Mul();
          r('beta');
          c.f64x2Add();
        }),
    },
    [2, 4],
  ],
  [
    {
      name: 'scale',
      tensors: ['x', 'y'],
      channels: ['alpha'],
      accs: [],
      body: (c, q, { t, r, st }) =>
        st('y', () => {
          t('x');
          r('alpha');
          c.f64x2Mul();
        }),
    },
    [2, 4],
  ],
  [
    {
      name: 'bwdTrain',
      tensors: ['gy', 'x', 'gx'],
      channels: ['m', 'is', 'sc', 'k2', 'k3'],
      accs: [],
      body: (c, q, { t, r, st }) =>
        st('gx', () => {
          r('sc');
          t('gy');
          r('k2');
          c.f64x2Sub();
          t('x');
          r('m');
          c.f64x2Sub();
          r('is');
          c.f64x2Mul();
          r('k3');
          c.f64x2Mul();
          c.f64x2Sub().f64x2Mul();
        }),
    },
    [2],
  ],
];

export function bnModuleBytes(minPages: number, maxPages: number): Uint8Array {
  const funcs: FuncDef[] = [
    ...COL_SWEEPS.flatMap(([sw, ps]) => ps.map((p) => colSweep(sw, p))),
    sweep({
      name: 'colSum',
      tensors: ['x'],
      channels: ['acc'],
      body: (c, t, ch) => accumulate(c, ch, 'acc', () => t('x')),
    }),
    sweep({
      name: 'colSqDev',
      tensors: ['x'],
      channels: ['mean', 'acc'],
      body: (c, t, ch) =>
        accumulate(c, ch, 'acc', () => {
          t('x');
          ch('mean');
          c.v128Load().f64x2Sub();
          // d * d: recompute d rather than keep a v128 local (the writer's locals are i32 here).
          t('x');
          ch('mean');
          c.v128Load().f64x2Sub().f64x2Mul();
        }),
    }),
    sweep({
      name: 'colGradSums',
      tensors: ['gy', 'x'],
      channels: ['m', 'is', 'accG', 'accGX'],
      body: (c, t, ch) => {
        accumulate(c, ch, 'accG', () => t('gy'));
        accumulate(c, ch, 'accGX', () => {
          t('gy');
          t('x');
          ch('m');
          c.v128Load().f64x2Sub().f64x2Mul();
          ch('is');
          c.v128Load().f64x2Mul();
        });
      },
    }),
    sweep({
      name: 'affine',
      tensors: ['x', 'y'],
      channels: ['alpha', 'beta'],
      body: (c, t, ch, ta) => {
        ta('y');
        t('x');
        ch('alpha');
        c.v128Load().f64x2Mul();
        ch('beta');
        c.v128Load().f64x2Add();
        c.f32x4DemoteF64x2Zero().v128Store64Lane0();
      },
    }),
    sweep({
      name: 'scale',
      tensors: ['x', 'y'],
      channels: ['alpha'],
      body: (c, t, ch, ta) => {
        ta('y');
        t('x');
        ch('alpha');
        c.v128Load().f64x2Mul();
        c.f32x4DemoteF64x2Zero().v128Store64Lane0();
      },
    }),
    sweep({
      name: 'bwdTrain',
      tensors: ['gy', 'x', 'gx'],
      channels: ['m', 'is', 'sc', 'k2', 'k3'],
      body: (c, t, ch, ta) => {
        ta('gx');
        ch('sc');
        c.v128Load();
        t('gy');
        ch('k2');
        c.v128Load().f64x2Sub();
        t('x');
        ch('m');
        c.v128Load().f64x2Sub();
        ch('is');
        c.v128Load().f64x2Mul();
        ch('k3');
        c.v128Load().f64x2Mul();
        c.f64x2Sub().f64x2Mul();
        c.f32x4DemoteF64x2Zero().v128Store64Lane0();
      },
    }),
  ];
  return moduleBytes(funcs, minPages, maxPages, false);
}
