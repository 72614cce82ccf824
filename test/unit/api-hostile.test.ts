// Every public call, given garbage, resolves and never throws into the page.
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { start } from '../../runtime/index.js';

const bundle = { format: 'workflows/compiled', version: 3, hash: 'h', site: { webhookHosts: [], promotionCooldownSeconds: 30 }, workflows: [], promotions: {}, segments: {}, apps: {}, index: {} };

afterEach(() => {
  delete window.workflows;
  delete (window as any)[Symbol.for('workflows')]; // where the running instance is kept
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('the public API under hostile input', () => {
  it('never throws and always settles', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(bundle))));
    const api = start();
    const errors: unknown[] = [];
    api.on('error', (e) => errors.push(e));
    await api.ready;
    const calls: ((...a: any[]) => unknown)[] = [
      api.enroll, api.unenroll, api.track, api.identify, api.page, api.consent,
      api.segments.add, api.segments.remove, api.segments.has, api.segments.list,
      api.debug, api.register, api.on, api.off, api.push as any,
    ];
    await fc.assert(
      fc.asyncProperty(fc.nat(calls.length - 1), fc.array(fc.anything(), { maxLength: 3 }), async (i, args) => {
        let out: unknown;
        expect(() => (out = calls[i]!(...args))).not.toThrow();
        await out; // a rejection fails the property
      }),
      { numRuns: 300 },
    );
    api.debug(false);
    expect(api.segments.list().every((s) => typeof s === 'string')).toBe(true);
  });
});
