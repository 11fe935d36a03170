import { describe, expect, it } from 'vitest';
import { startBackend } from './helpers/backend.js';
import { startTestBalancer } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';
import { rawExchange } from './helpers/raw-http.js';

/**
 * Issue 8, finding 8 (the balancer's items): request heads node:http lets through or answers
 * on its own, each answered like NGINX (or the RFC) in the documented JSON error format, and
 * the header rewrites that could be abused (`Connection: host`, a client's `Forwarded`).
 */
const f = useFixtures();

async function start(extra: Record<string, unknown> = {}): Promise<number> {
  f.backends = [await startBackend('s1')];
  f.balancer = await startTestBalancer({ upstreams: { default: { servers: [f.backends[0]?.address] } }, ...extra });
  return f.balancer.port;
}

const manyHeaders = Array.from({ length: 1200 }, (_, i) => `X-${i}: v\r\n`).join('');

describe('request heads answered by the balancer', () => {
  it.each([
    ['an HTTP/2.0 request line', 'GET / HTTP/2.0\r\nHost: x\r\n\r\n', 505, 'HTTP_VERSION_NOT_SUPPORTED'],
    ['an HTTP/0.9-style line', 'GET /\r\n\r\n', 400, 'BAD_REQUEST'],
    ['HTTP/1.1 without Host', 'GET / HTTP/1.1\r\n\r\n', 400, 'BAD_REQUEST'],
    ['two Host headers', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 400, 'BAD_REQUEST'],
    ['TRACE', 'TRACE / HTTP/1.1\r\nHost: x\r\n\r\n', 405, 'METHOD_NOT_ALLOWED'],
    ['CONNECT', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', 405, 'METHOD_NOT_ALLOWED'],
    ['an unknown Expect', 'POST / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\nContent-Length: 1\r\n\r\nx', 417, 'EXPECTATION_FAILED'],
    ['1200 header lines with a late Content-Length', `POST / HTTP/1.1\r\nHost: x\r\n${manyHeaders}Content-Length: 2\r\n\r\nhi`, 431, 'HEADERS_TOO_LARGE'],
    ['a 9000-byte request line (NGINX: 414 past its 8k header buffer)', `GET /${'a'.repeat(9000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 414, 'URI_TOO_LONG'],
    ['a malformed request line', 'GET / HTTP/1.2\r\nHost: x\r\n\r\n', 400, 'BAD_REQUEST'],
    ['a path above the root (NGINX: 400)', 'GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'BAD_REQUEST'],
    ['a %-encoded path above the root', 'GET /a/%2e%2e/%2E%2E/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'BAD_REQUEST'],
    ['HTTP/1.0 with Transfer-Encoding (RFC 9112 6.1, NGINX: 400)', 'POST /p HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n', 400, 'BAD_REQUEST'],
    // node:http destroys a PRI request's socket as soon as the handler returns (fuzz seed 1151906740)
    ['an HTTP/0.9-style PRI line', 'PRI /\r\nHost: fuzz.example\r\n\r\n', 400, 'BAD_REQUEST'],
    ['PRI on HTTP/1.1', 'PRI / HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'BAD_REQUEST'],
    // NGINX: 400 "client sent invalid host header"
    ['a Host with a slash', 'GET / HTTP/1.1\r\nHost: a/b\r\n\r\n', 400, 'BAD_REQUEST'],
    ['a Host with two dots in a row', 'GET / HTTP/1.1\r\nHost: a..b\r\n\r\n', 400, 'BAD_REQUEST'],
    ['a Host with a space', 'GET / HTTP/1.1\r\nHost: a b\r\n\r\n', 400, 'BAD_REQUEST'],
    ['an empty Host', 'GET / HTTP/1.1\r\nHost:\r\n\r\n', 400, 'BAD_REQUEST'],
    ['a Host that is only a port', 'GET / HTTP/1.1\r\nHost: :80\r\n\r\n', 400, 'BAD_REQUEST'],
    ['an invalid Host on HTTP/1.0', 'GET / HTTP/1.0\r\nHost: ..\r\n\r\n', 400, 'BAD_REQUEST'],
    // NGINX decodes %2F for its dot segments: 400 above the root; below it, refused rather than read two ways
    ['a path above the root through escaped slashes (NGINX: 400)', 'GET /a/..%2f..%2f..%2fetc/passwd HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'BAD_REQUEST'],
    ['a dot segment made with an escaped slash', 'GET /api/..%2Fadmin HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'BAD_REQUEST'],
  ])('%s: JSON error, never reaching the upstream', async (_name, request, status, code) => {
    const port = await start({ limits: { maxHeaderSize: 65_536 } });
    const answer = await rawExchange(port, request);
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toContain('application/json');
    expect(JSON.parse(answer.body)).toMatchObject({ code });
    expect(f.backends[0]?.hits).toBe(0);
  });

  it('OPTIONS * is answered here with Allow (it was forwarded as /*)', async () => {
    const port = await start();
    const answer = await rawExchange(port, 'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(answer.status).toBe(200);
    expect(answer.headers.allow).toContain('GET');
    expect(f.backends[0]?.hits).toBe(0);
  });

  it('OPTIONS * with a malformed message pipelined behind it: the 400 comes first, as in node:http', async () => {
    const port = await start();
    const answer = await rawExchange(port, 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n{"text":"x"}');
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'BAD_REQUEST' });
    expect(f.backends[0]?.hits).toBe(0);
  });

  it('a body that stalls gets the JSON 408 too', async () => {
    const port = await start({ limits: { requestTimeoutMs: 400, headersTimeoutMs: 400 } });
    const answer = await rawExchange(port, 'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc', { timeoutMs: 10_000 });
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'REQUEST_TIMEOUT' });
  });
});

describe('paths read as NGINX reads them, and forwarded as read', () => {
  it.each([
    // new URL('//admin/x', base) has host "admin" and path "/": it was forwarded as "/x"
    ['//admin/x', '/admin/x'],
    ['/a//b', '/a/b'],
    // the WHATWG parser reads "\\" as "/": this was forwarded as "/etc/passwd"
    ['/\\..\\..\\etc/passwd', '/%5C..%5C..%5Cetc/passwd'],
    ['/files/a%2Fb.txt?x=1', '/files/a%2Fb.txt?x=1'],
  ])('%s reaches the upstream as %s', async (target, forwarded) => {
    const port = await start();
    const answer = await rawExchange(port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(answer.status).toBe(200);
    expect((JSON.parse(answer.body) as { url: string }).url).toBe(forwarded);
  });

  it('a deny pattern on /admin also refuses //admin (slashes merged as NGINX merges them)', async () => {
    const port = await start({ limits: { deny: ['^/admin'] } });
    for (const target of ['/admin', '//admin', '///admin/x', '/./admin']) {
      const answer = await rawExchange(port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect({ target, status: answer.status }).toEqual({ target, status: 404 });
    }
    expect(f.backends[0]?.hits).toBe(0);
  });
});

describe('header rewrites', () => {
  it('Connection: host never strips Host', async () => {
    const port = await start();
    const answer = await rawExchange(port, 'GET /h HTTP/1.1\r\nHost: api.example\r\nConnection: host, close\r\n\r\n');
    expect((JSON.parse(answer.body) as { headers: Record<string, string> }).headers.host).toBe('api.example');
  });

  it('a client Forwarded header follows the X-Forwarded-For trust rules', async () => {
    const port = await start();
    const forged = await rawExchange(port, 'GET /f HTTP/1.1\r\nHost: api.example\r\nForwarded: for=203.0.113.9\r\nConnection: close\r\n\r\n');
    expect((JSON.parse(forged.body) as { headers: Record<string, string> }).headers.forwarded).toBe('for=127.0.0.1;proto=http;host=api.example');
    await f.balancer?.close(1000);
    f.balancer = await startTestBalancer({ upstreams: { default: { servers: [f.backends[0]?.address] } }, trustedProxies: ['127.0.0.1'] });
    const trusted = await rawExchange(f.balancer.port, 'GET /f HTTP/1.1\r\nHost: api.example\r\nForwarded: for=203.0.113.9\r\nConnection: close\r\n\r\n');
    expect((JSON.parse(trusted.body) as { headers: Record<string, string> }).headers.forwarded).toBe('for=203.0.113.9, for=127.0.0.1;proto=http;host=api.example');
  });
});
