// @vitest-environment node
// The Webhook step's request: placeholders (encoded in the URL, JSON-safe in the body), methods, allowed hosts.
import { describe, expect, it, vi } from 'vitest';
import { app, webhook, type EffectHost } from '../../runtime/actions/effects.js';
import { webhookRequest } from '../../runtime/actions/webhook.js';

const data = {
  visitor: { id: 'v1', email: 'a+b@example.com' },
  attributes: { first_name: 'Zoë "Z"', team: '../../admin?x=1#frag' },
  form: { message: 'line 1\nline 2 </script>' },
  workflow: { id: 'wf_lead', step: 'send' },
  page: { url: 'https://shop.example/cart?x=1' },
};
const hosts = ['hooks.example.com', '*.zapier.com', '127.0.0.1:8080'];

describe('webhookRequest', () => {
  it('fills the URL (encoded), the body (JSON) and the headers', () => {
    const r = webhookRequest(
      {
        url: 'https://hooks.example.com/t/{{attributes.team}}?email={{visitor.email}}',
        method: 'POST',
        headers: { 'X-Workflow': '{{workflow.id}}', 'X-Name': '{{first_name}}' },
        body: { email: '{{visitor.email}}', name: '{{first_name}}', msg: '{{form.message}}', page: '{{page.url}}', n: 3 },
      },
      data,
      hosts,
      'enr1:4',
    );
    expect(r).toEqual({
      key: 'enr1:4',
      url: 'https://hooks.example.com/t/..%2F..%2Fadmin%3Fx%3D1%23frag?email=a%2Bb%40example.com',
      method: 'POST',
      headers: { 'Idempotency-Key': 'enr1:4', 'Content-Type': 'application/json', 'X-Workflow': 'wf_lead', 'X-Name': 'Zoë "Z"' },
      body: JSON.stringify({ email: 'a+b@example.com', name: 'Zoë "Z"', msg: 'line 1\nline 2 </script>', page: 'https://shop.example/cart?x=1', n: 3 }),
    });
    expect(JSON.parse((r as { body: string }).body).msg).toBe(data.form.message);
  });

  it('defaults to POST, sends GET without a body', () => {
    expect(webhookRequest({ url: 'https://hooks.example.com/a', body: { a: 1 } }, data, hosts, 'k')).toMatchObject({ method: 'POST', body: '{"a":1}' });
    const get = webhookRequest({ url: 'https://hooks.example.com/a', method: 'GET', body: { a: 1 } }, data, hosts, 'k');
    expect(get).toMatchObject({ method: 'GET', body: undefined, headers: { 'Idempotency-Key': 'k' } });
    expect((get as { headers: object }).headers).not.toHaveProperty('Content-Type');
    expect(webhookRequest({ url: 'https://hooks.example.com/a', method: 'PUT' }, data, hosts, 'k')).toMatchObject({ method: 'PUT', body: undefined });
  });

  it('strips characters that would make the header invalid', () => {
    const r = webhookRequest({ url: 'https://hooks.example.com/a', headers: { 'X-Msg': '{{form.message}}' } }, data, hosts, 'k');
    expect((r as { headers: Record<string, string> }).headers['X-Msg']).toBe('line 1line 2 </script>');
  });

  it.each([
    ['https://hooks.example.com/x', true],
    ['https://HOOKS.example.com/x', true],
    ['http://127.0.0.1:8080/x', true],
    ['http://127.0.0.1:9090/x', false],
    ['https://hooks.zapier.com/x', true],
    ['https://a.b.zapier.com/x', true],
    ['https://zapier.com/x', false],
    ['https://evilzapier.com/x', false],
    ['https://hooks.example.com.evil.net/x', false],
    ['https://evil.net/x?hooks.example.com', false],
    ['https://hooks.example.com@evil.net/x', false],
    ['ftp://hooks.example.com/x', false],
    ['javascript:alert(1)//hooks.example.com', false],
  ])('%s allowed: %s', (url, ok) => {
    const r = webhookRequest({ url }, data, hosts, 'k');
    if (ok) expect(r).not.toHaveProperty('error');
    else expect((r as { error: string }).error).toMatch(/^webhook host not allowed: /);
  });

  it('refuses a host that a placeholder value tries to change', () => {
    const r = webhookRequest({ url: 'https://{{attributes.host}}/x' }, { attributes: { host: 'evil.net' } }, hosts, 'k');
    expect(r).toEqual({ error: 'webhook host not allowed: https://evil.net' });
    const r2 = webhookRequest({ url: 'https://hooks.example.com{{attributes.p}}' }, { attributes: { p: '@evil.net/' } }, hosts, 'k');
    expect(r2).toHaveProperty('error');
  });

  it('reports a URL that does not parse', () => {
    expect(webhookRequest({ url: '{{nothing}}' }, data, hosts, 'k')).toEqual({ error: expect.stringMatching(/^webhook: .*URL/) });
  });
});

// A hand-made bundle may lack its site settings and apps (engine.ts reads what is there): a Webhook or App step then
// fails as one to a host or app the bundle does not allow, with its `_failed` event, rather than on a TypeError.
describe('a Webhook or App step of a bundle without site settings or apps', () => {
  const host = () => {
    const emitted: [string, unknown][] = [];
    const send = vi.fn(async () => true);
    const h = { bundle: { format: 'workflows/compiled', version: 4, workflows: [] }, delivery: async () => ({ outbox: { send } }), emit: (n: string, f: unknown) => emitted.push([n, f]), report: vi.fn() };
    return { h: h as unknown as EffectHost, emitted, send, report: h.report };
  };

  it('takes failed with webhook_failed, sending nothing', async () => {
    const { h, emitted, send, report } = host();
    await expect(webhook(h, { kind: 'webhook', url: 'https://hooks.example.com/a', method: 'POST' } as never, data, 'k')).resolves.toBe(false);
    expect(send).not.toHaveBeenCalled();
    expect(report).toHaveBeenCalledWith('webhook host not allowed: https://hooks.example.com', 'wf_lead');
    expect(emitted).toEqual([['webhook_failed', { workflow: 'wf_lead', url: 'https://hooks.example.com/a' }]]);
  });

  it('takes failed with app_failed, sending nothing', async () => {
    const { h, emitted, send, report } = host();
    await expect(app(h, { kind: 'app', app: 'klaviyo', action: 'subscribe' } as never, data, 'k')).resolves.toBe(false);
    expect(send).not.toHaveBeenCalled();
    expect(report).toHaveBeenCalledWith('no app klaviyo', 'wf_lead');
    expect(emitted).toEqual([['app_failed', { workflow: 'wf_lead', app: 'klaviyo' }]]);
  });
});
