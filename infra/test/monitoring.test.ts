/**
 * infra/monitoring: the Prometheus rules pass `promtool check rules` and their unit tests
 * (`promtool test rules`), the config loads them, every metric they and the Grafana dashboard
 * query is one the real apps export (scraped from the built model-server and balancer after a
 * request), the dashboard JSON is the one dashboard.ts (typed with @grafana/schema) builds,
 * and the compose monitoring overlay mounts and provisions all of it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetDashboard } from '../monitoring/grafana/dashboard.js';
import { dashboardJson } from '../monitoring/grafana/json.js';
import { STACKS, loadStack, servicesOf } from './support/compose.js';
import { startApp, type Running } from './support/process.js';
import { asRecord, loadYaml, readRepoFile, repoPath } from './support/repo.js';
import { hasCommand, missingToolReason } from './support/tools.js';

const RULES = 'infra/monitoring/rules/fleet.rules.yml';
const skipPromtool = missingToolReason('promtool', hasCommand('promtool'), 'promtool checks of infra/monitoring (as root: apt-get install -y prometheus)');

interface RuleGroup {
  rules: { record?: string; alert?: string; expr: string }[];
}
const groups = (asRecord(loadYaml(RULES), RULES).groups as RuleGroup[]).flatMap((g) => g.rules);
const recorded = new Set(groups.flatMap((r) => (r.record === undefined ? [] : [r.record])));
const dashboardExprs = (fleetDashboard.panels ?? []).flatMap((p) => ('targets' in p ? (p.targets ?? []) : [])).map((t) => String((t as { expr?: unknown }).expr));

function promtool(...args: string[]): { status: number | null; output: string } {
  const r = spawnSync('promtool', args, { cwd: repoPath('infra/monitoring'), encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const NOT_METRICS = new Set(
  'sum max min avg count rate increase delta histogram_quantile vector by on without and or unless bool ignoring group_left group_right offset inf nan humanizePercentage humanizeDuration'.split(' '),
);

/** Metric names in a PromQL expression: identifiers outside label matchers, groupings, strings and ranges. */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|on|without|ignoring)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '');
  return [...bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)].map((m) => m[0]).filter((name) => !NOT_METRICS.has(name));
}

describe.skipIf(skipPromtool !== undefined)(`promtool ${skipPromtool ?? ''}`, () => {
  it('check rules: the rule file is valid', () => {
    const r = promtool('check', 'rules', 'rules/fleet.rules.yml');
    expect(r.status, r.output).toBe(0);
  });
  it('test rules: every recording rule and alert does what its unit test says', () => {
    const r = promtool('test', 'rules', 'tests/fleet.rules.test.yml');
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('SUCCESS');
  });
  it('check config: prometheus.yml loads the rules', () => {
    const r = promtool('check', 'config', 'prometheus.yml');
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('1 rule files found');
  });
  it("the Grafana dashboard's queries are valid PromQL", () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-grafana-'));
    const file = join(dir, 'dashboard.rules.yml');
    const rules = dashboardExprs.map((expr, i) => `      - record: grafana:panel_${i}\n        expr: ${JSON.stringify(expr)}`);
    writeFileSync(file, `groups:\n  - name: grafana\n    rules:\n${rules.join('\n')}\n`);
    const r = promtool('check', 'rules', file);
    expect(r.status, r.output).toBe(0);
  });
});

describe('the metrics the rules and the dashboard query exist', () => {
  let replica: Running | undefined;
  let balancer: Running | undefined;
  const exported = new Set<string>(['up']);

  beforeAll(async () => {
    replica = await startApp('model-server', { HOST: '127.0.0.1', PORT: '0', SERVER_ID: 'metrics-check', WORKERS: '1' });
    balancer = await startApp('balancer', { HOST: '127.0.0.1', PORT: '0', ADMIN_HOST: '127.0.0.1', ADMIN_PORT: '0', UPSTREAMS: `127.0.0.1:${String(replica.listening.port)}` });
    const res = await fetch(`http://127.0.0.1:${String(balancer.listening.port)}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"win a prize"}' });
    expect(res.status).toBe(200);
    for (const port of [replica.listening.port, balancer.listening.adminPort]) {
      const text = await (await fetch(`http://127.0.0.1:${String(port)}/metrics`)).text();
      for (const m of text.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{| )/gm)) exported.add(m[1] ?? '');
      // A labelled counter has no sample before its first inc (retries): its TYPE line names it.
      for (const m of text.matchAll(/^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)$/gm)) {
        const name = m[1] ?? '';
        exported.add(name);
        if (m[2] === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) exported.add(`${name}${suffix}`);
      }
    }
  }, 120_000);
  afterAll(async () => {
    await balancer?.stop();
    await replica?.stop();
  }, 120_000);

  it.each([...groups.map((r) => [r.record ?? r.alert ?? '', r.expr]), ...dashboardExprs.map((e, i) => [`grafana panel query ${i}`, e])])('%s', (_name, expr) => {
    const unknown = metricNames(expr).filter((name) => !exported.has(name) && !recorded.has(name));
    expect(unknown, expr).toEqual([]);
  });

  it('the exporters expose the histograms the quantiles read', () => {
    for (const name of ['fleet_balancer_upstream_response_seconds_bucket', 'model_server_request_duration_seconds_bucket', 'fleet_balancer_peer_state']) {
      expect(exported.has(name), name).toBe(true);
    }
  });
});

describe('Grafana dashboard', () => {
  it('dashboards/fleet.json is what dashboard.ts builds (pnpm --filter @fleet/infra grafana)', () => {
    expect(readRepoFile('infra/monitoring/grafana/dashboards/fleet.json')).toBe(dashboardJson());
  });
  it('every panel queries the provisioned datasource and has a unique id and place', () => {
    const datasource = asRecord(loadYaml('infra/monitoring/grafana/provisioning/datasources/fleet.yml'), 'datasource');
    const uid = (datasource.datasources as { uid: string }[])[0]?.uid;
    const panels = fleetDashboard.panels ?? [];
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const p of panels) expect((p.datasource as { uid?: string } | undefined)?.uid, String(p.title)).toBe(uid);
  });
});

describe('compose monitoring overlay', () => {
  const stack = STACKS.find((s) => s.name === 'monitoring');
  const services = servicesOf(loadStack(stack ?? { name: 'none', files: [] }));
  it('mounts the rules next to prometheus.yml', () => {
    expect(services.prometheus?.volumes).toContain('./infra/monitoring/rules:/etc/prometheus/rules:ro');
  });
  it('provisions Grafana with the datasource and the dashboard (own profile: its image is not built here)', () => {
    const grafana = services.grafana;
    expect(grafana?.profiles).toEqual(['grafana']);
    const volumes = (grafana?.volumes as string[]).join('\n');
    for (const dir of ['provisioning/datasources', 'provisioning/dashboards', 'dashboards']) expect(volumes).toContain(`./infra/monitoring/grafana/${dir}:`);
    const provider = asRecord(loadYaml('infra/monitoring/grafana/provisioning/dashboards/fleet.yml'), 'provider');
    const path = (provider.providers as { options: { path: string } }[])[0]?.options.path;
    expect(volumes).toContain(`:${String(path)}:ro`);
  });
});
