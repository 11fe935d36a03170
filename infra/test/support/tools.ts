import { spawnSync } from 'node:child_process';
import { it } from 'vitest';
import { missingTool, missingToolError } from '../../../.ci/require-tool.mjs';

/**
 * Checks that need a tool the repository does not install (shellcheck, systemd-analyze, nginx,
 * a Compose CLI), through the shared rule of `.ci/require-tool.mjs`: run when the tool is
 * there; when it is missing, a failing test with CI=true (unless FLEET_SKIP names the tool),
 * a skipped one otherwise, and one line in the CI summary either way.
 */
export function hasCommand(cmd: string, args: string[] = ['--version']): boolean {
  return spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 }).status === 0;
}

type TestFn = () => void | Promise<void>;

/** `it(name, fn)` when `present`; otherwise skipped or failing by the shared rule. */
export function itNeeds(tool: string, present: boolean, check: string): (name: string, fn: TestFn) => void {
  if (present) return (name, fn) => it(name, fn);
  if (missingTool(tool, check) === 'skip') return (name) => it.skip(`SKIPPED (${tool} missing): ${name}`, () => undefined);
  return (name) =>
    it(name, () => {
      throw new Error(missingToolError(tool, check));
    });
}

/**
 * For `describe.skipIf(reason !== undefined)`: undefined when the tool is there; a skip message
 * when the shared rule allows skipping; throws (a failing test file) when it does not.
 */
export function missingToolReason(tool: string, present: boolean, check: string): string | undefined {
  if (present) return undefined;
  if (missingTool(tool, check) === 'fail') throw new Error(missingToolError(tool, check));
  return `SKIPPED: ${tool} is missing (${check})`;
}
