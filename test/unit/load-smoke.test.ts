// @vitest-environment node
/// <reference types="node" />
// The collector load test's core (test/load/collect.mjs), briefly and with a few clients: every acknowledged
// event is in the log exactly once. No timing is asserted (the figures are in docs/load.md).
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runLoad } from '../load/collect.mjs';

describe('collector load smoke', () => {
  it('loses and duplicates no acknowledged event', async () => {
    const r = await runLoad({ seconds: 2, clients: 4, visitors: 200, maxEvents: 40_000 });
    expect(r.problems).toEqual([]);
    expect(r.acknowledged).toBeGreaterThan(0);
    expect(r.logged).toBe(r.accepted);
    expect(r.lost).toBe(0);
    expect(r.duplicated).toBe(0);
    expect(r.resent + r.mixed + r.repeated).toBeGreaterThan(0); // duplicates were sent on purpose
    expect(r.duplicates).toBeGreaterThan(0);
  }, 30_000);

  it('notices a lost and a duplicated event', async () => {
    const r = await runLoad({
      seconds: 0.5, clients: 2, visitors: 20, maxEvents: 2_000,
      beforeCheck(file) {
        const lines = readFileSync(file, 'utf8').split('\n');
        lines.splice(0, 1, lines[1]!); // the first event lost, the second twice
        writeFileSync(file, lines.join('\n'));
      },
    });
    expect(r.lost).toBe(1);
    expect(r.duplicated).toBe(1);
    expect(r.problems.length).toBeGreaterThan(0);
  }, 30_000);
});
