import { describe, expect, it } from 'vitest';
import { nginxConfig } from './nginx-config.js';

const base = { port: 24999, prefix: '/tmp/p', servers: ['127.0.0.1:1 max_fails=3 fail_timeout=30s', '127.0.0.1:2'] };

describe('nginxConfig', () => {
  it('writes the upstream with every server line, keepalive and a shared zone', () => {
    const conf = nginxConfig(base);
    expect(conf).toContain('    server 127.0.0.1:1 max_fails=3 fail_timeout=30s;\n    server 127.0.0.1:2;\n');
    expect(conf).toContain('keepalive 64;');
    expect(conf).toContain('zone bench_upstream 64k;');
    expect(conf).toContain('listen 127.0.0.1:24999;');
    expect(conf).toContain('worker_processes 1;');
    expect(conf).toContain('access_log off;');
    expect(conf).toContain('proxy_set_header Connection "";');
  });

  it('takes workers, retries, timeouts and limits when given', () => {
    const conf = nginxConfig({
      ...base,
      workers: 'auto',
      keepalive: 32,
      zone: false,
      nextUpstream: 'error timeout non_idempotent',
      nextUpstreamTries: 3,
      timeouts: { connect: '1s', read: '60s', clientHeader: '10s', clientBody: '60s', keepalive: '65s' },
      clientMaxBodySize: '1m',
    });
    expect(conf).toContain('worker_processes auto;');
    expect(conf).toContain('keepalive 32;');
    expect(conf).not.toContain('zone ');
    expect(conf).toContain('proxy_next_upstream error timeout non_idempotent;');
    expect(conf).toContain('proxy_next_upstream_tries 3;');
    for (const d of ['proxy_connect_timeout 1s', 'proxy_read_timeout 60s', 'client_header_timeout 10s', 'client_body_timeout 60s', 'keepalive_timeout 65s', 'client_max_body_size 1m']) {
      expect(conf).toContain(`${d};`);
    }
  });

  it('raises keepalive_requests on both sides (client connections and upstream keepalive)', () => {
    const sides = (conf: string): string[] => [/upstream bench_upstream \{[^}]*\}/.exec(conf)?.[0] ?? '', /listen [^}]*location/.exec(conf)?.[0] ?? ''];
    for (const side of sides(nginxConfig(base))) expect(side).toContain('keepalive_requests 1000000;');
    for (const side of sides(nginxConfig({ ...base, keepaliveRequests: 500 }))) expect(side).toContain('keepalive_requests 500;');
  });

  it('leaves unset timeouts to NGINX defaults', () => {
    expect(nginxConfig(base)).not.toMatch(/_timeout /);
  });
});
