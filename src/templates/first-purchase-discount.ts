import { authoring, cell, edge, THEME } from './build.js';
import type { Template } from './types.js';

/** A one-time welcome offer for first-time visitors with unique codes, tracked until they buy. */
export const firstPurchaseDiscount: Template = {
  id: 'first-purchase-discount-for-new-visitors',
  name: 'First-purchase discount for new visitors',
  description:
    'First-time visitors who have looked at two or more pages get a one-time 15% code from a pool of unique codes in exchange ' +
    'for their email. Claimers are tracked in a segment until they buy, and the offer never shows to the same visitor twice.',
  category: 'conversion',
  tags: ['new visitors', 'first purchase', 'unique coupon', 'email capture', 'modal'],
  requires: {
    commerce: ['purchase'],
    coupons: ['a pool of unique 15%-off codes named "first-order-15"'],
  },
  document: authoring({
    workflows: [
      {
        id: 'first-purchase-discount-for-new-visitors',
        name: 'First-purchase discount for new visitors',
        description: 'One-time 15% code for first-time visitors.',
        status: 'draft',
        settings: {
          enrollment: 'auto',
          reenroll: { mode: 'never' },
          priority: 65,
          goal: { event: 'purchase', windowDays: 14 },
        },
        start: 'new-and-browsing',
        nodes: [
          {
            id: 'new-and-browsing',
            kind: 'if',
            label: 'First visit, 2+ pages',
            triggers: [{ on: 'time_on_site', seconds: 40 }],
            conditions: {
              all: [
                { field: 'new_visitor', op: 'equals', value: true },
                { field: 'pageviews', op: 'gte', value: 2, scope: 'session' },
                { field: 'attributes.email', op: 'unknown' },
                { field: 'path', op: 'not_contains', value: '/checkout' },
              ],
            },
            wait: { amount: 1, unit: 'hours' },
            ui: cell(0),
          },
          { id: 'offer', kind: 'promotion', label: '15% off your first order', promotion: 'first-order-15', ui: cell(1) },
          { id: 'mark-claimed', kind: 'segment', label: 'Add to Code claimed', segment: 'first-order-code-claimed', action: 'add', ui: cell(2, -1) },
          {
            id: 'bought',
            kind: 'if',
            label: 'Buys within 14 days',
            triggers: [{ on: 'commerce', name: 'purchase' }],
            wait: { amount: 14, unit: 'days' },
            ui: cell(3, -1),
          },
          { id: 'unmark-claimed', kind: 'segment', label: 'Remove from Code claimed', segment: 'first-order-code-claimed', action: 'remove', ui: cell(4, -1) },
          { id: 'done', kind: 'exit', ui: cell(5) },
        ],
        edges: [
          edge('new-and-browsing', 'then', 'offer'),
          edge('new-and-browsing', 'timeout', 'done'),
          edge('offer', 'converted', 'mark-claimed'),
          edge('offer', 'dismissed', 'done'),
          edge('mark-claimed', 'next', 'bought'),
          edge('bought', 'then', 'unmark-claimed'),
          edge('bought', 'timeout', 'done'),
          edge('unmark-claimed', 'next', 'done'),
        ],
      },
    ],
    promotions: [
      {
        id: 'first-order-15',
        name: 'First order: 15% off',
        kind: 'modal',
        placement: { position: 'center' },
        steps: [
          {
            id: 'offer',
            blocks: [
              { kind: 'heading', text: 'New here? Take 15% off your first order', level: 2 },
              { kind: 'text', text: 'Enter your email for a one-time code. It works on full-price items for the next 14 days.' },
              { kind: 'email', label: 'Email', placeholder: 'you@example.com', required: true },
              { kind: 'consent', channel: 'email', text: 'Email me about new products and offers. Unsubscribe anytime.' },
              { kind: 'button', text: 'Reveal my code', action: 'submit' },
              { kind: 'close', label: 'No thanks' },
            ],
          },
          {
            id: 'code',
            blocks: [
              { kind: 'heading', text: 'Your 15% code', level: 2 },
              { kind: 'coupon', pool: 'first-order-15' },
              { kind: 'text', text: 'This code is yours alone and works once. We have emailed it to you as well.' },
              { kind: 'button', text: 'Copy code', action: 'copy_coupon' },
              { kind: 'button', text: 'Start shopping', action: 'close' },
            ],
          },
        ],
        theme: THEME,
        mobile: { safe: true },
      },
    ],
    segments: [
      {
        id: 'first-order-code-claimed',
        name: 'First-order code claimed',
        description: 'Claimed the first-order code and has not bought yet.',
        kind: 'manual',
      },
    ],
  }),
};
