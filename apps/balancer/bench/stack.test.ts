/**
 * The /predict scenario's backends are real replicas started the way `pnpm start`, the image
 * and the systemd unit start them: the replica's node flags before the entry.
 */
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { REPLICA_NODE_FLAGS } from '@fleet/model-server/node-flags';
import { commandLine, type ListeningProcess } from '@fleet/bench-kit';
import { startBackends } from './stack.js';

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
