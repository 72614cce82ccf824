/** References made inside conditions: segment ids in `segments` rules and promotion ids in `promotion.<id>.*`. */
import { at, error, isObject, type Out } from './shape.js';
import type { Catalog } from './catalog.js';

export function checkConditionRefs(out: Out, cond: unknown, where: string, catalog: Catalog, depth = 0): void {
  if (!isObject(cond) || depth > 32) return;
  for (const group of ['all', 'any'] as const) {
    const items = cond[group];
    if (Array.isArray(items)) items.forEach((c, i) => checkConditionRefs(out, c, at(where, group, i), catalog, depth + 1));
  }
  if (cond.not !== undefined) checkConditionRefs(out, cond.not, at(where, 'not'), catalog, depth + 1);
  const field = cond.field;
  if (typeof field !== 'string') return;
  if (field === 'segments') {
    const values = Array.isArray(cond.value) ? cond.value : [cond.value];
    values.forEach((v, i) => {
      if (typeof v === 'string' && !catalog.segments.has(v)) {
        error(out, Array.isArray(cond.value) ? at(where, 'value', i) : at(where, 'value'), `there is no segment "${v}"`);
      }
    });
  }
  const promo = /^promotion\.([^.]+)\./.exec(field);
  if (promo && !catalog.promotions.has(promo[1]!)) {
    error(out, at(where, 'field'), `there is no promotion "${promo[1]}"`);
  }
}

/** Every segment and promotion id a condition names (for the compiler's "what to ship"). */
export function conditionRefs(cond: unknown, into: { segments: Set<string>; promotions: Set<string> }, depth = 0): void {
  if (!isObject(cond) || depth > 32) return;
  for (const group of ['all', 'any'] as const) {
    const items = cond[group];
    if (Array.isArray(items)) items.forEach((c) => conditionRefs(c, into, depth + 1));
  }
  if (cond.not !== undefined) conditionRefs(cond.not, into, depth + 1);
  if (cond.field === 'segments') {
    for (const v of Array.isArray(cond.value) ? cond.value : [cond.value]) if (typeof v === 'string') into.segments.add(v);
  }
  const promo = typeof cond.field === 'string' ? /^promotion\.([^.]+)\./.exec(cond.field) : null;
  if (promo) into.promotions.add(promo[1]!);
}
