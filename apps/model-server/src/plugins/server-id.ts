/**
 * Tags every response with the replica's id: header `x-server-id` on all of them, and a
 * `server_id` field in every JSON object body (so a client behind the balancer sees who answered).
 */
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    serverId: string;
  }
}

export const SERVER_ID_HEADER = 'x-server-id';

export default fp<{ serverId: string }>(
  async (app, { serverId }) => {
    app.decorate('serverId', serverId);
    // callback hooks: no promise per request
    app.addHook('onRequest', (_request, reply, done) => {
      reply.header(SERVER_ID_HEADER, serverId);
      done();
    });
    app.addHook('preSerialization', (_request, _reply, payload: unknown, done) => {
      if (payload === null || typeof payload !== 'object' || Array.isArray(payload) || 'server_id' in payload) {
        done(null, payload);
        return;
      }
      done(null, { ...payload, server_id: serverId });
    });
  },
  { name: 'server-id', fastify: '5.x' },
);
