import { readFileSync, writeFileSync } from 'node:fs';
import { renderSvg, reportSpec, reportOptions } from '../../src/cli/report';
import { curvePoints, emptyRecords, record } from '../../src/cli/records';
import { chart } from '../../src/cli/terminal';

const [dir, name, metric, width, color] = process.argv.slice(2);
const rec = emptyRecords();
for (const l of readFileSync(`${dir}/events.jsonl`, 'utf8').trim().split('\n')) record(rec, JSON.parse(l));
if (width) {
  process.stdout.write(chart(rec, metric, { width: Number(width), color: color === '1' }) + '\n');
} else {
  void renderSvg(reportSpec(curvePoints(rec), reportOptions({ name, summary: 'summary here', metric }, { epochs: 20, seed: 420, lr: 0.03, batchSize: 10, hidden: [4] }, 'js'))).then((svg) =>
    writeFileSync(`/tmp/dev/${name}.svg`, svg),
  );
}
