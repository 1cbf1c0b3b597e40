import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { registry } from '../../pipelines';
import { run$ } from '../../src/experiments';
import { curvePoints, emptyRecords, record } from '../../src/cli/records';
import { renderSvg, reportOptions, reportSpec } from '../../src/cli/report';
import { curvePaths, parseSvg, vertices } from './svg';
import { pixel, readPng } from './png';

const EPOCHS = 4;
const dir = mkdtempSync(join(tmpdir(), 'rxnn-report-'));
const hex = (h: string): number[] => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));

/**
 * Every pipeline's report, rendered to PNG by rsvg-convert (Debian's
 * librsvg2-bin), checked in the image: each curve's pixels are where the SVG
 * puts its vertices, the axes span what the spec says, and the legend lists
 * the models in run order.
 */
describe.each(Object.keys(registry))('report.png of %s', (name) => {
  it('draws every curve in its plotting area, with the specified axes and the legend in run order', async () => {
    const pipeline = registry[name];
    const rec = emptyRecords();
    const events = await lastValueFrom(run$(pipeline, { epochs: EPOCHS }).pipe(toArray()));
    for (const e of events) record(rec, e);
    const spec = reportSpec(curvePoints(rec), reportOptions(pipeline, { ...pipeline.defaults, epochs: EPOCHS }, 'js'));
    const svg = await renderSvg(spec);
    const svgPath = join(dir, `${name}.svg`);
    const pngPath = join(dir, `${name}.png`);
    writeFileSync(svgPath, svg);
    execFileSync('rsvg-convert', ['-o', pngPath, svgPath]);
    const img = readPng(readFileSync(pngPath));
    const els = parseSvg(svg);

    // The title names the pipeline and its settings; the subtitle the seed and the backend.
    const texts = els.filter((e) => e.name === 'text');
    expect(svg).toContain(`${name}: epochs ${EPOCHS} · lr 0.03 · batchSize 10`);
    expect(svg).toContain('seed 420 · backend js');
    expect(texts.length).toBeGreaterThan(10);

    // Run order: the models as the pipeline names them, without their group.
    const models = [...new Set(rec.epochs.map((e) => e.model!.split('/').pop()!))];
    const groups = [...new Set(rec.epochs.map((e) => (e.model!.includes('/') ? e.model!.split('/')[0] : '')))];
    const legend = els.find((e) => /^Symbol legend titled 'model'/.test(e.attrs['aria-label'] ?? ''))!;
    expect(legend.attrs['aria-label']).toContain(`values: ${models.join(', ')}`);
    expect((spec as any).spec?.encoding?.color?.scale?.domain ?? (spec as any).encoding.color.scale.domain).toEqual(
      models,
    );

    // Axes: epochs from 1 to the last; accuracy linear from 0 to 1; one panel per group.
    const axes = els.map((e) => e.attrs['aria-label'] ?? '').filter((l) => /^[XY]-axis/.test(l));
    const xs = axes.filter((l) => l.startsWith('X-axis'));
    const ys = axes.filter((l) => l.startsWith('Y-axis'));
    expect(xs.length).toBe(groups.length);
    for (const x of xs) expect(x).toBe(`X-axis titled 'epoch' for a linear scale with values from 1 to ${EPOCHS}`);
    if (pipeline.metric === 'accuracy') {
      for (const y of ys)
        expect(y).toMatch(/^Y-axis titled 'accuracy' for a linear scale with values from 0(\.0)? to 1(\.0)?$/);
    } else {
      for (const y of ys)
        expect(y).toMatch(
          new RegExp(`^Y-axis titled '${pipeline.metric}( \\(log scale\\))?' for a (linear|log) scale`),
        );
    }

    // Every curve (model × split × group) is drawn, and the image has its colour at its vertices.
    const paths = curvePaths(els);
    expect(paths).toHaveLength(rec.epochs.length > 0 ? models.length * groups.length * 2 : 0);
    let hits = 0,
      total = 0;
    for (const p of paths) {
      const want = hex(p.attrs.stroke);
      const vs = vertices(p);
      expect(vs).toHaveLength(EPOCHS);
      for (const [x, y] of vs) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThan(img.width);
        expect(y).toBeGreaterThanOrEqual(0);
        expect(y).toBeLessThan(img.height);
        total++;
        let near = false;
        for (let dx = -2; dx <= 2 && !near; dx++)
          for (let dy = -2; dy <= 2 && !near; dy++) {
            const [r, g, b] = pixel(
              img,
              Math.min(img.width - 1, Math.max(0, x + dx)),
              Math.min(img.height - 1, Math.max(0, y + dy)),
            );
            near = Math.abs(r - want[0]) + Math.abs(g - want[1]) + Math.abs(b - want[2]) < 60;
          }
        if (near) hits++;
      }
    }
    // Curves cross and cover one another; most vertices still show their own colour.
    expect(hits / total).toBeGreaterThan(0.6);

    // Margins sized to the labels: ink reaches within a few pixels of every edge of the image.
    let [left, right] = [img.width, 0];
    for (let y = 0; y < img.height; y++)
      for (let x = 0; x < img.width; x++) {
        const [r, g, b, a] = pixel(img, x, y);
        if (a > 0 && r + g + b < 600) [left, right] = [Math.min(left, x), Math.max(right, x)];
      }
    expect(left).toBeLessThan(20);
    expect(img.width - 1 - right).toBeLessThan(40);

    // The first plotted column is epoch 1, at the plotting area's left edge (no empty margin before it).
    const firstX = Math.min(...paths.flatMap((p) => vertices(p).map(([x]) => x)));
    expect(firstX).toBeLessThan(120);
  });
});
