/**
 * The tiled WGSL matmul of the gpu backend's webgpu mode (src/backend/gpu/wgsl/matmul.ts),
 * tested without a GPU:
 * - the WGSL text of every variant (transA, transB, vec4 stores);
 * - the load plans: each thread's elements cover the tile exactly once, and
 *   neighbouring threads read neighbouring addresses;
 * - grid and uniform arithmetic, and reading a matmul back from ops.ts's spec;
 * - an emulation of the kernel: the same tile loops run in JS, with every index
 *   and condition evaluated from the very expressions the WGSL text is built
 *   from, on odd shapes for all four transposes against a float64 matmul,
 *   checking that no load or store leaves its buffer, every output is written
 *   once, and full tiles take the unchecked path;
 * - the host code (pipelines, buffer LRU, error scopes, readback) on a mock
 *   WebGPU device whose dispatch runs that emulation, including its source
 *   text run in a fresh JS context, as the worker runs it;
 * - the worker bridge routing matmul to it (a stand-in device module).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BridgeRunner, webgpuMatmulEngine } from '../../src/backend/gpu/webgpu';
import {
  MatmulShape,
  MatmulVariant,
  PARAM_FIELDS,
  STORE,
  VARIANT_KEYS,
  createWgslMatmul,
  decodeMatmulSpec,
  errorVsBound,
  matmulGrid,
  matmulParams,
  operandPlans,
  referenceMatmul,
  storeOps,
  variantKey,
  variantOf,
  wgslMatmulSource,
  wgslMatmulSources,
  wgslSelfTest,
} from '../../src/backend/gpu/wgsl/matmul';

const req = createRequire(__filename);

/* ------------------------------------------------------------------ helpers */

function rand(len: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(len);
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** A WGSL u32 expression of the kernel as a JS function of `names` (literals lose their `u`). */
function expr(wgsl: string, names: string[]): (...v: unknown[]) => number | boolean {
  const js = wgsl.replace(/\b(\d+)u\b/g, '$1');
  if (/[^\w\s+*&|<>=().!-]/.test(js)) throw new Error(`unexpected token in ${wgsl}`);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- evaluates a checked WGSL expression as JS
  return new Function(...names, `return (${js});`) as (...v: unknown[]) => number | boolean;
}

interface EmuStats {
  fastSteps: number;
  checkedSteps: number;
  problems: string[];
}

/**
 * Runs the kernel of `v` the way the GPU does: every workgroup of the grid,
 * looping over tiles with the grid's stride, 256 threads loading 4 elements
 * each per k step (the barrier: all loads before any product), 4x4 products
 * per thread in float32, then the stores. Indices and conditions come from the
 * WGSL's own expressions.
 */
function emulate(
  v: MatmulVariant,
  A: Float32Array,
  B: Float32Array,
  C: Float32Array,
  P: Uint32Array,
  groups: [number, number, number],
  stats: EmuStats,
): void {
  const [m, k, n, tilesM, tilesN] = P;
  const { a, b } = operandPlans(v.transA, v.transB);
  const IDX = ['idx'],
    AT = ['row0', 'col0', 'k0', 'm', 'k', 'n', 'ar', 'ak', 'bc', 'bk'];
  const aOuter = expr(a.outer, IDX),
    aInner = expr(a.inner, IDX),
    bOuter = expr(b.outer, IDX),
    bInner = expr(b.inner, IDX);
  const aAddr = expr(a.addr, AT),
    aIn = expr(a.inBounds, AT),
    bAddr = expr(b.addr, AT),
    bIn = expr(b.inBounds, AT);
  const fullMN = expr(STORE.fullMN, ['row0', 'col0', 'm', 'n']),
    fullK = expr(STORE.fullK, ['k0', 'k']);
  const rOf = expr(STORE.r, ['row0', 'lid']),
    cOf = expr(STORE.c, ['col0', 'lid']);
  const SN = ['r', 'c', 'm', 'n', 'w', 'q'];
  const stores = storeOps(v.vecC).map((o) => ({
    cond: expr(o.cond, SN),
    index: expr(o.index, SN),
    acc: o.acc,
    comp: o.comp,
  }));
  const problem = (s: string) => {
    if (stats.problems.length < 20) stats.problems.push(s);
  };
  const written = new Uint8Array(m * n);
  const [gx, gy] = groups;
  const As = new Float32Array(16 * 64),
    Bs = new Float32Array(16 * 64);
  const aSeen = new Uint8Array(1024),
    bSeen = new Uint8Array(1024);
  const acc = new Float32Array(256 * 16);
  for (let wy = 0; wy < gy; wy++) {
    for (let wx = 0; wx < gx; wx++) {
      for (let ty = wy; ty < tilesM; ty += gy) {
        for (let tx = wx; tx < tilesN; tx += gx) {
          const row0 = ty * 64,
            col0 = tx * 64;
          const full = fullMN(row0, col0, m, n);
          acc.fill(0);
          for (let k0 = 0; k0 < k; k0 += 16) {
            const fast = full && fullK(k0, k);
            if (fast) stats.fastSteps++;
            else stats.checkedSteps++;
            As.fill(NaN);
            Bs.fill(NaN);
            aSeen.fill(0);
            bSeen.fill(0);
            for (let tid = 0; tid < 256; tid++) {
              for (let t = 0; t < 4; t++) {
                const idx = tid + t * 256;
                const ar = aOuter(idx) as number,
                  ak = aInner(idx) as number;
                const bc = bOuter(idx) as number,
                  bk = bInner(idx) as number;
                const at = [row0, col0, k0, m, k, n, ar, ak, bc, bk];
                let av = 0,
                  bv = 0;
                if (fast || aIn(...at)) {
                  const i = aAddr(...at) as number;
                  if (!(i >= 0 && i < A.length))
                    problem(`A read out of bounds: ${i} of ${A.length} (tile ${ty},${tx} k0 ${k0} idx ${idx})`);
                  av = A[i];
                }
                if (fast || bIn(...at)) {
                  const i = bAddr(...at) as number;
                  if (!(i >= 0 && i < B.length))
                    problem(`B read out of bounds: ${i} of ${B.length} (tile ${ty},${tx} k0 ${k0} idx ${idx})`);
                  bv = B[i];
                }
                // As[ak][ar >> 2u][ar & 3u]: flat ak * 64 + ar.
                As[ak * 64 + ar] = av;
                aSeen[ak * 64 + ar]++;
                Bs[bk * 64 + bc] = bv;
                bSeen[bk * 64 + bc]++;
              }
            }
            // workgroupBarrier(): every cell of both tiles written exactly once.
            for (let i = 0; i < 1024; i++) {
              if (aSeen[i] !== 1) problem(`As cell ${i} written ${aSeen[i]} times`);
              if (bSeen[i] !== 1) problem(`Bs cell ${i} written ${bSeen[i]} times`);
            }
            for (let tid = 0; tid < 256; tid++) {
              const lx = tid & 15,
                ly = tid >> 4;
              for (let kk = 0; kk < 16; kk++) {
                for (let i = 0; i < 4; i++) {
                  const av = As[kk * 64 + ly * 4 + i];
                  for (let j = 0; j < 4; j++) {
                    const o = tid * 16 + i * 4 + j;
                    acc[o] = Math.fround(acc[o] + Math.fround(av * Bs[kk * 64 + lx * 4 + j]));
                  }
                }
              }
            }
          }
          for (let tid = 0; tid < 256; tid++) {
            const lid = { x: tid & 15, y: tid >> 4 };
            const r = rOf(row0, lid) as number,
              c = cOf(col0, lid) as number;
            const w = n >> 2,
              q = c >> 2;
            for (const st of stores) {
              if (!st.cond(r, c, m, n, w, q)) continue;
              const at = st.index(r, c, m, n, w, q) as number;
              const comps = st.comp < 0 ? [0, 1, 2, 3] : [st.comp];
              const base = st.comp < 0 ? at * 4 : at;
              for (let jj = 0; jj < comps.length; jj++) {
                const e = base + jj;
                if (!(e >= 0 && e < m * n)) {
                  problem(`C write out of bounds: ${e} of ${m * n}`);
                  continue;
                }
                // The element's own row and column must be the thread's (r + i, c + j).
                const want = (r + st.acc) * n + c + comps[jj];
                if (e !== want) problem(`C write at ${e}, expected ${want}`);
                C[e] = acc[tid * 16 + st.acc * 4 + comps[jj]];
                written[e]++;
              }
            }
          }
        }
      }
    }
  }
  for (let e = 0; e < m * n; e++) if (written[e] !== 1) problem(`C[${e}] written ${written[e]} times`);
}

function emulateShape(
  s: MatmulShape,
  maxPerDim = 65535,
): { c: Float32Array; stats: EmuStats; a: Float32Array; b: Float32Array } {
  const a = rand(s.m * s.k, s.m * 7 + s.k),
    b = rand(s.k * s.n, s.n * 13 + s.k);
  const c = new Float32Array(s.m * s.n).fill(NaN);
  const g = matmulGrid(s.m, s.n, maxPerDim);
  const stats: EmuStats = { fastSteps: 0, checkedSteps: 0, problems: [] };
  emulate(
    { transA: s.transA, transB: s.transB, vecC: s.n % 4 === 0 },
    a,
    b,
    c,
    matmulParams(s.m, s.k, s.n),
    [g.groupsX, g.groupsY, 1],
    stats,
  );
  return { c, stats, a, b };
}

const TRANSPOSES: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];

/* ------------------------------------------------------------------ a mock WebGPU device */

/**
 * A CommonJS module (as text: the worker test loads it from a file) exporting
 * createDevice(opts): a WebGPU device stand-in with real buffer semantics
 * (usages, sizes, mapping, unmap detaching the mapped range, destroy), error
 * scopes, and command buffers that are skipped whole when invalid, as WebGPU
 * does. A dispatch calls opts.dispatch(variant, {A, B, C, P}, groups) — by
 * default a plain matmul after checking the grid — with the variant read from
 * the WGSL's first line.
 */
const MOCK_DEVICE_JS = String.raw`
'use strict';
const MAP_READ = 0x1, COPY_SRC = 0x4, COPY_DST = 0x8, UNIFORM = 0x40, STORAGE = 0x80;
function naive(v, bufs, groups, limits) {
  const P = new Uint32Array(bufs.P);
  const [m, k, n, tilesM, tilesN] = P;
  if (tilesM !== Math.ceil(m / 64) || tilesN !== Math.ceil(n / 64)) throw new Error('bad tiles in the uniform block');
  const max = limits.maxComputeWorkgroupsPerDimension;
  if (groups[0] !== Math.min(tilesN, max) || groups[1] !== Math.min(tilesM, max) || groups[2] !== 1) throw new Error('bad grid ' + groups);
  const A = new Float32Array(bufs.A), B = new Float32Array(bufs.B), C = new Float32Array(bufs.C);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) s = Math.fround(s + Math.fround((v.transA ? A[p * m + i] : A[i * k + p]) * (v.transB ? B[j * k + p] : B[p * n + j])));
    C[i * n + j] = s;
  }
}
exports.createDevice = async function createDevice(opts = {}) {
  const limits = {
    maxComputeWorkgroupsPerDimension: opts.maxGroups || 65535,
    maxStorageBufferBindingSize: opts.maxBinding || 134217728,
    maxBufferSize: opts.maxBuffer || 268435456,
  };
  const stats = { buffers: 0, destroyed: 0, liveBytes: 0, dispatches: 0, submits: 0, modules: 0, pipelines: 0, bindGroups: 0, uncaptured: [] };
  const scopes = [];
  function error(filter, message) {
    for (let i = scopes.length - 1; i >= 0; i--) {
      if (scopes[i].filter === filter) { if (!scopes[i].error) scopes[i].error = { message }; return; }
    }
    stats.uncaptured.push(message);
  }
  function live(buf, usage, what) {
    if (!buf || buf.destroyed) return what + ': destroyed or missing buffer';
    if (usage && !(buf.usage & usage)) return what + ': buffer lacks usage ' + usage;
    if (buf.mapped) return what + ': buffer is mapped';
    return null;
  }
  function makeBuffer(d) {
    const buf = {
      size: d.size, usage: d.usage, bytes: new ArrayBuffer(d.size), destroyed: false, mapped: false, ranges: [],
      mapAsync(mode, offset = 0, size = d.size - offset) {
        if (buf.destroyed || !(buf.usage & MAP_READ) || buf.mapped || offset + size > buf.size) return Promise.reject(new Error('OperationError: mapAsync'));
        return new Promise((resolve) => setTimeout(() => { buf.mapped = true; resolve(undefined); }, 0));
      },
      getMappedRange(offset = 0, size = d.size - offset) {
        if (!buf.mapped) throw new Error('OperationError: getMappedRange on an unmapped buffer');
        const r = buf.bytes.slice(offset, offset + size);
        buf.ranges.push(r);
        return r;
      },
      unmap() {
        // Detach what getMappedRange handed out, as WebGPU does.
        for (const r of buf.ranges) structuredClone(r, { transfer: [r] });
        buf.ranges = [];
        buf.mapped = false;
      },
      destroy() { if (!buf.destroyed) { buf.destroyed = true; stats.destroyed++; stats.liveBytes -= buf.size; } },
    };
    return buf;
  }
  const device = {
    limits,
    stats,
    get scopeDepth() { return scopes.length; },
    pushErrorScope(filter) { scopes.push({ filter, error: null }); },
    popErrorScope() {
      if (!scopes.length) return Promise.reject(new Error('OperationError: popErrorScope with no scope'));
      const s = scopes.pop();
      return Promise.resolve(s.error);
    },
    createBuffer(d) {
      const buf = makeBuffer(d);
      if (!(d.size > 0) || d.size % 4 || d.size > limits.maxBufferSize) error('validation', 'createBuffer: bad size ' + d.size);
      else if ((d.usage & MAP_READ) && (d.usage & ~(MAP_READ | COPY_DST))) error('validation', 'createBuffer: MAP_READ with other usages');
      stats.buffers++; stats.liveBytes += d.size;
      return buf;
    },
    createShaderModule(d) {
      stats.modules++;
      const bad = /SYNTAX_ERROR/.test(d.code);
      if (bad) error('validation', 'shader module: error parsing WGSL');
      return {
        code: d.code, bad,
        getCompilationInfo: async () => ({ messages: bad ? [{ type: 'error', lineNum: 1, message: 'unexpected token' }] : [] }),
      };
    },
    createComputePipeline(d) {
      stats.pipelines++;
      const mod = d.compute.module;
      const h = /rxnn-wgsl-matmul variant=(\d)(\d)(\d)/.exec(mod.code || '');
      if (mod.bad || !h || d.compute.entryPoint !== 'main' || d.layout !== 'auto') error('validation', 'createComputePipeline: invalid');
      const variant = h ? { transA: h[1] === '1', transB: h[2] === '1', vecC: h[3] === '1' } : null;
      const pipeline = { variant, layout: { pipeline: null } };
      pipeline.layout.pipeline = pipeline;
      pipeline.getBindGroupLayout = (i) => (i === 0 ? pipeline.layout : null);
      return pipeline;
    },
    createBindGroup(d) {
      stats.bindGroups++;
      const bufs = {};
      const e = d.entries;
      const names = ['A', 'B', 'C', 'P'];
      let bad = !d.layout || !d.layout.pipeline || e.length !== 4;
      e.forEach((x, i) => {
        const need = i === 3 ? UNIFORM : STORAGE;
        if (x.binding !== i || live(x.resource.buffer, need, 'bind')) bad = true;
        bufs[names[i]] = x.resource.buffer;
      });
      const v = d.layout && d.layout.pipeline && d.layout.pipeline.variant;
      if (v && v.vecC && bufs.C && bufs.C.size % 16) bad = true;
      if (bufs.P && bufs.P.size < 32) bad = true;
      if (bad) error('validation', 'createBindGroup: invalid entries');
      return { layout: d.layout, bufs, bad };
    },
    queue: {
      writeBuffer(buf, offset, data) {
        const why = live(buf, COPY_DST, 'writeBuffer');
        if (why || offset + data.byteLength > buf.size || data.byteLength % 4) { error('validation', why || 'writeBuffer: out of range'); return; }
        new Uint8Array(buf.bytes, offset, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      },
      submit(cmds) {
        stats.submits++;
        for (const cb of cmds) {
          const why = cb.problems.length ? cb.problems[0] : null;
          const stale = cb.ops.map((op) => op.check()).find((x) => x);
          if (why || stale) { error('validation', 'submit: ' + (why || stale)); continue; }
          for (const op of cb.ops) op.run();
        }
      },
    },
    createCommandEncoder() {
      const ops = [], problems = [];
      return {
        beginComputePass() {
          let pipeline = null, group = null;
          return {
            setPipeline(p) { pipeline = p; },
            setBindGroup(i, g) { if (i !== 0) problems.push('bind group index'); group = g; },
            dispatchWorkgroups(x, y = 1, z = 1) {
              const max = limits.maxComputeWorkgroupsPerDimension;
              if (!pipeline || !group || group.bad || group.layout.pipeline !== pipeline) problems.push('dispatch without a valid pipeline and bind group');
              if (x > max || y > max || z > max || x < 1 || y < 1 || z < 1) problems.push('dispatch size ' + [x, y, z]);
              const p = pipeline, g = group;
              ops.push({
                check: () => ['A', 'B', 'C', 'P'].map((nm) => live(g && g.bufs[nm], 0, 'dispatch ' + nm)).find((s) => s),
                run: () => {
                  stats.dispatches++;
                  const bufs = { A: g.bufs.A.bytes, B: g.bufs.B.bytes, C: g.bufs.C.bytes, P: g.bufs.P.bytes };
                  (opts.dispatch || ((v, b, gr) => naive(v, b, gr, limits)))(p.variant, bufs, [x, y, z]);
                },
              });
            },
            end() {},
          };
        },
        copyBufferToBuffer(src, so, dst, dOff, size) {
          if (live(src, COPY_SRC, 'copy src') || live(dst, COPY_DST, 'copy dst') || so + size > src.size || dOff + size > dst.size || size % 4) problems.push('copyBufferToBuffer');
          ops.push({
            check: () => live(src, COPY_SRC, 'copy src') || live(dst, COPY_DST, 'copy dst'),
            run: () => new Uint8Array(dst.bytes, dOff, size).set(new Uint8Array(src.bytes, so, size)),
          });
        },
        finish() { return { ops, problems }; },
      };
    },
  };
  return device;
};
`;

interface MockDevice {
  limits: Record<string, number>;
  stats: {
    buffers: number;
    destroyed: number;
    liveBytes: number;
    dispatches: number;
    submits: number;
    modules: number;
    pipelines: number;
    bindGroups: number;
    uncaptured: string[];
  };
  scopeDepth: number;
}
type Dispatch = (
  v: MatmulVariant,
  bufs: { A: ArrayBuffer; B: ArrayBuffer; C: ArrayBuffer; P: ArrayBuffer },
  groups: [number, number, number],
) => void;

const mockModule = (() => {
  const mod = {
    exports: {} as { createDevice(o?: object): Promise<MockDevice & Parameters<typeof createWgslMatmul>[0]> },
  };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- loads the stand-in device's CommonJS text
  new Function('module', 'exports', MOCK_DEVICE_JS)(mod, mod.exports);
  return mod.exports;
})();

/** A mock device whose dispatches run the emulated kernel (and collect its findings). */
async function emulatedDevice(opts: { maxGroups?: number; maxBinding?: number } = {}) {
  const stats: EmuStats = { fastSteps: 0, checkedSteps: 0, problems: [] };
  const dispatch: Dispatch = (v, bufs, groups) =>
    emulate(
      v,
      new Float32Array(bufs.A),
      new Float32Array(bufs.B),
      new Float32Array(bufs.C),
      new Uint32Array(bufs.P),
      groups,
      stats,
    );
  const device = await mockModule.createDevice({ ...opts, dispatch });
  return { device, emu: stats };
}

/* ------------------------------------------------------------------ tests */

describe('WGSL text', () => {
  it('has one distinct kernel per variant, with its bindings, tiles and both load paths', () => {
    const sources = wgslMatmulSources();
    expect(Object.keys(sources).sort()).toEqual([...VARIANT_KEYS]);
    expect(new Set(Object.values(sources)).size).toBe(8);
    for (const key of VARIANT_KEYS) {
      const v = variantOf(key);
      const src = sources[key];
      expect(src).toBe(wgslMatmulSource(v));
      expect(src.split('\n')[0]).toBe(
        `// rxnn-wgsl-matmul variant=${key} transA=${+v.transA} transB=${+v.transB} vecC=${+v.vecC}`,
      );
      expect(src).toContain('@compute @workgroup_size(16, 16)');
      expect(src).toContain('var<workgroup> As : array<array<vec4<f32>, 16>, 16>;');
      expect(src).toContain(
        `@group(0) @binding(2) var<storage, read_write> C : array<${v.vecC ? 'vec4<f32>' : 'f32'}>;`,
      );
      expect(src).toContain(`struct Params { ${PARAM_FIELDS.map((f) => `${f} : u32`).join(', ')} }`);
      expect(src.match(/workgroupBarrier\(\);/g)).toHaveLength(2);
      // The compute loop is w3-gpu.cjs's, verbatim.
      expect(src).toContain('let a = As[kk][lid.y];');
      expect(src).toContain('acc3 = acc3 + a.w * b;');
      const { a, b } = operandPlans(v.transA, v.transB);
      // Unchecked loads (fast path) and checked ones, from the same plan.
      expect(src).toContain(`As[ak][ar >> 2u][ar & 3u] = A[${a.addr}];`);
      expect(src).toContain(`if (${a.inBounds}) { av = A[${a.addr}]; }`);
      expect(src).toContain(`Bs[bk][bc >> 2u][bc & 3u] = B[${b.addr}];`);
      expect(src).toContain(`if (${b.inBounds}) { bv = B[${b.addr}]; }`);
      expect(src).toContain(`if (fullMN && ${STORE.fullK}) {`);
      for (const o of storeOps(v.vecC)) expect(src).toContain(`if (${o.cond}) { C[${o.index}] = acc${o.acc}`);
      expect(src.split('{').length).toBe(src.split('}').length);
      expect(src.split('(').length).toBe(src.split(')').length);
      expect(src).not.toMatch(/undefined|NaN|\[object|\$\{/);
      // WGSL never mixes a shift or mask with another operator unparenthesised.
      for (const line of src.split('\n')) {
        for (const m of line.matchAll(/[\w.)]+ (>>|&) \w+/g)) {
          const before = line.slice(0, m.index).trimEnd();
          expect(
            before.endsWith('=') || before.endsWith('[') || before.endsWith('(') || before.endsWith('&&'),
            line,
          ).toBe(true);
        }
      }
    }
  });

  it('reads each operand along its contiguous dimension, by transpose', () => {
    expect(operandPlans(false, false).a.addr).toBe('(row0 + ar) * k + k0 + ak');
    expect(operandPlans(true, false).a.addr).toBe('(k0 + ak) * m + row0 + ar');
    expect(operandPlans(false, false).b.addr).toBe('(k0 + bk) * n + col0 + bc');
    expect(operandPlans(false, true).b.addr).toBe('(col0 + bc) * k + k0 + bk');
  });

  it('variant keys round-trip', () => {
    for (const key of VARIANT_KEYS) {
      const v = variantOf(key);
      expect(variantKey(v.transA, v.transB, v.vecC)).toBe(key);
    }
    expect(() => variantOf('12')).toThrow(/bad variant key/);
  });
});

describe('load plans', () => {
  const AT = ['row0', 'col0', 'k0', 'm', 'k', 'n', 'ar', 'ak', 'bc', 'bk'];
  for (const [tA, tB] of TRANSPOSES) {
    it(`cover the 64 x 16 tile once, neighbouring threads on neighbouring addresses (transA=${tA}, transB=${tB})`, () => {
      const { a, b } = operandPlans(tA, tB);
      for (const [plan, isA] of [
        [a, true],
        [b, false],
      ] as const) {
        const outer = expr(plan.outer, ['idx']),
          inner = expr(plan.inner, ['idx']),
          addr = expr(plan.addr, AT);
        const seen = new Set<number>();
        const m = 300,
          k = 257,
          n = 190,
          row0 = 64,
          col0 = 128,
          k0 = 32;
        let runs = 0,
          prev = NaN;
        for (let idx = 0; idx < 1024; idx++) {
          const o = outer(idx) as number,
            kk = inner(idx) as number;
          expect(o >= 0 && o < 64 && kk >= 0 && kk < 16).toBe(true);
          seen.add(kk * 64 + o);
          const at = isA ? [row0, col0, k0, m, k, n, o, kk, 0, 0] : [row0, col0, k0, m, k, n, 0, 0, o, kk];
          const ad = addr(...at) as number;
          if (ad !== prev + 1) runs++;
          prev = ad;
        }
        expect(seen.size).toBe(1024);
        // Contiguous runs of 16 (along k) or 64 (along m or n): 64 or 16 runs per tile.
        const alongK = isA ? !tA : tB;
        expect(runs).toBe(alongK ? 64 : 16);
      }
    });
  }
});

describe('grid, uniforms and spec decoding', () => {
  it('one workgroup per 64 x 64 tile, capped per side by the device', () => {
    expect(matmulGrid(1, 1)).toEqual({ tilesM: 1, tilesN: 1, groupsX: 1, groupsY: 1 });
    expect(matmulGrid(64, 64)).toEqual({ tilesM: 1, tilesN: 1, groupsX: 1, groupsY: 1 });
    expect(matmulGrid(65, 129)).toEqual({ tilesM: 2, tilesN: 3, groupsX: 3, groupsY: 2 });
    expect(matmulGrid(4096, 4096)).toEqual({ tilesM: 64, tilesN: 64, groupsX: 64, groupsY: 64 });
    expect(matmulGrid(5_000_000, 1)).toEqual({ tilesM: 78125, tilesN: 1, groupsX: 1, groupsY: 65535 });
    expect(matmulGrid(130, 200, 2)).toEqual({ tilesM: 3, tilesN: 4, groupsX: 2, groupsY: 2 });
  });

  it('writes the uniform block in PARAM_FIELDS order', () => {
    const p = matmulParams(300, 257, 190);
    expect(p.byteLength).toBe(32);
    expect(Object.fromEntries(PARAM_FIELDS.map((f, i) => [f, p[i]]))).toEqual({
      m: 300,
      k: 257,
      n: 190,
      tilesM: 5,
      tilesN: 3,
      pad0: 0,
      pad1: 0,
      pad2: 0,
    });
  });

  it("reads (m, k, n, transposes) back from ops.ts's constants, degenerate sides included", () => {
    // As src/backend/gpu/ops.ts builds them.
    const spec = (m: number, k: number, n: number, transA: boolean, transB: boolean) => ({
      constants: { n, k, aRow: transA ? 1 : k, aCol: transA ? m : 1, bRow: transB ? 1 : n, bCol: transB ? k : 1 },
      output: m * n,
    });
    for (const [m, k, n] of [
      [1, 1, 1],
      [7, 13, 5],
      [1, 5, 3],
      [4, 1, 6],
      [5, 3, 1],
      [1, 1, 9],
      [300, 257, 190],
    ]) {
      for (const [tA, tB] of TRANSPOSES) {
        const s = spec(m, k, n, tA, tB);
        const d = decodeMatmulSpec(s.constants, s.output);
        expect(d).not.toBeNull();
        expect([d!.m, d!.k, d!.n]).toEqual([m, k, n]);
        // Where a transpose cannot be told apart, both address the same memory.
        const a = rand(m * k, 1),
          b = rand(k * n, 2);
        expect(referenceMatmul(a, b, d!).out).toEqual(referenceMatmul(a, b, { m, k, n, transA: tA, transB: tB }).out);
      }
    }
    expect(decodeMatmulSpec({ n: 4, k: 3, aRow: 3, aCol: 1, bRow: 4, bCol: 1 }, 10)).toBeNull();
    expect(decodeMatmulSpec({ n: 4, k: 3, aRow: 2, aCol: 1, bRow: 4, bCol: 1 }, 8)).toBeNull();
    expect(decodeMatmulSpec({ n: 4, k: 3, aRow: 1, aCol: 5, bRow: 4, bCol: 1 }, 8)).toBeNull();
    expect(decodeMatmulSpec({ n: 4, k: 3 }, 8)).toBeNull();
  });

  it('the error bound flags a wrong entry and NaN', () => {
    const s = { m: 2, k: 3, n: 2, transA: false, transB: false };
    const a = rand(6, 3),
      b = rand(6, 4);
    const ref = referenceMatmul(a, b, s);
    const good = Float32Array.from(ref.out);
    expect(errorVsBound(good, ref, 3).worst).toBeLessThanOrEqual(1);
    const bad = Float32Array.from(good);
    bad[2] += 1e-3;
    expect(errorVsBound(bad, ref, 3)).toMatchObject({ at: 2 });
    expect(errorVsBound(bad, ref, 3).worst).toBeGreaterThan(1);
    const nan = Float32Array.from(good);
    nan[1] = NaN;
    nan[3] += 1;
    expect(errorVsBound(nan, ref, 3)).toEqual({ worst: NaN, at: 1 });
  });
});

describe('the kernel, emulated', () => {
  const ODD: [number, number, number][] = [
    [1, 1, 1],
    [7, 13, 5],
    [65, 33, 129],
    [300, 257, 190],
  ];
  for (const [m, k, n] of ODD) {
    for (const [transA, transB] of TRANSPOSES) {
      it(`${m}x${k}x${n} transA=${transA} transB=${transB} matches float64 within (k + 2) 2^-24 sum |ab|`, () => {
        const s = { m, k, n, transA, transB };
        const { c, stats, a, b } = emulateShape(s);
        expect(stats.problems).toEqual([]);
        expect(errorVsBound(c, referenceMatmul(a, b, s), k).worst).toBeLessThanOrEqual(1);
        if (m === 300) {
          // Tiles (0..3) x (0..1) are inside C: 8 tiles x 16 full k steps take the fast path.
          expect(stats.fastSteps).toBe(8 * 16);
          expect(stats.checkedSteps).toBe(5 * 3 * 17 - 8 * 16);
        }
      });
    }
  }

  it('vec4 stores (n % 4 == 0), edges in every dimension, all transposes', () => {
    for (const [m, k, n] of [
      [70, 20, 68],
      [128, 48, 4],
      [3, 17, 8],
    ]) {
      for (const [transA, transB] of TRANSPOSES) {
        const s = { m, k, n, transA, transB };
        const { c, stats, a, b } = emulateShape(s);
        expect(stats.problems, JSON.stringify(s)).toEqual([]);
        expect(errorVsBound(c, referenceMatmul(a, b, s), k).worst).toBeLessThanOrEqual(1);
      }
    }
  });

  it('whole tiles and k steps take only the unchecked path', () => {
    for (const [transA, transB] of TRANSPOSES) {
      const s = { m: 128, k: 48, n: 192, transA, transB };
      const { c, stats, a, b } = emulateShape(s);
      expect(stats.problems).toEqual([]);
      expect(stats).toMatchObject({ checkedSteps: 0, fastSteps: 2 * 3 * 3 });
      expect(errorVsBound(c, referenceMatmul(a, b, s), 48).worst).toBeLessThanOrEqual(1);
    }
  });

  it('more tiles than workgroups: each workgroup loops over tiles with the grid stride', () => {
    for (const maxPerDim of [1, 2]) {
      for (const [transA, transB] of [
        [false, false],
        [true, true],
      ] as [boolean, boolean][]) {
        const s = { m: 200, k: 9, n: 130, transA, transB };
        const { c, stats, a, b } = emulateShape(s, maxPerDim);
        expect(stats.problems).toEqual([]);
        expect(errorVsBound(c, referenceMatmul(a, b, s), 9).worst).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('host code on a mock device', () => {
  it('runs every shape and transpose through the emulated kernel; one pipeline per variant, buffers per shape', async () => {
    const { device, emu } = await emulatedDevice();
    const mm = createWgslMatmul(device, { sources: wgslMatmulSources() });
    const shapes: [number, number, number][] = [
      [1, 1, 1],
      [7, 13, 5],
      [65, 33, 129],
      [70, 20, 68],
    ];
    for (const [m, k, n] of shapes) {
      for (const [transA, transB] of TRANSPOSES) {
        const s = { m, k, n, transA, transB };
        const a = rand(m * k, m + k),
          b = rand(k * n, n + 1);
        const got = (await mm.run(a, b, s)) as Float32Array;
        expect(got).toBeInstanceOf(Float32Array);
        expect(got.length).toBe(m * n);
        expect(errorVsBound(got, referenceMatmul(a, b, s), k).worst).toBeLessThanOrEqual(1);
      }
    }
    expect(emu.problems).toEqual([]);
    expect(mm.pipelines).toBe(8); // 4 transposes x (scalar: 3 shapes, vec4: 70x20x68)
    expect(mm.created).toBe(4);
    expect(mm.sets).toBe(4);
    expect(device.stats.dispatches).toBe(16);
    expect(device.stats.uncaptured).toEqual([]);
    expect(device.scopeDepth).toBe(0);
    // A repeated shape reuses its buffers and bind group; `into` receives the result at an offset.
    const into = new Float32Array(3 + 35).fill(-1);
    const s = { m: 7, k: 13, n: 5, transA: true, transB: false };
    const a = rand(91, 5),
      b = rand(65, 6);
    const buffers = device.stats.buffers,
      groups = device.stats.bindGroups;
    expect(await mm.run(a, b, s, into, 3)).toBeUndefined();
    expect(into.slice(0, 3)).toEqual(new Float32Array(3).fill(-1));
    expect(errorVsBound(into.subarray(3), referenceMatmul(a, b, s), 13).worst).toBeLessThanOrEqual(1);
    expect([device.stats.buffers, device.stats.bindGroups, mm.created]).toEqual([buffers, groups, 4]);
    // repeat (benchmarks): the same dispatch again, one readback, the same values.
    const dispatches = device.stats.dispatches,
      submits = device.stats.submits;
    expect(await mm.run(a, b, { ...s, repeat: 3 })).toEqual(into.slice(3));
    expect([device.stats.dispatches - dispatches, device.stats.submits - submits]).toEqual([3, 1]);
    expect(emu.problems).toEqual([]);
    mm.destroy();
    expect(device.stats.liveBytes).toBe(0);
  });

  it('keeps at most maxSets buffer sets and maxBytes, least recently used out first', async () => {
    const device = await mockModule.createDevice();
    const mm = createWgslMatmul(device, { sources: wgslMatmulSources(), maxSets: 2, maxBytes: 100_000 });
    const run = (m: number, k: number, n: number) =>
      mm.run(rand(m * k, 1), rand(k * n, 2), { m, k, n, transA: false, transB: false });
    await run(3, 4, 5);
    await run(6, 7, 8);
    await run(3, 4, 5); // now 6x7x8 is the least recently used
    expect(device.stats.destroyed).toBe(0);
    await run(9, 10, 11);
    expect(mm.sets).toBe(2);
    expect(device.stats.destroyed).toBe(5); // 6x7x8's A, B, C, staging, uniforms
    await run(3, 4, 5);
    expect(mm.created).toBe(3);
    // 100 x 100 x 100 needs 160 kB: everything else goes, it stays alone.
    await run(100, 100, 100);
    expect(mm.sets).toBe(1);
    expect(mm.bytes).toBe(4 * (3 * 10_000 + 10_000) + 32);
    expect(device.stats.liveBytes).toBe(mm.bytes);
    expect(device.scopeDepth).toBe(0);
  });

  it('says why when a variant does not compile, a first run is invalid, or an operand is too large', async () => {
    const device = await mockModule.createDevice({ maxBinding: 4096 });
    const sources = { ...wgslMatmulSources(), '000': '// SYNTAX_ERROR' };
    const mm = createWgslMatmul(device, { sources });
    const s = { m: 2, k: 2, n: 3, transA: false, transB: false };
    await expect(mm.run(rand(4, 1), rand(6, 2), s)).rejects.toThrow(
      /variant 000 does not compile: shader module: error parsing WGSL \(error line 1: unexpected token\)/,
    );
    await expect(mm.run(rand(4, 1), rand(6, 2), { ...s, transB: true })).resolves.toBeInstanceOf(Float32Array);
    await expect(mm.run(rand(5, 1), rand(6, 2), { ...s, transB: true })).rejects.toThrow(
      /operands of 5 and 6 values, expected 4 and 6/,
    );
    await expect(
      mm.run(rand(2000, 1), rand(2000, 2), { m: 2000, k: 1, n: 2000, transA: false, transB: true }),
    ).rejects.toThrow(/an operand of 16000000 bytes is over this device's limits \(maxStorageBufferBindingSize 4096/);
    expect(device.scopeDepth).toBe(0);
    // A kernel whose bind group is rejected must not hand back the zeros of an unexecuted dispatch.
    const broken = await mockModule.createDevice();
    const orig = broken.createBindGroup.bind(broken);
    (broken as { createBindGroup: unknown }).createBindGroup = (d: Parameters<typeof orig>[0]) =>
      orig({ ...d, entries: d.entries.map((e, i) => (i === 3 ? { ...e, binding: 7 } : e)) });
    const mm2 = createWgslMatmul(broken, { sources: wgslMatmulSources() });
    await expect(mm2.run(rand(4, 1), rand(6, 2), s)).rejects.toThrow(
      /wgsl matmul 2x2x3 variant 000: createBindGroup: invalid entries/,
    );
    expect(broken.scopeDepth).toBe(0);
  });

  it('zero-sized products need no device', async () => {
    const device = await mockModule.createDevice();
    const mm = createWgslMatmul(device, { sources: wgslMatmulSources() });
    expect(
      await mm.run(new Float32Array(0), new Float32Array(0), { m: 0, k: 0, n: 3, transA: false, transB: false }),
    ).toEqual(new Float32Array(0));
    expect(
      await mm.run(new Float32Array(0), new Float32Array(0), { m: 2, k: 0, n: 3, transA: false, transB: false }),
    ).toEqual(new Float32Array(6));
    expect(device.stats.buffers).toBe(0);
  });

  it('the start-up check passes on a correct kernel and names the entry a wrong one gets', async () => {
    const { device, emu } = await emulatedDevice();
    const mm = createWgslMatmul(device, { sources: wgslMatmulSources() });
    await wgslSelfTest(mm);
    expect(emu.problems).toEqual([]);
    expect(mm.pipelines).toBe(2);
    const wrong = await mockModule.createDevice({
      dispatch: (v: MatmulVariant, bufs: { C: ArrayBuffer }) => {
        new Float32Array(bufs.C).fill(0.5);
      },
    });
    await expect(wgslSelfTest(createWgslMatmul(wrong, { sources: wgslMatmulSources() }))).rejects.toThrow(
      /tiled WGSL matmul failed its start-up check at 3x5x7 transA=false transB=false: C\[\d+, \d+\] = 0.5, expected/,
    );
  });
});

describe('the worker bridge', () => {
  it('RXNN_WEBGPU_MATMUL picks the engine', () => {
    expect(webgpuMatmulEngine(undefined)).toBe('wgsl');
    expect(webgpuMatmulEngine('wgsl')).toBe('wgsl');
    expect(webgpuMatmulEngine('gpujs')).toBe('gpujs');
    expect(() => webgpuMatmulEngine('cuda')).toThrow(/RXNN_WEBGPU_MATMUL='cuda': expected 'wgsl'/);
  });

  it('routes matmul to the WGSL host in the worker (a stand-in device), BatchNorm to gpu.js', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxnn-wgsl-'));
    const file = join(dir, 'mock-device.cjs');
    writeFileSync(file, MOCK_DEVICE_JS);
    expect(typeof req(file).createDevice).toBe('function');
    const br = new BridgeRunner('webasm', 30_000, { wgslDevice: file });
    expect(br.matmulEngine).toBe('wgsl');
    expect(new BridgeRunner('webasm').matmulEngine).toBe('gpujs');
    const spec = (m: number, k: number, n: number, transA: boolean, transB: boolean) => ({
      source: 'matmul' as const,
      key: `matmul:${m}x${k}x${n}:${+transA}${+transB}`,
      output: m * n,
      loopMax: k,
      constants: { n, k, aRow: transA ? 1 : k, aCol: transA ? m : 1, bRow: transB ? 1 : n, bCol: transB ? k : 1 },
    });
    for (const [m, k, n] of [
      [1, 1, 1],
      [7, 13, 5],
      [65, 33, 129],
      [64, 16, 64],
    ]) {
      for (const [transA, transB] of TRANSPOSES) {
        const a = rand(m * k, 3),
          b = rand(k * n, 4);
        const got = br.run(spec(m, k, n, transA, transB), [a, b]);
        expect(errorVsBound(got, referenceMatmul(a, b, { m, k, n, transA, transB }), k).worst).toBeLessThanOrEqual(1);
      }
    }
    // Compiles count pipelines (variants), not shapes: 4 scalar + 4 vec4.
    expect(br.compiles).toBe(8);
    // repeat (benchmarks) gives the same values; zero-sized products answer without the worker.
    const [a0, b0] = [rand(7 * 13, 8), rand(13 * 5, 9)];
    expect(br.run(spec(7, 13, 5, true, true), [a0, b0], { repeat: 4 })).toEqual(
      br.run(spec(7, 13, 5, true, true), [a0, b0]),
    );
    expect(br.run(spec(0, 3, 4, false, false), [new Float32Array(0), rand(12, 1)])).toEqual(new Float32Array(0));
    expect(
      br.run(
        { ...spec(2, 1, 3, false, false), constants: { ...spec(2, 1, 3, false, false).constants, k: 0, aRow: 0 } },
        [new Float32Array(0), new Float32Array(0)],
      ),
    ).toEqual(new Float32Array(6));
    // Larger than the first shared buffer (1 MiB): it grows.
    const [m, k, n] = [300, 520, 190];
    const a = rand(m * k, 5),
      b = rand(k * n, 6);
    expect(
      errorVsBound(
        br.run(spec(m, k, n, true, false), [a, b]),
        referenceMatmul(a, b, { m, k, n, transA: true, transB: false }),
        k,
      ).worst,
    ).toBeLessThanOrEqual(1);
    // gpu.js still runs the rest.
    const y = br.run({ source: 'bnForward', key: 'bn', constants: { c: 1, s: 4 }, output: 4, loopMax: 1 }, [
      new Float32Array([1, 2, 3, 4]),
      new Float32Array([1]),
      new Float32Array([2]),
      new Float32Array([1]),
      new Float32Array([0.5]),
    ]);
    expect(Array.from(y)).toEqual([0.5, 2.5, 4.5, 6.5]);
    expect(br.compiles).toBe(9);
    // Errors from the worker say which call failed.
    expect(() => br.run(spec(2, 3, 4, false, false), [rand(5, 1), rand(12, 2)])).toThrow(
      /webasm worker \(matmul:2x3x4:00\): .*operands of 5 and 12 values/,
    );
  });
});
