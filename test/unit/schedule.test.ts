// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { scheduleOpen } from '../../runtime/schedule.js';

// Friday 2026-11-27 12:00 UTC = 07:00 in New York, 21:00 in Tokyo.
const now = Date.UTC(2026, 10, 27, 12);

describe('scheduleOpen', () => {
  it('is always open without a schedule', () => expect(scheduleOpen(undefined, now)).toBe(true));
  it('reads days in the zone', () => {
    expect(scheduleOpen({ timezone: 'UTC', days: ['fri'] }, now)).toBe(true);
    expect(scheduleOpen({ timezone: 'Pacific/Kiritimati', days: ['fri'] }, now)).toBe(false); // already Saturday there
  });
  it('reads hours in the zone, with windows across midnight', () => {
    expect(scheduleOpen({ timezone: 'America/New_York', hours: { from: '09:00', to: '17:00' } }, now)).toBe(false);
    expect(scheduleOpen({ timezone: 'America/New_York', hours: { from: '06:30', to: '07:30' } }, now)).toBe(true);
    expect(scheduleOpen({ timezone: 'Asia/Tokyo', hours: { from: '20:00', to: '02:00' } }, now)).toBe(true);
    expect(scheduleOpen({ timezone: 'Asia/Tokyo', hours: { from: '22:00', to: '02:00' } }, now)).toBe(false);
  });
  it('honours start and end', () => {
    expect(scheduleOpen({ start: '2026-12-01' }, now)).toBe(false);
    expect(scheduleOpen({ end: '2026-11-01' }, now)).toBe(false);
    expect(scheduleOpen({ start: '2026-11-01', end: '2026-12-01T00:00:00Z' }, now)).toBe(true);
  });
  it('is closed for an unknown zone rather than throwing', () => {
    expect(scheduleOpen({ timezone: 'Mars/Olympus', days: ['fri'] }, now)).toBe(false);
  });
});
