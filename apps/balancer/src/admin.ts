import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Dashboard } from './admin/index.js';
import { BalancerError, sendError } from './errors.js';
import { readBody } from './limits/index.js';
import type { Metrics } from './metrics.js';
import { statusJson, statusText, type StatusSources } from './status.js';
import type { Upstreams } from './upstreams/manager.js';

/**
 * Admin listener (own port, loopback by default): GET / (live dashboard, `admin/`), GET /status (stub_status + per-peer JSON;
 * `?format=text` for the NGINX text form), GET /metrics, GET /health, and token-protected
 * actions: POST /admin/peers/:group/:peer/drain|undrain (peer by id `ip:port` or by configured
 * name), POST /admin/routes `{ prefix, upstream }` (blue-green switch). Without a configured
 * token every action is refused.
 */
export interface AdminContext {
  token(): string | undefined;
  status: StatusSources;
  metrics: Metrics;
  upstreams: Upstreams;
  /** Blue-green: a new snapshot with the route pointed at `upstream`; false when no route has the prefix. */
  switchRoute(prefix: string, upstream: string): boolean;
  logger: Logger;
  /** GET / (live dashboard), its bundle and its event stream. */
  dashboard?: Dashboard;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function authorize(req: IncomingMessage, token: string | undefined): void {
  if (token === undefined || token === '') throw new BalancerError('UNAUTHORIZED', 'admin actions need ADMIN_TOKEN to be set');
  const given = Buffer.from(/^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '');
  const want = Buffer.from(token);
  if (given.length !== want.length || !timingSafeEqual(given, want)) {
    throw new BalancerError('UNAUTHORIZED', 'missing or wrong bearer token', { 'www-authenticate': 'Bearer' });
  }
}

function drain(ctx: AdminContext, groupName: string, peer: string, drained: boolean): object {
  const upstream = ctx.upstreams.get(groupName);
  if (upstream === undefined) throw new BalancerError('NOT_FOUND', `no upstream group ${groupName}`);
  const ids = upstream.group
    .snapshot(0)
    .peers.filter((p) => p.id === peer || p.name === peer)
    .map((p) => p.id);
  if (ids.length === 0) throw new BalancerError('NOT_FOUND', `no peer ${peer} in ${groupName}`);
  for (const id of ids) upstream.group.setDrain(id, drained);
  ctx.logger.info({ group: groupName, peers: ids, drained }, 'admin: peer drain changed');
  return { group: groupName, peers: ids, drained };
}

async function switchRoute(ctx: AdminContext, req: IncomingMessage): Promise<object> {
  const raw = await readBody(req, { maxBytes: 65536, idleTimeoutMs: 5000 });
  let body: { prefix?: unknown; upstream?: unknown };
  try {
    body = JSON.parse(raw.toString('utf8')) as typeof body;
  } catch {
    throw new BalancerError('BAD_REQUEST', 'body must be JSON { "prefix": string, "upstream": string }');
  }
  const { prefix, upstream } = body;
  if (typeof prefix !== 'string' || typeof upstream !== 'string') {
    throw new BalancerError('BAD_REQUEST', 'body must be JSON { "prefix": string, "upstream": string }');
  }
  if (ctx.upstreams.get(upstream) === undefined) throw new BalancerError('NOT_FOUND', `no upstream group ${upstream}`);
  if (!ctx.switchRoute(prefix, upstream)) throw new BalancerError('NOT_FOUND', `no route with prefix ${prefix}`);
  ctx.logger.info({ prefix, upstream }, 'admin: route switched');
  return { prefix, upstream };
}

async function dispatch(ctx: AdminContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://admin.invalid');
  const path = url.pathname;
  if (req.method === 'GET' && path === '/status') {
    if (url.searchParams.get('format') === 'text') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(statusText(ctx.status.stats.stub()));
    } else sendJson(res, 200, statusJson(ctx.status));
    return;
  }
  if (req.method === 'GET' && path === '/metrics') {
    const text = await ctx.metrics.registry.metrics();
    res.writeHead(200, { 'content-type': ctx.metrics.registry.contentType });
    res.end(text);
    return;
  }
  if (req.method === 'GET' && path === '/health') return sendJson(res, 200, { status: 'ok' });
  const peer = /^\/admin\/peers\/([^/]+)\/([^/]+)\/(drain|undrain)$/.exec(path);
  if (peer !== null || path === '/admin/routes') {
    if (req.method !== 'POST') throw new BalancerError('METHOD_NOT_ALLOWED', 'use POST', { allow: 'POST' });
    authorize(req, ctx.token());
    if (peer !== null) {
      const [, group = '', id = '', action] = peer;
      return sendJson(res, 200, drain(ctx, decodeURIComponent(group), decodeURIComponent(id), action === 'drain'));
    }
    return sendJson(res, 200, await switchRoute(ctx, req));
  }
  if (ctx.dashboard?.handle(req, res, path) === true) return;
  throw new BalancerError('NOT_FOUND', 'not found');
}

export function createAdminHandler(ctx: AdminContext) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    dispatch(ctx, req, res).catch((err: unknown) => {
      if (err instanceof BalancerError) return sendError(res, err.code, err.message, err.headers);
      ctx.logger.error({ err }, 'admin request failed');
      sendError(res, 'INTERNAL_ERROR', 'internal error');
    });
  };
}
