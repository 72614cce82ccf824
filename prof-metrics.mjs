import { chromium } from '@playwright/test';
const urls = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
for (const url of urls) {
  const task = [], script = [];
  for (let k = 0; k < 7; k++) {
    const ctx = await browser.newContext(); const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Performance.enable');
    const ready = page.waitForEvent('console', (m) => m.text() === 'bench:ready');
    await page.goto(url); await ready;
    const m = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((x) => [x.name, x.value]));
    task.push(m.TaskDuration * 1000); script.push(m.ScriptDuration * 1000);
    await ctx.close();
  }
  console.log(url.split('?')[1].padEnd(16), 'TaskDuration', med(task).toFixed(1), 'ScriptDuration', med(script).toFixed(1));
}
await browser.close();
