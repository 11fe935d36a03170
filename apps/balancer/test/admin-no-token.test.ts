import { describe, expect, it } from 'vitest';
import { startBackend, type Backend } from './helpers/backend.js';
import { expectError, get, serverIds, startTestBalancer } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';

/** README: "POST actions need Authorization: Bearer $ADMIN_TOKEN; without a configured token they are refused." */
const f = useFixtures();

describe('admin listener without ADMIN_TOKEN', () => {
  it('refuses every POST action, whatever Authorization says, and changes nothing', async () => {
    f.backends = [await startBackend('s1'), await startBackend('s2')];
    const [s1] = f.backends as [Backend, Backend];
    // The helper's token replaced by an admin block without one.
    f.balancer = await startTestBalancer({
      upstreams: { default: { servers: f.backends.map((b) => b.address) }, other: { servers: [s1.address] } },
      routes: [{ prefix: '/', upstream: 'default' }],
      admin: { host: '127.0.0.1', port: 0 },
    });
    const { port, adminPort } = f.balancer;
    const drain = `/admin/peers/default/${encodeURIComponent(s1.address)}/drain`;
    const route = JSON.stringify({ prefix: '/', upstream: 'other' });
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer ' }, { authorization: 'Bearer undefined' }, { authorization: 'Bearer test-token' }];
    for (const headers of attempts) {
      expectError(await get(adminPort, drain, { method: 'POST', headers }), 401, 'UNAUTHORIZED');
      expectError(await get(adminPort, '/admin/routes', { method: 'POST', body: route, headers: { ...headers, 'content-type': 'application/json' } }), 401, 'UNAUTHORIZED');
    }
    expect(new Set(await serverIds(port, 4))).toEqual(new Set(['s1', 's2']));
    expect((await get(adminPort, '/status')).status).toBe(200);
  });
});
