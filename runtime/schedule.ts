/** Time of day for the executor: workflow schedules and Delays until a time of day (the `time` chunk). */
import type { Schedule } from '../src/model/types.js';

/** Is a workflow's schedule open now? Days and hours are read in the schedule's zone (else the visitor's). */
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

/** The next time the clock reads `HH:MM` in `zone` (the visitor's when absent), strictly after `now`. */
export function nextTime(time: string, zone: string | undefined, now: number): number {
  const [h, m] = time.split(':').map(Number) as [number, number];
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
  // Walk forward: an hour at a time until the hour before, then a minute at a time. DST-safe, ~150 steps at most.
  let t = Math.floor(now / 6e4) * 6e4 + 6e4;
  for (let i = 0; i < 1500; i++) {
    const [ch, cm] = fmt.format(t).split(':').map(Number) as [number, number];
    if (ch == h && cm == m) return t;
    t += ch == h || (ch + 1) % 24 == h ? 6e4 : 36e5 - cm * 6e4;
  }
  return now + 864e5;
}
