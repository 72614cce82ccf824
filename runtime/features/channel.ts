/**
 * The `channel` chunk: the marketing channel of a session, classified from its landing URL and referrer when a
 * condition reads `channel` (the rules are in docs/runtime-state.md, "Channels"). Only bundles with such a
 * condition import it (their `needs` lists `channel`), at start, so the condition context reads it synchronously.
 */
import { host, param } from '../visitor.js';

// One capture group per channel, in the order of CHANNELS.
const CHANNELS = ['organic_search', 'paid_search', 'display', 'affiliate', 'email', 'social', 'referral'];
const MEDIUM = /^(?:(organic)|(cpc|ppc|paid.*)|(display|banner|cpm)|(affiliates?)|(e-?mail|newsletter)|(social.*|sm)|(referral))$/;

/** Marketing channel of a visit from its landing URL and its referrer (`''`, or another site's). */
export function channelOf(url: string, referrer: string): string {
  const m = param(url, 'utm_medium')?.toLowerCase();
  const h = host(referrer);
  return m
    ? CHANNELS[MEDIUM.exec(m)?.slice(1).findIndex(Boolean) ?? 9] || 'other'
    : /[?&](gclid|gbraid|wbraid|msclkid)=/.test(url)
      ? 'paid_search'
      : /[?&]fbclid=/.test(url)
        ? 'social'
        : !h || h == host(url)
          ? 'direct'
          : /^(mail|outlook)\./.test(h)
            ? 'email'
            : /(^|\.)(google|bing|yahoo|yandex|duckduckgo|baidu|ecosia|qwant)\./.test(h)
              ? 'organic_search'
              : /(^|\.)(facebook|instagram|twitter|linkedin|pinterest|reddit|tiktok|youtube)\.|^(t\.co|x\.com)$/.test(h)
                ? 'social'
                : 'referral';
}

