// End to end: the real `pnpm start` CLI with real model-server replicas and the real balancer, on
// free loopback ports. Rotation under round robin, failover while a replica is SIGKILLed (and
// restarted by the stack), and a SIGTERM that leaves no process and no port behind.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { commandLine } from '@fleet/bench-kit';
import { BALANCER_NODE_FLAGS } from '@fleet/balancer/node-flags';
import { REPLICA_NODE_FLAGS } from '@fleet/model-server/node-flags';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertPortsFree } from '../src/ports.js';
import { missingTool, missingToolError } from '../../../.ci/require-tool.mjs';
import { StackProcess, isAlive, killQuietly } from './stack-process.js';

const REPLICAS = 3;
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const K6_MISSING = 'no k6 binary: set K6=/path/to/k6, or build one with ../shared/tools/k6/build';
const K6 = [process.env.K6, '/var/cache/k6-build/k6'].find((p) => p !== undefined && p !== '' && existsSync(p)) ??
  (spawnSync('k6', ['version']).status === 0 ? 'k6' : undefined);
const K6_CHECK = 'the real k6 run of load-tests/rotation.ts';
// The repository's one rule for missing tools: a visible skip outside CI, a failure under CI=true
// unless FLEET_SKIP names k6 (.ci/run does so when no binary was built: k6 is on neither apt nor npm).
const K6_VERDICT = K6 === undefined ? missingTool('k6', K6_CHECK) : undefined;
const STARTUP_MS = 240_000; // bound on the whole start (three model loads on a busy 2-core machine)
const BODY = JSON.stringify({ text: 'Congratulations, you won a free prize! Reply now' });

let stack: StackProcess;
let baseUrl = '';
const pids = new Map<string, number[]>(); // every pid each child ever had
const ports = new Map<string, number>();

function recordPids(): void {
  pids.clear();
  for (const line of stack.lines) {
    const m = /^(\S+)\s+\| (?:started|restarted) \(pid (\d+)\)/.exec(line);
    if (m?.[1] && m[2]) pids.set(m[1], [...(pids.get(m[1]) ?? []), Number(m[2])]);
  }
}

async function predict(): Promise<{ status: number; serverId: string }> {
  const res = await fetch(`${baseUrl}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
  const body = (await res.json()) as { server_id?: unknown };
  return { status: res.status, serverId: typeof body.server_id === 'string' ? body.server_id : '' };
}

function nextId(id: string): string {
  return `server-${(Number(id.slice('server-'.length)) % REPLICAS) + 1}`;
}

beforeAll(async () => {
  stack = new StackProcess(
    ['--no-build', '--port', '0', '--admin-port', '0', '--replica-port', '0', '--replicas', String(REPLICAS), '--ready-timeout', '180'],
    { LOG_LEVEL: 'warn', STACK_STRATEGY: '', STRATEGY: '' },
  );
  const up = await stack.waitFor(/stack is up: (http:\/\/\S+)/, STARTUP_MS);
  baseUrl = up[1] ?? '';
  await stack.waitFor(/Ctrl-C stops everything/, 10_000); // the banner's last line
  for (const line of stack.lines) {
    const m = /^(\S+)\s+\| started \(pid \d+\) on http:\/\/[^\s]+:(\d+)(?: \(admin http:\/\/[^\s]+:(\d+)\))?/.exec(line);
    if (m?.[1] && m[2]) ports.set(m[1], Number(m[2]));
    if (m?.[3]) ports.set('balancer admin', Number(m[3]));
  }
  recordPids();
}, STARTUP_MS + 10_000);

afterAll(async () => {
  if (stack === undefined) return;
  if (stack.running) {
    stack.child.kill('SIGTERM');
    const timer = setTimeout(() => stack.child.kill('SIGKILL'), 60_000);
    await stack.exited;
    clearTimeout(timer);
  }
  recordPids();
  for (const list of pids.values()) for (const pid of list) killQuietly(pid, true);
}, 90_000);

describe('pnpm start (e2e, real processes)', () => {
  it('starts every replica, waits for each to be ready, then the balancer', () => {
    const at = (re: RegExp) => stack.lines.findIndex((l) => re.test(l));
    const gate = at(/all 3 replicas ready; starting the balancer/);
    for (let i = 1; i <= REPLICAS; i++) {
      expect(at(new RegExp(`^server-${i}\\s+\\| started \\(pid \\d+\\)`))).toBeGreaterThanOrEqual(0);
      const ready = at(new RegExp(`^server-${i}\\s+\\| ready in`));
      expect(ready).toBeGreaterThanOrEqual(0);
      expect(ready).toBeLessThan(gate);
    }
    expect(at(/^balancer\s+\| started/)).toBeGreaterThan(gate);
    expect(stack.lines.some((l) => l.includes(`curl -s -X POST ${baseUrl}/predict`))).toBe(true);
    expect([...ports.keys()].sort()).toEqual(['balancer', 'balancer admin', 'server-1', 'server-2', 'server-3']);
  });

  it("starts every replica with the model-server's node flags (heap sizing), the balancer with its own", () => {
    for (let i = 1; i <= REPLICAS; i++) {
      const pid = pids.get(`server-${i}`)?.[0] as number;
      expect((commandLine(pid) ?? []).slice(1, 1 + REPLICA_NODE_FLAGS.length)).toEqual([...REPLICA_NODE_FLAGS]);
    }
    const balancer = commandLine(pids.get('balancer')?.[0] as number) ?? [];
    expect(balancer.slice(1, 1 + BALANCER_NODE_FLAGS.length)).toEqual([...BALANCER_NODE_FLAGS]);
  });

  it('answers from server-1, server-2, server-3 in turn under round robin', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3 * REPLICAS; i++) {
      const { status, serverId } = await predict();
      expect(status).toBe(200);
      ids.push(serverId);
    }
    expect([...new Set(ids)].sort()).toEqual(['server-1', 'server-2', 'server-3']);
    for (let i = 1; i < ids.length; i++) expect(ids[i], `answer ${i} of ${ids.join(',')}`).toBe(nextId(ids[i - 1] ?? ''));
  });

  // The real k6 (built from source: ../shared/tools/k6; not on npm or apt), when there is one.
  it.skipIf(K6_VERDICT === 'skip')(`k6 load-tests/rotation.ts passes and writes its JSON and markdown summaries${K6 === undefined ? ` (SKIPPED: ${K6_MISSING})` : ''}`, () => {
    if (K6_VERDICT === 'fail') throw new Error(`${missingToolError('k6', K6_CHECK)} (${K6_MISSING})`);
    for (const ext of ['json', 'md']) rmSync(`${REPO}load-tests/results/rotation.${ext}`, { force: true });
    const run = spawnSync(K6 ?? 'k6', ['run', '--no-usage-report', '-e', `BASE_URL=${baseUrl}`, '-e', 'ROUNDS=5', 'load-tests/rotation.ts'], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
    const output = `${run.stdout}${run.stderr}`;
    expect(run.status, output).toBe(0);
    expect(output).not.toContain('failed to handle the end-of-test summary');
    expect(readFileSync(`${REPO}load-tests/results/rotation.md`, 'utf8')).toContain('### k6 `rotation`: all thresholds passed');
    expect(JSON.parse(readFileSync(`${REPO}load-tests/results/rotation.json`, 'utf8'))).toHaveProperty('metrics.rotation_out_of_turn.values.count', 0);
  }, 150_000);

  it('fails no request while a replica is SIGKILLed, restarts it, and it serves again', async () => {
    const victim = pids.get('server-2')?.[0];
    if (victim === undefined) throw new Error('no pid for server-2');
    const mark = stack.lines.length;
    const failures: string[] = [];
    const seenAfterRestart = new Set<string>();
    let done = 0;
    let restarted = false;
    let stop = false;
    const deadline = Date.now() + 120_000; // bound on the whole loop
    const worker = async () => {
      while (!stop && Date.now() < deadline && done < 50_000) {
        try {
          const { status, serverId } = await predict();
          if (status !== 200) failures.push(`HTTP ${status}`);
          if (restarted) seenAfterRestart.add(serverId);
        } catch (error) {
          failures.push(String(error));
        }
        done += 1;
        if (restarted && seenAfterRestart.has('server-2')) stop = true;
      }
    };
    const load = Promise.all(Array.from({ length: 4 }, worker));
    await waitUntil(() => done >= 20, 30_000, 'the first 20 requests');
    process.kill(victim, 'SIGKILL');
    const again = await stack.waitFor(/^server-2\s+\| ready again in [\d.]+s \(pid (\d+)\)/, 90_000, mark);
    restarted = true;
    await load;
    expect(failures).toEqual([]);
    expect(seenAfterRestart.has('server-2'), `server-2 answered again within the bound (${done} requests)`).toBe(true);
    expect(stack.lines.slice(mark).some((l) => /^server-2\s+\| exited \(signal SIGKILL\)/.test(l))).toBe(true);
    const newPid = Number(again[1]);
    expect(newPid).not.toBe(victim);
    expect(isAlive(newPid)).toBe(true);
  }, 240_000);

  it('stops every child on SIGTERM and leaves no process or port behind', async () => {
    recordPids();
    stack.child.kill('SIGTERM');
    const timer = setTimeout(() => stack.child.kill('SIGKILL'), 60_000);
    const exit = await stack.exited;
    clearTimeout(timer);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(stack.lines.some((l) => /stopped: no child left running/.test(l))).toBe(true);
    const all = [...pids.values()].flat();
    expect(all.length).toBeGreaterThanOrEqual(REPLICAS + 2);
    expect(all.filter(isAlive)).toEqual([]);
    await expect(assertPortsFree('127.0.0.1', [...ports].map(([owner, port]) => ({ owner, port })))).resolves.toBeUndefined();
  }, 90_000);
});

/** Poll a condition with a bound (no fixed sleeps in assertions). */
async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
