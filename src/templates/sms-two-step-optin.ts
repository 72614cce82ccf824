import { authoring, cell, edge, THEME } from './build.js';
import type { Template } from './types.js';

/**
 * Two-step capture: email first (low friction), then the phone number with explicit SMS consent, then the
 * subscriber goes to a Klaviyo list.
 */
export const smsTwoStepOptin: Template = {
  id: 'sms-two-step-optin',
  name: 'Email + SMS two-step opt-in',
  description:
    'A modal asks for an email address first, then offers a bigger reward for a phone number with SMS consent worded for ' +
    'US texting rules. Sign-ups are subscribed to a Klaviyo list and tagged as SMS subscribers.',
  category: 'list-growth',
  tags: ['sms', 'email capture', 'two-step', 'klaviyo', 'consent', 'modal'],
  requires: {
    apps: ['klaviyo'],
    coupons: ['WELCOME10 (10% off)', 'TEXT15 (15% off)'],
    notes: [
      'Set the Klaviyo app connection\'s companyId to your public site id and the App step\'s list to your SMS list id.',
      'Have your legal team review the SMS consent text for your country.',
    ],
  },
  document: authoring({
    workflows: [
      {
        id: 'sms-two-step-optin',
        name: 'Email + SMS two-step opt-in',
        description: 'Collect email, then phone with SMS consent, and subscribe to Klaviyo.',
        status: 'draft',
        settings: {
          enrollment: 'auto',
          reenroll: { mode: 'cooldown', days: 10 },
          priority: 60,
          goal: { event: 'purchase', windowDays: 14 },
        },
        start: 'engaged',
        nodes: [
          {
            id: 'engaged',
            kind: 'if',
            label: 'Browsing for a bit, not yet on SMS',
            triggers: [{ on: 'time_on_site', seconds: 25 }],
            conditions: {
              all: [
                { field: 'attributes.phone', op: 'unknown' },
                { field: 'path', op: 'not_contains', value: '/checkout' },
                { field: 'promotion.sms-two-step.closed', op: 'lt', value: 2, scope: 'all_time' },
              ],
            },
            wait: { amount: 20, unit: 'minutes' },
            ui: cell(0),
          },
          { id: 'capture', kind: 'promotion', label: 'Email, then phone', promotion: 'sms-two-step', ui: cell(1) },
          {
            id: 'subscribe',
            kind: 'app',
            label: 'Subscribe in Klaviyo',
            app: 'klaviyo',
            action: 'subscribe',
            list: 'SMSLIST',
            fields: { email: '{{visitor.email}}', phone_number: '{{visitor.phone}}', source: 'Two-step opt-in' },
            ui: cell(2, -1),
          },
          { id: 'tag-sms', kind: 'segment', label: 'Add to SMS subscribers', segment: 'sms-subscribers', action: 'add', ui: cell(3, -1) },
          { id: 'done', kind: 'exit', ui: cell(4) },
        ],
        edges: [
          edge('engaged', 'then', 'capture'),
          edge('engaged', 'timeout', 'done'),
          edge('capture', 'converted', 'subscribe'),
          edge('capture', 'dismissed', 'done'),
          edge('subscribe', 'ok', 'tag-sms'),
          edge('subscribe', 'failed', 'done'),
          edge('tag-sms', 'next', 'done'),
        ],
      },
    ],
    promotions: [
      {
        id: 'sms-two-step',
        name: 'Email + SMS opt-in',
        kind: 'modal',
        placement: { position: 'center' },
        steps: [
          {
            id: 'email',
            blocks: [
              { kind: 'heading', text: 'Unlock 10% off', level: 2 },
              { kind: 'text', text: 'Enter your email and we will send your code right away.' },
              { kind: 'email', label: 'Email', placeholder: 'you@example.com', required: true },
              { kind: 'button', text: 'Continue', action: 'submit' },
              { kind: 'close', label: 'No thanks' },
            ],
          },
          {
            id: 'phone',
            blocks: [
              { kind: 'heading', text: 'Want 15% instead?', level: 2 },
              { kind: 'text', text: 'Add your mobile number for texts about drops and restocks, and your code goes up to 15%.' },
              { kind: 'phone', label: 'Mobile number', placeholder: '(555) 555-0123', country: 'US', required: true },
              {
                kind: 'consent',
                channel: 'sms',
                required: true,
                text:
                  'By checking this box, you agree to receive recurring automated marketing text messages at the number provided. ' +
                  'Consent is not a condition of purchase. Msg & data rates may apply. Msg frequency varies. Reply HELP for help, STOP to cancel.',
              },
              { kind: 'button', text: 'Text me 15% off', action: 'submit' },
              { kind: 'button', text: 'Just email, thanks', action: 'next' },
            ],
          },
          {
            id: 'codes',
            blocks: [
              { kind: 'heading', text: 'You are in!', level: 2 },
              { kind: 'text', text: 'Your 10% code is in your inbox. Added your number? Your 15% code is on its way by text.' },
              { kind: 'button', text: 'Start shopping', action: 'close' },
            ],
          },
        ],
        theme: THEME,
        mobile: { safe: true },
      },
    ],
    segments: [
      { id: 'sms-subscribers', name: 'SMS subscribers', description: 'Visitors who gave a phone number with SMS consent.', kind: 'manual' },
    ],
    apps: [
      {
        id: 'klaviyo',
        name: 'Klaviyo',
        provider: 'klaviyo',
        settings: { companyId: 'ABC123' },
      },
    ],
  }),
};
