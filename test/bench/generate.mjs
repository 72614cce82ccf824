/**
 * The benchmark's workloads: N workflows for our runtime and N features for GrowthBook, with the same targeting
 * per item i (the current URL matches `^https?://[^/]+/products/item-<i>`, the device is desktop, the visitor has
 * at least K sessions/visits). Only the items whose regex matches the bench page's URL pass.
 */

/**
 * The bench page. The rules are prefix regexes (as URL targeting usually is), so items 3, 35 and 353 pass here:
 * 1, 2 and 3 of them at N = 10, 100, 1,000; of those, 3 and 353 wait on `bench_3`.
 */
export const PAGE_PATH = '/products/item-353';
/** Custom events: workflow i waits on `bench_<i % EVENTS>`. */
export const EVENTS = 50;
/** The sessions/visits threshold: a first-time visitor has 1, so the rule passes wherever the URL does. */
export const K = 1;

const pattern = (i) => `^https?://[^/]+/products/item-${i}`;

/** Items whose targeting passes on the bench page (what both SDKs must find). */
export function passing(n) {
  const url = `http://127.0.0.1${PAGE_PATH}`;
  return Array.from({ length: n }, (_, i) => i).filter((i) => new RegExp(pattern(i)).test(url));
}

/**
 * One authoring document with N active workflows. Each: an If/Then start step that tests state (evaluated at page
 * load, like a feature flag's rule), then an If/Then waiting for `bench_<i % 50>`, then a Segment to Update step
 * that leads back to the wait, so the same cursors wait again and every measured event does the same work.
 */
export function workflowsDocument(n) {
  const workflows = [];
  for (let i = 0; i < n; i++) {
    workflows.push({
      id: `wf-${i}`,
      name: `Bench ${i}`,
      status: 'active',
      start: 'gate',
      nodes: [
        {
          id: 'gate',
          kind: 'if',
          conditions: {
            all: [
              { field: 'url', op: 'matches', value: pattern(i) },
              { field: 'device', op: 'equals', value: 'desktop' },
              { field: 'sessions', op: 'gte', value: K },
            ],
          },
        },
        { id: 'wait', kind: 'if', triggers: [{ on: 'event', name: `bench_${i % EVENTS}` }] },
        { id: 'tag', kind: 'segment', segment: 'bench', action: 'add' },
      ],
      edges: [
        { from: 'gate', port: 'then', to: 'wait' },
        { from: 'wait', port: 'then', to: 'tag' },
        { from: 'tag', port: 'next', to: 'wait' },
      ],
    });
  }
  return { format: 'workflows/authoring', version: 1, workflows, segments: [{ id: 'bench', name: 'Bench', kind: 'manual' }] };
}

/** N GrowthBook features, each forced on by one rule with the same targeting as workflow i. */
export function growthbookFeatures(n) {
  const features = {};
  for (let i = 0; i < n; i++) {
    features[`f-${i}`] = {
      defaultValue: false,
      rules: [{ condition: { url: { $regex: pattern(i) }, device: 'desktop', visits: { $gte: K } }, force: true }],
    };
  }
  return features;
}
