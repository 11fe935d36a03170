import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBackend, type Backend } from './helpers/backend.js';
import { get } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';
import { BALANCER_SRC_MAIN, spawnJson, type JsonChild } from './helpers/processes.js';
import { waitFor } from './helpers/wait.js';

/** The balancer as a process: listening line, SIGHUP reload (good and bad), SIGTERM drain. */
const f = useFixtures();
const dir = mkdtempSync(join(tmpdir(), 'fleet-balancer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(name: string, upstreamServers: unknown[], extra: Record<string, unknown> = {}): string {
  const file = join(dir, name);
  const config = { upstreams: { default: { servers: upstreamServers } }, accessLog: { enabled: false }, ...extra };
  writeFileSync(file, JSON.stringify(config));
  return file;
}

async function spawnBalancer(configFile: string): Promise<{ child: JsonChild; port: number; adminPort: number }> {
  const child = await spawnJson(['--import', 'tsx', BALANCER_SRC_MAIN], {
    CONFIG_FILE: configFile,
    PORT: '0',
    ADMIN_PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
  });
  f.cleanups.push(() => child.stop().then(() => undefined));
  return { child, port: Number(child.ready.port), adminPort: Number(child.ready.adminPort) };
}

interface PeerView {
  id: string;
  requests: number;
  weight: number;
}
async function peers(adminPort: number): Promise<PeerView[]> {
  const r = await get(adminPort, '/status');
  return (r.json.upstreams as { default: { peers: PeerView[] } }).default.peers;
}

/** A port some other process holds (the second balancer on a host), closed after the test. */
async function busyPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  f.cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as net.AddressInfo).port;
}

function startFails(env: Record<string, string>): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', BALANCER_SRC_MAIN], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ADMIN_PORT: '0', UPSTREAMS: '127.0.0.1:9', LOG_LEVEL: 'info', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('a port already in use', () => {
  it('names the admin port and ADMIN_PORT (two balancers on one host), exits 1', async () => {
    const port = await busyPort();
    const { status, output } = startFails({ ADMIN_PORT: String(port) });
    expect(status, output).toBe(1);
    const line = JSON.parse(output.split('\n').find((l) => l.includes('failed to start')) ?? '{}') as { code?: string; msg?: string };
    expect(line.code).toBe('ADMIN_PORT_IN_USE');
    expect(line.msg).toContain(`admin listener (/status, /metrics, dashboard): 127.0.0.1:${port} is already in use`);
    expect(line.msg).toContain('set ADMIN_PORT (or admin.port in CONFIG_FILE) to a free port, or ADMIN_PORT=0 for any free one');
  }, 90_000);

  it('names the client port and PORT', async () => {
    const port = await busyPort();
    const { status, output } = startFails({ PORT: String(port) });
    expect(status, output).toBe(1);
    expect(output).toContain('"code":"PORT_IN_USE"');
    expect(output).toContain(`client listener: 127.0.0.1:${port} is already in use`);
    expect(output).toContain('set PORT (or listen.port in CONFIG_FILE)');
  }, 90_000);
});

describe('balancer process', () => {
  it('logs one listening line with the real ports and serves', async () => {
    f.backends = [await startBackend('s1')];
    const { child, port, adminPort } = await spawnBalancer(writeConfig('listen.json', [f.backends[0]?.address]));
    expect(child.ready).toMatchObject({ msg: 'listening' });
    expect(port).toBeGreaterThan(0);
    expect(adminPort).toBeGreaterThan(0);
    expect((await get(port, '/x')).json.server_id).toBe('s1');
  });

  it('SIGHUP applies a good file (surviving peers keep their state) and keeps the running config on a bad one', async () => {
    f.backends = await Promise.all(['s1', 's2', 's3'].map((id) => startBackend(id)));
    const [s1, s2, s3] = f.backends as [Backend, Backend, Backend];
    const file = writeConfig('reload.json', [s1.address, s2.address]);
    const { child, port, adminPort } = await spawnBalancer(file);
    for (let i = 0; i < 4; i++) expect((await get(port, '/')).status).toBe(200);
    const before = (await peers(adminPort)).find((p) => p.id === s1.address);
    expect(before?.requests).toBe(2);

    writeConfig('reload.json', [s1.address, `${s3.address} weight=2`]);
    child.signal('SIGHUP');
    await child.waitForLog((l) => l.msg === 'config reloaded', 'config reloaded');
    const after = await peers(adminPort);
    expect(after.map((p) => p.id).sort()).toEqual([s1.address, s3.address].sort());
    expect(after.find((p) => p.id === s1.address)?.requests).toBe(2);
    const ids = new Set<string>();
    for (let i = 0; i < 6; i++) ids.add(String((await get(port, '/')).json.server_id));
    expect(ids).toEqual(new Set(['s1', 's3']));

    writeFileSync(file, JSON.stringify({ upstreams: { default: { servers: [`${s2.address} weight=0`, { address: s1.address, maxFails: -1 }] } } }));
    child.signal('SIGHUP');
    const rejected = await child.waitForLog((l) => String(l.msg).startsWith('reload rejected'), 'reload rejected');
    expect(JSON.stringify(rejected)).toContain('servers[0].weight');
    expect(JSON.stringify(rejected)).toContain('servers[1].maxFails');
    expect((await peers(adminPort)).map((p) => p.id).sort()).toEqual([s1.address, s3.address].sort());
    expect((await get(port, '/')).status).toBe(200);
  });

  it('SIGTERM stops accepting, finishes in-flight requests, flushes the access log to a pipe, exits 0', async () => {
    f.backends = [await startBackend('s1')];
    // The access log on (the default) writes to stdout, a pipe here as under Docker and systemd:
    // closing it must not fail on fsync (EINVAL on pipes).
    const extra = { shutdown: { timeoutMs: 20000 }, accessLog: { enabled: true } };
    const { child, port } = await spawnBalancer(writeConfig('drain.json', [f.backends[0]?.address], extra));
    const held = get(port, '/hold');
    await waitFor(() => (f.backends[0]?.hits ?? 0) > 0, { what: 'held request at the backend' });
    child.signal('SIGTERM');
    await waitFor(() => refused(port), { what: 'listener closed' });
    f.backends[0]?.releaseHeld();
    expect((await held).status).toBe(200);
    expect(await child.exited).toBe(0);
    // The drained request's line reached the pipe before the exit.
    const line = await child.waitForLog((l) => l.type === 'access' && l.path === '/hold', 'the access log line of the drained request');
    expect(line).toMatchObject({ method: 'GET', status: 200, upstream: 'default' });
  });
});

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}
