import { defineConfig } from '@playwright/test';

/**
 * A fixed port kept apart from `npm start` (4173), so a running demo does not collide with a test run;
 * `PW_PORT` moves it, so two checkouts can run their browser tests at once.
 */
const PORT = Number(process.env.PW_PORT) || 4317;

export default defineConfig({
  testDir: 'test/browser',
  globalSetup: './test/browser/global-setup.ts',
  workers: 2,
  fullyParallel: true,
  reporter: 'list',
  forbidOnly: Boolean(process.env.CI),
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    headless: true,
    launchOptions: {
      // Debian's Chromium; Playwright's own browser download does not work on this network.
      executablePath: '/usr/bin/chromium',
      // The networking flags stop Chromium from flooding the closed network with refused connections.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    command: 'node examples/server.mjs',
    env: { PORT: String(PORT) },
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
