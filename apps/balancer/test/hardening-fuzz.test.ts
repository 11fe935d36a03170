import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Balancer } from '../src/app.js';
import { BALANCER_ERRORS } from '../src/errors.js';
import { startTestBalancer } from './helpers/balancer.js';
import { parseAnswer, rawExchange, type RawAnswer } from './helpers/raw-http.js';

/**
 * Issue 8: property-based fuzzing of request heads against the real server over raw sockets.
 * Any input gets a 2xx or a 4xx (or 505 for HTTP/2.0) with a stable JSON `code`: never a 5xx
 * the balancer caused, a crash or a hang
 * (client timeouts are 1 s, so a stalled request is a 408, not a wait). Differential with a
 * plain node:http server: what node rejects, the balancer never accepts.
 */
let balancer: Balancer;
let upstream: http.Server;
let plain: http.Server;
let plainPort = 0;

function okServer(): http.Server {
  return http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  upstream = okServer();
  const upstreamPort = await listen(upstream);
  plain = okServer();
  plain.headersTimeout = 1000;
  plain.requestTimeout = 1000;
  plainPort = await listen(plain);
  balancer = await startTestBalancer({
    upstreams: { default: { servers: [`127.0.0.1:${upstreamPort}`] } },
    limits: { headersTimeoutMs: 1000, requestTimeoutMs: 1000, maxHeaderSize: 4096 },
  });
});

afterAll(async () => {
  await balancer.close(1000);
  for (const s of [upstream, plain]) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

const token = fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}$/);
const junk = fc.string({ unit: fc.constantFrom('a', ' ', '\t', '\r', '\n', '\0', ':', '/', '%', '\x7f', 'é', '"', ',', ';', '='), maxLength: 12 });
/** Mostly well-formed parts, sometimes odd, rarely junk: most requests get past the parser. */
const mostly = <T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>, bad: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  fc.oneof({ arbitrary: usual, weight: 8 }, { arbitrary: odd, weight: 2 }, { arbitrary: bad, weight: 1 });
const method = mostly(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH'), fc.constantFrom('TRACE', 'CONNECT', 'get', 'PRI', 'PROPFIND'), fc.oneof(token, junk));
const target = mostly(
  fc.oneof(fc.constantFrom('/', '/predict', '/v2/models/m/infer', '/a?b=c'), fc.webPath().map((p) => p || '/')),
  fc.constantFrom('*', 'http://x/', '//x', '/..%2f..%2fetc', '/%zz', '/a?b=c#d', '/.env', '/a/./b/../c'),
  fc.oneof(fc.constantFrom('/a b', ''), junk.map((j) => `/${j}`)),
);
const version = mostly(fc.constantFrom('HTTP/1.1', 'HTTP/1.0'), fc.constantFrom('HTTP/2.0', 'HTTP/0.9', ''), fc.constantFrom('HTTP/1.2', 'HTTP/3', 'http/1.1', 'HTTP/1.1 x'));
const headerName = mostly(
  fc.constantFrom('Host', 'Content-Length', 'Transfer-Encoding', 'Connection', 'Upgrade', 'Expect', 'Forwarded', 'X-Forwarded-For', 'Accept', 'Content-Type'),
  fc.oneof(token, fc.constantFrom('TE', 'Keep-Alive', 'Trailer', 'Proxy-Connection', 'HTTP2-Settings')),
  junk,
);
const headerValue = mostly(
  fc.constantFrom('x', '0', '5', '12', 'chunked', 'close', 'keep-alive', 'upgrade', 'websocket', '100-continue', 'for=1.2.3.4', '1.2.3.4', 'application/json'),
  fc.constantFrom('-1', '1,1', '99999999999999999999', 'gzip, chunked', 'chunked, gzip', 'host', 'h2c', 'magic', ''),
  junk,
);
const header = fc.tuple(headerName, headerValue, mostly(fc.constant(': '), fc.constantFrom(':', ':\t'), fc.constant(' : ')));
const messy = fc.record({
  method,
  target,
  version,
  host: fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, { arbitrary: fc.constant(false), weight: 1 }),
  headers: fc.array(header, { maxLength: 6 }),
  eol: mostly(fc.constant('\r\n'), fc.constant('\r\n'), fc.constant('\n')),
  fold: fc.oneof({ arbitrary: fc.constant(false), weight: 12 }, { arbitrary: fc.constant(true), weight: 1 }),
  body: fc.constantFrom('', '', 'hello', '5\r\nhello\r\n0\r\n\r\n', '{"text":"x"}'),
});

/** Well-formed requests with varied, valid extras (so half the runs reach the proxy path). */
const cleanHeader = fc.oneof(
  fc.tuple(token.filter((t) => !/^(host|content-length|transfer-encoding|expect|upgrade|connection|te|trailer)$/i.test(t)), fc.stringMatching(/^[ -~]{0,20}$/).map((v) => v.trim())),
  fc.constantFrom<[string, string]>(['Connection', 'close'], ['Connection', 'keep-alive'], ['Connection', 'x-private, close'], ['Forwarded', 'for=198.51.100.7'], ['X-Forwarded-For', '198.51.100.7'], ['Accept', '*/*'], ['Expect', '100-continue']),
);
const clean = fc
  .record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH'),
    target: fc.oneof(fc.constantFrom('/', '/predict', '/v2/models/m/infer', '/a?b=c', '*'), fc.webPath().map((p) => p || '/')),
    version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0'),
    extra: fc.array(cleanHeader, { maxLength: 6 }),
    body: fc.constantFrom<['' | 'length' | 'chunked', string]>(['', ''], ['length', '{"text":"x"}'], ['chunked', 'hello']),
  })
  .map(({ method, target, version, extra, body: [framing, text] }) => {
    const headers: [string, string, string][] = extra.map(([n, v]) => [n, v, ': ']);
    if (framing === 'length') headers.push(['Content-Length', String(text.length), ': ']);
    if (framing === 'chunked' && version === 'HTTP/1.1') headers.push(['Transfer-Encoding', 'chunked', ': ']);
    const body = framing === 'length' ? text : framing === 'chunked' && version === 'HTTP/1.1' ? `${text.length.toString(16)}\r\n${text}\r\n0\r\n\r\n` : '';
    return { method, target, version, host: true, headers, eol: '\r\n', fold: false, body };
  });
const request = fc.oneof(clean, messy);

type Req = typeof request extends fc.Arbitrary<infer T> ? T : never;

function serialise(r: Req): string {
  const lines = [`${r.method} ${r.target}${r.version === '' ? '' : ` ${r.version}`}`];
  if (r.host) lines.push('Host: fuzz.example');
  for (const [name, value, sep] of r.headers) lines.push(`${name}${sep}${value}`);
  if (r.fold && lines.length > 1) lines.push(' folded');
  return `${lines.join(r.eol)}${r.eol}${r.eol}${r.body}`;
}

/** The first final (non-1xx) response; a HEAD answer is complete at its head. */
function finalAnswer(raw: string, closed: boolean): RawAnswer {
  let rest = raw;
  while (/^HTTP\/1\.[01] 1\d\d /.test(rest) && rest.includes('\r\n\r\n')) rest = rest.slice(rest.indexOf('\r\n\r\n') + 4);
  return parseAnswer(rest, closed);
}

function complete(raw: string, head: boolean): boolean {
  const a = finalAnswer(raw, false);
  if (a.status === 0 || !a.raw.includes('\r\n\r\n')) return false;
  if (head) return true;
  const length = a.headers['content-length'];
  return length !== undefined ? a.body.length >= Number(length) : a.raw.endsWith('0\r\n\r\n');
}

async function ask(port: number, r: Req): Promise<RawAnswer> {
  const head = r.method === 'HEAD';
  const answer = await rawExchange(port, serialise(r), { timeoutMs: 4000, until: (raw) => complete(raw, head) });
  return finalAnswer(answer.raw, answer.closed);
}

const CODES = new Set(Object.keys(BALANCER_ERRORS));

describe('request-head fuzzing through the real server', () => {
  it('answers every head with a 2xx or a JSON 4xx with a stable code; never 5xx, never a hang', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const answer = await ask(balancer.port, r);
        const where = `for ${JSON.stringify(serialise(r))}: ${JSON.stringify(answer.raw.slice(0, 200))}`;
        expect(answer.status, `no answer (hang or bare close) ${where}`).toBeGreaterThan(0);
        // 505 is the one client-caused 5xx (an HTTP/2.0 request line; NGINX answers the same).
        expect(answer.status < 300 || (answer.status >= 400 && answer.status < 500) || answer.status === 505, `status ${answer.status} ${where}`).toBe(true);
        if (answer.status >= 400 && r.method !== 'HEAD') {
          const body = JSON.parse(answer.body) as { code?: string };
          expect(CODES.has(String(body.code)), `code ${String(body.code)} ${where}`).toBe(true);
        }
      }),
      { numRuns: 250 },
    );
  });

  it('never accepts a head that plain node:http rejects', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const [node, ours] = await Promise.all([ask(plainPort, r), ask(balancer.port, r)]);
        if (node.status >= 400) expect(ours.status, `node said ${node.status}, balancer ${ours.status} for ${JSON.stringify(serialise(r))}`).toBeGreaterThanOrEqual(400);
      }),
      { numRuns: 250 },
    );
  });
});
