import { describe, expect, it } from 'vitest';
import type { RunRecord } from './analysis.js';
import { chaosTable, targetsTable } from './table.js';

const record: RunRecord = {
  fault: 'idle',
  system: 'nginx',
  concurrency: 16,
  load: { requests: 12345, durationS: 5, rps: 2469, p50Ms: 4, p90Ms: 6, p99Ms: 12.4, maxMs: 80, non2xx: 0, socketErrors: { connect: 3, read: 1, write: 0, timeout: 0 } },
  resources: { baseFds: 13, peakFds: 113, endFds: 13, peakHeld: 100, endHeld: 0, releasedAfterS: 10.2, baseRssMb: 12, peakRssMb: 14, rssGrowthMb: 2 },
  note: 'proxy closed 100 of the held connections',
};

describe('chaosTable', () => {
  it('has one row per run with the socket error classes, fds and RSS', () => {
    const text = chaosTable([record]);
    expect(text.split('\n')[0]).toBe('| fault | system | c | requests | non-2xx | socket errors | p99 ms | max ms | proxy fds base → peak → end | attack sockets held by the proxy | proxy RSS MB base → peak | note |');
    expect(text).toContain('| 100 idle connections | NGINX | 16 | 12,345 | 0 | 4 (connect 3, read 1) | 12 | 80 | 13 → 113 → 13 | 100 → 0 after 10.2 s | 12 → 14 (+2) | proxy closed 100 of the held connections |');
  });
});

describe('targetsTable', () => {
  it('says met, not met, or not measured', () => {
    const text = targetsTable([
      { target: 'a', fleet: '0 failed', nginx: '0 failed', met: true },
      { target: 'b', fleet: '5 failed', nginx: '0 failed', met: false },
      { target: 'c', fleet: '—', nginx: '—', met: undefined },
    ]);
    expect(text).toContain('| a | 0 failed | 0 failed | met |');
    expect(text).toContain('| b | 5 failed | 0 failed | not met |');
    expect(text).toContain('| c | — | — | not measured |');
  });
});
