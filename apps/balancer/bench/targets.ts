/**
 * What `bench/run.ts` measures: a small table of targets. A fleet target is the balancer with
 * the matched config of `@fleet/bench-kit` (same servers, keepalive, retries and timeouts as
 * NGINX) and its `fleet` patch laid over it (`mergeJson`). To add one, add a row here, or
 * without editing: `BENCH_EXTRA_TARGETS='{"<name>": <config patch>}'` (e.g. a listener switch
 * of the engine; every extra is a fleet target), or `{"<name>": {"nodeFlags": [...], "config":
 * <patch>}}` to start it with other node flags than the build's own `BALANCER_NODE_FLAGS` (a
 * heap-sizing screen), or `{"<name>": {"main": "/abs/…/dist/main.js", "config": <patch>}}` to
 * run another checkout's build (its own node flags) in the same rounds: a before/after pair. `BENCH_TARGETS=direct,nginx,fleet` keeps only the named ones.
 */
import { isAbsolute } from 'node:path';
import { BENCH_KIT_ERRORS, BenchKitError, type JsonObject } from '@fleet/bench-kit';

export interface Target {
  name: string;
  kind: 'direct' | 'nginx' | 'fleet';
  /** How the README table names it. */
  label: string;
  /** fleet only: laid over the matched balancer config. */
  fleet?: JsonObject;
  /** fleet only: node flags before the entry; unset = the build's own (`BALANCER_NODE_FLAGS`). */
  nodeFlags?: readonly string[];
  /** fleet only: another build's entry (an absolute `…/dist/main.js`); unset = this package's build. */
  main?: string;
}

export const TARGETS: readonly Target[] = [
  { name: 'direct', kind: 'direct', label: 'direct (no proxy)' },
  { name: 'nginx', kind: 'nginx', label: 'NGINX, 1 worker' },
  { name: 'fleet-undici', kind: 'fleet', label: 'fleet, `client: undici`', fleet: { upstreams: { default: { client: 'undici' } } } },
  { name: 'fleet', kind: 'fleet', label: 'fleet, engine (default)', fleet: {} },
  {
    name: 'fleet-node-listener',
    kind: 'fleet',
    label: 'fleet, engine + `listen.server: node`',
    fleet: { listen: { server: 'node' } },
  },
];

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const badEnv = (message: string, cause?: unknown): BenchKitError => new BenchKitError(BENCH_KIT_ERRORS.BAD_ENV, message, cause === undefined ? undefined : { cause });
const EXTRA_SHAPE = 'BENCH_EXTRA_TARGETS must be a JSON object (name → balancer config patch)';
/** What `BENCH_TARGETS` can name (no comma, no space). */
const TARGET_NAME = /^[A-Za-z0-9][\w.-]*$/;
/** A node flag an extra may set (`--name` or `--name=value`, nothing a shell would read). */
const NODE_FLAG = /^--[a-z][\w-]*(=[\w.,-]+)?$/;

/** The long form `{nodeFlags?, main?, config?}` of an extra; a plain patch otherwise. */
function longForm(name: string, value: JsonObject): { nodeFlags?: readonly string[]; main?: string; patch: unknown } {
  if (!('nodeFlags' in value) && !('main' in value)) return { patch: value };
  const { nodeFlags, main, config = {}, ...rest } = value;
  const bad = Object.keys(rest);
  if (bad.length > 0) throw badEnv(`BENCH_EXTRA_TARGETS.${name}: with nodeFlags or main only "config" may be beside them, not ${bad.join(', ')}`);
  if (nodeFlags !== undefined && (!Array.isArray(nodeFlags) || !nodeFlags.every((f) => typeof f === 'string' && NODE_FLAG.test(f)))) {
    throw badEnv(`BENCH_EXTRA_TARGETS.${name}.nodeFlags must be a list of node flags ("--name" or "--name=value")`);
  }
  if (main !== undefined && (typeof main !== 'string' || !isAbsolute(main) || !main.endsWith('.js'))) {
    throw badEnv(`BENCH_EXTRA_TARGETS.${name}.main must be the absolute path of a build's entry (…/dist/main.js)`);
  }
  return { ...(nodeFlags === undefined ? {} : { nodeFlags: nodeFlags as string[] }), ...(main === undefined ? {} : { main }), patch: config };
}

function extraTarget(name: string, value: unknown): Target {
  if (!TARGET_NAME.test(name)) throw badEnv(`BENCH_EXTRA_TARGETS: target name ${JSON.stringify(name)} must be letters, digits, '.', '_' or '-'`);
  if (TARGETS.some((t) => t.name === name)) throw badEnv(`BENCH_EXTRA_TARGETS.${name}: a built-in target has that name (${TARGETS.map((t) => t.name).join(', ')}); pick another`);
  if (!isObject(value)) throw badEnv(`BENCH_EXTRA_TARGETS.${name} must be an object (a balancer config patch)`);
  const { nodeFlags, main, patch } = longForm(name, value);
  if (!isObject(patch)) throw badEnv(`BENCH_EXTRA_TARGETS.${name}.config must be an object (a balancer config patch)`);
  return { name, kind: 'fleet', label: `fleet, ${name}`, fleet: patch, ...(nodeFlags === undefined ? {} : { nodeFlags }), ...(main === undefined ? {} : { main }) };
}

/** Extra fleet targets from `BENCH_EXTRA_TARGETS` (a JSON object: name → config patch). */
export function extraTargets(raw: string | undefined): Target[] {
  if (raw === undefined || raw.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw badEnv(`${EXTRA_SHAPE}: ${String(error)}`, error);
  }
  if (!isObject(parsed)) throw badEnv(EXTRA_SHAPE);
  return Object.entries(parsed).map(([name, patch]) => extraTarget(name, patch));
}

/** The table plus extras, filtered by `BENCH_TARGETS` (comma-separated names; unset = all). */
export function selectTargets(env: NodeJS.ProcessEnv): Target[] {
  const all = [...TARGETS, ...extraTargets(env.BENCH_EXTRA_TARGETS)];
  const wanted = env.BENCH_TARGETS?.split(',').map((s) => s.trim()).filter(Boolean);
  if (wanted === undefined || wanted.length === 0) return all;
  const unknown = wanted.filter((w) => !all.some((t) => t.name === w));
  if (unknown.length > 0) throw badEnv(`BENCH_TARGETS: unknown target(s) ${unknown.join(', ')}; known: ${all.map((t) => t.name).join(', ')}`);
  return all.filter((t) => wanted.includes(t.name));
}

/** The targets that can run: NGINX's only when its binary was found. */
export function runnableTargets(targets: readonly Target[], nginxFound: boolean): Target[] {
  return targets.filter((t) => t.kind !== 'nginx' || nginxFound);
}
