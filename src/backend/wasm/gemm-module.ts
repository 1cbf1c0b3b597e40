import { Code, FuncDef, I32, V128, moduleBytes } from './asm';

/**
 * The SIMD sgemm module, GotoBLAS/BLIS style: operands are packed into
 * micro-panels and an MR x NR register tile of C is kept in v128 accumulators
 * (NR = 4 * NV floats).
 *
 * Packed layouts (float32):
 * - A~ for a block of rows and kc columns: [rowBlock][p][MR]  (MR rows of column p adjacent)
 * - B~ for kc rows and a block of columns: [panel][p][NR]     (NR columns of row p adjacent)
 * so the micro-kernel reads both sequentially:
 *   acc[r][v] += splat(A~[r]) * B~[4v .. 4v+3]   for p in 0..kc,
 *   then C[r, 4v .. 4v+3] = acc[r][v]  (or += when `accumulate`, for later k blocks),
 *   and on the last k block, with a `bias` pointer, C[r, j] += bias[j] after that
 *   (addmm: the bias is added to the float32 sum, as a separate add would).
 * Rows and columns past the matrix edge are packed as zeros and C is a padded
 * buffer (row stride `ldc` bytes, a multiple of NR floats), so every tile is full.
 * The sum over p runs in float32, in order within a k block, like BLAS sgemm.
 *
 * Exports (all arguments i32; pointers and strides in bytes):
 *   packA(src, rs, cs, rowsValid, kc, rowBlocks, dst)   reads A[i, p] at src + i*rs + p*cs
 *   packB(src, rs, cs, colsValid, kc, panels, dst)      reads B[p, j] at src + p*rs + j*cs
 *   macro(ap, bp, c, ldc, rowBlocks, panels, kc, accumulate, bias)   bias: Np floats, or 0 for none
 */
export interface GemmShape {
  mr: number;
  nv: number;
  unroll?: number;
  fma?: boolean;
}

export function gemmModuleBytes(
  { mr, nv, unroll = 1, fma = false }: GemmShape,
  minPages: number,
  maxPages: number,
): Uint8Array {
  return moduleBytes([packA(mr), packB(nv * 4), macro(mr, nv, unroll, fma)], minPages, maxPages);
}

function packA(mr: number): FuncDef {
  const [src, rs, cs, rowsValid, kc, rowBlocks, dst] = [0, 1, 2, 3, 4, 5, 6];
  const [ir, p, s, d, rows, sr, kc4] = [7, 8, 9, 10, 11, 12, 13];
  const v = [14, 15, 16, 17],
    t = [18, 19, 20, 21];
  const c = new Code();
  /** One column p of a full block, a float at a time: d[r] = A[s + r*rs]. */
  const scalarColumn = () => {
    c.get(s).set(sr);
    for (let r = 0; r < mr; r++) {
      c.get(d)
        .get(sr)
        .f32Load()
        .f32Store(r * 4);
      if (r < mr - 1) c.inc(sr, () => c.get(rs));
    }
    c.inc(s, () => c.get(cs)).inc(d, mr * 4);
  };
  c.get(kc).i32(-4).and_().set(kc4);
  c.for(
    ir,
    () => c.i32(0),
    () => c.get(rowBlocks),
    1,
    () => {
      // rows = rowsValid - ir*MR; s = src + ir*MR*rs; d = dst + ir*kc*MR*4
      c.get(rowsValid).get(ir).i32(mr).mul().sub().set(rows);
      c.get(src).get(ir).i32(mr).mul().get(rs).mul().add().set(s);
      c.get(dst)
        .get(ir)
        .get(kc)
        .mul()
        .i32(mr * 4)
        .mul()
        .add()
        .set(d);
      c.get(rows).i32(mr).geS().if_();
      if (mr === 4) {
        // A^T stored [k, m] (rs = 4 bytes): a column's 4 rows are adjacent, one v128 each.
        c.get(rs).i32(4).eq().if_();
        c.for(
          p,
          () => c.i32(0),
          () => c.get(kc),
          1,
          () => {
            c.get(d).get(s).v128Load().v128Store();
            c.inc(s, () => c.get(cs)).inc(d, 16);
          },
        );
        c.else_();
        // A stored [m, k] (cs = 4 bytes): 4 rows x 4 columns loaded as 4 v128, transposed in registers.
        c.get(cs).i32(4).eq().if_();
        c.for(
          p,
          () => c.i32(0),
          () => c.get(kc4),
          4,
          () => {
            c.get(s).set(sr);
            for (let r = 0; r < 4; r++) {
              c.get(sr).v128Load().set(v[r]);
              if (r < 3) c.inc(sr, () => c.get(rs));
            }
            // t0 = (v0.0 v1.0 v0.1 v1.1), t1 = (v2.0 v3.0 v2.1 v3.1), t2, t3 the same for lanes 2 and 3.
            c.get(v[0]).get(v[1]).f32x4Shuffle(0, 4, 1, 5).set(t[0]);
            c.get(v[2]).get(v[3]).f32x4Shuffle(0, 4, 1, 5).set(t[1]);
            c.get(v[0]).get(v[1]).f32x4Shuffle(2, 6, 3, 7).set(t[2]);
            c.get(v[2]).get(v[3]).f32x4Shuffle(2, 6, 3, 7).set(t[3]);
            c.get(d).get(t[0]).get(t[1]).f32x4Shuffle(0, 1, 4, 5).v128Store(0);
            c.get(d).get(t[0]).get(t[1]).f32x4Shuffle(2, 3, 6, 7).v128Store(16);
            c.get(d).get(t[2]).get(t[3]).f32x4Shuffle(0, 1, 4, 5).v128Store(32);
            c.get(d).get(t[2]).get(t[3]).f32x4Shuffle(2, 3, 6, 7).v128Store(48);
            c.inc(s, 16).inc(d, 64);
          },
        );
        c.for(
          p,
          () => c.get(kc4),
          () => c.get(kc),
          1,
          scalarColumn,
        );
        c.else_();
        c.for(
          p,
          () => c.i32(0),
          () => c.get(kc),
          1,
          scalarColumn,
        );
        c.end();
        c.end();
      } else {
        c.for(
          p,
          () => c.i32(0),
          () => c.get(kc),
          1,
          scalarColumn,
        );
      }
      c.else_();
      // Last, partial block: rows >= `rows` are zeros.
      c.for(
        p,
        () => c.i32(0),
        () => c.get(kc),
        1,
        () => {
          c.get(s).set(sr);
          for (let r = 0; r < mr; r++) {
            c.i32(r).get(rows).ltS().if_();
            c.get(d)
              .get(sr)
              .f32Load()
              .f32Store(r * 4)
              .inc(sr, () => c.get(rs));
            c.else_();
            c.get(d)
              .f32(0)
              .f32Store(r * 4);
            c.end();
          }
          c.inc(s, () => c.get(cs)).inc(d, mr * 4);
        },
      );
      c.end();
    },
  );
  return {
    name: 'packA',
    params: 7,
    locals: [
      [7, I32],
      [8, V128],
    ],
    code: c,
  };
}

function packB(nr: number): FuncDef {
  const [src, rs, cs, colsValid, kc, panels, dst] = [0, 1, 2, 3, 4, 5, 6];
  const [jr, p, s, d, cols, sc] = [7, 8, 9, 10, 11, 12];
  const c = new Code();
  c.for(
    jr,
    () => c.i32(0),
    () => c.get(panels),
    1,
    () => {
      c.get(colsValid).get(jr).i32(nr).mul().sub().set(cols);
      c.get(src).get(jr).i32(nr).mul().get(cs).mul().add().set(s);
      c.get(dst)
        .get(jr)
        .get(kc)
        .mul()
        .i32(nr * 4)
        .mul()
        .add()
        .set(d);
      // A full panel of contiguous columns: NR floats per row, moved as v128.
      c.get(cols).i32(nr).geS().get(cs).i32(4).eq().and_().if_();
      c.for(
        p,
        () => c.i32(0),
        () => c.get(kc),
        1,
        () => {
          for (let v = 0; v < nr / 4; v++)
            c.get(d)
              .get(s)
              .v128Load(v * 16)
              .v128Store(v * 16);
          c.inc(s, () => c.get(rs)).inc(d, nr * 4);
        },
      );
      c.else_();
      // Strided (transposed) or partial panel: one float at a time, zeros past the edge.
      c.for(
        p,
        () => c.i32(0),
        () => c.get(kc),
        1,
        () => {
          c.get(s).set(sc);
          for (let q = 0; q < nr; q++) {
            c.i32(q).get(cols).ltS().if_();
            c.get(d)
              .get(sc)
              .f32Load()
              .f32Store(q * 4)
              .inc(sc, () => c.get(cs));
            c.else_();
            c.get(d)
              .f32(0)
              .f32Store(q * 4);
            c.end();
          }
          c.inc(s, () => c.get(rs)).inc(d, nr * 4);
        },
      );
      c.end();
    },
  );
  return { name: 'packB', params: 7, locals: [[6, I32]], code: c };
}

function macro(mr: number, nv: number, unroll: number, fma: boolean): FuncDef {
  const [ap, bp, cBase, ldc, rowBlocks, panels, kc, accumulate, bias] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [jr, ir, aP, bP, cP, p, kc4, bBase, biasP] = [9, 10, 11, 12, 13, 14, 15, 16, 17];
  const acc0 = 18;
  const accIdx = (r: number, v: number) => acc0 + r * nv + v;
  const b0 = acc0 + mr * nv;
  const aReg = b0 + nv;
  const nr = nv * 4;
  const c = new Code();
  const step = (u: number) => {
    for (let v = 0; v < nv; v++)
      c.get(bP)
        .v128Load(u * nr * 4 + v * 16)
        .set(b0 + v);
    for (let r = 0; r < mr; r++) {
      c.get(aP)
        .v128Load32Splat(u * mr * 4 + r * 4)
        .set(aReg);
      for (let v = 0; v < nv; v++) {
        if (fma)
          c.get(aReg)
            .get(b0 + v)
            .get(accIdx(r, v))
            .f32x4RelaxedMadd()
            .set(accIdx(r, v));
        else
          c.get(accIdx(r, v))
            .get(aReg)
            .get(b0 + v)
            .f32x4Mul()
            .f32x4Add()
            .set(accIdx(r, v));
      }
    }
  };
  c.get(kc).i32(-unroll).and_().set(kc4);
  c.for(
    jr,
    () => c.i32(0),
    () => c.get(panels),
    1,
    () => {
      c.get(bp)
        .get(jr)
        .get(kc)
        .mul()
        .i32(nr * 4)
        .mul()
        .add()
        .set(bBase);
      c.for(
        ir,
        () => c.i32(0),
        () => c.get(rowBlocks),
        1,
        () => {
          c.get(ap)
            .get(ir)
            .get(kc)
            .mul()
            .i32(mr * 4)
            .mul()
            .add()
            .set(aP);
          c.get(bBase).set(bP);
          for (let r = 0; r < mr; r++) for (let v = 0; v < nv; v++) c.v128Zero().set(accIdx(r, v));
          c.for(
            p,
            () => c.i32(0),
            () => c.get(kc4),
            unroll,
            () => {
              for (let u = 0; u < unroll; u++) step(u);
              c.inc(aP, unroll * mr * 4).inc(bP, unroll * nr * 4);
            },
          );
          c.for(
            p,
            () => c.get(kc4),
            () => c.get(kc),
            1,
            () => {
              step(0);
              c.inc(aP, mr * 4).inc(bP, nr * 4);
            },
          );
          // cP = c + ir*MR*ldc + jr*NR*4
          c.get(cBase)
            .get(ir)
            .i32(mr)
            .mul()
            .get(ldc)
            .mul()
            .add()
            .get(jr)
            .i32(nr * 4)
            .mul()
            .add()
            .set(cP);
          // Stores the tile: C = [C +] acc [+ bias], the bias vectors (in the B registers, free now) added last.
          const store = (acc: boolean, withBias: boolean) => {
            if (withBias)
              for (let v = 0; v < nv; v++)
                c.get(biasP)
                  .v128Load(v * 16)
                  .set(b0 + v);
            for (let r = 0; r < mr; r++) {
              for (let v = 0; v < nv; v++) {
                c.get(cP).get(accIdx(r, v));
                if (acc)
                  c.get(cP)
                    .v128Load(v * 16)
                    .f32x4Add();
                if (withBias) c.get(b0 + v).f32x4Add();
                c.v128Store(v * 16);
              }
              if (r < mr - 1) c.inc(cP, () => c.get(ldc));
            }
          };
          c.get(bias).if_();
          c.get(bias)
            .get(jr)
            .i32(nr * 4)
            .mul()
            .add()
            .set(biasP);
          c.get(accumulate).if_();
          store(true, true);
          c.else_();
          store(false, true);
          c.end();
          c.else_();
          c.get(accumulate).if_();
          store(true, false);
          c.else_();
          store(false, false);
          c.end();
          c.end();
        },
      );
    },
  );
  return {
    name: 'macro',
    params: 9,
    locals: [
      [9, I32],
      [mr * nv + nv + 1, V128],
    ],
    code: c,
  };
}
