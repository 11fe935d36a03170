/**
 * The NGINX reference config and the Prometheus scrape config name the same replicas,
 * ports and policies as the compose stack they are mounted into.
 */
import { describe, expect, it } from 'vitest';
import { BASE_FILE, servicesOf, stackProject } from './support/compose.js';
import { asRecord, loadYaml, readRepoFile } from './support/repo.js';

const base = servicesOf(stackProject({ name: 'base', files: [BASE_FILE] }));
const replicas = Object.keys(base).filter((name) => /^model-server-\d+$/.test(name));
const nginx = readRepoFile('infra/nginx/conf.d/fleet.conf');
const proxy = readRepoFile('infra/nginx/conf.d/fleet-proxy.inc');
const active = (text: string): string => text.replace(/#.*$/gm, '');

describe('infra/nginx/conf.d', () => {
  it('balances over exactly the compose replicas with passive health checks', () => {
    const servers = [...active(nginx).matchAll(/^[ \t]*server[ \t]+([^\s{]+)[ \t]+(.*);/gm)].map((m) => [m[1], m[2]]);
    expect(servers.map(([address]) => address)).toEqual(replicas.map((r) => `${r}:8000`));
    for (const [, params] of servers) expect(params).toBe('max_fails=3 fail_timeout=30s');
  });

  it.each([
    ['shared upstream state', /^\s*zone fleet_models \d+k;/m],
    ['upstream keepalive', /^\s*keepalive \d+;/m],
    ['a limit_req zone and its use', /limit_req_zone \$binary_remote_addr zone=fleet_api:\S+ rate=\d+r\/s;[\s\S]*limit_req zone=fleet_api burst=\d+ nodelay;/],
    ['429 past the rate limit', /^\s*limit_req_status 429;/m],
    ['a body size limit', /^\s*client_max_body_size \d+[km];/m],
    ['stub_status', /location = \/nginx_status \{[^}]*stub_status;[^}]*deny all;/],
    ['dotfiles refused', /location ~ \/\\\.\(\?!well-known\/\) \{[^}]*return 404;/],
  ])('has %s', (_what, pattern) => {
    expect(active(nginx)).toMatch(pattern);
  });

  it('proxies with HTTP/1.1 keep-alive, forwarded headers and bounded retries', () => {
    for (const line of [
      'proxy_http_version 1.1;',
      'proxy_set_header Connection "";',
      'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
      'proxy_next_upstream_tries 3;',
    ]) {
      expect(active(proxy)).toContain(line);
    }
  });
});

describe('infra/monitoring/prometheus.yml', () => {
  it('scrapes the balancer admin port and every replica', () => {
    const config = asRecord(loadYaml('infra/monitoring/prometheus.yml'), 'prometheus.yml');
    const targets = (config.scrape_configs as Record<string, unknown>[]).flatMap((job) =>
      (job.static_configs as { targets: string[] }[]).flatMap((c) => c.targets),
    );
    const adminPort = String(asRecord(base.balancer?.environment, 'balancer env').ADMIN_PORT);
    expect(targets.sort()).toEqual([`balancer:${adminPort}`, ...replicas.map((r) => `${r}:8000`)].sort());
  });
});
