/**
 * Compose files as the checks see them: the base file, each overlay merged over it (the
 * way `docker compose -f docker-compose.yml -f infra/compose/X.yml` does for the keys these
 * files use), the compose-spec JSON schema shipped by dclint, and the Compose CLI if any.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { REPO_ROOT, asRecord, isRecord, listRepoFiles, loadYaml } from './repo.js';

export const BASE_FILE = 'docker-compose.yml';
export const OVERLAYS = listRepoFiles('infra/compose', ['.yml']);

export interface Stack {
  /** `base` or the overlay's file name without extension. */
  name: string;
  files: string[];
}

export const STACKS: Stack[] = [
  { name: 'base', files: [BASE_FILE] },
  ...OVERLAYS.map((file) => ({ name: file.replace(/^.*\/|\.yml$/g, ''), files: [BASE_FILE, file] })),
];

/** Keys whose sequences replace the base value instead of extending it. */
const REPLACED_SEQUENCES = new Set(['command', 'entrypoint', 'test', 'profiles']);

export function mergeCompose(base: unknown, override: unknown, key = ''): unknown {
  if (isRecord(base) && isRecord(override)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(override)) out[k] = k in base ? mergeCompose(base[k], v, k) : v;
    return out;
  }
  if (Array.isArray(base) && Array.isArray(override) && !REPLACED_SEQUENCES.has(key)) {
    const seen = new Set(base.map((item) => JSON.stringify(item)));
    return [...base, ...override.filter((item) => !seen.has(JSON.stringify(item)))];
  }
  return override;
}

export function loadStack(stack: Stack): Record<string, unknown> {
  const merged = stack.files.map((file) => loadYaml(file)).reduce((acc, doc) => mergeCompose(acc, doc));
  return asRecord(merged, stack.files.join(' + '));
}

export function servicesOf(project: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const services = asRecord(project.services, 'services');
  return Object.fromEntries(Object.entries(services).map(([name, svc]) => [name, asRecord(svc, `services.${name}`)]));
}

/** Services that a plain `up` starts (no profile). */
export function defaultServices(project: Record<string, unknown>): string[] {
  return Object.entries(servicesOf(project))
    .filter(([, svc]) => !Array.isArray(svc.profiles) || svc.profiles.length === 0)
    .map(([name]) => name);
}

let validator: ValidateFunction | undefined;

/** The compose-spec schema from the dclint package (its `$schema` URL is not one Ajv knows). */
export function composeValidator(): ValidateFunction {
  if (validator) return validator;
  const pkg = createRequire(import.meta.url).resolve('dclint/package.json');
  const schema = JSON.parse(readFileSync(join(dirname(pkg), 'schemas', 'compose.schema.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  delete schema.$schema;
  validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  return validator;
}

export function schemaErrors(doc: unknown): string[] {
  const validate = composeValidator();
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** The Compose CLI to call (`docker-compose` v1 or the `docker compose` plugin), if any. */
export function composeCli(): string[] | undefined {
  const candidates = [['docker-compose'], ['docker', 'compose']];
  for (const cmd of candidates) {
    const [bin = '', ...args] = cmd;
    const probe = spawnSync(bin, [...args, 'version'], { encoding: 'utf8', timeout: 30_000 });
    if (probe.status === 0) return cmd;
  }
  return undefined;
}

/**
 * What Compose itself makes of a stack: `config` from the real CLI, with the two things it
 * spells differently from the files brought back to the files' form (bind mounts of the repo
 * as `./path`, ports without the `/tcp` suffix), so the same checks read either.
 */
export function normalizeCliProject(project: unknown): Record<string, unknown> {
  const doc = asRecord(project, 'compose config');
  const services = Object.fromEntries(
    Object.entries(servicesOf(doc)).map(([name, svc]) => {
      const out: Record<string, unknown> = { ...svc };
      if (Array.isArray(svc.ports)) out.ports = svc.ports.map((p) => String(p).replace(/\/tcp$/, ''));
      if (Array.isArray(svc.volumes)) {
        out.volumes = svc.volumes.map((v) => (typeof v === 'string' && v.startsWith(`${REPO_ROOT}/`) ? `./${v.slice(REPO_ROOT.length + 1)}` : v));
      }
      return [name, out];
    }),
  );
  return { ...doc, services };
}

/** `compose -f ... config` output parsed; throws with the CLI's stderr when it refuses the files. */
export function composeConfig(cli: string[], stack: Stack): unknown {
  const [bin = '', ...pre] = cli;
  const args = [...pre, ...stack.files.flatMap((f) => ['-f', f]), 'config'];
  const out = execFileSync(bin, args, {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, COMPOSE_PROJECT_NAME: 'fleetcheck' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parse(out);
}

let cliProbe: { cli: string[] | undefined } | undefined;
/** The Compose CLI, probed once per test file. */
export function cachedCli(): string[] | undefined {
  cliProbe ??= { cli: composeCli() };
  return cliProbe.cli;
}

const projects = new Map<string, Record<string, unknown>>();
/**
 * A stack as Compose merges it: the real CLI's `config` when one is installed (CI installs
 * docker-compose), else the hand-written `loadStack` merge. Without a CLI the `config` tests
 * in compose.test.ts fail under CI=true (the shared missing-tool rule), so CI never checks
 * the overlays through the hand-written merge alone.
 */
export function stackProject(stack: Stack): Record<string, unknown> {
  const key = stack.files.join('\0');
  let project = projects.get(key);
  if (project === undefined) {
    const cli = cachedCli();
    project = cli ? normalizeCliProject(composeConfig(cli, stack)) : loadStack(stack);
    projects.set(key, project);
  }
  return project;
}
