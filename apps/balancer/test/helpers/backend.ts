import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny node:http upstream used as a test double for the proxy (the real replicas are used
 * where the model matters). Answers JSON `{ server_id, method, url, headers, body }` with an
 * `x-server-id` header. Paths: `/slow?ms=N` waits N ms, `/status/N` answers N, `/health/ready`
 * answers `healthStatus`, `/hold` waits until `releaseHeld()`, `/big?bytes=N` sends N bytes; anything else echoes.
 */
export interface Backend {
  id: string;
  port: number;
  address: string;
  hits: number;
  healthStatus: number;
  /** Delay every non-health answer by this much (a slow replica). */
  delayMs: number;
  lastHeaders: http.IncomingHttpHeaders | undefined;
  releaseHeld(): void;
  close(): Promise<void>;
}

export async function startBackend(id: string, port = 0, host = '127.0.0.1'): Promise<Backend> {
  const held: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const reply = (status: number): void => {
        if (backend.delayMs > 0 && url.pathname !== '/health/ready') {
          const t = setTimeout(() => send(status), backend.delayMs);
          res.on('close', () => clearTimeout(t));
        } else send(status);
      };
      const send = (status: number): void => {
        const body = JSON.stringify({ server_id: id, method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.writeHead(status, { 'content-type': 'application/json', 'x-server-id': id, connection: 'keep-alive, x-upstream-private', 'x-upstream-private': '1' });
        res.end(body);
      };
      if (url.pathname === '/health/ready') return reply(backend.healthStatus);
      backend.hits += 1;
      backend.lastHeaders = req.headers;
      const status = /\/status\/(\d{3})$/.exec(url.pathname);
      if (status?.[1] !== undefined) return reply(Number(status[1]));
      if (url.pathname === '/slow') {
        const t = setTimeout(() => reply(200), Number(url.searchParams.get('ms') ?? 100));
        res.on('close', () => clearTimeout(t));
        return;
      }
      if (url.pathname === '/big') {
        const size = Number(url.searchParams.get('bytes') ?? 1_000_000);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size, 'x-server-id': id });
        res.end(Buffer.alloc(size, 120));
        return;
      }
      if (url.pathname === '/hold') {
        held.push(() => reply(200));
        return;
      }
      reply(200);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const actual = (server.address() as AddressInfo).port;
  const backend: Backend = {
    id,
    port: actual,
    address: `${host}:${actual}`,
    hits: 0,
    healthStatus: 200,
    delayMs: 0,
    lastHeaders: undefined,
    releaseHeld: () => held.splice(0).forEach((f) => f()),
    close: () =>
      new Promise<void>((resolve) => {
        held.splice(0).forEach((f) => f());
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return backend;
}
