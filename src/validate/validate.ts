/**
 * The validator: every problem in a set of authoring documents at once, each with its file and JSON pointer.
 * It never throws, whatever it is given.
 */
import { AUTHORING_FORMAT, AUTHORING_VERSION } from '../model/types.js';
import type { Problem } from '../model/problems.js';
import { canonicalJson } from '../hash.js';
import { emptyCatalog, type Catalog } from './catalog.js';
import { checkApp, checkPromotion, checkSegment } from './entities.js';
import { findLoops } from './cycles.js';
import { at, error, isObject, list, num, object, onlyKeys, type Out } from './shape.js';
import { checkWorkflow, type WorkflowSummary } from './workflow.js';

export interface SourceFile {
  /** A name for messages: a path, or `<stdin>`. */
  file: string;
  doc: unknown;
}

const COLLECTIONS = ['workflows', 'promotions', 'segments', 'apps'] as const;
type Collection = (typeof COLLECTIONS)[number];
const NOUN: Record<Collection, string> = { workflows: 'workflow', promotions: 'promotion', segments: 'segment', apps: 'app connection' };

export function validateDocument(doc: unknown, file = '<document>'): Problem[] {
  return validateProject([{ file, doc }]);
}

export function validateProject(files: readonly SourceFile[]): Problem[] {
  const problems: Problem[] = [];
  try {
    const catalog = emptyCatalog();
    const outs = files.map((f) => ({ out: { problems, file: f.file } as Out, doc: checkTopLevel({ problems, file: f.file }, f.doc) }));
    for (const { out, doc } of outs) if (doc) define(out, doc, catalog);

    const summaries: (WorkflowSummary & { file: string })[] = [];
    let cooldown: { value: unknown; file: string } | undefined;
    for (const { out, doc } of outs) {
      if (!doc) continue;
      eachItem(doc, 'workflows', (item, p) => {
        const summary = checkWorkflow(out, item, p, catalog);
        if (summary) summaries.push({ ...summary, file: out.file! });
      });
      eachItem(doc, 'promotions', (item, p) => checkPromotion(out, item, p));
      eachItem(doc, 'segments', (item, p) => checkSegment(out, item, p, catalog));
      eachItem(doc, 'apps', (item, p) => checkApp(out, item, p));
      if (doc.site !== undefined) {
        const site = checkSite(out, doc.site);
        if (site && site.promotionCooldownSeconds !== undefined) {
          if (cooldown && cooldown.value !== site.promotionCooldownSeconds) {
            error(out, '/site/promotionCooldownSeconds', `conflicts with the value ${String(cooldown.value)} set in ${cooldown.file}`);
          }
          cooldown ??= { value: site.promotionCooldownSeconds, file: out.file! };
        }
      }
    }
    checkEnrollCycles(problems, summaries);
  } catch (e) {
    // A validator bug must not crash the caller; say so plainly instead.
    problems.push({ pointer: '', severity: 'error', message: `internal error while validating: ${(e as Error)?.message ?? String(e)}` });
  }
  return problems;
}

function checkTopLevel(out: Out, doc: unknown): Record<string, unknown> | undefined {
  const d = object(out, doc, '', 'an authoring document');
  if (!d) return undefined;
  if (d.format !== undefined && d.format !== AUTHORING_FORMAT) {
    const hint = d.format === 'workflows/exchange' ? '; this is an exchange (.jst) file: use "workflows import"' : d.format === 'workflows/compiled' ? '; this is a compiled bundle, not a source document' : '';
    error(out, '/format', `"format" must be "${AUTHORING_FORMAT}", not ${JSON.stringify(d.format)}${hint}`);
    return undefined;
  }
  const version = num(out, d, 'version', '', 'the document', { integer: true, min: 1 });
  if (version !== undefined && version > AUTHORING_VERSION) {
    error(out, '/version', `this document was written by a newer version of Workflows (format version ${version}; this one reads up to ${AUTHORING_VERSION})`);
    return undefined;
  }
  // After the format: a bundle or exchange file is named as such, not listed field by field.
  onlyKeys(out, d, '', ['$schema', 'format', 'version', ...COLLECTIONS, 'site'], 'an authoring document');
  for (const c of COLLECTIONS) if (d[c] !== undefined) list(out, d[c], at('', c), `"${c}"`);
  return d;
}

function eachItem(doc: Record<string, unknown>, c: Collection, fn: (item: unknown, pointer: string) => void): void {
  const items = doc[c];
  if (Array.isArray(items)) items.forEach((item, i) => fn(item, at('', c, i)));
}

/** First pass: learn every id (and what kind of thing it is) so references can be checked in any order. */
function define(out: Out, doc: Record<string, unknown>, catalog: Catalog): void {
  for (const c of COLLECTIONS) {
    eachItem(doc, c, (item, p) => {
      if (!isObject(item) || typeof item.id !== 'string') return;
      const map = catalog[c] as Map<string, object>;
      const previous = map.get(item.id) as { file?: string; pointer: string; json: string } | undefined;
      const json = canonicalJson(item);
      // The same definition in two files (two templates sharing a segment) is one thing, not a conflict.
      if (previous && previous.json === json) return;
      if (previous) {
        const where = previous.file && previous.file !== out.file ? `${previous.file} ${previous.pointer}` : previous.pointer;
        error(out, at(p, 'id'), `another ${NOUN[c]} already has the id "${item.id}" (at ${where}), with different content`);
        return;
      }
      map.set(item.id, {
        file: out.file,
        pointer: p,
        json,
        ...(c === 'workflows' ? { status: item.status } : {}),
        ...(c === 'segments' ? { kind: item.kind } : {}),
        ...(c === 'apps' ? { provider: item.provider } : {}),
      });
    });
  }
}

function checkSite(out: Out, value: unknown): Record<string, unknown> | undefined {
  const site = object(out, value, '/site', '"site"');
  if (!site) return undefined;
  onlyKeys(out, site, '/site', ['webhookHosts', 'promotionCooldownSeconds'], 'site settings');
  num(out, site, 'promotionCooldownSeconds', '/site', 'site settings', { min: 0, max: 86400 });
  if (site.webhookHosts !== undefined) {
    const hosts = list(out, site.webhookHosts, '/site/webhookHosts', '"webhookHosts"');
    hosts?.forEach((h, i) => {
      if (typeof h !== 'string' || !/^(\*\.)?([a-z0-9-]+\.)*[a-z0-9-]+(:\d{1,5})?$/i.test(h)) {
        error(out, at('/site/webhookHosts', i), `${JSON.stringify(h)} is not a host name such as "hooks.example.com" or "*.example.com"`);
      }
    });
  }
  return site;
}

/** Workflow A enrolls into B which enrolls into A: a visitor would bounce between them forever. */
function checkEnrollCycles(problems: Problem[], summaries: (WorkflowSummary & { file: string })[]): void {
  const byId = new Map(summaries.map((s) => [s.id, s]));
  findLoops(
    summaries.map((s) => s.id),
    (id) => byId.get(id)?.enrolls ?? [],
    (e) => (byId.has(e.workflow) ? e.workflow : undefined),
    (loop, from, e) =>
      problems.push({
        file: byId.get(from)!.file,
        pointer: e.pointer,
        severity: 'error',
        message: `enrollment loop: ${[...loop, e.workflow].map((w) => `"${w}"`).join(' enrolls into ')}; break the loop so visitors cannot bounce between workflows forever`,
      }),
  );
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}
