import type { Tensor } from './tensor';

/**
 * PyTorch's tensor repr (torch/_tensor_str.py with default print options:
 * precision 4, linewidth 80, summary past 1000 elements with 3 edge items),
 * so examples print what the lesson's notebook prints.
 */
const PRECISION = 4,
  LINEWIDTH = 80,
  THRESHOLD = 1000,
  EDGEITEMS = 3;

/** Python's '{:.pf}': exact decimal rounding with ties to even (toFixed breaks ties upward). */
function fixed(v: number, p: number): string {
  const s = v.toFixed(p);
  const exact = Math.abs(v).toFixed(Math.min(100, p + 60));
  const tail = exact.slice(exact.indexOf('.') + 1 + p);
  if (!/^50*$/.test(tail)) return s;
  // A tie: toFixed rounded away from zero; step back when the kept digit would be odd.
  const down = (Math.sign(v) * (Math.floor(Math.abs(v) * 10 ** p) / 10 ** p)).toFixed(p);
  const lastDown = Number(down[down.length - 1]);
  return lastDown % 2 === 0 ? down : s;
}

/** Python's '{:.pe}': two-digit signed exponent. */
function sci(v: number, p: number): string {
  let [m, e] = v.toExponential(p).split('e');
  // toExponential rounds exact ties away from zero; Python rounds them to even.
  // 101 significant digits settle whether a float32 is an exact tie: '5' then only zeros.
  const [digits, exp] = Math.abs(v).toExponential(100).split('e');
  const d = digits.replace('.', '');
  if (/^50*$/.test(d.slice(p + 1)) && Number(d[p]) % 2 === 0)
    [m, e] = [`${v < 0 ? '-' : ''}${d[0]}.${d.slice(1, p + 1)}`, exp];
  const n = Number(e);
  return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
}

function pyFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  return v > 0 ? 'inf' : '-inf';
}

class Formatter {
  intMode = true;
  sciMode = false;
  width = 1;

  constructor(values: ArrayLike<number>) {
    const finite: number[] = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (Number.isFinite(v) && v !== 0) finite.push(v);
    }
    if (finite.length === 0) return;
    const abs = finite.map(Math.abs);
    const lo = Math.min(...abs),
      hi = Math.max(...abs);
    this.intMode = finite.every((v) => v === Math.ceil(v));
    this.sciMode = hi / lo > 1000 || hi > 1e8 || (!this.intMode && lo < 1e-4);
    for (const v of finite) {
      const s = this.sciMode ? sci(v, PRECISION) : this.intMode ? `${v.toFixed(0)}.` : fixed(v, PRECISION);
      this.width = Math.max(this.width, s.length);
    }
  }

  format(v: number, pad = true): string {
    let s: string;
    if (Object.is(v, -0)) s = `-${this.format(0, false)}`;
    else if (!Number.isFinite(v)) s = pyFloat(v);
    else if (this.sciMode) s = sci(v, PRECISION);
    else if (this.intMode) s = `${v.toFixed(0)}.`;
    else s = fixed(v, PRECISION);
    return pad ? s.padStart(this.width) : s;
  }
}

/** The values PyTorch looks at to choose a format: edge items only when summarising. */
function shownValues(data: Float32Array, shape: readonly number[], summarize: boolean): number[] {
  if (shape.length === 0) return [data[0]];
  const rows = shape[0];
  const inner = data.length / Math.max(rows, 1);
  const idx =
    summarize && rows > 2 * EDGEITEMS
      ? [...Array(EDGEITEMS).keys(), ...Array.from({ length: EDGEITEMS }, (_, i) => rows - EDGEITEMS + i)]
      : [...Array(rows).keys()];
  return idx.flatMap((i) => shownValues(data.subarray(i * inner, (i + 1) * inner), shape.slice(1), summarize));
}

function body(data: Float32Array, shape: readonly number[], indent: number, summarize: boolean, f: Formatter): string {
  const rows = shape[0];
  const cut = summarize && rows > 2 * EDGEITEMS;
  const idx = cut
    ? [...Array(EDGEITEMS).keys(), -1, ...Array.from({ length: EDGEITEMS }, (_, i) => rows - EDGEITEMS + i)]
    : [...Array(rows).keys()];
  if (shape.length === 1) {
    const items = idx.map((i) => (i < 0 ? ' ...' : f.format(data[i])));
    const perLine = Math.max(1, Math.floor((LINEWIDTH - indent) / (f.width + 2)));
    const lines: string[] = [];
    for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
    return `[${lines.join(`,\n${' '.repeat(indent + 1)}`)}]`;
  }
  const inner = data.length / Math.max(rows, 1);
  const parts = idx.map((i) =>
    i < 0 ? '...' : body(data.subarray(i * inner, (i + 1) * inner), shape.slice(1), indent + 1, summarize, f),
  );
  return `[${parts.join(`,${'\n'.repeat(shape.length - 1)}${' '.repeat(indent + 1)}`)}]`;
}

export function formatTensor(t: Tensor, prefix = 'tensor('): string {
  const indent = prefix.length;
  const suffixes: string[] = [];
  let text: string;
  if (t.size === 0) {
    text = '[]';
    if (t.shape.length !== 1) suffixes.push(`size=(${t.shape.join(', ')}${t.shape.length === 1 ? ',' : ''})`);
  } else {
    const summarize = t.size > THRESHOLD;
    const f = new Formatter(shownValues(t.data, t.shape, summarize));
    text = t.shape.length === 0 ? f.format(t.data[0], false) : body(t.data, t.shape, indent, summarize, f);
  }
  if (t.gradFn) suffixes.push(`grad_fn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');
  let out = prefix + text;
  let lastLine = out.length - out.lastIndexOf('\n') + 1;
  for (const s of suffixes) {
    if (lastLine + s.length + 2 > LINEWIDTH) {
      out += `,\n${' '.repeat(indent)}${s}`;
      lastLine = indent + s.length;
    } else {
      out += `, ${s}`;
      lastLine += s.length + 2;
    }
  }
  return `${out})`;
}
