import { authoring, cell, edge, THEME } from './build.js';
import type { Template } from './types.js';

/** Which offer sells more, and does showing one beat showing none? A sticky 45/45 test with a 10% holdout. */
export const offerAbTestWithHoldout: Template = {
  id: 'offer-ab-test-with-holdout',
  name: 'Offer A/B test with holdout',
  description:
    'Engaged visitors are split between a 10%-off offer and a free-shipping offer; 10% see nothing, so you can measure the ' +
    'lift of each offer against no offer at all. Assignment is sticky per visitor; the goal is a purchase within 7 days.',
  category: 'testing',
  tags: ['a/b test', 'multivariate', 'holdout', 'discount', 'free shipping', 'exit intent'],
  requires: { commerce: ['purchase'], coupons: ['SAVE10 (10% off)', 'SHIPFREE (free shipping)'] },
  document: authoring({
    workflows: [
      {
        id: 'offer-ab-test-with-holdout',
        name: 'Offer A/B test with holdout',
        description: '10% off versus free shipping, with a no-offer holdout.',
        status: 'draft',
        settings: {
          enrollment: 'auto',
          reenroll: { mode: 'cooldown', days: 7 },
          priority: 60,
          goal: { event: 'purchase', windowDays: 7 },
        },
        start: 'engaged',
        nodes: [
          {
            id: 'engaged',
            kind: 'if',
            label: 'Leaving, or 45 s on a product page',
            triggers: [
              { on: 'exit_intent', minDwellSeconds: 8 },
              { on: 'time_on_page', seconds: 45, where: { field: 'path', op: 'starts_with', value: '/products/' } },
            ],
            conditions: { field: 'path', op: 'not_contains', value: '/checkout' },
            ui: cell(0),
          },
          {
            id: 'offer-test',
            kind: 'split',
            label: 'Which offer?',
            test: 'offer-test-discount-vs-shipping',
            variants: [
              { id: 'percent-off', name: '10% off', weight: 50 },
              { id: 'free-shipping', name: 'Free shipping', weight: 50 },
            ],
            holdout: 10,
            ui: cell(1),
          },
          { id: 'show-percent-off', kind: 'promotion', label: '10% off', promotion: 'offer-percent-off', ui: cell(2, -1) },
          { id: 'show-free-shipping', kind: 'promotion', label: 'Free shipping', promotion: 'offer-free-shipping', ui: cell(2, 1) },
          { id: 'done', kind: 'exit', ui: cell(3) },
        ],
        edges: [
          edge('engaged', 'then', 'offer-test'),
          edge('offer-test', 'percent-off', 'show-percent-off'),
          edge('offer-test', 'free-shipping', 'show-free-shipping'),
          edge('offer-test', 'holdout', 'done'),
          edge('show-percent-off', 'converted', 'done'),
          edge('show-percent-off', 'dismissed', 'done'),
          edge('show-free-shipping', 'converted', 'done'),
          edge('show-free-shipping', 'dismissed', 'done'),
        ],
      },
    ],
    promotions: [
      {
        id: 'offer-percent-off',
        name: 'Test offer A: 10% off',
        kind: 'modal',
        placement: { position: 'center' },
        steps: [
          {
            id: 'offer',
            blocks: [
              { kind: 'heading', text: 'Take 10% off today', level: 2 },
              { kind: 'text', text: 'Use this code at checkout. Valid on everything except gift cards.' },
              { kind: 'coupon', code: 'SAVE10' },
              { kind: 'button', text: 'Copy code and shop', action: 'copy_coupon', converts: true },
              { kind: 'close', label: 'No thanks' },
            ],
          },
        ],
        theme: THEME,
        mobile: { safe: true },
      },
      {
        id: 'offer-free-shipping',
        name: 'Test offer B: free shipping',
        kind: 'modal',
        placement: { position: 'center' },
        steps: [
          {
            id: 'offer',
            blocks: [
              { kind: 'heading', text: 'Shipping is on us today', level: 2 },
              { kind: 'text', text: 'Use this code at checkout for free standard shipping on any order.' },
              { kind: 'coupon', code: 'SHIPFREE' },
              { kind: 'button', text: 'Copy code and shop', action: 'copy_coupon', converts: true },
              { kind: 'close', label: 'No thanks' },
            ],
          },
        ],
        theme: THEME,
        mobile: { safe: true },
      },
    ],
  }),
};
