import { authoring, cell, edge } from './build.js';
import type { Template } from './types.js';

/**
 * Background segmentation, no promotion: marks visitors who behave like buyers so other workflows (and your
 * ESP) can treat them differently, and moves them to "customers" once they buy.
 */
export const highIntentSegment: Template = {
  id: 'high-intent-segment',
  name: 'High-intent visitor segment',
  description:
    'Adds visitors to a "High intent" segment when they view 5+ pages in a session, build a cart of $75 or more, or come back ' +
    'for a third visit having seen 10+ pages. When they purchase they move to "Customers". Shows nothing.',
  category: 'segmentation',
  tags: ['segment', 'intent', 'cart value', 'page views', 'no promotion', 'data layer'],
  requires: { commerce: ['add_to_cart', 'view_cart', 'purchase'] },
  document: authoring({
    workflows: [
      {
        id: 'high-intent-segment',
        name: 'High-intent visitor segment',
        description: 'Tag visitors who show buying signals; move them to customers on purchase.',
        status: 'draft',
        settings: { enrollment: 'auto', reenroll: { mode: 'cooldown', days: 30 }, priority: 10 },
        start: 'buying-signals',
        nodes: [
          {
            id: 'buying-signals',
            kind: 'if',
            label: 'Shows buying signals',
            triggers: [
              { on: 'page_view' },
              { on: 'commerce', name: 'view_cart' },
              { on: 'commerce', name: 'add_to_cart' },
            ],
            conditions: {
              any: [
                { field: 'pageviews', op: 'gte', value: 5, scope: 'session' },
                { field: 'cart.value', op: 'gte', value: 75 },
                {
                  all: [
                    { field: 'sessions', op: 'gte', value: 3 },
                    { field: 'pageviews', op: 'gte', value: 10, scope: 'all_time' },
                  ],
                },
              ],
            },
            ui: cell(0),
          },
          { id: 'mark-high-intent', kind: 'segment', label: 'Add to High intent', segment: 'high-intent', action: 'add', ui: cell(1) },
          {
            id: 'purchased',
            kind: 'if',
            label: 'Buys within 30 days',
            triggers: [{ on: 'commerce', name: 'purchase' }],
            wait: { amount: 30, unit: 'days' },
            ui: cell(2),
          },
          { id: 'unmark-high-intent', kind: 'segment', label: 'Remove from High intent', segment: 'high-intent', action: 'remove', ui: cell(3, -1) },
          { id: 'mark-customer', kind: 'segment', label: 'Add to Customers', segment: 'customers', action: 'add', ui: cell(4, -1) },
          { id: 'done', kind: 'exit', ui: cell(5) },
        ],
        edges: [
          edge('buying-signals', 'then', 'mark-high-intent'),
          edge('mark-high-intent', 'next', 'purchased'),
          edge('purchased', 'then', 'unmark-high-intent'),
          edge('purchased', 'timeout', 'done'),
          edge('unmark-high-intent', 'next', 'mark-customer'),
          edge('mark-customer', 'next', 'done'),
        ],
      },
    ],
    segments: [
      {
        id: 'high-intent',
        name: 'High intent',
        description: 'Visitors showing buying signals who have not purchased yet.',
        kind: 'manual',
      },
      { id: 'customers', name: 'Customers', description: 'Visitors seen completing a purchase.', kind: 'manual' },
    ],
  }),
};
