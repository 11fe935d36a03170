import fc from 'fast-check';

/**
 * fast-check request heads for the fuzz tests (`hardening-fuzz`, `engine-fuzz`): mostly
 * well-formed parts, sometimes odd, rarely junk, plus clean requests with valid framing.
 */
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
export const request = fc.oneof(clean, messy);

export type Req = typeof request extends fc.Arbitrary<infer T> ? T : never;

export function serialise(r: Req): string {
  const lines = [`${r.method} ${r.target}${r.version === '' ? '' : ` ${r.version}`}`];
  if (r.host) lines.push('Host: fuzz.example');
  for (const [name, value, sep] of r.headers) lines.push(`${name}${sep}${value}`);
  if (r.fold && lines.length > 1) lines.push(' folded');
  return `${lines.join(r.eol)}${r.eol}${r.eol}${r.body}`;
}

