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
/** Documents kept in memory at once, and their total size (characters); the oldest are dropped first. */
export const MAX_DOCUMENTS = 100;
export const MAX_DOCUMENTS_TOTAL_CHARS = 64 * 1024 * 1024;

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

/** `doc` with its text cut at `max` characters, and a note of how much is not shown. */
export function capDocument(doc: VirtualDocument, max = MAX_DOCUMENT_CHARS): VirtualDocument {
  if (doc.text.length <= max) return doc;
  return { ...doc, text: `${doc.text.slice(0, max)}\n… truncated (${formatSize(doc.text.length - max)} not shown)\n` };
}

export interface DocumentLimits {
  readonly maxDocuments: number;
  readonly maxTotalChars: number;
  readonly maxDocumentChars: number;
}

/**
 * The contents of the open virtual documents, bounded by count and by total size: each document is capped on the way
 * in (capDocument), and the oldest are dropped until both budgets hold (the newest always stays).
 */
export class DocumentStore {
  private readonly docs = new Map<string, VirtualDocument>();
  private chars = 0;

  constructor(private readonly limits: DocumentLimits = { maxDocuments: MAX_DOCUMENTS, maxTotalChars: MAX_DOCUMENTS_TOTAL_CHARS, maxDocumentChars: MAX_DOCUMENT_CHARS }) {}

  get size(): number { return this.docs.size; }
  /** The characters held by all documents. */
  get totalChars(): number { return this.chars; }

  get(key: string): VirtualDocument | undefined { return this.docs.get(key); }

  set(key: string, doc: VirtualDocument): void {
    this.delete(key);
    const capped = capDocument(doc, this.limits.maxDocumentChars);
    this.docs.set(key, capped);
    this.chars += capped.text.length;
    while (this.docs.size > 1 && (this.docs.size > this.limits.maxDocuments || this.chars > this.limits.maxTotalChars)) {
      this.delete(this.docs.keys().next().value!);
    }
  }

  delete(key: string): void {
    const doc = this.docs.get(key);
    if (!doc) return;
    this.chars -= doc.text.length;
    this.docs.delete(key);
  }
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
    return capDocument({ text: cleanServerText(p.text!, Infinity, true), language: languageForMime(p.mimeType, p.uri) });
  }
  if (parts.length === 0) return { text: `${requestedUri}\n\nThe server returned no contents.\n`, language: 'plaintext' };
  const sections = parts.map((p, i) => {
    const head = `── ${parts.length > 1 ? `Part ${i + 1} of ${parts.length}: ` : ''}${p.uri}${p.mimeType ? ` (${p.mimeType})` : ''} ──`;
    const body = p.text !== undefined ? cleanServerText(p.text, Infinity, true) : p.blob !== undefined ? describeBlob(p.mimeType, p.blob) : 'No text or binary content.';
    return `${head}\n${body}`;
  });
  return capDocument({ text: `${sections.join('\n\n')}\n`, language: 'plaintext' });
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
  return capDocument({ text: lines.join('\n'), language: 'plaintext' });
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
