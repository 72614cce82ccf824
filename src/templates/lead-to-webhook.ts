import { authoring, cell, edge, THEME } from './build.js';
import type { Template } from './types.js';

/** B2B lead capture: a quote-request form whose answers are posted to your CRM or automation endpoint. */
export const leadToWebhook: Template = {
  id: 'lead-to-webhook',
  name: 'Quote request to webhook',
  description:
    'Clicking any "Get a quote" link opens a short form; the lead is posted as JSON to your webhook, retried once after two ' +
    'minutes if the endpoint fails, and tagged as a lead when delivered.',
  category: 'integrations',
  tags: ['lead capture', 'webhook', 'b2b', 'form', 'crm', 'retry'],
  requires: {
    events: ['quote_requested'],
    notes: [
      'Call workflows.track("quote_requested") where a quote is confirmed (e.g. your CRM\'s thank-you page), or remove the goal.',
      'Replace https://hooks.example.com/leads with your endpoint; it must accept cross-origin POST requests with a JSON body.',
      'Mark the links that open the form with data-workflows="get-quote" (or change the selector).',
    ],
  },
  document: authoring({
    workflows: [
      {
        id: 'lead-to-webhook',
        name: 'Quote request to webhook',
        description: 'Collect quote requests and send them to a webhook.',
        status: 'draft',
        settings: {
          enrollment: 'auto',
          reenroll: { mode: 'page' },
          priority: 90,
          goal: { event: 'quote_requested', windowDays: 1 },
        },
        start: 'wants-quote',
        nodes: [
          {
            id: 'wants-quote',
            kind: 'if',
            label: 'Clicked "Get a quote"',
            triggers: [{ on: 'click', selector: '[data-workflows="get-quote"], a[href="#get-a-quote"]' }],
            ui: cell(0),
          },
          { id: 'quote-form', kind: 'promotion', label: 'Quote request form', promotion: 'quote-request', ui: cell(1) },
          {
            id: 'send-lead',
            kind: 'webhook',
            label: 'Post the lead',
            url: 'https://hooks.example.com/leads',
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: {
              email: '{{visitor.email}}',
              first_name: '{{visitor.first_name}}',
              company: '{{visitor.company}}',
              team_size: '{{visitor.team_size}}',
              message: '{{visitor.message}}',
              page: '{{page.url}}',
              source: 'workflows:lead-to-webhook',
            },
            ui: cell(2, -1),
          },
          { id: 'tag-lead', kind: 'segment', label: 'Add to Leads', segment: 'leads', action: 'add', ui: cell(3, -1) },
          { id: 'wait-before-retry', kind: 'delay', mode: 'duration', duration: { amount: 2, unit: 'minutes' }, label: 'Wait 2 minutes', ui: cell(3, 1) },
          {
            id: 'retry-lead',
            kind: 'webhook',
            label: 'Post the lead again',
            url: 'https://hooks.example.com/leads',
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: {
              email: '{{visitor.email}}',
              first_name: '{{visitor.first_name}}',
              company: '{{visitor.company}}',
              team_size: '{{visitor.team_size}}',
              message: '{{visitor.message}}',
              page: '{{page.url}}',
              source: 'workflows:lead-to-webhook',
              retry: true,
            },
            ui: cell(4, 1),
          },
          { id: 'to-tag-lead', kind: 'connector', label: 'Delivered on retry', target: 'tag-lead', ui: cell(5, 1) },
          { id: 'done', kind: 'exit', ui: cell(6) },
        ],
        edges: [
          edge('wants-quote', 'then', 'quote-form'),
          edge('quote-form', 'converted', 'send-lead'),
          edge('quote-form', 'dismissed', 'done'),
          edge('send-lead', 'ok', 'tag-lead'),
          edge('send-lead', 'failed', 'wait-before-retry'),
          edge('wait-before-retry', 'next', 'retry-lead'),
          edge('retry-lead', 'ok', 'to-tag-lead'),
          edge('retry-lead', 'failed', 'done'),
          edge('tag-lead', 'next', 'done'),
        ],
      },
    ],
    promotions: [
      {
        id: 'quote-request',
        name: 'Quote request form',
        kind: 'modal',
        placement: { position: 'center' },
        steps: [
          {
            id: 'form',
            blocks: [
              { kind: 'heading', text: 'Get a quote', level: 2 },
              { kind: 'text', text: 'Tell us a little about your team and we will reply within one business day.' },
              { kind: 'text_field', name: 'first_name', label: 'First name', required: true },
              { kind: 'email', label: 'Work email', placeholder: 'you@company.example', required: true },
              { kind: 'text_field', name: 'company', label: 'Company', required: true },
              {
                kind: 'select',
                name: 'team_size',
                label: 'Team size',
                required: true,
                options: [
                  { value: '1-10', label: '1–10 people' },
                  { value: '11-50', label: '11–50 people' },
                  { value: '51-200', label: '51–200 people' },
                  { value: '201+', label: 'More than 200' },
                ],
              },
              { kind: 'text_field', name: 'message', label: 'What do you need?', placeholder: 'Optional' },
              { kind: 'button', text: 'Request my quote', action: 'submit' },
              { kind: 'close', label: 'Cancel' },
            ],
          },
          {
            id: 'thanks',
            blocks: [
              { kind: 'heading', text: 'Thanks, {{first_name | there}}!', level: 2 },
              { kind: 'text', text: 'Your request is with our team. Expect a reply within one business day.' },
              { kind: 'button', text: 'Close', action: 'close' },
            ],
          },
        ],
        theme: { ...THEME, width: 520 },
      },
    ],
    segments: [{ id: 'leads', name: 'Leads', description: 'Visitors whose quote request reached the webhook.', kind: 'manual' }],
  }),
};
