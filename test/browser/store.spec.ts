// The visitor store in real Chromium: IndexedDB, Web Locks and BroadcastChannel across two tabs of one context.
import { expect, test, type Page } from '@playwright/test';

declare global {
  interface Window {
    __store: {
      open(name: string, persist?: boolean, timing?: { leaseMs?: number; writeMs?: number }): Promise<string>;
      bump(name: string, count: number): Promise<number[]>;
      stores: Record<string, { state: { id: string; attrs: Record<string, unknown> }; backend: string; reset(): Promise<void>; flush(): Promise<void> }>;
      logs: string[];
      locks: boolean;
    };
    __changes: Record<string, number>;
  }
}

const n = (page: Page, name: string) => page.evaluate((k) => window.__store.stores[k]!.state.attrs.n, name);

test('two tabs: 50 concurrent mutations each add up to 100 in both', async ({ context }) => {
  const name = `pw-${Date.now()}`;
  const a = await context.newPage();
  const b = await context.newPage();
  const errors: string[] = [];
  for (const p of [a, b]) p.on('pageerror', (e) => errors.push(e.message));
  await Promise.all([a.goto('/test/store.html'), b.goto('/test/store.html')]);
  expect(await a.evaluate(() => window.__store.locks)).toBe(true);
  const backends = await Promise.all([a, b].map((p) => p.evaluate((k) => window.__store.open(k), name)));
  expect(backends).toEqual(['indexeddb', 'indexeddb']);
  const id = await a.evaluate((k) => window.__store.stores[k]!.state.id, name);
  expect(await b.evaluate((k) => window.__store.stores[k]!.state.id, name)).toBe(id);

  const [ra, rb] = await Promise.all([a, b].map((p) => p.evaluate((k) => window.__store.bump(k, 50), name)));
  // Every increment saw every earlier one: the 100 results are exactly 1..100.
  expect([...ra!, ...rb!].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  // After the last broadcast both tabs hold the final count.
  for (const p of [a, b]) await p.waitForFunction((k) => window.__store.stores[k]!.state.attrs.n === 100, name);
  expect(await n(a, name)).toBe(100);
  expect(await n(b, name)).toBe(100);
  expect(errors).toEqual([]);
});

test("a change in tab A reaches tab B's onChange, and reset reaches it too", async ({ context }) => {
  const name = `pw-change-${Date.now()}`;
  const a = await context.newPage();
  const b = await context.newPage();
  await Promise.all([a.goto('/test/store.html'), b.goto('/test/store.html')]);
  for (const p of [a, b]) await p.evaluate((k) => window.__store.open(k), name);
  await a.evaluate((k) => window.__store.bump(k, 1), name);
  await b.waitForFunction((k) => window.__changes[k]! >= 1, name);
  expect(await n(b, name)).toBe(1);
  // A's own change does not call A's listeners.
  expect(await a.evaluate((k) => window.__changes[k], name)).toBe(0);

  const before = await b.evaluate((k) => window.__changes[k]!, name);
  await a.evaluate((k) => window.__store.stores[k]!.reset(), name);
  const fresh = await a.evaluate((k) => window.__store.stores[k]!.state.id, name);
  await b.waitForFunction(([k, c]) => window.__changes[k as string]! > (c as number), [name, before] as const);
  expect(await b.evaluate((k) => window.__store.stores[k]!.state.id, name)).toBe(fresh);
});

test('a new tab finds the visitor the first tab stored', async ({ context }) => {
  const name = `pw-reload-${Date.now()}`;
  const a = await context.newPage();
  await a.goto('/test/store.html');
  await a.evaluate((k) => window.__store.open(k), name);
  await a.evaluate((k) => window.__store.bump(k, 3), name);
  const id = await a.evaluate((k) => window.__store.stores[k]!.state.id, name);
  const b = await context.newPage();
  await b.goto('/test/store.html');
  await b.evaluate((k) => window.__store.open(k), name);
  expect(await b.evaluate((k) => window.__store.stores[k]!.state, name)).toMatchObject({ id, attrs: { n: 3 } });
});

test('a change made just before the page goes is stored: the next page finds it (written as the page hides)', async ({ page }) => {
  await page.goto('/test/store.html');
  for (let round = 1; round <= 5; round++) {
    const name = `pw-leave-${round}-${Date.now()}`;
    // The write timer never fires here: only the write on pagehide can store the change.
    await page.evaluate((k) => window.__store.open(k, true, { writeMs: 1e9 }), name);
    await page.evaluate((k) => window.__store.bump(k, 2), name);
    await Promise.all([page.waitForURL(/again/), page.evaluate(() => (location.href = '/test/store.html?again'))]);
    await page.waitForFunction(() => window.__store);
    await page.evaluate((k) => window.__store.open(k), name);
    expect(await page.evaluate((k) => window.__store.stores[k]!.state.attrs.n, name)).toBe(2);
    await page.goto('/test/store.html');
  }
});

test('a tab holding the write lease lets another tab write at once when asked', async ({ context }) => {
  const name = `pw-lease-${Date.now()}`;
  const a = await context.newPage();
  const b = await context.newPage();
  await Promise.all([a.goto('/test/store.html'), b.goto('/test/store.html')]);
  // A would keep the lease for ever: only B asking for it can make A let go.
  await a.evaluate((k) => window.__store.open(k, true, { leaseMs: 1e9, writeMs: 1e9 }), name);
  await a.evaluate((k) => window.__store.bump(k, 1), name);
  await b.evaluate((k) => window.__store.open(k), name);
  await b.evaluate((k) => window.__store.bump(k, 1), name);
  expect(await n(b, name)).toBe(2);
  // ...and A, asking in turn, gets it back with B's change.
  expect(await a.evaluate((k) => window.__store.bump(k, 1), name)).toEqual([3]);
});

test('falls back to localStorage on a page that removed indexedDB, and to memory in consent mode', async ({ page }) => {
  await page.addInitScript(() => {
    if (location.search.includes('noidb')) Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });
  });
  await page.goto('/test/store.html?noidb');
  const name = `pw-noidb-${Date.now()}`;
  expect(await page.evaluate((k) => window.__store.open(k), name)).toBe('localstorage');
  await page.evaluate((k) => window.__store.bump(k, 2), name);
  await page.evaluate((k) => window.__store.stores[k]!.flush(), name);
  expect(await page.evaluate((k) => JSON.parse(localStorage.getItem('workflows:' + k)!).attrs.n, name)).toBe(2);
  expect(await page.evaluate(() => window.__store.logs)).toEqual([expect.stringMatching(/^storage: indexeddb failed \(.+\), using localstorage$/)]);

  const off = `pw-off-${Date.now()}`;
  expect(await page.evaluate((k) => window.__store.open(k, false), off)).toBe('memory');
  await page.evaluate((k) => window.__store.bump(k, 2), off);
  expect(await page.evaluate((k) => localStorage.getItem('workflows:' + k), off)).toBeNull();
});
