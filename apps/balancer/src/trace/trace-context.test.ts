import * as config from '@fleet/config';
import { describe, expect, it } from 'vitest';
import { formatTraceparent, parseTraceparent, TRACEPARENT_HEADER } from './trace-context.js';

// The grammar itself is tested where it lives (packages/config/src/trace-context.test.ts).
describe('trace context', () => {
  it("is @fleet/config's one definition, shared with the model-server", () => {
    expect(parseTraceparent).toBe(config.parseTraceparent);
    expect(formatTraceparent).toBe(config.formatTraceparent);
    expect(TRACEPARENT_HEADER).toBe('traceparent');
  });
});
