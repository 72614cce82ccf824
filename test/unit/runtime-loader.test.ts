// The foundation loader: finds its bundle URL, fetches it, exposes window.workflows, never throws.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { start, type QueuedCall, type WorkflowsApi } from '../../runtime/index.js';
import { COMPILED_VERSION } from '../../src/compile/types.js';

// `needs: []`: no feature chunk to import (a bundle without `needs` imports them all, tested below).
const bundle = { format: 'workflows/compiled', version: COMPILED_VERSION, hash: 'abc123', needs: [], workflows: [{ id: 'a' }, { id: 'b' }] };

function serve(body: string, status = 200) {
  const fetch = vi.fn(async (_url: string) => new Response(body, { status, headers: { 'content-type': 'application/json' } }));
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

let warn: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  delete window.workflows;
  delete (window as any)[Symbol.for('workflows')]; // where the running instance is kept
  document.body.innerHTML = '';
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  vi.resetModules();
});

describe('runtime loader', () => {
  it('fetches the URL in data-workflows and resolves ready with the workflow count and hash', async () => {
    document.body.innerHTML = '<script data-workflows="/site/compiled.json"></script>';
    const fetch = serve(JSON.stringify(bundle));
    const api = start();
    expect(window.workflows).toBe(api);
    await expect(api.ready).resolves.toEqual({ workflows: 2, hash: 'abc123' });
    expect(fetch).toHaveBeenCalledOnce();
    expect(fetch.mock.calls[0]?.[0]).toBe('/site/compiled.json');
    expect(warn).not.toHaveBeenCalled();
  });

  it('defaults to /workflows.json', async () => {
    const fetch = serve(JSON.stringify(bundle));
    await start().ready;
    expect(fetch.mock.calls[0]?.[0]).toBe('/workflows.json');
  });

  it.each([
    ['a body that is not JSON', () => serve('<!doctype html><p>Not found</p>'), 'JSON'],
    ['JSON that is not a compiled bundle', () => serve('{"format":"workflows/authoring","workflows":[]}'), 'not a compiled bundle'],
    ['a bundle compiled for another runtime version', () => serve(JSON.stringify({ ...bundle, version: 1 })), `compiled bundle version 1, this runtime reads version ${COMPILED_VERSION}`],
    ['an HTTP error', () => serve('{}', 404), 'HTTP 404'],
    ['a network error', () => vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch'))), 'Failed to fetch'],
  ])('on %s: warns once, does not throw, and resolves ready with no workflows', async (_, setup, reason) => {
    setup();
    let api: WorkflowsApi | undefined;
    expect(() => (api = start())).not.toThrow();
    const ready = await api!.ready;
    expect(ready).toMatchObject({ workflows: 0, hash: '' });
    expect(ready.error).toContain(reason);
    expect(warn).toHaveBeenCalledOnce();
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/^\[workflows\] could not load \/workflows\.json: /);
  });

  it('does not throw when fetch itself is missing', async () => {
    vi.stubGlobal('fetch', undefined);
    await expect(start().ready).resolves.toMatchObject({ workflows: 0 });
    expect(warn).toHaveBeenCalledOnce();
  });

  it('loading the script twice keeps the first instance and fetches once', async () => {
    const fetch = serve(JSON.stringify(bundle));
    await import('../../runtime/entry.js');
    const first = window.workflows;
    vi.resetModules();
    await import('../../runtime/entry.js');
    expect(window.workflows).toBe(first);
    expect(fetch).toHaveBeenCalledOnce();
    await expect(first?.ready).resolves.toEqual({ workflows: 2, hash: 'abc123' });
  });

  it('replays calls queued by the snippet before it loaded, in order, then takes later ones', async () => {
    serve(JSON.stringify({ ...bundle, workflows: [] }));
    const early: QueuedCall[] = [['segments.add', 'vip'], ['segments.add', 'x'], ['segments.remove', 'vip']];
    (window as { workflows?: unknown }).workflows = early;
    const api = start();
    const errors: unknown[] = [];
    api.on('error', (e) => errors.push(e.message));
    api.push(['segments.add', 'late']);
    await api.ready;
    api.push(['segments.add', 'last']);
    await vi.waitFor(() => expect(api.segments.list()).toEqual(['x', 'late', 'last']));
    api.push(['nope', 1]);
    await Promise.resolve();
    expect(errors).toEqual(['unknown call "nope"']);
  });

  it('starts and replays the snippet on a page that put `ready` on Object.prototype', async () => {
    serve(JSON.stringify({ ...bundle, workflows: [] }));
    (window as { workflows?: unknown }).workflows = [['segments.add', 'vip']];
    (Object.prototype as any).ready = true;
    try {
      const api = start();
      expect(window.workflows).toBe(api);
      await api.ready;
      await vi.waitFor(() => expect(api.segments.has('vip')).toBe(true));
    } finally {
      delete (Object.prototype as any).ready;
    }
  });

  it('a queued call whose name cannot become text is reported, and the calls after it still run', async () => {
    serve(JSON.stringify({ ...bundle, workflows: [] }));
    const api = start();
    const errors: unknown[] = [];
    api.on('error', (e) => errors.push(e.message));
    await api.ready;
    // String() of this throws: { toString: 0 } has neither a callable toString nor a primitive valueOf.
    api.push([{ toString: 0 } as unknown as string], ['segments.add', 'after-bad-name']);
    await vi.waitFor(() => expect(api.segments.has('after-bad-name')).toBe(true));
    expect(errors).toHaveLength(1);
  });

  it('imports every feature chunk for a bundle compiled before `needs`; one that fails disables its workflows, reported', async () => {
    const settings = { enrollment: 'auto', reenroll: { mode: 'session' }, priority: 50, suppress: 'none' };
    const wf = { id: 'a', name: 'A', version: 0, settings, start: 's', nodes: { s: { kind: 'connector' } } };
    const { needs: _, ...old } = bundle;
    serve(JSON.stringify({ ...old, workflows: [wf] }));
    const api = start({ chunks: '/nowhere/', debug: false });
    const errors: unknown[] = [];
    api.on('error', (e) => errors.push(`${e.workflow ?? ''}: ${e.message}`));
    await api.ready;
    // No chunk is served here: each import fails, and a workflow of an old bundle may need any of them.
    expect(errors).toHaveLength(9);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^: .*\/nowhere\/promotions\.js/),
        expect.stringMatching(/^: .*\/nowhere\/time\.js/),
        expect.stringMatching(/^: .*\/nowhere\/variants\.js/),
        expect.stringMatching(/^: .*\/nowhere\/goals\.js/),
        expect.stringMatching(/^: .*\/nowhere\/segments\.js/),
        expect.stringMatching(/^: .*\/nowhere\/channel\.js/),
        expect.stringMatching(/^: .*\/nowhere\/commerce\.js/),
        expect.stringMatching(/^: .*\/nowhere\/enrollment\.js/),
        'a: needs the promotions chunk, which did not load',
      ]),
    );
    await expect(api.enroll('a')).resolves.toBe(false);
  });

  describe('debug', () => {
    afterEach(() => sessionStorage.clear());

    it('reads the session flag only once ready and idle, then prints what was logged before', async () => {
      serve(JSON.stringify({ ...bundle, workflows: [] }));
      sessionStorage.setItem('workflows:debug', '1');
      const info = vi.spyOn(console, 'info').mockImplementation(() => {});
      const read = vi.spyOn(window, 'sessionStorage', 'get');
      const api = start();
      api.push(['nope']);
      expect(read).not.toHaveBeenCalled();
      await api.ready;
      expect(read).not.toHaveBeenCalled();
      await vi.waitFor(() => expect(info).toHaveBeenCalledWith('[workflows] error: unknown call "nope"'));
      expect(read).toHaveBeenCalled();
      // On from then on.
      api.push(['again']);
      await vi.waitFor(() => expect(info).toHaveBeenLastCalledWith('[workflows] error: unknown call "again"'));
    });

    it('keeps the last 100 lines while off, and prints them when debug(true) is called', async () => {
      serve(JSON.stringify({ ...bundle, workflows: [] }));
      const info = vi.spyOn(console, 'info').mockImplementation(() => {});
      const api = start();
      const errors: unknown[] = [];
      api.on('error', (e) => errors.push(e));
      await api.ready;
      for (let i = 0; i < 120; i++) api.push([`n${i}`]);
      await vi.waitFor(() => expect(errors).toHaveLength(120));
      await new Promise((r) => setTimeout(r, 50));
      expect(info).not.toHaveBeenCalled();
      api.debug(true);
      expect(info).toHaveBeenCalledTimes(100);
      expect(info.mock.calls[0]).toEqual(['[workflows] error: unknown call "n20"']);
      expect(sessionStorage.getItem('workflows:debug')).toBe('1');
      api.debug(false);
      expect(sessionStorage.getItem('workflows:debug')).toBeNull();
    });

    it('data-debug turns it on at once, without reading storage', async () => {
      document.body.innerHTML = '<script data-workflows="/workflows.json" data-debug></script>';
      serve(JSON.stringify({ ...bundle, workflows: [] }));
      const info = vi.spyOn(console, 'info').mockImplementation(() => {});
      const read = vi.spyOn(window, 'sessionStorage', 'get');
      const api = start();
      api.push(['nope']);
      await vi.waitFor(() => expect(info).toHaveBeenCalledWith('[workflows] error: unknown call "nope"'));
      await new Promise((r) => setTimeout(r, 50));
      expect(read).not.toHaveBeenCalled();
    });
  });
});
