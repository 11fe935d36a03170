/** The kustomization's resources as typed kubernetes-models objects (validated with `.validate()`). */
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Service } from 'kubernetes-models/v1';
import { asRecord, loadYaml, loadYamlDocuments } from './repo.js';

export const K8S_DIR = 'infra/k8s';

/** Constructors by `apiVersion/kind`; a manifest of any other kind fails the check. */
const MODELS = {
  'apps/v1/Deployment': (data: unknown) => new Deployment(data as never),
  'autoscaling/v2/HorizontalPodAutoscaler': (data: unknown) => new HorizontalPodAutoscaler(data as never),
  'networking.k8s.io/v1/NetworkPolicy': (data: unknown) => new NetworkPolicy(data as never),
  'policy/v1/PodDisruptionBudget': (data: unknown) => new PodDisruptionBudget(data as never),
  'v1/ConfigMap': (data: unknown) => new ConfigMap(data as never),
  'v1/Namespace': (data: unknown) => new Namespace(data as never),
  'v1/Service': (data: unknown) => new Service(data as never),
} as const;

export type KnownKind = keyof typeof MODELS;

export interface Manifest {
  file: string;
  key: string;
  name: string;
  data: Record<string, unknown>;
  /** Throws the schema errors of this object, if any. */
  validate(): void;
}

export function kustomizationResources(): string[] {
  const kustomization = asRecord(loadYaml(`${K8S_DIR}/kustomization.yaml`), 'kustomization.yaml');
  return (kustomization.resources as string[]).map((r) => `${K8S_DIR}/${r}`);
}

export function loadManifests(): Manifest[] {
  return kustomizationResources().flatMap((file) =>
    loadYamlDocuments(file).map((doc) => {
      const data = asRecord(doc, file);
      const key = `${String(data.apiVersion)}/${String(data.kind)}`;
      const make = (MODELS as Record<string, ((d: unknown) => { validate(): void }) | undefined>)[key];
      if (!make) throw new Error(`${file}: no schema model for ${key}`);
      const name = String(asRecord(data.metadata, `${file} metadata`).name);
      return { file, key, name, data, validate: () => make(data).validate() };
    }),
  );
}

export function find(manifests: Manifest[], key: KnownKind, name: string): Record<string, unknown> {
  const found = manifests.find((m) => m.key === key && m.name === name);
  if (!found) throw new Error(`no ${key} named ${name}`);
  return found.data;
}
