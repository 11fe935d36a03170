/** Every `BENCH_*` variable of `bench/run.ts`: its default, a valid value, and a bad one refused with an error naming it. */
import { describe, expect, it } from 'vitest';
import { benchConfig } from './config.js';
import { TARGETS } from './targets.js';

const refused = (env: NodeJS.ProcessEnv, message: string | RegExp): void => {
  expect(() => benchConfig(env)).toThrow(expect.objectContaining({ code: 'BENCH_BAD_ENV', message: expect.stringMatching(message) }));
};

describe('benchConfig', () => {
  it('has the README defaults when nothing is set', () => {
    const cfg = benchConfig({});
    expect({ ...cfg, targets: cfg.targets.map((t) => t.name) }).toEqual({
      smoke: false,
      rounds: 3,
      durationS: 4,
      warmupS: 10,
      connections: 32,
      portBase: 25400,
      scenarios: ['trivial', 'predict'],
      modes: ['pinned', 'unpinned'],
      targets: TARGETS.map((t) => t.name),
    });
  });

  it('reads every number it is given', () => {
    expect(benchConfig({ BENCH_ROUNDS: '5', BENCH_DURATION: '2', BENCH_WARMUP: '0', BENCH_CONNECTIONS: '8', BENCH_PORT_BASE: '26100' })).toMatchObject({
      rounds: 5,
      durationS: 2,
      warmupS: 0,
      connections: 8,
      portBase: 26100,
    });
  });

  it('BENCH_SMOKE=1 is one round of 1 s after 1 s of warm-up; 0 leaves the settings alone', () => {
    const set = { BENCH_ROUNDS: '5', BENCH_DURATION: '7', BENCH_WARMUP: '9', BENCH_CONNECTIONS: '8' };
    expect(benchConfig({ ...set, BENCH_SMOKE: '1' })).toMatchObject({ smoke: true, rounds: 1, durationS: 1, warmupS: 1, connections: 8 });
    expect(benchConfig({ ...set, BENCH_SMOKE: '0' })).toMatchObject({ smoke: false, rounds: 5, durationS: 7, warmupS: 9 });
  });

  it.each([
    ['BENCH_SMOKE', 'yes', /^BENCH_SMOKE must be 1 or 0/],
    ['BENCH_ROUNDS', '0', /^BENCH_ROUNDS must be an integer from 1 to 100, got "0"/],
    ['BENCH_ROUNDS', 'three', /^BENCH_ROUNDS must be/],
    ['BENCH_DURATION', '0', /^BENCH_DURATION must be an integer from 1 to 600/],
    ['BENCH_DURATION', '1.5', /^BENCH_DURATION must be/],
    ['BENCH_WARMUP', '-1', /^BENCH_WARMUP must be an integer from 0 to 600/],
    ['BENCH_CONNECTIONS', '0', /^BENCH_CONNECTIONS must be an integer from 1 to 10000/],
    ['BENCH_PORT_BASE', '80', /^BENCH_PORT_BASE must be an integer from 1024 to 65336/],
    ['BENCH_PORT_BASE', '65337', /^BENCH_PORT_BASE must be an integer from 1024 to 65336/],
    ['BENCH_SCENARIOS', 'trivial,grpc', /^BENCH_SCENARIOS: unknown "grpc"; known: trivial, predict/],
    ['BENCH_MODES', 'pinned,', /^BENCH_MODES: unknown ""; known: pinned, unpinned/],
    ['BENCH_TARGETS', 'fleet,envoy', /^BENCH_TARGETS: unknown target\(s\) envoy; known: direct, nginx/],
  ])('%s=%j is refused, naming the variable', (key, value, message) => {
    refused({ [key]: value }, message);
  });

  it('checks the numbers BENCH_SMOKE=1 overrides too', () => {
    refused({ BENCH_SMOKE: '1', BENCH_ROUNDS: 'x' }, /^BENCH_ROUNDS/);
  });

  it('keeps the bounds of each range', () => {
    expect(benchConfig({ BENCH_ROUNDS: '100', BENCH_DURATION: '600', BENCH_WARMUP: '600', BENCH_PORT_BASE: '1024' })).toMatchObject({ rounds: 100, durationS: 600, warmupS: 600, portBase: 1024 });
    expect(benchConfig({ BENCH_CONNECTIONS: '1', BENCH_PORT_BASE: '65336' })).toMatchObject({ connections: 1, portBase: 65336 });
    refused({ BENCH_ROUNDS: '101' }, /^BENCH_ROUNDS/);
    refused({ BENCH_DURATION: '601' }, /^BENCH_DURATION/);
    refused({ BENCH_WARMUP: '601' }, /^BENCH_WARMUP/);
    refused({ BENCH_CONNECTIONS: '10001' }, /^BENCH_CONNECTIONS/);
  });

  it('takes subsets of scenarios, modes and targets in the order given, each once', () => {
    const cfg = benchConfig({ BENCH_SCENARIOS: 'predict', BENCH_MODES: 'unpinned,pinned,unpinned', BENCH_TARGETS: 'fleet, direct' });
    expect(cfg.scenarios).toEqual(['predict']);
    expect(cfg.modes).toEqual(['unpinned', 'pinned']);
    expect(cfg.targets.map((t) => t.name)).toEqual(['direct', 'fleet']);
  });

  it('adds BENCH_EXTRA_TARGETS as fleet targets, which BENCH_TARGETS can name', () => {
    const cfg = benchConfig({ BENCH_EXTRA_TARGETS: '{"big-pool": {"upstreams": {"default": {"keepalive": {"connections": 256}}}}}', BENCH_TARGETS: 'nginx,big-pool' });
    expect(cfg.targets).toEqual([
      expect.objectContaining({ name: 'nginx' }),
      { name: 'big-pool', kind: 'fleet', label: 'fleet, big-pool', fleet: { upstreams: { default: { keepalive: { connections: 256 } } } } },
    ]);
  });

  it('starts an extra with other node flags than the build\'s when it gives nodeFlags (and its patch as config)', () => {
    const cfg = benchConfig({ BENCH_EXTRA_TARGETS: '{"ss1": {"nodeFlags": ["--max-semi-space-size=1"], "config": {"listen": {"server": "engine"}}}, "bare": {"nodeFlags": []}}' });
    expect(cfg.targets.slice(-2)).toEqual([
      { name: 'ss1', kind: 'fleet', label: 'fleet, ss1', fleet: { listen: { server: 'engine' } }, nodeFlags: ['--max-semi-space-size=1'] },
      { name: 'bare', kind: 'fleet', label: 'fleet, bare', fleet: {}, nodeFlags: [] },
    ]);
    expect(cfg.targets.find((t) => t.name === 'fleet')?.nodeFlags).toBeUndefined();
  });

  it('runs another checkout\'s build when an extra gives main (its node flags its own unless nodeFlags says)', () => {
    const cfg = benchConfig({ BENCH_EXTRA_TARGETS: '{"base": {"main": "/tmp/base-main/apps/balancer/dist/main.js", "config": {"listen": {"server": "engine"}}}, "base-bare": {"main": "/b/main.js", "nodeFlags": []}}' });
    expect(cfg.targets.slice(-2)).toEqual([
      { name: 'base', kind: 'fleet', label: 'fleet, base', fleet: { listen: { server: 'engine' } }, main: '/tmp/base-main/apps/balancer/dist/main.js' },
      { name: 'base-bare', kind: 'fleet', label: 'fleet, base-bare', fleet: {}, nodeFlags: [], main: '/b/main.js' },
    ]);
    expect(cfg.targets.find((t) => t.name === 'fleet')?.main).toBeUndefined();
  });

  it.each([
    ['nodeFlags that is not a list', '{"a": {"nodeFlags": "--x"}}', /^BENCH_EXTRA_TARGETS\.a\.nodeFlags must be a list of node flags/],
    ['a node flag a shell would read', '{"a": {"nodeFlags": ["--x=$(id)"]}}', /^BENCH_EXTRA_TARGETS\.a\.nodeFlags must be a list of node flags/],
    ['a script instead of a flag', '{"a": {"nodeFlags": ["evil.js"]}}', /^BENCH_EXTRA_TARGETS\.a\.nodeFlags must be a list of node flags/],
    ['a key beside nodeFlags other than config', '{"a": {"nodeFlags": [], "listen": {}}}', /^BENCH_EXTRA_TARGETS\.a: with nodeFlags or main only "config" may be beside them, not listen/],
    ['a relative main', '{"a": {"main": "dist/main.js"}}', /^BENCH_EXTRA_TARGETS\.a\.main must be the absolute path of a build's entry/],
    ['a main that is not a script', '{"a": {"main": "/tmp/base/apps/balancer/dist"}}', /^BENCH_EXTRA_TARGETS\.a\.main must be the absolute path/],
    ['a main that is not a string', '{"a": {"main": ["/x/main.js"]}}', /^BENCH_EXTRA_TARGETS\.a\.main must be the absolute path/],
    ['a config that is not an object', '{"a": {"nodeFlags": [], "config": 3}}', /^BENCH_EXTRA_TARGETS\.a\.config must be an object/],
    ['not JSON', '{big', /^BENCH_EXTRA_TARGETS must be a JSON object .*: SyntaxError/],
    ['not an object', '["a"]', /^BENCH_EXTRA_TARGETS must be a JSON object/],
    ['a patch that is not an object', '{"a": 1}', /^BENCH_EXTRA_TARGETS\.a must be an object/],
    ['a built-in name', '{"fleet": {}}', /^BENCH_EXTRA_TARGETS\.fleet: a built-in target has that name/],
    ['a name BENCH_TARGETS cannot list', '{"a,b": {}}', /^BENCH_EXTRA_TARGETS: target name "a,b" must be/],
    ['an empty name', '{"": {}}', /^BENCH_EXTRA_TARGETS: target name "" must be/],
  ])('BENCH_EXTRA_TARGETS with %s is refused, naming the variable', (_, raw, message) => {
    refused({ BENCH_EXTRA_TARGETS: raw }, message);
  });
});
