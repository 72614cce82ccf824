import { authoring, BAR_THEME, cell, edge, THEME } from './build.js';
import type { Template } from './types.js';

/**
 * A gentle newsletter slide-in for first-time visitors, and a second workflow that greets subscribers on
 * their next visit with the welcome code they earned.
 */
export const welcomeNewsletter: Template = {
  id: 'welcome-newsletter',
  name: 'Welcome newsletter sign-up',
  description:
    'New visitors who have read for 20 seconds or scrolled half a page see a slide-in inviting them to the newsletter with a ' +
    '10% welcome code. Subscribers are enrolled in a follow-up that reminds them of the code on their next visit.',
  category: 'list-growth',
  tags: ['newsletter', 'new visitors', 'slide-in', 'email capture', 'follow-up'],
  requires: { coupons: ['WELCOME10 (10% off, first order)'], commerce: ['purchase'] },
  document: authoring({
    workflows: [
      {
        id: 'welcome-newsletter',
        name: 'Welcome newsletter sign-up',
        description: 'Invite first-time visitors to the newsletter once they show interest.',
        status: 'draft',
        settings: {
          enrollment: 'auto',
          reenroll: { mode: 'cooldown', days: 14 },
          priority: 50,
          goal: { event: 'purchase', windowDays: 14 },
        },
        start: 'interested',
        nodes: [
          {
            id: 'interested',
            kind: 'if',
            label: 'New visitor reading for a while',
            triggers: [
              { on: 'time_on_page', seconds: 20 },
              { on: 'scroll_depth', percent: 50 },
            ],
            conditions: {
              all: [
                { field: 'new_visitor', op: 'equals', value: true },
                { field: 'attributes.email', op: 'unknown' },
                { field: 'path', op: 'not_contains', value: '/checkout' },
              ],
            },
            wait: { amount: 30, unit: 'minutes' },
            ui: cell(0),
          },
          { id: 'invite', kind: 'promotion', label: 'Newsletter slide-in', promotion: 'welcome-slide-in', ui: cell(1) },
          { id: 'tag-subscriber', kind: 'segment', segment: 'newsletter-subscribers', action: 'add', label: 'Add to subscribers', ui: cell(2, -1) },
          { id: 'follow-up', kind: 'enroll', workflow: 'welcome-newsletter-next-visit', label: 'Remind on next visit', ui: cell(3, -1) },
          { id: 'done', kind: 'exit', ui: cell(4) },
        ],
        edges: [
          edge('interested', 'then', 'invite'),
          edge('interested', 'timeout', 'done'),
          edge('invite', 'converted', 'tag-subscriber'),
          edge('invite', 'dismissed', 'done'),
          edge('tag-subscriber', 'next', 'follow-up'),
          edge('follow-up', 'next', 'done'),
        ],
      },
      {
        id: 'welcome-newsletter-next-visit',
        name: 'Welcome newsletter: next-visit reminder',
        description: 'Started by the sign-up workflow: on the subscriber\'s next visit, remind them of their welcome code.',
        status: 'draft',
        settings: { enrollment: 'manual', reenroll: { mode: 'never' }, priority: 40 },
        start: 'next-visit',
        nodes: [
          { id: 'next-visit', kind: 'delay', mode: 'next_visit', label: 'Wait for the next visit', ui: cell(0) },
          {
            id: 'code-unused',
            kind: 'if',
            label: 'Has not started checkout yet',
            triggers: [{ on: 'time_on_page', seconds: 5 }],
            conditions: { field: 'path', op: 'not_contains', value: '/checkout' },
            wait: { amount: 1, unit: 'hours' },
            ui: cell(1),
          },
          { id: 'reminder', kind: 'promotion', label: 'Welcome code reminder bar', promotion: 'welcome-code-reminder', ui: cell(2) },
          { id: 'done', kind: 'exit', ui: cell(3) },
        ],
        edges: [
          edge('next-visit', 'next', 'code-unused'),
          edge('code-unused', 'then', 'reminder'),
          edge('code-unused', 'timeout', 'done'),
          edge('reminder', 'converted', 'done'),
          edge('reminder', 'dismissed', 'done'),
        ],
      },
    ],
    promotions: [
      {
        id: 'welcome-slide-in',
        name: 'Newsletter slide-in',
        kind: 'slide_in',
        placement: { position: 'bottom_right' },
        steps: [
          {
            id: 'sign-up',
            blocks: [
              { kind: 'heading', text: 'Get the good stuff first', level: 2 },
              { kind: 'text', text: 'New arrivals, restocks and members-only offers, about twice a month. Plus **10% off** your first order.' },
              { kind: 'text_field', name: 'first_name', label: 'First name', placeholder: 'Ada' },
              { kind: 'email', label: 'Email', placeholder: 'you@example.com', required: true },
              { kind: 'consent', channel: 'email', text: 'I agree to receive marketing emails. Unsubscribe anytime.', required: true },
              { kind: 'button', text: 'Subscribe', action: 'submit' },
            ],
          },
          {
            id: 'thanks',
            blocks: [
              { kind: 'heading', text: 'Welcome aboard', level: 2 },
              { kind: 'text', text: 'Here is your 10% welcome code. Check your inbox to confirm your subscription.' },
              { kind: 'coupon', code: 'WELCOME10' },
              { kind: 'button', text: 'Copy code', action: 'copy_coupon' },
            ],
          },
        ],
        theme: { ...THEME, width: 360 },
        teaser: { text: 'Join & get 10% off', position: 'bottom_right' },
      },
      {
        id: 'welcome-code-reminder',
        name: 'Welcome code reminder bar',
        kind: 'bar',
        placement: { position: 'top', push: true },
        steps: [
          {
            id: 'reminder',
            blocks: [
              { kind: 'text', text: 'Welcome back, {{first_name | friend}}! Your 10% welcome code is still waiting:' },
              { kind: 'coupon', code: 'WELCOME10' },
              { kind: 'button', text: 'Copy code', action: 'copy_coupon', converts: true },
              { kind: 'close', label: 'Dismiss' },
            ],
          },
        ],
        theme: BAR_THEME,
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
