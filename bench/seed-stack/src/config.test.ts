import { describe, expect, it } from 'vitest';
import { benchConfig } from './config.js';

describe('benchConfig', () => {
  it('has a full mode and a short smoke mode', () => {
    expect(benchConfig({})).toMatchObject({ smoke: false, rounds: 2, warmupS: 10, durationS: 12, portBase: 24000, nginxAuto: true });
    expect(benchConfig({ BENCH_SMOKE: '1' })).toMatchObject({ smoke: true, rounds: 1, warmupS: 2, durationS: 3 });
  });

  it('takes overrides and refuses bad numbers with the variable name', () => {
    expect(benchConfig({ BENCH_ROUNDS: '3', BENCH_WRK_CPUS: '', BENCH_NGINX_AUTO: '0' })).toMatchObject({ rounds: 3, wrkCpus: '', nginxAuto: false });
    expect(() => benchConfig({ BENCH_DURATION: 'ten' })).toThrow(/BENCH_DURATION must be a non-negative integer, got "ten"/);
  });
});
