import { describe, expect, it } from 'vitest';
import { compileProject } from '../../src/compile/compile.js';
import { COMPILED_VERSION, type CompiledIf } from '../../src/compile/types.js';
import { evaluate } from '../../src/conditions/evaluate.js';
import { lower } from '../../src/conditions/lower.js';
import { check } from '../../src/index.js';
import type { Condition, EvalContext } from '../../src/conditions/types.js';
import type { AuthoringDocument } from '../../src/model/types.js';
import { documentWith, workflow } from './fixtures.js';

function compiled(doc: AuthoringDocument) {
  const result = compileProject([{ file: 'doc.json', doc }]);
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.pointer}: ${p.message}`).join('\n'));
  return result.bundle;
}

describe('compileProject', () => {
  it('refuses invalid input with the validator problems', () => {
    const doc = structuredClone(documentWith()) as any;
    doc.workflows[0].nodes[1].promotion = 'nope';
    const result = compileProject([{ file: 'doc.json', doc }]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems).toContainEqual(expect.objectContaining({ file: 'doc.json', pointer: '/workflows/0/nodes/1/promotion' }));
  });

  it('writes only the settings that differ from their defaults', () => {
    const doc = documentWith();
    const explicitDefaults = { enrollment: 'auto', reenroll: { mode: 'session' }, priority: 50, suppress: [] } as const;
    doc.workflows!.push(
      workflow({ id: 'wf_defaults', settings: { ...explicitDefaults, suppress: [] } }),
      workflow({ id: 'wf_custom', settings: { enrollment: 'manual', reenroll: { mode: 'cooldown', days: 2 }, priority: 90, suppress: 'all' } }),
      workflow({ id: 'wf_some', settings: { priority: 50, suppress: ['wf_exit'] } }),
    );
    const byId = Object.fromEntries(compiled(doc).workflows.map((w) => [w.id, w]));
    expect(byId.wf_defaults!.settings).toBeUndefined();
    expect(byId.wf_custom!.settings).toEqual({ enrollment: 'manual', reenroll: { mode: 'cooldown', days: 2 }, priority: 90, suppress: 'all' });
    expect(byId.wf_some!.settings).toEqual({ suppress: ['wf_exit'] });
  });

  it('keeps only active workflows and what they reference', () => {
    const doc = documentWith();
    doc.workflows!.push(workflow({ id: 'wf_draft', status: 'draft' }), workflow({ id: 'wf_paused', status: 'paused' }));
    doc.promotions!.push({ id: 'promo_unused', name: 'Unused', kind: 'bar', steps: [{ id: 's', blocks: [{ kind: 'text', text: 'x' }] }] });
    const bundle = compiled(doc);
    expect(bundle.workflows.map((w) => w.id)).toEqual(['wf_exit']);
    expect(Object.keys(bundle.promotions)).toEqual(['promo_offer']);
    expect(bundle.segments).toEqual({ seg_leads: {} });
  });

  it('fills step defaults, leaves settings at their defaults out, and drops editor-only data', () => {
    const bundle = compiled(documentWith());
    const wf = bundle.workflows[0]!;
    // Every setting at its default: the runtime reads a missing one as its default.
    expect(wf.settings).toBeUndefined();
    expect(JSON.stringify(wf)).not.toMatch(/"settings"|"enrollment"|"reenroll"|"suppress"|"priority"/);
    const trigger = wf.nodes.trigger as any;
    expect(trigger.ui).toBeUndefined();
    expect(trigger.triggers[0]).toEqual({ on: 'exit_intent', minDwellSeconds: 3, mobile: true });
    expect((wf.nodes.show as any).label).toBeUndefined();
    expect(JSON.stringify(bundle)).not.toMatch(/"ui"|"label"|"description"/);
  });

  it('folds edges into next maps and connectors into go-tos', () => {
    const doc = documentWith();
    const wf = doc.workflows![0]!;
    wf.nodes.push({ id: 'later', kind: 'delay', mode: 'duration', duration: { amount: 2, unit: 'days' } });
    wf.nodes.push({ id: 'back', kind: 'connector', target: 'trigger' });
    wf.edges.push({ from: 'show', port: 'dismissed', to: 'later' }, { from: 'later', port: 'next', to: 'back' });
    const nodes = compiled(doc).workflows[0]!.nodes;
    expect(nodes.show!.next).toEqual({ converted: 'tag', dismissed: 'later' });
    expect(nodes.back).toEqual({ kind: 'connector', next: { next: 'trigger' } });
    expect(nodes.done!.next).toBeUndefined();
  });

  it('indexes trigger kinds to the steps waiting on them', () => {
    const doc = documentWith();
    const wf = doc.workflows![0]!;
    wf.nodes[0] = { id: 'trigger', kind: 'if', triggers: [{ on: 'exit_intent' }, { on: 'event', name: 'signup' }, { on: 'commerce', name: 'add_to_cart' }] };
    const bundle = compiled(doc);
    expect(bundle.index).toEqual({
      exit_intent: [['wf_exit', 'trigger']],
      'event:signup': [['wf_exit', 'trigger']],
      'commerce:add_to_cart': [['wf_exit', 'trigger']],
    });
  });

  it('orders workflows by priority and gives the same hash whatever the file order', () => {
    const a = { workflows: [workflow({ id: 'wf_low', settings: { priority: 10 } })] };
    const b = { workflows: [workflow({ id: 'wf_high', settings: { priority: 90 } })] };
    const lib = { promotions: documentWith().promotions, segments: documentWith().segments };
    const one = compileProject([{ file: 'a', doc: a }, { file: 'b', doc: b }, { file: 'lib', doc: lib }]);
    const two = compileProject([{ file: 'lib', doc: lib }, { file: 'b', doc: b }, { file: 'a', doc: a }]);
    expect(one.ok && two.ok).toBe(true);
    if (!one.ok || !two.ok) return;
    expect(one.bundle.workflows.map((w) => w.id)).toEqual(['wf_high', 'wf_low']);
    expect(one.bundle.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(one.bundle.hash).toBe(two.bundle.hash);
    const changed = compileProject([{ file: 'a', doc: { workflows: [workflow({ id: 'wf_low', settings: { priority: 11 } })] } }, { file: 'b', doc: b }, { file: 'lib', doc: lib }]);
    expect(changed.ok && changed.bundle.hash).not.toBe(one.bundle.hash);
  });

  it('allows the hosts of webhook steps and site settings', () => {
    const doc = documentWith({ site: { webhookHosts: ['crm.example.org'] } });
    doc.workflows![0]!.nodes.push({ id: 'hook', kind: 'webhook', url: 'https://Hooks.Example.com/lead/{{visitor.id}}' });
    doc.workflows![0]!.edges.push({ from: 'show', port: 'dismissed', to: 'hook' });
    const bundle = compiled(doc);
    expect(bundle.site.webhookHosts).toEqual(['crm.example.org', 'hooks.example.com']);
    expect(bundle.workflows[0]!.nodes.hook).toMatchObject({ method: 'POST' });
  });

  it('refuses to enroll into a workflow that is not active', () => {
    const doc = documentWith();
    doc.workflows!.push(workflow({ id: 'wf_next', status: 'draft' }));
    doc.workflows![0]!.nodes.push({ id: 'more', kind: 'enroll', workflow: 'wf_next' });
    doc.workflows![0]!.edges.push({ from: 'show', port: 'dismissed', to: 'more' });
    const result = compileProject([{ file: 'doc.json', doc }]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.find((p) => p.severity === 'error')).toMatchObject({ pointer: '/workflows/0/nodes/4/workflow' });
  });

  it('does not share objects with its input', () => {
    const doc = documentWith();
    const bundle = compiled(doc);
    const trigger = bundle.workflows[0]!.nodes.trigger as CompiledIf;
    trigger.triggers![0]!.on = 'click';
    trigger.conditions![2] = 'mobile';
    expect(doc.workflows![0]!.nodes[0]).toMatchObject({ triggers: [{ on: 'exit_intent' }], conditions: { field: 'device', op: 'equals', value: 'desktop' } });
  });

  it('lowers every condition the runtime evaluates, and leaves the documents as they were', () => {
    const gate: Condition = { all: [{ field: 'device', op: 'equals', value: 'desktop' }, { not: { field: 'segments', op: 'contains', value: 'seg_leads' } }] };
    const filter: Condition = { field: 'event.plan', op: 'one_of', value: ['pro', 'team'] };
    const goal: Condition = { field: 'event.value', op: 'gte', value: 50 };
    const rule: Condition = { field: 'time', op: 'between', value: ['22:00', '02:00'], timezone: 'Europe/Paris' };
    const doc = documentWith({ segments: [{ id: 'seg_leads', name: 'Leads', kind: 'manual' }, { id: 'seg_night', name: 'Night owls', kind: 'rule', rule }] });
    const wf = doc.workflows![0]!;
    wf.settings = { goal: { event: 'purchase', where: goal } };
    wf.nodes[0] = { id: 'trigger', kind: 'if', triggers: [{ on: 'exit_intent', where: filter }, { on: 'segment_entered', segment: 'seg_night' }], conditions: gate };
    const before = structuredClone(doc);
    const bundle = compiled(doc);
    expect(doc).toEqual(before);
    expect(bundle.version).toBe(COMPILED_VERSION);

    const trigger = bundle.workflows[0]!.nodes.trigger as CompiledIf;
    expect(trigger.conditions).toEqual(lower(gate));
    expect(trigger.triggers).toEqual([
      { on: 'exit_intent', minDwellSeconds: 3, mobile: true, where: lower(filter) },
      { on: 'segment_entered', segment: 'seg_night' },
    ]);
    expect(bundle.workflows[0]!.settings!.goal).toEqual({ event: 'purchase', windowDays: 7, where: lower(goal) });
    expect(bundle.segments.seg_night).toEqual({ rule: lower(rule), needs: ['time', 'segments'] });
    // Lowered: short arrays, `not` pushed into the rule, the pair of times as minutes of the day.
    expect(trigger.conditions).toEqual(['&', [0, 'visitor.device', 'desktop'], [18, 'visitor.segments', 'seg_leads']]);
    expect(bundle.segments.seg_night!.rule).toEqual([203, '~time', [1320, 120], 'Europe/Paris']);

    // The runtime's verdicts on what shipped are the evaluator's on what was written.
    const ctx = (device: string, hour: number): EvalContext => ({
      now: Date.UTC(2024, 5, 14, hour),
      page: { url: 'https://shop.example/' },
      visitor: { device: device as 'desktop', segments: [] },
      event: { name: 'purchase', props: { plan: 'Team', value: 80 } },
    });
    const pairs: [Condition, unknown][] = [[gate, trigger.conditions], [filter, trigger.triggers![0]!.where], [goal, bundle.workflows[0]!.settings!.goal!.where], [rule, bundle.segments.seg_night!.rule]];
    for (const x of [ctx('desktop', 21), ctx('mobile', 23), ctx('desktop', 12)])
      for (const [source, shipped] of pairs) expect(check(shipped as never, x)).toBe(evaluate(source, x));
  });

  it('adds a URL pre-test to start gates aimed at some pages', () => {
    const doc = documentWith();
    doc.workflows![0]!.nodes[0] = { id: 'trigger', kind: 'if', conditions: { all: [{ field: 'path', op: 'starts_with', value: '/Sale' }, { field: 'device', op: 'equals', value: 'desktop' }] } };
    expect(compiled(doc).workflows[0]!.url).toBe('/sale');
    expect(compiled(documentWith()).workflows[0]!.url).toBeUndefined(); // a trigger gate is not pre-tested
  });
});
