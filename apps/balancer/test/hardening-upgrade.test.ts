import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { expectError, get, startTestBalancer } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';
import { rawExchange } from './helpers/raw-http.js';
import { waitFor } from './helpers/wait.js';

/**
 * Issue 8, finding 2: request smuggling through `Upgrade`. The balancer splices client and peer
 * only after the peer's 101; before it nothing the client sends behind the request head reaches
 * the peer, and any other answer is a normal response that closes the client connection.
 */
const f = useFixtures();

/** A keep-alive HTTP/1.1 upstream that ignores Upgrade (uvicorn, Werkzeug, http.server do). */
async function plainUpstream(status = 200): Promise<{ address: string; seen: string[] }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url} xff=${String(req.headers['x-forwarded-for'])}`);
    req.resume();
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(`answer to ${req.url}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  f.cleanups.push(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

async function wsUpstream(): Promise<{ address: string; wss: WebSocketServer }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', (socket) => socket.on('message', (data) => socket.send(`echo:${String(data)}`)));
  f.cleanups.push(() => new Promise<void>((resolve) => { for (const c of wss.clients) c.terminate(); wss.close(() => resolve()); }));
  return { address: `127.0.0.1:${(wss.address() as AddressInfo).port}`, wss };
}

const UPGRADE_HEAD = 'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';

describe('Upgrade without a 101', () => {
  it('never forwards what the client sends behind the upgrade request; relays the answer and closes', async () => {
    const up = await plainUpstream();
    f.balancer = await startTestBalancer({ upstreams: { default: { servers: [up.address] } } });
    const smuggled = Array.from({ length: 3 }, () => 'GET /.env HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n').join('');
    const answer = await rawExchange(f.balancer.port, UPGRADE_HEAD + smuggled + `POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n${'a'.repeat(200_000)}`, { until: () => false });
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('answer to /ws');
    expect(answer.headers.connection).toBe('close');
    expect(answer.closed).toBe(true); // by the balancer, within the 5 s wait
    expect(answer.raw.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(up.seen).toEqual(['GET /ws xff=127.0.0.1']);
    // Sent as plain requests, the same /.env is refused by the deny rule.
    expectError(await get(f.balancer.port, '/.env'), 404, 'NOT_FOUND');
  });

  it('walks to the next peer on a retryable answer, and reports the failed one', async () => {
    const bad = await plainUpstream(503);
    const good = await wsUpstream();
    f.balancer = await startTestBalancer({ upstreams: { default: { servers: [`${bad.address} max_fails=5`, good.address] } } });
    for (let i = 0; i < 2; i++) {
      const client = new WebSocket(`ws://127.0.0.1:${f.balancer.port}/chat`);
      f.cleanups.push(() => client.terminate());
      await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
      const reply = new Promise<string>((resolve) => client.once('message', (d) => resolve(String(d))));
      client.send('hi');
      expect(await reply).toBe('echo:hi');
      client.terminate();
    }
    const peer = f.balancer.upstreams.get('default')?.group.snapshot(0).peers.find((p) => p.id === bad.address);
    expect(peer?.totalFails).toBeGreaterThan(0);
  });
});

describe('Upgrade with a 101', () => {
  it('delivers bytes sent right behind the request head only after the 101', async () => {
    const up = await wsUpstream();
    f.balancer = await startTestBalancer({ upstreams: { default: { servers: [up.address] } } });
    // A masked text frame "hi" sent in the same write as the handshake.
    const key = Buffer.from('0123456789abcdef').toString('base64');
    const frame = Buffer.from([0x81, 0x82, 1, 2, 3, 4, 'h'.charCodeAt(0) ^ 1, 'i'.charCodeAt(0) ^ 2]);
    const head = `GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\n\r\n`;
    const answer = await rawExchange(f.balancer.port, [Buffer.from(head), frame], { until: (raw) => raw.includes('echo:hi') });
    expect(answer.status).toBe(101);
    expect(answer.raw).toContain('echo:hi');
  });

  it('an open tunnel does not hold the peer’s max_conns slot; it is counted and access-logged', async () => {
    const up = await wsUpstream();
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write(chunk: Buffer, _e, cb) { for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>); cb(); } });
    f.balancer = await startTestBalancer(
      { upstreams: { default: { servers: [`${up.address} max_conns=1`] } }, accessLog: { enabled: true } },
      { accessLogDestination: sink },
    );
    const clients: WebSocket[] = [];
    for (let i = 0; i < 3; i++) {
      // One after the other: a handshake in progress does hold the slot, an open tunnel does not.
      const c = new WebSocket(`ws://127.0.0.1:${f.balancer.port}/chat`);
      f.cleanups.push(() => c.terminate());
      await new Promise((resolve, reject) => c.once('open', resolve).once('error', reject));
      clients.push(c);
    }
    const plain = await get(f.balancer.port, '/plain');
    expect(plain.status).toBe(426); // the ws server's own answer to a plain GET, not 503 ALL_UPSTREAMS_BUSY
    const metrics = (await get(f.balancer.adminPort, '/metrics')).text;
    expect(metrics).toMatch(/fleet_balancer_tunnels\{group="default"\} 3/);
    for (const c of clients) c.close();
    await waitFor(() => lines.filter((l) => l.status === 101 && l.tunnel === true).length === 3, { what: 'three tunnel access-log lines' });
  });
});
