import { authoring, cell, edge, THEME } from './build.js';
import type { Template } from './types.js';

/** Blog readers who reach the meat of an article are offered a printable companion for their email address. */
export const scrollContentUpgrade: Template = {
  id: 'scroll-content-upgrade',
  name: 'Content upgrade on scroll',
  description:
    'On blog articles, readers who scroll 60% of the way down are offered a free printable checklist for their email. ' +
    'After they sign up, a code handler on your site starts the download.',
  category: 'list-growth',
  tags: ['content', 'blog', 'scroll depth', 'lead magnet', 'slide-in', 'code'],
  requires: {
    handlers: ['contentUpgrade.deliver'],
    events: ['content_upgrade_downloaded'],
    notes: [
      'Register contentUpgrade.deliver to start the download and call workflows.track("content_upgrade_downloaded").',
      'Publish the checklist at /downloads/checklist.pdf, or change the link in the promotion.',
    ],
  },
  document: authoring({
    workflows: [
      {
        id: 'scroll-content-upgrade',
        name: 'Content upgrade on scroll',
        description: 'Offer a printable checklist to engaged blog readers.',
        status: 'draft',
        settings: {
          enrollment: 'auto',
          reenroll: { mode: 'session' },
          priority: 40,
          goal: { event: 'content_upgrade_downloaded', windowDays: 1 },
        },
        start: 'engaged-reader',
        nodes: [
          {
            id: 'engaged-reader',
            kind: 'if',
            label: 'Read 60% of an article',
            triggers: [{ on: 'scroll_depth', percent: 60 }],
            conditions: {
              all: [
                { field: 'path', op: 'starts_with', value: '/blog/' },
                { field: 'attributes.email', op: 'unknown' },
                { field: 'promotion.checklist-upgrade.closed', op: 'lt', value: 2, scope: 'all_time' },
              ],
            },
            ui: cell(0),
          },
          { id: 'offer-checklist', kind: 'promotion', label: 'Checklist offer', promotion: 'checklist-upgrade', ui: cell(1) },
          { id: 'tag-reader', kind: 'segment', label: 'Add to content subscribers', segment: 'content-subscribers', action: 'add', ui: cell(2, -1) },
          {
            id: 'deliver',
            kind: 'code',
            label: 'Start the download',
            handler: 'contentUpgrade.deliver',
            timeoutMs: 5000,
            ui: cell(3, -1),
          },
          { id: 'done', kind: 'exit', ui: cell(4) },
        ],
        edges: [
          edge('engaged-reader', 'then', 'offer-checklist'),
          edge('offer-checklist', 'converted', 'tag-reader'),
          edge('offer-checklist', 'dismissed', 'done'),
          edge('tag-reader', 'next', 'deliver'),
          edge('deliver', 'next', 'done'),
          edge('deliver', 'failed', 'done'),
        ],
      },
    ],
    promotions: [
      {
        id: 'checklist-upgrade',
        name: 'Printable checklist offer',
        kind: 'slide_in',
        placement: { position: 'bottom_right' },
        steps: [
          {
            id: 'offer',
            blocks: [
              { kind: 'heading', text: 'Want this as a printable checklist?', level: 3 },
              { kind: 'text', text: 'Get every step from this article on one page, plus our best guides once a month.' },
              { kind: 'email', label: 'Email', placeholder: 'you@example.com', required: true },
              { kind: 'consent', channel: 'email', text: 'Send me the monthly guide. Unsubscribe anytime.' },
              { kind: 'button', text: 'Send me the checklist', action: 'submit' },
              { kind: 'close', label: 'Not now' },
            ],
          },
          {
            id: 'download',
            blocks: [
              { kind: 'heading', text: 'Your checklist is ready', level: 3 },
              { kind: 'text', text: 'The download should start by itself. A copy is on its way to your inbox too.' },
              { kind: 'button', text: 'Download the PDF', action: 'url', url: '/downloads/checklist.pdf' },
            ],
          },
        ],
        theme: { ...THEME, width: 360 },
      },
    ],
    segments: [
      {
        id: 'content-subscribers',
        name: 'Content subscribers',
        description: 'Readers who asked for a content upgrade.',
        kind: 'manual',
      },
    ],
  }),
};
