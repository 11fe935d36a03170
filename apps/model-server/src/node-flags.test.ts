import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPLICA_MAIN, REPLICA_NODE_FLAGS, replicaArgv } from './node-flags.js';

describe('REPLICA_NODE_FLAGS', () => {
  it('size the young generation and set no hard heap cap (a burst of large requests must not crash the replica)', () => {
    expect(REPLICA_NODE_FLAGS).toContainEqual(expect.stringMatching(/^--max-semi-space-size=\d+$/));
    expect(REPLICA_NODE_FLAGS.some((f) => /max-old-space-size|max-heap-size/.test(f))).toBe(false);
  });

  it('bound the old generation\'s first limit: a fixed growing factor instead of V8\'s 4× before it has timed a full collection', () => {
    expect(REPLICA_NODE_FLAGS).toContain('--heap-growing-percent=50');
  });

  it('are on the command line of the package start script', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe(`node ${REPLICA_NODE_FLAGS.join(' ')} dist/main.js`);
  });

  it('come before the built entry in the argv every bench and tool spawns', () => {
    expect(REPLICA_MAIN).toBe(fileURLToPath(new URL('../dist/main.js', import.meta.url)));
    expect(replicaArgv()).toEqual([...REPLICA_NODE_FLAGS, REPLICA_MAIN]);
    expect(replicaArgv('/x/main.js')).toEqual([...REPLICA_NODE_FLAGS, '/x/main.js']);
  });
});
