/** One upstream server: an object or an NGINX `server` line, with NGINX's defaults. */
import { isIP } from 'node:net';
import { z } from 'zod';
import { isPlainObject } from '../objects.js';
import { tokenizeServerLine } from '../server-line.js';
import type { Parsed } from '../units.js';
import { duration, isHostname, nonNegativeInt, positiveInt, strict } from './fields.js';

/** NGINX's port when a server address has none. */
export const DEFAULT_SERVER_PORT = 80;

const ADDRESS_HINT = 'must be "host:port" (IPv6 in brackets: "[::1]:8000")';

function joinHostPort(host: string, portText: string | undefined): Parsed<string> {
  const port = portText === undefined ? DEFAULT_SERVER_PORT : Number(portText);
  if (portText !== undefined && (!/^\d+$/.test(portText) || port < 1 || port > 65535)) {
    return { ok: false, message: 'port must be an integer 1..65535' };
  }
  return { ok: true, value: `${host.includes(':') ? `[${host}]` : host}:${port}` };
}

/** Normalizes `host[:port]` / `[v6][:port]` to `host:port` (port 80 when omitted, as NGINX). */
export function normalizeAddress(address: string): Parsed<string> {
  const bracketed = /^\[([^\]]+)\](?::([^:]*))?$/.exec(address);
  if (bracketed) {
    const host = bracketed[1] ?? '';
    return isIP(host) === 6 ? joinHostPort(host, bracketed[2]) : { ok: false, message: ADDRESS_HINT };
  }
  const parts = address.split(':');
  if (parts.length > 2) return { ok: false, message: ADDRESS_HINT };
  const [host = '', portText] = parts;
  if (isIP(host) !== 4 && !isHostname(host)) return { ok: false, message: ADDRESS_HINT };
  return joinHostPort(host, portText);
}

const address = z.string().transform((value, ctx) => {
  const result = normalizeAddress(value.trim());
  if (result.ok) return result.value;
  ctx.addIssue({ code: 'custom', message: result.message });
  return z.NEVER;
});

/** ServerEntry in object form; defaults are NGINX's (weight=1 max_fails=1 fail_timeout=10s). */
export const serverObjectSchema = strict({
  address,
  weight: positiveInt.default(1),
  maxFails: nonNegativeInt.default(1),
  failTimeoutMs: duration().default(10_000),
  backup: z.boolean().default(false),
  down: z.boolean().default(false),
  maxConns: nonNegativeInt.default(0),
  slowStartMs: duration().default(0),
});

const ENTRY_HINT = 'must be a server line like "host:port weight=2" or an object with an address';

/** A server line string or an object, both validated by serverObjectSchema. */
export const serverEntrySchema = z
  .unknown()
  .transform((input, ctx) => {
    if (isPlainObject(input)) return input;
    if (typeof input !== 'string') {
      ctx.addIssue({ code: 'custom', message: ENTRY_HINT });
      return z.NEVER;
    }
    const line = tokenizeServerLine(input);
    if (line.ok) return line.raw;
    for (const message of line.problems) ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  })
  .pipe(serverObjectSchema);

export type ServerEntry = z.output<typeof serverEntrySchema>;
