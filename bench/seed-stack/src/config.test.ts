import { describe, expect, it } from 'vitest';
import { benchConfig, plannedLoadSeconds } from './config.js';

describe('benchConfig', () => {
  it('has a full mode and a short smoke mode', () => {
    expect(benchConfig({})).toMatchObject({ smoke: false, rounds: 2, warmupS: 10, durationS: 12, lightDurationS: 8, portBase: 24000, nginxAuto: true });
    expect(benchConfig({ BENCH_SMOKE: '1' })).toMatchObject({ smoke: true, rounds: 1, warmupS: 2, durationS: 3, lightDurationS: 2 });
  });

  it('takes overrides and refuses bad numbers with the variable name', () => {
    expect(benchConfig({ BENCH_ROUNDS: '3', BENCH_WRK_CPUS: '', BENCH_NGINX_AUTO: '0' })).toMatchObject({ rounds: 3, wrkCpus: '', nginxAuto: false });
    expect(() => benchConfig({ BENCH_DURATION: 'ten' })).toThrow(/BENCH_DURATION must be a non-negative integer, got "ten"/);
  });

  it('takes another fleet checkout to measure as fleet-base, none by default', () => {
    expect(benchConfig({}).fleetBase).toBeUndefined();
    expect(benchConfig({ BENCH_FLEET_BASE: '' }).fleetBase).toBeUndefined();
    expect(benchConfig({ BENCH_FLEET_BASE: '/tmp/base' }).fleetBase).toBe('/tmp/base');
  });

  it('plans the run length up front: light rows (c=1, c=4) keep the full run near 7 minutes of load, smoke under a minute', () => {
    const full = benchConfig({});
    // seed, seed-auto, fleet; c1, c4 (light), c32, c64, c32x8
    expect(plannedLoadSeconds(full, 3, [8, 8, 12, 12, 12])).toBe(2 * 3 * (10 + 3 + 52));
    const smoke = benchConfig({ BENCH_SMOKE: '1' });
    expect(plannedLoadSeconds(smoke, 3, [2, 2, 3, 3, 3])).toBe(3 * (2 + 1 + 13));
  });
});
