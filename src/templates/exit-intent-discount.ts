import { authoring, cell, edge, THEME } from './build.js';
import type { Template } from './types.js';

/** The classic: a visitor about to leave is offered 10% off in exchange for an email address. */
export const exitIntentDiscount: Template = {
  id: 'exit-intent-discount',
  name: 'Exit-intent discount',
  description:
    'When a browsing visitor moves to leave, offer 10% off their first order for their email address, then reveal the code. ' +
    'Skips checkout pages and people who already subscribed, and rests a week after each showing.',
  category: 'list-growth',
  tags: ['exit intent', 'discount', 'email capture', 'coupon', 'modal'],
  requires: { coupons: ['WELCOME10 (10% off, first order)'], commerce: ['purchase'] },
  document: authoring({
    workflows: [
      {
        id: 'exit-intent-discount',
        name: 'Exit-intent discount',
        description: 'Offer 10% off for an email address when a visitor is about to leave.',
        status: 'draft',
        settings: {
          enrollment: 'auto',
          reenroll: { mode: 'cooldown', days: 7 },
          priority: 70,
          goal: { event: 'purchase', windowDays: 7 },
        },
        start: 'about-to-leave',
        nodes: [
          {
            id: 'about-to-leave',
            kind: 'if',
            label: 'Leaving after a real look around',
            triggers: [{ on: 'exit_intent', minDwellSeconds: 10, mobile: true }],
            conditions: {
              all: [
                { field: 'pageviews', op: 'gte', value: 2, scope: 'session' },
                { field: 'path', op: 'not_contains', value: '/checkout' },
                { field: 'path', op: 'not_contains', value: '/cart' },
                { field: 'attributes.email', op: 'unknown' },
                { field: 'promotion.exit-10-off.converted', op: 'equals', value: 0, scope: 'all_time' },
              ],
            },
            ui: cell(0),
          },
          { id: 'show-offer', kind: 'promotion', label: '10% off for an email', promotion: 'exit-10-off', ui: cell(1) },
          {
            id: 'tag-subscriber',
            kind: 'segment',
            label: 'Add to newsletter subscribers',
            segment: 'newsletter-subscribers',
            action: 'add',
            ui: cell(2, -1),
          },
          { id: 'done', kind: 'exit', ui: cell(3) },
        ],
        edges: [
          edge('about-to-leave', 'then', 'show-offer'),
          edge('show-offer', 'converted', 'tag-subscriber'),
          edge('show-offer', 'dismissed', 'done'),
          edge('tag-subscriber', 'next', 'done'),
        ],
      },
    ],
    promotions: [
      {
        id: 'exit-10-off',
        name: 'Exit offer: 10% off for an email',
        kind: 'modal',
        placement: { position: 'center' },
        steps: [
          {
            id: 'offer',
            blocks: [
              { kind: 'heading', text: 'Before you go: 10% off your first order', level: 2 },
              { kind: 'text', text: 'Join our list for early access to new arrivals and members-only offers. Your code arrives instantly.' },
              { kind: 'email', label: 'Email', placeholder: 'you@example.com', required: true },
              { kind: 'consent', channel: 'email', text: 'Send me emails about new products and offers. Unsubscribe anytime.', required: true },
              { kind: 'button', text: 'Get my 10% off', action: 'submit' },
              { kind: 'close', label: 'No thanks' },
            ],
          },
          {
            id: 'code',
            blocks: [
              { kind: 'heading', text: 'Here is your code', level: 2 },
              { kind: 'text', text: 'Use it at checkout. We have also sent it to your inbox.' },
              { kind: 'coupon', code: 'WELCOME10' },
              { kind: 'button', text: 'Copy code', action: 'copy_coupon' },
              { kind: 'button', text: 'Keep shopping', action: 'close' },
            ],
          },
        ],
        theme: THEME,
        mobile: { safe: true },
        teaser: { text: 'Get 10% off', position: 'bottom_left' },
      },
    ],
    segments: [
      {
        id: 'newsletter-subscribers',
        name: 'Newsletter subscribers',
        description: 'Visitors who gave their email address in a promotion.',
        kind: 'manual',
      },
    ],
  }),
};
