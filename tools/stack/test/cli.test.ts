// The CLI's fast paths: nothing here loads a model.
import { afterEach, describe, expect, it } from 'vitest';
import { occupyPort, releaseBusyPorts } from './busy-ports.js';
import { StackProcess, isAlive } from './stack-process.js';

afterEach(releaseBusyPorts);

describe('cli', () => {
  it('prints usage for --help and exits 0', async () => {
    const cli = new StackProcess(['--help']);
    await expect(cli.exited).resolves.toEqual({ code: 0, signal: null });
    expect(cli.lines[0]).toMatch(/^Usage: pnpm start/);
    expect(cli.lines.join('\n')).toContain('--replicas <n>');
  });

  it('rejects a bad flag with exit code 2', async () => {
    const cli = new StackProcess(['--replicas', 'many']);
    await expect(cli.exited).resolves.toEqual({ code: 2, signal: null });
    expect(cli.lines).toEqual(['stack: STACK_BAD_ARGUMENT: --replicas: expected an integer, got "many"']);
  });

  it('names a busy port and spawns nothing', async () => {
    const busy = await occupyPort();
    const cli = new StackProcess(['--no-build', '--replica-port', String(busy), '--replicas', '1', '--port', '0']);
    await expect(cli.exited).resolves.toEqual({ code: 1, signal: null });
    const output = cli.lines.join('\n');
    expect(output).toContain(`STACK_PORT_IN_USE: already in use on 127.0.0.1: port ${busy} (server-1).`);
    expect(output).not.toContain('started');
  });

  it('names two planned ports that collide', async () => {
    const cli = new StackProcess(['--no-build', '--port', '9100', '--admin-port', '9100']);
    await expect(cli.exited).resolves.toEqual({ code: 1, signal: null });
    expect(cli.lines.join('\n')).toContain('STACK_PORT_CONFLICT: port 9100 is planned for both balancer and balancer admin');
  });

  it('stops the start when a replica exits before it is ready, leaving no process behind', async () => {
    const cli = new StackProcess(['--no-build', '--port', '0', '--replica-port', '0'], { MODEL_PATH: '/nonexistent/model.onnx' });
    await expect(cli.exited).resolves.toEqual({ code: 1, signal: null });
    const output = cli.lines.join('\n');
    expect(output).toMatch(/STACK_EXITED_BEFORE_READY: server-\d exited \(code \d+\) before it was ready/);
    expect(output).toContain('stopped: no child left running');
    expect(output).not.toContain('balancer | started');
    expect(startedPids(cli).filter(isAlive)).toEqual([]);
  }, 120_000);

  it('shows why the balancer refused to start even under --quiet, and stops the replicas', async () => {
    const cli = new StackProcess(['--no-build', '--port', '0', '--replica-port', '0', '--replicas', '1', '-s', 'bogus', '-q'], {
      LOG_LEVEL: 'warn',
    });
    await expect(cli.exited).resolves.toEqual({ code: 1, signal: null });
    const output = cli.lines.join('\n');
    expect(output).toMatch(/balancer \| (fatal|error) .*bogus/);
    expect(output).toContain('STACK_EXITED_BEFORE_READY: balancer exited (code 1) before it was ready');
    expect(startedPids(cli).filter(isAlive)).toEqual([]);
  }, 180_000);
});

function startedPids(cli: StackProcess): number[] {
  return cli.lines.flatMap((l) => {
    const m = /\| started \(pid (\d+)\)/.exec(l);
    return m?.[1] ? [Number(m[1])] : [];
  });
}
