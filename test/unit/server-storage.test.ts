// @vitest-environment node
/// <reference types="node" />
// A write the disk refuses (full, read-only, a folder in the way) must change nothing: not the files, and not
// what the server answers afterwards. The state file's temporary name is made a folder to make the write fail.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM module without types
import { createApp } from '../../server/app.mjs';
// @ts-expect-error plain ESM module without types
import { openStorage } from '../../server/storage.mjs';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'wf-storage-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const blockStateWrites = () => mkdirSync(path.join(dir, `state.json.${process.pid}.tmp`));
const unblockStateWrites = () => rmSync(path.join(dir, `state.json.${process.pid}.tmp`), { recursive: true });
const onDisk = () => JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8'));
const segment = { id: 'seg_a', name: 'A', kind: 'manual' };

describe('a write that fails', () => {
  it('leaves the store as it was, in memory and on disk', () => {
    const store = openStorage(dir);
    store.put('segments', segment, 0);
    const bundle = { format: 'workflows/compiled', version: 4, hash: 'h1', workflows: [] };
    store.publish(bundle, 1);
    const saved = readFileSync(path.join(dir, 'state.json'), 'utf8');

    blockStateWrites();
    expect(() => store.put('segments', { ...segment, name: 'B' }, 1)).toThrow(/could not save/);
    expect(store.get('segments', 'seg_a')).toEqual({ ...segment, revision: 1 });
    expect(() => store.remove('segments', 'seg_a')).toThrow(/could not save/);
    expect(store.list('segments')).toHaveLength(1);
    expect(() => store.publish({ ...bundle, hash: 'h2' }, 2)).toThrow(/could not save/);
    expect(store.currentVersion()).toBe(1);
    expect(store.publications()).toEqual([{ version: 1, hash: 'h1', at: 1, workflows: [], current: true }]);
    expect(readFileSync(path.join(dir, 'state.json'), 'utf8')).toBe(saved);

    unblockStateWrites();
    expect(store.put('segments', { ...segment, name: 'B' }, 1).doc.revision).toBe(2);
    expect(onDisk().docs.segments.seg_a.name).toBe('B');
    store.close();
  });

  it('clears the temporary files a killed server left half-written', () => {
    openStorage(dir).close();
    writeFileSync(path.join(dir, 'state.json.4242.tmp'), '{"docs":{"segm');
    writeFileSync(path.join(dir, 'publications', '7.json.4242.tmp'), '{"format":"workf');
    const store = openStorage(dir);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(readdirSync(path.join(dir, 'publications'))).toEqual([]);
    expect(store.list('segments')).toEqual([]);
    store.close();
  });

  it('makes a new admin token when a killed first start left its file empty', async () => {
    writeFileSync(path.join(dir, 'admin-token'), '');
    const app = await createApp({ dataDir: dir, seedDir: null });
    app.store.close();
    expect(app.adminToken).toMatch(/^[\w-]{20,}$/);
    expect(readFileSync(path.join(dir, 'admin-token'), 'utf8')).toBe(`${app.adminToken}\n`);
  });

  it('answers with what happened, and serves what was saved', async () => {
    const app = await createApp({ dataDir: dir, adminToken: 'admin', seedDir: null });
    await new Promise<void>((done) => app.server.listen(0, '127.0.0.1', done));
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    try {
      const code = (await (await fetch(`${base}/api/login-codes`, { method: 'POST', headers: { authorization: 'Bearer admin' } })).json()).code;
      const session = (await (await fetch(`${base}/api/sessions`, { method: 'POST', body: JSON.stringify({ code }) })).json()).session;
      const call = (method: string, url: string, body?: unknown) =>
        fetch(base + url, { method, headers: { authorization: `Bearer ${session}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      expect((await call('POST', '/api/segments', segment)).status).toBe(201);

      blockStateWrites();
      const refused = await call('PUT', '/api/segments/seg_a', { ...segment, name: 'B', revision: 1 });
      expect(refused.status).toBe(500);
      expect((await refused.json()).error).toMatch(/^could not save the store \(EISDIR\); nothing was changed$/);
      expect(await (await call('GET', '/api/segments/seg_a')).json()).toEqual({ ...segment, revision: 1 });
      unblockStateWrites();
      expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
      expect((await call('PUT', '/api/segments/seg_a', { ...segment, name: 'B', revision: 1 })).status).toBe(200);
    } finally {
      await new Promise((done) => app.server.close(done));
      app.store.close();
    }
  });
});

describe('seed documents', () => {
  const seed = (name: string, text: string) => {
    const seedDir = path.join(dir, 'seed');
    mkdirSync(seedDir, { recursive: true });
    writeFileSync(path.join(seedDir, name), text);
    return seedDir;
  };
  const doc = { format: 'workflows/authoring', version: 1, segments: [segment] };

  it('are read as the CLI reads them: a byte order mark is skipped', async () => {
    const app = await createApp({ dataDir: path.join(dir, 'data'), adminToken: 'admin', seedDir: seed('a.json', '\uFEFF' + JSON.stringify(doc)) });
    expect(app.store.list('segments').map((s: { id: string }) => s.id)).toEqual(['seg_a']);
    app.store.close();
  });

  it('with a key written twice are refused at that key, naming the file, instead of losing the first', async () => {
    const seedDir = seed('a.json', '{"format":"workflows/authoring","version":1,"segments":[],"segments":[{"id":"seg_b","name":"B","kind":"manual"}]}');
    await expect(createApp({ dataDir: path.join(dir, 'data'), adminToken: 'admin', seedDir })).rejects.toThrow(
      `${path.join(seedDir, 'a.json')} at /segments: "segments" is written twice in this object`,
    );
  });
});
