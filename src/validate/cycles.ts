/**
 * Finding loops in a graph: steps joined by edges, or workflows joined by Enroll steps. Depth-first, with its own
 * stack rather than recursion, so a generated workflow of tens of thousands of steps cannot overflow the
 * engine's call stack.
 */

/**
 * Calls `report` once for each loop found (a loop seen again from another entry point is reported once), with
 * the loop's ids in order, the id the closing edge leaves from, and that edge. `follow` gives the id an edge
 * leads to, or undefined to ignore the edge.
 */
export function findLoops<E>(
  roots: Iterable<string>,
  edgesOf: (id: string) => readonly E[],
  follow: (edge: E) => string | undefined,
  report: (loop: string[], from: string, edge: E) => void,
): void {
  const state = new Map<string, 1 | 2>(); // 1 on the path, 2 done
  const reported = new Set<string>();
  const path: string[] = [];
  const pending: { edges: readonly E[]; next: number }[] = [];
  const enter = (id: string) => {
    state.set(id, 1);
    path.push(id);
    pending.push({ edges: edgesOf(id), next: 0 });
  };
  for (const root of roots) {
    if (state.has(root)) continue;
    enter(root);
    while (path.length) {
      const id = path[path.length - 1]!;
      const top = pending[pending.length - 1]!;
      if (top.next === top.edges.length) {
        state.set(id, 2);
        path.pop();
        pending.pop();
        continue;
      }
      const edge = top.edges[top.next++]!;
      const to = follow(edge);
      if (to === undefined) continue;
      if (state.get(to) === 1) {
        const loop = path.slice(path.indexOf(to));
        const key = [...loop].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          report(loop, id, edge);
        }
      } else if (!state.has(to)) enter(to);
    }
  }
}
