/**
 * The smoke bench end to end (`BENCH_SMOKE=1`, trivial scenario, pinned mode only, ~10 s): the
 * real `bench/run.ts` with the real trivial backend, NGINX, the real balancer (`dist/main.js`)
 * and wrk. A clean run prints the table and judges issue 9's targets; a run whose target fails
 * requests (a fleet target with a 1 r/s rate limit: 429s) exits 1 and says where. wrk or NGINX
 * missing: skipped with a message outside CI, a failure under CI=true unless FLEET_SKIP names
 * the tool (`.ci/require-tool.mjs`). `.ci/run` runs the whole smoke bench (both scenarios, both
 * modes, every target) as well.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { nginxBinary, stopChild, wrkBinary } from '@fleet/bench-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { missingTool, missingToolError } from '../../../.ci/require-tool.mjs';

const BALANCER_DIR = fileURLToPath(new URL('..', import.meta.url));
const RUN_BOUND_MS = 90_000;

/** A skip message when `tool` is missing outside CI; throws under CI=true (unless FLEET_SKIP names it). */
function skipWithout(tool: 'wrk' | 'nginx', found: boolean): string | undefined {
  if (found) return undefined;
  const check = `the balancer smoke bench end to end (bench/smoke.test.ts, apt-get install -y ${tool})`;
  if (missingTool(tool, check) === 'fail') throw new Error(missingToolError(tool, check));
  return `SKIPPED: ${tool} is not installed (apt-get install -y ${tool})`;
}
const skip = skipWithout('wrk', wrkBinary() !== undefined) ?? skipWithout('nginx', nginxBinary() !== undefined);

const started: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((c) => stopChild(c, 'SIGTERM')));
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `bench/run.ts` with `env` over this environment (CI and FLEET_SKIP pass through); SIGTERM after the bound. */
async function bench(env: Record<string, string>): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts'], { cwd: BALANCER_DIR, env: { ...process.env, BENCH_SMOKE: '1', BENCH_SCENARIOS: 'trivial', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const bound = setTimeout(() => child.kill('SIGTERM'), RUN_BOUND_MS);
  bound.unref();
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(bound);
  return { code, stdout, stderr };
}

describe.skipIf(skip !== undefined)(`smoke bench, end to end${skip === undefined ? '' : ` (${skip})`}`, () => {
  it('measures direct, NGINX and fleet side by side, prints the table and judges every target, exit 0', async () => {
    const run = await bench({ BENCH_MODES: 'pinned', BENCH_TARGETS: 'direct,nginx,fleet', BENCH_PORT_BASE: '26000' });
    expect(run.stderr).not.toContain('bench failed');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines).toContain('## trivial backend, GET /');
    const row = (label: string): string[] => (lines.find((l) => l.startsWith(`| ${label} | pinned |`)) ?? '').split('|').map((c) => c.trim()).slice(1, -1);
    for (const label of ['direct (no proxy)', 'NGINX, 1 worker', 'fleet, engine (default)']) {
      const cells = row(label);
      expect(cells, label).toHaveLength(9);
      expect(Number(cells[4]?.replaceAll(',', '')), `${label} req/s`).toBeGreaterThan(0);
    }
    expect(row('NGINX, 1 worker')[3]).toBe('1.00');
    // A CPU of 1,000 µs or more (a loaded machine) is printed with a thousands separator.
    expect(Number(row('fleet, engine (default)')[2]?.replaceAll(',', ''))).toBeGreaterThan(0);
    const verdict = lines.find((l) => l.startsWith('- fleet pinned: ')) ?? '';
    expect(verdict).toMatch(/^- fleet pinned: CPU [\d.]+× NGINX \(≤ 2×\) (met|not met); p99 added -?[\d.]+ ms \(≤ NGINX's -?[\d.]+ \+ 1\) (met|not met); peak RSS \d+ MB \(< 80\) (met|not met)$/);
  });

  it('exits 1 and names the target and the runs when requests through it failed', async () => {
    // A fleet target that answers 429 to nearly all of wrk's requests (its readiness check fits the burst).
    const limited = JSON.stringify({ limited: { limits: { rateLimit: { rate: '1r/s', burst: 5, nodelay: true } } } });
    const run = await bench({ BENCH_MODES: 'unpinned', BENCH_TARGETS: 'limited', BENCH_EXTRA_TARGETS: limited, BENCH_PORT_BASE: '26200' });
    expect(run.stdout).toContain('| fleet, limited | unpinned |');
    expect(run.stderr).toMatch(/bench failed: requests failed during the bench:\n {2}trivial, limited, warm-up: \d+ failed requests\n {2}trivial, limited unpinned: \d+ failed requests\n/);
    expect(run.code).toBe(1);
  });
});
