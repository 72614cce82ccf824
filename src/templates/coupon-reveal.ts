import { authoring, BAR_THEME, cell, edge, THEME } from './build.js';
import type { Template } from './types.js';

/** A surprise discount behind one tap: the delight of a prize wheel without the wheel, and no email asked. */
export const couponReveal: Template = {
  id: 'coupon-reveal',
  name: 'Tap-to-reveal coupon',
  description:
    'A small slide-in invites engaged shoppers to tap and reveal a surprise 12% code, good for 30 minutes. Shoppers who copy ' +
    'the code but do not start checkout within 20 minutes get a gentle reminder bar.',
  category: 'engagement',
  tags: ['coupon', 'gamification', 'no email', 'countdown', 'slide-in'],
  requires: { commerce: ['begin_checkout', 'purchase'], coupons: ['a pool of unique 12%-off codes named "reveal-12"'] },
  document: authoring({
    workflows: [
      {
        id: 'coupon-reveal',
        name: 'Tap-to-reveal coupon',
        description: 'Surprise 12% code behind a tap, with a reminder.',
        status: 'draft',
        settings: {
          enrollment: 'auto',
          reenroll: { mode: 'cooldown', days: 14 },
          priority: 45,
          goal: { event: 'purchase', windowDays: 2 },
        },
        start: 'engaged-shopper',
        nodes: [
          {
            id: 'engaged-shopper',
            kind: 'if',
            label: 'Scrolled a product page',
            triggers: [{ on: 'scroll_depth', percent: 40 }],
            conditions: {
              all: [
                { field: 'path', op: 'starts_with', value: '/products/' },
                { field: 'pageviews', op: 'gte', value: 3, scope: 'session' },
              ],
            },
            wait: { amount: 30, unit: 'minutes' },
            ui: cell(0),
          },
          { id: 'reveal', kind: 'promotion', label: 'Tap to reveal', promotion: 'tap-to-reveal', ui: cell(1) },
          {
            id: 'checking-out',
            kind: 'if',
            label: 'Starts checkout within 20 minutes',
            triggers: [{ on: 'commerce', name: 'begin_checkout' }],
            wait: { amount: 20, unit: 'minutes' },
            ui: cell(2, -1),
          },
          { id: 'remind', kind: 'promotion', label: 'Code reminder bar', promotion: 'reveal-reminder-bar', ui: cell(3, 1) },
          { id: 'done', kind: 'exit', ui: cell(4) },
        ],
        edges: [
          edge('engaged-shopper', 'then', 'reveal'),
          edge('engaged-shopper', 'timeout', 'done'),
          edge('reveal', 'converted', 'checking-out'),
          edge('reveal', 'dismissed', 'done'),
          edge('checking-out', 'then', 'done'),
          edge('checking-out', 'timeout', 'remind'),
          edge('remind', 'converted', 'done'),
          edge('remind', 'dismissed', 'done'),
        ],
      },
    ],
    promotions: [
      {
        id: 'tap-to-reveal',
        name: 'Tap to reveal a surprise code',
        kind: 'slide_in',
        placement: { position: 'bottom_left' },
        steps: [
          {
            id: 'tease',
            blocks: [
              { kind: 'heading', text: 'A little something for you', level: 3 },
              { kind: 'text', text: 'Tap to reveal a surprise discount on today\'s order.' },
              { kind: 'button', text: 'Reveal my discount', action: 'next' },
              { kind: 'close', label: 'No thanks' },
            ],
          },
          {
            id: 'revealed',
            blocks: [
              { kind: 'heading', text: 'You got 12% off!', level: 3 },
              { kind: 'coupon', pool: 'reveal-12' },
              { kind: 'countdown', minutes: 30, expired: 'hide' },
              { kind: 'button', text: 'Copy code', action: 'copy_coupon', converts: true },
            ],
          },
        ],
        theme: { ...THEME, width: 340 },
      },
      {
        id: 'reveal-reminder-bar',
        name: 'Revealed code reminder',
        kind: 'bar',
        placement: { position: 'bottom' },
        steps: [
          {
            id: 'bar',
            blocks: [
              { kind: 'text', text: 'Don\'t forget: your 12% code is still active for a few more minutes.' },
              { kind: 'button', text: 'Check out now', action: 'url', url: '/cart', converts: true },
              { kind: 'close', label: 'Dismiss' },
            ],
          },
        ],
        theme: BAR_THEME,
      },
    ],
  }),
};
