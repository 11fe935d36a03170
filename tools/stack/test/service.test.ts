// The supervisor against real (tiny) child processes on loopback ports.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { STACK_ERRORS } from '../src/errors.js';
import { allocateFreePorts } from '../src/ports.js';
import { Service, type Reporter } from '../src/service.js';
import { isAlive } from './stack-process.js';

const FAKE_APP = fileURLToPath(new URL('./fixtures/fake-app.mjs', import.meta.url));
const timing = {
  readyTimeoutMs: 20_000,
  readyIntervalMs: 50,
  probeTimeoutMs: 2000,
  stopTimeoutMs: 10_000,
  backoff: { initialMs: 10, factor: 2, maxMs: 100, resetAfterMs: 60_000 },
};

function recorder(): Reporter & { events: string[]; lines: string[] } {
  const r = {
    events: [] as string[],
    lines: [] as string[],
    event: (name: string, message: string) => void r.events.push(`${name} ${message}`),
    output: (name: string, line: string, stream: string) => void r.lines.push(`${name} ${stream} ${line}`),
  };
  return r;
}

/** Poll with a bound; never a fixed sleep. */
async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const services: Service[] = [];
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.stop()));
});

async function fakeService(env: Record<string, string> = {}, overrides: Partial<typeof timing> = {}) {
  const [port] = await allocateFreePorts('127.0.0.1', 1);
  const reporter = recorder();
  const service = new Service(
    { name: 'fake', entry: FAKE_APP, env: { ...process.env, PORT: String(port), ...env }, readyUrl: `http://127.0.0.1:${port}/health/ready` },
    { ...timing, ...overrides },
    reporter,
    (url, init) => fetch(url, init),
  );
  services.push(service);
  return { service, reporter };
}

describe('Service', () => {
  it('starts a child, waits until it is ready and relays its output', async () => {
    const { service, reporter } = await fakeService();
    const pid = service.start();
    await expect(service.waitReady()).resolves.toBeGreaterThanOrEqual(0);
    expect(service.pid).toBe(pid);
    await until('both output lines', () => reporter.lines.length >= 2);
    expect(reporter.lines).toContain('fake stderr a line on stderr');
    expect(reporter.lines.some((l) => l.startsWith('fake stdout {"level":30,"msg":"listening"'))).toBe(true);
    await service.stop();
    expect(isAlive(pid)).toBe(false);
    expect(reporter.events).toContain('fake stopped (code 0)');
  });

  it('rejects the readiness wait when the child exits first', async () => {
    const { service } = await fakeService({ FAKE_EXIT: '3' });
    service.start();
    await expect(service.waitReady()).rejects.toMatchObject({
      code: STACK_ERRORS.EXITED_BEFORE_READY,
      message: 'fake exited (code 3) before it was ready',
    });
  });

  it('restarts a supervised child that was killed, and it gets ready again', async () => {
    const { service, reporter } = await fakeService();
    const first = service.start();
    await service.waitReady();
    service.supervise();
    process.kill(first, 'SIGKILL');
    await until('ready again', () => reporter.events.some((e) => e.startsWith('fake ready again')));
    expect(service.pids).toHaveLength(2);
    expect(service.pid).not.toBe(first);
    expect(reporter.events.find((e) => e.startsWith('fake exited'))).toMatch(
      /^fake exited \(signal SIGKILL\) after [\d.]+s; restarting in 0\.0s \(restart #1 in a row\)$/,
    );
  });

  it('sends SIGKILL when SIGTERM is ignored past the stop timeout', async () => {
    const { service, reporter } = await fakeService({ FAKE_IGNORE_SIGTERM: '1' }, { stopTimeoutMs: 300 });
    const pid = service.start();
    await service.waitReady();
    await service.stop();
    expect(isAlive(pid)).toBe(false);
    expect(reporter.events).toEqual(['fake still running 0.3s after SIGTERM: sending SIGKILL', 'fake stopped (signal SIGKILL)']);
  });

  it('does not restart after stop', async () => {
    const { service, reporter } = await fakeService();
    service.start();
    await service.waitReady();
    service.supervise();
    await service.stop();
    expect(service.pids).toHaveLength(1);
    expect(reporter.events.some((e) => e.includes('restart'))).toBe(false);
  });
});
