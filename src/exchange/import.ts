/**
 * Import: merge an exchange file into a project document. Pure: the inputs are never changed, a refused
 * import returns problems and no document. The imported workflow is always a draft.
 */
import { customAlphabet } from 'nanoid';
import { formatProblem, type Problem } from '../model/problems.js';
import { AUTHORING_FORMAT, AUTHORING_VERSION, ID_PATTERN, type AuthoringDocument, type Workflow } from '../model/types.js';
import { validateProject } from '../validate/validate.js';
import type { ExchangeFile } from './format.js';
import { readExchange } from './parse.js';
import { clone, mapSegmentRefs, mapWorkflowRefs, workflowRefs, type RefKind } from './refs.js';

export type ImportMode = 'copy' | 'update';
export type ItemKind = 'workflow' | 'promotion' | 'segment' | 'app';

export interface ImportOptions {
  /** Makes a fresh id (copy mode); tried again while it collides. Defaults to `<prefix>_<10 random characters>`. */
  newId?: (kind: ItemKind, oldId: string) => string;
  /** Name of the project file, stamped on problems. */
  file?: string;
}

export type ImportResult =
  | {
      ok: true;
      document: AuthoringDocument;
      /** Old id -> new id for everything renamed (copy mode); empty in update mode. */
      renamed: Record<string, string>;
      /** The same, per kind (a promotion and a segment may share an old id). */
      renamedByKind: Record<RefKind, Record<string, string>>;
      /** The imported workflow's id in the project. */
      workflowId: string;
      warnings: Problem[];
    }
  | { ok: false; problems: Problem[] };

const PREFIX: Record<ItemKind, string> = { workflow: 'wf', promotion: 'promo', segment: 'seg', app: 'app' };
const PLURAL: Record<ItemKind, RefKind> = { workflow: 'workflows', promotion: 'promotions', segment: 'segments', app: 'apps' };
const randomId = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 10);

export function defaultNewId(kind: ItemKind): string {
  return `${PREFIX[kind]}_${randomId()}`;
}

export function importExchange(
  input: ExchangeFile,
  existing: AuthoringDocument,
  mode: ImportMode,
  options: ImportOptions = {},
): ImportResult {
  const file = options.file;
  const fail = (message: string, at = ''): ImportResult => ({
    ok: false,
    problems: [{ pointer: at, message, severity: 'error', ...(file ? { file } : {}) }],
  });
  if (mode !== 'copy' && mode !== 'update') return fail(`unknown import mode ${JSON.stringify(mode)}; use "copy" or "update"`);
  if (typeof existing !== 'object' || existing === null || Array.isArray(existing)) {
    return fail('the project to import into must be an authoring document (a JSON object)');
  }
  // Merging into some other kind of file would pass the "no new problems" rule below and corrupt it.
  if (existing.format !== undefined && existing.format !== AUTHORING_FORMAT) {
    return fail(`the project to import into is not an authoring document (its format is ${JSON.stringify(existing.format)})`, '/format');
  }
  if (typeof existing.version === 'number' && existing.version > AUTHORING_VERSION) {
    return fail(`the project to import into was written by a newer version of Workflows (format version ${existing.version})`, '/version');
  }
  for (const key of ['workflows', 'promotions', 'segments', 'apps'] as const) {
    if (existing[key] !== undefined && !Array.isArray(existing[key])) {
      return fail(`"${key}" in the project must be a list; fix it before importing`, `/${key}`);
    }
  }
  // Re-read the file so a hand-made or stale object gets the same checks (and migrations) as a parsed one.
  const parsed = readExchange(input);
  if (!parsed.ok) return parsed;
  const incoming = parsed.file;
  const warnings: Problem[] = [...parsed.warnings];
  const doc = clone(existing);

  const renamedByKind: Record<RefKind, Record<string, string>> = { workflows: {}, promotions: {}, segments: {}, apps: {} };
  let workflow: Workflow;
  let { promotions, segments, apps } = incoming;

  if (mode === 'copy') {
    const taken = takenIds(doc);
    const newId = options.newId ?? defaultNewId;
    const fresh = (kind: ItemKind, old: string): string | undefined => {
      for (let attempt = 0; attempt < 20; attempt++) {
        const id = newId(kind, old);
        if (ID_PATTERN.test(id) && !taken[PLURAL[kind]].has(id)) {
          taken[PLURAL[kind]].add(id);
          renamedByKind[PLURAL[kind]][old] = id;
          return id;
        }
      }
      return undefined;
    };
    const items: [ItemKind, string][] = [
      ['workflow', incoming.workflow.id],
      ...incoming.promotions.map((p) => ['promotion', p.id] as [ItemKind, string]),
      ...incoming.segments.map((s) => ['segment', s.id] as [ItemKind, string]),
      ...incoming.apps.map((a) => ['app', a.id] as [ItemKind, string]),
    ];
    for (const [kind, old] of items) {
      if (!fresh(kind, old)) return fail(`could not make a new unused id for ${kind} "${old}"`);
    }
    // Only ids that travel in the file are renamed; other workflows it enrolls keep their ids.
    const rename = (kind: RefKind, id: string) => renamedByKind[kind][id] ?? id;
    workflow = mapWorkflowRefs(incoming.workflow, rename);
    promotions = promotions.map((p) => ({ ...clone(p), id: rename('promotions', p.id) }));
    segments = segments.map((s) => mapSegmentRefs(s, rename));
    apps = apps.map((a) => ({ ...clone(a), id: rename('apps', a.id) }));
    delete workflow.revision;
    delete workflow.version;
    const names = new Set(listOf<Workflow>(doc.workflows).map((w) => w?.name));
    if (names.has(workflow.name)) workflow.name = `${workflow.name} (copy)`;
  } else {
    workflow = clone(incoming.workflow);
    const current = listOf<Workflow>(doc.workflows).find((w) => w?.id === workflow.id);
    // Keep the project's own history so the next save is not refused as stale.
    delete workflow.revision;
    delete workflow.version;
    if (current?.revision !== undefined) workflow.revision = current.revision;
    if (current?.version !== undefined) workflow.version = current.version;
    if (current && current.status !== 'draft') {
      warnings.push({
        pointer: '',
        message: `workflow "${workflow.id}" was ${current.status} in the project; the imported version is a draft until you activate it`,
        severity: 'warning',
        ...(file ? { file } : {}),
      });
    }
  }
  workflow.status = 'draft';

  doc.workflows = upsert(doc.workflows, [workflow]);
  doc.promotions = upsert(doc.promotions, promotions, mode === 'update');
  doc.segments = upsert(doc.segments, segments, mode === 'update');
  doc.apps = upsert(doc.apps, apps, mode === 'update');
  if (!doc.promotions.length && existing.promotions === undefined) delete doc.promotions;
  if (!doc.segments.length && existing.segments === undefined) delete doc.segments;
  if (!doc.apps.length && existing.apps === undefined) delete doc.apps;

  const known = new Set(listOf<Workflow>(doc.workflows).map((w) => w?.id));
  const needed = new Set([...incoming.references.workflows, ...workflowRefs(incoming.workflow).workflows]);
  for (const id of needed) {
    if (id === incoming.workflow.id || known.has(id)) continue;
    warnings.push({
      pointer: '',
      message: `workflow "${workflow.name}" refers to workflow "${id}", which is not in this project and was not in the file; import or create it`,
      severity: 'warning',
      ...(file ? { file } : {}),
    });
  }

  // Refuse only what the import broke: problems the project already had are not the file's fault.
  const key = (p: Problem) => `${p.severity} ${formatProblem({ ...p, file: '' })}`;
  const before = new Set(safeValidate(existing, file).map(key));
  const after = safeValidate(doc, file).filter((p) => !before.has(key(p)));
  const errors = after.filter((p) => p.severity === 'error');
  if (errors.length) return { ok: false, problems: [...errors, ...warnings.filter((w) => w.pointer === '')] };
  warnings.push(...after.filter((p) => p.severity === 'warning'));

  const renamed: Record<string, string> = {};
  for (const kind of ['apps', 'segments', 'promotions', 'workflows'] as const) Object.assign(renamed, renamedByKind[kind]);
  return { ok: true, document: doc, renamed, renamedByKind, workflowId: workflow.id, warnings };
}

function safeValidate(doc: unknown, file?: string): Problem[] {
  try {
    const problems = validateProject([{ file: file ?? '', doc }]);
    return file ? problems : problems.map(({ file: _omit, ...p }) => p);
  } catch (e) {
    return [{ pointer: '', message: `the validator failed: ${(e as Error).message}`, severity: 'error' }];
  }
}

function takenIds(doc: AuthoringDocument): Record<RefKind, Set<string>> {
  const ids = (items: unknown) => new Set(listOf<{ id?: unknown }>(items).map((i) => i?.id).filter((id): id is string => typeof id === 'string'));
  return { workflows: ids(doc.workflows), promotions: ids(doc.promotions), segments: ids(doc.segments), apps: ids(doc.apps) };
}

/** The list, or an empty one when a malformed document has something else there. */
function listOf<T>(value: T[] | unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

/** Replaces items with the same id in place (when `replace`) and appends the rest. */
function upsert<T extends { id: string }>(list: T[] | undefined, items: T[], replace = true): T[] {
  const out = Array.isArray(list) ? [...list] : [];
  for (const item of items) {
    const at = replace ? out.findIndex((x) => x?.id === item.id) : -1;
    if (at >= 0) out[at] = clone(item);
    else out.push(clone(item));
  }
  return out;
}
