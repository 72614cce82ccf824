/**
 * The sensors chunk (`dist/chunks/sensors.js`): the page-trigger watchers (time on page and site, inactivity,
 * exit intent, scroll depth, clicks, visible elements, form submissions). The core imports it the first time a
 * cursor waits on one of them, so pages whose workflows only wait on events never download it. Its shared
 * listeners are its own: the core's (route changes, the data layer) listen to other events.
 */
export { watch } from './index.js';
