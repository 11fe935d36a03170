import { spawnSync } from 'node:child_process';
import { loadBalancerConfig, loadModelServerConfig } from '@fleet/config';
import { BALANCER_NODE_FLAGS } from '@fleet/balancer/node-flags';
import { REPLICA_NODE_FLAGS } from '@fleet/model-server/node-flags';
import { describe, expect, it } from 'vitest';
import { listRepoFiles, readRepoFile, repoPath } from './support/repo.js';
import { lastValue, parseUnit, type Unit } from './support/systemd.js';
import { hasCommand, itNeeds } from './support/tools.js';

const SERVICES = listRepoFiles('infra/systemd', ['.service']);
const HARDENING: Record<string, string> = {
  NoNewPrivileges: 'yes',
  ProtectSystem: 'strict',
  ProtectHome: 'yes',
  PrivateTmp: 'yes',
  PrivateDevices: 'yes',
  RestrictNamespaces: 'yes',
  LockPersonality: 'yes',
};

/** `Environment=` assignments of a unit, with %i → `port` and %H → a host name. */
function environment(unit: Unit, port: string): Record<string, string> {
  const pairs = (unit.get('Service')?.get('Environment') ?? []).flatMap((v) => v.split(/\s+/));
  return Object.fromEntries(
    pairs.map((pair) => {
      const [key = '', ...rest] = pair.replaceAll('%i', port).replaceAll('%H', 'host').split('=');
      return [key, rest.join('=')];
    }),
  );
}

describe.each(SERVICES)('%s', (file) => {
  const unit = parseUnit(readRepoFile(file));

  it('restarts forever and drains on stop (seed 001)', () => {
    expect(lastValue(unit, 'Service', 'Restart')).toBe('always');
    expect(lastValue(unit, 'Service', 'RestartSec')).toBe('5');
    expect(lastValue(unit, 'Service', 'KillSignal')).toBe('SIGTERM');
    expect(Number(lastValue(unit, 'Service', 'TimeoutStopSec'))).toBeGreaterThanOrEqual(31);
    const flags = (file.includes('model-server') ? REPLICA_NODE_FLAGS : BALANCER_NODE_FLAGS).map((f) => `${f} `).join('');
    expect(lastValue(unit, 'Service', 'ExecStart')).toBe(`/usr/bin/node ${flags}dist/main.js`);
    expect(lastValue(unit, 'Unit', 'After')).toContain('network-online.target');
    expect(lastValue(unit, 'Install', 'WantedBy')).toBe('fleet.target');
  });

  it('runs unprivileged and hardened', () => {
    expect(lastValue(unit, 'Service', 'DynamicUser') ?? lastValue(unit, 'Service', 'User')).toBeTruthy();
    for (const [key, value] of Object.entries(HARDENING)) expect(lastValue(unit, 'Service', key), key).toBe(value);
    expect(lastValue(unit, 'Service', 'CapabilityBoundingSet')).toBe('');
    // V8's JIT writes executable pages: this option would crash node.
    expect(lastValue(unit, 'Service', 'MemoryDenyWriteExecute')).toBeUndefined();
  });
});

describe('fleet-model-server@.service', () => {
  const unit = parseUnit(readRepoFile('infra/systemd/fleet-model-server@.service'));
  it('takes its port and server id from the instance name, and the config loader accepts them', () => {
    const env = environment(unit, '8001');
    expect(env).toMatchObject({ PORT: '8001', SERVER_ID: 'host-8001', HOST: '127.0.0.1' });
    expect(loadModelServerConfig({ env }).port).toBe(8001);
  });
});

describe('fleet-balancer.service', () => {
  const unit = parseUnit(readRepoFile('infra/systemd/fleet-balancer.service'));
  it('reloads with SIGHUP and reads infra/systemd/balancer.yaml as its config', () => {
    expect(lastValue(unit, 'Service', 'ExecReload')).toBe('/bin/kill -HUP $MAINPID');
    expect(environment(unit, '').CONFIG_FILE).toBe('/etc/fleet/balancer.yaml');
    const config = loadBalancerConfig({ env: {}, file: repoPath('infra/systemd/balancer.yaml') });
    const servers = Object.values(config.upstreams).flatMap((g) => g.servers.map((s) => s.address));
    expect(servers).toEqual(['127.0.0.1:8001', '127.0.0.1:8002', '127.0.0.1:8003']);
  });
});

const withAnalyze = itNeeds('systemd-analyze', hasCommand('systemd-analyze'), 'systemd-analyze verify of infra/systemd');
describe('systemd-analyze verify', () => {
  withAnalyze('accepts every unit', () => {
    const units = listRepoFiles('infra/systemd', ['.service', '.target']).map((f) => repoPath(f));
    const result = spawnSync('systemd-analyze', ['verify', '--man=no', ...units], { encoding: 'utf8' });
    expect(result.stderr.split('\n').filter((l) => /error|invalid|unknown/i.test(l))).toEqual([]);
    expect(result.status).toBe(0);
  });
});
