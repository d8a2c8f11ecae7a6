import type { Prompt, Resource, ResourceTemplateType as ResourceTemplate, Tool } from '@modelcontextprotocol/client';
import { type ItemMark, definitionCost, formatTokens } from './definitions';
import type { CatalogList, CatalogView } from './model';
import type { ServerCapabilities, ServerState } from './serverState';

export type { CatalogView };
import type { TreeRow } from './treeModel';

/** The groups under a running server, each only when the server has the capability. */
export type CatalogGroup = CatalogList;


const GROUPS: readonly { group: CatalogGroup; label: string; icon: string; capability: keyof ServerCapabilities }[] = [
  { group: 'tools', label: 'Tools', icon: 'tools', capability: 'tools' },
  { group: 'resources', label: 'Resources', icon: 'file', capability: 'resources' },
  { group: 'resourceTemplates', label: 'Resource Templates', icon: 'file-symlink-file', capability: 'resources' },
  { group: 'prompts', label: 'Prompts', icon: 'comment-discussion', capability: 'prompts' },
];

export function catalogGroups(capabilities: ServerCapabilities | undefined, catalog: CatalogView): { group: CatalogGroup; row: TreeRow }[] {
  return GROUPS.filter((g) => capabilities?.[g.capability]).map((g) => {
    const count = catalog[g.group].length;
    const more = catalog.truncated?.[g.group] ? '+' : '';
    return {
      group: g.group,
      row: {
        label: g.label,
        description: more ? `${count}+ (truncated)` : String(count),
        icon: g.icon,
        accessibilityLabel: `${g.label}, ${count}${more} item${count === 1 ? '' : 's'}${more && ', truncated'}`,
        tooltip: `${count} ${g.label.toLowerCase()}${more && '\nThe server offers more: the list stopped at the cap (see the server log).'}`,
        contextValue: `mcpGroup;${g.group};`,
        collapsible: count > 0,
      },
    };
  });
}

/** One line per property: `name: type (required) — description`, nested objects flattened with dots. */
export function summarizeSchema(schema: unknown, prefix = '', depth = 0): string[] {
  if (!isObject(schema) || depth > 3) return [];
  const props = isObject(schema['properties']) ? schema['properties'] : {};
  const required = new Set(Array.isArray(schema['required']) ? schema['required'].filter((r): r is string => typeof r === 'string') : []);
  const lines: string[] = [];
  for (const [name, prop] of Object.entries(props)) {
    if (!isObject(prop)) continue;
    const type = schemaType(prop);
    const desc = typeof prop['description'] === 'string' ? ` — ${oneLine(prop['description'], 80)}` : '';
    lines.push(`${prefix}${name}: ${type}${required.has(name) ? ' (required)' : ''}${desc}`);
    if (type === 'object') lines.push(...summarizeSchema(prop, `${prefix}${name}.`, depth + 1));
  }
  return lines;
}

function schemaType(prop: Record<string, unknown>): string {
  if (Array.isArray(prop['enum'])) return prop['enum'].map((v) => JSON.stringify(v)).join(' | ');
  const t = prop['type'];
  if (Array.isArray(t)) return t.join(' | ');
  if (t === 'array' && isObject(prop['items'])) return `${schemaType(prop['items'])}[]`;
  return typeof t === 'string' ? t : 'any';
}

export function toolAnnotations(tool: Tool): string[] {
  const a = tool.annotations;
  if (!a) return [];
  const out: string[] = [];
  if (a.readOnlyHint) out.push('read-only');
  if (a.destructiveHint && !a.readOnlyHint) out.push('destructive');
  if (a.idempotentHint) out.push('idempotent');
  if (a.openWorldHint) out.push('open world');
  return out;
}

export function isDestructive(tool: Tool): boolean {
  // The spec's default for destructiveHint is true only when readOnlyHint is false; we confirm only when declared.
  return tool.annotations?.destructiveHint === true && tool.annotations.readOnlyHint !== true;
}

export function toolRow(tool: Tool): TreeRow {
  const title = tool.title ?? tool.annotations?.title;
  const notes = toolAnnotations(tool);
  const params = summarizeSchema(tool.inputSchema);
  const tooltip = [
    title && title !== tool.name ? `${title} (${tool.name})` : tool.name,
    tool.description ? oneLine(tool.description, 500) : undefined,
    notes.length ? `Annotations: ${notes.join(', ')}` : undefined,
    params.length ? `Parameters:\n${params.map((p) => `  ${p}`).join('\n')}` : 'No parameters',
    costLine(tool),
  ].filter(Boolean).join('\n');
  return {
    label: title ?? tool.name,
    description: oneLine(tool.description ?? '', 80),
    icon: notes.includes('destructive') ? 'warning' : 'symbol-method',
    accessibilityLabel: `Tool ${title ?? tool.name}${notes.length ? `, ${notes.join(', ')}` : ''}`,
    tooltip,
    contextValue: `mcpTool;${notes.includes('destructive') ? 'destructive;' : ''}`,
    collapsible: false,
  };
}

export function resourceRow(resource: Resource): TreeRow {
  const label = resource.title ?? resource.name;
  return {
    label,
    description: resource.uri,
    icon: resource.mimeType?.startsWith('image/') ? 'file-media' : resource.mimeType?.startsWith('text/') || resource.mimeType === 'application/json' ? 'file-text' : 'file',
    accessibilityLabel: `Resource ${label}`,
    tooltip: [label, resource.uri, resource.mimeType, resource.description && oneLine(resource.description, 500), resource.size !== undefined ? `${resource.size} bytes` : undefined].filter(Boolean).join('\n'),
    contextValue: 'mcpResource;',
    collapsible: false,
  };
}

export function resourceTemplateRow(template: ResourceTemplate): TreeRow {
  const label = template.title ?? template.name;
  return {
    label,
    description: template.uriTemplate,
    icon: 'file-symlink-file',
    accessibilityLabel: `Resource template ${label}`,
    tooltip: [label, template.uriTemplate, template.mimeType, template.description && oneLine(template.description, 500)].filter(Boolean).join('\n'),
    contextValue: 'mcpResourceTemplate;',
    collapsible: false,
  };
}

export function promptRow(prompt: Prompt): TreeRow {
  const label = prompt.title ?? prompt.name;
  const args = (prompt.arguments ?? []).map((a) => `  ${a.name}${a.required ? ' (required)' : ''}${a.description ? ` — ${oneLine(a.description, 80)}` : ''}`);
  return {
    label,
    description: oneLine(prompt.description ?? '', 80),
    icon: 'comment',
    accessibilityLabel: `Prompt ${label}`,
    tooltip: [label, prompt.description && oneLine(prompt.description, 500), args.length ? `Arguments:\n${args.join('\n')}` : 'No arguments'].filter(Boolean).join('\n'),
    contextValue: 'mcpPrompt;',
    collapsible: false,
  };
}

/** What a definition costs a model, as a tooltip line (the estimate is BYTES_PER_TOKEN, named in the README). */
function costLine(item: object): string {
  const { bytes, tokens } = definitionCost(item);
  return `Definition: ${bytes} bytes, ${formatTokens(tokens)} (estimated)`;
}

/**
 * An item row marked as not approved (issue 15): `changed` / `new` first in its description (and `blocked` when calls
 * are refused), a diff icon, the tooltip saying what changed, and `changed;` / `new;` in its context value (the
 * Review Tool Changes... menu item).
 */
export function markedRow(row: TreeRow, mark: ItemMark | undefined): TreeRow {
  if (!mark) return row;
  const word = mark.blocked ? `${mark.status}, blocked` : mark.status;
  const what = mark.status === 'new' ? 'New since you approved this server\'s definitions' : `Changed since you approved it: ${mark.fields.join(', ')}`;
  const blocked = mark.blocked === 'kept' ? 'Blocked: you kept it blocked after reviewing the change.'
    : mark.blocked === 'policy' ? 'Blocked: calls are refused until you approve it (pinTools: block).' : undefined;
  return {
    ...row,
    description: [word, row.description].filter(Boolean).join(' · '),
    icon: mark.blocked ? 'circle-slash' : mark.status === 'new' ? 'diff-added' : 'diff-modified',
    iconColor: mark.blocked ? 'problemsErrorIcon.foreground' : 'problemsWarningIcon.foreground',
    accessibilityLabel: `${row.accessibilityLabel}, ${word}`,
    tooltip: [row.tooltip, '', `${what}.`, blocked, 'Run Review Tool Changes... to see the difference and approve it.'].filter((l) => l !== undefined).join('\n'),
    contextValue: `${row.contextValue}${mark.status};${mark.blocked ? 'blocked;' : ''}`,
  };
}

/** "17 tools" style counts for the server's description; "loading…" until the first listing completes. */
export function catalogSummary(capabilities: ServerCapabilities | undefined, catalog: CatalogView): string | undefined {
  if (!catalog.updatedAt) return 'loading…';
  if (catalog.error) return 'listing failed';
  const parts: string[] = [];
  const add = (list: 'tools' | 'resources' | 'prompts', one: string) => {
    const n = catalog[list].length;
    parts.push(`${n}${catalog.truncated?.[list] ? '+' : ''} ${n === 1 ? one : list}`);
  };
  if (capabilities?.tools) add('tools', 'tool');
  if (capabilities?.resources) add('resources', 'resource');
  if (capabilities?.prompts) add('prompts', 'prompt');
  return parts.length ? parts.join(', ') : undefined;
}

/**
 * The one child of a server that is on its way to running, so a row expanded while it starts stays expanded and
 * says what is happening; undefined once there is a catalog to show (or nothing is under way).
 */
export function pendingRow(state: ServerState, catalog: CatalogView | undefined): TreeRow | undefined {
  const row = (label: string, tooltip: string): TreeRow => ({
    label, icon: 'loading~spin', accessibilityLabel: label, tooltip, contextValue: 'mcpPending;', collapsible: false,
  });
  switch (state.kind) {
    case 'starting': return row('Starting…', 'The server is starting; its tools, resources and prompts appear here once it runs.');
    case 'restarting': return row(`Restarting (attempt ${state.attempt})…`, `Restarting after: ${state.reason}`);
    case 'running': return catalog?.updatedAt ? undefined : row('Loading tools, resources and prompts…', 'Listing what the server offers.');
    case 'stopped': case 'failed': case 'needsSignIn': case 'needsTrust': case 'configError': case 'shadowed': return undefined;
  }
}

function oneLine(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
