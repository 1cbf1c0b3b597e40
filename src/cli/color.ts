/**
 * Colour for the terminal views: whether to use it (NO_COLOR, FORCE_COLOR, a
 * TTY) and a palette of 16 series that differ in colour and in marker, so that
 * they stay apart without colour too.
 */

/**
 * Whether to write colour: FORCE_COLOR (any value but '0' or 'false') forces it
 * on, FORCE_COLOR=0 off; otherwise a non-empty NO_COLOR turns it off
 * (no-color.org); otherwise colour where the stream is a terminal that is not 'dumb'.
 *
 * @example
 * useColor(process.stdout); // false under NO_COLOR=1 or in a pipe
 */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR) return false;
  return !!stream.isTTY && env.TERM !== 'dumb';
}

/** The most series one chart tells apart (distinct colour and distinct marker each). */
export const MAX_SERIES = 16;

/** xterm-256 colours, far apart in hue and lightness, in the order series get them. */
const COLORS = [33, 196, 40, 201, 45, 220, 208, 99, 118, 161, 37, 178, 141, 124, 250, 94];
/** One-column markers, paired with the colours above (no two series share either). */
const MARKERS = ['●', '○', '◆', '◇', '■', '□', '▲', '△', '▼', '▽', '★', '☆', '+', 'x', '*', '#'];

/** The i-th series' look: its marker and the escape codes around it (empty without colour). */
export interface SeriesStyle {
  marker: string;
  on: string;
  off: string;
}

/**
 * Style of series `i` (0-based, below MAX_SERIES).
 *
 * @example
 * const s = seriesStyle(0, true); s.on + s.marker + s.off; // a blue '●'
 */
export function seriesStyle(i: number, color: boolean): SeriesStyle {
  if (!Number.isInteger(i) || i < 0 || i >= MAX_SERIES) {
    throw new RangeError(`seriesStyle: series index must be an integer from 0 to ${MAX_SERIES - 1}, got ${i}`);
  }
  return color
    ? { marker: MARKERS[i], on: `\x1b[38;5;${COLORS[i]}m`, off: '\x1b[39m' }
    : { marker: MARKERS[i], on: '', off: '' };
}

/** `text` dimmed (axes, labels), or as is without colour. */
export const dim = (text: string, color: boolean): string => (color ? `\x1b[2m${text}\x1b[22m` : text);
