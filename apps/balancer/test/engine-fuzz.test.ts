import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineFraming, startNodeFramer, type NodeFramer } from './helpers/framing.js';
import { request, serialise } from './helpers/heads.js';

/**
 * Issue 9 item 2: differential fuzzing of the engine's request parser against node:http.
 * Streams of one to three generated requests (the head generator of `hardening-fuzz`, from
 * clean to junk), fed to a real node:http server and to the engine parser whole and cut at
 * random points: the engine must never accept what node:http rejects, and must frame every
 * stream the same way (same messages, same bodies, same error).
 */
let node: NodeFramer;
beforeAll(async () => {
  node = await startNodeFramer();
});
afterAll(async () => {
  await node.close();
});

const stream = fc.array(request, { minLength: 1, maxLength: 3 }).map((rs) => Buffer.from(rs.map(serialise).join(''), 'latin1'));

describe('engine request parser vs node:http (fast-check)', () => {
  it('never accepts what node:http rejects and frames every stream alike, however it is cut', async () => {
    await fc.assert(
      fc.asyncProperty(stream, fc.integer({ min: 1, max: 64 }), async (bytes, split) => {
        const byNode = await node.frame(bytes);
        const where = JSON.stringify(bytes.toString('latin1'));
        if (byNode.error !== null) expect(engineFraming(bytes).error, `node rejected ${where}`).not.toBeNull();
        expect(engineFraming(bytes), where).toEqual(byNode);
        expect(engineFraming(bytes, split), `${where} cut every ${split} bytes`).toEqual(byNode);
      }),
      { numRuns: 300 },
    );
  });
});
