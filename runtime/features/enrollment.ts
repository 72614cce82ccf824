/**
 * The `enrollment` chunk: the enrollment rules beyond the default of once per session. The Enroll step (with its
 * loop guard), suppression (a workflow that holds others off while the visitor is in it) and the re-enrollment
 * settings. Only bundles that use one import it (`needs` lists `enrollment`), at start, so the engine calls it
 * synchronously.
 */
import type { CompiledNode, CompiledWorkflow } from '../../src/compile/types.js';
import type { Reenrollment } from '../../src/model/types.js';
import type { EngineDeps } from '../engine.js';
import type { Cursor, VisitorState } from '../types.js';

const DAY = 864e5;

/** What the Enroll step needs of the engine that runs it. */
export interface EnrollHost {
  d: EngineDeps;
  enroll(id: string, by?: string[]): Promise<boolean>;
}

/**
 * The Enroll step: starts the other workflow for the visitor. `by` is the chain of workflows that enrolled this
 * one, so a workflow that would enroll the visitor into itself again, through any number of others, is refused.
 */
export async function enrollStep({ d, enroll }: EnrollHost, c: Cursor, node: Extract<CompiledNode, { kind: 'enroll' }>): Promise<'next'> {
  const by = [...(c.by ?? []), c.wf];
  if (by.includes(node.workflow)) d.log(`${c.wf}: loop into ${node.workflow} refused`);
  else await enroll(node.workflow, by);
  return 'next';
}

/** The workflow among the `holding` enrollments whose `suppress` setting holds workflow `id` off, if one does. */
export function suppressor(wfs: Map<string, CompiledWorkflow>, holding: Cursor[], id: string): string | undefined {
  for (const c of holding) {
    const sup = wfs.get(c.wf)?.settings?.suppress;
    if (sup == 'all' || (Array.isArray(sup) && sup.includes(id))) return c.wf;
  }
}

/**
 * The re-enrollment mode that forbids starting a workflow again now, if one does. `run` is the visitor's last
 * enrollment in it, `page` this page view's id.
 */
export function forbids(re: Reenrollment, run: VisitorState['runs'][string], s: VisitorState, now: number, page: string): string | false {
  const { mode } = re;
  // `session` is the default, which compiled bundles leave out; a hand-made one may still spell it.
  return (mode == 'never' || (mode == 'session' && run.session == s.session.id) || (mode == 'page' && run.page == page) || (mode == 'cooldown' && now - run.at < re.days * DAY)) && mode;
}
