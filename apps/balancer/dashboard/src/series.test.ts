import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/admin/frame.js';
import { rate, millis, percent, ago } from './format.js';
import { SeriesStore } from './series.js';

function frame(at: number, rps: number): Frame {
  const peer = { id: 'p', rps, p99Ms: 10 } as Frame['groups'][number]['peers'][number];
  return { at, windowSeconds: 10, stub: {} as Frame['stub'], groups: [{ name: 'g', strategy: 'round_robin', retriesInFlight: 0, peers: [peer] }], picks: [], actions: false };
}

describe('SeriesStore', () => {
  it('starts from the server history, appends frames, trims to the window and marks gaps', () => {
    const s = new SeriesStore();
    s.reset({ seconds: 60, peers: { 'g/p': [{ at: 1_000, rps: 1, p99Ms: null }] } });
    s.addFrame(frame(10_000, 5));
    s.addFrame(frame(10_000, 6)); // same sample twice: kept once
    s.addFrame(frame(11_000, 7));
    expect(s.columns('g', 'p')).toEqual([[1, 2, 10, 11], [1, null, 5, 7], [null, null, 10, 10]]);
    s.addFrame(frame(70_500, 8));
    expect(s.columns('g', 'p')[1]).toEqual([7, null, 8]); // 10 s dropped (older than 60 s), a gap before 70.5 s
  });
});

describe('format', () => {
  it.each([
    [rate(0), '0'], [rate(2.345), '2.3'], [rate(1234.5), '1,235'],
    [percent(null), '–'], [percent(0), '0 %'], [percent(0.0004), '<0.1 %'], [percent(0.025), '2.5 %'], [percent(0.5), '50 %'],
    [millis(null), '–'], [millis(0.5), '0.50 ms'], [millis(4.25), '4.3 ms'], [millis(250), '250 ms'], [millis(2500), '2.50 s'],
    [ago(200), 'just now'], [ago(5_000), '5s ago'], [ago(125_000), '2m ago'],
  ])('%s = %s', (got, want) => expect(got).toBe(want));
});
