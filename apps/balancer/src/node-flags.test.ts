import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BALANCER_NODE_FLAGS } from './node-flags.js';

describe('BALANCER_NODE_FLAGS', () => {
  it('size the young generation and set no hard heap cap (a burst of large requests must not crash the balancer)', () => {
    expect(BALANCER_NODE_FLAGS).toContainEqual(expect.stringMatching(/^--max-semi-space-size=\d+$/));
    expect(BALANCER_NODE_FLAGS.some((f) => /max-old-space-size|max-heap-size/.test(f))).toBe(false);
  });

  it('are on the command line of the package start script', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe(`node ${BALANCER_NODE_FLAGS.join(' ')} dist/main.js`);
  });
});
