// The sensors test page (examples/site/test/sensors.html) from the test's side: open it, watch triggers, read
// what fired. Shared by the sensor specs.
import { expect, type Page } from '@playwright/test';

export type Fired = { id: number; on: string; props?: Record<string, unknown>; at: number };
export const S = 'window.__sensors';

/** Opens the sensors page with Playwright's clock installed, once its watcher API is there. */
export async function open(page: Page, query = '') {
  await page.clock.install();
  await page.goto(`/test/sensors.html${query}`);
  await page.waitForFunction(() => !!(window as any).__sensors);
}
export const watch = (page: Page, trigger: object) => page.evaluate((t) => (window as any).__sensors.watch(t), trigger) as Promise<number>;
export const fired = (page: Page) => page.evaluate(`${S}.fired`) as Promise<Fired[]>;
export const listeners = (page: Page) => page.evaluate(`${S}.listeners()`) as Promise<Record<string, number>>;
export const errors = (page: Page) => page.evaluate(`${S}.errors`) as Promise<string[]>;
/** Stops every watcher and checks that nothing is left attached. */
export async function stopAll(page: Page) {
  await page.evaluate(`${S}.stopAll()`);
  expect(await listeners(page)).toEqual({});
  expect(await errors(page)).toEqual([]);
}
/** Two animation frames: scroll events and rAF-throttled checks have run. */
export const frames = (page: Page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
