import { open, realpath, type FileHandle } from 'node:fs/promises';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { BalancerConfig } from '@fleet/config';
import { extname, join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { sendError } from './errors.js';
import type { RequestTarget } from './request-target.js';

/**
 * Static files under a path prefix, like an NGINX `location /static/ { alias …; expires …; }`.
 * GET/HEAD only (others: 405). The path is percent-decoded once (malformed escapes and NUL → 400),
 * every segment starting with a dot is refused (dotfiles and `..`, also when they arrive encoded),
 * and the real path (symlinks resolved) must stay inside the real root: anything else is 404.
 * Weak ETag from size and mtime, Last-Modified, If-None-Match / If-Modified-Since → 304,
 * `Cache-Control: public, max-age`. The file is opened once and served from that handle, so
 * the answered size and bytes belong to the same file.
 */

export type StaticEntry = BalancerConfig['static'][number];

export interface StaticRequest {
  method?: string | undefined;
  headers: IncomingHttpHeaders;
}

export type StaticHandler = (req: StaticRequest, res: ServerResponse, url: RequestTarget) => Promise<boolean>;

export interface StaticOptions {
  /** Unexpected I/O errors (answered with 500 or an aborted body); default: process warning. */
  onError?: (err: Error) => void;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
};

export function contentTypeFor(file: string): string {
  return TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Errors that mean "no such servable file" (→ 404), not a server fault. */
const NOT_FOUND_ERRNO = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG', 'ELOOP', 'EACCES', 'EPERM', 'EISDIR']);

interface Mount {
  base: string; // prefix without trailing slash ('' for '/')
  cacheControl: string;
  /** The root with symlinks resolved (cached once it resolved; a missing root → ENOENT → 404). */
  realRoot(): Promise<string>;
}

type Resolved = { ok: true; segments: string[] } | { ok: false; status: 400 | 404 };

/** Decode the part after the prefix and split it into safe segments. */
export function safeSegments(rest: string): Resolved {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    return { ok: false, status: 400 }; // malformed %-escape
  }
  if (decoded.includes('\0')) return { ok: false, status: 400 };
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s.startsWith('.'))) return { ok: false, status: 404 };
  if (decoded === '' || decoded.endsWith('/')) segments.push('index.html');
  return { ok: true, segments };
}

export function weakEtag(size: number, mtimeMs: number): string {
  return `W/"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
}

/** RFC 9110 §13.1.2 weak comparison for If-None-Match; `*` matches any. */
export function etagMatches(ifNoneMatch: string, etag: string): boolean {
  const opaque = (tag: string) => (tag.startsWith('W/') ? tag.slice(2) : tag);
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || opaque(tag) === opaque(etag);
  });
}

function notModified(headers: IncomingHttpHeaders, etag: string, mtimeMs: number): boolean {
  const inm = headers['if-none-match'];
  if (inm !== undefined) return etagMatches(inm, etag);
  const ims = Date.parse(headers['if-modified-since'] ?? '');
  return Number.isFinite(ims) && Math.floor(mtimeMs / 1000) * 1000 <= ims;
}

function isInside(root: string, real: string): boolean {
  if (real !== root && !real.startsWith(root.endsWith(sep) ? root : root + sep)) return false;
  return !relative(root, real)
    .split(sep)
    .some((s) => s.startsWith('.'));
}

function errnoOf(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

function warn(err: Error): void {
  process.emitWarning(err.message, { code: 'STATIC_IO_ERROR', detail: err.stack });
}

function toMount(entry: StaticEntry): Mount {
  let real: string | undefined;
  return {
    base: entry.prefix.replace(/\/+$/, ''),
    cacheControl: `public, max-age=${Math.max(0, Math.floor(entry.maxAgeMs / 1000))}`,
    realRoot: async () => (real ??= await realpath(entry.root)),
  };
}

/** Open the file the segments name, or null when its real path leaves the root. */
async function openInside(mount: Mount, segments: string[]): Promise<FileHandle | null> {
  const root = await mount.realRoot();
  const real = await realpath(join(root, ...segments));
  return isInside(root, real) ? open(real, 'r') : null;
}

async function serveFile(req: StaticRequest, res: ServerResponse, mount: Mount, segments: string[]): Promise<void> {
  const handle = await openInside(mount, segments);
  if (handle === null) return sendError(res, 'NOT_FOUND', 'not found');
  let streaming = false;
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return sendError(res, 'NOT_FOUND', 'not found');
    const etag = weakEtag(stat.size, stat.mtimeMs);
    const common = { etag, 'last-modified': stat.mtime.toUTCString(), 'cache-control': mount.cacheControl };
    if (notModified(req.headers, etag, stat.mtimeMs)) return void res.writeHead(304, common).end();
    res.writeHead(200, {
      ...common,
      'content-type': contentTypeFor(segments.at(-1) ?? ''),
      'content-length': stat.size,
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD' || stat.size === 0) return void res.end();
    streaming = true; // the stream owns the handle now (autoClose)
    await pipeline(handle.createReadStream({ start: 0, end: stat.size - 1, autoClose: true }), res);
  } finally {
    if (!streaming) await handle.close();
  }
}

function answerFailure(res: ServerResponse, err: unknown, onError: (err: Error) => void): void {
  const code = errnoOf(err);
  if (code !== undefined && NOT_FOUND_ERRNO.has(code)) return sendError(res, 'NOT_FOUND', 'not found');
  if (code === 'ERR_STREAM_PREMATURE_CLOSE' && res.destroyed) return; // the client went away mid-body
  onError(err instanceof Error ? err : new Error(String(err)));
  sendError(res, 'INTERNAL_ERROR', 'static file error'); // destroys the socket if the body had started
}

export function createStatic(entries: readonly StaticEntry[], options: StaticOptions = {}): StaticHandler {
  const onError = options.onError ?? warn;
  const mounts = entries.map(toMount).sort((a, b) => b.base.length - a.base.length);

  return async (req, res, url) => {
    const path = url.pathname;
    const mount = mounts.find((m) => path === m.base || path.startsWith(`${m.base}/`));
    if (mount === undefined) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(res, 'METHOD_NOT_ALLOWED', 'static files answer GET and HEAD only', { allow: 'GET, HEAD' });
      return true;
    }
    const resolved = safeSegments(path.slice(mount.base.length));
    if (!resolved.ok) {
      if (resolved.status === 400) sendError(res, 'BAD_REQUEST', 'malformed path');
      else sendError(res, 'NOT_FOUND', 'not found');
      return true;
    }
    try {
      await serveFile(req, res, mount, resolved.segments);
    } catch (err) {
      answerFailure(res, err, onError);
    }
    return true;
  };
}
