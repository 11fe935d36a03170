/**
 * The chaos run's replicas start the way `pnpm start`, the image and the systemd unit start
 * them: with the replica's node flags (its V8 heap sizing) before the entry.
 */
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { commandLine, freePortsInRange } from '@fleet/bench-kit';
import { REPLICA_NODE_FLAGS } from '@fleet/model-server/node-flags';
import { ReplicaSet } from '../src/replicas.js';

const MAIN = createRequire(import.meta.url).resolve('@fleet/model-server/main');

describe('ReplicaSet', () => {
  let set: ReplicaSet | undefined;
  afterAll(async () => {
    await set?.stopAll();
  });

  it('starts each replica with REPLICA_NODE_FLAGS before its entry', async () => {
    set = new ReplicaSet(await freePortsInRange(1, 27900, 27999));
    await set.ready();
    const [pid] = set.pids();
    expect((commandLine(pid ?? 0) ?? []).slice(1)).toEqual([...REPLICA_NODE_FLAGS, MAIN]);
  });
});
