/** Checks one workflow: its fields, settings, nodes, edges and graph (reachability, loops that never wait). */
import { checkCondition } from '../conditions/check.js';
import { NODE_LABELS, portsOf, waits } from '../model/nodes.js';
import { findLoops } from './cycles.js';
import { APP_ACTIONS, NODE_KINDS, WEEKDAYS, type WorkflowNode } from '../model/types.js';
import type { Catalog } from './catalog.js';
import { checkConditionRefs } from './refs.js';
import {
  at,
  describe,
  error,
  httpUrl,
  id,
  isoDate,
  list,
  num,
  object,
  oneOf,
  onlyKeys,
  str,
  TIME_PATTERN,
  timezone,
  warn,
  type Obj,
  type Out,
} from './shape.js';
import { checkTrigger, stamp } from './triggers.js';

const WORKFLOW_KEYS = ['id', 'name', 'description', 'status', 'revision', 'version', 'settings', 'start', 'nodes', 'edges', 'ui'];
const COMMON_NODE_KEYS = ['id', 'kind', 'label', 'ui'];
const NODE_KEYS: Record<WorkflowNode['kind'], readonly string[]> = {
  if: ['triggers', 'conditions', 'wait'],
  promotion: ['promotion'],
  segment: ['segment', 'action'],
  enroll: ['workflow'],
  webhook: ['url', 'method', 'headers', 'body'],
  split: ['test', 'variants', 'holdout'],
  delay: ['mode', 'duration', 'time', 'timezone'],
  connector: ['target'],
  code: ['handler', 'code', 'timeoutMs'],
  app: ['app', 'action', 'list', 'event', 'fields'],
  exit: [],
};
const DURATION_UNITS = ['seconds', 'minutes', 'hours', 'days'] as const;
const MAX_DURATION_MS = 366 * 86400_000;
const UNIT_MS = { seconds: 1000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

export interface WorkflowSummary {
  id: string;
  /** Workflows this one enrolls visitors into, with where. */
  enrolls: { workflow: string; pointer: string }[];
}

export function checkWorkflow(out: Out, value: unknown, where: string, catalog: Catalog): WorkflowSummary | undefined {
  const wf = object(out, value, where, 'a workflow');
  if (!wf) return undefined;
  onlyKeys(out, wf, where, WORKFLOW_KEYS, 'a workflow');
  const wfId = id(out, wf, 'id', where, 'the workflow');
  str(out, wf, 'name', where, 'the workflow', { required: true, maxLength: 200 });
  str(out, wf, 'description', where, 'the workflow', { maxLength: 5000 });
  oneOf(out, wf, 'status', where, 'the workflow', ['draft', 'active', 'paused'] as const);
  num(out, wf, 'revision', where, 'the workflow', { integer: true, min: 0 });
  num(out, wf, 'version', where, 'the workflow', { integer: true, min: 0 });
  if (wf.ui !== undefined) object(out, wf.ui, at(where, 'ui'), '"ui"');
  if (wf.settings !== undefined) checkSettings(out, wf.settings, at(where, 'settings'), catalog, wfId);

  const summary: WorkflowSummary = { id: wfId ?? '', enrolls: [] };
  const nodes = list(out, wf.nodes ?? missing(out, where, 'nodes'), at(where, 'nodes'), '"nodes"');
  const edges = wf.edges === undefined ? [] : list(out, wf.edges, at(where, 'edges'), '"edges"');

  // id -> node and its index, for edges and the graph.
  const byId = new Map<string, { node: WorkflowNode; index: number }>();
  nodes?.forEach((n, i) => {
    const p = at(where, 'nodes', i);
    const node = checkNode(out, n, p, catalog, wfId, summary);
    if (!node) return;
    if (byId.has(node.id)) error(out, at(p, 'id'), `another step already has the id "${node.id}"`);
    else byId.set(node.id, { node, index: i });
  });

  const start = str(out, wf, 'start', where, 'the workflow', { required: true });
  if (start !== undefined && nodes && !byId.has(start)) {
    error(out, at(where, 'start'), `the start step "${start}" does not exist`);
  }

  const next = new Map<string, string[]>(); // node id -> successors
  const usedPorts = new Set<string>();
  edges?.forEach((e, i) => {
    const p = at(where, 'edges', i);
    const edge = object(out, e, p, 'an edge');
    if (!edge) return;
    onlyKeys(out, edge, p, ['from', 'port', 'to', 'ui'], 'an edge');
    const from = str(out, edge, 'from', p, 'the edge', { required: true });
    const port = str(out, edge, 'port', p, 'the edge', { required: true });
    const to = str(out, edge, 'to', p, 'the edge', { required: true });
    const source = from === undefined ? undefined : byId.get(from);
    if (from !== undefined && !source) error(out, at(p, 'from'), `the edge starts at "${from}", which is not a step of this workflow`);
    if (to !== undefined && !byId.has(to)) error(out, at(p, 'to'), `the edge goes to "${to}", which is not a step of this workflow`);
    if (source && port !== undefined) {
      const ports = portsOf(source.node);
      if (ports.length === 0) {
        error(out, p, `a ${NODE_LABELS[source.node.kind]} step has no way out; remove this edge`);
      } else if (!ports.includes(port)) {
        error(out, at(p, 'port'), `"${from}" has no port "${port}"; its ports are ${ports.join(', ')}`);
      } else if (usedPorts.has(`${from}\u0000${port}`)) {
        error(out, at(p, 'port'), `port "${port}" of "${from}" is already connected; a port leads to one step`);
      } else {
        usedPorts.add(`${from}\u0000${port}`);
        if (to !== undefined && byId.has(to)) push(next, from!, to);
      }
    }
  });
  for (const { node, index } of byId.values()) {
    if (node.kind !== 'connector' || typeof node.target !== 'string') continue;
    if (byId.has(node.target)) push(next, node.id, node.target);
    else error(out, at(where, 'nodes', index, 'target'), `the Connector leads to "${node.target}", which is not a step of this workflow`);
  }

  if (start !== undefined && byId.has(start)) checkGraph(out, where, start, byId, next);
  return summary;
}

function missing(out: Out, where: string, key: string): undefined {
  error(out, at(where, key), `the workflow is missing "${key}"`);
  return undefined;
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function checkGraph(
  out: Out,
  where: string,
  start: string,
  byId: Map<string, { node: WorkflowNode; index: number }>,
  next: Map<string, string[]>,
): void {
  const reached = new Set<string>([start]);
  const queue = [start];
  while (queue.length) for (const n of next.get(queue.pop()!) ?? []) if (!reached.has(n)) reached.add(n), queue.push(n);
  for (const [nodeId, { index }] of byId) {
    if (!reached.has(nodeId)) {
      error(out, at(where, 'nodes', index), `step "${nodeId}" can never be reached from the start step; connect it or remove it`);
    }
  }
  // A loop is safe when every way round it passes a step that waits (Delay, Promotion, an If/Then that
  // waits for a trigger). So drop those steps and look for any cycle left among the rest.
  const spinning = (id: string) => reached.has(id) && !waits(byId.get(id)!.node);
  let loops = 0;
  findLoops(
    [...byId.keys()].filter(spinning),
    (id) => next.get(id) ?? [],
    (to) => (spinning(to) ? to : undefined),
    (loop, _from, to) => {
      loops++;
      error(
        out,
        at(where, 'nodes', byId.get(to)!.index),
        `the steps ${loop.map((s) => `"${s}"`).join(' -> ')} -> "${to}" form a loop that can repeat forever; add a Delay or an If/Then that waits for a trigger`,
      );
    },
  );
  if (!loops) checkStepsInARow(out, where, byId, next, spinning);
}

/**
 * Steps that may run one after another without waiting. The runtime stops a workflow that runs more than 99 at
 * once (a run resumed by a Delay counts the Delay, and a run stopping at a step that waits counts that step).
 */
const MAX_STEPS_IN_A_ROW = 98;

/** Refuses the longest run of steps that do not wait when it is longer than the runtime goes. Needs no loops. */
function checkStepsInARow(
  out: Out,
  where: string,
  byId: Map<string, { node: WorkflowNode; index: number }>,
  next: Map<string, string[]>,
  spinning: (id: string) => boolean,
): void {
  const longest = new Map<string, number>(); // steps in a row from a step, itself included
  for (const root of byId.keys()) {
    if (!spinning(root) || longest.has(root)) continue;
    // Depth first with its own stack (a chain can be thousands of steps): a step is measured after what follows it.
    const stack = [root];
    while (stack.length) {
      const id = stack[stack.length - 1]!;
      const after = (next.get(id) ?? []).filter(spinning);
      const unmeasured = after.find((n) => !longest.has(n));
      if (unmeasured !== undefined) stack.push(unmeasured);
      else longest.set(stack.pop()!, 1 + Math.max(0, ...after.map((n) => longest.get(n)!)));
    }
  }
  let first: string | undefined;
  for (const [id, n] of longest) if (first === undefined || n > longest.get(first)!) first = id;
  const n = first === undefined ? 0 : longest.get(first)!;
  if (n > MAX_STEPS_IN_A_ROW) {
    error(
      out,
      at(where, 'nodes', byId.get(first!)!.index),
      `${n} steps in a row from "${first}" run without one that waits; at most ${MAX_STEPS_IN_A_ROW} may, or the visitor's browser stops the workflow: add a Delay or an If/Then that waits for a trigger between them`,
    );
  }
}

function checkNode(
  out: Out,
  value: unknown,
  where: string,
  catalog: Catalog,
  wfId: string | undefined,
  summary: WorkflowSummary,
): WorkflowNode | undefined {
  const node = object(out, value, where, 'a step');
  if (!node) return undefined;
  const nodeId = id(out, node, 'id', where, 'the step');
  const kind = oneOf(out, node, 'kind', where, 'the step', NODE_KINDS);
  if (!kind) return nodeId === undefined ? undefined : ({ id: nodeId, kind: 'exit' } as WorkflowNode);
  const what = `the ${NODE_LABELS[kind]} step`;
  onlyKeys(out, node, where, [...COMMON_NODE_KEYS, ...NODE_KEYS[kind]], what);
  str(out, node, 'label', where, what, { maxLength: 200 });
  if (node.ui !== undefined) object(out, node.ui, at(where, 'ui'), '"ui"');

  const ref = (key: string, map: Map<string, unknown>, noun: string): string | undefined => {
    const v = str(out, node, key, where, what, { required: true });
    if (v !== undefined && !map.has(v)) error(out, at(where, key), `there is no ${noun} "${v}"`);
    return v;
  };

  switch (kind) {
    case 'if': {
      const triggers = node.triggers === undefined ? undefined : list(out, node.triggers, at(where, 'triggers'), '"triggers"');
      triggers?.forEach((t, i) => checkTrigger(out, t, at(where, 'triggers', i), catalog));
      if (node.conditions !== undefined) {
        out.problems.push(...stamp(out, checkCondition(node.conditions, at(where, 'conditions'))));
        checkConditionRefs(out, node.conditions, at(where, 'conditions'), catalog);
      }
      if (node.wait !== undefined) {
        checkDuration(out, node.wait, at(where, 'wait'));
        if (!triggers?.length) warn(out, at(where, 'wait'), 'a wait window only applies when the step waits for a trigger');
      }
      if (!triggers?.length && node.conditions === undefined) {
        warn(out, where, 'this If/Then has no triggers and no conditions, so every visitor goes to "then"');
      }
      break;
    }
    case 'promotion':
      ref('promotion', catalog.promotions, 'promotion');
      break;
    case 'segment': {
      const seg = ref('segment', catalog.segments, 'segment');
      oneOf(out, node, 'action', where, what, ['add', 'remove'] as const);
      if (seg !== undefined && catalog.segments.get(seg)?.kind === 'rule') {
        error(out, at(where, 'segment'), `segment "${seg}" is rule-based (its members follow its rule); only manual segments can be updated`);
      }
      break;
    }
    case 'enroll': {
      const target = ref('workflow', catalog.workflows, 'workflow');
      if (target !== undefined && target === wfId) error(out, at(where, 'workflow'), 'a workflow cannot enroll visitors into itself');
      else if (target !== undefined) summary.enrolls.push({ workflow: target, pointer: at(where, 'workflow') });
      break;
    }
    case 'webhook':
      checkWebhook(out, node, where, what);
      break;
    case 'split':
      checkSplit(out, node, where, what);
      break;
    case 'delay': {
      const mode = oneOf(out, node, 'mode', where, what, ['duration', 'time_of_day', 'next_visit'] as const);
      const allowed: Record<string, string[]> = { duration: ['duration'], time_of_day: ['time', 'timezone'], next_visit: [] };
      if (mode) {
        for (const k of ['duration', 'time', 'timezone']) {
          if (node[k] !== undefined && !allowed[mode]!.includes(k)) error(out, at(where, k), `"${k}" does not apply to a ${mode} delay`);
        }
      }
      if (mode === 'duration') {
        if (node.duration === undefined) error(out, at(where, 'duration'), `${what} is missing "duration"`);
        else checkDuration(out, node.duration, at(where, 'duration'));
      }
      if (mode === 'time_of_day') {
        str(out, node, 'time', where, what, { required: true, pattern: TIME_PATTERN, patternHint: 'must be a 24-hour time such as "09:30"' });
        timezone(out, node, 'timezone', where);
      }
      break;
    }
    case 'connector': {
      const target = str(out, node, 'target', where, what, { required: true });
      if (target !== undefined && target === nodeId) error(out, at(where, 'target'), 'a Connector cannot lead to itself');
      break;
    }
    case 'code': {
      str(out, node, 'handler', where, what, {
        pattern: /^[A-Za-z_$][\w$.-]{0,99}$/,
        patternHint: 'is not a valid handler name (ASCII letters, digits, "_", "-", "." and "$")',
      });
      str(out, node, 'code', where, what, { maxLength: 20000 });
      if (node.handler === undefined && node.code === undefined) {
        error(out, where, 'a Code step needs a "handler" (registered with workflows.register) or inline "code"');
      } else if (node.handler !== undefined && node.code !== undefined) {
        error(out, at(where, 'code'), 'give a Code step either a "handler" or inline "code", not both');
      }
      num(out, node, 'timeoutMs', where, what, { integer: true, min: 1, max: 60000 });
      break;
    }
    case 'app':
      checkApp(out, node, where, what, catalog);
      break;
    case 'exit':
      break;
  }
  return nodeId === undefined ? undefined : ({ ...node, id: nodeId, kind } as WorkflowNode);
}

function checkDuration(out: Out, value: unknown, where: string): void {
  const d = object(out, value, where, 'a duration');
  if (!d) return;
  onlyKeys(out, d, where, ['amount', 'unit'], 'a duration');
  const amount = num(out, d, 'amount', where, 'the duration', { required: true, positive: true });
  const unit = oneOf(out, d, 'unit', where, 'the duration', DURATION_UNITS);
  if (amount !== undefined && unit && amount * UNIT_MS[unit] > MAX_DURATION_MS) {
    error(out, at(where, 'amount'), 'a duration can be at most 366 days');
  }
}

function checkWebhook(out: Out, node: Obj, where: string, what: string): void {
  const url = str(out, node, 'url', where, what, { required: true, maxLength: 2000 });
  if (url !== undefined) {
    // The host must be literal: placeholders may fill the path or query, never choose where data goes.
    const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url)?.[0] ?? url;
    const parsed = httpUrl(url.replace(/\{\{[^}]*\}\}/g, 'x'));
    if (!parsed) error(out, at(where, 'url'), `webhook URL ${JSON.stringify(url)} must be an absolute http:// or https:// address`);
    else if (origin.includes('{{')) error(out, at(where, 'url'), 'placeholders cannot be used in the host of a webhook URL');
    else if (parsed.username || parsed.password) error(out, at(where, 'url'), 'do not put credentials in a webhook URL');
    else if (parsed.protocol === 'http:' && !isLocal(parsed.hostname)) warn(out, at(where, 'url'), 'this webhook sends visitor data over plain http; use https');
  }
  oneOf(out, node, 'method', where, what, ['POST', 'PUT', 'PATCH', 'GET'] as const, false);
  if (node.headers !== undefined) {
    const headers = object(out, node.headers, at(where, 'headers'), '"headers"');
    for (const [k, v] of Object.entries(headers ?? {})) {
      if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(k)) error(out, at(where, 'headers', k), `"${k}" is not a valid header name`);
      else if (typeof v !== 'string') error(out, at(where, 'headers', k), `header "${k}" must be text, not ${describe(v)}`);
      else if (/^(authorization|cookie|x-api-key)$/i.test(k)) {
        warn(out, at(where, 'headers', k), `"${k}" is visible to every visitor of the site; never put a secret here`);
      }
    }
  }
  if (node.body !== undefined && node.method === 'GET') error(out, at(where, 'body'), 'a GET webhook cannot have a body');
}

function isLocal(host: string): boolean {
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}

function checkSplit(out: Out, node: Obj, where: string, what: string): void {
  str(out, node, 'test', where, what, { maxLength: 100 });
  const holdout = num(out, node, 'holdout', where, what, { min: 0, max: 99 });
  const variants = list(out, node.variants ?? [], at(where, 'variants'), '"variants"');
  if (!variants) return;
  if (variants.length < 1 || (variants.length < 2 && !holdout)) {
    error(out, at(where, 'variants'), 'a Multivariate Test needs at least two variants, or one variant and a holdout');
  }
  let total = 0;
  let weightsOk = true;
  const ids = new Set<string>();
  variants.forEach((v, i) => {
    const p = at(where, 'variants', i);
    const variant = object(out, v, p, 'a variant');
    if (!variant) return (weightsOk = false), undefined;
    onlyKeys(out, variant, p, ['id', 'name', 'weight'], 'a variant');
    const vid = id(out, variant, 'id', p, 'the variant');
    if (vid === 'holdout') error(out, at(p, 'id'), '"holdout" is reserved for the holdout group; pick another variant id');
    else if (vid !== undefined && ids.has(vid)) error(out, at(p, 'id'), `another variant already has the id "${vid}"`);
    if (vid !== undefined) ids.add(vid);
    str(out, variant, 'name', p, 'the variant', { maxLength: 200 });
    const w = num(out, variant, 'weight', p, 'the variant', { required: true, min: 0, max: 100 });
    if (w === undefined) weightsOk = false;
    else total += w;
  });
  if (weightsOk && variants.length && Math.abs(total - 100) > 0.001) {
    error(out, at(where, 'variants'), `variant weights must add up to 100; they add up to ${Math.round(total * 1000) / 1000}`);
  }
}

function checkApp(out: Out, node: Obj, where: string, what: string, catalog: Catalog): void {
  const appId = str(out, node, 'app', where, what, { required: true });
  const app = appId === undefined ? undefined : catalog.apps.get(appId);
  if (appId !== undefined && !app) error(out, at(where, 'app'), `there is no connected app "${appId}"`);
  const action = oneOf(out, node, 'action', where, what, APP_ACTIONS);
  str(out, node, 'list', where, what, { maxLength: 200 });
  str(out, node, 'event', where, what, { maxLength: 200 });
  if (node.fields !== undefined) {
    const fields = object(out, node.fields, at(where, 'fields'), '"fields"');
    for (const [k, v] of Object.entries(fields ?? {})) {
      if (typeof v !== 'string') error(out, at(where, 'fields', k), `field "${k}" must be text, not ${describe(v)}`);
    }
  }
  if (action === 'track' && node.event === undefined) error(out, at(where, 'event'), 'an App step that tracks needs an "event" name');
  const provider = app?.provider;
  if (action === 'subscribe' && provider === 'klaviyo' && node.list === undefined) {
    error(out, at(where, 'list'), 'subscribing to Klaviyo needs the "list" id to subscribe to');
  }
  if (action === 'track' && (provider === 'hubspot' || provider === 'mailchimp')) {
    error(out, at(where, 'action'), `${provider === 'hubspot' ? 'HubSpot forms' : 'Mailchimp embedded forms'} can only subscribe, not track events`);
  }
}

function checkSettings(out: Out, value: unknown, where: string, catalog: Catalog, wfId: string | undefined): void {
  const s = object(out, value, where, '"settings"');
  if (!s) return;
  onlyKeys(out, s, where, ['enrollment', 'reenroll', 'schedule', 'priority', 'suppress', 'goal'], '"settings"');
  oneOf(out, s, 'enrollment', where, 'settings', ['auto', 'manual'] as const, false);
  num(out, s, 'priority', where, 'settings', { min: 0, max: 100 });
  if (s.reenroll !== undefined) {
    const p = at(where, 'reenroll');
    const r = object(out, s.reenroll, p, '"reenroll"');
    if (r) {
      const mode = oneOf(out, r, 'mode', p, 're-enrollment', ['page', 'session', 'never', 'cooldown'] as const);
      onlyKeys(out, r, p, mode === 'cooldown' ? ['mode', 'days'] : ['mode'], 're-enrollment');
      if (mode === 'cooldown') num(out, r, 'days', p, 'a cooldown', { required: true, positive: true, max: 3650 });
    }
  }
  if (s.schedule !== undefined) {
    const p = at(where, 'schedule');
    const sch = object(out, s.schedule, p, '"schedule"');
    if (sch) {
      onlyKeys(out, sch, p, ['timezone', 'days', 'hours', 'start', 'end'], 'a schedule');
      timezone(out, sch, 'timezone', p);
      if (sch.days !== undefined) {
        const days = list(out, sch.days, at(p, 'days'), '"days"');
        if (days && days.length === 0) error(out, at(p, 'days'), 'a schedule with no days never runs; list at least one day');
        days?.forEach((d, i) => {
          if (typeof d !== 'string' || !WEEKDAYS.includes(d as never)) {
            error(out, at(p, 'days', i), `${describe(d)} is not a day; use ${WEEKDAYS.join(', ')}`);
          }
        });
      }
      if (sch.hours !== undefined) {
        const hp = at(p, 'hours');
        const h = object(out, sch.hours, hp, '"hours"');
        if (h) {
          onlyKeys(out, h, hp, ['from', 'to'], 'schedule hours');
          const hint = 'must be a 24-hour time such as "09:00"';
          const from = str(out, h, 'from', hp, 'schedule hours', { required: true, pattern: TIME_PATTERN, patternHint: hint });
          const to = str(out, h, 'to', hp, 'schedule hours', { required: true, pattern: TIME_PATTERN, patternHint: hint });
          if (from !== undefined && from === to) error(out, at(hp, 'to'), '"from" and "to" are the same, so the window is empty');
        }
      }
      const dateHint = 'must be an ISO date such as "2026-12-01" or "2026-12-01T09:00:00Z"';
      const start = str(out, sch, 'start', p, 'a schedule');
      const end = str(out, sch, 'end', p, 'a schedule');
      if (start !== undefined && !isoDate(start)) error(out, at(p, 'start'), `"start" ${dateHint}`);
      if (end !== undefined && !isoDate(end)) error(out, at(p, 'end'), `"end" ${dateHint}`);
      if (start && end && isoDate(start) && isoDate(end) && Date.parse(end) <= Date.parse(start)) {
        error(out, at(p, 'end'), '"end" must come after "start"');
      }
    }
  }
  if (s.suppress !== undefined) {
    const p = at(where, 'suppress');
    if (Array.isArray(s.suppress)) {
      s.suppress.forEach((w, i) => {
        if (typeof w !== 'string') error(out, at(p, i), `${describe(w)} is not a workflow id`);
        else if (w === wfId) error(out, at(p, i), 'a workflow cannot suppress itself');
        else if (!catalog.workflows.has(w)) error(out, at(p, i), `there is no workflow "${w}"`);
      });
    } else if (s.suppress !== 'none' && s.suppress !== 'all') {
      error(out, p, `"suppress" must be "none", "all" or a list of workflow ids, not ${describe(s.suppress)}`);
    }
  }
  if (s.goal !== undefined) {
    const p = at(where, 'goal');
    const g = object(out, s.goal, p, '"goal"');
    if (g) {
      onlyKeys(out, g, p, ['event', 'where', 'windowDays'], 'a goal');
      str(out, g, 'event', p, 'the goal', { required: true, maxLength: 100 });
      num(out, g, 'windowDays', p, 'the goal', { positive: true, max: 365 });
      if (g.where !== undefined) {
        out.problems.push(...stamp(out, checkCondition(g.where, at(p, 'where'))));
        checkConditionRefs(out, g.where, at(p, 'where'), catalog);
      }
    }
  }
}
