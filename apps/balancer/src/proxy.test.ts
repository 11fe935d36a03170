import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ROUTE, groupView } from '../test/helpers/walk-view.js';
import { createMetrics } from './metrics.js';
import { proxyRequest, type ProxyInput } from './proxy.js';

/** `proxyRequest` without sockets: how a walk that failed is passed on (peers without a pool: every attempt fails at once). */
describe('proxyRequest', () => {
  it('a walk that fails (its error answer threw) reaches walkFailed once, and the client is no longer watched', () => {
    const res = Object.assign(new EventEmitter(), {
      headersSent: false,
      writableEnded: false,
      getHeader: () => {
        throw new Error('client socket gone');
      },
    });
    const input: ProxyInput = {
      req: { method: 'GET' } as IncomingMessage,
      res: res as unknown as ServerResponse,
      upstream: groupView(),
      route: ROUTE,
      path: '/',
      headers: {},
      body: null,
      clientIp: '127.0.0.1',
      trace: {} as ProxyInput['trace'], // never read: no peer has a pool
    };
    const ended: unknown[] = [];
    const failed: unknown[] = [];
    proxyRequest(input, { now: () => 0, metrics: createMetrics(), logger: { warn: () => undefined } }, { walkEnded: (o) => ended.push(o), walkFailed: (e) => failed.push(e) });
    expect([ended.length, failed.map((e) => (e as Error).message)]).toEqual([0, ['client socket gone']]);
    expect(res.listenerCount('close')).toBe(0);
  });
});
