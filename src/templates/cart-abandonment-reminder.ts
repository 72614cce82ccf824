import { authoring, BAR_THEME, cell, edge, THEME } from './build.js';
import type { Template } from './types.js';

/**
 * Cart recovery in the browser: a free-shipping nudge when a shopper with a real cart heads for the door,
 * and a "your cart is saved" bar when they come back without having ordered.
 */
export const cartAbandonmentReminder: Template = {
  id: 'cart-abandonment-reminder',
  name: 'Cart abandonment reminder',
  description:
    'After an add-to-cart, a shopper with at least $25 in the cart who moves to leave (or goes idle) is offered free shipping ' +
    'for the next 15 minutes. If they leave anyway, their next visit opens with a bar linking back to the saved cart.',
  category: 'cart-recovery',
  tags: ['cart', 'abandonment', 'exit intent', 'free shipping', 'countdown', 'data layer'],
  requires: {
    commerce: ['add_to_cart', 'purchase'],
    coupons: ['FREESHIP15 (free shipping)'],
    notes: ['The cart value and item count come from your data-layer e-commerce events (GA4 names).'],
  },
  document: authoring({
    workflows: [
      {
        id: 'cart-abandonment-reminder',
        name: 'Cart abandonment reminder',
        description: 'Win back shoppers who are about to leave a full cart.',
        status: 'draft',
        settings: {
          enrollment: 'auto',
          reenroll: { mode: 'cooldown', days: 1 },
          priority: 80,
          goal: { event: 'purchase', windowDays: 3 },
        },
        start: 'added-to-cart',
        nodes: [
          {
            id: 'added-to-cart',
            kind: 'if',
            label: 'Added something to the cart',
            triggers: [{ on: 'commerce', name: 'add_to_cart' }],
            ui: cell(0),
          },
          {
            id: 'about-to-leave',
            kind: 'if',
            label: 'Leaving or idle with $25+ in the cart',
            triggers: [
              { on: 'exit_intent', minDwellSeconds: 5 },
              { on: 'inactivity', seconds: 90 },
            ],
            conditions: {
              all: [
                { field: 'cart.items', op: 'gt', value: 0 },
                { field: 'cart.value', op: 'gte', value: 25 },
                { field: 'path', op: 'not_contains', value: '/checkout' },
              ],
            },
            wait: { amount: 30, unit: 'minutes' },
            ui: cell(1),
          },
          { id: 'free-shipping-offer', kind: 'promotion', label: 'Free shipping for 15 minutes', promotion: 'cart-free-shipping', ui: cell(2, -1) },
          { id: 'to-next-visit', kind: 'connector', label: 'Try again next visit', target: 'next-visit', ui: cell(3, -1) },
          { id: 'next-visit', kind: 'delay', mode: 'next_visit', label: 'Wait for the next visit', ui: cell(3, 1) },
          {
            id: 'cart-still-full',
            kind: 'if',
            label: 'Cart still has items',
            conditions: { field: 'cart.items', op: 'gt', value: 0 },
            ui: cell(4, 1),
          },
          { id: 'cart-saved', kind: 'promotion', label: 'Your cart is saved', promotion: 'cart-saved-bar', ui: cell(5, 1) },
          { id: 'done', kind: 'exit', ui: cell(6) },
        ],
        edges: [
          edge('added-to-cart', 'then', 'about-to-leave'),
          edge('about-to-leave', 'then', 'free-shipping-offer'),
          edge('about-to-leave', 'timeout', 'next-visit'),
          edge('free-shipping-offer', 'converted', 'done'),
          edge('free-shipping-offer', 'dismissed', 'to-next-visit'),
          edge('next-visit', 'next', 'cart-still-full'),
          edge('cart-still-full', 'then', 'cart-saved'),
          edge('cart-still-full', 'else', 'done'),
          edge('cart-saved', 'converted', 'done'),
          edge('cart-saved', 'dismissed', 'done'),
        ],
      },
    ],
    promotions: [
      {
        id: 'cart-free-shipping',
        name: 'Cart rescue: free shipping',
        kind: 'modal',
        placement: { position: 'center' },
        steps: [
          {
            id: 'offer',
            blocks: [
              { kind: 'heading', text: 'Still deciding?', level: 2 },
              { kind: 'text', text: 'Your cart is saved. Check out in the next 15 minutes and **shipping is on us**.' },
              { kind: 'countdown', minutes: 15, expired: 'close' },
              { kind: 'coupon', code: 'FREESHIP15' },
              { kind: 'button', text: 'Return to my cart', action: 'url', url: '/cart', converts: true },
              { kind: 'close', label: 'Not now' },
            ],
          },
        ],
        theme: THEME,
        mobile: { safe: true },
      },
      {
        id: 'cart-saved-bar',
        name: 'Your cart is saved (bar)',
        kind: 'bar',
        placement: { position: 'top', push: true },
        steps: [
          {
            id: 'bar',
            blocks: [
              { kind: 'text', text: 'Welcome back! The items in your cart are still waiting for you.' },
              { kind: 'button', text: 'View my cart', action: 'url', url: '/cart', converts: true },
              { kind: 'close', label: 'Dismiss' },
            ],
          },
        ],
        theme: BAR_THEME,
      },
    ],
  }),
};
