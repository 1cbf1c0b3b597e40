import { describe, it, expect } from 'vitest';
import { parseArgs, UsageError } from '../../src/cli/args';

const P = ['bn-placement', 'bn-momentum', 'activations', 'classification'];
const fails = (argv: string[]): UsageError => {
  try {
    parseArgs(argv, P);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as Error).message).not.toContain('\n');
    return err as UsageError;
  }
  throw new Error(`expected ${argv.join(' ')} to fail`);
};

describe('rxnn arguments', () => {
  it('parses run with every option, in both --flag value and --flag=value forms', () => {
    expect(
      parseArgs(['run', 'bn-momentum', '--epochs', '5', '--seed=7', '--lr', '0.1', '--batch-size=50', '--backend', 'gpu:webasm', '--out', 'o', '--json', '--resume', 'r'], P),
    ).toEqual({
      command: 'run', pipeline: 'bn-momentum', epochs: 5, seed: 7, lr: 0.1, batchSize: 50,
      backend: { name: 'gpu', mode: 'webasm' }, out: 'o', json: true, resume: 'r',
    });
    expect(parseArgs(['run', 'activations', '--backend=js'], P)).toEqual({ command: 'run', pipeline: 'activations', json: false, backend: { name: 'js' } });
  });

  it('help and list', () => {
    expect(parseArgs([], P)).toEqual({ command: 'help' });
    expect(parseArgs(['--help'], P)).toEqual({ command: 'help' });
    expect(parseArgs(['run', 'bn-placement', '--help'], P)).toEqual({ command: 'help' });
    expect(parseArgs(['list'], P)).toEqual({ command: 'list' });
  });

  it('unknown pipelines, commands and options list the valid choices', () => {
    expect(fails(['run', 'bn-nope']).message).toBe(
      "rxnn: unknown pipeline 'bn-nope'; expected one of bn-placement, bn-momentum, activations, classification",
    );
    expect(fails(['train']).message).toBe("rxnn: unknown command 'train'; expected one of run, list, --help");
    expect(fails(['run', 'bn-placement', '--epoch', '3']).message).toMatch(/^rxnn: unknown option '--epoch'; expected one of --epochs, --seed, --lr, --batch-size, --backend/);
    expect(fails(['run']).message).toMatch(/run needs a pipeline; expected one of bn-placement/);
    expect(fails(['list', 'x']).message).toBe("rxnn: list takes no arguments, got 'x'");
  });

  it('bad values name the flag, the value and what was expected', () => {
    expect(fails(['run', 'bn-placement', '--epochs', '0']).message).toBe("rxnn: --epochs must be a positive integer, got '0'");
    expect(fails(['run', 'bn-placement', '--epochs', '2.5']).message).toBe("rxnn: --epochs must be a positive integer, got '2.5'");
    expect(fails(['run', 'bn-placement', '--batch-size=ten']).message).toBe("rxnn: --batch-size must be a positive integer, got 'ten'");
    expect(fails(['run', 'bn-placement', '--lr', '-1']).message).toBe("rxnn: --lr must be a positive number, got '-1'");
    expect(fails(['run', 'bn-placement', '--seed', '1e3']).message).toBe("rxnn: --seed must be an integer, got '1e3'");
    expect(fails(['run', 'bn-placement', '--backend', 'cuda']).message).toBe("rxnn: --backend must be one of js, gpu, gpu:<mode>, got 'cuda'");
    expect(fails(['run', 'bn-placement', '--backend', 'js:cpu']).message).toContain("got 'js:cpu'");
    expect(fails(['run', 'bn-placement', '--out']).message).toBe('rxnn: --out needs a value');
    expect(fails(['run', 'bn-placement', '--json=1']).message).toBe("rxnn: --json takes no value, got '1'");
    expect(fails(['run', 'bn-placement', 'extra']).message).toBe("rxnn: unexpected argument 'extra' after pipeline 'bn-placement'");
  });
});
