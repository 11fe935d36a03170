/**
 * The /predict scenario's backends are real replicas started the way `pnpm start`, the image
 * and the systemd unit start them: the replica's node flags before the entry; the fleet targets
 * start with the balancer's own node flags (or an extra's, for a heap-sizing screen).
 */
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPLICA_NODE_FLAGS } from '@fleet/model-server/node-flags';
import { commandLine, freePortsInRange, type ListeningProcess } from '@fleet/bench-kit';
import { BALANCER_NODE_FLAGS } from '../src/node-flags.js';
import { BALANCER_MAIN, startBackends, startTarget, type Running } from './stack.js';
import { TARGETS, extraTargets, type Target } from './targets.js';

const MAIN = createRequire(import.meta.url).resolve('@fleet/model-server/main');

describe('startBackends("predict")', () => {
  let backends: ListeningProcess[] = [];
  afterAll(async () => {
    await Promise.all(backends.map((b) => b.stop()));
  });

  it('starts two replicas with REPLICA_NODE_FLAGS before their entry', async () => {
    backends = await startBackends('predict');
    expect(backends).toHaveLength(2);
    for (const b of backends) expect((commandLine(b.child.pid ?? 0) ?? []).slice(1)).toEqual([...REPLICA_NODE_FLAGS, MAIN]);
  });
});

describe('startTarget (fleet)', () => {
  let backends: ListeningProcess[] = [];
  const running: Running[] = [];
  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    await Promise.all(backends.map((b) => b.stop()));
  });

  const start = async (target: Target): Promise<string[]> => {
    const [port, adminPort] = (await freePortsInRange(2, 26400, 26599)) as [number, number];
    const r = await startTarget(target, backends, [port, adminPort], undefined);
    running.push(r);
    return (commandLine(r.pids()[0] ?? 0) ?? []).slice(1);
  };

  it('starts the balancer with BALANCER_NODE_FLAGS before its entry, or with the flags an extra target names', async () => {
    backends = await startBackends('trivial');
    const fleet = TARGETS.find((t) => t.name === 'fleet') as Target;
    expect(await start(fleet)).toEqual([...BALANCER_NODE_FLAGS, BALANCER_MAIN]);
    const [bare] = extraTargets('{"bare": {"nodeFlags": []}}');
    expect(await start(bare as Target)).toEqual([BALANCER_MAIN]);
  });

  it('starts another build\'s entry when an extra target names main, with the node flags beside that entry', async () => {
    // A "build" whose entry is a link to this one's and that has no node-flags.js beside it: started bare.
    const dir = mkdtempSync(join(tmpdir(), 'bench-main-'));
    try {
      const main = join(dir, 'main.js');
      symlinkSync(BALANCER_MAIN, main);
      const [other] = extraTargets(JSON.stringify({ other: { main } }));
      expect(await start(other as Target)).toEqual([main]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
