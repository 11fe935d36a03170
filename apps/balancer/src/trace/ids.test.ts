import { describe, expect, it } from 'vitest';
import { createIdSource } from './ids.js';

/** A deterministic byte source: each fill writes the next bytes of `bytes` (cycled). */
function scripted(bytes: number[]): (buf: Buffer) => void {
  let i = 0;
  return (buf) => {
    for (let j = 0; j < buf.length; j++) buf[j] = bytes[i++ % bytes.length] ?? 0;
  };
}

describe('createIdSource', () => {
  it('makes trace ids of 32 and span ids of 16 lowercase hex digits from the byte source', () => {
    const ids = createIdSource({ fill: scripted([0xab, 0x01]), poolBytes: 64 });
    expect(ids.traceId()).toBe('ab01'.repeat(8));
    expect(ids.spanId()).toBe('ab01'.repeat(4));
  });

  it('refills the pool when it runs out', () => {
    let fills = 0;
    const fill = scripted([1, 2, 3, 4, 5, 6, 7]);
    const ids = createIdSource({ fill: (b) => (fills++, fill(b)), poolBytes: 24 });
    const seen = [ids.traceId(), ids.spanId(), ids.traceId()];
    expect(fills).toBe(2);
    expect(new Set(seen).size).toBe(3);
    for (const id of seen) expect(id).toMatch(/^([0-9a-f]{2})+$/);
  });

  it('never returns an all-zero id (W3C: invalid)', () => {
    const ids = createIdSource({ fill: scripted([...new Array<number>(16).fill(0), 7]), poolBytes: 17 * 16 });
    expect(ids.traceId()).not.toMatch(/^0+$/);
    expect(ids.spanId()).not.toMatch(/^0+$/);
  });

  it('makes UUID v4 request ids by default, unique per call', () => {
    const ids = createIdSource();
    const a = ids.requestId();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids.requestId()).not.toBe(a);
    expect(createIdSource({ uuid: () => 'fixed' }).requestId()).toBe('fixed');
  });
});
