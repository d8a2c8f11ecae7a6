import * as assert from 'node:assert/strict';
import type { Tool } from '@modelcontextprotocol/client';
import {
  BYTES_PER_TOKEN, approvalOf, canonicalJson, decideCall, definitionCost, definitionEntry, diffSnapshots, snapshotOf,
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
  });

  it('cost: the definition as listed, in bytes and estimated tokens', () => {
    const cost = definitionCost(echo);
    assert.equal(cost.bytes, Buffer.byteLength(JSON.stringify(echo)));
    assert.equal(cost.tokens, Math.ceil(cost.bytes / BYTES_PER_TOKEN));
    assert.equal(definitionCost({ name: 'é' }).bytes, 13, 'UTF-8 bytes, not characters');
  });
});
