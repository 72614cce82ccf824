import { chromium } from '@playwright/test';
const [url, runs = 3] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
for (let k = 0; k < runs; k++) {
  const ctx = await browser.newContext(); const page = await ctx.newPage();
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing', 'disabled-by-default-v8.compile'] });
  const ready = page.waitForEvent('console', (m) => m.text() === 'bench:ready');
  await page.goto(url); await ready; await new Promise(r => setTimeout(r, 300));
  const ev = JSON.parse((await browser.stopTracing()).toString()).traceEvents;
  const e = ev.find((e) => e.name === 'EvaluateScript' && e.args?.data?.url?.includes('workflows.js'));
  const inside = ev.filter((x) => x.pid === e.pid && x.tid === e.tid && x.ph === 'X' && x.ts >= e.ts && x.ts + x.dur <= e.ts + e.dur && x !== e && x.dur > 200);
  console.log('EvaluateScript', (e.dur / 1000).toFixed(2), inside.map((x) => `${x.name}:${(x.dur / 1000).toFixed(2)}`).join(' '));
  await ctx.close();
}
await browser.close();
