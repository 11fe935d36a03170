import { describe, expect, it } from 'vitest';
import { ServerError } from '../errors.js';
import { fieldPath, normalizeError } from './errors.js';

describe('error normalization', () => {
  it('turns JSON pointers into field paths', () => {
    expect(fieldPath('/texts/2')).toBe('texts[2]');
    expect(fieldPath('/inputs/0/shape')).toBe('inputs[0].shape');
    expect(fieldPath('', 'text')).toBe('text');
    expect(fieldPath('/inputs/1', 'name')).toBe('inputs[1].name');
  });

  it('keeps ServerError codes and hides unknown failures behind a generic 500', () => {
    expect(normalizeError(new ServerError('QUEUE_FULL', 'full'))).toEqual({ statusCode: 503, code: 'QUEUE_FULL', message: 'full' });
    expect(normalizeError(new Error('secret stack detail'))).toEqual({
      statusCode: 500,
      code: 'INTERNAL',
      message: 'internal server error',
    });
  });
});
