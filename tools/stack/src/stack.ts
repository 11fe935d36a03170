/**
 * The orchestration: port plan → ports free? → build → replicas (ready-gated) → balancer →
 * banner → wait for the stop signal → stop everything (balancer first, like compose).
 */
import { BALANCER_NODE_FLAGS } from '@fleet/balancer/node-flags';
import { REPLICA_NODE_FLAGS } from '@fleet/model-server/node-flags';
import type { StackOptions } from './args.js';
import { DEFAULT_BACKOFF } from './backoff.js';
import { appEntries, assertEntriesExist, buildApps } from './build.js';
import { formatLogLine } from './format.js';
import { allocateFreePorts, assertPortsFree } from './ports.js';
import { clientUrl, fillPorts, planPorts, portSlots, upstreamsEnv, type PortPlan } from './port-plan.js';
import type { FetchLike } from './readiness.js';
import { Service, type Reporter, type ServiceTiming } from './service.js';

export interface StackIo extends Reporter {
  /** Lines the stack itself prints (banner, build output). */
  info(line: string): void;
  fetch: FetchLike;
  env: NodeJS.ProcessEnv;
  rootDir: string;
  /** Aborted on Ctrl-C / SIGTERM / SIGHUP. */
  signal: AbortSignal;
  /** Every service as it is created, so the caller can SIGKILL them on a forced exit. */
  track(service: Service): void;
}

const STACK = 'stack';

async function resolvePorts(options: StackOptions): Promise<PortPlan> {
  const plan = planPorts(options);
  const slots = portSlots(plan);
  await assertPortsFree(plan.host, slots);
  const free = await allocateFreePorts(plan.host, slots.filter((s) => s.port === 0).length);
  return fillPorts(plan, free);
}

function timing(options: StackOptions): ServiceTiming {
  return {
    readyTimeoutMs: options.readyTimeoutMs,
    readyIntervalMs: 250,
    probeTimeoutMs: 2000,
    stopTimeoutMs: options.stopTimeoutMs,
    backoff: DEFAULT_BACKOFF,
  };
}

function replicaServices(plan: PortPlan, entry: string, options: StackOptions, io: StackIo): Service[] {
  return plan.replicas.map(
    (r) =>
      new Service(
        {
          name: r.serverId,
          entry,
          nodeArgs: REPLICA_NODE_FLAGS,
          env: { ...io.env, HOST: plan.host, PORT: String(r.port), SERVER_ID: r.serverId },
          readyUrl: `${clientUrl(plan.host, r.port)}/health/ready`,
        },
        timing(options),
        io,
        io.fetch,
      ),
  );
}

function balancerService(plan: PortPlan, entry: string, options: StackOptions, io: StackIo): Service {
  const token = io.env.ADMIN_TOKEN;
  return new Service(
    {
      name: 'balancer',
      entry,
      nodeArgs: BALANCER_NODE_FLAGS,
      env: {
        ...io.env,
        HOST: plan.host,
        PORT: String(plan.balancer),
        ADMIN_HOST: plan.host,
        ADMIN_PORT: String(plan.admin),
        UPSTREAMS: upstreamsEnv(plan),
        STRATEGY: options.strategy,
      },
      readyUrl: `${clientUrl(plan.host, plan.admin)}/status`,
      ...(token ? { readyHeaders: { authorization: `Bearer ${token}` } } : {}),
    },
    timing(options),
    io,
    io.fetch,
  );
}

async function startAndWait(service: Service, url: string, io: StackIo, quiet: boolean): Promise<void> {
  const pid = service.start();
  io.event(service.spec.name, `started (pid ${pid}) on ${url}`);
  const ms = await service.waitReady(io.signal).catch((error: unknown) => {
    // Under --quiet the reason (a config error, a missing model) would be hidden: show it now.
    if (quiet && !io.signal.aborted) service.recent.forEach((line) => io.event(service.spec.name, formatLogLine(line)));
    throw error;
  });
  service.supervise();
  io.event(service.spec.name, `ready in ${(ms / 1000).toFixed(1)}s`);
}

export function banner(plan: PortPlan, options: StackOptions): string[] {
  const url = clientUrl(plan.host, plan.balancer);
  const admin = clientUrl(plan.host, plan.admin);
  const body = `'{"text":"Congratulations, you won a free prize! Reply now"}'`;
  return [
    `stack is up: ${url}  (${options.replicas} replicas, ${options.strategy})`,
    `  try:     for i in $(seq 1 6); do curl -s -X POST ${url}/predict -H 'content-type: application/json' -d ${body}; echo; done`,
    `  status:  curl -s ${admin}/status`,
    `  metrics: curl -s ${admin}/metrics`,
    '  Ctrl-C stops everything.',
  ];
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

export async function runStack(options: StackOptions, io: StackIo): Promise<void> {
  const plan = await resolvePorts(options);
  const entries = appEntries(io.rootDir);
  if (options.build) {
    io.event(STACK, 'building what is missing (turbo build; cached when up to date)…');
    await buildApps(io.rootDir, { line: (text) => io.output('build', text, 'stdout'), signal: io.signal });
  }
  assertEntriesExist(io.rootDir, entries);
  const replicas = replicaServices(plan, entries.modelServer, options, io);
  const balancer = balancerService(plan, entries.balancer, options, io);
  [...replicas, balancer].forEach((s) => io.track(s));
  try {
    await Promise.all(replicas.map((s, i) => startAndWait(s, clientUrl(plan.host, plan.replicas[i]?.port ?? 0), io, options.quiet)));
    io.event(STACK, `all ${replicas.length} replicas ready; starting the balancer`);
    const where = `${clientUrl(plan.host, plan.balancer)} (admin ${clientUrl(plan.host, plan.admin)})`;
    await startAndWait(balancer, where, io, options.quiet);
    for (const line of banner(plan, options)) io.info(line);
    await untilAborted(io.signal);
  } finally {
    io.event(STACK, 'stopping…');
    await balancer.stop();
    await Promise.all(replicas.map((s) => s.stop()));
    io.event(STACK, 'stopped: no child left running');
  }
}
