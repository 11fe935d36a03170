import type { ClientHttp2Session } from 'node:http2';
import { afterAll, describe, expect, it } from 'vitest';
import { startBackend } from './helpers/backend.js';
import { startTestBalancer, testConfig } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';
import { h2Connect, h2Request } from './helpers/h2.js';
import { rawExchange } from './helpers/raw-http.js';
import { makeTestCert } from './helpers/tls.js';
import { waitFor } from './helpers/wait.js';

/**
 * Every listener enforces the head limits of `limits` (listener-limits.ts): the plain one, the
 * HTTPS one, and HTTP/1.1 on the HTTP/2 listener (which node:http2 left at node's defaults:
 * 16 KiB heads, a 60 s head timeout); HTTP/2 sessions get the equivalent.
 */
const f = useFixtures();
const tls = makeTestCert();
afterAll(() => tls.cleanup());

const limits = { maxHeaderSize: 2048, maxRequestLineSize: 1024, headersTimeoutMs: 400, requestTimeoutMs: 400, keepAliveTimeoutMs: 400 };

type Listener = 'plain (node)' | 'plain (engine)' | 'https' | 'http2 (HTTP/1.1)';

async function start(listener: Listener): Promise<number> {
  f.backends = [await startBackend('s1')];
  const plain = listener.startsWith('plain');
  const https = plain ? {} : { https: { port: 0, cert: tls.cert, key: tls.key, http2: listener !== 'https' } };
  const listen = plain ? { listen: { host: '127.0.0.1', port: 0, server: listener === 'plain (engine)' ? 'engine' : 'node' } } : {};
  f.balancer = await startTestBalancer({ upstreams: { default: { servers: [f.backends[0]?.address] } }, limits, ...listen, ...https });
  return (plain ? f.balancer.port : f.balancer.httpsPort) ?? 0;
}

const bigHead = `GET /big HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4000)}\r\n\r\n`;

describe.each<Listener>(['plain (node)', 'plain (engine)', 'https', 'http2 (HTTP/1.1)'])('HTTP/1.1 on the %s listener', (listener) => {
  const overTls = !listener.startsWith('plain');

  it('answers a request line over limits.maxRequestLineSize (within maxHeaderSize) with the JSON 414 and closes', async () => {
    const port = await start(listener);
    const answer = await rawExchange(port, `GET /${'a'.repeat(1100)} HTTP/1.1\r\nHost: x\r\n\r\n`, { tls: overTls });
    expect(answer.status).toBe(414);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'URI_TOO_LONG' });
    expect(answer.closed).toBe(true);
    expect(f.backends[0]?.hits).toBe(0);
    // A line of exactly the limit still passes (`GET /aaa… HTTP/1.1`, 1024 bytes without CRLF).
    const fits = `/${'a'.repeat(1024 - 'GET  HTTP/1.1'.length - 1)}`;
    expect((await rawExchange(port, `GET ${fits} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, { tls: overTls })).status).toBe(200);
  });

  it('answers a head over limits.maxHeaderSize with the JSON 431', async () => {
    const port = await start(listener);
    const answer = await rawExchange(port, bigHead, { tls: overTls });
    expect(answer.status).toBe(431);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'HEADERS_TOO_LARGE' });
    expect(f.backends[0]?.hits).toBe(0);
  });

  it('answers a head not finished within limits.headersTimeoutMs with the JSON 408 and closes', async () => {
    const port = await start(listener);
    const answer = await rawExchange(port, 'GET /slow HTTP/1.1\r\nHost: x\r\nX-Part', { tls: overTls, timeoutMs: 10_000 });
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'REQUEST_TIMEOUT' });
    expect(answer.closed).toBe(true);
  });
});

/** The balancer with an HTTP/2 listener and one client session to it (destroyed after the test). */
async function startSession(): Promise<ClientHttp2Session> {
  const session = h2Connect(await start('http2 (HTTP/1.1)'), tls.cert);
  f.cleanups.push(() => session.destroy());
  return session;
}

describe('HTTP/2 sessions', () => {
  it('answer a :path whose request line is over limits.maxRequestLineSize with the JSON 414', async () => {
    const session = await startSession();
    const long = await h2Request(session, { ':path': `/${'a'.repeat(1100)}` });
    expect(long.status).toBe(414);
    expect(JSON.parse(long.body)).toMatchObject({ code: 'URI_TOO_LONG' });
    expect(f.backends[0]?.hits).toBe(0);
  });

  it('answer an :authority NGINX calls invalid with the JSON 400, as a Host on HTTP/1', async () => {
    const session = await startSession();
    for (const authority of ['a..b', ':443', '.']) {
      const answer = await h2Request(session, { ':path': '/x', ':authority': authority });
      expect({ authority, status: answer.status, code: (JSON.parse(answer.body) as { code: string }).code }).toEqual({ authority, status: 400, code: 'BAD_REQUEST' });
    }
    expect((await h2Request(session, { ':path': '/x', ':authority': 'api.example:8443' })).status).toBe(200);
    expect(f.backends[0]?.hits).toBe(1);
  });

  it('answer a header list over limits.maxHeaderSize sent before the SETTINGS are acknowledged with the JSON 431', async () => {
    const session = await startSession();
    const first = await h2Request(session, { ':path': '/big', 'x-big': 'a'.repeat(4000) });
    expect(first.status).toBe(431);
    expect(JSON.parse(first.body)).toMatchObject({ code: 'HEADERS_TOO_LARGE' });
    expect(f.backends[0]?.hits).toBe(0);
  });

  it('advertise limits.maxHeaderSize in SETTINGS and refuse a longer list (RST_STREAM ENHANCE_YOUR_CALM); the session lives on', async () => {
    const session = await startSession();
    await new Promise((resolve) => session.once('remoteSettings', resolve));
    expect(session.remoteSettings.maxHeaderListSize).toBe(limits.maxHeaderSize);
    const refused = await h2Request(session, { ':path': '/big', 'x-big': 'a'.repeat(4000) }).catch((err: { rstCode?: number }) => err);
    expect(refused).toMatchObject({ rstCode: 11 });
    expect((await h2Request(session, { ':path': '/small' })).status).toBe(200);
    expect(f.backends[0]?.hits).toBe(1);
  });

  it('close a session that sends no request within limits.headersTimeoutMs', async () => {
    const session = await startSession();
    let closed = false;
    session.once('close', () => (closed = true));
    await waitFor(() => closed, { what: 'the idle session closed', timeoutMs: 10_000 });
  });

  it('close a session idle for limits.keepAliveTimeoutMs after its last stream', async () => {
    const session = await startSession();
    let goaway = false;
    session.once('goaway', () => (goaway = true));
    expect((await h2Request(session, { ':path': '/one' })).status).toBe(200);
    await waitFor(() => goaway && session.closed, { what: 'GOAWAY after the keep-alive timeout', timeoutMs: 10_000 });
  });

  it('keep a session whose stream is still in flight past both deadlines', async () => {
    const session = await startSession();
    const held = h2Request(session, { ':path': '/hold' });
    await waitFor(() => f.backends[0]?.hits === 1, { what: 'the held stream at the upstream' });
    // A second session, opened later and sending nothing, is closed by the first-request
    // deadline: by then the held session has outlived headersTimeoutMs (and keepAliveTimeoutMs).
    const idle = h2Connect(f.balancer?.httpsPort, tls.cert);
    f.cleanups.push(() => idle.destroy());
    let idleClosed = false;
    idle.once('close', () => (idleClosed = true));
    await waitFor(() => idleClosed, { what: 'the later idle session closed', timeoutMs: 10_000 });
    expect(session.closed).toBe(false);
    f.backends[0]?.releaseHeld();
    expect((await held).status).toBe(200);
  });

  it('take a reloaded limits.maxHeaderSize on both protocols of the listener', async () => {
    const port = await start('http2 (HTTP/1.1)');
    expect((await rawExchange(port, bigHead, { tls: true })).status).toBe(431);
    const https = { port: 0, cert: tls.cert, key: tls.key, http2: true };
    await f.balancer?.reload(testConfig({ upstreams: { default: { servers: [f.backends[0]?.address] } }, limits: { ...limits, maxHeaderSize: 8192 }, https }));
    expect((await rawExchange(port, bigHead, { tls: true })).status).toBe(200);
    const session = h2Connect(port, tls.cert);
    f.cleanups.push(() => session.destroy());
    await new Promise((resolve) => session.once('remoteSettings', resolve));
    expect(session.remoteSettings.maxHeaderListSize).toBe(8192);
    expect((await h2Request(session, { ':path': '/big', 'x-big': 'a'.repeat(4000) })).status).toBe(200);
  });
});
