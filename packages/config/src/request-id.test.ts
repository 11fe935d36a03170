import { describe, expect, it } from 'vitest';
import { acceptRequestId, MAX_REQUEST_ID_LENGTH } from './index.js';

describe('acceptRequestId (the X-Request-Id grammar of the balancer and the model-server)', () => {
  it.each([
    ['abc-123', 'abc-123'],
    ['0', '0'],
    ['0af7651916cd43dd8448eb211c80319c', '0af7651916cd43dd8448eb211c80319c'],
    ['every visible ASCII punctuation', '!~"#$%&\'()*+,./:;<=>?@[\\]^_`{|}'],
    ['the longest', 'x'.repeat(MAX_REQUEST_ID_LENGTH)],
  ])('keeps %s', (_name, value) => expect(acceptRequestId(value)).toBe(value));

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['one over the length limit', 'x'.repeat(MAX_REQUEST_ID_LENGTH + 1)],
    ['a space', 'a b'],
    ['two headers joined by ", "', 'a, b'],
    ['a tab', 'a\tb'],
    ['a line break', 'abc\ndef'],
    ['DEL (0x7f)', 'a\x7f'],
    ['a control character', 'a\x01'],
    ['non-ASCII', 'idé'],
    ['an array (repeated header)', ['a', 'b']],
  ])('refuses %s', (_name, value) => expect(acceptRequestId(value)).toBeUndefined());

  it('is 128 characters at most, as both apps document', () => expect(MAX_REQUEST_ID_LENGTH).toBe(128));
});
