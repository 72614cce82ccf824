/**
 * The actions chunk (`dist/chunks/actions.js`): the executor's Webhook, App and Code steps (claiming, the effect),
 * request builders for Webhook and App steps, with the placeholder filler, and the Code step runner. Loaded with import() on the first such step, so pages whose
 * workflows only show promotions never download provider formats or the runner.
 */
export { appRequest } from './apps.js';
export { createCode } from './code.js';
export { runEffect } from './effect.js';
export { webhookRequest } from './webhook.js';
