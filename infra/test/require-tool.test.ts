import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingTool, optedOut } from '../../.ci/require-tool.mjs';

/** The shared missing-tool rule of `.ci/require-tool.mjs` (used by .ci/run, these tests, the benches). */
describe('.ci/require-tool.mjs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-skips-'));
  const log = join(dir, 'skips');

  it('fails in CI, skips (one logged line) with an opt-out naming the tool, skips outside CI', () => {
    expect(missingTool('nginx', 'nginx -t', { CI: 'true', FLEET_SKIP_LOG: log })).toBe('fail');
    expect(missingTool('nginx', 'nginx -t', { CI: 'true', FLEET_SKIP: 'docker-sandbox', FLEET_SKIP_LOG: log })).toBe('fail');
    expect(missingTool('nginx', 'nginx -t', { CI: 'true', FLEET_SKIP: 'chromium, nginx', FLEET_SKIP_LOG: log })).toBe('skip');
    expect(missingTool('k6', 'load tests', { FLEET_SKIP_LOG: log })).toBe('skip');
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
      'SKIPPED nginx -t: nginx is missing (FLEET_SKIP names nginx)',
      'SKIPPED load tests: k6 is missing (not in CI)',
    ]);
    expect([...optedOut({ FLEET_SKIP: 'a,b c' })]).toEqual(['a', 'b', 'c']);
    rmSync(dir, { recursive: true, force: true });
  });
});
