/** Is a workflow's schedule open now? Days and hours are read in the schedule's zone (else the visitor's). */
import type { Schedule } from '../src/model/types.js';

export function scheduleOpen(s: Schedule | undefined, now: number): boolean {
  if (!s) return true;
  if (s.start && now < Date.parse(s.start)) return false;
  if (s.end && now > Date.parse(s.end)) return false;
  if (!s.days && !s.hours) return true;
  const parts: Record<string, string> = {};
  try {
    for (const p of new Intl.DateTimeFormat('en-US', { timeZone: s.timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now)) {
      parts[p.type] = p.value;
    }
  } catch {
    return false;
  }
  if (s.days && !s.days.includes((parts.weekday ?? '').slice(0, 3).toLowerCase() as never)) return false;
  if (!s.hours) return true;
  const t = `${parts.hour}:${parts.minute}`;
  const { from, to } = s.hours;
  // A window such as 22:00-02:00 spans midnight.
  return from < to ? t >= from && t < to : t >= from || t < to;
}
