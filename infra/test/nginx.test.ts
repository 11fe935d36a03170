import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { readRepoFile } from './support/repo.js';
import { hasCommand, itNeeds } from './support/tools.js';

/**
 * `nginx -t` on the reference config (infra/nginx/conf.d), with the nginx binary installed on
 * the host (.ci/run installs Debian's). The files are loaded the way the nginx image loads them
 * (an http{} block including conf.d/*.conf) from a private prefix; two things are rewritten
 * for the host: the absolute include path /etc/nginx/conf.d/ points at the copy, and the
 * compose service names of the upstream servers (which only Docker's DNS resolves) become
 * 127.0.0.1 on the same ports. The compose smoke test runs `nginx -t` inside the real
 * container as well.
 */
const withNginx = itNeeds('nginx', hasCommand('nginx', ['-v']), 'nginx -t of infra/nginx/conf.d');
const dir = mkdtempSync(join(tmpdir(), 'fleet-nginx-t-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function prepare(): string {
  const confd = join(dir, 'conf.d');
  rmSync(confd, { recursive: true, force: true });
  spawnSync('mkdir', ['-p', confd, join(dir, 'logs'), join(dir, 'tmp')]);
  for (const name of readdirSync(new URL('../nginx/conf.d/', import.meta.url))) {
    const text = readRepoFile(`infra/nginx/conf.d/${name}`)
      .replaceAll('/etc/nginx/conf.d/', `${confd}/`)
      .replace(/^(\s*server\s+)model-server-\d+(:\d+)/gm, '$1127.0.0.1$2');
    writeFileSync(join(confd, name), text);
  }
  const main = join(dir, 'nginx.conf');
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/tmp/${t};`).join('\n');
  writeFileSync(main, `pid ${dir}/nginx.pid;\nerror_log stderr;\nevents {}\nhttp {\n${temp}\n  access_log off;\n  include ${confd}/*.conf;\n}\n`);
  return main;
}

describe('infra/nginx', () => {
  withNginx('passes nginx -t', () => {
    const main = prepare();
    const result = spawnSync('nginx', ['-t', '-p', dir, '-c', main, '-e', 'stderr'], { encoding: 'utf8', timeout: 30_000 });
    expect(result.stderr).toContain('test is successful');
    expect(result.status).toBe(0);
  });
});
