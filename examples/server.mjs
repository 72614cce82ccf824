// The demo store and reference server that `npm start` runs. Node built-ins only; listens on 127.0.0.1 only.
// The server itself lives in server/ (see docs/server.md); this file starts it and keeps the static-only
// demo server (`createDemoServer`) that tests use with a fixed bundle.
//
//   /workflows.js      dist/workflows.js, the script-tag runtime
//   /chunks/<file>     dist/chunks/, lazy runtime chunks
//   /workflows.json    the current publication (seeded and published from examples/workflows/*.json)
//   /api/...           the authoring API (editor sessions), /collect, /hooks/<name>
//   anything else      the static demo store in examples/site/, or a 404 page
//
// Environment: PORT (default 4173), WORKFLOWS_DATA (default .data/), WORKFLOWS_ADMIN_TOKEN.
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXAMPLES, createApp, loadCompiler } from '../server/app.mjs';
import { ROOT, TYPES, send, serveBundle, serveStatic } from '../server/static.mjs';

export { inside } from '../server/static.mjs';

const HOST = '127.0.0.1';

/** `file: /pointer: message`, the form the CLI prints. */
export function formatProblem(p) {
  return `${p.file ? `${p.file}: ` : ''}${p.pointer || '/'}: ${p.message}`;
}

/**
 * Reads the authoring documents in `dir` and compiles them with the shared compiler.
 * Returns `{ ok: true, bundle }` or `{ ok: false, problems }` (the compiler's result shape).
 */
export async function compileExamples(dir = EXAMPLES) {
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
  return (await loadCompiler()).compileProject(files);
}

/** A static-only server for a fixed compiled bundle (no API, no collector); call `.listen(port, '127.0.0.1')`. */
export function createDemoServer({ bundle }) {
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
      if (pathname === '/workflows.json') return serveBundle(req, res, bundle);
      return await serveStatic(req, res, pathname);
    } catch (error) {
      console.error(`demo server: ${req.method} ${req.url}: ${error.stack ?? error}`);
      if (!res.headersSent) send(req, res, 500, { 'Content-Type': TYPES['.txt'] }, 'Internal server error\n');
      else res.destroy();
    }
  });
}

async function main() {
  const port = Number(process.env.PORT ?? 4173);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`demo server: PORT must be a port number, not "${process.env.PORT}"`);
    process.exit(1);
  }
  const dataDir = path.resolve(ROOT, process.env.WORKFLOWS_DATA || '.data');
  let app;
  try {
    app = await createApp({ dataDir, adminToken: process.env.WORKFLOWS_ADMIN_TOKEN || undefined });
  } catch (error) {
    console.error(`demo server: ${error.message}${error.problems ? ':' : ''}`);
    for (const problem of error.problems ?? []) console.error(formatProblem(problem));
    process.exit(1);
  }
  for (const warning of app.warnings) console.warn(`warning: ${warning}`);

  const { server } = app;
  server.on('error', (error) => {
    console.error(`demo server: ${error.code === 'EADDRINUSE' ? `port ${port} is already in use; set PORT to another one` : error.message}`);
    process.exit(1);
  });
  server.listen(port, HOST, () => {
    const base = `http://${HOST}:${server.address().port}`;
    const pub = app.store.publications().find((p) => p.current);
    const count = pub?.workflows.length ?? 0;
    console.log(`Workflows demo store: ${base}/  (${count} workflow${count === 1 ? '' : 's'}, publication ${pub?.version}, bundle ${pub?.hash})`);
    console.log(`Editor (one-time link, 5 minutes): ${base}/?workflows_edit=${app.loginCode()}`);
    console.log(`Collector: ${base}/collect`);
    console.log(`Data: ${dataDir}`);
    console.log(`Admin token: ${app.adminToken}${process.env.WORKFLOWS_ADMIN_TOKEN ? ' (from WORKFLOWS_ADMIN_TOKEN)' : ` (kept in ${path.join(dataDir, 'admin-token')})`}`);
  });
  // Writes are synchronous and durable, so stopping needs no flush.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`demo server: ${error.message}`);
    process.exit(1);
  });
}
