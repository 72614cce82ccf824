/** Shared by the renderer specs: a promotion to show, and the page that shows it through `window.__renderer`. */
import type { Page } from '@playwright/test';

export const offer = (extra: Record<string, unknown> = {}, blocks?: unknown[]) => ({
  id: 'p',
  name: 'Offer',
  kind: 'modal',
  steps: [
    {
      id: 'offer',
      blocks: blocks ?? [
        { kind: 'heading', text: 'Hello {{first_name | friend}}' },
        { kind: 'text', text: 'Get **10% off** today.' },
        { kind: 'email', required: true, label: 'Email' },
        { kind: 'button', text: 'Join', action: 'submit' },
        { kind: 'close', label: 'No thanks' },
      ],
    },
    { id: 'thanks', blocks: [{ kind: 'heading', text: 'Your code' }, { kind: 'coupon', code: 'WELCOME10' }, { kind: 'button', text: 'Copy code', action: 'copy_coupon' }] },
  ],
  ...extra,
});

export async function open(page: Page, query = ''): Promise<void> {
  await page.goto('/test/renderer.html' + query);
  await page.waitForFunction(() => (window as any).__renderer);
}
export const show = (page: Page, p: unknown, attrs: Record<string, unknown> = {}) =>
  page.evaluate(([p, a]) => void ((window as any).__out = (window as any).__renderer.show(p, a)), [p, attrs] as const);
export const outcome = (page: Page) => page.evaluate(() => (window as any).__out);
export const log = (page: Page) => page.evaluate(() => (window as any).__log as [string, unknown][]);
export const host = (page: Page, id = 'p') => page.locator(`[data-workflows-promotion="${id}"]`);
export const panel = (page: Page, id = 'p') => page.locator(`[data-workflows-promotion="${id}"] .p`);
export const box = async (page: Page, id = 'p') => (await panel(page, id).boundingBox())!;
/** Lets the minimum time to submit pass (a real visitor is never that fast). */
export const human = (page: Page) => page.waitForTimeout(1600);
