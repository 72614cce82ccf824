import { authoring, BAR_THEME, cell, edge } from './build.js';
import type { Template } from './types.js';

/** A personal hello for people who come back, by name when the site knows it. */
export const returningVisitorWelcome: Template = {
  id: 'returning-visitor-welcome',
  name: 'Returning visitor welcome',
  description:
    'Visitors coming back after at least a day see a slim bar greeting them by first name ("friend" when unknown) and pointing ' +
    'to what is new since their last visit. Once per session, never on checkout.',
  category: 'engagement',
  tags: ['returning visitors', 'personalization', 'dynamic text', 'bar'],
  requires: {
    attributes: ['first_name'],
    commerce: ['view_item'],
    notes: ['first_name is filled by any form field named first_name, or by workflows.identify({ first_name }).'],
  },
  document: authoring({
    workflows: [
      {
        id: 'returning-visitor-welcome',
        name: 'Returning visitor welcome',
        description: 'Greet returning visitors by name and show what is new.',
        status: 'draft',
        settings: {
          enrollment: 'auto',
          reenroll: { mode: 'session' },
          priority: 20,
          goal: { event: 'view_item', windowDays: 1 },
        },
        start: 'returning',
        nodes: [
          {
            id: 'returning',
            kind: 'if',
            label: 'Back after a day or more',
            triggers: [{ on: 'time_on_page', seconds: 3 }],
            conditions: {
              all: [
                { field: 'new_visitor', op: 'equals', value: false },
                { field: 'days_since_last_visit', op: 'gte', value: 1 },
                { field: 'path', op: 'not_contains', value: '/checkout' },
              ],
            },
            wait: { amount: 10, unit: 'minutes' },
            ui: cell(0),
          },
          { id: 'greet', kind: 'promotion', label: 'Welcome back bar', promotion: 'welcome-back-bar', ui: cell(1) },
          { id: 'done', kind: 'exit', ui: cell(2) },
        ],
        edges: [
          edge('returning', 'then', 'greet'),
          edge('returning', 'timeout', 'done'),
          edge('greet', 'converted', 'done'),
          edge('greet', 'dismissed', 'done'),
        ],
      },
    ],
    promotions: [
      {
        id: 'welcome-back-bar',
        name: 'Welcome back bar',
        kind: 'bar',
        placement: { position: 'top', push: true },
        steps: [
          {
            id: 'hello',
            blocks: [
              { kind: 'text', text: 'Welcome back, {{first_name | friend}}! New arrivals landed since your last visit.' },
              { kind: 'button', text: "See what's new", action: 'url', url: '/collections/new', converts: true },
              { kind: 'close', label: 'Dismiss' },
            ],
          },
        ],
        theme: BAR_THEME,
      },
    ],
  }),
};
