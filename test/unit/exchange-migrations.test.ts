import { describe, expect, it } from 'vitest';
import { EXCHANGE_VERSION, importExchange, LEGACY_FORMAT, MIGRATIONS, parseExchange } from '../../src/exchange/index.js';
import { formatProblem } from '../../src/model/problems.js';
import type { AuthoringDocument } from '../../src/model/types.js';
import { validateProject } from '../../src/validate/validate.js';

/** A version 0 export as the 2022 canvas editor wrote it: React-Flow nodes and edges. */
function legacyFile(): Record<string, any> {
  return {
    format: 'workflows/jst',
    exported: '2022-04-28T09:30:00Z',
    workflow: {
      id: 'legacy-exit',
      name: 'Exit popup (2022)',
      description: 'Made in the old editor',
      status: 'live',
      frequency: { cooldownDays: 3 },
      nodes: [
        {
          id: 'n1',
          type: 'ifThen',
          position: { x: 100, y: 40 },
          data: { label: 'On exit', triggers: [{ type: 'exit_intent', minDwellSeconds: 4 }], conditions: { field: 'device', op: 'equals', value: 'desktop' }, waitSeconds: 1800 },
        },
        {
          id: 'n2',
          type: 'multivariateTest',
          position: { x: 100, y: 200 },
          data: { variants: [{ id: 'a', name: 'Popup', percent: 50 }, { id: 'b', name: 'Bar', percent: 50 }], holdoutPercent: 10 },
        },
        { id: 'n3', type: 'promotion', position: { x: 0, y: 360 }, data: { promotionId: 'legacy-popup' } },
        { id: 'n4', type: 'promotion', position: { x: 300, y: 360 }, data: { promotionId: 'legacy-bar' } },
        { id: 'n5', type: 'segmentUpdate', data: { segmentId: 'legacy-leads', operation: 'add' } },
        { id: 'n6', type: 'app', data: { appId: 'legacy-klaviyo', listId: 'AbC123' } },
        { id: 'n7', type: 'webhook', data: { url: 'https://hooks.example.com/legacy', method: 'post', body: { email: '{{visitor.email}}' } } },
        { id: 'n8', type: 'delay', data: { seconds: 86400 } },
        { id: 'n9', type: 'delay', data: { untilTime: '09:00', timezone: 'Europe/Paris' } },
        { id: 'n10', type: 'delay', data: { nextVisit: true } },
        { id: 'n11', type: 'code', data: { handler: 'legacy.track' } },
        { id: 'n12', type: 'connector', data: { targetId: 'n13' } },
        { id: 'n13', type: 'end' },
      ],
      edges: [
        { id: 'e1', source: 'n1', sourceHandle: 'yes', target: 'n2' },
        { id: 'e2', source: 'n1', sourceHandle: 'timeout', target: 'n13' },
        { id: 'e3', source: 'n2', sourceHandle: 'a', target: 'n3' },
        { id: 'e4', source: 'n2', sourceHandle: 'b', target: 'n4' },
        { id: 'e5', source: 'n2', sourceHandle: 'holdout', target: 'n13' },
        { id: 'e6', source: 'n3', sourceHandle: 'converted', target: 'n5' },
        { id: 'e7', source: 'n3', sourceHandle: 'closed', target: 'n10' },
        { id: 'e8', source: 'n4', sourceHandle: 'converted', target: 'n5' },
        { id: 'e9', source: 'n4', sourceHandle: 'closed', target: 'n13' },
        { id: 'e10', source: 'n5', sourceHandle: null, target: 'n6' },
        { id: 'e11', source: 'n6', sourceHandle: 'success', target: 'n7' },
        { id: 'e12', source: 'n6', sourceHandle: 'error', target: 'n12' },
        { id: 'e13', source: 'n7', sourceHandle: 'success', target: 'n8' },
        { id: 'e14', source: 'n7', sourceHandle: 'error', target: 'n13' },
        { id: 'e15', source: 'n8', target: 'n9' },
        { id: 'e16', source: 'n9', target: 'n11' },
        { id: 'e17', source: 'n10', target: 'n13' },
        { id: 'e18', source: 'n11', target: 'n13' },
      ],
    },
    promotions: [
      { id: 'legacy-popup', name: 'Old popup', kind: 'modal', steps: [{ id: 's1', blocks: [{ kind: 'heading', text: 'Wait!' }, { kind: 'email' }, { kind: 'button', text: 'Join', action: 'submit' }] }] },
      { id: 'legacy-bar', name: 'Old bar', kind: 'bar', steps: [{ id: 's1', blocks: [{ kind: 'text', text: 'Free shipping today' }] }] },
    ],
    segments: [{ id: 'legacy-leads', name: 'Leads', kind: 'manual' }],
    apps: [{ id: 'legacy-klaviyo', name: 'Klaviyo', provider: 'klaviyo', settings: { companyId: 'ABC123', privateApiKey: 'pk_abc' } }],
  };
}

describe('MIGRATIONS', () => {
  it('form a chain from version 0 to the current version, one step at a time', () => {
    let v = 0;
    for (const m of [...MIGRATIONS].sort((a, b) => a.from - b.from)) {
      expect(m.from).toBe(v);
      expect(m.to).toBe(v + 1);
      expect(m.summary.length).toBeGreaterThan(10);
      v = m.to;
    }
    expect(v).toBe(EXCHANGE_VERSION);
  });
});

describe('reading a version 0 (legacy) file', () => {
  it('converts nodes, handles, positions, frequency and dates', () => {
    const r = parseExchange(JSON.stringify(legacyFile()), 'old.jst');
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
    expect(r.migratedFrom).toBe(0);
    const f = r.file;
    expect(f.format).toBe('workflows/exchange');
    expect(f.version).toBe(EXCHANGE_VERSION);
    expect(f.exportedAt).toBe('2022-04-28T09:30:00Z');
    expect(f.workflow).toMatchObject({ id: 'legacy-exit', status: 'active', start: 'n1', settings: { reenroll: { mode: 'cooldown', days: 3 } } });
    const nodes = Object.fromEntries(f.workflow.nodes.map((n) => [n.id, n]));
    expect(nodes.n1).toEqual({
      id: 'n1',
      kind: 'if',
      label: 'On exit',
      ui: { x: 100, y: 40 },
      triggers: [{ on: 'exit_intent', minDwellSeconds: 4 }],
      conditions: { field: 'device', op: 'equals', value: 'desktop' },
      wait: { amount: 30, unit: 'minutes' },
    });
    expect(nodes.n2).toMatchObject({ kind: 'split', variants: [{ id: 'a', name: 'Popup', weight: 50 }, { id: 'b', name: 'Bar', weight: 50 }], holdout: 10 });
    expect(nodes.n5).toMatchObject({ kind: 'segment', segment: 'legacy-leads', action: 'add' });
    expect(nodes.n6).toMatchObject({ kind: 'app', app: 'legacy-klaviyo', action: 'subscribe', list: 'AbC123' });
    expect(nodes.n7).toMatchObject({ kind: 'webhook', method: 'POST', url: 'https://hooks.example.com/legacy' });
    expect(nodes.n8).toMatchObject({ kind: 'delay', mode: 'duration', duration: { amount: 1, unit: 'days' } });
    expect(nodes.n9).toMatchObject({ kind: 'delay', mode: 'time_of_day', time: '09:00', timezone: 'Europe/Paris' });
    expect(nodes.n10).toMatchObject({ kind: 'delay', mode: 'next_visit' });
    expect(nodes.n11).toMatchObject({ kind: 'code', handler: 'legacy.track' });
    expect(nodes.n12).toMatchObject({ kind: 'connector', target: 'n13' });
    expect(nodes.n13).toMatchObject({ kind: 'exit' });
    const ports = f.workflow.edges.map((e) => `${e.from}.${e.port}->${e.to}`);
    expect(ports).toEqual([
      'n1.then->n2', 'n1.timeout->n13', 'n2.a->n3', 'n2.b->n4', 'n2.holdout->n13', 'n3.converted->n5', 'n3.dismissed->n10',
      'n4.converted->n5', 'n4.dismissed->n13', 'n5.next->n6', 'n6.ok->n7', 'n6.failed->n12', 'n7.ok->n8', 'n7.failed->n13',
      'n8.next->n9', 'n9.next->n11', 'n10.next->n13', 'n11.next->n13',
    ]);
    // Secrets from the old format are dropped with a warning.
    expect(f.apps[0]!.settings).toEqual({ companyId: 'ABC123' });
    expect(r.warnings.map(formatProblem)).toEqual([
      'old.jst: /apps/0/settings/privateApiKey: warning: removed the secret-looking setting "privateApiKey"; secrets never travel in exchange files',
    ]);
  });

  it('imports as a valid draft', () => {
    const r = parseExchange(JSON.stringify(legacyFile()));
    if (!r.ok) throw new Error('refused');
    const project: AuthoringDocument = { format: 'workflows/authoring', version: 1, workflows: [] };
    const result = importExchange(r.file, project, 'update');
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.document.workflows![0]!.status).toBe('draft');
    expect(validateProject([{ file: 'p.json', doc: result.document }]).map(formatProblem)).toEqual([]);
    expect(project.workflows).toEqual([]);
  });

  it('treats a legacy file with an explicit version 0 the same', () => {
    const r = parseExchange(JSON.stringify({ ...legacyFile(), version: 0 }));
    expect(r.ok && r.migratedFrom).toBe(0);
    expect(LEGACY_FORMAT).toBe('workflows/jst');
  });

  it('says where a legacy file cannot be converted', () => {
    const unknownType = legacyFile();
    unknownType.workflow.nodes[4].type = 'smsBlast';
    const r1 = parseExchange(JSON.stringify(unknownType), 'old.jst');
    expect(!r1.ok && r1.problems.map(formatProblem)).toEqual(['old.jst: /workflow/nodes/4/type: cannot convert this version 0 file: unknown legacy node type "smsBlast"']);

    const badEdge = legacyFile();
    delete badEdge.workflow.edges[2].source;
    const r2 = parseExchange(JSON.stringify(badEdge), 'old.jst');
    expect(!r2.ok && r2.problems.map(formatProblem)).toEqual(['old.jst: /workflow/edges/2: cannot convert this version 0 file: a legacy edge needs "source" and "target" node ids']);

    const badDelay = legacyFile();
    badDelay.workflow.nodes[7].data = {};
    const r3 = parseExchange(JSON.stringify(badDelay), 'old.jst');
    expect(!r3.ok && r3.problems[0]!.pointer).toBe('/workflow/nodes/7/data');

    const noWorkflow = parseExchange(JSON.stringify({ format: 'workflows/jst' }), 'old.jst');
    expect(!noWorkflow.ok && noWorkflow.problems.map(formatProblem)).toEqual(['old.jst: /workflow: cannot convert this version 0 file: the legacy file has no "workflow" object']);
  });

  it('leaves the parsed input alone', () => {
    const legacy = legacyFile();
    const before = JSON.stringify(legacy);
    const step = MIGRATIONS.find((m) => m.from === 0)!;
    step.migrate(legacy);
    expect(JSON.stringify(legacy)).toBe(before);
  });
});
