// spec.successPolicy (Indexed jobs): the job may succeed before every index did. Rules are tried in order;
// a rule with succeededIndexes is met when all those indexes succeeded, or (with succeededCount) when at
// least that many of them did; a rule with only succeededCount is met when that many indexes succeeded.
// The first met rule names the outcome: SuccessCriteriaMet, reason SuccessPolicy.
import { parseIntervals } from './indexed.js';
import type { JobSpec } from './types.js';

export const REASON_SUCCESS_POLICY = 'SuccessPolicy';

/** The condition message for the first rule met, if any. */
export function matchSuccessPolicy(spec: JobSpec, succeeded: ReadonlySet<number>): string | undefined {
  const rules = spec.successPolicy?.rules;
  if (!Array.isArray(rules) || succeeded.size === 0) return undefined;
  const completions = spec.completions ?? 0;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i] ?? {};
    if (rule.succeededIndexes != null) {
      const wanted = parseIntervals(rule.succeededIndexes, completions);
      // A list that yields no index (it should not pass validation) never matches.
      if (wanted.size === 0) continue;
      let hits = 0;
      for (const ix of wanted) if (succeeded.has(ix)) hits++;
      if (hits === wanted.size || (rule.succeededCount != null && hits >= rule.succeededCount)) return `Matched rules at index ${i}`;
    } else if (rule.succeededCount != null && succeeded.size >= rule.succeededCount) {
      return `Matched rules at index ${i}`;
    }
  }
  return undefined;
}
