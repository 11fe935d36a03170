import { describe, expect, it } from 'vitest';
import { find, loadManifests } from './support/k8s.js';
import { asRecord } from './support/repo.js';

/**
 * Issue 8, finding 8: the balancer's admin listener binds the pod IP (kubelet probes, Prometheus),
 * so it must be fenced: a NetworkPolicy admits only labelled pods to the admin port, and the
 * POST actions get their bearer token from a Secret.
 */
type Obj = Record<string, unknown>;
const MANIFESTS = loadManifests();
const deployment = find(MANIFESTS, 'apps/v1/Deployment', 'balancer');
const pod = asRecord(asRecord(asRecord(deployment.spec, 'spec').template, 'template').spec, 'pod');
const container = asRecord((pod.containers as unknown[])[0], 'container');

describe('balancer admin exposure', () => {
  it('takes ADMIN_TOKEN from a Secret, never from a literal', () => {
    const env = (container.env as Obj[]).find((e) => e.name === 'ADMIN_TOKEN');
    expect(env?.value).toBeUndefined();
    expect(asRecord(asRecord(env?.valueFrom, 'valueFrom').secretKeyRef, 'secretKeyRef')).toMatchObject({ name: 'balancer-admin', key: 'token' });
  });

  it('admits the admin port only from labelled pods, the client port from anyone', () => {
    const policy = asRecord(find(MANIFESTS, 'networking.k8s.io/v1/NetworkPolicy' as never, 'balancer').spec, 'spec');
    const podLabels = asRecord(asRecord(asRecord(asRecord(deployment.spec, 'spec').template, 'template').metadata, 'md').labels, 'labels');
    expect(podLabels).toMatchObject(asRecord(asRecord(policy.podSelector, 'podSelector').matchLabels, 'matchLabels'));
    expect(policy.policyTypes).toEqual(['Ingress']);
    const rules = policy.ingress as Obj[];
    const admin = rules.filter((r) => (r.ports as Obj[]).some((p) => p.port === 'admin'));
    expect(admin).toHaveLength(1);
    const from = (admin[0]?.from as Obj[] | undefined) ?? [];
    expect(from.length).toBeGreaterThan(0);
    for (const peer of from) expect(asRecord(asRecord(peer.podSelector, 'podSelector').matchLabels, 'labels')).toEqual({ 'fleet.io/admin-access': 'true' });
    const open = rules.filter((r) => r.from === undefined);
    expect(open.flatMap((r) => (r.ports as Obj[]).map((p) => p.port))).toEqual(['http']);
  });
});
