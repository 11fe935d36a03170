import { parseBalancerConfig, type BalancerConfig } from '@fleet/config';
import { pino } from 'pino';
import { request } from 'undici';
import { startBalancer, type Balancer, type BalancerDeps } from '../../src/app.js';

/** A test config in file shape: loopback port 0 (admin too), access log off, quiet logs. */
export function testConfig(raw: Record<string, unknown>): BalancerConfig {
  return parseBalancerConfig({
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0, token: 'test-token' },
    accessLog: { enabled: false },
    logLevel: 'silent',
    ...raw,
  });
}

/** In-process balancer on `testConfig(raw)`. */
export async function startTestBalancer(raw: Record<string, unknown>, deps: Partial<BalancerDeps> = {}): Promise<Balancer> {
  return startBalancer(testConfig(raw), { logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), ...deps });
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: Record<string, unknown>;
  text: string;
}

export async function get(port: number, path: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Reply> {
  const res = await request(`http://127.0.0.1:${port}${path}`, {
    method: (init.method ?? 'GET') as 'GET',
    headers: init.headers,
    body: init.body,
  });
  const text = await res.body.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = {}; // not JSON (e.g. a redirect or static file): callers read `text`
  }
  return { status: res.statusCode, headers: res.headers, json, text };
}

export async function serverIds(port: number, n: number, path = '/', headers: Record<string, string> = {}): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await get(port, path, { headers });
    ids.push(String(r.headers['x-server-id'] ?? `status:${r.status}`));
  }
  return ids;
}

export async function adminStatus(b: Balancer): Promise<{ upstreams: Record<string, { peers: { id: string; state: string; requests: number; inFlight: number }[] }> } & Record<string, unknown>> {
  const r = await get(b.adminPort, '/status');
  return r.json as never;
}

/** A balancer-generated error: status and stable JSON code. */
export function expectError(reply: Reply, status: number, code: string): void {
  if (reply.status !== status || reply.json.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${reply.status} ${reply.text}`);
  }
}
