/** Export: one workflow and, transitively, the promotions, segments and apps it references. */
import type { Problem } from '../model/problems.js';
import { didYouMean } from '../model/suggest.js';
import type { AppConnection, AuthoringDocument, Promotion, Segment, Workflow } from '../model/types.js';
import { EXCHANGE_FORMAT, EXCHANGE_VERSION, publicApp, type ExchangeFile } from './format.js';
import { clone, collector, mapConditionRefs, workflowRefs } from './refs.js';

/** Thrown by exportWorkflow when the workflow or something it needs is not in the project. */
export class ExchangeError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map((p) => p.message).join('; '));
    this.name = 'ExchangeError';
  }
}

export interface ExportOptions {
  /** Defaults to now. */
  exportedAt?: string | Date;
}

/** Everything defined across the documents of a project; the first definition of an id wins. */
export interface ProjectIndex {
  workflows: Map<string, Workflow>;
  promotions: Map<string, Promotion>;
  segments: Map<string, Segment>;
  apps: Map<string, AppConnection>;
}

export function indexProject(docs: AuthoringDocument | readonly AuthoringDocument[]): ProjectIndex {
  const index: ProjectIndex = { workflows: new Map(), promotions: new Map(), segments: new Map(), apps: new Map() };
  for (const doc of Array.isArray(docs) ? docs : [docs as AuthoringDocument]) {
    for (const kind of ['workflows', 'promotions', 'segments', 'apps'] as const) {
      const items = doc?.[kind];
      if (!Array.isArray(items)) continue;
      const into = index[kind] as Map<string, unknown>;
      for (const item of items) {
        if (item && typeof item.id === 'string' && !into.has(item.id)) into.set(item.id, item);
      }
    }
  }
  return index;
}

export function exportWorkflow(
  workflowId: string,
  docs: AuthoringDocument | readonly AuthoringDocument[],
  options: ExportOptions = {},
): ExchangeFile {
  const project = indexProject(docs);
  const workflow = project.workflows.get(workflowId);
  if (!workflow) {
    const ids = [...project.workflows.keys()];
    const hint = didYouMean(workflowId, ids) || (ids.length ? `; workflows here: ${ids.join(', ')}` : '; there are no workflows here');
    throw new ExchangeError([problem(`there is no workflow "${workflowId}"${hint}`)]);
  }

  const refs = workflowRefs(workflow);
  // Segment rules may name further segments and promotions: follow them until nothing new turns up.
  const seen = new Set<string>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const id of [...refs.segments]) {
      if (seen.has(id)) continue;
      seen.add(id);
      grew = true;
      const segment = project.segments.get(id);
      if (segment?.kind === 'rule' && segment.rule) mapConditionRefs(segment.rule, collector(refs));
    }
  }

  const missing: Problem[] = [];
  const pick = <T extends { id: string; revision?: number }>(kind: 'promotions' | 'segments' | 'apps', from: Map<string, T>): T[] => {
    for (const id of refs[kind]) {
      if (!from.has(id)) missing.push(problem(`workflow "${workflowId}" uses ${kind.slice(0, -1)} "${id}", which is not in the project`));
    }
    return [...from.values()].filter((item) => refs[kind].has(item.id)).map((item) => withoutBookkeeping(clone(item)));
  };
  const promotions = pick('promotions', project.promotions);
  const segments = pick('segments', project.segments);
  const apps = pick('apps', project.apps).map((app) => publicApp(app).app);
  if (missing.length) throw new ExchangeError(missing);

  const exportedAt = options.exportedAt ?? new Date();
  return {
    format: EXCHANGE_FORMAT,
    version: EXCHANGE_VERSION,
    exportedAt: typeof exportedAt === 'string' ? exportedAt : exportedAt.toISOString(),
    workflow: withoutBookkeeping(clone(workflow)),
    promotions,
    segments,
    apps,
    references: { workflows: [...refs.workflows].sort() },
  };
}

/** Revision and published version belong to the source account's history, not to the workflow's content. */
function withoutBookkeeping<T extends { revision?: number }>(item: T): T {
  delete item.revision;
  delete (item as { version?: number }).version;
  return item;
}

function problem(message: string): Problem {
  return { pointer: '', message, severity: 'error' };
}
