import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Issue 9 item 3: a balancer loads only what its configured features need. A plain-HTTP
 * balancer must not load undici's whole index (fetch, WebSocket, caches, mocks: ~9 MB of RSS
 * more than the Pool/Agent/request it uses, `src/upstreams/undici.ts`), nor `node:https`.
 * (`node:http2` and `node:tls` still come with undici's Pool, whose HTTP/2 client requires
 * them at load: the engine, which owns its upstream sockets, is what drops them.)
 */
const probe = fileURLToPath(new URL('./fixtures/load-probe.ts', import.meta.url));

describe('memory: what a plain-HTTP balancer loads', () => {
  it('loads neither undici\'s index nor node:https', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', probe], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const loaded = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as { undiciIndex: boolean; builtins: string[] };
    expect(loaded.undiciIndex).toBe(false);
    expect(loaded.builtins).not.toContain('https');
  });
});
