// The reference server: the demo store's static files, the published bundle, the authoring API, editor auth,
// the event collector, coupon claims and a webhook sink. Node built-ins only; see docs/server.md.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { KINDS, StoreWriteError, openStorage, writeAtomic } from './storage.mjs';
import { ROOT, TYPES, notFound, send, serveBundle, serveStatic } from './static.mjs';

export const EXAMPLES = path.join(ROOT, 'examples', 'workflows');

const CODE_TTL = 5 * 60_000;
const SESSION_TTL = 8 * 3600_000;
const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const sha = (s) => createHash('sha256').update(s).digest('base64url');
const token = (n = 24) => randomBytes(n).toString('base64url');

/** The shared compiler and validator (built into dist/ by `npm run build`). */
export async function loadCompiler() {
  let m;
  try {
    m = await import('../dist/esm/index.js');
  } catch (error) {
    throw new Error(`cannot load the compiler from dist/esm/index.js (run "npm run build"): ${error.message}`);
  }
  if (typeof m.compileProject !== 'function' || typeof m.validateProject !== 'function') {
    throw new Error('dist/esm/index.js does not export compileProject and validateProject');
  }
  return m;
}

/** An HTTP error answered as `{ error, ...extra }`. */
class HttpError extends Error {
  constructor(status, message, extra, headers) {
    super(message);
    Object.assign(this, { status, extra, headers });
  }
}
const fail = (status, message, extra, headers) => {
  throw new HttpError(status, message, extra, headers);
};

/**
 * Reads the example documents: `{ docs: { kind: [doc] }, site, hash }`. As the CLI reads them: a byte order mark is
 * skipped, and a key written twice is an error at its pointer rather than the first one silently lost.
 */
function readExamples(dir, compiler) {
  const names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  const h = createHash('sha256');
  const docs = { workflows: [], promotions: [], segments: [], apps: [] };
  let site;
  for (const name of names) {
    const text = readFileSync(path.join(dir, name), 'utf8');
    h.update(name + '\0' + text + '\0');
    const r = compiler.parseJson(text);
    if (!r.ok) {
      const { pointer, message } = r.problem;
      throw new Error(`${path.join(dir, name)}${pointer ? ` at ${pointer}:` : ' is'} ${message}`);
    }
    const doc = r.value;
    for (const kind of KINDS) for (const d of doc[kind] ?? []) docs[kind].push(d);
    site ??= doc.site;
  }
  return { docs, site, hash: h.digest('base64url') };
}

/**
 * Creates the server over the store in `dataDir`. Seeds the store from `seedDir` on first start (and again when
 * the examples changed while nobody edited the store), and publishes when nothing is published yet.
 * @param {{ dataDir: string, adminToken?: string, seedDir?: string, origins?: string[],
 *   limits?: { apiBody?: number, collectBody?: number, eventsPerMinute?: number, batch?: number }, now?: () => number }} options
 */
export async function createApp(options) {
  const { dataDir, seedDir = EXAMPLES, now = Date.now } = options;
  const limits = { apiBody: 1 << 20, collectBody: 64 << 10, eventsPerMinute: 600, batch: 100, ...options.limits };
  const compiler = await loadCompiler();
  const store = openStorage(dataDir);

  // The admin token: given, or generated once and kept in the data dir.
  const tokenFile = path.join(dataDir, 'admin-token');
  let adminToken = options.adminToken;
  if (!adminToken) {
    if (existsSync(tokenFile)) adminToken = readFileSync(tokenFile, 'utf8').trim();
    // Missing, or left empty by a first start killed while writing it: an empty token would let nobody in.
    if (!adminToken) writeAtomic(tokenFile, (adminToken = token()) + '\n');
  }

  // Seed, then publish what was seeded.
  const ex = seedDir && existsSync(seedDir) ? readExamples(seedDir, compiler) : null;
  const info = store.seedInfo();
  let seeded = false;
  if (ex && (!info.seed || (info.seed !== ex.hash && !info.edited))) {
    store.seed(ex.docs, ex.site, ex.hash);
    seeded = true;
  }
  const warnings = [];
  if (ex && info.seed && info.seed !== ex.hash && info.edited) {
    warnings.push('examples/workflows changed, but the store was edited since it was seeded: keeping the store');
  }
  // A publication compiled by an older release is read differently by this runtime (which refuses it): publish
  // the stored workflows again with this compiler. (Publications keep no authoring snapshot, so a rolled-back
  // publication is replaced by what the store holds now; the warning says so.)
  const stale = store.currentVersion() && store.bundle()?.version !== compiler.COMPILED_VERSION;
  const was = stale && `publication ${store.currentVersion()} was compiled for runtime version ${store.bundle()?.version}`;
  if (seeded || stale || !store.currentVersion()) {
    const r = publish();
    if (r.ok) {
      if (stale) warnings.push(`${was}: published the stored workflows again for version ${compiler.COMPILED_VERSION}`);
      for (const w of r.warnings) warnings.push(w);
    } else if (stale && !seeded) {
      // The server still starts, so the editor can fix the workflows and publish; until then pages get the old
      // bundle, which the runtime refuses with a message saying it must be compiled again.
      warnings.push(`${was}, and the stored workflows do not compile: fix them and publish (${r.problems.map((p) => `${p.file}${p.pointer}: ${p.message}`).join('; ')})`);
    } else {
      const err = new Error('the stored workflows do not compile');
      err.problems = r.problems;
      throw err;
    }
  }

  let current = { version: -1, bundle: undefined };
  const bundle = () => {
    const v = store.currentVersion();
    if (current.version !== v) current = { version: v, bundle: store.bundle(v) };
    return current.bundle;
  };

  /** The store's documents as the compiler's source files, one per document (problems then name it). */
  function files(pick = () => true) {
    const out = [];
    const site = store.site();
    if (site) out.push({ file: 'site.json', doc: { format: 'workflows/authoring', version: 1, site } });
    for (const kind of KINDS) {
      for (const d of store.list(kind)) if (pick(kind, d)) out.push({ file: `${kind}/${d.id}.json`, doc: { format: 'workflows/authoring', version: 1, [kind]: [d] } });
    }
    return out;
  }

  function publish() {
    // Only active workflows are compiled; drafts and paused ones may refer to anything.
    const r = compiler.compileProject(files((kind, d) => kind !== 'workflows' || d.status === 'active'));
    if (!r.ok) return { ok: false, problems: r.problems.filter((p) => p.severity === 'error').map(problem) };
    const cur = store.bundle();
    const entry = cur?.hash === r.bundle.hash ? { ...store.publications().find((p) => p.current), unchanged: true } : store.publish(r.bundle, now());
    return { ok: true, entry, warnings: r.warnings.map(compiler.formatProblem) };
  }

  // ---------------------------------------------------------------- auth
  const sessionOf = (req) => {
    const m = /(?:^|;\s*)wf_session=([A-Za-z0-9_-]+)/.exec(req.headers.cookie ?? '');
    const b = /^Bearer ([A-Za-z0-9_-]+)$/.exec(req.headers.authorization ?? '');
    return m?.[1] ?? b?.[1];
  };
  function requireSession(req) {
    const s = sessionOf(req);
    if (!s || !store.session(sha(s), now())) fail(401, 'a valid editor session is needed (log in with a one-time code)');
  }
  let ownOrigins = options.origins ?? [];
  function checkOrigin(req) {
    const o = req.headers.origin;
    if (o !== undefined && !ownOrigins.includes(o)) fail(403, `requests from origin ${o} are not allowed`);
  }
  function loginCode() {
    const code = token(18);
    store.addCode(sha(code), now() + CODE_TTL);
    return code;
  }

  // ---------------------------------------------------------------- collector and sink
  const windows = new Map(); // visitor -> [windowStart, count]
  const hooks = new Map(); // name -> [{ at, method, contentType, body }]

  function collect(body) {
    const b = object(body);
    extra(b, ['events']);
    if (!Array.isArray(b.events)) fail(400, '"events" must be a list');
    if (b.events.length > limits.batch) fail(413, `at most ${limits.batch} events per batch`);
    b.events.forEach((e, i) => {
      const at = `events/${i}`;
      if (!e || typeof e !== 'object' || Array.isArray(e)) fail(400, `${at} must be an object`);
      for (const k of ['id', 'visitor']) if (typeof e[k] !== 'string' || !/^[\w-]{1,64}$/.test(e[k])) fail(400, `${at}/${k} must be a string of 1-64 ASCII letters, digits, _ or -`);
      if (typeof e.name !== 'string' || !/^[a-z_]{1,40}$/.test(e.name)) fail(400, `${at}/name must be an event name`);
      if (!Number.isFinite(e.at)) fail(400, `${at}/at must be a time in milliseconds`);
      for (const k of ['workflow', 'step', 'promotion', 'variant']) if (e[k] !== undefined && (typeof e[k] !== 'string' || e[k].length > 64)) fail(400, `${at}/${k} must be a string of at most 64 characters`);
    });
    // Rate per visitor: a fixed one-minute window; the whole batch is refused when any visitor is over.
    const t = now();
    const counts = new Map();
    for (const e of b.events) counts.set(e.visitor, (counts.get(e.visitor) ?? 0) + 1);
    for (const [v, n] of counts) {
      const w = windows.get(v);
      if (w && t - w[0] < 60_000 && w[1] + n > limits.eventsPerMinute) fail(429, 'too many events from this visitor; retry later', undefined, { 'Retry-After': String(Math.ceil((w[0] + 60_000 - t) / 1000)) });
    }
    if (windows.size > 100_000) for (const [v, w] of windows) if (t - w[0] >= 60_000) windows.delete(v);
    for (const [v, n] of counts) {
      const w = windows.get(v);
      if (!w || t - w[0] >= 60_000) windows.set(v, [t, n]);
      else w[1] += n;
    }
    const fresh = [];
    const seen = new Set();
    for (const e of b.events) {
      if (store.hasEvent(e.id) || seen.has(e.id)) continue;
      seen.add(e.id);
      fresh.push({ ...e, received: t });
    }
    store.appendEvents(fresh);
    return { accepted: fresh.length, duplicates: b.events.length - fresh.length };
  }

  // ---------------------------------------------------------------- stats
  function stats(q) {
    const from = q.get('from') ? Date.parse(q.get('from')) || Number(q.get('from')) : 0;
    const to = q.get('to') ? Date.parse(q.get('to')) || Number(q.get('to')) : Infinity;
    if (!Number.isFinite(from) || Number.isNaN(to)) fail(400, '"from" and "to" must be dates or times in milliseconds');
    const row = () => ({ impressions: 0, closes: 0, conversions: 0, rate: 0 });
    const out = { from: from || null, to: to === Infinity ? null : to, workflows: {}, steps: {}, promotions: {}, variants: {} };
    const field = { promotion_shown: 'impressions', promotion_closed: 'closes', promotion_converted: 'conversions', goal: 'conversions' };
    for (const e of store.events()) {
      const f = field[e.name];
      if (!f || e.at < from || e.at > to) continue;
      const keys = [
        ['workflows', e.workflow],
        ['steps', e.workflow && e.step && `${e.workflow}/${e.step}`],
        ['promotions', e.name !== 'goal' && e.promotion],
        ['variants', e.workflow && e.variant && `${e.workflow}/${e.variant}`],
      ];
      for (const [group, key] of keys) if (key) (out[group][key] ??= row())[f]++;
    }
    for (const group of ['workflows', 'steps', 'promotions', 'variants']) {
      for (const r of Object.values(out[group])) r.rate = r.impressions ? r.conversions / r.impressions : 0;
    }
    // Confidence that each variant beats the other variants of its workflow (two-proportion z-test).
    for (const [key, r] of Object.entries(out.variants)) {
      const wf = key.slice(0, key.indexOf('/'));
      let n = 0, c = 0;
      for (const [k, o] of Object.entries(out.variants)) if (k !== key && k.startsWith(wf + '/')) { n += o.impressions; c += o.conversions; }
      if (!n || !r.impressions) { r.confidence = null; continue; }
      const p = (r.conversions + c) / (r.impressions + n);
      const se = Math.sqrt(p * (1 - p) * (1 / r.impressions + 1 / n));
      r.confidence = se ? round(phi((r.rate - c / n) / se)) : 0.5;
    }
    return out;
  }

  // ---------------------------------------------------------------- routes
  async function api(req, res, url, parts) {
    const m = req.method;
    const q = url.searchParams;
    const body = async () => apiBody(await readBody(req, limits.apiBody));

    if (parts[0] === 'login-codes' && parts.length === 1) {
      only(m, 'POST');
      const b = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!b || !safeEqual(b, adminToken)) fail(401, 'the admin token is needed (Authorization: Bearer <token>)');
      const code = loginCode();
      return json(res, 201, { code, expiresAt: now() + CODE_TTL, editorUrl: `/?workflows_edit=${code}` });
    }
    if (parts[0] === 'sessions' && parts.length === 1) {
      if (m === 'DELETE') {
        const s = sessionOf(req);
        if (s) store.endSession(sha(s));
        return json(res, 200, { ended: true }, { 'Set-Cookie': 'wf_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0' });
      }
      only(m, 'POST');
      checkOrigin(req);
      const b = await body();
      extra(b, ['code']);
      if (typeof b.code !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(b.code)) fail(400, '"code" must be the one-time code');
      if (!store.takeCode(sha(b.code), now())) fail(401, 'this code is unknown, already used or expired; ask for a new one');
      const session = token();
      const expiresAt = now() + SESSION_TTL;
      store.addSession(sha(session), expiresAt);
      return json(res, 201, { session, expiresAt }, { 'Set-Cookie': `wf_session=${session}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_TTL / 1000}` });
    }
    if (parts[0] === 'coupons' && parts[1] === 'claim' && parts.length === 2) {
      // Called by visitors' browsers (the renderer), so no session: one code per visitor and promotion.
      only(m, 'POST');
      const b = await body();
      extra(b, ['promotion', 'visitor']);
      for (const k of ['promotion', 'visitor']) if (typeof b[k] !== 'string' || !/^[\w-]{1,64}$/.test(b[k])) fail(400, `"${k}" must be an id`);
      const pool = poolOf(bundle()?.promotions?.[b.promotion]);
      if (!pool) fail(404, `the published promotion "${b.promotion}" has no coupon pool`);
      const r = store.claim(pool, b.promotion, b.visitor);
      if (r.missing) fail(404, `the coupon pool "${pool}" does not exist`);
      if (r.empty) fail(409, `the coupon pool "${pool}" is empty`);
      return json(res, 200, { code: r.code });
    }

    // Everything else is the editor's: a session, and for writes from a browser, our own origin.
    requireSession(req);
    if (m !== 'GET' && m !== 'HEAD') checkOrigin(req);

    if (KINDS.includes(parts[0])) {
      const kind = parts[0];
      if (parts.length === 1) {
        if (m === 'GET') return json(res, 200, { items: store.list(kind).map(redact) });
        only(m, 'GET, POST');
        const doc = await body();
        if (doc.revision !== undefined && doc.revision !== 0) fail(400, 'a new document has no "revision" (or 0)');
        validateDoc(kind, doc);
        if (store.get(kind, doc.id)) fail(409, `${kind}/${doc.id} already exists`, { revision: store.get(kind, doc.id).revision });
        return json(res, 201, redact(store.put(kind, { ...doc, revision: undefined }, 0).doc));
      }
      if (parts.length !== 2) fail(404, 'no such endpoint');
      const id = parts[1];
      if (m === 'GET' || m === 'HEAD') {
        const d = store.get(kind, id);
        return d ? json(res, 200, redact(d)) : fail(404, `${kind}/${id} does not exist`);
      }
      if (m === 'PUT') {
        const doc = await body();
        if (!Number.isInteger(doc.revision) || doc.revision < 1) fail(400, '"revision" must be the revision this change is based on');
        if (doc.id !== undefined && doc.id !== id) fail(400, `"id" must be "${id}" (the id in the URL)`);
        const cur = store.get(kind, id);
        if (!cur) fail(404, `${kind}/${id} does not exist`);
        if (cur.revision !== doc.revision) fail(409, `${kind}/${id} was changed by someone else; reload it`, { revision: cur.revision });
        const { revision, ...rest } = { ...doc, id };
        validateDoc(kind, rest);
        const r = store.put(kind, rest, revision);
        if (r.conflict) fail(409, `${kind}/${id} was changed by someone else; reload it`, { revision: r.current });
        return json(res, 200, redact(r.doc));
      }
      if (m === 'DELETE') {
        const rev = q.get('revision');
        if (rev !== null && !/^\d+$/.test(rev)) fail(400, '"revision" must be a number');
        if (!store.get(kind, id)) fail(404, `${kind}/${id} does not exist`);
        refuseIfUsed(kind, id);
        const r = store.remove(kind, id, rev === null ? undefined : Number(rev));
        if (r.missing) fail(404, `${kind}/${id} does not exist`);
        if (r.conflict) fail(409, `${kind}/${id} was changed by someone else; reload it`, { revision: r.current });
        return json(res, 200, { deleted: id });
      }
      return only(m, 'GET, PUT, DELETE');
    }
    if (parts[0] === 'publish' && parts.length === 1) {
      only(m, 'POST');
      const b = await body();
      extra(b, []);
      const r = publish();
      if (!r.ok) fail(422, 'the workflows do not compile', { problems: r.problems });
      return json(res, r.entry.unchanged ? 200 : 201, { ...r.entry, warnings: r.warnings });
    }
    if (parts[0] === 'publications') {
      if (parts.length === 1) {
        only(m, 'GET');
        return json(res, 200, { current: store.currentVersion(), publications: store.publications() });
      }
      const v = /^\d+$/.test(parts[1]) ? Number(parts[1]) : NaN;
      const p = store.publications().find((x) => x.version === v);
      if (!p) fail(404, `publication ${parts[1]} does not exist`);
      if (parts.length === 2) {
        only(m, 'GET');
        return json(res, 200, { ...p, bundle: store.bundle(v) });
      }
      if (parts.length === 3 && parts[2] === 'rollback') {
        only(m, 'POST');
        if (store.bundle(v)?.version !== compiler.COMPILED_VERSION) fail(409, `publication ${v} was compiled for another runtime version: publish the workflows again instead`);
        store.rollback(v);
        return json(res, 200, { ...p, current: true });
      }
      fail(404, 'no such endpoint');
    }
    if (parts[0] === 'stats' && parts.length === 1) {
      only(m, 'GET');
      return json(res, 200, stats(q));
    }
    if (parts[0] === 'coupons' && parts[1] === 'pools' && parts.length === 2) {
      if (m === 'GET') return json(res, 200, { pools: store.pools() });
      only(m, 'GET, POST');
      const b = await body();
      extra(b, ['pool', 'codes']);
      if (typeof b.pool !== 'string' || !ID.test(b.pool)) fail(400, '"pool" must be an id');
      if (!Array.isArray(b.codes) || !b.codes.length || b.codes.length > 100_000) fail(400, '"codes" must be a list of 1 to 100000 codes');
      b.codes.forEach((c, i) => {
        if (typeof c !== 'string' || !/^[\w-]{1,64}$/.test(c)) fail(400, `codes/${i} must be a code of 1-64 ASCII letters, digits, _ or -`);
      });
      return json(res, 201, { pool: b.pool, ...store.addCodes(b.pool, b.codes) });
    }
    fail(404, 'no such endpoint');
  }

  /**
   * An API body, read by the product's own JSON reader: it says at which line and column the text is broken, and
   * refuses a key written twice (JSON.parse would keep the last one and lose the first without a word). An empty
   * body is an empty object: `POST /api/publish` needs nothing.
   */
  function apiBody(buf) {
    const text = buf.toString('utf8');
    if (!text.trim()) return {};
    const r = compiler.parseJson(text);
    if (r.ok) return object(r.value);
    const { pointer, message } = r.problem;
    return pointer ? fail(400, `the body has a problem at ${pointer}: ${message}`, { pointer }) : fail(400, `the body is ${message}`);
  }

  /**
   * Refuses to delete a document an active workflow uses (a promotion it shows, a segment it reads or updates, an app
   * it sends to, a workflow it enrolls in): the next publish would fail until it came back. The validator decides,
   * so every kind of reference counts: errors in active workflows that the deletion would add are the uses.
   */
  function refuseIfUsed(kind, id) {
    const active = (k, d) => k !== 'workflows' || d.status === 'active';
    const errors = (pick) => compiler.validateProject(files(pick)).filter((p) => p.severity === 'error').map(problem);
    const key = (p) => `${p.file}${p.pointer}: ${p.message}`;
    const before = new Set(errors(active).map(key));
    const added = errors((k, d) => active(k, d) && !(k === kind && d.id === id)).filter((p) => !before.has(key(p)));
    if (added.length) {
      const users = [...new Set(added.map((p) => p.file.replace(/^workflows\/|\.json$/g, '')))];
      fail(409, `${kind}/${id} is used by the active workflow${users.length > 1 ? 's' : ''} ${users.join(', ')}: change or pause ${users.length > 1 ? 'them' : 'it'} first`, { problems: added });
    }
  }

  /** Refuses a document the validator finds errors in (in the context of the others, so references are checked). */
  function validateDoc(kind, doc) {
    if (typeof doc.id !== 'string' || !ID.test(doc.id)) fail(400, '"id" must be 1-64 ASCII letters, digits, _ or -, starting with a letter or digit');
    const file = `${kind}/${doc.id}.json`;
    const all = files((k, d) => !(k === kind && d.id === doc.id));
    all.push({ file, doc: { format: 'workflows/authoring', version: 1, [kind]: [doc] } });
    const problems = compiler.validateProject(all).filter((p) => p.file === file && p.severity === 'error');
    if (problems.length) fail(422, `the ${kind.slice(0, -1)} is not valid`, { problems: problems.map(problem) });
  }

  async function handle(req, res) {
    const url = new URL(req.url ?? '/', 'http://server.invalid');
    let pathname;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return send(req, res, 400, { 'Content-Type': TYPES['.txt'] }, 'Bad request\n');
    }
    const m = req.method;
    if (pathname.startsWith('/api/')) {
      const parts = url.pathname.slice(5).split('/').filter(Boolean).map(decodeURIComponent);
      return api(req, res, url, parts);
    }
    if (pathname === '/collect' || pathname.startsWith('/hooks/')) {
      // Both take requests from any site (the runtime, webhooks): simple CORS, no credentials.
      if (m === 'OPTIONS') return send(req, res, 204, { ...CORS, 'Access-Control-Max-Age': '86400' });
      if (pathname === '/collect') {
        only(m, 'POST');
        return json(res, 200, collect(parseJson(await readBody(req, limits.collectBody))), CORS);
      }
      const name = pathname.slice(7);
      if (!ID.test(name)) fail(404, 'a hook name is 1-64 ASCII letters, digits, _ or -');
      if (m === 'GET') return json(res, 200, { name, received: hooks.get(name) ?? [] }, CORS);
      if (m === 'DELETE') {
        hooks.delete(name);
        return json(res, 200, { cleared: name }, CORS);
      }
      only(m, 'GET, POST, DELETE');
      const text = (await readBody(req, limits.collectBody)).toString('utf8');
      let parsed = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: kept as text
      }
      if (!hooks.has(name) && hooks.size >= 1000) fail(507, 'too many hooks recorded');
      const list = hooks.get(name) ?? [];
      list.push({ at: now(), method: m, contentType: req.headers['content-type'] ?? null, idempotencyKey: req.headers['idempotency-key'] ?? null, body: parsed });
      if (list.length > 200) list.shift();
      hooks.set(name, list);
      return json(res, 200, { received: true }, CORS);
    }
    if (m !== 'GET' && m !== 'HEAD') {
      return send(req, res, 405, { Allow: 'GET, HEAD', 'Content-Type': TYPES['.txt'] }, 'Method not allowed\n');
    }
    if (pathname === '/workflows.json') return serveBundle(req, res, bundle());
    return serveStatic(req, res, pathname, { collector: '/collect' });
  }

  const server = createServer(async (req, res) => {
    try {
      await handle(req, res);
    } catch (error) {
      if (error instanceof HttpError) {
        if (error.status === 413) res.setHeader('Connection', 'close');
        const cors = req.url?.startsWith('/collect') || req.url?.startsWith('/hooks/') ? CORS : {};
        return json(res, error.status, { error: error.message, ...error.extra }, { ...cors, ...error.headers });
      }
      console.error(`server: ${req.method} ${req.url}: ${error.stack ?? error}`);
      if (!res.headersSent) json(res, 500, { error: error instanceof StoreWriteError ? error.message : 'internal server error' });
      else res.destroy();
    }
  });
  server.on('listening', () => {
    const a = server.address();
    if (!options.origins && a && typeof a === 'object') ownOrigins = [`http://127.0.0.1:${a.port}`, `http://localhost:${a.port}`];
  });
  return { server, store, adminToken, loginCode, warnings };
}

const CORS = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'POST, GET', 'Access-Control-Allow-Headers': 'Content-Type, Idempotency-Key' };

function json(res, status, value, headers = {}) {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'Content-Type': TYPES['.json'], 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Content-Length': body.length, ...headers });
  res.end(res.req?.method === 'HEAD' ? undefined : body);
}

function only(method, allowed) {
  if (!allowed.split(', ').includes(method)) fail(405, `use ${allowed.split(', ').join(' or ')} here`, undefined, { Allow: allowed });
}

/** The body, at most `max` bytes (413 beyond, without reading the rest). */
function readBody(req, max) {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > max) return reject(new HttpError(413, `the body is larger than ${max} bytes`));
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, `the body is larger than ${max} bytes`));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(buf) {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (error) {
    fail(400, `the body is not valid JSON: ${error.message}`);
  }
}
function object(v) {
  if (!v || typeof v !== 'object' || Array.isArray(v)) fail(400, 'the body must be a JSON object');
  return v;
}
function extra(b, allowed) {
  const bad = Object.keys(b).filter((k) => !allowed.includes(k));
  if (bad.length) fail(400, `unknown field${bad.length > 1 ? 's' : ''}: ${bad.join(', ')}`, { allowed });
}
const problem = (p) => ({ file: p.file ?? null, pointer: p.pointer, message: p.message });

function safeEqual(a, b) {
  const x = sha(a), y = sha(b);
  let d = 0;
  for (let i = 0; i < x.length; i++) d |= x.charCodeAt(i) ^ y.charCodeAt(i);
  return d === 0 && x.length === y.length;
}

/** Drops settings whose names look secret: the validator refuses them on input; this guards older stores. */
function redact(d) {
  if (d?.settings && d.provider) for (const k of Object.keys(d.settings)) if (/secret|token|password|private|api_?key/i.test(k)) delete d.settings[k];
  return d;
}

function poolOf(promo) {
  for (const s of promo?.steps ?? []) for (const b of s.blocks ?? []) if (b.kind === 'coupon' && typeof b.pool === 'string') return b.pool;
  return undefined;
}

const round = (x) => Math.round(x * 1000) / 1000;
/** The standard normal CDF (Abramowitz-Stegun 7.1.26). */
function phi(z) {
  const t = 1 / (1 + 0.3275911 * Math.abs(z) / Math.SQRT2);
  const e = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + e) / 2 : (1 - e) / 2;
}
