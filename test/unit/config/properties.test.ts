import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseImportFile } from '../../../src/common/config/importers';
import { mergeSources } from '../../../src/common/config/merge';
import { parseMcpJsonText, parseSettingsValues } from '../../../src/common/config/parse';
import { computePlan } from '../../../src/common/config/plan';
import { findVariables } from '../../../src/common/config/variables';

const source = { kind: 'workspaceMcpJson', folder: 'f', folderUri: 'file:///w/f' } as const;

/** Values shaped like server entries, to reach deep into validation rather than stopping at the root. */
const entryLike = fc.record({
  type: fc.oneof(fc.constantFrom('stdio', 'http', 'sse', 'bogus'), fc.anything()),
  command: fc.oneof(fc.string(), fc.anything()),
  url: fc.oneof(fc.constantFrom('https://x', 'ftp://y', '${input:a}', ''), fc.anything()),
  args: fc.oneof(fc.array(fc.string()), fc.anything()),
  env: fc.oneof(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.constant(null))), fc.anything()),
  headers: fc.anything(),
  envFile: fc.anything(),
}, { requiredKeys: [] });
const inputLike = fc.record({ type: fc.constantFrom('promptString', 'pickString', 'x'), id: fc.anything(), password: fc.anything(), options: fc.anything() }, { requiredKeys: [] });
const fileLike = fc.record({ servers: fc.oneof(fc.dictionary(fc.string(), entryLike), fc.anything()), inputs: fc.oneof(fc.array(inputLike), fc.anything()) }, { requiredKeys: [] });

describe('config: property-based robustness', () => {
  it('arbitrary strings never crash the mcp.json parser', () => {
    fc.assert(fc.property(fc.string(), (text) => { parseMcpJsonText(text, source, '/f'); }), { numRuns: 500 });
  });

  it('arbitrary JSON never crashes the parser, and every entry is either valid or has a reason', () => {
    fc.assert(fc.property(fc.oneof(fc.jsonValue(), fileLike), (value) => {
      const text = JSON.stringify(value) ?? '';
      const r = parseMcpJsonText(text, source, '/f');
      for (const e of r.entries) assert.ok((e.config === undefined) !== (e.error === undefined));
      for (const d of r.diagnostics) assert.ok(d.range && d.range.start.line >= 0);
      const merged = mergeSources([r]);
      computePlan([], merged.servers);
    }), { numRuns: 500 });
  });

  it('arbitrary values never crash the settings parser', () => {
    fc.assert(fc.property(fc.anything(), fc.anything(), (servers, inputs) => { parseSettingsValues(servers, inputs, { kind: 'userSettings' }); }), { numRuns: 300 });
    fc.assert(fc.property(fc.dictionary(fc.string(), entryLike), fc.array(inputLike), (servers, inputs) => { parseSettingsValues(servers, inputs, { kind: 'userSettings' }); }), { numRuns: 300 });
  });

  it('arbitrary text never crashes the import reader', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify({ mcpServers: v }))), (text) => { parseImportFile(text, 'x'); }), { numRuns: 300 });
  });

  it('findVariables never crashes', () => {
    fc.assert(fc.property(fc.string(), (s) => { findVariables(s); }), { numRuns: 300 });
  });
});
