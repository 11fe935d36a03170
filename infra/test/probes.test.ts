/**
 * Every health check and probe in infra/ points at a route the real apps answer: the
 * model-server and the balancer run from their built dist/ on loopback (port 0), each
 * probe path found in the Dockerfile, the compose files, the k8s manifests and the
 * Prometheus config is requested, then both get SIGTERM and must drain and exit 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STACKS, servicesOf, stackProject } from './support/compose.js';
import { effective, parseStages } from './support/dockerfile.js';
import { find, loadManifests } from './support/k8s.js';
import { startApp, type Running } from './support/process.js';
import { asRecord, loadYaml } from './support/repo.js';

type App = 'model-server' | 'balancer';
/** The path of a loopback URL in a health check: `http://127.0.0.1:8000/x` or `...+(process.env.PORT||8000)+'/x'`. */
const URL_PATH = /(?:http:\/\/127\.0\.0\.1:\d+|\)\+')(\/[\w/.-]*)/;

function dockerfileProbe(target: App): string {
  const args = effective(parseStages(), target, 'HEALTHCHECK')?.args ?? '';
  return URL_PATH.exec(args)?.[1] ?? 'missing';
}

function composeProbes(): Record<App, Set<string>> {
  const out: Record<App, Set<string>> = { 'model-server': new Set(), balancer: new Set() };
  for (const stack of STACKS) {
    for (const svc of Object.values(servicesOf(stackProject(stack)))) {
      const app = String(svc.image ?? '').match(/^fleet\/(model-server|balancer):/)?.[1] as App | undefined;
      const test = svc.healthcheck === undefined ? '' : JSON.stringify(asRecord(svc.healthcheck, 'hc').test);
      const path = URL_PATH.exec(test)?.[1];
      if (app && path) out[app].add(path);
    }
  }
  return out;
}

function k8sProbes(): Record<App, Set<string>> {
  const manifests = loadManifests();
  const out: Record<App, Set<string>> = { 'model-server': new Set(), balancer: new Set() };
  for (const app of ['model-server', 'balancer'] as const) {
    const deployment = find(manifests, 'apps/v1/Deployment', app);
    const pod = asRecord(asRecord(asRecord(deployment.spec, 's').template, 't').spec, 'p');
    for (const c of pod.containers as Record<string, unknown>[]) {
      for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
        if (c[probe] === undefined) continue;
        out[app].add(String(asRecord(asRecord(c[probe], probe).httpGet, probe).path));
      }
    }
  }
  return out;
}

function prometheusPaths(): string[] {
  const config = asRecord(loadYaml('infra/monitoring/prometheus.yml'), 'prometheus.yml');
  return (config.scrape_configs as Record<string, unknown>[]).map((job) => String(job.metrics_path ?? '/metrics'));
}

async function status(port: unknown, path: string, init?: RequestInit): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${String(port)}${path}`, init);
  await res.arrayBuffer();
  return res.status;
}

let replica: Running | undefined;
let balancer: Running | undefined;

beforeAll(async () => {
  replica = await startApp('model-server', { HOST: '127.0.0.1', PORT: '0', SERVER_ID: 'infra-probe', WORKERS: '1' });
  balancer = await startApp('balancer', {
    HOST: '127.0.0.1',
    PORT: '0',
    ADMIN_HOST: '127.0.0.1',
    ADMIN_PORT: '0',
    UPSTREAMS: `127.0.0.1:${String(replica.listening.port)}`,
  });
}, 120_000);

afterAll(async () => {
  await balancer?.stop();
  await replica?.stop();
}, 120_000);

describe('model-server probes', () => {
  const paths = new Set([dockerfileProbe('model-server'), ...composeProbes()['model-server'], ...k8sProbes()['model-server']]);
  it('include readiness and liveness', () => {
    expect([...paths].sort()).toEqual(['/health/live', '/health/ready']);
  });
  it("are GET routes of the replica's OpenAPI document (/docs/json)", async () => {
    const res = await fetch(`http://127.0.0.1:${String(replica?.listening.port)}/docs/json`);
    const doc = (await res.json()) as { paths: Record<string, { get?: unknown }> };
    for (const path of paths) expect(doc.paths[path]?.get, path).toBeDefined();
  });
  it.each([...new Set([...paths, ...prometheusPaths()])])('GET %s answers 200 on a ready replica', async (path) => {
    expect(await status(replica?.listening.port, path)).toBe(200);
  });
});

describe('balancer probes (admin listener)', () => {
  const paths = new Set([dockerfileProbe('balancer'), ...composeProbes().balancer, ...k8sProbes().balancer]);
  it.each([...new Set([...paths, ...prometheusPaths()])])('GET %s answers 200', async (path) => {
    expect(await status(balancer?.listening.adminPort, path)).toBe(200);
  });
  it('proxies /predict to the replica', async () => {
    const res = await fetch(`http://127.0.0.1:${String(balancer?.listening.port)}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'win a free prize now' }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { server_id: string }).server_id).toBe('infra-probe');
  });
});

describe('stop signal (Dockerfile STOPSIGNAL, systemd KillSignal)', () => {
  it('the model-server drains on SIGTERM and exits 0', async () => {
    const code = await replica?.stop();
    expect(code, replica?.output.slice(-5).join('\n')).toBe(0);
  }, 120_000);

  // stdout is a pipe here, as under Docker and systemd: closing the access log must not fail.
  it('the balancer drains on SIGTERM and exits 0', async () => {
    const code = await balancer?.stop();
    expect(code, balancer?.output.slice(-5).join('\n')).toBe(0);
  }, 120_000);
});
