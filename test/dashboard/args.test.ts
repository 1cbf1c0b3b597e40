import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../src/cli/args';

const P = ['bn-placement'];
const run = (...argv: string[]) => parseArgs(['run', 'bn-placement', ...argv], P);

describe('rxnn run --serve [PORT] [--host H]', () => {
  it('takes an optional port: none or 0 is a free one', () => {
    expect(run('--serve')).toMatchObject({ serve: 0 });
    expect(run('--serve', '--epochs', '2')).toMatchObject({ serve: 0, epochs: 2 });
    expect(run('--serve', '8080')).toMatchObject({ serve: 8080 });
    expect(run('--serve=0', '--host', '0.0.0.0')).toMatchObject({ serve: 0, host: '0.0.0.0' });
    expect(parseArgs(['run', '--serve', 'bn-placement'], P)).toMatchObject({ pipeline: 'bn-placement', serve: 0 });
    expect(run()).not.toHaveProperty('serve');
  });

  it('refuses a bad port, and --host without --serve, naming the flag and the value', () => {
    expect(() => run('--serve', '70000')).toThrow(
      new UsageError("rxnn: --serve takes a port from 0 to 65535, got '70000'"),
    );
    expect(() => run('--serve=x')).toThrow(new UsageError("rxnn: --serve takes a port from 0 to 65535, got 'x'"));
    expect(() => run('--host', '0.0.0.0')).toThrow(new UsageError('rxnn: --host goes with --serve'));
  });
});
