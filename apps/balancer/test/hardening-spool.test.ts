import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBackend } from './helpers/backend.js';
import { get, startTestBalancer } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';
import { waitFor } from './helpers/wait.js';

/**
 * Issue 8, finding 5: request bodies are not held in memory. Past `clientBodyBufferSize` per
 * request (or the process-wide `clientBodyMemory`) they go to a temp file, unlinked at once,
 * replayed for retries, and closed however the request ends.
 */
const f = useFixtures();
const spoolDir = mkdtempSync(join(tmpdir(), 'fleet-spool-'));
afterAll(() => rmSync(spoolDir, { recursive: true, force: true }));

/** Descriptors of this process (the in-process balancer) open on spooled bodies. */
function spooledFds(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(join(spoolDir, 'fleet-body-'))) n += 1;
    } catch {
      // the descriptor closed between readdir and readlink
    }
  }
  return n;
}

/** Two upstreams sharing one handler: 503 the first time, then the body's sha256. */
async function flakyHashers(): Promise<{ addresses: string[]; hits: () => number }> {
  let hits = 0;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const hash = createHash('sha256');
    req.on('data', (c: Buffer) => hash.update(c));
    req.on('end', () => {
      hits += 1;
      res.writeHead(hits === 1 ? 503 : 200, { 'content-type': 'text/plain' });
      res.end(hash.digest('hex'));
    });
  };
  const addresses: string[] = [];
  for (let i = 0; i < 2; i++) {
    const server = http.createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    f.cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    addresses.push(`127.0.0.1:${(server.address() as net.AddressInfo).port} max_fails=0`);
  }
  return { addresses, hits: () => hits };
}

function stalledUpload(port: number, size: number): net.Socket {
  const socket = net.connect(port, '127.0.0.1', () => {
    socket.write(`POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`);
    socket.write(Buffer.alloc(size - 1, 0x61)); // one byte short: the upload never ends
  });
  socket.on('error', () => undefined);
  f.cleanups.push(() => void socket.destroy());
  return socket;
}

describe('request body spooling', () => {
  it('spools a 1 MB body to an unlinked temp file and replays it intact on a retry', async () => {
    const up = await flakyHashers();
    f.balancer = await startTestBalancer({
      upstreams: { default: { servers: up.addresses } },
      limits: { clientBodyTempPath: spoolDir },
    });
    const body = Buffer.alloc(1_000_000);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31) % 251;
    const r = await get(f.balancer.port, '/predict', { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } });
    expect(r.status).toBe(200);
    expect(r.text).toBe(createHash('sha256').update(body).digest('hex'));
    expect(up.hits()).toBe(2);
    expect(readdirSync(spoolDir)).toEqual([]);
    // The spool file is closed when the exchange is finalised, which may trail the client's last byte.
    await waitFor(() => spooledFds() === 0, { what: `spool file closed after the answer (open: ${spooledFds()})` });
  });

  it('holds stalled uploads on disk, not in memory, and lets go of every file however they end', async () => {
    f.backends = [await startBackend('s1')];
    f.balancer = await startTestBalancer({
      upstreams: { default: { servers: [f.backends[0]?.address] } },
      limits: { clientBodyTempPath: spoolDir, clientBodyBufferSize: 16_384, requestTimeoutMs: 60_000, headersTimeoutMs: 60_000 },
    });
    const sockets = Array.from({ length: 20 }, () => stalledUpload(f.balancer?.port ?? 0, 1_048_576));
    await waitFor(() => spooledFds() === 20, { what: `20 spooled bodies (now ${spooledFds()})`, timeoutMs: 20_000 });
    const metrics = (await get(f.balancer.adminPort, '/metrics')).text;
    const inMemory = Number(/fleet_balancer_request_body_memory_bytes (\d+)/.exec(metrics)?.[1]);
    expect(inMemory).toBeLessThanOrEqual(20 * 16_384);
    expect(readdirSync(spoolDir)).toEqual([]); // unlinked as soon as opened
    for (const s of sockets) s.destroy();
    await waitFor(() => spooledFds() === 0, { what: 'spool files closed after the clients left' });
    await waitFor(async () => /fleet_balancer_request_body_memory_bytes 0\n/.test((await get(f.balancer?.adminPort ?? 0, '/metrics')).text), { what: 'memory budget given back' });
  });
});
