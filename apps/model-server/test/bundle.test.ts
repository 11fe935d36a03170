/**
 * The replica's bundle as built (`pnpm build`: tsc, then scripts/bundle-replica.ts), the file
 * every launcher starts through dist/main.js.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const bundle = readFileSync(new URL('../dist/replica.js', import.meta.url), 'latin1');

describe('dist/replica.js', () => {
  it('is ASCII only, so V8 keeps its 2.4 MB source as one byte per character (README, Start-up 2026-12-02)', () => {
    // eslint-disable-next-line no-control-regex
    expect(bundle.match(/[^\x00-\x7f]/g) ?? []).toEqual([]);
    expect(bundle.length).toBeGreaterThan(1_000_000); // Fastify, ajv, zod … are in it
  });
});
