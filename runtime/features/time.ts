/**
 * The `time` chunk: delays until a time of day, workflow schedules, and the condition readers of the clock, dates,
 * times and zones (passed to `check`). Only bundles that use one of them import it (their `needs` lists `time`).
 */
export * from '../../src/conditions/time.js';
export { nextTime, scheduleOpen } from '../schedule.js';
