import type { Prompt, RequestOptions, Resource, ResourceTemplateType as ResourceTemplate, Tool } from '@modelcontextprotocol/client';
import type { CatalogKind, CatalogList, ServerCatalog } from '../common/model';
import type { ServerCapabilities } from '../common/serverState';

/** `ttlMs`: how long the server says the result stays fresh (2026-07-28, SEP-2549; 0 or absent: not at all). */
interface Page { readonly nextCursor?: string; readonly ttlMs?: number }

/** A page of each list: its items under the list's own name. */
export interface CatalogPages {
  tools: Page & { readonly tools: readonly Tool[] };
  resources: Page & { readonly resources: readonly Resource[] };
  resourceTemplates: Page & { readonly resourceTemplates: readonly ResourceTemplate[] };
  prompts: Page & { readonly prompts: readonly Prompt[] };
}

/** Asks for exactly one page of a list (src/sdk.ts `listPage` over the session's Client; tests pass a fake). */
export type PageLister = <K extends CatalogList>(kind: K, cursor: string | undefined, options: RequestOptions) => Promise<CatalogPages[K]>;

export type CatalogLists = Pick<ServerCatalog, CatalogList>;

/** The most pages and items one list may have; the rest is not asked for, and the list is marked truncated. */
export const MAX_LIST_PAGES = 100;
export const MAX_LIST_ITEMS = 5_000;

/** The request of each list, for the log. */
export const LIST_METHODS: Readonly<Record<CatalogList, string>> = {
  tools: 'tools/list', resources: 'resources/list', resourceTemplates: 'resources/templates/list', prompts: 'prompts/list',
};

export interface LoadCatalogOptions {
  /** Timeout of each list request (ms). */
  readonly timeoutMs: number;
  /** Defaults: MAX_LIST_PAGES, MAX_LIST_ITEMS. */
  readonly maxPages?: number;
  readonly maxItems?: number;
}

/** Where a capped list stopped. */
export interface ListTruncation { readonly pages: number; readonly items: number }

export type CatalogListing = Partial<CatalogLists> & {
  /** The lists that hit a cap (only present when one did). */
  readonly truncated?: Partial<Record<CatalogList, ListTruncation>>;
  /** How long each listed kind stays fresh, when the server said (the shortest ttlMs of its pages, > 0). */
  readonly freshForMs?: Partial<Record<CatalogKind, number>>;
};

/**
 * Lists the requested kinds, every page of each, one request at a time. A kind the server did not declare in its
 * capabilities is not asked for and comes back empty; `resources` lists resources and resource templates. Each list
 * stops at MAX_LIST_PAGES pages or MAX_LIST_ITEMS items, keeping what it got (`truncated` says which). Rejects with the
 * first failure (nothing partial is returned). Only the requested lists are in the result.
 */
export async function loadCatalog(
  listPage: PageLister, capabilities: ServerCapabilities | undefined, kinds: readonly CatalogKind[], options: LoadCatalogOptions,
): Promise<CatalogListing> {
  const opts: RequestOptions = { timeout: options.timeoutMs };
  const limits = { maxPages: options.maxPages ?? MAX_LIST_PAGES, maxItems: options.maxItems ?? MAX_LIST_ITEMS };
  const caps = capabilities ?? {};
  const out: { -readonly [K in keyof CatalogLists]?: CatalogLists[K] } = {};
  const truncated: Partial<Record<CatalogList, ListTruncation>> = {};
  const fresh: Partial<Record<CatalogKind, number>> = {};
  async function list<K extends CatalogList, T>(kind: K, has: unknown, items: (r: CatalogPages[K]) => readonly T[]): Promise<T[]> {
    if (!has) return [];
    const of: CatalogKind = kind === 'resourceTemplates' ? 'resources' : kind;
    const r = await paginate(async (cursor) => {
      const page = await listPage(kind, cursor, opts);
      const ttl = page.ttlMs;
      if (typeof ttl === 'number' && ttl > 0 && Number.isFinite(ttl)) fresh[of] = Math.min(fresh[of] ?? ttl, ttl);
      return page;
    }, items, limits);
    if (r.truncated) truncated[kind] = r.truncated;
    return r.items;
  }
  if (kinds.includes('tools')) out.tools = await list('tools', caps.tools, (r) => r.tools);
  if (kinds.includes('resources')) {
    out.resources = await list('resources', caps.resources, (r) => r.resources);
    out.resourceTemplates = await list('resourceTemplates', caps.resources, (r) => r.resourceTemplates);
  }
  if (kinds.includes('prompts')) out.prompts = await list('prompts', caps.prompts, (r) => r.prompts);
  return { ...out, ...(Object.keys(truncated).length ? { truncated } : {}), ...(Object.keys(fresh).length ? { freshForMs: fresh } : {}) };
}

/**
 * Lists the pages: follows nextCursor, stops at a cursor the server already sent (a server that repeats one), and
 * at the page or item cap while the server still offers more (then `truncated` says where it stopped).
 */
async function paginate<R extends Page, T>(
  list: (cursor: string | undefined) => Promise<R>, items: (r: R) => readonly T[], limits: { maxPages: number; maxItems: number },
): Promise<{ items: T[]; truncated?: ListTruncation }> {
  const out: T[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let pages = 1; ; pages++) {
    const page = await list(cursor);
    const got = items(page);
    const room = limits.maxItems - out.length;
    for (let i = 0; i < Math.min(room, got.length); i++) out.push(got[i]);
    cursor = page.nextCursor;
    const more = !!cursor && !seen.has(cursor);
    if (got.length > room || (more && (out.length >= limits.maxItems || pages >= limits.maxPages))) return { items: out, truncated: { pages, items: out.length } };
    if (!more) return { items: out };
    seen.add(cursor!);
  }
}
