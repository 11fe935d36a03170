/**
 * What node:http's parser refuses before a route runs gets the replica's JSON error format with a
 * stable code and `server_id` (Fastify's default answered `{"error","message","statusCode"}`):
 * the head smuggling vectors, an oversized head, then the replica serves on.
 */
import { maxHeaderSize } from 'node:http';
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { clientErrorCode } from '../src/plugins/errors.js';
import { fakeTextBackend } from './fake-backend.js';
import { listen, testConfig } from './helpers.js';

function exchange(port: number, payload: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let raw = '';
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (raw += chunk));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(raw);
    });
    socket.on('error', () => undefined);
    socket.write(payload);
  });
}

describe('malformed requests refused by the HTTP parser', () => {
  let app: FastifyInstance;
  let port: number;
  beforeAll(async () => {
    app = await buildApp({ config: testConfig({ serverId: 'parser' }), backend: fakeTextBackend() });
    port = Number(new URL(await listen(app)).port);
  });
  afterAll(async () => {
    await app.close();
  });

  it.each([
    ['Content-Length with Transfer-Encoding', 'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400, 'BAD_REQUEST'],
    ['two different Content-Lengths', 'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}', 400, 'BAD_REQUEST'],
    ['obs-fold', 'GET /health HTTP/1.1\r\nHost: x\r\nX-A: b\r\n c\r\n\r\n', 400, 'BAD_REQUEST'],
    ['a NUL in a value', 'GET /health HTTP/1.1\r\nHost: x\r\nX-A: b\x00c\r\n\r\n', 400, 'BAD_REQUEST'],
    ['a head over 16 KiB', `GET /health HTTP/1.1\r\nHost: x\r\nX-A: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'HEADERS_TOO_LARGE'],
  ])('%s: its status and code as JSON, the connection closed', async (_name, payload, status, code) => {
    const raw = await exchange(port, payload);
    const [head = '', body = ''] = raw.split('\r\n\r\n');
    expect(head.split('\r\n')[0]).toBe(`HTTP/1.1 ${status} ${status === 400 ? 'Bad Request' : 'Request Header Fields Too Large'}`);
    expect(head.toLowerCase()).toContain('content-type: application/json');
    expect(head.toLowerCase()).toContain('connection: close');
    expect(head.toLowerCase()).toContain('x-server-id: parser');
    expect(JSON.parse(body)).toMatchObject({ code, server_id: 'parser', message: expect.any(String) });
    if (code === 'HEADERS_TOO_LARGE') expect(JSON.parse(body).message).toContain(`${maxHeaderSize} bytes`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`);
    expect(ok.status).toBe(200);
  });

  it('CONNECT (node:http used to close it unanswered) gets the 404 NOT_FOUND of any unknown route', async () => {
    const raw = await exchange(port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    const [head = '', body = ''] = raw.split('\r\n\r\n');
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 404 Not Found');
    expect(JSON.parse(body)).toEqual({ code: 'NOT_FOUND', message: 'route CONNECT example.com:443 not found', server_id: 'parser' });
  });

  it("maps node:http's codes: 431 for an oversized head, 408 for a slow one, 400 for the rest", () => {
    expect(clientErrorCode({ code: 'HPE_HEADER_OVERFLOW' })).toBe('HEADERS_TOO_LARGE');
    expect(clientErrorCode({ code: 'ERR_HTTP_REQUEST_TIMEOUT' })).toBe('REQUEST_TIMEOUT');
    expect(clientErrorCode({ code: 'HPE_HEADERS_TIMEOUT' })).toBe('REQUEST_TIMEOUT');
    expect(clientErrorCode({ code: 'HPE_INVALID_TRANSFER_ENCODING' })).toBe('BAD_REQUEST');
    expect(clientErrorCode({})).toBe('BAD_REQUEST');
  });
});
