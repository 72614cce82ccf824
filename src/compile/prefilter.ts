/**
 * A cheap pre-test for a start gate: a lower-case text the page URL must contain for the gate's conditions to
 * hold, taken from its URL or path rules. The runtime checks it with `includes` before evaluating anything, so
 * a page view costs almost nothing for workflows aimed at other pages. Only ever a necessary condition: when
 * in doubt, none.
 */
import type { Condition } from '../conditions/types.js';

// Characters that read the same in `location.href` and in a decoded path.
const SAFE = /[a-z0-9/._~:-]+/g;

export function urlPrefilter(cond: Condition | undefined): string | undefined {
  let best = '';
  const take = (text: string) => {
    for (const run of text.toLowerCase().match(SAFE) ?? []) if (run.length > best.length) best = run;
  };
  const visit = (c: Condition | undefined) => {
    if (!c || typeof c != 'object') return;
    if ('all' in c) return c.all.forEach(visit);
    if (!('field' in c) || (c.field != 'url' && c.field != 'path') || typeof c.value != 'string') return;
    if (['equals', 'contains', 'starts_with', 'ends_with'].includes(c.op)) take(c.value);
    else if (c.op == 'matches') requiredRuns(c.value).forEach(take);
  };
  visit(cond);
  return best.length >= 3 ? best : undefined;
}

/** Runs of literal characters every match of `source` must contain (conservative: alternation gives none). */
export function requiredRuns(source: string): string[] {
  const runs: string[] = [];
  let run = '';
  const cut = () => (run && runs.push(run), (run = ''));
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch == '|') return [];
    if (ch == '\\') {
      const next = source[++i] ?? '';
      if (/[.\/\-_~:?*+()[\]{}^$|\\]/.test(next)) run += next;
      else cut();
    } else if (ch == '[' || ch == '(') {
      // Skip the whole class or group: what is inside may be optional or alternative.
      cut();
      let depth = 0;
      for (; i < source.length; i++) {
        const c = source[i];
        if (c == '\\') i++;
        else if (c == '[' || c == '(') depth++;
        else if ((c == ']' || c == ')') && --depth == 0) break;
      }
      if (/[?*{]/.test(source[i + 1] ?? '')) i++;
    } else if (ch == '?' || ch == '*' || ch == '{') {
      // The character before is optional.
      run = run.slice(0, -1);
      cut();
      if (ch == '{') while (i < source.length && source[i] != '}') i++;
    } else if (ch == '+') cut();
    else if ('^$.'.includes(ch)) cut();
    else run += ch;
  }
  cut();
  return runs;
}
