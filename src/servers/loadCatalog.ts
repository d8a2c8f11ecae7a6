import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { CatalogKind, ServerCatalog } from '../common/model';
import type { ServerCapabilities } from '../common/serverState';

interface Page { readonly nextCursor?: string }
type Lister<R extends Page> = (params: { cursor?: string }, options?: RequestOptions) => Promise<R>;

/** The four list requests of an MCP client (the SDK Client has them; tests pass a fake). */
export interface CatalogClient {
  listTools: Lister<Page & { readonly tools: readonly Tool[] }>;
  listResources: Lister<Page & { readonly resources: readonly Resource[] }>;
  listResourceTemplates: Lister<Page & { readonly resourceTemplates: readonly ResourceTemplate[] }>;
  listPrompts: Lister<Page & { readonly prompts: readonly Prompt[] }>;
}

export type CatalogLists = Pick<ServerCatalog, 'tools' | 'resources' | 'resourceTemplates' | 'prompts'>;

export interface LoadCatalogOptions {
  /** Timeout of each list request (ms). */
  readonly timeoutMs: number;
}

/**
 * Lists the requested kinds, every page of each, one request at a time. A kind the server did not declare in its
 * capabilities is not asked for and comes back empty; `resources` lists resources and resource templates. Rejects with
 * the first failure (nothing partial is returned). Only the requested lists are in the result.
 */
export async function loadCatalog(
  client: CatalogClient, capabilities: ServerCapabilities | undefined, kinds: readonly CatalogKind[], options: LoadCatalogOptions,
): Promise<Partial<CatalogLists>> {
  const opts: RequestOptions = { timeout: options.timeoutMs };
  const caps = capabilities ?? {};
  const out: { -readonly [K in keyof CatalogLists]?: CatalogLists[K] } = {};
  if (kinds.includes('tools')) out.tools = caps.tools ? await paginate((cursor) => client.listTools({ cursor }, opts), (r) => r.tools) : [];
  if (kinds.includes('resources')) {
    out.resources = caps.resources ? await paginate((cursor) => client.listResources({ cursor }, opts), (r) => r.resources) : [];
    out.resourceTemplates = caps.resources ? await paginate((cursor) => client.listResourceTemplates({ cursor }, opts), (r) => r.resourceTemplates) : [];
  }
  if (kinds.includes('prompts')) out.prompts = caps.prompts ? await paginate((cursor) => client.listPrompts({ cursor }, opts), (r) => r.prompts) : [];
  return out;
}

/** Lists every page: follows nextCursor, and stops at a cursor the server already sent (a server that repeats one). */
async function paginate<R extends Page, T>(list: (cursor: string | undefined) => Promise<R>, items: (r: R) => readonly T[]): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (;;) {
    const page = await list(cursor);
    out.push(...items(page));
    cursor = page.nextCursor;
    if (!cursor || seen.has(cursor)) return out;
    seen.add(cursor);
  }
}
