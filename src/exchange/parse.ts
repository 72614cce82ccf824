/** Reading an exchange file: JSON, format and version checks, migrations, and the shape import relies on. */
import { pointer, type Problem } from '../model/problems.js';
import { AUTHORING_FORMAT } from '../model/types.js';
import { COMPILED_FORMAT } from '../compile/types.js';
import { EXCHANGE_FORMAT, EXCHANGE_VERSION, publicApp, type ExchangeFile } from './format.js';
import { parseJson } from './json.js';
import { LEGACY_FORMAT, MIGRATIONS, MigrationProblem } from './migrations.js';

export type ParseResult =
  | {
      ok: true;
      file: ExchangeFile;
      /** Things changed on the way in (secret settings removed). */
      warnings: Problem[];
      /** The version the file was written in, when it had to be migrated. */
      migratedFrom?: number;
    }
  | { ok: false; problems: Problem[] };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseExchange(text: string, file?: string): ParseResult {
  const fail = (at: string, message: string): ParseResult => ({ ok: false, problems: [problem(at, message, 'error', file)] });
  if (typeof text !== 'string') return fail('', 'an exchange file must be text');
  const json = parseJson(text, file);
  if (!json.ok) return { ok: false, problems: [json.problem] };
  return readExchange(json.value, file);
}

/** Like parseExchange, for a value already parsed from JSON. */
export function readExchange(value: unknown, file?: string): ParseResult {
  const fail = (at: string, message: string): ParseResult => ({ ok: false, problems: [problem(at, message, 'error', file)] });
  if (!isObj(value)) return fail('', 'not a workflow exchange file: expected a JSON object');

  const format = value.format;
  let version: number;
  if (format === EXCHANGE_FORMAT) {
    if (typeof value.version !== 'number' || !Number.isInteger(value.version) || value.version < 0) {
      return fail('/version', '"version" must be a whole number');
    }
    version = value.version;
  } else if (format === LEGACY_FORMAT) {
    version = typeof value.version === 'number' ? value.version : 0;
  } else if (format === AUTHORING_FORMAT) {
    return fail('/format', 'this is an authoring document, not an exchange file; make one with `workflows export <file> --workflow <id>`');
  } else if (format === COMPILED_FORMAT) {
    return fail('/format', 'this is a compiled bundle, which cannot be imported; export the workflow from its authoring files instead');
  } else if (format === undefined) {
    return fail('', 'not a workflow exchange file: it has no "format" field');
  } else {
    return fail('/format', `not a workflow exchange file: the format is ${JSON.stringify(format)}, expected "${EXCHANGE_FORMAT}"`);
  }
  if (version > EXCHANGE_VERSION) {
    return fail(
      '/version',
      `this file was made by a newer version of Workflows (exchange version ${version}; this version reads up to ${EXCHANGE_VERSION}); update Workflows to import it`,
    );
  }

  const migratedFrom = version < EXCHANGE_VERSION ? version : undefined;
  let doc: Obj = value;
  while (version < EXCHANGE_VERSION) {
    const step = MIGRATIONS.find((m) => m.from === version);
    if (!step) return fail('/version', `exchange version ${version} is too old to read: there is no migration from it`);
    try {
      doc = step.migrate(doc);
    } catch (e) {
      if (e instanceof MigrationProblem) return fail(e.pointer, `cannot convert this version ${version} file: ${e.message}`);
      return fail('', `cannot convert this version ${version} file: ${(e as Error).message}`);
    }
    version = step.to;
  }

  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const err = (at: string, message: string) => problems.push(problem(at, message, 'error', file));

  if (typeof doc.exportedAt !== 'string') err('/exportedAt', '"exportedAt" must be an ISO date-time text');
  const wf = doc.workflow;
  if (!isObj(wf)) err('/workflow', 'the file has no "workflow" object');
  else {
    if (typeof wf.id !== 'string' || !wf.id) err('/workflow/id', 'the workflow has no "id"');
    if (!Array.isArray(wf.nodes)) err('/workflow/nodes', 'the workflow\'s "nodes" must be a list');
    if (!Array.isArray(wf.edges)) err('/workflow/edges', 'the workflow\'s "edges" must be a list');
  }
  const lists: Record<'promotions' | 'segments' | 'apps', unknown[]> = { promotions: [], segments: [], apps: [] };
  for (const kind of ['promotions', 'segments', 'apps'] as const) {
    const items = doc[kind] ?? [];
    if (!Array.isArray(items)) {
      err(`/${kind}`, `"${kind}" must be a list`);
      continue;
    }
    const ids = new Set<string>();
    items.forEach((item, i) => {
      if (!isObj(item) || typeof item.id !== 'string' || !item.id) return err(pointer(kind, i), `each of "${kind}" needs an "id"`);
      if (ids.has(item.id)) err(pointer(kind, i, 'id'), `"${item.id}" appears twice in "${kind}"`);
      ids.add(item.id);
    });
    lists[kind] = items;
  }
  const apps = lists.apps.map((app, i) => {
    if (!isObj(app)) return app;
    if (!isObj(app.settings)) {
      if (app.settings !== undefined) err(pointer('apps', i, 'settings'), 'app "settings" must be an object');
      return app;
    }
    const { app: clean, removed } = publicApp(app as never);
    for (const key of removed) {
      warnings.push(problem(pointer('apps', i, 'settings', key), `removed the secret-looking setting "${key}"; secrets never travel in exchange files`, 'warning', file));
    }
    return clean;
  });
  const refs = doc.references;
  let referenced: string[] = [];
  if (refs !== undefined) {
    if (!isObj(refs) || !Array.isArray(refs.workflows ?? []) || !((refs.workflows ?? []) as unknown[]).every((w) => typeof w === 'string')) {
      err('/references', '"references" must be { "workflows": [ids] }');
    } else referenced = [...((refs.workflows as string[] | undefined) ?? [])];
  }
  if (problems.length) return { ok: false, problems };

  const out: ExchangeFile = {
    format: EXCHANGE_FORMAT,
    version: EXCHANGE_VERSION,
    exportedAt: doc.exportedAt as string,
    workflow: structuredClone(wf) as unknown as ExchangeFile['workflow'],
    promotions: structuredClone(lists.promotions) as ExchangeFile['promotions'],
    segments: structuredClone(lists.segments) as ExchangeFile['segments'],
    apps: structuredClone(apps) as ExchangeFile['apps'],
    references: { workflows: referenced },
  };
  return migratedFrom === undefined ? { ok: true, file: out, warnings } : { ok: true, file: out, warnings, migratedFrom };
}

function problem(at: string, message: string, severity: Problem['severity'], file?: string): Problem {
  return { pointer: at, message, severity, ...(file ? { file } : {}) };
}
