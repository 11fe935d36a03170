import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBalancerConfig } from '@fleet/config';
import { afterAll, describe, expect, it } from 'vitest';
import { bodyTempDir, checkBodyTempPath, TEMP_PATH_ERRORS, TempPathError } from './temp-path.js';

const root = mkdtempSync(join(tmpdir(), 'fleet-temp-path-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function config(limits: Record<string, unknown>, requestBuffering = true) {
  return parseBalancerConfig({ upstreams: { default: { servers: ['127.0.0.1:1'] } }, limits, requestBuffering });
}

function refusal(fn: () => void): TempPathError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TempPathError) return err;
    throw err;
  }
  throw new Error('expected a TempPathError');
}

describe('checkBodyTempPath', () => {
  it('accepts a writable directory and leaves nothing behind', () => {
    const dir = mkdtempSync(join(root, 'ok-'));
    checkBodyTempPath(config({ clientBodyTempPath: dir }));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a missing directory, naming the field, the path and the reason', () => {
    const dir = join(root, 'missing');
    const err = refusal(() => checkBodyTempPath(config({ clientBodyTempPath: dir })));
    expect(err.code).toBe(TEMP_PATH_ERRORS.CLIENT_BODY_TEMP_PATH_UNUSABLE);
    expect(err.path).toBe('limits.clientBodyTempPath');
    expect(err.message).toBe(
      `limits.clientBodyTempPath: ${JSON.stringify(dir)} is not a writable directory (ENOENT); request bodies past limits.clientBodyBufferSize are spooled there`,
    );
  });

  it('refuses a file that is not a directory', () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    expect(refusal(() => checkBodyTempPath(config({ clientBodyTempPath: file }))).message).toContain('(ENOTDIR)');
  });

  it.skipIf(process.getuid?.() === 0)('refuses a directory this user cannot write (skipped as root: root writes anyway)', () => {
    const dir = mkdtempSync(join(root, 'ro-'));
    chmodSync(dir, 0o555);
    expect(refusal(() => checkBodyTempPath(config({ clientBodyTempPath: dir }))).message).toContain('(EACCES)');
  });

  it('checks the OS temp dir when unset, and nothing when bodies are never spooled', () => {
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = join(root, 'no-such-tmp');
    try {
      expect(refusal(() => checkBodyTempPath(config({})))).toMatchObject({
        message: expect.stringContaining(`limits.clientBodyTempPath: not set, and the OS temp dir "${join(root, 'no-such-tmp')}"`) as unknown,
      });
      expect(() => checkBodyTempPath(config({}, false))).not.toThrow();
      expect(() => checkBodyTempPath(config({ clientBodyTempPath: join(root, 'missing') }, false))).toThrow(TempPathError);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });
});

describe('bodyTempDir', () => {
  it('is clientBodyTempPath when set, else the OS temp dir as the environment says now (snapshot.ts calls it once per config)', () => {
    const saved = process.env.TMPDIR;
    try {
      process.env.TMPDIR = join(root, 'tmp-a');
      expect(bodyTempDir(config({}).limits)).toBe(join(root, 'tmp-a'));
      expect(bodyTempDir(config({ clientBodyTempPath: join(root, 'set') }).limits)).toBe(join(root, 'set'));
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });
});
