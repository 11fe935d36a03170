/**
 * The ketama ring of NGINX `hash $key consistent` (ngx_http_upstream_init_chash),
 * compatible with Cache::Memcached::Fast:
 *
 * - each peer contributes `weight * 160` points; the server string (the configured
 *   name, shared by every address a name resolved to) is split into host and port at
 *   the last `:` followed only by digits (`unix:` paths have no port);
 * - `base = crc32_update(init, host ‖ "\0" ‖ port)`, then point j is
 *   `crc32_final(crc32_update(base, prev_hash as 4 little-endian bytes))`, prev_hash
 *   starting at 0 and becoming each point's hash in turn;
 * - points are sorted by hash and duplicates (same hash) dropped, keeping the first.
 *
 * Lookup (ngx_http_upstream_find_chash_point) is a binary search for the first point
 * with hash >= crc32(key); the index may equal the point count and wraps modulo it.
 */
import { CRC32_INIT, crc32Final, crc32Update, utf8 } from '../crc32.js';

export const KETAMA_POINTS_PER_WEIGHT = 160;

export interface RingPoint {
  hash: number;
  server: string;
}

export interface RingServer {
  server: string;
  weight: number;
}

/** Split `host:port` the way NGINX does for ring points. */
export function splitServer(server: string): { host: string; port: string } {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: a shorter string's slice cannot equal "unix:"
  if (server.length >= 5 && server.slice(0, 5).toLowerCase() === 'unix:') {
    return { host: server.slice(5), port: '' };
  }
  // Stryker disable next-line EqualityOperator: one step further reads charAt(-1) = "", which breaks like any non-digit
  for (let j = 0; j < server.length; j++) {
    const c = server.charAt(server.length - j - 1);
    if (c === ':') return { host: server.slice(0, server.length - j - 1), port: server.slice(server.length - j) };
    if (c < '0' || c > '9') break;
  }
  return { host: server, port: '' };
}

function serverPoints(server: string, weight: number): RingPoint[] {
  const { host, port } = splitServer(server);
  const base = crc32Update(crc32Update(crc32Update(CRC32_INIT, utf8(host)), new Uint8Array([0])), utf8(port));
  const prev = new Uint8Array(4);
  const view = new DataView(prev.buffer);
  const points: RingPoint[] = [];
  for (let j = 0; j < weight * KETAMA_POINTS_PER_WEIGHT; j++) {
    const hash = crc32Final(crc32Update(base, prev));
    points.push({ hash, server });
    view.setUint32(0, hash, true);
  }
  return points;
}

export function buildRing(servers: readonly RingServer[]): RingPoint[] {
  const all = servers.flatMap((s) => serverPoints(s.server, s.weight));
  // Array.prototype.sort is stable: among equal hashes the first-built point stays first.
  all.sort((a, b) => a.hash - b.hash);
  const ring: RingPoint[] = [];
  for (const point of all) {
    if (ring.length === 0 || (ring[ring.length - 1] as RingPoint).hash !== point.hash) ring.push(point);
  }
  return ring;
}

/** Index of the first point with `hash >= value` (may be `ring.length`). */
export function findPoint(ring: readonly RingPoint[], value: number): number {
  let i = 0;
  let j = ring.length;
  while (i < j) {
    const k = (i + j) >>> 1;
    const hash = (ring[k] as RingPoint).hash;
    if (value > hash) {
      i = k + 1;
      continue;
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: ring hashes are unique, so narrowing on equality (`<=`, or always) ends at the same index
    if (value < hash) j = k;
    else return k;
  }
  return i;
}
