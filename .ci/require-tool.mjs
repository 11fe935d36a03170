#!/usr/bin/env node
// One rule for every check that needs a tool the repository does not install itself (docker
// sandbox, nginx, shellcheck, systemd-analyze, chromium, python3 packages, k6, ...):
//
//   - the tool is there: the check runs;
//   - it is missing and CI=true: the check FAILS, unless FLEET_SKIP names the tool
//     (comma- or space-separated, e.g. FLEET_SKIP=docker-sandbox,chromium) — an explicit opt-out;
//   - it is missing outside CI: the check is skipped.
// Every skip appends one line to $FLEET_SKIP_LOG (when set); `.ci/run` prints them all in its
// final summary, so a run that checked less than it could says so at the end.
//
// From JavaScript/TypeScript (vitest):
//   import { missingTool } from '<repo>/.ci/require-tool.mjs';
//   const verdict = missingTool('shellcheck', 'shellcheck of infra/scripts/*.sh');  // 'skip' | 'fail'
// From bash (exit 0 = skip allowed and logged, exit 1 = must fail; the reason is printed):
//   command -v nginx >/dev/null || node .ci/require-tool.mjs nginx "nginx -t on infra/nginx"
//   node .ci/require-tool.mjs --summary      # print the skip lines, or that nothing was skipped
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Tools named in FLEET_SKIP. */
export function optedOut(env = process.env) {
  return new Set((env.FLEET_SKIP ?? '').split(/[\s,]+/).filter((t) => t !== ''));
}

/**
 * A check found `tool` missing: 'skip' (allowed; one line logged) or 'fail' (CI without an
 * opt-out). `check` says what is not being checked, for the summary.
 */
export function missingTool(tool, check, env = process.env) {
  const inCi = env.CI === 'true' || env.CI === '1';
  if (inCi && !optedOut(env).has(tool)) return 'fail';
  const why = inCi ? `FLEET_SKIP names ${tool}` : 'not in CI';
  const line = `SKIPPED ${check}: ${tool} is missing (${why})`;
  if (env.FLEET_SKIP_LOG) appendFileSync(env.FLEET_SKIP_LOG, `${line}\n`);
  return 'skip';
}

/** The message a failing check gives. */
export function missingToolError(tool, check) {
  return `${check} needs ${tool}, which is missing. With CI=true a missing tool is a failure: install it in .ci/run, or set FLEET_SKIP=${tool} to skip this check on purpose.`;
}

function summary(env = process.env) {
  const file = env.FLEET_SKIP_LOG;
  const lines = file && existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : [];
  const unique = [...new Set(lines)];
  if (unique.length === 0) return 'skipped checks: none';
  return [`skipped checks: ${unique.length}`, ...unique.map((l) => `  ${l}`)].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [first, check = 'a check'] = process.argv.slice(2);
  if (first === '--summary') {
    process.stdout.write(`${summary()}\n`);
  } else if (first === undefined) {
    process.stderr.write('usage: require-tool.mjs TOOL "what the check is" | --summary\n');
    process.exit(2);
  } else if (missingTool(first, check) === 'fail') {
    process.stderr.write(`FAIL: ${missingToolError(first, check)}\n`);
    process.exit(1);
  } else {
    process.stderr.write(`skip: ${check} (${first} is missing)\n`);
  }
}
