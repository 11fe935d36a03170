import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestFrom } from './helpers/from-address.js';
import { BALANCER_SRC_MAIN, MODEL_SERVER_MAIN, spawnJson, type JsonChild } from './helpers/processes.js';

/**
 * One request followed by one id through both logs: the balancer's access log and a real
 * model-server replica's request log (`ACCESS_LOG=on`), both as processes. The replica must
 * see (and log) the request id the balancer logged and returned, the balancer's trace id, and
 * as parent the span id of the attempt that reached it. Ids at the edges of the accepted
 * grammar must survive both hops unchanged (the two sides accept the same values).
 */
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER = 'b7ad6b7169203331';
const TRUSTED = '127.0.0.2';

let dir: string;
let replica: JsonChild;
let balancer: JsonChild;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fleet-rid-e2e-'));
  replica = await spawnJson([MODEL_SERVER_MAIN], {
    PORT: '0', HOST: '127.0.0.1', SERVER_ID: 'r1', WORKERS: '1', INTRA_OP_THREADS: '1', LOG_LEVEL: 'info', DRAIN_DELAY: '0ms', ACCESS_LOG: 'on',
  });
  const file = join(dir, 'balancer.json');
  writeFileSync(file, JSON.stringify({ trustedProxies: [TRUSTED], upstreams: { default: { servers: [`127.0.0.1:${String(replica.ready.port)}`] } }, accessLog: { enabled: true } }));
  balancer = await spawnJson(['--import', 'tsx', BALANCER_SRC_MAIN], { CONFIG_FILE: file, PORT: '0', ADMIN_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' });
  port = Number(balancer.ready.port);
}, 60_000);

afterAll(async () => {
  await balancer?.stop();
  await replica?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function follow(id: string): Promise<{ balancerLine: Record<string, unknown>; replicaLine: Record<string, unknown> }> {
  const balancerLine = await balancer.waitForLog((l) => l.type === 'access' && l.requestId === id, `balancer access line ${id}`);
  const replicaLine = await replica.waitForLog((l) => l.msg === 'request' && l.requestId === id, `replica request line ${id}`);
  return { balancerLine, replicaLine };
}

describe('one request through the balancer and a real replica, by one id', () => {
  it('a generated id and a new trace: the same id and trace in both logs, the attempt’s span as the replica’s parent', async () => {
    const r = await requestFrom('127.0.0.1', port, '/predict', { method: 'POST', body: '{"text":"win money now"}', headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(200);
    expect(r.json.server_id).toBe('r1');
    const id = String(r.headers['x-request-id']);
    const { balancerLine, replicaLine } = await follow(id);
    expect(balancerLine).toMatchObject({ path: '/predict', status: 200 });
    const [attempt] = balancerLine.attempts as { spanId: string; status: number }[];
    expect(replicaLine).toMatchObject({ requestId: id, traceId: balancerLine.traceId, status: 200, path: '/predict' });
    expect(replicaLine.traceparent).toBe(`00-${String(balancerLine.traceId)}-${attempt?.spanId}-00`);
  });

  it('a trusted proxy’s id and trace, continued into the replica', async () => {
    const r = await requestFrom(TRUSTED, port, '/predict', {
      method: 'POST',
      body: '{"text":"hello"}',
      headers: { 'content-type': 'application/json', 'x-request-id': 'edge-e2e-1', traceparent: `00-${TRACE}-${CALLER}-01` },
    });
    expect(r.headers['x-request-id']).toBe('edge-e2e-1');
    const { balancerLine, replicaLine } = await follow('edge-e2e-1');
    expect(balancerLine).toMatchObject({ traceId: TRACE, parentId: CALLER });
    const [attempt] = balancerLine.attempts as { spanId: string }[];
    expect(replicaLine).toMatchObject({ traceId: TRACE, traceparent: `00-${TRACE}-${attempt?.spanId}-01` });
  });

  it.each([
    ['the longest accepted id', 'L'.repeat(128)],
    ['every visible ASCII punctuation', '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'],
  ])('keeps %s unchanged through both hops', async (_name, id) => {
    const r = await requestFrom(TRUSTED, port, '/health/live', { headers: { 'x-request-id': id } });
    expect(r.headers['x-request-id']).toBe(id);
    const replicaLine = await replica.waitForLog((l) => l.msg === 'request' && l.requestId === id, 'replica line');
    expect(replicaLine.path).toBe('/health/live');
  });
});
