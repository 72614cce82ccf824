/** Checks one If/Then trigger. */
import { COMMERCE_EVENTS, TRIGGER_KINDS } from '../model/types.js';
import { checkCondition } from '../conditions/check.js';
import { selectorProblem } from './selector.js';
import { at, bool, error, num, object, oneOf, onlyKeys, str, type Out } from './shape.js';
import type { Catalog } from './catalog.js';
import { checkConditionRefs } from './refs.js';

const PARAMS: Record<(typeof TRIGGER_KINDS)[number], readonly string[]> = {
  page_view: [],
  time_on_page: ['seconds'],
  time_on_site: ['seconds'],
  exit_intent: ['minDwellSeconds', 'mobile'],
  scroll_depth: ['percent'],
  inactivity: ['seconds'],
  click: ['selector'],
  element_visible: ['selector', 'threshold'],
  form_submitted: ['selector'],
  event: ['name'],
  commerce: ['name'],
  promotion: ['outcome', 'promotion'],
  segment_entered: ['segment'],
};

export function checkTrigger(out: Out, value: unknown, where: string, catalog: Catalog): void {
  const t = object(out, value, where, 'a trigger');
  if (!t) return;
  const kind = oneOf(out, t, 'on', where, 'a trigger', TRIGGER_KINDS);
  if (!kind) return;
  onlyKeys(out, t, where, ['on', 'where', ...PARAMS[kind]], `a ${kind} trigger`);
  const what = `a ${kind} trigger`;
  switch (kind) {
    case 'time_on_page':
    case 'time_on_site':
    case 'inactivity':
      num(out, t, 'seconds', where, what, { required: true, positive: true, max: 86400 });
      break;
    case 'exit_intent':
      num(out, t, 'minDwellSeconds', where, what, { min: 0, max: 600 });
      bool(out, t, 'mobile', where);
      break;
    case 'scroll_depth':
      num(out, t, 'percent', where, what, { required: true, min: 1, max: 100 });
      break;
    case 'click':
    case 'element_visible':
    case 'form_submitted': {
      const selector = str(out, t, 'selector', where, what, { required: kind !== 'form_submitted' });
      const problem = selector === undefined ? undefined : selectorProblem(selector);
      if (problem) error(out, at(where, 'selector'), problem);
      if (kind === 'element_visible') num(out, t, 'threshold', where, what, { min: 0, max: 1 });
      break;
    }
    case 'event':
      str(out, t, 'name', where, what, { required: true, maxLength: 100 });
      break;
    case 'commerce':
      oneOf(out, t, 'name', where, what, COMMERCE_EVENTS);
      break;
    case 'promotion': {
      oneOf(out, t, 'outcome', where, what, ['seen', 'closed', 'converted'] as const);
      const id = str(out, t, 'promotion', where, what);
      if (id !== undefined && !catalog.promotions.has(id)) {
        error(out, at(where, 'promotion'), `there is no promotion "${id}"`);
      }
      break;
    }
    case 'segment_entered': {
      const id = str(out, t, 'segment', where, what, { required: true });
      if (id !== undefined && !catalog.segments.has(id)) error(out, at(where, 'segment'), `there is no segment "${id}"`);
      break;
    }
    case 'page_view':
      break;
  }
  if (t.where !== undefined) {
    out.problems.push(...stamp(out, checkCondition(t.where, at(where, 'where'))));
    checkConditionRefs(out, t.where, at(where, 'where'), catalog);
  }
}

/** Adds the file name to problems that came from a checker that does not know it. */
export function stamp(out: Out, problems: { pointer: string; message: string; severity: 'error' | 'warning' }[]) {
  return out.file ? problems.map((p) => ({ ...p, file: out.file })) : problems;
}
