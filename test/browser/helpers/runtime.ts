/**
 * Shared helpers for the end-to-end runtime tests (`test/browser/runtime*.spec.ts`): compile an authoring
 * document with the real compiler, serve it to a page, record the runtime's public events, read the stored
 * visitor state, and find a shown promotion.
 */
import { expect, type BrowserContext, type Page } from '@playwright/test';
import { compileProject } from '../../../src/compile/compile.js';
import type { CompiledBundle } from '../../../src/compile/types.js';
import type { ReadyInfo, WorkflowsApi } from '../../../runtime/index.js';
import type { PublicEvent, VisitorState } from '../../../runtime/types.js';

declare global {
  interface Window {
    __ev: PublicEvent[];
  }
}

/** Compiles one authoring document (format and version filled in); fails the test on any problem. */
export function compile(doc: Record<string, unknown>): CompiledBundle {
  const r = compileProject([{ file: 'e2e.json', doc: { format: 'workflows/authoring', version: 1, ...doc } }]);
  if (!r.ok) throw new Error(`does not compile:\n${r.problems.map((p) => `${p.pointer}: ${p.message}`).join('\n')}`);
  return r.bundle;
}

/** Answers `/test/bundle-<name>.json` with `bundle` for this page (or every page of a context). */
export async function serveBundle(target: Page | BrowserContext, bundle: unknown, name = 'e2e'): Promise<void> {
  await target.route(`**/test/bundle-${name}.json`, (route) => route.fulfill({ json: bundle, headers: { 'Cache-Control': 'no-store' } }));
}

/** The documented snippet, run before any page script: every public event lands in `window.__ev`. */
export async function recordEvents(target: Page | BrowserContext): Promise<void> {
  await target.addInitScript(() => {
    window.__ev = [];
    (window as any).workflows = [['on', '*', (e: PublicEvent) => window.__ev.push(e)]];
  });
}

/** The events recorded so far on this page, optionally only those named `name`. */
export function events(page: Page, name?: string): Promise<PublicEvent[]> {
  return page.evaluate((n) => (window.__ev ?? []).filter((e) => !n || e.name === n), name);
}

/** Waits until an event named `name` (with the given fields) was emitted; returns it. */
export async function waitForEvent(page: Page, name: string, fields: Record<string, unknown> = {}, timeout = 5000): Promise<PublicEvent> {
  let found: PublicEvent | undefined;
  await expect
    .poll(
      async () => {
        found = (await events(page, name)).find((e) => Object.entries(fields).every(([k, v]) => e[k] === v));
        return Boolean(found);
      },
      { message: `event ${name} ${JSON.stringify(fields)}`, timeout },
    )
    .toBe(true);
  return found!;
}

/** The page's `window.workflows`, once loaded: `await api(page, (w) => w.ready)`. */
export function api<R>(page: Page, fn: (w: WorkflowsApi) => R | Promise<R>): Promise<R> {
  return page.evaluate(`(async () => (${fn.toString()})(window.workflows))()`) as Promise<R>;
}

/** Waits for the runtime to replace the snippet's array, then for `workflows.ready`. */
export async function ready(page: Page): Promise<ReadyInfo> {
  await page.waitForFunction(() => !!window.workflows && !Array.isArray(window.workflows));
  return page.evaluate(() => window.workflows!.ready);
}

/** `workflows.segments.has(id)`, polled until it equals `want`. */
export async function expectSegment(page: Page, id: string, want = true, timeout = 5000): Promise<void> {
  await expect
    .poll(() => page.evaluate((s) => Boolean(window.workflows && !Array.isArray(window.workflows) && window.workflows.segments?.has(s)), id), {
      message: `segments.has(${id}) should be ${want}`,
      timeout,
    })
    .toBe(want);
}

/**
 * The visitor state as stored in IndexedDB (`workflows` / `state` / `visitor`), or null when none is stored, once
 * it has settled: the runtime writes changes up to 50 ms after making them, so this reads until two reads 100 ms
 * apart agree (at most 3 s).
 */
export async function storedState(page: Page): Promise<VisitorState | null> {
  let last = JSON.stringify(await readStored(page));
  for (let i = 0; i < 30; i++) {
    await page.waitForTimeout(100);
    const now = JSON.stringify(await readStored(page));
    if (now === last) break;
    last = now;
  }
  return JSON.parse(last) as VisitorState | null;
}

function readStored(page: Page): Promise<VisitorState | null> {
  return page.evaluate(async () => {
    const dbs = await indexedDB.databases();
    if (!dbs.some((d) => d.name === 'workflows')) return null;
    return new Promise<VisitorState | null>((resolve, reject) => {
      const open = indexedDB.open('workflows');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        if (!db.objectStoreNames.contains('state')) return db.close(), resolve(null);
        const get = db.transaction('state').objectStore('state').get('visitor');
        get.onsuccess = () => (db.close(), resolve(get.result ? JSON.parse(get.result) : null));
        get.onerror = () => (db.close(), reject(get.error));
      };
    });
  });
}

/**
 * Stores `value` as the visitor record (`workflows` / `state` / `visitor`) before the runtime runs: from a blank
 * page of the same origin, which the test then leaves for the page under test. `value` is stored as given (the
 * runtime writes a JSON string; a test may store anything else).
 */
export async function seedState(page: Page, value: unknown): Promise<void> {
  await page.route('**/test/blank.html', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>Blank</title>' }));
  await page.goto('/test/blank.html');
  await page.evaluate(
    (v) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('workflows');
        open.onupgradeneeded = () => open.result.createObjectStore('state');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('state', 'readwrite');
          tx.objectStore('state').put(v, 'visitor');
          tx.oncomplete = () => (open.result.close(), resolve());
          tx.onerror = () => reject(tx.error);
        };
      }),
    value,
  );
}

/** The element of a shown promotion (`[data-workflows-promotion="<id>"]`). */
export const promotion = (page: Page, id: string) => page.locator(`[data-workflows-promotion="${id}"]`);

/** Console messages of the page, collected from now on. */
export function consoleOf(page: Page): { type: string; text: string }[] {
  const out: { type: string; text: string }[] = [];
  page.on('console', (m) => out.push({ type: m.type(), text: m.text() }));
  return out;
}

/** Uncaught page errors, collected from now on; a test ends with `expect(errors).toEqual([])`. */
export function pageErrors(page: Page): string[] {
  const out: string[] = [];
  page.on('pageerror', (e) => out.push(e.message));
  return out;
}

/** A modal promotion with an email form: one step, or two with a thank-you step after the submit. */
export function emailModal(id: string, thanks = false): Record<string, unknown> {
  return {
    id,
    name: id,
    kind: 'modal',
    steps: [
      {
        id: 'offer',
        blocks: [
          { kind: 'heading', text: 'Before you go: 10% off' },
          { kind: 'email', required: true, placeholder: 'you@example.com' },
          { kind: 'button', text: 'Send my code', action: 'submit' },
          { kind: 'close', label: 'No thanks' },
        ],
      },
      ...(thanks ? [{ id: 'thanks', blocks: [{ kind: 'heading', text: 'Thank you' }, { kind: 'coupon', code: 'STAY10' }] }] : []),
    ],
  };
}

/** A one-workflow document: nodes in order, joined by `[from, port, to]` edges. */
export function workflow(id: string, nodes: Record<string, unknown>[], edges: [string, string, string][], settings: Record<string, unknown> = {}) {
  return {
    id,
    name: id,
    status: 'active',
    settings,
    start: nodes[0]!.id,
    nodes,
    edges: edges.map(([from, port, to]) => ({ from, port, to })),
  };
}
