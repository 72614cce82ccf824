/** Test helper: the lowered runtime (`check(lower(c), ctx)`) against the evaluator of authoring conditions. */
import { expect } from 'vitest';
import { evaluate } from '../../src/conditions/evaluate.js';
import { lower } from '../../src/conditions/lower.js';
import { check } from '../../src/index.js';
import type { Condition, EvalContext, LoweredCondition } from '../../src/conditions/types.js';

/**
 * Asserts that `cond` and its `not` get the same verdicts from `check` on their lowered form, as the runtime gets
 * it (through JSON), as from `evaluate`; returns evaluate's verdict.
 */
export function agree(cond: unknown, ctx: unknown): boolean {
  const c = cond as Condition;
  const x = ctx as EvalContext;
  const yes = evaluate(c, x);
  expect(check(shipped(c), x), 'check(lower(c))').toBe(yes);
  expect(check(shipped({ not: c }), x), 'check(lower({not: c}))').toBe(evaluate({ not: c }, x));
  return yes;
}

/** `lower(c)` through JSON, asserting it is JSON. */
export function shipped(c: unknown): LoweredCondition {
  const lowered = lower(c);
  const json = JSON.stringify(lowered);
  const copy = JSON.parse(json) as LoweredCondition;
  expect(copy).toEqual(lowered);
  return copy;
}
