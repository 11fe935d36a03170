/**
 * A whole stack on loopback, started as its users start it and health-gated the same way for
 * both (compose's `depends_on: service_healthy`): three replicas at once, each polled on
 * GET /health until 200, then the proxy, polled on GET /health through to a replica. Start to
 * all-ready runs from the first spawn to that last 200.
 *
 * - seed: three FastAPI replicas under uvicorn behind NGINX (`worker_processes` 1 or auto);
 * - fleet: three `node apps/model-server/dist/main.js` behind `node apps/balancer/dist/main.js`.
 *
 * Both proxies get the same upstream lines (NGINX syntax, which fleet reads too), keepalive 64,
 * retries on error/timeout/502/503/504 for POST (`non_idempotent` / fleet's default for
 * /predict), 3 tries, a 1 s connect timeout, and no access log.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureOutput, childPids, httpOk, nginxBinary, onCleanup, spawnTracked, startNginx, stopChild, waitFor, type NginxSettings } from '@fleet/bench-kit';
import { startFleetReplica, startSeedReplica, type Replica } from './replicas.js';

export const BALANCER_MAIN = createRequire(import.meta.url).resolve('@fleet/balancer/main');

export const REPLICAS = 3;
/** Upstream `server` parameters of seed 000 (3 failures in 30 s take a replica out for 30 s). */
export const SERVER_PARAMS = 'max_fails=3 fail_timeout=30s';
export const KEEPALIVE = 64;

export type SystemName = 'seed' | 'seed-auto' | 'fleet';

export interface RunningStack {
  readonly system: SystemName;
  readonly url: string;
  readonly startToReadyMs: number;
  /** Every process of the stack now (replicas, proxy and its workers). */
  pids(): number[];
  stop(): Promise<void>;
}

export interface StackPorts {
  replicas: number[];
  proxy: number;
  /** fleet's admin listener. */
  admin: number;
}

export function serverLines(ports: readonly number[]): string[] {
  return ports.map((p) => `127.0.0.1:${p} ${SERVER_PARAMS}`);
}

export function seedNginxSettings(ports: StackPorts, workers: 1 | 'auto'): NginxSettings {
  return {
    port: ports.proxy,
    servers: serverLines(ports.replicas),
    workers,
    keepalive: KEEPALIVE,
    nextUpstream: 'error timeout http_502 http_503 http_504 non_idempotent',
    nextUpstreamTries: 3,
    timeouts: { connect: '1s' },
  };
}

/** The balancer's config file for the same setup (defaults retry POST /predict). */
export function fleetBalancerConfig(ports: StackPorts): Record<string, unknown> {
  return {
    listen: { host: '127.0.0.1', port: ports.proxy },
    admin: { host: '127.0.0.1', port: ports.admin },
    upstreams: { default: { servers: serverLines(ports.replicas), keepalive: { connections: KEEPALIVE } } },
    accessLog: { enabled: false },
    logLevel: 'warn',
  };
}

async function replicasReady(replicas: Replica[]): Promise<void> {
  try {
    await Promise.all(replicas.map((r) => r.ready));
  } catch (error) {
    await Promise.all(replicas.map((r) => r.stop('SIGKILL')));
    throw error;
  }
}

const proxyReady = (port: number, name: string, child?: Parameters<typeof waitFor>[1]['child'], detail?: () => string): Promise<number> =>
  waitFor(() => httpOk(`http://127.0.0.1:${port}/health`), { name, timeoutMs: 30_000, child, detail });

export async function startSeedStack(ports: StackPorts, workers: 1 | 'auto'): Promise<RunningStack> {
  const bin = nginxBinary();
  if (bin === undefined) throw new Error('nginx is not installed');
  const t0 = performance.now();
  const replicas = ports.replicas.map((port, i) => startSeedReplica(`seed-${i + 1}`, port));
  await replicasReady(replicas);
  const nginx = await startNginx(bin, seedNginxSettings(ports, workers)).catch(async (error: unknown) => {
    await Promise.all(replicas.map((r) => r.stop('SIGKILL')));
    throw error;
  });
  await proxyReady(ports.proxy, 'nginx', nginx.child);
  return {
    system: workers === 1 ? 'seed' : 'seed-auto',
    url: `http://127.0.0.1:${ports.proxy}`,
    startToReadyMs: performance.now() - t0,
    pids: () => [...replicas.map((r) => r.child.pid ?? 0), ...nginx.pids()],
    stop: async () => {
      await nginx.stop('fast');
      await Promise.all(replicas.map((r) => r.stop()));
    },
  };
}

export async function startFleetStack(ports: StackPorts): Promise<RunningStack> {
  const t0 = performance.now();
  const replicas = ports.replicas.map((port, i) => startFleetReplica(`server-${i + 1}`, port));
  await replicasReady(replicas);
  const dir = mkdtempSync(join(tmpdir(), 'fleet-bench-stack-'));
  const unregister = onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const configFile = join(dir, 'balancer.json');
  writeFileSync(configFile, JSON.stringify(fleetBalancerConfig(ports)));
  const balancer = spawnTracked(process.execPath, [BALANCER_MAIN], { env: { ...process.env, CONFIG_FILE: configFile }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = captureOutput(balancer);
  const stopAll = async (): Promise<void> => {
    await stopChild(balancer);
    await Promise.all(replicas.map((r) => r.stop()));
    unregister();
    rmSync(dir, { recursive: true, force: true });
  };
  await proxyReady(ports.proxy, 'balancer', balancer, output).catch(async (error: unknown) => {
    await stopAll();
    throw error;
  });
  return {
    system: 'fleet',
    url: `http://127.0.0.1:${ports.proxy}`,
    startToReadyMs: performance.now() - t0,
    pids: () => [...replicas.map((r) => r.child.pid ?? 0), balancer.pid ?? 0, ...childPids(balancer.pid ?? 0)],
    stop: stopAll,
  };
}
