/// <reference types="node" />
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { parseExchange } from '../../src/exchange/index.js';
import type { AuthoringDocument } from '../../src/model/types.js';
import { templateDocument, TEMPLATES } from '../../src/templates/index.js';

const REPO = resolve(fileURLToPath(import.meta.url), '../../..');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'workflows-cli-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function run(...args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, {
    cwd: dir,
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    now: () => new Date('2026-03-01T12:00:00.000Z'),
  });
  return { code, out, err };
}

const write = (name: string, value: unknown) => {
  mkdirSync(join(dir, name, '..'), { recursive: true });
  writeFileSync(join(dir, name), typeof value === 'string' ? value : JSON.stringify(value, null, 2));
};
const read = (name: string) => readFileSync(join(dir, name), 'utf8');
const json = (name: string) => JSON.parse(read(name));
const leftovers = (sub = '.') => readdirSync(join(dir, sub)).filter((n) => n.endsWith('.tmp'));

function active(id: string): AuthoringDocument {
  const doc = templateDocument(id);
  for (const wf of doc.workflows!) wf.status = 'active';
  return doc;
}

describe('workflows (top level)', () => {
  it('prints usage with --help, and refuses unknown commands with status 2', async () => {
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: workflows <command>/);
    const none = await run();
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/^Usage: workflows/);
    const bad = await run('compiel');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^workflows: unknown command "compiel"; did you mean "compile"\?\n\nUsage:/);
    expect((await run('help', 'import')).out).toMatch(/^Usage: workflows import/);
    expect((await run('help', 'nope')).code).toBe(2);
  });

  it.each(['templates', 'validate', 'compile', 'export', 'import'])('%s --help prints its usage', async (command) => {
    const r = await run(command, '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^Usage: workflows ${command}`));
    const h = await run(command, '-h');
    expect(h.out).toBe(r.out);
  });

  it('refuses unknown options with status 2', async () => {
    const r = await run('validate', '--strict', 'x.json');
    expect(r.code).toBe(2);
    expect(r.err).toBe('workflows validate: unknown option --strict\nRun "workflows validate --help" for usage.\n');
  });

  it('runs as a program', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'templates'], { cwd: REPO, encoding: 'utf8' });
    expect(out).toMatch(/^ID\s+CATEGORY\s+NAME\n/);
    let status = 0;
    try {
      execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'frobnicate'], { cwd: REPO, stdio: 'pipe' });
    } catch (e) {
      status = (e as { status: number }).status;
    }
    expect(status).toBe(2);
  }, 30_000);
});

describe('workflows as a program', () => {
  it('stops quietly when the reader of its output goes away (| head)', () => {
    // A bundle well over a pipe's buffer, so writing goes on after head has closed the pipe.
    const workflows = Array.from({ length: 2000 }, (_, i) => ({
      id: `w${i}`,
      name: `W${i}`,
      status: 'active',
      start: 'a',
      nodes: [{ id: 'a', kind: 'if', conditions: { field: 'path', op: 'contains', value: `/p${i}` } }],
      edges: [],
    }));
    write('big.json', { workflows });
    const command = `"${process.execPath}" --import tsx src/cli/main.ts compile "${join(dir, 'big.json')}" -o - | head -c 10 >/dev/null`;
    const r = spawnSync('sh', ['-c', command], { cwd: REPO, encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(r.stderr).toMatch(/^compiled 2,000 active workflows/);
  }, 30_000);
});

describe('workflows templates', () => {
  it('lists id, category and name', async () => {
    const r = await run('templates');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+CATEGORY\s+NAME$/);
    expect(lines.length).toBe(TEMPLATES.length + 1);
    expect(lines[1]).toMatch(/^exit-intent-discount\s+list-growth\s+Exit-intent discount$/);
    const asJson = JSON.parse((await run('templates', '--json')).out);
    expect(asJson[0]).toMatchObject({ id: 'exit-intent-discount', category: 'list-growth' });
  });

  it('prints a new authoring document, pretty, that validates', async () => {
    const r = await run('templates', 'new', 'lead-to-webhook');
    expect(r.code).toBe(0);
    expect(r.out).toBe(JSON.stringify(templateDocument('lead-to-webhook'), null, 2) + '\n');
    write('lead.json', r.out);
    expect(await run('validate', 'lead.json')).toEqual({ code: 0, out: 'ok: 1 workflow, 1 promotion\n', err: '' });
  });

  it('writes to -o but never over an existing file', async () => {
    const r = await run('templates', 'new', 'coupon-reveal', '-o', 'reveal.json');
    expect(r).toEqual({ code: 0, out: 'wrote reveal.json from template "coupon-reveal" (the workflow is a draft)\n', err: '' });
    expect(json('reveal.json')).toEqual(templateDocument('coupon-reveal'));
    write('taken.json', 'mine');
    const again = await run('templates', 'new', 'coupon-reveal', '-o', 'taken.json');
    expect(again.code).toBe(1);
    expect(read('taken.json')).toBe('mine');
  });

  it('answers an unknown id with close ids and status 1', async () => {
    const r = await run('templates', 'new', 'exit-intent');
    expect(r.code).toBe(1);
    expect(r.err).toBe('workflows templates: there is no template "exit-intent"; did you mean: exit-intent-discount, high-intent-segment?\n');
    const typo = await run('templates', 'new', 'coupon-revael');
    expect(typo.err).toMatch(/did you mean: coupon-reveal\?/);
    const far = await run('templates', 'new', 'zzz');
    expect(far.err).toBe('workflows templates: there is no template "zzz"; run "workflows templates" to list them\n');
    expect((await run('templates', 'new')).code).toBe(2);
    expect((await run('templates', 'old', 'x')).code).toBe(2);
  });
});

describe('workflows validate', () => {
  it('says ok with counts for a folder of valid files', async () => {
    write('site/exit.json', templateDocument('exit-intent-discount'));
    write('site/lead.json', templateDocument('lead-to-webhook'));
    write('site/notes.txt', 'not json, ignored');
    write('site/nested/ignored.json', '{ broken');
    const r = await run('validate', 'site');
    expect(r).toEqual({ code: 0, out: 'ok: 2 workflows, 2 promotions\n', err: '' });
  });

  it('prints every problem as file: /pointer: message and exits 1', async () => {
    const doc = templateDocument('exit-intent-discount') as any;
    doc.workflows[0].nodes[1].promotion = 'exit-10-of';
    doc.workflows[0].settings.priority = 500;
    write('site/exit.json', doc);
    const r = await run('validate', 'site');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      'site/exit.json: /workflows/0/settings/priority: "priority" must be at most 100\n' +
        'site/exit.json: /workflows/0/nodes/1/promotion: there is no promotion "exit-10-of"\n' +
        '2 errors in 1 file\n',
    );
  });

  it('counts the files that have problems, not the files checked', async () => {
    const doc = templateDocument('exit-intent-discount') as any;
    doc.workflows[0].nodes[1].promotion = 'exit-10-of';
    doc.workflows[0].settings.priority = 500;
    write('site/exit.json', doc);
    write('site/quote.json', templateDocument('lead-to-webhook'));
    const r = await run('validate', 'site');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/\n2 errors in 1 file\n$/);
  });

  it('prints warnings but exits 0', async () => {
    const doc = templateDocument('returning-visitor-welcome') as any;
    doc.workflows[0].nodes[0] = { id: 'returning', kind: 'if', ui: { x: 0, y: 0 } };
    doc.workflows[0].edges = doc.workflows[0].edges.filter((e: { port: string }) => e.port !== 'timeout');
    write('w.json', doc);
    const r = await run('validate', 'w.json');
    expect(r.code).toBe(0);
    expect(r.err).toBe('w.json: /workflows/0/nodes/0: warning: this If/Then has no triggers and no conditions, so every visitor goes to "then"\n');
    expect(r.out).toBe('ok: 1 workflow, 1 promotion (1 warning)\n');
  });

  it('reports bad JSON with file, line and column', async () => {
    write('bad.json', '{\n  "workflows": [\n    { "id": "a" }\n  ],\n  "promotions": [,]\n}\n');
    const r = await run('validate', 'bad.json');
    expect(r.code).toBe(1);
    expect(r.err).toBe('bad.json: /: not valid JSON: line 5, column 18: expected a value but found ","\n1 error in 1 file\n');
  });

  it('refuses a key written twice in one object, which JSON would silently drop', async () => {
    const doc = templateDocument('exit-intent-discount');
    // Two documents pasted together: the second "workflows" would replace the first.
    const text = JSON.stringify(doc, null, 2).replace(/\n}$/, ',\n  "workflows": []\n}');
    write('pasted.json', text);
    const r = await run('validate', 'pasted.json');
    expect(r.code).toBe(1);
    const line = text.split('\n').findIndex((l) => l === '  "workflows": []') + 1;
    expect(r.err).toBe(`pasted.json: /workflows: "workflows" is written twice in this object (the second at line ${line}, column 3); JSON keeps only the last one, so the first would be lost: merge them or remove one\n1 error in 1 file\n`);
    write('nested.json', '{"workflows": [{"id": "a", "name": "A", "name": "B"}]}');
    expect((await run('validate', 'nested.json')).err).toMatch(/^nested\.json: \/workflows\/0\/name: "name" is written twice/);
  });

  it('checks ids across files as one project', async () => {
    // Two templates share the same subscribers segment: identical definitions are one segment.
    write('a.json', templateDocument('exit-intent-discount'));
    write('b.json', templateDocument('welcome-newsletter'));
    expect((await run('validate', 'a.json', 'b.json')).code).toBe(0);
    const changed = templateDocument('welcome-newsletter');
    changed.segments![0]!.name = 'Renamed';
    write('b.json', changed);
    const r = await run('validate', 'a.json', 'b.json');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^b\.json: \/segments\/0\/id: another segment already has the id "newsletter-subscribers" \(at a\.json \/segments\/0\), with different content\n/);
  });

  it('reports a file in the folder that is a link to nothing, rather than leave it out', async () => {
    write('site/exit.json', templateDocument('exit-intent-discount'));
    symlinkSync('../shared/lead.json', join(dir, 'site/lead.json'));
    const r = await run('validate', 'site');
    expect(r).toEqual({ code: 1, out: '', err: 'site/lead.json: /: cannot read the file (ENOENT)\n1 error in 1 file\n' });
  });

  it('reports missing paths and empty folders; needs an argument', async () => {
    mkdirSync(join(dir, 'empty'));
    const r = await run('validate', 'nope.json', 'empty');
    expect(r.code).toBe(1);
    expect(r.err).toBe('nope.json: /: no such file or folder\nempty: /: the folder has no .json files\n2 errors in 2 files\n');
    expect((await run('validate')).code).toBe(2);
  });
});

describe('workflows compile', () => {
  it('writes the bundle and prints its size and hash', async () => {
    write('site/exit.json', active('exit-intent-discount'));
    write('site/draft.json', templateDocument('lead-to-webhook'));
    const r = await run('compile', 'site', '-o', 'workflows.json');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const bundle = json('workflows.json');
    expect(bundle.format).toBe('workflows/compiled');
    expect(bundle.workflows.map((w: { id: string }) => w.id)).toEqual(['exit-intent-discount']);
    const bytes = Buffer.byteLength(read('workflows.json').trimEnd());
    expect(r.out).toBe(
      `wrote workflows.json: 1 active workflow, 1 promotion: ${bytes.toLocaleString('en-US')} bytes (${r.out.match(/\(([\d,]+) gzipped\)/)![1]} gzipped), hash ${bundle.hash}\n`,
    );
    expect(leftovers()).toEqual([]);
  });

  it('writes to stdout with -o -, the summary to stderr', async () => {
    write('exit.json', active('exit-intent-discount'));
    const r = await run('compile', 'exit.json', '-o', '-');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).format).toBe('workflows/compiled');
    expect(r.err).toMatch(/^compiled 1 active workflow, 1 promotion: [\d,]+ bytes \([\d,]+ gzipped\), hash [0-9a-f]+\n$/);
  });

  it('leaves an existing bundle untouched when compiling fails', async () => {
    const doc = active('exit-intent-discount') as any;
    doc.workflows[0].start = 'nowhere';
    write('site/exit.json', doc);
    write('out/workflows.json', '{"previous": true}\n');
    const r = await run('compile', 'site', '-o', 'out/workflows.json');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe('site/exit.json: /workflows/0/start: the start step "nowhere" does not exist\nnothing written: 1 error\n');
    expect(read('out/workflows.json')).toBe('{"previous": true}\n');
    expect(leftovers('out')).toEqual([]);
  });

  it('leaves it untouched on bad JSON too, and skips its own output inside the folder', async () => {
    write('site/exit.json', active('exit-intent-discount'));
    write('site/workflows.json', '{"previous": true}');
    const ok = await run('compile', 'site', '-o', 'site/workflows.json');
    expect(ok.code).toBe(0);
    expect(json('site/workflows.json').format).toBe('workflows/compiled');
    write('site/broken.json', '{"workflows": [}');
    const before = read('site/workflows.json');
    const bad = await run('compile', 'site', '-o', 'site/workflows.json');
    expect(bad.code).toBe(1);
    expect(bad.err).toBe('site/broken.json: /: not valid JSON: line 1, column 16: expected a value but found "}"\nnothing written: 1 error\n');
    expect(read('site/workflows.json')).toBe(before);
  });

  it('needs sources and -o', async () => {
    write('exit.json', active('exit-intent-discount'));
    const r = await run('compile', 'exit.json');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/say where the bundle goes: -o <out\.json>/);
    expect((await run('compile', '-o', 'x.json')).code).toBe(2);
    expect((await run('compile', 'exit.json', '-o')).code).toBe(2);
  });

  it('never writes the bundle over an authoring document, even one it compiles', async () => {
    write('site/exit.json', active('exit-intent-discount'));
    write('site/lead.json', templateDocument('lead-to-webhook'));
    const before = read('site/exit.json');
    const inFolder = await run('compile', 'site', '-o', 'site/exit.json');
    expect(inFolder).toEqual({
      code: 1,
      out: '',
      err: 'site/exit.json: /: this is an authoring document; writing the bundle here would replace it: choose another output file\nnothing written: 1 error\n',
    });
    const named = await run('compile', 'site/exit.json', '-o', 'site/exit.json');
    expect(named.code).toBe(1);
    // A document with no "format" is an authoring document too.
    write('bare.json', { workflows: [] });
    expect((await run('compile', 'site', '-o', 'bare.json')).code).toBe(1);
    expect(read('site/exit.json')).toBe(before);
    expect(json('bare.json')).toEqual({ workflows: [] });
    expect(leftovers('site')).toEqual([]);
  });

  it('refuses an output that names a folder instead of creating a file in its place', async () => {
    write('exit.json', active('exit-intent-discount'));
    mkdirSync(join(dir, 'public'));
    const existing = await run('compile', 'exit.json', '-o', 'public');
    expect(existing).toEqual({ code: 1, out: '', err: 'public: cannot write the bundle: this is a folder; name a file inside it\n' });
    const slash = await run('compile', 'exit.json', '-o', 'dist/');
    expect(slash).toEqual({ code: 1, out: '', err: 'dist/: cannot write the bundle: this is a folder; name a file inside it\n' });
    const template = await run('templates', 'new', 'coupon-reveal', '-o', 'drafts/');
    expect(template.code).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['exit.json', 'public']);
  });

  it('says so when the output folder does not exist', async () => {
    write('exit.json', active('exit-intent-discount'));
    const r = await run('compile', 'exit.json', '-o', 'missing/bundle.json');
    expect(r.code).toBe(1);
    expect(r.err).toBe('missing/bundle.json: cannot write the bundle: the folder "missing" does not exist; create it first\n');
  });
});

describe('workflows export and import', () => {
  it('exports a workflow with what it needs', async () => {
    write('site/sms.json', templateDocument('sms-two-step-optin'));
    write('site/exit.json', templateDocument('exit-intent-discount'));
    const r = await run('export', 'site', '--workflow', 'sms-two-step-optin', '-o', 'sms.jst');
    expect(r).toEqual({ code: 0, out: 'exported workflow "sms-two-step-optin" with 1 promotion, 1 segment, 1 app -> sms.jst\n', err: '' });
    const parsed = parseExchange(read('sms.jst'));
    expect(parsed.ok && parsed.file.exportedAt).toBe('2026-03-01T12:00:00.000Z');
    expect(parsed.ok && parsed.file.promotions.map((p) => p.id)).toEqual(['sms-two-step']);
    expect(leftovers()).toEqual([]);
  });

  it('exports to stdout and names what it leaves out', async () => {
    write('welcome.json', templateDocument('welcome-newsletter'));
    const r = await run('export', 'welcome.json', '-w', 'welcome-newsletter');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).references).toEqual({ workflows: ['welcome-newsletter-next-visit'] });
    expect(r.err).toBe(
      'exported workflow "welcome-newsletter" with 1 promotion, 1 segment, 0 apps; it also refers to workflows not included: welcome-newsletter-next-visit\n',
    );
  });

  it('refuses an unknown workflow and usage mistakes', async () => {
    write('exit.json', templateDocument('exit-intent-discount'));
    const r = await run('export', 'exit.json', '--workflow', 'exit-intent');
    expect(r.code).toBe(1);
    expect(r.err).toBe('exit.json: /: there is no workflow "exit-intent"; did you mean "exit-intent-discount"?\n');
    const far = await run('export', 'exit.json', '--workflow', 'zzz');
    expect(far.err).toBe('exit.json: /: there is no workflow "zzz"; workflows here: exit-intent-discount\n');
    expect((await run('export', 'exit.json')).code).toBe(2);
    expect((await run('export', '--workflow', 'x')).code).toBe(2);
  });

  it('imports a copy as a draft into the authoring file', async () => {
    write('source.json', active('exit-intent-discount'));
    await run('export', 'source.json', '--workflow', 'exit-intent-discount', '-o', 'exit.jst');
    write('site.json', active('exit-intent-discount'));
    const r = await run('import', 'exit.jst', '--into', 'site.json');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^imported "Exit-intent discount" as draft workflow "wf_[0-9a-z]{10}" \(copy\) into site\.json\nrenamed: newsletter-subscribers -> seg_[0-9a-z]{10}, exit-10-off -> promo_[0-9a-z]{10}, exit-intent-discount -> wf_[0-9a-z]{10}\n$/);
    const doc = json('site.json') as AuthoringDocument;
    expect(doc.workflows!.map((w) => w.status)).toEqual(['active', 'draft']);
    expect(doc.workflows![1]!.name).toBe('Exit-intent discount (copy)');
    expect(await run('validate', 'site.json')).toMatchObject({ code: 0, out: 'ok: 2 workflows, 2 promotions\n' });
    expect(leftovers()).toEqual([]);
  });

  it('updates in place with --as update, never activating', async () => {
    write('source.json', templateDocument('scheduled-announcement-bar'));
    await run('export', 'source.json', '--workflow', 'scheduled-announcement-bar', '-o', 'bar.jst');
    const live = active('scheduled-announcement-bar');
    live.workflows![0]!.name = 'Old bar';
    write('site.json', live);
    const r = await run('import', 'bar.jst', '--into', 'site.json', '--as', 'update');
    expect(r.code).toBe(0);
    expect(r.err).toBe('site.json: /: warning: workflow "scheduled-announcement-bar" was active in the project; the imported version is a draft until you activate it\n');
    expect(r.out).toBe('imported "Scheduled announcement bar" as draft workflow "scheduled-announcement-bar" (update) into site.json\n');
    const doc = json('site.json') as AuthoringDocument;
    expect(doc.workflows!.map((w) => [w.name, w.status])).toEqual([['Scheduled announcement bar', 'draft']]);
  });

  it('writes to -o and leaves --into alone; starts a new file when --into is missing', async () => {
    write('source.json', templateDocument('coupon-reveal'));
    await run('export', 'source.json', '--workflow', 'coupon-reveal', '-o', 'reveal.jst');
    write('site.json', templateDocument('exit-intent-discount'));
    const before = read('site.json');
    const r = await run('import', 'reveal.jst', '--into', 'site.json', '-o', 'merged.json');
    expect(r.code).toBe(0);
    expect(read('site.json')).toBe(before);
    expect((json('merged.json') as AuthoringDocument).workflows!.length).toBe(2);
    const fresh = await run('import', 'reveal.jst', '--into', 'new.json', '--as', 'update');
    expect(fresh.code).toBe(0);
    expect(fresh.out).toMatch(/into new\.json \(new file\)\n$/);
    expect(await run('validate', 'new.json')).toMatchObject({ code: 0, out: 'ok: 1 workflow, 2 promotions\n' });
  });

  it('keeps the line ends and byte order mark of a document written on Windows', async () => {
    write('source.json', templateDocument('coupon-reveal'));
    await run('export', 'source.json', '--workflow', 'coupon-reveal', '-o', 'reveal.jst');
    write('site.json', '\ufeff' + JSON.stringify(templateDocument('exit-intent-discount'), null, 2).replace(/\n/g, '\r\n') + '\r\n');
    expect((await run('import', 'reveal.jst', '--into', 'site.json')).code).toBe(0);
    const text = read('site.json');
    expect(text.startsWith('\ufeff{\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(await run('validate', 'site.json')).toMatchObject({ code: 0, out: 'ok: 2 workflows, 3 promotions\n' });
  });

  it('prints the result with -o -, the summary on stderr', async () => {
    write('source.json', templateDocument('coupon-reveal'));
    await run('export', 'source.json', '--workflow', 'coupon-reveal', '-o', 'reveal.jst');
    write('site.json', templateDocument('exit-intent-discount'));
    const before = read('site.json');
    const r = await run('import', 'reveal.jst', '--into', 'site.json', '--as', 'update', '-o', '-');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as AuthoringDocument).workflows!.map((w) => w.id)).toEqual(['exit-intent-discount', 'coupon-reveal']);
    expect(r.err).toBe('imported "Tap-to-reveal coupon" as draft workflow "coupon-reveal" (update) into stdout\n');
    expect(read('site.json')).toBe(before);
  });

  it('never writes an exchange file over an authoring document', async () => {
    write('site/exit.json', templateDocument('exit-intent-discount'));
    const before = read('site/exit.json');
    const r = await run('export', 'site', '-w', 'exit-intent-discount', '-o', 'site/exit.json');
    expect(r).toEqual({ code: 1, out: '', err: 'site/exit.json: /: this is an authoring document; writing the exchange file here would replace it: choose another output file\n' });
    expect(read('site/exit.json')).toBe(before);
  });

  it('keeps the permissions of the file it replaces, and writes through a link to the file it points at', async () => {
    write('source.json', templateDocument('coupon-reveal'));
    await run('export', 'source.json', '--workflow', 'coupon-reveal', '-o', 'reveal.jst');
    write('private.json', templateDocument('exit-intent-discount'));
    chmodSync(join(dir, 'private.json'), 0o600);
    expect((await run('import', 'reveal.jst', '--into', 'private.json')).code).toBe(0);
    expect(statSync(join(dir, 'private.json')).mode & 0o777).toBe(0o600);

    mkdirSync(join(dir, 'releases'));
    write('releases/site.json', templateDocument('exit-intent-discount'));
    symlinkSync('releases/site.json', join(dir, 'site.json'));
    expect((await run('import', 'reveal.jst', '--into', 'site.json')).code).toBe(0);
    expect(lstatSync(join(dir, 'site.json')).isSymbolicLink()).toBe(true);
    expect((json('releases/site.json') as AuthoringDocument).workflows).toHaveLength(2);
    expect(leftovers()).toEqual([]);
    expect(leftovers('releases')).toEqual([]);
  });

  it('says so when an output cannot be written', async () => {
    write('exit.json', templateDocument('exit-intent-discount'));
    const r = await run('export', 'exit.json', '--workflow', 'exit-intent-discount', '-o', 'missing/exit.jst');
    expect(r).toEqual({ code: 1, out: '', err: 'missing/exit.jst: cannot write the exchange file: the folder "missing" does not exist; create it first\n' });
    expect((await run('export', 'exit.json', '--workflow', 'exit-intent-discount', '-o', 'exit.jst')).code).toBe(0);
    const into = await run('import', 'exit.jst', '--into', 'other-site/workflows.json');
    expect(into.err).toMatch(/other-site\/workflows\.json: cannot write the document: the folder "other-site" does not exist; create it first\n$/);
  });

  it('writes nothing for a bad, foreign or future file', async () => {
    write('site.json', templateDocument('exit-intent-discount'));
    const before = read('site.json');
    const cases: [string, string, string][] = [
      ['bad.jst', '{"format": "workflows/exchange",,}', 'bad.jst: /: not valid JSON: line 1, column 33: expected a property name in double quotes but found ","'],
      ['foreign.jst', '{"format": "zapier/zap", "steps": []}', 'foreign.jst: /format: not a workflow exchange file: the format is "zapier/zap", expected "workflows/exchange"'],
      ['future.jst', JSON.stringify({ format: 'workflows/exchange', version: 99 }), 'future.jst: /version: this file was made by a newer version of Workflows (exchange version 99; this version reads up to 1); update Workflows to import it'],
      ['authoring.jst', JSON.stringify(templateDocument('coupon-reveal')), 'authoring.jst: /format: this is an authoring document, not an exchange file; make one with `workflows export <file> --workflow <id>`'],
    ];
    for (const [name, text, message] of cases) {
      write(name, text);
      const r = await run('import', name, '--into', 'site.json');
      expect(r.code, name).toBe(1);
      expect(r.out).toBe('');
      expect(r.err).toBe(`${message}\nnothing imported\n`);
      expect(read('site.json')).toBe(before);
    }
    expect(leftovers()).toEqual([]);
  });

  it('writes nothing when the result would be invalid, or --into is not JSON', async () => {
    write('source.json', templateDocument('welcome-newsletter'));
    await run('export', 'source.json', '--workflow', 'welcome-newsletter', '-o', 'welcome.jst');
    write('site.json', templateDocument('exit-intent-discount'));
    const before = read('site.json');
    const r = await run('import', 'welcome.jst', '--into', 'site.json', '--as', 'update');
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'site.json: /workflows/1/nodes/3/workflow: there is no workflow "welcome-newsletter-next-visit"\n' +
        'site.json: /: warning: workflow "Welcome newsletter sign-up" refers to workflow "welcome-newsletter-next-visit", which is not in this project and was not in the file; import or create it\n' +
        'nothing imported\n',
    );
    expect(read('site.json')).toBe(before);
    write('broken.json', '{"workflows": ');
    const b = await run('import', 'welcome.jst', '--into', 'broken.json');
    expect(b.code).toBe(1);
    expect(b.err).toBe('broken.json: /: not valid JSON: line 1, column 15: the file ends where a value was expected\nnothing imported\n');
    expect(read('broken.json')).toBe('{"workflows": ');
  });

  it('imports a legacy version 0 file', async () => {
    const legacy = {
      format: 'workflows/jst',
      exported: '2021-11-02T10:00:00Z',
      workflow: {
        id: 'old-bar',
        name: 'Old bar',
        status: 'live',
        nodes: [
          { id: 'a', type: 'ifThen', position: { x: 0, y: 0 }, data: { triggers: [{ type: 'page_view' }] } },
          { id: 'b', type: 'promotion', position: { x: 0, y: 150 }, data: { promotionId: 'bar' } },
        ],
        edges: [{ source: 'a', sourceHandle: 'yes', target: 'b' }],
      },
      promotions: [{ id: 'bar', name: 'Bar', kind: 'bar', steps: [{ id: 's', blocks: [{ kind: 'text', text: 'Hello' }] }] }],
    };
    write('old.jst', legacy);
    const r = await run('import', 'old.jst', '--into', 'site.json', '--as', 'update');
    expect(r).toEqual({ code: 0, out: 'imported "Old bar" as draft workflow "old-bar" (update) from a version 0 file into site.json (new file)\n', err: '' });
    expect((json('site.json') as AuthoringDocument).workflows![0]).toMatchObject({ id: 'old-bar', status: 'draft', start: 'a' });
  });

  it('checks its usage', async () => {
    expect((await run('import', 'x.jst')).code).toBe(2);
    expect((await run('import', '--into', 'site.json')).code).toBe(2);
    const r = await run('import', 'x.jst', '--into', 'site.json', '--as', 'merge');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--as must be copy or update, not "merge"/);
    const missing = await run('import', 'x.jst', '--into', 'site.json');
    expect(missing.code).toBe(1);
    expect(missing.err).toBe('x.jst: /: cannot read the file (ENOENT)\n');
  });
});
