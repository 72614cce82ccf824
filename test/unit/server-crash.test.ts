// @vitest-environment node
/// <reference types="node" />
// Nothing acknowledged is lost: SIGKILL the server during a burst of event batches and of publishes, restart it,
// and check that every acknowledged write is there and nothing is half-written.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ADMIN = 'crash-admin';
const dir = mkdtempSync(path.join(tmpdir(), 'wf-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function boot(): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['examples/server.mjs'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', WORKFLOWS_DATA: dir, WORKFLOWS_ADMIN_TOKEN: ADMIN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /demo store: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) resolve({ child, base: m[1]! });
    });
    child.stderr!.on('data', (d) => (out += d));
    child.on('exit', () => reject(new Error(`server exited: ${out}`)));
  });
}
const kill = (child: ChildProcess) => new Promise((done) => { child.once('exit', done); child.kill('SIGKILL'); });

describe('crash safety', () => {
  it('keeps every acknowledged event through a SIGKILL during a burst', async () => {
    let { child, base } = await boot();
    const acked: string[] = [];
    let n = 0;
    let stop = false;
    const worker = async (w: number) => {
      while (!stop) {
        const events = Array.from({ length: 5 }, () => ({ id: `w${w}_${n++}`, name: 'step', at: Date.now(), visitor: `vis${w}_${n % 50}` }));
        try {
          const res = await fetch(`${base}/collect`, { method: 'POST', body: JSON.stringify({ events }) });
          if (res.status === 200 && (await res.json()).accepted === 5) acked.push(...events.map((e) => e.id));
        } catch {
          return; // the server is gone
        }
      }
    };
    const workers = Array.from({ length: 16 }, (_, w) => worker(w));
    await new Promise((r) => setTimeout(r, 600));
    await kill(child);
    stop = true;
    await Promise.all(workers);
    expect(acked.length).toBeGreaterThan(50);

    ({ child, base } = await boot());
    const lines = readFileSync(path.join(dir, 'events.jsonl'), 'utf8').split('\n');
    expect(lines.pop()).toBe(''); // ends with a whole line
    const ids = new Set(lines.map((l) => JSON.parse(l).id));
    for (const id of acked) expect(ids.has(id), id).toBe(true);
    // A resent batch is still a duplicate after the restart.
    const again = await fetch(`${base}/collect`, { method: 'POST', body: JSON.stringify({ events: [{ id: acked[0], name: 'step', at: 1, visitor: 'x' }] }) });
    expect(await again.json()).toEqual({ accepted: 0, duplicates: 1 });
    await kill(child);
  }, 30_000);

  it('keeps every acknowledged publish through a SIGKILL during a burst of publishes', async () => {
    let { child, base } = await boot();
    const code = (await (await fetch(`${base}/api/login-codes`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } })).json()).code;
    const session = (await (await fetch(`${base}/api/sessions`, { method: 'POST', body: JSON.stringify({ code }) })).json()).session;
    const h = { authorization: `Bearer ${session}`, 'content-type': 'application/json' };
    const wf = (await (await fetch(`${base}/api/workflows`, { headers: h })).json()).items[0];
    let stop = false;
    let acked = { version: 0, revision: wf.revision, name: wf.name };
    const loop = (async () => {
      let rev = wf.revision;
      for (let i = 0; !stop; i++) {
        try {
          const put = await fetch(`${base}/api/workflows/${wf.id}`, { method: 'PUT', headers: h, body: JSON.stringify({ ...wf, name: `Edit ${i}`, revision: rev }) });
          if (put.status !== 200) return;
          rev = (await put.json()).revision;
          const pub = await fetch(`${base}/api/publish`, { method: 'POST', headers: h, body: '{}' });
          if (pub.status === 201) acked = { version: (await pub.json()).version, revision: rev, name: `Edit ${i}` };
        } catch {
          return;
        }
      }
    })();
    await new Promise((r) => setTimeout(r, 700));
    await kill(child);
    stop = true;
    await loop;
    expect(acked.version).toBeGreaterThan(1);

    ({ child, base } = await boot());
    const pubs = await (await fetch(`${base}/api/publications`, { headers: h })).json();
    expect(pubs.current).toBeGreaterThanOrEqual(acked.version);
    const bundle = await (await fetch(`${base}/workflows.json`)).json();
    expect(bundle.workflows.find((w: any) => w.id === wf.id).name).toMatch(/^Edit \d+$/);
    const doc = await (await fetch(`${base}/api/workflows/${wf.id}`, { headers: h })).json();
    expect(doc.revision).toBeGreaterThanOrEqual(acked.revision);
    for (const p of pubs.publications) {
      const one = await (await fetch(`${base}/api/publications/${p.version}`, { headers: h })).json();
      expect(one.bundle.hash).toBe(p.hash);
    }
    await kill(child);
  }, 30_000);
});
