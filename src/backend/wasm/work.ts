/**
 * The body every gemm thread runs (the caller's thread and the workers alike: gemm-worker.ts).
 *
 * Work is claimed with Atomics.add on shared counters, so a thread that was
 * descheduled (a busy 2-core machine) simply claims less; nothing is assigned
 * to a thread up front.
 *
 * Phase 1 packs B into B~ in tasks of (k block, group of panels), while the
 * caller copies A into the shared memory; a barrier (DONE1 reaching the task
 * count, and AREADY set) then opens phase 2, whose tasks are blocks
 * of MC rows of C: for each k block, pack those rows of A into this thread's
 * scratch and run the macro-kernel over every panel of B~ (adding the bias row,
 * when there is one, with the last k block).
 */
export const CTL = {
  GEN: 0,
  DONE: 1,
  NEXT1: 2,
  DONE1: 3,
  NEXT2: 4,
  QUIT: 5,
  AREADY: 6,
  A0: 8,
  B0: 9,
  BP: 10,
  C0: 11,
  S0: 12,
  SSTRIDE: 13,
  M: 14,
  K: 15,
  N: 16,
  ARS: 17,
  ACS: 18,
  BRS: 19,
  BCS: 20,
  KC: 21,
  MC: 22,
  NP: 23,
  GROUP: 24,
  TASKS1: 25,
  TASKS2: 26,
  MR: 27,
  NR: 28,
  SPIN_US: 29,
  BIAS: 30,
  BARRIER_SPIN: 31,
  SIZE: 32,
} as const;

export interface GemmExports {
  packA(src: number, rs: number, cs: number, rowsValid: number, kc: number, rowBlocks: number, dst: number): void;
  packB(src: number, rs: number, cs: number, colsValid: number, kc: number, panels: number, dst: number): void;
  macro(
    ap: number,
    bp: number,
    c: number,
    ldc: number,
    rowBlocks: number,
    panels: number,
    kc: number,
    accumulate: number,
    bias: number,
  ): void;
}

export function runGemmJob(ex: GemmExports, ctl: Int32Array, thread: number): void {
  const A0 = ctl[8],
    B0 = ctl[9],
    BP = ctl[10],
    C0 = ctl[11];
  const scratch = ctl[12] + thread * ctl[13];
  const m = ctl[14],
    k = ctl[15],
    n = ctl[16];
  const ars = ctl[17],
    acs = ctl[18],
    brs = ctl[19],
    bcs = ctl[20];
  const KC = ctl[21],
    MC = ctl[22],
    Np = ctl[23],
    group = ctl[24];
  const tasks1 = ctl[25],
    tasks2 = ctl[26],
    MR = ctl[27],
    NR = ctl[28],
    bias = ctl[30];
  const panels = Np / NR;
  const groups = Math.ceil(panels / group);
  // Phase 1: B~ block for k rows [pc, pc + kc) lives at BP + pc*Np*4, panel jr at + jr*kc*NR*4.
  for (let t = Atomics.add(ctl, 2, 1); t < tasks1; t = Atomics.add(ctl, 2, 1)) {
    const pc = Math.floor(t / groups) * KC,
      g = t % groups;
    const kc = Math.min(KC, k - pc),
      j0 = g * group * NR;
    const np = Math.min(group, panels - g * group);
    ex.packB(B0 + (pc * brs + j0 * bcs) * 4, brs * 4, bcs * 4, n - j0, kc, np, BP + (pc * Np + j0 * kc) * 4);
    if (Atomics.add(ctl, 3, 1) + 1 === tasks1) Atomics.notify(ctl, 3);
  }
  // Barriers spin ctl[31] turns (CTL.BARRIER_SPIN) before they sleep: the partner is usually about
  // to arrive, and a sleeper costs its notifier a futex wake-up.
  const spin = ctl[31];
  for (let i = 0; i < spin && Atomics.load(ctl, 3) < tasks1; i++);
  for (let d = Atomics.load(ctl, 3); d < tasks1; d = Atomics.load(ctl, 3)) Atomics.wait(ctl, 3, d);
  // The caller copies A in while the workers pack B~; phase 2 reads A.
  for (let i = 0; i < spin && Atomics.load(ctl, 6) === 0; i++);
  while (Atomics.load(ctl, 6) === 0) Atomics.wait(ctl, 6, 0);
  // Phase 2: row blocks of C.
  for (let t = Atomics.add(ctl, 4, 1); t < tasks2; t = Atomics.add(ctl, 4, 1)) {
    const i0 = t * MC,
      rows = Math.min(MC, m - i0),
      rowBlocks = Math.ceil(rows / MR);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      ex.packA(A0 + (i0 * ars + pc * acs) * 4, ars * 4, acs * 4, rows, kc, rowBlocks, scratch);
      // The bias (addmm) goes in with the last k block, onto the finished float32 sum.
      ex.macro(
        scratch,
        BP + pc * Np * 4,
        C0 + i0 * Np * 4,
        Np * 4,
        rowBlocks,
        panels,
        kc,
        pc > 0 ? 1 : 0,
        pc + KC >= k ? bias : 0,
      );
    }
  }
}
