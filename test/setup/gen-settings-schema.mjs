// `npm run gen:settings`: writes the JSON schema of a mcpManager.serverOptions entry, generated from the zod schema in
// src/common/config/serverOptionsSchema.ts (via the out/ test build), into package.json. The manifest unit test fails
// until package.json agrees.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { serverOptionsJsonSchema } = require(`../../${process.env.MCP_OUT || 'out'}/src/common/config/serverOptionsSchema.js`);
const file = new URL('../../package.json', import.meta.url);
const before = readFileSync(file, 'utf8');
const manifest = JSON.parse(before);
manifest.contributes.configuration.properties['mcpManager.serverOptions'].additionalProperties = serverOptionsJsonSchema();
const after = `${JSON.stringify(manifest, null, 2)}\n`;
if (after !== before) writeFileSync(file, after);
console.log(`[gen:settings] package.json ${after === before ? 'already up to date' : 'updated'}`);
