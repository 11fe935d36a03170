import { describe, expect, it } from 'vitest';
import { decide, DEFAULT_POLICY_LIMITS, type ExecutorState } from './policy.js';

const state = (s: Partial<ExecutorState>): ExecutorState => ({ inline: 'idle', idleWorkers: 1, workers: 1, maxWorkers: 1, ...s });
const run = (estimateUs: number, lagMs: number, s: Partial<ExecutorState>) => decide(estimateUs, lagMs, state(s), DEFAULT_POLICY_LIMITS).run;

describe('executor policy', () => {
  it.each([
    ['short batch, quiet loop: inline', 50, 0, {}, 'inline'],
    ['short batch, inline busy: wait for it rather than pay a worker round trip', 50, 0, { inline: 'busy' as const }, 'wait'],
    ['long batch: a worker', 5000, 0, {}, 'worker'],
    ['long batch, every worker busy: wait, never the event loop', 5000, 0, { idleWorkers: 0 }, 'wait'],
    ['nothing measured yet counts as long', Number.NaN, 0, {}, 'worker'],
    ['exactly the bound is still inline', DEFAULT_POLICY_LIMITS.inlineMaxUs, 0, {}, 'inline'],
    ['lagging loop: a free worker takes even a short batch', 50, 50, {}, 'worker'],
    ['lagging loop, no free worker: inline rather than wait', 50, 50, { idleWorkers: 0 }, 'inline'],
    ['no inline session (worker-only backend): a worker', 50, 0, { inline: 'none' as const }, 'worker'],
    ['no inline session, workers busy: wait', 50, 0, { inline: 'none' as const, idleWorkers: 0 }, 'wait'],
    ['WORKERS=0: inline whatever the estimate', 5000, 0, { idleWorkers: 0, workers: 0, maxWorkers: 0 }, 'inline'],
    ['WORKERS=0, inline busy: wait', 50, 0, { inline: 'busy' as const, idleWorkers: 0, workers: 0, maxWorkers: 0 }, 'wait'],
  ])('%s', (_name, estimateUs, lagMs, s, expected) => {
    expect(run(estimateUs, lagMs, s)).toBe(expected);
  });

  it.each([
    ['no worker yet: a batch within spawnMinUs runs inline', 9000, { inline: 'idle' as const }, { run: 'inline', start: false }],
    ['no worker yet, inline busy: waits for it', 9000, { inline: 'busy' as const }, { run: 'wait', start: false }],
    ['no worker yet: a longer batch waits and starts one', 10_500, { inline: 'idle' as const }, { run: 'wait', start: true }],
    ['nothing measured, no worker yet: starts one', Number.NaN, { inline: 'idle' as const }, { run: 'wait', start: true }],
  ])('WORKERS=auto, %s', (_name, estimateUs, s, expected) => {
    const lazy = state({ ...s, idleWorkers: 0, workers: 0, maxWorkers: 1 });
    expect(decide(estimateUs, 0, lazy, DEFAULT_POLICY_LIMITS)).toEqual(expected);
  });

  it('a lagging loop alone starts no worker (WORKERS=auto)', () => {
    expect(decide(50, 50, state({ idleWorkers: 0, workers: 0, maxWorkers: 1 }), DEFAULT_POLICY_LIMITS)).toEqual({ run: 'inline', start: false });
  });

  it('once a worker runs (or starts), batches past inlineMaxUs go to it', () => {
    expect(decide(9000, 0, state({ idleWorkers: 1, workers: 1, maxWorkers: 1 }), DEFAULT_POLICY_LIMITS).run).toBe('worker');
    expect(decide(9000, 0, state({ idleWorkers: 0, workers: 1, maxWorkers: 1 }), DEFAULT_POLICY_LIMITS).run).toBe('wait');
  });

  it('asks for another worker when a long batch finds none free and the pool may grow', () => {
    expect(decide(5000, 0, state({ idleWorkers: 0, workers: 1, maxWorkers: 2 }), DEFAULT_POLICY_LIMITS)).toEqual({ run: 'wait', start: true });
  });
});
