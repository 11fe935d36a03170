import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBalancerConfig } from '@fleet/config';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSnapshotParts, SnapshotCell, type Snapshot } from './snapshot.js';

const snap = (name: string): Snapshot => ({ name }) as unknown as Snapshot;

describe('SnapshotCell', () => {
  it('a request keeps the snapshot it entered with; a swap changes only what later requests get', () => {
    const one = snap('one');
    const cell = new SnapshotCell(one);
    const held = cell.enter();
    cell.swap(snap('two'));
    expect(held).toBe(one);
    expect(cell.enter()).not.toBe(one);
  });

  it('runs what a swap retires only once no request holds an older snapshot', () => {
    const cell = new SnapshotCell(snap('one'));
    const retired: string[] = [];
    const a = cell.enter();
    const b = cell.enter();
    cell.swap(snap('two'), () => retired.push('one'));
    const c = cell.enter(); // on the current snapshot: does not hold anything back
    cell.leave(a);
    expect(retired).toEqual([]);
    cell.swap(snap('three'), () => retired.push('two'));
    cell.leave(b);
    expect(retired).toEqual([]); // c still runs on 'two'
    cell.leave(c);
    expect(retired).toEqual(['one', 'two']);
  });

  it('retires at once when nobody holds an older snapshot', () => {
    const cell = new SnapshotCell(snap('one'));
    let done = false;
    cell.swap(snap('two'), () => (done = true));
    expect(done).toBe(true);
  });
});

describe('buildSnapshotParts: the body temp dir', () => {
  const root = mkdtempSync(join(tmpdir(), 'fleet-snapshot-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const now = (): number => 0;

  it('is resolved once per snapshot: the OS temp dir it was built and checked with; a new snapshot (a reload) reads it again', () => {
    const saved = process.env.TMPDIR;
    const [a, b] = [mkdtempSync(join(root, 'tmp-a-')), mkdtempSync(join(root, 'tmp-b-'))];
    const config = parseBalancerConfig({ upstreams: { default: { servers: ['127.0.0.1:1'] } } });
    try {
      process.env.TMPDIR = a;
      const first = buildSnapshotParts(config, now);
      process.env.TMPDIR = b;
      expect(first.bodyTempDir).toBe(a);
      expect(buildSnapshotParts(config, now).bodyTempDir).toBe(b); // the same config, rebuilt
      const set = parseBalancerConfig({ upstreams: { default: { servers: ['127.0.0.1:1'] } }, limits: { clientBodyTempPath: a } });
      expect(buildSnapshotParts(set, now).bodyTempDir).toBe(a);
      // The directory checked is the one resolved: a missing OS temp dir refuses the snapshot.
      process.env.TMPDIR = join(root, 'missing');
      expect(() => buildSnapshotParts(config, now)).toThrow(/not set, and the OS temp dir ".*missing"/);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });
});
