import { chromium } from '@playwright/test';
const [url, runs = 3] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
for (let k = 0; k < runs; k++) {
  const ctx = await browser.newContext(); const page = await ctx.newPage();
  await browser.startTracing(page, { categories: ['toplevel', 'devtools.timeline', 'blink.user_timing'] });
  const ready = page.waitForEvent('console', (m) => m.text() === 'bench:ready');
  await page.goto(url); await ready; await new Promise(r => setTimeout(r, 300));
  const ev = JSON.parse((await browser.stopTracing()).toString()).traceEvents;
  const mark = ev.find((e) => e.name === 'bench:ready');
  const evalS = ev.find((e) => e.name === 'EvaluateScript' && e.args?.data?.url?.includes('workflows.js'));
  const main = ev.filter((e) => e.pid === mark.pid && e.tid === mark.tid && e.ph === 'X');
  const tasks = main.filter((e) => e.name === 'ThreadControllerImpl::RunTask' && e.ts + e.dur >= evalS.ts && e.ts <= mark.ts).sort((a, b) => a.ts - b.ts);
  let total = 0; const rows = [];
  for (const t of tasks) {
    const kids = main.filter((e) => e !== t && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur && !e.name.includes('RunTask') && !e.name.includes('mojo') && !e.name.includes('Microtask') && !e.name.includes('Watcher'));
    // direct-ish children: those not contained in another kid
    const top = kids.filter((k) => !kids.some((o) => o !== k && o.ts <= k.ts && o.ts + o.dur >= k.ts + k.dur && (o.dur > k.dur)));
    total += t.dur;
    rows.push([(t.dur / 1000).toFixed(2), top.map((k) => `${k.name}${k.args?.data?.functionName ? '(' + k.args.data.functionName + ')' : ''}${k.args?.data?.type ? '[' + k.args.data.type + ']' : ''}:${(k.dur / 1000).toFixed(2)}`).slice(0, 5).join(' ')]);
  }
  console.log(`run ${k}: ${tasks.length} tasks, ${(total / 1000).toFixed(2)} ms`);
  if (k == runs - 1) for (const r of rows.filter((r) => +r[0] > 0.15)) console.log(' ', r[0], r[1]);
  await ctx.close();
}
await browser.close();
