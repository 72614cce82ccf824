// What leaves the page, checked in Chromium against a recording server on 127.0.0.1: each app provider's exact
// request, webhook retries and refusals, the collector beacon on page hide, and inline code under a strict CSP.
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: string;
}

const FIXTURE = new URL('../../examples/site/test/actions.js', import.meta.url);
const PAGE = '/test/actions.html';
let server: Server;
let origin = '';
let seen: Recorded[] = [];
const answers = new Map<string, number[]>(); // path -> statuses to answer, in order (then 200)

test.beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      const cors = {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH',
        'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '',
      };
      seen.push({ method: req.method!, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (url.pathname == '/csp.html' || url.pathname == '/plain.html') {
        const csp = url.pathname == '/csp.html' ? { 'Content-Security-Policy': "script-src 'self'" } : {};
        res.writeHead(200, { 'Content-Type': 'text/html', ...csp });
        return res.end('<!doctype html><title>code</title><script src="/actions.js" data-run="code"></script>');
      }
      if (url.pathname == '/actions.js') {
        res.writeHead(200, { 'Content-Type': 'text/javascript' });
        return res.end(readFileSync(FIXTURE));
      }
      if (req.method == 'OPTIONS') return res.writeHead(204, cors).end();
      const status = answers.get(url.pathname)?.shift() ?? 200;
      res.writeHead(status, { ...cors, 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
test.afterAll(() => new Promise<void>((r) => server.close(() => r())));
test.beforeEach(() => {
  seen = [];
});

const posts = (path: string) => seen.filter((r) => r.path == path && r.method != 'OPTIONS');
const preflight = (path: string) => seen.find((r) => r.path == path && r.method == 'OPTIONS');

/** Builds an app request in the page and sends it through a fresh outbox; resolves with the outcome. */
function sendApp(page: Page, app: unknown, node: unknown, data: unknown, key: string) {
  return page.evaluate(
    async ([app, node, data, key]) => {
      const a = (window as any).__actions;
      const req = a.appRequest(app, node, data, key);
      if (req.error) return req.error as string;
      return a.createOutbox(a.memStore()).send(req) as Promise<boolean>;
    },
    [app, node, data, key] as const,
  );
}

const data = {
  visitor: { id: 'vis_1' },
  attributes: { first_name: 'Ann' },
  form: { email: 'ann@example.com', phone: '+1 555 010 9999' },
  workflow: { id: 'wf', step: 'app' },
  page: { url: 'https://shop.example/p', title: 'Shoes' },
};

test.describe('app requests', () => {
  test.beforeEach(async ({ page }) => {
    await page.goto(PAGE);
  });

  test('Klaviyo subscribe: client subscriptions endpoint, revision header, JSON:API body', async ({ page }) => {
    const app = { provider: 'klaviyo', settings: { companyId: 'AbC123', endpoint: `${origin}/kl` } };
    expect(await sendApp(page, app, { action: 'subscribe', list: 'LsT1', fields: { source: 'popup' } }, data, 'e:1')).toBe(true);
    const [r] = posts('/kl/client/subscriptions');
    expect(r).toBeDefined();
    expect(r!.method).toBe('POST');
    expect(r!.query).toEqual({ company_id: 'AbC123' });
    expect(r!.headers['content-type']).toBe('application/vnd.api+json');
    expect(r!.headers.revision).toBe('2026-07-15');
    expect(r!.headers.cookie).toBeUndefined();
    expect(JSON.parse(r!.body)).toEqual({
      data: {
        type: 'subscription',
        attributes: {
          profile: { data: { type: 'profile', attributes: { email: 'ann@example.com', phone_number: '+15550109999', properties: { source: 'popup' } } } },
        },
        relationships: { list: { data: { type: 'list', id: 'LsT1' } } },
      },
    });
    // Only headers Klaviyo's CORS rules know: no Idempotency-Key.
    expect(preflight('/kl/client/subscriptions')?.headers['access-control-request-headers']).toBe('content-type,revision');
  });

  test('Klaviyo track: client events endpoint with metric, properties and unique_id', async ({ page }) => {
    const app = { provider: 'klaviyo', settings: { companyId: 'AbC123', endpoint: `${origin}/kl` } };
    expect(await sendApp(page, app, { action: 'track', event: 'Quote requested', fields: { plan: '{{first_name}}' } }, data, 'e:2')).toBe(true);
    const [r] = posts('/kl/client/events');
    expect(r!.query).toEqual({ company_id: 'AbC123' });
    expect(r!.headers.revision).toBe('2026-07-15');
    expect(JSON.parse(r!.body)).toEqual({
      data: {
        type: 'event',
        attributes: {
          properties: { plan: 'Ann' },
          metric: { data: { type: 'metric', attributes: { name: 'Quote requested' } } },
          profile: { data: { type: 'profile', attributes: { email: 'ann@example.com', phone_number: '+15550109999' } } },
          unique_id: 'e:2',
        },
      },
    });
  });

  test('HubSpot: Forms API v3 submission with fields and context (hutk from the cookie)', async ({ page }) => {
    await page.evaluate(() => (document.cookie = 'hubspotutk=0123456789abcdef0123456789abcdef'));
    const app = { provider: 'hubspot', settings: { portalId: '123456', formId: 'a1b2c3d4-0000-4000-8000-000000000001', endpoint: origin } };
    expect(await sendApp(page, app, { action: 'subscribe', fields: { firstname: '{{first_name}}' } }, data, 'e:3')).toBe(true);
    const [r] = posts('/submissions/v3/integration/submit/123456/a1b2c3d4-0000-4000-8000-000000000001');
    expect(r!.method).toBe('POST');
    expect(r!.query).toEqual({});
    expect(r!.headers['content-type']).toBe('application/json');
    expect(r!.headers['idempotency-key']).toBeUndefined();
    expect(JSON.parse(r!.body)).toEqual({
      fields: [
        { objectTypeId: '0-1', name: 'email', value: 'ann@example.com' },
        { objectTypeId: '0-1', name: 'phone', value: '+15550109999' },
        { objectTypeId: '0-1', name: 'firstname', value: 'Ann' },
      ],
      context: { hutk: '0123456789abcdef0123456789abcdef', pageUri: 'https://shop.example/p', pageName: 'Shoes' },
    });
  });

  test('Mailchimp: the embedded form post, form-encoded, no-cors, honeypot empty', async ({ page }) => {
    const app = {
      provider: 'mailchimp',
      settings: { formAction: 'https://x.us21.list-manage.com/subscribe/post?u=0a1b2c3d4e5f6a7b8c9d0e1f2&id=9f8e7d6c5b', endpoint: origin },
    };
    // The outcome is "sent": a no-cors response is opaque.
    expect(await sendApp(page, app, { action: 'subscribe', fields: { FNAME: '{{first_name}}' } }, data, 'e:4')).toBe(true);
    const [r] = posts('/subscribe/post');
    expect(r!.method).toBe('POST');
    expect(r!.query).toEqual({ u: '0a1b2c3d4e5f6a7b8c9d0e1f2', id: '9f8e7d6c5b' });
    expect(r!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(r!.body))).toEqual({
      EMAIL: 'ann@example.com',
      PHONE: '+15550109999',
      FNAME: 'Ann',
      b_0a1b2c3d4e5f6a7b8c9d0e1f2_9f8e7d6c5b: '',
    });
    expect(preflight('/subscribe/post')).toBeUndefined();
  });

  test('generic webhook app: JSON lead with an Idempotency-Key', async ({ page }) => {
    const app = { provider: 'webhook', settings: { url: `${origin}/leads` } };
    expect(await sendApp(page, app, { action: 'subscribe', list: 'news', fields: { first_name: '{{first_name}}' } }, data, 'e:5')).toBe(true);
    const [r] = posts('/leads');
    expect(r!.headers['content-type']).toBe('application/json');
    expect(r!.headers['idempotency-key']).toBe('e:5');
    expect(JSON.parse(r!.body)).toEqual({
      action: 'subscribe',
      list: 'news',
      email: 'ann@example.com',
      phone: '+15550109999',
      fields: { first_name: 'Ann' },
      visitor: 'vis_1',
      page: 'https://shop.example/p',
    });
  });
});

test.describe('webhooks', () => {
  test.beforeEach(async ({ page }) => {
    await page.goto(PAGE);
  });

  const hook = (page: Page, url: string, hosts: string[], key: string) =>
    page.evaluate(
      async ([url, hosts, key]) => {
        const a = (window as any).__actions;
        const req = a.webhookRequest({ url, method: 'POST', body: { email: '{{visitor.email}}', n: 1 } }, { visitor: { email: 'a@b.co' } }, hosts, key);
        if (req.error) return req.error as string;
        return a.createOutbox(a.memStore()).send(req) as Promise<boolean>;
      },
      [url, hosts, key] as const,
    );

  test('retries after a 503 with the same Idempotency-Key, then succeeds', async ({ page }) => {
    answers.set('/flaky', [503]);
    const host = new URL(origin).host;
    expect(await hook(page, `${origin}/flaky?e={{visitor.email}}`, [host], 'enr:7')).toBe(true);
    const tries = posts('/flaky');
    expect(tries).toHaveLength(2);
    for (const r of tries) {
      expect(r.query).toEqual({ e: 'a@b.co' });
      expect(r.headers['idempotency-key']).toBe('enr:7');
      expect(JSON.parse(r.body)).toEqual({ email: 'a@b.co', n: 1 });
    }
  });

  test('refuses a host that is not allowed, sending nothing', async ({ page }) => {
    expect(await hook(page, `${origin}/nope`, ['hooks.example.com'], 'k')).toBe(`webhook host not allowed: http://${new URL(origin).host}`);
    expect(seen).toEqual([]);
  });
});

test('the pending collector batch leaves by sendBeacon when the page goes away', async ({ page }) => {
  await page.goto(PAGE);
  await page.evaluate((collector) => {
    const a = (window as any).__actions;
    const outbox = a.createOutbox(a.memStore());
    const c = a.createCollector({ url: collector, outbox, onError: () => {} });
    const t = a.createTransport(() => true, () => {}, c.add);
    for (const id of ['e1', 'e2']) t.emit({ id, name: 'enrolled', at: 1, visitor: 'v1', workflow: 'wf' });
  }, `${origin}/collect`);
  expect(posts('/collect')).toEqual([]); // waiting for the 5 s flush
  await page.goto('/');
  await expect.poll(() => posts('/collect').length).toBeGreaterThan(0);
  const [r] = posts('/collect');
  expect(r!.headers['content-type']).toBe('text/plain;charset=UTF-8');
  expect(JSON.parse(r!.body).events.map((e: { id: string }) => e.id)).toEqual(['e1', 'e2']);
});

test.describe('inline code', () => {
  test('fails with a clear reason under a CSP without unsafe-eval', async ({ page }) => {
    await page.goto(`${origin}/csp.html`);
    const result = await page.evaluate(() => (window as any).__code);
    expect(result).toEqual({
      ok: false,
      errors: [
        "inline code is blocked by this page's Content-Security-Policy (it needs 'unsafe-eval'); register a named handler with workflows.register() instead",
      ],
      tracked: [],
    });
  });

  test('runs on a page without a CSP', async ({ page }) => {
    await page.goto(`${origin}/plain.html`);
    expect(await page.evaluate(() => (window as any).__code)).toEqual({ ok: true, errors: [], tracked: ['inline ran'] });
  });
});
