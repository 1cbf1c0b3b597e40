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
      parseArgs(
        [
          'run',
          'bn-momentum',
          '--epochs',
          '5',
          '--seed=7',
          '--lr',
          '0.1',
          '--batch-size=50',
          '--backend',
          'gpu:webasm',
          '--out',
          'o',
          '--json',
          '--resume',
          'r',
        ],
        P,
      ),
    ).toEqual({
      command: 'run',
      pipeline: 'bn-momentum',
      epochs: 5,
      seed: 7,
      lr: 0.1,
      batchSize: 50,
      backend: { name: 'gpu', mode: 'webasm' },
      out: 'o',
      json: true,
      resume: 'r',
    });
    expect(parseArgs(['run', 'activations', '--backend=js'], P)).toEqual({
      command: 'run',
      pipeline: 'activations',
      json: false,
      backend: { name: 'js' },
    });
  });

  it("help, a pipeline's help, --version and list", () => {
    expect(parseArgs(['--help'], P)).toEqual({ command: 'help' });
    expect(parseArgs(['-h'], P)).toEqual({ command: 'help' });
    expect(parseArgs(['run', '--help'], P)).toEqual({ command: 'help' });
    expect(parseArgs(['run', 'bn-placement', '--help'], P)).toEqual({ command: 'run-help', pipeline: 'bn-placement' });
    expect(parseArgs(['run', '--epochs', '3', 'bn-momentum', '-h'], P)).toEqual({
      command: 'run-help',
      pipeline: 'bn-momentum',
    });
    expect(parseArgs(['--version'], P)).toEqual({ command: 'version' });
    expect(parseArgs(['-V'], P)).toEqual({ command: 'version' });
    expect(fails(['--version', 'x']).message).toBe("rxnn: --version takes no arguments, got 'x'");
    expect(parseArgs(['list'], P)).toEqual({ command: 'list' });
  });

  it('a bare rxnn is a usage error (exit 2) that prints the usage', () => {
    let err: unknown;
    try {
      parseArgs([], P);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/^usage: rxnn run <pipeline>/);
    expect((err as Error).message).toContain('rxnn --help');
  });

  it('--set is repeatable and kept in order for the pipeline to check; it needs key=value', () => {
    const cmd = parseArgs(['run', 'bn-momentum', '--set', 'momenta=0.1,0.9', '--set=hidden=8', '--epochs', '2'], P);
    expect(cmd).toMatchObject({ command: 'run', set: ['momenta=0.1,0.9', 'hidden=8'], epochs: 2 });
    expect(fails(['run', 'bn-momentum', '--set', 'momenta']).message).toBe(
      "rxnn: --set takes key=value, got 'momenta'",
    );
    expect(fails(['run', 'bn-momentum', '--set', '=1']).message).toBe("rxnn: --set takes key=value, got '=1'");
    expect(fails(['run', 'bn-momentum', '--set']).message).toBe('rxnn: --set needs a value');
  });

  it('unknown pipelines, commands and options list the valid choices', () => {
    expect(fails(['run', 'bn-nope']).message).toBe(
      "rxnn: unknown pipeline 'bn-nope'; expected one of bn-placement, bn-momentum, activations, classification",
    );
    expect(fails(['train']).message).toBe(
      "rxnn: unknown command 'train'; expected one of run, list, --help, --version",
    );
    expect(fails(['run', 'bn-placement', '--epoch', '3']).message).toMatch(
      /^rxnn: unknown option '--epoch'; expected one of --epochs, --seed, --lr, --batch-size, --set, --backend/,
    );
    expect(fails(['run']).message).toMatch(/run needs a pipeline; expected one of bn-placement/);
    expect(fails(['list', 'x']).message).toBe("rxnn: list takes no arguments, got 'x'");
  });

  it('bad values name the flag, the value and what was expected', () => {
    expect(fails(['run', 'bn-placement', '--epochs', '0']).message).toBe(
      "rxnn: --epochs must be a positive integer, got '0'",
    );
    expect(fails(['run', 'bn-placement', '--epochs', '2.5']).message).toBe(
      "rxnn: --epochs must be a positive integer, got '2.5'",
    );
    expect(fails(['run', 'bn-placement', '--batch-size=ten']).message).toBe(
      "rxnn: --batch-size must be a positive integer, got 'ten'",
    );
    expect(fails(['run', 'bn-placement', '--lr', '-1']).message).toBe("rxnn: --lr must be a positive number, got '-1'");
    expect(fails(['run', 'bn-placement', '--seed', '1e3']).message).toBe(
      "rxnn: --seed must be an integer from -(2^63) to 2^64-1, got '1e3'",
    );
    expect(fails(['run', 'bn-placement', '--backend', 'cuda']).message).toBe(
      "rxnn: --backend must be one of js, gpu, gpu:<mode>, got 'cuda'",
    );
    expect(fails(['run', 'bn-placement', '--backend', 'js:cpu']).message).toContain("got 'js:cpu'");
    expect(fails(['run', 'bn-placement', '--out']).message).toBe('rxnn: --out needs a value');
    expect(fails(['run', 'bn-placement', '--json=1']).message).toBe("rxnn: --json takes no value, got '1'");
    expect(fails(['run', 'bn-placement', 'extra']).message).toBe(
      "rxnn: unexpected argument 'extra' after pipeline 'bn-placement'",
    );
  });

  it('a value flag refuses an empty value and the next option as its value', () => {
    expect(fails(['run', 'bn-placement', '--out', '--json']).message).toBe("rxnn: --out needs a value, got '--json'");
    expect(fails(['run', 'bn-placement', '--out=']).message).toBe("rxnn: --out needs a value, got ''");
    expect(fails(['run', 'bn-placement', '--out=--json']).message).toBe("rxnn: --out needs a value, got '--json'");
    expect(fails(['run', 'bn-placement', '--resume', '--out', 'o']).message).toBe(
      "rxnn: --resume needs a value, got '--out'",
    );
    expect(fails(['run', 'bn-placement', '--resume=', '--json']).message).toBe("rxnn: --resume needs a value, got ''");
    for (const flag of ['--epochs', '--seed', '--lr', '--batch-size', '--backend']) {
      expect(fails(['run', 'bn-placement', flag, '--json']).message).toBe(`rxnn: ${flag} needs a value, got '--json'`);
      expect(fails(['run', 'bn-placement', `${flag}=`]).message).toBe(`rxnn: ${flag} needs a value, got ''`);
    }
    // One dash is a value (a negative seed, a folder named '-').
    expect(parseArgs(['run', 'bn-placement', '--seed', '-5', '--out', '-'], P)).toMatchObject({ seed: -5, out: '-' });
  });

  it('--seed takes any integer manualSeed takes, up to 2^64-1, as a bigint beyond 2^53', () => {
    const seed = (s: string) => (parseArgs(['run', 'bn-placement', '--seed', s], P) as { seed?: number | bigint }).seed;
    expect(seed('18446744073709551615')).toBe(18446744073709551615n);
    expect(seed('9007199254740993')).toBe(9007199254740993n);
    expect(seed('9007199254740991')).toBe(9007199254740991);
    expect(seed('-9223372036854775808')).toBe(-9223372036854775808n);
    expect(seed('+42')).toBe(42);
    for (const bad of ['18446744073709551616', '-9223372036854775809', '0x10', ' 7 ', '7.0']) {
      expect(fails(['run', 'bn-placement', '--seed', bad]).message).toBe(
        `rxnn: --seed must be an integer from -(2^63) to 2^64-1, got '${bad}'`,
      );
    }
  });

  it('--lr is a plain decimal number: no spaces, hex, binary or Infinity', () => {
    const lr = (s: string) => (parseArgs(['run', 'bn-placement', '--lr', s], P) as { lr?: number }).lr;
    expect([lr('0.5'), lr('.5'), lr('5.'), lr('1e-3'), lr('+2E+1')]).toEqual([0.5, 0.5, 5, 0.001, 20]);
    for (const bad of [' 0x10 ', '0x10', '0b11', ' 1', 'Infinity', '1e999', '0']) {
      expect(fails(['run', 'bn-placement', '--lr', bad]).message).toBe(
        `rxnn: --lr must be a positive number, got '${bad}'`,
      );
    }
  });
});
