import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { listRepoFiles, repoPath } from './support/repo.js';
import { hasCommand, itNeeds } from './support/tools.js';

const SCRIPTS = [...listRepoFiles('infra/scripts', ['.sh']), '.ci/run'];
const withShellcheck = itNeeds('shellcheck', hasCommand('shellcheck'), 'shellcheck of infra/scripts/*.sh and .ci/run');

describe.each(SCRIPTS)('%s', (script) => {
  it('parses (bash -n)', () => {
    const result = spawnSync('bash', ['-n', repoPath(script)], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
  withShellcheck('passes shellcheck', () => {
    const result = spawnSync('shellcheck', ['-x', repoPath(script)], { encoding: 'utf8', cwd: repoPath('.') });
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });
});
