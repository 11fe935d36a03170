/**
 * The stack bench runs fleet's replicas the way `pnpm start`, the image and the systemd unit
 * run them: with the replica's node flags (its V8 heap sizing) before the entry. Without them
 * the bench measured a replica no deployment runs (peak RSS ~100 MB higher).
 */
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { commandLine, freePortsInRange } from '@fleet/bench-kit';
import { REPLICA_NODE_FLAGS } from '@fleet/model-server/node-flags';
import { startFleetReplica, type Replica } from '../src/replicas.js';

const MAIN = createRequire(import.meta.url).resolve('@fleet/model-server/main');

describe('startFleetReplica', () => {
  let replica: Replica | undefined;
  afterAll(async () => {
    await replica?.stop();
  });

  it('starts the replica with REPLICA_NODE_FLAGS before its entry, and it becomes ready', async () => {
    const [port] = await freePortsInRange(1, 24900, 24999);
    replica = startFleetReplica('flags-check', port ?? 0);
    await replica.ready;
    expect((commandLine(replica.child.pid ?? 0) ?? []).slice(1)).toEqual([...REPLICA_NODE_FLAGS, MAIN]);
  });
});
