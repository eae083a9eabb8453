// Writes services.schema.json from the zod schema (run after `npm run build`).
import { writeFileSync } from 'node:fs';
import { renderServicesJsonSchema } from '../dist/config/json-schema.js';

writeFileSync(new URL('../services.schema.json', import.meta.url), renderServicesJsonSchema());
