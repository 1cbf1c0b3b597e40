import wrapAnsi from 'wrap-ansi';
import type { Pipeline } from '../experiments';
import { table } from './terminal';

/**
 * `rxnn list`: the pipelines, what they compare (wrapped to `width`) and their
 * defaults, once below the table where every pipeline shares them.
 */
export function listPipelines(registry: Record<string, Pipeline>, width = 80): string {
  const defaults = (p: Pipeline): string =>
    `epochs ${p.defaults.epochs}, lr ${p.defaults.lr}, batch size ${p.defaults.batchSize}, seed ${String(p.defaults.seed)}`;
  const all = Object.values(registry);
  const shared = new Set(all.map(defaults)).size === 1;
  const nameWidth = Math.max(8, ...all.map((p) => p.name.length));
  const rows = all.flatMap((p) => {
    const cells = shared ? [p.summary] : [p.summary, defaults(p)];
    const lines = wrapAnsi(cells.join('; '), Math.max(30, width - nameWidth - 3), { hard: true }).split('\n');
    return lines.map((l, i) => [i === 0 ? p.name : '', l]);
  });
  const foot = shared && all.length ? `\ndefaults: ${defaults(all[0])}` : '';
  return `${table([['pipeline', 'what it compares'], ...rows])}${foot}\nrxnn run <pipeline> --help: a pipeline's own parameters`;
}
