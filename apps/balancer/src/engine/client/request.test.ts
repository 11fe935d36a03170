import { describe, expect, it } from 'vitest';
import { engineRequest } from '../../../test/helpers/engine-request.js';
import { failRequest, type EngineRequest } from './request.js';

const request = engineRequest;

describe('EngineRequest.wholeBody (the spool\'s typed way to a body that came with its head)', () => {
  it('hands the whole unread body as one Buffer and leaves the stream ended', async () => {
    const req = request(['01', '234'], true);
    const body = req.wholeBody(5);
    expect(Buffer.isBuffer(body) && body.toString()).toBe('01234');
    expect(req.readableLength).toBe(0);
    await new Promise((resolve) => req.once('end', resolve).resume());
    expect(req.readableEnded).toBe(true);
  });

  it('hands an empty Buffer for a complete request without a body', () => {
    expect(request([], true).wholeBody(0)).toEqual(Buffer.alloc(0));
  });

  it.each([
    ['not complete yet', (): EngineRequest => request(['01'], false), 10],
    ['over maxBytes', (): EngineRequest => request(['0123456789'], true), 9],
    ['already flowing', (): EngineRequest => request(['01'], true).pause(), 10],
    ['partly read already', (): EngineRequest => {
      const req = request(['0123'], true);
      req.read(1);
      return req;
    }, 10],
  ])('answers undefined and leaves the stream as it was when %s', (_, make, max) => {
    const req = make();
    const length = req.readableLength;
    expect(req.wholeBody(max)).toBeUndefined();
    expect(req.readableLength).toBe(length);
  });
});

describe('failRequest (a request whose body will not come)', () => {
  const closed = (req: EngineRequest): Promise<void> => new Promise((resolve) => req.once('close', () => resolve()));

  it('gives the error to a consumer still listening, and detaches the socket only when asked', async () => {
    const req = request(['01'], false);
    const seen: unknown[] = [];
    req.on('error', (err) => seen.push(err));
    const err = new Error('aborted');
    failRequest(req, err, true);
    await closed(req);
    expect(seen).toEqual([err]);
    expect(req.socket).toBeNull();
    const kept = request(['01'], false);
    failRequest(kept, new Error('aborted'), false);
    await closed(kept);
    expect(kept.socket).not.toBeNull();
  });

  it('raises nothing when the last consumer lets go between node\'s listener count and its emit', async () => {
    // node:http counts the error listeners one tick after destroy and emits one tick later: a
    // consumer leaving in between made an uncaught exception (vitest fails the run on it).
    const req = request(['01'], false);
    const consumer = (): void => undefined;
    req.on('error', consumer);
    failRequest(req, new Error('malformed chunk size'), true);
    process.nextTick(() => req.off('error', consumer));
    await closed(req);
    expect(req.destroyed).toBe(true);
  });
});
