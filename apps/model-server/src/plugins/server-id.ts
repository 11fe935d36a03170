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
    app.addHook('onRequest', async (_request, reply) => {
      reply.header(SERVER_ID_HEADER, serverId);
    });
    app.addHook('preSerialization', async (_request, _reply, payload: unknown) => {
      if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return payload;
      if ('server_id' in payload) return payload;
      return { ...payload, server_id: serverId };
    });
  },
  { name: 'server-id', fastify: '5.x' },
);
