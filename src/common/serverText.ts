/**
 * Text a server sends (tool output, resource text, descriptions) is untrusted. It is shown only as plain text
 * (webview `textContent`, read-only text documents, QuickPick labels), never as HTML or markdown. What remains to
 * remove are characters that disguise text: C0/C1 controls, zero-width and bidi-override characters.
 */

// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
// eslint-disable-next-line no-control-regex
const INVISIBLE_AND_BREAKS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * Strips invisible/control characters. `multiline` keeps \n and \t (and turns \r\n into \n); otherwise whitespace
 * runs become one space. Text longer than `max` characters ends with `…`.
 */
export function cleanServerText(text: string, max = 500, multiline = false): string {
  let out = multiline
    ? text.replace(/\r\n?/g, '\n').replace(INVISIBLE, '')
    : text.replace(/\s+/g, ' ').replace(INVISIBLE_AND_BREAKS, '').trim();
  if (out.length > max) out = `${out.slice(0, Math.max(0, max - 1))}…`;
  return out;
}

/**
 * A server string for a QuickPick label/description: one line, and no `$(icon)` syntax (VS Code would render it as
 * a codicon).
 */
export function pickerText(text: string, max = 200): string {
  return cleanServerText(text, max).replace(/\$\(/g, '$\u200a(');
}

/** A display string as one URI path segment: no slashes, controls or reserved characters; bounded; never empty. */
export function pathSegment(text: string): string {
  // eslint-disable-next-line no-control-regex
  const s = text.replace(/[\u0000-\u001f\u007f-\u009f/\\?#%*:|"<>]+/g, '_').replace(/^\.+/, '_').trim().slice(0, 80);
  return s || '_';
}

/** A protocol field as text: strings as they are, numbers/booleans printed, anything else `fallback`. */
export function asText(v: unknown, fallback = ''): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return fallback;
}
