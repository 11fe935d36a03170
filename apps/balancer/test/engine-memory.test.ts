import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Issue 9 item 3 on the engine: a plain-HTTP balancer whose groups use `client: engine` loads no
 * undici at all (undici's parts load on first use, `src/upstreams/undici.ts`), and so neither
 * `node:http2` nor `node:tls` nor `node:https`, even after proxying a request.
 */
const probe = fileURLToPath(new URL('./fixtures/engine-load-probe.ts', import.meta.url));

describe('memory: what an engine-only balancer loads', () => {
  it('loads no undici file and no TLS/HTTP2 builtin, and still proxies', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', probe], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const loaded = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as { body: string; undici: number; builtins: string[] };
    expect(loaded).toEqual({ body: 'ok', undici: 0, builtins: [] });
  });
});
