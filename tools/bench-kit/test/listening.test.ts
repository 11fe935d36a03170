/** Real children: one that listens on a port of its choosing and says so, one that dies first. */
import { describe, expect, it } from 'vitest';
import { spawnListening, tcpOpen } from '../src/index.js';

const LISTENER = `
const s = require('node:net').createServer((c) => c.end());
s.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(JSON.stringify({ msg: 'listening', port: s.address().port })));
process.on('SIGTERM', () => s.close(() => process.exit(0)));`;

describe('spawnListening', () => {
  it('resolves with the port the child chose, which accepts connections, and stops it', async () => {
    const p = await spawnListening(process.execPath, ['-e', LISTENER], { PORT: '0' });
    expect(p.port).toBeGreaterThan(0);
    expect(await tcpOpen(p.port)).toBe(true);
    await p.stop();
    expect(p.child.exitCode).toBe(0);
    expect(await tcpOpen(p.port)).toBe(false);
  });

  it('rejects with BENCH_EXITED_BEFORE_READY and the output when the child exits first', async () => {
    await expect(spawnListening(process.execPath, ['-e', 'console.error("no config"); process.exit(3)'], {})).rejects.toMatchObject({
      code: 'BENCH_EXITED_BEFORE_READY',
      message: expect.stringContaining('no config'),
    });
  });
});
