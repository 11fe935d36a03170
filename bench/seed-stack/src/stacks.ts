/**
 * A whole stack on loopback, started as its users start it and health-gated the same way for
 * both (compose's `depends_on: service_healthy`): three replicas at once, each polled on
 * GET /health until 200, then the proxy, polled on GET /health through to a replica. Start to
 * all-ready runs from the first spawn to that last 200.
 *
 * - seed: three FastAPI replicas under uvicorn behind NGINX (`worker_processes` 1 or auto);
 * - fleet: three `node apps/model-server/dist/main.js` behind `node apps/balancer/dist/main.js`;
 * - fleet-base: the same from another checkout's builds (`BENCH_FLEET_BASE`), each process with
 *   that build's own node flags, to measure a change against its base in the same rounds.
 *
 * Both proxies are configured alike by @fleet/bench-kit's matched-proxies (same upstream lines
 * with seed 000's `max_fails=3 fail_timeout=30s`, keepalive 64, retries incl. POST, 3 tries,
 * 1 s connect timeout, no access log).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { buildNodeFlags, httpOk, nginxBinary, nginxSettingsFor, serverLines, startFleetBalancer, startNginx, waitFor, type ProxySetup } from '@fleet/bench-kit';
import { replicaArgv } from '@fleet/model-server/node-flags';
import { startFleetReplica, startSeedReplica, type Replica } from './replicas.js';

export const BALANCER_MAIN = createRequire(import.meta.url).resolve('@fleet/balancer/main');

export type SystemName = 'seed' | 'seed-auto' | 'fleet' | 'fleet-base';

/** The entries of one fleet build: the balancer's and a replica's `dist/main.js`. */
export interface FleetBuild {
  balancerMain: string;
  replicaMain: string;
}

/** The builds of the fleet checkout at `dir` (`pnpm install && pnpm build` there first). */
export function fleetBuildAt(dir: string): FleetBuild {
  const build = { balancerMain: join(dir, 'apps/balancer/dist/main.js'), replicaMain: join(dir, 'apps/model-server/dist/main.js') };
  for (const main of Object.values(build)) {
    if (!existsSync(main)) throw new Error(`BENCH_FLEET_BASE: ${main} does not exist (run pnpm install && pnpm build in ${dir})`);
  }
  return build;
}

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

export function proxySetup(ports: StackPorts, workers: 1 | 'auto' = 1): ProxySetup {
  return { port: ports.proxy, adminPort: ports.admin, servers: serverLines(ports.replicas), workers };
}

async function replicasReady(replicas: Replica[]): Promise<void> {
  try {
    await Promise.all(replicas.map((r) => r.ready));
  } catch (error) {
    await Promise.all(replicas.map((r) => r.stop('SIGKILL')));
    throw error;
  }
}

async function withProxy<P>(replicas: Replica[], startProxy: () => Promise<P>): Promise<P> {
  try {
    return await startProxy();
  } catch (error) {
    await Promise.all(replicas.map((r) => r.stop('SIGKILL')));
    throw error;
  }
}

export async function startSeedStack(ports: StackPorts, workers: 1 | 'auto'): Promise<RunningStack> {
  const bin = nginxBinary();
  if (bin === undefined) throw new Error('nginx is not installed');
  const t0 = performance.now();
  const replicas = ports.replicas.map((port, i) => startSeedReplica(`seed-${i + 1}`, port));
  await replicasReady(replicas);
  // startNginx returns once the master listens; the stack is ready once /health passes through it
  const nginx = await withProxy(replicas, () => startNginx(bin, nginxSettingsFor(proxySetup(ports, workers))));
  await withProxy(replicas, () => waitFor(() => httpOk(`http://127.0.0.1:${ports.proxy}/health`), { name: 'nginx', timeoutMs: 30_000, child: nginx.child }));
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

/** This build's fleet stack, or (`base`) another checkout's as `fleet-base`, each with its build's node flags. */
export async function startFleetStack(ports: StackPorts, base?: FleetBuild): Promise<RunningStack> {
  const argv = base === undefined ? replicaArgv() : [...(await buildNodeFlags(base.replicaMain, 'REPLICA_NODE_FLAGS')), base.replicaMain];
  const t0 = performance.now();
  const replicas = ports.replicas.map((port, i) => startFleetReplica(`server-${i + 1}`, port, {}, argv));
  await replicasReady(replicas);
  const balancer = await withProxy(replicas, () => startFleetBalancer(base?.balancerMain ?? BALANCER_MAIN, proxySetup(ports)));
  return {
    system: base === undefined ? 'fleet' : 'fleet-base',
    url: `http://127.0.0.1:${ports.proxy}`,
    startToReadyMs: performance.now() - t0,
    pids: () => [...replicas.map((r) => r.child.pid ?? 0), ...balancer.pids()],
    stop: async () => {
      await balancer.stop('graceful');
      await Promise.all(replicas.map((r) => r.stop()));
    },
  };
}
