/**
 * /docs: Swagger UI over the OpenAPI document, served from the package's own assets (no CDN,
 * works offline), with a runnable example for the model actually served; DOCS=off keeps only
 * the document at /docs/json.
 */
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { MODEL_INFO, WARMUP } from '@fleet/model';
import { buildApp } from '../src/app.js';
import { fakeTextBackend } from './fake-backend.js';
import { startProcess, testConfig, waitFor, type LogLine, type ServerProcess } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start(docs: boolean): Promise<FastifyInstance> {
  const built = await buildApp({ config: testConfig({ serverId: 'docs', docs }), backend: fakeTextBackend() });
  await built.ready();
  return built;
}

describe('/docs', () => {
  it('serves Swagger UI and every asset it loads from this server (offline)', async () => {
    app = await start(true);
    const page = await app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(assets.length).toBeGreaterThan(2);
    expect(assets.filter((a) => /^(https?:)?\/\//.test(a))).toEqual([]); // nothing from the network
    for (const asset of assets) {
      const url = new URL(asset, 'http://replica/docs/').pathname;
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
    }
    const init = await app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    expect(init.body).toContain("resolveUrl('./json')");
    expect(init.body).toContain('validatorUrl: null'); // no call to validator.swagger.io
  });

  it('documents the v2 routes with a runnable example for the served model', async () => {
    app = await start(true);
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/predict', '/v2/', '/v2/models/{name}', '/v2/models/{name}/infer', '/v2/models/{name}/versions/{version}/infer']),
    );
    const infer = doc.paths['/v2/models/{name}/infer'].post;
    expect(infer.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'name', in: 'path', example: MODEL_INFO.name })]));
    const example = Object.values(infer.requestBody.content['application/json'].examples as Record<string, { value: unknown }>)[0]?.value;
    expect(example).toEqual({ id: 'example-1', inputs: [{ name: 'text', shape: [2], datatype: 'BYTES', data: [...WARMUP.texts] }] });
    // the example really runs
    const run = await app.inject({ method: 'POST', url: `/v2/models/${MODEL_INFO.name}/infer`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(example) });
    expect(run.statusCode).toBe(200);
    const predictBody = doc.paths['/predict'].post.requestBody.content['application/json'];
    expect(JSON.stringify(predictBody)).toContain('Congratulations');
  });

  it('DOCS=off: no UI (404 JSON), the OpenAPI document stays at /docs/json', async () => {
    app = await start(false);
    const page = await app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(404);
    expect(page.json()).toMatchObject({ code: 'NOT_FOUND' });
    expect((await app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' })).statusCode).toBe(404);
    const doc = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(doc.statusCode).toBe(200);
    expect(doc.json().paths['/v2/models/{name}/infer'].post.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'name', example: MODEL_INFO.name })]),
    );
  });
});

describe('what a replica loads at start (/docs on its first request)', () => {
  const FIXTURE = fileURLToPath(new URL('./fixtures/loaded-modules.mjs', import.meta.url));
  let server: ServerProcess | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  async function loadedPackages(p: ServerProcess): Promise<Record<string, boolean>> {
    const seen = p.lines.length;
    p.child.kill('SIGUSR2');
    const line = await waitFor(() => p.lines.slice(seen).find((l: LogLine) => l.msg === 'loaded-modules'), { what: 'loaded-modules line' });
    return line.packages as Record<string, boolean>;
  }

  it("turns on Node's compile cache first, before any package is loaded (a stand-in on Node 20)", async () => {
    server = await startProcess({ WORKERS: '0', SERVER_ID: 'compile-cache', NODE_OPTIONS: `--import=${FIXTURE}` });
    const seen = server.lines.length;
    server.child.kill('SIGUSR2');
    const line = await waitFor(() => server?.lines.slice(seen).find((l: LogLine) => l.msg === 'loaded-modules'), { what: 'loaded-modules line' });
    expect(line.compileCache).toEqual({ called: true, packageModulesBefore: 0 });
  });

  it('a replica starts without the Swagger packages, yaml, or the balancer part of @fleet/config, with Fastify, zod and ajv from its bundle, and serves /docs and /docs/json once asked', async () => {
    server = await startProcess({ WORKERS: '0', SERVER_ID: 'docs-lazy', NODE_OPTIONS: `--import=${FIXTURE}` });
    expect(await loadedPackages(server)).toEqual({
      '@fastify/swagger': false,
      '@fastify/swagger-ui': false,
      '@fastify/static': false,
      yaml: false,
      '@fleet/config index': false,
      '@fleet/lb-core': false,
      fastify: false,
      zod: false,
      ajv: false,
    });
    const page = await fetch(`${server.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('x-server-id')).toBe('docs-lazy'); // the main app's hooks still run
    const head = await fetch(`${server.url}/docs/json`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toContain('application/json');
    const doc = (await (await fetch(`${server.url}/docs/json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/predict', '/v2/', '/v2/models/{name}/infer']));
    const missing = await fetch(`${server.url}/docs/no-such-asset.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'NOT_FOUND' });
    expect(await loadedPackages(server)).toMatchObject({ '@fastify/swagger': true, '@fastify/swagger-ui': true });
  });
});
