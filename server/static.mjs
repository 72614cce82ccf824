// Static files: the script-tag runtime, its lazy chunks, the demo store's pages, and the 404 page.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = path.join(ROOT, 'dist');
export const SITE = path.join(ROOT, 'examples', 'site');

export const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

// The runtime's URL is fixed by the embed snippet, so browsers must revalidate it soon after a deploy.
const RUNTIME_CACHE = 'public, max-age=300, stale-while-revalidate=86400';
// Chunks are long-lived: the runtime must reference them by a versioned URL (content hash in the name or query).
const CHUNK_CACHE = 'public, max-age=31536000, immutable';
const PAGE_CACHE = 'no-cache';

const TAG = 'data-workflows="/workflows.json"';

/**
 * Serves a GET/HEAD for a static path: /workflows.js, /chunks/*, or a page of the demo store.
 * With `collector`, the demo store's own pages (top-level HTML) get `data-collector` on their script tag, so they
 * report events only when the server serving them has a collector.
 */
export async function serveStatic(req, res, pathname, { collector } = {}) {
  if (pathname === '/workflows.js') return serveFile(req, res, DIST, 'workflows.js', RUNTIME_CACHE);
  if (pathname.startsWith('/chunks/')) return serveFile(req, res, path.join(DIST, 'chunks'), pathname.slice(8), CHUNK_CACHE);
  const edit = collector
    ? (file, content) =>
        path.dirname(file) === SITE && file.endsWith('.html')
          ? Buffer.from(content.toString('utf8').replace(TAG, `${TAG} data-collector="${collector}"`))
          : content
    : undefined;
  return serveFile(req, res, SITE, pathname, PAGE_CACHE, edit);
}

/** Serves `relative` from under `base`, or the 404 page; never anything outside `base`. */
async function serveFile(req, res, base, relative, cacheControl, edit) {
  let file = inside(base, relative);
  let info = file && (await stat(file).catch(() => null));
  if (info?.isDirectory()) {
    file = path.join(file, 'index.html');
    info = await stat(file).catch(() => null);
  } else if (!info && file && !path.extname(file)) {
    // Clean URLs: /cart serves cart.html.
    file += '.html';
    info = await stat(file).catch(() => null);
  }
  if (!info?.isFile()) return notFound(req, res);

  let content = await readFile(file);
  if (edit) content = edit(file, content);
  const etag = `"${createHash('sha256').update(content).digest('base64url').slice(0, 22)}"`;
  const headers = {
    'Content-Type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Cache-Control': cacheControl,
    ETag: etag,
  };
  if (matches(req.headers['if-none-match'], etag)) return send(req, res, 304, headers);
  return send(req, res, 200, headers, content);
}

/** The absolute path of `relative` under `base`, or null when it would leave `base`. */
export function inside(base, relative) {
  if (relative.includes('\0')) return null;
  const root = path.resolve(base);
  const resolved = path.resolve(root, `.${path.sep}${relative}`);
  return resolved === root || resolved.startsWith(root + path.sep) ? resolved : null;
}

/** Whether an If-None-Match header names `etag` (weak comparison, `*` included). */
export function matches(header, etag) {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

/** The compiled bundle: no-cache, ETag from its hash, 304 when the client has it. */
export function serveBundle(req, res, bundle) {
  if (!bundle) return send(req, res, 404, { 'Content-Type': TYPES['.json'], 'Cache-Control': 'no-cache' }, '{"error":"nothing is published yet"}');
  const etag = `"${bundle.hash}"`;
  const headers = { 'Content-Type': TYPES['.json'], 'Cache-Control': 'no-cache', ETag: etag };
  if (matches(req.headers['if-none-match'], etag)) return send(req, res, 304, headers);
  return send(req, res, 200, headers, JSON.stringify(bundle));
}

export function notFound(req, res) {
  const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Page not found · Harbor &amp; Pine</title><link rel="stylesheet" href="/styles.css"><link rel="icon" href="/favicon.svg"></head>
<body><main class="container notfound"><h1>Page not found</h1><p>That page has wandered off the trail.</p><p><a class="button" href="/">Back to the store</a></p></main></body>
</html>
`;
  return send(req, res, 404, { 'Content-Type': TYPES['.html'], 'Cache-Control': 'no-cache' }, page);
}

export function send(req, res, status, headers, body) {
  const bytes = body === undefined || status === 304 ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
  res.writeHead(status, {
    'X-Content-Type-Options': 'nosniff',
    ...headers,
    ...(bytes ? { 'Content-Length': bytes.length } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}
