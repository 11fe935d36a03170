import { mkdir, mkdtemp, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentTypeFor, createStatic, etagMatches, safeSegments, weakEtag } from './static.js';

let dir: string;
let server: Server;
let port: number;
const MTIME = new Date('2026-01-02T03:04:05Z');
const errors: Error[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fleet-static-'));
  const root = join(dir, 'root');
  await mkdir(join(root, 'sub'), { recursive: true });
  await mkdir(join(root, 'empty'));
  await mkdir(join(root, '.hidden'));
  await mkdir(join(dir, 'outside'));
  const files: [string, string][] = [
    ['root/index.html', '<h1>home</h1>'],
    ['root/app.js', 'console.log(1);'],
    ['root/data.JSON', '{"a":1}'],
    ['root/blob.bin', 'xyz'],
    ['root/empty.txt', ''],
    ['root/sub/index.html', 'sub index'],
    ['root/sub/file.txt', 'sub file'],
    ['root/.env', 'SECRET=1'],
    ['root/.hidden/secret.txt', 'hidden'],
    ['outside/secret.txt', 'outside secret'],
    ['other/page.txt', 'other mount'],
  ];
  for (const [name, body] of files) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), body);
    await utimes(join(dir, name), MTIME, MTIME);
  }
  await symlink(join(dir, 'outside/secret.txt'), join(root, 'link-out.txt'));
  await symlink(join(dir, 'outside'), join(root, 'link-dir'));
  await symlink(join(root, 'sub/file.txt'), join(root, 'link-in.txt'));
  await symlink(join(root, '.env'), join(root, 'link-dot.txt'));

  const handler = createStatic(
    [
      { prefix: '/static/', root, maxAgeMs: 60000 },
      { prefix: '/static/other', root: join(dir, 'other'), maxAgeMs: 1500 },
      { prefix: '/gone', root: join(dir, 'does-not-exist'), maxAgeMs: 0 },
    ],
    { onError: (err) => errors.push(err) },
  );
  server = createServer((req, res) => {
    handler(req, res, new URL(req.url ?? '/', 'http://localhost')).then(
      (handled) => {
        if (!handled) res.writeHead(418).end('not static');
      },
      (err: unknown) => {
        errors.push(err as Error);
        res.destroy();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

interface Res {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject).end();
  });
}

const codeOf = (r: Res) => (r.headers['content-type']?.startsWith('application/json') ? JSON.parse(r.body).code : r.body);

describe('static files: what is served', () => {
  it.each([
    ['/static/app.js', 200, 'console.log(1);', 'text/javascript; charset=utf-8'],
    ['/static/data.JSON', 200, '{"a":1}', 'application/json; charset=utf-8'],
    ['/static/blob.bin', 200, 'xyz', 'application/octet-stream'],
    ['/static/empty.txt', 200, '', 'text/plain; charset=utf-8'],
    ['/static/', 200, '<h1>home</h1>', 'text/html; charset=utf-8'],
    ['/static', 200, '<h1>home</h1>', 'text/html; charset=utf-8'],
    ['/static/sub/', 200, 'sub index', 'text/html; charset=utf-8'],
    ['/static/sub/file.txt', 200, 'sub file', 'text/plain; charset=utf-8'],
    ['/static/sub/fil%65.txt', 200, 'sub file', 'text/plain; charset=utf-8'],
    ['/static/link-in.txt', 200, 'sub file', 'text/plain; charset=utf-8'],
    ['/static/other/page.txt', 200, 'other mount', 'text/plain; charset=utf-8'],
  ])('GET %s → %d', async (path, status, body, type) => {
    const res = await get(path);
    expect([res.status, res.body, res.headers['content-type']]).toEqual([status, body, type]);
  });

  it('sends validators and cache headers', async () => {
    const res = await get('/static/app.js');
    const s = await stat(join(dir, 'root/app.js'));
    expect(res.headers).toMatchObject({
      etag: weakEtag(s.size, s.mtimeMs),
      'last-modified': MTIME.toUTCString(),
      'cache-control': 'public, max-age=60',
      'content-length': '15',
      'x-content-type-options': 'nosniff',
    });
    expect((await get('/static/other/page.txt')).headers['cache-control']).toBe('public, max-age=1');
  });

  it('HEAD: same headers, no body', async () => {
    const res = await get('/static/app.js', {}, 'HEAD');
    expect([res.status, res.body, res.headers['content-length']]).toEqual([200, '', '15']);
  });

  it('paths outside every prefix are not handled', async () => {
    expect([(await get('/staticfoo')).status, (await get('/predict')).status]).toEqual([418, 418]);
  });
});

describe('static files: what is refused', () => {
  it.each([
    ['/static/missing.txt', 404, 'NOT_FOUND'],
    ['/static/.env', 404, 'NOT_FOUND'],
    ['/static/%2eenv', 404, 'NOT_FOUND'],
    ['/static/.hidden/secret.txt', 404, 'NOT_FOUND'],
    ['/static/..%2Foutside/secret.txt', 404, 'NOT_FOUND'],
    ['/static/sub/..%2F..%2F..%2Foutside/secret.txt', 404, 'NOT_FOUND'],
    ['/static/%2e%2e%2foutside%2fsecret.txt', 404, 'NOT_FOUND'],
    ['/static/..%5C..%5Coutside%5Csecret.txt', 404, 'NOT_FOUND'],
    ['/static/link-out.txt', 404, 'NOT_FOUND'],
    ['/static/link-dir/secret.txt', 404, 'NOT_FOUND'],
    ['/static/link-dot.txt', 404, 'NOT_FOUND'],
    ['/static/empty/', 404, 'NOT_FOUND'],
    ['/static/sub', 404, 'NOT_FOUND'],
    ['/static/app.js/x', 404, 'NOT_FOUND'],
    ['/gone/x.txt', 404, 'NOT_FOUND'],
    ['/static/%E0%A4%A', 400, 'BAD_REQUEST'],
    ['/static/%zz', 400, 'BAD_REQUEST'],
    ['/static/a%00b', 400, 'BAD_REQUEST'],
  ])('GET %s → %d %s', async (path, status, code) => {
    const res = await get(path);
    expect([res.status, codeOf(res)]).toEqual([status, code]);
  });

  it('dot segments normalised by the URL parser leave the prefix (not served here)', async () => {
    expect((await get('/static/%2e%2e/outside/secret.txt')).status).toBe(418);
  });

  it.each(['POST', 'PUT', 'DELETE'])('%s → 405 with Allow', async (method) => {
    const res = await get('/static/app.js', {}, method);
    expect([res.status, codeOf(res), res.headers.allow]).toEqual([405, 'METHOD_NOT_ALLOWED', 'GET, HEAD']);
  });

  it('no unexpected I/O errors were reported', () => {
    expect(errors).toEqual([]);
  });
});

describe('conditional requests', () => {
  const etagOf = async () => (await get('/static/app.js')).headers.etag ?? '';
  it.each([
    { name: 'matching If-None-Match', headers: async () => ({ 'if-none-match': await etagOf() }), status: 304 },
    { name: 'strong form of the weak tag', headers: async () => ({ 'if-none-match': (await etagOf()).slice(2) }), status: 304 },
    { name: 'tag in a list', headers: async () => ({ 'if-none-match': `"x", ${await etagOf()}` }), status: 304 },
    { name: 'wildcard', headers: async () => ({ 'if-none-match': '*' }), status: 304 },
    { name: 'other tag', headers: async () => ({ 'if-none-match': 'W/"nope"' }), status: 200 },
    { name: 'If-Modified-Since at mtime', headers: async () => ({ 'if-modified-since': MTIME.toUTCString() }), status: 304 },
    {
      name: 'If-Modified-Since before mtime',
      headers: async () => ({ 'if-modified-since': new Date(MTIME.getTime() - 1000).toUTCString() }),
      status: 200,
    },
    {
      name: 'If-None-Match wins over If-Modified-Since',
      headers: async () => ({ 'if-none-match': '"nope"', 'if-modified-since': MTIME.toUTCString() }),
      status: 200,
    },
    { name: 'garbage date', headers: async () => ({ 'if-modified-since': 'yesterday' }), status: 200 },
  ])('$name → $status', async ({ headers, status }) => {
    const res = await get('/static/app.js', await headers());
    expect(res.status).toBe(status);
    if (status === 304) {
      expect(res.body).toBe('');
      expect(res.headers.etag).toBe(await etagOf());
      expect(res.headers['cache-control']).toBe('public, max-age=60');
    }
  });
});

describe('helpers', () => {
  it.each([
    ['/a/b.txt', { ok: true, segments: ['a', 'b.txt'] }],
    ['', { ok: true, segments: ['index.html'] }],
    ['/dir/', { ok: true, segments: ['dir', 'index.html'] }],
    ['//a//b', { ok: true, segments: ['a', 'b'] }],
    ['/..', { ok: false, status: 404 }],
    ['/a/%2e%2e/b', { ok: false, status: 404 }],
    ['/.git/HEAD', { ok: false, status: 404 }],
    ['/%ff', { ok: false, status: 400 }],
    ['/a%00', { ok: false, status: 400 }],
  ])('safeSegments(%j)', (rest, out) => expect(safeSegments(rest)).toEqual(out));

  it.each([
    ['W/"a-b"', 'W/"a-b"', true],
    ['"a-b"', 'W/"a-b"', true],
    ['"a-c", W/"a-b"', 'W/"a-b"', true],
    ['"a-c"', 'W/"a-b"', false],
    ['*', 'W/"a-b"', true],
  ])('etagMatches(%j, %j) = %s', (inm, tag, out) => expect(etagMatches(inm, tag)).toBe(out));

  it('weakEtag encodes size and mtime', () => {
    expect(weakEtag(255, 4096.9)).toBe('W/"ff-1000"');
  });

  it.each([
    ['a.HTML', 'text/html; charset=utf-8'],
    ['x.woff2', 'font/woff2'],
    ['noext', 'application/octet-stream'],
  ])('contentTypeFor(%s)', (file, type) => expect(contentTypeFor(file)).toBe(type));
});
