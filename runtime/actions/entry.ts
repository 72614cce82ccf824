/**
 * The actions chunk (`dist/chunks/actions.js`): the executor's Webhook, App and Code steps (claiming, the effect)
 * and the effects the script tag forwards to, with the request builders, the placeholder filler and the Code step
 * runner. Loaded with import() on the first such step, so pages whose workflows only show promotions never
 * download provider formats or the runner.
 */
export { app, code, webhook, type EffectHost } from './effects.js';
export { runEffect } from './step.js';
