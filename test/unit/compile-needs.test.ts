// The features a compiled bundle needs (`needs`, docs/format.md): each is detected where it is used, and nothing
// else is listed, so that the runtime imports exactly the chunks the bundle uses.
import { describe, expect, it } from 'vitest';
import { compileProject } from '../../src/compile/compile.js';
import type { AuthoringDocument, Condition, Segment, Workflow, WorkflowNode } from '../../src/index.js';
import { documentWith, workflow } from './fixtures.js';

function compiled(doc: AuthoringDocument) {
  const result = compileProject([{ file: 'doc.json', doc }]);
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.pointer}: ${p.message}`).join('\n'));
  return result.bundle;
}

/** A workflow that waits on an event, runs `step`, and does nothing else a chunk is needed for. */
function plain(step: WorkflowNode, overrides: Partial<Workflow> = {}): Workflow {
  return workflow({
    id: 'wf_plain',
    nodes: [{ id: 'trigger', kind: 'if', triggers: [{ on: 'event', name: 'signup' }] }, step],
    edges: [{ from: 'trigger', port: 'then', to: step.id }],
    ...overrides,
  });
}

const tag: WorkflowNode = { id: 'tag', kind: 'segment', segment: 'seg_leads', action: 'add' };
const night: Condition = { field: 'time', op: 'between', value: ['22:00', '06:00'] };
const device: Condition = { field: 'device', op: 'equals', value: 'desktop' };
const needsOf = (w: Workflow, more: Partial<AuthoringDocument> = {}) => compiled(documentWith({ workflows: [w], ...more }));

describe('bundle.needs', () => {
  it('is empty for workflows that only wait on events, test the visitor and tag segments', () => {
    const bundle = needsOf(plain(tag, { nodes: [{ id: 'trigger', kind: 'if', triggers: [{ on: 'event', name: 'signup', where: device }], conditions: device }, tag] }));
    expect(bundle.needs).toEqual([]);
    expect(bundle.workflows[0]!.needs).toBeUndefined();
  });

  it('lists promotions for a Promotion step', () => {
    const bundle = needsOf(workflow());
    expect(bundle.needs).toEqual(['promotions']);
    expect(bundle.workflows[0]!.needs).toEqual(['promotions']);
  });

  it('lists variants for a Multivariate Test', () => {
    const split: WorkflowNode = { id: 'split', kind: 'split', variants: [{ id: 'a', weight: 50 }, { id: 'b', weight: 50 }] };
    expect(needsOf(plain(split)).needs).toEqual(['variants']);
  });

  it('lists time for a Delay until a time of day, not for other delays', () => {
    expect(needsOf(plain({ id: 'wait', kind: 'delay', mode: 'time_of_day', time: '09:00' })).needs).toEqual(['time']);
    expect(needsOf(plain({ id: 'wait', kind: 'delay', mode: 'duration', duration: { amount: 1, unit: 'days' } })).needs).toEqual([]);
    expect(needsOf(plain({ id: 'wait', kind: 'delay', mode: 'next_visit' })).needs).toEqual([]);
  });

  it('lists time for a schedule', () => {
    expect(needsOf(plain(tag, { settings: { schedule: { timezone: 'UTC', days: ['mon'] } } })).needs).toEqual(['time']);
  });

  // The last column: what the workflow needs besides time (a goal always needs the goals chunk).
  it.each<[string, (c: Condition) => Workflow, string[]]>([
    ['an If/Then condition', (c) => plain(tag, { nodes: [{ id: 'trigger', kind: 'if', triggers: [{ on: 'event', name: 'signup' }], conditions: c }, tag] }), []],
    ['a trigger filter', (c) => plain(tag, { nodes: [{ id: 'trigger', kind: 'if', triggers: [{ on: 'event', name: 'signup', where: c }] }, tag] }), []],
    ['a goal filter', (c) => plain(tag, { settings: { goal: { event: 'signup_done', where: c } } }), ['goals']],
  ])('lists time when %s reads the clock, a date or a zone, and not otherwise', (_, make, besides) => {
    for (const c of [night, { field: 'weekday', op: 'equals', value: 'mon' }, { field: 'days_since_first_visit', op: 'gt', value: 3 }, { field: 'attributes.birthday', op: 'before', value: '2000-01-01' }] as Condition[])
      expect(needsOf(make(c)).workflows[0]!.needs, JSON.stringify(c)).toEqual(['time', ...besides]);
    expect(needsOf(make(device)).needs).toEqual(besides);
    expect(needsOf(make({ field: 'attributes.age', op: 'gt', value: 30 })).needs).toEqual(besides);
  });

  it('lists goals for a workflow with a goal, on that workflow alone', () => {
    const bundle = compiled(documentWith({ workflows: [plain(tag, { id: 'wf_goal', settings: { goal: { event: 'signup_done' } } }), plain(tag, { id: 'wf_other' })] }));
    expect(bundle.needs).toEqual(['goals']);
    expect(Object.fromEntries(bundle.workflows.map((w) => [w.id, w.needs]))).toEqual({ wf_goal: ['goals'], wf_other: undefined });
  });

  it('lists commerce where a workflow waits on a commerce event, reads the cart or has a commerce goal, and nowhere else', () => {
    const cart = { field: 'cart.value', op: 'gte', value: 50 } as Condition;
    const needs = (w: Workflow, segments?: Segment[]) => needsOf(w, segments ? { segments } : undefined);
    const waitsOn = (trigger: object, conditions?: Condition) => plain(tag, { nodes: [{ id: 'trigger', kind: 'if', triggers: [trigger], conditions } as WorkflowNode, tag] });
    expect(needs(waitsOn({ on: 'commerce', name: 'add_to_cart' })).workflows[0]!.needs).toEqual(['commerce']);
    expect(needs(waitsOn({ on: 'event', name: 'signup' }, cart)).needs).toEqual(['commerce']);
    expect(needs(waitsOn({ on: 'event', name: 'signup', where: { field: 'cart.items', op: 'gt', value: 0 } })).needs).toEqual(['commerce']);
    expect(needs(plain(tag, { settings: { goal: { event: 'purchase' } } })).needs).toEqual(['goals', 'commerce']);
    expect(needs(plain(tag, { settings: { goal: { event: 'signup_done', where: cart } } })).needs).toEqual(['goals', 'commerce']);
    // Not the cart: a custom event, a property of the event, another field.
    expect(needs(waitsOn({ on: 'event', name: 'add_to_cart', where: { field: 'event.value', op: 'gt', value: 1 } })).needs).toEqual([]);
    expect(needs(plain(tag, { settings: { goal: { event: 'signup_done' } } })).needs).toEqual(['goals']);
    // A rule segment on the cart needs it, on the segment.
    const b = needs(waitsOn({ on: 'segment_entered', segment: 'seg_big' }), [{ id: 'seg_leads', name: 'Leads', kind: 'manual' }, { id: 'seg_big', name: 'Big carts', kind: 'rule', rule: cart }]);
    expect(b.needs).toEqual(['segments', 'commerce']);
    expect(b.segments.seg_big!.needs).toEqual(['segments', 'commerce']);
    expect(b.workflows[0]!.needs).toBeUndefined();
  });

  it('lists segments for a rule segment, and time when its rule reads it, on the segment and not on the workflows', () => {
    const enters = (rule: Condition) =>
      needsOf(plain(tag, { nodes: [{ id: 'trigger', kind: 'if', triggers: [{ on: 'segment_entered', segment: 'seg_night' }] }, tag] }), {
        segments: [{ id: 'seg_leads', name: 'Leads', kind: 'manual' }, { id: 'seg_night', name: 'Night owls', kind: 'rule', rule }],
      });
    const bundle = enters(night);
    expect(bundle.needs).toEqual(['time', 'segments']);
    expect(bundle.segments.seg_night!.needs).toEqual(['time', 'segments']);
    expect(bundle.segments.seg_leads!.needs).toBeUndefined();
    expect(bundle.workflows[0]!.needs).toBeUndefined();
    expect(enters(device).needs).toEqual(['segments']);
    expect(enters(device).segments.seg_night!.needs).toEqual(['segments']);
  });

  it('lists no segments for manual segments alone', () => {
    expect(needsOf(plain(tag), { segments: [{ id: 'seg_leads', name: 'Leads', kind: 'manual' }] }).needs).toEqual([]);
  });

  it('lists channel where a condition, trigger filter, goal filter or segment rule reads the channel, and nowhere else', () => {
    const email: Condition = { field: 'channel', op: 'equals', value: 'email' };
    const gate = (c: Condition) => plain(tag, { nodes: [{ id: 'trigger', kind: 'if', triggers: [{ on: 'event', name: 'signup' }], conditions: c }, tag] });
    expect(needsOf(gate(email)).workflows[0]!.needs).toEqual(['channel']);
    expect(needsOf(gate({ all: [device, { any: [night, email] }] } as Condition)).workflows[0]!.needs).toEqual(['time', 'channel']);
    expect(needsOf(plain(tag, { nodes: [{ id: 'trigger', kind: 'if', triggers: [{ on: 'event', name: 'signup', where: email }] }, tag] })).needs).toEqual(['channel']);
    expect(needsOf(plain(tag, { settings: { goal: { event: 'signup_done', where: email } } })).needs).toEqual(['goals', 'channel']);
    const entered = plain(tag, { nodes: [{ id: 'trigger', kind: 'if', triggers: [{ on: 'segment_entered', segment: 'seg_mail' }] }, tag] });
    const bundle = needsOf(entered, { segments: [{ id: 'seg_leads', name: 'Leads', kind: 'manual' }, { id: 'seg_mail', name: 'From email', kind: 'rule', rule: email }] });
    expect(bundle.needs).toEqual(['segments', 'channel']);
    expect(bundle.segments.seg_mail!.needs).toEqual(['segments', 'channel']);
    // The other traffic fields are read from what the session recorded, without the chunk.
    for (const field of ['referrer', 'referrer_host', 'landing_url', 'utm.source'])
      expect(needsOf(gate({ field, op: 'contains', value: 'mail' } as Condition)).needs, field).toEqual([]);
  });

  it('lists enrollment for an Enroll step, on that workflow alone, and not for a re-enrollment setting', () => {
    const other = plain(tag, { id: 'wf_other' });
    const enrolls = plain({ id: 'into', kind: 'enroll', workflow: 'wf_other' });
    const bundle = compiled(documentWith({ workflows: [enrolls, other] }));
    expect(bundle.needs).toEqual(['enrollment']);
    expect(Object.fromEntries(bundle.workflows.map((w) => [w.id, w.needs]))).toEqual({ wf_plain: ['enrollment'], wf_other: undefined });
    // Most workflows set one: re-enrollment stays in the core.
    for (const reenroll of [{ mode: 'never' }, { mode: 'page' }, { mode: 'cooldown', days: 3 }] as const)
      expect(needsOf(plain(tag, { settings: { reenroll } })).needs, reenroll.mode).toEqual([]);
  });

  // Suppression is checked when a held-off workflow would start: that one needs the chunk, not the one that holds.
  it('lists enrollment on the workflows another one suppresses, and on no other', () => {
    const needs = (...ws: Workflow[]) => Object.fromEntries(compiled(documentWith({ workflows: ws })).workflows.map((w) => [w.id, w.needs]));
    const [a, b, c] = ['wf_a', 'wf_b', 'wf_c'].map((id) => plain(tag, { id }));
    const listing = plain(tag, { id: 'wf_hold', settings: { suppress: ['wf_b'] } });
    expect(needs(listing, a!, b!)).toEqual({ wf_hold: undefined, wf_a: undefined, wf_b: ['enrollment'] });
    const all = plain(tag, { id: 'wf_hold', settings: { suppress: 'all' } });
    const manual = plain(tag, { id: 'wf_manual', settings: { enrollment: 'manual' } });
    expect(needs(all, a!, c!, manual)).toEqual({ wf_hold: undefined, wf_a: ['enrollment'], wf_c: ['enrollment'], wf_manual: undefined });
    expect(compiled(documentWith({ workflows: [plain(tag, { id: 'wf_hold', settings: { suppress: 'none' } }), a!] })).needs).toEqual([]);
  });

  it('is the union of its workflows, in a fixed order, each workflow listing its own', () => {
    const split: WorkflowNode = { id: 'split', kind: 'split', variants: [{ id: 'a', weight: 50 }, { id: 'b', weight: 50 }] };
    const bundle = compiled(documentWith({ workflows: [plain(split, { id: 'wf_b' }), workflow({ settings: { schedule: { days: ['mon'] } } })] }));
    expect(bundle.needs).toEqual(['promotions', 'time', 'variants']);
    expect(Object.fromEntries(bundle.workflows.map((w) => [w.id, w.needs]))).toEqual({ wf_exit: ['promotions', 'time'], wf_b: ['variants'] });
  });
});
