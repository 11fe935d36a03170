import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBalancerConfig, loadModelServerConfig } from '@fleet/config';
import { afterAll, describe, expect, it } from 'vitest';
import { find, kustomizationResources, loadManifests } from './support/k8s.js';
import { asRecord } from './support/repo.js';

const MANIFESTS = loadManifests();
type Obj = Record<string, unknown>;

function podSpec(deployment: Obj): Obj {
  return asRecord(asRecord(asRecord(deployment.spec, 'spec').template, 'template').spec, 'pod spec');
}
function container(deployment: Obj): Obj {
  return asRecord((podSpec(deployment).containers as unknown[])[0], 'container');
}
function podLabels(deployment: Obj): Obj {
  return asRecord(asRecord(asRecord(asRecord(deployment.spec, 'spec').template, 'template').metadata, 'md').labels, 'labels');
}
function selectorLabels(obj: Obj): Obj {
  const spec = asRecord(obj.spec, 'spec');
  const selector = asRecord(spec.selector, 'selector');
  return asRecord(selector.matchLabels ?? selector, 'selector labels');
}
function portNumber(c: Obj, name: unknown): number {
  const port = (c.ports as Obj[]).find((p) => p.name === name || p.containerPort === name);
  if (!port) throw new Error(`no container port ${String(name)}`);
  return Number(port.containerPort);
}
function envOf(c: Obj): Record<string, string> {
  return Object.fromEntries((c.env as Obj[]).map((e) => [String(e.name), e.value === undefined ? 'from-field' : String(e.value)]));
}

const modelServer = find(MANIFESTS, 'apps/v1/Deployment', 'model-server');
const balancer = find(MANIFESTS, 'apps/v1/Deployment', 'balancer');
const tmp = mkdtempSync(join(tmpdir(), 'fleet-k8s-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('infra/k8s against the Kubernetes schemas (kubernetes-models)', () => {
  it('lists every manifest file in kustomization.yaml', () => {
    expect(kustomizationResources().length).toBeGreaterThanOrEqual(9);
  });
  it.each(MANIFESTS.map((m) => [`${m.key} ${m.name}`, m] as const))('%s is valid', (_name, manifest) => {
    expect(() => manifest.validate()).not.toThrow();
  });
});

describe('model-server Deployment', () => {
  const c = container(modelServer);
  it('runs 3 replicas with readiness on /health/ready and liveness on /health/live', () => {
    expect(asRecord(modelServer.spec, 'spec').replicas).toBe(3);
    expect(asRecord(asRecord(c.readinessProbe, 'readiness').httpGet, 'get')).toMatchObject({ path: '/health/ready' });
    expect(asRecord(asRecord(c.livenessProbe, 'liveness').httpGet, 'get')).toMatchObject({ path: '/health/live' });
  });
  it('probes the port the app listens on, with an environment the config loader accepts', () => {
    const env = envOf(c);
    const config = loadModelServerConfig({ env });
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      const get = asRecord(asRecord(c[probe], probe).httpGet, probe);
      expect(portNumber(c, get.port), probe).toBe(config.port);
    }
    expect(config.host).toBe('0.0.0.0');
  });
  it('sets requests and limits, a preStop pause and enough grace for the drain', () => {
    const resources = asRecord(c.resources, 'resources');
    expect(Object.keys(asRecord(resources.requests, 'requests')).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(asRecord(resources.limits, 'limits')).sort()).toEqual(['cpu', 'memory']);
    const preStop = asRecord(asRecord(asRecord(c.lifecycle, 'lifecycle').preStop, 'preStop').exec, 'exec');
    expect((preStop.command as string[])[0]).toBe('node');
    const config = loadModelServerConfig({ env: envOf(c) });
    const graceMs = Number(podSpec(modelServer).terminationGracePeriodSeconds) * 1000;
    expect(graceMs).toBeGreaterThan(5000 + config.drain.delayMs + config.drain.timeoutMs);
  });
});

describe('discovery, scaling and disruption', () => {
  const headless = find(MANIFESTS, 'v1/Service', 'model-server');
  it('exposes the replicas through a headless Service selecting their pods', () => {
    expect(asRecord(headless.spec, 'spec').clusterIP).toBe('None');
    expect(podLabels(modelServer)).toMatchObject(selectorLabels(headless));
  });
  it('points HPA and PDBs at the right pods', () => {
    const hpa = asRecord(find(MANIFESTS, 'autoscaling/v2/HorizontalPodAutoscaler', 'model-server').spec, 'hpa');
    expect(hpa.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'model-server' });
    const pdb = find(MANIFESTS, 'policy/v1/PodDisruptionBudget', 'model-server');
    expect(podLabels(modelServer)).toMatchObject(selectorLabels(pdb));
    expect(Number(asRecord(pdb.spec, 'pdb').minAvailable)).toBeLessThan(Number(hpa.minReplicas));
    expect(podLabels(balancer)).toMatchObject(selectorLabels(find(MANIFESTS, 'policy/v1/PodDisruptionBudget', 'balancer')));
    expect(podLabels(balancer)).toMatchObject(asRecord(asRecord(find(MANIFESTS, 'v1/Service', 'balancer').spec, 's').selector, 'sel'));
  });
});

describe('balancer Deployment and ConfigMap', () => {
  const c = container(balancer);
  const data = asRecord(find(MANIFESTS, 'v1/ConfigMap', 'balancer-config').data, 'data');
  const file = join(tmp, 'balancer.yaml');
  writeFileSync(file, String(data['balancer.yaml']));
  const config = loadBalancerConfig({ env: {}, file });

  it('mounts the ConfigMap where CONFIG_FILE points', () => {
    const mount = (c.volumeMounts as Obj[]).find((m) => m.name === 'config');
    expect(`${String(mount?.mountPath)}/balancer.yaml`).toBe(envOf(c).CONFIG_FILE);
  });
  it('dials the headless Service by DNS name and re-resolves it', () => {
    const [group] = Object.values(config.upstreams);
    const port = (asRecord(find(MANIFESTS, 'v1/Service', 'model-server').spec, 's').ports as Obj[])[0]?.port;
    expect(group?.servers.map((s) => s.address)).toEqual([`model-server:${String(port)}`]);
    expect(group?.resolve.intervalMs).toBeGreaterThan(0);
    expect(group?.healthCheck).toMatchObject({ enabled: true, path: '/health/ready' });
  });
  it('listens and probes on the container ports it declares', () => {
    expect(config.listen).toEqual({ host: '0.0.0.0', port: portNumber(c, 'http'), server: 'engine' });
    expect(config.admin).toMatchObject({ host: '0.0.0.0', port: portNumber(c, 'admin') });
    for (const probe of ['readinessProbe', 'livenessProbe']) {
      const get = asRecord(asRecord(c[probe], probe).httpGet, probe);
      expect(get, probe).toEqual({ path: '/health', port: 'admin' });
    }
    expect(Number(podSpec(balancer).terminationGracePeriodSeconds) * 1000).toBeGreaterThan(config.shutdown.timeoutMs);
  });
});
