import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations (it shares nothing with src/)
import { expectedValues } from '../oracle/nginx-hash.mjs';
import { NGINX_EXPECTED } from './nginx-expected.js';

/**
 * The expected values of ip-hash.test.ts and hash.test.ts are not hand-copied: they are the
 * output of the independent oracle written from NGINX's C source. This test fails when the
 * committed file and the oracle disagree (an edited expectation, or an oracle change that was
 * not regenerated).
 */
describe('NGINX hash oracle', () => {
  it('the committed expected values are exactly what the oracle computes', () => {
    expect(NGINX_EXPECTED).toEqual(expectedValues() as unknown);
  });
});
