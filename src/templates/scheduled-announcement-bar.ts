import { authoring, BAR_THEME, cell, edge } from './build.js';
import type { Template } from './types.js';

/** An announcement that only runs while it is true: same-day shipping, weekday mornings, in the warehouse's time zone. */
export const scheduledAnnouncementBar: Template = {
  id: 'scheduled-announcement-bar',
  name: 'Scheduled announcement bar',
  description:
    'A top bar announcing same-day shipping, shown only Monday to Friday from 06:00 to 14:00 New York time, when orders can ' +
    'still make the cut-off. Once dismissed it stays away for the session.',
  category: 'announcements',
  tags: ['announcement', 'bar', 'schedule', 'shipping', 'time zone'],
  requires: { notes: ['Change the time zone and hours to your warehouse\'s cut-off.'] },
  document: authoring({
    workflows: [
      {
        id: 'scheduled-announcement-bar',
        name: 'Scheduled announcement bar',
        description: 'Same-day shipping bar during weekday shipping hours.',
        status: 'draft',
        settings: {
          enrollment: 'auto',
          reenroll: { mode: 'session' },
          priority: 30,
          schedule: {
            timezone: 'America/New_York',
            days: ['mon', 'tue', 'wed', 'thu', 'fri'],
            hours: { from: '06:00', to: '14:00' },
          },
          goal: { event: 'purchase', windowDays: 1 },
        },
        start: 'any-page',
        nodes: [
          {
            id: 'any-page',
            kind: 'if',
            label: 'Any page but checkout',
            triggers: [{ on: 'page_view' }],
            conditions: { field: 'path', op: 'not_contains', value: '/checkout' },
            ui: cell(0),
          },
          { id: 'announce', kind: 'promotion', label: 'Same-day shipping bar', promotion: 'same-day-shipping-bar', ui: cell(1) },
          { id: 'done', kind: 'exit', ui: cell(2) },
        ],
        edges: [
          edge('any-page', 'then', 'announce'),
          edge('announce', 'converted', 'done'),
          edge('announce', 'dismissed', 'done'),
        ],
      },
    ],
    promotions: [
      {
        id: 'same-day-shipping-bar',
        name: 'Same-day shipping bar',
        kind: 'bar',
        placement: { position: 'top', push: true },
        steps: [
          {
            id: 'bar',
            blocks: [
              { kind: 'text', text: '**Order by 2 pm ET** and it ships today. Free on orders over $50.' },
              { kind: 'button', text: 'Shop best sellers', action: 'url', url: '/collections/best-sellers', converts: true },
              { kind: 'close', label: 'Dismiss' },
            ],
          },
        ],
        theme: BAR_THEME,
        mobile: { position: 'bottom' },
      },
    ],
  }),
};
