/**
 * One fault run: a fresh proxy (fleet or NGINX) in front of the shared replicas, a warm-up,
 * then wrk for the window while the plan's steps fire on their timers and the proxy's fds/RSS
 * are sampled; afterwards the proxy is stopped and the replicas healed for the next run.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { runWrk, serverLines, type WrkRequest } from '@fleet/bench-kit';
import { resources, type RunRecord } from './analysis.js';
import { openIdle, openStalledUploads, type Held } from './attackers.js';
import type { ChaosConfig } from './config.js';
import type { Action, FaultRun } from './plan.js';
import { startProxy, type Proxy, type ProxyPorts } from './proxy.js';
import type { ReplicaSet } from './replicas.js';
import { start503, type Responder } from './responder.js';
import { startSampler } from './sampler.js';

/** The replica the faults hit (the second of three). */
const VICTIM = 1;
const STALLED_UPLOAD_BYTES = 1024 * 1024;

export const REQUESTS: WrkRequest[] = [
  { method: 'POST', path: '/predict', headers: { 'content-type': 'application/json' }, body: '{"text":"Congratulations, you have been selected for a cash prize"}' },
  { method: 'POST', path: '/predict', headers: { 'content-type': 'application/json' }, body: '{"text":"Hi Bob, the patch for the build script is attached"}' },
];

export interface RunDeps {
  cfg: ChaosConfig;
  replicas: ReplicaSet;
  ports: ProxyPorts & { responder: number };
  nginxBin: string | undefined;
  wrk: string;
  log(line: string): void;
}

interface Live {
  proxy: Proxy;
  held: Held[];
  notes: string[];
}

async function act(action: Action, live: Live, deps: RunDeps): Promise<void> {
  const { replicas, cfg, ports } = deps;
  const all = serverLines(replicas.ports);
  switch (action) {
    case 'kill-replica':
      return replicas.kill(VICTIM);
    case 'restart-replica': {
      const t0 = performance.now();
      await replicas.restart(VICTIM);
      live.notes.push(`replica back after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      return;
    }
    case 'stop-replica':
      return replicas.pause(VICTIM);
    case 'cont-replica':
      return replicas.resume(VICTIM);
    case 'reload-without-peer':
      return live.proxy.reload(all.filter((_, i) => i !== 2));
    case 'reload-with-peer':
      return live.proxy.reload(all);
    case 'stop-proxy':
      live.notes.push('after the stop, wrk\'s reconnects are refused (counted as write/connect errors); read errors and non-2xx are requests lost in flight');
      return live.proxy.stop();
    case 'open-idle':
      live.held.push(await openIdle(ports.port, cfg.idleConnections));
      return;
    case 'open-stalled-uploads':
      live.held.push(await openStalledUploads(ports.port, cfg.stalledUploads, STALLED_UPLOAD_BYTES));
      return;
  }
}

async function schedule(run: FaultRun, live: Live, deps: RunDeps): Promise<void> {
  const t0 = performance.now();
  for (const step of run.steps) {
    await delay(Math.max(0, step.atS * 1000 - (performance.now() - t0)));
    await act(step.action, live, deps);
  }
}

export async function executeRun(run: FaultRun, deps: RunDeps): Promise<RunRecord> {
  const { cfg, replicas } = deps;
  let responder: Responder | undefined;
  if (run.oneUpstream503) responder = await start503(deps.ports.responder);
  const servers = serverLines(run.oneUpstream503 ? [...replicas.ports.slice(0, 2), deps.ports.responder] : replicas.ports);
  const proxy = await startProxy(run.system, deps.nginxBin, deps.ports, servers, cfg.headerTimeoutS);
  const live: Live = { proxy, held: [], notes: [] };
  const url = `http://127.0.0.1:${deps.ports.port}`;
  const wrk = { bin: deps.wrk, url, requests: REQUESTS, connections: run.concurrency, cpus: cfg.wrkCpus || undefined, timeoutS: 30 };
  try {
    await runWrk({ ...wrk, durationS: cfg.warmupS });
    const sampler = run.sample ? startSampler(() => proxy.pids(), () => new Set(live.held.flatMap((h) => h.localPorts()))) : undefined;
    const [load] = await Promise.all([runWrk({ ...wrk, durationS: run.windowS }), schedule(run, live, deps)]);
    const samples = sampler?.stop();
    const faultAtS = run.steps[0]?.atS ?? 0;
    if (responder) live.notes.push(`the 503 upstream answered ${responder.answered()} requests`);
    const closed = live.held.reduce((n, h) => n + h.closedByPeer(), 0);
    if (live.held.length > 0) live.notes.push(`proxy closed ${closed} of the held connections`);
    const res = samples ? resources(samples, faultAtS) : undefined;
    return { fault: run.fault, system: run.system, concurrency: run.concurrency, load, ...(res ? { resources: res } : {}), ...(live.notes.length ? { note: live.notes.join('; ') } : {}) };
  } finally {
    live.held.forEach((h) => h.release());
    await proxy.stop();
    await responder?.close();
    await replicas.healAll();
  }
}
