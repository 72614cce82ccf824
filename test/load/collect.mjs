// Load test of the reference server's collector (POST /collect) on loopback, with a zero-lost-events check.
// See docs/load.md. Bounded in time (--seconds, at most 300) and in count (--max-events); 127.0.0.1 only.
//
//   node test/load/collect.mjs [--seconds=20] [--clients=32] [--visitors=4000] [--max-events=1000000] [--json]
//
// The server (createApp from server/app.mjs, default limits) runs in a worker thread over a temporary data dir.
// A pool of `clients` keep-alive connections sends batches shaped like the runtime's (1-20 events of one
// visitor); some batches are resent whole on purpose, some mix already acknowledged events into fresh ones, some
// repeat an id inside the batch. Afterwards the event log is read back and checked: it parses, every
// acknowledged event is there exactly once and unchanged, nothing refused or unknown is there, and the server's
// `accepted` counts add up to the log. Exits 1 on any problem (lost, duplicated, changed or stray events).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { openStorage } from '../../server/storage.mjs';

const NAMES = ['page_view', 'promotion_shown', 'promotion_closed', 'promotion_converted', 'goal', 'step'];
const WORKFLOWS = ['wf_exit', 'wf_welcome', 'wf_cart', 'wf_vip'];

/** Nearest-rank percentile of a sorted list. */
const pct = (sorted, q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] : NaN);
const median = (list) => pct([...list].sort((a, b) => a - b), 0.5);

function startServer(dataDir, limits) {
  const worker = new Worker(new URL('./server-worker.mjs', import.meta.url), { workerData: { dataDir, limits } });
  return new Promise((resolve, reject) => {
    worker.once('error', (error) => { worker.terminate(); reject(error); });
    worker.once('message', (m) => resolve({ worker, port: m.port }));
  });
}
function stopServer(worker) {
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (m) => m.stopped && resolve());
    worker.postMessage('stop');
  });
}

/** One POST; resolves { status, body } or { error }. */
function post(agent, port, payload, timeout) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/collect', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        let body;
        try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { body = undefined; }
        resolve({ status: res.statusCode, body });
      });
      res.on('error', (error) => resolve({ error }));
    });
    req.setTimeout(timeout, () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve({ error }));
    req.end(payload);
  });
}

/**
 * Runs the load and the check. Returns the figures and `problems` (empty when every acknowledged event is in the
 * log exactly once). Options: seconds (20), clients (32), visitors (4000), maxEvents (1e6), limits (passed to
 * createApp; default none, i.e. the server's defaults), dataDir (a temp dir, removed afterwards, by default),
 * timeout per request in ms (10000), seed for the batch shapes, beforeCheck(logFile) called after the server
 * stopped and before the log is read.
 * @param {{ seconds?: number, clients?: number, visitors?: number, maxEvents?: number, limits?: object, dataDir?: string, timeout?: number, seed?: number, beforeCheck?: (logFile: string) => unknown }} [o]
 */
export async function runLoad(o = {}) {
  const seconds = Math.min(Math.max(o.seconds ?? 20, 0.1), 300);
  const clients = Math.min(Math.max(o.clients ?? 32, 1), 256);
  const visitors = Math.max(o.visitors ?? 4000, clients);
  const maxEvents = o.maxEvents ?? 1_000_000;
  const timeout = o.timeout ?? 10_000;
  const dataDir = o.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'wf-load-'));
  const own = !o.dataDir;

  try {
    return await run(o, seconds, clients, visitors, maxEvents, timeout, dataDir);
  } finally {
    if (own) rmSync(dataDir, { recursive: true, force: true });
  }
}

async function run(o, seconds, clients, visitors, maxEvents, timeout, dataDir) {
  // A small seeded generator, so that a run's batch shapes can be repeated.
  let s = (o.seed ?? 0x9e3779b9) >>> 0;
  const rnd = () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
  const int = (n) => Math.floor(rnd() * n);

  const load0 = os.loadavg();
  const { worker, port } = await startServer(dataDir, o.limits);
  const agent = new Agent({ keepAlive: true, maxSockets: clients });

  const acked = new Map(); // id -> the event as sent, for every id the server acknowledged
  const refused = new Set(); // ids only ever sent in refused (4xx) batches
  const unsure = new Set(); // ids sent in batches whose answer never came (may or may not be stored)
  const statuses = {};
  const latencies = [];
  const perSecond = [];
  let sent = 0, accepted = 0, duplicates = 0, batches = 0, resent = 0, mixed = 0, repeated = 0, mismatches = 0;
  let seq = 0;

  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const client = async (c) => {
    const mine = []; // this client's visitors: v % clients === c
    for (let v = c; v < visitors; v += clients) mine.push(`vis_${v.toString(36)}`);
    const recent = []; // the last acknowledged batches, to resend
    while (performance.now() < deadline && sent < maxEvents) {
      let events, fresh;
      const r = rnd();
      if (r < 0.05 && recent.length) {
        // A whole batch sent again (the runtime's retry after a lost answer): all duplicates.
        events = recent[int(recent.length)];
        fresh = 0;
        resent++;
      } else {
        // Some batches flush already acknowledged events again with new ones of the same visitor.
        const old = r < 0.1 && recent.length ? recent[int(recent.length)] : null;
        const visitor = old ? old[0].visitor : mine[int(mine.length)];
        const n = 1 + int(20);
        events = [];
        for (let i = 0; i < n; i++) {
          const e = { id: `ld${c.toString(36)}_${(seq++).toString(36)}`, name: NAMES[int(NAMES.length)], at: Date.now(), visitor };
          if (rnd() < 0.8) e.workflow = WORKFLOWS[int(WORKFLOWS.length)];
          if (e.workflow && rnd() < 0.7) e.step = `st_${int(6)}`;
          if (e.name.startsWith('promotion')) e.promotion = `promo_${int(5)}`;
          if (e.workflow && rnd() < 0.3) e.variant = rnd() < 0.5 ? 'a' : 'b';
          events.push(e);
        }
        fresh = n;
        if (old) {
          events.push(...old.slice(0, 1 + int(3)));
          mixed++;
        } else if (r < 0.12) {
          events.push(events[0]); // the same id twice in one batch
          repeated++;
        }
      }
      const payload = JSON.stringify({ events });
      const a = performance.now();
      const res = await post(agent, port, payload, timeout);
      const b = performance.now();
      latencies.push(b - a);
      batches++;
      sent += events.length;
      const key = res.error ? 'error' : String(res.status);
      statuses[key] = (statuses[key] ?? 0) + 1;
      if (res.status === 200 && res.body && res.body.accepted + res.body.duplicates === events.length) {
        accepted += res.body.accepted;
        duplicates += res.body.duplicates;
        const sec = Math.floor((b - t0) / 1000);
        perSecond[sec] = (perSecond[sec] ?? 0) + res.body.accepted;
        if (res.body.accepted !== fresh) mismatches++;
        for (const e of events) {
          acked.set(e.id, e);
          refused.delete(e.id);
        }
        if (fresh) {
          recent.push(events.slice(0, fresh));
          if (recent.length > 8) recent.shift();
        }
      } else if (res.status >= 400 && res.status < 500) {
        for (const e of events) if (!acked.has(e.id) && !unsure.has(e.id)) refused.add(e.id);
      } else {
        for (const e of events) if (!acked.has(e.id)) unsure.add(e.id);
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  await stopServer(worker);
  const load1 = os.loadavg();

  // ---- the check: read the log as written, strictly, then through the storage API
  const problems = [];
  const logFile = path.join(dataDir, 'events.jsonl');
  await o.beforeCheck?.(logFile); // tests break the log here to see that the check notices
  const text = readFileSync(logFile, 'utf8');
  if (text && !text.endsWith('\n')) problems.push('the log does not end with a whole line');
  const lines = text.split('\n');
  lines.pop();
  const count = new Map();
  let changed = 0, stray = 0, fromRefused = 0, unparsed = 0;
  for (const [i, line] of lines.entries()) {
    let e;
    try { e = JSON.parse(line); } catch { unparsed++; if (unparsed <= 3) problems.push(`log line ${i + 1} does not parse`); continue; }
    count.set(e.id, (count.get(e.id) ?? 0) + 1);
    const want = acked.get(e.id);
    if (want) {
      const { received, ...got } = e;
      if (JSON.stringify(got) !== JSON.stringify(want) || !Number.isFinite(received)) changed++;
    } else if (refused.has(e.id)) fromRefused++;
    else if (!unsure.has(e.id)) stray++;
  }
  let lost = 0, duplicated = 0;
  for (const id of acked.keys()) if (!count.has(id)) lost++;
  for (const n of count.values()) if (n > 1) duplicated += n - 1;
  let viaStorage = -1;
  {
    const store = openStorage(dataDir);
    try { viaStorage = store.events().length; } finally { store.close(); }
  }
  if (unparsed) problems.push(`${unparsed} log lines do not parse`);
  if (lost) problems.push(`${lost} acknowledged events are missing from the log (lost)`);
  if (duplicated) problems.push(`${duplicated} events are in the log more than once (duplicated)`);
  if (changed) problems.push(`${changed} stored events differ from what was sent`);
  if (fromRefused) problems.push(`${fromRefused} events of refused batches were stored`);
  if (stray) problems.push(`${stray} events in the log were never sent`);
  if (mismatches) problems.push(`${mismatches} answers accepted another number of events than were new`);
  if (!unsure.size && accepted !== lines.length) problems.push(`the server accepted ${accepted} events but the log has ${lines.length}`);
  if (viaStorage !== lines.length) problems.push(`the storage API reads ${viaStorage} events, the log has ${lines.length} lines`);
  if (!acked.size) problems.push('no event was acknowledged');

  const sorted = latencies.sort((x, y) => x - y);
  const full = Array.from({ length: Math.floor(elapsed) }, (_, i) => perSecond[i] ?? 0); // whole seconds only
  return {
    seconds: round(elapsed, 2), clients, visitors, batches, sent, accepted, duplicates, resent, mixed, repeated,
    acknowledged: acked.size, logged: lines.length, lost, duplicated, statuses,
    eventsPerSecond: round(accepted / elapsed, 0),
    batchesPerSecond: round(batches / elapsed, 0),
    perSecond: full.length ? { median: median(full), min: Math.min(...full), max: Math.max(...full) } : null,
    latencyMs: { median: round(pct(sorted, 0.5), 2), p99: round(pct(sorted, 0.99), 2), max: round(sorted.at(-1) ?? NaN, 2) },
    limits: o.limits ?? null,
    machine: { nproc: os.availableParallelism?.() ?? os.cpus().length, model: os.cpus()[0]?.model ?? '?', loadavgBefore: load0.map((x) => round(x, 2)), loadavgAfter: load1.map((x) => round(x, 2)), node: process.version, tmpdir: os.tmpdir() },
    problems,
  };
}

const round = (x, d) => Math.round(x * 10 ** d) / 10 ** d;

function table(r) {
  const rows = [
    ['duration', `${r.seconds} s, ${r.clients} clients, ${r.visitors} visitors`],
    ['batches', `${r.batches} (${r.batchesPerSecond}/s; ${r.resent} resent whole, ${r.mixed} with old events, ${r.repeated} with a repeated id)`],
    ['events sent', `${r.sent} (accepted ${r.accepted}, reported duplicate ${r.duplicates})`],
    ['accepted events/s', `${r.eventsPerSecond} over the run` + (r.perSecond ? `; per whole second median ${r.perSecond.median}, min ${r.perSecond.min}, max ${r.perSecond.max}` : '')],
    ['latency', `median ${r.latencyMs.median} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms`],
    ['answers', Object.entries(r.statuses).map(([k, v]) => `${k}: ${v}`).join(', ')],
    ['acknowledged ids', `${r.acknowledged}; in the log ${r.logged} lines; lost ${r.lost}; duplicated ${r.duplicated}`],
    ['machine', `${r.machine.nproc} x ${r.machine.model}, node ${r.machine.node}, load average ${r.machine.loadavgBefore.join(' ')} before, ${r.machine.loadavgAfter.join(' ')} after`],
    ['result', r.problems.length ? `FAILED: ${r.problems.join('; ')}` : 'ok: zero lost, zero duplicated'],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name, def) => {
    const a = process.argv.find((x) => x.startsWith(`--${name}=`));
    return a ? Number(a.slice(name.length + 3)) : def;
  };
  const o = { seconds: arg('seconds', 20), clients: arg('clients', 32), visitors: arg('visitors', 4000), maxEvents: arg('max-events', 1_000_000) };
  for (const [k, v] of Object.entries(o)) if (!Number.isFinite(v) || v <= 0) { console.error(`--${k}: not a positive number`); process.exit(2); }
  try {
    const r = await runLoad(o);
    console.log(table(r));
    if (process.argv.includes('--json')) console.log(JSON.stringify(r));
    process.exitCode = r.problems.length ? 1 : 0;
  } catch (error) {
    console.error(error.stack ?? error);
    process.exitCode = 1;
  }
}
