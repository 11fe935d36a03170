import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildNodeFlags } from './build-node-flags.js';

describe('buildNodeFlags', () => {
  const dirs: string[] = [];
  const build = (source?: string): string => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-kit-flags-'));
    dirs.push(dir);
    if (source !== undefined) writeFileSync(join(dir, 'node-flags.js'), source);
    return join(dir, 'main.js');
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("reads the named list from the node-flags.js beside the build's entry", async () => {
    const main = build("export const A_FLAGS = ['--max-semi-space-size=2']; export const B_FLAGS = ['--x'];");
    expect(await buildNodeFlags(main, 'A_FLAGS')).toEqual(['--max-semi-space-size=2']);
    expect(await buildNodeFlags(main, 'B_FLAGS')).toEqual(['--x']);
  });

  it('gives no flags for a build from before node-flags.js', async () => {
    expect(await buildNodeFlags(build(), 'A_FLAGS')).toEqual([]);
  });

  it('refuses a file without that list, naming the export', async () => {
    await expect(buildNodeFlags(build('export const OTHER = 1;'), 'A_FLAGS')).rejects.toThrow(/A_FLAGS is not a list of strings/);
  });
});
