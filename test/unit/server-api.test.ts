// @vitest-environment node
/// <reference types="node" />
// The reference server's API against a real server on 127.0.0.1 with a temporary data dir.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM module without types
import { createApp } from '../../server/app.mjs';

const ADMIN = 'admin-token-for-tests';
let dir: string;
let server: Server;
let base: string;
let app: any;
let clock = Date.now();
let session: string;

async function start(limits = {}) {
  app = await createApp({ dataDir: dir, adminToken: ADMIN, now: () => clock, limits });
  server = app.server;
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
const stop = () => new Promise<void>((done) => server.close(() => done()));

async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + url, {
    method,
    headers: { ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}
const auth = () => ({ authorization: `Bearer ${session}` });
const as = (method: string, url: string, body?: unknown) => call(method, url, body, auth());

async function newSession() {
  const code = (await call('POST', '/api/login-codes', undefined, { authorization: `Bearer ${ADMIN}` })).json.code;
  return (await call('POST', '/api/sessions', { code })).json.session as string;
}

const segment = { id: 'seg_test', name: 'Test segment', kind: 'manual' };

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'wf-server-'));
  await start();
  session = await newSession();
});
afterAll(async () => {
  await stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('seeding and the published bundle', () => {
  it('seeds from examples/workflows and publishes at first start', async () => {
    const res = await call('GET', '/workflows.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('etag')).toBe(`"${res.json.hash}"`);
    expect(res.json.workflows.length).toBeGreaterThan(0);
    const again = await fetch(base + '/workflows.json', { headers: { 'If-None-Match': `"${res.json.hash}"` } });
    expect(again.status).toBe(304);
    const pubs = await as('GET', '/api/publications');
    expect(pubs.json.current).toBe(1);
  });

  it('still serves the demo store, and points its pages at the collector', async () => {
    const home = await call('GET', '/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('data-workflows="/workflows.json" data-collector="/collect"');
    expect((await call('GET', '/nope.html')).status).toBe(404);
    expect((await call('POST', '/')).status).toBe(405);
  });
});

describe('auth', () => {
  it('needs the admin token for login codes', async () => {
    expect((await call('POST', '/api/login-codes')).status).toBe(401);
    expect((await call('POST', '/api/login-codes', undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
  });

  it('exchanges a code once for a session cookie', async () => {
    const code = (await call('POST', '/api/login-codes', undefined, { authorization: `Bearer ${ADMIN}` })).json.code;
    const first = await call('POST', '/api/sessions', { code });
    expect(first.status).toBe(201);
    const cookie = first.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^wf_session=[\w-]+; HttpOnly; SameSite=Strict; Path=\/; Max-Age=28800$/);
    const reuse = await call('POST', '/api/sessions', { code });
    expect(reuse.status).toBe(401);
    expect(reuse.json.error).toMatch(/already used/);
    // The cookie works like the bearer session.
    const list = await call('GET', '/api/segments', undefined, { cookie: cookie.split(';')[0]! });
    expect(list.status).toBe(200);
  });

  it('refuses an expired code and an expired session', async () => {
    const code = (await call('POST', '/api/login-codes', undefined, { authorization: `Bearer ${ADMIN}` })).json.code;
    const s = await newSession();
    clock += 5 * 60_000 + 1;
    expect((await call('POST', '/api/sessions', { code })).status).toBe(401);
    clock += 8 * 3600_000;
    expect((await call('GET', '/api/workflows', undefined, { authorization: `Bearer ${s}` })).status).toBe(401);
    clock -= 8 * 3600_000 + 5 * 60_000 + 1;
  });

  it('refuses writes with no session (401) and from a foreign origin (403), changing nothing', async () => {
    const none = await call('POST', '/api/segments', segment);
    expect(none.status).toBe(401);
    expect(none.json.error).toBeTruthy();
    const foreign = await call('POST', '/api/segments', segment, { ...auth(), origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect((await as('GET', '/api/segments/seg_test')).status).toBe(404);
    const own = await call('POST', '/api/segments', { ...segment, id: 'seg_own' }, { ...auth(), origin: base });
    expect(own.status).toBe(201);
    expect((await as('DELETE', '/api/segments/seg_own')).status).toBe(200);
  });

  it('refuses bad session bodies', async () => {
    expect((await call('POST', '/api/sessions', '{nope')).status).toBe(400);
    expect((await call('POST', '/api/sessions', { code: 'x', extra: 1 })).status).toBe(400);
    expect((await call('POST', '/api/sessions', { code: 5 })).status).toBe(400);
  });
});

describe('documents', () => {
  it('creates, lists, gets, updates and deletes each kind', async () => {
    const created = await as('POST', '/api/segments', segment);
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ ...segment, revision: 1 });
    expect((await as('POST', '/api/segments', segment)).status).toBe(409);
    expect((await as('GET', '/api/segments')).json.items).toContainEqual({ ...segment, revision: 1 });
    expect((await as('GET', '/api/segments/seg_test')).json.revision).toBe(1);
    const updated = await as('PUT', '/api/segments/seg_test', { ...segment, name: 'Renamed', revision: 1 });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ name: 'Renamed', revision: 2 });

    const app = { id: 'klav', name: 'Klaviyo', provider: 'klaviyo', settings: { companyId: 'AbC123' } };
    expect((await as('POST', '/api/apps', app)).status).toBe(201);
    const promo = (await as('GET', '/api/promotions')).json.items[0];
    expect(promo.revision).toBeGreaterThan(0);
    const wf = (await as('GET', '/api/workflows')).json.items[0];
    const put = await as('PUT', `/api/workflows/${wf.id}`, { ...wf, name: 'Edited' });
    expect(put.json.revision).toBe(wf.revision + 1);

    expect((await as('DELETE', '/api/segments/seg_test?revision=1')).status).toBe(409);
    expect((await as('DELETE', '/api/segments/seg_test?revision=2')).status).toBe(200);
    expect((await as('GET', '/api/segments/seg_test')).status).toBe(404);
    expect((await as('DELETE', '/api/apps/klav')).status).toBe(200);
  });

  it('answers a stale revision with 409 and the current revision, changing nothing', async () => {
    await as('POST', '/api/segments', { ...segment, id: 'seg_race' });
    const a = await as('PUT', '/api/segments/seg_race', { ...segment, id: 'seg_race', name: 'A', revision: 1 });
    expect(a.status).toBe(200);
    const b = await as('PUT', '/api/segments/seg_race', { ...segment, id: 'seg_race', name: 'B', revision: 1 });
    expect(b.status).toBe(409);
    expect(b.json).toMatchObject({ revision: 2 });
    expect(b.json.error).toMatch(/changed by someone else/);
    expect((await as('GET', '/api/segments/seg_race')).json.name).toBe('A');
  });

  it('refuses invalid documents with the validator problems, and secrets in app settings', async () => {
    const bad = await as('POST', '/api/segments', { id: 'seg_bad', name: 'x', kind: 'manual', colour: 'red' });
    expect(bad.status).toBe(422);
    expect(bad.json.problems[0]).toMatchObject({ file: 'segments/seg_bad.json' });
    expect(bad.json.problems.some((p: any) => /colour/.test(p.pointer + p.message))).toBe(true);
    const secret = await as('POST', '/api/apps', { id: 'k2', name: 'K', provider: 'klaviyo', settings: { companyId: 'AbC123', apiKey: 'pk_live' } });
    expect(secret.status).toBe(422);
    expect(JSON.stringify(secret.json.problems)).toMatch(/secret/);
    expect((await as('GET', '/api/apps/k2')).status).toBe(404);
    expect((await as('POST', '/api/segments', [1])).status).toBe(400);
    expect((await as('POST', '/api/segments', '{"id":')).status).toBe(400);
    expect((await as('PUT', '/api/segments/seg_race', { ...segment, id: 'seg_race' })).status).toBe(400);
    expect((await as('PUT', '/api/segments/seg_race', { ...segment, id: 'other', revision: 2 })).status).toBe(400);
    expect((await as('PUT', '/api/segments/nope', { ...segment, id: 'nope', revision: 1 })).status).toBe(404);
    expect((await as('GET', '/api/nothing')).status).toBe(404);
  });

  it('says where a body is not JSON, and refuses a key written twice rather than keep the last', async () => {
    const trailing = await as('POST', '/api/segments', '{\n  "id": "seg_comma",\n  "name": "Comma",\n}');
    expect(trailing.status).toBe(400);
    expect(trailing.json.error).toBe('the body is not valid JSON: line 3, column 18: a comma before "}" (trailing commas are not allowed in JSON)');
    const twice = await as('POST', '/api/segments', '{"id": "seg_twice", "name": "One", "kind": "manual", "name": "Two"}');
    expect(twice.status).toBe(400);
    expect(twice.json).toEqual({
      error: 'the body has a problem at /name: "name" is written twice in this object (the second at line 1, column 54); JSON keeps only the last one, so the first would be lost: merge them or remove one',
      pointer: '/name',
    });
    expect((await as('GET', '/api/segments/seg_twice')).status).toBe(404);
  });

  it('refuses oversized bodies with 413', async () => {
    const res = await as('POST', '/api/segments', { ...segment, name: 'x'.repeat(1.1 * (1 << 20)) });
    expect(res.status).toBe(413);
  });
});

describe('publishing', () => {
  it('publishes, keeps every version and rolls back', async () => {
    const before = (await call('GET', '/workflows.json')).json;
    const wf = (await as('GET', '/api/workflows')).json.items.find((w: any) => w.status === 'active');
    await as('PUT', `/api/workflows/${wf.id}`, { ...wf, status: 'paused' });
    const pub = await as('POST', '/api/publish', {});
    expect(pub.status).toBe(201);
    const after = (await call('GET', '/workflows.json')).json;
    expect(after.hash).not.toBe(before.hash);
    expect(after.workflows.map((w: any) => w.id)).not.toContain(wf.id);
    const list = (await as('GET', '/api/publications')).json;
    expect(list.publications.length).toBeGreaterThanOrEqual(2);
    expect(list.current).toBe(pub.json.version);
    // Publishing nothing new keeps the current version. (Publish needs no fields, so no body at all will do.)
    expect((await as('POST', '/api/publish', '')).status).toBe(200);

    const back = await as('POST', '/api/publications/1/rollback');
    expect(back.status).toBe(200);
    const rolled = await call('GET', '/workflows.json');
    expect(rolled.json.hash).toBe(before.hash);
    expect((await as('POST', '/api/publications/99/rollback')).status).toBe(404);
    expect((await as('GET', '/api/publications/1')).json.bundle.hash).toBe(before.hash);
  });

  it('refuses to delete a promotion, segment or workflow an active workflow uses, naming it; a draft does not hold it', async () => {
    const promo = { id: 'p_used', name: 'Used', kind: 'bar', steps: [{ id: 's', blocks: [{ kind: 'text', text: 'Hi' }] }] };
    expect((await as('POST', '/api/promotions', promo)).status).toBe(201);
    expect((await as('POST', '/api/segments', { id: 'seg_used', name: 'Used', kind: 'manual' })).status).toBe(201);
    const wf = {
      id: 'wf_user', name: 'User', status: 'active', start: 'show',
      nodes: [{ id: 'show', kind: 'promotion', promotion: 'p_used' }, { id: 'tag', kind: 'segment', segment: 'seg_used', action: 'add' }],
      edges: [{ from: 'show', port: 'converted', to: 'tag' }],
    };
    expect((await as('POST', '/api/workflows', wf)).status).toBe(201);
    for (const url of ['/api/promotions/p_used', '/api/segments/seg_used']) {
      const res = await as('DELETE', url);
      expect(res.status).toBe(409);
      expect(res.json.error).toMatch(/is used by the active workflow wf_user: change or pause it first$/);
      expect(res.json.problems.length).toBeGreaterThan(0);
      expect(res.json.problems.every((p: any) => p.file === 'workflows/wf_user.json')).toBe(true);
    }
    expect((await as('GET', '/api/promotions/p_used')).status).toBe(200);
    // Paused, the workflow no longer holds them.
    const cur = (await as('GET', '/api/workflows/wf_user')).json;
    expect((await as('PUT', '/api/workflows/wf_user', { ...cur, status: 'paused' })).status).toBe(200);
    expect((await as('DELETE', '/api/promotions/p_used')).status).toBe(200);
    expect((await as('DELETE', '/api/workflows/wf_user')).status).toBe(200);
    expect((await as('DELETE', '/api/segments/seg_used')).status).toBe(200);
    expect((await as('DELETE', '/api/segments/seg_used')).status).toBe(404);
  });

  it('refuses to publish invalid workflows with 422 and the validator problems', async () => {
    const promo = (await as('GET', '/api/promotions')).json.items[0];
    const wf = { id: 'wf_broken', name: 'Broken', status: 'active', start: 'show', nodes: [{ id: 'show', kind: 'promotion', promotion: promo.id }], edges: [] };
    expect((await as('POST', '/api/workflows', wf)).status).toBe(201);
    // The API no longer lets a used promotion go: the stored state is broken on disk, as a hand edit would.
    await stop();
    const file = path.join(dir, 'state.json');
    const state = JSON.parse(readFileSync(file, 'utf8'));
    delete state.docs.promotions[promo.id];
    writeFileSync(file, JSON.stringify(state));
    await start();
    const versions = (await as('GET', '/api/publications')).json.publications.length;
    const res = await as('POST', '/api/publish', {});
    expect(res.status).toBe(422);
    expect(res.json.problems.length).toBeGreaterThan(0);
    for (const p of res.json.problems) expect(Object.keys(p).sort()).toEqual(['file', 'message', 'pointer']);
    expect(res.json.problems.some((p: any) => p.file === 'workflows/wf_broken.json')).toBe(true);
    expect((await as('GET', '/api/publications')).json.publications.length).toBe(versions);
    // Restore, so the store publishes again.
    const { revision, ...rest } = promo;
    expect((await as('POST', '/api/promotions', rest)).status).toBe(201);
    expect((await as('DELETE', '/api/workflows/wf_broken')).status).toBe(200);
    expect((await as('POST', '/api/publish', {})).status).toBeLessThan(300);
  });

  it('keeps documents, publications and sessions across a restart', async () => {
    const current = (await call('GET', '/workflows.json')).json.hash;
    await stop();
    await start();
    expect((await call('GET', '/workflows.json')).json.hash).toBe(current);
    expect((await as('GET', '/api/segments/seg_race')).json.name).toBe('A');
  });
});

describe('collector', () => {
  const ev = (id: string, visitor = 'v1', extra = {}) => ({ id, name: 'promotion_shown', at: clock, visitor, workflow: 'wf', promotion: 'p', ...extra });

  it('accepts batches, as JSON or text/plain, and drops duplicate ids', async () => {
    const a = await call('POST', '/collect', { events: [ev('e1'), ev('e2')] });
    expect(a.status).toBe(200);
    expect(a.json).toEqual({ accepted: 2, duplicates: 0 });
    expect(a.headers.get('access-control-allow-origin')).toBe('*');
    const b = await call('POST', '/collect', JSON.stringify({ events: [ev('e2'), ev('e3'), ev('e3')] }), { 'content-type': 'text/plain;charset=UTF-8' });
    expect(b.json).toEqual({ accepted: 1, duplicates: 2 });
    const log = readFileSync(path.join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).id);
    expect(log.filter((id) => id.startsWith('e'))).toEqual(['e1', 'e2', 'e3']);
    expect((await call('OPTIONS', '/collect')).status).toBe(204);
  });

  it('refuses bad batches whole, with 400', async () => {
    for (const body of ['nope', '[]', '{"events":{}}', '{"events":[],"x":1}', JSON.stringify({ events: [ev('ok1'), { ...ev('x'), at: 'now' }] }), JSON.stringify({ events: [ev('a b')] }), JSON.stringify({ events: [{ ...ev('ok2'), name: 5 }] })]) {
      const res = await call('POST', '/collect', body);
      expect(res.status, body).toBe(400);
      expect(res.json.error).toBeTruthy();
    }
    const log = readFileSync(path.join(dir, 'events.jsonl'), 'utf8');
    expect(log).not.toContain('"ok1"');
    expect((await call('GET', '/collect')).status).toBe(405);
  });

  it('bounds the body (413) and the rate per visitor (429)', async () => {
    const big = await call('POST', '/collect', { events: [ev('big', 'v9', { pad: 'x'.repeat(70_000) })] });
    expect(big.status).toBe(413);
    await stop();
    await start({ eventsPerMinute: 5 });
    expect((await call('POST', '/collect', { events: [1, 2, 3, 4].map((i) => ev(`r${i}`, 'vr')) })).status).toBe(200);
    const over = await call('POST', '/collect', { events: [ev('r5', 'vr'), ev('r6', 'vr')] });
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBeTruthy();
    expect((await call('POST', '/collect', { events: [ev('r7', 'other')] })).status).toBe(200);
    clock += 60_000;
    expect((await call('POST', '/collect', { events: [ev('r5', 'vr'), ev('r6', 'vr')] })).status).toBe(200);
  });
});

describe('stats and coupons', () => {
  it('counts impressions, closes and conversions per workflow, promotion and variant', async () => {
    const t = clock;
    const e = (id: string, name: string, variant: string) => ({ id, name, at: t, visitor: `s${id}`, workflow: 'wf_ab', step: 'show', promotion: 'p_ab', variant });
    const events = [
      ...Array.from({ length: 10 }, (_, i) => e(`sa${i}`, 'promotion_shown', 'a')),
      ...Array.from({ length: 10 }, (_, i) => e(`sb${i}`, 'promotion_shown', 'b')),
      ...Array.from({ length: 2 }, (_, i) => e(`ca${i}`, 'promotion_converted', 'a')),
      ...Array.from({ length: 6 }, (_, i) => e(`cb${i}`, 'promotion_converted', 'b')),
      e('x1', 'promotion_closed', 'a'),
    ];
    expect((await call('POST', '/collect', { events })).status).toBe(200);
    const s = (await as('GET', `/api/stats?from=${t - 1}&to=${t + 1}`)).json;
    expect(s.workflows.wf_ab).toEqual({ impressions: 20, closes: 1, conversions: 8, rate: 0.4 });
    expect(s.promotions.p_ab.impressions).toBe(20);
    expect(s.variants['wf_ab/a']).toMatchObject({ impressions: 10, conversions: 2, rate: 0.2 });
    expect(s.variants['wf_ab/b'].confidence).toBeGreaterThan(0.9);
    expect(s.steps['wf_ab/show'].closes).toBe(1);
    expect((await as('GET', `/api/stats?from=${t + 10}`)).json.workflows.wf_ab).toBeUndefined();
    expect((await call('GET', '/api/stats')).status).toBe(401);
  });

  it('hands one code per visitor and promotion, never twice, under concurrent claims', async () => {
    const promo = {
      id: 'p_pool', name: 'Pool', kind: 'modal',
      steps: [{ id: 'a', blocks: [{ kind: 'coupon', pool: 'pool1' }, { kind: 'close' }] }],
    };
    expect((await as('POST', '/api/promotions', promo)).status).toBe(201);
    const wf = { id: 'wf_pool', name: 'Pool', status: 'active', start: 'show', nodes: [{ id: 'show', kind: 'promotion', promotion: 'p_pool' }], edges: [] };
    expect((await as('POST', '/api/workflows', wf)).status).toBe(201);
    expect((await as('POST', '/api/publish', {})).status).toBe(201);
    const up = await as('POST', '/api/coupons/pools', { pool: 'pool1', codes: ['C1', 'C2', 'C3', 'C1'] });
    expect(up.json).toMatchObject({ added: 3, size: 3, left: 3 });
    const claims = await Promise.all(['v1', 'v2', 'v3', 'v4', 'v1'].map((visitor) => call('POST', '/api/coupons/claim', { promotion: 'p_pool', visitor })));
    const codes = claims.filter((c) => c.status === 200).map((c) => c.json.code);
    expect(claims.filter((c) => c.status === 409)).toHaveLength(1);
    expect(new Set(codes).size).toBe(3);
    expect(codes).toHaveLength(4); // v1 twice gets the same code
    expect((await call('POST', '/api/coupons/claim', { promotion: 'nope', visitor: 'v1' })).status).toBe(404);
    expect((await as('GET', '/api/coupons/pools')).json.pools).toContainEqual({ id: 'pool1', size: 3, left: 0 });
    expect((await call('POST', '/api/coupons/pools', { pool: 'p', codes: ['a'] })).status).toBe(401);
  });
});

describe('webhook sink', () => {
  it('records what it receives', async () => {
    expect((await call('POST', '/hooks/demo', { email: 'a@b.c' }, { 'idempotency-key': 'k1' })).status).toBe(200);
    await call('POST', '/hooks/demo', 'plain text');
    const got = await call('GET', '/hooks/demo');
    expect(got.json.received.map((r: any) => r.body)).toEqual([{ email: 'a@b.c' }, 'plain text']);
    expect(got.json.received[0].idempotencyKey).toBe('k1');
    expect((await call('GET', '/hooks/other')).json.received).toEqual([]);
    expect((await call('POST', '/hooks/bad%20name', {})).status).toBe(404);
  });
});
