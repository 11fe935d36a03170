import { existsSync } from 'node:fs';
import { loadBalancerConfig, loadModelServerConfig } from '@fleet/config';
import { describe, expect, it } from 'vitest';
import {
  BASE_FILE,
  OVERLAYS,
  STACKS,
  cachedCli,
  composeConfig,
  defaultServices,
  stackProject,
  schemaErrors,
  servicesOf,
} from './support/compose.js';
import { dockerfileTargets } from './support/dockerfile.js';
import { asRecord, loadYaml, repoPath } from './support/repo.js';
import { itNeeds } from './support/tools.js';

const REPLICAS = ['model-server-1', 'model-server-2', 'model-server-3'];
/** Keys docker-compose 1.29 rejects (newer than its schema). */
const V1_UNSUPPORTED_SERVICE_KEYS = ['develop', 'post_start', 'pre_stop', 'provider', 'models', 'use_api_socket', 'gpus'];

/** A service's environment after Compose interpolation (`$$` is a literal `$`; no variables are used). */
function env(svc: Record<string, unknown>): Record<string, string> {
  const raw = asRecord(svc.environment ?? {}, 'environment');
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v).replaceAll('$$', '$')]));
}

describe('compose files against the compose-spec schema (dclint)', () => {
  it.each([BASE_FILE, ...OVERLAYS])('%s alone', (file) => {
    expect(schemaErrors(loadYaml(file))).toEqual([]);
  });
  it.each(STACKS.map((s) => [s.files.join(' + '), s] as const))('%s merged', (_name, stack) => {
    expect(schemaErrors(stackProject(stack))).toEqual([]);
  });
});

describe('compose files run under Compose v2 and docker-compose 1.29', () => {
  it.each([BASE_FILE, ...OVERLAYS])('%s uses no key newer than 1.29', (file) => {
    const doc = asRecord(loadYaml(file), file);
    expect(Object.keys(doc).filter((k) => ['name', 'include', 'version'].includes(k))).toEqual([]);
    for (const [name, svc] of Object.entries(servicesOf(doc))) {
      expect(V1_UNSUPPORTED_SERVICE_KEYS.filter((k) => k in svc), name).toEqual([]);
      const health = svc.healthcheck === undefined ? {} : asRecord(svc.healthcheck, `${name}.healthcheck`);
      expect('start_interval' in health, `${name}: healthcheck.start_interval`).toBe(false);
      for (const dep of Object.values(asRecord(svc.depends_on ?? {}, `${name}.depends_on`))) {
        const keys = Object.keys(asRecord(dep, `${name}.depends_on`));
        expect(keys.filter((k) => k === 'required' || k === 'restart'), name).toEqual([]);
      }
    }
  });
});

const cli = cachedCli();
const withCli = itNeeds('docker-compose', cli !== undefined, 'compose overlays merged by the Compose CLI (docker-compose config)');
describe(`${cli ? cli.join(' ') : 'docker-compose'} config`, () => {
  for (const stack of STACKS) {
    withCli(`${stack.files.join(' + ')} is accepted and its merged output passes the schema`, () => {
      const merged = composeConfig(cli ?? [], stack);
      expect(schemaErrors(merged)).toEqual([]);
    });
  }
});

describe('base stack (docker-compose.yml)', () => {
  const services = servicesOf(stackProject({ name: 'base', files: [BASE_FILE] }));

  it('runs three replicas server-1..3 on 0.0.0.0:8000 with a health-gated start', () => {
    REPLICAS.forEach((name, i) => {
      const svc = services[name];
      expect(svc, name).toBeDefined();
      const vars = env(svc ?? {});
      expect(vars).toMatchObject({ SERVER_ID: `server-${i + 1}`, HOST: '0.0.0.0', PORT: '8000' });
      expect(() => loadModelServerConfig({ env: vars })).not.toThrow();
      const health = asRecord(svc?.healthcheck, `${name}.healthcheck`);
      expect(health.start_period, name).toBeDefined();
      expect(JSON.stringify(health.test)).toContain('http://127.0.0.1:8000/health/ready');
      expect(svc?.init, name).toBe(true);
    });
  });

  it('starts the balancer only after every replica is healthy, publishes 8080 on loopback', () => {
    const balancer = services.balancer ?? {};
    const deps = asRecord(balancer.depends_on, 'balancer.depends_on');
    for (const name of REPLICAS) expect(deps[name], name).toEqual({ condition: 'service_healthy' });
    expect(balancer.ports).toEqual(['127.0.0.1:8080:8080']);
    const vars = env(balancer);
    expect(vars.UPSTREAMS?.split(',')).toEqual(REPLICAS.map((r) => `${r}:8000`));
    const config = loadBalancerConfig({ env: vars });
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 8080, server: 'engine' });
  });

  it('keeps the k6 service out of a plain `up`', () => {
    expect(defaultServices(stackProject({ name: 'base', files: [BASE_FILE] }))).not.toContain('k6');
    expect(services.k6?.profiles).toEqual(['k6']);
  });
});

describe.each(STACKS.map((s) => [s.name, s] as const))('stack %s', (_name, stack) => {
  const project = stackProject(stack);
  const services = servicesOf(project);
  const targets = dockerfileTargets();

  it('builds only from infra/docker/Dockerfile targets that exist', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (svc.build === undefined) continue;
      const build = asRecord(svc.build, `${name}.build`);
      expect(build.dockerfile, name).toBe('infra/docker/Dockerfile');
      expect(targets, name).toContain(build.target);
    }
  });

  it('bind-mounts only files that exist in the repository', () => {
    for (const [name, svc] of Object.entries(services)) {
      for (const volume of (svc.volumes ?? []) as unknown[]) {
        const source = String(volume).split(':')[0] ?? '';
        if (source.startsWith('./')) expect(existsSync(repoPath(source)), `${name}: ${source}`).toBe(true);
      }
    }
  });

  it('runs the fleet images hardened: init, read-only root, no capabilities, no new privileges', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (!String(svc.image ?? '').startsWith('fleet/')) continue;
      expect(svc, name).toMatchObject({ init: true, read_only: true, tmpfs: ['/tmp'], cap_drop: ['ALL'] });
      expect(svc.security_opt, name).toContain('no-new-privileges:true');
    }
  });

  it('publishes ports on loopback only', () => {
    for (const [name, svc] of Object.entries(services)) {
      for (const port of (svc.ports ?? []) as unknown[]) expect(String(port), name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    }
  });

  it('gives every balancer an environment the config loader accepts', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (!String(svc.image ?? '').startsWith('fleet/balancer')) continue;
      const vars = env(svc);
      const file = vars.CONFIG_FILE ? mountedSource(svc, vars.CONFIG_FILE) : undefined;
      const { CONFIG_FILE: _ignored, ...rest } = vars;
      expect(() => loadBalancerConfig({ env: rest, file }), name).not.toThrow();
    }
  });
});

/** The repository file a service mounts at `target`. */
function mountedSource(svc: Record<string, unknown>, target: string): string {
  for (const volume of (svc.volumes ?? []) as unknown[]) {
    const [source = '', mountedAt] = String(volume).split(':');
    if (mountedAt === target) return repoPath(source);
  }
  throw new Error(`no volume mounts ${target}`);
}
