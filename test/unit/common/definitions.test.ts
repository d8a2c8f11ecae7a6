import * as assert from 'node:assert/strict';
import type { Tool } from '@modelcontextprotocol/client';
import {
  BYTES_PER_TOKEN, MAX_DEFINITION_TEXT, approvalOf, approveIds, canonicalJson, decideCall, definitionCost, definitionEntry, definitionText,
  describeDiff, diffSnapshots, formatTokens, keepBlockedIds, snapshotOf, toolsCost,
} from '../../../src/common/definitions';

const echo: Tool = {
  name: 'echo', description: 'Echoes text',
  inputSchema: { type: 'object', properties: { text: { type: 'string' }, times: { type: 'integer' } }, required: ['text'] },
  annotations: { readOnlyHint: true },
};
const catalog = (tools: Tool[]) => ({
  tools, prompts: [{ name: 'greet', arguments: [{ name: 'who' }] }],
  resources: [{ uri: 'fixture://readme', name: 'readme' }], resourceTemplates: [{ uriTemplate: 'fixture://items/{id}', name: 'item' }],
});

describe('Definition snapshots (src/common/definitions.ts)', () => {
  it('hashes are stable across key order, and differ when a tracked field does', () => {
    const reordered: Tool = {
      annotations: { readOnlyHint: true },
      inputSchema: { required: ['text'], properties: { times: { type: 'integer' }, text: { type: 'string' } }, type: 'object' },
      description: 'Echoes text', name: 'echo',
    };
    assert.equal(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } }), '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
    assert.deepEqual(definitionEntry('tool', 'echo', reordered), definitionEntry('tool', 'echo', echo));
    assert.notEqual(definitionEntry('tool', 'echo', { ...echo, description: 'Echoes text.' }).hash, definitionEntry('tool', 'echo', echo).hash);
    // An untracked field (a server's private extra) does not count.
    assert.equal(definitionEntry('tool', 'echo', { ...echo, _meta: { x: 1 } }).hash, definitionEntry('tool', 'echo', echo).hash);
  });

  it('diffs added, removed and changed items, naming the changed fields in order', () => {
    const approved = snapshotOf(catalog([echo, { name: 'old', inputSchema: { type: 'object' } }]), 1);
    const current = snapshotOf({
      ...catalog([
        { ...echo, description: 'Echoes text, and sends it elsewhere', inputSchema: { ...echo.inputSchema, required: [] }, annotations: undefined },
        { name: 'fresh', inputSchema: { type: 'object' } },
      ]),
      prompts: [{ name: 'greet', arguments: [{ name: 'who', required: true }] }],
    }, 2);
    assert.deepEqual(diffSnapshots(approved, current), {
      added: ['tool:fresh'],
      removed: ['tool:old'],
      changed: [
        { id: 'prompt:greet', kind: 'prompt', key: 'greet', fields: ['arguments'] },
        { id: 'tool:echo', kind: 'tool', key: 'echo', fields: ['description', 'inputSchema', 'annotations'] },
      ],
    });
    assert.deepEqual(diffSnapshots(approved, approved), { added: [], removed: [], changed: [] });
    assert.equal(Object.keys(current.entries).length, 5, 'tools, the prompt, the resource and the template');
  });

  it('pinning: off and warn let a changed or new tool be called (warn marks it); block refuses it, naming it', () => {
    const diff = diffSnapshots(snapshotOf(catalog([echo]), 1), snapshotOf(catalog([{ ...echo, description: 'x' }, { name: 'n', inputSchema: { type: 'object' } }]), 2));
    assert.equal(approvalOf('tool:echo', diff), 'changed');
    assert.equal(approvalOf('tool:n', diff), 'new');
    assert.equal(approvalOf('prompt:greet', diff), 'approved');
    assert.deepEqual(decideCall('off', 'echo', 'changed'), { allowed: true, warn: false });
    assert.deepEqual(decideCall('warn', 'echo', 'changed'), { allowed: true, warn: true });
    assert.deepEqual(decideCall('block', 'echo', 'approved'), { allowed: true, warn: false });
    const refused = decideCall('block', 'echo', 'changed');
    assert.ok(!refused.allowed && /'echo' changed .*Review Tool Changes/.test(refused.reason));
    const refusedNew = decideCall('block', 'n', 'new');
    assert.ok(!refusedNew.allowed && /'n' is new/.test(refusedNew.reason));
    for (const policy of ['off', 'warn', 'block'] as const) {
      const kept = decideCall(policy, 'echo', 'approved', true);
      assert.ok(!kept.allowed && /You kept the tool 'echo' blocked/.test(kept.reason), `Keep Blocked wins over ${policy}`);
    }
  });

  it('approving takes the current entries of the ids given (a removal too) and clears their Keep Blocked; Keep Blocked is for tools only', () => {
    const v1 = snapshotOf(catalog([echo, { name: 'old', inputSchema: { type: 'object' } }]), 1);
    const v2 = snapshotOf(catalog([{ ...echo, description: 'x' }]), 2);
    const first = approveIds(undefined, v1, { 'tool:echo': 'echo v1' }, Object.keys(v1.entries), 10);
    assert.deepEqual(Object.keys(first.approved.entries).sort(), Object.keys(v1.entries).sort());
    const kept = keepBlockedIds(first, v2, ['tool:echo', 'prompt:greet'], 11);
    assert.deepEqual(kept.keptBlocked, { 'tool:echo': v2.entries['tool:echo'].hash });
    assert.equal(kept.approved, first.approved, 'Keep Blocked approves nothing');
    const next = approveIds(kept, v2, { 'tool:echo': 'echo v2' }, ['tool:echo', 'tool:old'], 12);
    assert.deepEqual(next.keptBlocked, {});
    assert.equal(next.approved.entries['tool:echo'].hash, v2.entries['tool:echo'].hash);
    assert.equal(next.texts['tool:echo'], 'echo v2');
    assert.ok(!('tool:old' in next.approved.entries), 'the removal is approved');
    assert.deepEqual(diffSnapshots(next.approved, v2), { added: [], removed: [], changed: [] });
    assert.equal(next.approved.takenAt, 12);
  });

  it('a definition reads as sorted, indented JSON of its tracked fields, capped; a diff reads as one line', () => {
    const text = definitionText('tool', 'echo', { ...echo, _meta: { private: 1 } });
    assert.deepEqual(JSON.parse(text), { tool: 'echo', annotations: echo.annotations, description: echo.description, inputSchema: echo.inputSchema });
    assert.ok(text.startsWith('{\n  "annotations"'), 'keys sorted, indented');
    const huge = definitionText('tool', 'big', { description: 'x'.repeat(MAX_DEFINITION_TEXT * 2) });
    assert.ok(huge.length < MAX_DEFINITION_TEXT + 100 && /more characters not kept\)$/.test(huge));
    assert.equal(describeDiff({ added: ['tool:a', 'resourceTemplate:f://{x}'], removed: ['prompt:p'], changed: [{ id: 'tool:echo', kind: 'tool', key: 'echo', fields: ['description', 'inputSchema'] }] }),
      '1 changed (tool echo: description, inputSchema), 2 new (tool a, resource template f://{x}), 1 removed (prompt p)');
    assert.match(describeDiff({ added: ['tool:1', 'tool:2', 'tool:3'], removed: [], changed: [] }, 2), /3 new \(tool 1, tool 2, … 1 more\)/);
  });

  it('cost: the definition as listed, in bytes and estimated tokens', () => {
    const cost = definitionCost(echo);
    assert.equal(cost.bytes, Buffer.byteLength(JSON.stringify(echo)));
    assert.equal(cost.tokens, Math.ceil(cost.bytes / BYTES_PER_TOKEN));
    assert.equal(definitionCost({ name: 'é' }).bytes, 13, 'UTF-8 bytes, not characters');
    const both = toolsCost([echo, { name: 'é' }]);
    assert.deepEqual(both, { bytes: cost.bytes + 13, tokens: Math.ceil((cost.bytes + 13) / BYTES_PER_TOKEN) });
    assert.deepEqual(toolsCost([]), { bytes: 0, tokens: 0 });
    assert.equal(formatTokens(1), '≈1 token');
    assert.equal(formatTokens(812), '≈812 tokens');
    assert.equal(formatTokens(12_345), '≈12.3k tokens');
  });
});
