import type { TriggerSpec } from './types.js';

/** The compiled index key of a trigger: `event:signup`, `commerce:purchase`, `promotion:converted`, `segment_entered:vip`, or the bare kind. */
export function indexKey(t: TriggerSpec): string {
  return t.on === 'event' || t.on === 'commerce'
    ? `${t.on}:${t.name}`
    : t.on === 'promotion'
      ? `promotion:${t.outcome}`
      : t.on === 'segment_entered'
        ? `segment_entered:${t.segment}`
        : t.on;
}
