// App steps: each provider's documented public browser request, built from template data.
import { afterEach, describe, expect, it } from 'vitest';
import { appRequest, KLAVIYO_REVISION } from '../../runtime/actions/apps.js';

const data = {
  visitor: { id: 'vis_1' },
  attributes: { email: 'attr@example.com', phone: '+44 20 7946 0958', first_name: 'Ann' },
  form: { email: 'form@example.com', phone: '+1 (555) 010-9999' },
  workflow: { id: 'wf', step: 'app' },
  page: { url: 'https://shop.example/p', title: 'Shoes' },
};
const body = (r: unknown) => JSON.parse((r as { body: string }).body);

afterEach(() => {
  document.cookie = 'hubspotutk=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
});

describe('klaviyo', () => {
  const app = { provider: 'klaviyo' as const, settings: { companyId: 'AbC123' } };

  it('subscribes to a list through the client subscriptions endpoint', () => {
    const r = appRequest(app, { action: 'subscribe', list: 'LsT1', fields: { source: 'Popup {{page.title}}' } }, data, 'e:1');
    expect(r).toMatchObject({
      key: 'e:1',
      url: 'https://a.klaviyo.com/client/subscriptions?company_id=AbC123',
      method: 'POST',
      headers: { 'Content-Type': 'application/vnd.api+json', revision: KLAVIYO_REVISION },
    });
    expect(body(r)).toEqual({
      data: {
        type: 'subscription',
        attributes: {
          profile: {
            data: { type: 'profile', attributes: { email: 'form@example.com', phone_number: '+15550109999', properties: { source: 'Popup Shoes' } } },
          },
        },
        relationships: { list: { data: { type: 'list', id: 'LsT1' } } },
      },
    });
  });

  it('takes email and phone from fields first, then the form, then attributes; phones must be E.164', () => {
    const fields = { email: '{{attributes.email}}', phone_number: '0044 7700 900123' };
    const b = body(appRequest(app, { action: 'subscribe', list: 'L', fields }, data, 'k'));
    expect(b.data.attributes.profile.data.attributes).toEqual({ email: 'attr@example.com', phone_number: '+447700900123', properties: {} });
    const onlyForm = body(appRequest(app, { action: 'subscribe', list: 'L' }, { form: { email: 'x@example.com', phone: '555-0100' } }, 'k'));
    expect(onlyForm.data.attributes.profile.data.attributes).toEqual({ email: 'x@example.com', properties: {} }); // not E.164: left out
  });

  it('tracks an event with a metric name, properties and the key as unique_id', () => {
    const r = appRequest(app, { action: 'track', event: 'Requested quote', fields: { plan: '{{first_name}}' } }, data, 'e:2');
    expect(r).toMatchObject({ url: 'https://a.klaviyo.com/client/events?company_id=AbC123', method: 'POST' });
    expect(body(r)).toEqual({
      data: {
        type: 'event',
        attributes: {
          properties: { plan: 'Ann' },
          metric: { data: { type: 'metric', attributes: { name: 'Requested quote' } } },
          profile: { data: { type: 'profile', attributes: { email: 'form@example.com', phone_number: '+15550109999' } } },
          unique_id: 'e:2',
        },
      },
    });
  });

  it('does not track a visitor Klaviyo could not reach', () => {
    expect(appRequest(app, { action: 'track', event: 'Viewed' }, { visitor: { id: 'vis_9' } }, 'k')).toEqual({ error: 'klaviyo: no email or phone' });
  });

  it('refuses to subscribe nobody', () => {
    expect(appRequest(app, { action: 'subscribe', list: 'L' }, { visitor: { id: 'v' } }, 'k')).toEqual({ error: 'klaviyo: no email or phone' });
  });

  it('uses settings.endpoint instead of the provider origin', () => {
    const proxied = { provider: 'klaviyo' as const, settings: { companyId: 'X', endpoint: 'https://shop.example/kl/' } };
    expect(appRequest(proxied, { action: 'track', event: 'E' }, data, 'k')).toMatchObject({ url: 'https://shop.example/kl/client/events?company_id=X' });
  });
});

describe('hubspot', () => {
  const app = { provider: 'hubspot' as const, settings: { portalId: '123456', formId: 'a1b2c3d4-0000-4000-8000-000000000001' } };

  it('submits the form through the unauthenticated Forms API v3, with the hutk cookie when there is one', () => {
    document.cookie = 'hubspotutk=5f1c0ffee0000000000000000000abcd';
    const r = appRequest(app, { action: 'subscribe', fields: { firstname: '{{first_name}}', company: '' } }, data, 'e:3');
    expect(r).toMatchObject({
      url: 'https://api.hsforms.com/submissions/v3/integration/submit/123456/a1b2c3d4-0000-4000-8000-000000000001',
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
    });
    expect((r as { headers: object }).headers).not.toHaveProperty('Idempotency-Key');
    expect(body(r)).toEqual({
      fields: [
        { objectTypeId: '0-1', name: 'email', value: 'form@example.com' },
        { objectTypeId: '0-1', name: 'phone', value: '+15550109999' },
        { objectTypeId: '0-1', name: 'firstname', value: 'Ann' },
      ],
      context: { hutk: '5f1c0ffee0000000000000000000abcd', pageUri: 'https://shop.example/p', pageName: 'Shoes' },
    });
  });

  it('leaves hutk out without the cookie, and cannot track', () => {
    expect(body(appRequest(app, { action: 'subscribe' }, data, 'k')).context).toEqual({ pageUri: 'https://shop.example/p', pageName: 'Shoes' });
    expect(appRequest(app, { action: 'track', event: 'x' }, data, 'k')).toEqual({ error: 'hubspot cannot track' });
  });
});

describe('mailchimp', () => {
  const app = {
    provider: 'mailchimp' as const,
    settings: { formAction: 'https://example.us21.list-manage.com/subscribe/post?u=0a1b2c3d4e5f6a7b8c9d0e1f2&id=9f8e7d6c5b&f_id=00a1b2e1f0' },
  };

  it('posts the embedded form, form-encoded and no-cors, with the honeypot field empty', () => {
    const r = appRequest(app, { action: 'subscribe', fields: { FNAME: '{{first_name}}', 'group[123][4]': '4' } }, data, 'e:4');
    expect(r).toEqual({
      key: 'e:4',
      url: 'https://example.us21.list-manage.com/subscribe/post?u=0a1b2c3d4e5f6a7b8c9d0e1f2&id=9f8e7d6c5b&f_id=00a1b2e1f0',
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'EMAIL=form%40example.com&PHONE=%2B15550109999&FNAME=Ann&group%5B123%5D%5B4%5D=4&b_0a1b2c3d4e5f6a7b8c9d0e1f2_9f8e7d6c5b=',
      mode: 'no-cors',
    });
  });

  it('needs an email; endpoint replaces the origin', () => {
    expect(appRequest(app, { action: 'subscribe' }, { form: { phone: '+15550100123' } }, 'k')).toEqual({ error: 'mailchimp: no email or phone' });
    const proxied = { provider: 'mailchimp' as const, settings: { ...app.settings, endpoint: 'http://127.0.0.1:9999' } };
    expect(appRequest(proxied, { action: 'subscribe' }, data, 'k')).toMatchObject({
      url: 'http://127.0.0.1:9999/subscribe/post?u=0a1b2c3d4e5f6a7b8c9d0e1f2&id=9f8e7d6c5b&f_id=00a1b2e1f0',
    });
  });
});

describe('generic webhook app', () => {
  const app = { provider: 'webhook' as const, settings: { url: 'https://crm.example.com/leads' } };

  it('posts the lead as JSON with an Idempotency-Key', () => {
    const r = appRequest(app, { action: 'subscribe', list: 'newsletter', fields: { first_name: '{{first_name}}' } }, data, 'e:5');
    expect(r).toMatchObject({
      url: 'https://crm.example.com/leads',
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'e:5' },
    });
    expect(body(r)).toEqual({
      action: 'subscribe',
      list: 'newsletter',
      email: 'form@example.com',
      phone: '+15550109999',
      fields: { first_name: 'Ann' },
      visitor: 'vis_1',
      page: 'https://shop.example/p',
    });
  });

  it('tracks events too', () => {
    expect(body(appRequest(app, { action: 'track', event: 'signup' }, { visitor: { id: 'v' } }, 'k'))).toEqual({
      action: 'track',
      event: 'signup',
      fields: {},
      visitor: 'v',
    });
  });
});

describe('validator: settings.endpoint', () => {
  const doc = (endpoint: string) => ({
    format: 'workflows/authoring',
    apps: [{ id: 'kl', name: 'Klaviyo', provider: 'klaviyo', settings: { companyId: 'AbC123', endpoint } }],
  });

  it('accepts an http(s) URL and refuses anything else', async () => {
    const { validateDocument } = await import('../../src/validate/validate.js');
    const errors = (endpoint: string) => validateDocument(doc(endpoint), 'f.json').filter((p) => p.severity === 'error');
    expect(errors('https://shop.example/proxy/klaviyo')).toEqual([]);
    expect(errors('http://127.0.0.1:9999')).toEqual([]);
    expect(errors('javascript:alert(1)').map((p) => p.pointer)).toEqual(['/apps/0/settings/endpoint']);
    expect(errors('not a url')).toHaveLength(1);
  });
});
