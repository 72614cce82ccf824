/** The Webhook step: builds its request from the compiled node, refusing hosts the bundle does not allow. */
import type { WebhookNode } from '../../src/model/types.js';
import { fill, fillJson, type TemplateData } from '../../src/template.js';
import type { OutboxRequest } from '../outbox.js';

/** Either the request to hand to the outbox, or why it must not be sent. */
export type Built = OutboxRequest | { error: string };

/**
 * `hosts`: the bundle's `site.webhookHosts`, matched against the final URL's host (with its port, if any):
 * exactly, or under a `*.example.com` entry.
 */
export function webhookRequest(
  n: Pick<WebhookNode, 'url' | 'method' | 'headers' | 'body'>,
  data: TemplateData,
  hosts: string[],
  key: string,
): Built {
  try {
    // Values placed in the URL are encoded: a visitor's input cannot add a path, a query or another host.
    const u = new URL(fill(n.url, data, encodeURIComponent));
    const h = u.host;
    const method = n.method || 'POST';
    if (!/^https?:$/.test(u.protocol) || !hosts.some((e) => e == h || (e[0] == '*' && h.endsWith(e.slice(1)))))
      return { error: `webhook host not allowed: ${u.protocol}//${h}` };
    const body = method != 'GET' && n.body !== undefined ? JSON.stringify(fillJson(n.body, data)) : undefined;
    // The site's own endpoint: it may use the key to drop a request it already handled.
    const headers: Record<string, string> = { 'Idempotency-Key': key };
    if (body) headers['Content-Type'] = 'application/json';
    // CR, LF or other non-Latin-1 text in a header value would make fetch throw: dropped.
    for (const k of Object.keys(n.headers ?? {})) headers[k] = fill(n.headers![k]!, data).replace(/[^\t -\xff]/g, '');
    return { key, url: u.href, method, headers, body };
  } catch (e) {
    return { error: 'webhook: ' + e };
  }
}
