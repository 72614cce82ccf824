/** Small valid documents that tests break on purpose, one field at a time. */
import type { AuthoringDocument, Workflow } from '../../src/model/types.js';

export function workflow(overrides: Partial<Workflow> = {}): Workflow {
  return {
    id: 'wf_exit',
    name: 'Exit offer',
    status: 'active',
    start: 'trigger',
    nodes: [
      { id: 'trigger', kind: 'if', triggers: [{ on: 'exit_intent' }], conditions: { field: 'device', op: 'equals', value: 'desktop' }, ui: { x: 10, y: 20 } },
      { id: 'show', kind: 'promotion', promotion: 'promo_offer', label: 'Show the offer' },
      { id: 'tag', kind: 'segment', segment: 'seg_leads', action: 'add' },
      { id: 'done', kind: 'exit' },
    ],
    edges: [
      { from: 'trigger', port: 'then', to: 'show' },
      { from: 'show', port: 'converted', to: 'tag' },
      { from: 'tag', port: 'next', to: 'done' },
    ],
    ...overrides,
  };
}

export function documentWith(overrides: Partial<AuthoringDocument> = {}): AuthoringDocument {
  return {
    format: 'workflows/authoring',
    version: 1,
    workflows: [workflow()],
    promotions: [
      {
        id: 'promo_offer',
        name: 'Offer',
        kind: 'modal',
        steps: [
          {
            id: 'offer',
            blocks: [
              { kind: 'heading', text: 'Wait! 10% off' },
              { kind: 'email', required: true },
              { kind: 'button', text: 'Get my code', action: 'submit' },
            ],
          },
        ],
      },
    ],
    segments: [{ id: 'seg_leads', name: 'Leads', kind: 'manual' }],
    apps: [],
    ...overrides,
  };
}
