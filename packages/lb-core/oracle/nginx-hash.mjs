#!/usr/bin/env node
// Independent oracle for the NGINX hash values the lb-core tests expect.
//
// Written from NGINX's C source (nginx/nginx, src/http/modules/), not from lb-core: it shares
// no code with src/ (its CRC-32 is zlib's, through node:zlib) and follows these lines:
//
// ngx_http_upstream_ip_hash_module.c
//   init_ip_hash_peer:  AF_INET: `iphp->addrlen = 3;` (first three octets); AF_INET6:
//                       `iphp->addrlen = 16;`; `iphp->hash = 89; iphp->tries = 0;`
//   get_ip_hash_peer:   `if (iphp->tries > 20 || iphp->rrp.peers->number < 2)` → round robin
//                       `hash = iphp->hash;` then `for ( ;; ) {`
//                       `  hash = (hash * 113 + iphp->addr[i]) % 6271;` for each address byte
//                       `  w = hash % iphp->rrp.peers->total_weight;`
//                       `  while (w >= peer->weight) { w -= peer->weight; peer = peer->next; p++; }`
//                       `  if (iphp->rrp.tried[n] & m) goto next;  if (peer->down) goto next;`
//                       `  next: if (++iphp->tries > 20) return iphp->get_rr_peer(...)`
//                       on a pick: `iphp->rrp.tried[n] |= m; iphp->hash = hash;` (a retry goes on
//                       from this hash)
// ngx_http_upstream_hash_module.c
//   get_hash_peer:      `if (hp->tries > 20 || hp->rrp.peers->single)` → round robin
//                       `ngx_crc32_init(hash); if (hp->rehash > 0) { ngx_sprintf(buf, "%ui",
//                       hp->rehash); ngx_crc32_update(&hash, buf, size); }`
//                       `ngx_crc32_update(&hash, hp->key.data, hp->key.len); ngx_crc32_final(hash);`
//                       `hash = (hash >> 16) & 0x7fff; hp->hash += hash; hp->rehash++;`
//                       `w = hp->hash % hp->rrp.peers->total_weight;` + the same weight walk,
//                       tried/down → `next: if (++hp->tries > 20)` → round robin
//   init_chash:         `npoints = peer->weight * 160;` host/port split: "unix:" prefix, else
//                       the last ':' followed only by digits; `ngx_crc32_init(base_hash);
//                       ngx_crc32_update(&base_hash, host, host_len); ngx_crc32_update(&base_hash,
//                       (u_char *) "", 1); ngx_crc32_update(&base_hash, port, port_len);`
//                       per point: `hash = base_hash; ngx_crc32_update(&hash, prev_hash.byte, 4);
//                       ngx_crc32_final(hash);` `prev_hash.value = hash;` (little endian)
//                       `ngx_qsort(...)` by hash, then duplicates dropped: `if (points->point[i].hash
//                       != points->point[j].hash) points->point[++i] = points->point[j];`
//   find_chash_point:   binary search for the first point with hash >= crc32(key)
//   init_chash_peer:    `hash = ngx_crc32_long(hp->key.data, hp->key.len);
//                       hp->hash = ngx_http_upstream_find_chash_point(hcf->points, hash);`
//   get_chash_peer:     `server = point[hp->hash % points->number].server;` the untried, not down
//                       peers of that server (smooth WRR among them); none → `hp->hash++;
//                       hp->tries++;` and the next point. A pick does not move hp->hash, so a
//                       retry starts at the same point, whose server is now tried.
//
// ngx_http_upstream_round_robin.c (the fallback of all three once `tries > 20`)
//   get_peer:           for each peer not tried and not down: `peer->current_weight +=
//                       peer->effective_weight; total += peer->effective_weight;` `if (best == NULL ||
//                       peer->current_weight > best->current_weight) best = peer;` then
//                       `best->current_weight -= total;` (the peers are fresh here: effective_weight
//                       = weight, so its `effective_weight++` step never runs)
//
// Only what the committed cases need is implemented: every peer is up unless listed in `down`
// and starts fresh (current_weight 0). A pick made by the round-robin fallback is reported as
// "round_robin:<peer>", and once a walk has fallen back, its later picks are round robin too
// (`if (hp->tries > 20 ...)` at the top of each get_*_peer).
//
// Usage: node packages/lb-core/oracle/nginx-hash.mjs > packages/lb-core/test/nginx-expected.json
import { isIPv4, isIPv6 } from 'node:net';
import { pathToFileURL } from 'node:url';
import { crc32 } from 'node:zlib';

const RR = 'round_robin';

/** Smooth WRR over fresh peers (get_peer); `state` keeps each peer's current_weight for the walk. */
function roundRobin(weights, down, tried, state) {
  let best;
  let total = 0;
  for (const [name, weight] of Object.entries(weights)) {
    if (tried.has(name) || down.includes(name)) continue;
    state[name] = (state[name] ?? 0) + weight;
    total += weight;
    if (best === undefined || state[name] > state[best]) best = name;
  }
  if (best === undefined) return undefined;
  state[best] -= total;
  return best;
}

/** sockaddr bytes as NGINX hashes them: 3 octets for IPv4, 16 bytes for IPv6. */
function addressBytes(ip) {
  if (isIPv4(ip)) return ip.split('.').slice(0, 3).map(Number);
  if (!isIPv6(ip)) throw new Error(`not an IP address: ${ip}`);
  const [head, tail = ''] = ip.split('::');
  const groups = (s) => (s === '' ? [] : s.split(':'));
  const left = groups(head);
  const right = ip.includes('::') ? groups(tail) : [];
  const all = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return all.flatMap((g) => {
    const v = parseInt(g, 16);
    return [v >> 8, v & 0xff];
  });
}

/** Peer index for a weight offset: `while (w >= peer->weight) { w -= peer->weight; p++; }`. */
function weightWalk(weights, w) {
  let p = 0;
  while (w >= weights[p]) {
    w -= weights[p];
    p++;
  }
  return p;
}

/**
 * The loop ip_hash and generic hash share (get_ip_hash_peer / get_hash_peer): `turn()` moves the
 * request's hash on by one loop turn and returns it; `w = hash % total_weight` walked over the
 * weights picks a peer; a tried or down peer costs a try, and past 20 tries the request goes
 * round robin. The running hash and the try count belong to the request, so a retry continues
 * the sequence (NGINX saves it on a pick: `iphp->hash = hash`) and past 20 tries stays round robin.
 */
function weightedWalk({ weights, down = [], n = 1 }, turn) {
  const names = Object.keys(weights);
  const w = Object.values(weights);
  const total = w.reduce((a, b) => a + b, 0);
  let tries = 0;
  return walkPicks(weights, down, n, (tried) => {
    while (tries <= 20 && names.length >= 2) {
      const name = names[weightWalk(w, turn() % total)];
      if (!tried.has(name) && !down.includes(name)) return name;
      tries++;
    }
    return undefined;
  });
}

/**
 * `n` picks of one request: `hashed(tried)` is the hash loop's pick, or undefined once the loop
 * has used up its 20 tries; then that pick and every later one are round robin's.
 */
function walkPicks(weights, down, n, hashed) {
  const tried = new Set();
  const picks = [];
  const rr = {};
  for (let k = 0; k < n; k++) {
    const hit = hashed(tried);
    const picked = hit ?? roundRobin(weights, down, tried, rr);
    if (picked === undefined) break;
    picks.push(hit === undefined ? `${RR}:${picked}` : picked);
    tried.add(picked);
  }
  return picks;
}

/** One request's walk of `n` picks with ip_hash (peer names in config order). */
export function ipHashWalk(c) {
  const bytes = addressBytes(c.client);
  let hash = 89;
  return weightedWalk(c, () => {
    for (const byte of bytes) hash = (hash * 113 + byte) % 6271;
    return hash;
  });
}

/** One request's walk of `n` picks with generic `hash $key`. */
export function hashWalk(c) {
  let hash = 0;
  let rehash = 0;
  return weightedWalk(c, () => {
    const text = rehash > 0 ? `${rehash}${c.key}` : c.key;
    hash = (hash + ((crc32(Buffer.from(text)) >>> 16) & 0x7fff)) >>> 0;
    rehash++;
    return hash;
  });
}

function splitServer(server) {
  if (server.length >= 5 && server.slice(0, 5).toLowerCase() === 'unix:') return [server.slice(5), ''];
  for (let j = 0; j < server.length; j++) {
    const c = server[server.length - j - 1];
    if (c === ':') return [server.slice(0, server.length - j - 1), server.slice(server.length - j)];
    if (c < '0' || c > '9') break;
  }
  return [server, ''];
}

/** The ketama ring of `hash $key consistent`: [{ hash, server }] sorted, duplicates dropped. */
export function chashRing(servers) {
  const points = [];
  for (const [server, weight] of Object.entries(servers)) {
    const [host, port] = splitServer(server);
    const base = crc32(Buffer.concat([Buffer.from(host), Buffer.from([0]), Buffer.from(port)]));
    const prev = Buffer.alloc(4);
    for (let j = 0; j < weight * 160; j++) {
      const hash = crc32(prev, base); // continues base's CRC over the 4 bytes, then finalises
      points.push({ hash, server });
      prev.writeUInt32LE(hash);
    }
  }
  // ngx_qsort is not stable: equal hashes keep whichever comes first here, and only one stays.
  points.sort((a, b) => a.hash - b.hash);
  return points.filter((p, i) => i === 0 || p.hash !== points[i - 1].hash);
}

export function findPoint(ring, hash) {
  let i = 0;
  let j = ring.length;
  while (i < j) {
    const k = Math.floor((i + j) / 2);
    if (hash > ring[k].hash) i = k + 1;
    else if (hash < ring[k].hash) j = k;
    else return k;
  }
  return i;
}

/** One request's walk of `n` picks with `hash $key consistent` (one address per server). */
export function chashWalk({ key, servers, down = [], n = 1 }) {
  const ring = chashRing(servers);
  let point = findPoint(ring, crc32(Buffer.from(key)));
  let tries = 0;
  return walkPicks(servers, down, n, (tried) => {
    while (tries <= 20) {
      const server = ring[point % ring.length].server;
      if (!tried.has(server) && !down.includes(server)) return server;
      point++;
      tries++;
    }
    return undefined;
  });
}

const W3 = { a: 1, b: 1, c: 1 };
const SERVERS = ['10.0.0.1:8000', '10.0.0.2:8000', '10.0.0.3:8000'];
const ring = (weights) => Object.fromEntries(SERVERS.map((s, i) => [s, weights[i]]));
// A heavy peer that is down: most loop turns land on it, so walks run into the 20-try limit.
const HEAVY_DOWN = { weights: { a: 1, b: 1, c: 100, d: 1 }, down: ['c'], n: 3 };

/** The cases the lb-core tests check, with the values NGINX's loops give for them. */
export function expectedValues() {
  const ipHash = [
    { client: '10.0.0.1', weights: W3 },
    { client: '10.0.1.1', weights: W3 },
    { client: '192.168.1.10', weights: W3 },
    { client: '192.168.1.200', weights: W3 },
    { client: '10.0.0.1', weights: { a: 3, b: 1, c: 1 } },
    { client: '10.0.1.1', weights: { a: 3, b: 1, c: 1 } },
    { client: '192.168.1.10', weights: { a: 3, b: 1, c: 1 } },
    { client: '2001:db8::1', weights: W3 },
    { client: '::1', weights: W3 },
    { client: '192.168.1.10', weights: W3, n: 3 },
    { client: '10.0.0.1', weights: W3, n: 3 },
    { client: '192.168.1.10', weights: W3, down: ['b'] },
    { client: '10.0.0.1', weights: { a: 1, b: 100 }, down: ['b'] },
    // Two peers: still hashed (NGINX falls back to round robin only below two).
    { client: '10.0.0.1', weights: { a: 1, b: 1 } },
    // Turns 0..19 land on the down peer c, turn 20 (the last NGINX allows) on b.
    { client: '10.0.33.1', weights: { a: 1, b: 1, c: 100 }, down: ['c'] },
    // Retry walks at the limit: the first pick comes at turn 20 (tries = 20), and the retry
    // hashes on (20 is not > 20) to d at turn 21, where round robin would give a.
    { client: '10.41.156.1', ...HEAVY_DOWN },
    // The first pick is round robin's (a), so the retries are too (b, d), although turn 21
    // would hash to d.
    { client: '10.0.47.1', ...HEAVY_DOWN },
  ].map((c) => ({ ...c, picks: ipHashWalk(c) }));
  const hash = [
    { key: '/predict', weights: W3, n: 3 },
    { key: 'user-42', weights: W3, n: 3 },
    { key: 'alpha', weights: W3, n: 3 },
    { key: '/predict', weights: { a: 2, b: 1, c: 1 }, n: 3 },
    { key: 'gamma', weights: { a: 2, b: 1, c: 1 }, n: 2 },
    { key: 'user-42', weights: W3, down: ['c'] },
    { key: 'gamma', weights: { a: 1, b: 1 } },
    // Turns 0..19 land on the down peer c, turn 20 (the last NGINX allows) on b.
    { key: 'k6', weights: { a: 1, b: 1, c: 100 }, down: ['c'] },
    // As for ip_hash: first pick at turn 20, the retry hashes on to d at turn 21 …
    { key: 'k1692', ...HEAVY_DOWN },
    // … and a walk that fell back to round robin stays there (turn 21 would give d).
    { key: 'k335', ...HEAVY_DOWN },
  ].map((c) => ({ ...c, picks: hashWalk(c) }));
  const consistent = [
    ...['/predict', 'user-42', 'alpha', 'gamma'].flatMap((key) => [
      { key, servers: ring([1, 1, 1]), n: 3 },
      { key, servers: ring([2, 1, 1]) },
    ]),
    { key: 'alpha', servers: ring([1, 1, 1]), down: ['10.0.0.3:8000'] },
    { key: 'gamma', servers: ring([1, 1, 1]), down: ['10.0.0.3:8000'] },
    // A down server with most of the ring: k129's point is followed by a long run of its points;
    // the retry walks on from where the first pick stopped (not from the key's point again,
    // which would use up the 20 tries) and reaches .3 within the limit.
    {
      key: 'k129',
      servers: { ...ring([1, 1, 1]), '10.0.0.4:8000': 10 },
      down: ['10.0.0.4:8000'],
      n: 2,
    },
  ].map((c) => ({ ...c, picks: chashWalk(c) }));
  const points = chashRing(ring([1, 1, 1]));
  return { ipHash, hash, consistent, ring: { servers: ring([1, 1, 1]), length: points.length, first: points.slice(0, 3) } };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${JSON.stringify(expectedValues(), null, 2)}\n`);
}
