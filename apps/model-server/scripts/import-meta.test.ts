import { describe, expect, it } from 'vitest';
import { importMetaUrlFor } from './import-meta.js';

describe('import.meta.url of a bundled module', () => {
  it('a module of dist/ keeps its URL relative to the bundle (dist/ may move)', () => {
    expect(importMetaUrlFor('/app/dist/model/pool.js', { dist: '/app/dist' })).toBe(
      'new URL("./model/pool.js", import.meta.url).href',
    );
    expect(importMetaUrlFor('/app/dist/version.js', { dist: '/app/dist' })).toBe('new URL("./version.js", import.meta.url).href');
  });

  it("another package's module is found from that package's entry, wherever Node resolves it", () => {
    const config = { name: '@fleet/config', entry: '/repo/packages/config/dist/index.js' };
    expect(importMetaUrlFor('/repo/packages/config/dist/file.js', config)).toBe(
      'new URL("./file.js", import.meta.resolve("@fleet/config")).href',
    );
    const nested = { name: 'pkg', entry: '/nm/pkg/lib/main/index.js' };
    expect(importMetaUrlFor('/nm/pkg/lib/util.js', nested)).toBe('new URL("../util.js", import.meta.resolve("pkg")).href');
  });
});
