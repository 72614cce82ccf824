// Writes schema/workflow.schema.json from the model (run by `npm run build`; a unit test checks it is current).
import { mkdirSync, writeFileSync } from 'node:fs';
import { authoringSchema } from '../dist/esm/index.js';

mkdirSync(new URL('../schema/', import.meta.url), { recursive: true });
writeFileSync(new URL('../schema/workflow.schema.json', import.meta.url), JSON.stringify(authoringSchema(), null, 2) + '\n');
