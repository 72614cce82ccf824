import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { compileProject } from '../../src/compile/compile.js';
import { formatProblem } from '../../src/model/problems.js';
import { NODE_KINDS, type AuthoringDocument, type WorkflowNode } from '../../src/model/types.js';
import { getTemplate, listTemplates, TEMPLATE_CATEGORIES, TEMPLATES, templateDocument } from '../../src/templates/index.js';
import { authoringSchema } from '../../src/schema.js';
import { validateProject } from '../../src/validate/validate.js';

const allNodes = (doc: AuthoringDocument): WorkflowNode[] => (doc.workflows ?? []).flatMap((w) => w.nodes);

describe('template library', () => {
  it('keeps its ids stable and unique', () => {
    const ids = TEMPLATES.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Ids are a public contract (docs, links, `workflows templates new <id>`): rename none, only add.
    expect(ids).toMatchInlineSnapshot(`
      [
        "exit-intent-discount",
        "welcome-newsletter",
        "scroll-content-upgrade",
        "sms-two-step-optin",
        "first-purchase-discount-for-new-visitors",
        "cart-abandonment-reminder",
        "free-shipping-threshold-bar",
        "returning-visitor-welcome",
        "social-traffic-welcome",
        "coupon-reveal",
        "offer-ab-test-with-holdout",
        "high-intent-segment",
        "scheduled-announcement-bar",
        "daily-deal-drop",
        "lead-to-webhook",
      ]
    `);
  });

  it.each(TEMPLATES.map((t) => [t.id]))('%s validates with no problems at all', (id) => {
    const problems = validateProject([{ file: `${id}.json`, doc: templateDocument(id) }]);
    expect(problems.map(formatProblem)).toEqual([]);
  });

  it('matches the shipped JSON Schema too', () => {
    const check = new Ajv2020({ allErrors: true, strict: false }).compile(authoringSchema());
    for (const t of TEMPLATES) expect(check(templateDocument(t.id)), `${t.id}: ${JSON.stringify(check.errors)}`).toBe(true);
  });

  it.each(TEMPLATES.map((t) => [t.id]))('%s compiles once its workflows are active', (id) => {
    const doc = templateDocument(id);
    for (const wf of doc.workflows!) wf.status = 'active';
    const result = compileProject([{ file: `${id}.json`, doc }]);
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.warnings.map(formatProblem)).toEqual([]);
    expect(result.bundle.workflows.map((w) => w.id).sort()).toEqual(doc.workflows!.map((w) => w.id).sort());
    for (const p of doc.promotions ?? []) expect(result.bundle.promotions[p.id]).toBeDefined();
  });

  it('compiles nothing while the template is still a draft', () => {
    for (const t of TEMPLATES) {
      const result = compileProject([{ file: 'draft.json', doc: templateDocument(t.id) }]);
      expect(result.ok && result.bundle.workflows).toEqual([]);
    }
  });

  it('hands out fresh draft documents that do not share state with the library', () => {
    const doc = templateDocument('exit-intent-discount');
    expect(doc.format).toBe('workflows/authoring');
    expect(doc.version).toBe(1);
    expect(doc.workflows!.every((w) => w.status === 'draft')).toBe(true);
    doc.workflows![0]!.name = 'changed';
    doc.promotions![0]!.steps = [];
    expect(templateDocument('exit-intent-discount').workflows![0]!.name).toBe('Exit-intent discount');
    expect(getTemplate('exit-intent-discount')!.document.promotions![0]!.steps.length).toBeGreaterThan(0);
  });

  it('names its main workflow after the template', () => {
    for (const t of TEMPLATES) expect(t.document.workflows?.[0]?.id).toBe(t.id);
  });

  it('describes every template for the picker', () => {
    const list = listTemplates();
    expect(list.length).toBe(TEMPLATES.length);
    for (const t of list) {
      expect(Object.keys(t).sort()).toEqual(['category', 'description', 'id', 'name', 'tags']);
      expect(t.name.length).toBeGreaterThan(3);
      expect(t.description.length).toBeGreaterThan(60);
      expect(TEMPLATE_CATEGORIES).toContain(t.category);
      expect(t.tags.length).toBeGreaterThan(1);
    }
  });

  it('answers unknown ids plainly', () => {
    expect(getTemplate('nope')).toBeUndefined();
    expect(() => templateDocument('nope')).toThrow('there is no template "nope"');
  });

  it('uses every node kind and every delay mode somewhere', () => {
    const nodes = TEMPLATES.flatMap((t) => allNodes(t.document));
    expect(new Set(nodes.map((n) => n.kind))).toEqual(new Set(NODE_KINDS));
    const modes = new Set(nodes.flatMap((n) => (n.kind === 'delay' ? [n.mode] : [])));
    expect(modes).toEqual(new Set(['duration', 'time_of_day', 'next_visit']));
    expect(nodes.some((n) => n.kind === 'code' && typeof n.handler === 'string')).toBe(true);
    expect(nodes.some((n) => n.kind === 'split' && n.variants.length === 2 && (n.holdout ?? 0) > 0)).toBe(true);
  });

  it('lays every step out top to bottom', () => {
    for (const t of TEMPLATES) {
      for (const wf of t.document.workflows!) {
        const y = new Map(wf.nodes.map((n) => [n.id, n.ui?.y]));
        for (const n of wf.nodes) expect(typeof n.ui?.x === 'number' && typeof n.ui?.y === 'number', `${t.id}/${n.id}`).toBe(true);
        for (const e of wf.edges) expect(y.get(e.to)! > y.get(e.from)!, `${t.id}: ${e.from} -> ${e.to}`).toBe(true);
        const top = Math.min(...wf.nodes.map((n) => n.ui!.y!));
        expect(y.get(wf.start)).toBe(top);
      }
    }
  });

  it('gives live workflows sensible frequency settings', () => {
    for (const t of TEMPLATES) {
      for (const wf of t.document.workflows!) {
        expect(wf.settings?.reenroll, `${t.id}/${wf.id}`).toBeDefined();
        expect(wf.settings?.priority, `${t.id}/${wf.id}`).toBeDefined();
      }
      const showsPromotion = allNodes(t.document).some((n) => n.kind === 'promotion');
      if (showsPromotion) expect(t.document.workflows![0]!.settings?.goal, t.id).toBeDefined();
    }
  });

  it('uses only placeholder hosts and public app settings', () => {
    for (const t of TEMPLATES) {
      for (const n of allNodes(t.document)) {
        if (n.kind === 'webhook') expect(new URL(n.url).hostname).toMatch(/(^|\.)example\.com$/);
      }
      for (const app of t.document.apps ?? []) {
        for (const key of Object.keys(app.settings)) expect(key).not.toMatch(/secret|token|password|private|key/i);
      }
      const providers = (t.document.apps ?? []).map((a) => a.provider).sort();
      expect(providers, t.id).toEqual([...(t.requires?.apps ?? [])].sort());
    }
  });

  it('covers the briefed scenarios', () => {
    const nodesOf = (id: string) => allNodes(getTemplate(id)!.document);
    const json = (id: string) => JSON.stringify(getTemplate(id)!.document);
    expect(json('cart-abandonment-reminder')).toContain('"cart.value"');
    expect(nodesOf('cart-abandonment-reminder').some((n) => n.kind === 'if' && n.triggers?.some((t) => t.on === 'commerce'))).toBe(true);
    expect(json('returning-visitor-welcome')).toContain('{{first_name | friend}}');
    const sms = nodesOf('sms-two-step-optin').find((n) => n.kind === 'app');
    expect(sms && sms.kind === 'app' && sms.action).toBe('subscribe');
    expect(getTemplate('sms-two-step-optin')!.document.apps![0]!.provider).toBe('klaviyo');
    const steps = getTemplate('sms-two-step-optin')!.document.promotions![0]!.steps;
    expect(steps[0]!.blocks.some((b) => b.kind === 'email')).toBe(true);
    expect(steps[1]!.blocks.some((b) => b.kind === 'phone')).toBe(true);
    expect(steps[1]!.blocks.some((b) => b.kind === 'consent' && b.channel === 'sms')).toBe(true);
    expect(getTemplate('high-intent-segment')!.document.promotions ?? []).toEqual([]);
    const schedule = getTemplate('scheduled-announcement-bar')!.document.workflows![0]!.settings!.schedule!;
    expect(schedule.days?.length && schedule.hours && schedule.timezone).toBeTruthy();
    const hook = nodesOf('lead-to-webhook').find((n) => n.kind === 'webhook');
    expect(hook && hook.kind === 'webhook' && JSON.stringify(hook.body)).toContain('{{visitor.email}}');
    const wf = getTemplate('lead-to-webhook')!.document.workflows![0]!;
    expect(wf.edges.filter((e) => e.from === 'send-lead').map((e) => e.port).sort()).toEqual(['failed', 'ok']);
  });
});
