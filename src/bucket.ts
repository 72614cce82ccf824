/**
 * Sticky Multivariate Test assignment: the same visitor (or identified user) and test always land in the
 * same group, on any device, with no state shared between them. Pure; `test/cases/bucketing.json` is the
 * contract any port must pass.
 */
import { fnv1a32 } from './hash.js';

/** A number in [0, 1) from the unit's id and the test key, uniform enough for traffic splitting. */
export function bucket(unit: string, test: string, salt = ''): number {
  // Hash twice so ids that differ only at the end still spread over the whole range.
  return (fnv1a32(String(fnv1a32(`${test}:${unit}${salt}`))) % 10000) / 10000;
}

/**
 * The variant id for `unit`, or `holdout`. The holdout draw and the variant draw use independent hashes, so
 * changing the holdout size does not reshuffle who sees which variant.
 */
export function assign(unit: string, test: string, variants: readonly { id: string; weight: number }[], holdout = 0): string {
  if (holdout > 0 && bucket(unit, test, '#holdout') * 100 < holdout) return 'holdout';
  const n = bucket(unit, test) * 100;
  let edge = 0;
  for (const v of variants) {
    edge += v.weight;
    if (n < edge) return v.id;
  }
  // Weights that add up to a little under 100 through rounding: the last variant takes the remainder.
  return variants[variants.length - 1]?.id ?? 'holdout';
}
