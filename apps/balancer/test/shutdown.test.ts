import { afterAll, describe, expect, it } from 'vitest';
import { startBackend } from './helpers/backend.js';
import { startTestBalancer } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';
import { h2Connect, h2Request } from './helpers/h2.js';
import { makeTestCert } from './helpers/tls.js';
import { waitFor } from './helpers/wait.js';

/**
 * Shutdown (README "SIGTERM/SIGINT"): HTTP/2 clients get a GOAWAY as soon as the drain starts,
 * while their in-flight streams still finish.
 */
const f = useFixtures();
const tls = makeTestCert();
afterAll(() => tls.cleanup());

describe('shutdown with HTTP/2 clients', () => {
  it('sends GOAWAY when the drain starts and lets the in-flight stream finish', async () => {
    f.backends = [await startBackend('s1')];
    const balancer = await startTestBalancer({
      upstreams: { default: { servers: [f.backends[0]?.address] } },
      https: { port: 0, cert: tls.cert, key: tls.key, http2: true },
    });
    const session = h2Connect(balancer.httpsPort, tls.cert);
    f.cleanups.push(() => session.destroy());
    let goaway = false;
    session.on('goaway', () => (goaway = true));
    const held = h2Request(session, { ':path': '/hold' });
    await waitFor(() => f.backends[0]?.hits === 1, { what: 'the held stream at the upstream' });
    const closed = balancer.close(30_000);
    await waitFor(() => goaway, { what: 'GOAWAY while a stream is in flight', timeoutMs: 10_000 });
    f.backends[0]?.releaseHeld();
    const r = await held;
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ server_id: 's1', url: '/hold' });
    await closed;
  });
});
