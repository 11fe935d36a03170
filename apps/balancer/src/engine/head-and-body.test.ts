import type { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { socketPair, type SocketPair } from '../../test/helpers/socket-pair.js';
import { waitFor } from '../../test/helpers/wait.js';
import { EngineResponse } from './client/response.js';
import { headAndBody, ONE_WRITE_MAX } from './head-and-body.js';
import { writeBody } from './upstream/body-writer.js';
import { serialiseHead } from './upstream/request-head.js';

/**
 * A head and a small body leave in one `socket.write` of one buffer (not two corked writes), on
 * both sides of the engine: the upstream request (`body-writer.ts`) and the client response
 * (`client/response.ts`); a larger body is not copied. Real loopback sockets; what the peer
 * reads is byte for byte the head then the body.
 */

let pair: SocketPair | undefined;
afterEach(() => pair?.close());

function received(s: Socket): () => string {
  let text = '';
  s.on('data', (c: Buffer) => (text += c.toString('latin1')));
  return () => text;
}

const writes = (s: Socket) => vi.spyOn(s, 'write');

describe('headAndBody', () => {
  it('is the head\'s latin1 bytes then the body', () => {
    expect(headAndBody('GET / HTTP/1.1\r\nx: \xe9\r\n\r\n', Buffer.from('body')).toString('latin1')).toBe('GET / HTTP/1.1\r\nx: \xe9\r\n\r\nbody');
  });
});

describe('one write per small message', () => {
  it('upstream request: the head and a buffered body in one write; a body over ONE_WRITE_MAX is not copied into it', async () => {
    pair = await socketPair();
    const got = received(pair.server);
    const spy = writes(pair.client);
    const body = Buffer.from('{"text":"hello"}');
    const head = serialiseHead('POST', '/predict', { 'content-type': 'application/json' }, { kind: 'buffer', length: body.length }, 'peer:1');
    expect(writeBody(pair.client, head, body, () => undefined).finished).toBe(true);
    expect(spy).toHaveBeenCalledTimes(1);
    const expected = `${head.head}${body.toString()}`;
    await waitFor(() => got() === expected);

    spy.mockClear();
    const big = Buffer.alloc(ONE_WRITE_MAX + 1, 'a');
    const bigHead = serialiseHead('POST', '/', {}, { kind: 'buffer', length: big.length }, 'peer:1');
    writeBody(pair.client, bigHead, big, () => undefined);
    expect(spy.mock.calls.map((c) => c[0])).toEqual([bigHead.head, big]);
    await waitFor(() => got().length === expected.length + bigHead.head.length + big.length);
  });

  it('client response: the head goes out with the first body bytes of a Content-Length response in one write', async () => {
    pair = await socketPair();
    const got = received(pair.client);
    const spy = writes(pair.server);
    const res = new EngineResponse(pair.server, { responseDone: () => undefined }, { method: 'GET', http11: true, keepAlive: true, keepAliveSeconds: 0 });
    res.writeHead(200, { 'content-length': '5', date: 'x' });
    expect(spy).not.toHaveBeenCalled();
    expect(res.write(Buffer.from('hello'))).toBe(true);
    res.end();
    expect(spy).toHaveBeenCalledTimes(1);
    await waitFor(() => got() === 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\ndate: x\r\nconnection: keep-alive\r\n\r\nhello');
  });
});
