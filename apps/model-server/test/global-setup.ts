/**
 * Process tests spawn the real `node dist/main.js`: build it first when any source file is
 * newer than the last build (turbo's `test` already depends on `build`; this covers a plain
 * `vitest run`). The build is the package's own (`pnpm build`: tsc, then the replica bundle), so
 * the tests start what every launcher starts.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function newestMtime(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    return Math.max(newest, mtime);
  }, 0);
}

function builtAt(): number {
  try {
    return statSync(join(root, 'dist', 'main.js')).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

export default function setup(): void {
  if (builtAt() >= Math.max(newestMtime(join(root, 'src')), newestMtime(join(root, 'scripts')))) return;
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'bundle-replica.ts')], { cwd: root, stdio: 'inherit' });
}
