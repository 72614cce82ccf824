import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EXCHANGE_VERSION,
  ExchangeError,
  exportWorkflow,
  importExchange,
  isSecretKey,
  parseExchange,
  readExchange,
  type ExchangeFile,
  type ItemKind,
} from '../../src/exchange/index.js';
import { formatProblem, type Problem } from '../../src/model/problems.js';
import type { AuthoringDocument } from '../../src/model/types.js';
import { templateDocument } from '../../src/templates/index.js';
import { validateProject } from '../../src/validate/validate.js';

const EXPORTED_AT = '2026-03-01T12:00:00.000Z';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Deterministic ids: wf_1, promo_2, ... */
function counter(): (kind: ItemKind) => string {
  let n = 0;
  const prefix = { workflow: 'wf', promotion: 'promo', segment: 'seg', app: 'app' };
  return (kind) => `${prefix[kind]}_${++n}`;
}

const errorsOf = (ps: Problem[]) => ps.filter((p) => p.severity === 'error').map(formatProblem);
const emptyProject = (): AuthoringDocument => ({ format: 'workflows/authoring', version: 1, workflows: [], promotions: [], segments: [], apps: [] });

/** A project made of several templates in one document, frozen so any mutation throws. */
function project(...ids: string[]): AuthoringDocument {
  const doc = emptyProject();
  for (const id of ids) {
    const t = templateDocument(id);
    for (const key of ['workflows', 'promotions', 'segments', 'apps'] as const) {
      for (const item of t[key] ?? []) {
        const list = doc[key] as { id: string }[];
        if (!list.some((x) => x.id === item.id)) list.push(item);
      }
    }
  }
  return deepFreeze(doc);
}

describe('exportWorkflow', () => {
  it('collects exactly what the workflow references', () => {
    const docs = project('exit-intent-discount', 'sms-two-step-optin', 'lead-to-webhook');
    const file = exportWorkflow('sms-two-step-optin', docs, { exportedAt: EXPORTED_AT });
    expect(file.format).toBe('workflows/exchange');
    expect(file.version).toBe(EXCHANGE_VERSION);
    expect(file.exportedAt).toBe(EXPORTED_AT);
    expect(file.workflow.id).toBe('sms-two-step-optin');
    expect(file.promotions.map((p) => p.id)).toEqual(['sms-two-step']);
    expect(file.segments.map((s) => s.id)).toEqual(['sms-subscribers']);
    expect(file.apps.map((a) => a.id)).toEqual(['klaviyo']);
    expect(file.references.workflows).toEqual([]);
  });

  it('accepts a list of documents (a folder) and lists enrolled workflows without including them', () => {
    const docs = [templateDocument('exit-intent-discount'), templateDocument('welcome-newsletter')].map(deepFreeze);
    // newsletter-subscribers is defined in both documents: the first definition is used.
    const file = exportWorkflow('welcome-newsletter', docs, { exportedAt: EXPORTED_AT });
    expect(file.references.workflows).toEqual(['welcome-newsletter-next-visit']);
    expect(file.promotions.map((p) => p.id)).toEqual(['welcome-slide-in']);
    expect(file.segments.map((s) => s.id)).toEqual(['newsletter-subscribers']);
  });

  it('follows promotions and segments named in conditions, triggers and segment rules', () => {
    const doc = deepFreeze<AuthoringDocument>({
      format: 'workflows/authoring',
      version: 1,
      workflows: [
        {
          id: 'vip-flow',
          name: 'VIP',
          status: 'active',
          revision: 7,
          version: 3,
          settings: { goal: { event: 'purchase', where: { field: 'promotion.goal-promo.seen', op: 'gte', value: 1 } } },
          start: 'check',
          nodes: [
            {
              id: 'check',
              kind: 'if',
              triggers: [
                { on: 'segment_entered', segment: 'entered' },
                { on: 'promotion', outcome: 'closed', promotion: 'trigger-promo' },
              ],
              conditions: { field: 'segments', op: 'contains', value: 'vip' },
            },
            { id: 'end', kind: 'exit' },
          ],
          edges: [{ from: 'check', port: 'then', to: 'end' }],
        },
      ],
      promotions: ['goal-promo', 'trigger-promo', 'rule-promo', 'unused-promo'].map((id) => ({
        id,
        name: id,
        kind: 'bar' as const,
        revision: 2,
        steps: [{ id: 's', blocks: [{ kind: 'text' as const, text: 'Hi' }] }],
      })),
      segments: [
        { id: 'vip', name: 'VIP', kind: 'rule', rule: { all: [{ field: 'segments', op: 'one_of', value: ['base'] }, { field: 'promotion.rule-promo.converted', op: 'gte', value: 1 }] } },
        { id: 'base', name: 'Base', kind: 'manual' },
        { id: 'entered', name: 'Entered', kind: 'manual' },
        { id: 'unused', name: 'Unused', kind: 'manual' },
      ],
    });
    const file = exportWorkflow('vip-flow', doc, { exportedAt: EXPORTED_AT });
    expect(file.promotions.map((p) => p.id)).toEqual(['goal-promo', 'trigger-promo', 'rule-promo']);
    expect(file.segments.map((s) => s.id)).toEqual(['vip', 'base', 'entered']);
    // The source account's bookkeeping does not travel.
    expect(file.workflow.revision).toBeUndefined();
    expect(file.workflow.version).toBeUndefined();
    expect(file.promotions[0]!.revision).toBeUndefined();
  });

  it('strips secret-looking app settings, whatever their case', () => {
    const doc = structuredClone(project('sms-two-step-optin')) as AuthoringDocument;
    doc.apps![0]!.settings = {
      companyId: 'ABC123',
      apiKey: 'pk_live_1',
      API_KEY: 'x',
      Secret: 'x',
      accessToken: 'x',
      password: 'x',
      private_key: 'x',
      PrivateKey: 'x',
      region: 'us',
    };
    deepFreeze(doc);
    const file = exportWorkflow('sms-two-step-optin', doc, { exportedAt: EXPORTED_AT });
    expect(file.apps[0]!.settings).toEqual({ companyId: 'ABC123', region: 'us' });
    expect(JSON.stringify(file)).not.toContain('pk_live_1');
    expect(doc.apps![0]!.settings.apiKey).toBe('pk_live_1');
  });

  it('refuses an unknown workflow with a suggestion, and a missing reference', () => {
    const docs = project('exit-intent-discount');
    expect(() => exportWorkflow('exit-intent-discont', docs)).toThrow(/there is no workflow "exit-intent-discont"; did you mean "exit-intent-discount"/);
    const broken = structuredClone(docs) as AuthoringDocument;
    broken.promotions = [];
    try {
      exportWorkflow('exit-intent-discount', broken);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ExchangeError);
      expect((e as ExchangeError).problems[0]!.message).toBe('workflow "exit-intent-discount" uses promotion "exit-10-off", which is not in the project');
    }
  });
});

describe('isSecretKey', () => {
  it('spots credentials but keeps public ids', () => {
    for (const k of ['apiKey', 'api_key', 'APIKEY', 'secret', 'clientSecret', 'token', 'accessToken', 'password', 'privateKey', 'private-key', 'authToken']) {
      expect(isSecretKey(k), k).toBe(true);
    }
    for (const k of ['companyId', 'portalId', 'formId', 'formAction', 'url', 'listId']) expect(isSecretKey(k), k).toBe(false);
  });
});

describe('round trip: export, parse, import', () => {
  const source = project('exit-intent-discount', 'sms-two-step-optin');
  const text = JSON.stringify(exportWorkflow('sms-two-step-optin', source, { exportedAt: EXPORTED_AT }), null, 2);

  it('copies with new ids and rewritten references, as a draft', () => {
    const parsed = parseExchange(text, 'sms.jst');
    if (!parsed.ok) throw new Error(parsed.problems.map(formatProblem).join('\n'));
    const target = project('welcome-newsletter');
    const result = importExchange(deepFreeze(parsed.file), target, 'copy', { newId: counter() });
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.renamed).toEqual({ 'sms-two-step-optin': 'wf_1', 'sms-two-step': 'promo_2', 'sms-subscribers': 'seg_3', klaviyo: 'app_4' });
    expect(result.workflowId).toBe('wf_1');
    const wf = result.document.workflows!.find((w) => w.id === 'wf_1')!;
    expect(wf.status).toBe('draft');
    const byId = new Map(wf.nodes.map((n) => [n.id, n]));
    expect(byId.get('capture')).toMatchObject({ kind: 'promotion', promotion: 'promo_2' });
    expect(byId.get('subscribe')).toMatchObject({ kind: 'app', app: 'app_4' });
    expect(byId.get('tag-sms')).toMatchObject({ kind: 'segment', segment: 'seg_3' });
    expect(JSON.stringify(byId.get('engaged'))).toContain('"promotion.promo_2.closed"');
    // The project's own items are kept, in place, and the result is valid.
    expect(result.document.workflows!.map((w) => w.id)).toEqual(['welcome-newsletter', 'welcome-newsletter-next-visit', 'wf_1']);
    expect(errorsOf(validateProject([{ file: 'p.json', doc: result.document }]))).toEqual([]);
  });

  it('copies into the project it came from without clashing', () => {
    const parsed = parseExchange(text);
    if (!parsed.ok) throw new Error('parse failed');
    const result = importExchange(parsed.file, source, 'copy', { newId: (kind, old) => `${old}-copy` });
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.document.workflows!.map((w) => w.id)).toEqual(['exit-intent-discount', 'sms-two-step-optin', 'sms-two-step-optin-copy']);
    expect(result.document.apps!.map((a) => a.id)).toEqual(['klaviyo', 'klaviyo-copy']);
    expect(result.document.workflows![2]!.name).toBe('Email + SMS two-step opt-in (copy)');
  });

  it('retries a new id that is taken, and gives up cleanly', () => {
    const parsed = parseExchange(text);
    if (!parsed.ok) throw new Error('parse failed');
    const ids = ['sms-two-step-optin', 'exit-intent-discount', 'fresh-wf', 'p', 's', 'a'];
    const result = importExchange(parsed.file, source, 'copy', { newId: () => ids.shift()! });
    expect(result.ok && result.workflowId).toBe('fresh-wf');
    const stuck = importExchange(parsed.file, source, 'copy', { newId: (kind, old) => old });
    expect(stuck.ok).toBe(false);
    expect(!stuck.ok && stuck.problems[0]!.message).toMatch(/could not make a new unused id for workflow/);
  });

  it('uses nanoid-style ids by default', () => {
    const parsed = parseExchange(text);
    if (!parsed.ok) throw new Error('parse failed');
    const result = importExchange(parsed.file, emptyProject(), 'copy');
    if (!result.ok) throw new Error('import failed');
    expect(result.workflowId).toMatch(/^wf_[0-9a-z]{10}$/);
    expect(Object.values(result.renamed).every((id) => /^(wf|promo|seg|app)_[0-9a-z]{10}$/.test(id))).toBe(true);
  });

  it('updates in place, keeping ids and the project history, as a draft', () => {
    const live = structuredClone(source) as AuthoringDocument;
    const wf = live.workflows!.find((w) => w.id === 'sms-two-step-optin')!;
    Object.assign(wf, { status: 'active', revision: 12, version: 4, name: 'Old name' });
    live.promotions!.find((p) => p.id === 'sms-two-step')!.name = 'Old promotion';
    deepFreeze(live);

    const parsed = parseExchange(text);
    if (!parsed.ok) throw new Error('parse failed');
    const result = importExchange(parsed.file, live, 'update');
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.renamed).toEqual({});
    expect(result.document.workflows!.map((w) => w.id)).toEqual(['exit-intent-discount', 'sms-two-step-optin']);
    const updated = result.document.workflows![1]!;
    expect(updated).toMatchObject({ name: 'Email + SMS two-step opt-in', status: 'draft', revision: 12, version: 4 });
    expect(result.document.promotions!.find((p) => p.id === 'sms-two-step')!.name).toBe('Email + SMS opt-in');
    expect(result.document.promotions!.length).toBe(live.promotions!.length);
    expect(result.warnings.map((w) => w.message)).toContain(
      'workflow "sms-two-step-optin" was active in the project; the imported version is a draft until you activate it',
    );
  });

  it('updates into a project that lacks the items by adding them', () => {
    const parsed = parseExchange(text);
    if (!parsed.ok) throw new Error('parse failed');
    const result = importExchange(parsed.file, deepFreeze(emptyProject()), 'update');
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.document.workflows!.map((w) => w.id)).toEqual(['sms-two-step-optin']);
    expect(result.document.apps!.map((a) => a.id)).toEqual(['klaviyo']);
  });

  it('refuses a workflow that enrolls into one the project lacks, and says why', () => {
    const file = deepFreeze(exportWorkflow('welcome-newsletter', project('welcome-newsletter'), { exportedAt: EXPORTED_AT }));
    const target = project('exit-intent-discount');
    const result = importExchange(file, target, 'copy', { newId: counter(), file: 'site.json' });
    expect(result.ok).toBe(false);
    const messages = !result.ok ? result.problems.map(formatProblem) : [];
    expect(messages).toContain('site.json: /workflows/1/nodes/3/workflow: there is no workflow "welcome-newsletter-next-visit"');
    expect(messages.some((m) => m.includes('refers to workflow "welcome-newsletter-next-visit", which is not in this project'))).toBe(true);
    // ...and succeeds once the project has it.
    const withTarget = structuredClone(target) as AuthoringDocument;
    withTarget.workflows!.push(templateDocument('welcome-newsletter').workflows![1]!);
    const ok = importExchange(file, withTarget, 'copy', { newId: counter() });
    expect(ok.ok && ok.warnings).toEqual([]);
    const enroll = ok.ok && ok.document.workflows!.at(-1)!.nodes.find((n) => n.kind === 'enroll');
    expect(enroll).toMatchObject({ workflow: 'welcome-newsletter-next-visit' });
  });

  it('refuses a file whose workflow is invalid, naming the problem', () => {
    const bad = JSON.parse(text) as ExchangeFile;
    (bad.workflow.nodes[1] as { promotion: string }).promotion = 'nowhere';
    const result = importExchange(deepFreeze(bad), project('exit-intent-discount'), 'update', { file: 'site.json' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.map(formatProblem)).toEqual(['site.json: /workflows/1/nodes/1/promotion: there is no promotion "nowhere"']);
  });

  it('does not blame the file for problems the project already had', () => {
    const messy = structuredClone(project('exit-intent-discount')) as AuthoringDocument;
    (messy.workflows![0]!.nodes[0] as { label: unknown }).label = 42;
    deepFreeze(messy);
    expect(errorsOf(validateProject([{ file: 'p', doc: messy }])).length).toBe(1);
    const parsed = parseExchange(text);
    const result = parsed.ok ? importExchange(parsed.file, messy, 'copy', { newId: counter() }) : undefined;
    expect(result?.ok).toBe(true);
  });

  it('renames the default test key of its own split in conditions', () => {
    const doc = structuredClone(project('offer-ab-test-with-holdout')) as AuthoringDocument;
    const wf = doc.workflows![0]!;
    const split = wf.nodes.find((n) => n.kind === 'split')!;
    delete (split as { test?: string }).test;
    wf.settings!.goal!.where = { field: 'variant.offer-ab-test-with-holdout/offer-test', op: 'equals', value: 'percent-off' };
    const file = exportWorkflow(wf.id, deepFreeze(doc), { exportedAt: EXPORTED_AT });
    const result = importExchange(file, emptyProject(), 'copy', { newId: counter() });
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.document.workflows![0]!.settings!.goal!.where).toEqual({ field: 'variant.wf_1/offer-test', op: 'equals', value: 'percent-off' });
    expect(file.references.workflows).toEqual([]);
  });

  it('refuses bad modes and non-documents without touching anything', () => {
    const parsed = parseExchange(text);
    if (!parsed.ok) throw new Error('parse failed');
    expect(importExchange(parsed.file, emptyProject(), 'merge' as never).ok).toBe(false);
    expect(importExchange(parsed.file, [] as never, 'copy').ok).toBe(false);
    expect(importExchange(parsed.file, null as never, 'copy').ok).toBe(false);
  });

  it('refuses to merge into something that is not an authoring document, and survives malformed ones', () => {
    const parsed = parseExchange(text);
    if (!parsed.ok) throw new Error('parse failed');
    const other = deepFreeze(JSON.parse(text));
    const r1 = importExchange(parsed.file, other, 'copy');
    expect(!r1.ok && r1.problems.map(formatProblem)).toEqual(['/format: the project to import into is not an authoring document (its format is "workflows/exchange")']);
    const r2 = importExchange(parsed.file, { format: 'workflows/authoring', version: 9 }, 'copy');
    expect(r2.ok).toBe(false);
    for (const mode of ['copy', 'update'] as const) {
      const r3 = importExchange(parsed.file, deepFreeze({ workflows: [], promotions: { a: 1 } }) as never, mode);
      expect(!r3.ok && r3.problems.map(formatProblem)).toEqual(['/promotions: "promotions" in the project must be a list; fix it before importing']);
    }
  });

  it('never throws, whatever project it is given', () => {
    const parsed = parseExchange(text);
    if (!parsed.ok) throw new Error('parse failed');
    const file = deepFreeze(parsed.file);
    const projects = fc.oneof(
      fc.jsonValue(),
      fc.record({ workflows: fc.jsonValue(), promotions: fc.jsonValue(), segments: fc.jsonValue(), apps: fc.jsonValue() }, { requiredKeys: [] }),
    );
    fc.assert(
      fc.property(projects, fc.constantFrom('copy' as const, 'update' as const), (doc, mode) => {
        const r = importExchange(file, deepFreeze(doc) as never, mode, { newId: counter() });
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a garbage or foreign object passed as a file', () => {
    const target = project('exit-intent-discount');
    const before = JSON.stringify(target);
    for (const garbage of [null, 42, 'text', [], {}, { format: 'workflows/authoring' }, { format: 'workflows/exchange', version: 1 }]) {
      const result = importExchange(garbage as never, target, 'copy');
      expect(result.ok, JSON.stringify(garbage)).toBe(false);
    }
    expect(JSON.stringify(target)).toBe(before);
  });
});

describe('parseExchange', () => {
  const good = exportWorkflow('exit-intent-discount', project('exit-intent-discount'), { exportedAt: EXPORTED_AT });
  const refuse = (text: string) => {
    const r = parseExchange(text, 'in.jst');
    if (r.ok) throw new Error('expected a refusal');
    return r.problems.map(formatProblem);
  };

  it('reads what export writes', () => {
    const r = parseExchange(JSON.stringify(good));
    expect(r.ok && r.file).toEqual(good);
    expect(r.ok && r.migratedFrom).toBeUndefined();
  });

  it('reports bad JSON with line and column', () => {
    expect(refuse('{\n  "format": "workflows/exchange",\n  "version": 1,\n}')).toEqual([
      'in.jst: /: not valid JSON: line 3, column 15: a comma before "}" (trailing commas are not allowed in JSON)',
    ]);
    expect(refuse("{ 'format': 1 }")).toEqual(['in.jst: /: not valid JSON: line 1, column 3: expected a property name in double quotes but found "\'"']);
    expect(refuse('{"a": [1, 2}')).toEqual(['in.jst: /: not valid JSON: line 1, column 12: expected "," or "]" but found "}"']);
    expect(refuse('{"a": tru}')).toEqual(['in.jst: /: not valid JSON: line 1, column 10: expected "true" but found "}"']);
    expect(refuse('{"a": 1} x')).toEqual(['in.jst: /: not valid JSON: line 1, column 10: unexpected "x" after the end of the JSON value']);
    expect(refuse('{"a": "\n"}')).toEqual(['in.jst: /: not valid JSON: line 1, column 8: a line break or control character inside text; write it as \\n']);
    expect(refuse('')).toEqual(['in.jst: /: the file is empty; expected JSON']);
    expect(refuse('\u0000\u0001PK\u0003\u0004')).toEqual(['in.jst: /: not valid JSON: line 1, column 1: expected a value but found "\\u0000"']);
  });

  it('refuses foreign files plainly', () => {
    expect(refuse('[]')).toEqual(['in.jst: /: not a workflow exchange file: expected a JSON object']);
    expect(refuse('{"name": "x"}')).toEqual(['in.jst: /: not a workflow exchange file: it has no "format" field']);
    expect(refuse('{"format": "n8n"}')).toEqual(['in.jst: /format: not a workflow exchange file: the format is "n8n", expected "workflows/exchange"']);
    expect(refuse(JSON.stringify(templateDocument('exit-intent-discount')))[0]).toMatch(/this is an authoring document, not an exchange file/);
    expect(refuse('{"format": "workflows/compiled", "version": 1}')[0]).toMatch(/this is a compiled bundle, which cannot be imported/);
  });

  it('refuses a file from a newer version', () => {
    expect(refuse(JSON.stringify({ ...good, version: EXCHANGE_VERSION + 1 }))).toEqual([
      `in.jst: /version: this file was made by a newer version of Workflows (exchange version ${EXCHANGE_VERSION + 1}; this version reads up to ${EXCHANGE_VERSION}); update Workflows to import it`,
    ]);
    expect(refuse(JSON.stringify({ ...good, version: '1' }))).toEqual(['in.jst: /version: "version" must be a whole number']);
  });

  it('checks the shape import relies on, at exact pointers', () => {
    const broken = { ...good, workflow: { ...good.workflow, nodes: 'x' }, promotions: [{ name: 'no id' }], segments: [{ id: 'a' }, { id: 'a' }], apps: {} };
    expect(refuse(JSON.stringify(broken))).toEqual([
      'in.jst: /workflow/nodes: the workflow\'s "nodes" must be a list',
      'in.jst: /promotions/0: each of "promotions" needs an "id"',
      'in.jst: /segments/1/id: "a" appears twice in "segments"',
      'in.jst: /apps: "apps" must be a list',
    ]);
  });

  it('strips secrets from hand-made files with a warning', () => {
    const withSecret = { ...good, apps: [{ id: 'k', name: 'K', provider: 'klaviyo', settings: { companyId: 'ABC123', privateApiKey: 'pk_1' } }] };
    const r = parseExchange(JSON.stringify(withSecret), 'in.jst');
    expect(r.ok && r.file.apps[0]!.settings).toEqual({ companyId: 'ABC123' });
    expect(r.ok && r.warnings.map(formatProblem)).toEqual([
      'in.jst: /apps/0/settings/privateApiKey: warning: removed the secret-looking setting "privateApiKey"; secrets never travel in exchange files',
    ]);
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify({ format: 'workflows/exchange', version: 1, workflow: v }))), (text) => {
        const r = parseExchange(text);
        expect(typeof r.ok).toBe('boolean');
        if (!r.ok) expect(r.problems.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('locates JSON errors inside the text', () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', 'x'), (json, at, junk) => {
        const i = at % (json.length + 1);
        const text = json.slice(0, i) + junk + json.slice(i + (junk ? 0 : 1));
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        const r = parseExchange(text);
        if (valid) return;
        expect(r.ok).toBe(false);
        const m = !r.ok && /line (\d+), column (\d+)/.exec(r.problems[0]!.message);
        if (!m) return; // the empty file
        const lines = text.split('\n');
        expect(Number(m[1])).toBeLessThanOrEqual(lines.length);
        expect(Number(m[2])).toBeLessThanOrEqual(lines[Number(m[1]) - 1]!.length + 1);
      }),
      { numRuns: 300 },
    );
  });
});

describe('readExchange', () => {
  it('returns copies, never the objects it was given', () => {
    const file = deepFreeze(exportWorkflow('lead-to-webhook', project('lead-to-webhook'), { exportedAt: EXPORTED_AT }));
    const r = readExchange(file);
    if (!r.ok) throw new Error('refused');
    expect(r.file).toEqual(file);
    expect(r.file.workflow).not.toBe(file.workflow);
    r.file.workflow.name = 'changed';
    expect(file.workflow.name).toBe('Quote request to webhook');
  });
});
