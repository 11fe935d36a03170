import { describe, expect, it } from 'vitest';
import { SnapshotCell, type Snapshot } from './snapshot.js';

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
