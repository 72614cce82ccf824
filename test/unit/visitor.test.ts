/** Visitor bookkeeping: sessions, page views, channel (the `channel` chunk), device, and the condition context. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { evaluate } from '../../src/conditions/evaluate.js';
import { freshState } from '../../runtime/store.js';
import type { VisitorState } from '../../runtime/types.js';
import { channelOf } from '../../runtime/features/channel.js';
import { contextOf, deviceOf, pageView, touch } from '../../runtime/visitor.js';

const MIN = 60_000;
const T0 = Date.UTC(2025, 0, 6, 9, 0);
const SITE = 'https://shop.example.com';
const view = (s: VisitorState, path: string, now: number, referrer = '') => pageView(s, { url: SITE + path, referrer, now });

/** The session's channel, classified from what the session recorded (as the context does when a condition reads it). */
const channel = (s: VisitorState) => channelOf(s.session.landing, s.session.referrer);

afterEach(() => vi.useRealTimers());

describe('sessions and page views', () => {
  it('starts the first session on the first page view', () => {
    const s = freshState('v1', T0);
    view(s, '/sale?utm_source=news&utm_medium=Email&utm_campaign=jan&utm_term=shoes&utm_content=hero&x=1', T0, 'https://mail.google.com/');
    expect(s.sessions).toBe(1);
    expect(s.prev).toBeUndefined();
    expect(s.last).toBe(T0);
    expect(s.session).toEqual({
      id: expect.any(String),
      start: T0,
      pageviews: 1,
      landing: `${SITE}/sale?utm_source=news&utm_medium=Email&utm_campaign=jan&utm_term=shoes&utm_content=hero&x=1`,
      referrer: 'https://mail.google.com/',
      utm: { source: 'news', medium: 'Email', campaign: 'jan', term: 'shoes', content: 'hero' },
    });
    expect(channel(s)).toBe('email');
    expect(s.session.id).not.toBe('');
    expect(s.pageviews).toEqual({ all_time: 1, first_session: 1 });
  });

  it('counts page views within 30 minutes in the same session', () => {
    const s = freshState('v1', T0);
    view(s, '/', T0);
    const id = s.session.id;
    view(s, '/a', T0 + 29 * MIN, SITE + '/');
    view(s, '/b', T0 + 59 * MIN, SITE + '/a'); // 30 minutes after the previous view, not the first
    view(s, '/c', T0 + 89 * MIN); // exactly 30 minutes: still the same session
    expect(s.sessions).toBe(1);
    expect(s.session.id).toBe(id);
    expect(s.session.landing).toBe(SITE + '/');
    expect(s.session.pageviews).toBe(4);
    expect(s.pageviews).toEqual({ all_time: 4, first_session: 4 });
    expect(s.last).toBe(T0 + 89 * MIN);
  });

  it('starts a new session after more than 30 minutes idle (fake clock)', () => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
    const s = freshState('v1', Date.now());
    view(s, '/', Date.now());
    view(s, '/b', Date.now());
    const first = { ...s.session };
    s.promos.p1 = {
      seen: { session: 2, first_session: 2, all_time: 2 },
      closed: { session: 1, first_session: 1, all_time: 1 },
      converted: { session: 1, first_session: 1, all_time: 1 },
    };
    const lastBefore = s.last;
    vi.advanceTimersByTime(30 * MIN + 1);
    view(s, '/c?utm_medium=cpc', Date.now(), 'https://www.bing.com/search?q=x');
    expect(s.sessions).toBe(2);
    expect(s.prev).toBe(lastBefore);
    expect(s.session.id).not.toBe(first.id);
    expect(s.session).toMatchObject({
      start: Date.now(),
      pageviews: 1,
      landing: SITE + '/c?utm_medium=cpc',
      referrer: 'https://www.bing.com/search?q=x',
      utm: { medium: 'cpc' },
    });
    expect(channel(s)).toBe('paid_search');
    // The first session's count stays; all time keeps counting.
    expect(s.pageviews).toEqual({ all_time: 3, first_session: 2 });
    // Session-scoped promotion counters start again; the others stay.
    expect(s.promos.p1).toEqual({
      seen: { session: 0, first_session: 2, all_time: 2 },
      closed: { session: 0, first_session: 1, all_time: 1 },
      converted: { session: 0, first_session: 1, all_time: 1 },
    });
    vi.advanceTimersByTime(2 * 3600_000);
    view(s, '/', Date.now());
    expect(s.sessions).toBe(3);
    expect(s.session.utm).toEqual({});
    expect(channel(s)).toBe('direct');
  });

  it('drops a same-site referrer (with or without www.)', () => {
    const s = freshState('v1', T0);
    pageView(s, { url: 'https://example.com/x', referrer: 'https://www.example.com/y', now: T0 });
    expect(s.session.referrer).toBe('');
    expect(channel(s)).toBe('direct');
  });

  it('survives URLs that do not parse', () => {
    const s = freshState('v1', T0);
    pageView(s, { url: 'not a url', referrer: '::', now: T0 });
    expect(s.session).toMatchObject({ landing: 'not a url', utm: {} });
    expect(channel(s)).toBe('direct');
  });

  it('touch extends a live session and does nothing once it timed out', () => {
    const s = freshState('v1', T0);
    expect(touch(s, T0)).toBe(false); // no session yet
    view(s, '/', T0);
    expect(touch(s, T0 + 25 * MIN)).toBe(true);
    expect(touch(s, T0 + 50 * MIN)).toBe(true);
    expect(s.last).toBe(T0 + 50 * MIN);
    view(s, '/b', T0 + 75 * MIN);
    expect(s.sessions).toBe(1);
    expect(s.session.pageviews).toBe(2);
    expect(touch(s, T0 + 106 * MIN)).toBe(false);
    expect(s.last).toBe(T0 + 75 * MIN);
    view(s, '/c', T0 + 107 * MIN);
    expect(s.sessions).toBe(2);
  });
});

describe('channelOf', () => {
  const L = SITE + '/landing';
  it.each([
    // utm_medium wins, whatever the referrer
    [L + '?utm_medium=cpc', 'https://www.google.com/', 'paid_search'],
    [L + '?utm_medium=PPC', '', 'paid_search'],
    [L + '?utm_medium=paid', '', 'paid_search'],
    [L + '?utm_medium=paidsearch', '', 'paid_search'],
    [L + '?utm_medium=paid_social&fbclid=1', '', 'paid_search'],
    [L + '?utm_medium=display', '', 'display'],
    [L + '?utm_medium=banner', '', 'display'],
    [L + '?utm_medium=cpm', '', 'display'],
    [L + '?utm_medium=affiliate', '', 'affiliate'],
    [L + '?utm_medium=email', 'https://www.google.com/', 'email'],
    [L + '?utm_medium=e-mail', '', 'email'],
    [L + '?utm_medium=newsletter', '', 'email'],
    [L + '?utm_medium=social', '', 'social'],
    [L + '?utm_medium=social-network', '', 'social'],
    [L + '?utm_medium=sm', '', 'social'],
    [L + '?utm_medium=organic', '', 'organic_search'],
    [L + '?utm_medium=referral', '', 'referral'],
    [L + '?utm_medium=qr-code', 'https://www.google.com/', 'other'],
    [L + '?utm_medium=sms', '', 'other'],
    // click ids
    [L + '?gclid=abc', '', 'paid_search'],
    [L + '?a=1&msclkid=abc', 'https://www.bing.com/', 'paid_search'],
    [L + '?gbraid=abc', '', 'paid_search'],
    [L + '?fbclid=abc', '', 'social'],
    [L + '?notgclid=abc', '', 'direct'],
    // referrer hosts
    [L, '', 'direct'],
    [L, SITE + '/other', 'direct'],
    [L, 'https://www.google.com/', 'organic_search'],
    [L, 'https://www.google.co.uk/', 'organic_search'],
    [L, 'https://www.bing.com/search?q=a', 'organic_search'],
    [L, 'https://duckduckgo.com/', 'organic_search'],
    [L, 'https://search.yahoo.co.jp/', 'organic_search'],
    [L, 'https://www.baidu.com/', 'organic_search'],
    [L, 'https://yandex.ru/', 'organic_search'],
    [L, 'https://www.ecosia.org/', 'organic_search'],
    [L, 'https://l.facebook.com/', 'social'],
    [L, 'https://www.instagram.com/', 'social'],
    [L, 'https://t.co/abc', 'social'],
    [L, 'https://twitter.com/', 'social'],
    [L, 'https://x.com/', 'social'],
    [L, 'https://www.linkedin.com/', 'social'],
    [L, 'https://www.pinterest.de/', 'social'],
    [L, 'https://old.reddit.com/', 'social'],
    [L, 'https://www.tiktok.com/', 'social'],
    [L, 'https://m.youtube.com/', 'social'],
    [L, 'https://mail.google.com/', 'email'],
    [L, 'https://outlook.live.com/', 'email'],
    [L, 'https://mail.yahoo.com/', 'email'],
    [L, 'https://blog.partner.org/post', 'referral'],
    [L, 'https://t.example.com/', 'referral'],
    [L, 'https://notgoogle.com/', 'referral'],
    [L, 'https://box.com/', 'referral'],
  ])('%s from "%s" -> %s', (url, referrer, channel) => {
    expect(channelOf(url, referrer)).toBe(channel);
  });

  it('only ever answers a channel the condition language knows', () => {
    const known = 'direct organic_search paid_search social email referral display affiliate other'.split(' ');
    for (const m of ['cpc', 'display', 'affiliate', 'email', 'social', 'organic', 'referral', 'zzz', ''])
      expect(known).toContain(channelOf(`${SITE}/?utm_medium=${m}`, 'https://a.b/'));
  });
});

describe('deviceOf', () => {
  const UA = {
    iphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
    ipad: 'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
    mac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15',
    androidPhone: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
    androidTablet: 'Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
    firefoxTablet: 'Mozilla/5.0 (Android 13; Tablet; rv:120.0) Gecko/120.0 Firefox/120.0',
    firefoxPhone: 'Mozilla/5.0 (Android 13; Mobile; rv:120.0) Gecko/120.0 Firefox/120.0',
    kindle: 'Mozilla/5.0 (Linux; Android 9; KFMAWI) AppleWebKit/537.36 (KHTML, like Gecko) Silk/120.1 like Chrome/120.0 Safari/537.36',
    windows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
    linux: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  };
  it.each([
    [UA.iphone, 390, undefined, 0, 'mobile'],
    [UA.iphone, 390, undefined, 5, 'mobile'], // "like Mac OS X" with touch points is still a phone
    [UA.ipad, 820, undefined, 5, 'tablet'],
    [UA.mac, 1024, undefined, 5, 'tablet'], // iPadOS asks for desktop sites
    [UA.mac, 390, undefined, 5, 'mobile'], // an iPhone asking for the desktop site also says Mac: its screen is a phone's
    [UA.mac, 900, undefined, 0, 'desktop'],
    [UA.androidPhone, 412, true, 5, 'mobile'],
    [UA.androidPhone, 412, undefined, 5, 'mobile'],
    [UA.androidPhone, 800, undefined, 5, 'tablet'], // a phone UA on a tablet-sized screen
    [UA.androidTablet, 800, false, 5, 'tablet'],
    [UA.firefoxTablet, 800, undefined, 5, 'tablet'],
    [UA.firefoxPhone, 360, undefined, 5, 'mobile'],
    [UA.kindle, 600, undefined, 5, 'tablet'],
    [UA.windows, 1080, false, 0, 'desktop'],
    [UA.windows, 500, false, 0, 'desktop'],
    [UA.linux, 1080, undefined, 0, 'desktop'],
    ['', 0, undefined, 0, 'desktop'],
  ] as const)('%s (%d px, mobile %s, touch %d) -> %s', (ua, width, mobile, touchPoints, device) => {
    expect(deviceOf(ua, width, mobile, touchPoints)).toBe(device);
  });

  it('needs only ua and width', () => {
    expect(deviceOf(UA.iphone, 390)).toBe('mobile');
    expect(deviceOf(UA.mac, 1024)).toBe('desktop');
  });
});

describe('contextOf', () => {
  const returning = () => {
    const s = freshState('v9', T0);
    view(s, '/?utm_source=nl&utm_medium=email', T0, 'https://outlook.live.com/');
    view(s, '/b', T0 + MIN);
    view(s, '/c?q=1', T0 + 2 * 3600_000, 'https://www.google.com/');
    Object.assign(s, {
      attrs: { first_name: 'Ada' },
      segments: ['vip'],
      cart: { value: 120, items: 3 },
      variants: { t1: 'b' },
    });
    return s;
  };

  it('builds the EvalContext from the state', () => {
    const s = returning();
    const page = { url: SITE + '/c?q=1', referrer: 'https://www.google.com/', title: 'C' };
    const now = T0 + 2 * 3600_000;
    const event = { name: 'signup', props: { plan: 'pro' } };
    expect(contextOf(s, page, now, 'mobile', () => 'Europe/Paris', event, channelOf)).toEqual({
      now,
      timezone: 'Europe/Paris',
      page,
      visitor: {
        id: 'v9',
        new: false,
        sessions: 2,
        pageviews: { session: 1, first_session: 2, all_time: 3 },
        landing_url: SITE + '/c?q=1',
        referrer: 'https://www.google.com/',
        utm: {},
        channel: 'organic_search',
        device: 'mobile',
        first_seen: T0,
        last_seen: T0 + MIN,
        attributes: { first_name: 'Ada' },
        segments: ['vip'],
        cart: { value: 120, items: 3 },
        promotions: {},
        variants: { t1: 'b' },
      },
      event,
    });
  });

  it('classifies the channel only when read, and leaves it unknown without the channel chunk', () => {
    const s = returning();
    const classify = vi.fn(channelOf);
    const c = contextOf(s, { url: SITE + '/c?q=1' }, T0, 'desktop', () => 'UTC', undefined, classify);
    expect(classify).not.toHaveBeenCalled();
    expect(c.visitor?.channel).toBe('organic_search');
    expect(classify).toHaveBeenCalledWith(SITE + '/c?q=1', 'https://www.google.com/');
    expect(contextOf(s, { url: SITE + '/' }, T0, 'desktop', () => 'UTC').visitor?.channel).toBeUndefined();
  });

  it('a first-session visitor is new and has no last_seen; promotions are always there', () => {
    const s = freshState('v1', T0);
    view(s, '/', T0);
    const c = contextOf(s, { url: SITE + '/' }, T0, 'desktop', () => 'UTC', undefined, channelOf);
    expect(c.visitor?.new).toBe(true);
    expect(c.visitor?.last_seen).toBeUndefined();
    expect(c.visitor?.promotions).toEqual({});
    expect(c.event).toBeUndefined();
    // A direct visit's empty referrer is "unknown" to conditions.
    expect(evaluate({ field: 'referrer', op: 'unknown' }, c)).toBe(true);
    expect(evaluate({ field: 'channel', op: 'equals', value: 'direct' }, c)).toBe(true);
  });

  it('answers the condition language the way a designer expects', () => {
    const s = returning();
    s.promos.p1 = {
      seen: { session: 0, first_session: 1, all_time: 1 },
      closed: { session: 0, first_session: 0, all_time: 0 },
      converted: { session: 0, first_session: 0, all_time: 0 },
    };
    const c = contextOf(s, { url: SITE + '/c?q=1' }, T0 + 2 * 3600_000, 'tablet', () => 'UTC', { name: 'signup', props: { plan: 'pro' } }, channelOf);
    const yes = (cond: object) => expect(evaluate(cond as never, c)).toBe(true);
    yes({ field: 'channel', op: 'equals', value: 'organic_search' });
    yes({ field: 'new_visitor', op: 'equals', value: false });
    yes({ field: 'sessions', op: 'equals', value: 2 });
    yes({ field: 'pageviews', op: 'equals', value: 1 });
    yes({ field: 'pageviews', op: 'equals', value: 2, scope: 'first_session' });
    yes({ field: 'pageviews', op: 'equals', value: 3, scope: 'all_time' });
    yes({ field: 'device', op: 'equals', value: 'tablet' });
    yes({ field: 'landing_url', op: 'contains', value: '/c' });
    yes({ field: 'segments', op: 'contains', value: 'vip' });
    yes({ field: 'attributes.first_name', op: 'equals', value: 'Ada' });
    yes({ field: 'cart.value', op: 'gt', value: 100 });
    yes({ field: 'days_since_last_visit', op: 'equals', value: 0 });
    yes({ field: 'promotion.p1.seen', op: 'equals', value: 0, scope: 'session' });
    yes({ field: 'promotion.p1.seen', op: 'equals', value: 1 });
    yes({ field: 'promotion.p2.seen', op: 'equals', value: 0 });
    yes({ field: 'utm.source', op: 'unknown' });
    yes({ field: 'variant.t1', op: 'equals', value: 'b' });
    yes({ field: 'event.plan', op: 'equals', value: 'pro' });
  });
});
