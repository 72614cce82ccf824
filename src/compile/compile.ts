/**
 * The compiler: authoring documents -> the one bundle the runtime downloads. It refuses invalid input with
 * the validator's problems, keeps only active workflows and what they reference, fills defaults, drops
 * editor-only data, folds edges into nodes, lowers conditions for the runtime and builds the trigger index.
 */
import { lower } from '../conditions/lower.js';
import { canonicalJson, contentHash } from '../hash.js';
import type { Problem } from '../model/problems.js';
import type {
  AppConnection,
  Promotion,
  Segment,
  SiteSettings,
  Trigger,
  Workflow,
  WorkflowNode,
} from '../model/types.js';
import { conditionRefs } from '../validate/refs.js';
import { indexKey } from './index-key.js';
import { segmentNeeds, union, workflowNeeds } from './needs.js';
import { urlPrefilter } from './prefilter.js';
import { at } from '../validate/shape.js';
import { hasErrors, validateProject, type SourceFile } from '../validate/validate.js';
import {
  COMPILED_FORMAT,
  COMPILED_VERSION,
  type CompiledBundle,
  type CompiledNode,
  type CompiledSettings,
  type CompiledTrigger,
  type CompiledWorkflow,
  type TriggerIndex,
} from './types.js';

export type CompileResult =
  | { ok: true; bundle: CompiledBundle; warnings: Problem[] }
  | { ok: false; problems: Problem[] };

/** Defaults the runtime can rely on; documented in docs/format.md. */
export const DEFAULTS = {
  enrollment: 'auto',
  reenroll: { mode: 'session' },
  priority: 50,
  suppress: 'none',
  goalWindowDays: 7,
  exitIntentMinDwellSeconds: 3,
  elementVisibleThreshold: 0.5,
  webhookMethod: 'POST',
  codeTimeoutMs: 3000,
  promotionCooldownSeconds: 30,
} as const;

interface Located<T> {
  value: T;
  file: string;
  pointer: string;
}

export function compileProject(files: readonly SourceFile[]): CompileResult {
  const problems = validateProject(files);
  if (hasErrors(problems)) return { ok: false, problems };
  try {
    return build(files, problems);
  } catch (e) {
    return { ok: false, problems: [...problems, { pointer: '', severity: 'error', message: `internal error while compiling: ${(e as Error)?.message ?? String(e)}` }] };
  }
}

function build(files: readonly SourceFile[], warnings: Problem[]): CompileResult {
  const workflows: Located<Workflow>[] = [];
  const promotions = new Map<string, Promotion>();
  const segments = new Map<string, Segment>();
  const apps = new Map<string, AppConnection>();
  const site: SiteSettings = {};
  const hosts = new Set<string>();
  for (const { file, doc } of files) {
    const d = doc as { workflows?: Workflow[]; promotions?: Promotion[]; segments?: Segment[]; apps?: AppConnection[]; site?: SiteSettings };
    d.workflows?.forEach((value, i) => workflows.push({ value, file, pointer: at('', 'workflows', i) }));
    d.promotions?.forEach((p) => promotions.set(p.id, p));
    d.segments?.forEach((s) => segments.set(s.id, s));
    d.apps?.forEach((a) => apps.set(a.id, a));
    if (d.site?.promotionCooldownSeconds !== undefined) site.promotionCooldownSeconds = d.site.promotionCooldownSeconds;
    d.site?.webhookHosts?.forEach((h) => hosts.add(h.toLowerCase()));
  }

  const active = workflows.filter((w) => w.value.status === 'active');
  const activeIds = new Set(active.map((w) => w.value.id));
  const problems: Problem[] = [];
  const used = { promotions: new Set<string>(), segments: new Set<string>(), apps: new Set<string>() };
  const index: TriggerIndex = {};

  // Highest priority first, so the runtime can walk workflows in order without sorting on every page.
  const ordered = [...active].sort((a, b) => priority(b.value) - priority(a.value) || (a.value.id < b.value.id ? -1 : 1));
  const compiled: CompiledWorkflow[] = ordered.map(({ value: wf, file, pointer }) => {
    const nodes: Record<string, CompiledNode> = {};
    wf.nodes.forEach((node, i) => {
      const where = at(pointer, 'nodes', i);
      if (node.kind === 'enroll' && !activeIds.has(node.workflow)) {
        problems.push({ file, pointer: at(where, 'workflow'), severity: 'error', message: `this step enrolls visitors into "${node.workflow}", which is not active; activate it or remove the step` });
      }
      nodes[node.id] = compileNode(wf, node, used, hosts);
      if (node.kind === 'if') {
        for (const t of node.triggers ?? []) (index[indexKey(t)] ??= []).push([wf.id, node.id]);
        conditionRefs(node.conditions, used);
      }
    });
    for (const e of wf.edges) {
      const from = nodes[e.from];
      if (from) (from.next ??= {})[e.port] = e.to;
    }
    const settings = compileSettings(wf);
    if (settings?.goal?.where) conditionRefs(settings.goal.where, used);
    const start = wf.nodes.find((n) => n.id === wf.start);
    const url = start?.kind === 'if' && !start.triggers?.length ? urlPrefilter(start.conditions) : undefined;
    return { id: wf.id, name: wf.name, version: wf.version ?? 0, ...(settings ? { settings } : {}), start: wf.start, nodes, ...(url ? { url } : {}) };
  });
  // Once every workflow is compiled: whether one needs a feature may depend on the others' settings (suppression).
  const withNeeds = compiled.map((w) => {
    const needs = workflowNeeds(w, compiled);
    return needs.length ? { ...w, needs } : w;
  });
  if (problems.length) return { ok: false, problems: [...warnings, ...problems] };

  // Segments referenced only from other segments' rules still have to ship.
  for (let grew = true; grew; ) {
    grew = false;
    for (const id of [...used.segments]) {
      const s = segments.get(id);
      if (s?.kind !== 'rule') continue;
      const before = used.segments.size;
      conditionRefs(s.rule, used);
      grew ||= used.segments.size > before;
    }
  }
  for (const id of used.apps) {
    const app = apps.get(id);
    if (app?.provider === 'webhook' && app.settings.url) hosts.add(new URL(app.settings.url).host.toLowerCase());
  }

  const shipped = pick(segments, used.segments, (s) => {
    if (s.kind !== 'rule') return {};
    const rule = lower(s.rule);
    const needs = segmentNeeds(rule);
    return needs.length ? { rule, needs } : { rule };
  });
  // A JSON round trip: the bundle shares nothing with the caller's documents and carries no undefined.
  const body = JSON.parse(JSON.stringify({
    format: COMPILED_FORMAT,
    version: COMPILED_VERSION,
    site: {
      webhookHosts: [...hosts].sort(),
      promotionCooldownSeconds: site.promotionCooldownSeconds ?? DEFAULTS.promotionCooldownSeconds,
    },
    needs: union([...withNeeds.map((w) => w.needs ?? []), ...Object.values(shipped).map((s) => s.needs ?? [])]),
    workflows: withNeeds,
    promotions: pick(promotions, used.promotions, ({ id: _id, revision: _r, name: _n, ...rest }) => rest),
    segments: shipped,
    apps: pick(apps, used.apps, (a) => ({ provider: a.provider, settings: a.settings })),
    index,
  })) as Omit<CompiledBundle, 'hash'>;
  // Hash the content alone: the same workflows always give the same hash, whatever order the files came in.
  const { format, version, ...rest } = body;
  const bundle: CompiledBundle = { format, version, hash: contentHash(canonicalJson(body)), ...rest };
  return { ok: true, bundle, warnings };
}

function priority(wf: Workflow): number {
  return wf.settings?.priority ?? DEFAULTS.priority;
}

function pick<T, R>(map: Map<string, T>, ids: Set<string>, fn: (v: T) => R): Record<string, R> {
  const out: Record<string, R> = {};
  for (const id of [...ids].sort()) {
    const v = map.get(id);
    if (v !== undefined) out[id] = fn(v);
  }
  return out;
}

/** Settings that differ from their defaults (the runtime reads a missing one as its default), or none at all. */
function compileSettings(wf: Workflow): CompiledSettings | undefined {
  const s = wf.settings ?? {};
  const out: CompiledSettings = {};
  if (s.enrollment === 'manual') out.enrollment = s.enrollment;
  if (s.reenroll && s.reenroll.mode !== DEFAULTS.reenroll.mode) out.reenroll = s.reenroll;
  if (s.priority != null && s.priority !== DEFAULTS.priority) out.priority = s.priority;
  if (s.suppress && s.suppress !== DEFAULTS.suppress && s.suppress.length) out.suppress = s.suppress;
  if (s.schedule) out.schedule = s.schedule;
  if (s.goal) out.goal = { event: s.goal.event, windowDays: s.goal.windowDays ?? DEFAULTS.goalWindowDays, ...(s.goal.where ? { where: lower(s.goal.where) } : {}) };
  return Object.keys(out).length ? out : undefined;
}

function compileNode(
  wf: Workflow,
  node: WorkflowNode,
  used: { promotions: Set<string>; segments: Set<string>; apps: Set<string> },
  hosts: Set<string>,
): CompiledNode {
  const { id: _id, label: _label, ui: _ui, ...rest } = node;
  switch (rest.kind) {
    case 'if': {
      const { conditions, triggers, ...step } = rest;
      return {
        ...step,
        ...(conditions ? { conditions: lower(conditions) } : {}),
        ...(triggers && {
          triggers: triggers.map(({ where, ...t }): CompiledTrigger => {
            if (where) conditionRefs(where, used);
            if (t.on === 'promotion' && t.promotion) used.promotions.add(t.promotion);
            if (t.on === 'segment_entered') used.segments.add(t.segment);
            const filter = where ? { where: lower(where) } : {};
            if (t.on === 'exit_intent') return { minDwellSeconds: DEFAULTS.exitIntentMinDwellSeconds, mobile: true, ...t, ...filter };
            if (t.on === 'element_visible') return { threshold: DEFAULTS.elementVisibleThreshold, ...t, ...filter };
            return { ...t, ...filter };
          }),
        }),
      };
    }
    case 'promotion':
      used.promotions.add(rest.promotion);
      return rest;
    case 'segment':
      used.segments.add(rest.segment);
      return rest;
    case 'app':
      used.apps.add(rest.app);
      return rest;
    case 'webhook':
      hosts.add(new URL(rest.url.replace(/\{\{[^}]*\}\}/g, 'x')).host.toLowerCase());
      return { method: DEFAULTS.webhookMethod, ...rest };
    case 'split':
      return { test: `${wf.id}/${node.id}`, holdout: 0, ...rest };
    case 'code':
      return { timeoutMs: DEFAULTS.codeTimeoutMs, ...rest };
    case 'connector':
      // A connector is a "go to": the runtime follows its `next` like any other port.
      return { kind: 'connector', next: { next: rest.target } };
    default:
      return rest;
  }
}
