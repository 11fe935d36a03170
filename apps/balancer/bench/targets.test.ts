/** The target table (rows may be added: these hold for any row) and which targets can run. */
import { describe, expect, it } from 'vitest';
import { runnableTargets, selectTargets, TARGETS } from './targets.js';

describe('TARGETS', () => {
  it('has one direct and one NGINX row, named as the report looks them up, and fleet rows after', () => {
    expect(TARGETS.filter((t) => t.kind === 'direct').map((t) => t.name)).toEqual(['direct']);
    expect(TARGETS.filter((t) => t.kind === 'nginx').map((t) => t.name)).toEqual(['nginx']);
    expect(TARGETS.some((t) => t.name === 'fleet' && t.kind === 'fleet')).toBe(true);
  });

  it('names every row once, in a form BENCH_TARGETS can list, and gives fleet rows (only) a config patch', () => {
    const names = TARGETS.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const t of TARGETS) {
      expect(t.name).toMatch(/^[A-Za-z0-9][\w.-]*$/);
      expect(t.fleet !== undefined).toBe(t.kind === 'fleet');
      expect(t.label).not.toContain('|');
    }
  });
});

describe('selectTargets and runnableTargets', () => {
  it('leaves NGINX out only when its binary is missing', () => {
    const all = selectTargets({});
    expect(runnableTargets(all, true)).toEqual(all);
    expect(runnableTargets(all, false).map((t) => t.kind)).toEqual(all.filter((t) => t.kind !== 'nginx').map((t) => t.kind));
    expect(runnableTargets(all, false)).toHaveLength(all.length - 1);
  });

  it('keeps the table order whatever order BENCH_TARGETS lists', () => {
    expect(selectTargets({ BENCH_TARGETS: 'fleet,nginx,direct,fleet' }).map((t) => t.name)).toEqual(['direct', 'nginx', 'fleet']);
  });

  it('puts BENCH_EXTRA_TARGETS after the table', () => {
    expect(selectTargets({ BENCH_EXTRA_TARGETS: '{"b": {}, "a": {}}' }).map((t) => t.name).slice(-2)).toEqual(['b', 'a']);
  });
});
