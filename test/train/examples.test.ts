/**
 * examples/02 and 03 print what PyTorch 1.13 prints for the same lines
 * (tools/lesson_example02.py, tools/lesson_example03.py; recorded by
 * tools/gen_example_outputs.py into test/fixtures/examples-pytorch.json), character for character.
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
