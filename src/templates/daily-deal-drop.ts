import { authoring, BAR_THEME, cell, edge, THEME } from './build.js';
import type { Template } from './types.js';

/** A deal that goes live at noon: morning visitors get a heads-up, and the reveal when it drops if they are still around. */
export const dailyDealDrop: Template = {
  id: 'daily-deal-drop',
  name: 'Daily deal drop at noon',
  description:
    'Visitors before 12:00 (New York time) see a bar announcing that today\'s deal drops at noon; those who ask to be ' +
    'reminded get the deal revealed on their first page after noon. Visitors after noon see the deal straight away.',
  category: 'announcements',
  tags: ['daily deal', 'flash sale', 'time of day', 'delay', 'time zone', 'bar', 'modal'],
  requires: {
    notes: [
      'Point the buttons at the page of the day\'s deal (here /collections/deal-of-the-day).',
      'Change the time zone in the condition and the delay to your own.',
    ],
  },
  document: authoring({
    workflows: [
      {
        id: 'daily-deal-drop',
        name: 'Daily deal drop at noon',
        description: 'Tease the daily deal in the morning, reveal it at noon.',
        status: 'draft',
        settings: {
          enrollment: 'auto',
          reenroll: { mode: 'cooldown', days: 1 },
          priority: 50,
          goal: { event: 'purchase', windowDays: 1 },
        },
        start: 'arrived',
        nodes: [
          {
            id: 'arrived',
            kind: 'if',
            label: 'A few seconds on any page',
            triggers: [{ on: 'time_on_page', seconds: 4 }],
            conditions: { field: 'path', op: 'not_contains', value: '/checkout' },
            ui: cell(0),
          },
          {
            id: 'before-noon',
            kind: 'if',
            label: 'Before noon in New York?',
            conditions: { field: 'time', op: 'before', value: '12:00', timezone: 'America/New_York' },
            ui: cell(1),
          },
          { id: 'tease', kind: 'promotion', label: 'Deal drops at noon', promotion: 'deal-teaser-bar', ui: cell(2, -1) },
          {
            id: 'until-noon',
            kind: 'delay',
            mode: 'time_of_day',
            time: '12:00',
            timezone: 'America/New_York',
            label: 'Wait until 12:00',
            ui: cell(3, -1),
          },
          { id: 'reveal', kind: 'promotion', label: 'Today\'s deal', promotion: 'deal-reveal', ui: cell(4) },
          { id: 'done', kind: 'exit', ui: cell(5) },
        ],
        edges: [
          edge('arrived', 'then', 'before-noon'),
          edge('before-noon', 'then', 'tease'),
          edge('before-noon', 'else', 'reveal'),
          edge('tease', 'converted', 'until-noon'),
          edge('tease', 'dismissed', 'done'),
          edge('until-noon', 'next', 'reveal'),
          edge('reveal', 'converted', 'done'),
          edge('reveal', 'dismissed', 'done'),
        ],
      },
    ],
    promotions: [
      {
        id: 'deal-teaser-bar',
        name: 'Deal teaser bar',
        kind: 'bar',
        placement: { position: 'top', push: true },
        steps: [
          {
            id: 'bar',
            blocks: [
              { kind: 'text', text: 'Today\'s deal drops at **12:00 ET**. One product, one day, up to 40% off.' },
              { kind: 'button', text: 'Remind me', action: 'close', converts: true },
              { kind: 'close', label: 'Dismiss' },
            ],
          },
        ],
        theme: BAR_THEME,
      },
      {
        id: 'deal-reveal',
        name: 'Deal of the day',
        kind: 'modal',
        placement: { position: 'center' },
        steps: [
          {
            id: 'deal',
            blocks: [
              { kind: 'heading', text: 'Today\'s deal is live', level: 2 },
              { kind: 'text', text: 'Up to 40% off one hand-picked product, until midnight or until it sells out.' },
              { kind: 'button', text: 'See the deal', action: 'url', url: '/collections/deal-of-the-day', converts: true },
              { kind: 'close', label: 'Maybe later' },
            ],
          },
        ],
        theme: THEME,
        mobile: { safe: true },
      },
    ],
  }),
};
