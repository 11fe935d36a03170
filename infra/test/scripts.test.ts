import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { listRepoFiles, repoPath } from './support/repo.js';

const SCRIPTS = listRepoFiles('infra/scripts', ['.sh']);
const shellcheck = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });

describe.each(SCRIPTS)('%s', (script) => {
  it('parses (bash -n)', () => {
    const result = spawnSync('bash', ['-n', repoPath(script)], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
  it.skipIf(shellcheck.status !== 0)(
    shellcheck.status === 0 ? 'passes shellcheck' : 'SKIPPED: shellcheck is not installed here (apt-get install shellcheck)',
    () => {
      const result = spawnSync('shellcheck', [repoPath(script)], { encoding: 'utf8' });
      expect(result.stdout).toBe('');
      expect(result.status).toBe(0);
    },
  );
});
