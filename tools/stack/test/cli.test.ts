// The CLI's fast paths: nothing here loads a model.
import { afterEach, describe, expect, it } from 'vitest';
import { occupyPort, releaseBusyPorts } from './busy-ports.js';
import { StackProcess } from './stack-process.js';

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
});
