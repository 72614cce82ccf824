// Webhook and App steps reaching a recording server on 127.0.0.1 with the visitor's form values filled in, a
// webhook to a host the bundle does not allow, and the whole runtime under a strict Content-Security-Policy.
import { expect, test } from '@playwright/test';
import { CSP_BLOCKED } from '../../runtime/actions/code.js';
import { api, compile, consoleOf, emailModal, events, expectSegment, pageErrors, promotion, ready, recordEvents, serveBundle, waitForEvent, workflow } from './helpers/runtime.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(() => server.close());

const manual = (...ids: string[]) => ids.map((id) => ({ id, name: id, kind: 'manual' }));

test('a lead form feeds a Webhook and an App step, with the form values templated in', async ({ page }) => {
  const errors = pageErrors(page);
  const form = emailModal('lead-form');
  // A first-name field after the email.
  (form.steps as { blocks: unknown[] }[])[0]!.blocks.splice(2, 0, { kind: 'text_field', name: 'first_name', placeholder: 'First name' });
  const bundle = compile({
    workflows: [
      workflow(
        'lead',
        [
          { id: 'asked', kind: 'if', triggers: [{ on: 'event', name: 'lead' }] },
          { id: 'form', kind: 'promotion', promotion: 'lead-form' },
          {
            id: 'hook',
            kind: 'webhook',
            url: `${server.origin}/hook?wf={{workflow.id}}&email={{form.email}}`,
            headers: { 'X-Workflow': '{{workflow.id}}' },
            body: { email: '{{form.email}}', name: '{{form.first_name | friend}}', page: '{{page.url}}', visitor: '{{visitor.id}}' },
          },
          { id: 'esp', kind: 'app', app: 'klaviyo', action: 'subscribe', list: 'L1', fields: { source: 'workflow {{workflow.id}}' } },
          { id: 'done', kind: 'segment', segment: 'synced', action: 'add' },
        ],
        [
          ['asked', 'then', 'form'],
          ['form', 'converted', 'hook'],
          ['hook', 'ok', 'esp'],
          ['esp', 'ok', 'done'],
        ],
      ),
    ],
    promotions: [form],
    segments: manual('synced'),
    apps: [{ id: 'klaviyo', name: 'Klaviyo', provider: 'klaviyo', settings: { companyId: 'AbC123', endpoint: `${server.origin}/kl` } }],
  });
  expect(bundle.site.webhookHosts).toEqual([new URL(server.origin).host]);
  await serveBundle(page, bundle);
  await recordEvents(page);
  await page.goto('/test/runtime.html');
  await ready(page);
  await api(page, (w) => w.track('lead'));
  await expect(promotion(page, 'lead-form')).toHaveCount(1);
  await page.locator('[data-workflows-promotion="lead-form"] input[type="email"]').fill('ann+1@example.com');
  await page.locator('[data-workflows-promotion="lead-form"] input[name="first_name"]').fill('Ann "the" <b>');
  await page.getByRole('button', { name: 'Send my code' }).click();
  await expectSegment(page, 'synced');

  const visitor = (await events(page))[0]!.visitor;
  const [hook] = server.posts('/hook');
  expect(server.posts('/hook')).toHaveLength(1);
  expect(hook!.method).toBe('POST');
  expect(hook!.query).toEqual({ wf: 'lead', email: 'ann+1@example.com' });
  expect(hook!.headers['content-type']).toBe('application/json');
  expect(hook!.headers['x-workflow']).toBe('lead');
  expect(hook!.headers['idempotency-key']).toMatch(/^[\w-]+:\d+$/);
  expect(JSON.parse(hook!.body)).toEqual({ email: 'ann+1@example.com', name: 'Ann "the" <b>', page: new URL('/test/runtime.html', page.url()).href, visitor });
  await waitForEvent(page, 'webhook_sent', { workflow: 'lead' });

  const [kl] = server.posts('/kl/client/subscriptions');
  expect(server.posts('/kl/client/subscriptions')).toHaveLength(1);
  expect(kl!.query).toEqual({ company_id: 'AbC123' });
  expect(kl!.headers['content-type']).toBe('application/vnd.api+json');
  expect(kl!.headers.revision).toEqual(expect.any(String));
  const body = JSON.parse(kl!.body);
  expect(body.data.attributes.profile.data.attributes).toMatchObject({ email: 'ann+1@example.com', properties: { source: 'workflow lead' } });
  expect(body.data.relationships.list.data).toEqual({ type: 'list', id: 'L1' });
  await waitForEvent(page, 'app_sent', { workflow: 'lead', app: 'klaviyo' });
  expect(await events(page, 'error')).toEqual([]);
  expect(errors).toEqual([]);
});

test('a webhook to a host the bundle does not allow is refused: failed port, webhook_failed, no request', async ({ page }) => {
  const bundle = compile({
    workflows: [
      workflow(
        'exfiltrate',
        [
          { id: 'asked', kind: 'if', triggers: [{ on: 'event', name: 'go' }] },
          { id: 'hook', kind: 'webhook', url: `${server.origin}/denied`, body: { visitor: '{{visitor.id}}' } },
          { id: 'ok', kind: 'segment', segment: 'hook-ok', action: 'add' },
          { id: 'failed', kind: 'segment', segment: 'hook-failed', action: 'add' },
        ],
        [
          ['asked', 'then', 'hook'],
          ['hook', 'ok', 'ok'],
          ['hook', 'failed', 'failed'],
        ],
      ),
    ],
    segments: manual('hook-ok', 'hook-failed'),
  });
  // A bundle whose allow-list does not hold the step's host (tampered, or edited by hand after compiling).
  bundle.site.webhookHosts = ['hooks.example.com'];
  await serveBundle(page, bundle);
  await recordEvents(page);
  await page.goto('/test/runtime.html');
  await ready(page);
  await api(page, (w) => w.track('go'));
  await expectSegment(page, 'hook-failed');
  expect(await api(page, (w) => w.segments.has('hook-ok'))).toBe(false);
  await waitForEvent(page, 'webhook_failed', { workflow: 'exfiltrate' });
  const error = await waitForEvent(page, 'error', { workflow: 'exfiltrate' });
  expect(error.message).toBe(`webhook host not allowed: http://${new URL(server.origin).host}`);
  expect(server.requests.filter((r) => r.path === '/denied')).toEqual([]);
});

test.describe('strict CSP', () => {
  const CSP = "default-src 'self'; script-src 'self'; style-src 'self'";
  const bundle = compile({
    workflows: [
      workflow(
        'csp-promo',
        [
          { id: 'asked', kind: 'if', triggers: [{ on: 'event', name: 'show' }] },
          { id: 'offer', kind: 'promotion', promotion: 'csp-modal' },
          { id: 'tag', kind: 'segment', segment: 'closed', action: 'add' },
        ],
        [
          ['asked', 'then', 'offer'],
          ['offer', 'dismissed', 'tag'],
        ],
      ),
      workflow(
        'inline-code',
        [
          { id: 'asked', kind: 'if', triggers: [{ on: 'event', name: 'inline' }] },
          { id: 'run', kind: 'code', code: "ctx.segments.add('inline-ran')" },
          { id: 'next', kind: 'segment', segment: 'inline-next', action: 'add' },
          { id: 'failed', kind: 'segment', segment: 'inline-failed', action: 'add' },
        ],
        [
          ['asked', 'then', 'run'],
          ['run', 'next', 'next'],
          ['run', 'failed', 'failed'],
        ],
      ),
      workflow(
        'named-code',
        [
          { id: 'asked', kind: 'if', triggers: [{ on: 'event', name: 'named' }] },
          { id: 'run', kind: 'code', handler: 'mine' },
          { id: 'next', kind: 'segment', segment: 'named-next', action: 'add' },
        ],
        [
          ['asked', 'then', 'run'],
          ['run', 'next', 'next'],
        ],
      ),
    ],
    promotions: [{ id: 'csp-modal', name: 'CSP', kind: 'modal', theme: { background: '#fdf6e3' }, steps: [{ id: 's', blocks: [{ kind: 'heading', text: 'Strict page' }, { kind: 'close', label: 'No thanks' }] }] }],
    segments: manual('closed', 'inline-ran', 'inline-next', 'inline-failed', 'named-next'),
  });
  test.beforeAll(() => {
    server.bundle('csp', bundle);
    server.headers('/test/runtime-csp.html', { 'Content-Security-Policy': CSP });
  });

  test('the core loads and a promotion renders, styled and working', async ({ page }) => {
    const errors = pageErrors(page);
    const messages = consoleOf(page);
    await recordEvents(page);
    const response = await page.goto(`${server.origin}/test/runtime-csp.html`);
    expect(response?.headers()['content-security-policy']).toBe(CSP);
    expect(await ready(page)).toEqual({ workflows: 3, hash: bundle.hash });
    await api(page, (w) => w.track('show'));
    const host = promotion(page, 'csp-modal');
    await expect(host).toHaveCount(1);
    await expect(page.getByRole('dialog', { name: 'Strict page' })).toBeVisible();
    // The promotion's own styles apply: the overlay is fixed over the page.
    const look = await host.evaluate((el) => {
      const wrap = el.shadowRoot!.querySelector('[role="dialog"]')!.parentElement!;
      const panel = el.shadowRoot!.querySelector('[role="dialog"]')!;
      return { position: getComputedStyle(wrap).position, zIndex: getComputedStyle(wrap).zIndex, background: getComputedStyle(panel).backgroundColor };
    });
    const refused = messages.filter((m) => /Content Security Policy/.test(m.text)).map((m) => m.text);
    // Before the fix the renderer's <style> element was refused ("Applying inline style violates the following
    // Content Security Policy directive 'style-src 'self''...") and the modal rendered unstyled, in the flow.
    expect(refused, 'no CSP violation while rendering').toEqual([]);
    // The theme colour too (set through CSSOM custom properties on the host).
    expect(look).toEqual({ position: 'fixed', zIndex: '2147483647', background: 'rgb(253, 246, 227)' });
    await page.getByRole('button', { name: 'No thanks' }).click();
    await expectSegment(page, 'closed');
    await waitForEvent(page, 'promotion_closed', { promotion: 'csp-modal' });
    expect(errors).toEqual([]);
  });

  test('inline code fails with the CSP reason through on("error"); a registered handler works', async ({ page }) => {
    const errors = pageErrors(page);
    await recordEvents(page);
    await page.goto(`${server.origin}/test/runtime-csp.html`);
    await ready(page);
    await api(page, (w) => w.track('inline'));
    await expectSegment(page, 'inline-failed');
    expect(await api(page, (w) => w.segments.list())).toEqual(['inline-failed']);
    const error = await waitForEvent(page, 'error');
    expect(error.message).toBe(CSP_BLOCKED);
    // A named handler, registered by the site's own script, runs under the same policy.
    await page.evaluate(() => window.workflows!.register('mine', (ctx) => ctx.segments.add('named-ran')));
    await api(page, (w) => w.track('named'));
    await expectSegment(page, 'named-next');
    await expectSegment(page, 'named-ran');
    expect(errors).toEqual([]);
  });
});
