/**
 * The actions chunk (`dist/chunks/actions.js`): request builders for Webhook and App steps, with the
 * placeholder filler. Loaded with import() on the first such step, so pages whose workflows only show
 * promotions never download provider formats.
 */
export { appRequest } from './apps.js';
export { webhookRequest } from './webhook.js';
