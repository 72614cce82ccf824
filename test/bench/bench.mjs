// The benchmark: our script-tag runtime against the GrowthBook SDK (and posthog-js sizes), in one run, in Chromium.
// Usage: npm run bench   (builds, then: node test/bench/bench.mjs [--quick] [--loads=7] [--ours=<file>])
//   --quick        N = 0 and 10 only, 3 loads, 50 events: checks the harness quickly (figures not meaningful)
//   --sizes=0,1000 the numbers of workflows to measure (default 0,10,100,1000)
//   --ours=<file>  measure another build of the script-tag runtime instead of dist/workflows.js
//   --serve        only serve the bench pages (URLs printed), to look at them in a browser's DevTools
// What each figure means and how it is measured: docs/benchmarks.md. Nothing is written to disk: the table
// and the same figures as JSON go to stdout. It asserts no timing; it exits 1 only when a side did not do the
// work it was given (wrong workflow count, wrong cursors touched, wrong features on) or a page failed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { compileProject } from '../../dist/esm/index.js';
import { EVENTS, PAGE_PATH, growthbookFeatures, passing, workflowsDocument } from './generate.mjs';

const root = new URL('../../', import.meta.url);
const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const QUICK = process.argv.includes('--quick');
// N = 0: the same page with an empty bundle (no feature for GrowthBook), so what grows with N can be told apart
// from what every start pays (script, storage, page view).
const SIZES = arg('sizes')?.split(',').map(Number) ?? (QUICK ? [0, 10] : [0, 10, 100, 1000]);
const LOADS = Number(arg('loads') ?? (QUICK ? 3 : 7));
const WARM = QUICK ? 10 : 30;
const RUNS = QUICK ? 50 : 300;
const EVENTS_TRACED = QUICK ? 20 : 100;
/** Time left after `ready` for work the runtime does not wait for (cursors entering their first wait). */
const SETTLE = 300;
/** The event that has waiting cursors (workflows i with i % 50 = 3 whose targeting passed). */
const HIT = 'bench_3';
const waitingOn = (n, e) => passing(n).filter((i) => i % EVENTS === e).length;

const OURS = arg('ours') ?? 'dist/workflows.js';
const FILES = {
  ours: OURS,
  renderer: 'dist/chunks/renderer.js',
  gb: 'node_modules/@growthbook/growthbook/dist/bundles/index.min.js',
  posthog: 'node_modules/posthog-js/dist/array.js',
  surveys: 'node_modules/posthog-js/dist/surveys.js',
};
const read = (file) => readFileSync(new URL(file, root));
const has = (file) => existsSync(new URL(file, root));
const version = (pkg) => JSON.parse(read(`node_modules/${pkg}/package.json`)).version;

// ------------------------------------------------------------------------------------------------ sizes

/** As scripts/size.mjs measures: raw, gzip -9, brotli quality 11. */
function size(file) {
  if (!has(file)) return undefined;
  const b = read(file);
  const brotli = brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: b.length } });
  return { raw: b.length, gzip: gzipSync(b, { level: 9 }).length, brotli: brotli.length };
}
const sizes = Object.fromEntries(Object.entries(FILES).map(([k, f]) => [k, size(f)]));
for (const k of ['ours', 'gb', 'posthog', 'surveys']) if (!sizes[k]) throw new Error(`bench: ${FILES[k]} is missing (npm run build; npm install)`);

// ------------------------------------------------------------------------------------------------ workloads

// Read once: a build finishing during the run must not change what half of the loads measure.
const SOURCES = { ours: read(OURS), gb: read(FILES.gb), floor: read('test/bench/floor.js') };
const bodies = new Map();
for (const n of SIZES) {
  const r = compileProject([{ file: `bench-${n}.json`, doc: workflowsDocument(n) }]);
  if (!r.ok) throw new Error(`bench: the ${n}-workflow project does not compile: ${JSON.stringify(r.problems.slice(0, 3))}`);
  bodies.set(`/bench/wf-${n}.json`, JSON.stringify(r.bundle));
  bodies.set(`/bench/gb-${n}.json`, JSON.stringify(growthbookFeatures(n)));
}

// The page: a long-task observer and the ready marker first, then one async script tag, as a site embeds it.
const html = (head) => `<!doctype html><html><head><meta charset="utf-8"><title>Item 353</title><link rel="icon" href="data:,"><script>
window.__long=[];try{new PerformanceObserver(function(l){l.getEntries().forEach(function(e){__long.push([e.startTime,e.duration])})}).observe({type:'longtask',buffered:true})}catch(e){}
(function(j){Response.prototype.json=function(){var u=this.url;return j.call(this).then(function(v){if(u.indexOf('/bench/wf-')>0||u.indexOf('/bench/gb-')>0)performance.mark('bench:data');return v})}})(Response.prototype.json);
function __done(info){performance.mark('bench:ready');window.__ready={info:info,at:performance.now()};console.log('bench:ready')}
</script>${head}</head><body><h1>Item 353</h1><p>A product page.</p></body></html>`;
const failed = `onerror="__done({error:'the script did not load'})"`;
const SCRIPTS = { ours: '/workflows.js', gb: '/gb.js', none: '/bench/none.js', floor: '/bench/floor.js' };
const pages = {
  none: () => html(`<script async src="/bench/none.js" onload="__done({})" ${failed}></script>`),
  // The browser's floor for our job (test/bench/floor.js): it calls __done itself.
  floor: (n) => html(`<script async src="/bench/floor.js" data-workflows="/bench/wf-${n}.json" ${failed}></script>`),
  ours: (n) =>
    html(`<script async src="/workflows.js" data-workflows="/bench/wf-${n}.json" ${failed}
onload="window.workflows&&workflows.ready?workflows.ready.then(__done):__done({error:'no window.workflows'})"></script>`),
  // GrowthBook gets its features the way our runtime gets its bundle: one JSON fetch once the SDK is loaded.
  gb: (n) =>
    html(`<script>function __gb(){fetch('/bench/gb-${n}.json').then(function(r){return r.json()}).then(function(features){
var attrs=function(){return{url:location.href,device:/Mobi|Android|iPad|Tablet/i.test(navigator.userAgent)?'mobile':'desktop',visits:1}};
var t0=performance.now();var gb=new growthbook.GrowthBook({attributes:attrs(),features:features});
var on=0;for(var k in features)if(gb.evalFeature(k).on)on++;
var init=performance.now()-t0;window.__bench={gb:gb,features:features,attrs:attrs};
__done({workflows:Object.keys(features).length,on:on,init:init})})}</script>
<script async src="/gb.js" onload="__gb()" ${failed}></script>`),
};

// ------------------------------------------------------------------------------------------------ server

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  // Cross-origin isolation gives performance.now() 5 µs resolution instead of 100 µs.
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
  // Scripts may be cached, as a site serves them (a fresh context starts with an empty cache anyway, and the
  // returning-visitor loads need the cache for the browser's compiled-code cache); data is fetched every time.
  res.setHeader('Cache-Control', /\.js$/.test(url.pathname) ? 'max-age=300' : 'no-store');
  const send = (type, body) => (res.setHeader('Content-Type', type), res.end(body));
  if (url.pathname === PAGE_PATH) return send('text/html', pages[url.searchParams.get('sdk')](url.searchParams.get('n')));
  if (url.pathname === '/workflows.js') return send('text/javascript', SOURCES.ours);
  if (url.pathname === '/gb.js') return send('text/javascript', SOURCES.gb);
  if (url.pathname === '/bench/none.js') return send('text/javascript', 'void 0');
  if (url.pathname === '/bench/floor.js') return send('text/javascript', SOURCES.floor);
  if (bodies.has(url.pathname)) return send('application/json', bodies.get(url.pathname));
  res.statusCode = 404;
  res.end();
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;
if (process.argv.includes('--serve')) {
  for (const n of SIZES) for (const sdk of ['ours', 'gb']) console.log(`${origin}${PAGE_PATH}?sdk=${sdk}&n=${n}`);
  console.log(`${origin}${PAGE_PATH}?sdk=none&n=0  (control)`);
  await new Promise(() => {});
}

// ------------------------------------------------------------------------------------------------ browser

/** The launch flags of playwright.config.ts, read from it so the bench runs Chromium as the tests do. */
function configFlags() {
  const list = /args:\s*\[([^\]]*)\]/.exec(read('playwright.config.ts').toString())?.[1];
  if (!list) throw new Error('bench: no launch args found in playwright.config.ts');
  return [...list.matchAll(/'([^']+)'/g)].map((m) => m[1]);
}
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: configFlags() });
// Top-level tasks come from `toplevel`; DevTools' own timeline detail (`disabled-by-default-devtools.timeline`)
// is left out: it records a JavaScript stack for every timer, request and listener, and collecting those stacks
// costs the page milliseconds of re-parsing that a visitor never pays.
// `v8` and `v8.execute` add the events that tell JavaScript apart from the page's own work (parsing, style,
// layout, paint), which the script → ready window also holds; they record no stacks.
const CATEGORIES = ['toplevel', 'devtools.timeline', 'blink.user_timing', 'v8', 'v8.execute'];
/**
 * Events that are JavaScript running on the main thread, with its compilation and garbage collection: a script's
 * evaluation, callbacks (events, IndexedDB, timers), promise jobs, and the collections they cause.
 */
const JS = new Set(['EvaluateScript', 'v8.run', 'v8.callFunction', 'FunctionCall', 'RunMicrotasks', 'v8.compile', 'MinorGC', 'MajorGC', 'V8.GCScavenger']);
/** Top-level work on a thread: tasks, and the IPC messages and handle watchers that run outside a task. */
const TOP = (e) => e.cat.split(',').includes('toplevel');
const problems = [];
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** Opens the bench page in a fresh context; `ready` resolves when the page logged its ready marker. */
async function open(sdk, n) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  page.on('pageerror', (e) => problems.push(`${sdk} N=${n}: page error: ${e.message}`));
  page.on('console', (m) => ['error', 'warning'].includes(m.type()) && problems.push(`${sdk} N=${n}: console ${m.type()}: ${m.text()}`));
  // The console marker, not waitForFunction: polling would run Playwright's scripts inside the measured window.
  const ready = page.waitForEvent('console', { predicate: (m) => m.text() === 'bench:ready', timeout: 30_000 });
  return { ctx, page, ready, go: () => page.goto(`${origin}${PAGE_PATH}?sdk=${sdk}&n=${n}`, { waitUntil: 'commit' }) };
}

/** One fresh page load, traced: main-thread time from the script's start to ready, heap, long tasks. */
async function load(sdk, n, warm = false) {
  // Now and then a trace lacks the script's evaluation (tracing reaches a new renderer late): load again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await tracedLoad(sdk, n, warm);
    } catch (e) {
      if (attempt === 3 || !String(e.message).startsWith('bench: the trace')) throw e;
      retried++;
    }
  }
}
let retried = 0;

/**
 * `warm`: a returning visitor. The context first loads the page twice (its stored state, the HTTP cache, and the
 * browser's cache of compiled scripts, which it makes on a script's second run, are then in place); the third
 * load is measured.
 */
async function tracedLoad(sdk, n, warm) {
  const { ctx, page, ready, go } = await open(sdk, n);
  let tracing = false;
  try {
    const marker = () => page.waitForEvent('console', { predicate: (m) => m.text() === 'bench:ready', timeout: 30_000 });
    if (warm) {
      await go();
      await ready;
      await sleep(SETTLE);
      const second = marker();
      await go();
      await second;
      await sleep(SETTLE);
      var next = marker();
    }
    const cdp = await ctx.newCDPSession(page);
    await browser.startTracing(page, { categories: CATEGORIES });
    tracing = true;
    await go();
    await (warm ? next : ready);
    await sleep(SETTLE);
    tracing = false;
    const trace = JSON.parse((await browser.stopTracing()).toString()).traceEvents;
    // Heap before any page.evaluate: Playwright's injected script would count in it.
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = (await cdp.send('Runtime.getHeapUsage')).usedSize;
    const { info, at, long } = await page.evaluate(() => ({ ...window.__ready, long: window.__long }));
    if (info?.error) problems.push(`${sdk} N=${n}: ${info.error}`);
    return { ...mainThread(trace, SCRIPTS[sdk], long), wall: at, heap, info };
  } finally {
    if (tracing) await browser.stopTracing().catch(() => {});
    await ctx.close();
  }
}

/**
 * Sums the renderer main thread's top-level tasks from the one that starts evaluating `script` to the ready
 * mark (`ready`), and to SETTLE ms later (`settled`). `task` is the longest task in that settled window and
 * `longtask` the longest the page's longtask observer saw there (`long`: [startTime, duration] in page time).
 */
function mainThread(events, script, long) {
  const mark = events.find((e) => e.name === 'bench:ready' && e.cat.includes('blink.user_timing'));
  const evaluate = events.find((e) => e.name === 'EvaluateScript' && e.args?.data?.url?.endsWith(script));
  if (!mark || !evaluate) throw new Error(`bench: the trace has no ${mark ? `evaluation of ${script}` : 'ready mark'}`);
  const main = events.filter((e) => e.ph === 'X' && e.pid === mark.pid && e.tid === mark.tid);
  const merged = union(main.filter(TOP));
  const start = merged.find(([a, b]) => a <= evaluate.ts && evaluate.ts <= b)?.[0] ?? evaluate.ts;
  const total = (spans, end, from = start) => spans.reduce((s, [a, b]) => s + Math.max(0, Math.min(b, end) - Math.max(a, from)), 0) / 1000;
  const sum = (end) => total(merged, end);
  const settledEnd = mark.ts + SETTLE * 1000;
  const inWindow = merged.filter(([a, b]) => b > start && a < settledEnd).map(([a, b]) => (b - a) / 1000);
  // The mark carries its page time too: that maps long-task entries onto the trace clock. Long tasks before
  // the script started (the page's own parsing and first paint) are not the script's.
  const offset = mark.ts / 1000 - (mark.args?.data?.startTime ?? Infinity);
  const longs = long.filter(([t, d]) => !Number.isFinite(offset) || ((t + d + offset) * 1000 > start && (t + offset) * 1000 < settledEnd)).map(([, d]) => d);
  const jsSpans = union(main.filter((e) => JS.has(e.name)));
  const js = total(jsSpans, mark.ts);
  // From the data parsed to ready: the SDK's own start, as GrowthBook's reference figures time it (its constructor
  // and the evaluation of every feature, after its script ran and its JSON arrived). Ours: the engine, the store's
  // work still to do, the first page view.
  const data = events.find((e) => e.name === 'bench:data' && e.cat.includes('blink.user_timing') && e.pid === mark.pid);
  const init = data ? total(jsSpans, mark.ts, data.ts) : undefined;
  return { ready: sum(mark.ts), js, init, settled: sum(settledEnd), task: Math.max(0, ...inWindow), longtask: Math.max(0, ...longs) };
}

/** The time spans of trace events, nested or overlapping ones merged so nothing counts twice. */
function union(events) {
  const merged = [];
  for (const t of events.map((e) => [e.ts, e.ts + e.dur]).sort((a, b) => a[0] - b[0])) {
    const last = merged[merged.length - 1];
    if (last && t[0] <= last[1]) last[1] = Math.max(last[1], t[1]);
    else merged.push(t);
  }
  return merged;
}

/** Main-thread time (ms) of the renderer between two user-timing marks: its top-level tasks, merged. */
function taskTime(events, from, to) {
  const a = events.find((e) => e.name === from && e.cat.includes('blink.user_timing'));
  const b = events.find((e) => e.name === to && e.cat.includes('blink.user_timing'));
  if (!a || !b) throw new Error(`bench: the trace lacks the marks ${from} / ${to}`);
  let sum = 0;
  let end = 0;
  const tasks = events.filter((e) => e.ph === 'X' && TOP(e) && e.pid === a.pid && e.tid === a.tid).sort((x, y) => x.ts - y.ts);
  for (const t of tasks) {
    const lo = Math.max(t.ts, a.ts, end);
    const hi = Math.min(t.ts + t.dur, b.ts);
    if (hi > lo) sum += hi - lo;
    end = Math.max(end, t.ts + t.dur);
  }
  return sum / 1000;
}

/**
 * Main-thread time one event costs, everything included (for ours: the storage write that follows it), from a
 * trace: EVENTS_TRACED events, each in its own task 2 ms apart, minus the same loop doing nothing, ÷ the count.
 */
async function tracedEvents(sdk, page) {
  await browser.startTracing(page, { categories: CATEGORIES });
  try {
    await page.evaluate(
      async ([sdk, name, k]) => {
        const tick = () => new Promise((r) => setTimeout(r, 2));
        const b = window.__bench;
        const event = sdk === 'ours' ? () => window.workflows.track(name) : async () => (await b.gb.setAttributes(b.attrs()), Object.keys(b.features).forEach((f) => b.gb.evalFeature(f)));
        const loop = async (label, fn) => {
          performance.mark(`${label}:a`);
          for (let i = 0; i < k; i++) await tick(), fn();
          await tick();
          await tick();
          performance.mark(`${label}:b`);
        };
        await loop('idle', () => {});
        await loop('busy', event);
      },
      [sdk, HIT, EVENTS_TRACED],
    );
  } finally {
    var trace = JSON.parse((await browser.stopTracing()).toString()).traceEvents;
  }
  return Math.max(0, taskTime(trace, 'busy:a', 'busy:b') - taskTime(trace, 'idle:a', 'idle:b')) / EVENTS_TRACED;
}

/** Per-event cost, timed inside the page with performance.now() around each awaited call. */
async function events(sdk, n) {
  const { ctx, page, ready, go } = await open(sdk, n);
  try {
    return await measureEvents(sdk, page, ready, go);
  } finally {
    await ctx.close();
  }
}

async function measureEvents(sdk, page, ready, go) {
  await go();
  await ready;
  await sleep(SETTLE);
  const out = {};
  if (sdk === 'ours') {
    const time = ([name, warm, runs]) =>
      (async () => {
        const w = window.workflows;
        for (let i = 0; i < warm; i++) await w.track(name);
        const t = [];
        for (let i = 0; i < runs; i++) {
          const s = performance.now();
          await w.track(name);
          t.push(performance.now() - s);
        }
        return t;
      })();
    out.none = await page.evaluate(time, ['bench_none', WARM, RUNS]);
    out.hit = await page.evaluate(time, [HIT, WARM, RUNS]);
    // Not timed: how many steps one event moves (each waiting cursor goes wait -> segment -> wait: 2 steps).
    const steps = (name) =>
      page.evaluate(async (name) => {
        let steps = 0;
        const off = window.workflows.on('step', () => steps++);
        for (let i = 0; i < 5; i++) await window.workflows.track(name);
        off();
        return steps / 5;
      }, name);
    out.touched = { none: (await steps('bench_none')) / 2, hit: (await steps(HIT)) / 2 };
    out.segment = await page.evaluate(() => window.workflows.segments.has('bench'));
    out.traced = await tracedEvents(sdk, page);
  } else {
    const r = await page.evaluate(
      ([warm, runs]) =>
        (async () => {
          const { gb, features, attrs } = window.__bench;
          // What GrowthBook does when something changes: new attributes, every feature evaluated again.
          const event = async () => {
            await gb.setAttributes(attrs());
            let on = 0;
            for (const k in features) if (gb.evalFeature(k).on) on++;
            return on;
          };
          for (let i = 0; i < warm; i++) await event();
          const t = [];
          let on = 0;
          for (let i = 0; i < runs; i++) {
            const s = performance.now();
            on = await event();
            t.push(performance.now() - s);
          }
          return { t, on };
        })(),
      [WARM, RUNS],
    );
    out.hit = r.t;
    out.on = r.on;
    out.traced = await tracedEvents(sdk, page);
  }
  return out;
}

/**
 * A first visit traced by Chromium itself (`--trace-startup`, a fresh profile, no DevTools client): Playwright's
 * DevTools session makes Chromium record every request's initiator stack, which re-parses a script that starts its
 * own requests (ours does; GrowthBook's bundle request comes from the page). Returns the JavaScript main-thread time
 * from the script's start to ready, or undefined when the trace did not come (a slow machine).
 */
async function directLoad(sdk, n) {
  const dir = mkdtempSync(join(tmpdir(), 'wf-bench-'));
  const file = join(dir, 'trace.json');
  const chrome = spawn('/usr/bin/chromium', [
    ...configFlags(), '--headless=new', `--user-data-dir=${join(dir, 'profile')}`,
    `--trace-startup=${CATEGORIES.join(',')}`, '--trace-startup-format=json', `--trace-startup-file=${file}`, '--trace-startup-duration=3',
    `${origin}${PAGE_PATH}?sdk=${sdk}&n=${n}`,
  ], { stdio: 'ignore', detached: true });
  const exited = new Promise((ok) => chrome.once('exit', ok));
  try {
    for (let waited = 0; waited < 20_000; waited += 250) {
      await sleep(250);
      let events;
      try {
        events = JSON.parse(readFileSync(file, 'utf8')).traceEvents;
      } catch {
        continue; // not written yet, or still being written
      }
      const script = SCRIPTS[sdk];
      const mark = events.find((e) => e.name === 'bench:ready' && e.cat.includes('blink.user_timing'));
      const evaluate = events.find((e) => e.name === 'EvaluateScript' && e.args?.data?.url?.endsWith(script));
      if (!mark || !evaluate) return undefined;
      return mainThread(events, script, []);
    }
  } finally {
    // Its own process group: the renderer and the other helpers go with it.
    try {
      process.kill(-chrome.pid, 'SIGKILL');
    } catch {}
    await exited;
    await sleep(200);
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}

// ------------------------------------------------------------------------------------------------ run

const started = Date.now();
const loadBefore = loadavg()[0];
await load('none', 0); // discarded: the browser's first page pays for starting its GPU and network services
const loads = { none: [] };
for (const n of SIZES) loads[`ours-${n}`] = [], loads[`gb-${n}`] = [];
// The floor at the smallest and largest N only (the bundle it parses is what changes).
const FLOOR = [...new Set([SIZES[0], SIZES[SIZES.length - 1]])];
for (const n of FLOOR) loads[`floor-${n}`] = [];
// Interleaved, alternating which side goes first, so drift (thermal, other load) hits both sides alike.
for (let r = 0; r < LOADS; r++) {
  loads.none.push(await load('none', 0));
  for (const n of SIZES) {
    for (const sdk of r % 2 ? ['gb', 'ours'] : ['ours', 'gb']) loads[`${sdk}-${n}`].push(await load(sdk, n));
    if (FLOOR.includes(n)) loads[`floor-${n}`].push(await load('floor', n));
  }
}
// Returning visitors: fewer loads (each costs three), same interleaving.
const WARM_LOADS = Math.max(3, LOADS >> 1);
for (const n of SIZES) loads[`ours-warm-${n}`] = [], loads[`gb-warm-${n}`] = [];
for (let r = 0; r < WARM_LOADS; r++) {
  for (const n of SIZES) {
    for (const sdk of r % 2 ? ['gb', 'ours'] : ['ours', 'gb']) loads[`${sdk}-warm-${n}`].push(await load(sdk, n, true));
  }
}
const ev = {};
for (const n of SIZES) if (n) ev[`ours-${n}`] = await events('ours', n), ev[`gb-${n}`] = await events('gb', n);
// First visits without DevTools attached, at the smallest and largest N: fewer loads, each costs a browser start.
const DIRECT = QUICK ? [] : [...new Set([SIZES[0], SIZES[SIZES.length - 1]])];
const direct = {};
for (let r = 0; r < 5 && DIRECT.length; r++) {
  for (const n of DIRECT) for (const sdk of r % 2 ? ['gb', 'ours', 'floor'] : ['floor', 'ours', 'gb']) (direct[`${sdk}-${n}`] ??= []).push(await directLoad(sdk, n));
}
const chromiumVersion = browser.version();
await browser.close();
server.close();

// ------------------------------------------------------------------------------------------------ report

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  if (q === 0.5) return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]; // nearest rank
};
const med = (xs) => quantile(xs, 0.5);
const dataSize = (path) => ({ raw: Buffer.byteLength(bodies.get(path)), gzip: gzipSync(bodies.get(path), { level: 9 }).length });
const pick = (key, f) => loads[key].map(f);

const results = {
  date: new Date().toISOString(),
  machine: {
    cpus: availableParallelism(),
    model: /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown',
    node: process.version,
    chromium: chromiumVersion,
    // Other work on the machine during the run (1-minute load average before and after): noise to know about.
    load: [loadBefore, loadavg()[0]].map((x) => Math.round(x * 100) / 100),
  },
  versions: { growthbook: version('@growthbook/growthbook'), posthog: version('posthog-js') },
  method: { loads: LOADS, warmup: WARM, events: RUNS, settleMs: SETTLE, ours: OURS },
  sizes,
  // What each side fetches at start: our compiled bundle, GrowthBook's features.
  data: Object.fromEntries(SIZES.map((n) => [n, { ours: dataSize(`/bench/wf-${n}.json`), gb: dataSize(`/bench/gb-${n}.json`) }])),
  control: {
    mainThreadReadyMs: med(pick('none', (l) => l.ready)),
    mainThreadSettledMs: med(pick('none', (l) => l.settled)),
    wallMs: med(pick('none', (l) => l.wall)),
    heapBytes: med(pick('none', (l) => l.heap)),
  },
  workflows: {},
};
for (const n of SIZES) {
  const side = (sdk) => {
    const key = `${sdk}-${n}`;
    const e = ev[key] ?? { hit: [], none: [], on: 0, touched: { hit: 0, none: 0 } };
    const long = Math.max(0, ...pick(key, (l) => l.longtask));
    return {
      mainThreadReadyMs: med(pick(key, (l) => l.ready)),
      javascriptReadyMs: med(pick(key, (l) => l.js)),
      initJavascriptMs: med(pick(key, (l) => l.init).filter((x) => x != null)),
      mainThreadSettledMs: med(pick(key, (l) => l.settled)),
      wallMs: med(pick(key, (l) => l.wall)),
      heapBytes: med(pick(key, (l) => l.heap)),
      longTaskMs: long || null,
      longestTaskMs: Math.max(...pick(key, (l) => l.task)),
      ...(sdk === 'gb' ? { initMs: med(pick(key, (l) => l.info?.init)), featuresOn: e.on } : {}),
      event: { medianMs: med(e.hit), p99Ms: quantile(e.hit, 0.99), mainThreadMs: e.traced },
      ...(sdk === 'ours'
        ? { eventNone: { medianMs: med(e.none), p99Ms: quantile(e.none, 0.99) }, cursorsTouched: e.touched, segmentAdded: e.segment }
        : {}),
    };
  };
  const ours = side('ours');
  const gb = side('gb');
  ours.returningMainThreadReadyMs = med(pick(`ours-warm-${n}`, (l) => l.ready));
  gb.returningMainThreadReadyMs = med(pick(`gb-warm-${n}`, (l) => l.ready));
  ours.returningJavascriptReadyMs = med(pick(`ours-warm-${n}`, (l) => l.js));
  gb.returningJavascriptReadyMs = med(pick(`gb-warm-${n}`, (l) => l.js));
  const traced = (sdk, f = 'js') => direct[`${sdk}-${n}`]?.map((x) => x?.[f]).filter((x) => x != null) ?? [];
  if (traced('ours').length && traced('gb').length) {
    ours.directJavascriptReadyMs = med(traced('ours'));
    gb.directJavascriptReadyMs = med(traced('gb'));
    ours.directInitJavascriptMs = med(traced('ours', 'init'));
    gb.directInitJavascriptMs = med(traced('gb', 'init'));
  }
  if (loads[`floor-${n}`]) {
    ours.floor = {
      javascriptReadyMs: med(pick(`floor-${n}`, (l) => l.js)),
      directJavascriptReadyMs: traced('floor').length ? med(traced('floor')) : undefined,
      initJavascriptMs: med(pick(`floor-${n}`, (l) => l.init).filter((x) => x != null)),
    };
    if (loads[`floor-${n}`][0].info?.workflows !== n) problems.push(`floor N=${n}: read ${loads[`floor-${n}`][0].info?.workflows} workflows, expected ${n}`);
  }
  results.workflows[n] = { ours, growthbook: gb };
  // The work each side was given was done: not a timing check.
  const count = loads[`ours-${n}`][0].info?.workflows;
  if (count !== n) problems.push(`ours N=${n}: ready reports ${count} workflows, expected ${n}`);
  if (!n) continue;
  if (ours.cursorsTouched.hit !== waitingOn(n, 3) || ours.cursorsTouched.none !== 0) {
    problems.push(`ours N=${n}: one ${HIT} moved ${ours.cursorsTouched.hit} cursors (expected ${waitingOn(n, 3)}), bench_none ${ours.cursorsTouched.none} (expected 0)`);
  }
  if (!ours.segmentAdded) problems.push(`ours N=${n}: the Segment to Update step did not add the visitor to "bench"`);
  if (gb.featuresOn !== passing(n).length) problems.push(`GrowthBook N=${n}: ${gb.featuresOn} features on, expected ${passing(n).length}`);
}

/** Figures quoted in the brief for GrowthBook on this kind of machine, and our goals (at 1,000 workflows). */
const REFERENCE = { 100: { start: 5.2, event: 0.115 }, 1000: { start: 30, event: 1.2 } };
const GOAL = { start: 10, event: 0.06 };

const ms = (x) => (x == null || Number.isNaN(x) ? '–' : x < 0.1 ? x.toFixed(4) : x < 10 ? x.toFixed(3) : x.toFixed(1));
const bytes = (x) => (x == null ? '–' : x.toLocaleString('en-US'));
const mb = (x) => (x / 1048576).toFixed(2);
const ratio = (a, b) => (a == null || !b ? '–' : `${(a / b).toFixed(2)}×`);
const rows = [['figure', 'N', 'ours', 'GrowthBook', 'ours ÷ GB', 'posthog-js', 'GB reference', 'our goal']];
const row = (...cells) => rows.push(cells.map((c) => (c == null ? '' : String(c))));
for (const kind of ['raw', 'gzip', 'brotli']) {
  const unit = kind === 'raw' ? 'raw' : kind === 'gzip' ? 'gzip -9' : 'brotli';
  row(`size, script-tag bundle, ${unit} (B)`, '', bytes(sizes.ours[kind]), bytes(sizes.gb[kind]), ratio(sizes.ours[kind], sizes.gb[kind]), bytes(sizes.posthog[kind]), '', kind === 'gzip' ? '≤ 8,192' : '');
}
for (const kind of ['raw', 'gzip', 'brotli']) {
  const unit = kind === 'raw' ? 'raw' : kind === 'gzip' ? 'gzip -9' : 'brotli';
  row(`size, lazy promotion renderer, ${unit} (B)`, '', sizes.renderer ? bytes(sizes.renderer[kind]) : 'not built', '', '', `${bytes(sizes.surveys[kind])} (surveys)`, '', kind === 'gzip' ? '≤ 12,288' : '');
}
const c = results.control;
row('empty page (control): main thread, script → ready (ms)', '', ms(c.mainThreadReadyMs), '', '', '', '', '');
row('empty page (control): wall, navigation → ready (ms)', '', ms(c.wallMs), '', '', '', '', '');
row('empty page (control): heap used after GC (MB)', '', mb(c.heapBytes), '', '', '', '', '');
for (const n of SIZES) {
  const { ours: o, growthbook: g } = results.workflows[n];
  const ref = REFERENCE[n];
  const at1000 = n === 1000;
  const data = (side) => results.data[n][side];
  row('data fetched at start, raw / gzip -9 (B)', n, `${bytes(data('ours').raw)} / ${bytes(data('ours').gzip)}`, `${bytes(data('gb').raw)} / ${bytes(data('gb').gzip)}`, ratio(data('ours').raw, data('gb').raw), '', '', '');
  row('start: main thread, script → ready (ms)', n, ms(o.mainThreadReadyMs), ms(g.mainThreadReadyMs), ratio(o.mainThreadReadyMs, g.mainThreadReadyMs), '', '', at1000 ? `< ${GOAL.start}` : '');
  const base = results.workflows[0];
  if (n && base) {
    const grow = (side, x) => x.mainThreadReadyMs - base[side].mainThreadReadyMs;
    row('start: main thread added by the N workflows (N − N=0) (ms)', n, ms(grow('ours', o)), ms(grow('growthbook', g)), ratio(grow('ours', o), grow('growthbook', g)), '', '', '');
  }
  row('start, returning visitor (3rd load): main thread, script → ready (ms)', n, ms(o.returningMainThreadReadyMs), ms(g.returningMainThreadReadyMs), ratio(o.returningMainThreadReadyMs, g.returningMainThreadReadyMs), '', '', at1000 ? `< ${GOAL.start}` : '');
  row('start: JavaScript on the main thread (run, compile, GC), script → ready (ms)', n, ms(o.javascriptReadyMs), ms(g.javascriptReadyMs), ratio(o.javascriptReadyMs, g.javascriptReadyMs), '', ref ? ref.start : '', at1000 ? `< ${GOAL.start}` : '');
  if (o.directJavascriptReadyMs != null)
    row('start, first visit without DevTools attached: JavaScript on the main thread (ms)', n, ms(o.directJavascriptReadyMs), ms(g.directJavascriptReadyMs), ratio(o.directJavascriptReadyMs, g.directJavascriptReadyMs), '', '', at1000 ? `< ${GOAL.start}` : '');
  if (o.floor) {
    const f = o.floor;
    row('start, first visit: JavaScript of the floor (fetch + parse bundle, create IndexedDB, lock, read, write; no logic) (ms)', n, ms(f.javascriptReadyMs), '', '', '', '', '');
    row('start, first visit: our JavaScript above the floor (ours − floor) (ms)', n, ms(o.javascriptReadyMs - f.javascriptReadyMs), '', '', '', '', '');
    row('start, first visit: JavaScript of the floor from the data parsed → ready (create IndexedDB, lock, read, write) (ms)', n, ms(f.initJavascriptMs), '', '', '', '', '');
    if (f.directJavascriptReadyMs != null && o.directJavascriptReadyMs != null) {
      row('start, first visit without DevTools: JavaScript of the floor (ms)', n, ms(f.directJavascriptReadyMs), '', '', '', '', '');
      row('start, first visit without DevTools: our JavaScript above the floor (ms)', n, ms(o.directJavascriptReadyMs - f.directJavascriptReadyMs), '', '', '', '', '');
    }
  }
  row('start, returning visitor (3rd load): JavaScript on the main thread (ms)', n, ms(o.returningJavascriptReadyMs), ms(g.returningJavascriptReadyMs), ratio(o.returningJavascriptReadyMs, g.returningJavascriptReadyMs), '', '', at1000 ? `< ${GOAL.start}` : '');
  row(`start: main thread, script → ready + ${SETTLE} ms (ms)`, n, ms(o.mainThreadSettledMs), ms(g.mainThreadSettledMs), ratio(o.mainThreadSettledMs, g.mainThreadSettledMs), '', '', '');
  row('start: GB init → all features evaluated, in page (ms)', n, '', ms(g.initMs), '', '', ref ? ref.start : '', '');
  row('start, first visit: JavaScript from the data parsed → ready (the SDK\'s own start, as the reference times it) (ms)', n, ms(o.initJavascriptMs), ms(g.initJavascriptMs), ratio(o.initJavascriptMs, g.initJavascriptMs), '', ref ? ref.start : '', at1000 ? `< ${GOAL.start}` : '');
  if (o.directInitJavascriptMs != null)
    row('start, first visit without DevTools: JavaScript from the data parsed → ready (ms)', n, ms(o.directInitJavascriptMs), ms(g.directInitJavascriptMs), ratio(o.directInitJavascriptMs, g.directInitJavascriptMs), '', ref ? ref.start : '', at1000 ? `< ${GOAL.start}` : '');
  row('start: wall, navigation → ready (ms)', n, ms(o.wallMs), ms(g.wallMs), ratio(o.wallMs, g.wallMs), '', '', '');
  row('heap used after ready, after GC (MB)', n, mb(o.heapBytes), mb(g.heapBytes), ratio(o.heapBytes, g.heapBytes), '', '', '');
  row('long task from script start (longtask API; longest task)', n, `${o.longTaskMs ? ms(o.longTaskMs) : 'none'} (${ms(o.longestTaskMs)})`, `${g.longTaskMs ? ms(g.longTaskMs) : 'none'} (${ms(g.longestTaskMs)})`, '', '', '', at1000 ? 'none' : '');
  if (!n) continue;
  row(`event, median (ms): track('${HIT}') vs setAttributes + eval all`, n, ms(o.event.medianMs), ms(g.event.medianMs), ratio(o.event.medianMs, g.event.medianMs), '', ref ? ref.event : '', at1000 ? `< ${GOAL.event}` : '');
  row(`event, p99 (ms): track('${HIT}') vs setAttributes + eval all`, n, ms(o.event.p99Ms), ms(g.event.p99Ms), ratio(o.event.p99Ms, g.event.p99Ms), '', '', '');
  row(`event, main thread incl. its storage write (ms): '${HIT}' vs GB`, n, ms(o.event.mainThreadMs), ms(g.event.mainThreadMs), ratio(o.event.mainThreadMs, g.event.mainThreadMs), '', '', '');
  row("event, median (ms): track('bench_none') vs setAttributes + eval all", n, ms(o.eventNone.medianMs), ms(g.event.medianMs), ratio(o.eventNone.medianMs, g.event.medianMs), '', '', at1000 ? `< ${GOAL.event}` : '');
  row("event, p99 (ms): track('bench_none') vs setAttributes + eval all", n, ms(o.eventNone.p99Ms), ms(g.event.p99Ms), ratio(o.eventNone.p99Ms, g.event.p99Ms), '', '', '');
  row(`work per event: cursors moved by '${HIT}' / features on`, n, `${o.cursorsTouched.hit} of ${n}`, `${g.featuresOn} of ${n}`, '', '', '', '');
}

const { machine: m, versions: v } = results;
console.log(`\nWorkflows runtime vs GrowthBook ${v.growthbook} and posthog-js ${v.posthog} — ${results.date.slice(0, 10)}`);
console.log(`${m.cpus} × ${m.model}, Node ${m.node}, Chromium ${m.chromium} headless, load average ${m.load.join(' → ')}; ${OURS}`);
console.log(`start: median of ${LOADS} fresh loads (fresh context each); events: ${RUNS} awaited calls after ${WARM} warm-up, one page per side and N\n`);
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
const line = (r) => `| ${r.map((cell, i) => (i >= 2 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join(' | ')} |`;
console.log(line(rows[0]));
console.log(`|${widths.map((w, i) => (i >= 2 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`);
for (const r of rows.slice(1)) console.log(line(r));
console.log(`\nratios are ours ÷ GrowthBook: below 1× we are smaller or faster. ${((Date.now() - started) / 1000).toFixed(0)} s${retried ? `; ${retried} load(s) repeated for an incomplete trace` : ''}.`);
if (problems.length) {
  console.log(`\nPROBLEMS (the figures above may not measure what they say):\n- ${[...new Set(problems)].join('\n- ')}`);
  process.exitCode = 1;
}
console.log(`\nJSON:\n${JSON.stringify(results, null, 2)}`);
