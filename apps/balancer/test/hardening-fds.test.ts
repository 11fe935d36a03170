import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startBackend, type Backend } from './helpers/backend.js';
import { get } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';
import { fdCount, freeFdNumbers, parseAnswer, setFdLimit, spawnBalancerProcess } from './helpers/raw-http.js';
import { waitFor } from './helpers/wait.js';

/**
 * Issue 8, finding 3: descriptors. A connection whose header timeout fires gets its 408 and is
 * then destroyed, even when the client never closes its side; and the balancer's own EMFILE is
 * never counted against a healthy peer.
 */
const f = useFixtures();

/** A client that connects, sends `payload` and never closes its side (allowHalfOpen). */
function stubbornClient(port: number, payload = ''): Promise<{ socket: net.Socket; data: () => string; ended: () => boolean }> {
  return new Promise((resolve, reject) => {
    let data = '';
    let ended = false;
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => {
      if (payload !== '') socket.write(payload);
      resolve({ socket, data: () => data, ended: () => ended });
    });
    socket.on('end', () => (ended = true));
    socket.on('close', () => (ended = true));
    socket.setEncoding('latin1');
    socket.on('data', (c: string) => (data += c));
    socket.on('error', () => undefined);
    socket.once('error', reject);
    f.cleanups.push(() => void socket.destroy());
  });
}

describe('header timeout', () => {
  it('answers 408 JSON and destroys the connection: fds back to baseline with the clients still open', async () => {
    f.backends = [await startBackend('s1')];
    const b = await spawnBalancerProcess({ upstreams: { default: { servers: [f.backends[0]?.address] } }, limits: { headersTimeoutMs: 500 } });
    f.cleanups.push(() => b.child.stop().then(() => undefined));
    expect((await get(b.port, '/warm')).status).toBe(200);
    const baseline = fdCount(b.pid);
    const clients = await Promise.all(Array.from({ length: 40 }, (_, i) => stubbornClient(b.port, i % 2 === 0 ? '' : 'GET / HTTP/1.1\r\nHo')));
    await waitFor(() => fdCount(b.pid) >= baseline + 40, { what: '40 connections accepted' });
    await waitFor(() => clients.every((c) => c.data().includes('\r\n\r\n')), { what: 'every client answered', timeoutMs: 15_000 });
    for (const c of clients) {
      const answer = parseAnswer(c.data(), true);
      expect(answer.status).toBe(408);
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'REQUEST_TIMEOUT' });
    }
    // Clients keep their side open; the balancer must still let go of its descriptors.
    await waitFor(() => fdCount(b.pid) <= baseline + 2, { what: `fds back to ~${baseline} (now ${fdCount(b.pid)})`, timeoutMs: 15_000 });
  });
});

describe('local resource errors', () => {
  it('EMFILE on upstream connects is not a peer failure: every healthy replica stays up', async () => {
    f.backends = await Promise.all(['s1', 's2', 's3'].map((id) => startBackend(id)));
    const b = await spawnBalancerProcess({ upstreams: { default: { servers: f.backends.map((be: Backend) => be.address) } }, limits: { headersTimeoutMs: 30_000 } });
    f.cleanups.push(() => b.child.stop().then(() => undefined));
    const hits = (): number => f.backends.reduce((n, be) => n + be.hits, 0);
    const clients: Awaited<ReturnType<typeof stubbornClient>>[] = [];
    const place = async (): Promise<Awaited<ReturnType<typeof stubbornClient>>> => {
      const before = hits();
      const c = await stubbornClient(b.port, 'GET /hold HTTP/1.1\r\nHost: x\r\n\r\n');
      clients.push(c);
      await waitFor(() => hits() > before || c.data() !== '' || c.ended(), { what: `request ${clients.length} placed or answered` });
      return c;
    };
    // One held request per replica: no idle upstream connection is left to reuse.
    for (let i = 0; i < 3; i++) await place();
    // Leave exactly one free descriptor: the next accept takes it and the upstream connect
    // gets EMFILE. The process may open descriptors of its own meanwhile, so a few tries.
    for (let i = 0; i < 6 && !clients.some((c) => c.data().startsWith('HTTP/1.1 503')); i++) {
      // The limit is on descriptor numbers, and the table has holes: allow the next free one only.
      setFdLimit(b.pid, freeFdNumbers(b.pid, 2)[1] ?? 0);
      await place();
    }
    setFdLimit(b.pid, 4096);
    for (const be of f.backends) be.releaseHeld();
    await waitFor(() => clients.every((c) => c.data().includes('\r\n\r\n') || c.ended()), { what: 'every request answered or closed' });
    const answers = clients.map((c) => parseAnswer(c.data(), true));
    for (const c of clients) c.socket.destroy();
    const status = await get(b.adminPort, '/status');
    const peers = (status.json.upstreams as { default: { peers: { state: string }[] } }).default.peers;
    expect(peers.map((p) => p.state)).toEqual(['up', 'up', 'up']);
    expect(answers.filter((a) => a.status === 503).map((a) => (JSON.parse(a.body) as { code: string }).code)).toContain('LOCAL_RESOURCES_EXHAUSTED');
    expect(answers.filter((a) => a.status !== 200 && a.status !== 503 && a.status !== 0)).toEqual([]);
    const metrics = (await get(b.adminPort, '/metrics')).text;
    expect(metrics).toMatch(/fleet_balancer_local_errors_total\{code="EMFILE"\} [1-9]/);
  });
});
