import { describe, expect, it } from 'vitest';
import { chaosConfig } from './config.js';
import { faultPlan, planBoundS } from './plan.js';

const REPAIR: Record<string, string> = { 'kill-replica': 'restart-replica', 'stop-replica': 'cont-replica', 'reload-without-peer': 'reload-with-peer' };

describe('faultPlan', () => {
  const full = chaosConfig({});
  const runs = faultPlan(full);

  it('runs every fault on fleet then NGINX, kill -9 at c=16 and c=64', () => {
    expect(runs.map((r) => r.system).slice(0, 4)).toEqual(['fleet', 'nginx', 'fleet', 'nginx']);
    expect(runs.filter((r) => r.fault === 'kill9').map((r) => `${r.system}@${r.concurrency}`)).toEqual(['fleet@16', 'nginx@16', 'fleet@64', 'nginx@64']);
    expect(new Set(runs.map((r) => r.fault))).toEqual(new Set(full.faults));
  });

  it('keeps every step inside its window and repairs what it breaks in the same window', () => {
    for (const run of runs) {
      for (const step of run.steps) expect(step.atS, `${run.fault} ${step.action}`).toBeLessThan(run.windowS);
      for (const [i, step] of run.steps.entries()) {
        const repair = REPAIR[step.action];
        if (repair) expect(run.steps.slice(i + 1).map((s) => s.action), run.fault).toContain(repair);
      }
    }
  });

  it('pauses a replica for the configured time and waits out header timeout + 5 s for idle connections', () => {
    const stop = runs.find((r) => r.fault === 'sigstop');
    expect((stop?.steps[1]?.atS ?? 0) - (stop?.steps[0]?.atS ?? 0)).toBe(5);
    const idle = runs.find((r) => r.fault === 'idle');
    expect(idle?.windowS).toBeGreaterThan((idle?.steps[0]?.atS ?? 0) + full.headerTimeoutS + 5);
    expect(idle?.sample).toBe(true);
    expect(runs.find((r) => r.fault === 'http503')?.oneUpstream503).toBe(true);
  });

  it('keeps the smoke run short enough for CI (windows and warm-ups under 100 s)', () => {
    const smoke = chaosConfig({ CHAOS_SMOKE: '1' });
    const smokeRuns = faultPlan(smoke);
    expect(smokeRuns.filter((r) => r.fault === 'kill9')).toHaveLength(2);
    expect(planBoundS(smokeRuns, smoke, 0)).toBeLessThan(100);
  });

  it('runs only the faults and systems asked for', () => {
    const some = faultPlan(chaosConfig({ CHAOS_FAULTS: 'idle', CHAOS_SYSTEMS: 'fleet' }));
    expect(some.map((r) => `${r.fault}/${r.system}`)).toEqual(['idle/fleet']);
    expect(() => chaosConfig({ CHAOS_FAULTS: 'meteor' })).toThrow(/CHAOS_FAULTS: unknown "meteor"/);
  });
});
