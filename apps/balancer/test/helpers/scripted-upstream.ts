import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A node:http upstream whose every answer the test scripts: `onRequest` receives each
 * exchange as soon as its head arrives (before the body) and answers it now, later, or never
 * (`held` keeps it until the test calls `answer`). It records what the proxy did: which
 * connection each request came on, when its body chunks arrived, and closed connections.
 */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  /** Remote port of the balancer's connection that carried this request. */
  remotePort: number;
  /** Body chunks as they arrived (filled while the request streams in). */
  chunks: Buffer[];
  /** Resolves with the whole body once the request ended. */
  body: Promise<Buffer>;
}

export interface ScriptedUpstream {
  id: string;
  port: number;
  address: string;
  exchanges: Exchange[];
  /** Connections the balancer opened, and how many of them are closed by now. */
  connections: { opened: number; closed: number };
  onRequest: (ex: Exchange) => void;
  close(): Promise<void>;
}

/** Answer with a JSON body `{ server_id, status, url, body }` and an `x-server-id` header. */
export async function answer(up: ScriptedUpstream, ex: Exchange, status = 200, headers: Record<string, string> = {}): Promise<void> {
  const body = (await ex.body).toString();
  const text = JSON.stringify({ server_id: up.id, status, url: ex.req.url, body });
  if (ex.res.destroyed) return;
  ex.res.writeHead(status, { 'content-type': 'application/json', 'x-server-id': up.id, ...headers });
  ex.res.end(text);
}

export async function startScriptedUpstream(id: string): Promise<ScriptedUpstream> {
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    const body = new Promise<Buffer>((resolve) => {
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('close', () => resolve(Buffer.concat(chunks)));
    });
    const ex: Exchange = { req, res, remotePort: req.socket.remotePort ?? 0, chunks, body };
    up.exchanges.push(ex);
    up.onRequest(ex);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    up.connections.opened += 1;
    socket.once('close', () => {
      sockets.delete(socket);
      up.connections.closed += 1;
    });
  });
  // Keep idle connections longer than any test waits, so only the balancer closes them.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const up: ScriptedUpstream = {
    id,
    port,
    address: `127.0.0.1:${port}`,
    exchanges: [],
    connections: { opened: 0, closed: 0 },
    onRequest: (ex) => void answer(up, ex),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return up;
}
