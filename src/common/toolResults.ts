/**
 * A tool's result as display blocks for the Call Tool webview. Pure: no VS Code, no DOM. Every string here is
 * rendered with `textContent` (never HTML, never markdown); images only as `data:` URIs of allowlisted raster types.
 */
import { asText, cleanServerText } from './serverText';

export type ResultBlock =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'json'; readonly label: string; readonly text: string }
  | { readonly kind: 'image'; readonly mimeType: string; readonly dataUri: string; readonly bytes: number }
  | { readonly kind: 'resource'; readonly label: string; readonly uri: string; readonly mimeType?: string; readonly name?: string; readonly description?: string; readonly text?: string; readonly blobBytes?: number }
  | { readonly kind: 'note'; readonly text: string };

export interface RenderedResult {
  readonly isError: boolean;
  readonly blocks: readonly ResultBlock[];
  /** Some content was cut or left out to stay under the cap; the full result can be opened as JSON. */
  readonly truncated: boolean;
  /** Size of the whole result as JSON (characters). */
  readonly totalChars: number;
}

/** What the webview shows at most (characters of text plus data URIs). */
export const DEFAULT_RESULT_CAP_CHARS = 100 * 1024;

/** Raster types an <img> may show. SVG is excluded (it is a document that can carry script and links). */
export const IMAGE_MIME_ALLOWLIST: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp']);

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function base64Bytes(data: string): number {
  const clean = data.replace(/\s+/g, '');
  const pad = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((clean.length * 3) / 4) - pad);
}

export function isValidBase64(data: string): boolean {
  const clean = data.replace(/\s+/g, '');
  return clean.length % 4 === 0 && BASE64.test(clean);
}

/** A `data:` URI for an image content block, or why it is not shown. */
export function imageDataUri(mimeType: unknown, data: unknown): { uri: string } | { reason: string } {
  const mime = typeof mimeType === 'string' ? mimeType.toLowerCase().split(';')[0].trim() : '';
  if (!IMAGE_MIME_ALLOWLIST.has(mime)) return { reason: `images of type '${cleanServerText(asText(mimeType, 'unknown'), 80)}' are not displayed` };
  if (typeof data !== 'string' || !isValidBase64(data)) return { reason: 'the image data is not valid base64' };
  return { uri: `data:${mime};base64,${data.replace(/\s+/g, '')}` };
}

interface ContentLike { readonly type?: unknown; readonly [key: string]: unknown }

/**
 * Renders a CallToolResult (or anything shaped like one: unknown block types are shown as JSON) under a size cap.
 * `structuredContent` is shown as pretty JSON after the content blocks.
 */
export function renderToolResult(result: unknown, capChars = DEFAULT_RESULT_CAP_CHARS): RenderedResult {
  const r = (typeof result === 'object' && result !== null ? result : {}) as Record<string, unknown>;
  const totalChars = safeStringify(result).length;
  const blocks: ResultBlock[] = [];
  let budget = capChars;
  let truncated = false;
  const take = (text: string): string => {
    if (text.length <= budget) { budget -= text.length; return text; }
    truncated = true;
    const cut = text.slice(0, Math.max(0, budget));
    budget = 0;
    return `${cut}\n… (cut at ${Math.round(capChars / 1024)} KB: open the full result as JSON)`;
  };

  const content = Array.isArray(r['content']) ? (r['content'] as ContentLike[]) : [];
  for (const [i, c] of content.entries()) {
    if (budget <= 0) { truncated = true; blocks.push({ kind: 'note', text: `${content.length - i} more content block(s) not shown.` }); break; }
    blocks.push(...renderBlock(c, take, () => budget, (n) => { budget -= n; }, () => { truncated = true; }));
  }
  if (r['structuredContent'] !== undefined) {
    if (budget <= 0) { truncated = true; blocks.push({ kind: 'note', text: 'Structured content not shown.' }); }
    else blocks.push({ kind: 'json', label: 'Structured content', text: take(cleanServerText(JSON.stringify(r['structuredContent'], null, 2), Infinity, true)) });
  }
  if (content.length === 0 && r['structuredContent'] === undefined) blocks.push({ kind: 'note', text: 'The tool returned no content.' });
  return { isError: r['isError'] === true, blocks, truncated, totalChars };
}

function renderBlock(c: ContentLike, take: (t: string) => string, budget: () => number, spend: (n: number) => void, cut: () => void): ResultBlock[] {
  switch (c.type) {
    case 'text':
      return [{ kind: 'text', text: take(cleanServerText(asText(c['text'], ''), Infinity, true)) }];
    case 'image': {
      const img = imageDataUri(c['mimeType'], c['data']);
      if ('reason' in img) return [{ kind: 'note', text: `Image not shown: ${img.reason}.` }];
      if (img.uri.length > budget()) { cut(); return [{ kind: 'note', text: `Image (${asText(c['mimeType'])}, ${base64Bytes(asText(c['data']))} bytes) not shown: over the display cap.` }]; }
      spend(img.uri.length);
      return [{ kind: 'image', mimeType: asText(c['mimeType']).toLowerCase(), dataUri: img.uri, bytes: base64Bytes(asText(c['data'])) }];
    }
    case 'audio':
      return [{ kind: 'note', text: `Audio (${cleanServerText(asText(c['mimeType'], 'unknown type'), 80)}, ${typeof c['data'] === 'string' ? base64Bytes(c['data']) : 0} bytes) — not played here.` }];
    case 'resource': {
      const res = (typeof c['resource'] === 'object' && c['resource'] !== null ? c['resource'] : {}) as Record<string, unknown>;
      const text = typeof res['text'] === 'string' ? take(cleanServerText(res['text'], Infinity, true)) : undefined;
      return [{
        kind: 'resource', label: 'Embedded resource', uri: cleanServerText(asText(res['uri'], ''), 2_000),
        mimeType: optText(res['mimeType'], 200), text,
        blobBytes: typeof res['blob'] === 'string' ? base64Bytes(res['blob']) : undefined,
      }];
    }
    case 'resource_link':
      return [{
        kind: 'resource', label: 'Resource link', uri: cleanServerText(asText(c['uri'], ''), 2_000),
        name: optText(c['title'] ?? c['name'], 200), mimeType: optText(c['mimeType'], 200), description: optText(c['description'], 2_000),
      }];
    default:
      return [{ kind: 'json', label: `Content of type ${cleanServerText(asText(c.type, 'unknown'), 80)}`, text: take(cleanServerText(safeStringify(c, 2), Infinity, true)) }];
  }
}

function optText(v: unknown, max: number): string | undefined {
  return typeof v === 'string' && v ? cleanServerText(v, max) : undefined;
}

export function safeStringify(v: unknown, indent?: number): string {
  try { return JSON.stringify(v, null, indent) ?? 'undefined'; } catch { return String(v); }
}

/** Short plain summary of a result (for logs and programmatic callers): "2 blocks, error". */
export function summarizeResult(rendered: RenderedResult): string {
  return `${rendered.blocks.length} block(s)${rendered.isError ? ', error' : ''}${rendered.truncated ? ', truncated' : ''}, ${rendered.totalChars} chars`;
}
