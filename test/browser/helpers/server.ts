/**
 * A recording HTTP server on 127.0.0.1 for the end-to-end tests: serves the real runtime (`dist/workflows.js`,
 * `dist/chunks/*`), the test pages under `examples/site/test/` (with the headers a test asks for, e.g. a CSP),
 * compiled bundles, and records every other request (collector batches, webhooks, app calls), answering CORS.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface TestServer {
  origin: string;
  /** Every request that was not a page, script or bundle, in arrival order (preflights included). */
  requests: Recorded[];
  /** Recorded requests to `path`, preflights left out. */
  posts(path: string): Recorded[];
  /** Serves `bundle` at `/test/bundle-<name>.json`. */
  bundle(name: string, bundle: unknown): void;
  /**
   * Extra response headers for a page, script or bundle path (e.g. `Content-Security-Policy`); a path ending in `/`
   * gives them to every such path under it (`/chunks/`).
   */
  headers(path: string, headers: Record<string, string>): void;
  /** Serves `html` as the page at `path` (with the headers given for it). */
  page(path: string, html: string): void;
  /** Statuses to answer a recorded path with, in order (then 200). */
  answer(path: string, ...statuses: number[]): void;
  close(): Promise<void>;
}

const ROOT = new URL('../../../', import.meta.url);

/** `port`: 0 (the default) for any free one. */
export async function startServer(port = 0): Promise<TestServer> {
  const requests: Recorded[] = [];
  const bundles = new Map<string, string>();
  const pageHeaders = new Map<string, Record<string, string>>();
  const answers = new Map<string, number[]>();
  const pages = new Map<string, string>();
  const headersOf = (p: string) => ({ ...Object.fromEntries([...pageHeaders].filter(([k]) => k.endsWith('/') && p.startsWith(k)).flatMap(([, h]) => Object.entries(h))), ...pageHeaders.get(p) });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      try {
        const url = new URL(req.url!, 'http://x');
        const p = url.pathname;
        const file = (f: URL, type: string) =>
          readFile(f).then(
            (b) => res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headersOf(p) }).end(b),
            () => res.writeHead(404).end(),
          );
        if (p === '/workflows.js') return void (await file(new URL('dist/workflows.js', ROOT), 'text/javascript'));
        if (/^\/chunks\/[\w-]+\.js$/.test(p)) return void (await file(new URL(`dist${p}`, ROOT), 'text/javascript'));
        if (/^\/test\/runtime[\w-]*\.html$/.test(p)) return void (await file(new URL(`examples/site${p}`, ROOT), 'text/html; charset=utf-8'));
        if (pages.has(p)) return void res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...headersOf(p) }).end(pages.get(p));
        const b = /^\/test\/bundle-([\w-]+)\.json$/.exec(p);
        if (b && bundles.has(b[1]!)) return void res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headersOf(p) }).end(bundles.get(b[1]!));
        if (p === '/favicon.ico') return void res.writeHead(404).end();
        requests.push({ method: req.method!, path: p, query: Object.fromEntries(url.searchParams), headers: req.headers, body: Buffer.concat(chunks).toString() });
        const cors = {
          'Access-Control-Allow-Origin': '*',
          'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH',
          'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '',
        };
        if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
        const status = answers.get(p)?.shift() ?? 200;
        res.writeHead(status, { ...cors, 'Content-Type': 'application/json' }).end('{}');
      } catch (e) {
        res.writeHead(500).end(String(e));
      }
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    requests,
    posts: (path) => requests.filter((r) => r.path === path && r.method !== 'OPTIONS'),
    bundle: (name, bundle) => void bundles.set(name, JSON.stringify(bundle)),
    headers: (path, h) => void pageHeaders.set(path, h),
    page: (path, html) => void pages.set(path, html),
    answer: (path, ...statuses) => void answers.set(path, statuses),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
