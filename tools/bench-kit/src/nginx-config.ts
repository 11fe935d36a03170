/**
 * NGINX configuration for benchmarks and chaos runs, written into a temp prefix (pure: text
 * only). Defaults are the reverse-proxy setup of the tutorials fleet replaces
 * (`/work/shared/seeds`, infra/nginx): an upstream block with keepalive, HTTP/1.1 with an empty
 * `Connection` header toward the replicas, the X-Forwarded-* headers, `proxy_next_upstream`.
 */
export interface NginxOptions {
  /** Loopback port of the listener. */
  port: number;
  /** Temp prefix: pid file, error log, temp paths. */
  prefix: string;
  /** Upstream `server` lines without the `server` keyword: `127.0.0.1:8001 max_fails=3 fail_timeout=30s`. */
  servers: readonly string[];
  /** `worker_processes`: a number or `auto` (one per core). Default 1. */
  workers?: number | 'auto';
  /** Idle keep-alive connections per worker toward the upstreams (`keepalive`). Default 64. */
  keepalive?: number;
  /** `proxy_next_upstream` conditions. Default `error timeout http_502 http_503 http_504`. */
  nextUpstream?: string;
  /** `proxy_next_upstream_tries` (0 = unlimited, NGINX's default). */
  nextUpstreamTries?: number;
  /** Shared-memory `zone` for the upstream (state shared by all workers). Default true. */
  zone?: boolean;
  /** Timeouts in NGINX syntax (`1s`, `60s`); unset = NGINX's default. */
  timeouts?: {
    connect?: string;
    read?: string;
    clientHeader?: string;
    clientBody?: string;
    keepalive?: string;
  };
  /** `client_max_body_size` (default 1m, as NGINX). */
  clientMaxBodySize?: string;
  /** `access_log`: off by default (fleet's is off in the same runs). */
  accessLog?: boolean;
  /**
   * `keepalive_requests`, set on both sides (client connections and the upstream keepalive).
   * Default 1 000 000: NGINX's own default (1000) closes a client connection after 1000
   * requests, which at 12k req/s happens mid-run and the load generator counts an error on the
   * next request it sent there (fleet has no such limit).
   */
  keepaliveRequests?: number;
}

const KEEPALIVE_REQUESTS = 1_000_000;

function line(directive: string, value: string | number | undefined): string {
  return value === undefined ? '' : `    ${directive} ${value};\n`;
}

function upstreamBlock(o: NginxOptions): string {
  const servers = o.servers.map((s) => `    server ${s};\n`).join('');
  const zone = o.zone === false ? '' : '    zone bench_upstream 64k;\n';
  const requests = `    keepalive_requests ${o.keepaliveRequests ?? KEEPALIVE_REQUESTS};\n`;
  return `  upstream bench_upstream {\n${zone}${servers}    keepalive ${o.keepalive ?? 64};\n${requests}  }\n`;
}

function locationBlock(o: NginxOptions): string {
  const t = o.timeouts ?? {};
  return (
    '    location / {\n' +
    '      proxy_pass http://bench_upstream;\n' +
    '      proxy_http_version 1.1;\n' +
    '      proxy_set_header Connection "";\n' +
    '      proxy_set_header Host $host;\n' +
    '      proxy_set_header X-Real-IP $remote_addr;\n' +
    '      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n' +
    '      proxy_set_header X-Forwarded-Proto $scheme;\n' +
    `      proxy_next_upstream ${o.nextUpstream ?? 'error timeout http_502 http_503 http_504'};\n` +
    (o.nextUpstreamTries === undefined ? '' : `      proxy_next_upstream_tries ${o.nextUpstreamTries};\n`) +
    (t.connect === undefined ? '' : `      proxy_connect_timeout ${t.connect};\n`) +
    (t.read === undefined ? '' : `      proxy_read_timeout ${t.read};\n`) +
    '    }\n'
  );
}

export function nginxConfig(o: NginxOptions): string {
  const t = o.timeouts ?? {};
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  return (
    `${user}worker_processes ${o.workers ?? 1};\n` +
    `pid ${o.prefix}/nginx.pid;\n` +
    `error_log ${o.prefix}/error.log warn;\n` +
    'events { worker_connections 4096; }\n' +
    'http {\n' +
    `  access_log ${o.accessLog === true ? `${o.prefix}/access.log` : 'off'};\n` +
    ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `  ${k}_temp_path ${o.prefix}/${k}_temp;\n`).join('') +
    upstreamBlock(o) +
    '  server {\n' +
    `    listen 127.0.0.1:${o.port};\n` +
    line('client_max_body_size', o.clientMaxBodySize) +
    line('client_header_timeout', t.clientHeader) +
    line('client_body_timeout', t.clientBody) +
    line('keepalive_timeout', t.keepalive) +
    line('keepalive_requests', o.keepaliveRequests ?? KEEPALIVE_REQUESTS) +
    locationBlock(o) +
    '  }\n' +
    '}\n'
  );
}
