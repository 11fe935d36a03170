import { afterEach, describe, expect, it } from 'vitest';
import { occupyPort, releaseBusyPorts } from './busy-ports.js';
import { STACK_ERRORS } from '../src/errors.js';
import { allocateFreePorts, assertPortsFree } from '../src/ports.js';

afterEach(releaseBusyPorts);

describe('ports', () => {
  it('allocates distinct free ports that can then be bound', async () => {
    const ports = await allocateFreePorts('127.0.0.1', 4);
    expect(new Set(ports).size).toBe(4);
    await expect(assertPortsFree('127.0.0.1', ports.map((port, i) => ({ owner: `server-${i + 1}`, port })))).resolves.toBeUndefined();
  });

  it('names every busy port and who needed it', async () => {
    const [a, b] = [await occupyPort(), await occupyPort()];
    const [free] = await allocateFreePorts('127.0.0.1', 1);
    const slots = [
      { owner: 'server-1', port: free ?? 0 },
      { owner: 'server-2', port: a },
      { owner: 'balancer', port: b },
    ];
    await expect(assertPortsFree('127.0.0.1', slots)).rejects.toMatchObject({
      code: STACK_ERRORS.PORT_IN_USE,
      message: expect.stringContaining(`already in use on 127.0.0.1: port ${a} (server-2), port ${b} (balancer).`),
    });
  });

  it('skips ports left at 0', async () => {
    await expect(assertPortsFree('127.0.0.1', [{ owner: 'balancer', port: 0 }])).resolves.toBeUndefined();
  });
});
