import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBackend, type Backend } from './helpers/backend.js';
import { get, startTestBalancer, testConfig } from './helpers/balancer.js';
import { BALANCER_SRC_MAIN, spawnJson } from './helpers/processes.js';

/**
 * `limits.clientBodyTempPath` that cannot take a spooled body is a config error (README
 * "Request bodies"): refused at start (exit 1, CLIENT_BODY_TEMP_PATH_UNUSABLE naming the field)
 * and at SIGHUP (the running config stays, large bodies still go through). Before, the
 * balancer started and answered the first body past the memory buffer with a 500.
 */
const dir = mkdtempSync(join(tmpdir(), 'fleet-body-temp-'));
const backends: Backend[] = [];
afterAll(async () => {
  await Promise.all(backends.map((b) => b.close()));
  rmSync(dir, { recursive: true, force: true });
});
const missing = join(dir, 'no-such-dir');
const BIG = 'x'.repeat(256 * 1024); // past clientBodyBufferSize (16 KiB): spooled to the temp dir

function writeConfig(file: string, upstream: string, tempPath: string): void {
  writeFileSync(file, JSON.stringify({ upstreams: { default: { servers: [upstream] } }, limits: { clientBodyTempPath: tempPath }, accessLog: { enabled: false } }));
}

describe('limits.clientBodyTempPath', () => {
  it('a missing directory stops the start with exit 1 and a config error naming the field', () => {
    const file = join(dir, 'start.json');
    writeConfig(file, '127.0.0.1:9', missing);
    const run = spawnSync(process.execPath, ['--import', 'tsx', BALANCER_SRC_MAIN], {
      env: { ...process.env, CONFIG_FILE: file, HOST: '127.0.0.1', PORT: '0', ADMIN_PORT: '0', LOG_LEVEL: 'info' },
      encoding: 'utf8',
      timeout: 30_000,
      killSignal: 'SIGKILL', // a balancer that wrongly started is killed, not drained
    });
    const output = `${run.stdout}${run.stderr}`;
    expect(run.status, output).toBe(1);
    const line = JSON.parse(output.split('\n').find((l) => l.includes('failed to start')) ?? '{}') as { code?: string; msg?: string };
    expect(line.code).toBe('CLIENT_BODY_TEMP_PATH_UNUSABLE');
    expect(line.msg).toContain(`limits.clientBodyTempPath: ${JSON.stringify(missing)} is not a writable directory (ENOENT)`);
    expect(output).not.toContain('"msg":"listening"');
  }, 90_000);

  it('SIGHUP to a missing directory is rejected and the running one keeps serving large bodies', async () => {
    const backend = await startBackend('s1');
    backends.push(backend);
    const good = mkdtempSync(join(dir, 'good-'));
    const file = join(dir, 'reload.json');
    writeConfig(file, backend.address, good);
    const child = await spawnJson(['--import', 'tsx', BALANCER_SRC_MAIN], { CONFIG_FILE: file, HOST: '127.0.0.1', PORT: '0', ADMIN_PORT: '0', LOG_LEVEL: 'info' });
    try {
      const port = Number(child.ready.port);
      const post = () => get(port, '/upload', { method: 'POST', body: BIG });
      expect((await post()).status).toBe(200);
      writeConfig(file, backend.address, missing);
      child.signal('SIGHUP');
      const rejected = await child.waitForLog((l) => String(l.msg).startsWith('reload rejected'), 'reload rejected');
      expect(rejected).toMatchObject({ code: 'RELOAD_REJECTED', err: { code: 'CLIENT_BODY_TEMP_PATH_UNUSABLE' } });
      expect(JSON.stringify(rejected)).toContain('limits.clientBodyTempPath');
      const after = await post();
      expect(after.status).toBe(200);
      expect((after.json.body as string).length).toBe(BIG.length);
    } finally {
      await child.stop();
    }
  }, 90_000);

  it('deleted while running: made again for the next spooled body; if it cannot be, a JSON 500 naming the setting, logged and counted', async () => {
    const backend = await startBackend('s1');
    backends.push(backend);
    const temp = mkdtempSync(join(dir, 'runtime-'));
    const balancer = await startTestBalancer({ upstreams: { default: { servers: [backend.address] } }, limits: { clientBodyTempPath: temp } });
    try {
      const post = () => get(balancer.port, '/upload', { method: 'POST', body: BIG });
      rmSync(temp, { recursive: true });
      const recreated = await post();
      expect(recreated.status).toBe(200);
      expect((recreated.json.body as string).length).toBe(BIG.length);
      expect(existsSync(temp)).toBe(true);

      rmSync(temp, { recursive: true });
      writeFileSync(temp, 'a file where the directory was'); // mkdir cannot make it again
      const failed = await post();
      expect(failed.status).toBe(500);
      expect(failed.json).toMatchObject({ code: 'CLIENT_BODY_TEMP_PATH_UNUSABLE' });
      expect(String(failed.json.message)).toContain('limits.clientBodyTempPath');
      const metrics = (await get(balancer.adminPort, '/metrics')).text;
      expect(metrics).toMatch(/fleet_balancer_local_errors_total\{code="CLIENT_BODY_TEMP_PATH_UNUSABLE"\} 1/);
      expect(metrics).toMatch(/fleet_balancer_local_errors_total\{code="CLIENT_BODY_TEMP_PATH_RECREATED"\} 1/);

      rmSync(temp);
      mkdirSync(temp);
      expect((await post()).status).toBe(200); // the process lived on
    } finally {
      await balancer.close(1000);
    }
  }, 90_000);
  it('unset: the OS temp dir of the running snapshot, read when it was built; a reload reads it again', async () => {
    const backend = await startBackend('s1');
    backends.push(backend);
    const [first, later] = [mkdtempSync(join(dir, 'os-first-')), join(dir, 'os-later')];
    const saved = process.env.TMPDIR;
    const raw = { upstreams: { default: { servers: [backend.address] } } };
    process.env.TMPDIR = first;
    const balancer = await startTestBalancer(raw);
    try {
      const post = () => get(balancer.port, '/upload', { method: 'POST', body: BIG });
      // TMPDIR now names a directory that does not exist: a request that read it would make it
      // (a spool remakes a missing temp dir); the snapshot's is the one it was started with.
      process.env.TMPDIR = later;
      expect((await post()).status).toBe(200);
      expect(existsSync(later)).toBe(false);
      // A reload builds a new snapshot and reads TMPDIR again: missing, so refused and kept.
      await expect(balancer.reload(testConfig(raw))).rejects.toMatchObject({ code: 'CLIENT_BODY_TEMP_PATH_UNUSABLE' });
      mkdirSync(later);
      await balancer.reload(testConfig(raw));
      rmSync(later, { recursive: true });
      expect((await post()).status).toBe(200);
      expect(existsSync(later)).toBe(true); // the new snapshot spools there: made again
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      await balancer.close(1000);
    }
  }, 90_000);
});
