/** CSS selector checking without a DOM, so the CLI, the server and the editor agree on what is valid. */
import { isTraversal, parse } from 'css-what';

// Pseudo-classes browsers know; a typo such as `:hovr` makes querySelector throw on the page, so we refuse it here.
const PSEUDO_CLASSES = new Set(
  (
    'active any-link autofill checked default defined dir disabled empty enabled first first-child first-of-type ' +
    'focus focus-visible focus-within fullscreen has host hover in-range indeterminate invalid is lang last-child ' +
    'last-of-type left link modal not nth-child nth-last-child nth-last-of-type nth-of-type only-child only-of-type ' +
    'optional out-of-range placeholder-shown popover-open read-only read-write required right root scope target ' +
    'user-invalid user-valid valid visited where open closed playing paused'
  ).split(' '),
);
const PSEUDO_ELEMENTS = new Set(
  'after before first-letter first-line marker placeholder selection backdrop file-selector-button part slotted'.split(' '),
);

/** Returns why `selector` is not a valid CSS selector, or undefined when it is. */
export function selectorProblem(selector: string): string | undefined {
  if (!selector.trim()) return 'the CSS selector is empty';
  let groups;
  try {
    groups = parse(selector);
  } catch (e) {
    return `"${selector}" is not a valid CSS selector (${(e as Error).message})`;
  }
  for (const tokens of groups) {
    if (tokens.length === 0) return `"${selector}" has an empty part between commas`;
    const last = tokens[tokens.length - 1]!;
    if (isTraversal(last)) return `"${selector}" ends with a combinator; add the element it should select`;
    for (const t of tokens) {
      if (t.type === 'pseudo' && !PSEUDO_CLASSES.has(t.name.toLowerCase())) {
        return `"${selector}" uses the unknown pseudo-class ":${t.name}"`;
      }
      if (t.type === 'pseudo-element' && !PSEUDO_ELEMENTS.has(t.name.toLowerCase())) {
        return `"${selector}" uses the unknown pseudo-element "::${t.name}"`;
      }
    }
  }
  return undefined;
}
