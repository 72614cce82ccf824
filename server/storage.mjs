// The server's storage: one small interface over files in a data directory, so that another backend (Postgres,
// say) can replace it by implementing the same functions.
//
//   state.json              documents, sessions, login codes, coupon pools, the publication list: rewritten
//                           atomically (temp file + fsync + rename + fsync of the folder) on every change
//   publications/<n>.json   each published bundle, written atomically before state.json names it
//   events.jsonl            collected events, one JSON object per line, appended and fsynced before a batch is
//                           acknowledged; a torn last line (a crash mid-append) is cut off when the log is opened
//   admin-token             the admin token, when not given by WORKFLOWS_ADMIN_TOKEN
//
// All calls are synchronous: Node runs one at a time, so every read-modify-write is atomic without locks
// (coupon claims included), and a write has reached the disk when the call returns.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, ftruncateSync, unlinkSync, writeSync, fstatSync } from 'node:fs';
import path from 'node:path';

export const KINDS = ['workflows', 'promotions', 'segments', 'apps'];

/** Writes `data` to `file` so that a crash leaves either the old or the new content, never a mix. */
export function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (error) {
    // A disk that filled up mid-write must not keep the partial temporary file.
    try { unlinkSync(tmp); } catch { /* never created, or not a file */ }
    throw error;
  }
  syncDir(path.dirname(file));
}

/** A change the disk refused; the store has undone it, so the answer can say that nothing changed. */
export class StoreWriteError extends Error {
  constructor(cause) {
    super(`could not save the store (${cause?.code ?? cause?.message ?? cause}); nothing was changed`, { cause });
  }
}

function syncDir(dir) {
  try {
    const fd = openSync(dir, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch {
    // Some file systems refuse fsync on a folder; the rename is still atomic there.
  }
}

const empty = () => ({
  seed: null, // hash of the example documents this store was seeded from, and whether it was edited since
  edited: false,
  docs: { workflows: {}, promotions: {}, segments: {}, apps: {} },
  site: null,
  publications: [], // [{ version, hash, at, workflows }]
  current: 0,
  sessions: {}, // sha256(token) -> expiry (ms)
  codes: {}, // sha256(code) -> expiry (ms)
  pools: {}, // id -> { codes: [...], next: 0, claims: { "<promotion>\n<visitor>": code } }
});

/**
 * Opens (creating when missing) the store in `dir`.
 * @param {string} dir
 */
export function openStorage(dir) {
  mkdirSync(path.join(dir, 'publications'), { recursive: true, mode: 0o700 });
  // A server killed inside writeAtomic leaves its temporary file behind, never renamed, so never read: clear it.
  // (Two servers must not share a data directory, so no other writer can own one.)
  for (const folder of [dir, path.join(dir, 'publications')]) {
    for (const name of readdirSync(folder)) {
      if (/\.\d+\.tmp$/.test(name)) try { unlinkSync(path.join(folder, name)); } catch { /* not a file: not ours */ }
    }
  }
  const stateFile = path.join(dir, 'state.json');
  // Every change is made in memory, then saved; `saved` is the last state on disk, so a save the disk refuses
  // puts memory back to it rather than answering later requests with a change that a restart would lose.
  let saved = existsSync(stateFile) ? readFileSync(stateFile, 'utf8') : undefined;
  const load = () => (saved === undefined ? empty() : { ...empty(), ...JSON.parse(saved) });
  /** @type {ReturnType<typeof empty>} */
  let s = load();
  const save = () => {
    const text = JSON.stringify(s);
    try {
      writeAtomic(stateFile, text);
    } catch (error) {
      s = load();
      throw new StoreWriteError(error);
    }
    saved = text;
  };

  // The event log: cut a torn last line, then load the ids for deduplication.
  const logFile = path.join(dir, 'events.jsonl');
  const log = openSync(logFile, 'a+', 0o600);
  const ids = new Set();
  {
    const text = readFileSync(logFile, 'utf8');
    const end = text.lastIndexOf('\n') + 1;
    if (end < Buffer.byteLength(text)) {
      ftruncateSync(log, Buffer.byteLength(text.slice(0, end)));
      fsyncSync(log);
    }
    for (const line of text.slice(0, end).split('\n')) if (line) ids.add(JSON.parse(line).id);
  }

  const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
  const pubFile = (version) => path.join(dir, 'publications', `${version}.json`);
  const sweep = (map, now) => { for (const k in map) if (map[k] <= now) delete map[k]; };

  return {
    dir,
    // ---- documents: { id, revision, ... } by kind
    list: (kind) => Object.values(s.docs[kind]).map(clone),
    get: (kind, id) => clone(s.docs[kind][id]),
    /** Stores `doc` when `revision` is the current one (0 for a new id); returns the stored document or a conflict. */
    put(kind, doc, revision) {
      const cur = s.docs[kind][doc.id];
      if ((cur?.revision ?? 0) !== revision) return { conflict: true, current: cur?.revision ?? 0 };
      const next = { ...doc, revision: revision + 1 };
      s.docs[kind][doc.id] = next;
      s.edited = true;
      save();
      return { doc: clone(next) };
    },
    remove(kind, id, revision) {
      const cur = s.docs[kind][id];
      if (!cur) return { missing: true };
      if (revision !== undefined && cur.revision !== revision) return { conflict: true, current: cur.revision };
      delete s.docs[kind][id];
      s.edited = true;
      save();
      return {};
    },
    site: () => clone(s.site),
    // ---- seeding
    seedInfo: () => ({ seed: s.seed, edited: s.edited }),
    /** Replaces every document with `docs` (by kind) and `site`, remembering `seed`. */
    seed(docs, site, seed) {
      for (const kind of KINDS) {
        const old = s.docs[kind];
        s.docs[kind] = {};
        for (const d of docs[kind] ?? []) s.docs[kind][d.id] = { ...d, revision: (old[d.id]?.revision ?? 0) + 1 };
      }
      s.site = site ?? null;
      s.seed = seed;
      s.edited = false;
      save();
    },
    // ---- publications
    publications: () => s.publications.map((p) => ({ ...p, current: p.version === s.current })),
    currentVersion: () => s.current,
    /** The bundle of a published version (the current one by default), or undefined. */
    bundle(version = s.current) {
      if (!s.publications.some((p) => p.version === version)) return undefined;
      return JSON.parse(readFileSync(pubFile(version), 'utf8'));
    },
    publish(bundle, now = Date.now()) {
      const version = (s.publications.at(-1)?.version ?? 0) + 1;
      writeAtomic(pubFile(version), JSON.stringify(bundle));
      const entry = { version, hash: bundle.hash, at: now, workflows: bundle.workflows.map((w) => w.id) };
      s.publications.push(entry);
      s.current = version;
      save();
      return { ...entry, current: true };
    },
    rollback(version) {
      if (!s.publications.some((p) => p.version === version)) return false;
      s.current = version;
      save();
      return true;
    },
    // ---- sessions and one-time codes (stored as hashes, so the file holds nothing usable)
    addCode(hash, expires) { sweep(s.codes, Date.now()); s.codes[hash] = expires; save(); },
    /** Consumes a code: true once, when it exists and has not expired. */
    takeCode(hash, now = Date.now()) {
      const exp = s.codes[hash];
      if (exp === undefined) return false;
      delete s.codes[hash];
      save();
      return exp > now;
    },
    addSession(hash, expires) { sweep(s.sessions, Date.now()); s.sessions[hash] = expires; save(); },
    session: (hash, now = Date.now()) => (s.sessions[hash] ?? 0) > now,
    endSession(hash) { if (hash in s.sessions) { delete s.sessions[hash]; save(); } },
    // ---- events
    hasEvent: (id) => ids.has(id),
    /** Appends events durably (one write, one fsync); returns when they are on disk. */
    appendEvents(events) {
      if (!events.length) return;
      writeSync(log, events.map((e) => JSON.stringify(e) + '\n').join(''));
      fsyncSync(log);
      for (const e of events) ids.add(e.id);
    },
    /** Every stored event, oldest first. */
    events() {
      const text = readFileSync(logFile, 'utf8');
      return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean).map((l) => JSON.parse(l));
    },
    eventBytes: () => fstatSync(log).size,
    // ---- coupon pools
    /** Adds unique codes to a pool (creating it); returns how many were new. */
    addCodes(pool, codes) {
      const p = (s.pools[pool] ??= { codes: [], next: 0, claims: {} });
      const seen = new Set(p.codes);
      let added = 0;
      for (const c of codes) if (!seen.has(c)) { seen.add(c); p.codes.push(c); added++; }
      save();
      return { added, size: p.codes.length, left: p.codes.length - p.next };
    },
    pools: () => Object.entries(s.pools).map(([id, p]) => ({ id, size: p.codes.length, left: p.codes.length - p.next })),
    /** One code per visitor and promotion, never the same code twice; null when the pool is empty or missing. */
    claim(pool, promotion, visitor) {
      const p = s.pools[pool];
      if (!p) return { missing: true };
      const key = `${promotion}\n${visitor}`;
      if (p.claims[key]) return { code: p.claims[key], again: true };
      if (p.next >= p.codes.length) return { empty: true };
      const code = p.codes[p.next++];
      p.claims[key] = code;
      save();
      return { code };
    },
    close() { closeSync(log); },
  };
}
