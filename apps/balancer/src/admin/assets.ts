/**
 * The dashboard's built browser files (`dist/dashboard/`, made by `scripts/build-dashboard.ts`
 * during `build`): read once, kept in memory, served with an ETag. The page may only load
 * what it came with (CSP `default-src 'self'`): no CDN, works offline.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BalancerError } from '../errors.js';

/** From src/admin/ (tests, tsx) and dist/admin/ alike: the package's dist/dashboard/. */
export const DEFAULT_ASSET_DIR = fileURLToPath(new URL('../../dist/dashboard/', import.meta.url));

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

interface Loaded {
  body: Buffer;
  etag: string;
}

export function isAsset(path: string): boolean {
  return Object.hasOwn(FILES, path);
}

export function createAssets(dir: string = DEFAULT_ASSET_DIR) {
  const cache = new Map<string, Loaded>();
  const load = (file: string): Loaded => {
    const hit = cache.get(file);
    if (hit !== undefined) return hit;
    let body: Buffer;
    try {
      body = readFileSync(join(dir, file));
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== 'ENOENT') throw err;
      throw new BalancerError('DASHBOARD_NOT_BUILT', 'the dashboard is not built: run pnpm --filter @fleet/balancer build');
    }
    const loaded = { body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
    cache.set(file, loaded);
    return loaded;
  };
  return (req: IncomingMessage, res: ServerResponse, path: string): void => {
    const spec = FILES[path];
    if (spec === undefined) throw new BalancerError('NOT_FOUND', 'not found');
    const { body, etag } = load(spec.file);
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag, ...SECURITY_HEADERS });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': spec.type, 'content-length': body.length, etag, ...SECURITY_HEADERS });
    res.end(body);
  };
}
