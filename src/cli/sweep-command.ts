import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { Subscription } from 'rxjs';
import type { ParamDoc, Pipeline } from '../experiments';
import {
  comparisonLine,
  localPool,
  parseRunsCsv,
  parseSeeds,
  parseSet,
  probeRedis,
  queueExecutor,
  rankingRows,
  runsCsv,
  rxnnVersion,
  settingLabel,
  summaryCsv,
  sweep$,
  sweepReportSpec,
  type BackendChoice,
  type GridAxis,
  type PipelineRef,
  type Divergence,
  type RunResult,
  type RunSpec,
  type SweepEvent,
  type SweepSummary,
} from '../sweep';
import { QueueError } from '../sweep/queue';
import { SweepInputError } from '../sweep/grid';
import { UsageError } from './args';
import { WriteError, writeOutput } from './atomic';
import { renderSvg } from './report';
import { chooseBackend } from './setup';
import { table } from './terminal';

export const SWEEP_USAGE = `usage: rxnn sweep <pipeline|file.js[#export]> --seeds 0..29 [--set key=v1,v2 …]
                  [--workers N] [--out DIR] [--epochs N] [--lr X] [--batch-size B]
                  [--backend js|gpu|gpu:<mode>] [--queue redis://HOST:PORT] [--attempts N]
       rxnn sweep --resume DIR [--workers N] [--queue redis://HOST:PORT]

  --seeds    seeds to run: 0..29, 1,2,3 or both; a seed varies the data, split,
             batch order and initial weights (every model of a run starts alike)
  --set      a pipeline parameter's values to sweep; several --set make a grid
  --workers  local worker threads (default one per core)
  --out      where runs.csv, summary.csv, report.svg and sweep.json go
             (default out/sweep-<pipeline>)
  --queue    run on BullMQ workers (rxnn worker --queue URL) instead of locally
  --attempts tries per run on the queue before it counts as failed (default 3)
  --resume   finish the sweep in DIR (Ctrl-C leaves one), skipping finished runs`;

/** What the command line asks for. */
interface SweepArgs {
  pipeline?: string;
  seeds?: string;
  sets: string[];
  workers?: number;
  out?: string;
  resume?: string;
  queue?: string;
  attempts?: number;
  params: Record<string, number>;
  backend?: BackendChoice;
}

/** sweep.json: what the sweep is, so `--resume` can finish it; no times or counts, so a resumed sweep ends with the same file. */
interface Manifest {
  version: 1;
  rxnn: string;
  pipeline: PipelineRef;
  seeds: string;
  grid: GridAxis[];
  params: Record<string, number>;
  backend?: BackendChoice;
  status: 'running' | 'interrupted' | 'done' | 'failed';
  failed: { run: string; seed: number; setting: string; error: string; attempts: number }[];
  /** Runs that stopped when a model's loss diverged: a result (their rows up to there are in runs.csv), kept here for --resume. */
  diverged: ({ run: string; seed: number; setting: string } & Divergence)[];
}

const VALUE_FLAGS = [
  '--seeds',
  '--set',
  '--workers',
  '--out',
  '--resume',
  '--queue',
  '--attempts',
  '--epochs',
  '--lr',
  '--batch-size',
  '--backend',
];
const PARAM_OF: Record<string, string> = { '--epochs': 'epochs', '--lr': 'lr', '--batch-size': 'batchSize' };
/** Bounds of the common parameters, as `--epochs`, `--lr` and `--batch-size` check them. */
const COMMON_DOCS: Record<string, ParamDoc> = {
  epochs: { doc: 'epochs per model', integer: true, min: 1 },
  lr: { doc: 'SGD learning rate', min: Number.MIN_VALUE },
  batchSize: { doc: 'training batch size', integer: true, min: 1 },
};
const usage = (m: string): UsageError => new UsageError(`rxnn: ${m}`);

function positiveInt(flag: string, raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw)))
    throw usage(`${flag} must be a positive integer, got '${raw}'`);
  return Number(raw);
}

function parseSweepArgs(argv: readonly string[]): SweepArgs {
  const a: SweepArgs = { sets: [], params: {} };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-')) {
      if (a.pipeline) throw usage(`unexpected argument '${arg}' after pipeline '${a.pipeline}'`);
      a.pipeline = arg;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    if (!VALUE_FLAGS.includes(flag)) throw usage(`unknown option '${flag}'; expected one of ${VALUE_FLAGS.join(', ')}`);
    const raw = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (raw === undefined || raw.startsWith('--')) throw usage(`${flag} needs a value`);
    if (flag === '--set') a.sets.push(raw);
    else if (flag === '--seeds') a.seeds = raw;
    else if (flag === '--workers') a.workers = positiveInt(flag, raw);
    else if (flag === '--attempts') a.attempts = positiveInt(flag, raw);
    else if (flag === '--epochs' || flag === '--batch-size') a.params[PARAM_OF[flag]] = positiveInt(flag, raw);
    else if (flag === '--lr') {
      const x = Number(raw);
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw) || !(x > 0) || !Number.isFinite(x))
        throw usage(`--lr must be a positive number, got '${raw}'`);
      a.params.lr = x;
    } else if (flag === '--backend') {
      const m = /^(js|gpu)(?::([a-z0-9]+))?$/.exec(raw);
      if (!m || (m[1] === 'js' && m[2])) throw usage(`--backend must be one of js, gpu, gpu:<mode>, got '${raw}'`);
      a.backend = m[2] ? { name: 'gpu', mode: m[2] } : { name: m[1] as 'js' | 'gpu' };
    } else if (raw.trim() === '') throw usage(`${flag} needs a value, got ''`);
    else if (flag === '--out') a.out = raw;
    else if (flag === '--resume') a.resume = raw;
    else a.queue = raw;
  }
  return a;
}

/** The pipelines module, loaded with RXNN_BACKEND set aside (src/backend would throw a raw error at a bad value). */
function pipelinesModule(): Record<string, unknown> {
  const env = process.env.RXNN_BACKEND;
  delete process.env.RXNN_BACKEND;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, as main.ts does
    return require('../../pipelines') as Record<string, unknown>;
  } finally {
    if (env !== undefined) process.env.RXNN_BACKEND = env;
  }
}

const isPipeline = (x: unknown): x is Pipeline =>
  !!x && typeof (x as Pipeline).setup === 'function' && typeof (x as Pipeline).name === 'string';

/** A registry name, or `file.js[#export]`: where workers load it from, and the pipeline itself. */
function resolvePipeline(arg: string): { ref: PipelineRef; pipeline: Pipeline } {
  const mod = pipelinesModule();
  const registry = mod.registry as Record<string, Pipeline>;
  if (Object.hasOwn(registry, arg)) {
    const exportName = Object.keys(mod).find((k) => k !== 'registry' && mod[k] === registry[arg])!;
    return { ref: { name: arg, module: 'rxnn/pipelines', exportName }, pipeline: registry[arg] };
  }
  if (!/[/\\]|\.[cm]?js(#|$)/.test(arg))
    throw usage(
      `unknown pipeline '${arg}'; expected one of ${Object.keys(registry).join(', ')}, or a file.js[#export]`,
    );
  const [file, wanted] = arg.split('#');
  const path = isAbsolute(file) ? file : resolve(file);
  let loaded: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a pipeline module named on the command line
    loaded = require(path) as Record<string, unknown>;
  } catch (err) {
    throw usage(`pipeline module ${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  const names = Object.keys(loaded).filter((k) => isPipeline(loaded[k]));
  const exportName = wanted ?? (names.length === 1 ? names[0] : undefined);
  if (!exportName || !isPipeline(loaded[exportName]))
    throw usage(`pipeline module ${path}: name one export with #name; pipelines there: ${names.join(', ') || 'none'}`);
  const pipeline = loaded[exportName];
  return { ref: { name: pipeline.name, module: path, exportName }, pipeline };
}

function readManifest(dir: string): Manifest {
  const file = join(dir, 'sweep.json');
  let m: Manifest | undefined;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch (err) {
    throw usage(
      `--resume ${dir}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); expected a sweep's folder`,
    );
  }
  if (m?.version !== 1 || !m.pipeline || typeof m.seeds !== 'string')
    throw usage(`--resume ${dir}: ${file} is not an rxnn sweep (version 1)`);
  return m;
}

function prepareDir(flag: string, dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw usage(
      `${flag} ${dir}: ${code === 'EEXIST' || code === 'ENOTDIR' ? 'a file is in the way' : `cannot make it (${code})`}; expected a folder`,
    );
  }
}

const clock = (ms: number): string => {
  if (!Number.isFinite(ms)) return '—';
  const s = Math.round(ms / 1000);
  return s >= 3600
    ? `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`
    : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/** The end of a sweep on the terminal: ranking, paired comparisons, failed runs. */
export function sweepTables(s: SweepSummary, metric: string, failed: Manifest['failed']): string {
  const out = [table(rankingRows(s, metric))];
  const multi = s.settings.length > 1;
  const lastEpoch = Math.max(0, ...s.epochs.map((e) => e.epoch));
  for (const d of s.diverged) {
    const who = Object.entries(d.byModel)
      .map(([m, k]) => `${m} ${k}`)
      .join(', ');
    out.push(
      `${multi ? `${settingLabel(s.settings[d.settingIndex])}: ` : ''}${d.runs} of ${d.of} runs stopped when a model's loss diverged (${who}); the figures at epoch ${lastEpoch} are over the ${d.of - d.runs === 1 ? 'run' : `${d.of - d.runs} runs`} that went on`,
    );
  }
  if (s.comparisons.length) {
    out.push('', `test ${metric} at epoch ${lastEpoch}, paired over the same seeds: mean difference [95% CI]`);
    let heading = '';
    for (const c of s.comparisons) {
      // Under a heading per setting and model group, models by their short names, so lines fit 80 columns.
      const cut = c.a.lastIndexOf('/');
      const group = cut < 0 ? '' : c.a.slice(0, cut);
      const h = [multi ? settingLabel(s.settings[c.settingIndex]) : '', group].filter(Boolean).join(', ');
      if (h && h !== heading) out.push(`${h}:`);
      heading = h;
      out.push(`  ${comparisonLine({ ...c, a: c.a.slice(cut + 1), b: c.b.slice(cut + 1) })}`);
    }
  }
  if (failed.length) {
    out.push('', `${failed.length} run${failed.length === 1 ? '' : 's'} failed:`);
    for (const f of failed)
      out.push(
        `  ${f.run} seed ${f.seed} ${f.setting}: ${f.error} (${f.attempts} attempt${f.attempts === 1 ? '' : 's'})`,
      );
  }
  return out.join('\n');
}

/**
 * `rxnn sweep`: the pipeline over seeds × settings on a local worker pool or a
 * BullMQ queue; writes runs.csv, summary.csv, report.svg and sweep.json to the
 * output folder (atomically, also every few seconds and at Ctrl-C) and prints
 * the ranking and the paired comparisons. Resolves to 0 (all runs done), 1
 * (some failed, or a file could not be written) or 130 (interrupted).
 */
export async function sweepCommand(argv: string[], isTTY = !!process.stdout.isTTY): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(SWEEP_USAGE + '\n');
    return 0;
  }
  try {
    return await sweep(parseSweepArgs(argv), isTTY);
  } catch (err) {
    if (err instanceof SweepInputError || err instanceof QueueError) throw usage(err.message);
    throw err;
  }
}

async function sweep(args: SweepArgs, isTTY: boolean): Promise<number> {
  let ref: PipelineRef;
  let pipeline: Pipeline;
  let seedsRaw: string;
  let axes: GridAxis[];
  let params: Record<string, number>;
  let backend: BackendChoice | undefined;
  let priorDiverged: Manifest['diverged'] = [];
  const out = args.resume ?? args.out ?? '';
  if (args.resume) {
    const extra = [args.pipeline, args.seeds, args.out, args.backend, ...args.sets, ...Object.keys(args.params)].filter(
      (x) => x !== undefined,
    );
    if (extra.length)
      throw usage(
        `--resume ${args.resume}: a resumed sweep keeps its pipeline, seeds, --set, --out and run flags; give only --workers, --queue or --attempts`,
      );
    const m = readManifest(args.resume);
    priorDiverged = m.diverged ?? [];
    ({ pipeline: ref, seeds: seedsRaw, grid: axes, params, backend } = m);
    ({ pipeline } = resolvePipeline(ref.module === 'rxnn/pipelines' ? ref.name : `${ref.module}#${ref.exportName}`));
  } else {
    if (!args.pipeline) throw usage('sweep needs a pipeline; see rxnn sweep --help');
    ({ ref, pipeline } = resolvePipeline(args.pipeline));
    if (args.seeds === undefined) throw usage('sweep needs --seeds, e.g. --seeds 0..29');
    seedsRaw = args.seeds;
    const defaults = pipeline.defaults as unknown as Record<string, unknown>;
    const keys = Object.keys(defaults).filter((k) => k !== 'seed');
    const docs = { ...COMMON_DOCS, ...(pipeline.params as Record<string, ParamDoc> | undefined) };
    const seedSet = args.sets.find((s) => /^seed(=|$)/.test(s));
    if (seedSet) throw usage(`--set '${seedSet}': a sweep's seeds come from --seeds, e.g. --seeds 0..29`);
    axes = args.sets.map((s) => parseSet(s, defaults, keys, docs));
    for (const ax of axes) {
      if (axes.filter((b) => b.key === ax.key).length > 1)
        throw usage(`--set ${ax.key} is given twice; put all its values in one --set`);
      if (ax.key in args.params) throw usage(`--set ${ax.key} and its own flag are both given; use one`);
    }
    params = args.params;
    backend = args.backend;
  }
  const seeds = parseSeeds(seedsRaw);
  const dir = out || join('out', `sweep-${ref.name}`);
  const backendLabel = chooseBackend({ pipeline: ref.name, json: false, backend });
  if (args.workers && args.queue)
    throw usage(
      '--workers is for local sweeps; with --queue, start workers with rxnn worker --queue URL --concurrency N',
    );
  if (args.attempts && !args.queue)
    throw usage('--attempts is for --queue sweeps; a local run that throws would throw again');
  const queue = args.queue ? queueExecutor(args.queue, { attempts: args.attempts }) : undefined;
  if (args.queue) await probeRedis(args.queue);
  // Only once every argument and the queue have checked out: bad input leaves no folder behind.
  prepareDir(args.resume ? '--resume' : args.out ? '--out' : '--out (default)', dir);
  const executor = queue ?? localPool(args.workers ?? availableParallelism());
  const done =
    args.resume && existsSync(join(dir, 'runs.csv'))
      ? parseRunsCsv(readFileSync(join(dir, 'runs.csv'), 'utf8'))
      : new Map<string, RunResult>();
  for (const { run, model, epoch, step, error } of priorDiverged) {
    const r = done.get(run);
    if (r) r.diverged = { model, epoch, step, error };
  }

  const manifest: Manifest = {
    version: 1,
    rxnn: rxnnVersion(),
    pipeline: ref,
    seeds: seedsRaw,
    grid: axes,
    params,
    ...(backend ? { backend } : {}),
    status: 'running',
    failed: [],
    diverged: [],
  };
  const write = (s: string): boolean => process.stdout.write(s);
  let runs: RunSpec[] = [];
  const results = new Map<string, RunResult>();
  let summary: (() => SweepSummary) | undefined;
  let written = 0;
  /** Failed and diverged runs in the sweep's order, whatever order they ended in. */
  const sortFailed = (): void => {
    const at = new Map(runs.map((r, i) => [r.id, i]));
    manifest.failed.sort((a, b) => at.get(a.run)! - at.get(b.run)!);
    manifest.diverged.sort((a, b) => at.get(a.run)! - at.get(b.run)!);
  };
  const writeProgress = (): void => {
    sortFailed();
    writeOutput(join(dir, 'runs.csv'), runsCsv(runs, results, axes, pipeline.metric));
    writeOutput(join(dir, 'sweep.json'), JSON.stringify(manifest, null, 2) + '\n');
    written = Date.now();
  };
  const writeAll = async (): Promise<void> => {
    const s = summary?.();
    sortFailed();
    writeOutput(join(dir, 'runs.csv'), runsCsv(runs, results, axes, pipeline.metric));
    if (s) {
      writeOutput(join(dir, 'summary.csv'), summaryCsv(s, axes));
      const spec = sweepReportSpec(s, {
        title: `${ref.name}: ${pipeline.summary}`,
        metric: pipeline.metric,
        seeds: seeds.length,
      });
      let svg: string;
      try {
        svg = await renderSvg(spec);
      } catch (err) {
        throw new WriteError(`could not render ${join(dir, 'report.svg')}: ${(err as Error).message}`, { cause: err });
      }
      writeOutput(join(dir, 'report.svg'), svg);
    }
    writeOutput(join(dir, 'sweep.json'), JSON.stringify(manifest, null, 2) + '\n');
  };

  let lastLine = 0;
  const progressLine = (p: { done: number; failed: number; total: number; elapsedMs: number; etaMs: number }): string =>
    `runs ${p.done}/${p.total}${p.failed ? ` · ${p.failed} failed` : ''} · elapsed ${clock(p.elapsedMs)} · ETA ${p.done + p.failed >= p.total ? '0:00' : clock(p.etaMs)}`;
  const note = (line: string): void => void write(`${isTTY ? '\r\x1b[K' : ''}${line}\n`);

  return new Promise<number>((resolveExit) => {
    let sub: Subscription | undefined = undefined;
    let finishing = false;
    const onLateSigint = (): void => note('rxnn: finishing: writing the files first');
    const finish = async (status: 'done' | 'interrupted' | 'error', error?: unknown): Promise<void> => {
      if (finishing) return;
      finishing = true;
      sub?.unsubscribe();
      process.removeListener('SIGINT', onSigint);
      process.on('SIGINT', onLateSigint);
      if (isTTY) write('\r\x1b[K');
      let code = 0;
      try {
        if (status === 'error') throw error;
        manifest.status = status === 'interrupted' ? 'interrupted' : manifest.failed.length ? 'failed' : 'done';
        await writeAll();
        const s = summary?.();
        if (status === 'interrupted') {
          note(
            `interrupted: ${results.size} of ${runs.length} runs are in ${dir}/; finish with: rxnn sweep --resume ${dir}${args.queue ? ` --queue ${args.queue}` : ''}`,
          );
          code = 130;
        } else {
          if (s) write(`\n${sweepTables(s, pipeline.metric, manifest.failed)}\n\n`);
          note(`wrote runs.csv, summary.csv, report.svg and sweep.json to ${dir}/`);
          await queue?.release(runs.map((r) => r.id));
          code = manifest.failed.length ? 1 : 0;
        }
      } catch (err) {
        if (err instanceof SweepInputError || err instanceof QueueError) note(`rxnn: ${err.message}`);
        else note(`rxnn: ${err instanceof WriteError ? err.message : ((err as Error)?.stack ?? String(err))}`);
        code = err instanceof SweepInputError ? 2 : 1;
      }
      process.removeListener('SIGINT', onLateSigint);
      resolveExit(code);
    };
    const onSigint = (): void => void finish('interrupted');
    process.once('SIGINT', onSigint);
    sub = sweep$({ pipeline: ref, seeds, grid: axes, params, backend, executor, done }).subscribe({
      next: (ev: SweepEvent) => {
        if (finishing) return;
        try {
          if (ev.kind === 'start') {
            runs = ev.runs;
            const settings = runs.length / seeds.length;
            note(
              `rxnn sweep ${ref.name}: ${seeds.length} seed${seeds.length === 1 ? '' : 's'} × ${settings} setting${settings === 1 ? '' : 's'} = ${runs.length} runs\n${executor.label} · backend ${backendLabel} · out ${dir}` +
                (ev.skipped ? `\nresuming: ${ev.skipped} runs already done` : ''),
            );
            writeProgress();
          } else if (ev.kind === 'notice') note(`rxnn: ${ev.message}`);
          else if (ev.kind === 'runEnd') {
            if (ev.status === 'done') {
              results.set(ev.run.id, ev.result);
              const d = ev.result.diverged;
              if (d)
                manifest.diverged.push({
                  run: ev.run.id,
                  seed: ev.run.seed,
                  setting: settingLabel(ev.run.setting),
                  ...d,
                });
            } else {
              manifest.failed.push({
                run: ev.run.id,
                seed: ev.run.seed,
                setting: settingLabel(ev.run.setting),
                error: ev.error,
                attempts: ev.attempts,
              });
              note(`run ${ev.run.id} (seed ${ev.run.seed}, ${settingLabel(ev.run.setting)}) failed: ${ev.error}`);
            }
          } else if (ev.kind === 'aggregate') {
            summary = ev.summary;
            const p = ev.progress;
            const last = p.done + p.failed >= p.total;
            if (isTTY) write(`\r\x1b[K${progressLine(p)}`);
            else if (last || Date.now() - lastLine >= 1000) {
              write(progressLine(p) + '\n');
              lastLine = Date.now();
            }
            if (Date.now() - written >= 2000) writeProgress();
          }
        } catch (err) {
          void finish('error', err);
        }
      },
      error: (err) => void finish('error', err),
      complete: () => void finish('done'),
    });
    if (finishing) sub.unsubscribe();
  });
}
