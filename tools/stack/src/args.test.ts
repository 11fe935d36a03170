import { describe, expect, it } from 'vitest';
import { DEFAULTS, parseCli, type StackOptions } from './args.js';
import { STACK_ERRORS } from './errors.js';

function options(argv: string[], env: NodeJS.ProcessEnv = {}): StackOptions {
  const parsed = parseCli(argv, env);
  if (parsed.help) throw new Error('unexpected --help');
  return parsed.options;
}

function errorOf(argv: string[], env: NodeJS.ProcessEnv = {}): { code: string; message: string } {
  try {
    parseCli(argv, env);
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected an error');
}

describe('parseCli', () => {
  it('defaults to three replicas on 8001.. behind round robin on 8080 (admin 8081)', () => {
    expect(options([])).toEqual({
      replicas: 3,
      strategy: 'round_robin',
      host: '127.0.0.1',
      port: 8080,
      adminPort: 8081,
      replicaPort: 8001,
      readyTimeoutMs: DEFAULTS.readyTimeoutSec * 1000,
      stopTimeoutMs: DEFAULTS.stopTimeoutSec * 1000,
      build: true,
      quiet: false,
    });
  });

  it('reads long and short flags', () => {
    const o = options(['-n', '5', '-s', 'least_conn', '--host', '0.0.0.0', '-p', '9000', '--replica-port', '9100', '--no-build', '-q']);
    expect(o).toMatchObject({ replicas: 5, strategy: 'least_conn', host: '0.0.0.0', port: 9000, replicaPort: 9100, build: false, quiet: true });
  });

  it('puts the admin port next to a chosen balancer port unless given', () => {
    expect(options(['--port', '9000']).adminPort).toBe(9001);
    expect(options(['--port', '0']).adminPort).toBe(0);
    expect(options(['--port', '9000', '--admin-port', '9500']).adminPort).toBe(9500);
    expect(options([], { STACK_PORT: '7000' }).adminPort).toBe(7001);
  });

  it('takes STACK_* env, and flags win over env', () => {
    const env = { STACK_REPLICAS: '2', STACK_STRATEGY: 'ip_hash', STACK_READY_TIMEOUT: '5', STACK_NO_BUILD: '1', STACK_QUIET: 'true' };
    expect(options([], env)).toMatchObject({ replicas: 2, strategy: 'ip_hash', readyTimeoutMs: 5000, build: false, quiet: true });
    expect(options(['--replicas', '4'], env).replicas).toBe(4);
  });

  it('ignores empty env values', () => {
    expect(options([], { STACK_REPLICAS: '', STACK_HOST: ' ' }).replicas).toBe(3);
  });

  it('skips the -- that `pnpm start -- …` passes on', () => {
    expect(options(['--', '--replicas', '2']).replicas).toBe(2);
    expect(options(['--no-build', '--', '--replicas', '2'])).toMatchObject({ replicas: 2, build: false });
    expect(parseCli(['--', '--help'], {})).toEqual({ help: true });
  });

  it('returns help for -h and --help', () => {
    expect(parseCli(['-h'], {})).toEqual({ help: true });
    expect(parseCli(['--replicas', '2', '--help'], {})).toEqual({ help: true });
  });

  it.each([
    [['--replicas', 'three'], '--replicas: expected an integer, got "three"'],
    [['--replicas', '0'], '--replicas: must be between 1 and 64, got 0'],
    [['--port', '70000'], '--port: must be between 0 and 65535, got 70000'],
    [['--strategy', 'Round Robin'], '--strategy: expected a strategy name like round_robin, got "Round Robin"'],
    [['--ready-timeout', '0'], '--ready-timeout: must be between 1 and 3600, got 0'],
  ])('rejects %j', (argv, message) => {
    expect(errorOf(argv)).toMatchObject({ code: STACK_ERRORS.BAD_ARGUMENT, message });
  });

  it('rejects unknown flags and stray arguments, pointing at --help', () => {
    expect(errorOf(['--replica', '2']).message).toMatch(/Unknown option '--replica'.*see --help/);
    expect(errorOf(['start']).code).toBe(STACK_ERRORS.BAD_ARGUMENT);
  });

  it('names the env var source in the same terms as the flag', () => {
    expect(errorOf([], { STACK_REPLICAS: '-1' }).message).toBe('--replicas: expected an integer, got "-1"');
  });
});
