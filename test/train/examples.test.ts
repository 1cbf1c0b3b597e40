/**
 * examples/02 and 03 print what PyTorch 1.13 prints for the same lines
 * (tools/lesson_example02.py, tools/lesson_example03.py; recorded by
 * tools/gen_example_outputs.py into test/fixtures/examples-pytorch.json), character for character;
 * examples/09 shows what a training step frees and keeps.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const pytorch = JSON.parse(readFileSync(resolve(root, 'test/fixtures/examples-pytorch.json'), 'utf8')).outputs;

function runExample(file: string): string {
  return execFileSync(process.execPath, [resolve(root, 'node_modules/ts-node/dist/bin.js'), file], {
    cwd: root,
    encoding: 'utf8',
  });
}

describe("examples print PyTorch's numbers", () => {
  it('02-net-class1-training: BatchNorm weight, bias, running stats and train/test MSE', () => {
    expect(runExample('examples/02-net-class1-training.ts')).toBe(pytorch['02']);
  });

  it('03-classification: accuracies on tensorGenCla clusters and on iris', () => {
    expect(runExample('examples/03-classification.ts')).toBe(pytorch['03']);
  });
});

describe('examples/09-memory', () => {
  it("keep() and detach() hold a step's activation intact, a plain reference is an error, a tidy loop trains", () => {
    const lines = runExample('examples/09-memory.ts').trimEnd().split('\n');
    const values = (line: string) => line.split(':')[1].split(',').slice(0, 3).map(Number);
    const kept = values(lines[0]),
      detached = values(lines[1]);
    // The kept tensor is relu of the detached one: neither was overwritten by a later step's reuse.
    expect(kept).toEqual(detached.map((v) => Math.max(v, 0)));
    expect(lines[2]).toBe('kept as it was:      a tensor was used after its values were freed');
    const losses = lines.slice(3).map((l) => Number(/mean train loss (\S+)/.exec(l)![1]));
    expect(losses).toHaveLength(3);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[2]).toBeLessThan(losses[0]);
  });
});
