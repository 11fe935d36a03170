import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { connectionTokens, requestHeadersForUpstream, responseHeadersForClient, responseHeadersFromRaw } from './headers.js';

/** Raw pairs joined as undici hands them to its handlers: lower-case names, repeats as arrays. */
function undiciHeaders(raw: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  }
  return out;
}

describe('hop-by-hop headers', () => {
  it.each([
    [undefined, []],
    ['close', ['close']],
    ['Keep-Alive, X-Foo ,,x-bar', ['keep-alive', 'x-foo', 'x-bar']],
    [['upgrade', 'X-A'], ['upgrade', 'x-a']],
  ])('Connection %j names %j', (value, names) => {
    expect([...connectionTokens(value as string | string[] | undefined)]).toEqual(names);
  });

  it('drops the fixed list, names from Connection, expect and HTTP/2 pseudo-headers from requests', () => {
    const out = requestHeadersForUpstream({
      host: 'api',
      connection: 'X-Secret',
      'x-secret': '1',
      'keep-alive': 'timeout=5',
      'proxy-authorization': 'Basic x',
      'proxy-connection': 'keep-alive',
      te: 'trailers',
      trailer: 'x',
      'transfer-encoding': 'chunked',
      upgrade: 'h2c',
      'http2-settings': 'AAA',
      expect: '100-continue',
      ':path': '/p',
      'x-keep': 'yes',
      cookie: 'a=1',
    });
    expect(out).toEqual({ host: 'api', 'x-keep': 'yes', cookie: 'a=1' });
  });

  it('takes host from :authority for HTTP/2 requests', () => {
    expect(requestHeadersForUpstream({ ':authority': 'api:8443', ':method': 'GET' })).toEqual({ host: 'api:8443' });
  });

  it('keeps end-to-end response headers (set-cookie arrays included) and strips hop-by-hop ones', () => {
    const out = responseHeadersForClient({
      'set-cookie': ['a=1', 'b=2'],
      'content-length': 10,
      connection: 'keep-alive, x-internal',
      'x-internal': 'y',
      'keep-alive': 'timeout=72',
      'x-server-id': 'server-1',
    });
    expect(out).toEqual({ 'set-cookie': ['a=1', 'b=2'], 'content-length': '10', 'x-server-id': 'server-1' });
  });
});

/** RFC 9110 §7.6.1's hop-by-hop fields plus the ones proxies also strip (Go's httputil list), as sent. */
const HOP_BY_HOP_NAMES = ['Connection', 'Keep-Alive', 'Proxy-Connection', 'Proxy-Authenticate', 'Proxy-Authorization', 'TE', 'Trailer', 'Transfer-Encoding', 'Upgrade', 'HTTP2-Settings'];

describe('responseHeadersFromRaw (the engine\'s response head)', () => {
  it.each([...HOP_BY_HOP_NAMES, 'X-Request-Id', ':status', 'X-Named'])('drops %s from both response paths alike (one rule)', (name) => {
    const raw = [name, 'v', 'Connection', 'x-named', 'X-End', 'e'];
    expect(responseHeadersFromRaw(raw)).toEqual({ 'x-end': 'e' });
    expect(responseHeadersForClient(undiciHeaders(raw))).toEqual({ 'x-end': 'e' });
  });

  it('drops hop-by-hop, Connection-named and x-request-id, keeps repeats as arrays in order', () => {
    const raw = ['Content-Type', 'text/plain', 'Connection', 'X-Hop, keep-alive', 'X-Hop', '1', 'Set-Cookie', 'a=1', 'Keep-Alive', 'timeout=5', 'set-cookie', 'b=2', 'X-Request-Id', 'up', 'Connection', 'x-two', 'X-Two', '2', 'Transfer-Encoding', 'chunked', 'X-Keep', 'k'];
    expect(responseHeadersFromRaw(raw)).toEqual({ 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'], 'x-keep': 'k' });
  });

  it('is responseHeadersForClient of the pairs joined as undici joins them, for any pairs', () => {
    const names = fc.constantFrom(...HOP_BY_HOP_NAMES, 'connection', 'X-A', 'x-a', 'X-B', 'Set-Cookie', 'X-Request-Id', 'Content-Length', 'Date', ':status');
    const values = fc.constantFrom('close', 'keep-alive', 'X-A', 'x-b, X-A', 'upgrade', '1', 'a=1', '', 'te');
    fc.assert(
      fc.property(fc.array(fc.tuple(names, values), { maxLength: 12 }), (pairs) => {
        const raw = pairs.flat();
        expect(Object.entries(responseHeadersFromRaw(raw))).toEqual(Object.entries(responseHeadersForClient(undiciHeaders(raw)))); // order too: it is the head's order
      }),
      { numRuns: 500 },
    );
  });
});
