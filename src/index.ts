/** The Workflows model: types, condition language, validator, compiler, exchange files and templates. */
export * from './model/types.js';
export * from './model/problems.js';
export { NODE_LABELS, portsOf, waits } from './model/nodes.js';
export * from './conditions/types.js';
export { evaluate } from './conditions/evaluate.js';
export { lower } from './conditions/lower.js';
export { checkCondition } from './conditions/check.js';
export { validateProject, validateDocument, hasErrors, type SourceFile } from './validate/validate.js';
export { selectorProblem } from './validate/selector.js';
export { compileProject, DEFAULTS, type CompileResult } from './compile/compile.js';
export { indexKey } from './compile/index-key.js';
export * from './compile/types.js';
export { contentHash, canonicalJson, fnv1a32 } from './hash.js';
export { authoringSchema } from './schema.js';
export * from './exchange/index.js';
export { TEMPLATES, getTemplate, listTemplates, templateDocument } from './templates/index.js';
export type { Template, TemplateSummary } from './templates/index.js';

import { check as run } from './conditions/run.js';
import * as time from './conditions/time.js';
import type { EvalContext, LoweredCondition } from './conditions/types.js';
/** True when the lowered `condition` holds for `ctx`: the script-tag core's `check`, with the time readers. */
export const check = (condition: LoweredCondition, ctx: EvalContext): boolean => run(condition, ctx, time);
