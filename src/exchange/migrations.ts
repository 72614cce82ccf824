/**
 * Older exchange files are brought up to date one version at a time. Each step takes the previous shape and
 * returns the next one; a step that meets something it cannot convert throws a MigrationProblem saying where.
 *
 * Version 0 is the legacy `.jst` export (`format: "workflows/jst"`): a canvas dump with React-Flow style
 * `nodes` (`type`, `data`, `position`) and `edges` (`source`, `sourceHandle`, `target`).
 */
import { pointer } from '../model/problems.js';
import type { Duration, Edge, HttpMethod, Reenrollment, Trigger, Workflow, WorkflowNode, WorkflowStatus } from '../model/types.js';

export const LEGACY_FORMAT = 'workflows/jst';

export interface Migration {
  from: number;
  to: number;
  /** What changed, for people reading the table. */
  summary: string;
  migrate(doc: Record<string, unknown>): Record<string, unknown>;
}

export class MigrationProblem extends Error {
  constructor(
    readonly pointer: string,
    message: string,
  ) {
    super(message);
    this.name = 'MigrationProblem';
  }
}

export const MIGRATIONS: readonly Migration[] = [
  {
    from: 0,
    to: 1,
    summary:
      'legacy canvas export: `type`/`data`/`position` nodes become `kind` nodes with `ui`, `source`/`sourceHandle`/`target` edges become `from`/`port`/`to`, `exported` becomes `exportedAt`, `frequency` becomes `settings.reenroll`',
    migrate: migrateLegacy,
  },
];

// ------------------------------------------------------------------------------------------- 0 -> 1

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Legacy node `type` -> node kind. */
const LEGACY_KINDS: Record<string, WorkflowNode['kind']> = {
  ifThen: 'if',
  trigger: 'if',
  promotion: 'promotion',
  segmentUpdate: 'segment',
  workflowEnroll: 'enroll',
  webhook: 'webhook',
  multivariateTest: 'split',
  delay: 'delay',
  connector: 'connector',
  code: 'code',
  app: 'app',
  exit: 'exit',
  end: 'exit',
};

/** Legacy handle names -> port names, per kind; a missing handle means the node's single exit. */
const LEGACY_PORTS: Partial<Record<WorkflowNode['kind'], Record<string, string>>> = {
  if: { yes: 'then', no: 'else', timeout: 'timeout' },
  promotion: { converted: 'converted', closed: 'dismissed', dismissed: 'dismissed' },
  webhook: { success: 'ok', error: 'failed' },
  app: { success: 'ok', error: 'failed' },
  code: { error: 'failed' },
};

const LEGACY_STATUS: Record<string, WorkflowStatus> = { live: 'active', active: 'active', draft: 'draft', paused: 'paused', inactive: 'paused' };

function migrateLegacy(doc: Obj): Obj {
  const wf = doc.workflow;
  if (!isObj(wf)) throw new MigrationProblem('/workflow', 'the legacy file has no "workflow" object');
  if (!Array.isArray(wf.nodes)) throw new MigrationProblem('/workflow/nodes', 'the legacy workflow has no "nodes" list');
  const edgesIn = wf.edges ?? [];
  if (!Array.isArray(edgesIn)) throw new MigrationProblem('/workflow/edges', 'the legacy "edges" must be a list');

  const kinds = new Map<string, WorkflowNode['kind']>();
  const nodes = wf.nodes.map((n, i) => {
    const node = legacyNode(n, pointer('workflow', 'nodes', i));
    kinds.set(node.id, node.kind);
    return node;
  });

  const edges: Edge[] = edgesIn.map((e, i) => {
    const where = pointer('workflow', 'edges', i);
    if (!isObj(e) || typeof e.source !== 'string' || typeof e.target !== 'string') {
      throw new MigrationProblem(where, 'a legacy edge needs "source" and "target" node ids');
    }
    const kind = kinds.get(e.source);
    const handle = typeof e.sourceHandle === 'string' && e.sourceHandle ? e.sourceHandle : undefined;
    let port = 'next';
    if (kind === 'split') port = handle ?? 'next';
    else if (kind === 'if') port = handle ? (LEGACY_PORTS.if![handle] ?? handle) : 'then';
    else if (handle) port = LEGACY_PORTS[kind!]?.[handle] ?? handle;
    else if (kind === 'webhook' || kind === 'app') port = 'ok';
    else if (kind === 'promotion') port = 'converted';
    return { from: e.source, port, to: e.target };
  });

  const targets = new Set(edges.map((e) => e.to));
  const start = typeof wf.startNodeId === 'string' ? wf.startNodeId : (nodes.find((n) => !targets.has(n.id)) ?? nodes[0])?.id;
  if (!start) throw new MigrationProblem('/workflow/nodes', 'the legacy workflow has no nodes');

  const workflow: Workflow = {
    id: String(wf.id ?? ''),
    name: String(wf.name ?? wf.id ?? 'Imported workflow'),
    status: LEGACY_STATUS[String(wf.status)] ?? 'draft',
    start,
    nodes,
    edges,
  };
  if (typeof wf.description === 'string' && wf.description) workflow.description = wf.description;
  const reenroll = legacyFrequency(wf.frequency);
  if (reenroll) workflow.settings = { reenroll };

  const exportedAt = typeof doc.exported === 'string' ? doc.exported : typeof doc.exportedAt === 'string' ? doc.exportedAt : new Date(0).toISOString();
  const referenced = new Set<string>();
  for (const n of nodes) if (n.kind === 'enroll') referenced.add(n.workflow);
  return {
    format: 'workflows/exchange',
    version: 1,
    exportedAt,
    workflow,
    promotions: doc.promotions ?? [],
    segments: doc.segments ?? [],
    apps: doc.apps ?? [],
    references: { workflows: [...referenced].sort() },
  };
}

function legacyNode(value: unknown, where: string): WorkflowNode {
  if (!isObj(value) || typeof value.id !== 'string') throw new MigrationProblem(where, 'a legacy node needs an "id"');
  const kind = typeof value.type === 'string' ? LEGACY_KINDS[value.type] : undefined;
  if (!kind) {
    throw new MigrationProblem(`${where}/type`, `unknown legacy node type ${JSON.stringify(value.type)}`);
  }
  const d: Obj = isObj(value.data) ? value.data : {};
  const base: { id: string; label?: string; ui?: { x: number; y: number } } = { id: value.id };
  if (typeof d.label === 'string' && d.label) base.label = d.label;
  const pos = value.position;
  if (isObj(pos) && typeof pos.x === 'number' && typeof pos.y === 'number') base.ui = { x: pos.x, y: pos.y };
  const s = (key: string) => (typeof d[key] === 'string' ? (d[key] as string) : '');

  switch (kind) {
    case 'if': {
      const node: WorkflowNode = { ...base, kind };
      if (Array.isArray(d.triggers) && d.triggers.length) {
        node.triggers = d.triggers.map((t) => {
          if (!isObj(t)) return t as Trigger;
          const { type, ...rest } = t;
          return (type === undefined ? t : { on: type, ...rest }) as unknown as Trigger;
        });
      }
      if (d.conditions !== undefined) node.conditions = d.conditions as never;
      if (typeof d.waitSeconds === 'number') node.wait = toDuration(d.waitSeconds);
      return node;
    }
    case 'promotion':
      return { ...base, kind, promotion: s('promotionId') };
    case 'segment':
      return { ...base, kind, segment: s('segmentId'), action: d.operation === 'remove' ? 'remove' : 'add' };
    case 'enroll':
      return { ...base, kind, workflow: s('workflowId') };
    case 'webhook': {
      const node: WorkflowNode = { ...base, kind, url: s('url') };
      if (typeof d.method === 'string') node.method = d.method.toUpperCase() as HttpMethod;
      if (isObj(d.headers)) node.headers = d.headers as Record<string, string>;
      if (d.body !== undefined) node.body = d.body;
      return node;
    }
    case 'split': {
      const variants = Array.isArray(d.variants)
        ? d.variants.map((v) => {
            const o = isObj(v) ? v : {};
            const variant: { id: string; name?: string; weight: number } = { id: String(o.id ?? ''), weight: Number(o.percent ?? o.weight ?? 0) };
            if (typeof o.name === 'string') variant.name = o.name;
            return variant;
          })
        : [];
      const node: WorkflowNode = { ...base, kind, variants };
      if (typeof d.holdoutPercent === 'number' && d.holdoutPercent > 0) node.holdout = d.holdoutPercent;
      return node;
    }
    case 'delay':
      if (d.nextVisit === true) return { ...base, kind, mode: 'next_visit' };
      if (typeof d.untilTime === 'string') {
        return { ...base, kind, mode: 'time_of_day', time: d.untilTime, ...(typeof d.timezone === 'string' ? { timezone: d.timezone } : {}) };
      }
      if (typeof d.seconds !== 'number') throw new MigrationProblem(`${where}/data`, 'a legacy delay needs "seconds", "untilTime" or "nextVisit"');
      return { ...base, kind, mode: 'duration', duration: toDuration(d.seconds) };
    case 'connector':
      return { ...base, kind, target: s('targetId') };
    case 'code': {
      const node: WorkflowNode = { ...base, kind };
      if (s('handler')) node.handler = s('handler');
      else if (s('script')) node.code = s('script');
      return node;
    }
    case 'app': {
      const node: WorkflowNode = { ...base, kind, app: s('appId'), action: d.action === 'track' ? 'track' : 'subscribe' };
      if (s('listId')) node.list = s('listId');
      if (s('event')) node.event = s('event');
      return node;
    }
    case 'exit':
      return { ...base, kind };
  }
}

/** The largest whole unit: 86400 s -> 1 day, 90 s -> 90 seconds. */
function toDuration(seconds: number): Duration {
  for (const [unit, size] of [['days', 86400], ['hours', 3600], ['minutes', 60]] as const) {
    if (seconds >= size && seconds % size === 0) return { amount: seconds / size, unit };
  }
  return { amount: seconds, unit: 'seconds' };
}

function legacyFrequency(f: unknown): Reenrollment | undefined {
  if (f === 'page') return { mode: 'page' };
  if (f === 'session') return { mode: 'session' };
  if (f === 'once') return { mode: 'never' };
  if (isObj(f) && typeof f.cooldownDays === 'number') return { mode: 'cooldown', days: f.cooldownDays };
  return undefined;
}
