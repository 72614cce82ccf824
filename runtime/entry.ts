/** Entry of the script-tag bundle `dist/workflows.js` (IIFE): start the runtime on this page. */
import { start } from './index.js';

start();
