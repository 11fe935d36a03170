import { validHost } from './request-head.js';

/**
 * The path and query of a request target, as the request path reads them (route matching,
 * deny patterns, static files, hash keys) and forwards them. `new URL()` per request is the
 * WHATWG parser with an object and a search-params holder behind it; for the common target
 * (origin form, plain characters, no dot segments, no empty segments, no escaped slash) a split
 * at the first `?` gives exactly the same `pathname` and `search`. Anything else goes through
 * `parseTargetSlowly`, which reads the path as NGINX does where the WHATWG parser would read it
 * otherwise, so the path the balancer matches is the path it forwards, and an upstream cannot
 * read it as another one:
 * - a leading `//` is an empty segment, not an authority (`new URL('//a', base)` has host `a`
 *   and path `/`); empty segments are merged (NGINX's `merge_slashes on`: `//admin` is `/admin`
 *   for routes and deny patterns, so it cannot slip past a rule on `/admin`);
 * - `\` is a character of a segment, as on NGINX on Unix (the WHATWG parser reads it as `/`,
 *   which turned `/\..\..\etc/passwd` into `/etc/passwd`); it is forwarded as `%5C`;
 * - dot segments (also `%2e`) are resolved; climbing above the root is refused (400, as NGINX);
 * - a `.` or `..` segment made with an escaped slash (`/api/..%2Fadmin`: NGINX decodes `%2F`
 *   and resolves it to `/admin` for its locations, the WHATWG parser keeps it, a deny pattern
 *   on the decoded path would not see `/admin` and an upstream that decodes it would) is
 *   refused (400), as Envoy's `path_with_escaped_slashes_action: REJECT_REQUEST` would; an
 *   escaped slash in a plain segment (`/files/a%2Fb`) passes as before.
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
const LOWER_E = 0x65;
const LOWER_F = 0x66;

/** `%2` then `lower` (either case) at `i`: an escaped `.` (`e`) or `/` (`f`). */
function escaped2(raw: string, i: number, lower: number): boolean {
  return raw.charCodeAt(i) === PERCENT && raw.charCodeAt(i + 1) === 0x32 && (raw.charCodeAt(i + 2) | 0x20) === lower;
}

/** After the `/` at `i`: a `.`, `%2e` (a possible dot segment) or another `/` (an empty segment). */
function specialAfterSlash(raw: string, i: number): boolean {
  const c = raw.charCodeAt(i + 1);
  return c === DOT || c === SLASH || escaped2(raw, i + 1, LOWER_E);
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
    if (q < 0 && ((c === SLASH && specialAfterSlash(raw, i)) || (c === PERCENT && escaped2(raw, i, LOWER_F)))) return undefined;
  }
  if (q < 0) return { pathname: raw, search: '' };
  return { pathname: raw.slice(0, q), search: q === n - 1 ? '' : raw.slice(q) };
}

/** A path refused with 400 as NGINX refuses it (or, for an escaped slash's dot segment, as Envoy can). */
export class UnsafePath extends Error {}

const ABOVE_ROOT = 'request path climbs above the root (a ".." segment)';
const ESCAPED_DOT_SEGMENT = 'request path has a "." or ".." segment made with an escaped slash (%2F)';

const DOT_DOT = new Set(['..', '.%2e', '%2e.', '%2e%2e']);
const DOT_ONE = new Set(['.', '%2e']);
/** `scheme://authority` of an absolute-form target; the path follows. */
const ABSOLUTE_FORM = /^[a-z][a-z\d+.-]*:\/\/([^/?#]*)/i;
/** A segment boundary for dot segments as NGINX decodes the path: `/` or `%2F`. */
const SEPARATOR = /\/|%2f/i;

/**
 * Whether the dot segments of an origin-form target's path climb above `/` (`/../x`,
 * `/a/%2e%2e/..`, `/a/..%2F..`): NGINX answers such a request 400. Empty segments do not count
 * (NGINX merges slashes); the query is not looked at.
 */
export function climbsAboveRoot(raw: string): boolean {
  if (raw.charCodeAt(0) !== SLASH) return false;
  const end = raw.search(/[?#]/);
  const segments = (end < 0 ? raw : raw.slice(0, end)).split(SEPARATOR);
  let depth = 0;
  for (let i = 1; i < segments.length; i++) {
    const segment = (segments[i] as string).toLowerCase();
    if (DOT_DOT.has(segment)) {
      if (--depth < 0) return true;
    } else if (segment !== '' && !DOT_ONE.has(segment)) depth += 1;
  }
  return false;
}

/** A `.` or `..` segment left in a parsed path: one that an escaped slash made (the parser resolved the rest). */
function hasDotSegment(pathname: string): boolean {
  const segments = pathname.split(SEPARATOR);
  for (let i = 1; i < segments.length; i++) {
    const segment = (segments[i] as string).toLowerCase();
    if (DOT_DOT.has(segment) || DOT_ONE.has(segment)) return true;
  }
  return false;
}

/** The request target of any `raw` by the rules above (the fast path's answer, when it has one, is the same). */
export function parseTargetSlowly(raw: string): RequestTarget {
  let url: URL;
  if (raw.charCodeAt(0) === SLASH) {
    const end = raw.search(/[?#]/);
    const path = end < 0 ? raw : raw.slice(0, end);
    if (climbsAboveRoot(path)) throw new UnsafePath(ABOVE_ROOT);
    // under the authority, so that a leading `//` stays in the path; `\` kept as a character
    url = new URL(BASE + path.replaceAll('\\', '%5C') + (end < 0 ? '' : raw.slice(end)));
  } else {
    // absolute form: its authority and path refused as NGINX refuses them in a Host and a path
    const absolute = ABSOLUTE_FORM.exec(raw);
    if (absolute !== null) {
      if (!validHost(absolute[1] as string)) throw new UnsafePath('invalid host in the request target');
      if (climbsAboveRoot(raw.slice(absolute[0].length))) throw new UnsafePath(ABOVE_ROOT);
    }
    url = new URL(raw, BASE);
  }
  const pathname = url.pathname.includes('//') ? url.pathname.replace(/\/{2,}/g, '/') : url.pathname;
  if (pathname.includes('%') && hasDotSegment(pathname)) throw new UnsafePath(ESCAPED_DOT_SEGMENT);
  return { pathname, search: url.search };
}

/** The request target of `raw` (a request's `url`); throws what `new URL()` throws, or UnsafePath. */
export function parseTarget(raw: string): RequestTarget {
  return splitTarget(raw) ?? parseTargetSlowly(raw);
}

/** The percent-decoded path; a malformed %-escape leaves it raw (as NGINX keeps the raw bytes). */
export function decodePath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}
