import { expect, test } from '@playwright/test';

// The demo's promotions page shows every kind through the real runtime, renderer chunk and demo bundle.
const KINDS = ['modal', 'slide_in', 'bar', 'fullscreen', 'inline', 'teaser'];

test('the promotions page shows each kind of promotion from its button', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const chunks: string[] = [];
  page.on('request', (r) => r.url().includes('/chunks/') && chunks.push(new URL(r.url()).pathname + new URL(r.url()).search));
  await page.clock.install();
  await page.goto('/promotions.html');
  await page.evaluate(() => (window as any).workflows.ready);
  for (const kind of KINDS) {
    const host = page.locator(`[data-workflows-promotion="showcase-${kind}"]`);
    await page.locator(`[data-show="showcase-${kind}"]`).click();
    await expect(host).toHaveCount(1);
    if (kind === 'inline') await expect(page.locator('#inline-slot [data-workflows-promotion="showcase-inline"]')).toHaveCount(1);
    if (kind === 'modal' || kind === 'fullscreen') await expect(host.locator('[role="dialog"]')).toBeVisible();
    // Close it, then let the governor's cooldown (5 s on this page) pass before the next one.
    await page.evaluate((id) => (window as any).workflows.unenroll(id), `showcase-${kind}`);
    await expect(host).toHaveCount(0);
    await page.clock.fastForward(6000);
  }
  expect(errors).toEqual([]);
  // Chunks are fetched under their content hash, so they can be cached for a year and still change with a release.
  expect(chunks).toContainEqual(expect.stringMatching(/^\/chunks\/renderer\.js\?v=[\w-]{8}$/));
});
