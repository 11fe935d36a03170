import { describe, expect, it } from 'vitest';
import { startBackend } from './helpers/backend.js';
import { serverIds, startTestBalancer } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';

/**
 * ip_hash follows X-Forwarded-For only from trusted proxies (NGINX set_real_ip_from). The
 * spoofed addresses are chosen so that NGINX's ip_hash sends each to a different peer than
 * the real client, 127.0.0.1 (three peers of weight 1; hash = 89, hash = (hash × 113 + octet)
 * % 6271 over the first three octets, peer = hash % 3):
 *   127.0.0.1 → 4040 → peer 2;  10.0.1.5 → 2566 → peer 1;  203.0.113.9 → 2592 → peer 0.
 * The first test checks that premise through the balancer itself.
 */
const f = useFixtures();
const SPOOFED = ['10.0.1.5', '203.0.113.9'];

async function ipHash(trustedProxies: string[]): Promise<number> {
  if (f.backends.length === 0) f.backends = await Promise.all(['s1', 's2', 's3'].map((id) => startBackend(id)));
  await f.balancer?.close(1000);
  const servers = f.backends.map((b) => b.address);
  f.balancer = await startTestBalancer({ upstreams: { default: { strategy: 'ip_hash', servers } }, trustedProxies });
  return f.balancer.port;
}

async function home(port: number, xff?: string): Promise<string> {
  const ids = new Set(await serverIds(port, 3, '/', xff === undefined ? {} : { 'x-forwarded-for': xff }));
  expect(ids.size).toBe(1);
  return [...ids][0] ?? '';
}

describe('ip_hash behind trusted proxies', () => {
  it('from a trusted proxy, each forwarded address has its own home, none of them the proxy\'s', async () => {
    const port = await ipHash(['127.0.0.1']);
    const homes = [await home(port), ...(await Promise.all(SPOOFED.map((ip) => home(port, ip))))];
    expect(homes).toEqual(['s3', 's2', 's1']);
  });

  it('from anyone else, X-Forwarded-For is ignored: every spoofed address lands on the real client\'s peer', async () => {
    const port = await ipHash(['10.0.0.0/8']);
    const real = await home(port);
    expect(real).toBe('s3');
    for (const ip of SPOOFED) expect(await home(port, ip)).toBe(real);
  });
});
