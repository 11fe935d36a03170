/**
 * Readiness as an explicit state: `loading` until the warm-up inference produced the expected
 * output, then `ready`; `draining` from the first SIGTERM on; `failed` when warm-up failed.
 * Liveness is separate: the process answers /health/live whatever the state.
 */
import fp from 'fastify-plugin';
import { ERROR_CODES, ServerError } from '../errors.js';

export const LIFECYCLE_STATES = ['loading', 'ready', 'draining', 'failed'] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

export interface Lifecycle {
  readonly state: LifecycleState;
  readonly ready: boolean;
  /** loading → ready (ignored once draining). */
  markReady(): void;
  /** loading → failed. */
  markFailed(reason: string): void;
  /** any → draining; readiness answers 503 from now on. */
  startDrain(): void;
  readonly failure: string | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    lifecycle: Lifecycle;
  }
}

function createLifecycle(): Lifecycle {
  let state: LifecycleState = 'loading';
  let failure: string | undefined;
  return {
    get state() {
      return state;
    },
    get ready() {
      return state === 'ready';
    },
    get failure() {
      return failure;
    },
    markReady() {
      if (state === 'loading') state = 'ready';
    },
    markFailed(reason) {
      if (state !== 'loading') return;
      state = 'failed';
      failure = reason;
    },
    startDrain() {
      state = 'draining';
    },
  };
}

export default fp(
  async (app) => {
    const lifecycle = createLifecycle();
    app.decorate('lifecycle', lifecycle);
    // While draining, every response closes its connection: keep-alive clients (a balancer's
    // pool) reconnect elsewhere, and close() is not held up by idle keep-alive sockets.
    app.addHook('onSend', (_request, reply, payload, done) => {
      if (lifecycle.state === 'draining') reply.header('connection', 'close');
      done(null, payload);
    });
    // Once close() runs, requests still arriving on open keep-alive connections get a JSON 503
    // (with x-server-id and Retry-After) instead of Fastify's bare one (return503OnClosing is off).
    let closing = false;
    app.addHook('preClose', async () => {
      closing = true;
    });
    app.addHook('onRequest', (_request, _reply, done) => {
      done(closing ? new ServerError(ERROR_CODES.SHUTTING_DOWN, 'server is shutting down') : undefined);
    });
  },
  { name: 'lifecycle', fastify: '5.x', dependencies: ['server-id'] },
);
