/**
 * The path and query of a request target, as the request path reads them (route matching,
 * deny patterns, static files, hash keys). `new URL()` per request is the WHATWG parser with
 * an object and a search-params holder behind it; for the common target (origin form, plain
 * characters, no dot segments) a split at the first `?` gives exactly the same `pathname` and
 * `search`. Anything the WHATWG parser would rewrite (dot segments, `%2e`, backslashes, a
 * leading `//`, characters it percent-encodes, a fragment, absolute form, `*`) goes through
 * `new URL()` as before, so behaviour does not change.
 */
export interface RequestTarget {
  pathname: string;
  search: string;
}

const BASE = 'http://balancer.invalid';

/**
 * Characters kept as they are by the WHATWG parser in a path (and in a query, plus `?`):
 * unreserved, sub-delims but `'`, `:`, `@`, `/`, `%`. Everything else takes the slow path.
 */
const PLAIN = new Uint8Array(128);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&()*+,;=:@/%') {
  PLAIN[c.charCodeAt(0)] = 1;
}
const SLASH = 0x2f;
const DOT = 0x2e;
const PERCENT = 0x25;
const QUESTION = 0x3f;

/** A `.` or `%2e` right after a `/`: a possible dot segment the parser would resolve. */
function dotAfterSlash(raw: string, i: number): boolean {
  const c = raw.charCodeAt(i + 1);
  if (c === DOT) return true;
  return c === PERCENT && raw.charCodeAt(i + 2) === 0x32 && (raw.charCodeAt(i + 3) | 0x20) === 0x65;
}

/** `pathname` and `search` without `new URL()`, or undefined when the target needs the full parser. */
export function splitTarget(raw: string): RequestTarget | undefined {
  if (raw.charCodeAt(0) !== SLASH || raw.charCodeAt(1) === SLASH) return undefined;
  const n = raw.length;
  let q = -1;
  for (let i = 0; i < n; i++) {
    const c = raw.charCodeAt(i);
    if (c === QUESTION) {
      if (q < 0) q = i;
      continue;
    }
    if (c >= 128 || PLAIN[c] !== 1) return undefined;
    if (q < 0 && c === SLASH && dotAfterSlash(raw, i)) return undefined;
  }
  if (q < 0) return { pathname: raw, search: '' };
  return { pathname: raw.slice(0, q), search: q === n - 1 ? '' : raw.slice(q) };
}

/** A path that leaves the root, refused with 400 as NGINX does (the WHATWG parser would clamp it at `/`). */
export class PathAboveRoot extends Error {
  constructor() {
    super('request path climbs above the root (a ".." segment)');
  }
}

const DOT_DOT = new Set(['..', '.%2e', '%2e.', '%2e%2e']);
const DOT_ONE = new Set(['.', '%2e']);

/**
 * Whether the dot segments of an origin-form target's path climb above `/` (`/../x`,
 * `/a/%2e%2e/..`): NGINX answers such a request 400. Empty segments do not count (NGINX merges
 * slashes); the query is not looked at.
 */
export function climbsAboveRoot(raw: string): boolean {
  if (raw.charCodeAt(0) !== SLASH) return false;
  const end = raw.search(/[?#]/);
  const segments = (end < 0 ? raw : raw.slice(0, end)).split('/');
  let depth = 0;
  for (let i = 1; i < segments.length; i++) {
    const segment = (segments[i] as string).toLowerCase();
    if (DOT_DOT.has(segment)) {
      if (--depth < 0) return true;
    } else if (segment !== '' && !DOT_ONE.has(segment)) depth += 1;
  }
  return false;
}

/** The request target of `raw` (a request's `url`); throws what `new URL()` throws, or PathAboveRoot. */
export function parseTarget(raw: string): RequestTarget {
  const plain = splitTarget(raw);
  if (plain !== undefined) return plain;
  if (climbsAboveRoot(raw)) throw new PathAboveRoot();
  return new URL(raw, BASE);
}

/** The percent-decoded path; a malformed %-escape leaves it raw (as NGINX keeps the raw bytes). */
export function decodePath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}
