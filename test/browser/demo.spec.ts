// Every demo page loads the script-tag runtime and its compiled bundle, with no error in the console.
import { expect, test, type Response } from '@playwright/test';
import type { ReadyInfo } from '../../runtime/index.js';

const PAGES = ['/', '/collection.html', '/product.html', '/cart.html'];

for (const path of PAGES) {
  test(`demo page ${path} loads the runtime and its workflows`, async ({ page }) => {
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') errors.push(`console.${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
    const responses = new Map<string, Response>();
    page.on('response', (response) => responses.set(new URL(response.url()).pathname, response));

    const navigation = await page.goto(path);
    expect(navigation?.status()).toBe(200);
    const ready = await page.evaluate(() => window.workflows?.ready ?? null) as ReadyInfo | null;

    const runtime = responses.get('/workflows.js');
    const bundle = responses.get('/workflows.json');
    expect(runtime?.status(), '/workflows.js was fetched').toBe(200);
    expect(bundle?.status(), '/workflows.json was fetched').toBe(200);
    const served = (await bundle!.json()) as { format: string; hash: string; workflows: unknown[] };
    expect(served.format).toBe('workflows/compiled');
    expect(served.workflows.length, 'the demo compiles some workflows').toBeGreaterThan(0);
    expect(ready).toEqual({ workflows: served.workflows.length, hash: served.hash });
    expect(errors).toEqual([]);
  });
}

test('an unknown page gets the 404 page', async ({ page }) => {
  const response = await page.goto('/no-such-page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
});
