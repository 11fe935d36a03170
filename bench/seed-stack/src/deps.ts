/**
 * The seed stack's dependencies, from Debian's packages only (no pip): which are missing, and
 * installing them with apt-get when this runs as root (the bench does; tests never install).
 */
import { missingTool } from '../../../.ci/require-tool.mjs';
import { spawnSync } from 'node:child_process';
import { nginxBinary, wrkBinary } from '@fleet/bench-kit';

/** Debian's interpreter: the Debian python3-* packages live in its dist-packages only. */
export const PYTHON = process.env.SEED_PYTHON ?? '/usr/bin/python3';

/** Python module → the Debian package that provides it. */
export const PYTHON_PACKAGES: Readonly<Record<string, string>> = {
  fastapi: 'python3-fastapi',
  uvicorn: 'python3-uvicorn',
  uvloop: 'python3-uvloop',
  httptools: 'python3-httptools',
  numpy: 'python3-numpy',
  onnx: 'python3-onnx',
};

/** Debian packages for the replicas (Python) that are not importable by PYTHON. */
export function missingPythonPackages(): string[] {
  const modules = Object.keys(PYTHON_PACKAGES);
  const probe = spawnSync(
    PYTHON,
    ['-c', `import importlib.util as u\nfor m in ${JSON.stringify(modules)}:\n    print(m if u.find_spec(m) is None else "")`],
    { encoding: 'utf8' },
  );
  if (probe.error !== undefined || probe.status !== 0) return Object.values(PYTHON_PACKAGES); // no interpreter at all
  const missing = probe.stdout.split('\n').filter(Boolean);
  return missing.map((m) => PYTHON_PACKAGES[m] ?? m);
}

/** Debian packages missing for `pnpm bench:stack`: the Python ones, nginx and wrk. */
export function missingBenchPackages(): string[] {
  return [...missingPythonPackages(), ...(nginxBinary() ? [] : ['nginx']), ...(wrkBinary() ? [] : ['wrk'])];
}

export function canInstall(): boolean {
  return process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** apt-get install (after an update when the first try fails); true when it succeeded. */
export function aptInstall(packages: readonly string[], log: (line: string) => void): boolean {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = (): boolean =>
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'inherit', env }).status === 0;
  log(`installing Debian packages: ${packages.join(' ')}`);
  if (install()) return true;
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  return install();
}

/** The sentence printed when the stack cannot run: names every package and how to get it. */
export function skipMessage(packages: readonly string[]): string {
  return `seed stack skipped: missing Debian packages ${packages.join(' ')} (run as root to let the bench install them, or: apt-get install -y ${packages.join(' ')})`;
}

/** The name the repository's missing-tool rule knows the seed stack's packages by (FLEET_SKIP). */
export const SEED_STACK_TOOL = 'seed-stack';

/**
 * Whether a missing dependency fails the run, by the repository's one rule
 * (`.ci/require-tool.mjs`): under CI=true it does, unless FLEET_SKIP names `seed-stack`; a skip
 * is logged for the CI summary.
 */
export function missingIsFatal(check: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return missingTool(SEED_STACK_TOOL, check, env) === 'fail';
}
