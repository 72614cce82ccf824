// @vitest-environment node
/// <reference types="node" />
// The demo server: what it serves, with which cache headers, and that nothing outside its folders leaks.
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoServer, formatProblem, inside } from '../../examples/server.mjs';

const bundle = { format: 'workflows/compiled', version: 3, hash: 'h4sh', workflows: [{ id: 'a' }] };
let server: Server;
let port: number;

beforeAll(async () => {
  server = createDemoServer({ bundle });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

/** A raw request: `fetch` would normalise `..` away before it reached the server. */
function get(path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('demo server', () => {
  it('serves the compiled bundle with no-cache, an ETag from its hash, and 304 when it has not changed', async () => {
    const first = await get('/workflows.json');
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe('no-cache');
    expect(first.headers.etag).toBe('"h4sh"');
    expect(JSON.parse(first.body)).toEqual(bundle);
    const again = await get('/workflows.json', { 'If-None-Match': '"h4sh"' });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    expect((await get('/workflows.json', { 'If-None-Match': '"stale"' })).status).toBe(200);
  });

  it('serves the demo pages, with clean URLs', async () => {
    for (const path of ['/', '/index.html', '/collection.html', '/product.html', '/cart', '/styles.css']) {
      const page = await get(path);
      expect(page.status, path).toBe(200);
    }
    const home = await get('/');
    expect(home.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(home.body).toContain('<script async src="/workflows.js" data-workflows="/workflows.json"></script>');
  });

  it.each([
    '/../package.json',
    '/%2e%2e/package.json',
    '/..%2fpackage.json',
    '/..%2F..%2Fpackage.json',
    '/chunks/..%2f..%2fpackage.json',
    '/chunks/%2e%2e/%2e%2e/package.json',
    '/%00index.html',
    '/server.mjs',
    '/nope.html',
  ])('answers %s with the 404 page', async (path) => {
    const res = await get(path);
    expect(res.status).toBe(404);
    expect(res.body).toContain('Page not found');
    expect(res.body).not.toContain('"devDependencies"');
  });

  it('keeps resolved paths inside the served folder', () => {
    expect(inside('/srv/site', '/a/b.html')).toBe('/srv/site/a/b.html');
    expect(inside('/srv/site', '/a/../b.html')).toBe('/srv/site/b.html');
    expect(inside('/srv/site', '/../site-secrets/x')).toBeNull();
    expect(inside('/srv/site', '/../../etc/passwd')).toBeNull();
    expect(inside('/srv/site', 'x\0.html')).toBeNull();
  });

  it('rejects methods other than GET and HEAD', async () => {
    const res = await get('/', {}, 'POST');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    const head = await get('/workflows.json', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('formats problems as the CLI does', () => {
    expect(formatProblem({ file: 'a.json', pointer: '/workflows/0/start', message: 'is missing' })).toBe(
      'a.json: /workflows/0/start: is missing',
    );
    expect(formatProblem({ pointer: '', message: 'not valid JSON' })).toBe('/: not valid JSON');
  });
});
