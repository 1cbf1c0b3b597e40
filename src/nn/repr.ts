/** Python's repr of a float (shortest round-trip digits; exponent form below 1e-4 or from 1e16), for module reprs. */
export function pyFloat(v: number | null): string {
  if (v === null) return 'None';
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    const [m, e] = v.toExponential().split('e');
    const n = Number(e);
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

export const pyBool = (b: boolean): string => (b ? 'True' : 'False');
