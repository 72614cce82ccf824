import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../../src/model/problems.js';
import { formatProblem } from '../../src/model/problems.js';
import { validateDocument, validateProject } from '../../src/validate/validate.js';
import { compileProject } from '../../src/compile/compile.js';
import { documentWith, workflow } from './fixtures.js';
import { harness, names } from './engine-harness.js';
import type { WorkflowNode } from '../../src/model/types.js';

const errors = (ps: Problem[]) => ps.filter((p) => p.severity === 'error');
const find = (ps: Problem[], pointer: string) => ps.find((p) => p.pointer === pointer && p.severity === 'error');
/** A deep copy with one change, so each test breaks exactly one thing. */
function change(fn: (doc: any) => void): unknown {
  const doc = structuredClone(documentWith()) as any;
  fn(doc);
  return doc;
}

describe('validateDocument', () => {
  it('accepts the fixture document', () => {
    expect(errors(validateDocument(documentWith()))).toEqual([]);
  });

  it('reports an unknown node kind with a suggestion', () => {
    const ps = validateDocument(change((d) => (d.workflows[0].nodes[2].kind = 'segmnt')));
    expect(find(ps, '/workflows/0/nodes/2/kind')?.message).toMatch(/must be one of .*did you mean "segment"/);
  });

  it('reports unknown fields at their pointer', () => {
    const ps = validateDocument(change((d) => (d.workflows[0].nodes[1].promo = 'x')));
    expect(find(ps, '/workflows/0/nodes/1/promo')?.message).toMatch(/unknown field "promo".*did you mean "promotion"/);
    const top = validateDocument(change((d) => (d.workflow = [])));
    expect(find(top, '/workflow')?.message).toMatch(/did you mean "workflows"/);
  });

  it('says an id with a letter outside ASCII is not one, at its pointer', () => {
    const ps = validateDocument(change((d) => (d.workflows[0].id = 'wörkflow')));
    expect(find(ps, '/workflows/0/id')?.message).toMatch(/is not a valid id: use 1-64 ASCII letters, digits/);
  });

  it('reports missing required fields', () => {
    const ps = validateDocument(change((d) => delete d.workflows[0].name));
    expect(find(ps, '/workflows/0/name')?.message).toBe('the workflow is missing "name"');
    const ps2 = validateDocument(change((d) => delete d.workflows[0].nodes[2].action));
    expect(find(ps2, '/workflows/0/nodes/2/action')?.message).toMatch(/missing "action"/);
  });

  it('reports edges to missing steps and ports', () => {
    const ps = validateDocument(
      change((d) => {
        d.workflows[0].edges.push({ from: 'show', port: 'dismissed', to: 'nowhere' });
        d.workflows[0].edges.push({ from: 'show', port: 'clicked', to: 'done' });
        d.workflows[0].edges.push({ from: 'ghost', port: 'next', to: 'done' });
      }),
    );
    expect(find(ps, '/workflows/0/edges/3/to')?.message).toMatch(/"nowhere", which is not a step/);
    expect(find(ps, '/workflows/0/edges/4/port')?.message).toBe('"show" has no port "clicked"; its ports are converted, dismissed');
    expect(find(ps, '/workflows/0/edges/5/from')?.message).toMatch(/"ghost", which is not a step/);
  });

  it('refuses two edges from one port and an edge out of an exit', () => {
    const ps = validateDocument(
      change((d) => {
        d.workflows[0].edges.push({ from: 'show', port: 'converted', to: 'done' });
        d.workflows[0].edges.push({ from: 'done', port: 'next', to: 'show' });
      }),
    );
    expect(find(ps, '/workflows/0/edges/3/port')?.message).toMatch(/already connected/);
    expect(find(ps, '/workflows/0/edges/4')?.message).toMatch(/has no way out/);
  });

  it('reports unreachable steps', () => {
    const ps = validateDocument(change((d) => d.workflows[0].nodes.push({ id: 'orphan', kind: 'exit' })));
    expect(find(ps, '/workflows/0/nodes/4')?.message).toMatch(/"orphan" can never be reached/);
  });

  it('reports a loop that can spin without waiting, and accepts one through a Delay', () => {
    const spin = change((d) => {
      d.workflows[0].nodes.push({ id: 'again', kind: 'connector', target: 'tag' });
      d.workflows[0].edges[2] = { from: 'tag', port: 'next', to: 'again' };
      d.workflows[0].nodes.splice(3, 1); // the exit is no longer reachable
    });
    const ps = validateDocument(spin);
    expect(errors(ps).map((p) => p.message).join('\n')).toMatch(/form a loop that can repeat forever; add a Delay/);

    const waiting = change((d) => {
      d.workflows[0].nodes.push({ id: 'wait', kind: 'delay', mode: 'duration', duration: { amount: 1, unit: 'days' } });
      d.workflows[0].nodes.push({ id: 'again', kind: 'connector', target: 'tag' });
      d.workflows[0].edges[2] = { from: 'tag', port: 'next', to: 'wait' };
      d.workflows[0].edges.push({ from: 'wait', port: 'next', to: 'again' });
      d.workflows[0].nodes.splice(3, 1);
    });
    expect(errors(validateDocument(waiting))).toEqual([]);
  });

  it('follows a very long chain of steps, and of enrollments, without running out of stack', () => {
    // A generated 5 MB document: 20,000 If/Then steps in a row, the last one leading back to the first.
    const n = 20_000;
    const nodes = Array.from({ length: n }, (_, i) => ({ id: `s${i}`, kind: 'if' as const, conditions: { field: 'path', op: 'contains' as const, value: `/p${i}` } }));
    const edges = nodes.slice(1).map((node, i) => ({ from: `s${i}`, port: 'then', to: node.id }));
    edges.push({ from: `s${n - 1}`, port: 'then', to: 's0' });
    const ps = validateDocument({ workflows: [workflow({ id: 'long', start: 's0', nodes, edges })] }, 'long.json');
    expect(errors(ps).map(formatProblem)).toEqual([
      expect.stringMatching(/^long\.json: \/workflows\/0\/nodes\/0: the steps "s0" -> "s1" -> .* -> "s19999" -> "s0" form a loop that can repeat forever/),
    ]);

    const chain = Array.from({ length: 12_000 }, (_, i) =>
      workflow({ id: `wf${i}`, start: 'go', nodes: [{ id: 'go', kind: 'enroll', workflow: `wf${(i + 1) % 12_000}` }], edges: [] }),
    );
    const loops = errors(validateProject([{ file: 'chain.json', doc: { workflows: chain } }]));
    expect(loops).toHaveLength(1);
    expect(loops[0]!.message).toMatch(/^enrollment loop: "wf0" enrolls into "wf1" enrolls into .* enrolls into "wf11999" enrolls into "wf0"/);
  });

  it('refuses more steps in a row without waiting than a visitor\'s browser runs at once', async () => {
    // Connectors c0 -> c1 -> ... ending in an Exit: `length` steps that all run at once.
    const chain = (length: number) => {
      const nodes: WorkflowNode[] = Array.from({ length: length - 1 }, (_, i) => ({ id: `c${i}`, kind: 'connector', target: `c${i + 1}` }));
      nodes.push({ id: `c${length - 1}`, kind: 'exit' });
      return { workflows: [workflow({ id: 'chain', start: 'c0', nodes, edges: [] })] };
    };
    expect(errors(validateDocument(chain(98)))).toEqual([]);
    expect(errors(validateDocument(chain(99))).map(formatProblem)).toEqual([
      '<document>: /workflows/0/nodes/0: 99 steps in a row from "c0" run without one that waits; at most 98 may, or the visitor\'s browser stops the workflow: add a Delay or an If/Then that waits for a trigger between them',
    ]);
    // A step that waits starts a new run.
    const split = chain(150);
    split.workflows[0]!.nodes[70] = { id: 'c70', kind: 'delay', mode: 'duration', duration: { amount: 1, unit: 'minutes' } };
    split.workflows[0]!.edges = [{ from: 'c70', port: 'next', to: 'c71' }];
    expect(errors(validateDocument(split))).toEqual([]);

    // What the validator accepts runs to its end in the runtime.
    const h = harness(chain(98));
    await h.engine.pageView();
    for (let i = 0; i < 10; i++) await h.settle();
    expect(names(h).slice(-1)).toEqual(['exited']);
  });

  it('checks that Multivariate Test weights add up to 100', () => {
    const doc = change((d) => {
      d.workflows[0].nodes.push({
        id: 'ab',
        kind: 'split',
        holdout: 10,
        variants: [
          { id: 'a', weight: 50 },
          { id: 'b', weight: 40 },
        ],
      });
      d.workflows[0].edges.push({ from: 'show', port: 'dismissed', to: 'ab' });
    });
    const ps = validateDocument(doc);
    expect(find(ps, '/workflows/0/nodes/4/variants')?.message).toBe('variant weights must add up to 100; they add up to 90');
  });

  it('reports invalid regexes and CSS selectors', () => {
    const ps = validateDocument(
      change((d) => {
        d.workflows[0].nodes[0].conditions = { field: 'url', op: 'matches', value: '(unclosed' };
        d.workflows[0].nodes[0].triggers = [{ on: 'click', selector: 'button >' }, { on: 'element_visible', selector: 'div:hovr' }];
      }),
    );
    expect(find(ps, '/workflows/0/nodes/0/conditions/value')?.message).toMatch(/regular expression|regex/i);
    expect(find(ps, '/workflows/0/nodes/0/triggers/0/selector')?.message).toMatch(/ends with a combinator/);
    expect(find(ps, '/workflows/0/nodes/0/triggers/1/selector')?.message).toMatch(/unknown pseudo-class ":hovr"/);
  });

  it('reports references to missing promotions, segments, apps and workflows', () => {
    const ps = validateDocument(
      change((d) => {
        d.workflows[0].nodes[1].promotion = 'promo_gone';
        d.workflows[0].nodes[2].segment = 'seg_gone';
        d.workflows[0].nodes.push({ id: 'app', kind: 'app', app: 'klaviyo_gone', action: 'subscribe', list: 'L1' });
        d.workflows[0].nodes.push({ id: 'more', kind: 'enroll', workflow: 'wf_gone' });
        d.workflows[0].edges.push({ from: 'show', port: 'dismissed', to: 'app' }, { from: 'app', port: 'ok', to: 'more' });
        d.workflows[0].nodes[0].conditions = { field: 'segments', op: 'contains', value: 'seg_other' };
      }),
    );
    expect(find(ps, '/workflows/0/nodes/1/promotion')?.message).toBe('there is no promotion "promo_gone"');
    expect(find(ps, '/workflows/0/nodes/2/segment')?.message).toBe('there is no segment "seg_gone"');
    expect(find(ps, '/workflows/0/nodes/4/app')?.message).toBe('there is no connected app "klaviyo_gone"');
    expect(find(ps, '/workflows/0/nodes/5/workflow')?.message).toBe('there is no workflow "wf_gone"');
    expect(find(ps, '/workflows/0/nodes/0/conditions/value')?.message).toBe('there is no segment "seg_other"');
  });

  it('reports webhook URLs that are not http(s) or template the host', () => {
    const withHook = (url: string) =>
      change((d) => {
        d.workflows[0].nodes.push({ id: 'hook', kind: 'webhook', url });
        d.workflows[0].edges.push({ from: 'show', port: 'dismissed', to: 'hook' });
      });
    expect(find(validateDocument(withHook('ftp://example.com/x')), '/workflows/0/nodes/4/url')?.message).toMatch(/http:\/\/ or https:\/\//);
    expect(find(validateDocument(withHook('javascript:alert(1)')), '/workflows/0/nodes/4/url')).toBeDefined();
    expect(find(validateDocument(withHook('https://{{visitor.host}}/x')), '/workflows/0/nodes/4/url')?.message).toMatch(/host/);
    expect(errors(validateDocument(withHook('https://hooks.example.com/lead?email={{visitor.email}}')))).toEqual([]);
  });

  it('reports duplicate ids across files with where the first one is', () => {
    const ps = validateProject([
      { file: 'a.json', doc: documentWith() },
      { file: 'b.json', doc: { format: 'workflows/authoring', segments: [{ id: 'seg_leads', name: 'Again', kind: 'manual' }] } },
    ]);
    const p = find(ps, '/segments/0/id');
    expect(p?.file).toBe('b.json');
    expect(p?.message).toBe('another segment already has the id "seg_leads" (at a.json /segments/0), with different content');
  });

  it('accepts the same definition repeated in two files', () => {
    const ps = validateProject([
      { file: 'a.json', doc: documentWith() },
      { file: 'b.json', doc: { segments: [{ id: 'seg_leads', name: 'Leads', kind: 'manual' }] } },
    ]);
    expect(errors(ps)).toEqual([]);
  });

  it('resolves references across files in any order', () => {
    const doc = documentWith();
    const ps = validateProject([
      { file: 'workflows.json', doc: { workflows: doc.workflows } },
      { file: 'library.json', doc: { promotions: doc.promotions, segments: doc.segments } },
    ]);
    expect(errors(ps)).toEqual([]);
  });

  it('reports enrollment loops across workflows', () => {
    const a = workflow({ id: 'wf_a', start: 'go', nodes: [{ id: 'go', kind: 'enroll', workflow: 'wf_b' }], edges: [] });
    const b = workflow({ id: 'wf_b', start: 'go', nodes: [{ id: 'go', kind: 'enroll', workflow: 'wf_a' }], edges: [] });
    const ps = validateProject([
      { file: 'a.json', doc: { workflows: [a] } },
      { file: 'b.json', doc: { workflows: [b] } },
    ]);
    const loop = ps.filter((p) => /enrollment loop/.test(p.message));
    expect(loop).toHaveLength(1);
    expect(loop[0]!.message).toContain('"wf_a" enrolls into "wf_b" enrolls into "wf_a"');
  });

  it('refuses rule-based segments in Segment to Update steps and secrets in apps', () => {
    const ps = validateDocument(
      change((d) => {
        d.segments[0] = { id: 'seg_leads', name: 'Leads', kind: 'rule', rule: { field: 'sessions', op: 'gte', value: 3 } };
        d.apps.push({ id: 'k', name: 'Klaviyo', provider: 'klaviyo', settings: { companyId: 'AbC123', privateApiKey: 'pk_x' } });
      }),
    );
    expect(find(ps, '/workflows/0/nodes/2/segment')?.message).toMatch(/rule-based/);
    expect(find(ps, '/apps/0/settings/privateApiKey')?.message).toMatch(/looks like a secret/);
  });

  it('checks promotion content for unsafe links and images', () => {
    const ps = validateDocument(
      change((d) => {
        d.promotions[0].steps[0].blocks.push({ kind: 'button', text: 'Go', action: 'url', url: 'javascript:alert(1)' });
        d.promotions[0].steps[0].blocks.push({ kind: 'image', src: 'javascript:x', alt: '' });
        d.promotions[0].theme = { background: 'red;} body{display:none' };
      }),
    );
    expect(find(ps, '/promotions/0/steps/0/blocks/3/url')).toBeDefined();
    expect(find(ps, '/promotions/0/steps/0/blocks/4/src')).toBeDefined();
    expect(find(ps, '/promotions/0/theme/background')).toBeDefined();
  });

  it('refuses foreign and newer documents clearly', () => {
    expect(validateDocument({ format: 'workflows/exchange' })[0]!.message).toMatch(/exchange \(\.jst\) file/);
    expect(validateDocument({ format: 'workflows/authoring', version: 9 })[0]!.message).toMatch(/newer version/);
    expect(validateDocument([])[0]!.message).toBe('an authoring document must be an object, not a list');
  });

  it('says only what a bundle or an exchange file is, not every field it has that a document does not', () => {
    const bundle = compileProject([{ file: 'a.json', doc: documentWith() }]);
    if (!bundle.ok) throw new Error('the fixture compiles');
    expect(validateDocument(bundle.bundle, 'site/workflows.json').map(formatProblem)).toEqual([
      'site/workflows.json: /format: "format" must be "workflows/authoring", not "workflows/compiled"; this is a compiled bundle, not a source document',
    ]);
    const exchange = { format: 'workflows/exchange', version: 1, exportedAt: '2026-03-01T12:00:00.000Z', workflow: workflow(), references: { workflows: [] } };
    expect(validateDocument(exchange)).toHaveLength(1);
  });

  it('formats problems as file: /pointer: message', () => {
    const [p] = validateProject([{ file: 'my.json', doc: change((d) => delete d.workflows[0].name) }]).filter((x) => x.severity === 'error');
    expect(formatProblem(p!)).toBe('my.json: /workflows/0/name: the workflow is missing "name"');
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true }), (value) => {
        const ps = validateDocument(value);
        expect(ps.every((p) => !/internal error/.test(p.message))).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('never throws on mutated valid documents', () => {
    const base = documentWith() as unknown;
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, path: (string | number)[]) => {
      paths.push(path);
      if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, [...path, Array.isArray(v) ? Number(k) : k]);
    };
    walk(base, []);
    fc.assert(
      fc.property(fc.constantFrom(...paths.filter((p) => p.length > 0)), fc.jsonValue(), (path, replacement) => {
        const doc = structuredClone(base) as any;
        let target = doc;
        for (const key of path.slice(0, -1)) target = target[key];
        target[path[path.length - 1]!] = replacement;
        const ps = validateDocument(doc);
        expect(ps.every((p) => !/internal error/.test(p.message))).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });
});
