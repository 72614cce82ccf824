/**
 * The App step: each provider's public, key-less browser request, from public settings only (a Klaviyo site
 * id, HubSpot portal and form ids, a Mailchimp form action, a webhook URL). `settings.endpoint` replaces the
 * provider's origin (a first-party proxy, or a test server): `https://example.com/kl` + `/client/...`.
 * The contact: fields `email` and `phone` (or `phone_number`), else `form.<name>`, else `attributes.<name>`;
 * the phone goes out in E.164 form or not at all. The other fields go as profile/event properties.
 * Without a reachable contact nothing is built: `{ error }`, and the step fails.
 */
import type { AppNode, AppProvider } from '../../src/model/types.js';
import { fill, get, type TemplateData } from '../../src/template.js';
import type { Built } from './webhook.js';

/** The Klaviyo API revision these bodies follow (client endpoints, as its OpenAPI spec of that date). */
export const KLAVIYO_REVISION = '2026-07-15';

export function appRequest(
  app: { provider: AppProvider; settings: Record<string, string> },
  node: Pick<AppNode, 'action' | 'list' | 'event' | 'fields'>,
  data: TemplateData,
  key: string,
): Built {
  const s = app.settings;
  const p = app.provider;
  const sub = node.action == 'subscribe';
  const base = s.endpoint?.replace(/\/$/, '');
  const visitor = get(data, 'visitor.id');
  const props: Record<string, string> = {};
  for (const k of Object.keys(node.fields ?? {})) props[k] = fill(node.fields![k]!, data);
  // A field first (under either name), then the form, then the attributes.
  const pick = (k: string, f = k): any => {
    const v = props[k] || props[f] || get(data, 'form.' + k) || get(data, 'attributes.' + k);
    delete props[k], delete props[f];
    return v;
  };
  const email: string | undefined = pick('email') || undefined;
  let phone: string | undefined = String(pick('phone', 'phone_number') || '').replace(/[\s().-]/g, '').replace(/^00/, '+');
  if (!/^\+[1-9]\d{6,14}$/.test(phone)) phone = undefined;
  const req = (url: string, body: unknown, h?: Record<string, string>, form?: 1): Built => ({
    key,
    url,
    method: 'POST',
    headers: { 'Content-Type': form ? 'application/x-www-form-urlencoded' : 'application/json', ...h },
    body: form ? '' + body : JSON.stringify(body),
    mode: form && 'no-cors',
  });
  // JSON:API resource object, as Klaviyo's client endpoints take them.
  const res = (type: string, attributes: object, more?: object) => ({ data: { type, attributes, ...more } });
  const profile = (properties?: object) => res('profile', { email, phone_number: phone, properties });

  if (p == 'webhook')
    return req(
      base || s.url!,
      { action: node.action, list: node.list, event: node.event, email, phone, fields: props, visitor, page: get(data, 'page.url') },
      { 'Idempotency-Key': key },
    );
  // An ESP can only message someone it can reach: without an email (or a phone, except for Mailchimp) nothing goes.
  if (!email && (!phone || p == 'mailchimp')) return { error: p + ': no email or phone' };
  if (!sub && p != 'klaviyo') return { error: p + ' cannot track' };
  if (p == 'klaviyo')
    return req(
      `${base || 'https://a.klaviyo.com'}/client/${sub ? 'subscriptions' : 'events'}?company_id=${s.companyId}`,
      sub
        ? res('subscription', { profile: profile(props) }, { relationships: { list: { data: { type: 'list', id: node.list } } } })
        : // unique_id: Klaviyo records one event per profile, metric and id, however often it is retried.
          res('event', { properties: props, metric: res('metric', { name: node.event }), profile: profile(), unique_id: key }),
      { 'Content-Type': 'application/vnd.api+json', revision: KLAVIYO_REVISION },
    );
  if (p == 'hubspot') {
    let hutk: string | undefined;
    try {
      // HubSpot's tracking cookie ties the submission to the visitor's earlier page views.
      hutk = /hubspotutk=(\w+)/.exec(document.cookie)![1];
    } catch {}
    return req(`${base || 'https://api.hsforms.com'}/submissions/v3/integration/submit/${s.portalId}/${s.formId}`, {
      fields: Object.entries({ email, phone, ...props })
        .filter((f) => f[1])
        .map(([name, value]) => ({ objectTypeId: '0-1', name, value })),
      context: { hutk, pageUri: get(data, 'page.url'), pageName: get(data, 'page.title') },
    });
  }
  // Mailchimp's embedded form: a plain form post to its action URL. It answers no CORS, so the request is
  // `no-cors` and its outcome is "sent", never confirmed. `b_<u>_<id>`, empty, is the form's own bot trap.
  const u = new URL(s.formAction!);
  const q = u.searchParams;
  return req(
    (base || u.origin) + u.pathname + u.search,
    new URLSearchParams({ EMAIL: email!, ...(phone && { PHONE: phone }), ...props, ['b_' + q.get('u') + '_' + q.get('id')]: '' }),
    {},
    1,
  );
}
