// @vitest-environment node
/// <reference types="node" />
// A data dir whose current publication was compiled for an older runtime version: the server publishes the stored
// workflows again for this runtime, and refuses to roll back to the old compiled form.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
// @ts-expect-error plain ESM module without types
import { createApp } from '../../server/app.mjs';
// @ts-expect-error plain ESM module without types
import { openStorage } from '../../server/storage.mjs';
import { COMPILED_VERSION } from '../../src/compile/types.js';

const dir = mkdtempSync(path.join(tmpdir(), 'wf-upgrade-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function serve() {
  const app = await createApp({ dataDir: dir, adminToken: 'admin' });
  await new Promise<void>((done) => app.server.listen(0, '127.0.0.1', done));
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return { app, base, stop: () => new Promise<void>((done) => app.server.close(() => done())) };
}

it('republishes a publication compiled for another runtime version, and will not roll back to it', async () => {
  const first = await serve();
  const good = await (await fetch(first.base + '/workflows.json')).json();
  expect(good.version).toBe(COMPILED_VERSION);
  await first.stop();

  // What an older release left: its compiled form is the current publication.
  const old = openStorage(dir);
  const stale = old.publish({ ...good, version: COMPILED_VERSION - 1, hash: 'old-release' }, Date.now());
  expect(old.bundle().version).toBe(COMPILED_VERSION - 1);

  const second = await serve();
  try {
    expect(second.app.warnings.join('\n')).toContain(`was compiled for runtime version ${COMPILED_VERSION - 1}`);
    const served = await (await fetch(second.base + '/workflows.json')).json();
    expect(served.version).toBe(COMPILED_VERSION);
    const code = (await (await fetch(second.base + '/api/login-codes', { method: 'POST', headers: { authorization: 'Bearer admin' } })).json()).code;
    const session = (await (await fetch(second.base + '/api/sessions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) })).json()).session;
    const back = await fetch(`${second.base}/api/publications/${stale.version}/rollback`, { method: 'POST', headers: { authorization: `Bearer ${session}` } });
    expect(back.status).toBe(409);
    expect((await back.json()).error).toContain('another runtime version');
  } finally {
    await second.stop();
  }
});

it('still starts, with a warning naming the problems, when the stored workflows no longer compile', async () => {
  const own = mkdtempSync(path.join(tmpdir(), 'wf-upgrade-'));
  try {
    const first = await createApp({ dataDir: own, adminToken: 'admin' });
    first.server.close();
    const s = openStorage(own);
    // What the editor API allows: pausing a workflow that another active one enrolls into (only compiling sees it).
    const next = s.get('workflows', 'welcome-newsletter-next-visit');
    expect(s.put('workflows', { ...next, status: 'paused', revision: undefined }, next.revision).doc).toBeTruthy();
    s.publish({ ...s.bundle(), version: COMPILED_VERSION - 1, hash: 'old-release' }, Date.now());
    const app = await createApp({ dataDir: own, adminToken: 'admin' });
    app.server.close();
    expect(app.warnings.join('\n')).toMatch(/compiled for runtime version \d+, and the stored workflows do not compile: fix them and publish \(.*welcome-newsletter/);
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
});
