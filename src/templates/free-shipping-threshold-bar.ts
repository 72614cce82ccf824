import { authoring, BAR_THEME, cell, edge } from './build.js';
import type { Template } from './types.js';

/** Raises order value: tell shoppers under the free-shipping threshold how to get there, and celebrate when they do. */
export const freeShippingThresholdBar: Template = {
  id: 'free-shipping-threshold-bar',
  name: 'Free-shipping threshold bar',
  description:
    'When the cart changes, shoppers under $50 see a bar suggesting one more item for free shipping; shoppers at $50 or more ' +
    'see that their order ships free. A shopper who crosses the line within 30 minutes gets the "ships free" bar too.',
  category: 'conversion',
  tags: ['cart value', 'free shipping', 'average order value', 'bar', 'data layer'],
  requires: {
    commerce: ['add_to_cart', 'view_cart', 'begin_checkout'],
    notes: ['Change 50 in the two conditions and the bar text to your own free-shipping threshold.'],
  },
  document: authoring({
    workflows: [
      {
        id: 'free-shipping-threshold-bar',
        name: 'Free-shipping threshold bar',
        description: 'Nudge carts under $50 toward free shipping.',
        status: 'draft',
        settings: {
          enrollment: 'auto',
          reenroll: { mode: 'session' },
          priority: 35,
          goal: { event: 'begin_checkout', windowDays: 1 },
        },
        start: 'cart-changed',
        nodes: [
          {
            id: 'cart-changed',
            kind: 'if',
            label: 'Cart has items',
            triggers: [
              { on: 'commerce', name: 'add_to_cart' },
              { on: 'commerce', name: 'view_cart' },
            ],
            conditions: { field: 'cart.items', op: 'gt', value: 0 },
            ui: cell(0),
          },
          {
            id: 'under-threshold',
            kind: 'if',
            label: 'Cart under $50?',
            conditions: { field: 'cart.value', op: 'lt', value: 50 },
            ui: cell(1),
          },
          { id: 'nudge', kind: 'promotion', label: 'Add a little more', promotion: 'free-shipping-nudge', ui: cell(2, -1) },
          {
            id: 'crossed-threshold',
            kind: 'if',
            label: 'Reaches $50 within 30 minutes',
            triggers: [{ on: 'commerce', name: 'add_to_cart' }],
            conditions: { field: 'cart.value', op: 'gte', value: 50 },
            wait: { amount: 30, unit: 'minutes' },
            ui: cell(3, -1),
          },
          { id: 'unlocked', kind: 'promotion', label: 'Your order ships free', promotion: 'free-shipping-unlocked', ui: cell(4, 1) },
          { id: 'done', kind: 'exit', ui: cell(5) },
        ],
        edges: [
          edge('cart-changed', 'then', 'under-threshold'),
          edge('under-threshold', 'then', 'nudge'),
          edge('under-threshold', 'else', 'unlocked'),
          edge('nudge', 'converted', 'crossed-threshold'),
          edge('nudge', 'dismissed', 'crossed-threshold'),
          edge('crossed-threshold', 'then', 'unlocked'),
          edge('crossed-threshold', 'timeout', 'done'),
          edge('unlocked', 'converted', 'done'),
          edge('unlocked', 'dismissed', 'done'),
        ],
      },
    ],
    promotions: [
      {
        id: 'free-shipping-nudge',
        name: 'Free shipping: add a little more',
        kind: 'bar',
        placement: { position: 'top', push: true },
        steps: [
          {
            id: 'bar',
            blocks: [
              { kind: 'text', text: 'You are close! Orders over **$50** ship free. Add one more favorite to qualify.' },
              { kind: 'button', text: 'Shop best sellers', action: 'url', url: '/collections/best-sellers', converts: true },
              { kind: 'close', label: 'Dismiss' },
            ],
          },
        ],
        theme: BAR_THEME,
      },
      {
        id: 'free-shipping-unlocked',
        name: 'Free shipping: unlocked',
        kind: 'bar',
        placement: { position: 'top', push: true },
        steps: [
          {
            id: 'bar',
            blocks: [
              { kind: 'text', text: 'Nice, your order **ships free**.' },
              { kind: 'button', text: 'Go to checkout', action: 'url', url: '/checkout', converts: true },
              { kind: 'close', label: 'Dismiss' },
            ],
          },
        ],
        theme: { ...BAR_THEME, background: '#065f46' },
      },
    ],
  }),
};
