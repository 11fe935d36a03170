import type { IncomingHttpHeaders } from 'node:http';
import { headerValue, type ClientInfo } from './forwarded.js';
import { decodePath, type RequestTarget } from './request-target.js';

/**
 * NGINX-style key templates (`hash $cookie_session consistent;`, `limit_req_zone $binary_remote_addr`):
 * literals mixed with `$name` / `${name}` variables, compiled once into a list of getters.
 *
 * Variables: $remote_addr and $binary_remote_addr (both the real client address as text, after
 * trusted-proxy resolution, like NGINX after realip), $request_uri (raw path + query), $uri
 * (decoded, normalised path), $args / $query_string (raw query), $is_args, $host (Host header,
 * lowercased, port removed), $scheme, $request_method, $http_<name> (dashes written as
 * underscores), $cookie_<name> and $arg_<name> (raw values, names case-insensitive like NGINX).
 * A missing value is the empty string. Unknown variables throw at compile time (NGINX refuses
 * to start on them too).
 */

export interface KeyRequest {
  headers: IncomingHttpHeaders;
  url?: string | undefined;
  method?: string | undefined;
}

export type HashKeyFn = (req: KeyRequest, info: ClientInfo, url: RequestTarget) => string;
type Getter = HashKeyFn;

export const HASH_KEY_ERRORS = { HASH_KEY_INVALID: 'HASH_KEY_INVALID' } as const;

export class HashKeyError extends Error {
  readonly code = HASH_KEY_ERRORS.HASH_KEY_INVALID;
  constructor(
    readonly template: string,
    detail: string,
  ) {
    super(`hash key ${JSON.stringify(template)}: ${detail}`);
    this.name = 'HashKeyError';
  }
}

function header(headers: IncomingHttpHeaders, name: string): string {
  return headerValue(headers, name) ?? '';
}

/** First `name=value` pair in a `sep`-separated list, name compared case-insensitively. */
export function findPair(list: string, sep: string, name: string): string {
  const wanted = name.toLowerCase();
  for (const part of list.split(sep)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim().toLowerCase() === wanted) return part.slice(eq + 1).trim();
  }
  return '';
}

function rawQuery(req: KeyRequest, url: RequestTarget): string {
  const raw = req.url ?? '';
  const q = raw.indexOf('?');
  return q >= 0 ? raw.slice(q + 1) : url.search.slice(1);
}

const SIMPLE: Record<string, Getter> = {
  remote_addr: (_req, info) => info.clientIp,
  binary_remote_addr: (_req, info) => info.clientIp,
  request_uri: (req, _info, url) => req.url ?? url.pathname + url.search,
  uri: (_req, _info, url) => decodePath(url.pathname),
  args: (req, _info, url) => rawQuery(req, url),
  query_string: (req, _info, url) => rawQuery(req, url),
  is_args: (req, _info, url) => (rawQuery(req, url) === '' ? '' : '?'),
  host: (req) => hostOf(req.headers),
  scheme: (_req, info) => info.proto,
  request_method: (req) => req.method ?? '',
};

function hostOf(headers: IncomingHttpHeaders): string {
  const raw = (header(headers, 'host') || header(headers, ':authority')).toLowerCase();
  if (raw.startsWith('[')) return raw.slice(0, raw.indexOf(']') + 1);
  const colon = raw.indexOf(':');
  return colon >= 0 ? raw.slice(0, colon) : raw;
}

function prefixed(name: string): Getter | null {
  if (name.startsWith('http_') && name.length > 5) {
    const h = name.slice(5).toLowerCase().replaceAll('_', '-');
    return (req) => header(req.headers, h);
  }
  if (name.startsWith('cookie_') && name.length > 7) {
    const c = name.slice(7);
    return (req) => findPair(header(req.headers, 'cookie'), ';', c);
  }
  if (name.startsWith('arg_') && name.length > 4) {
    const a = name.slice(4);
    return (req, _info, url) => findPair(rawQuery(req, url), '&', a);
  }
  return null;
}

const VARIABLE = /\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g;

function variable(template: string, name: string): Getter {
  const getter = SIMPLE[name.toLowerCase()] ?? prefixed(name);
  if (getter === null) throw new HashKeyError(template, `unknown variable $${name}`);
  return getter;
}

/** Compile a key template once; the returned function builds the key for a request. */
export function compileHashKey(template: string): HashKeyFn {
  const parts: (string | Getter)[] = [];
  let last = 0;
  for (const m of template.matchAll(VARIABLE)) {
    if (m.index > last) parts.push(template.slice(last, m.index));
    parts.push(variable(template, m[1] ?? m[2] ?? ''));
    last = m.index + m[0].length;
  }
  const tail = template.slice(last);
  if (tail.length > 0) parts.push(tail);
  for (const p of parts) {
    if (typeof p === 'string' && p.includes('$')) throw new HashKeyError(template, `invalid variable near "${p}"`);
  }
  if (parts.length === 1 && typeof parts[0] === 'function') return parts[0];
  return (req, info, url) => {
    let key = '';
    for (const p of parts) key += typeof p === 'string' ? p : p(req, info, url);
    return key;
  };
}
