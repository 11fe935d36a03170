import { BlockList, isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import type { BalancerConfig } from '@fleet/config';

/**
 * Client identity behind trusted proxies, NGINX `ngx_http_realip_module` semantics:
 * `set_real_ip_from` = `trustedProxies`, `real_ip_header` = `realIpHeader`, and
 * `real_ip_recursive on` (always): when the socket peer is trusted, the header's address list
 * is walked right to left, skipping trusted addresses; the first untrusted one is the client
 * (if every hop is trusted, the leftmost parsable one). An untrusted peer's headers are
 * ignored entirely, so a client cannot spoof its address (or its ip_hash bucket).
 * IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) are normalised to IPv4 on both sides.
 */

export interface ClientInfo {
  /** The real client: from `realIpHeader` only when the socket peer is trusted. */
  clientIp: string;
  /** The socket peer. */
  remoteAddr: string;
  proto: 'http' | 'https';
  host: string;
}

/** What these functions read from a request (node:http IncomingMessage and HTTP/2 compat fit). */
export interface RequestLike {
  headers: IncomingHttpHeaders;
  socket: { remoteAddress?: string | undefined } | null;
}

export type ForwardingOptions = Pick<BalancerConfig, 'trustedProxies' | 'realIpHeader'>;

export interface Forwarding {
  /** Whether the socket peer is a trusted proxy (whose X-Forwarded-*, X-Request-Id, traceparent count). */
  peerTrusted(req: RequestLike): boolean;
  clientInfo(req: RequestLike, tls: boolean): ClientInfo;
  headersFor(req: RequestLike, info: ClientInfo): Record<string, string>;
}

export const FORWARDED_ERRORS = { TRUSTED_PROXY_INVALID: 'TRUSTED_PROXY_INVALID' } as const;

export class ForwardedConfigError extends Error {
  readonly code = FORWARDED_ERRORS.TRUSTED_PROXY_INVALID;
  constructor(readonly entry: string) {
    super(`trustedProxies: not an IP address or CIDR: ${JSON.stringify(entry)}`);
    this.name = 'ForwardedConfigError';
  }
}

const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** `::ffff:1.2.3.4` → `1.2.3.4`; strips an IPv6 zone id; other strings unchanged. */
export function normalizeIp(address: string): string {
  const mapped = MAPPED_V4.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  const zone = address.indexOf('%');
  return zone > 0 && address.includes(':') ? address.slice(0, zone) : address;
}

function familyOf(address: string): 'ipv4' | 'ipv6' | null {
  const v = isIP(address);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : null;
}

function addTrusted(list: BlockList, entry: string): void {
  // Stryker disable next-line StringLiteral: split always yields a first element, so the default is never used
  const [rawAddr = '', rawPrefix, ...rest] = entry.trim().split('/');
  const mapped = /^::ffff:0:0$/i.test(rawAddr) ? '0.0.0.0' : normalizeIp(rawAddr);
  const family = familyOf(mapped);
  if (family === null || rest.length > 0) throw new ForwardedConfigError(entry);
  if (rawPrefix === undefined) {
    list.addAddress(mapped, family);
    return;
  }
  if (!/^\d{1,3}$/.test(rawPrefix)) throw new ForwardedConfigError(entry);
  // An IPv4-mapped IPv6 CIDR (::ffff:a.b.c.d/120, ::ffff:0:0/96) is its IPv4 CIDR (prefix − 96).
  const prefix = Number(rawPrefix) - (mapped !== rawAddr ? 96 : 0);
  if (prefix < 0 || prefix > (family === 'ipv4' ? 32 : 128)) throw new ForwardedConfigError(entry);
  list.addSubnet(mapped, prefix, family);
}

/**
 * One entry of an address list, NGINX `ngx_parse_addr_port` style: `1.2.3.4`, `1.2.3.4:5678`,
 * `2001:db8::1`, `[2001:db8::1]:443`. Anything else → null (the walk stops there).
 */
export function parseListAddress(entry: string): string | null {
  let s = entry.trim();
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    // Stryker disable next-line ConditionalExpression,EqualityOperator: index 0 is the '[' itself; without a ']' the tail check below returns null anyway
    if (close < 0) return null;
    const tail = s.slice(close + 1);
    if (tail !== '' && !/^:\d{1,5}$/.test(tail)) return null;
    s = s.slice(1, close);
  } else if (/^[\d.]+:\d{1,5}$/.test(s)) {
    s = s.slice(0, s.lastIndexOf(':'));
  }
  const ip = normalizeIp(s);
  return familyOf(ip) === null ? null : ip;
}

/** A header's value; repeated headers joined with `, ` (undefined when absent). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function firstToken(value: string | undefined): string {
  // Stryker disable next-line StringLiteral: split always yields a first element, so the last fallback is never used
  return (value ?? '').split(',')[0]?.trim() ?? '';
}

type IsTrusted = (ip: string) => boolean;

function trustTest(trustedProxies: readonly string[]): IsTrusted {
  if (trustedProxies.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of trustedProxies) addTrusted(list, entry);
  return (ip) => {
    const family = familyOf(ip);
    return family !== null && list.check(ip, family);
  };
}

/**
 * ngx_http_get_forwarded_addr_internal with recursion: starting at the (trusted) peer, take
 * entries from the right while the current address is trusted; an unparsable entry stops
 * the walk at the current address.
 */
export function realIpFrom(peer: string, list: string | undefined, isTrusted: IsTrusted): string {
  if (list === undefined) return peer;
  const entries = list.split(',');
  let addr = peer;
  // Stryker disable next-line ArithmeticOperator: indexes past the end read undefined → '' → skipped as blank
  for (let i = entries.length - 1; i >= 0; i--) {
    // Stryker disable next-line StringLiteral: i is always inside the array
    const entry = entries[i] ?? '';
    if (entry.trim() === '') continue; // NGINX skips separators and blanks
    if (!isTrusted(addr)) return addr;
    const parsed = parseListAddress(entry);
    if (parsed === null) return addr;
    addr = parsed;
  }
  return addr;
}

/** A `Forwarded` (RFC 7239) element for this hop; IPv6 nodes are quoted and bracketed. */
export function forwardedElement(info: ClientInfo): string {
  const node = info.remoteAddr.includes(':') ? `"[${info.remoteAddr}]"` : info.remoteAddr || 'unknown';
  const host = info.host !== '' && /^[\w.:[\]-]+$/.test(info.host) ? `;host=${info.host}` : '';
  return `for=${node};proto=${info.proto}${host}`;
}

/**
 * `Forwarded` under the same trust rule as `X-Forwarded-For`: a trusted peer's chain is kept and
 * this hop appended; anyone else's is replaced by this hop alone (a client cannot forge what
 * the upstream reads there). Added only when the request carried one, like the other rewrites
 * only touching what is there.
 */
function forwardedChain(incoming: string, info: ClientInfo): string {
  return incoming === '' ? forwardedElement(info) : `${incoming}, ${forwardedElement(info)}`;
}

export function createForwarding(options: ForwardingOptions): Forwarding {
  const isTrusted = trustTest(options.trustedProxies);
  const realIpHeader = options.realIpHeader.toLowerCase();

  const clientInfo = (req: RequestLike, tls: boolean): ClientInfo => {
    const remoteAddr = normalizeIp(req.socket?.remoteAddress ?? '');
    const peerTrusted = isTrusted(remoteAddr);
    const fromHeaders = (name: string): string => (peerTrusted ? firstToken(headerValue(req.headers, name)) : '');
    const clientIp = peerTrusted ? realIpFrom(remoteAddr, headerValue(req.headers, realIpHeader), isTrusted) : remoteAddr;
    const fwdProto = fromHeaders('x-forwarded-proto').toLowerCase();
    const proto = fwdProto === 'http' || fwdProto === 'https' ? fwdProto : tls ? 'https' : 'http';
    const host =
      fromHeaders('x-forwarded-host') || headerValue(req.headers, 'host') || headerValue(req.headers, ':authority') || '';
    return { clientIp, remoteAddr, proto, host };
  };

  const headersFor = (req: RequestLike, info: ClientInfo): Record<string, string> => {
    const trusted = isTrusted(info.remoteAddr);
    const incoming = trusted ? headerValue(req.headers, 'x-forwarded-for')?.trim() : undefined;
    const headers: Record<string, string> = {
      'x-forwarded-for': incoming ? `${incoming}, ${info.remoteAddr}` : info.remoteAddr,
      'x-forwarded-proto': info.proto,
      'x-real-ip': info.clientIp,
    };
    if (info.host !== '') headers['x-forwarded-host'] = info.host;
    const forwarded = headerValue(req.headers, 'forwarded');
    if (forwarded !== undefined) headers['forwarded'] = forwardedChain(trusted ? forwarded.trim() : '', info);
    return headers;
  };

  const peerTrusted = (req: RequestLike): boolean =>
    // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: with no trusted proxies isTrusted is false for every input, and '' or any non-address is never trusted
    options.trustedProxies.length > 0 && isTrusted(normalizeIp(req.socket?.remoteAddress ?? ''));

  return { peerTrusted, clientInfo, headersFor };
}
