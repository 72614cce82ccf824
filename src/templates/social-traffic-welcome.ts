import { authoring, cell, edge, THEME } from './build.js';
import type { Template } from './types.js';

/** Visitors from social media often arrive on a single product from a post: welcome them and lower the first hurdle. */
export const socialTrafficWelcome: Template = {
  id: 'social-traffic-welcome',
  name: 'Social traffic welcome',
  description:
    'Visitors whose session came from social media (Instagram, TikTok, Facebook, Pinterest...) get a welcome slide-in with ' +
    'free shipping on their first order after 10 seconds. Shown once per visitor, never to returning customers.',
  category: 'engagement',
  tags: ['social', 'channel', 'utm', 'new visitors', 'free shipping', 'slide-in'],
  requires: { coupons: ['SOCIALSHIP (free shipping, first order)'] },
  document: authoring({
    workflows: [
      {
        id: 'social-traffic-welcome',
        name: 'Social traffic welcome',
        description: 'Welcome offer for visitors arriving from social media.',
        status: 'draft',
        settings: {
          enrollment: 'auto',
          reenroll: { mode: 'never' },
          priority: 55,
          goal: { event: 'purchase', windowDays: 7 },
        },
        start: 'from-social',
        nodes: [
          {
            id: 'from-social',
            kind: 'if',
            label: 'Came from social media',
            triggers: [{ on: 'time_on_page', seconds: 10 }],
            conditions: {
              all: [
                {
                  any: [
                    { field: 'channel', op: 'equals', value: 'social' },
                    { field: 'utm.source', op: 'one_of', value: ['instagram', 'tiktok', 'facebook', 'pinterest'] },
                  ],
                },
                { field: 'new_visitor', op: 'equals', value: true },
                { field: 'path', op: 'not_contains', value: '/checkout' },
              ],
            },
            wait: { amount: 15, unit: 'minutes' },
            ui: cell(0),
          },
          { id: 'welcome', kind: 'promotion', label: 'Social welcome', promotion: 'social-welcome', ui: cell(1) },
          { id: 'done', kind: 'exit', ui: cell(2) },
        ],
        edges: [
          edge('from-social', 'then', 'welcome'),
          edge('from-social', 'timeout', 'done'),
          edge('welcome', 'converted', 'done'),
          edge('welcome', 'dismissed', 'done'),
        ],
      },
    ],
    promotions: [
      {
        id: 'social-welcome',
        name: 'Welcome from social',
        kind: 'slide_in',
        placement: { position: 'bottom_right' },
        steps: [
          {
            id: 'welcome',
            blocks: [
              { kind: 'heading', text: 'Saw us on your feed?', level: 3 },
              { kind: 'text', text: 'Welcome! Your first order ships free with this code.' },
              { kind: 'coupon', code: 'SOCIALSHIP' },
              { kind: 'button', text: 'Copy code', action: 'copy_coupon', converts: true },
              { kind: 'close', label: 'Dismiss' },
            ],
          },
        ],
        theme: { ...THEME, width: 340 },
      },
    ],
  }),
};
