import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { createRequestParser } from '../../src/engine/request-parser.js';

/**
 * How a byte stream of HTTP/1.1 requests is framed: every message (method, target, body,
 * whether it completed, whether it asked for an upgrade) and the parse error that stopped the
 * stream. Read two ways, so they can be compared: by a real `node:http` server over loopback
 * (its own parser, flags and checks, with Host and Expect checks off: those are the balancer's
 * rules, not framing) and by the engine's `request-parser.ts`.
 */
export interface FramedMessage {
  method: string;
  url: string;
  body: string;
  complete: boolean;
  upgrade: boolean;
}

export interface Framing {
  messages: FramedMessage[];
  error: string | null;
}

export const MAX_HEADER_SIZE = 4096;

export interface NodeFramer {
  frame(bytes: Buffer): Promise<Framing>;
  close(): Promise<void>;
}

/** A node:http server that records what it framed from each connection. */
export async function startNodeFramer(): Promise<NodeFramer> {
  const results = new Map<number, Framing>();
  const of = (socket: net.Socket): Framing => {
    const key = socket.remotePort ?? 0;
    let r = results.get(key);
    if (r === undefined) results.set(key, (r = { messages: [], error: null }));
    return r;
  };
  const server = http.createServer({ requireHostHeader: false, maxHeaderSize: MAX_HEADER_SIZE }, (req, res) => {
    const m: FramedMessage = { method: req.method ?? '', url: req.url ?? '', body: '', complete: false, upgrade: false };
    of(req.socket).messages.push(m);
    req.setEncoding('latin1');
    req.on('data', (c: string) => (m.body += c));
    req.on('end', () => {
      m.complete = true;
      res.writeHead(200, { 'content-length': '0' });
      res.end();
    });
  });
  server.on('checkExpectation', (req: http.IncomingMessage, res: http.ServerResponse) => server.emit('request', req, res));
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
    of(socket).messages.push({ method: req.method ?? '', url: req.url ?? '', body: '', complete: true, upgrade: true });
    socket.destroy();
  });
  server.on('connect', (req: http.IncomingMessage, socket: net.Socket) => {
    of(socket).messages.push({ method: req.method ?? '', url: req.url ?? '', body: '', complete: true, upgrade: true });
    socket.destroy();
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: net.Socket) => {
    of(socket).error = err.code ?? 'UNKNOWN';
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    frame: (bytes) =>
      new Promise((resolve, reject) => {
        const client = net.connect(port, '127.0.0.1', () => client.end(bytes));
        let localPort = 0;
        client.on('connect', () => (localPort = client.localPort ?? 0));
        client.on('data', () => undefined);
        client.on('error', () => undefined); // a reset after a parse error: the server side has recorded it
        client.on('close', () => {
          // The server records on its own socket's events; its close follows ours by a turn at most.
          setImmediate(() => {
            const r = results.get(localPort) ?? { messages: [], error: null };
            results.delete(localPort);
            resolve(r);
          });
        });
        client.setTimeout(5000, () => reject(new Error('node:http neither answered nor closed within 5 s')));
      }),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The engine's framing of the same bytes, fed in pieces of `split` bytes (0 = at once), then EOF. */
export function engineFraming(bytes: Buffer, split = 0): Framing {
  const out: Framing = { messages: [], error: null };
  let current: FramedMessage | undefined;
  let stopped = false;
  const parser = createRequestParser(
    {
      onHead: (h) => {
        current = { method: h.method, url: h.url, body: '', complete: false, upgrade: h.upgrade || h.method === 'CONNECT' };
        out.messages.push(current);
        if (current.upgrade) {
          current.complete = true;
          stopped = true; // the engine splices after an upgrade head: nothing more is HTTP
        }
      },
      onBody: (chunk) => {
        // After an upgrade head the engine takes the bytes raw (its CL body, then the tunnel), as node's 'upgrade' does.
        if (current !== undefined && !current.upgrade) current.body += chunk.toString('latin1');
      },
      onComplete: () => {
        if (current !== undefined) current.complete = true;
      },
    },
    MAX_HEADER_SIZE,
  );
  const step = split > 0 ? split : bytes.length;
  for (let i = 0; i < bytes.length && !stopped; i += step) {
    const failure = parser.execute(bytes.subarray(i, i + step));
    if (failure !== undefined) {
      out.error = failure.code;
      stopped = true;
    }
  }
  if (!stopped) out.error = parser.finish()?.code ?? null;
  parser.close();
  return out;
}
