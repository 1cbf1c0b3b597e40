/**
 * A tiled WGSL sgemm for the gpu backend's webgpu mode, driven through Dawn
 * directly (gpu.js's WebGPU backend has no workgroup memory and a fixed 8x8
 * workgroup, so it cannot tile; its one-output-per-thread matmul reached
 * 1.6-2.9 TFLOP/s on an H200, this kernel's 4096^2 core 27.5: bench/RESULTS.md).
 *
 * The kernel is bench/gpu/w3-gpu.cjs's: a 64x64 output tile per workgroup of
 * 16x16 threads, 4x4 outputs per thread, k in steps of 16 through two tiles in
 * workgroup memory (As[kk][q] = A rows 4q..4q+3 of column kk, Bs[kk][q] = B row
 * kk, columns 4q..4q+3). Here it also takes
 * - any m, k, n >= 1: a tile that lies wholly inside C and a k step that lies
 *   wholly inside k load without checks (the fast path: every k step of every
 *   tile when m and n are multiples of 64 and k of 16); the others load zeros
 *   outside A and B, and every store checks its row and column;
 * - transposes, by indexing in the loads: each operand is read so that
 *   neighbouring threads read neighbouring addresses (along k for A [m, k] and
 *   B^T [n, k], along m or n for A^T [k, m] and B [k, n]);
 * - vec4 stores when n % 4 == 0 (C bound as array<vec4<f32>>), scalar ones otherwise;
 * - more than 65535 tiles along a side: each workgroup loops over tiles with
 *   the grid's stride (one pass per workgroup at every size a buffer allows today).
 *
 * One pipeline per variant (transA, transB, vec4 stores): at most 8, compiled
 * on first use. Buffers are kept per (m, k, n) in a small LRU. Results come
 * back through mapAsync of a staging buffer (onSubmittedWorkDone was seen to
 * abort Dawn's node binding: docs/webgpu-node.md).
 *
 * The worker (../webgpu-worker.ts) imports createWgslMatmul; the WGSL texts travel as data.
 */

export interface MatmulShape {
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
  /** Benchmarks only: dispatch the kernel this many times (same result), then read back once. */
  repeat?: number;
}

export interface MatmulVariant {
  transA: boolean;
  transB: boolean;
  /** C bound as array<vec4<f32>> (needs n % 4 == 0). */
  vecC: boolean;
}

/** '000' .. '111': transA, transB, vecC. */
export function variantKey(transA: boolean, transB: boolean, vecC: boolean): string {
  return `${transA ? 1 : 0}${transB ? 1 : 0}${vecC ? 1 : 0}`;
}

export function variantOf(key: string): MatmulVariant {
  if (!/^[01]{3}$/.test(key)) throw new Error(`wgsl matmul: bad variant key '${key}'`);
  return { transA: key[0] === '1', transB: key[1] === '1', vecC: key[2] === '1' };
}

export const VARIANT_KEYS: readonly string[] = ['000', '001', '010', '011', '100', '101', '110', '111'];

/** The uniform block, in the order the host writes it (8 u32 = 32 bytes, a multiple of 16). */
export const PARAM_FIELDS = ['m', 'k', 'n', 'tilesM', 'tilesN', 'pad0', 'pad1', 'pad2'] as const;

/**
 * How the threads of a workgroup load one operand's tile for one k step: the
 * 1024 elements (64 rows or columns x 16 k) are 4 per thread, element idx =
 * tid + t * 256. Each is a WGSL expression; the tests evaluate the same text in
 * JS (u32 literals lose their `u`), so every index the kernel computes is one
 * the emulator checks.
 */
export interface OperandPlan {
  /** Row of A (column of B) within the tile, 0..63, from idx. */
  outer: string;
  /** k within the step, 0..15, from idx. */
  inner: string;
  /** Index into the operand's array; only evaluated when inBounds holds (or on the fast path). */
  addr: string;
  inBounds: string;
}

export function operandPlans(transA: boolean, transB: boolean): { a: OperandPlan; b: OperandPlan } {
  // Consecutive idx walk the operand's contiguous dimension: 16 along k, or 64 along m / n.
  const a: OperandPlan = transA
    ? {
        outer: 'idx & 63u',
        inner: 'idx >> 6u',
        addr: '(k0 + ak) * m + row0 + ar',
        inBounds: 'row0 + ar < m && k0 + ak < k',
      }
    : {
        outer: 'idx >> 4u',
        inner: 'idx & 15u',
        addr: '(row0 + ar) * k + k0 + ak',
        inBounds: 'row0 + ar < m && k0 + ak < k',
      };
  const b: OperandPlan = transB
    ? {
        outer: 'idx >> 4u',
        inner: 'idx & 15u',
        addr: '(col0 + bc) * k + k0 + bk',
        inBounds: 'col0 + bc < n && k0 + bk < k',
      }
    : {
        outer: 'idx & 63u',
        inner: 'idx >> 6u',
        addr: '(k0 + bk) * n + col0 + bc',
        inBounds: 'col0 + bc < n && k0 + bk < k',
      };
  return { a, b };
}

/** The stores of one thread: outputs (r + i, c .. c + 3), i = 0..3. */
export const STORE = {
  /** First row and column of the thread's 4x4 block. */
  r: 'row0 + lid.y * 4u',
  c: 'col0 + lid.x * 4u',
  /** Whether the tile lies wholly inside C (then the k loop may take the fast path). */
  fullMN: 'row0 + 64u <= m && col0 + 64u <= n',
  /** Whether k step k0 lies wholly inside k. */
  fullK: 'k0 + 16u <= k',
} as const;

/**
 * One store of a thread's 4x4 block: `if (cond) { C[index] = acc<acc>(.xyzw[comp]); }`,
 * with r, c its first row and column (STORE), and for vec4 stores w = n / 4, q = c / 4.
 */
export interface StoreOp {
  cond: string;
  index: string;
  acc: number;
  /** Component 0..3 for a scalar store, -1 for a vec4 store. */
  comp: number;
}

export function storeOps(vecC: boolean): StoreOp[] {
  const ops: StoreOp[] = [];
  for (let i = 0; i < 4; i++) {
    const row = i === 0 ? 'r' : `r + ${i}u`;
    if (vecC) {
      // n % 4 == 0 and c % 4 == 0, so c < n means all four columns are inside.
      ops.push({ cond: `${row} < m && c < n`, index: `(${row}) * w + q`, acc: i, comp: -1 });
    } else {
      for (let j = 0; j < 4; j++) {
        const col = j === 0 ? 'c' : `c + ${j}u`;
        ops.push({ cond: `${row} < m && ${col} < n`, index: `(${row}) * n + ${col}`, acc: i, comp: j });
      }
    }
  }
  return ops;
}

/** The WGSL text of one variant. */
export function wgslMatmulSource(v: MatmulVariant): string {
  const { a, b } = operandPlans(v.transA, v.transB);
  const key = variantKey(v.transA, v.transB, v.vecC);
  const L = (depth: number, s: string) => '  '.repeat(depth) + s;
  const loads = (checked: boolean, d: number): string[] => [
    L(d, 'for (var t = 0u; t < 4u; t = t + 1u) {'),
    L(d + 1, 'let idx = tid + t * 256u;'),
    L(d + 1, `let ar = ${a.outer};`),
    L(d + 1, `let ak = ${a.inner};`),
    L(d + 1, `let bc = ${b.outer};`),
    L(d + 1, `let bk = ${b.inner};`),
    ...(checked
      ? [
          L(d + 1, 'var av = 0.0;'),
          L(d + 1, `if (${a.inBounds}) { av = A[${a.addr}]; }`),
          L(d + 1, 'As[ak][ar >> 2u][ar & 3u] = av;'),
          L(d + 1, 'var bv = 0.0;'),
          L(d + 1, `if (${b.inBounds}) { bv = B[${b.addr}]; }`),
          L(d + 1, 'Bs[bk][bc >> 2u][bc & 3u] = bv;'),
        ]
      : [L(d + 1, `As[ak][ar >> 2u][ar & 3u] = A[${a.addr}];`), L(d + 1, `Bs[bk][bc >> 2u][bc & 3u] = B[${b.addr}];`)]),
    L(d, '}'),
  ];
  const comps = ['x', 'y', 'z', 'w'];
  const stores = [
    ...(v.vecC ? [L(2, 'let w = n >> 2u;'), L(2, 'let q = c >> 2u;')] : []),
    ...storeOps(v.vecC).map((o) =>
      L(2, `if (${o.cond}) { C[${o.index}] = acc${o.acc}${o.comp < 0 ? '' : `.${comps[o.comp]}`}; }`),
    ),
  ];
  const fields = PARAM_FIELDS.map((f) => `${f} : u32`).join(', ');
  return [
    `// rxnn-wgsl-matmul variant=${key} transA=${+v.transA} transB=${+v.transB} vecC=${+v.vecC}`,
    '// C[m, n] = op(A) op(B): A is [m, k] ([k, m] when transA), B is [k, n] ([n, k] when transB), row-major.',
    '// 64x64 output tile per 16x16 workgroup, 4x4 outputs per thread, 16-deep k steps in workgroup memory.',
    `struct Params { ${fields} }`,
    '@group(0) @binding(0) var<storage, read> A : array<f32>;',
    '@group(0) @binding(1) var<storage, read> B : array<f32>;',
    `@group(0) @binding(2) var<storage, read_write> C : array<${v.vecC ? 'vec4<f32>' : 'f32'}>;`,
    '@group(0) @binding(3) var<uniform> P : Params;',
    'var<workgroup> As : array<array<vec4<f32>, 16>, 16>;',
    'var<workgroup> Bs : array<array<vec4<f32>, 16>, 16>;',
    '',
    '@compute @workgroup_size(16, 16)',
    'fn main(@builtin(local_invocation_id) lid : vec3<u32>, @builtin(workgroup_id) wid : vec3<u32>,',
    '        @builtin(num_workgroups) nwg : vec3<u32>) {',
    L(1, 'let m = P.m;'),
    L(1, 'let k = P.k;'),
    L(1, 'let n = P.n;'),
    L(1, 'let tid = lid.y * 16u + lid.x;'),
    L(1, 'for (var ty = wid.y; ty < P.tilesM; ty = ty + nwg.y) {'),
    L(1, 'for (var tx = wid.x; tx < P.tilesN; tx = tx + nwg.x) {'),
    L(2, 'let row0 = ty * 64u;'),
    L(2, 'let col0 = tx * 64u;'),
    L(2, `let fullMN = ${STORE.fullMN};`),
    L(2, 'var acc0 = vec4<f32>(0.0);'),
    L(2, 'var acc1 = vec4<f32>(0.0);'),
    L(2, 'var acc2 = vec4<f32>(0.0);'),
    L(2, 'var acc3 = vec4<f32>(0.0);'),
    L(2, 'for (var k0 = 0u; k0 < k; k0 = k0 + 16u) {'),
    L(3, `if (fullMN && ${STORE.fullK}) {`),
    ...loads(false, 4),
    L(3, '} else {'),
    ...loads(true, 4),
    L(3, '}'),
    L(3, 'workgroupBarrier();'),
    L(3, 'for (var kk = 0u; kk < 16u; kk = kk + 1u) {'),
    L(4, 'let a = As[kk][lid.y];'),
    L(4, 'let b = Bs[kk][lid.x];'),
    L(4, 'acc0 = acc0 + a.x * b;'),
    L(4, 'acc1 = acc1 + a.y * b;'),
    L(4, 'acc2 = acc2 + a.z * b;'),
    L(4, 'acc3 = acc3 + a.w * b;'),
    L(3, '}'),
    L(3, 'workgroupBarrier();'),
    L(2, '}'),
    L(2, `let r = ${STORE.r};`),
    L(2, `let c = ${STORE.c};`),
    ...stores,
    L(1, '}'),
    L(1, '}'),
    '}',
    '',
  ].join('\n');
}

/** Every variant's WGSL, by variant key (what the worker compiles from). */
export function wgslMatmulSources(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of VARIANT_KEYS) out[key] = wgslMatmulSource(variantOf(key));
  return out;
}

/**
 * Tiles and workgroups for an m x n output: one workgroup per 64x64 tile,
 * except that a side with more tiles than the device allows workgroups
 * (maxComputeWorkgroupsPerDimension, 65535 by default) is covered by fewer
 * workgroups, each looping over tiles with the grid's stride.
 */
export function matmulGrid(
  m: number,
  n: number,
  maxPerDim = 65535,
): {
  tilesM: number;
  tilesN: number;
  groupsX: number;
  groupsY: number;
} {
  const tilesM = Math.ceil(m / 64),
    tilesN = Math.ceil(n / 64);
  return { tilesM, tilesN, groupsX: Math.min(tilesN, maxPerDim), groupsY: Math.min(tilesM, maxPerDim) };
}

/** The uniform block for (m, k, n), in PARAM_FIELDS order. */
export function matmulParams(m: number, k: number, n: number): Uint32Array {
  const g = matmulGrid(m, n);
  return new Uint32Array([m, k, n, g.tilesM, g.tilesN, 0, 0, 0]);
}

/**
 * Reads (m, k, n, transA, transB) back from the spec that ops.ts's matmul hands
 * the runner: constants { n, k, aRow, aCol, bRow, bCol } (A[i, p] at
 * i*aRow + p*aCol, B[p, j] at p*bRow + j*bCol) and output m*n. Where a
 * transpose cannot be told (a side of 1), both readings address the same
 * memory. Null when the constants fit neither layout.
 */
export function decodeMatmulSpec(c: Record<string, number>, output: number): MatmulShape | null {
  const { n, k, aRow, aCol, bRow, bCol } = c;
  if (![n, k, aRow, aCol, bRow, bCol].every((v) => Number.isInteger(v) && v >= 0)) return null;
  if (!(n >= 1) || !(k >= 1) || output % n !== 0) return null;
  const m = output / n;
  if (m < 1) return null;
  const transA = aCol !== 1;
  const transB = bCol !== 1;
  const aOk = transA ? aRow === 1 && aCol === m : m === 1 || aRow === k;
  const bOk = transB ? bRow === 1 && bCol === k : k === 1 || bRow === n;
  return aOk && bOk ? { m, k, n, transA, transB } : null;
}

/** out[i*n + j] = sum_p A[i, p] B[p, j] in float64, and sum_p |A[i, p] B[p, j]| (for the float32 error bound). */
export function referenceMatmul(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  s: MatmulShape,
): { out: Float64Array; scale: Float64Array } {
  const { m, k, n, transA, transB } = s;
  const out = new Float64Array(m * n),
    scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0,
        abs = 0;
      for (let p = 0; p < k; p++) {
        const v = (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
        sum += v;
        abs += Math.abs(v);
      }
      out[i * n + j] = sum;
      scale[i * n + j] = abs;
    }
  }
  return { out, scale };
}

/**
 * The worst error of `got` against the float64 reference, as a multiple of
 * the float32 bound (k + 2) 2^-24 sum |a b| (plus the smallest normal, for all-zero sums).
 * At most 1 passes. `at` is the worst entry.
 */
export function errorVsBound(
  got: ArrayLike<number>,
  ref: { out: Float64Array; scale: Float64Array },
  k: number,
): { worst: number; at: number } {
  let worst = 0,
    at = -1;
  for (let i = 0; i < ref.out.length; i++) {
    const e = Math.abs(got[i] - ref.out[i]) / ((k + 2) * 2 ** -24 * ref.scale[i] + 2 ** -126);
    if (!(e <= worst)) {
      worst = e;
      at = i;
      if (e !== e) break; // NaN: nothing is worse
    }
  }
  return { worst, at };
}

/* ------------------------------------------------------------------ host (runs in the worker) */

/** The slice of the WebGPU API the host uses (Dawn's node binding, or a test's mock). */
export interface GpuBufferLike {
  readonly size: number;
  mapAsync(mode: number, offset?: number, size?: number): Promise<void>;
  getMappedRange(offset?: number, size?: number): ArrayBuffer;
  unmap(): void;
  destroy(): void;
}
export interface GpuPassLike {
  setPipeline(p: unknown): void;
  setBindGroup(index: number, g: unknown): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
  end(): void;
}
export interface GpuDeviceLike {
  readonly limits: Record<string, number | undefined>;
  readonly queue: {
    writeBuffer(buffer: GpuBufferLike, offset: number, data: ArrayBufferView): void;
    submit(commands: unknown[]): void;
  };
  createBuffer(d: { size: number; usage: number }): GpuBufferLike;
  createShaderModule(d: { code: string }): {
    getCompilationInfo?(): Promise<{ messages: readonly { type: string; message: string; lineNum?: number }[] }>;
  };
  createComputePipeline(d: { layout: 'auto'; compute: { module: unknown; entryPoint: string } }): {
    getBindGroupLayout(i: number): unknown;
  };
  createBindGroup(d: { layout: unknown; entries: { binding: number; resource: { buffer: GpuBufferLike } }[] }): unknown;
  createCommandEncoder(): {
    beginComputePass(): GpuPassLike;
    copyBufferToBuffer(
      src: GpuBufferLike,
      srcOffset: number,
      dst: GpuBufferLike,
      dstOffset: number,
      size: number,
    ): void;
    finish(): unknown;
  };
  pushErrorScope(filter: string): void;
  popErrorScope(): Promise<{ message: string } | null>;
}

export interface WgslMatmulOptions {
  /** WGSL text by variant key (wgslMatmulSources()). */
  sources: Record<string, string>;
  /** Buffer sets (one per m, k, n) kept at most; default 16. */
  maxSets?: number;
  /** Bytes of buffers kept at most (a single larger set is still allowed); default 1 GiB. */
  maxBytes?: number;
  /** Overrides the device's maxComputeWorkgroupsPerDimension (tests). */
  maxGroupsPerDim?: number;
}

export interface WgslMatmul {
  /**
   * C = op(A) op(B) for shape s. With `into`, C is copied to into[offset ..]
   * straight from the mapped staging buffer and nothing is returned;
   * otherwise a fresh Float32Array.
   */
  run(
    a: Float32Array,
    b: Float32Array,
    s: MatmulShape,
    into?: Float32Array,
    offset?: number,
  ): Promise<Float32Array | undefined>;
  /** Pipelines compiled so far (one per variant used). */
  readonly pipelines: number;
  /** Buffer sets held, and their bytes. */
  readonly sets: number;
  readonly bytes: number;
  /** Buffer sets created so far (a repeated shape must not create another). */
  readonly created: number;
  destroy(): void;
}

/**
 * The host side: pipelines per variant, buffers per (m, k, n), one dispatch
 * and one readback per call. Self-contained (see the file's comment): it
 * calls only matmulGrid and variantKey, which travel with it.
 */
export function createWgslMatmul(device: GpuDeviceLike, opts: WgslMatmulOptions): WgslMatmul {
  // WebGPU's GPUBufferUsage and GPUMapMode bits.
  const MAP_READ = 0x1,
    COPY_SRC = 0x4,
    COPY_DST = 0x8,
    UNIFORM = 0x40,
    STORAGE = 0x80,
    MODE_READ = 0x1;
  const limits = device.limits || {};
  const maxGroups = opts.maxGroupsPerDim || limits.maxComputeWorkgroupsPerDimension || 65535;
  const maxBinding = limits.maxStorageBufferBindingSize || 134217728;
  const maxBuffer = limits.maxBufferSize || 268435456;
  const maxSets = opts.maxSets || 16;
  const maxBytes = opts.maxBytes || 2 ** 30;

  interface BufferSet {
    key: string;
    a: GpuBufferLike;
    b: GpuBufferLike;
    c: GpuBufferLike;
    staging: GpuBufferLike;
    params: GpuBufferLike;
    cBytes: number;
    bytes: number;
    groupsX: number;
    groupsY: number;
    binds: Map<string, unknown>;
  }
  const pipelines = new Map<string, { getBindGroupLayout(i: number): unknown }>();
  const sets = new Map<string, BufferSet>(); // insertion order = least recently used first
  let bytes = 0;
  let created = 0;

  async function pipelineFor(key: string) {
    const have = pipelines.get(key);
    if (have) return have;
    const code = opts.sources[key];
    if (!code) throw new Error(`wgsl matmul: no WGSL for variant ${key}`);
    device.pushErrorScope('internal');
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ code });
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const inner = await device.popErrorScope();
    const outer = await device.popErrorScope();
    const err = inner || outer;
    if (err) {
      let info = '';
      try {
        const ci = module.getCompilationInfo ? await module.getCompilationInfo() : null;
        if (ci) info = ci.messages.map((msg) => `${msg.type} line ${msg.lineNum}: ${msg.message}`).join('; ');
      } catch {
        /* the scope's message is enough */
      }
      throw new Error(`wgsl matmul: variant ${key} does not compile: ${err.message}${info ? ` (${info})` : ''}`);
    }
    pipelines.set(key, pipeline);
    return pipeline;
  }

  function drop(s: BufferSet) {
    sets.delete(s.key);
    bytes -= s.bytes;
    for (const buf of [s.a, s.b, s.c, s.staging, s.params]) buf.destroy();
  }

  async function setFor(m: number, k: number, n: number): Promise<BufferSet> {
    const key = `${m}x${k}x${n}`;
    const have = sets.get(key);
    if (have) {
      sets.delete(key);
      sets.set(key, have);
      return have;
    }
    const aBytes = m * k * 4,
      bBytes = k * n * 4,
      cBytes = m * n * 4;
    const biggest = Math.max(aBytes, bBytes, cBytes);
    if (biggest > maxBinding || biggest > maxBuffer || biggest / 4 > 2 ** 32 - 2 ** 16) {
      throw new Error(
        `wgsl matmul ${m}x${k}x${n}: an operand of ${biggest} bytes is over this device's limits ` +
          `(maxStorageBufferBindingSize ${maxBinding}, maxBufferSize ${maxBuffer})`,
      );
    }
    const need = aBytes + bBytes + 2 * cBytes + 32;
    while (sets.size && (sets.size >= maxSets || bytes + need > maxBytes))
      drop(sets.values().next().value as BufferSet);
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    const a = device.createBuffer({ size: aBytes, usage: STORAGE | COPY_DST });
    const b = device.createBuffer({ size: bBytes, usage: STORAGE | COPY_DST });
    const c = device.createBuffer({ size: cBytes, usage: STORAGE | COPY_SRC });
    const staging = device.createBuffer({ size: cBytes, usage: MAP_READ | COPY_DST });
    const params = device.createBuffer({ size: 32, usage: UNIFORM | COPY_DST });
    const g = matmulGrid(m, n, maxGroups);
    device.queue.writeBuffer(params, 0, new Uint32Array([m, k, n, g.tilesM, g.tilesN, 0, 0, 0]));
    const inner = await device.popErrorScope();
    const outer = await device.popErrorScope();
    const err = inner || outer;
    const s: BufferSet = {
      key,
      a,
      b,
      c,
      staging,
      params,
      cBytes,
      bytes: need,
      groupsX: g.groupsX,
      groupsY: g.groupsY,
      binds: new Map(),
    };
    if (err) {
      for (const buf of [a, b, c, staging, params]) buf.destroy();
      throw new Error(`wgsl matmul ${m}x${k}x${n}: cannot allocate ${need} bytes of buffers: ${err.message}`);
    }
    sets.set(key, s);
    bytes += need;
    created++;
    return s;
  }

  async function run(
    a: Float32Array,
    b: Float32Array,
    s: MatmulShape,
    into?: Float32Array,
    offset = 0,
  ): Promise<Float32Array | undefined> {
    const { m, k, n } = s;
    if (a.length !== m * k || b.length !== k * n) {
      throw new Error(
        `wgsl matmul ${m}x${k}x${n}: operands of ${a.length} and ${b.length} values, expected ${m * k} and ${k * n}`,
      );
    }
    if (m * n === 0 || k === 0) {
      if (into) {
        into.fill(0, offset, offset + m * n);
        return undefined;
      }
      return new Float32Array(m * n);
    }
    const key = variantKey(s.transA, s.transB, n % 4 === 0);
    const pipeline = await pipelineFor(key);
    const set = await setFor(m, k, n);
    let bind = set.binds.get(key);
    // The first call of a (shape, variant) runs inside an error scope, popped once its
    // readback is mapped: a validation error at submit would otherwise read back zeros.
    const first = !bind;
    if (first) device.pushErrorScope('validation');
    let err: { message: string } | null = null;
    try {
      if (!bind) {
        bind = device.createBindGroup({
          layout: pipeline.getBindGroupLayout(0),
          entries: [set.a, set.b, set.c, set.params].map((buffer, binding) => ({ binding, resource: { buffer } })),
        });
        set.binds.set(key, bind);
      }
      device.queue.writeBuffer(set.a, 0, a);
      device.queue.writeBuffer(set.b, 0, b);
      const enc = device.createCommandEncoder();
      // repeat > 1 (benchmarks: kernel time by difference) runs the same dispatch again, each in its own pass.
      for (let r = 0; r < Math.max(1, s.repeat || 1); r++) {
        const pass = enc.beginComputePass();
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, bind);
        pass.dispatchWorkgroups(set.groupsX, set.groupsY, 1);
        pass.end();
      }
      enc.copyBufferToBuffer(set.c, 0, set.staging, 0, set.cBytes);
      device.queue.submit([enc.finish()]);
      await set.staging.mapAsync(MODE_READ, 0, set.cBytes);
    } finally {
      if (first) err = await device.popErrorScope();
    }
    let out: Float32Array | undefined;
    try {
      const view = new Float32Array(set.staging.getMappedRange(0, set.cBytes));
      if (into) into.set(view, offset);
      else out = view.slice();
    } finally {
      set.staging.unmap();
    }
    if (err) {
      set.binds.delete(key);
      throw new Error(`wgsl matmul ${m}x${k}x${n} variant ${key}: ${err.message}`);
    }
    return out;
  }

  return {
    run,
    get pipelines() {
      return pipelines.size;
    },
    get sets() {
      return sets.size;
    },
    get bytes() {
      return bytes;
    },
    get created() {
      return created;
    },
    destroy() {
      for (const s of [...sets.values()]) drop(s);
    },
  };
}

/**
 * Runs the tiled kernel on small odd shapes (edges in m, n and k; scalar and
 * vec4 stores; all transposes covered by two cases) against float64: how the
 * worker decides the WGSL path works on this adapter before any real call.
 */
export async function wgslSelfTest(mm: WgslMatmul): Promise<void> {
  const cases: MatmulShape[] = [
    { m: 3, k: 5, n: 7, transA: false, transB: false },
    { m: 65, k: 17, n: 68, transA: true, transB: true },
  ];
  for (const s of cases) {
    const a = new Float32Array(s.m * s.k),
      b = new Float32Array(s.k * s.n);
    for (let i = 0; i < a.length; i++) a[i] = ((i * 37) % 19) / 8 - 1;
    for (let i = 0; i < b.length; i++) b[i] = ((i * 53) % 23) / 8 - 1.25;
    const got = (await mm.run(a, b, s)) as Float32Array;
    const ref = referenceMatmul(a, b, s);
    const e = errorVsBound(got, ref, s.k);
    if (!(e.worst <= 1)) {
      const i = Math.floor(e.at / s.n),
        j = e.at % s.n;
      throw new Error(
        `tiled WGSL matmul failed its start-up check at ${s.m}x${s.k}x${s.n} transA=${s.transA} transB=${s.transB}: ` +
          `C[${i}, ${j}] = ${got[e.at]}, expected ${ref.out[e.at]} (${e.worst.toPrecision(3)}x the float32 bound)`,
      );
    }
  }
}
