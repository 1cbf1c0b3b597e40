/**
 * Every RXNN_* environment variable, declared once: its meaning, default and accepted values.
 * Each is read from the environment at most once, when first needed (RXNN_BACKEND at the first
 * kernel call; the js backend's wasm thresholds when src/backend loads), and a value that does not
 * parse is an error naming the variable, the value and what was expected. An unset or blank
 * variable takes its default.
 */

/** One variable: its documentation and its parser (undefined for a value it does not accept). */
export interface FlagSpec<T> {
  /** What the variable does. */
  readonly doc: string;
  /** The default, as documentation. */
  readonly default: string;
  /** The accepted values, as the error message and the table show them. */
  readonly expected: string;
  /** The value of a trimmed, non-empty setting; undefined if it is not accepted. */
  parse(raw: string): T | undefined;
  /** The value when the variable is unset or blank. */
  readonly fallback: T;
}

/** A backend choice as RXNN_BACKEND spells it: `name` or `name:mode`. */
export interface BackendSpec {
  name: string;
  mode?: string;
}

const positiveInteger = (raw: string): number | undefined => {
  const v = Number(raw);
  return Number.isInteger(v) && v >= 1 ? v : undefined;
};
const nonNegative = (raw: string): number | undefined => {
  const v = Number(raw);
  return Number.isFinite(v) && v >= 0 ? v : undefined;
};
const oneOf =
  <V extends string>(...values: V[]) =>
  (raw: string): V | undefined =>
    (values as string[]).includes(raw) ? (raw as V) : undefined;
const onOff = (raw: string): boolean | undefined => (raw === '1' ? true : raw === '0' ? false : undefined);

const WGSL: 'wgsl' | 'gpujs' = 'wgsl';

/** The variables, by name. The backend's name and mode are checked against the registered backends on use. */
export const FLAGS = {
  RXNN_BACKEND: {
    doc: 'The backend the engine uses until `setBackend` is called; chosen at the first kernel call, not at import.',
    default: 'js',
    expected: "'js', 'gpu' or 'gpu:<mode>'",
    parse: (raw: string): BackendSpec | undefined => {
      const m = /^([a-z0-9_-]+)(?::([a-z0-9_-]+))?$/i.exec(raw);
      if (!m) return undefined;
      return m[2] === undefined ? { name: m[1] } : { name: m[1], mode: m[2] };
    },
    fallback: undefined as BackendSpec | undefined,
  },
  RXNN_THREADS: {
    doc: 'Threads of the WebAssembly matmul (at most 64 are used).',
    default: 'the number of cores',
    expected: 'a positive integer',
    parse: positiveInteger,
    fallback: undefined as number | undefined,
  },
  RXNN_SPIN_US: {
    doc: 'Microseconds a wasm matmul worker spins for its next job before sleeping.',
    default: '0',
    expected: 'a non-negative number',
    parse: nonNegative,
    fallback: 0,
  },
  RXNN_PARALLEL_MIN_FLOPS: {
    doc: 'Flops (2·m·k·n) from which the wasm matmul splits a product over its threads.',
    default: '8388608 (2^23)',
    expected: 'a positive integer',
    parse: positiveInteger,
    fallback: 2 ** 23,
  },
  RXNN_WASM_FMA: {
    doc: "'1' uses relaxed-SIMD fused multiply-adds in the wasm matmul where the engine supports them; '0' never.",
    default: '1',
    expected: "'1' or '0'",
    parse: onOff,
    fallback: true,
  },
  RXNN_WASM_MIN_MACS: {
    doc: 'Multiply-adds (m·k·n) from which the js backend runs matmul in WebAssembly.',
    default: '1024',
    expected: 'a positive integer',
    parse: positiveInteger,
    fallback: 1024,
  },
  RXNN_EW_WASM_MIN: {
    doc: 'Elements from which the js backend runs its SIMD elementwise kernels in WebAssembly.',
    default: '1024',
    expected: 'a positive integer',
    parse: positiveInteger,
    fallback: 1024,
  },
  RXNN_BN_WASM_MIN: {
    doc: 'N·C from which the js backend runs BatchNorm over [N, C] in WebAssembly.',
    default: '1024',
    expected: 'a positive integer',
    parse: positiveInteger,
    fallback: 1024,
  },
  RXNN_WEBGPU_RESIDENT: {
    doc: "'1' keeps tensors on the device in the gpu backend's webgpu mode; '0' copies operands in and out per kernel call.",
    default: '1',
    expected: "'1' (tensors stay on the device, the default) or '0' (copied per kernel call)",
    parse: onOff,
    fallback: true,
  },
  RXNN_WEBGPU_MATMUL: {
    doc: "The webgpu mode's matmul: the tiled WGSL kernel or gpu.js's.",
    default: 'wgsl',
    expected: "'wgsl' (the tiled WGSL kernel, the default) or 'gpujs'",
    parse: oneOf('wgsl', 'gpujs'),
    fallback: WGSL,
  },
} satisfies Record<`RXNN_${string}`, FlagSpec<unknown>>;

/** The name of an RXNN_* variable. */
export type FlagName = keyof typeof FLAGS;
/** The parsed value of a variable. */
export type FlagValue<N extends FlagName> = (typeof FLAGS)[N]['fallback'];

/** Every variable's name, in the order of the documentation. */
export const FLAG_NAMES = Object.keys(FLAGS) as FlagName[];

/**
 * The value `raw` gives variable `name`: its default when undefined or blank; throws, naming the
 * variable, the value and what was expected, when it does not parse.
 *
 * @example
 * parseFlag('RXNN_THREADS', '4'); // 4
 */
export function parseFlag<N extends FlagName>(name: N, raw: string | undefined): FlagValue<N> {
  const spec = FLAGS[name] as FlagSpec<FlagValue<N>>;
  if (raw === undefined || raw.trim() === '') return spec.fallback;
  const v = spec.parse(raw.trim());
  if (v === undefined) throw new Error(`${name}='${raw}': expected ${spec.expected}`);
  return v;
}

const cache = new Map<FlagName, unknown>();

/**
 * The value of variable `name` in this process's environment, read once and kept; throws
 * (as parseFlag) at every call while the value is bad.
 *
 * @example
 * const threads = flag('RXNN_THREADS') ?? availableParallelism();
 */
export function flag<N extends FlagName>(name: N): FlagValue<N> {
  if (cache.has(name)) return cache.get(name) as FlagValue<N>;
  const v = parseFlag(name, process.env[name]);
  cache.set(name, v);
  return v;
}

/** The variables as a Markdown table (docs/configuration.md is this table; a test keeps them equal). */
export function flagsMarkdown(): string {
  const rows = FLAG_NAMES.map((n) => {
    const s: FlagSpec<unknown> = FLAGS[n];
    const cell = (t: string) => t.replace(/</g, '&lt;').replace(/\|/g, '\\|');
    return `| \`${n}\` | ${cell(s.doc)} | ${cell(s.default)} | ${cell(s.expected)} |`;
  });
  return ['| Variable | What it does | Default | Accepted values |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
