import { describe, expect, it } from 'vitest';
import { engineRequest } from '../../../test/helpers/engine-request.js';
import type { EngineRequest } from './request.js';

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
