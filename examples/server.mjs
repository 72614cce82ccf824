// The demo store and reference server that `npm start` runs. Dependency-free; listens on 127.0.0.1 only.
//
//   /workflows.js      dist/workflows.js, the script-tag runtime
//   /chunks/<file>     dist/chunks/, lazy runtime chunks
//   /workflows.json    the compiled bundle, compiled at start-up from examples/workflows/*.json
//   anything else      the static demo store in examples/site/, or a 404 page
//
// Environment: PORT (default 4173).
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HOST = '127.0.0.1';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = path.join(ROOT, 'dist');
const SITE = path.join(ROOT, 'examples', 'site');
const WORKFLOWS = path.join(ROOT, 'examples', 'workflows');

const TYPES = {
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

/** `file: /pointer: message`, the form the CLI prints. */
export function formatProblem(p) {
  return `${p.file ? `${p.file}: ` : ''}${p.pointer || '/'}: ${p.message}`;
}

/**
 * Reads the authoring documents in `dir` and compiles them with the shared compiler.
 * Returns `{ ok: true, bundle }` or `{ ok: false, problems }` (the compiler's result shape).
 */
export async function compileExamples(dir = WORKFLOWS) {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  const files = [];
  const problems = [];
  for (const name of names) {
    const file = path.relative(process.cwd(), path.join(dir, name)).split(path.sep).join('/');
    try {
      files.push({ file, doc: JSON.parse(await readFile(path.join(dir, name), 'utf8')) });
    } catch (error) {
      problems.push({ file, pointer: '', message: `not valid JSON: ${error.message}` });
    }
  }
  if (problems.length) return { ok: false, problems };

  let compileProject;
  try {
    ({ compileProject } = await import('../dist/esm/index.js'));
  } catch (error) {
    throw new Error(`cannot load the compiler from dist/esm/index.js (run "npm run build"): ${error.message}`);
  }
  if (typeof compileProject !== 'function') throw new Error('dist/esm/index.js does not export compileProject');
  return compileProject(files);
}

/** The HTTP server for a compiled bundle; call `.listen(port, '127.0.0.1')` on it. */
export function createDemoServer({ bundle }) {
  const body = Buffer.from(JSON.stringify(bundle));
  const etag = `"${bundle.hash}"`;

  return createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        return send(req, res, 405, { Allow: 'GET, HEAD', 'Content-Type': TYPES['.txt'] }, 'Method not allowed\n');
      }
      let pathname;
      try {
        pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://demo.invalid').pathname);
      } catch {
        return send(req, res, 400, { 'Content-Type': TYPES['.txt'] }, 'Bad request\n');
      }

      if (pathname === '/workflows.json') {
        const headers = { 'Content-Type': TYPES['.json'], 'Cache-Control': 'no-cache', ETag: etag };
        if (matches(req.headers['if-none-match'], etag)) return send(req, res, 304, headers);
        return send(req, res, 200, headers, body);
      }
      if (pathname === '/workflows.js') return await serveFile(req, res, DIST, 'workflows.js', RUNTIME_CACHE);
      if (pathname.startsWith('/chunks/')) return await serveFile(req, res, path.join(DIST, 'chunks'), pathname.slice(8), CHUNK_CACHE);
      return await serveFile(req, res, SITE, pathname, PAGE_CACHE);
    } catch (error) {
      console.error(`demo server: ${req.method} ${req.url}: ${error.stack ?? error}`);
      if (!res.headersSent) send(req, res, 500, { 'Content-Type': TYPES['.txt'] }, 'Internal server error\n');
      else res.destroy();
    }
  });
}

/** Serves `relative` from under `base`, or the 404 page; never anything outside `base`. */
async function serveFile(req, res, base, relative, cacheControl) {
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

  const content = await readFile(file);
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
function matches(header, etag) {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

function notFound(req, res) {
  const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Page not found · Harbor &amp; Pine</title><link rel="stylesheet" href="/styles.css"><link rel="icon" href="/favicon.svg"></head>
<body><main class="container notfound"><h1>Page not found</h1><p>That page has wandered off the trail.</p><p><a class="button" href="/">Back to the store</a></p></main></body>
</html>
`;
  return send(req, res, 404, { 'Content-Type': TYPES['.html'], 'Cache-Control': 'no-cache' }, page);
}

function send(req, res, status, headers, body) {
  const bytes = body === undefined || status === 304 ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
  res.writeHead(status, {
    'X-Content-Type-Options': 'nosniff',
    ...headers,
    ...(bytes ? { 'Content-Length': bytes.length } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

async function main() {
  const port = Number(process.env.PORT ?? 4173);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`demo server: PORT must be a port number, not "${process.env.PORT}"`);
    process.exit(1);
  }

  const result = await compileExamples();
  if (!result.ok) {
    console.error(`demo server: the example workflows do not compile:`);
    for (const problem of result.problems) console.error(formatProblem(problem));
    process.exit(1);
  }

  for (const warning of result.warnings ?? []) console.warn(`warning: ${formatProblem(warning)}`);

  const server = createDemoServer({ bundle: result.bundle });
  server.on('error', (error) => {
    console.error(`demo server: ${error.code === 'EADDRINUSE' ? `port ${port} is already in use; set PORT to another one` : error.message}`);
    process.exit(1);
  });
  server.listen(port, HOST, () => {
    const { port: bound } = server.address();
    const count = result.bundle.workflows.length;
    console.log(`Workflows demo store: http://${HOST}:${bound}/  (${count} workflow${count === 1 ? '' : 's'}, bundle ${result.bundle.hash})`);
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`demo server: ${error.message}`);
    process.exit(1);
  });
}
