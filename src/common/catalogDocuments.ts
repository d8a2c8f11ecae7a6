/**
 * Read-only documents for what a server returns: a resource's contents and a prompt's messages. Pure: text and a
 * language id; the VS Code side only opens them. Server text stays text (control characters stripped); binary
 * content is described (type and size), never dumped.
 */
import { languageForMime } from './mime';
import { asText, cleanServerText } from './serverText';
import { base64Bytes, safeStringify } from './toolResults';

export interface VirtualDocument {
  readonly text: string;
  readonly language: string;
}

/** A document larger than this is cut (VS Code copes, but a runaway server should not fill memory). */
export const MAX_DOCUMENT_CHARS = 10 * 1024 * 1024;

interface ResourceContentsLike { readonly uri?: unknown; readonly mimeType?: unknown; readonly text?: unknown; readonly blob?: unknown }

export function describeBlob(mimeType: string | undefined, blob: string): string {
  const bytes = base64Bytes(blob);
  return `Binary content (${mimeType || 'unknown type'}), ${formatBytes(bytes)} — not shown as text.`;
}

/** A size for a reader: "12 bytes", or "1.5 KB (1536 bytes)". */
export function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} byte${bytes === 1 ? '' : 's'}` : `${formatSize(bytes)} (${bytes} bytes)`;
}

/** A compact size: "512 B", "1.5 KB", "3.2 MB" (the JSON-RPC trace's lines). */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function cap(text: string): string {
  return text.length > MAX_DOCUMENT_CHARS ? `${text.slice(0, MAX_DOCUMENT_CHARS)}\n… (cut at ${MAX_DOCUMENT_CHARS / 1024 / 1024} MB)` : text;
}

/**
 * One text content: the text itself, in the language of its MIME type. Anything else (several parts, binary): a
 * plain-text listing with a header per part.
 */
export function resourceDocument(contents: readonly ResourceContentsLike[], requestedUri: string): VirtualDocument {
  const parts = contents.map((c) => ({
    uri: typeof c.uri === 'string' ? cleanServerText(c.uri, 2_000) : requestedUri,
    mimeType: typeof c.mimeType === 'string' ? cleanServerText(c.mimeType, 200) : undefined,
    text: typeof c.text === 'string' ? c.text : undefined,
    blob: typeof c.blob === 'string' ? c.blob : undefined,
  }));
  if (parts.length === 1 && parts[0].text !== undefined) {
    const p = parts[0];
    return { text: cap(cleanServerText(p.text!, Infinity, true)), language: languageForMime(p.mimeType, p.uri) };
  }
  if (parts.length === 0) return { text: `${requestedUri}\n\nThe server returned no contents.\n`, language: 'plaintext' };
  const sections = parts.map((p, i) => {
    const head = `── ${parts.length > 1 ? `Part ${i + 1} of ${parts.length}: ` : ''}${p.uri}${p.mimeType ? ` (${p.mimeType})` : ''} ──`;
    const body = p.text !== undefined ? cleanServerText(p.text, Infinity, true) : p.blob !== undefined ? describeBlob(p.mimeType, p.blob) : 'No text or binary content.';
    return `${head}\n${body}`;
  });
  return { text: cap(`${sections.join('\n\n')}\n`), language: 'plaintext' };
}

interface PromptMessageLike { readonly role?: unknown; readonly content?: unknown }

/** A prompt's messages as readable plain text: a header, then each message under its role. */
export function promptDocument(result: { readonly description?: unknown; readonly messages?: unknown }, meta: { readonly server: string; readonly prompt: string; readonly args: Readonly<Record<string, string>> }): VirtualDocument {
  const lines: string[] = [`Prompt: ${cleanServerText(meta.prompt, 200)}    Server: ${cleanServerText(meta.server, 200)}`];
  const args = Object.entries(meta.args);
  if (args.length) lines.push(`Arguments: ${args.map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', ')}`);
  if (typeof result.description === 'string' && result.description) lines.push(`Description: ${cleanServerText(result.description, 2_000)}`);
  const messages = Array.isArray(result.messages) ? (result.messages as PromptMessageLike[]) : [];
  lines.push(`${messages.length} message${messages.length === 1 ? '' : 's'}`, '');
  for (const m of messages) {
    lines.push(`━━ ${cleanServerText(asText(m.role, 'unknown'), 40)} ━━`, contentText(m.content), '');
  }
  return { text: cap(lines.join('\n')), language: 'plaintext' };
}

/** One content block as text: text verbatim, images/audio/blobs described, resources with their uri and text. */
export function contentText(content: unknown): string {
  const c = (typeof content === 'object' && content !== null ? content : {}) as Record<string, unknown>;
  switch (c['type']) {
    case 'text': return cleanServerText(asText(c['text'], ''), Infinity, true);
    case 'image': case 'audio':
      return `[${c['type']}: ${cleanServerText(asText(c['mimeType'], 'unknown type'), 100)}, ${typeof c['data'] === 'string' ? formatBytes(base64Bytes(c['data'])) : 'no data'}]`;
    case 'resource': {
      const r = (typeof c['resource'] === 'object' && c['resource'] !== null ? c['resource'] : {}) as ResourceContentsLike;
      const head = `[embedded resource: ${cleanServerText(asText(r.uri, ''), 2_000)}${typeof r.mimeType === 'string' ? ` (${cleanServerText(r.mimeType, 100)})` : ''}]`;
      if (typeof r.text === 'string') return `${head}\n${cleanServerText(r.text, Infinity, true)}`;
      if (typeof r.blob === 'string') return `${head}\n${describeBlob(typeof r.mimeType === 'string' ? r.mimeType : undefined, r.blob)}`;
      return head;
    }
    case 'resource_link':
      return `[resource link: ${cleanServerText(asText(c['uri'], ''), 2_000)}${typeof c['name'] === 'string' ? ` "${cleanServerText(c['name'], 200)}"` : ''}${typeof c['mimeType'] === 'string' ? ` (${cleanServerText(c['mimeType'], 100)})` : ''}]`;
    default: return cleanServerText(safeStringify(content, 2), Infinity, true);
  }
}
