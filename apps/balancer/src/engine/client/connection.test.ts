import type { IncomingMessage } from 'node:http';
import { getDefaultHighWaterMark } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { socketPair, type SocketPair } from '../../../test/helpers/socket-pair.js';
import { waitFor } from '../../../test/helpers/wait.js';
import { ClientConnection, type ConnectionDeps } from './connection.js';
import type { EngineResponse } from './response.js';

/**
 * One engine connection on real loopback sockets (llhttp reading the accepted socket's handle),
 * with a handler the test drives: when it reads a request's body and when it answers.
 */
let pair: SocketPair | undefined;
afterEach(() => pair?.close());

function connection(p: SocketPair, handler: (req: IncomingMessage, res: EngineResponse) => void): ClientConnection {
  const deps: ConnectionDeps = {
    handler: handler as ConnectionDeps['handler'],
    handOff: () => false,
    adopt: () => undefined,
    clientError: (socket) => socket.destroy(),
    maxHeaderSize: 16384,
    timeouts: () => ({ headersTimeoutMs: 0, requestTimeoutMs: 0, keepAliveTimeoutMs: 0 }),
    closing: () => false,
    now: () => 1,
    socketError: () => undefined,
    onGone: () => undefined,
  };
  return new ClientConnection(p.server, deps);
}

describe('engine ClientConnection', () => {
  it("reads the next request after a body whose last bytes filled its reader's buffer (node:http's readStart on message complete)", async () => {
    // The body's reader is behind (a spool waiting for the disk, a slow upstream): the read
    // that ends the body fills the request's buffer, so the connection pauses the socket. Once the
    // body is ended, reading it never calls `_read` again, so nothing resumed the socket: the
    // next request on the connection sat unread until the keep-alive timeout reset it (the
    // ECONNRESET after 65 s seen under load in body-temp-path.test.ts).
    pair = await socketPair();
    const requests: IncomingMessage[] = [];
    connection(pair, (req, res) => {
      requests.push(req);
      if (req.method === 'GET') return void res.end('second');
      req.once('end', () => res.end('first'));
    });
    let answers = '';
    pair.client.on('data', (chunk: Buffer) => (answers += chunk.toString('latin1')));
    const hwm = getDefaultHighWaterMark(false); // the request's buffer (IncomingMessage's default)
    pair.client.write(`POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: ${hwm + 1}\r\n\r\na`);
    const req = await waitFor(() => requests[0], { what: 'the handler has the request' });
    pair.client.write(Buffer.alloc(hwm, 98)); // nobody reads yet: these bytes fill its buffer
    await waitFor(() => req.complete, { what: 'the whole body parsed' });
    expect(req.readableLength).toBe(hwm + 1);
    req.resume(); // the reader catches up; the body ends
    await waitFor(() => answers.includes('first'), { what: 'the first answer' });
    pair.client.write('GET /next HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor(() => answers.includes('second'), { what: 'the second request read and answered' });
    expect(requests.map((r) => r.url)).toEqual(['/up', '/next']);
  });
});
