import * as assert from 'node:assert/strict';
import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
import { type CatalogPages, type PageLister, loadCatalog } from '../../../src/servers/loadCatalog';

type Pages<T> = readonly { readonly items: readonly T[]; readonly nextCursor?: string }[];

/** A fake page source serving fixed pages per list: page 0 for no cursor, page i for cursor `c<i>`. Records every call. */
function fakeClient(pages: {
  tools?: Pages<Tool>; resources?: Pages<Resource>; resourceTemplates?: Pages<ResourceTemplate>; prompts?: Pages<Prompt>;
  fail?: 'tools' | 'resources' | 'resourceTemplates' | 'prompts';
}): { client: PageLister; calls: string[]; timeouts: (number | undefined)[] } {
  const calls: string[] = [];
  const timeouts: (number | undefined)[] = [];
  function serve<T>(kind: 'tools' | 'resources' | 'resourceTemplates' | 'prompts', cursor: string | undefined, timeout: number | undefined): Promise<{ items: readonly T[]; nextCursor?: string }> {
    calls.push(`${kind}${cursor ? `@${cursor}` : ''}`);
    timeouts.push(timeout);
    if (pages.fail === kind) return Promise.reject(new Error(`${kind} exploded`));
    const list = (pages[kind] ?? [{ items: [] }]) as Pages<T>;
    const page = list[cursor ? Number(cursor.slice(1)) : 0];
    if (!page) return Promise.reject(new Error(`no page for ${cursor}`));
    return Promise.resolve(page);
  }
  const client: PageLister = async (kind, cursor, o) => {
    const r = await serve(kind, cursor, o.timeout);
    return { [kind]: r.items, nextCursor: r.nextCursor } as unknown as CatalogPages[typeof kind];
  };
  return { client, calls, timeouts };
}

const tool = (name: string): Tool => ({ name, inputSchema: { type: 'object' } });
const resource = (n: number): Resource => ({ uri: `demo://r/${n}`, name: `r${n}` });
const template = (n: number): ResourceTemplate => ({ uriTemplate: `demo://t/${n}/{id}`, name: `t${n}` });
const prompt = (name: string): Prompt => ({ name });
const ALL_CAPS = { tools: {}, resources: {}, prompts: {} };
const OPTIONS = { timeoutMs: 1234 };

describe('loadCatalog (pure, against fake pages)', () => {
  it('follows every page of every list, in order, with the request timeout', async () => {
    const { client, calls, timeouts } = fakeClient({
      tools: [{ items: [tool('a'), tool('b')], nextCursor: 'c1' }, { items: [tool('c')], nextCursor: 'c2' }, { items: [tool('d')] }],
      resources: [{ items: [resource(1)], nextCursor: 'c1' }, { items: [resource(2)] }],
      resourceTemplates: [{ items: [template(1)] }],
      prompts: [{ items: [prompt('p')], nextCursor: 'c1' }, { items: [prompt('q')] }],
    });
    const lists = await loadCatalog(client, ALL_CAPS, ['tools', 'resources', 'prompts'], OPTIONS);
    assert.deepEqual(lists.tools?.map((t) => t.name), ['a', 'b', 'c', 'd']);
    assert.deepEqual(lists.resources?.map((r) => r.uri), ['demo://r/1', 'demo://r/2']);
    assert.deepEqual(lists.resourceTemplates?.map((t) => t.name), ['t1']);
    assert.deepEqual(lists.prompts?.map((p) => p.name), ['p', 'q']);
    assert.deepEqual(calls, ['tools', 'tools@c1', 'tools@c2', 'resources', 'resources@c1', 'resourceTemplates', 'prompts', 'prompts@c1']);
    assert.ok(timeouts.every((t) => t === 1234), JSON.stringify(timeouts));
  });

  it('stops at a cursor the server already sent (no endless loop)', async () => {
    const { client, calls } = fakeClient({
      tools: [{ items: [tool('a')], nextCursor: 'c1' }, { items: [tool('b')], nextCursor: 'c1' }],
    });
    const lists = await loadCatalog(client, { tools: {} }, ['tools'], OPTIONS);
    assert.deepEqual(lists.tools?.map((t) => t.name), ['a', 'b']);
    assert.deepEqual(calls, ['tools', 'tools@c1']);
  });

  it('caps each list at maxItems / maxPages, keeps what it got and says where it stopped', async () => {
    const endless = (n: number, size: number) => Array.from({ length: n }, (_, p) => ({ items: Array.from({ length: size }, (_, i) => tool(`${p}.${i}`)), nextCursor: `c${p + 1}` }));
    const items = fakeClient({ tools: endless(10, 3), prompts: [{ items: [prompt('a'), prompt('b')] }] });
    const capped = await loadCatalog(items.client, ALL_CAPS, ['tools', 'prompts'], { ...OPTIONS, maxItems: 7 });
    assert.equal(capped.tools?.length, 7);
    assert.deepEqual(capped.truncated, { tools: { pages: 3, items: 7 } }, 'the third page overflows; prompts at 2 of 7 are whole');
    assert.deepEqual(items.calls, ['tools', 'tools@c1', 'tools@c2', 'prompts']);
    const pages = fakeClient({ tools: endless(10, 1) });
    assert.deepEqual((await loadCatalog(pages.client, ALL_CAPS, ['tools'], { ...OPTIONS, maxPages: 4 })).truncated, { tools: { pages: 4, items: 4 } });
    assert.equal(pages.calls.length, 4);
    const exact = fakeClient({ tools: [{ items: [tool('a')], nextCursor: 'c1' }, { items: [tool('b')] }] });
    assert.equal((await loadCatalog(exact.client, ALL_CAPS, ['tools'], { ...OPTIONS, maxItems: 2, maxPages: 2 })).truncated, undefined, 'exactly at the caps, nothing more offered');
  });

  it('does not ask for a kind the server lacks: it comes back empty', async () => {
    const { client, calls } = fakeClient({ tools: [{ items: [tool('a')] }], prompts: [{ items: [prompt('p')] }] });
    const lists = await loadCatalog(client, { tools: {} }, ['tools', 'resources', 'prompts'], OPTIONS);
    assert.deepEqual(lists, { tools: [tool('a')], resources: [], resourceTemplates: [], prompts: [] });
    assert.deepEqual(calls, ['tools']);
    const none = fakeClient({});
    assert.deepEqual(await loadCatalog(none.client, undefined, ['tools', 'resources', 'prompts'], OPTIONS), { tools: [], resources: [], resourceTemplates: [], prompts: [] });
    assert.deepEqual(none.calls, []);
  });

  it('lists only the requested kinds; resources bring their templates', async () => {
    const { client, calls } = fakeClient({ resources: [{ items: [resource(1)] }], resourceTemplates: [{ items: [template(1)] }] });
    const lists = await loadCatalog(client, ALL_CAPS, ['resources'], OPTIONS);
    assert.deepEqual(Object.keys(lists).sort(), ['resourceTemplates', 'resources']);
    assert.deepEqual(calls, ['resources', 'resourceTemplates']);
  });

  it('rejects with the first failure and asks for nothing after it', async () => {
    const { client, calls } = fakeClient({ tools: [{ items: [tool('a')] }], fail: 'resources' });
    await assert.rejects(loadCatalog(client, ALL_CAPS, ['tools', 'resources', 'prompts'], OPTIONS), /resources exploded/);
    assert.deepEqual(calls, ['tools', 'resources']);
  });
});
