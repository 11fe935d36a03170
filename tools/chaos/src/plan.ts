/**
 * Pure: which runs `pnpm chaos` makes, in which order, and what happens when in each window.
 * Every fault runs on every system in turn (fleet, nginx, fleet, nginx…) on a fresh proxy in
 * front of the same three replicas; a step that breaks something is always followed, in the
 * same window, by the step that repairs it, and every step falls inside the window.
 */
import type { ChaosConfig, FaultName, SystemName } from './config.js';

export type Action =
  | 'kill-replica'
  | 'restart-replica'
  | 'stop-replica'
  | 'cont-replica'
  | 'reload-without-peer'
  | 'reload-with-peer'
  | 'stop-proxy'
  | 'open-idle'
  | 'open-stalled-uploads';

export interface Step {
  atS: number;
  action: Action;
}

export interface FaultRun {
  fault: FaultName;
  system: SystemName;
  concurrency: number;
  windowS: number;
  steps: Step[];
  /** The proxy's third upstream answers every request with 503 instead of being a replica. */
  oneUpstream503: boolean;
  /** Sample the proxy's fds and RSS during the window. */
  sample: boolean;
}

const FAULT_AT_S = 1;

interface Shape {
  windowS: number;
  steps: Step[];
  oneUpstream503?: boolean;
  sample?: boolean;
}

function shape(fault: FaultName, c: ChaosConfig): Shape {
  const w = c.windowS;
  switch (fault) {
    case 'baseline':
      return { windowS: w, steps: [] };
    case 'kill9':
      return { windowS: w, steps: [{ atS: FAULT_AT_S, action: 'kill-replica' }, { atS: FAULT_AT_S + 0.5, action: 'restart-replica' }] };
    case 'sigstop':
      return { windowS: c.pauseS + 2 * FAULT_AT_S + 1, steps: [{ atS: FAULT_AT_S, action: 'stop-replica' }, { atS: FAULT_AT_S + c.pauseS, action: 'cont-replica' }] };
    case 'http503':
      return { windowS: w, steps: [], oneUpstream503: true };
    case 'reload':
      return { windowS: w, steps: [{ atS: FAULT_AT_S, action: 'reload-without-peer' }, { atS: FAULT_AT_S + w / 3, action: 'reload-with-peer' }] };
    case 'idle':
      return { windowS: FAULT_AT_S + c.headerTimeoutS + 7, steps: [{ atS: FAULT_AT_S, action: 'open-idle' }], sample: true };
    case 'slowloris':
      // 200 MB to accept and read: give a busy proxy time to take it all in
      return { windowS: Math.max(w, 6), steps: [{ atS: FAULT_AT_S, action: 'open-stalled-uploads' }], sample: true };
    case 'graceful-stop':
      return { windowS: w, steps: [{ atS: w / 2, action: 'stop-proxy' }] };
  }
}

export function faultPlan(c: ChaosConfig): FaultRun[] {
  const runs: FaultRun[] = [];
  for (const fault of c.faults) {
    const concurrencies = fault === 'kill9' ? c.killConcurrencies : [c.concurrency];
    const s = shape(fault, c);
    for (const concurrency of concurrencies) {
      for (const system of c.systems) {
        runs.push({ fault, system, concurrency, windowS: s.windowS, steps: s.steps, oneUpstream503: s.oneUpstream503 ?? false, sample: s.sample ?? false });
      }
    }
  }
  return runs;
}

/** Upper bound of the whole run in seconds (windows + warm-ups + an allowance per run for restarts). */
export function planBoundS(runs: readonly FaultRun[], c: ChaosConfig, perRunAllowanceS = 15): number {
  return runs.reduce((sum, r) => sum + r.windowS + c.warmupS + perRunAllowanceS, 0);
}
