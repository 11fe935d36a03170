import { describe, expect, it } from 'vitest';
import { missingIsFatal, skipMessage } from './deps.js';

describe('missing Debian packages', () => {
  it('fail the run only under CI=true, unless FLEET_SKIP names seed-stack', () => {
    expect(missingIsFatal('check', {})).toBe(false);
    expect(missingIsFatal('check', { CI: 'true' })).toBe(true);
    expect(missingIsFatal('check', { CI: 'true', FLEET_SKIP: 'chromium,seed-stack' })).toBe(false);
  });

  it('are named in the skip message with the command that installs them', () => {
    expect(skipMessage(['python3-onnx', 'wrk'])).toBe(
      'seed stack skipped: missing Debian packages python3-onnx wrk (run as root to let the bench install them, or: apt-get install -y python3-onnx wrk)',
    );
  });
});
