import { describe, expect, it } from 'vitest';
import type { Example } from '@fleet/model/corpus';
import { payloadMix } from './payloads.js';

const example = (label: Example['label'], words: number, tag: string): Example => ({
  key: `${label}/${tag}`,
  label,
  text: Array.from({ length: words }, (_, i) => `${tag}${i}`).join(' '),
});

describe('payloadMix', () => {
  const heldOut = [example('ham', 3, 'tiny'), example('ham', 20, 'ha'), example('ham', 9, 'hb'), example('spam', 300, 'sa'), example('spam', 8, 'sb')];

  it('takes 2 ham + 2 spam 8-word texts and one 200-word text, skipping messages too short', () => {
    const mix = payloadMix(heldOut);
    expect(mix.texts.map((t) => t.split(' ').length)).toEqual([8, 8, 8, 8, 200]);
    expect(mix.texts[0]?.startsWith('ha0')).toBe(true);
    expect(mix.single.map((r) => JSON.parse(r.body ?? '{}') as unknown)).toEqual(mix.texts.map((text) => ({ text })));
  });

  it('builds five 8-text bodies, each the mix rotated by one', () => {
    const mix = payloadMix(heldOut);
    const bodies = mix.batch.map((r) => (JSON.parse(r.body ?? '{}') as { texts: string[] }).texts);
    expect(bodies).toHaveLength(5);
    expect(bodies.every((b) => b.length === 8)).toBe(true);
    expect(bodies[1]?.[0]).toBe(mix.texts[1]);
    expect(bodies.flat().filter((t) => t === mix.texts[4])).toHaveLength(8); // the long text: 8 of 40 rows, as in the mix
  });

  it('fails clearly when the split cannot fill the mix', () => {
    expect(() => payloadMix(heldOut.slice(0, 2))).toThrow(/too few messages/);
  });
});
