import { once } from 'node:events';
import { Socket } from 'node:net';
import { socketPair, type SocketPair } from '../../../test/helpers/socket-pair.js';
import { waitFor } from '../../../test/helpers/wait.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createRequestParser } from '../request-parser.js';
import { SocketReader } from './socket-reader.js';

/**
 * The engine connection's reading of its client socket (llhttp consuming the handle), on real
 * loopback sockets: the handle reads only while nothing holds it (pipelining look-ahead) and the
 * socket is not paused (a body reader behind), and gives the socket back to its stream.
 */

const reading = (s: Socket): boolean => (s as unknown as { _handle: { reading: boolean } })._handle.reading;

let pair: SocketPair | undefined;
afterEach(() => pair?.close());

function reader(p: SocketPair) {
  let body = '';
  const parser = createRequestParser({ onHead: () => undefined, onBody: (c) => (body += c.toString()), onComplete: () => undefined }, 16384);
  const r = new SocketReader(p.server, parser, () => undefined);
  return { r, body: () => body, parser };
}

describe('engine SocketReader', () => {
  it('stops the handle while held; what the client sent meanwhile is parsed once the hold ends', async () => {
    pair = await socketPair();
    const { r, body } = reader(pair);
    pair.client.write('POST / HTTP/1.1\r\nContent-Length: 7\r\n\r\nabc');
    await waitFor(() => body() === 'abc');
    r.hold(true);
    expect(reading(pair.server)).toBe(false);
    expect((pair.server as unknown as { _paused: boolean })._paused).toBe(true); // IncomingMessage._read leaves it held
    pair.client.write('defg');
    const resumed = once(pair.server, 'resume');
    pair.server.resume(); // a reader resuming the socket does not lift the hold
    await resumed;
    expect(reading(pair.server)).toBe(false);
    expect(body()).toBe('abc');
    r.hold(false);
    await waitFor(() => body() === 'abcdefg');
  });

  it("stops the handle while the socket is paused (a body reader behind) and reads again on node's resume", async () => {
    pair = await socketPair();
    const { body } = reader(pair);
    pair.server.pause();
    expect(reading(pair.server)).toBe(false);
    pair.client.write('POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nok');
    pair.server.resume(); // what IncomingMessage._read does
    await waitFor(() => body() === 'ok');
    expect(reading(pair.server)).toBe(true);
  });

  it("resumes on a body's end a socket its reader paused, but not one held or given back (a socket read through 'data')", () => {
    const socket = new Socket(); // no stream handle: the hold is the socket's own pause
    const parser = createRequestParser({ onHead: () => undefined, onBody: () => undefined, onComplete: () => undefined }, 16384);
    const r = new SocketReader(socket, parser, () => undefined);
    socket.pause();
    r.bodyEnded();
    expect(socket.isPaused()).toBe(false);
    r.hold(true);
    r.bodyEnded();
    expect(socket.isPaused()).toBe(true);
    r.hold(false);
    r.release();
    socket.pause();
    r.bodyEnded();
    expect(socket.isPaused()).toBe(true);
    socket.destroy();
  });

  it('gives the socket back to its stream on release: data events, reading resumed by the stream', async () => {
    pair = await socketPair();
    const { r, body } = reader(pair);
    r.hold(true);
    r.release();
    expect((pair.server as unknown as { _paused: boolean })._paused).toBe(false);
    const seen: string[] = [];
    pair.server.on('data', (c: Buffer) => seen.push(c.toString()));
    pair.server.resume();
    pair.client.write('GET / HTTP/1.1\r\n\r\n');
    await waitFor(() => seen.length > 0);
    expect(seen.join('')).toBe('GET / HTTP/1.1\r\n\r\n');
    expect(body()).toBe('');
  });
});
