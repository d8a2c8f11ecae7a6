// Prints the VSIX size against the 1 MB budget (called by `npm run package`); fails when over budget.
import { readFileSync, statSync } from 'node:fs';
const { name, version } = JSON.parse(readFileSync('package.json', 'utf8'));
const file = `${name}-${version}.vsix`;
const bytes = statSync(file).size;
const BUDGET = 1024 * 1024;
console.log(`[package] ${file}: ${(bytes / 1024).toFixed(1)} KiB (budget ${BUDGET / 1024} KiB)`);
if (bytes > BUDGET) { console.error('[package] VSIX is over budget'); process.exit(1); }
